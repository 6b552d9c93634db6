"""What a message shows, and its one-line summary: WeChat content as real accounts send it.

`display(message)` turns a stored message into a `Display`: the template branch to use and
the fields a person reads off it (a file's name and size, a quote and what it quotes, a
pat with names filled in). `summary(message)` is the one-line form the inbox list and
search results show ("[文件] 报价单.pdf"). Neither ever returns markup: XML is parsed by
`chats.wxml` (defusedxml), CDATA markup is stripped to text, and whatever cannot be parsed
becomes the "unparsed" display, which shows a readable fallback and never the source.

The kind is decided by what the XML is (`<img>`, `<appmsg><type>57`, `<sysmsg type="pat">`),
not by the provider's `content_type`, which is only a hint: real providers send quotes,
chat histories, Channels posts and music as "link" (8), and some system notices as text.
"""

import logging
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote, urlsplit

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import wxml
from .models import ContentType

# The label of each summary kind: "[图片]", "[文件] 报价单.pdf". Kinds without one ("" for
# text and system lines) show their text alone.
LABELS = {
    "image": pgettext_lazy("message kind", "Image"),
    "sticker": pgettext_lazy("message kind", "Sticker"),
    "voice": pgettext_lazy("message kind", "Voice"),
    "video": pgettext_lazy("message kind", "Video"),
    "file": pgettext_lazy("message kind", "File"),
    "card": pgettext_lazy("message kind", "Contact card"),
    "official": pgettext_lazy("message kind", "Official account card"),
    "link": pgettext_lazy("message kind", "Link"),
    "invite": pgettext_lazy("message kind", "Group invitation"),
    "music": pgettext_lazy("message kind", "Music"),
    "app": pgettext_lazy("message kind", "Mini program"),
    "quote": pgettext_lazy("message kind", "Quote"),
    "history": pgettext_lazy("message kind", "Chat history"),
    "channels": pgettext_lazy("message kind", "Channels"),
    "live": pgettext_lazy("message kind", "Channels live"),
    "location": pgettext_lazy("message kind", "Location"),
    "red_packet": pgettext_lazy("message kind", "Red packet"),
    "transfer": pgettext_lazy("message kind", "Transfer"),
    "notice": pgettext_lazy("message kind", "Group announcement"),
    "solitaire": pgettext_lazy("message kind", "Group solitaire"),
    "call": pgettext_lazy("message kind", "Voice or video call"),
    "message": pgettext_lazy("message kind", "Message"),
    "system": pgettext_lazy("message kind", "System message"),
    "unparsed": pgettext_lazy("message kind", "Unreadable message"),
}

logger = logging.getLogger(__name__)

# Media whose file stays on the phone (real messages carry CDN ids, no URL): what to do instead.
ON_PHONE = {
    "image": _("View the full image on the phone."),
    "sticker": _("Shown on the phone."),
    "voice": _("Listen on the phone."),
    "video": _("Play it on the phone."),
}

PREVIEW_CHARS = 80
QUOTE_CHARS = 60
HISTORY_LINES = 4
MMREADER_ITEMS = 4


