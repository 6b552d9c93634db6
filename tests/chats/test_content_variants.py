"""The same real messages written differently must read the same; broken ones must never break the page.

Real accounts and providers send one message in many spellings: with or without the sender
line before it, a declaration naming any encoding, CDATA or entities, indented or not, CRLF,
a byte-order mark, elements a newer WeChat added, or the whole thing HTML-escaped. Each real
payload is rewritten every such way and must give the same summary and show the same facts.
Then each is cut short and mangled: the message shows a readable fallback, never its source.
"""

import html
import os
import re
import xml.etree.ElementTree as ET  # noqa: S405 - only serialises trusted test data

import pytest
from django.template.loader import render_to_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chats import wxml
from chats.content import display, summary, summary_line
from chats.models import Conversation, Message
from tests.chats.test_real_payloads import PAYLOADS, content_of
from tests.pages import raw_xml_leaks, read

pytestmark = pytest.mark.django_db

DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>\s*")


@pytest.fixture(autouse=True)
def _english():
    """Not English here: the facts are read in the default language, Simplified Chinese."""


def _split(content):
    prefix, rest = wxml.split_prefix(content)
    return (f"{prefix}:\n" if prefix else ""), rest


def _tree(rest):
    return ET.fromstring(DECLARATION.sub("", rest.strip()))  # noqa: S314 - trusted test data


def reserialized(content):
    prefix, rest = _split(content)
    return prefix + ET.tostring(_tree(rest), encoding="unicode")


def minified(content):
    prefix, rest = _split(content)
    root = _tree(rest)
    for node in root.iter():
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return prefix + ET.tostring(root, encoding="unicode")


def pretty(content):
    prefix, rest = _split(content)
    root = _tree(rest)
    ET.indent(root, space="    ")
    return prefix + ET.tostring(root, encoding="unicode")


def with_unknown_elements(content):
    prefix, rest = _split(content)
    root = _tree(rest)
    for parent in (root, root.find("appmsg")):
        if parent is not None:
            extra = ET.Element("futurefield", {"version": "9"})
            extra.text = "新版本字段"
            parent.insert(0, extra)
    return prefix + ET.tostring(root, encoding="unicode")


def with_prefix(content):
    return "wxid_variant0001:\n" + _split(content)[1]


def with_room_prefix(content):
    return "12345678901@chatroom: \n" + _split(content)[1]


def without_declaration(content):
    prefix, rest = _split(content)
    return prefix + DECLARATION.sub("", rest)


def declared_gbk(content):
    prefix, rest = _split(content)
    return prefix + '<?xml version="1.0" encoding="GBK" standalone="yes"?>\n' + DECLARATION.sub("", rest)


def bom_and_crlf(content):
    return "\ufeff" + content.replace("\n", "\r\n") + "\r\n\r\n"


def html_escaped(content):
    prefix, rest = _split(content)
    return prefix + html.escape(rest, quote=True)


XML_VARIANTS = {
    "reserialized": reserialized,
    "minified": minified,
    "pretty": pretty,
    "unknown_elements": with_unknown_elements,
    "without_declaration": without_declaration,
    "declared_gbk": declared_gbk,
    "html_escaped": html_escaped,
}
ANY_VARIANTS = {"bom_and_crlf": bom_and_crlf}
GROUP_VARIANTS = {"wxid_prefix": with_prefix, "room_prefix": with_room_prefix}

XML_PAYLOADS = sorted(name for name in PAYLOADS if wxml.looks_like_xml(content_of(name)))


def cases():
    for name in sorted(PAYLOADS):
        variants = dict(ANY_VARIANTS)
        if name in XML_PAYLOADS:
            variants.update(XML_VARIANTS)
        if PAYLOADS[name]["chat"] == "group":
            variants.update(GROUP_VARIANTS)
        for variant in sorted(variants):
            yield pytest.param(name, variants[variant], id=f"{name}-{variant}")


@pytest.fixture
def make(wechat_account):
    conversations = {}

    def make(name, content):
        entry = PAYLOADS[name]
        group = entry["chat"] == "group"
        peer = "237576396656@chatroom" if group else "wxid_friend01"
        if peer not in conversations:
            conversations[peer] = Conversation.objects.create(
                account=wechat_account,
                peer=peer,
                kind="group" if group else "private",
                title="群" if group else "顾客甲",
            )
        return Message.objects.create(
            account=wechat_account,
            conversation=conversations[peer],
            direction="in",
            content=content,
            content_type=entry["content_type"],
            file_name=entry["file_name"],
            voice_len=entry["voice_len"],
            sender="wxid_member01" if group else "wxid_friend01",
            sender_name="李四" if group else "顾客甲",
        )

    return make


def rendered(message, *, staff=False):
    class Viewer:
        is_staff = staff

    return render_to_string(
        "chats/_message.html", {"m": message, "conversation": message.conversation, "user": Viewer()}
    )


@pytest.mark.parametrize(("name", "variant"), list(cases()))
def test_every_spelling_of_a_real_message_reads_the_same(make, name, variant):
    original = make(name, content_of(name))
    rewritten = make(name, variant(content_of(name)))
    assert display(rewritten).kind == display(original).kind
    assert summary(rewritten) == summary(original)
    page = rendered(rewritten)
    assert raw_xml_leaks(page) == []
    text, images, _title = read(page)
    for fact in PAYLOADS[name]["expect"]:
        if fact.startswith("img:"):
            assert any(src.startswith(fact[4:]) for src in images), fact
        else:
            assert fact in text, fact
    for forbidden in PAYLOADS[name]["forbid"]:
        assert forbidden not in text


@pytest.mark.parametrize("name", XML_PAYLOADS)
@pytest.mark.parametrize("keep", [0.2, 0.5, 0.8, 0.97])
def test_a_truncated_message_shows_a_fallback_never_its_source(make, name, keep):
    content = content_of(name)
    cut = content[: max(1, int(len(content) * keep))]
    message = make(name, cut)
    page = rendered(message, staff=True)
    assert raw_xml_leaks(page) == [], page
    text = read(page)[0]
    assert text  # something readable is there
    if display(message).kind == "unparsed":
        assert "无法解析的消息" in text or "Unreadable message" in text
        assert "msg-source" in page  # staff may look at what arrived


def test_operators_who_are_not_staff_get_no_source_toggle(make):
    message = make("link__1", content_of("link__1")[:300])
    assert display(message).kind == "unparsed"
    assert "msg-source" not in rendered(message, staff=False)


@settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(XML_PAYLOADS),
    at=st.floats(min_value=0, max_value=1),
    junk=st.text(alphabet=st.sampled_from("<>&\"'/=![]?;\x01\x08\x1f \n\t\u200b字$%{}"), min_size=1, max_size=12),
)
def test_mangled_xml_never_breaks_the_message_or_leaks_markup(make, name, at, junk):
    content = content_of(name)
    index = int(len(content) * at)
    message = make(name, content[:index] + junk + content[index:])
    label, line = summary(message)
    # Junk holding "<" or ">" can make a tag out of text, or text out of a tag: then a "<" may stand.
    assert "<" not in summary_line(label, line) or set(junk) & {"<", ">"}
    page = rendered(message)
    assert raw_xml_leaks(page) == []
