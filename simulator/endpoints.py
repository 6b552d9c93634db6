"""One handler per provider path (provider-api.md §2), registered byte for byte.

Handlers run with the simulator lock held and return the synchronous JSON answer; any
callback they produce goes through `ctx.emit`, so a fault on the call can duplicate or
corrupt it. A handler refuses bad input by raising `Reject(msg)`, which becomes
`{"code": 0, "msg": msg}` like every provider failure.
"""

import json
import random
import time
from dataclasses import dataclass

from . import content as shapes
from . import events, names
from .state import Group, Member, Moment, ScanTask, seeded_rng

LOGIN_PATH = "/foreign/auth/login"
SENDABLE_CONTENT_TYPES = {1, 2, 4, 5, 6, 15}
MOMENTS_PAGE_SIZE = 10
FRIENDS_PAGE_SIZE = 100
INVITE_MIN_MEMBERS = 41


class Reject(Exception):
    """A business failure: the provider answers HTTP 200 with code 0 and this message."""


@dataclass
class Route:
    path: str
    handler: object
    required: tuple
    account: str  # "online", "known" or "" (no my_account lookup)


ROUTES = {}


def route(path, required=(), account="online"):
    def register(handler):
        ROUTES[path.lower()] = Route(path, handler, tuple(required), account)
        return handler

    return register


def lookup(path):
    """Exact paths, also matched case-insensitively (§1.1 [convention]) and with a trailing slash."""
    return ROUTES.get(path.rstrip("/").lower())


class Context:
    def __init__(self, sim, form, emit):
        self.sim = sim
        self.state = sim.state
        self.form = form
        self.emit = emit
        self.acct = None

    def get(self, name, default=""):
        return str(self.form.get(name, default)).strip()

    def int(self, name, default=None):
        value = self.get(name)
        if value == "" and default is not None:
            return default
        try:
            return int(value)
        except ValueError:
            raise Reject(f"参数 {name} 必须是整数") from None

    def list(self, name):
        """A multi-value parameter: one string joined with ASCII commas (§1.2)."""
        return [part.strip() for part in self.get(name).split(",") if part.strip()]

    def friend(self, key):
        friend = self.acct.find_friend(key)
        if friend is None:
            raise Reject(f"好友不存在: {key}")
        return friend

    def group(self, number):
        group = self.acct.find_group(number)
        if group is None:
            raise Reject(f"群不存在或已退出: {number}")
        return group


def require_account(ctx, key, need):
    acct = ctx.state.find_account(key)
    if acct is None:
        raise Reject(f"微信号不存在: {key}")
    if need == "online" and not acct.online:
        raise Reject(f"微信不在线: {key}")
    return acct


def handle(sim, path, form, emit):
    """Validate required parameters and the account, then run the path's handler."""
    r = lookup(path)
    ctx = Context(sim, form, emit)
    missing = [name for name in r.required if ctx.get(name) == ""]
    if missing:
        return {"code": 0, "msg": f"缺少参数: {', '.join(missing)}"}
    try:
        if r.account:
            ctx.acct = require_account(ctx, ctx.get("my_account"), r.account)
        return r.handler(ctx)
    except Reject as exc:
        return {"code": 0, "msg": str(exc)}


def ok(msg="操作成功", **extra):
    return {"code": 1, "msg": msg, **extra}


# -- 2.1 auth, 2.2 QR login, 2.3 setUrl ---------------------------------------------------


@route(LOGIN_PATH, required=("phone", "password"), account="")
def auth_login(ctx):
    config = ctx.sim.config
    if ctx.get("phone") != config.phone or ctx.get("password") != config.password:
        return {"code": 0, "msg": "账号或密码错误"}
    return ok("登录成功", token=ctx.sim.issue_token())


@route("/foreign/message/scanNew", required=("callback_url",), account="")
def scan_new(ctx):
    task = ScanTask(
        task_id=ctx.state.next_task_id(),
        callback_url=ctx.get("callback_url"),
        extend=ctx.get("extend"),
        account=ctx.get("account"),
    )
    ctx.state.scan_tasks[task.task_id] = task
    qr_url = f"{ctx.sim.config.public_url}/_sim/qr/{task.task_id}.png"
    ctx.emit.url(task.callback_url, "C11", {"code": 1, "url": qr_url, "task_id": task.task_id, "extend": task.extend})
    return ok("获取成功", task_id=task.task_id)


