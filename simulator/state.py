"""The simulated provider's world: developer tokens, WeChat accounts and everything they own.

All of it lives in memory and is guarded by the simulator's single lock (`Simulator.lock`);
nothing in this module locks by itself. Objects know how to render themselves in the
provider's wire shapes (C12 friend rows, C13 member rows, C16 posts) so that endpoints,
control calls and the demo all produce identical payloads.
"""

import itertools
import random
import time
import zlib
from dataclasses import dataclass, field

from . import names

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
#: Cap on the call log and delivery log, so that a long demo run cannot exhaust memory.
LOG_LIMIT = 20000


def seeded_rng(*parts):
    """A Random seeded from text, so an account's generated world is the same on every run."""
    return random.Random(zlib.crc32("|".join(str(p) for p in parts).encode()))


@dataclass
class Friend:
    account: str
    wxid: str
    name: str
    sex: int = 0
    area: str = ""
    thumb: str = ""
    description: str = ""
    remark: str = ""
    disturb: int = 2
    v1: str = ""
    tags: list = field(default_factory=list)
    zombie: bool = False

    @classmethod
    def generate(cls, rng):
        p = names.person(rng)
        return cls(
            account=p["account"],
            wxid=p["wxid"],
            name=p["name"],
            sex=p["sex"],
            area=p["area"],
            thumb=p["thumb"],
            description=p["signature"],
            remark=rng.choice(("", "", "", p["name"] + "(客户)", "老" + p["name"][-1:])),
            disturb=1 if rng.random() < 0.08 else 2,
            v1=p["v1"],
            zombie=rng.random() < 0.03,
        )

    def c12(self):
        """One `info` row of C12 (syncFriendList)."""
        return {
            "account": self.account,
            "account_alias": self.wxid,
            "name": self.name,
            "sex": self.sex,
            "area": self.area,
            "thumb": self.thumb,
            "description": self.description,
            "form_name": self.remark,
            "disturb": self.disturb,
            "v1": self.v1,
            "tag": ",".join(str(t) for t in self.tags),
        }


@dataclass
class Member:
    account: str
    wxid: str
    name: str
    display_name: str = ""
    thumb: str = ""

    def c13(self, number):
        """One `info` row of C13 (getAllMembers); also getGroupInfo's member list."""
        return {
            "nickName": self.name,
            "displayName": self.display_name,
            "bigHeadImgUrl": self.thumb,
            "userName": self.wxid,
            "number": number,
        }


@dataclass
class Group:
    number: str
    name: str
    owner: str
    thumb: str = ""
    notice: str = ""
    disturb: str = "2"
    saved: bool = True
    auto_join: int | None = None
    members: dict = field(default_factory=dict)
    invitations: list = field(default_factory=list)

    def summary(self):
        """A groupList row; getGroupInfo adds the member list to it."""
        return {
            "number": self.number,
            "name": self.name,
            "thumb": self.thumb,
            "disturb": self.disturb,
            "author": self.owner,
        }

    def find_member(self, key):
        if key in self.members:
            return self.members[key]
        return next((m for m in self.members.values() if m.wxid == key), None)


