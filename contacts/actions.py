"""Writes of the contacts app: every provider call goes through the outbox (provider.outbox.enqueue).

Each action records its own row (when it has one) and one outbox entry per provider call, in
one transaction; the entry's subject names the row, so the result handlers in
contacts.results can update it when the call is sent or fails.
"""

import uuid
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from contacts.models import (
    ContactLookup,
    Friend,
    FriendInvite,
    FriendRequest,
    FriendSync,
    Label,
    LabelRename,
)
from provider import outbox
from provider.callbacks.urls import callback_url


def _enqueue(account, method, operator, subject, /, **params):
    return outbox.enqueue(
        method=method,
        params={"my_account": account.my_account, **params},
        account=account,
        operator=operator,
        subject=subject,
    )


# --- friend list ----------------------------------------------------------------------------------


def running_sync(account):
    """The account's running, not stale, friend sync, or None."""
    sync = FriendSync.objects.filter(account=account, status=FriendSync.Status.RUNNING).order_by("-started_at").first()
    if sync is None or sync.is_stale():
        return None
    return sync


@transaction.atomic
def start_friend_sync(*, account, operator=None):
    """Ask the provider for the full friend list (pages arrive as C12 on the `friends` channel).

    A sync already running for the account is returned instead of starting a second one. The
    labels are asked for first (same FIFO queue), so the label ids in the pages have names.
    """
    locked = type(account).objects.select_for_update().get(pk=account.pk)  # one starter at a time
    sync = running_sync(locked)
    if sync is not None:
        return sync
    now = timezone.now()
    FriendSync.objects.filter(account=account, status=FriendSync.Status.RUNNING).update(
        status=FriendSync.Status.FAILED, error="no page for too long: abandoned", finished_at=now
    )
    sync = FriendSync.objects.create(account=account, request_id=uuid.uuid4().hex)
    _enqueue(account, "get_labels", operator, "contacts.Label:refresh", tags="")
    url = callback_url("friends", req=sync.request_id, my_account=account.my_account)
    sync.outbox = _enqueue(account, "sync_friend_list", operator, outbox.subject_for(sync), callback_url=url)
    sync.save(update_fields=["outbox", "updated_at"])
    return sync


@transaction.atomic
def delete_friend(*, account, friend, operator=None):
    """friends/del; the friend is marked removed when C7 arrives (chat history stays)."""
    assert friend.account_id == account.pk
    return _enqueue(
        account,
        "delete_friend",
        operator,
        outbox.subject_for(friend),
        to_account=friend.username,
        extend=f"del:{friend.pk}",
    )


@transaction.atomic
def check_zombies(*, account, friends, operator=None):
    """One checkZombie per friend (each result arrives on its own callback URL)."""
    entries = []
    for friend in friends:
        assert friend.account_id == account.pk
        url = callback_url("zombie", my_account=account.my_account, account=friend.username)
        entries.append(
            _enqueue(
                account, "check_zombie", operator, outbox.subject_for(friend), account=friend.username, callback_url=url
            )
        )
    return entries


# --- invitations, lookups, requests ------------------------------------------------------------


@transaction.atomic
def invite_friends(*, account, targets, greeting, operator=None):
    """friends/add, one entry per target so the batch follows the account's send rate."""
    invites = []
    for target in dict.fromkeys(t.strip() for t in targets if t.strip()):
        invite = FriendInvite.objects.create(account=account, target=target, greeting=greeting, operator=operator)
        invite.outbox = _enqueue(
            account,
            "add_friends",
            operator,
            outbox.subject_for(invite),
            accounts=[target],
            content=greeting,
            extend=invite.extend,
        )
        invite.save(update_fields=["outbox", "updated_at"])
        invites.append(invite)
    return invites


@transaction.atomic
def retry_invite(*, invite, operator=None):
    """A failed invitation goes out again (its outbox entry is retried)."""
    if invite.status != FriendInvite.Status.FAILED or invite.outbox is None:
        return invite
    outbox.retry(invite.outbox, operator=operator)
    invite.status = FriendInvite.Status.QUEUED
    invite.error = ""
    invite.save(update_fields=["status", "error", "updated_at"])
    return invite


@transaction.atomic
def lookup_account(*, account, query, operator=None):
    """newGetWacatInfo; the answer (C8) is stored on the lookup with the same `extend`."""
    lookup = ContactLookup.objects.create(
        account=account, query=query[:128], extend=uuid.uuid4().hex, operator=operator
    )
    lookup.outbox = _enqueue(
        account, "lookup_account", operator, outbox.subject_for(lookup), account=lookup.query, extend=lookup.extend
    )
    lookup.save(update_fields=["outbox"])
    return lookup