@route("/foreign/user/setUrl", account="")
def set_url(ctx):
    """Replaces the whole configuration: an omitted or empty channel is disabled ([convention])."""
    ctx.state.urls = {name: ctx.get(name) for name in ctx.sim.channels if ctx.get(name)}
    return ok("设置成功")


# -- 2.4 account -------------------------------------------------------------------------


@route("/foreign/wacat/out", required=("my_account",))
def wacat_out(ctx):
    events.logout(ctx.emit, ctx.acct)
    return ok("退出成功")


@route("/foreign/message/wxStatus", required=("my_account",), account="")
def wx_status(ctx):
    acct = ctx.state.find_account(ctx.get("my_account"))
    if acct is not None and acct.online:
        return {"code": 1, "msg": "在线"}
    return {"code": 0, "msg": "离线"}


@route("/foreign/message/wxInfo", required=("my_account",), account="known")
def wx_info(ctx):
    a = ctx.acct
    return ok(
        "获取成功",
        account=a.account,
        account_alias=a.wxid,
        name=a.name,
        sex=a.sex,
        area=a.area,
        decription=a.signature,
        thumb=a.thumb,
        description=a.signature,
        is_online=1 if a.online else 2,
    )


# -- 2.5 friends & labels ----------------------------------------------------------------


@route("/foreign/friends/add", required=("my_account", "account", "content"))
def friends_add(ctx):
    """Records the outgoing request(s); the notice goes to callbackSend (C18, with extend)."""
    targets = ctx.list("account")
    now = int(time.time())
    for target in targets:
        ctx.acct.outgoing_requests.append({"account": target, "content": ctx.get("content"), "time": now})
    notice = {
        "code": 1,
        "msg": "好友申请已发送",
        "extend": ctx.get("extend"),
        "my_account": ctx.acct.account,
        "account": ",".join(targets),
    }
    ctx.emit.channel("callbackSend", "C18", notice)
    return ok("提交成功")


@route("/foreign/friends/del", required=("my_account", "to_account"))
def friends_del(ctx):
    friend = ctx.friend(ctx.get("to_account"))
    events.friend_deleted(ctx.emit, ctx.acct, friend.account)
    notice = {
        "code": 1,
        "msg": "删除成功",
        "extend": ctx.get("extend"),
        "my_account": ctx.acct.account,
        "account": friend.account,
    }
    ctx.emit.channel("callbackSend", "C18", notice)
    return ok("提交成功")


def label_rows(acct, label_ids):
    return [{"lable_id": i, "account": acct.account, "lable_name": acct.labels[i]} for i in label_ids]


def label_ids(ctx, required=True):
    ids = []
    for raw in ctx.list("lable_id"):
        try:
            label_id = int(raw)
        except ValueError:
            raise Reject(f"标签ID无效: {raw}") from None
        if label_id not in ctx.acct.labels:
            raise Reject(f"标签不存在: {raw}")
        ids.append(label_id)
    if required and not ids:
        raise Reject("缺少参数: lable_id")
    return ids


@route("/foreign/Wacat/getLables", required=("my_account",))
def get_lables(ctx):
    """Missing or empty `tags` means all labels (E-20); the list goes to callbackSend as C9."""
    wanted = set(ctx.list("tags"))
    ids = [i for i in ctx.acct.labels if not wanted or str(i) in wanted]
    payload = {"code": 1, "msg": "获取成功", "my_account": ctx.acct.account, "info": label_rows(ctx.acct, ids)}
    ctx.emit.channel("callbackSend", "C9", payload)
    return ok("获取成功")


@route("/foreign/Wacat/addLable", required=("my_account", "lables", "callback_url"))
def add_lable(ctx):
    """An existing name is reused rather than duplicated, as WeChat does."""
    ids = []
    for name in ctx.list("lables"):
        existing = next((i for i, n in ctx.acct.labels.items() if n == name), None)
        if existing is None:
            existing = ctx.state.next_id()
            ctx.acct.labels[existing] = name
        ids.append(existing)
    payload = {"code": 1, "info": label_rows(ctx.acct, ids), "msg": "创建成功"}
    ctx.emit.url(ctx.get("callback_url"), "C17", payload)
    return ok("提交成功")


