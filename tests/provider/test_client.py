"""The provider client against the simulator over real HTTP.

Every client method is called once; each test checks what went over the wire (exact path,
the `token` header, the exact form body) through the simulator's call log, and the typed
result. Then the failure modes: token renewal, shared token, wrong password, HTTP 500,
timeouts, business failures, and secrets kept out of logs and errors.
"""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
from django.core.cache import cache

from provider.client import ProviderClient, get_client
from provider.errors import ProviderError
from provider.token import TokenStore, cache_key
from provider.types import (
    AccountProfile,
    Ack,
    FriendRequestRecord,
    GroupInfo,
    GroupMemberInfo,
    GroupQRCode,
    GroupSummary,
    ScanTask,
    parse_json_text,
    to_int,
    unescape_url,
)

pytestmark = pytest.mark.django_db

ME = "damibtc"
MY_WXID = "wxid_7mx5bzt1qz12"
FRIEND = "zhangsan88"
FRIEND_WXID = "wxid_zs88abcdefg12"
LOGIN = "/foreign/auth/login"


# --- Helpers ---------------------------------------------------------------------------


class Receiver:
    """A loopback HTTP endpoint that records the callbacks the simulator posts to it."""

    def __init__(self):
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                receiver.received.append(
                    {"path": self.path, "content_type": self.headers.get("Content-Type", ""), "body": body}
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"code":1,"msg":"success"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def payloads(self, path_prefix):
        """Decoded bodies received on a path (form-json: JSON-text fields decoded)."""
        out = []
        for item in self.received:
            if not item["path"].startswith(path_prefix):
                continue
            body = item["body"]
            if body.lstrip().startswith(("{", "[")):
                out.append(json.loads(body))
            else:
                out.append({k: parse_json_text(v) for k, v in parse_qsl(body, keep_blank_values=True)})
        return out

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    rec = Receiver()
    yield rec
    rec.close()


@pytest.fixture
def client(sim):
    return get_client()


@pytest.fixture
def account(sim):
    """A logged-in WeChat account with a generated world (friends, labels, groups) and one known friend."""
    sim.control("accounts", {"account": ME, "wxid": MY_WXID, "name": "大米", "friends": 5, "groups": 3, "online": True})
    sim.control("friend_added", {"my_account": ME, "account": FRIEND, "name": "张三", "type": 2})
    return ME


def current_token(settings):
    return cache.get(cache_key(settings.PROVIDER_BASE_URL, settings.PROVIDER_PHONE))


def sent(sim, settings, path):
    """The form of the single call made to `path`, after checking its path, token header and encoding."""
    calls = sim.calls(path)
    assert len(calls) == 1, calls
    call = calls[0]
    assert call["path"] == path
    token = current_token(settings)
    assert token
    assert call["headers"]["token"] == token
    assert call["headers"]["content-type"].startswith("application/x-www-form-urlencoded")
    return call["form"]


def logins(sim):
    return len(sim.calls(LOGIN))


def a_group(client, min_members=0, max_members=10_000):
    """A group of the account, chosen by size (sizes come from getGroupInfo)."""
    for summary in client.group_list(my_account=ME):
        info = client.group_info(my_account=ME, group=summary.group)
        if min_members <= len(info.members) <= max_members:
            return info
    pytest.skip("the generated world has no group of that size")


# --- 2.1 Auth --------------------------------------------------------------------------


def test_login_posts_phone_and_password_without_a_token_and_caches_the_token(sim, settings, client):
    token = client.login()

    calls = sim.calls(LOGIN)
    assert len(calls) == 1
    assert calls[0]["path"] == LOGIN
    assert not calls[0]["headers"].get("token")
    assert calls[0]["form"] == {"phone": sim.phone, "password": sim.password}
    assert isinstance(token, str) and token
    assert current_token(settings) == token


# --- 2.2-2.4 QR login, callbacks, account ------------------------------------------------


def test_scan_new_for_a_new_account_leaves_out_account_and_returns_the_task_id(sim, settings, client):
    task = client.scan_new(callback_url="http://127.0.0.1:9/cb/s/scan/?req=1", extend="first")

    assert sent(sim, settings, "/foreign/message/scanNew") == {
        "extend": "first",
        "callback_url": "http://127.0.0.1:9/cb/s/scan/?req=1",
    }
    assert isinstance(task, ScanTask)
    assert isinstance(task.task_id, int) and task.task_id > 0


def test_scan_new_for_a_known_account_sends_the_account(sim, settings, client, account):
    task = client.scan_new(callback_url="http://127.0.0.1:9/cb/s/scan/", account=ME)

    assert sent(sim, settings, "/foreign/message/scanNew") == {
        "account": ME,
        "callback_url": "http://127.0.0.1:9/cb/s/scan/",
    }
    assert task.task_id
    assert sim.control("state")["counters"]["scan_without_account_warnings"] == 0


def test_set_url_sends_all_eight_channels(sim, settings, client):
    urls = {
        name: f"http://127.0.0.1:9/callbacks/secret/{name}/"
        for name in (
            "callbackSend",
            "delfriendlog",
            "newfriendlog",
            "messagelog",
            "crowdlog",
            "addfriendlog",
            "wacatout",
            "addgrouplog",
        )
    }

    result = client.set_url(**urls)

    assert sent(sim, settings, "/foreign/user/setUrl") == urls
    assert isinstance(result, Ack) and result.code == 1


def test_logout_takes_the_account_offline(sim, settings, client, account):
    result = client.logout(my_account=ME)

    assert sent(sim, settings, "/foreign/wacat/out") == {"my_account": ME}
    assert result.code == 1
    assert client.wx_status(my_account=ME) is False


def test_wx_status_is_true_for_an_online_account(sim, settings, client, account):
    assert client.wx_status(my_account=ME) is True
    assert sent(sim, settings, "/foreign/message/wxStatus") == {"my_account": ME}


def test_wx_status_is_false_for_an_offline_account_without_logging_in_again(sim, settings, client):
    sim.control("accounts", {"account": "sleepy", "online": False})

    assert client.wx_status(my_account="sleepy") is False
    assert sent(sim, settings, "/foreign/message/wxStatus") == {"my_account": "sleepy"}
    assert logins(sim) == 1


def test_wx_status_reads_a_persistent_not_logged_in_answer_as_offline(sim, client, account):
    sim.fault("/foreign/message/wxStatus", "code0", count=2, msg="微信未登录")

    assert client.wx_status(my_account=ME) is False
    assert logins(sim) == 2  # "登录" looked like auth once; the renewed token did not change the answer

    sim.fault("/foreign/message/wxStatus", "code0", msg="微信未登录")
    assert client.wx_status(my_account=ME) is False
    assert logins(sim) == 2


# --- 2.5 Friends and labels --------------------------------------------------------------


def test_add_friends_joins_accounts_with_commas(sim, settings, client, account):
    result = client.add_friends(
        my_account=ME, accounts=["lisi", "13900000000"], content="你好，我是大米", extend="req-7"
    )

    assert sent(sim, settings, "/foreign/friends/add") == {
        "extend": "req-7",
        "my_account": ME,
        "account": "lisi,13900000000",
        "content": "你好，我是大米",
    }
    assert result.code == 1


def test_delete_friend_sends_to_account(sim, settings, client, account):
    result = client.delete_friend(my_account=ME, to_account=FRIEND)

    assert sent(sim, settings, "/foreign/friends/del") == {"my_account": ME, "to_account": FRIEND}
    assert result.code == 1


def test_get_labels_always_sends_tags_even_empty(sim, settings, client, account):
    result = client.get_labels(my_account=ME)

    assert sent(sim, settings, "/foreign/Wacat/getLables") == {"my_account": ME, "tags": ""}
    assert result.code == 1


def test_add_labels_joins_names_into_lables(sim, settings, client, account):
    result = client.add_labels(
        my_account=ME, names=["客户", "同事"], callback_url="http://127.0.0.1:9/cb/labels/?req=2"
    )

    assert sent(sim, settings, "/foreign/Wacat/addLable") == {
        "my_account": ME,
        "lables": "客户,同事",
        "callback_url": "http://127.0.0.1:9/cb/labels/?req=2",
    }
    assert result.code == 1


def test_update_labels_joins_friends_and_label_ids(sim, settings, client, account):
    label_ids = [label["lable_id"] for label in sim.control("state")["accounts"][0]["labels"]][:2]

    result = client.update_labels(
        my_account=ME, accounts=[FRIEND], label_ids=label_ids, callback_url="http://127.0.0.1:9/cb/labels/"
    )

    assert sent(sim, settings, "/foreign/Wacat/updLable") == {
        "account": FRIEND,
        "my_account": ME,
        "lable_id": ",".join(str(i) for i in label_ids),
        "callback_url": "http://127.0.0.1:9/cb/labels/",
    }
    assert result.code == 1


def test_delete_labels_sends_the_ids(sim, settings, client, account):
    label_ids = [label["lable_id"] for label in sim.control("state")["accounts"][0]["labels"]][:2]

    result = client.delete_labels(my_account=ME, label_ids=label_ids, callback_url="http://127.0.0.1:9/cb/del/")

    assert sent(sim, settings, "/foreign/Wacat/delLable") == {
        "my_account": ME,
        "lable_id": ",".join(str(i) for i in label_ids),
        "callback_url": "http://127.0.0.1:9/cb/del/",
    }
    assert result.code == 1


def test_delete_labels_refuses_an_empty_id_list_without_calling(sim, client, account):
    with pytest.raises(ValueError):
        client.delete_labels(my_account=ME, label_ids=[], callback_url="http://127.0.0.1:9/cb/del/")
    assert sim.calls("/foreign/Wacat/delLable") == []


def test_check_zombie_sends_the_friend(sim, settings, client, account):
    result = client.check_zombie(my_account=ME, account=FRIEND, callback_url="http://127.0.0.1:9/cb/zombie/")

    assert sent(sim, settings, "/foreign/Friends/checkZombie") == {
        "my_account": ME,
        "account": FRIEND,
        "callback_url": "http://127.0.0.1:9/cb/zombie/",
    }
    assert result.code == 1


def test_lookup_account_sends_extend_as_text(sim, settings, client, account):
    result = client.lookup_account(my_account=ME, account=FRIEND, extend="lookup-1")

    assert sent(sim, settings, "/foreign/wacat/newGetWacatInfo") == {
        "extend": "lookup-1",
        "my_account": ME,
        "account": FRIEND,
    }
    assert result.code == 1


def test_friend_requests_sends_the_status_filter_as_text_and_returns_records(sim, settings, client, account):
    sim.control(
        "friend_request",
        {
            "my_account": ME,
            "account": "cat2024",
            "wxid": "wxid_95z5p9j8crbc22",
            "nickname": "一只猫",
            "check_msg": "我是一只猫",
            "source": "通过扫码添加",
        },
    )

    records = client.friend_requests(my_account=ME)

    assert sent(sim, settings, "/foreign/friends/newFriendList") == {"my_account": ME, "status": "-1"}
    assert len(records) == 1
    record = records[0]
    assert isinstance(record, FriendRequestRecord)
    assert (record.account, record.nickname, record.check_msg, record.source) == (
        "cat2024",
        "一只猫",
        "我是一只猫",
        "通过扫码添加",
    )
    assert record.status == 0
    assert isinstance(record.id, int)


def test_accept_friend_sends_the_applicant(sim, settings, client, account):
    sim.control("friend_request", {"my_account": ME, "account": "cat2024", "nickname": "一只猫"})

    result = client.accept_friend(my_account=ME, account="cat2024")

    assert sent(sim, settings, "/foreign/friends/passAddFriends") == {"my_account": ME, "account": "cat2024"}
    assert result.code == 1
    assert [r.status for r in client.friend_requests(my_account=ME, status=1)] == [1]


def test_sync_friend_list_sends_the_callback_url_with_its_query(sim, settings, client, account, receiver):
    url = f"{receiver.url}/cb/friends/?req=abc"

    result = client.sync_friend_list(my_account=ME, callback_url=url)

    assert sent(sim, settings, "/foreign/Friends/syncFriendList") == {"my_account": ME, "callback_url": url}
    assert result.code == 1
    pages = sim.wait_for(lambda: receiver.payloads("/cb/friends/?req=abc"))
    assert to_int(pages[0]["total"]) == 6


def test_wx_info_returns_the_profile(sim, settings, client, account):
    profile = client.wx_info(my_account=ME)

    assert sent(sim, settings, "/foreign/message/wxInfo") == {"my_account": ME}
    assert isinstance(profile, AccountProfile)
    assert (profile.account, profile.wxid, profile.name) == (ME, MY_WXID, "大米")
    assert profile.is_online is True
    assert profile.sex in (0, 1, 2)
    assert "\\/" not in profile.thumb


# --- 2.6 Messages ----------------------------------------------------------------------


def test_send_text_to_a_friend_sends_type_1(sim, settings, client, account):
    result = client.send_message(my_account=ME, to_account=FRIEND, content="你好")

    assert sent(sim, settings, "/foreign/message/send") == {
        "my_account": ME,
        "to_account": FRIEND,
        "content": "你好",
        "content_type": "1",
        "type": "1",
    }
    assert result.code == 1


def test_send_image_to_a_group_sends_type_2(sim, settings, client, account):
    group = client.group_list(my_account=ME)[0].group

    client.send_message(
        my_account=ME, to_account=group, content="https://img.example/a.png", content_type=2, file_name="a.png"
    )

    assert sent(sim, settings, "/foreign/message/send") == {
        "file_name": "a.png",
        "my_account": ME,
        "to_account": group,
        "content": "https://img.example/a.png",
        "content_type": "2",
        "type": "2",
    }


def test_send_animated_image_sends_md5_and_size(sim, settings, client, account):
    client.send_message(
        my_account=ME,
        to_account=FRIEND,
        content="https://img.example/a.gif",
        content_type=15,
        img_md5="9e107d9d372bb6826bd81d3542a419d6",
        img_size=20480,
    )

    assert sent(sim, settings, "/foreign/message/send") == {
        "my_account": ME,
        "to_account": FRIEND,
        "content": "https://img.example/a.gif",
        "content_type": "15",
        "type": "1",
        "img_md5": "9e107d9d372bb6826bd81d3542a419d6",
        "img_size": "20480",
    }


@pytest.mark.parametrize("content_type", [3, 7, 8, 11, 99])
def test_send_message_refuses_receive_only_content_types_without_calling(sim, client, content_type):
    with pytest.raises(ValueError):
        client.send_message(my_account=ME, to_account=FRIEND, content="x", content_type=content_type)
    assert sim.calls("/foreign/message/send") == []


def test_send_animated_image_without_md5_is_refused_without_calling(sim, client):
    with pytest.raises(ValueError):
        client.send_message(my_account=ME, to_account=FRIEND, content="https://img.example/a.gif", content_type=15)
    assert sim.calls("/foreign/message/send") == []


def test_send_card_sends_card_name(sim, settings, client, account):
    result = client.send_card(my_account=ME, to_account=FRIEND, card_name="gh_123456")

    assert sent(sim, settings, "/foreign/message/wacatCard") == {
        "my_account": ME,
        "to_account": FRIEND,
        "card_name": "gh_123456",
        "type": "1",
    }
    assert result.code == 1


def test_send_url_leaves_out_missing_optional_fields(sim, settings, client, account):
    result = client.send_url(my_account=ME, to_account=FRIEND, url="https://example.com/a?b=1&c=2", title="看看")

    assert sent(sim, settings, "/foreign/message/sendUrl") == {
        "my_account": ME,
        "to_account": FRIEND,
        "url": "https://example.com/a?b=1&c=2",
        "title": "看看",
        "type": "1",
    }
    assert result.code == 1


def test_send_app_always_sends_type(sim, settings, client, account):
    result = client.send_app(
        my_account=ME,
        to_account=FRIEND,
        app_name="wx1234567890abcdef@app",
        title="小程序",
        thumb_key="3057020100044b30",
        page_path="pages/index",
        describe="描述",
        thumb_url="https://img.example/t.png",
    )

    assert sent(sim, settings, "/foreign/message/sendApp") == {
        "page_path": "pages/index",
        "app_name": "wx1234567890abcdef@app",
        "title": "小程序",
        "thumb_key": "3057020100044b30",
        "my_account": ME,
        "to_account": FRIEND,
        "describe": "描述",
        "thumb_url": "https://img.example/t.png",
        "type": "1",
    }
    assert result.code == 1


# --- 2.7 Groups ------------------------------------------------------------------------


def test_set_group_notice_names_the_group_number(sim, settings, client, account):
    group = client.group_list(my_account=ME)[0].group

    result = client.set_group_notice(my_account=ME, group=group, notice="明天开会")

    assert sent(sim, settings, "/foreign/Group/setGroupNotic") == {
        "my_account": ME,
        "number": group,
        "notice": "明天开会",
    }
    assert result.code == 1


def test_create_group_sends_name_members_and_callback(sim, settings, client, account, receiver):
    url = f"{receiver.url}/cb/group-created/?req=g1"

    result = client.create_group(my_account=ME, name="项目群", accounts=[FRIEND, "lisi"], callback_url=url, extend="g1")

    assert sent(sim, settings, "/foreign/group/found") == {
        "group_name": "项目群",
        "extend": "g1",
        "my_account": ME,
        "account": f"{FRIEND},lisi",
        "callback_url": url,
    }
    assert result.code == 1
    created = sim.wait_for(lambda: receiver.payloads("/cb/group-created/"))
    assert created[0]["data"]["account"].endswith("@chatroom")


def test_leave_group_sends_g_number(sim, settings, client, account):
    group = client.group_list(my_account=ME)[0].group

    result = client.leave_group(my_account=ME, group=group)

    assert sent(sim, settings, "/foreign/group/outGroup") == {"g_number": group, "my_account": ME}
    assert result.code == 1


def test_rename_group_sends_name_and_g_number(sim, settings, client, account):
    group = client.group_list(my_account=ME)[0].group

    result = client.rename_group(my_account=ME, group=group, name="新名字")

    assert sent(sim, settings, "/foreign/group/setName") == {"name": "新名字", "my_account": ME, "g_number": group}
    assert result.code == 1
    assert client.group_info(my_account=ME, group=group).name == "新名字"


def test_add_group_members_sends_the_members_as_account(sim, settings, client, account):
    group = a_group(client, max_members=40).group

    result = client.add_group_members(my_account=ME, group=group, accounts=[FRIEND])

    assert sent(sim, settings, "/foreign/group/addMember") == {"account": FRIEND, "my_account": ME, "g_number": group}
    assert result.code == 1


def test_remove_group_member_sends_the_member(sim, settings, client, account):
    info = a_group(client, min_members=2)
    member = next(m for m in info.members if m.wxid != MY_WXID)

    result = client.remove_group_member(my_account=ME, group=info.group, account=member.wxid)

    assert sent(sim, settings, "/foreign/group/delMember") == {
        "account": member.wxid,
        "my_account": ME,
        "g_number": info.group,
    }
    assert result.code == 1


def test_group_at_sends_the_group_as_account_and_joins_mentions(sim, settings, client, account):
    info = a_group(client, min_members=3)
    members = [m for m in info.members if m.wxid != MY_WXID][:2]
    content = " ".join(f"@{m.nickname}" for m in members) + " 开会了"

    result = client.group_at(my_account=ME, group=info.group, at_users=[m.wxid for m in members], content=content)

    assert sent(sim, settings, "/foreign/group/groupAt") == {
        "account": info.group,
        "my_account": ME,
        "atUser": ",".join(m.wxid for m in members),
        "content": content,
    }
    assert result.code == 1


def test_group_qrcode_returns_the_sync_data(sim, settings, client, account):
    group = client.group_list(my_account=ME)[0].group

    qr = client.group_qrcode(my_account=ME, group=group, callback_url="http://127.0.0.1:9/cb/group-qrcode/?req=q")

    assert sent(sim, settings, "/foreign/group/qrcode") == {
        "my_account": ME,
        "g_number": group,
        "callback_url": "http://127.0.0.1:9/cb/group-qrcode/?req=q",
    }
    assert isinstance(qr, GroupQRCode)
    assert qr.group == group
    assert qr.qrcode
    assert "\\/" not in qr.qrcode


@pytest.mark.parametrize("enabled, status", [(True, "1"), (False, "0")])
def test_set_auto_join_sends_the_account_and_status(sim, settings, client, account, enabled, status):
    result = client.set_auto_join(my_account=ME, enabled=enabled)

    assert sent(sim, settings, "/foreign/group/groupSet") == {"account": ME, "status": status}
    assert result.code == 1


def test_group_info_parses_the_member_list(sim, settings, client, account):
    group = client.group_list(my_account=ME)[0]

    info = client.group_info(my_account=ME, group=group.group)

    assert sent(sim, settings, "/foreign/group/getGroupInfo") == {"my_account": ME, "g_number": group.group}
    assert isinstance(info, GroupInfo)
    assert (info.group, info.name, info.owner) == (group.group, group.name, group.owner)
    assert info.members and all(isinstance(m, GroupMemberInfo) for m in info.members)
    assert MY_WXID in {m.wxid for m in info.members}
    assert all(m.group == group.group for m in info.members)


def test_group_list_returns_all_groups_or_only_saved_ones(sim, settings, client, account):
    groups = client.group_list(my_account=ME)

    assert sent(sim, settings, "/foreign/group/groupList") == {"my_account": ME, "type": "1"}
    assert len(groups) == 3
    assert all(isinstance(g, GroupSummary) and g.group.endswith("@chatroom") for g in groups)
    assert all(g.muted in (True, False) for g in groups)

    saved = client.group_list(my_account=ME, saved_only=True)
    assert sim.calls("/foreign/group/groupList")[-1]["form"] == {"my_account": ME, "type": "2"}
    assert {g.group for g in saved} <= {g.group for g in groups}


def test_group_owner_returns_the_author(sim, settings, client, account):
    group = client.group_list(my_account=ME)[0]

    owner = client.group_owner(my_account=ME, group=group.group)

    assert sent(sim, settings, "/foreign/group/owner") == {"my_account": ME, "g_number": group.group}
    assert owner == group.owner


def test_group_members_asks_for_a_callback_and_returns_no_members_synchronously(
    sim, settings, client, account, receiver
):
    info = a_group(client)
    url = f"{receiver.url}/cb/group-members/?req=m"

    members = client.group_members(my_account=ME, group=info.group, callback_url=url)

    assert sent(sim, settings, "/foreign/Group/getAllMembers") == {
        "number": info.group,
        "my_account": ME,
        "callback_url": url,
    }
    assert members == []
    delivered = sim.wait_for(lambda: receiver.payloads("/cb/group-members/?req=m"))
    assert len(delivered[0]["info"]) == len(info.members)


def test_invite_member_into_a_large_group(sim, settings, client, account):
    group = a_group(client, min_members=41).group

    result = client.invite_member(my_account=ME, group=group, account=FRIEND_WXID)

    assert sent(sim, settings, "/foreign/group/invateMember") == {
        "g_number": group,
        "my_account": ME,
        "account": FRIEND_WXID,
    }
    assert result.code == 1


def test_invite_member_into_a_small_group_is_a_permanent_failure(sim, settings, client, account):
    group = a_group(client, max_members=40).group

    with pytest.raises(ProviderError) as caught:
        client.invite_member(my_account=ME, group=group, account=FRIEND_WXID)

    assert sent(sim, settings, "/foreign/group/invateMember") == {
        "g_number": group,
        "my_account": ME,
        "account": FRIEND_WXID,
    }
    assert caught.value.permanent is True
    assert caught.value.code == 0
    assert caught.value.endpoint == "/foreign/group/invateMember"


# --- 2.8 Moments -----------------------------------------------------------------------


def test_post_moment_with_images_joins_them_with_the_moments_separator(sim, settings, client, account):
    result = client.post_moment(
        my_account=ME,
        text="周末愉快",
        media_type=1,
        media_urls=["https://img.example/1.jpg", "https://img.example/2.jpg"],
        callback_url="http://127.0.0.1:9/cb/moment-posted/?req=p",
    )

    assert sent(sim, settings, "/foreign/FriendCircle/release") == {
        "my_account": ME,
        "text": "周末愉快",
        "media_url": "https://img.example/1.jpg{#}https://img.example/2.jpg",
        "media_type": "1",
        "callback_url": "http://127.0.0.1:9/cb/moment-posted/?req=p",
    }
    assert result.code == 1


def test_post_moment_video_sends_url_and_thumbnail(sim, settings, client, account):
    client.post_moment(
        my_account=ME, text="视频", media_type=3, media_urls=["https://v.example/a.mp4", "https://v.example/a.jpg"]
    )

    form = sent(sim, settings, "/foreign/FriendCircle/release")
    assert form["media_url"] == "https://v.example/a.mp4{#}https://v.example/a.jpg"
    assert form["media_type"] == "3"


def test_post_moment_text_sends_an_empty_media_url(sim, settings, client, account):
    client.post_moment(my_account=ME, text="只有文字", media_type=2)

    assert sent(sim, settings, "/foreign/FriendCircle/release") == {
        "my_account": ME,
        "text": "只有文字",
        "media_url": "",
        "media_type": "2",
    }


def first_moment(sim, client, receiver):
    client.get_moments(my_account=ME, callback_url=f"{receiver.url}/cb/moments/?req=first")
    delivered = sim.wait_for(lambda: receiver.payloads("/cb/moments/?req=first"))
    posts = delivered[0].get("data") or delivered[0].get("info")
    return posts[0]["statusId"]


def test_moment_like_sends_an_empty_content(sim, settings, client, account, receiver):
    circle_id = first_moment(sim, client, receiver)

    result = client.moment_action(my_account=ME, circle_id=circle_id, point_type=1)

    assert sent(sim, settings, "/foreign/FriendCircle/point") == {
        "my_account": ME,
        "circle_id": circle_id,
        "content": "",
        "point_type": "1",
    }
    assert result.code == 1


def test_moment_comment_sends_the_text(sim, settings, client, account, receiver):
    circle_id = first_moment(sim, client, receiver)

    client.moment_action(my_account=ME, circle_id=circle_id, point_type=2, content="赞！")

    assert sent(sim, settings, "/foreign/FriendCircle/point") == {
        "my_account": ME,
        "circle_id": circle_id,
        "content": "赞！",
        "point_type": "2",
    }


def test_get_moments_sends_load_and_the_optional_filters(sim, settings, client, account, receiver):
    url = f"{receiver.url}/cb/moments/?req=album"

    result = client.get_moments(my_account=ME, callback_url=url, load=2, to_account=FRIEND, extend="album")

    assert sent(sim, settings, "/foreign/FriendCircle/getList") == {
        "extend": "album",
        "my_account": ME,
        "to_account": FRIEND,
        "load": "2",
        "callback_url": url,
    }
    assert result.code == 1


def test_get_moments_for_one_post_sends_status_id(sim, settings, client, account):
    client.get_moments(my_account=ME, callback_url="http://127.0.0.1:9/cb/moments/", status_id="13000000000000000123")

    assert sent(sim, settings, "/foreign/FriendCircle/getList") == {
        "statusId": "13000000000000000123",
        "my_account": ME,
        "load": "1",
        "callback_url": "http://127.0.0.1:9/cb/moments/",
    }


# --- The token -------------------------------------------------------------------------


def test_the_token_is_obtained_once_for_many_calls(sim, client, account):
    for _ in range(3):
        client.wx_status(my_account=ME)
    client.wx_info(my_account=ME)

    assert logins(sim) == 1


def test_an_expired_token_is_renewed_once_and_the_call_retried(sim, settings, client, account):
    client.wx_info(my_account=ME)
    old = current_token(settings)
    sim.fault("/foreign/message/wxInfo", "expire_token")

    profile = client.wx_info(my_account=ME)

    assert profile.account == ME
    assert logins(sim) == 2
    new = current_token(settings)
    assert new and new != old
    calls = sim.calls("/foreign/message/wxInfo")
    assert [c["headers"]["token"] for c in calls] == [old, old, new]


def test_the_token_is_shared_through_the_cache_by_other_client_instances(sim, account):
    get_client().wx_status(my_account=ME)
    get_client().wx_info(my_account=ME)
    ProviderClient(
        base_url=sim.base_url, phone=sim.phone, password=sim.password, connect_timeout=1, read_timeout=5
    ).group_list(my_account=ME)

    assert logins(sim) == 1


def test_a_renewal_by_another_process_is_reused_without_logging_in(sim, settings, client, account):
    client.wx_status(my_account=ME)
    stale = current_token(settings)
    fresh = client.login()  # another process renewed first
    assert logins(sim) == 2

    assert client.tokens.renew(stale) == fresh
    assert logins(sim) == 2


def test_a_waiter_logs_in_itself_when_the_lock_holder_never_finishes(sim, settings):
    made = []

    def fake_login():
        made.append(1)
        return "tok-from-waiter"

    store = TokenStore(base_url=sim.base_url, phone=sim.phone, login=fake_login, lock_seconds=0.3)
    assert cache.add(store.lock_key, "1", timeout=30)  # a stuck process holds the lock

    assert store.get() == "tok-from-waiter"
    assert made == [1]


def test_the_cache_key_depends_on_host_and_phone():
    assert cache_key("http://a", "1") != cache_key("http://b", "1")
    assert cache_key("http://a", "1") != cache_key("http://a", "2")
    assert cache_key("http://a/", "1") == cache_key("http://a", "1")


# --- Failures --------------------------------------------------------------------------


def test_a_wrong_password_is_a_permanent_failure(sim, settings):
    settings.PROVIDER_PASSWORD = "not-the-password"

    with pytest.raises(ProviderError) as caught:
        get_client().wx_info(my_account=ME)

    error = caught.value
    assert error.permanent is True
    assert error.endpoint == LOGIN
    assert error.msg
    assert "not-the-password" not in str(error) and "not-the-password" not in repr(error)
    assert sim.calls("/foreign/message/wxInfo") == []


def test_http_500_is_a_temporary_failure(sim, client, account):
    sim.fault("/foreign/message/send", "http500")

    with pytest.raises(ProviderError) as caught:
        client.send_message(my_account=ME, to_account=FRIEND, content="你好")

    assert caught.value.permanent is False
    assert caught.value.http_status == 500
    assert caught.value.endpoint == "/foreign/message/send"


def test_a_timeout_is_a_temporary_failure(sim, settings, account):
    settings.PROVIDER_READ_TIMEOUT = 0.5
    client = get_client()
    client.wx_status(my_account=ME)
    sim.fault("/foreign/message/send", "timeout", delay=2)

    with pytest.raises(ProviderError) as caught:
        client.send_message(my_account=ME, to_account=FRIEND, content="你好")

    assert caught.value.permanent is False
    assert caught.value.http_status is None


def test_an_unreachable_provider_is_a_temporary_failure(settings):
    settings.PROVIDER_BASE_URL = "http://127.0.0.1:9"
    settings.PROVIDER_CONNECT_TIMEOUT = 0.5
    cache.clear()

    with pytest.raises(ProviderError) as caught:
        get_client().wx_info(my_account=ME)

    assert caught.value.permanent is False


def test_a_business_failure_is_permanent_and_carries_the_providers_msg(sim, client, account):
    sim.fault("/foreign/message/send", "code0", msg="好友关系异常")

    with pytest.raises(ProviderError) as caught:
        client.send_message(my_account=ME, to_account=FRIEND, content="你好")

    error = caught.value
    assert error.permanent is True
    assert error.code == 0
    assert str(error) == "好友关系异常"
    assert error.response["msg"] == "好友关系异常"
    assert logins(sim) == 1


def test_a_business_failure_that_mentions_the_token_renews_it_once_then_gives_up(sim, client, account):
    sim.fault("/foreign/message/send", "code0", count=2, msg="token已过期")

    with pytest.raises(ProviderError) as caught:
        client.send_message(my_account=ME, to_account=FRIEND, content="你好")

    assert caught.value.permanent is True
    assert str(caught.value) == "token已过期"
    assert len(sim.calls("/foreign/message/send")) == 2
    assert logins(sim) == 2

    # The token just obtained is not renewed again: no login per failing request.
    sim.fault("/foreign/message/send", "code0", msg="token已过期")
    with pytest.raises(ProviderError):
        client.send_message(my_account=ME, to_account=FRIEND, content="你好")
    assert len(sim.calls("/foreign/message/send")) == 3
    assert logins(sim) == 2


def test_secrets_never_reach_the_logs_or_the_errors(sim, settings, client, account, caplog):
    caplog.set_level(logging.DEBUG)
    client.wx_info(my_account=ME)
    first = current_token(settings)
    sim.fault("/foreign/message/wxInfo", "expire_token")
    client.wx_info(my_account=ME)
    second = current_token(settings)
    sim.fault("/foreign/message/send", "code0", msg="发送失败")
    with pytest.raises(ProviderError) as business:
        client.send_message(my_account=ME, to_account=FRIEND, content="你好")
    settings.PROVIDER_PASSWORD = "wrong-password-123"
    cache.clear()
    with pytest.raises(ProviderError) as login_failure:
        get_client().wx_info(my_account=ME)

    assert any(r.name == "provider.client" for r in caplog.records)
    for secret in (sim.password, "wrong-password-123", first, second):
        assert secret not in caplog.text
        assert secret not in str(business.value) and secret not in str(login_failure.value)
    assert "/foreign/message/wxInfo" in caplog.text


# --- Coercions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected", [(1, 1), ("1", 1), (" 2 ", 2), ("3.0", 3), ("", None), (None, None), ("x", None)]
)
def test_numbers_are_read_from_numbers_or_numeric_strings(value, expected):
    assert to_int(value) == expected


