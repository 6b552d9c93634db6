"""Outbox result handlers: a contacts call was sent or failed (registered in ContactsConfig.ready).

They run in the transaction that marks the entry sent or failed (provider.outbox._finish).
"""

from datetime import UTC, datetime

from django.utils import timezone

from contacts.models import ContactLookup, FriendInvite, FriendRequest, FriendSync, LabelRename
from provider.models import OutboxEntry
from provider.types import FriendRequestRecord

SENT = OutboxEntry.Status.SENT
FAILED = OutboxEntry.Status.FAILED


def _pk(entry):
    """The primary key in the subject "app.Model:<pk>", or None for a subject without one."""
    tail = entry.subject.split(":", 1)[1] if ":" in entry.subject else ""
    return int(tail) if tail.isdigit() else None


def friend_sync_result(entry):
    """syncFriendList refused: the sync will get no page."""
    if entry.status != FAILED:
        return
    FriendSync.objects.filter(pk=_pk(entry), status=FriendSync.Status.RUNNING).update(
        status=FriendSync.Status.FAILED, error=entry.last_error[:2000], finished_at=timezone.now()
    )


def invite_result(entry):
    status = FriendInvite.Status.SENT if entry.status == SENT else FriendInvite.Status.FAILED
    FriendInvite.objects.filter(pk=_pk(entry)).update(
        status=status, error="" if entry.status == SENT else entry.last_error[:2000], updated_at=timezone.now()
    )


def lookup_result(entry):
    if entry.status == FAILED:
        ContactLookup.objects.filter(pk=_pk(entry)).update(error=entry.last_error[:2000])


def rename_result(entry):
    if entry.status == FAILED:
        LabelRename.objects.filter(pk=_pk(entry), status=LabelRename.Status.CREATING).update(
            status=LabelRename.Status.FAILED, error=entry.last_error[:2000], updated_at=timezone.now()
        )


def friend_request_result(entry):
    if entry.method == "accept_friend" and entry.status == SENT:
        FriendRequest.objects.filter(pk=_pk(entry), status=FriendRequest.Status.PENDING).update(
            status=FriendRequest.Status.ACCEPTED, updated_at=timezone.now()
        )
    elif entry.method == "friend_requests" and entry.status == SENT and entry.account_id:
        reconcile(entry.account, entry.response if isinstance(entry.response, list) else [])


def _time(seconds):
    if not seconds or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def reconcile(account, items):
    """newFriendList records -> FriendRequest rows: new ones created, known ones take the provider's status."""
    records = [FriendRequestRecord.from_raw(item) for item in items if isinstance(item, dict)]
    records = [r for r in records if r.account]
    existing = {
        r.username: r for r in FriendRequest.objects.filter(account=account, username__in=[r.account for r in records])
    }
    for record in records:
        status = record.status if record.status in (0, 1, 2) else FriendRequest.Status.PENDING
        values = {
            "nickname": record.nickname[:255],
            "avatar_url": record.avatar[:1000],
            "greeting": record.check_msg,
            "source": record.source[:255],
            "referrer_nickname": record.source_nickname[:255],
            "referrer_account": record.source_account[:128],
            "source_group": record.source_group[:128],
            "status": status,
            "provider_id": record.id,
        }
        when = _time(record.start_time)
        request = existing.get(record.account)
        if request is None:
            FriendRequest.objects.create(
                account=account, username=record.account[:128], requested_at=when or timezone.now(), **values
            )
            continue
        changed = [name for name, value in values.items() if value and getattr(request, name) != value]
        if request.status != status:
            changed.append("status")
        for name in changed:
            setattr(request, name, values[name])
        if changed:
            request.save(update_fields=[*set(changed), "updated_at"])


HANDLERS = {
    "contacts.FriendSync": friend_sync_result,
    "contacts.FriendInvite": invite_result,
    "contacts.ContactLookup": lookup_result,
    "contacts.LabelRename": rename_result,
    "contacts.FriendRequest": friend_request_result,
}
