"""The simulator itself, over real HTTP: provider endpoints, callbacks, control API and faults.

A local threaded HTTP receiver plays the console's callback endpoint, so these tests need
neither Django's database nor the provider client.
"""

import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.conftest import start_simulator

PHONE, PASSWORD = "13800000000", "simulator"
CHANNELS = (
    "callbackSend",
    "delfriendlog",
    "newfriendlog",
    "messagelog",
    "crowdlog",
    "addfriendlog",
    "wacatout",
    "addgrouplog",
)


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulator():
    proc, handle = start_simulator()
    yield handle
    proc.terminate()
    proc.wait(timeout=5)


class Receiver:
    """Records every POST it gets: path (with query), content type, raw body, decoded payload."""

    def __init__(self):
        self.items = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.items.append(
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
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def at(self, path_prefix):
        with self.lock:
            return [i for i in self.items if i["path"].startswith(path_prefix)]

    def wait(self, path_prefix, count=1, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.at(path_prefix)
            if len(found) >= count:
                return [decode(i) for i in found]
            time.sleep(0.02)
        pytest.fail(f"expected {count} callback(s) on {path_prefix}, got {len(self.at(path_prefix))}")


def decode(item):
    """Decode a callback the way a robust receiver would (provider-api.md §1.6)."""
    body = item["body"].decode()
    if item["content_type"].startswith("application/json"):
        return json.loads(body)
    pairs = urllib.parse.parse_qsl(body, keep_blank_values=True)
    if any("[" in key for key, _ in pairs):
        return php_nest(pairs)
    return {k: json.loads(v) if v[:1] in ("{", "[") else v for k, v in pairs}


def php_nest(pairs):
    root = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def listify(node):
        if not isinstance(node, dict):
            return node
        if node and all(k.isdigit() for k in node):
            return [listify(node[k]) for k in sorted(node, key=int)]
        return {k: listify(v) for k, v in node.items()}

    return listify(root)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def sim(simulator):
    simulator.reset()
    simulator.control("config", {"delivery_mode": "form-json", "token_ttl": 0, "callback_delay": 0, "demo": False})
    yield simulator
    simulator.control("faults", method="DELETE")


class Api:
    """Minimal provider caller: form posts with the token header."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.token = requests.post(
            f"{base_url}/foreign/auth/login", data={"phone": PHONE, "password": PASSWORD}
        ).json()["token"]

    def __call__(self, path, timeout=10, **form):
        response = requests.post(f"{self.base_url}{path}", data=form, headers={"token": self.token}, timeout=timeout)
        return response.json()


@pytest.fixture
def api(sim):
    return Api(sim.base_url)


@pytest.fixture
def online(sim, api, receiver):
    """An online account `damibtc` with every channel pointing at the receiver."""
    api("/foreign/user/setUrl", **{c: f"{receiver.url}/{c}" for c in CHANNELS})
    sim.control(
        "accounts", {"account": "damibtc", "wxid": "wxid_7mx5bzt1qz12", "name": "大米", "friends": 12, "groups": 2}
    )
    return sim.control("accounts/damibtc")["account"]


# -- login, token, transport -------------------------------------------------------------


def test_login_and_token_header_rules(sim):
    base = sim.base_url
    bad = requests.post(f"{base}/foreign/auth/login", data={"phone": PHONE, "password": "nope"}).json()
    assert bad == {"code": 0, "msg": "账号或密码错误"}
    token = requests.post(f"{base}/foreign/auth/login", data={"phone": PHONE, "password": PASSWORD}).json()["token"]
    url = f"{base}/foreign/message/wxStatus"
    assert requests.post(url, data={"my_account": "x"}).json() == {"code": 0, "msg": "token无效"}
    unknown = requests.post(url, data={"my_account": "x"}, headers={"token": "forged"})
    assert unknown.status_code == 200 and unknown.json() == {"code": 0, "msg": "token无效"}
    assert requests.post(url, data={"my_account": "x"}, headers={"token": token}).json() == {"code": 0, "msg": "离线"}
    as_json = requests.post(url, json={"my_account": "x"}, headers={"token": token}).json()
    assert as_json["code"] == 0 and "Form Data" in as_json["msg"]


def test_token_ttl_expires_tokens(sim):
    sim.control("config", {"token_ttl": 0.3})
    api = Api(sim.base_url)
    assert api("/foreign/message/wxStatus", my_account="x")["msg"] == "离线"
    time.sleep(0.4)
    assert api("/foreign/message/wxStatus", my_account="x") == {"code": 0, "msg": "token无效"}


def test_multipart_case_insensitive_paths_and_call_log(sim, api, online):
    response = requests.post(
        f"{sim.base_url}/foreign/GROUP/grouplist",
        files={"my_account": (None, "damibtc"), "type": (None, "1")},
        headers={"token": api.token},
    ).json()
    assert response["code"] == 1 and response["total"] == 2 and len(response["data"]) == 2
    call = sim.calls("/foreign/GROUP/grouplist")[-1]
    assert call["form"] == {"my_account": "damibtc", "type": "1"}
    assert call["headers"]["token"] == api.token
    assert call["headers"]["content-type"].startswith("multipart/form-data")
    missing = requests.post(f"{sim.base_url}/foreign/nope", data={}, headers={"token": api.token})
    assert missing.status_code == 404 and missing.json()["code"] == 0


def test_missing_parameters_and_unknown_accounts_answer_code_0(api, online):
    assert api("/foreign/message/send", my_account="damibtc")["code"] == 0
    assert "不存在" in api("/foreign/message/wxInfo", my_account="ghost")["msg"]


# -- QR login ----------------------------------------------------------------------------


def test_qr_login_flow_sends_c11_c10_c4_and_logout(sim, api, receiver):
    api("/foreign/user/setUrl", callbackSend=f"{receiver.url}/send", wacatout=f"{receiver.url}/wacatout")
    answer = api("/foreign/message/scanNew", callback_url=f"{receiver.url}/scan?req=abc&x=1", extend="<b>ext</b>")
    assert answer["code"] == 1 and isinstance(answer["task_id"], int)
    task_id = answer["task_id"]
    (c11,) = receiver.wait("/scan")
    assert receiver.at("/scan")[0]["path"] == "/scan?req=abc&x=1"
    assert c11 == {
        "code": "1",
        "url": f"{sim.base_url}/_sim/qr/{task_id}.png",
        "task_id": str(task_id),
        "extend": "<b>ext</b>",
    }
    image = requests.get(c11["url"])
    assert image.headers["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    page = requests.get(f"{sim.base_url}/_sim/qr/{task_id}").text
    assert "&lt;b&gt;ext&lt;/b&gt;" in page and "<b>ext</b>" not in page and "Confirm" in page

    assert sim.control("scan", {"task_id": task_id})["task"]["status"] == "scanned"
    sim.control("confirm", {"task_id": task_id, "account": "damibtc", "wxid": "wxid_7mx5bzt1qz12", "name": "大米"})
    c10, c4 = receiver.wait("/wacatout", 2)
    assert c10["data"][0]["type"] == 4 and c10["data"][0]["status"] == 8
    assert c10["data"][0]["account_alias"] == "wxid_7mx5bzt1qz12" and c10["data"][0]["extend"] == "<b>ext</b>"
    assert c4["data"][0]["type"] == "1" and c4["data"][0]["task_id"] == task_id
    assert c4["data"][0]["account"] == "damibtc"
    assert api("/foreign/message/wxStatus", my_account="damibtc") == {"code": 1, "msg": "在线"}
    assert api("/foreign/message/wxInfo", my_account="damibtc")["is_online"] == 1

    assert api("/foreign/wacat/out", my_account="damibtc")["code"] == 1
    logout = receiver.wait("/wacatout", 3)[2]
    assert logout["data"][0]["type"] == "2" and logout["data"][0]["task_id"] == task_id
    assert api("/foreign/message/wxStatus", my_account="damibtc") == {"code": 0, "msg": "离线"}
    assert api("/foreign/message/wxInfo", my_account="damibtc")["is_online"] == 2


def test_scan_without_account_for_known_account_is_counted(sim, api, receiver):
    sim.control("accounts", {"account": "damibtc", "online": False})
    task_id = api("/foreign/message/scanNew", callback_url=f"{receiver.url}/scan")["task_id"]
    sim.control("confirm", {"task_id": task_id, "account": "damibtc"})
    assert sim.control("state")["counters"]["scan_without_account_warnings"] == 1
    task_id = api("/foreign/message/scanNew", callback_url=f"{receiver.url}/scan", account="damibtc")["task_id"]
    sim.control("confirm", {"task_id": task_id})
    assert sim.control("state")["counters"]["scan_without_account_warnings"] == 1


def test_expired_qr_cannot_be_confirmed(sim, api, receiver):
    task_id = api("/foreign/message/scanNew", callback_url=f"{receiver.url}/scan")["task_id"]
    sim.control("expire_qr", {"task_id": task_id})
    with pytest.raises(Exception, match="400"):
        sim.control("confirm", {"task_id": task_id})


def test_set_url_replaces_whole_configuration(sim, api, receiver, online):
    sim.control("message", {"my_account": "damibtc", "from": "wxid_a", "content": "一"})
    receiver.wait("/messagelog")
    api("/foreign/user/setUrl", callbackSend=f"{receiver.url}/callbackSend")
    assert sim.control("state")["urls"] == {"callbackSend": f"{receiver.url}/callbackSend"}
    sim.control("message", {"my_account": "damibtc", "from": "wxid_a", "content": "二"})
    time.sleep(0.3)
    assert len(receiver.at("/messagelog")) == 1
    assert sim.control("state")["counters"]["dropped_callbacks"] == 1


# -- callbacks: delivery modes, friend list paging ---------------------------------------


@pytest.mark.parametrize("mode", ["form-json", "form-php", "json"])
def test_delivery_modes_encode_callbacks(sim, api, receiver, online, mode):
    sim.control("config", {"delivery_mode": mode})
    sim.control("disconnect", {"my_account": "damibtc"})
    receiver.wait("/wacatout")
    item = receiver.at("/wacatout")[0]
    body = item["body"].decode()
    if mode == "json":
        assert item["content_type"] == "application/json" and body.startswith("{")
    elif mode == "form-php":
        assert item["content_type"] == "application/x-www-form-urlencoded"
        assert "data[0][type]=2" in urllib.parse.unquote_plus(body)
    else:
        assert urllib.parse.unquote_plus(body).startswith('data=[{"type":"2"')
    c4 = decode(item)["data"][0]
    assert c4["type"] == "2" and c4["account"] == "damibtc"
    # The simulator records a delivery once its POST has been answered: wait for the record.
    delivery = sim.wait_for(lambda: [d for d in sim.deliveries() if d["kind"] == "C4" and d["mode"] == mode])[-1]
    assert delivery["status"] == 200


def test_sync_friend_list_sends_pages_of_100(sim, api, receiver, online):
    sim.control("friends", {"my_account": "damibtc", "count": 250})
    assert (
        api("/foreign/Friends/syncFriendList", my_account="damibtc", callback_url=f"{receiver.url}/friends?req=9")[
            "code"
        ]
        == 1
    )
    pages = receiver.wait("/friends", 3)
    assert [p["currentPage"] for p in pages] == ["1", "2", "3"]
    assert {p["total"] for p in pages} == {"250"}
    assert [len(p["info"]) for p in pages] == [100, 100, 50]
    accounts = {f["account"] for p in pages for f in p["info"]}
    assert len(accounts) == 250
    assert set(pages[0]["info"][0]) == {
        "account",
        "account_alias",
        "name",
        "sex",
        "area",
        "thumb",
        "description",
        "form_name",
        "disturb",
        "v1",
        "tag",
    }


def test_five_thousand_friends_generate_quickly(sim, online):
    started = time.monotonic()
    sim.control("accounts", {"account": "big", "friends": 5000})
    assert time.monotonic() - started < 5
    assert len(sim.control("accounts/big")["account"]["friends"]) == 5000


# -- friends and labels ------------------------------------------------------------------


def test_labels_create_assign_list_delete(sim, api, receiver, online):
    friends = [f["account"] for f in online["friends"][:2]]
    api("/foreign/Wacat/addLable", my_account="damibtc", lables="新标签,另一个", callback_url=f"{receiver.url}/labels")
    (c17,) = receiver.wait("/labels")
    assert c17["code"] == "1" and c17["msg"] == "创建成功"
    ids = [row["lable_id"] for row in c17["info"]]
    assert [row["lable_name"] for row in c17["info"]] == ["新标签", "另一个"]
    assert {row["account"] for row in c17["info"]} == {"damibtc"}

    api(
        "/foreign/Wacat/updLable",
        my_account="damibtc",
        account=",".join(friends),
        lable_id=str(ids[0]),
        callback_url=f"{receiver.url}/labels-upd",
    )
    (upd,) = receiver.wait("/labels-upd")
    assert upd["msg"] == "修改成功" and {r["account"] for r in upd["info"]} == set(friends)
    rows = {f["account"]: f for f in sim.control("accounts/damibtc")["account"]["friends"]}
    assert rows[friends[0]]["tag"] == str(ids[0])  # replace semantics

    api("/foreign/Wacat/getLables", my_account="damibtc", tags="")
    (c9,) = receiver.wait("/callbackSend")
    assert c9["code"] == "1" and any(r["lable_name"] == "另一个" for r in c9["info"])

    assert api("/foreign/Wacat/delLable", my_account="damibtc", callback_url=f"{receiver.url}/del")["code"] == 0
    assert (
        api("/foreign/Wacat/delLable", my_account="damibtc", lable_id=str(ids[0]), callback_url=f"{receiver.url}/del")[
            "code"
        ]
        == 1
    )
    assert receiver.wait("/del")[0]["lable_id"] == str(ids[0])


def test_friend_request_accept_add_and_delete(sim, api, receiver, online):
    sim.control(
        "friend_request", {"my_account": "damibtc", "account": "cat01", "nickname": "一只猫", "check_msg": "我是一只猫"}
    )
    (c6,) = receiver.wait("/newfriendlog")
    assert c6["account"] == "cat01" and c6["check_msg"] == "我是一只猫" and c6["sex"] in "012"
    pending = api("/foreign/friends/newFriendList", my_account="damibtc", status="0")["data"]
    assert [r["account"] for r in pending] == ["cat01"] and pending[0]["status"] == 0
    assert api("/foreign/friends/passAddFriends", my_account="damibtc", account="cat01")["code"] == 1
    (c3,) = receiver.wait("/addfriendlog")
    assert c3["data"]["to_account"] == "cat01" and c3["data"]["data"]["type"] == 2
    assert api("/foreign/friends/newFriendList", my_account="damibtc", status="0")["data"] == []
    assert len(api("/foreign/friends/newFriendList", my_account="damibtc", status="1")["data"]) == 1

    api("/foreign/friends/add", my_account="damibtc", account="a1,a2", content="你好", extend="req-7")
    notice = receiver.wait("/callbackSend")[0]
    assert notice["extend"] == "req-7"

    assert api("/foreign/friends/del", my_account="damibtc", to_account="cat01", extend="del-1")["code"] == 1
    (c7,) = receiver.wait("/delfriendlog")
    assert c7["code"] == "0" and c7["data"] == [{"to_account": "cat01", "form_account": "damibtc"}]
    assert receiver.wait("/callbackSend", 2)[1]["extend"] == "del-1"
    assert api("/foreign/friends/del", my_account="damibtc", to_account="cat01")["code"] == 0


def test_lookup_sends_c8_on_callback_send(api, receiver, online):
    friend = online["friends"][0]
    api("/foreign/wacat/newGetWacatInfo", my_account="damibtc", account=friend["account"], extend="查一下")
    (c8,) = receiver.wait("/callbackSend")
    assert c8["type"] == "2" and c8["myAccount"] == "damibtc" and c8["nickName"] == friend["name"]
    assert c8["extend"] == "查一下"


# -- messages ----------------------------------------------------------------------------


def test_send_validation_and_recording(sim, api, receiver, online):
    friend = online["friends"][0]["account"]
    assert (
        api("/foreign/message/send", my_account="damibtc", to_account=friend, content="x", content_type="3")["code"]
        == 0
    )
    assert (
        api("/foreign/message/send", my_account="damibtc", to_account=friend, content="u", content_type="15")["code"]
        == 0
    )
    assert (
        api("/foreign/message/send", my_account="damibtc", to_account=friend, content="x", content_type="1", type="2")[
            "code"
        ]
        == 0
    )
    assert (
        api("/foreign/message/send", my_account="damibtc", to_account=friend, content="你好", content_type="1")["code"]
        == 1
    )
    sent = sim.control("messages?my_account=damibtc")["messages"]
    assert sent[-1]["content"] == "你好" and sent[-1]["to_account"] == friend
    time.sleep(0.2)
    assert receiver.at("/messagelog") == []  # API sends are not echoed by default (E-60)


def test_inbound_single_and_group_messages(sim, api, receiver, online):
    group = online["groups"][0]
    member = next(m for m in group["members"] if m["userName"] != "wxid_7mx5bzt1qz12")
    first = sim.control("message", {"my_account": "damibtc", "from": "wxid_a", "content": "在吗？"})["msgid"]
    (c1,) = receiver.wait("/messagelog")
    assert c1["data"]["content"] == "在吗？" and c1["data"]["type"] == 2 and c1["data"]["msgid"] == first
    second = sim.control(
        "message", {"my_account": "damibtc", "from": member["userName"], "content": "收到", "group": group["number"]}
    )["msgid"]
    (c2,) = receiver.wait("/crowdlog")
    assert second != first
    data = c2["data"]
    assert data["g_number"] == group["number"] and data["type"] == 2 and data["msgid"] == second
    assert "msg_source" in data and data["g_name"] == group["name"]


def test_inbound_kinds_are_shaped_as_real_accounts_receive_them(sim, receiver, online):
    """Every kind is WeChat XML with the elements the real payloads have (tests/fixtures/real_payloads)."""
    from defusedxml.ElementTree import fromstring

    from chats import wxml
    from simulator.content import GROUP_ONLY, KINDS

    group = online["groups"][0]
    member = next(m for m in group["members"] if m["userName"] != "wxid_7mx5bzt1qz12")
    seen = {"/messagelog": 0, "/crowdlog": 0}
    expected = {  # kind: (content_type, what the XML must hold)
        "image": (2, ".//img[@cdnthumburl]"),
        "emoji": (3, ".//emoji[@cdnurl]"),
        "voice": (4, ".//voicemsg[@voicelength]"),
        "video": (5, ".//videomsg[@playlength]"),
        "file": (6, "./appmsg/appattach/totallen"),
        "file_uploading": (6, "./appmsg/appattach/fileuploadtoken"),
        "link": (8, "./appmsg/url"),
        "music": (8, "./appmsg/dataurl"),
        "card": (9, "."),
        "miniprogram": (11, "./appmsg/weappinfo/pagepath"),
        "quote": (8, "./appmsg/refermsg/displayname"),
        "chat_history": (8, "./appmsg/recorditem"),
        "channels": (8, "./appmsg/finderFeed/nickname"),
        "location": (12, "./location[@poiname]"),
        "transfer": (14, "./appmsg/wcpayinfo/feedesc"),
        "red_packet": (13, "./appmsg/wcpayinfo/receivertitle"),
        "pat": (10, "./pat/template"),
        "revoke": (10, "./revokemsg/newmsgid"),
        "group_invite": (8, "./appmsg/url"),
        "group_join": (10, ".//link_list/link"),
        "group_kick": (10, ".//link_list/link"),
        "group_notice": (10, "./mmchatroombarannouncememt/content"),
    }
    for kind in KINDS:
        body = {"my_account": "damibtc", "from": "wxid_a", "kind": kind}
        if kind in GROUP_ONLY:
            body.update({"from": member["userName"], "group": group["number"]})
        answer = sim.control("message", body)
        assert answer["kind"] == kind
        channel = "/crowdlog" if kind in GROUP_ONLY else "/messagelog"
        seen[channel] += 1
        delivery = receiver.wait(channel, count=seen[channel])[seen[channel] - 1]
        data = delivery["data"]
        assert data["msgid"] == answer["msgid"]
        if kind == "text":
            said = answer["msgid"]  # the latest text: what a quote or a revoke refers to
        if kind in ("text", "group_text"):
            assert not wxml.looks_like_xml(data["content"]) and data["content"]
            continue
        content_type, path = expected[kind]
        assert data["content_type"] == content_type, kind
        root = fromstring(wxml.split_prefix(data["content"])[1].split("?>", 1)[-1].strip())
        assert root.find(path) is not None, (kind, path)
        if kind == "voice":
            assert data["voice_len"] >= 1
        if kind.startswith("file"):
            assert data["file_name"] == root.findtext("./appmsg/title")
        if kind == "revoke":
            assert root.findtext("./revokemsg/newmsgid") == said  # it takes back that friend's last text
        if kind == "quote":
            assert root.findtext("./appmsg/refermsg/svrid") == said
    for bad in ({"kind": "group_join"}, {"kind": "nonsense"}, {}):
        answer = requests.post(f"{sim.base_url}/_sim/message", json={"my_account": "damibtc", "from": "wxid_a", **bad})
        assert answer.status_code == 400, bad


# -- groups ------------------------------------------------------------------------------


def test_group_lifecycle(sim, api, receiver, online):
    friends = [f["account"] for f in online["friends"][:3]]
    api(
        "/foreign/group/found",
        my_account="damibtc",
        group_name="新群",
        account=",".join(friends[:2]),
        callback_url=f"{receiver.url}/found",
        extend="g-1",
    )
    (c15,) = receiver.wait("/found")
    number = c15["data"]["account"]
    assert number.endswith("@chatroom") and c15["data"]["extend"] == "g-1" and c15["data"]["name"] == "新群"

    assert api("/foreign/group/addMember", my_account="damibtc", g_number=number, account=friends[2])["code"] == 1
    assert api("/foreign/group/setName", my_account="damibtc", g_number=number, name="改名了")["code"] == 1
    assert api("/foreign/Group/setGroupNotic", my_account="damibtc", number=number, notice="公告")["code"] == 1
    info = api("/foreign/group/getGroupInfo", my_account="damibtc", g_number=number)["data"]
    assert info["name"] == "改名了" and info["author"] == "damibtc" and len(json.loads(info["data"])) == 4
    assert api("/foreign/group/owner", my_account="damibtc", g_number=number)["author"] == "damibtc"
    assert api("/foreign/group/delMember", my_account="damibtc", g_number=number, account=friends[0])["code"] == 1

    api("/foreign/Group/getAllMembers", my_account="damibtc", number=number, callback_url=f"{receiver.url}/members")
    (c13,) = receiver.wait("/members")
    assert len(c13["info"]) == 3 and {"nickName", "displayName", "bigHeadImgUrl", "userName", "number"} == set(
        c13["info"][0]
    )
    small = api("/foreign/group/invateMember", my_account="damibtc", g_number=number, account="wxid_x")
    assert small["code"] == 0

    qr = api("/foreign/group/qrcode", my_account="damibtc", g_number=number, callback_url=f"{receiver.url}/gqr")
    assert qr["data"]["group_number"] == number and receiver.wait("/gqr")[0]["data"]["group_number"] == number
    assert api(
        "/foreign/group/groupAt", my_account="damibtc", account=number, atUser="wxid_a", content="@小明 你好"
    ) == {"code": 1}
    assert api("/foreign/group/groupSet", account="damibtc", status="0") == {"code": 1, "msg": "设置成功"}
    by_group = api("/foreign/group/groupSet", account=number, status="1")
    assert by_group["code"] == 1 and by_group["data"]["status"] == 1
    assert api("/foreign/group/outGroup", my_account="damibtc", g_number=number)["code"] == 1
    assert api("/foreign/group/groupList", my_account="damibtc", type="1")["total"] == 2


# -- Moments -----------------------------------------------------------------------------


def test_moments_release_list_and_point(api, receiver, online):
    ten = "{#}".join(f"https://img/{i}.jpg" for i in range(10))
    assert (
        api("/foreign/FriendCircle/release", my_account="damibtc", text="多图", media_url=ten, media_type="1")["code"]
        == 0
    )
    api(
        "/foreign/FriendCircle/release",
        my_account="damibtc",
        text="今天天气真好",
        media_url="https://img/1.jpg",
        media_type="1",
        callback_url=f"{receiver.url}/posted",
    )
    status_id = receiver.wait("/posted")[0]["statusId"]
    api(
        "/foreign/FriendCircle/getList",
        my_account="damibtc",
        load="1",
        callback_url=f"{receiver.url}/moments",
        extend="m-1",
    )
    (c16,) = receiver.wait("/moments")
    assert c16["extend"] == "m-1" and c16["data"][0]["statusId"] == status_id
    assert c16["data"][0]["mediaObject"]["imageURLStrings"] == ["https://img/1.jpg"]
    assert (
        api("/foreign/FriendCircle/point", my_account="damibtc", circle_id=status_id, point_type="1", content="")[
            "code"
        ]
        == 1
    )
    assert (
        api("/foreign/FriendCircle/point", my_account="damibtc", circle_id=status_id, point_type="2", content="")[
            "code"
        ]
        == 0
    )
    api("/foreign/FriendCircle/getList", my_account="damibtc", load="99", callback_url=f"{receiver.url}/far")
    assert receiver.wait("/far")[0]["data"] == []


# -- faults ------------------------------------------------------------------------------


def test_fault_http500_and_code0_are_counted(sim, api, online):
    sim.fault("/foreign/message/wxStatus", "http500")
    response = requests.post(
        f"{sim.base_url}/foreign/message/wxStatus", data={"my_account": "damibtc"}, headers={"token": api.token}
    )
    assert response.status_code == 500
    sim.fault("*", "code0", count=2, msg="系统繁忙")
    assert api("/foreign/message/wxStatus", my_account="damibtc") == {"code": 0, "msg": "系统繁忙"}
    assert api("/foreign/message/wxInfo", my_account="damibtc") == {"code": 0, "msg": "系统繁忙"}
    assert api("/foreign/message/wxStatus", my_account="damibtc") == {"code": 1, "msg": "在线"}


def test_fault_timeout_delays_the_answer(sim, api, online):
    sim.fault("/foreign/message/wxStatus", "timeout", delay=1.0)
    with pytest.raises(requests.Timeout):
        api("/foreign/message/wxStatus", timeout=0.3, my_account="damibtc")
    assert api("/foreign/message/wxStatus", my_account="damibtc")["code"] == 1


def test_fault_expire_token(sim, api, online):
    sim.fault("/foreign/message/wxInfo", "expire_token")
    assert api("/foreign/message/wxInfo", my_account="damibtc") == {"code": 0, "msg": "token无效"}
    assert api("/foreign/message/wxStatus", my_account="damibtc") == {"code": 0, "msg": "token无效"}
    assert Api(sim.base_url)("/foreign/message/wxStatus", my_account="damibtc")["code"] == 1


def test_fault_duplicate_and_malformed_callbacks(sim, api, receiver, online):
    sim.fault("/foreign/Wacat/addLable", "duplicate_callback")
    api("/foreign/Wacat/addLable", my_account="damibtc", lables="重复", callback_url=f"{receiver.url}/dup")
    first, second = receiver.wait("/dup", 2)
    assert first == second
    sim.fault("/foreign/Wacat/addLable", "malformed_callback")
    api("/foreign/Wacat/addLable", my_account="damibtc", lables="坏的", callback_url=f"{receiver.url}/bad")
    body = sim.wait_for(lambda: receiver.at("/bad"))[0]["body"]
    with pytest.raises(ValueError):
        json.loads(body)
    with pytest.raises(UnicodeDecodeError):
        body.decode()
    sim.wait_for(lambda: any(d["mode"] == "malformed" for d in sim.deliveries()))


def test_send_raw_and_bad_control_requests(sim, receiver):
    answer = sim.control("send_raw", {"url": f"{receiver.url}/raw", "body": "data[0]=", "content_type": "text/plain"})
    assert answer["status"] == 200 and receiver.at("/raw")[0]["body"] == b"data[0]="
    with pytest.raises(Exception, match="400"):
        sim.control("faults", {"path": "/foreign/x", "kind": "nope"})


# -- demo --------------------------------------------------------------------------------


def test_demo_trickles_inbound_chat(sim, receiver, online):
    sim.control("config", {"demo": True, "demo_interval": 0.2})
    try:
        chats = sim.wait_for(lambda: [d for d in sim.deliveries() if d["kind"] in ("C1", "C2")], timeout=5)
    finally:
        sim.control("config", {"demo": False, "demo_interval": 4})
    assert chats[0]["payload"]["data"]["my_account"] == "damibtc"