def test_urls_lose_their_escaped_slashes_and_entities_but_keep_query_strings():
    assert unescape_url("http:\\/\\/wx.qlogo.cn\\/mmhead\\/0") == "http://wx.qlogo.cn/mmhead/0"
    assert unescape_url("https://a.example/x?a=1&amp;b=2&copy=3") == "https://a.example/x?a=1&b=2&copy=3"


def test_profile_reads_fields_from_data_or_the_top_level_and_either_signature_spelling():
    nested = AccountProfile.from_answer(
        {"code": "1", "data": {"account": "a", "account_alias": "wxid_a", "decription": "sig", "is_online": "2"}}
    )
    flat = AccountProfile.from_answer({"code": 1, "account": "b", "description": "other", "sex": "1"})

    assert (nested.account, nested.wxid, nested.signature, nested.is_online) == ("a", "wxid_a", "sig", False)
    assert (flat.account, flat.signature, flat.sex) == ("b", "other", 1)


def test_group_info_members_given_as_json_text_are_parsed():
    members = json.dumps([{"userName": "wxid_a", "nickName": "A", "number": "1@chatroom"}])
    info = GroupInfo.from_answer({"code": 1, "data": {"number": "1@chatroom", "name": "g", "data": members}})

    assert [m.wxid for m in info.members] == ["wxid_a"]
    assert GroupInfo.from_answer({"code": 1, "data": {"number": "1@chatroom", "data": "not json"}}).members == ()