@dataclass
class FriendRequest:
    id: int
    account: str
    wxid: str
    nickname: str
    sex: int = 0
    sign: str = ""
    thumb: str = ""
    status: int = 0
    start_time: int = 0
    check_msg: str = ""
    source: str = ""
    source_nickname: str = ""
    source_account: str = ""
    source_group: str = ""
    encode_user_name: str = ""
    country: str = ""
    province: str = ""
    city: str = ""

    def record(self, my_account):
        """A newFriendList `data` element."""
        return {
            "id": self.id,
            "my_account": my_account,
            "account": self.account,
            "nickname": self.nickname,
            "sign": self.sign,
            "headHDImgUrl": self.thumb,
            "status": self.status,
            "start_time": self.start_time,
            "check_msg": self.check_msg,
            "source": self.source,
            "sourceNickname": self.source_nickname,
            "sourceAccount": self.source_account,
            "sourceGroupNumber": self.source_group,
        }

    def c6(self, my_account):
        """The C6 payload: no `data` wrapper, `sex` as text like the seed's PHP example."""
        return {
            "account": self.account,
            "my_account": my_account,
            "account_alias": self.wxid,
            "encodeUserName": self.encode_user_name,
            "nickname": self.nickname,
            "sex": str(self.sex),
            "country": self.country,
            "province": self.province,
            "city": self.city,
            "sign": self.sign,
            "headHDImgUrl": self.thumb,
            "headImgUrl": self.thumb,
            "check_msg": self.check_msg,
            "source": self.source,
            "sourceNickname": self.source_nickname,
            "sourceAccount": self.source_account,
            "sourceGroupNumber": self.source_group,
        }


@dataclass
class Moment:
    status_id: str
    account: str
    name: str
    thumb: str
    text: str
    media_type: int
    media_urls: list
    created: int
    title: str = ""
    likes: list = field(default_factory=list)
    comments: list = field(default_factory=list)

    def c16(self):
        """One post of C16 (getList)."""
        return {
            "statusId": self.status_id,
            "userString": self.account,
            "nameString": self.name,
            "profileImageURLString": self.thumb,
            "contentstring": self.text,
            "createTime": self.created,
            "timeString": self.created,
            "mediaType": str(self.media_type),
            "mediaObject": {"imageURLStrings": list(self.media_urls)},
            "likes": list(self.likes),
            "comments": list(self.comments),
        }


@dataclass
class Account:
    """A WeChat account known to the provider (it logged in once, or a test created it)."""

    account: str
    wxid: str
    name: str
    thumb: str = ""
    sex: int = 0
    area: str = ""
    signature: str = ""
    online: bool = False
    task_id: int = 0
    extend: str = ""
    auto_join: int = 1
    friends: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    outgoing_requests: list = field(default_factory=list)
    moments: list = field(default_factory=list)
    sent: list = field(default_factory=list)
    # Recent inbound texts (msgid, chat, sender wxid, sender name, text): what quotes and revokes refer to.
    received: list = field(default_factory=list)

    def find_friend(self, key):
        if key in self.friends:
            return self.friends[key]
        return next((f for f in self.friends.values() if f.wxid == key), None)

    def find_group(self, number):
        return self.groups.get(number)

    def as_member(self):
        return Member(self.account, self.wxid, self.name, "", self.thumb)

    def summary(self):
        return {
            "account": self.account,
            "wxid": self.wxid,
            "name": self.name,
            "online": self.online,
            "friends": len(self.friends),
            "groups": len(self.groups),
            "labels": [{"lable_id": k, "lable_name": v} for k, v in self.labels.items()],
            "task_id": self.task_id,
        }


@dataclass
class ScanTask:
    task_id: int
    callback_url: str
    extend: str = ""
    account: str = ""
    status: str = "waiting"  # waiting -> scanned -> confirmed, or expired
    created: float = field(default_factory=time.time)

    def summary(self):
        return {
            "task_id": self.task_id,
            "account": self.account,
            "extend": self.extend,
            "status": self.status,
            "callback_url": self.callback_url,
        }


