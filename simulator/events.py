"""State changes that produce callbacks, shared by provider endpoints, the control API and the demo.

Payload shapes follow provider-api.md §3 and its [convention] notes, with the JSON types
of the seed's examples (§1.7): e.g. C4 `"type": "1"` (text), C1 `"type": 1` (number).
"""

import secrets
import time

from . import content as shapes
from . import names
from .state import Friend, FriendRequest, Member, seeded_rng


class Emitter:
    """Sends callbacks for one call; a fault on that call may duplicate or corrupt them."""

    def __init__(self, sim, duplicate=False, malformed=False):
        self.sim = sim
        self.duplicate = duplicate
        self.malformed = malformed

    def url(self, url, kind, payload, channel="callback_url"):
        if not url:
            self.sim.state.counters["dropped_callbacks"] += 1
            return
        self.sim.dispatcher.submit(url, kind, payload, channel, self.duplicate, self.malformed)

    def channel(self, name, kind, payload):
        """POST to a setUrl channel; a channel that setUrl did not configure is disabled."""
        self.url(self.sim.state.urls.get(name), kind, payload, channel=name)


def new_msgid():
    """Message ids look like WeChat's 64-bit server ids and never repeat."""
    return str(secrets.randbits(62) | (1 << 62))


def c4(acct, type_):
    return {
        "data": [
            {
                "type": type_,
                "account": acct.account,
                "account_alias": acct.wxid,
                "name": acct.name,
                "task_id": acct.task_id,
                "thumb": acct.thumb,
                "extend": acct.extend,
            }
        ]
    }


def login(emit, acct, task):
    """The phone confirmed the QR: C10 (type 4, status 8) then C4 type "1", both on wacatout."""
    acct.online = True
    acct.task_id = task.task_id
    acct.extend = task.extend
    task.status = "confirmed"
    task.account = acct.account
    c10 = {
        "data": [
            {
                "account": acct.account,
                "account_alias": acct.wxid,
                "name": acct.name,
                "headimg": acct.thumb,
                "status": 8,
                "type": 4,
                "app_token": "",
                "extend": task.extend,
            }
        ]
    }
    emit.channel("wacatout", "C10", c10)
    emit.channel("wacatout", "C4", c4(acct, "1"))


def logout(emit, acct):
    """Logout or disconnect: C4 type "2" with the current task_id (0 when there is none)."""
    acct.online = False
    emit.channel("wacatout", "C4", c4(acct, "2"))


def inbound_message(
    emit,
    acct,
    sender,
    content,
    content_type=1,
    group=None,
    from_name=None,
    msgid=None,
    type_=2,
    file_name="",
    voice_len=0,
):
    """C1 (single chat) or, with a group, C2. Returns the msgid. `sender` is an account id."""
    msgid = msgid or new_msgid()
    if group is None:
        friend = acct.find_friend(sender)
        name = from_name or (friend.name if friend else sender)
        data = {
            "my_account": acct.account,
            "my_name": acct.name,
            "to_account": sender,
            "to_name": name,
            "content": content,
            "content_type": content_type,
            "file_name": file_name,
            "voice_len": voice_len,
            "type": type_,
            "msgid": msgid,
        }
        emit.channel("messagelog", "C1", {"data": data})
        _remember(acct, msgid, sender, friend.wxid if friend else sender, name, content, content_type, type_)
        return msgid
    member = group.find_member(sender)
    name = from_name or (member.name if member else sender)
    data = {
        "to_account": sender,
        "voice_len": voice_len,
        "file_name": file_name,
        "content_type": content_type,
        "to_name": name,
        "my_account": acct.account,
        "g_name": group.name,
        "g_number": group.number,
        "my_name": acct.name,
        "to_account_alias": member.wxid if member else sender,
        "content": content,
        "type": type_,
        "msgid": msgid,
        "msg_source": f"<msgsource><atuserlist></atuserlist><membercount>{len(group.members)}"
        "</membercount></msgsource>",
    }
    emit.channel("crowdlog", "C2", {"data": data})
    _remember(acct, msgid, group.number, member.wxid if member else sender, name, content, content_type, type_)
    return msgid


RECEIVED_KEPT = 50


def _remember(acct, msgid, chat, wxid, name, content, content_type, type_):
    if type_ == 2 and content_type == 1:
        acct.received.append((msgid, chat, wxid, name, content))
        del acct.received[:-RECEIVED_KEPT]


def earlier_text(acct, chat, wxid=None):
    """The latest remembered inbound text of this chat (from `wxid` when given), or None."""
    for msgid, where, who, name, text in reversed(acct.received):
        if where == chat and (wxid is None or who == wxid):
            return msgid, who, name, text
    return None


