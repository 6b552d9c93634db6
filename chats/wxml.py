"""Reading WeChat's message XML as real accounts send it, safely.

What arrives in `content` is rarely clean XML: group messages carry the sender before it
(`wxid_abc:\\n<msg>…`, `123@chatroom: \\n<sysmsg …>`), some hooks send it HTML-escaped
(`&lt;msg&gt;…`), declarations name encodings, attributes are written `type = "x"`, text is
CDATA or entities, nicknames hold control characters and URLs hold bare `&`. Everything is
parsed with defusedxml (no DTD entities, no external references), never by regex over the
markup; the only text rewrites before parsing are the repairs named in `parse`.
"""

import html
import re
from html.parser import HTMLParser
from xml.etree.ElementTree import ParseError  # noqa: S405 - the exception type only; parsing is defusedxml

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_XML = 200_000
# Nested XML inside XML (a quote's <content>, a chat history's <recorditem>) is followed this deep.
MAX_DEPTH = 3

# "wxid_abc:" or "123@chatroom: " alone on the first line, before the XML.
_PREFIX = re.compile(r"\A\s*([^\s<:]{1,128}):[ \t]*\r?\n")
_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Characters XML 1.0 forbids (nicknames and group names carry them).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# An "&" that starts no entity or character reference (URLs outside CDATA).
_BARE_AMP = re.compile(r"&(?!(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")
# "wxid_…" and "123@chatroom" are never typed by people: such a line before a text is WeChat's.
WXID = re.compile(r"\A(?:wxid_[A-Za-z0-9_-]+|\d+@chatroom)\Z")


def split_prefix(content, known=()):
    """(sender id or "", rest): the "id:\\n" WeChat puts before group content.

    Before XML any id-shaped prefix is WeChat's. Before plain text only a known id (the
    sender, the group, the account) or a wxid counts, since a person may type "Note:\\n".
    """
    text = content or ""
    match = _PREFIX.match(text)
    if not match:
        return "", text
    ident, rest = match.group(1), text[match.end() :]
    if rest.lstrip().startswith(("<", "&lt;")) or ident in known or WXID.match(ident):
        return ident, rest
    return "", text


_STARTS = ("<?xml", "<msg", "<sysmsg", "<appmsg", "<revokemsg", "&lt;?xml", "&lt;msg", "&lt;sysmsg", "&lt;appmsg")


def xml_start(content):
    """Where WeChat XML begins inside text that has something else in front (-1: nowhere)."""
    text = content or ""
    found = [i for i in (text.find(marker) for marker in _STARTS) if i >= 0]
    return min(found) if found else -1


def looks_like_xml(content):
    text = split_prefix(content)[1].lstrip("\ufeff \t\r\n")
    if text.startswith("&lt;"):
        text = html.unescape(text[:64])
    return text.startswith("<")


def parse(content):
    """The root element of the XML in `content`, or None when there is none or it is broken.

    Repairs tried, in order, only when the text as given does not parse: unescape an
    HTML-escaped document, drop characters XML forbids, escape bare "&".
    """
    text = split_prefix(content)[1].strip().lstrip("\ufeff").strip()
    if not text or len(text) > MAX_XML:
        return None
    if not text.startswith("<") and text.startswith("&lt;"):
        text = html.unescape(text).strip()
    if not text.startswith("<"):
        return None
    # A str is parsed as text: a declared encoding ("GBK", "UTF-8") means nothing here.
    text = _DECLARATION.sub("", text, count=1).lstrip()
    for attempt in (text, _ILLEGAL.sub("", text)):
        for candidate in (attempt, _BARE_AMP.sub("&amp;", attempt)):
            try:
                return fromstring(candidate)
            except (ParseError, DefusedXmlException, ValueError):
                continue
    return None


def parse_nested(text, depth):
    """XML carried as text inside XML (already unescaped once by the outer parse)."""
    if depth >= MAX_DEPTH or not looks_like_xml(text):
        return None
    return parse(text)


def text(node, *paths):
    """The stripped text of the first path (relative to node; "." for itself) that has any."""
    if node is None:
        return ""
    for path in paths:
        found = node if path == "." else node.find(path)
        if found is not None and found.text and found.text.strip():
            return found.text.strip()
    return ""


def attr(node, *names):
    if node is None:
        return ""
    for name in names:
        value = node.get(name)
        if value and value.strip():
            return value.strip()
    return ""


def integer(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


class _Plain(HTMLParser):
    """Text of an HTML fragment without its markup; links that are WeChat actions are dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a" and any(name == "href" and (value or "").startswith("weixin://") for name, value in attrs):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


# What is left of a tag the HTML parser could not read as one ("< a href=…>", "<;/a>", "<a href=…"
# cut short): angle brackets around an attribute or a slash. "1 < 2 > 0" and "<3" stay.
_BROKEN_TAG = re.compile(r"<[^<>]*[=/][^<>]*(?:>|\Z)")


def plain(value):
    """Text a person can read: markup inside CDATA (`<a href="weixin://…">重新编辑</a>`) removed."""
    value = value or ""
    if "<" not in value and "&" not in value:
        return value.strip()
    reader = _Plain()
    reader.feed(value)
    reader.close()
    return _BROKEN_TAG.sub("", "".join(reader.parts)).strip()
