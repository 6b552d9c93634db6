"""Handlers for group callbacks (C5, C13, C14, C15)."""

from collections import defaultdict

from django.utils import timezone

from accounts.events import account_for
from groups.models import Group, GroupMember
from provider.callbacks.events import DUPLICATE, PROCESSED, EventError


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
    return PROCESSED if created or changed or group_created else DUPLICATE


def handle_group_members(event):
    """C13: the full member list; members missing from it are marked removed."""
    account = account_for(event.my_account)
    if not event.ok:
        return PROCESSED
    per_group = defaultdict(dict)
    for member in event.members:
        number = member.group or event.group
        if not number:
            raise EventError("group_members without a group number")
        per_group[number][member.username] = member
    now = timezone.now()
    for number, members in per_group.items():
        group, _ = _group(account, number)
        GroupMember.objects.bulk_create(
            [
                GroupMember(
                    group=group,
                    username=m.username[:128],
                    nickname=m.nickname[:255],
                    display_name=m.display_name[:255],
                    avatar_url=m.avatar_url[:1000],
                    removed_at=None,
                )
                for m in members.values()
            ],
            update_conflicts=True,
            unique_fields=["group", "username"],
            update_fields=["nickname", "display_name", "avatar_url", "removed_at"],
        )
        GroupMember.objects.filter(group=group, removed_at__isnull=True).exclude(username__in=list(members)).update(
            removed_at=now
        )
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
    return PROCESSED if created or changed else DUPLICATE


def handle_group_created(event):
    """C15: the group a `found` call created."""
    account = account_for(event.my_account)
    if not event.ok or not event.group:
        return PROCESSED  # the provider says creation failed; the delivery keeps its msg
    group, created = _group(account, event.group)
    changed = _update_group(group, {"name": event.name[:255], "avatar_url": event.avatar_url[:1000]})
    return PROCESSED if created or changed else DUPLICATE
