"""Handlers for group callbacks (C5, C13, C14, C15).

Per-call callbacks carry our own query string (provider.callbacks.urls.callback_url):
`my_account` names the account when the payload does not (C15 has no my_account), `group`
names the group of a C13/C14 without a number, and `req` is the request id. A `found` result
(C15) is matched to its GroupCreation by `extend` (trimmed, E-54), else by `req`.
"""

from collections import defaultdict

from django.utils import timezone

from accounts.events import account_for
from groups.actions import record_event, upsert_members
from groups.models import Group, GroupCreation, GroupEvent, GroupMember
from provider.callbacks.events import DUPLICATE, PROCESSED, EventError

from . import live


def _group(account, number):
    group, created = Group.objects.get_or_create(account=account, number=number[:128])
    return group, created


def _update_group(group, values):
    changed = [name for name, value in values.items() if value and getattr(group, name) != value]
    for name in changed:
        setattr(group, name, values[name])
    if changed:
        group.save(update_fields=[*changed, "updated_at"])
    return changed


def handle_member_joined(event):
    """C5: a member joined (the account itself when `account` is ours, E-45)."""
    account = account_for(event.my_account)
    if not event.group or not event.username:
        raise EventError("group_member_joined without g_number or account")
    group, group_created = _group(account, event.group)
    if event.username in account.identifiers() and group.left_at is not None:
        group.left_at = None
        group.save(update_fields=["left_at", "updated_at"])
        group_created = True
    member, created = GroupMember.objects.get_or_create(
        group=group, username=event.username[:128], defaults={"nickname": event.name[:255]}
    )
    changed = []
    if not created:
        if member.removed_at is not None:
            member.removed_at = None
            changed.append("removed_at")
        if event.name and member.nickname != event.name[:255]:
            member.nickname = event.name[:255]
            changed.append("nickname")
        if changed:
            member.save(update_fields=changed)
    if created or "removed_at" in changed:
        record_event(group=group, kind=GroupEvent.Kind.JOINED, actor=str(member))
    elif changed or group_created:
        live.bump(account_id=account.pk, group_id=group.pk)
    return PROCESSED if created or changed or group_created else DUPLICATE


def handle_group_members(event):
    """C13: the full member list; members missing from it are marked removed (a few queries for any size)."""
    account = account_for(event.my_account)
    if not event.ok:
        return PROCESSED
    per_group = defaultdict(dict)
    for member in event.members:
        number = member.group or event.group
        if not number:
            raise EventError("group_members without a group number")
        per_group[number][member.username] = member
    if not per_group and event.group:
        per_group[event.group] = {}  # an empty list: nobody is left (we were removed, or it was dissolved)
    now = timezone.now()
    for number, members in per_group.items():
        group, _ = _group(account, number)
        upsert_members(group=group, members=list(members.values()), now=now)
    return PROCESSED


def handle_group_qrcode(event):
    """C14: the group's QR code (also taken from the sync answer, E-27)."""
    account = account_for(event.my_account)
    if not event.ok:
        return PROCESSED
    if not event.group:
        raise EventError("group_qrcode without a group number")
    group, created = _group(account, event.group)
    changed = _update_group(
        group,
        {
            "qr_code_url": event.qrcode,
            "name": event.group_name[:255],
            "avatar_url": event.avatar_url[:1000],
            "owner": event.owner[:128],
        },
    )
    if created or changed:
        live.bump(account_id=account.pk, group_id=group.pk)
    return PROCESSED if created or changed else DUPLICATE


def handle_group_created(event):
    """C15: the group a `found` call created; its GroupCreation becomes created and the members are fetched."""
    from groups.actions import request_members

    account = account_for(event.my_account)
    keys = {key for key in (event.extend.strip(), event.request_id) if key}
    creation = (
        GroupCreation.objects.select_for_update().filter(account=account, request_id__in=keys).first() if keys else None
    )
    if not event.ok or not event.group:
        if creation is not None and creation.status == GroupCreation.Status.PENDING:
            creation.status = GroupCreation.Status.FAILED
            creation.error = event.msg or "?"
            creation.save(update_fields=["status", "error"])
            live.bump(account_id=account.pk)
        return PROCESSED  # the provider says creation failed; the delivery keeps its msg
    group, created = _group(account, event.group)
    changed = _update_group(group, {"name": event.name[:255], "avatar_url": event.avatar_url[:1000]})
    if not group.owner:
        group.owner = account.my_account or ""
        group.save(update_fields=["owner", "updated_at"])
    first_time = creation is not None and creation.status != GroupCreation.Status.CREATED
    if first_time:
        creation.status = GroupCreation.Status.CREATED
        creation.group = group
        creation.error = ""
        creation.save(update_fields=["status", "group", "error"])
        actor = creation.operator.get_username() if creation.operator_id else ""
        record_event(group=group, kind=GroupEvent.Kind.CREATED, actor=actor, detail=creation.name)
    if created or first_time:
        group.account = account
        request_members(group=group)
    live.bump(account_id=account.pk, group_id=group.pk)
    return PROCESSED if created or changed or first_time else DUPLICATE
