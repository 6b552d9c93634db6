"""Every contacts endpoint and callback end to end: action -> outbox -> real Celery worker ->
simulator -> callback -> live_server -> database. PostgreSQL and Redis only (the worker fixture
skips otherwise)."""

import pytest

from contacts import actions
from contacts.models import ContactLookup, Friend, FriendInvite, FriendRequest, FriendSync, Label, LabelRename
from provider.models import CallbackDelivery, OutboxEntry
from tests.contacts.conftest import wait_until

pytestmark = pytest.mark.worker

SYNC_PATH = "/foreign/Friends/syncFriendList"


@pytest.fixture
def live(console, workers, sim, wechat_account):
    """The account exists in the simulator with a few friends; one worker runs."""
    sim.control(
        "accounts",
        {"account": wechat_account.account, "wxid": wechat_account.wxid, "name": "大米", "friends": 30, "online": True},
    )
    workers()
    return wechat_account


def sync_and_wait(account, timeout=60):
    sync = actions.start_friend_sync(account=account)

    def finished():
        sync.refresh_from_db()
        return sync.status != FriendSync.Status.RUNNING

    wait_until(finished, timeout=timeout, message="friend sync")
    assert sync.status == FriendSync.Status.DONE, sync.error
    return sync


def sim_friends(sim, account):
    return sim.control(f"accounts/{account.account}")["account"]


def test_a_sync_of_5000_friends_arrives_in_50_pages(live, sim):
    sim.control("friends", {"my_account": live.account, "count": 5000})
    sync = sync_and_wait(live, timeout=180)
    assert (sync.received, sync.total, len(sync.pages)) == (5000, 5000, 50)
    assert Friend.objects.present().filter(account=live).count() == 5000
    assert CallbackDelivery.objects.filter(channel="friends", status="processed").count() == 50
    # the label list was asked for first, so the page's label ids have their names
    labelled = Friend.objects.filter(account=live, labels__isnull=False).distinct().count()
    assert labelled > 1000
    assert not Label.objects.filter(account=live, name__regex=r"^[0-9]+$").exists()


def test_pages_delivered_twice_are_counted_once(live, sim):
    sim.control("friends", {"my_account": live.account, "count": 250})
    sim.fault(SYNC_PATH, "duplicate_callback")
    sync = sync_and_wait(live)
    assert sync.received == 250 and len(sync.pages) == 3
    wait_until(lambda: CallbackDelivery.objects.filter(channel="friends").count() == 6, message="6 deliveries")
    statuses = sorted(CallbackDelivery.objects.filter(channel="friends").values_list("status", flat=True))
    assert statuses == ["duplicate"] * 3 + ["processed"] * 3
    assert Friend.objects.present().filter(account=live).count() == 250


def test_a_resync_marks_friends_no_longer_present_as_removed(live, sim):
    sync_and_wait(live)
    before = set(Friend.objects.filter(account=live).values_list("username", flat=True))
    assert len(before) == 30
    sim.control("friends", {"my_account": live.account, "count": 20})
    after = {f["account"] for f in sim_friends(sim, live)["friends"]}
    sync_and_wait(live)
    assert set(Friend.objects.present().filter(account=live).values_list("username", flat=True)) == after
    removed = set(Friend.objects.filter(account=live, removed_at__isnull=False).values_list("username", flat=True))
    assert removed == before - after and removed


def test_delete_a_friend_then_c7_marks_it_removed(live, sim):
    sync_and_wait(live)
    friend = Friend.objects.filter(account=live).first()
    actions.delete_friend(account=live, friend=friend)

    def removed():
        friend.refresh_from_db()
        return friend.removed_at

    wait_until(removed, message="friend removed by C7")
    assert friend.username not in {f["account"] for f in sim_friends(sim, live)["friends"]}


