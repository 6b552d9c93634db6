"""Typed events parsed from decoded callback payloads (§3), and the classification rules (§3.0).

Only this module knows the provider's field names for inbound data. Handlers in the apps
receive these dataclasses and never look at raw fields (the `raw` attribute is kept for
storage and debugging only).
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from provider.callbacks.urls import PER_CALL_CHANNELS
from provider.types import to_int, to_str, unescape_url

# --- outcomes and errors a handler may use ----------------------------------------------------

PROCESSED = "processed"
DUPLICATE = "duplicate"


class EventError(Exception):
    """The event cannot be applied as it stands (the delivery is kept as failed, replayable)."""


class UnknownAccount(EventError):
    def __init__(self, identifier):
        super().__init__(f"no WeChat account matches my_account={identifier!r}")
        self.identifier = identifier


class Duplicate(Exception):  # noqa: N818 - reads as "raise Duplicate"
    """Raised by a handler to roll back its writes and record the delivery as a duplicate."""


# --- coercion (§1.7, E-8, E-58) -----------------------------------------------------------------


# One set of coercions for answers and callbacks alike (provider.types).
as_int = to_int
as_url = unescape_url


def as_str(value):
    """Text from any value; JSON that a form sender parsed too eagerly goes back to text."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "1" if value else "0"
    return to_str(value)


def as_list(value):
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        # PHP senders may leave a one-element list as an object keyed by strings.
        return [value] if value else []
    return []


def as_csv(value):
    if isinstance(value, list):
        return [as_str(item).strip() for item in value if as_str(item).strip()]
    return [part.strip() for part in as_str(value).split(",") if part.strip()]


def as_time(value):
    """An aware datetime from Unix seconds (or milliseconds), None when absent or not numeric."""
    number = as_int(value)
    if not number or number <= 0:
        return None
    if number > 10**11:  # milliseconds
        number //= 1000
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def first(item, *keys, default=None):
    """The value of the first key present (and not None) in item."""
    for key in keys:
        if key in item and item[key] is not None:
            return item[key]
    return default


# --- events -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Event:
    """Fields every event has: the owning account's identifier, where it came from, the raw item."""

    kind: ClassVar[str] = "unknown"
    my_account: str = ""
    channel: str = ""
    query: dict = field(default_factory=dict, repr=False)
    raw: Any = field(default=None, repr=False)
    code: int | None = None
    msg: str = ""
    extend: str = ""

    @property
    def request_id(self):
        """Our own correlation id from the callback URL (`?req=`)."""
        return self.query.get("req", "")

    @property
    def ok(self):
        """False when the provider said the task failed (code 0); a missing code means success."""
        return self.code is None or self.code == 1


@dataclass(frozen=True, kw_only=True)
class UnknownEvent(Event):
    kind: ClassVar[str] = "unknown"


@dataclass(frozen=True, kw_only=True)
class MessageEvent(Event):
    """C1: a one-to-one message, in either direction (E-44, E-60)."""

    kind: ClassVar[str] = "message"
    my_name: str = ""
    counterpart: str = ""  # to_account: the friend, whichever direction
    counterpart_name: str = ""
    content: str = ""
    content_type: int = 1
    file_name: str = ""
    voice_len: int = 0
    outgoing: bool = False  # type 1 = sent by the logged-in account (E-60)
    msgid: str | None = None
    sent_at: datetime | None = None  # send_time when the provider gives it

    @property
    def peer(self):
        return self.counterpart


@dataclass(frozen=True, kw_only=True)
class GroupMessageEvent(MessageEvent):
    """C2: a group message; `counterpart` is the member who sent it (E-44)."""

    kind: ClassVar[str] = "group_message"
    group: str = ""
    group_name: str = ""
    sender_alias: str = ""
    msg_source: str = ""

    @property
    def peer(self):
        return self.group


