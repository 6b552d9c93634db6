"""Callback intake: every fixture through the view in the three encodings, then the edge cases.

Fixtures are real-shaped payloads in tests/fixtures/provider/<kind>__<variant>.json (the seed's
examples corrected per E-12, plus variants). `check_callback` posts one in raw JSON, as a form
with JSON strings, and in PHP bracket notation, and checks every answer and stored delivery.
"""

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.events import mark_logout_requested
from accounts.models import AccountEvent, LoginSession, WeChatAccount
from chats.models import Conversation, Message
from contacts.models import ContactLookup, Friend, FriendRequest, FriendSync, Label
from groups.models import Group, GroupMember
from moments.models import Moment
from provider import metrics
from provider.callbacks import tasks
from provider.callbacks.decoding import decode_body
from provider.callbacks.urls import GLOBAL_CHANNELS, callback_url
from provider.models import CallbackDelivery

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "provider"
ENCODINGS = ("json", "form-json", "form-php")
FORM = "application/x-www-form-urlencoded"
SECRET = "test-callback-secret"
SUCCESS = {"code": 1, "msg": "success"}

# Where each kind is delivered (§0, docs/client-methods.md "Callback URLs").
CHANNEL_OF = {
    "message": "messagelog",
    "group_message": "crowdlog",
    "friend_added": "addfriendlog",
    "account_status": "wacatout",
    "scan_confirmed": "wacatout",
    "group_member_joined": "addgrouplog",
    "friend_request": "newfriendlog",
    "friend_deleted": "delfriendlog",
    "contact_info": "callbackSend",
    "label_list": "callbackSend",
    "friend_notice": "callbackSend",
    "qr_code": "scan",
    "friend_page": "friends",
    "group_members": "group-members",
    "group_qrcode": "group-qrcode",
    "group_created": "group-created",
    "moments": "moments",
    "label_result": "labels",
    "labels_deleted": "labels-deleted",
    "zombie_result": "zombie",
    "moment_posted": "moment-posted",
    "unknown": "messagelog",
}


@pytest.fixture(autouse=True)
def callback_settings(settings):
    settings.CALLBACK_SECRET = SECRET
    settings.CALLBACK_PROCESS_INLINE = True  # the deferred path has its own test below
    settings.PUBLIC_BASE_URL = "http://console.test"
    return settings


def load(fixture):
    return json.loads((FIXTURES / f"{fixture}.json").read_text(encoding="utf-8"))


def _php_pairs(prefix, value):
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return [pair for key, inner in items for pair in _php_pairs(f"{prefix}[{key}]", inner)]
    return [(prefix, "" if value is None else str(value))]


def encode(payload, encoding):
    """Body and content type as a provider of this kind sends them (§1.6)."""
    if encoding == "json":
        return json.dumps(payload, ensure_ascii=False).encode(), "application/json"
    if encoding == "form-php":
        return urlencode([p for key, value in payload.items() for p in _php_pairs(key, value)]).encode(), FORM
    fields = [
        (key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value))
        for key, value in payload.items()
    ]
    return urlencode(fields).encode(), FORM


def path_for(channel, secret=SECRET, **query):
    path = f"/callbacks/{secret}/{channel}/"
    return f"{path}?{urlencode(query)}" if query else path


def post(client, channel, body, content_type, **query):
    return client.post(path_for(channel, **query), data=body, content_type=content_type)


def check_callback(client, fixture, *, channel=None, query=None, statuses=None, encodings=ENCODINGS):
    """Post a fixture once per encoding; each answer is 200 success and each delivery is stored
    with the fixture's kind. The first is processed and the repeats duplicates unless `statuses`
    says otherwise. Returns the deliveries."""
    kind = fixture.split("__")[0]
    payload = load(fixture)
    statuses = statuses or ("processed",) + ("duplicate",) * (len(encodings) - 1)
    deliveries = []
    for encoding, expected in zip(encodings, statuses, strict=True):
        body, content_type = encode(payload, encoding)
        response = post(client, channel or CHANNEL_OF[kind], body, content_type, **(query or {}))
        assert response.status_code == 200
        assert response.json() == SUCCESS
        delivery = CallbackDelivery.objects.order_by("-pk").first()
        assert bytes(delivery.body) == body
        assert delivery.kind == kind, (encoding, delivery.error)
        assert delivery.status == expected, (encoding, delivery.error)
        assert delivery.attempts == 1
        deliveries.append(delivery)
    return deliveries


