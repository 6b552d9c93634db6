"""The /_sim/ control API (docs/simulator-control.md): what tests, the demo and operators drive.

Each handler takes (sim, body, query, match) and returns a dict, which becomes
`{"ok": true, ...}`, or a `Raw` answer (PNG, HTML, redirect). `Bad(msg)` becomes HTTP 400
`{"ok": false, "error": msg}`. Handlers run with the simulator lock held.
"""

import hashlib
import html
import io
import json
import random
import re
import struct
import sys
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field

import segno

from . import callbacks, events, faults
from . import content as shapes
from .state import Group, Member


class Bad(Exception):
    """A control request the simulator cannot honour (HTTP 400)."""


@dataclass
class Raw:
    status: int
    content_type: str
    body: bytes
    headers: dict = field(default_factory=dict)


ROUTES = []


def route(method, pattern, locked=True):
    """Register a handler; `locked=False` handlers take the lock themselves (they wait on the network)."""

    def register(handler):
        ROUTES.append((method, re.compile(f"^/_sim/{pattern}$"), handler, locked))
        return handler

    return register


def handle(sim, method, path, query, body, headers):
    """Return (status, content_type, body bytes, extra headers) for one control request."""
    path = path.rstrip("/")
    found = [
        (m, handler, locked)
        for route_method, pattern, handler, locked in ROUTES
        if route_method == method and (m := pattern.match(path))
    ]
    if not found:
        known_path = any(pattern.match(path) for _, pattern, _, _ in ROUTES)
        return error(405 if known_path else 404, f"{method} {path} is not a control endpoint")
    match, handler, locked = found[0]
    try:
        data = parse_body(body, headers.get("Content-Type", ""))
        if locked:
            with sim.lock:
                result = handler(sim, data, urllib.parse.parse_qs(query), match)
        else:
            result = handler(sim, data, urllib.parse.parse_qs(query), match)
    except Bad as exc:
        return error(400, str(exc))
    if isinstance(result, Raw):
        return result.status, result.content_type, result.body, result.headers
    return json_answer(200, {"ok": True, **result})


def json_answer(status, payload):
    return status, "application/json", json.dumps(payload, ensure_ascii=False).encode(), {}


def error(status, message):
    return json_answer(status, {"ok": False, "error": message})


