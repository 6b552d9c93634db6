"""Outbox result handlers: a groups call was sent or failed (registered in GroupsConfig.ready()).

They run in the transaction that marks the entry sent or failed (provider.outbox._finish). The
synchronous answers (groupList, getGroupInfo, owner, qrcode's `data`, E-27) are read from the
stored raw answer; a refusal becomes a "provider refused" event with the provider's message.
"""

from collections.abc import Mapping
from types import SimpleNamespace

from django.db.models import Q
from django.utils import timezone

from provider.models import OutboxEntry
from provider.types import GroupInfo, GroupMemberInfo, GroupQRCode, GroupSummary

from . import live
from .actions import record_event, request_members, upsert_members
from .models import Group, GroupCreation, GroupEvent, GroupMember, GroupSettings

SENT = OutboxEntry.Status.SENT
FAILED = OutboxEntry.Status.FAILED


def _pk(entry):
    tail = entry.subject.split(":", 1)[1] if ":" in entry.subject else ""
    return int(tail) if tail.isdigit() else None


def _records(items):
    """GroupMemberInfo (client types) as the member records upsert_members takes."""
    return [
        SimpleNamespace(username=m.wxid, nickname=m.nickname, display_name=m.display_name, avatar_url=m.avatar)
        for m in items
        if m.wxid
    ]


def _actor(entry):
    return entry.operator.get_username() if entry.operator_id else ""


def _member_name(group, username):
    member = GroupMember.objects.filter(group=group, username=username).first()
    return str(member) if member else username


# --- groupList -------------------------------------------------------------------------------


def group_list_result(entry):
    """groupList answered: type 1 is the whole list (groups missing from it were left), type 2 the saved ones."""
    if entry.status != SENT or entry.account_id is None:
        return
    account = entry.account
    items = [GroupSummary.from_raw(item) for item in (entry.response or []) if isinstance(item, Mapping)]
    items = [item for item in items if item.group]
    numbers = [item.group[:128] for item in items]
    now = timezone.now()
    if entry.params.get("saved_only"):
        Group.objects.filter(account=account).exclude(number__in=numbers).filter(saved=True).update(saved=False)
        Group.objects.filter(account=account, number__in=numbers).update(saved=True)
    else:
        Group.objects.bulk_create(
            [
                Group(
                    account=account,
                    number=item.group[:128],
                    name=item.name[:255],
                    avatar_url=item.thumb[:1000],
                    owner=item.owner[:128],
                    do_not_disturb=bool(item.muted),
                    left_at=None,
                )
                for item in items
            ],
            update_conflicts=True,
            unique_fields=["account", "number"],
            update_fields=["name", "avatar_url", "owner", "do_not_disturb", "left_at", "updated_at"],
        )
        Group.objects.filter(account=account, left_at__isnull=True).exclude(number__in=numbers).update(left_at=now)
        if entry.operator_id is None:
            live.bump(account_id=account.pk)
            return
        # Asked by an operator: member counts need the member lists; fetch those we never had
        # (one call each, behind the account's rate limit).
        for group in Group.objects.filter(account=account, left_at__isnull=True, members_synced_at__isnull=True):
            group.account = account
            request_members(group=group)
    live.bump(account_id=account.pk)


# --- calls about one group --------------------------------------------------------------------


def group_result(entry):
    group = Group.objects.select_related("account").filter(pk=_pk(entry)).first()
    if group is None:
        return
    if entry.status == FAILED:
        record_event(
            group=group, kind=GroupEvent.Kind.FAILED, actor=_actor(entry), action=entry.method, detail=entry.last_error
        )
        return
    handler = _SENT.get(entry.method)
    if handler is not None:
        handler(group, entry)
    live.bump(account_id=group.account_id, group_id=group.pk)


def _info(group, entry):
    if not isinstance(entry.response, Mapping):
        return
    info = GroupInfo.from_answer(entry.response)
    values = {"name": info.name[:255], "avatar_url": info.thumb[:1000], "owner": info.owner[:128]}
    changed = [name for name, value in values.items() if value and getattr(group, name) != value]
    for name in changed:
        setattr(group, name, values[name])
    if info.muted is not None and group.do_not_disturb != info.muted:
        group.do_not_disturb = info.muted
        changed.append("do_not_disturb")
    if changed:
        group.save(update_fields=[*changed, "updated_at"])
    if info.members:  # E-34: the member list inside `data.data`, same shape as C13
        upsert_members(group=group, members=_records(info.members))