# --- one test per fixture -----------------------------------------------------------------------


def test_seed_message_is_recorded_once_as_incoming(client, wechat_account):
    check_callback(client, "message__seed_text")
    message = Message.objects.get()
    assert (message.account, message.msgid, message.direction) == (wechat_account, "8012345678901234567", "in")
    assert (message.content, message.content_type, message.sender) == ("556", 1, "wxid_friend01")
    conversation = message.conversation
    assert (conversation.peer, conversation.kind, conversation.title) == ("wxid_friend01", "private", "12")
    assert (conversation.unread_count, conversation.last_message_preview) == (1, "556")


def test_message_without_msgid_is_never_deduplicated(client, wechat_account):
    check_callback(client, "message__seed_without_msgid", statuses=("processed",) * 3)
    assert Message.objects.count() == 3
    assert set(Message.objects.values_list("direction", flat=True)) == {"out"}
    assert Conversation.objects.get().unread_count == 0


def test_outgoing_message_from_the_phone_matches_the_account_by_wxid(client, wechat_account):
    check_callback(client, "message__outgoing_from_phone")
    message = Message.objects.get()
    assert (message.direction, message.status, message.content) == ("out", "sent", "好的，明天见")
    assert message.sender == "wxid_7mx5bzt1qz12"
    assert Conversation.objects.get().unread_count == 0


def test_image_message_uses_send_time_and_keeps_emoji_names(client, wechat_account):
    check_callback(client, "message__image_with_send_time")
    message = Message.objects.get()
    assert message.sent_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert message.content_type == 2
    conversation = message.conversation
    assert conversation.title == "Gu🦑"
    assert (conversation.last_message_kind, conversation.last_message_preview) == ("image", "")


def test_seed_group_message_without_msgid_goes_to_the_group_conversation(client, wechat_account):
    check_callback(client, "group_message__seed", statuses=("processed",) * 3)
    assert Message.objects.count() == 3
    conversation = Conversation.objects.get()
    assert (conversation.kind, conversation.peer) == ("group", "237576396656@chatroom")
    assert conversation.title == "为了美好的明天而战888"
    assert conversation.unread_count == 3
    assert set(Message.objects.values_list("sender", "direction")) == {("damibtc2", "in")}


def test_full_group_message_is_deduplicated_by_msgid(client, wechat_account):
    check_callback(client, "group_message__full")
    message = Message.objects.get()
    assert (message.sender, message.sender_name, message.content) == ("wxid_member01", "李四", "@大米 周六几点？😀")
    assert message.sent_at == datetime(2023, 11, 14, 22, 15, tzinfo=UTC)
    conversation = message.conversation
    assert (conversation.last_message_sender, conversation.last_message_kind) == ("李四", "")
    assert conversation.last_message_preview == "@大米 周六几点？😀"


def test_seed_friend_added_creates_the_friend(client, wechat_account):
    FriendRequest.objects.create(account=wechat_account, username="66s")
    check_callback(client, "friend_added__seed")
    friend = Friend.objects.get()
    assert (friend.username, friend.nickname, friend.sex, friend.removed_at) == ("66s", "damibtc", 1, None)
    assert FriendRequest.objects.get().status == FriendRequest.Status.ACCEPTED


def test_seed_login_creates_the_account_once_and_puts_the_session_online(client):
    session = LoginSession.objects.create(token=uuid.uuid4(), task_id=34100, status=LoginSession.Status.SCANNED)
    check_callback(client, "account_status__seed_login")
    account = WeChatAccount.objects.get()
    assert (account.account, account.status, account.nickname) == ("damibtc", "online", "1266")
    assert account.first_login_at and account.last_login_at and account.last_seen_at
    assert AccountEvent.objects.filter(account=account, kind="login").count() == 1
    session.refresh_from_db()
    assert (session.status, session.account) == ("online", account)


def test_login_for_a_known_account_updates_it_instead_of_duplicating(client, wechat_account):
    wechat_account.status = WeChatAccount.Status.OFFLINE
    wechat_account.save()
    check_callback(client, "account_status__seed_login")
    account = WeChatAccount.objects.get()
    assert account.pk == wechat_account.pk
    assert (account.status, account.wxid) == ("online", "wxid_7mx5bzt1qz12")