def safe_url(value):
    """The URL if it is http(s), else '' (no javascript:, data:, relative tricks)."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(c in value for c in "\r\n\t "):
        return value
    return ""


def one_line(value, limit=PREVIEW_CHARS):
    text = " ".join((value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Display:
    kind: str  # the template branch (see chats/_message.html)
    text: str = ""
    url: str = ""
    fields: dict = field(default_factory=dict)
    label: str = ""  # the summary kind (a LABELS key), "" for text and system lines
    summary_text: str = ""
    revoke_ids: tuple = ()  # for a revoke: the ids of the message it takes back

    @property
    def label_text(self):
        return LABELS.get(self.label, "")

    @property
    def media_len(self):
        """A video's "0:33" or a voice message's "9″" ("" when unknown)."""
        seconds = self.fields.get("seconds") if self.kind == "voice" else 0
        return self.fields.get("duration") or (f"{seconds}″" if seconds else "")

    @property
    def on_phone(self):
        """For media without a URL: where to see it ("" when it can be shown here)."""
        return "" if self.url else ON_PHONE.get(self.kind, "")

    def summary(self):
        """(label kind, text) for the one-line forms."""
        return self.label, one_line(self.summary_text or self.text)


# --- names in pats and group notices ------------------------------------------------------------


class Names:
    """Who a wxid in a template is: the message's own sender first, then friends and group members.

    Nothing is read from the database until a message names someone by id (pats, join and
    kick notices without nicknames), and then once per id.
    """

    def __init__(self, message=None):
        self.message = message
        self.cache = {}

    @cached_property
    def account(self):
        return self._related("account")

    @cached_property
    def conversation(self):
        return self._related("conversation")

    def _related(self, name):
        """The message's account or conversation: the one set on it (even unsaved), else read once."""
        if self.message is None:
            return None
        try:
            return getattr(self.message, name)
        except ObjectDoesNotExist:
            return None

    @property
    def peer(self):
        return self.conversation.peer if self.conversation is not None else ""

    @property
    def is_group(self):
        return bool(self.conversation is not None and self.conversation.is_group)

    @cached_property
    def own_ids(self):
        account = self.account
        return {x for x in (account.account, account.wxid) if x} if account is not None else set()

    def known_ids(self):
        """Ids a "id:\\n" prefix before plain text may carry: the sender, the chat, this account."""
        return _Known(self)

    def __call__(self, ident, *, actor=False):
        """The name to show for `ident`; `actor` marks the one who did it (a pat's patter)."""
        ident = (ident or "").strip()
        if not ident:
            return ""
        key = (ident, actor)
        if key not in self.cache:
            self.cache[key] = self._lookup(ident, actor=actor)
        return self.cache[key]

    def _lookup(self, ident, *, actor):
        message = self.message
        if message is None:
            return ident
        if ident == message.sender and message.sender_name:
            return message.sender_name
        if ident in self.own_ids:
            return self.account.nickname or ident
        # One to one, the other party is whoever is not this account.
        if actor and not message.is_outgoing and not self.is_group and message.sender_name:
            return message.sender_name
        return self._from_contacts(ident) or ident

    def _from_contacts(self, ident):
        if self.account is None or self.account.pk is None:
            return ""
        from django.db.models import Q

        from contacts.models import Friend

        friend = (
            Friend.objects.filter(account=self.account)
            .filter(Q(username=ident) | Q(wxid=ident))
            .values_list("remark", "nickname")
            .first()
        )
        if friend and (friend[0] or friend[1]):
            return friend[0] or friend[1]
        if self.is_group:
            from groups.models import GroupMember

            member = (
                GroupMember.objects.filter(group__account=self.account, group__number=self.peer, username=ident)
                .values_list("display_name", "nickname")
                .first()
            )
            if member and (member[0] or member[1]):
                return member[0] or member[1]
        return ""


class _Known:
    """A set of ids that reads the account only when a prefix has to be checked."""

    def __init__(self, names):
        self.names = names

    def __contains__(self, ident):
        message = self.names.message
        if message is not None and ident in (message.sender, self.names.peer):
            return True
        return ident in self.names.own_ids


# --- the parts of a message ---------------------------------------------------------------------

_PLACEHOLDER_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\$")
_PLACEHOLDER_BRACE = re.compile(r"\$\{([^}]{1,128})\}")
_INVITE_ZH = re.compile(r"邀请你加入(?:了)?群聊\s*[“\"「]?(.+?)[”\"」]?\s*[，,]\s*进入可查看详情")
_INVITE_EN = re.compile(r"join the group chat\s*[“\"]?(.+?)[”\"]?\s*\.\s*Enter", re.IGNORECASE)
# Native WeChat message types, as a quote's <refermsg><type> gives them: the content type its
# content is read as, and the summary kind when there is no content to read.
_NATIVE = {
    1: (ContentType.TEXT, ""),
    3: (ContentType.IMAGE, "image"),
    34: (ContentType.VOICE, "voice"),
    42: (ContentType.CONTACT_CARD, "card"),
    43: (ContentType.VIDEO, "video"),
    47: (ContentType.EMOJI, "sticker"),
    48: (ContentType.LOCATION, "location"),
    49: (ContentType.LINK, "message"),
    62: (ContentType.VIDEO, "video"),
    10000: (ContentType.SYSTEM, "message"),
    10002: (ContentType.SYSTEM, "message"),
}
# Items of a forwarded chat history (<recorditem><datalist><dataitem datatype=…>).
_RECORD_KINDS = {2: "image", 3: "voice", 4: "video", 5: "link", 6: "location", 8: "file", 17: "history", 19: "app"}