@route("/foreign/Wacat/updLable", required=("account", "my_account", "lable_id", "callback_url"))
def upd_lable(ctx):
    """Replace semantics (E-22): each listed friend's labels become exactly the given ids."""
    ids = label_ids(ctx)
    friends = [ctx.friend(key) for key in ctx.list("account")]
    rows = []
    for friend in friends:
        friend.tags = list(ids)
        rows.extend({"lable_id": i, "account": friend.account, "lable_name": ctx.acct.labels[i]} for i in ids)
    ctx.emit.url(ctx.get("callback_url"), "C17", {"code": 1, "info": rows, "msg": "修改成功"})
    return ok("提交成功")


@route("/foreign/Wacat/delLable", required=("my_account", "callback_url"))
def del_lable(ctx):
    """Without lable_id nothing is deleted (E-21): code 0."""
    ids = label_ids(ctx)
    for label_id in ids:
        del ctx.acct.labels[label_id]
    for friend in ctx.acct.friends.values():
        if friend.tags:
            friend.tags = [t for t in friend.tags if t not in ids]
    payload = {"code": 1, "msg": "删除成功", "lable_id": ",".join(str(i) for i in ids)}
    ctx.emit.url(ctx.get("callback_url"), "C18", payload)
    return ok("提交成功")


@route("/foreign/Friends/checkZombie", required=("my_account", "account", "callback_url"))
def check_zombie(ctx):
    friend = ctx.acct.find_friend(ctx.get("account"))
    is_zombie = 1 if friend is None or friend.zombie else 0
    payload = {"code": 1, "msg": "检测完成", "account": ctx.get("account"), "is_zombie": is_zombie}
    ctx.emit.url(ctx.get("callback_url"), "C18", payload)
    return ok("提交成功")


@route("/foreign/wacat/newGetWacatInfo", required=("my_account", "account"))
def new_get_wacat_info(ctx):
    key = ctx.get("account")
    person = ctx.acct.find_friend(key) or events.stranger(key)
    payload = {
        "account": person.account,
        "account_alias": person.wxid,
        "area": person.area,
        "extend": ctx.get("extend"),
        "header_url": person.thumb,
        "myAccount": ctx.acct.account,
        "nickName": person.name,
        "sex": person.sex,
        "type": 2,
    }
    ctx.emit.channel("callbackSend", "C8", payload)
    return ok("提交成功")


@route("/foreign/friends/newFriendList", required=("my_account", "status"))
def new_friend_list(ctx):
    status = ctx.int("status")
    if status not in (-1, 0, 1, 2):
        raise Reject("status 只能是 -1, 0, 1, 2")
    rows = [r.record(ctx.acct.account) for r in ctx.acct.requests if status == -1 or r.status == status]
    return ok("获取成功", data=rows)


@route("/foreign/friends/passAddFriends", required=("my_account", "account"))
def pass_add_friends(ctx):
    key = ctx.get("account")
    request = next((r for r in ctx.acct.requests if key in (r.account, r.wxid)), None)
    if request is None:
        raise Reject(f"好友申请不存在: {key}")
    if request.status == 2:
        raise Reject("好友申请已过期")
    if request.status == 1:
        raise Reject("已经是好友")
    friend = events.stranger(request.account, request.nickname, request.wxid)
    friend.thumb = request.thumb or friend.thumb
    friend.sex = request.sex
    events.friend_added(ctx.state, ctx.emit, ctx.acct, friend, 2)
    return ok("通过成功")


@route("/foreign/Friends/syncFriendList", required=("my_account", "callback_url"))
def sync_friend_list(ctx):
    """C12: pages of 100 in order, currentPage "1".., total = number of friends (E-42)."""
    rows = [f.c12() for f in ctx.acct.friends.values()]
    pages = [rows[i : i + FRIENDS_PAGE_SIZE] for i in range(0, len(rows), FRIENDS_PAGE_SIZE)] or [[]]
    for number, page in enumerate(pages, start=1):
        payload = {"my_account": ctx.acct.account, "currentPage": str(number), "info": page, "total": len(rows)}
        ctx.emit.url(ctx.get("callback_url"), "C12", payload)
    return ok("提交成功")


# -- 2.6 messages ------------------------------------------------------------------------


def chat_target(ctx):
    """`type` 1 single (default) or 2 group; a group send needs a group the account is in."""
    type_ = ctx.int("type", 1)
    if type_ not in (1, 2):
        raise Reject("type 只能是 1 或 2")
    to = ctx.get("to_account")
    if type_ == 2:
        if not to.endswith("@chatroom"):
            raise Reject(f"群号无效: {to}")
        ctx.group(to)
    return type_, to