def test_unexpected_logout_marks_the_account_offline_unexpectedly(client, wechat_account):
    check_callback(client, "account_status__logout")
    wechat_account.refresh_from_db()
    assert (wechat_account.status, wechat_account.offline_unexpectedly) == ("offline", True)
    assert AccountEvent.objects.get().kind == "offline"


def test_requested_logout_is_not_unexpected(client, wechat_account):
    mark_logout_requested(wechat_account)
    check_callback(client, "account_status__logout", encodings=("form-json",))
    wechat_account.refresh_from_db()
    assert (wechat_account.status, wechat_account.offline_unexpectedly) == ("offline", False)
    assert AccountEvent.objects.get().kind == "logout"


def test_seed_member_joined_matches_the_account_by_its_nickname(client, wechat_account):
    check_callback(client, "group_member_joined__seed")
    member = GroupMember.objects.get()
    assert (member.group.number, member.group.account, member.username) == (
        "76655666@chatroom",
        wechat_account,
        "wxid_joiner",
    )
    assert member.nickname == "1266"


def test_seed_friend_request_is_stored_with_its_greeting(client, wechat_account):
    check_callback(client, "friend_request__seed")
    request = FriendRequest.objects.get()
    assert (request.username, request.wxid, request.nickname) == ("yizhimao", "wxid_95z5p9j8crbc22", "一只猫")
    assert (request.greeting, request.source, request.status) == ("我是一只猫", "通过扫码添加", 0)
    assert request.ticket.endswith("@stranger")


def test_seed_friend_deleted_marks_the_friend_removed_and_keeps_the_chat(client, wechat_account):
    friend = Friend.objects.create(account=wechat_account, username="wxid_friend01")
    conversation = Conversation.objects.create(account=wechat_account, peer="wxid_friend01")
    Message.objects.create(account=wechat_account, conversation=conversation, direction="in", content="hi")
    check_callback(client, "friend_deleted__seed")
    friend.refresh_from_db()
    assert friend.removed_at is not None
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_seed_contact_info_answers_the_lookup_with_the_same_extend(client, wechat_account):
    lookup = ContactLookup.objects.create(account=wechat_account, query="gu_squid", extend="这边是获取微信好友列表")
    check_callback(client, "contact_info__seed")
    lookup.refresh_from_db()
    assert lookup.result["nickname"] == "Gu🦑"
    assert lookup.result["avatar_url"].startswith("http://wx.qlogo.cn/mmhead/")
    assert lookup.answered_at is not None


def test_label_list_replaces_the_stored_labels(client, wechat_account):
    Label.objects.create(account=wechat_account, label_id=99, name="旧标签")
    check_callback(client, "label_list__simulator")
    assert dict(Label.objects.values_list("label_id", "name")) == {6: "你好", 7: "客户"}


def test_seed_scan_confirmed_creates_the_account_with_unescaped_avatar(client):
    session = LoginSession.objects.create(token=uuid.uuid4(), task_id=40074, status=LoginSession.Status.QR_READY)
    check_callback(client, "scan_confirmed__seed")
    account = WeChatAccount.objects.get()
    assert (account.account, account.wxid, account.nickname) == ("damibtc", "wxid_7mx5bzt1qz12", "大米")
    assert account.avatar_url.startswith("http://wx.qlogo.cn/mmhead/ver_1/GL1FAS")
    assert "\\" not in account.avatar_url
    session.refresh_from_db()
    assert (session.status, session.account) == ("scanned", account)


def test_seed_qr_code_reaches_the_session_named_in_the_url(client):
    session = LoginSession.objects.create(token=uuid.uuid4())
    check_callback(client, "qr_code__seed", query={"req": str(session.token)})
    session.refresh_from_db()
    assert (session.status, session.task_id) == ("qr_ready", 40074)
    assert session.qr_url == "https://xxxx/b0fdf40df44c3431601e59e988ee9f3.jpg"


def test_escaped_qr_code_without_a_session_gets_one(client):
    check_callback(client, "qr_code__escaped_with_code")
    session = LoginSession.objects.get()
    assert (session.task_id, session.status, session.qr_url) == (40075, "qr_ready", "https://xxxx/qr.png?a=1&b=2")