def test_a_friend_request_is_accepted_and_c3_adds_the_friend(live, sim):
    sim.control(
        "friend_request",
        {"my_account": live.account, "account": "cat_lover", "nickname": "一只猫", "check_msg": "我是一只猫"},
    )
    request = wait_until(lambda: FriendRequest.objects.filter(account=live, username="cat_lover").first())
    assert (request.status, request.greeting) == (FriendRequest.Status.PENDING, "我是一只猫")
    actions.accept_requests(account=live, requests=[request])
    wait_until(lambda: Friend.objects.filter(account=live, username="cat_lover", removed_at=None).exists())
    request.refresh_from_db()
    assert request.status == FriendRequest.Status.ACCEPTED
    # the provider's own list agrees once reconciled
    entry = actions.reconcile_requests(account=live, status=-1)
    wait_until(lambda: OutboxEntry.objects.get(pk=entry.pk).status == "sent")
    request.refresh_from_db()
    assert request.status == FriendRequest.Status.ACCEPTED and request.provider_id


def test_labels_create_assign_rename_and_delete(live, sim):
    sync_and_wait(live)
    actions.create_labels(account=live, names=["潜在客户", "老客户"])
    wait_until(lambda: Label.objects.filter(account=live, name__in=["潜在客户", "老客户"]).count() == 2)
    new, old = Label.objects.get(account=live, name="潜在客户"), Label.objects.get(account=live, name="老客户")
    chosen = list(Friend.objects.filter(account=live).order_by("username")[:3])
    actions.assign_labels(account=live, friends=chosen, add=[new])
    wait_until(lambda: new.friends.count() == 3, message="C17 assigned the label")

    rename = actions.rename_label(account=live, label=new, new_name="意向客户")
    wait_until(lambda: LabelRename.objects.get(pk=rename.pk).status == "done", timeout=30, message="rename done")
    renamed = Label.objects.get(account=live, name="意向客户")
    assert sorted(renamed.friends.values_list("username", flat=True)) == [f.username for f in chosen]
    assert not Label.objects.filter(pk=new.pk).exists()
    sim_labels = {row["lable_name"] for row in sim.control("state")["accounts"][0]["labels"]}
    assert "意向客户" in sim_labels and "潜在客户" not in sim_labels

    actions.delete_labels(account=live, labels=[old])
    wait_until(lambda: not Label.objects.filter(pk=old.pk).exists(), message="label deleted")


def test_zombie_checks_lookup_and_invitations(live, sim):
    sync_and_wait(live)
    friend = Friend.objects.filter(account=live).first()
    ghost = Friend.objects.create(account=live, username="ghost_friend", nickname="幽灵")
    actions.check_zombies(account=live, friends=[friend, ghost])

    def checked():
        return Friend.objects.filter(pk__in=[friend.pk, ghost.pk], zombie_checked_at__isnull=False).count() == 2

    wait_until(checked, message="zombie results")
    assert Friend.objects.get(pk=ghost.pk).is_zombie is True
    assert Friend.objects.get(pk=friend.pk).is_zombie is False

    lookup = actions.lookup_account(account=live, query=friend.username)
    wait_until(lambda: ContactLookup.objects.get(pk=lookup.pk).result, message="C8 lookup")
    result = ContactLookup.objects.get(pk=lookup.pk).result
    assert result["account"] == friend.username and result["nickname"] == friend.nickname

    sim.fault("/foreign/friends/add", "code0", msg="对方账号异常")  # the first of the batch is refused
    first, second = actions.invite_friends(account=live, targets=["stranger_1", "13800138000"], greeting="你好")

    def settled(*invites):
        rows = [FriendInvite.objects.get(pk=i.pk) for i in invites]
        return rows if all(r.status != "queued" for r in rows) else None

    first, second = wait_until(lambda: settled(first, second), message="invitations sent")
    assert (first.status, second.status) == ("failed", "sent")
    assert "对方账号异常" in first.error
    wait_until(lambda: FriendInvite.objects.get(pk=second.pk).notice, message="friends/add notice (C18)")
    actions.retry_invite(invite=first)
    (first,) = wait_until(lambda: settled(first), message="retried invitation")
    assert first.status == "sent" and not first.error
    outgoing = [r["account"] for r in sim_friends(sim, live)["outgoing_requests"]]
    assert sorted(outgoing) == ["13800138000", "stranger_1"]
