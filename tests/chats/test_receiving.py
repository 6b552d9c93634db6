"""Inbound messages: each content type through the callback view and rendered safely in the thread."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from chats.models import Conversation, Message
from tests.chats.conftest import c1, c2
from tests.pages import text_of

pytestmark = pytest.mark.django_db

LINK_XML = (
    '<?xml version="1.0"?><msg><appmsg appid="" sdkver="0"><title>春季促销 &amp; 优惠</title>'
    "<des>全场八折</des><type>5</type><url>https://shop.example.com/p?id=1&amp;a=2</url>"
    "<thumburl>https://img.example.com/t.jpg</thumburl></appmsg></msg>"
)
CARD_XML = (
    '<msg username="wxid_card01" nickname="王五" alias="wangwu" smallheadimgurl="https://img.example.com/w.jpg"'
    ' province="广东" city="深圳" certflag="0" />'
)
OFFICIAL_XML = '<msg username="gh_abc" nickname="某公众号" certflag="8" />'
APP_XML = (
    "<msg><appmsg><title>点餐小程序</title><des>扫码点餐</des><type>33</type><sourcedisplayname>餐厅</sourcedisplayname>"
    "<weappinfo><username>gh_123@app</username><pagepath>pages/index.html</pagepath>"
    "<weappiconurl>https://img.example.com/icon.png</weappiconurl></weappinfo></appmsg></msg>"
)
LOCATION_XML = '<msg><location x="22.543" y="114.057" scale="16" label="深圳市福田区" poiname="市民中心" /></msg>'
RED_PACKET_XML = (
    "<msg><appmsg><title>微信红包</title><type>2001</type><wcpayinfo><sendertitle>恭喜发财，大吉大利</sendertitle>"
    "</wcpayinfo></appmsg></msg>"
)
TRANSFER_XML = (
    "<msg><appmsg><title>微信转账</title><type>2000</type><wcpayinfo><paysubtype>1</paysubtype>"
    "<feedesc>￥88.00</feedesc><pay_memo>货款</pay_memo></wcpayinfo></appmsg></msg>"
)
REVOKE_XML = (
    '<sysmsg type="revokemsg"><revokemsg><replacemsg><![CDATA["顾客甲" 撤回了一条消息]]></replacemsg>'
    "</revokemsg></sysmsg>"
)
EMOJI_XML = '<msg><emoji md5="abc" cdnurl="http://emoji.example.com/e.gif" len="1024" /></msg>'

# content_type -> (content, what the thread must show)
CASES = {
    "text": (1, "你好 😀 看看 https://example.com/a?b=1", ['href="https://example.com/a?b=1"', "你好 😀"]),
    "image": (2, "https://img.example.com/a.jpg", ['<img src="https://img.example.com/a.jpg"', "data-enlarge"]),
    "emoji": (3, EMOJI_XML, ['src="http://emoji.example.com/e.gif"']),
    "voice": (4, "https://media.example.com/v.silk", ["<audio", "/audio/", "12″"]),
    "video": (
        5,
        "https://media.example.com/v.mp4",
        ['<video class="msg-video"', 'src="https://media.example.com/v.mp4"'],
    ),
    "file": (6, "https://media.example.com/%E6%8A%A5%E4%BB%B7.pdf", ["报价单.pdf", "download"]),
    "official": (7, OFFICIAL_XML, ["某公众号", "gh_abc"]),
    "link": (8, LINK_XML, ["春季促销 &amp; 优惠", "全场八折", 'href="https://shop.example.com/p?id=1&amp;a=2"']),
    "card": (9, CARD_XML, ["王五", "wangwu", "广东 深圳", "https://img.example.com/w.jpg"]),
    "system": (10, REVOKE_XML, ["&quot;顾客甲&quot; 撤回了一条消息"]),
    "app": (11, APP_XML, ["点餐小程序", "扫码点餐", "餐厅", "pages/index.html"]),
    "location": (12, LOCATION_XML, ["市民中心", "深圳市福田区", "22.543, 114.057"]),
    "red_packet": (13, RED_PACKET_XML, ["恭喜发财，大吉大利"]),
    "transfer": (14, TRANSFER_XML, ["￥88.00", "货款"]),
    "gif": (15, "https://img.example.com/dance.gif", ['<img src="https://img.example.com/dance.gif"']),
}


def thread_html(client, conversation):
    response = client.get(reverse("chats:thread", args=[conversation.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("case", CASES)
def test_each_content_type_arrives_and_renders(callbacks, operator_client, wechat_account, case):
    content_type, content, expected = CASES[case]
    extra = {"file_name": "报价单.pdf"} if case == "file" else {}
    if case == "voice":
        extra["voice_len"] = 12
    delivery = callbacks(c1(content, content_type=content_type, **extra))
    assert delivery.status == "processed", delivery.error
    message = Message.objects.get()
    assert (message.content_type, message.content, message.direction) == (content_type, content, "in")
    assert message.sender == "wxid_friend01" and message.sender_name == "顾客甲"
    html = thread_html(operator_client, message.conversation)
    for fragment in expected:
        assert fragment in html, (case, fragment)


def test_group_messages_go_to_the_group_with_the_member_who_spoke(callbacks, operator_client, wechat_account):
    callbacks(c2("大家好"))
    callbacks(c2("我也在", frm="wxid_member02", name="张三"))
    conversation = Conversation.objects.get()
    assert conversation.kind == "group" and conversation.peer == "237576396656@chatroom"
    assert conversation.title == "周末爬山群" and conversation.unread_count == 2
    assert list(conversation.messages.values_list("sender_name", flat=True)) == ["李四", "张三"]
    html = thread_html(operator_client, conversation)
    assert '<p class="msg-sender">李四</p>' in html and '<p class="msg-sender">张三</p>' in html


def test_no_html_from_content_is_ever_rendered(callbacks, operator_client, wechat_account):
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)> javascript:alert(3) https://ok.example.com/"onmouseover="x'
    callbacks(c1(evil))
    callbacks(c1("javascript:alert(4)", content_type=2))  # an image that is not an http(s) URL
    callbacks(
        c1(
            "<msg><appmsg><title><![CDATA[<b>bold</b>]]></title><url>javascript:alert(5)</url></appmsg></msg>",
            content_type=8,
        )
    )
    html = thread_html(operator_client, Conversation.objects.get())
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html and 'src="javascript' not in html
    # Markup inside CDATA is WeChat's own (a revoke's "重新编辑" link): shown as its text only.
    assert "<b>bold</b>" not in html and "&lt;b&gt;" not in html and "<strong>bold</strong>" in html
    assert 'onmouseover="x' not in html


def test_xml_that_cannot_be_parsed_shows_a_fallback_and_is_kept(
    callbacks, operator_client, admin_client, wechat_account
):
    callbacks(c1("<msg><appmsg><title>半截", content_type=8))
    callbacks(c1('<!DOCTYPE x [<!ENTITY a "aaaa">]><msg><location label="&a;"/></msg>', content_type=12))
    html = thread_html(operator_client, Conversation.objects.get())
    assert text_of(html, "messages").count("[Unreadable message]") == 2
    assert "&lt;msg" not in html and "&lt;!DOCTYPE" not in html and "aaaa" not in html
    assert "msg-source" not in html  # only staff may look at the source
    staff_html = thread_html(admin_client, Conversation.objects.get())
    assert staff_html.count('class="msg-source"') == 2
    # The source is fetched when the toggle opens; the entity is still refused, the text kept.
    broken = Message.objects.get(content_type=12)
    source = admin_client.get(reverse("chats:source", args=[broken.pk])).content.decode()
    assert "&lt;!DOCTYPE x" in source and "aaaa" not in source.replace("&quot;aaaa&quot;", "")
    assert operator_client.get(reverse("chats:source", args=[broken.pk])).status_code == 404


def test_nul_characters_are_dropped_not_fatal(callbacks, wechat_account):
    """PostgreSQL refuses NUL in text and JSON: a NUL inside a nickname or a message must not lose it."""
    delivery = callbacks(c1("你\x00好", name="顾\x00客"))
    assert delivery.status == "processed", delivery.error
    message = Message.objects.get()
    assert (message.content, message.sender_name) == ("你好", "顾客")


def test_a_repeated_msgid_makes_one_message(callbacks, wechat_account):
    first = callbacks(c1("一次", msgid="dup-1"))
    again = callbacks(c1("一次", msgid="dup-1"), encoding="json")
    assert (first.status, again.status) == ("processed", "duplicate")
    assert Message.objects.count() == 1
    assert Conversation.objects.get().unread_count == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_make_one_row(callbacks, wechat_account):
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL")
    barrier = threading.Barrier(2)
    statuses = []

    def deliver():
        barrier.wait()
        try:
            statuses.append(callbacks(c1("同时", msgid="race-1")).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Message.objects.filter(msgid="race-1").count() == 1
    assert Conversation.objects.get().unread_count == 1


def test_messages_sent_from_the_phone_are_outgoing_and_not_unread(callbacks, operator_client, wechat_account):
    callbacks(c1("手机上发的", type_=1))
    message = Message.objects.get()
    assert message.direction == "out" and message.status == "sent" and message.sender == "damibtc"
    assert Conversation.objects.get().unread_count == 0
    assert 'class="msg msg-out' in thread_html(operator_client, message.conversation)


def test_the_echo_of_a_console_send_is_linked_not_duplicated(callbacks, wechat_account, conversation, operator):
    from chats import actions

    sent = actions.send_text(conversation=conversation, text="您好，已发货", operator=operator, client_key="k1")
    link = actions.send_link(conversation=conversation, url="https://a.example.com", title="说明", operator=operator)
    callbacks(c1("您好，已发货", type_=1, msgid="echo-1"))
    callbacks(c1(LINK_XML, content_type=8, type_=1, msgid="echo-2"))
    again = callbacks(c1("您好，已发货", type_=1, msgid="echo-1"))
    assert again.status == "duplicate"
    assert Message.objects.count() == 2
    sent.refresh_from_db()
    link.refresh_from_db()
    assert (sent.msgid, link.msgid) == ("echo-1", "echo-2")


def test_the_echo_of_an_image_sent_by_url_is_wechat_xml_and_still_linked(
    callbacks, wechat_account, conversation, operator, settings, tmp_path
):
    """The console sends a URL; WeChat echoes its own <msg><img cdnthumburl=…> for it (no URL at all)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chats import actions, media

    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    attachment = media.store_upload(account=wechat_account, upload=upload, kind=2)[0]
    sent = actions.send_media(conversation=conversation, attachment=attachment, content_type=2, operator=operator)
    echo = '<?xml version="1.0"?><msg><img aeskey="ab" cdnthumburl="3057020100" length="108" md5="cd" /></msg>'
    callbacks(c1(echo, content_type=2, type_=1, msgid="echo-img"))
    assert Message.objects.count() == 1
    sent.refresh_from_db()
    assert sent.msgid == "echo-img" and sent.content == attachment.public_url