def test_friend_page_upserts_friends_and_finishes_the_sync(client, wechat_account):
    Label.objects.create(account=wechat_account, label_id=6, name="你好")
    check_callback(client, "friend_page__page1", query={"req": "sync-1"})
    sync = FriendSync.objects.get()
    assert (sync.request_id, sync.status, sync.total, sync.received, sync.pages) == ("sync-1", "done", 2, 2, {"1": 2})
    zhang = Friend.objects.get(username="wxid_a")
    assert (zhang.nickname, zhang.remark, zhang.do_not_disturb) == ("张三", "老张", False)
    assert list(zhang.labels.values_list("label_id", flat=True)) == [6]
    zhao = Friend.objects.get(username="zhaoliu")
    assert (zhao.nickname, zhao.wxid, zhao.sex, zhao.do_not_disturb) == ("赵六🍀", "wxid_b", 2, True)
    assert zhao.avatar_url == "http://wx.qlogo.cn/b"


def test_group_members_list_replaces_the_members(client, wechat_account):
    group = Group.objects.create(account=wechat_account, number="237576396656@chatroom")
    GroupMember.objects.create(group=group, username="wxid_gone")
    check_callback(client, "group_members__simulator", statuses=("processed",) * 3)
    present = GroupMember.objects.filter(removed_at__isnull=True)
    expected = {("wxid_member01", "四哥"), ("wxid_7mx5bzt1qz12", "")}
    assert set(present.values_list("username", "display_name")) == expected
    assert GroupMember.objects.get(username="wxid_gone").removed_at is not None


def test_group_qrcode_is_stored_on_the_group(client, wechat_account):
    check_callback(client, "group_qrcode__simulator")
    group = Group.objects.get()
    assert (group.number, group.qr_code_url, group.name) == (
        "237576396656@chatroom",
        "https://xxxx/group-qr.png",
        "周末爬山群",
    )


def test_seed_group_created_result_creates_the_group(client, wechat_account):
    check_callback(client, "group_created__seed")
    group = Group.objects.get()
    assert (group.account, group.number, group.name) == (wechat_account, "22156949594@chatroom", "从来处来从去处去")


def test_moments_are_upserted_by_status_id(client, wechat_account):
    check_callback(client, "moments__simulator")
    first, second = Moment.objects.order_by("status_id")
    assert (first.author, first.text, first.media_type) == ("wxid_friend01", "今天天气不错☀️", 1)
    assert first.media_urls == ["https://img.example.com/1.jpg", "https://img.example.com/2.jpg"]
    assert (second.media_type, second.media_urls) == (2, [])


def test_seed_label_created_result_finds_the_owner_in_the_info(client, wechat_account):
    check_callback(client, "label_result__seed_created", statuses=("processed",) * 3)
    assert list(Label.objects.values_list("account", "label_id", "name")) == [(wechat_account.pk, 6, "你好")]


def test_labels_deleted_result_removes_the_labels(client, wechat_account):
    Label.objects.create(account=wechat_account, label_id=6, name="你好")
    Label.objects.create(account=wechat_account, label_id=7, name="客户")
    check_callback(client, "labels_deleted__simulator")
    assert list(Label.objects.values_list("label_id", flat=True)) == [7]


def test_zombie_result_flags_the_friend(client, wechat_account):
    Friend.objects.create(account=wechat_account, username="wxid_friend01")
    check_callback(client, "zombie_result__simulator", statuses=("processed",) * 3)
    friend = Friend.objects.get()
    assert friend.is_zombie is True
    assert friend.zombie_checked_at is not None


def test_moment_posted_result_marks_the_queued_post_posted(client, wechat_account):
    moment = Moment.objects.create(account=wechat_account, text="hi", status=Moment.Status.QUEUED)
    check_callback(client, "moment_posted__simulator", query={"moment": moment.pk})
    moment.refresh_from_db()
    assert (moment.status, moment.status_id) == ("posted", "13000000000000000009")


def test_friend_notice_is_only_stored(client, wechat_account):
    deliveries = check_callback(client, "friend_notice__add", statuses=("processed",) * 3)
    assert all(delivery.error == "" for delivery in deliveries)


def test_unknown_kind_is_stored_as_ignored_and_answered_200(client, wechat_account):
    check_callback(client, "unknown__no_known_shape", statuses=("ignored",) * 3)
    assert Message.objects.count() == 0


