"""Writes of the groups app. Every provider call goes through the outbox (provider.outbox.enqueue);
its subject names the row the answer updates (groups.results), and callbacks (groups.events)
correlate by the `req` / `my_account` / `group` query of their callback URL.

Preconditions common to all: the operator may act on the account (the views check it with
accounts.access). Nothing here calls the provider directly.
"""

import uuid

from django.db import transaction
from django.utils import timezone

from provider import outbox
from provider.callbacks.urls import callback_url
from provider.models import OutboxEntry

from . import live
from .models import GroupCreation, GroupEvent, GroupMember, GroupSettings

# WeChat lets members add people directly up to this size; above it only invitation links work (E-46).
DIRECT_ADD_MAX = 40
LIST_SUBJECT = "groups.GroupList"
PENDING = (OutboxEntry.Status.QUEUED, OutboxEntry.Status.SENDING)


def _enqueue(account, method, subject, /, *, operator=None, **params):
    return outbox.enqueue(
        method=method,
        params={"my_account": account.my_account, **params},
        account=account,
        operator=operator,
        subject=subject,
    )


def _pending(subject, method):
    return OutboxEntry.objects.filter(subject=subject, method=method, status__in=PENDING).exists()


def _group_call(group, method, /, *, operator=None, **params):
    return _enqueue(group.account, method, outbox.subject_for(group), operator=operator, group=group.number, **params)


def record_event(*, group, kind, actor="", detail="", action=""):
    event = GroupEvent.objects.create(group=group, kind=kind, actor=actor[:255], detail=detail or "", action=action)
    live.bump(account_id=group.account_id, group_id=group.pk)
    return event


def _operator_name(operator):
    return operator.get_username() if operator is not None else ""


# --- reading from the provider ---------------------------------------------------------------


@transaction.atomic
def refresh_group_list(*, account, operator=None, saved=True):
    """groupList, all groups (type 1) then, with `saved`, the ones saved to contacts (type 2).

    A refresh already waiting is not asked for twice (login and a click at the same time are one
    refresh). An operator's refresh also fetches the members of groups never fetched (see
    groups.results); the login refresh does not, so it does not hold up the account's sends.
    """
    subject = f"{LIST_SUBJECT}:{account.pk}"
    if _pending(subject, "group_list"):
        return False
    _enqueue(account, "group_list", subject, operator=operator, saved_only=False)
    if saved:
        _enqueue(account, "group_list", subject, operator=operator, saved_only=True)
    live.bump(account_id=account.pk)
    return True


@transaction.atomic
def request_members(*, group, operator=None):
    """getAllMembers; the list arrives by callback (C13, E-28) on `group-members`."""
    if _pending(outbox.subject_for(group), "group_members"):
        return None
    url = callback_url("group-members", req=uuid.uuid4().hex, my_account=group.account.my_account, group=group.number)
    return _group_call(group, "group_members", operator=operator, callback_url=url)


@transaction.atomic
def refresh_group(*, group, operator=None):
    """Details (getGroupInfo), owner (owner) and members (getAllMembers) of one group."""
    subject = outbox.subject_for(group)
    if not _pending(subject, "group_info"):
        _group_call(group, "group_info", operator=operator)
    if not _pending(subject, "group_owner"):
        _group_call(group, "group_owner", operator=operator)
    request_members(group=group, operator=operator)
    live.bump(account_id=group.account_id, group_id=group.pk)


@transaction.atomic
def request_qrcode(*, group, operator=None):
    """qrcode: the picture comes in the answer and/or by callback (C14); both are the same result (E-27)."""
    url = callback_url("group-qrcode", req=uuid.uuid4().hex, my_account=group.account.my_account, group=group.number)
    entry = _group_call(group, "group_qrcode", operator=operator, callback_url=url)
    live.bump(account_id=group.account_id, group_id=group.pk)
    return entry


# --- acting on groups ------------------------------------------------------------------------


@transaction.atomic
def create_group(*, account, name, friends, operator=None):
    """found with the selected friends; the group appears when C15 comes back with our `extend` (E-54)."""
    creation = GroupCreation.objects.create(
        account=account,
        name=name,
        members=[f.username for f in friends],
        request_id=uuid.uuid4().hex,
        operator=operator,
    )
    _enqueue(
        account,
        "create_group",
        outbox.subject_for(creation),
        operator=operator,
        name=name,
        accounts=[f.username for f in friends],
        callback_url=callback_url("group-created", req=creation.request_id, my_account=account.my_account),
        extend=creation.request_id,
    )
    live.bump(account_id=account.pk)
    return creation