def inbound_kind(emit, acct, sender, kind, rng, group=None, from_name=None, msgid=None, revokes=""):
    """An inbound message of one of simulator.content.KINDS, shaped as real accounts receive it."""
    if group is None:
        person = acct.find_friend(sender)
        chat = sender
    else:
        person = group.find_member(sender)
        chat = group.number
    wxid = person.wxid if person else sender
    name = from_name or (person.name if person else sender)
    earlier = earlier_text(acct, chat)
    if kind == "revoke" and not revokes:
        own = earlier_text(acct, chat, wxid)
        revokes = own[0] if own else ""
    ctx = shapes.Context(
        rng=rng,
        sender=sender,
        sender_wxid=wxid,
        name=name,
        to=acct.wxid,
        group=group.number if group else "",
        earlier=earlier or (),
        revokes=revokes,
    )
    made = shapes.make(kind, ctx)
    return inbound_message(
        emit,
        acct,
        sender,
        made.content,
        made.content_type,
        group,
        from_name,
        msgid,
        file_name=made.file_name,
        voice_len=made.voice_len,
    )


def friend_added(state, emit, acct, friend, type_):
    """The friendship exists: add the friend and send C3 (data.type 1 I added, 2 they added me)."""
    acct.friends[friend.account] = friend
    for request in acct.requests:
        if friend.account in (request.account, request.wxid) and request.status == 0:
            request.status = 1
    payload = {
        "data": {
            "uid": state.next_id(),
            "my_account": acct.account,
            "my_name": acct.name,
            "to_account": friend.account,
            "data": {
                "name": friend.name,
                "account": friend.account,
                "sex": friend.sex,
                "area": friend.area,
                "thumb": friend.thumb,
                "type": type_,
                "time": int(time.time()),
                "v1": friend.v1,
            },
        }
    }
    emit.channel("addfriendlog", "C3", payload)


def friend_deleted(emit, acct, friend_account):
    """C7 in the seed example's shape (code 0 despite success, to_account/form_account)."""
    acct.friends.pop(friend_account, None)
    payload = {"code": 0, "msg": "删除成功", "data": [{"to_account": friend_account, "form_account": acct.account}]}
    emit.channel("delfriendlog", "C7", payload)


def member_joined(emit, acct, group, member):
    group.members[member.account] = member
    payload = {
        "data": {"g_number": group.number, "account": member.account, "name": member.name, "my_account": acct.account}
    }
    emit.channel("addgrouplog", "C5", payload)


def stranger(account, name=None, wxid=None):
    """A plausible profile for someone we only know by account (lookups, new friends)."""
    rng = seeded_rng("stranger", account)
    friend = Friend.generate(rng)
    friend.account = account
    friend.wxid = wxid or (account if account.startswith("wxid_") else friend.wxid)
    friend.name = name or friend.name
    friend.tags = []
    friend.zombie = False
    return friend


def stranger_member(account, name=None):
    f = stranger(account, name)
    return Member(f.account, f.wxid, f.name, "", f.thumb)


def random_inbound(emit, acct, rng, group_share=0.3, other_share=0.3):
    """One realistic inbound message (used by the demo): C1 from a friend or C2 in a group.

    Mostly chat lines; `other_share` of them another kind (an image, a voice message, a quote,
    a pat …) in the shapes real accounts receive (simulator.content).
    """
    kind = "text"
    if rng.random() < other_share:
        kinds = list(shapes.DEMO_KINDS)
        kind = rng.choices(kinds, weights=[shapes.DEMO_KINDS[k] for k in kinds])[0]
    groups = list(acct.groups.values())
    if groups and rng.random() < group_share:
        group = rng.choice(groups)
        others = [m for m in group.members.values() if m.account != acct.account]
        if others:
            if kind != "text" and rng.random() < 0.15:
                kind = rng.choice(shapes.GROUP_ONLY)
            return inbound_kind(emit, acct, rng.choice(others).account, kind, rng, group=group)
    if acct.friends:
        friend = rng.choice(list(acct.friends.values()))
        return inbound_kind(emit, acct, friend.account, kind, rng)
    return None


def new_request(state, acct, body):
    """A friend request from `body` (control API), with generated defaults for what it lacks."""
    account = str(body["account"])
    person = stranger(account, body.get("nickname"), body.get("wxid"))
    rng = seeded_rng("request", account)
    area = (person.area or "中国").split(" ")
    request = FriendRequest(
        id=state.next_id(),
        account=account,
        wxid=person.wxid,
        nickname=person.name,
        sex=int(body.get("sex", person.sex)),
        sign=str(body.get("sign", person.description)),
        thumb=str(body.get("headHDImgUrl", person.thumb)),
        status=int(body.get("status", 0)),
        start_time=int(body.get("start_time", time.time())),
        check_msg=str(body["check_msg"]) if "check_msg" in body else names.check_msg(rng, person.name),
        source=str(body.get("source", rng.choice(names.SOURCES))),
        source_nickname=str(body.get("sourceNickname", "")),
        source_account=str(body.get("sourceAccount", "")),
        source_group=str(body.get("sourceGroupNumber", "")),
        encode_user_name=f"v1_{names.word(rng, length=60)}@stranger",
        country=str(body.get("country", "中国")),
        province=str(body.get("province", area[0])),
        city=str(body.get("city", area[-1])),
    )
    acct.requests.append(request)
    return request