# --- the guard ----------------------------------------------------------------------------------


def test_wrong_secret_answers_404_and_stores_nothing(client, wechat_account):
    body, content_type = encode(load("message__seed_text"), "json")
    response = client.post(path_for("messagelog", secret="wrong"), data=body, content_type=content_type)
    assert response.status_code == 404
    assert CallbackDelivery.objects.count() == 0
    assert Message.objects.count() == 0


def test_unknown_channel_under_the_right_secret_answers_404(client):
    response = client.post(path_for("nosuchchannel"), data=b"{}", content_type="application/json")
    assert response.status_code == 404
    assert CallbackDelivery.objects.count() == 0


def test_get_answers_405(client):
    response = client.get(path_for("messagelog"))
    assert response.status_code == 405
    assert CallbackDelivery.objects.count() == 0


def test_body_over_the_limit_answers_413_and_is_counted_as_rejected(client, settings):
    settings.CALLBACK_MAX_BYTES = 64
    before = metrics.snapshot()["callback_totals"]["rejected"]
    response = post(client, "messagelog", b"x" * 65, FORM)
    assert response.status_code == 413
    assert CallbackDelivery.objects.count() == 0
    assert metrics.snapshot()["callback_totals"]["rejected"] == before + 1


def test_body_at_the_limit_is_accepted(client, settings):
    settings.CALLBACK_MAX_BYTES = 64
    assert post(client, "messagelog", b"a=" + b"x" * 62, FORM).status_code == 200


def test_callback_url_builds_the_documented_address(settings):
    assert callback_url("friends", req="abc") == f"http://console.test/callbacks/{SECRET}/friends/?req=abc"
    assert callback_url("messagelog") == f"http://console.test/callbacks/{SECRET}/messagelog/"
    with pytest.raises(ValueError):
        callback_url("nope")


# --- body shapes ----------------------------------------------------------------------------------


def test_emoji_and_chinese_survive_every_encoding(client, wechat_account):
    payload = {"data": {**load("message__seed_text")["data"], "to_name": "Gu🦑", "content": "你好 Gu🦑 👍"}}
    for index, encoding in enumerate(ENCODINGS):
        payload["data"]["msgid"] = f"emoji-{index}"
        body, content_type = encode(payload, encoding)
        assert post(client, "messagelog", body, content_type).status_code == 200
    assert set(Message.objects.values_list("content", flat=True)) == {"你好 Gu🦑 👍"}
    assert Message.objects.count() == 3
    assert Conversation.objects.get().title == "Gu🦑"


def test_multipart_form_with_a_json_data_field_is_accepted(client, wechat_account):
    data = json.dumps(load("message__seed_text")["data"], ensure_ascii=False)
    response = client.post(path_for("messagelog"), data={"data": data})  # multipart/form-data
    assert response.status_code == 200
    assert CallbackDelivery.objects.get().content_type.startswith("multipart/form-data")
    assert Message.objects.get().content == "556"


def test_json_posted_as_the_only_form_key_is_accepted(client, wechat_account):
    body = json.dumps(load("message__seed_text"), ensure_ascii=False).encode()
    response = post(client, "messagelog", urlencode({body.decode(): ""}).encode(), FORM)
    assert response.status_code == 200
    assert CallbackDelivery.objects.get().status == "processed"


def test_gbk_form_with_its_charset_is_decoded():
    body = urlencode({"data": json.dumps({"nickname": "一只猫"}, ensure_ascii=False)}, encoding="gbk").encode()
    assert decode_body(body, "application/x-www-form-urlencoded; charset=GBK") == {"data": {"nickname": "一只猫"}}


def test_php_bracket_lists_are_rebuilt_in_index_order():
    body = b"data[1][type]=2&data[0][type]=1&data[0][account]=a&x[]=p&x[]=q"
    assert decode_body(body, FORM) == {"data": [{"type": "1", "account": "a"}, {"type": "2"}], "x": ["p", "q"]}


def test_bracketed_text_in_a_message_stays_text():
    body = urlencode({"content": "[微笑]", "data": "[]"}).encode()
    assert decode_body(body, FORM) == {"content": "[微笑]", "data": []}


# --- idempotency ----------------------------------------------------------------------------------


