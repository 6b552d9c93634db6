"""Typed results of provider calls, and the coercions the provider's loose typing needs.

The provider sends numbers as numbers or as numeric strings (§1.7 of the reference),
escapes slashes in URLs (E-58) and nests some lists as JSON text (E-34). Every result
keeps the decoded answer in `raw` for the record.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# --- Coercions ------------------------------------------------------------------------


def to_int(value: Any, default: int | None = None) -> int | None:
    """An int from an int, a numeric string ("1", " 2 ", "3.0") or a bool; `default` otherwise."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else default
    if isinstance(value, (str, bytes)):
        text = value.decode() if isinstance(value, bytes) else value
        text = text.strip()
        if not text:
            return default
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return default
            return int(number) if number.is_integer() else default
    return default


def to_str(value: Any) -> str:
    """A string for a text field: None becomes "", numbers become their decimal text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")


def unescape_url(value: Any) -> str:
    """A URL with `\\/` escapes (E-58) and HTML entities such as `&amp;` (E-25) undone.

    Only entities ending in `;` are decoded, so a query string like `?a=1&copy=2` survives.
    """
    text = to_str(value).strip()
    while "\\/" in text:
        text = text.replace("\\/", "/")
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def parse_json_text(value: Any) -> Any:
    """`value` decoded when it is JSON text for an object or a list, otherwise `value` unchanged."""
    if isinstance(value, (str, bytes)):
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        stripped = text.strip()
        if stripped[:1] in ("{", "["):
            try:
                return json.loads(stripped)
            except ValueError:
                return value
    return value


def disturb_muted(value: Any) -> bool | None:
    """Do-not-disturb flag (§4): {1, 505} muted, {2, 3} not muted, anything else unknown."""
    number = to_int(value)
    if number in (1, 505):
        return True
    if number in (2, 3):
        return False
    return None


def payload_of(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The object a sync answer describes: its `data` object if it has one, else the answer itself.

    A `data` list holding one object counts as that object (the seed calls flat objects
    "one-dimensional arrays").
    """
    data = parse_json_text(answer.get("data"))
    if isinstance(data, Mapping):
        return dict(data)
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], Mapping):
        return dict(data[0])
    return dict(answer)


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    value = parse_json_text(value)
    if isinstance(value, Mapping):
        return [dict(value)]
    if isinstance(value, list):
        return [dict(item) for item in value if isinstance(item, Mapping)]
    return []


# --- Results --------------------------------------------------------------------------


@dataclass(frozen=True)
class Ack:
    """A plain acknowledgement (`code`/`msg`); for asynchronous calls it only means "accepted"."""

    code: int
    msg: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any]) -> Ack:
        return cls(code=to_int(answer.get("code"), 0) or 0, msg=to_str(answer.get("msg")), raw=dict(answer))


@dataclass(frozen=True)
class ScanTask:
    """The answer to scanNew: the task id that comes back with the QR code and the login."""

    task_id: int | None
    msg: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any]) -> ScanTask:
        task_id = to_int(answer.get("task_id"))
        if task_id is None:
            task_id = to_int(payload_of(answer).get("task_id"))
        return cls(task_id=task_id, msg=to_str(answer.get("msg")), raw=dict(answer))


@dataclass(frozen=True)
class AccountProfile:
    """wxInfo: the logged-in account's profile (fields in `data` or top level, E-35)."""

    account: str
    wxid: str
    name: str
    sex: int
    area: str
    signature: str
    thumb: str
    is_online: bool | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any]) -> AccountProfile:
        data = payload_of(answer)
        signature = data.get("decription")
        if signature in (None, ""):
            signature = data.get("description")
        online = to_int(data.get("is_online"))
        return cls(
            account=to_str(data.get("account")),
            wxid=to_str(data.get("account_alias")),
            name=to_str(data.get("name")),
            sex=to_int(data.get("sex"), 0) or 0,
            area=to_str(data.get("area")),
            signature=to_str(signature),
            thumb=unescape_url(data.get("thumb")),
            is_online=None if online is None else online == 1,
            raw=dict(answer),
        )


