"""Real WeChat message contents (tests/fixtures/real_payloads/, copied from public projects that
captured them from real accounts): each one posted through the callback URL as the provider
does (form-encoded `data=<json>`), then read off the conversation page as a person sees it.

SOURCES.md in that folder says where each payload came from and what must show; manifest.json
is its machine-readable form. The UI language is the default, Simplified Chinese.
"""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from chats.models import Conversation, Message
from tests.chats.conftest import c1, c2
from tests.pages import raw_xml_leaks, read

pytestmark = pytest.mark.django_db

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "real_payloads"
MANIFEST = json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))["payloads"]
PAYLOADS = {entry["name"]: entry for entry in MANIFEST}

# The one-line summary the inbox list shows for each payload ("sender: " before group messages,
# not before the group's system lines).
PREVIEWS = {
    "image__1": "[图片]",
    "voice__1": "[语音] 3″",
    "video__1": "[视频] 0:03",
    "emoji__1": "[动画表情]",
    "card__1": "[名片] Ashley",
    "card__3": "[名片] 苏畅👾",
    "link__1": "[链接] 尔滨，又有好消息！",
    "group_invite__1": "[群邀请] Dromara-SMS4J短信融合",
    "file__1": "[文件] 滴滴出行行程报销单.pdf",
    "file__4": "[文件] 111.txt",
    "miniprogram__2": "[小程序] 腾讯云助手",
    "quote__1": "[引用] 看看这个",
    "chat_history__2": "李四: [聊天记录] 群聊的聊天记录",
    "music__1": "李四: [音乐] Don't Break My Heart",
    "channels__1": "[视频号] 国风锦鲤: 还招人么？我不要工资#逆水寒cos",
    "location__1": "[位置] 北京天安门广场",
    "transfer__1": "[转账] ￥0.10",
    "red_packet__1": "[红包] 恭喜发财，大吉大利",
    "revoke__1": '"朝夕。" 撤回了一条消息',
    "revoke__3": "你撤回了一条消息",
    "pat__1": '"顾客甲" 拍了拍我',
    "group_join__1": '"🌙 周星星🌙(管理)"邀请"大辉辉"加入了群聊',
    "group_kick__1": '你将"白开水加糖"移出了群聊',
    "group_dissolve__1": '群主"朝夕。"已解散该群聊',
    "group_text__1": "你修改群名为“GeWe test1”",
    "group_notice__1": "李四: [群公告] 群公告哈1",
}


@pytest.fixture(autouse=True)
def _english():
    """Not English here: the page is read in the default language, Simplified Chinese."""


def content_of(name):
    return (FOLDER / PAYLOADS[name]["file"]).read_text(encoding="utf-8")


def deliver(callbacks, name):
    """Post the payload as the provider would (C1 messagelog or C2 crowdlog, form-encoded)."""
    entry = PAYLOADS[name]
    extra = {"content_type": entry["content_type"], "file_name": entry["file_name"], "voice_len": entry["voice_len"]}
    data = c2(content_of(name), **extra) if entry["chat"] == "group" else c1(content_of(name), **extra)
    delivery = callbacks(data)
    assert delivery.status == "processed", delivery.error
    return Message.objects.get(msgid=data["msgid"])


def page_of(client, conversation):
    response = client.get(reverse("chats:thread", args=[conversation.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_each_real_payload_reads_as_wechat_shows_it(callbacks, operator_client, wechat_account, name):
    entry = PAYLOADS[name]
    message = deliver(callbacks, name)
    page = page_of(operator_client, message.conversation)

    assert raw_xml_leaks(page) == [], name
    log_text, images, title = read(page, "messages")
    for fact in entry["expect"]:
        if fact.startswith("img:"):
            assert any(src.startswith(fact[4:]) for src in images), (name, fact, images)
        else:
            assert fact in log_text, (name, fact, log_text)
    page_text, _images, _title = read(page)
    for forbidden in entry["forbid"]:
        assert forbidden not in page_text and forbidden not in title, (name, forbidden)

    preview = read(page, f"conv-{message.conversation_id}")[0]
    assert raw_xml_leaks(preview) == [] and "<" not in preview, (name, preview)
    if name in PREVIEWS:
        assert PREVIEWS[name] in preview, (name, preview)


def test_the_thread_page_shows_no_flash_banner_for_chat_messages(callbacks, operator_client, wechat_account):
    """The thread's messages are not Django's flash messages (base.html prints those as a banner)."""
    message = deliver(callbacks, "link__1")
    page = page_of(operator_client, message.conversation)
    assert 'class="messages"' not in page


def test_a_pat_names_the_group_member_from_the_member_list(callbacks, operator_client, wechat_account):
    from groups.models import Group, GroupMember

    group = Group.objects.create(account=wechat_account, number="237576396656@chatroom", name="周末爬山群")
    GroupMember.objects.create(group=group, username="wxid_gqhxp9ipfxv222", nickname="帅哥", display_name="帅哥-）")
    message = deliver(callbacks, "pat__2")
    page = page_of(operator_client, message.conversation)
    assert '"帅哥-）" 拍了拍我' in read(page, "messages")[0]


def test_a_revoke_marks_the_stored_message_and_keeps_its_content(callbacks, operator_client, wechat_account):
    original = callbacks(c1("这条我说错了", msgid="5576224237104747184"))
    assert original.status == "processed"
    deliver(callbacks, "revoke__1")
    revoked = Message.objects.get(msgid="5576224237104747184")
    assert revoked.revoked_at is not None and revoked.content == "这条我说错了"
    page = page_of(operator_client, revoked.conversation)
    text = read(page, "messages")[0]
    assert "这条我说错了" in text and "已撤回" in text and '"朝夕。" 撤回了一条消息' in text


def test_a_quote_links_to_the_quoted_message_when_it_is_stored(callbacks, operator_client, wechat_account):
    callbacks(c2("luv", frm="lisongj398156529", name="卡面来打李", msgid="1604224351016489853"))
    quoted = Message.objects.get(msgid="1604224351016489853")
    deliver(callbacks, "quote__2")
    page = page_of(operator_client, Conversation.objects.get())
    assert f'href="#msg-{quoted.pk}"' in page