def test_same_msgid_delivered_100_times_is_one_message(client, wechat_account):
    body, content_type = encode(load("message__seed_text"), "form-json")
    for _ in range(100):
        assert post(client, "messagelog", body, content_type).status_code == 200
    assert Message.objects.count() == 1
    assert Conversation.objects.get().unread_count == 1
    statuses = list(CallbackDelivery.objects.values_list("status", flat=True))
    assert statuses.count("processed") == 1
    assert statuses.count("duplicate") == 99


def _friend_page(page, total, usernames):
    return {
        "my_account": "damibtc",
        "currentPage": str(page),
        "total": total,
        "info": [
            {"account": name, "account_alias": f"wxid_{name}", "name": f"好友{name}", "sex": 0} for name in usernames
        ],
    }


def _post_page(client, page, total, usernames, req="sync-x", encoding="form-json"):
    body, content_type = encode(_friend_page(page, total, usernames), encoding)
    assert post(client, "friends", body, content_type, req=req).status_code == 200
    return CallbackDelivery.objects.order_by("-pk").first()


def test_friend_page_delivered_twice_gives_the_same_friends(client, wechat_account):
    names = [f"f{i:03}" for i in range(100)]
    first = _post_page(client, 1, 150, names)
    before = sorted(Friend.objects.values_list("username", "nickname"))
    second = _post_page(client, 1, 150, names, encoding="form-php")
    assert (first.status, second.status) == ("processed", "duplicate")
    assert sorted(Friend.objects.values_list("username", "nickname")) == before
    assert Friend.objects.count() == 100
    sync = FriendSync.objects.get()
    assert (sync.received, sync.status) == (100, "running")


def test_friend_pages_out_of_order_finish_the_sync_and_mark_missing_friends_removed(client, wechat_account):
    Friend.objects.create(account=wechat_account, username="old_friend")
    pages = {1: [f"a{i:03}" for i in range(100)], 2: [f"b{i:03}" for i in range(100)], 3: ["c000", "c001"]}
    for page in (3, 1, 2):
        _post_page(client, page, 202, pages[page], req="sync-ooo", encoding="json")
        sync = FriendSync.objects.get(request_id="sync-ooo")
        assert sync.status == ("done" if page == 2 else "running")
    assert sync.received == 202
    assert Friend.objects.present().count() == 202
    assert Friend.objects.get(username="old_friend").removed_at is not None


# --- failures and replay --------------------------------------------------------------------------


def test_malformed_body_is_kept_as_failed_with_its_error(client, wechat_account):
    response = post(client, "messagelog", b"data={not json", FORM)
    assert response.status_code == 200
    assert response.json() == SUCCESS
    delivery = CallbackDelivery.objects.get()
    assert delivery.status == "failed"
    assert "DecodeError" in delivery.error and "'data'" in delivery.error
    assert delivery.body_text == "data={not json"


def test_truncated_non_utf8_body_is_kept_as_failed(client):
    post(client, "messagelog", b'{"data": [{"my_account": "\xff\xfe', "application/json")
    delivery = CallbackDelivery.objects.get()
    assert (delivery.status, delivery.kind) == ("failed", "")
    assert "DecodeError" in delivery.error


def test_message_for_an_unknown_account_fails_then_replays_after_the_fix(client, capsys):
    body, content_type = encode(load("message__seed_text"), "form-php")
    assert post(client, "messagelog", body, content_type).status_code == 200
    delivery = CallbackDelivery.objects.get()
    assert (delivery.status, delivery.kind) == ("failed", "message")
    assert "no WeChat account matches my_account='damibtc'" in delivery.error
    assert Message.objects.count() == 0

    WeChatAccount.objects.create(account="damibtc", wxid="wxid_7mx5bzt1qz12")
    call_command("replay_callbacks")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error, delivery.attempts) == ("processed", "", 2)
    assert Message.objects.get().content == "556"
    assert "Replayed 1 deliveries: processed 1" in capsys.readouterr().out


def test_replay_filters_by_id_kind_and_status(client, wechat_account, capsys):
    body, content_type = encode(load("unknown__no_known_shape"), "json")
    post(client, "messagelog", body, content_type)
    ignored = CallbackDelivery.objects.get()
    call_command("replay_callbacks", "--kind", "message")
    assert "nothing to do" in capsys.readouterr().out
    call_command("replay_callbacks", "--status", "ignored", "--id", str(ignored.pk))
    assert "ignored 1" in capsys.readouterr().out