def test_an_echo_of_the_same_text_twice_claims_two_messages(callbacks, wechat_account, conversation, operator):
    from chats import actions

    a = actions.send_text(conversation=conversation, text="好的", operator=operator, client_key="a")
    b = actions.send_text(conversation=conversation, text="好的", operator=operator, client_key="b")
    callbacks(c1("好的", type_=1, msgid="e-a"))
    callbacks(c1("好的", type_=1, msgid="e-b"))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.msgid, b.msgid) == ("e-a", "e-b")
    assert Message.objects.count() == 2


def test_messages_show_in_time_order_and_the_list_by_latest(callbacks, operator_client, wechat_account):
    callbacks(c1("second", send_time=1700000200, frm="wxid_a", name="A"))
    callbacks(c1("first", send_time=1700000100, frm="wxid_a", name="A"))
    callbacks(c1("other", send_time=1700000150, frm="wxid_b", name="B"))
    log = text_of(thread_html(operator_client, Conversation.objects.get(peer="wxid_a")), "messages")
    assert log.index("first") < log.index("second")
    inbox = operator_client.get(reverse("chats:inbox")).content.decode()
    assert inbox.index(">A<") < inbox.index(">B<")  # A's latest (…200) is newer than B's (…150)
    a = Conversation.objects.get(peer="wxid_a")
    assert a.last_message_preview == "second"


def test_unknown_xml_kinds_and_missing_msgid_still_show(callbacks, operator_client, wechat_account):
    data = c1("普通文本", msgid="")
    data.pop("msgid")
    callbacks(data)
    callbacks(data)
    assert Message.objects.count() == 2  # E-9: without msgid nothing is deduplicated
