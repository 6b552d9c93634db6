"""What a message shows: the useful fields of the provider's content, parsed safely.

Media arrive as URLs; cards, links, mini-programs, locations, red packets, transfers and
some system messages arrive as WeChat XML. The XML is parsed with defusedxml (no entities,
no external references); whatever cannot be parsed is shown as escaped text, never dropped.
Only http(s) URLs ever reach an href or src.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError  # noqa: S405 - types only; parsing is defusedxml

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .models import ContentType

MAX_XML = 200_000


def safe_url(value):
    """The URL if it is http(s), else '' (no javascript:, data:, relative tricks)."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value
    return ""


@dataclass
class Display:
    kind: str  # template branch: text, image, voice, video, file, card, link, app, location, money, system, raw
    text: str = ""
    url: str = ""
    fields: dict = field(default_factory=dict)


def _xml(content):
    text = (content or "").strip()
    start = text.find("<")
    if start < 0 or len(text) > MAX_XML:
        return None
    # Group messages may carry "wxid_sender:\n" before the XML.
    try:
        return fromstring(text[start:])
    except (ParseError, DefusedXmlException, ValueError):
        return None


def _find(root: Element, *paths):
    for path in paths:
        node = root if path == "." else root.find(path)
        if node is not None and node.text and node.text.strip():
            return node.text.strip()
    return ""


def _attr(root: Element, path, *names):
    node = root if path == "." else root.find(path)
    if node is None:
        return ""
    for name in names:
        if node.get(name):
            return node.get(name).strip()
    return ""


def _media(message, kind):
    url = safe_url(message.content)
    if message.attachment_id and message.is_outgoing:
        url = message.attachment.get_absolute_url()
    if url:
        return Display(kind, url=url, text=message.file_name or url.rsplit("/", 1)[-1].split("?")[0])
    root = _xml(message.content)
    if root is not None:
        cdn = _attr(root, "img", "cdnbigimgurl", "cdnmidimgurl", "cdnthumburl") or _attr(
            root, "emoji", "cdnurl", "thumburl"
        )
        if safe_url(cdn):
            return Display(kind, url=safe_url(cdn), text=message.file_name)
    return Display("raw", text=message.content)


def _card(root, message):
    node = root if root.tag == "msg" else root.find(".//msg")
    node = node if node is not None else root
    return Display(
        "card",
        fields={
            "nickname": node.get("nickname", ""),
            "username": node.get("username", ""),
            "alias": node.get("alias", ""),
            "avatar": safe_url(node.get("smallheadimgurl") or node.get("bigheadimgurl")),
            "official": message.content_type == ContentType.OFFICIAL_CARD or node.get("certflag", "0") not in ("", "0"),
            "area": " ".join(x for x in (node.get("province", ""), node.get("city", "")) if x),
        },
    )


def display(message):
    """The Display for one message (parsing what needs parsing)."""
    ct = message.content_type
    data = message.data or {}
    if message.is_outgoing and data:
        if ct == ContentType.CONTACT_CARD:
            return Display(
                "card", fields={"username": data.get("card_name", ""), "nickname": data.get("card_name", "")}
            )
        if ct == ContentType.LINK:
            return Display(
                "link",
                url=safe_url(data.get("url")),
                fields={
                    "title": data.get("title", ""),
                    "describe": data.get("describe", ""),
                    "thumb": safe_url(data.get("thumb")),
                },
            )
        if ct == ContentType.MINI_PROGRAM:
            return Display(
                "app",
                fields={
                    "title": data.get("title", ""),
                    "describe": data.get("describe", ""),
                    "app_name": data.get("app_name", ""),
                    "page_path": data.get("page_path", ""),
                    "thumb": safe_url(data.get("thumb_url")),
                },
            )
    if ct == ContentType.TEXT:
        return Display("text", text=message.content)
    if ct in (ContentType.IMAGE, ContentType.EMOJI, ContentType.GIF):
        return _media(message, "image")
    if ct == ContentType.VOICE:
        shown = _media(message, "voice")
        shown.fields["seconds"] = message.voice_len
        return shown
    if ct == ContentType.VIDEO:
        return _media(message, "video")
    if ct == ContentType.FILE:
        return _media(message, "file")
    root = _xml(message.content)
    if ct == ContentType.SYSTEM:
        if root is None:
            return Display("system", text=message.content)
        text = _find(root, ".//replacemsg", ".//content", ".//title", ".//text") or "".join(root.itertext()).strip()
        return Display("system", text=text or message.content)
    if root is None:
        if ct == ContentType.LINK and safe_url(message.content):
            return Display("link", url=safe_url(message.content), fields={"title": message.content})
        return Display("raw", text=message.content)
    if ct in (ContentType.CONTACT_CARD, ContentType.OFFICIAL_CARD):
        return _card(root, message)
    if ct == ContentType.LOCATION:
        loc = root.find(".//location")
        if loc is None:
            return Display("raw", text=message.content)
        return Display(
            "location",
            fields={
                "label": loc.get("label", ""),
                "poiname": loc.get("poiname", ""),
                "x": loc.get("x", ""),
                "y": loc.get("y", ""),
            },
        )
    appmsg = root.find(".//appmsg")
    base = appmsg if appmsg is not None else root
    title = _find(base, "title")
    describe = _find(base, "des", "description")
    if ct in (ContentType.RED_PACKET, ContentType.TRANSFER):
        pay = root.find(".//wcpayinfo")
        fields = {"title": title, "describe": describe}
        if pay is not None:
            fields.update(
                {
                    "amount": _find(pay, "feedesc"),
                    "memo": _find(pay, "pay_memo", "sendertitle", "receivertitle"),
                }
            )
        return Display("money", fields=fields)
    if ct == ContentType.MINI_PROGRAM:
        weapp = root.find(".//weappinfo")
        return Display(
            "app",
            fields={
                "title": title,
                "describe": describe or _find(base, "sourcedisplayname"),
                "app_name": _find(weapp, "username") if weapp is not None else "",
                "page_path": _find(weapp, "pagepath") if weapp is not None else "",
                "thumb": safe_url(_find(weapp, "weappiconurl") if weapp is not None else ""),
            },
        )
    if ct == ContentType.LINK:
        return Display(
            "link",
            url=safe_url(_find(base, "url")),
            fields={"title": title, "describe": describe, "thumb": safe_url(_find(base, "thumburl"))},
        )
    return Display("raw", text=message.content)