def record_send(ctx, path, type_, to, **fields):
    """Sent messages are kept per account (GET /_sim/messages); they are not echoed by default (E-60)."""
    entry = {"path": path, "to_account": to, "type": type_, "at": time.time(), **fields}
    ctx.acct.sent.append(entry)
    return entry


@route("/foreign/message/send", required=("my_account", "to_account", "content", "content_type"))
def message_send(ctx):
    content_type = ctx.int("content_type")
    if content_type not in SENDABLE_CONTENT_TYPES:
        raise Reject(f"content_type 不支持: {content_type}")
    if content_type == 15 and not (ctx.get("img_md5") and ctx.get("img_size")):
        raise Reject("发送动图需要 img_md5 和 img_size")
    type_, to = chat_target(ctx)
    msgid = events.new_msgid()
    record_send(
        ctx,
        "/foreign/message/send",
        type_,
        to,
        content=ctx.get("content"),
        content_type=content_type,
        file_name=ctx.get("file_name"),
        msgid=msgid,
    )
    if ctx.sim.config.echo_sends:
        group = ctx.acct.find_group(to) if type_ == 2 else None
        content, file_name, voice_len = ctx.get("content"), ctx.get("file_name") or "", 0
        if content_type in shapes.ECHO_KINDS:
            # WeChat turns a sent file into its own message: the echo is XML with CDN ids, like a received one.
            shape = shapes.Context(
                rng=random.Random(msgid),
                sender=ctx.acct.account,
                sender_wxid=ctx.acct.wxid,
                name=ctx.acct.name,
                to=to,
                group=group.number if group else "",
            )
            made = shapes.echo(content_type, shape, file_name)
            content, file_name, voice_len = made.content, made.file_name, made.voice_len
        if group is not None:
            events.inbound_message(
                ctx.emit,
                ctx.acct,
                ctx.acct.account,
                content,
                content_type,
                group,
                ctx.acct.name,
                msgid,
                1,
                file_name=file_name,
                voice_len=voice_len,
            )
        else:
            events.inbound_message(
                ctx.emit,
                ctx.acct,
                to,
                content,
                content_type,
                msgid=msgid,
                type_=1,
                file_name=file_name,
                voice_len=voice_len,
            )
    return ok("发送成功")


@route("/foreign/message/wacatCard", required=("my_account", "to_account", "card_name"))
def wacat_card(ctx):
    type_, to = chat_target(ctx)
    record_send(ctx, "/foreign/message/wacatCard", type_, to, card_name=ctx.get("card_name"))
    return ok("发送成功")


@route("/foreign/message/sendUrl", required=("my_account", "to_account", "url", "title"))
def send_url(ctx):
    type_, to = chat_target(ctx)
    record_send(
        ctx,
        "/foreign/message/sendUrl",
        type_,
        to,
        url=ctx.get("url"),
        title=ctx.get("title"),
        describe=ctx.get("describe"),
        thumb=ctx.get("thumb"),
    )
    return ok("发送成功")


@route("/foreign/message/sendApp", required=("app_name", "title", "thumb_key", "my_account", "to_account"))
def send_app(ctx):
    type_, to = chat_target(ctx)
    record_send(
        ctx,
        "/foreign/message/sendApp",
        type_,
        to,
        app_name=ctx.get("app_name"),
        title=ctx.get("title"),
        thumb_key=ctx.get("thumb_key"),
        page_path=ctx.get("page_path"),
        describe=ctx.get("describe"),
        thumb_url=ctx.get("thumb_url"),
    )
    return ok("发送成功")


# -- 2.7 groups --------------------------------------------------------------------------


@route("/foreign/Group/setGroupNotic", required=("my_account", "number", "notice"))
def set_group_notic(ctx):
    ctx.group(ctx.get("number")).notice = ctx.get("notice")
    return ok("设置成功")


@route("/foreign/group/found", required=("group_name", "my_account", "account"))
def group_found(ctx):
    """Creates a new …@chatroom group and reports its number in C15 (if a callback_url is given)."""
    people = [ctx.acct.find_friend(key) or events.stranger(key) for key in ctx.list("account")]
    rng = seeded_rng("found", ctx.state.next_id(), time.time())
    group = Group(number=names.group_number(rng), name=ctx.get("group_name"), owner=ctx.acct.account)
    group.members[ctx.acct.account] = ctx.acct.as_member()
    for person in people:
        group.members[person.account] = Member(person.account, person.wxid, person.name, "", person.thumb)
    ctx.acct.groups[group.number] = group
    data = {"account": group.number, "extend": ctx.get("extend"), "name": group.name, "headerImage": group.thumb}
    ctx.emit.url(ctx.get("callback_url"), "C15", {"code": 1, "msg": "创建成功", "data": data})
    return ok("提交成功")