@dataclass(frozen=True)
class FriendRequestRecord:
    """One incoming friend request from newFriendList."""

    id: int | None
    my_account: str
    account: str
    nickname: str
    sign: str
    avatar: str
    status: int | None
    start_time: int | None
    check_msg: str
    source: str
    source_nickname: str
    source_account: str
    source_group: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_raw(cls, item: Mapping[str, Any]) -> FriendRequestRecord:
        return cls(
            id=to_int(item.get("id")),
            my_account=to_str(item.get("my_account")),
            account=to_str(item.get("account")),
            nickname=to_str(item.get("nickname")),
            sign=to_str(item.get("sign")),
            avatar=unescape_url(item.get("headHDImgUrl") or item.get("headImgUrl")),
            status=to_int(item.get("status")),
            start_time=to_int(item.get("start_time")),
            check_msg=to_str(item.get("check_msg")),
            source=to_str(item.get("source")),
            source_nickname=to_str(item.get("sourceNickname")),
            source_account=to_str(item.get("sourceAccount")),
            source_group=to_str(item.get("sourceGroupNumber")),
            raw=dict(item),
        )


@dataclass(frozen=True)
class GroupMemberInfo:
    """One group member (getAllMembers `info` element, C13; also getGroupInfo `data.data`)."""

    wxid: str
    nickname: str
    display_name: str
    avatar: str
    group: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_raw(cls, item: Mapping[str, Any]) -> GroupMemberInfo:
        return cls(
            wxid=to_str(item.get("userName") or item.get("account")),
            nickname=to_str(item.get("nickName") or item.get("name")),
            display_name=to_str(item.get("displayName")),
            avatar=unescape_url(item.get("bigHeadImgUrl") or item.get("thumb")),
            group=to_str(item.get("number")),
            raw=dict(item),
        )


def parse_members(value: Any) -> tuple[GroupMemberInfo, ...]:
    """Members from a list, or from JSON text holding a list (E-34); anything else gives none."""
    value = parse_json_text(value)
    if isinstance(value, Mapping):
        value = parse_json_text(value.get("info", value.get("data")))
    if not isinstance(value, list):
        return ()
    return tuple(GroupMemberInfo.from_raw(item) for item in value if isinstance(item, Mapping))


@dataclass(frozen=True)
class GroupSummary:
    """One group from groupList."""

    group: str
    name: str
    thumb: str
    disturb: int | None
    owner: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def muted(self) -> bool | None:
        return disturb_muted(self.disturb)

    @classmethod
    def from_raw(cls, item: Mapping[str, Any]) -> GroupSummary:
        return cls(
            group=to_str(item.get("number")),
            name=to_str(item.get("name")),
            thumb=unescape_url(item.get("thumb")),
            disturb=to_int(item.get("disturb")),
            owner=to_str(item.get("author")),
            raw=dict(item),
        )


@dataclass(frozen=True)
class GroupInfo:
    """getGroupInfo: a group's details, with its members parsed from `data.data` (E-34)."""

    group: str
    name: str
    thumb: str
    disturb: int | None
    owner: str
    members: tuple[GroupMemberInfo, ...]
    members_raw: Any = field(default=None, repr=False, compare=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def muted(self) -> bool | None:
        return disturb_muted(self.disturb)

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any]) -> GroupInfo:
        nested = isinstance(parse_json_text(answer.get("data")), (Mapping, list))
        data = payload_of(answer)
        # Members sit in the inner `data` of the group object; a flat answer has none we can name.
        members_raw = data.get("data") if nested else None
        return cls(
            group=to_str(data.get("number")),
            name=to_str(data.get("name")),
            thumb=unescape_url(data.get("thumb")),
            disturb=to_int(data.get("disturb")),
            owner=to_str(data.get("author")),
            members=parse_members(members_raw),
            members_raw=members_raw,
            raw=dict(answer),
        )


@dataclass(frozen=True)
class GroupQRCode:
    """A group's QR code (qrcode sync `data` or its callback, C14)."""

    qrcode: str
    group_nickname: str
    group: str
    headimg: str
    owner: str
    type: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_raw(cls, data: Mapping[str, Any], raw: Mapping[str, Any] | None = None) -> GroupQRCode:
        qrcode = to_str(data.get("qrcode")).strip()
        if not qrcode.startswith("data:"):
            qrcode = unescape_url(qrcode)
        return cls(
            qrcode=qrcode,
            group_nickname=to_str(data.get("group_nickname")),
            group=to_str(data.get("group_number")),
            headimg=unescape_url(data.get("headimg")),
            owner=to_str(data.get("owner")),
            type=to_str(data.get("type")),
            raw=dict(raw if raw is not None else data),
        )


__all__ = [
    "AccountProfile",
    "Ack",
    "FriendRequestRecord",
    "GroupInfo",
    "GroupMemberInfo",
    "GroupQRCode",
    "GroupSummary",
    "ScanTask",
    "disturb_muted",
    "parse_json_text",
    "parse_members",
    "payload_of",
    "to_int",
    "to_str",
    "unescape_url",
]