def parse_body(body, content_type):
    """JSON for programs; an urlencoded form from the HTML QR page's buttons."""
    if not body.strip():
        return {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(urllib.parse.parse_qsl(body.decode("utf-8", errors="replace")))
    try:
        data = json.loads(body)
    except ValueError:
        raise Bad("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise Bad("the body must be a JSON object")
    return data


def need(body, *names):
    missing = [n for n in names if body.get(n) in (None, "")]
    if missing:
        raise Bad(f"missing field(s): {', '.join(missing)}")
    return [body[n] for n in names]


def as_int(value, name):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Bad(f'"{name}" must be an integer') from None


def get_account(sim, key, online=False):
    acct = sim.state.find_account(str(key))
    if acct is None:
        raise Bad(f"unknown account: {key}")
    if online and not acct.online:
        raise Bad(f"account is offline: {key}")
    return acct


def get_task(sim, task_id):
    task = sim.state.scan_tasks.get(as_int(task_id, "task_id"))
    if task is None:
        raise Bad(f"unknown task_id: {task_id}")
    ttl = float(sim.config.qr_ttl or 0)
    if ttl and task.status in ("waiting", "scanned") and time.time() - task.created > ttl:
        task.status = "expired"
    return task


# -- basics ------------------------------------------------------------------------------


@route("GET", "health")
def health(sim, body, query, match):
    return {}


@route("POST", "reset")
def reset(sim, body, query, match):
    sim.reset()
    return {}


CONFIG_TYPES = {
    "delivery_mode": str,
    "token_ttl": float,
    "callback_delay": float,
    "demo": bool,
    "demo_interval": float,
    "qr_ttl": float,
    "echo_sends": bool,
    "public_url": str,
    "verbose": bool,
}


@route("GET", "config")
def get_config(sim, body, query, match):
    return {"config": sim.config.public()}


@route("POST", "config")
def set_config(sim, body, query, match):
    unknown = sorted(set(body) - set(CONFIG_TYPES))
    if unknown:
        raise Bad(f"unknown config key(s): {', '.join(unknown)}")
    if "delivery_mode" in body and body["delivery_mode"] not in callbacks.MODES:
        raise Bad(f'"delivery_mode" must be one of {", ".join(callbacks.MODES)}')
    changes = {}
    for key, value in body.items():
        kind = CONFIG_TYPES[key]
        try:
            changes[key] = kind(0 if value is None and kind is float else value)
        except (TypeError, ValueError):
            raise Bad(f'"{key}" must be a {kind.__name__}') from None
        if kind is float and changes[key] < 0:
            raise Bad(f'"{key}" must not be negative')
    if changes.get("demo_interval") == 0:
        raise Bad('"demo_interval" must be positive')
    for key, value in changes.items():
        setattr(sim.config, key, value)
    return {"config": sim.config.public()}


@route("GET", "calls")
def calls(sim, body, query, match):
    wanted = query.get("path", [None])[0]
    rows = [c for c in sim.state.calls if wanted is None or c["path"].lower() == wanted.lower()]
    return {"calls": rows}


@route("GET", "deliveries")
def deliveries(sim, body, query, match):
    """Optional filters (additions to the contract): ?kind=C12, ?since=<id> (ids greater than)."""
    kind = query.get("kind", [None])[0]
    since = as_int(query.get("since", [0])[0], "since")
    rows = [d for d in sim.state.deliveries if (kind is None or d["kind"] == kind) and d["id"] > since]
    return {"deliveries": rows}


@route("GET", "state")
def state_summary(sim, body, query, match):
    st = sim.state
    for task_id in list(st.scan_tasks):
        get_task(sim, task_id)  # applies automatic expiry
    return {
        "accounts": [a.summary() for a in st.accounts.values()],
        "scan_tasks": [t.summary() for t in st.scan_tasks.values()],
        "urls": dict(st.urls),
        "counters": dict(st.counters),
        "faults": [f.as_dict() for f in st.faults],
        "pending_callbacks": sim.dispatcher.queue.qsize(),
    }


@route("POST", "faults")
def add_fault(sim, body, query, match):
    try:
        fault = faults.parse(body)
    except ValueError as exc:
        raise Bad(str(exc)) from None
    sim.state.faults.append(fault)
    return {"fault": fault.as_dict()}


@route("GET", "faults")
def list_faults(sim, body, query, match):
    return {"faults": [f.as_dict() for f in sim.state.faults]}


@route("DELETE", "faults")
def clear_faults(sim, body, query, match):
    sim.state.faults.clear()
    return {}


# -- accounts and login ------------------------------------------------------------------


@route("POST", "accounts")
def upsert_account(sim, body, query, match):
    """Create or update an account without QR; `friends`/`groups` regenerate those lists."""
    (account,) = need(body, "account")
    account = str(account)
    acct = sim.state.find_account(account) or sim.state.create_account(account, body.get("wxid"), body.get("name"))
    if body.get("wxid"):
        acct.wxid = str(body["wxid"])
    if body.get("name"):
        acct.name = str(body["name"])
    acct.online = bool(body.get("online", True))
    if "friends" in body:
        sim.state.generate_friends(acct, max(as_int(body["friends"], "friends"), 0))
    if "groups" in body:
        acct.groups = {}
        sim.state.generate_groups(acct, max(as_int(body["groups"], "groups"), 0))
    return {"account": acct.summary()}


@route("GET", r"accounts/(?P<account>[^/]+)")
def account_detail(sim, body, query, match):
    """Everything the simulator knows about one account (an addition to the contract)."""
    acct = get_account(sim, urllib.parse.unquote(match["account"]))
    return {
        "account": {
            **acct.summary(),
            "thumb": acct.thumb,
            "auto_join": acct.auto_join,
            "friends": [f.c12() for f in acct.friends.values()],
            "groups": [
                {
                    **g.summary(),
                    "notice": g.notice,
                    "saved": g.saved,
                    "auto_join": g.auto_join,
                    "members": [m.c13(g.number) for m in g.members.values()],
                    "invitations": list(g.invitations),
                }
                for g in acct.groups.values()
            ],
            "requests": [r.record(acct.account) for r in acct.requests],
            "outgoing_requests": list(acct.outgoing_requests),
            "moments": [m.c16() for m in acct.moments],
            "sent": list(acct.sent),
        }
    }


@route("GET", "messages")
def messages(sim, body, query, match):
    """Messages sent through the API (an addition): ?my_account= narrows to one account."""
    wanted = query.get("my_account", [None])[0]
    accounts = [get_account(sim, wanted)] if wanted else sim.state.accounts.values()
    return {"messages": [{"my_account": a.account, **m} for a in accounts for m in a.sent]}


@route("POST", "scan")
def scan(sim, body, query, match):
    (task_id,) = need(body, "task_id")
    task = get_task(sim, task_id)
    if task.status != "waiting":
        raise Bad(f"task {task.task_id} is {task.status}, not waiting")
    task.status = "scanned"
    return {"task": task.summary()}


def confirm_task(sim, task, body):
    """Log the phone in: reuse a known account or create one, then C10 + C4 type "1"."""
    if task.status not in ("waiting", "scanned"):
        raise Bad(f"task {task.task_id} is {task.status}")
    key = str(body.get("account") or body.get("wxid") or task.account or "")
    acct = sim.state.find_account(key) if key else None
    if acct is not None and not task.account:
        sim.state.counters["scan_without_account_warnings"] += 1
        print(
            f"simulator: WARNING scanNew task {task.task_id} omitted `account` for known account "
            f"{acct.account} (risks 'login devices full', E-26)",
            file=sys.stderr,
        )
    if acct is None:
        rng = sim.state.rng
        account = str(body.get("account") or task.account or f"wxid_{rng.randrange(16**14):014x}")
        acct = sim.state.create_account(account, body.get("wxid"), body.get("name"))
        if body.get("friends"):
            sim.state.generate_friends(acct, as_int(body["friends"], "friends"))
        if body.get("groups"):
            sim.state.generate_groups(acct, as_int(body["groups"], "groups"))
    elif body.get("name"):
        acct.name = str(body["name"])
    events.login(sim.emitter(), acct, task)
    return acct


@route("POST", "confirm")
def confirm(sim, body, query, match):
    (task_id,) = need(body, "task_id")
    acct = confirm_task(sim, get_task(sim, task_id), body)
    return {"account": acct.summary()}


@route("POST", "expire_qr")
def expire_qr(sim, body, query, match):
    (task_id,) = need(body, "task_id")
    task = get_task(sim, task_id)
    if task.status == "confirmed":
        raise Bad(f"task {task.task_id} is already confirmed")
    task.status = "expired"
    return {"task": task.summary()}


def png(data, scale=6):
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def avatar_png(token, size=96):
    """A plain PNG avatar: two colours derived from the token, split diagonally."""
    digest = hashlib.sha256(token.encode()).digest()
    light, dark = (160 + digest[0] % 80, 160 + digest[1] % 80, 160 + digest[2] % 80), tuple(b // 2 for b in digest[3:6])
    rows = b"".join(
        b"\x00" + b"".join(bytes(light if x + y < size else dark) for x in range(size)) for y in range(size)
    )

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@route("GET", r"avatar/(?P<token>[A-Za-z0-9]{1,64})\.png", locked=False)
def avatar(sim, body, query, match):
    return Raw(200, "image/png", avatar_png(match["token"]), {"Cache-Control": "max-age=86400"})


@route("GET", r"qr/(?P<task_id>\d+)\.png")
def qr_png(sim, body, query, match):
    task = get_task(sim, match["task_id"])
    return Raw(200, "image/png", png(f"{sim.config.public_url}/_sim/qr/{task.task_id}"))


QR_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>扫码登录 · 任务 {task_id}</title>
<style>body{{font-family:sans-serif;max-width:28rem;margin:2rem auto;text-align:center}}
button{{font-size:1.1rem;margin:.5rem;padding:.5rem 1.5rem}}</style></head>
<body><h1>WeChat login (simulated phone)</h1>
<p><img src="{png}" alt="QR code for task {task_id}" width="240" height="240"></p>
<p>Task {task_id} · status <strong>{status}</strong> · account {account} · extend {extend}</p>
<form method="post" action="{base}/scan"><button {scan_disabled}>Scan</button></form>
<form method="post" action="{base}/confirm">
<input name="account" placeholder="account (optional)" value="{account_value}">
<input name="name" placeholder="nickname (optional)">
<input type="hidden" name="friends" value="30"><input type="hidden" name="groups" value="3">
<button {confirm_disabled}>Confirm</button></form></body></html>
"""


@route("GET", r"qr/(?P<task_id>\d+)")
def qr_page(sim, body, query, match):
    """A page for people: the QR and the two buttons a phone would offer. Everything is escaped."""
    task = get_task(sim, match["task_id"])
    base = f"/_sim/qr/{task.task_id}"
    page = QR_PAGE.format(
        task_id=task.task_id,
        png=html.escape(base + ".png"),
        base=html.escape(base),
        status=html.escape(task.status),
        account=html.escape(task.account or "(new)"),
        account_value=html.escape(task.account),
        extend=html.escape(task.extend or "-"),
        scan_disabled="" if task.status == "waiting" else "disabled",
        confirm_disabled="" if task.status in ("waiting", "scanned") else "disabled",
    )
    return Raw(200, "text/html; charset=utf-8", page.encode())


@route("POST", r"qr/(?P<task_id>\d+)/(?P<action>scan|confirm)")
def qr_button(sim, body, query, match):
    """The QR page's buttons; answers with a redirect back to the page."""
    task = get_task(sim, match["task_id"])
    if match["action"] == "scan":
        scan(sim, {"task_id": task.task_id}, query, None)
    else:
        confirm_task(sim, task, body)
    return Raw(303, "text/plain", b"", {"Location": f"/_sim/qr/{task.task_id}"})


@route("GET", r"group_qr/(?P<number>[^/]+)\.png")
def group_qr_png(sim, body, query, match):
    number = urllib.parse.unquote(match["number"])
    return Raw(200, "image/png", png(f"https://weixin.qq.com/g/{number}", scale=4))


@route("POST", "disconnect")
def disconnect(sim, body, query, match):
    (key,) = need(body, "my_account")
    events.logout(sim.emitter(), get_account(sim, key))
    return {}


# -- inbound events ----------------------------------------------------------------------


@route("POST", "message")
def message(sim, body, query, match):
    """An inbound message: `content` as given, or `kind` for one shaped as real accounts receive it."""
    key, sender = need(body, "my_account", "from")
    acct = get_account(sim, key)
    group = None
    if body.get("group"):
        group = acct.find_group(str(body["group"]))
        if group is None:
            raise Bad(f"{acct.account} is not in group {body['group']}")
    msgid = str(body["msgid"]) if body.get("msgid") else None
    if "content" not in body:
        kind = str(body.get("kind") or "")
        if kind not in shapes.KINDS:
            raise Bad(f'give "content", or "kind": one of {", ".join(shapes.KINDS)}')
        if kind in shapes.GROUP_ONLY and group is None:
            raise Bad(f'"{kind}" happens only in groups: give "group"')
        rng = random.Random(body.get("seed")) if body.get("seed") is not None else random.Random()
        msgid = events.inbound_kind(
            sim.emitter(),
            acct,
            str(sender),
            kind,
            rng,
            group,
            body.get("from_name"),
            msgid,
            str(body.get("revokes") or ""),
        )
        return {"msgid": msgid, "kind": kind}
    msgid = events.inbound_message(
        sim.emitter(),
        acct,
        str(sender),
        str(body["content"]),
        as_int(body.get("content_type", 1), "content_type"),
        group,
        body.get("from_name"),
        msgid,
        as_int(body.get("type", 2), "type"),
        file_name=str(body.get("file_name") or ""),
        voice_len=as_int(body.get("voice_len", 0), "voice_len"),
    )
    return {"msgid": msgid}


@route("POST", "friend_request")
def friend_request(sim, body, query, match):
    key, _ = need(body, "my_account", "account")
    acct = get_account(sim, key)
    try:
        request = events.new_request(sim.state, acct, body)
    except (TypeError, ValueError) as exc:
        raise Bad(f"bad friend request field: {exc}") from None
    sim.emitter().channel("newfriendlog", "C6", request.c6(acct.account))
    return {"request": request.record(acct.account)}


@route("POST", "friend_added")
def friend_added(sim, body, query, match):
    key, account = need(body, "my_account", "account")
    acct = get_account(sim, key)
    type_ = as_int(body.get("type", 2), "type")
    friend = acct.find_friend(str(account)) or events.stranger(str(account), body.get("name"), body.get("wxid"))
    if body.get("name"):
        friend.name = str(body["name"])
    events.friend_added(sim.state, sim.emitter(), acct, friend, type_)
    return {"friend": friend.c12()}


@route("POST", "friend_deleted")
def friend_deleted(sim, body, query, match):
    key, account = need(body, "my_account", "account")
    acct = get_account(sim, key)
    friend = acct.find_friend(str(account))
    events.friend_deleted(sim.emitter(), acct, friend.account if friend else str(account))
    return {}


@route("POST", "group_join")
def group_join(sim, body, query, match):
    """Someone joined a group; if it is the account itself, an unknown group is created (E-45)."""
    key, number, account = need(body, "my_account", "g_number", "account")
    acct = get_account(sim, key)
    group = acct.find_group(str(number))
    is_self = str(account) in (acct.account, acct.wxid)
    if group is None:
        if not is_self:
            raise Bad(f"{acct.account} is not in group {number}")
        group = Group(number=str(number), name=str(body.get("group_name") or "新群聊"), owner=str(account))
        acct.groups[group.number] = group
    friend = acct.find_friend(str(account))
    if is_self:
        member = acct.as_member()
    elif friend:
        member = Member(friend.account, friend.wxid, friend.name, "", friend.thumb)
    else:
        member = events.stranger_member(str(account))
    if body.get("name"):
        member.name = str(body["name"])
    events.member_joined(sim.emitter(), acct, group, member)
    return {"member": member.c13(group.number)}


@route("POST", "group_fill")
def group_fill(sim, body, query, match):
    """Grow a group to `size` members with generated people (no callbacks), e.g. a 500-member group."""
    from .names import person
    from .state import seeded_rng

    key, number, size = need(body, "my_account", "g_number", "size")
    acct = get_account(sim, key)
    group = acct.find_group(str(number))
    if group is None:
        raise Bad(f"{acct.account} is not in group {number}")
    rng = seeded_rng("group_fill", group.number, size)
    while len(group.members) < as_int(size, "size"):
        p = person(rng)
        group.members.setdefault(p["account"], Member(p["account"], p["wxid"], p["name"], "", p["thumb"]))
    return {"members": len(group.members)}


@route("POST", "friends")
def replace_friends(sim, body, query, match):
    key, count = need(body, "my_account", "count")
    acct = get_account(sim, key)
    sim.state.generate_friends(acct, max(as_int(count, "count"), 0))
    return {"friends": len(acct.friends)}


@route("POST", "send_raw", locked=False)
def send_raw(sim, body, query, match):
    """POST an arbitrary body (e.g. a malformed callback) right now; recorded as kind "raw"."""
    url, raw_body = need(body, "url", "body")
    content_type = str(body.get("content_type") or callbacks.FORM)
    status = callbacks.post(str(url), str(raw_body).encode(), content_type)
    with sim.lock:
        sim.record_delivery(
            url=str(url),
            kind="raw",
            channel="send_raw",
            body=str(raw_body),
            content_type=content_type,
            status=status,
            payload=None,
            mode="raw",
        )
    return {"status": status}