@route("/foreign/group/outGroup", required=("g_number", "my_account"))
def out_group(ctx):
    group = ctx.group(ctx.get("g_number"))
    del ctx.acct.groups[group.number]
    return ok("退出成功")


@route("/foreign/group/setName", required=("name", "my_account", "g_number"))
def set_name(ctx):
    ctx.group(ctx.get("g_number")).name = ctx.get("name")
    return ok("修改成功")


@route("/foreign/group/addMember", required=("account", "my_account", "g_number"))
def add_member(ctx):
    group = ctx.group(ctx.get("g_number"))
    for key in ctx.list("account"):
        person = ctx.acct.find_friend(key) or events.stranger(key)
        group.members.setdefault(person.account, Member(person.account, person.wxid, person.name, "", person.thumb))
    return ok("添加成功")


@route("/foreign/group/delMember", required=("account", "my_account", "g_number"))
def del_member(ctx):
    group = ctx.group(ctx.get("g_number"))
    if group.owner not in (ctx.acct.account, ctx.acct.wxid):
        raise Reject("只有群主可以移除群成员")
    member = group.find_member(ctx.get("account"))
    if member is None:
        raise Reject(f"该成员不在群内: {ctx.get('account')}")
    del group.members[member.account]
    return ok("移除成功")


@route("/foreign/group/groupAt", required=("account", "my_account", "atUser", "content"))
def group_at(ctx):
    """Answers `{"code": 1}` only, as documented (E-37)."""
    group = ctx.group(ctx.get("account"))
    at_users = ctx.list("atUser")
    record_send(ctx, "/foreign/group/groupAt", 2, group.number, at_users=at_users, content=ctx.get("content"))
    return {"code": 1}


@route("/foreign/group/qrcode", required=("my_account", "g_number", "callback_url"))
def group_qrcode(ctx):
    """Both readings of E-27: `data` in the answer and C14 to callback_url."""
    group = ctx.group(ctx.get("g_number"))
    data = {
        "qrcode": f"{ctx.sim.config.public_url}/_sim/group_qr/{group.number}.png",
        "group_nickname": group.name,
        "group_number": group.number,
        "headimg": group.thumb,
        "owner": group.owner,
        "type": "1",
    }
    ctx.emit.url(ctx.get("callback_url"), "C14", {"code": 1, "msg": "获取成功", "data": data})
    return ok("获取成功", data=data)


@route("/foreign/group/groupSet", required=("account", "status"), account="")
def group_set(ctx):
    """Both readings of E-1: an account-level switch, or (first reading) a group's flag."""
    status = ctx.int("status")
    if status not in (0, 1):
        raise Reject("status 只能是 0 或 1")
    key = ctx.get("account")
    if key.endswith("@chatroom"):
        groups = [a.groups[key] for a in ctx.state.accounts.values() if key in a.groups]
        if not groups:
            raise Reject(f"群不存在: {key}")
        for group in groups:
            group.auto_join = status
        return ok("设置成功", data={"account": key, "status": status})
    require_account(ctx, key, "online").auto_join = status
    return ok("设置成功")


@route("/foreign/group/getGroupInfo", required=("my_account", "g_number"))
def get_group_info(ctx):
    """`data.data` is the member list as JSON text, as the seed types it (E-34)."""
    group = ctx.group(ctx.get("g_number"))
    members = [m.c13(group.number) for m in group.members.values()]
    data = {**group.summary(), "data": json.dumps(members, ensure_ascii=False)}
    return ok("获取成功", data=data)


@route("/foreign/group/groupList", required=("my_account", "type"))
def group_list(ctx):
    type_ = ctx.int("type")
    if type_ not in (1, 2):
        raise Reject("type 只能是 1 或 2")
    rows = [g.summary() for g in ctx.acct.groups.values() if type_ == 1 or g.saved]
    return ok("获取成功", data=rows, page=1, total=len(rows))