@transaction.atomic
def accept_requests(*, account, requests, operator=None):
    """passAddFriends per pending request; accepted when the call succeeds (and again by C3)."""
    accepted = []
    for request in requests:
        assert request.account_id == account.pk
        if request.status != FriendRequest.Status.PENDING:
            continue
        entry = request.accept_entry
        if entry is not None and entry.status in (entry.Status.QUEUED, entry.Status.SENDING):
            continue  # a double click is one action
        request.accept_entry = _enqueue(
            account, "accept_friend", operator, outbox.subject_for(request), account=request.username
        )
        request.save(update_fields=["accept_entry", "updated_at"])
        accepted.append(request)
    return accepted


@transaction.atomic
def reconcile_requests(*, account, status=-1, operator=None):
    """newFriendList (a synchronous answer): contacts.results reconciles the rows from it."""
    return _enqueue(account, "friend_requests", operator, f"contacts.FriendRequest:list{status}", status=status)


# --- labels ------------------------------------------------------------------------------------


def _label_url(account, **query):
    return callback_url("labels", req=uuid.uuid4().hex, my_account=account.my_account, **query)


@transaction.atomic
def refresh_labels(*, account, operator=None):
    """getLables; the list arrives as C9 on callbackSend and replaces ours."""
    return _enqueue(account, "get_labels", operator, "contacts.Label:refresh", tags="")


@transaction.atomic
def create_labels(*, account, names, operator=None):
    """addLable with several names at once; created when C17 arrives."""
    names = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not names:
        return None
    return _enqueue(
        account, "add_labels", operator, "contacts.Label:create", names=names, callback_url=_label_url(account)
    )


@transaction.atomic
def set_labels(*, account, changes, operator=None):
    """updLable has replace semantics (E-22): group friends by their resulting label set and send
    one call per distinct set. `changes` maps Friend -> the set of Label rows they should have.

    The provider needs at least one label id, so a friend whose set would be empty is not sent;
    those friends are returned as skipped.
    """
    groups = defaultdict(list)
    skipped = []
    for friend, labels in changes.items():
        assert friend.account_id == account.pk
        ids = tuple(sorted({label.label_id for label in labels}))
        if not ids:
            skipped.append(friend)
            continue
        groups[ids].append(friend)
    entries = []
    for ids, friends in groups.items():
        entries.append(
            _enqueue(
                account,
                "update_labels",
                operator,
                "contacts.Label:assign",
                accounts=[friend.username for friend in friends],
                label_ids=list(ids),
                callback_url=_label_url(account),
            )
        )
    return entries, skipped


def assign_labels(*, account, friends, add=(), remove=(), operator=None):
    """Add and/or remove labels on many friends (each friend's full set is sent, E-22)."""
    add_ids = {label.pk for label in add}
    remove_ids = {label.pk for label in remove}
    labels = {label.pk: label for label in (*add, *remove)}
    changes = {}
    for friend in friends:
        current = {label.pk: label for label in friend.labels.all()}
        wanted = (set(current) | add_ids) - remove_ids
        if wanted == set(current):
            continue
        changes[friend] = {current.get(pk) or labels[pk] for pk in wanted}
    return set_labels(account=account, changes=changes, operator=operator)


@transaction.atomic
def delete_labels(*, account, labels, operator=None):
    """delLable; the labels go when the (undocumented, C18) result says code 1."""
    ids = sorted({label.label_id for label in labels})
    if not ids:
        return None
    url = callback_url(
        "labels-deleted", req=uuid.uuid4().hex, my_account=account.my_account, lable_id=",".join(map(str, ids))
    )
    return _enqueue(account, "delete_labels", operator, "contacts.Label:delete", label_ids=ids, callback_url=url)


@transaction.atomic
def rename_label(*, account, label, new_name, operator=None):
    """Start a rename: addLable(new name); contacts.events continues when its C17 arrives."""
    assert label.account_id == account.pk
    rename = LabelRename.objects.create(
        account=account,
        old_label=label,
        old_provider_id=label.label_id,
        old_name=label.name,
        new_name=new_name.strip()[:255],
        request_id=uuid.uuid4().hex,
        operator=operator,
    )
    url = callback_url("labels", req=rename.request_id, my_account=account.my_account)
    _enqueue(account, "add_labels", operator, outbox.subject_for(rename), names=[rename.new_name], callback_url=url)
    return rename


def continue_rename(rename, new_label):
    """The new label exists: move every friend from the old label to it, then delete the old one.

    Called from the C17 handler, inside its transaction. Precondition: rename is CREATING.
    """
    account = rename.account
    rename.new_provider_id = new_label.label_id
    old = Label.objects.filter(account=account, label_id=rename.old_provider_id).first()
    if old is not None and old.pk != new_label.pk:
        friends = Friend.objects.filter(account=account, labels=old).prefetch_related("labels")
        changes = {friend: ({*friend.labels.all()} - {old}) | {new_label} for friend in friends}
        set_labels(account=account, changes=changes, operator=rename.operator)
        delete_labels(account=account, labels=[old], operator=rename.operator)
        rename.status = LabelRename.Status.MOVING  # done when the old label's deletion is confirmed
    else:
        rename.status = LabelRename.Status.DONE
    rename.save(update_fields=["new_provider_id", "status", "updated_at"])