def _owner(group, entry):
    owner = entry.response if isinstance(entry.response, str) else ""
    if owner and owner != group.owner:
        group.owner = owner[:128]
        group.save(update_fields=["owner", "updated_at"])


def _members(group, entry):
    # E-28: if the synchronous answer already carries the list, use it (the C13 is then a duplicate).
    items = [GroupMemberInfo.from_raw(item) for item in (entry.response or []) if isinstance(item, Mapping)]
    if items:
        upsert_members(group=group, members=_records(items))


def _qrcode(group, entry):
    answer = entry.response if isinstance(entry.response, Mapping) else {}
    data = answer.get("data") if isinstance(answer.get("data"), Mapping) else answer
    if not data or not data.get("qrcode"):
        return  # it comes by callback (C14)
    qr = GroupQRCode.from_raw(data)
    if qr.qrcode and qr.qrcode != group.qr_code_url:
        group.qr_code_url = qr.qrcode
        group.save(update_fields=["qr_code_url", "updated_at"])


def _renamed(group, entry):
    name = str(entry.params.get("name", ""))[:255]
    old = group.name
    group.name = name
    group.save(update_fields=["name", "updated_at"])
    record_event(group=group, kind=GroupEvent.Kind.RENAMED, actor=_actor(entry), detail=f"{old} → {name}")


def _notice(group, entry):
    group.notice = str(entry.params.get("notice", ""))
    group.save(update_fields=["notice", "updated_at"])
    record_event(group=group, kind=GroupEvent.Kind.NOTICE, actor=_actor(entry), detail=group.notice)


def _left(group, entry):
    group.left_at = timezone.now()
    group.save(update_fields=["left_at", "updated_at"])
    record_event(group=group, kind=GroupEvent.Kind.LEFT, actor=str(group.account))


def _added(group, entry):
    accounts = entry.params.get("accounts") or []
    if isinstance(accounts, str):
        accounts = accounts.split(",")
    record_event(group=group, kind=GroupEvent.Kind.ADDED, actor=_actor(entry), detail=", ".join(accounts))
    request_members(group=group)  # addMember sends no join callback we can count on


def _invited(group, entry):
    record_event(
        group=group, kind=GroupEvent.Kind.INVITED, actor=_actor(entry), detail=str(entry.params.get("account", ""))
    )


def _removed(group, entry):
    username = str(entry.params.get("account", ""))
    name = _member_name(group, username)
    GroupMember.objects.filter(group=group, username=username, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    record_event(group=group, kind=GroupEvent.Kind.REMOVED, actor=_actor(entry), detail=name)


_SENT = {
    "group_info": _info,
    "group_owner": _owner,
    "group_members": _members,
    "group_qrcode": _qrcode,
    "rename_group": _renamed,
    "set_group_notice": _notice,
    "leave_group": _left,
    "add_group_members": _added,
    "invite_member": _invited,
    "remove_group_member": _removed,
}


# --- found, groupSet ---------------------------------------------------------------------------


def creation_result(entry):
    """found refused: the creation failed with the provider's message (accepted: wait for C15)."""
    if entry.status != FAILED:
        return
    creation = GroupCreation.objects.filter(pk=_pk(entry)).first()
    if creation is None:
        return
    GroupCreation.objects.filter(pk=creation.pk, status=GroupCreation.Status.PENDING).update(
        status=GroupCreation.Status.FAILED, error=(entry.last_error or "?")[:2000]
    )
    live.bump(account_id=creation.account_id)


def settings_result(entry):
    """groupSet answered: the requested value is now the account's setting, or the error is kept."""
    row = GroupSettings.objects.filter(pk=_pk(entry)).first()
    if row is None:
        return
    enabled = bool(entry.params.get("enabled"))
    if entry.status == SENT:
        GroupSettings.objects.filter(pk=row.pk).update(
            auto_join=enabled, requested=None, error="", updated_at=timezone.now()
        )
    else:
        GroupSettings.objects.filter(Q(pk=row.pk)).update(
            requested=None, error=(entry.last_error or "?")[:2000], updated_at=timezone.now()
        )


HANDLERS = {
    "groups.GroupList": group_list_result,
    "groups.Group": group_result,
    "groups.GroupCreation": creation_result,
    "groups.GroupSettings": settings_result,
}