def duration(seconds):
    """ "0:03", "12:40" for a video or a Channels clip."""
    seconds = max(int(seconds), 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _unparsed(label="unparsed"):
    """What cannot be read: the template shows a fallback (and, to staff, the source on demand)."""
    return Display("unparsed", label=label)


def _fill_dollar(template, values):
    return _PLACEHOLDER_DOLLAR.sub(lambda m: values.get(m.group(1), ""), template)


def _link_values(node, names):
    """$name$ → text for each <link> of a sysmsgtemplate (members' nicknames, plain text, hidden)."""
    values = {}
    for link in node.iter("link"):
        name = link.get("name") or ""
        if not name:
            continue
        if link.get("hidden") == "1":
            values[name] = ""
            continue
        members = []
        for member in link.iter("member"):
            nick = wxml.text(member, "nickname", "displayname")
            members.append(nick or names(wxml.text(member, "username")))
        if members:
            separator = wxml.text(link, "separator") or "、"
            values[name] = separator.join(m for m in members if m)
        else:
            values[name] = wxml.plain(wxml.text(link, "plain", "title", "text"))
    return values


def _system(root, names):
    """A <sysmsg> (or bare <revokemsg>): the line WeChat shows, with placeholders filled."""
    kind = (root.get("type") or "").strip()
    if root.tag == "revokemsg":
        return Display("system", text=wxml.plain(root.text or "") or str(_("A message was recalled")))
    if kind == "revokemsg":
        node = root.find("revokemsg")
        text = wxml.plain(wxml.text(node, "replacemsg", "content")) or str(_("A message was recalled"))
        ids = tuple(x for x in (wxml.text(node, "newmsgid"), wxml.text(node, "msgid")) if x)
        return Display("system", text=text, revoke_ids=ids)
    if kind == "pat":
        pat = root.find("pat")
        template = wxml.text(pat, "template")
        actor = wxml.text(pat, "fromusername")
        if template:
            text = _PLACEHOLDER_BRACE.sub(lambda m: names(m.group(1), actor=m.group(1) == actor), template)
        else:
            text = str(_("%(who)s patted %(whom)s")) % {
                "who": names(actor, actor=True),
                "whom": names(wxml.text(pat, "pattedusername")),
            }
        return Display("system", text=wxml.plain(text) + wxml.plain(wxml.text(pat, "patsuffix")))
    if kind == "sysmsgtemplate":
        node = root.find(".//content_template")
        template = wxml.text(node, "template")
        if template:
            text = _fill_dollar(template, _link_values(node, names))
        else:
            text = wxml.text(node, "plain")
        return Display("system", text=wxml.plain(text) or str(_("System message")))
    if kind == "mmchatroombarannouncememt":
        text = wxml.plain(wxml.text(root, ".//content"))
        return Display("notice", text=text, label="notice")
    if kind in ("ilinkvoip", "voipmt", "multivoip"):
        return Display("system", text=str(LABELS["call"]))
    text = ""
    for path in (".//replacemsg", ".//plain", ".//text", ".//content", ".//title", ".//template", ".//wording"):
        candidate = wxml.text(root, path)
        if candidate and not wxml.looks_like_xml(candidate):
            text = wxml.plain(candidate)
            if text:
                break
    if text:
        return Display("system", text=_PLACEHOLDER_DOLLAR.sub("", text))
    return Display("system", text=str(LABELS["system"]))


def _image(root, message, kind):
    img = root.find(".//img") if kind == "image" else root.find(".//emoji")
    if kind == "sticker":
        url = safe_url(wxml.attr(img, "cdnurl")) or safe_url(wxml.attr(img, "thumburl"))
        return Display("sticker", url=url, label="sticker")
    url = safe_url(wxml.attr(img, "cdnbigimgurl", "cdnmidimgurl", "cdnthumburl"))
    return Display(
        "image",
        url=url,
        label="image",
        fields={
            "size": wxml.integer(wxml.attr(img, "hdlength", "length")),
            "width": wxml.integer(wxml.attr(img, "cdnhdwidth", "cdnmidwidth", "cdnthumbwidth")),
            "height": wxml.integer(wxml.attr(img, "cdnhdheight", "cdnmidheight", "cdnthumbheight")),
        },
    )


def _voice_seconds(message, node):
    if message.voice_len:
        return message.voice_len
    ms = wxml.integer(wxml.attr(node, "voicelength"))
    return max(1, math.floor(ms / 1000 + 0.5)) if ms else 0


def _voice(root, message):
    node = root.find(".//voicemsg")
    seconds = _voice_seconds(message, node)
    return Display("voice", label="voice", fields={"seconds": seconds}, summary_text=f"{seconds}″" if seconds else "")


def _video(root, message):
    node = root.find(".//videomsg")
    seconds = wxml.integer(wxml.attr(node, "playlength"))
    return Display(
        "video",
        label="video",
        summary_text=duration(seconds) if seconds else "",
        fields={
            "seconds": seconds,
            "duration": duration(seconds) if seconds else "",
            "size": wxml.integer(wxml.attr(node, "length")),
            "width": wxml.integer(wxml.attr(node, "cdnthumbwidth")),
            "height": wxml.integer(wxml.attr(node, "cdnthumbheight")),
        },
    )


def _location(root):
    loc = root.find(".//location")
    poiname, label = wxml.attr(loc, "poiname"), wxml.attr(loc, "label")
    x, y = wxml.attr(loc, "x"), wxml.attr(loc, "y")
    map_url = ""
    try:
        lat, lng = float(x), float(y)
    except ValueError:
        lat = lng = math.nan
    if -90 <= lat <= 90 and -180 <= lng <= 180:
        title = quote(poiname or label or "")
        map_url = f"https://apis.map.qq.com/uri/v1/marker?marker=coord:{lat},{lng};title:{title}&referer=wxconsole"
    return Display(
        "location",
        label="location",
        summary_text=poiname or label,
        url=map_url,
        fields={"poiname": poiname, "label": label, "x": x, "y": y},
    )


def _card(root, message):
    node = root if root.tag == "msg" else root.find(".//msg")
    node = node if node is not None else root
    username = node.get("username", "")
    official = message.content_type == ContentType.OFFICIAL_CARD or node.get("certflag", "0") not in ("", "0")
    official = official or username.startswith("gh_")
    # Strangers' cards carry an encrypted ticket (v1_…/v3_…@stranger), not an id anyone can use.
    shown_id = node.get("alias", "") or ("" if "@stranger" in username else username)
    nickname = node.get("nickname", "") or shown_id
    area = " ".join(dict.fromkeys(x for x in (node.get("province", ""), node.get("city", "")) if x))
    return Display(
        "card",
        label="official" if official else "card",
        summary_text=nickname,
        fields={
            "nickname": nickname,
            "username": shown_id,
            "avatar": safe_url(node.get("smallheadimgurl") or node.get("bigheadimgurl")),
            "official": official,
            "area": area,
            "sign": node.get("sign", ""),
        },
    )


def _money(appmsg, kind):
    pay = appmsg.find(".//wcpayinfo")
    title = wxml.text(appmsg, "title")
    if kind == "transfer":
        amount = wxml.text(pay, "feedesc")
        status = {1: _("Waiting to be received"), 3: _("Received"), 4: _("Returned")}.get(
            wxml.integer(wxml.text(pay, "paysubtype")), ""
        )
        memo = wxml.text(pay, "pay_memo")
        return Display(
            "money",
            label="transfer",
            summary_text=amount,
            fields={"kind": "transfer", "title": title, "amount": amount, "memo": memo, "status": status},
        )
    memo = wxml.text(pay, "receivertitle", "sendertitle") or wxml.text(appmsg, "des")
    return Display(
        "money",
        label="red_packet",
        summary_text=memo,
        fields={"kind": "red_packet", "title": title or str(LABELS["red_packet"]), "memo": memo},
    )


def _quoted(refer, names, depth):
    """(who, summary label, summary text, their message id) of a quote's <refermsg>."""
    who = wxml.text(refer, "displayname") or names(wxml.text(refer, "chatusr", "fromusr"))
    native = wxml.integer(wxml.text(refer, "type"))
    content = (refer.findtext("content") or "") if refer is not None else ""
    sender = wxml.text(refer, "chatusr")
    hint, kind = _NATIVE.get(native, (ContentType.LINK, "message"))
    text = ""
    inner = wxml.parse_nested(content, depth + 1)
    if inner is not None:
        kind, text = _from_root(inner, _Stub(hint), names, depth + 1).summary()
    elif native == 1 or (native == 0 and content.strip()):
        kind, text = "", one_line(wxml.split_prefix(content, {sender})[1], QUOTE_CHARS)
    return {
        "who": who,
        "label": kind,
        "label_text": LABELS.get(kind, ""),
        "text": text,
        "msgid": wxml.text(refer, "svrid"),
    }


def _history(appmsg, depth):
    title = wxml.text(appmsg, "title") or str(LABELS["history"])
    lines, count = [], 0
    record = wxml.parse_nested(appmsg.findtext("recorditem") or "", depth + 1)
    if record is not None:
        items = record.findall(".//datalist/dataitem")
        datalist = record.find(".//datalist")
        count = (wxml.integer(datalist.get("count")) if datalist is not None else 0) or len(items)
        for item in items[:HISTORY_LINES]:
            kind = _RECORD_KINDS.get(wxml.integer(item.get("datatype")), "")
            body = wxml.text(item, "datadesc", "datatitle") if not kind or kind in ("link", "file") else ""
            lines.append(
                {
                    "who": wxml.text(item, "sourcename"),
                    "label_text": LABELS.get(kind, "") if kind else "",
                    "text": one_line(body, QUOTE_CHARS),
                }
            )
    if not lines:
        for line in (wxml.text(appmsg, "des") or "").splitlines()[:HISTORY_LINES]:
            who, sep, said = line.partition(": ")
            lines.append(
                {"who": who if sep else "", "label_text": "", "text": one_line(said if sep else line, QUOTE_CHARS)}
            )
    return Display(
        "history", label="history", summary_text=title, fields={"title": title, "lines": lines, "count": count}
    )


def _channels(appmsg):
    feed = appmsg.find(".//finderFeed")
    live = appmsg.find(".//finderLive")
    card = appmsg.find(".//finderShareNameCard")
    node = next((n for n in (feed, live, card) if n is not None), None)
    author = wxml.text(node, "nickname", "bizNickname")
    describe = wxml.plain(wxml.text(node, "desc", "description"))
    media = node.find(".//media") if node is not None else None
    cover = safe_url(wxml.text(media, "thumbUrl", "coverUrl", "fullCoverUrl")) or safe_url(
        wxml.text(node, "coverUrl", "headUrl")
    )
    is_live = node is live and live is not None
    return Display(
        "channels",
        label="live" if is_live else "channels",
        summary_text=f"{author}: {describe}" if author and describe else author or describe,
        fields={
            "author": author,
            "describe": describe,
            "avatar": safe_url(wxml.text(node, "avatar", "headUrl")),
            "cover": cover,
            "video": wxml.integer(wxml.text(media, "mediaType")) == 4,
            "live": is_live,
        },
    )


def _link(appmsg, root, kind_hint):
    title = wxml.plain(wxml.text(appmsg, "title"))
    describe = wxml.plain(wxml.text(appmsg, "des", "description"))
    url = safe_url(wxml.text(appmsg, "url")) or safe_url(wxml.text(appmsg, "lowurl"))
    source = wxml.text(appmsg, "sourcedisplayname") or wxml.text(root, ".//appinfo/appname")
    fields = {"title": title, "describe": describe, "thumb": safe_url(wxml.text(appmsg, "thumburl")), "source": source}
    label = kind_hint
    summary_text = title
    if "addchatroombyinvite" in url:
        label = "invite"
        match = _INVITE_ZH.search(describe) or _INVITE_EN.search(describe)
        fields["group"] = match.group(1).strip() if match else ""
        summary_text = fields["group"] or title
    items = appmsg.findall(".//mmreader/category/item")
    if len(items) > 1:
        fields["more"] = [wxml.plain(wxml.text(item, "title")) for item in items[1:MMREADER_ITEMS]]
    return Display("link", url=url, label=label, summary_text=summary_text, fields=fields)


def _file(appmsg, message):
    attach = appmsg.find("appattach")
    name = wxml.plain(wxml.text(appmsg, "title")) or message.file_name
    ext = wxml.text(attach, "fileext")
    uploading = wxml.text(appmsg, "type") == "74"
    return Display(
        "file",
        label="file",
        summary_text=name,
        fields={"name": name, "size": wxml.integer(wxml.text(attach, "totallen")), "ext": ext, "uploading": uploading},
    )


def _app(appmsg):
    weapp = appmsg.find(".//weappinfo")
    title = wxml.plain(wxml.text(appmsg, "title"))
    return Display(
        "app",
        label="app",
        summary_text=title,
        fields={
            "title": title,
            "describe": wxml.plain(wxml.text(appmsg, "des")),
            "app_name": wxml.text(appmsg, "sourcedisplayname"),
            "app_id": wxml.text(weapp, "username"),
            "page_path": wxml.text(weapp, "pagepath"),
            "thumb": safe_url(wxml.text(weapp, "weappiconurl")),
        },
    )


def _appmsg(appmsg, root, message, names, depth):
    kind = wxml.integer(wxml.text(appmsg, "type"))
    if kind == 0:
        kind = {
            ContentType.FILE: 6,
            ContentType.MINI_PROGRAM: 33,
            ContentType.RED_PACKET: 2001,
            ContentType.TRANSFER: 2000,
        }.get(message.content_type, 5)
    if kind in (6, 74):
        return _file(appmsg, message)
    if kind in (33, 36):
        return _app(appmsg)
    if kind == 57:
        refer = appmsg.find("refermsg")
        reply = wxml.plain(wxml.text(appmsg, "title"))
        return Display(
            "quote",
            text=reply,
            label="quote",
            summary_text=reply,
            fields={"quoted": _quoted(refer, names, depth) if refer is not None else None},
        )
    if kind in (19, 40):
        return _history(appmsg, depth)
    if kind in (50, 51, 63) or appmsg.find(".//finderFeed") is not None:
        return _channels(appmsg)
    if kind == 2000:
        return _money(appmsg, "transfer")
    if kind in (2001, 2002, 2003):
        return _money(appmsg, "red_packet")
    if kind == 62:
        return Display("system", text=_PLACEHOLDER_BRACE.sub(lambda m: names(m.group(1)), wxml.text(appmsg, "title")))
    if kind == 87:
        text = wxml.plain(wxml.text(appmsg, "textannouncement", "des")) or wxml.plain(wxml.text(appmsg, "title"))
        return Display("notice", text=text, label="notice")
    if kind == 8:
        return Display("sticker", label="sticker")
    if kind == 1:
        text = wxml.plain(wxml.text(appmsg, "title", "des"))
        return Display("text", text=text)
    hint = {3: "music", 76: "music", 53: "solitaire"}.get(kind, "link" if kind in (4, 5) else "message")
    shown = _link(appmsg, root, hint)
    if not (shown.fields["title"] or shown.fields["describe"] or shown.url):
        return _unparsed("message")
    return shown


class _Stub:
    """Enough of a message to render nested content (a quoted appmsg)."""

    def __init__(self, content_type):
        self.content_type = content_type
        self.voice_len = 0
        self.file_name = ""


def _from_root(root, message, names, depth=0):
    tag = root.tag
    if tag == "sysmsg" or tag == "revokemsg":
        return _system(root, names)
    if tag == "appmsg":
        return _appmsg(root, root, message, names, depth)
    if tag in ("voipmsg", "voipinvitemsg"):
        return Display("system", text=str(LABELS["call"]))
    if tag != "msg":
        return _unparsed()
    appmsg = root.find("appmsg")
    if appmsg is not None:
        return _appmsg(appmsg, root, message, names, depth)
    if root.find(".//img") is not None:
        return _image(root, message, "image")
    if root.find(".//emoji") is not None:
        return _image(root, message, "sticker")
    if root.find(".//voicemsg") is not None:
        return _voice(root, message)
    if root.find(".//videomsg") is not None:
        return _video(root, message)
    if root.find(".//location") is not None:
        return _location(root)
    if root.get("username") or root.get("nickname"):
        return _card(root, message)
    if message.content_type in (ContentType.CONTACT_CARD, ContentType.OFFICIAL_CARD):
        return _card(root, message)
    return _unparsed()


def _outgoing(message, data):
    ct = message.content_type
    if ct == ContentType.CONTACT_CARD:
        name = data.get("card_name", "")
        return Display("card", label="card", summary_text=name, fields={"username": name, "nickname": name})
    if ct == ContentType.LINK:
        return Display(
            "link",
            url=safe_url(data.get("url")),
            label="link",
            summary_text=data.get("title", ""),
            fields={
                "title": data.get("title", ""),
                "describe": data.get("describe", ""),
                "thumb": safe_url(data.get("thumb")),
            },
        )
    if ct == ContentType.MINI_PROGRAM:
        return Display(
            "app",
            label="app",
            summary_text=data.get("title", ""),
            fields={
                "title": data.get("title", ""),
                "describe": data.get("describe", ""),
                "app_name": data.get("app_name", ""),
                "page_path": data.get("page_path", ""),
                "thumb": safe_url(data.get("thumb_url")),
            },
        )
    return None


_MEDIA = {
    ContentType.IMAGE: ("image", "image"),
    ContentType.GIF: ("image", "image"),
    ContentType.EMOJI: ("sticker", "sticker"),
    ContentType.VOICE: ("voice", "voice"),
    ContentType.VIDEO: ("video", "video"),
    ContentType.FILE: ("file", "file"),
}


def _media_url(message):
    """Media sent as a URL (the seed's form) or uploaded by an operator."""
    if message.attachment_id and message.is_outgoing:
        return message.attachment.get_absolute_url()
    return safe_url(message.content)


def _plain_media(message, url=""):
    """Media given as a URL (the seed's form, or an operator's upload), or with no content to read."""
    branch, label = _MEDIA[message.content_type]
    fields = {"name": message.file_name, "seconds": message.voice_len}
    if not url:
        return Display(branch, label=label, fields=fields)
    name = message.file_name or url.rsplit("/", 1)[-1].split("?")[0]
    seconds = message.voice_len if branch == "voice" else 0
    summary_text = name if branch == "file" else f"{seconds}″" if seconds else ""
    fields["name"] = name
    return Display(branch, url=url, text=name, label=label, summary_text=summary_text, fields=fields)


def build(message, names=None):
    """The Display of one message (see the module docstring)."""
    names = names or Names(message)
    ct = message.content_type
    data = message.data or {}
    if message.is_outgoing and data:
        shown = _outgoing(message, data)
        if shown is not None:
            return shown
    content = (message.content or "").lstrip("\ufeff")

    def as_text():
        return Display("text", text=wxml.split_prefix(content, names.known_ids())[1])

    if ct in _MEDIA:
        url = _media_url(message)
        if url:
            return _plain_media(message, url)
    if not wxml.looks_like_xml(content):
        # Something before the XML that is not a sender line: read the XML after it, if any.
        start = wxml.xml_start(content) if ct != ContentType.TEXT else -1
        if start > 0:
            root = wxml.parse(content[start:])
            return _unparsed() if root is None else _from_root(root, message, names)
        text = as_text()
        if ct in (ContentType.SYSTEM, ContentType.RED_PACKET, ContentType.TRANSFER):
            return Display("system", text=wxml.plain(text.text))
        url = safe_url(text.text) if ct == ContentType.LINK else ""
        if url:
            return Display("link", url=url, label="link", summary_text=url, fields={"title": url})
        if ct in _MEDIA:
            return _plain_media(message)
        return text
    root = wxml.parse(content)
    if root is None or (ct == ContentType.TEXT and root.tag not in ("msg", "sysmsg", "appmsg", "revokemsg")):
        # A person may type something that looks like XML: text stays text.
        return as_text() if ct == ContentType.TEXT else _unparsed()
    shown = _from_root(root, message, names)
    return as_text() if shown.kind == "unparsed" and ct == ContentType.TEXT else shown


def display(message):
    """The Display of a message, computed once per message object."""
    shown = getattr(message, "_display", None)
    if shown is None:
        try:
            shown = build(message)
        except Exception:  # noqa: BLE001 - a message nobody foresaw must not break the page
            logger.exception("cannot display message %s", message.pk)
            shown = _unparsed()
        message._display = shown
    return shown


def summary(message):
    """(label kind, text) of the message's one-line form: ("file", "报价单.pdf"), ("", "你好")."""
    return display(message).summary()


def line(message):
    """The message's one-line form as text, in the active language: "[文件] 报价单.pdf"."""
    return summary_line(*summary(message))


def preview_fields(message):
    """The conversation's last-message columns for this message (see Conversation): kept
    language-neutral, with who said it in groups (not before the group's own system lines)."""
    shown = display(message)
    kind, text = shown.summary()
    sender = ""
    if message.conversation.is_group and not message.is_outgoing and shown.kind != "system":
        sender = message.sender_name or message.sender
    return {"last_message_kind": kind, "last_message_preview": text, "last_message_sender": sender[:255]}


def summary_line(label, text):
    """The one-line form as text, in the active language: "[文件] 报价单.pdf"."""
    if not label:
        return text
    name = LABELS.get(label, "")
    return f"[{name}] {text}".strip() if name else text
