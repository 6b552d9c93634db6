"""Inbox views: access, methods, HTMX and full-page forms, live polling, history, search, team tools, queries."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import WeChatAccount
from chats import actions, live
from chats.models import Attachment, Conversation, Message, Note, QuickReply
from provider.models import OutboxEntry
from tests.chats.conftest import add_messages

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def message(conversation):
    return add_messages(conversation, 1)[0]


@pytest.fixture
def failed(conversation, operator):
    message = actions.send_text(conversation=conversation, text="hi", operator=operator, client_key="f1")
    OutboxEntry.objects.filter(pk=message.outbox_id).update(status="failed", last_error="微信不在线")
    Message.objects.filter(pk=message.pk).update(status="failed", error="微信不在线")
    message.refresh_from_db()
    return message


@pytest.fixture
def attachment(wechat_account, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    from chats import media

    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    return media.store_upload(account=wechat_account, upload=upload, kind=2)[0]


def pages(conversation, message):
    c, m = conversation.pk, message.pk
    a = conversation.account_id
    return [
        reverse("chats:conversations", args=[a]),
        reverse("chats:thread", args=[c]),
        reverse("chats:history", args=[c]) + f"?before={m}",
        reverse("chats:open", args=[a, "wxid_friend01"]),
        reverse("chats:poll") + f"?conversation={c}&account={a}",
        reverse("chats:search") + f"?q=x&conversation={c}",
        reverse("chats:search") + f"?q=x&account={a}",
        reverse("chats:audio", args=[m]),
    ]


def actions_of(conversation, message):
    c = conversation.pk
    return [
        (reverse("chats:send", args=[c]), {"kind": "text", "text": "hi", "client_key": "x"}),
        (reverse("chats:retry", args=[message.pk]), {}),
        (reverse("chats:assign", args=[c]), {"assignee": ""}),
        (reverse("chats:state", args=[c]), {"state": "done"}),
        (reverse("chats:note", args=[c]), {"body": "secret"}),
    ]


def test_an_outsider_gets_404_everywhere_and_nothing_changes(outsider_client, conversation, failed):
    for url in pages(conversation, failed):
        assert outsider_client.get(url).status_code == 404, url
        assert outsider_client.get(url, **HX).status_code == 404, url
    for url, data in actions_of(conversation, failed):
        assert outsider_client.post(url, data).status_code == 404, url
        assert outsider_client.post(url, data, **HX).status_code == 404, url
    conversation.refresh_from_db()
    assert conversation.state == "open" and conversation.assignee is None
    assert Message.objects.count() == 1 and OutboxEntry.objects.count() == 1
    assert not Note.objects.exists()
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_the_outsiders_inbox_lists_nothing_of_the_account(outsider_client, conversation, message):
    html = outsider_client.get(reverse("chats:inbox")).content.decode()
    assert "顾客甲" not in html and 'id="conv-' not in html


def test_anonymous_is_sent_to_login_but_the_provider_fetches_media(client, conversation, message, attachment):
    for url in pages(conversation, message):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login/" in response["Location"], url
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert client.get(reverse("chats:media", args=[uuid.uuid4(), "photo.png"])).status_code == 404
    assert client.get(reverse("chats:media", args=[attachment.token, "other.png"])).status_code == 404


def test_pages_refuse_post_and_actions_refuse_get(operator_client, conversation, failed):
    for url in pages(conversation, failed)[:3]:
        assert operator_client.post(url).status_code == 405, url
    for url, _ in actions_of(conversation, failed):
        assert operator_client.get(url).status_code == 405, url


def test_an_operator_only_sees_conversations_of_their_accounts(operator_client, conversation, message):
    other = WeChatAccount.objects.create(account="other", nickname="别的号")
    hidden = Conversation.objects.create(account=other, peer="wxid_x", title="看不见")
    html = operator_client.get(reverse("chats:inbox")).content.decode()
    assert "顾客甲" in html and "看不见" not in html
    assert operator_client.get(reverse("chats:thread", args=[hidden.pk])).status_code == 404
    assert operator_client.get(reverse("chats:conversations", args=[other.pk])).status_code == 404


def test_opening_a_conversation_reads_it_full_page_and_htmx(operator_client, conversation, message):
    Conversation.objects.filter(pk=conversation.pk).update(unread_count=3)
    url = reverse("chats:thread", args=[conversation.pk])
    html = operator_client.get(url).content.decode()
    assert "<html" in html and 'id="workspace"' in html and "消息 0" in html
    conversation.refresh_from_db()
    assert conversation.unread_count == 0
    partial = operator_client.get(url, **HX).content.decode()
    assert "<html" not in partial and partial.lstrip().startswith('<div id="workspace"')


def test_the_list_filters_unread_kind_assignment_and_name(operator_client, operator, wechat_account):
    a = Conversation.objects.create(account=wechat_account, peer="wxid_a", title="张三", unread_count=2)
    Conversation.objects.create(account=wechat_account, peer="1@chatroom", kind="group", title="李四群")
    c = Conversation.objects.create(account=wechat_account, peer="wxid_c", title="王五", assignee=operator)
    url = reverse("chats:inbox")

    def titles(**params):
        html = operator_client.get(url, params, **HX).content.decode()
        return {t for t in ("张三", "李四群", "王五") if t in html}

    assert titles() == {"张三", "李四群", "王五"}
    assert titles(show="unread") == {"张三"}
    assert titles(kind="group") == {"李四群"}
    assert titles(kind="private") == {"张三", "王五"}
    assert titles(mine="on") == {"王五"}
    assert titles(q="王") == {"王五"}
    assert titles(account=wechat_account.pk, q="张") == {"张三"}
    actions.set_state(conversation=a, state="pending")
    assert titles(show="pending") == {"张三"}
    assert c.pk


def test_the_poll_answers_204_until_something_changes(
    operator_client, conversation, message, callbacks, django_capture_on_commit_callbacks
):
    url = reverse("chats:poll")
    params = {"conversation": conversation.pk, "after": message.pk, "stamp": live.stamp([conversation.account_id])}
    assert operator_client.get(url, params, **HX).status_code == 204
    from tests.chats.conftest import c1

    with django_capture_on_commit_callbacks(execute=True):
        callbacks(c1("新消息来了", frm=conversation.peer))
    response = operator_client.get(url, params, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#messages"' in html and "新消息来了" in html
    assert 'id="conversation-list" class="conversation-list" hx-swap-oob="true"' in html
    assert "消息 0" not in html  # only what came after the last shown message
    conversation.refresh_from_db()
    assert conversation.unread_count == 0  # the open conversation is being read


def test_the_poll_costs_no_query_beyond_the_session_when_nothing_changed(
    operator_client, conversation, message, django_assert_max_num_queries
):
    url = reverse("chats:poll")
    params = {"account": conversation.account_id, "stamp": live.stamp([conversation.account_id])}
    with django_assert_max_num_queries(4):  # session, user, the account check
        assert operator_client.get(url, params, **HX).status_code == 204


def test_history_pages_backwards_without_gaps(operator_client, conversation):
    rows = add_messages(conversation, 75)
    html = operator_client.get(reverse("chats:thread", args=[conversation.pk])).content.decode()
    assert "消息 74" in html and "消息 45" in html and "消息 44<" not in html
    first_shown = rows[45].pk
    older = operator_client.get(reverse("chats:history", args=[conversation.pk]), {"before": first_shown}, **HX)
    text = older.content.decode()
    assert "消息 44" in text and "消息 15" in text and "消息 14<" not in text and "消息 45" not in text
    last = operator_client.get(reverse("chats:history", args=[conversation.pk]), {"before": rows[15].pk}, **HX)
    assert "消息 0" in last.content.decode() and "history-more" not in last.content.decode()


def test_opening_a_conversation_and_the_list_take_a_fixed_number_of_queries(
    operator_client, conversation, django_assert_num_queries, wechat_account, operator
):
    add_messages(conversation, 40)
    for i in range(5):
        actions.send_text(conversation=conversation, text=f"回复{i}", operator=operator, client_key=f"q{i}")
    for i in range(10):
        other = Conversation.objects.create(account=wechat_account, peer=f"wxid_{i}", title=f"客户{i}")
        add_messages(other, 3)
    list_url = reverse("chats:inbox")
    thread_url = reverse("chats:thread", args=[conversation.pk])
    operator_client.get(thread_url)  # warm the session
    with django_assert_num_queries(5):
        operator_client.get(list_url)
    with django_assert_num_queries(13):
        operator_client.get(thread_url)


def test_search_finds_chinese_text_in_a_conversation_and_across_the_account(
    operator_client, conversation, wechat_account
):
    add_messages(conversation, 3)
    other = Conversation.objects.create(account=wechat_account, peer="wxid_o", title="别人")
    Message.objects.create(account=wechat_account, conversation=other, direction="in", content="我想退货，谢谢")
    url = reverse("chats:search")
    html = operator_client.get(url, {"q": "退货", "account": wechat_account.pk}).content.decode()
    assert "我想退货" in html and "别人" in html
    html = operator_client.get(url, {"q": "退货", "conversation": conversation.pk}, **HX).content.decode()
    assert "我想退货" not in html
    html = operator_client.get(url, {"q": "消息 1", "conversation": conversation.pk}, **HX).content.decode()
    assert "消息 1" in html


def test_assign_state_and_private_notes(operator_client, operator, outsider, conversation):
    url = reverse("chats:assign", args=[conversation.pk])
    html = operator_client.post(url, {"assignee": operator.pk}, **HX).content.decode()
    assert 'id="details"' in html
    conversation.refresh_from_db()
    assert conversation.assignee == operator
    assert operator_client.post(url, {"assignee": outsider.pk}).status_code == 404  # not an operator of the account
    response = operator_client.post(reverse("chats:state", args=[conversation.pk]), {"state": "done"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.state == "done"
    html = operator_client.post(
        reverse("chats:note", args=[conversation.pk]), {"body": "<b>VIP</b> 客户"}, **HX
    ).content.decode()
    assert "&lt;b&gt;VIP&lt;/b&gt; 客户" in html
    assert Note.objects.get().author == operator
    mine = operator_client.get(reverse("chats:inbox"), {"mine": "on"}, **HX).content.decode()
    assert "顾客甲" in mine


def test_text_send_htmx_shows_the_message_as_sending_and_a_double_click_is_one(operator_client, conversation):
    url = reverse("chats:send", args=[conversation.pk])
    data = {"kind": "text", "text": "您好 😀", "client_key": "dbl-1", "after": 0}
    first = operator_client.post(url, data, **HX)
    second = operator_client.post(url, data, **HX)
    assert first.status_code == second.status_code == 200
    html = first.content.decode()
    assert "您好 😀" in html and 'data-status="sending"' in html and 'id="composer"' in html
    assert 'value="dbl-1"' not in html  # a fresh key for the next message
    assert Message.objects.count() == 1 and OutboxEntry.objects.count() == 1
    entry = OutboxEntry.objects.get()
    assert entry.method == "send_message"
    assert entry.params == {
        "my_account": "damibtc",
        "to_account": "wxid_friend01",
        "content": "您好 😀",
        "content_type": 1,
    }


def test_full_page_send_redirects_and_errors_are_shown(operator_client, conversation):
    url = reverse("chats:send", args=[conversation.pk])
    response = operator_client.post(url, {"kind": "text", "text": "hi", "client_key": "fp"})
    assert response.status_code == 302 and response["Location"] == reverse("chats:thread", args=[conversation.pk])
    response = operator_client.post(url, {"kind": "link", "title": "", "url": "", "client_key": "e1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and "errorlist" in html
    htmx = operator_client.post(url, {"kind": "text", "text": "", "client_key": "e2"}, **HX)
    assert htmx.status_code == 200 and "errorlist" in htmx.content.decode()
    assert Message.objects.count() == 1


def test_uploads_are_checked_for_size_and_type(operator_client, conversation, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.CHAT_IMAGE_MAX_BYTES = 1000
    url = reverse("chats:send", args=[conversation.pk])

    def send(name, body, key, **extra):
        upload = SimpleUploadedFile(name, body)
        return operator_client.post(url, {"kind": "upload", "upload": upload, "client_key": key, **extra}, **HX)

    html = send("big.png", b"0" * 2000, "u1").content.decode()
    assert "big.png is 0.0 MB; the limit for this kind is 0 MB." in html
    assert "not a GIF" in send("fake.gif", b"hello", "u2").content.decode()
    assert "cannot be sent" in send("run.exe", b"MZ", "u3").content.decode()
    import shutil

    if not shutil.which("ffmpeg"):
        assert "SILK or WAV" in send("voice.mp3", b"ID3" + b"0" * 10, "u4").content.decode()
    assert not Message.objects.exists()


def test_a_gif_carries_its_md5_and_size(operator_client, conversation, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PUBLIC_BASE_URL = "https://console.example.com"
    body = b"GIF89a" + b"\x00" * 50
    upload = SimpleUploadedFile("dance.gif", body)
    operator_client.post(
        reverse("chats:send", args=[conversation.pk]), {"kind": "upload", "upload": upload, "client_key": "g"}
    )
    entry = OutboxEntry.objects.get()
    import hashlib

    attachment = Attachment.objects.get()
    assert entry.params["content_type"] == 15
    assert entry.params["img_md5"] == hashlib.md5(body).hexdigest()
    assert entry.params["img_size"] == len(body)
    assert entry.params["content"] == f"https://console.example.com/media/chats/{attachment.token}/dance.gif"


def test_a_wav_upload_is_sent_as_silk_and_plays_back_as_wav(operator_client, conversation, settings, tmp_path):
    import math
    import struct
    import wave

    settings.MEDIA_ROOT = str(tmp_path)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24000)
        w.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(i / 9))) for i in range(24000 * 3)))
    upload = SimpleUploadedFile("hello.wav", buf.getvalue())
    operator_client.post(
        reverse("chats:send", args=[conversation.pk]), {"kind": "upload", "upload": upload, "client_key": "v"}
    )
    message = Message.objects.get()
    assert message.content_type == 4 and message.voice_len == 3 and message.file_name == "hello.silk"
    assert message.attachment.file.read().startswith(b"\x02#!SILK_V3")
    audio = operator_client.get(reverse("chats:audio", args=[message.pk]))
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/wav"
    assert b"".join(audio.streaming_content).startswith(b"RIFF")


def test_an_mp3_upload_is_converted_to_silk_without_ffmpeg(operator_client, conversation, settings, tmp_path):
    from pathlib import Path

    settings.MEDIA_ROOT = str(tmp_path)
    mp3 = (Path(__file__).resolve().parent.parent / "fixtures" / "voice-2s.mp3").read_bytes()
    upload = SimpleUploadedFile("note.mp3", mp3)
    operator_client.post(
        reverse("chats:send", args=[conversation.pk]), {"kind": "upload", "upload": upload, "client_key": "m"}
    )
    message = Message.objects.get()
    assert message.content_type == 4 and message.file_name == "note.silk" and message.voice_len == 2
    assert message.attachment.file.read().startswith(b"\x02#!SILK_V3")


def test_retry_requeues_a_failed_message(operator_client, failed):
    html = operator_client.get(reverse("chats:thread", args=[failed.conversation_id])).content.decode()
    assert "微信不在线" in html and reverse("chats:retry", args=[failed.pk]) in html
    response = operator_client.post(reverse("chats:retry", args=[failed.pk]), **HX)
    assert 'data-status="sending"' in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "queued" and failed.error == ""
    assert OutboxEntry.objects.get().status == "queued"


def test_the_rate_limit_wait_is_shown(operator_client, conversation, operator):
    from datetime import timedelta

    from django.utils import timezone

    message = actions.send_text(conversation=conversation, text="等等", operator=operator, client_key="rl")
    OutboxEntry.objects.filter(pk=message.outbox_id).update(next_attempt_at=timezone.now() + timedelta(seconds=30))
    html = operator_client.get(reverse("chats:thread", args=[conversation.pk])).content.decode()
    assert 'data-status="waiting"' in html


def test_quick_replies_admins_manage_operators_pick_with_placeholders(admin_client, operator_client, conversation):
    url = reverse("chats:quick_replies")
    assert operator_client.get(url).status_code == 404
    assert operator_client.post(url, {"title": "x", "body": "y"}).status_code == 404
    response = admin_client.post(url, {"title": "问候", "body": "{name} 您好，我是{account}的客服", "position": 1})
    assert response.status_code == 302
    html = operator_client.get(reverse("chats:thread", args=[conversation.pk])).content.decode()
    assert 'data-body="顾客甲 您好，我是大米的客服"' in html
    reply = QuickReply.objects.get()
    assert operator_client.post(reverse("chats:quick_reply_delete", args=[reply.pk])).status_code == 404
    admin_client.post(reverse("chats:quick_reply_delete", args=[reply.pk]))
    assert not QuickReply.objects.exists()


def test_open_chat_creates_the_conversation_once_and_contacts_link_works(operator_client, wechat_account):
    from contacts.models import Friend

    friend = Friend.objects.create(account=wechat_account, username="wxid_new", nickname="新朋友")
    url = reverse("chats:open", args=[wechat_account.pk, "wxid_new"])
    first = operator_client.get(url)
    second = operator_client.get(reverse("chats:thread", args=[wechat_account.pk, friend.pk]))
    conversation = Conversation.objects.get()
    assert first["Location"] == second["Location"] == reverse("chats:thread", args=[conversation.pk])
    assert conversation.title == "新朋友"