@dataclass(frozen=True, kw_only=True)
class FriendAddedEvent(Event):
    """C3 (E-43): friendship established; `initiated_by_me` from the inner `data.type`."""

    kind: ClassVar[str] = "friend_added"
    username: str = ""
    nickname: str = ""
    sex: int = 0
    area: str = ""
    avatar_url: str = ""
    initiated_by_me: bool = False
    added_at: datetime | None = None
    v1: str = ""


@dataclass(frozen=True, kw_only=True)
class AccountStatusEvent(Event):
    """C4: login (`type` 1) or logout/offline (any other value, E-13)."""

    kind: ClassVar[str] = "account_status"
    online: bool = False
    status_type: int | None = None
    account: str = ""
    account_alias: str = ""
    name: str = ""
    task_id: int | None = None
    avatar_url: str = ""


@dataclass(frozen=True, kw_only=True)
class ScanConfirmedEvent(Event):
    """C10: the phone confirmed the scan (`type` 4, `status` 8)."""

    kind: ClassVar[str] = "scan_confirmed"
    status: int | None = None
    account: str = ""
    account_alias: str = ""
    name: str = ""
    avatar_url: str = ""
    app_token: str = ""


@dataclass(frozen=True, kw_only=True)
class QRCodeEvent(Event):
    """C11: the QR code of a scanNew task."""

    kind: ClassVar[str] = "qr_code"
    url: str = ""
    task_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class GroupMemberJoinedEvent(Event):
    """C5: someone (maybe the account itself, E-45) joined a group."""

    kind: ClassVar[str] = "group_member_joined"
    group: str = ""
    username: str = ""
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class FriendRequestEvent(Event):
    """C6 (E-15): an incoming friend request."""

    kind: ClassVar[str] = "friend_request"
    username: str = ""
    wxid: str = ""
    ticket: str = ""
    nickname: str = ""
    sex: int = 0
    country: str = ""
    province: str = ""
    city: str = ""
    signature: str = ""
    avatar_url: str = ""
    greeting: str = ""
    source: str = ""
    referrer_nickname: str = ""
    referrer_account: str = ""
    source_group: str = ""


@dataclass(frozen=True, kw_only=True)
class FriendDeletedEvent(Event):
    """C7 (E-16): a friendship ended, whichever side deleted; `code` means nothing here."""

    kind: ClassVar[str] = "friend_deleted"
    username: str = ""


@dataclass(frozen=True, kw_only=True)
class ContactInfoEvent(Event):
    """C8 (E-18): the result of newGetWacatInfo, matched by `extend`."""

    kind: ClassVar[str] = "contact_info"
    account: str = ""
    account_alias: str = ""
    nickname: str = ""
    sex: int = 0
    area: str = ""
    avatar_url: str = ""


@dataclass(frozen=True)
class LabelRecord:
    label_id: int
    name: str = ""
    account: str = ""