@route("/foreign/group/owner", required=("my_account", "g_number"))
def group_owner(ctx):
    group = ctx.group(ctx.get("g_number"))
    return ok("获取成功", data={"author": group.owner}, author=group.owner)


@route("/foreign/Group/getAllMembers", required=("number", "my_account", "callback_url"))
def get_all_members(ctx):
    group = ctx.group(ctx.get("number"))
    payload = {
        "code": 1,
        "msg": "获取成功",
        "my_account": ctx.acct.account,
        "my_account_alias": ctx.acct.wxid,
        "info": [m.c13(group.number) for m in group.members.values()],
    }
    ctx.emit.url(ctx.get("callback_url"), "C13", payload)
    return ok("提交成功")


@route("/foreign/group/invateMember", required=("g_number", "my_account", "account"))
def invate_member(ctx):
    """Only for groups above 40 members (E-46); the invitee still has to accept."""
    group = ctx.group(ctx.get("g_number"))
    if len(group.members) < INVITE_MIN_MEMBERS:
        raise Reject("群成员不超过40人，请使用 addMember 直接拉人")
    group.invitations.append({"account": ctx.get("account"), "time": int(time.time())})
    return ok("邀请已发送")


# -- 2.8 Moments -------------------------------------------------------------------------


@route("/foreign/FriendCircle/release", required=("my_account", "text", "media_type"))
def release(ctx):
    media_type = ctx.int("media_type")
    if media_type not in (1, 2, 3):
        raise Reject("media_type 只能是 1, 2, 3")
    parts = ctx.get("media_url").split("{#}")
    urls = [p.strip() for p in parts if p.strip()]
    if media_type == 1:
        if not urls:
            raise Reject("图片朋友圈需要 media_url")
        if len(urls) > 9:
            raise Reject("最多只能发9张图片")
    if media_type == 3 and (len(parts) < 2 or not parts[0].strip()):
        raise Reject("视频朋友圈格式: 视频地址{#}封面地址")
    moment = Moment(
        status_id=str(14000000000000000000 + ctx.state.next_id()),
        account=ctx.acct.account,
        name=ctx.acct.name,
        thumb=ctx.acct.thumb,
        text=ctx.get("text"),
        media_type=media_type,
        media_urls=urls,
        created=int(time.time()),
        title=ctx.get("title"),
    )
    ctx.acct.moments.insert(0, moment)
    if ctx.get("callback_url"):
        payload = {"code": 1, "msg": "发布成功", "statusId": moment.status_id}
        ctx.emit.url(ctx.get("callback_url"), "C18", payload)
    return ok("提交成功")


@route("/foreign/FriendCircle/point", required=("my_account", "circle_id", "point_type"))
def point(ctx):
    """A like needs no content; a comment does (E-31)."""
    point_type = ctx.int("point_type")
    if point_type not in (1, 2):
        raise Reject("point_type 只能是 1 或 2")
    moment = next((m for m in ctx.acct.moments if m.status_id == ctx.get("circle_id")), None)
    if moment is None:
        raise Reject(f"朋友圈不存在: {ctx.get('circle_id')}")
    entry = {"account": ctx.acct.account, "name": ctx.acct.name, "time": int(time.time())}
    if point_type == 1:
        if all(like["account"] != ctx.acct.account for like in moment.likes):
            moment.likes.append(entry)
    else:
        if not ctx.get("content"):
            raise Reject("评论内容不能为空")
        moment.comments.append({**entry, "content": ctx.get("content")})
    return ok("操作成功")


@route("/foreign/FriendCircle/getList", required=("my_account", "callback_url"))
def get_list(ctx):
    """`load` pages of 10 (E-10): 0 or missing is the first page; past the end is empty."""
    load = max(ctx.int("load", 1), 1)
    posts = ctx.acct.moments
    if ctx.get("statusId"):
        posts = [m for m in posts if m.status_id == ctx.get("statusId")]
    elif ctx.get("to_account"):
        posts = [m for m in posts if m.account == ctx.get("to_account")]
    page = posts[(load - 1) * MOMENTS_PAGE_SIZE : load * MOMENTS_PAGE_SIZE]
    payload = {
        "code": 1,
        "msg": "获取成功",
        "my_account": ctx.acct.account,
        "extend": ctx.get("extend"),
        "data": [m.c16() for m in page],
    }
    ctx.emit.url(ctx.get("callback_url"), "C16", payload)
    return ok("提交成功")