class State:
    """Everything `/_sim/reset` forgets."""

    def __init__(self):
        self.tokens = {}  # token -> issue time
        self.urls = {}  # setUrl channel -> URL (only the channels that were given)
        self.accounts = {}
        self.scan_tasks = {}
        self.faults = []
        self.calls = []
        self.deliveries = []
        self.counters = {"scan_without_account_warnings": 0, "dropped_callbacks": 0}
        self._task_ids = itertools.count(40001)
        self._ids = itertools.count(1)
        self.delivery_ids = itertools.count(1)
        self.rng = random.Random()

    def next_task_id(self):
        return next(self._task_ids)

    def next_id(self):
        """Ids shared by labels, friend requests, C3 `uid`s and Moments posts."""
        return next(self._ids)

    def find_account(self, key):
        if not key:
            return None
        if key in self.accounts:
            return self.accounts[key]
        return next((a for a in self.accounts.values() if a.wxid == key), None)

    def log(self, bucket, entry):
        bucket.append(entry)
        if len(bucket) > LOG_LIMIT:
            del bucket[: len(bucket) - LOG_LIMIT]

    # -- generated worlds ---------------------------------------------------------------

    def create_account(self, account, wxid=None, name=None, online=False):
        rng = seeded_rng("account", account)
        p = names.person(rng)
        acct = Account(
            account=account,
            wxid=wxid or p["wxid"],
            name=name or p["name"],
            thumb=p["thumb"],
            sex=p["sex"],
            area=p["area"],
            signature=p["signature"],
            online=online,
        )
        self.accounts[account] = acct
        return acct

    def generate_friends(self, acct, count):
        """Replace the friend list with `count` generated friends; ~40% carry 1-2 labels."""
        rng = seeded_rng("friends", acct.account, count)
        if count and not acct.labels:
            for label in names.LABEL_NAMES[:5]:
                acct.labels[self.next_id()] = label
        label_ids = list(acct.labels)
        acct.friends = {}
        while len(acct.friends) < count:
            friend = Friend.generate(rng)
            if friend.account in acct.friends or friend.account == acct.account:
                continue
            if label_ids and rng.random() < 0.4:
                friend.tags = sorted(rng.sample(label_ids, min(len(label_ids), rng.choice((1, 1, 2)))))
            acct.friends[friend.account] = friend
        self.generate_moments(acct, rng)

    def generate_moments(self, acct, rng):
        """A timeline of friends' posts, newest first, so getList has something to page through."""
        friends = list(acct.friends.values())
        acct.moments = [m for m in acct.moments if m.account == acct.account]
        now = int(time.time())
        for i in range(min(len(friends), 25)):
            author = rng.choice(friends)
            images = [names.photo(rng) for _ in range(rng.randint(0, 4))]
            acct.moments.append(
                Moment(
                    status_id=str(13000000000000000000 + self.next_id() * 7919 + rng.randint(0, 7000)),
                    account=author.account,
                    name=author.name,
                    thumb=author.thumb,
                    text=rng.choice(names.MOMENT_TEXTS),
                    media_type=1 if images else 2,
                    media_urls=images,
                    created=now - 3600 * (i + 1) - rng.randint(0, 3000),
                )
            )
        acct.moments.sort(key=lambda m: m.created, reverse=True)

    def generate_groups(self, acct, count):
        """Add `count` groups; members are drawn from friends plus strangers, some above 40."""
        rng = seeded_rng("groups", acct.account, count, len(acct.groups))
        friends = list(acct.friends.values())
        for _ in range(count):
            number = names.group_number(rng)
            size = rng.choice((3, 8, 15, 30, 45, 60, 120))
            group = Group(
                number=number,
                name=rng.choice(names.GROUP_NAMES),
                owner=acct.account,
                thumb=names.thumb(rng),
                saved=rng.random() < 0.7,
            )
            group.members[acct.account] = acct.as_member()
            while len(group.members) < size:
                if friends and rng.random() < 0.6:
                    f = rng.choice(friends)
                    member = Member(f.account, f.wxid, f.name, "", f.thumb)
                else:
                    p = names.person(rng)
                    member = Member(p["account"], p["wxid"], p["name"], "", p["thumb"])
                if rng.random() < 0.2:
                    member.display_name = member.name + rng.choice(("(群主好友)", "-销售", "-北京", "🌟"))
                group.members.setdefault(member.account, member)
            if rng.random() < 0.3:
                group.owner = rng.choice([m.account for m in group.members.values()])
            acct.groups[number] = group
