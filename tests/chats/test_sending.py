"""Every kind of message out, end to end: view -> outbox -> real Celery worker -> simulator.
PostgreSQL and Redis only (the worker fixture skips otherwise)."""

import hashlib
import io
import math
import struct
import time
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chats.models import Conversation, Message
from tests.chats.conftest import login
from tests.helpers import wait_until

pytestmark = pytest.mark.worker

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def live(console, workers, sim, wechat_account, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    sim.control(
        "accounts",
        {"account": wechat_account.account, "wxid": wechat_account.wxid, "name": "大米", "friends": 3, "groups": 1},
    )
    workers()
    return wechat_account


@pytest.fixture
def friend_chat(live, sim):
    """A conversation opened by a friend's message through the simulator."""
    friend = sim.control(f"accounts/{live.account}")["account"]["friends"][0]["account"]
    sim.control("message", {"my_account": live.account, "from": friend, "content": "在吗？"})
    return wait_until(lambda: Conversation.objects.filter(peer=friend).first(), message="inbound message")


@pytest.fixture
def client_(operator):
    return login(operator)


def send(client, conversation, key, **data):
    response = client.post(reverse("chats:send", args=[conversation.pk]), {"client_key": key, **data}, **HX)
    assert response.status_code == 200
    assert "errorlist" not in response.content.decode(), response.content.decode()
    return Message.objects.get(client_key=key)


def settled(message, timeout=20.0):
    def done():
        message.refresh_from_db()
        return message.status in ("sent", "failed")

    wait_until(done, timeout, f"message {message.pk} settled")
    return message


def wav_bytes(seconds=2):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24000)
        w.writeframes(b"".join(struct.pack("<h", int(5000 * math.sin(i / 7))) for i in range(24000 * seconds)))
    return buf.getvalue()


def test_every_kind_goes_out_with_the_exact_provider_fields(friend_chat, client_, sim, live):
    to, me = friend_chat.peer, live.account
    gif = b"GIF89a" + b"\x01" * 64
    sent = [
        send(client_, friend_chat, "t", kind="text", text="您好 😀"),
        send(client_, friend_chat, "i", kind="upload", upload=SimpleUploadedFile("p.png", b"\x89PNG" + b"0" * 32)),
        send(client_, friend_chat, "g", kind="upload", upload=SimpleUploadedFile("d.gif", gif)),
        send(client_, friend_chat, "v", kind="upload", upload=SimpleUploadedFile("hi.wav", wav_bytes())),
        send(
            client_, friend_chat, "m", kind="upload", upload=SimpleUploadedFile("clip.mp4", b"\x00\x00\x00\x18ftypmp42")
        ),
        send(client_, friend_chat, "f", kind="upload", upload=SimpleUploadedFile("报价.pdf", b"%PDF-1.4")),
        send(client_, friend_chat, "f2", kind="upload", send_as="file", upload=SimpleUploadedFile("x.png", b"\x89PNG")),
        send(client_, friend_chat, "c", kind="card", card_name="wxid_card01"),
        send(client_, friend_chat, "l", kind="link", url="https://shop.example.com/a", title="新品", describe="八折"),
        send(client_, friend_chat, "a", kind="app", app_name="gh_1@app", title="点餐", thumb_key="k1", page_path="p/i"),
    ]
    for message in sent:
        assert settled(message).status == "sent", message.error
    calls = [(c["path"], c["form"]) for c in sim.calls() if c["path"].startswith("/foreign/message/")]
    url = {m.client_key: m.content for m in sent}
    base = {"my_account": me, "to_account": to, "type": "1"}
    assert calls == [
        ("/foreign/message/send", {**base, "content": "您好 😀", "content_type": "1"}),
        ("/foreign/message/send", {**base, "content": url["i"], "content_type": "2", "file_name": "p.png"}),
        (
            "/foreign/message/send",
            {
                **base,
                "content": url["g"],
                "content_type": "15",
                "file_name": "d.gif",
                "img_md5": hashlib.md5(gif).hexdigest(),
                "img_size": str(len(gif)),
            },
        ),
        ("/foreign/message/send", {**base, "content": url["v"], "content_type": "4", "file_name": "hi.silk"}),
        ("/foreign/message/send", {**base, "content": url["m"], "content_type": "5", "file_name": "clip.mp4"}),
        ("/foreign/message/send", {**base, "content": url["f"], "content_type": "6", "file_name": "报价.pdf"}),
        ("/foreign/message/send", {**base, "content": url["f2"], "content_type": "6", "file_name": "x.png"}),
        ("/foreign/message/wacatCard", {**base, "card_name": "wxid_card01"}),
        (
            "/foreign/message/sendUrl",
            {**base, "url": "https://shop.example.com/a", "title": "新品", "describe": "八折"},
        ),
        (
            "/foreign/message/sendApp",
            {**base, "app_name": "gh_1@app", "title": "点餐", "thumb_key": "k1", "page_path": "p/i"},
        ),
    ]
    # The provider can fetch what it was given.
    import requests

    voice = requests.get(url["v"], timeout=5)
    assert voice.status_code == 200 and voice.content.startswith(b"\x02#!SILK_V3")
    html = client_.get(reverse("chats:thread", args=[friend_chat.pk])).content.decode()
    assert html.count('data-status="sent"') == len(sent)