def test_deferred_mode_stores_first_and_a_drain_processes_in_order(client, wechat_account, settings, monkeypatch):
    settings.CALLBACK_PROCESS_INLINE = False
    published = []
    monkeypatch.setattr(tasks.process_callbacks, "apply_async", lambda **kw: published.append(kw))
    monkeypatch.setattr(tasks, "_last_scheduled", float("-inf"))
    body, content_type = encode(load("message__seed_text"), "form-json")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert post(client, "messagelog", body, content_type).json() == SUCCESS
    assert len(queries) == 3  # one INSERT per delivery, nothing else on the hot path
    assert len(published) == 1  # one drain scheduled for the burst
    assert published[0]["countdown"] > tasks.SCHEDULE_WINDOW
    assert set(CallbackDelivery.objects.values_list("status", flat=True)) == {"received"}

    assert tasks.process_pending() == 3
    assert list(CallbackDelivery.objects.order_by("pk").values_list("status", flat=True)) == [
        "processed",
        "duplicate",
        "duplicate",
    ]
    assert Message.objects.count() == 1
    assert tasks.process_pending() == 0


# --- cost and counters ----------------------------------------------------------------------------


@pytest.fixture
def memory_cache(settings):
    """Counters in memory, as in production's Redis: the query counts below are database work only."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_a_new_message_costs_few_queries(client, wechat_account, memory_cache):
    body, content_type = encode(load("message__seed_text"), "form-json")
    with CaptureQueriesContext(connection) as queries:
        post(client, "messagelog", body, content_type)
    # insert delivery, savepoint, account, conversation upsert, message insert, release, update delivery
    assert len(queries) <= 7, [q["sql"] for q in queries]
    with CaptureQueriesContext(connection) as repeat:
        post(client, "messagelog", body, content_type)
    assert len(repeat) <= 8


def test_a_friend_page_of_100_costs_few_queries(client, wechat_account, memory_cache):
    body, content_type = encode(_friend_page(1, 300, [f"f{i:03}" for i in range(100)]), "form-json")
    with CaptureQueriesContext(connection) as queries:
        post(client, "friends", body, content_type, req="sync-q")
    assert Friend.objects.count() == 100
    # the first page also creates the FriendSync (savepoint, insert, release)
    assert len(queries) <= 12, [q["sql"] for q in queries]
    body, content_type = encode(_friend_page(2, 300, [f"g{i:03}" for i in range(100)]), "form-json")
    with CaptureQueriesContext(connection) as queries:
        post(client, "friends", body, content_type, req="sync-q")
    assert Friend.objects.count() == 200
    # insert delivery, savepoint, account, locked sync, friends upsert (two batches on SQLite's
    # 999-parameter limit, one on PostgreSQL), sync update, release, update delivery
    assert len(queries) <= 9, [q["sql"] for q in queries]


def test_outcomes_and_messages_are_counted(client, wechat_account, memory_cache):
    empty = dict.fromkeys(metrics.CALLBACK_OUTCOMES, 0)
    before = metrics.snapshot()
    body, content_type = encode(load("message__seed_text"), "json")
    for _ in range(3):
        post(client, "messagelog", body, content_type)
    post(client, "messagelog", b"data={not json", FORM)
    after = metrics.snapshot()
    counted = after["callbacks"]["message"]
    assert {k: counted[k] - before["callbacks"].get("message", empty)[k] for k in counted} == {
        **empty,
        "processed": 1,
        "duplicate": 2,
    }
    assert after["callbacks"]["unparsed"]["failed"] == before["callbacks"].get("unparsed", empty)["failed"] + 1
    assert after["messages"]["in"] == before["messages"]["in"] + 1


# --- registration ---------------------------------------------------------------------------------


def test_provider_register_gives_the_simulator_all_eight_urls(sim, settings, capsys):
    call_command("provider_register")
    output = capsys.readouterr().out
    assert "Registered 8 callback URLs." in output
    form = sim.calls("/foreign/user/setUrl")[-1]["form"]
    assert set(form) >= set(GLOBAL_CHANNELS)
    assert form["messagelog"] == f"http://console.test/callbacks/{SECRET}/messagelog/"