@transaction.atomic
def rename_group(*, group, name, operator=None):
    """setName; the name changes here once the provider accepted it."""
    entry = _group_call(group, "rename_group", operator=operator, name=name)
    live.bump(account_id=group.account_id, group_id=group.pk)
    return entry


@transaction.atomic
def set_notice(*, group, notice, operator=None):
    """setGroupNotic; the announcement changes here once the provider accepted it."""
    entry = _group_call(group, "set_group_notice", operator=operator, notice=notice)
    live.bump(account_id=group.account_id, group_id=group.pk)
    return entry


@transaction.atomic
def leave_group(*, group, operator=None):
    """outGroup; the group is marked left once the provider accepted it."""
    entry = _group_call(group, "leave_group", operator=operator)
    live.bump(account_id=group.account_id, group_id=group.pk)
    return entry


def active_member_count(group):
    return GroupMember.objects.filter(group=group, removed_at__isnull=True).count()


def add_mode(group):
    """("add", count) for groups of 40 members or fewer, ("invite", count) above (E-46).

    A group whose member list was never fetched counts as small: addMember works for any size
    at the provider we know, invateMember only above 40.
    """
    count = active_member_count(group)
    return ("invite" if count > DIRECT_ADD_MAX else "add"), count


@transaction.atomic
def add_members(*, group, friends, operator=None):
    """addMember (one call for all) or, above 40 members, invateMember (one call per invitee, by
    wxid when known). Returns (mode, member_count)."""
    mode, count = add_mode(group)
    if mode == "add":
        _group_call(group, "add_group_members", operator=operator, accounts=[f.username for f in friends])
    else:
        for friend in friends:
            _group_call(group, "invite_member", operator=operator, account=friend.wxid or friend.username)
    live.bump(account_id=group.account_id, group_id=group.pk)
    return mode, count


@transaction.atomic
def remove_member(*, group, member, operator=None):
    """delMember. Precondition: the account owns the group (the view offers it only then)."""
    if not group.is_owned_by(group.account):
        raise PermissionError("only the group owner can remove members")
    entry = _group_call(group, "remove_group_member", operator=operator, account=member.username)
    live.bump(account_id=group.account_id, group_id=group.pk)
    return entry


@transaction.atomic
def set_auto_join(*, account, enabled, operator=None):
    """groupSet: the account joins groups from invitation links by itself (on) or not (off) (E-1)."""
    settings_row, _ = GroupSettings.objects.select_for_update().get_or_create(account=account)
    settings_row.requested = enabled
    settings_row.error = ""
    settings_row.save(update_fields=["requested", "error", "updated_at"])
    _enqueue(account, "set_auto_join", outbox.subject_for(settings_row), operator=operator, enabled=enabled)
    return settings_row


# --- answers that change rows (used by groups.results and groups.events) ----------------------


def upsert_members(*, group, members, now=None):
    """A full member list (C13 / getGroupInfo): one upsert, one update for the members gone.

    Members who were on an earlier list and are missing now left the group (an event each);
    rows only a join callback created are replaced quietly (they may carry the WeChat ID where
    the list carries the wxid).
    """
    now = now or timezone.now()
    rows = {}
    for m in members:
        if m.username:
            rows[m.username[:128]] = m
    GroupMember.objects.bulk_create(
        [
            GroupMember(
                group=group,
                username=username,
                nickname=m.nickname[:255],
                display_name=m.display_name[:255],
                avatar_url=m.avatar_url[:1000],
                removed_at=None,
                listed=True,
            )
            for username, m in rows.items()
        ],
        update_conflicts=True,
        unique_fields=["group", "username"],
        update_fields=["nickname", "display_name", "avatar_url", "removed_at", "listed"],
    )
    gone = GroupMember.objects.filter(group=group, removed_at__isnull=True).exclude(username__in=list(rows))
    left = list(gone.filter(listed=True).values_list("nickname", "display_name", "username"))
    gone.update(removed_at=now)
    if left:
        GroupEvent.objects.bulk_create(
            [
                GroupEvent(group=group, kind=GroupEvent.Kind.LEFT, actor=(d or n or u)[:255], created_at=now)
                for n, d, u in left
            ]
        )
    group.members_synced_at = now
    group.save(update_fields=["members_synced_at", "updated_at"])
    live.bump(account_id=group.account_id, group_id=group.pk)