def test_a_group_send_says_type_2(live, sim, client_):
    group = sim.control(f"accounts/{live.account}")["account"]["groups"][0]
    number = group.get("number") or group.get("g_number")
    member = group["members"][0]
    sim.control(
        "message",
        {
            "my_account": live.account,
            "from": member.get("account") or member.get("userName"),
            "content": "群里好",
            "group": number,
        },
    )
    chat = wait_until(lambda: Conversation.objects.filter(peer=number).first(), message="group message")
    assert chat.kind == "group"
    message = settled(send(client_, chat, "grp", kind="text", text="大家好"))
    assert message.status == "sent"
    (call,) = sim.calls("/foreign/message/send")
    assert call["form"]["type"] == "2" and call["form"]["to_account"] == number


def test_a_failed_send_shows_the_reason_and_succeeds_on_retry(friend_chat, client_, sim):
    sim.fault("/foreign/message/send", "code0", msg="微信不在线: damibtc")
    message = settled(send(client_, friend_chat, "fail", kind="text", text="第一次"))
    assert message.status == "failed" and message.error == "微信不在线: damibtc"
    html = client_.get(reverse("chats:thread", args=[friend_chat.pk])).content.decode()
    assert "微信不在线: damibtc" in html and reverse("chats:retry", args=[message.pk]) in html
    client_.post(reverse("chats:retry", args=[message.pk]), **HX)
    client_.post(reverse("chats:retry", args=[message.pk]), **HX)  # a double click retries once
    assert settled(message).status == "sent" and message.error == ""
    assert [m["content"] for m in sim.control("messages")["messages"]] == ["第一次"]
    assert len(sim.calls("/foreign/message/send")) == 2  # the refused call and the retry


def test_a_double_submit_sends_once(friend_chat, client_, sim):
    first = send(client_, friend_chat, "same", kind="text", text="只发一次")
    second = send(client_, friend_chat, "same", kind="text", text="只发一次")
    assert first.pk == second.pk
    settled(first)
    time.sleep(0.5)
    assert len(sim.control("messages")["messages"]) == 1


def test_sends_wait_for_the_rate_limit_and_the_operator_sees_it(console, workers, sim, wechat_account, operator):
    sim.control("accounts", {"account": wechat_account.account, "wxid": wechat_account.wxid, "friends": 1})
    workers(SEND_RATE_PER_MINUTE="20", SEND_RATE_BURST="1")
    client = login(operator)
    chat = Conversation.objects.create(account=wechat_account, peer="wxid_rate")
    first = send(client, chat, "r1", kind="text", text="一")
    second = send(client, chat, "r2", kind="text", text="二")
    assert settled(first).status == "sent"

    def waiting():
        html = client.get(reverse("chats:thread", args=[chat.pk])).content.decode()
        return 'data-status="waiting"' in html

    wait_until(waiting, 10, "the waiting state")
    second.refresh_from_db()
    assert second.status == "queued"


def test_the_echo_of_a_send_becomes_its_msgid(friend_chat, client_, sim):
    sim.control("config", {"echo_sends": True})
    try:
        message = settled(send(client_, friend_chat, "echo", kind="text", text="回声测试"))
        wait_until(lambda: Message.objects.filter(pk=message.pk, msgid__isnull=False).exists(), 10, "echo")
        assert Message.objects.filter(conversation=friend_chat, content="回声测试").count() == 1
    finally:
        sim.control("config", {"echo_sends": False})