@dataclass(frozen=True, kw_only=True)
class LabelListEvent(Event):
    """C9 (E-6): the account's labels; the list replaces what we knew."""

    kind: ClassVar[str] = "label_list"
    labels: tuple[LabelRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LabelResultEvent(Event):
    """C17 (E-23): labels created (account = owner) or assigned to friends (account = friend)."""

    kind: ClassVar[str] = "label_result"
    labels: tuple[LabelRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LabelsDeletedEvent(Event):
    """C18 delLable result (provisional shape): `code`, and the ids when given."""

    kind: ClassVar[str] = "labels_deleted"
    label_ids: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ZombieResultEvent(Event):
    """C18 checkZombie result (provisional shape): `account`, `is_zombie` 0/1."""

    kind: ClassVar[str] = "zombie_result"
    username: str = ""
    is_zombie: bool | None = None


@dataclass(frozen=True)
class FriendRecord:
    username: str
    wxid: str = ""
    nickname: str = ""
    sex: int = 0
    area: str = ""
    avatar_url: str = ""
    description: str = ""
    remark: str = ""
    do_not_disturb: bool = False
    v1: str = ""
    label_ids: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class FriendPageEvent(Event):
    """C12 (E-42): one page of up to 100 friends of a syncFriendList run."""

    kind: ClassVar[str] = "friend_page"
    page: int = 1
    total: int | None = None
    friends: tuple[FriendRecord, ...] = ()


@dataclass(frozen=True)
class MemberRecord:
    username: str
    group: str = ""
    nickname: str = ""
    display_name: str = ""
    avatar_url: str = ""


@dataclass(frozen=True, kw_only=True)
class GroupMembersEvent(Event):
    """C13: the full member list of a group."""

    kind: ClassVar[str] = "group_members"
    group: str = ""
    members: tuple[MemberRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class GroupQRCodeEvent(Event):
    """C14: a group's QR code."""

    kind: ClassVar[str] = "group_qrcode"
    group: str = ""
    qrcode: str = ""
    group_name: str = ""
    avatar_url: str = ""
    owner: str = ""


@dataclass(frozen=True, kw_only=True)
class GroupCreatedEvent(Event):
    """C15: the new group of a `found` call."""

    kind: ClassVar[str] = "group_created"
    group: str = ""
    name: str = ""
    avatar_url: str = ""


@dataclass(frozen=True)
class MomentRecord:
    status_id: str
    author: str = ""
    author_name: str = ""
    author_avatar_url: str = ""
    text: str = ""
    media_type: int = 2
    media_urls: tuple[str, ...] = ()
    created_at: datetime | None = None
    raw: Any = None


@dataclass(frozen=True, kw_only=True)
class MomentsEvent(Event):
    """C16 (E-29): a list of Moments posts."""

    kind: ClassVar[str] = "moments"
    posts: tuple[MomentRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MomentPostedEvent(Event):
    """C18 release result (provisional shape): `code`, and `statusId` when given."""

    kind: ClassVar[str] = "moment_posted"
    status_id: str = ""


@dataclass(frozen=True, kw_only=True)
class FriendNoticeEvent(Event):
    """C18 friends/add or friends/del notice on `callbackSend`: stored, matched on `extend` later."""

    kind: ClassVar[str] = "friend_notice"
    account: str = ""


EVENT_CLASSES = {
    cls.kind: cls
    for cls in (
        MessageEvent,
        GroupMessageEvent,
        FriendAddedEvent,
        AccountStatusEvent,
        GroupMemberJoinedEvent,
        FriendRequestEvent,
        FriendDeletedEvent,
        ContactInfoEvent,
        LabelListEvent,
        ScanConfirmedEvent,
        QRCodeEvent,
        FriendPageEvent,
        GroupMembersEvent,
        GroupQRCodeEvent,
        GroupCreatedEvent,
        MomentsEvent,
        LabelResultEvent,
        LabelsDeletedEvent,
        ZombieResultEvent,
        MomentPostedEvent,
        FriendNoticeEvent,
        UnknownEvent,
    )
}
EVENT_KINDS = tuple(EVENT_CLASSES)

# --- classification (§3.0) ----------------------------------------------------------------------

# What each receiving path may carry. The first kind is the default for a per-call channel
# whose payload is undocumented (C18), so a shape we do not recognise still reaches its owner.
CHANNEL_KINDS = {
    "messagelog": ("message", "group_message"),
    "crowdlog": ("group_message", "message"),
    "addfriendlog": ("friend_added",),
    "wacatout": ("account_status", "scan_confirmed", "qr_code"),
    "addgrouplog": ("group_member_joined",),
    "newfriendlog": ("friend_request",),
    "delfriendlog": ("friend_deleted",),
    # The shared channel: everything is decided by shape; a notice with only code/msg/extend
    # is the undocumented friends/add or friends/del notice (C18).
    "callbackSend": (
        "contact_info",
        "label_list",
        "scan_confirmed",
        "account_status",
        "qr_code",
        "friend_request",
        "friend_deleted",
        "friend_added",
        "message",
        "group_message",
        "friend_notice",
    ),
    "scan": ("qr_code", "scan_confirmed", "account_status"),
    "labels": ("label_result",),
    "labels-deleted": ("labels_deleted",),
    "zombie": ("zombie_result",),
    "friends": ("friend_page",),
    "group-created": ("group_created",),
    "group-qrcode": ("group_qrcode",),
    "group-members": ("group_members",),
    "moment-posted": ("moment_posted",),
    "moments": ("moments",),
}
# Channels where the path alone decides the kind, whatever the shape: every per-call URL but
# the QR code's (C10 may arrive there too, E-13), and delfriendlog (E-16).
CHANNEL_DECIDES = (frozenset(PER_CALL_CHANNELS) - {"scan"}) | {"delfriendlog"}
_POST_KEYS = ("statusId", "userString", "contentstring")


def _collection(payload):
    """The list under `info` or `data` of an envelope (either may have been JSON text)."""
    for key in ("info", "data"):
        value = payload.get(key)
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            return value
    return None


def classify_envelope(payload):
    """Kinds whose payload is a collection: decided on the whole envelope, before unwrapping."""
    if "currentPage" in payload:
        return "friend_page"
    items = _collection(payload)
    if items is not None:
        if any("lable_id" in item for item in items):
            return "labels"  # C9 or C17, decided by channel
        if any("userName" in item or "displayName" in item for item in items):
            return "group_members"
        if any(key in item for item in items for key in _POST_KEYS):
            return "moments"
    if any(key in payload for key in _POST_KEYS) and "data" not in payload:
        return "moments"
    return None


def classify_item(item):
    """§3.0 on one unwrapped item, in the documented order."""
    if "url" in item and "task_id" in item:
        return "qr_code"
    if as_int(item.get("type")) == 4 and "status" in item:
        return "scan_confirmed"
    if "task_id" in item and "account" in item:
        return "account_status"
    if "content_type" in item:
        return "group_message" if item.get("g_number") else "message"
    if "encodeUserName" in item or "check_msg" in item:
        return "friend_request"
    if "form_account" in item or "from_account" in item:
        return "friend_deleted"
    inner = item.get("data")
    if "uid" in item or (isinstance(inner, dict) and ("time" in inner or "v1" in inner)):
        return "friend_added"
    if item.get("g_number") and "account" in item and "name" in item:
        return "group_member_joined"
    if as_int(item.get("type")) == 2 and any(key in item for key in ("nickName", "header_url", "myAccount")):
        return "contact_info"
    if "qrcode" in item or "group_number" in item:
        return "group_qrcode"
    if "headerImage" in item:
        return "group_created"
    if any(key in item for key in _POST_KEYS):
        return "moments"
    return None


def _choose(channel, shape_kind, allowed):
    if shape_kind == "labels":
        shape_kind = "label_list" if channel == "callbackSend" else "label_result"
    if shape_kind in allowed:
        return shape_kind
    if channel in CHANNEL_DECIDES:
        return allowed[0]
    if channel == "callbackSend" and shape_kind is None:
        return "friend_notice"
    return "unknown"


def parse_payload(payload, *, channel, query=None):
    """Classify a decoded payload by channel then shape, and build its events (one or several)."""
    query = dict(query or {})
    allowed = CHANNEL_KINDS.get(channel, ())
    if isinstance(payload, list):
        payload = {"data": payload}
    if not isinstance(payload, dict):
        return [UnknownEvent(channel=channel, query=query, raw=payload)]

    envelope = {key: value for key, value in payload.items() if key != "data"}
    kind = classify_envelope(payload)
    if kind is not None or channel in {"friends", "group-members", "moments", "labels"}:
        kind = _choose(channel, kind, allowed)
        return [_build(kind, payload, envelope, channel, query)]

    inner = payload.get("data")
    if isinstance(inner, dict) and inner:
        items = [inner]
    elif isinstance(inner, list) and inner:
        items = [item for item in inner if isinstance(item, dict)] or [payload]
    else:
        items = [payload]
    events = []
    for item in items:
        # A data-wrapped item whose own shape says nothing falls back to the whole envelope
        # (C7's `code`/`msg` sit beside `data`).
        kind = _choose(channel, classify_item(item), allowed)
        events.append(_build(kind, item, envelope, channel, query))
    return events


def _build(kind, item, envelope, channel, query):
    context = {**envelope, **item}
    my_account = as_str(
        first(context, "my_account", "myAccount", "form_account", "from_account", default="")
        or query.get("my_account", "")
    ).strip()
    common = {
        "my_account": my_account,
        "channel": channel,
        "query": query,
        "raw": item,
        "code": as_int(first(context, "code")),
        "msg": as_str(first(context, "msg", default="")),
        "extend": as_str(first(context, "extend", default="")).strip(),
    }
    builder = _BUILDERS.get(kind)
    if builder is None:
        return UnknownEvent(**common)
    return builder(context, common)


def _message(item, common):
    direction = as_int(item.get("type"))
    msgid = as_str(item.get("msgid")).strip() or None
    fields = {
        "my_name": as_str(item.get("my_name")),
        "counterpart": as_str(item.get("to_account")).strip(),
        "counterpart_name": as_str(item.get("to_name")),
        "content": as_str(item.get("content")),
        "content_type": as_int(item.get("content_type"), 1) or 1,
        "file_name": as_str(item.get("file_name")),
        "voice_len": max(as_int(item.get("voice_len"), 0) or 0, 0),
        "outgoing": direction == 1,
        "msgid": msgid,
        "sent_at": as_time(first(item, "send_time", "sendTime", "time")),
    }
    if item.get("g_number"):
        return GroupMessageEvent(
            **common,
            **fields,
            group=as_str(item.get("g_number")).strip(),
            group_name=as_str(item.get("g_name")),
            sender_alias=as_str(item.get("to_account_alias")),
            msg_source=as_str(item.get("msg_source")),
        )
    return MessageEvent(**common, **fields)


def _friend_added(item, common):
    inner = item.get("data") if isinstance(item.get("data"), dict) else {}
    return FriendAddedEvent(
        **common,
        username=as_str(first(inner, "account") or item.get("to_account") or item.get("account")).strip(),
        nickname=as_str(first(inner, "name", "nickname", default="")),
        sex=as_int(inner.get("sex"), 0) or 0,
        area=as_str(inner.get("area")),
        avatar_url=as_url(inner.get("thumb")),
        initiated_by_me=as_int(inner.get("type")) == 1,
        added_at=as_time(inner.get("time")),
        v1=as_str(inner.get("v1")),
    )


def _account_status(item, common):
    status_type = as_int(item.get("type"))
    return AccountStatusEvent(
        **{**common, "my_account": as_str(item.get("account")).strip() or common["my_account"]},
        online=status_type == 1,
        status_type=status_type,
        account=as_str(item.get("account")).strip(),
        account_alias=as_str(item.get("account_alias")).strip(),
        name=as_str(item.get("name")),
        task_id=as_int(item.get("task_id")),
        avatar_url=as_url(first(item, "thumb", "headimg", default="")),
    )


def _scan_confirmed(item, common):
    return ScanConfirmedEvent(
        **{**common, "my_account": as_str(item.get("account")).strip() or common["my_account"]},
        status=as_int(item.get("status")),
        account=as_str(item.get("account")).strip(),
        account_alias=as_str(item.get("account_alias")).strip(),
        name=as_str(item.get("name")),
        avatar_url=as_url(first(item, "headimg", "thumb", default="")),
        app_token=as_str(item.get("app_token")),
    )


def _qr_code(item, common):
    return QRCodeEvent(**common, url=as_url(item.get("url")), task_id=as_int(item.get("task_id")))


def _member_joined(item, common):
    return GroupMemberJoinedEvent(
        **common,
        group=as_str(item.get("g_number")).strip(),
        username=as_str(item.get("account")).strip(),
        name=as_str(item.get("name")),
    )


def _friend_request(item, common):
    return FriendRequestEvent(
        **common,
        username=as_str(item.get("account")).strip(),
        wxid=as_str(item.get("account_alias")).strip(),
        ticket=as_str(item.get("encodeUserName")),
        nickname=as_str(item.get("nickname")),
        sex=as_int(item.get("sex"), 0) or 0,
        country=as_str(item.get("country")),
        province=as_str(item.get("province")),
        city=as_str(item.get("city")),
        signature=as_str(item.get("sign")),
        avatar_url=as_url(first(item, "headHDImgUrl", "headImgUrl", default="")),
        greeting=as_str(item.get("check_msg")),
        source=as_str(item.get("source")),
        referrer_nickname=as_str(item.get("sourceNickname")),
        referrer_account=as_str(item.get("sourceAccount")),
        source_group=as_str(item.get("sourceGroupNumber")),
    )


def _friend_deleted(item, common):
    return FriendDeletedEvent(**common, username=as_str(first(item, "to_account", "account", default="")).strip())


def _contact_info(item, common):
    return ContactInfoEvent(
        **common,
        account=as_str(item.get("account")).strip(),
        account_alias=as_str(item.get("account_alias")).strip(),
        nickname=as_str(first(item, "nickName", "nickname", "name", default="")),
        sex=as_int(item.get("sex"), 0) or 0,
        area=as_str(item.get("area")),
        avatar_url=as_url(first(item, "header_url", "headimg", "thumb", default="")),
    )


def _labels(payload):
    records = []
    for item in _collection(payload) or []:
        label_id = as_int(item.get("lable_id", item.get("label_id")))
        if label_id is None:
            continue
        records.append(
            LabelRecord(
                label_id=label_id,
                name=as_str(first(item, "lable_name", "label_name", "name", default="")),
                account=as_str(item.get("account")).strip(),
            )
        )
    return tuple(records)


def _label_list(payload, common):
    return LabelListEvent(**common, labels=_labels(payload))


def _label_result(payload, common):
    return LabelResultEvent(**common, labels=_labels(payload))


def _labels_deleted(item, common):
    ids = [as_int(part) for part in as_csv(first(item, "lable_id", "label_id", "lable_ids", default=""))]
    return LabelsDeletedEvent(**common, label_ids=tuple(i for i in ids if i is not None))


def _zombie(item, common):
    flag = first(item, "is_zombie", "zombie")
    return ZombieResultEvent(
        **common,
        username=as_str(first(item, "account", "to_account", default="")).strip(),
        is_zombie=None if flag is None else bool(as_int(flag, 0)),
    )


def _friend_page(payload, common):
    friends = []
    for item in as_list(payload.get("info")) or as_list(payload.get("data")):
        if not isinstance(item, dict):
            continue
        username = as_str(item.get("account")).strip()
        if not username:
            continue
        label_ids = tuple(i for i in (as_int(part) for part in as_csv(item.get("tag"))) if i is not None)
        friends.append(
            FriendRecord(
                username=username,
                wxid=as_str(item.get("account_alias")).strip(),
                nickname=as_str(item.get("name")),
                sex=as_int(item.get("sex"), 0) or 0,
                area=as_str(item.get("area")),
                avatar_url=as_url(item.get("thumb")),
                description=as_str(item.get("description")),
                remark=as_str(item.get("form_name")),
                do_not_disturb=as_int(item.get("disturb")) in (1, 505),
                v1=as_str(item.get("v1")),
                label_ids=label_ids,
            )
        )
    return FriendPageEvent(
        **common,
        page=as_int(payload.get("currentPage"), 1) or 1,
        total=as_int(payload.get("total")),
        friends=tuple(friends),
    )


def _group_members(payload, common):
    members = []
    for item in _collection(payload) or []:
        username = as_str(first(item, "userName", "username", "account", default="")).strip()
        if username:
            members.append(
                MemberRecord(
                    username=username,
                    group=as_str(first(item, "number", "g_number", default="")).strip(),
                    nickname=as_str(item.get("nickName")),
                    display_name=as_str(item.get("displayName")),
                    avatar_url=as_url(first(item, "bigHeadImgUrl", "smallHeadImgUrl", default="")),
                )
            )
    group = as_str(first(payload, "number", "g_number", default="")).strip() or common["query"].get("group", "")
    if not group and members:
        group = members[0].group
    return GroupMembersEvent(**common, group=group, members=tuple(members))


def _group_qrcode(item, common):
    return GroupQRCodeEvent(
        **common,
        group=as_str(first(item, "group_number", "g_number", "number", default="")).strip()
        or common["query"].get("group", ""),
        qrcode=as_url(item.get("qrcode")),
        group_name=as_str(item.get("group_nickname")),
        avatar_url=as_url(item.get("headimg")),
        owner=as_str(item.get("owner")).strip(),
    )


def _group_created(item, common):
    return GroupCreatedEvent(
        **common,
        group=as_str(first(item, "account", "g_number", "number", default="")).strip(),
        name=as_str(first(item, "name", "group_name", default="")),
        avatar_url=as_url(item.get("headerImage")),
    )


def _post(item):
    media = item.get("mediaObject")
    urls = first(media, "imageURLStrings", default=None) if isinstance(media, dict) else None
    if urls is None:
        urls = item.get("imageURLStrings")
    if isinstance(urls, str):
        urls = [part for part in urls.replace("{#}", ",").split(",") if part.strip()]
    return MomentRecord(
        status_id=as_str(item.get("statusId")).strip(),
        author=as_str(item.get("userString")).strip(),
        author_name=as_str(item.get("nameString")),
        author_avatar_url=as_url(item.get("profileImageURLString")),
        text=as_str(item.get("contentstring")),
        media_type=as_int(item.get("mediaType"), 2) or 2,
        media_urls=tuple(as_url(url) for url in as_list(urls) if as_str(url).strip()),
        created_at=as_time(first(item, "createTime", "timeString")),
        raw=item,
    )


def _moments(payload, common):
    items = _collection(payload)
    if items is None:
        items = [payload] if any(key in payload for key in _POST_KEYS) else []
    posts = tuple(post for post in (_post(item) for item in items) if post.status_id)
    return MomentsEvent(**common, posts=posts)


def _moment_posted(item, common):
    return MomentPostedEvent(**common, status_id=as_str(first(item, "statusId", "status_id", default="")).strip())


def _friend_notice(item, common):
    return FriendNoticeEvent(**common, account=as_str(first(item, "account", "to_account", default="")).strip())


_BUILDERS = {
    "message": _message,
    "group_message": _message,
    "friend_added": _friend_added,
    "account_status": _account_status,
    "scan_confirmed": _scan_confirmed,
    "qr_code": _qr_code,
    "group_member_joined": _member_joined,
    "friend_request": _friend_request,
    "friend_deleted": _friend_deleted,
    "contact_info": _contact_info,
    "label_list": _label_list,
    "label_result": _label_result,
    "labels_deleted": _labels_deleted,
    "zombie_result": _zombie,
    "friend_page": _friend_page,
    "group_members": _group_members,
    "group_qrcode": _group_qrcode,
    "group_created": _group_created,
    "moments": _moments,
    "moment_posted": _moment_posted,
    "friend_notice": _friend_notice,
}
