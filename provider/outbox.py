"""The outbox: every outbound provider call is a row before it is a request.

Writes (`enqueue`, `retry`) run in the caller's transaction and hand the entry to
Celery with `transaction.on_commit`. The sending itself (`drain`) is called by the
thin task `provider.tasks.send_outbox`; the design is described there:

- Order: entries of one WeChat account are sent one at a time, oldest first.
  Only the account's *head* (its oldest queued-or-sending entry) may be claimed;
  a task for a later entry drains from the head or leaves it to whoever holds it.
- Claims: a conditional UPDATE (queued and due, or sending with an expired
  lease -> sending with a fresh lease) decides which worker sends; a duplicate
  delivery finds nothing to claim and never calls the provider.
- Rate limit: the head's claimer takes a token from provider.ratelimit; without
  one the entry goes back to queued with next_attempt_at = now + wait and a task
  is scheduled for then. Later entries of the account wait behind it, in order.
- Failures: ProviderError(permanent=False) -> queued again after an exponential
  backoff with full jitter, failed after OUTBOX_MAX_ATTEMPTS; permanent=True (a
  provider answer with code 0) -> failed at once, retriable by hand (`retry`).
- Result handlers (`register_result_handler`) run in the transaction that marks
  the entry sent or failed, each in its own savepoint: a broken handler is
  logged and cannot undo the status (undoing it would send the entry again).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import ratelimit
from .errors import ProviderError
from .models import OutboxEntry

logger = logging.getLogger("provider.outbox")

Status = OutboxEntry.Status
TERMINAL = (Status.SENT, Status.FAILED)

# How many entries one task sends before it hands the account to a fresh task,
# so one busy account cannot hold a worker for ever.
MAX_PER_RUN = 50

_result_handlers: dict[str, list[Callable[[OutboxEntry], None]]] = {}


# --- Result handlers --------------------------------------------------------------


def register_result_handler(prefix: str, fn: Callable[[OutboxEntry], None]) -> None:
    """Call fn(entry) whenever an entry whose subject starts with "prefix:" becomes sent or failed.

    prefix is "app_label.Model" (see `subject_for`). Register from AppConfig.ready();
    registering the same function twice has no effect.
    """
    handlers = _result_handlers.setdefault(prefix, [])
    if fn not in handlers:
        handlers.append(fn)


def subject_for(obj) -> str:
    """The subject string naming a model instance: "chats.Message:12"."""
    return f"{obj._meta.label}:{obj.pk}"


def subject_prefix(subject: str) -> str:
    return subject.split(":", 1)[0] if subject else ""


def run_result_handlers(entry: OutboxEntry) -> None:
    for fn in _result_handlers.get(subject_prefix(entry.subject), ()):
        try:
            with transaction.atomic():
                fn(entry)
        except Exception:
            logger.exception("outbox: result handler %r failed for entry %s (%s)", fn, entry.pk, entry.subject)


# --- Writes ----------------------------------------------------------------------


def provider_methods() -> frozenset[str]:
    """Names of the ProviderClient methods an entry may call."""
    from .client import ProviderClient

    return frozenset(
        name for name in dir(ProviderClient) if not name.startswith("_") and callable(getattr(ProviderClient, name))
    )


@transaction.atomic
def enqueue(
    *,
    method: str,
    params: dict | None,
    account=None,
    operator=None,
    subject: str = "",
    idempotency_key: str | None = None,
) -> OutboxEntry:
    """Record one provider call and send it after the transaction commits.

    `method` must be a ProviderClient method and `params` its JSON-serialisable
    keyword arguments. With an `idempotency_key` already used, the existing entry
    is returned and nothing new is sent (a double submit is one action).
    The broker may be down: the entry stays queued and the sweep sends it.
    """
    if method not in provider_methods():
        raise ValueError(f"{method!r} is not a ProviderClient method")
    params = dict(params or {})
    try:
        json.dumps(params)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"outbox parameters must be JSON-serialisable: {exc}") from exc

    fields = {
        "account": account,
        "method": method,
        "params": params,
        "operator": operator,
        "subject": subject,
        "idempotency_key": idempotency_key or None,
    }
    if idempotency_key:
        existing = OutboxEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                entry = OutboxEntry.objects.create(**fields)
        except IntegrityError:
            # A concurrent submit with the same key committed first.
            return OutboxEntry.objects.get(idempotency_key=idempotency_key)
    else:
        entry = OutboxEntry.objects.create(**fields)
    entry_id = entry.pk
    transaction.on_commit(lambda: schedule(entry_id))
    return entry


@transaction.atomic
def retry(entry: OutboxEntry, *, operator=None) -> OutboxEntry:
    """Queue a failed entry again, with a fresh attempt budget (an operator asked).

    Precondition: the entry is failed. An entry already queued or sending is
    returned unchanged (a double click is one action); a sent one raises ValueError.
    """
    now = timezone.now()
    changes = {"status": Status.QUEUED, "attempts": 0, "next_attempt_at": now, "lease_until": None, "updated_at": now}
    if operator is not None:
        changes["operator"] = operator
    updated = OutboxEntry.objects.filter(pk=entry.pk, status=Status.FAILED).update(**changes)
    entry.refresh_from_db()
    if not updated:
        if entry.status == Status.SENT:
            raise ValueError(f"outbox entry {entry.pk} was sent already")
        return entry
    entry_id = entry.pk
    transaction.on_commit(lambda: schedule(entry_id))
    return entry


def schedule(entry_id: int, *, countdown: float | None = None) -> bool:
    """Ask a worker to send (the account of) an entry. False, with a log line, if the broker is unreachable."""
    from .tasks import send_outbox

    try:
        send_outbox.apply_async((entry_id,), countdown=countdown, retry_policy={"max_retries": 2})
    except Exception:
        logger.warning(
            "outbox: could not enqueue entry %s (broker unreachable?); the sweep will send it",
            entry_id,
            exc_info=True,
        )
        return False
    return True


# --- Sending -----------------------------------------------------------------------


def backoff_delay(attempts: int) -> float:
    """Seconds before the next attempt: full jitter over an exponential, capped."""
    ceiling = min(settings.OUTBOX_BACKOFF_MAX, settings.OUTBOX_BACKOFF_BASE ** max(attempts, 0))
    return random.uniform(0, ceiling)


def rate_key(account_id: int) -> str:
    return f"send:account:{account_id}"


def drain(entry_id: int, *, client=None) -> None:
    """Send the entry, or its account's queue from the head, as far as order, leases and the rate limit allow."""
    entry = OutboxEntry.objects.filter(pk=entry_id).only("pk", "account_id", "status").first()
    if entry is None:
        return
    if entry.account_id is None:
        # Account-less calls (login, setUrl, scanNew) have no queue and no send rate.
        lease = _claim(entry_id)
        if lease is not None:
            _send(entry_id, lease=lease, client=client)
        return
    for _ in range(MAX_PER_RUN):
        head = OutboxEntry.objects.head_of(entry.account_id)
        if head is None:
            return
        now = timezone.now()
        if head.status == Status.SENDING and head.lease_until and head.lease_until >= now:
            return  # another worker holds it and drains on after it
        if head.status == Status.QUEUED and head.next_attempt_at > now:
            return  # waiting for its backoff or a token; a task is scheduled for then
        lease = _claim(head.pk)
        if lease is None:
            continue  # someone else claimed it: look again
        wait = ratelimit.acquire(rate_key(entry.account_id))
        if wait > 0:
            _release(head.pk, lease, wait)
            return
        client = _send(head.pk, lease=lease, client=client)
    head = OutboxEntry.objects.head_of(entry.account_id)
    if head is not None:
        schedule(head.pk)


def _claim(entry_id: int):
    """Take the entry for sending; the new lease_until, or None when it is not claimable."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    claimable = Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(status=Status.SENDING, lease_until__lt=now)
    updated = OutboxEntry.objects.filter(claimable, pk=entry_id).update(
        status=Status.SENDING, lease_until=lease, updated_at=now
    )
    return lease if updated else None


def _release(entry_id: int, lease, wait: float) -> None:
    """Rate limited: back to queued, due when the next token is, and a task for then."""
    now = timezone.now()
    OutboxEntry.objects.filter(pk=entry_id, status=Status.SENDING, lease_until=lease).update(
        status=Status.QUEUED, lease_until=None, next_attempt_at=now + timedelta(seconds=wait), updated_at=now
    )
    schedule(entry_id, countdown=wait)


def _send(entry_id: int, *, lease, client=None):
    """Call the provider for a claimed entry and record the outcome. Returns the client for reuse."""
    from .client import get_client

    updated = OutboxEntry.objects.filter(pk=entry_id, status=Status.SENDING, lease_until=lease).update(
        attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not updated:
        return client
    entry = OutboxEntry.objects.get(pk=entry_id)
    try:
        client = client or get_client()
        result = getattr(client, entry.method)(**entry.params)
    except ProviderError as exc:
        _record_error(entry, lease, exc)
    except Exception as exc:
        # A bug or a bad parameter, not the provider: never retried automatically.
        logger.exception("outbox: entry %s (%s) raised", entry.pk, entry.method)
        _finish(entry, lease, status=Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000])
    else:
        _finish(entry, lease, status=Status.SENT, response=answer_of(result), sent_at=timezone.now())
    return client


def _record_error(entry: OutboxEntry, lease, exc: ProviderError) -> None:
    message = str(exc) or repr(exc)
    response = _jsonable(exc.response)
    if exc.permanent or entry.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        logger.warning(
            "outbox: entry %s (%s) failed after %s attempt(s): %s", entry.pk, entry.method, entry.attempts, message
        )
        _finish(entry, lease, status=Status.FAILED, last_error=message, response=response)
        return
    delay = backoff_delay(entry.attempts)
    logger.info(
        "outbox: entry %s (%s) attempt %s failed (%s); next in %.2fs",
        entry.pk,
        entry.method,
        entry.attempts,
        message,
        delay,
    )
    if _finish(
        entry,
        lease,
        status=Status.QUEUED,
        last_error=message,
        response=response,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    ):
        schedule(entry.pk, countdown=delay)


def _finish(entry: OutboxEntry, lease, **fields) -> bool:
    """Record an outcome if the lease is still ours (a success is recorded regardless); run the handlers."""
    now = timezone.now()
    rows = OutboxEntry.objects.filter(pk=entry.pk)
    if fields["status"] == Status.SENT:
        # The provider did it: that is the truth even if our lease ran out meanwhile.
        rows = rows.filter(status__in=[Status.QUEUED, Status.SENDING])
    else:
        rows = rows.filter(status=Status.SENDING, lease_until=lease)
    with transaction.atomic():
        if not rows.update(lease_until=None, updated_at=now, **fields):
            logger.warning(
                "outbox: entry %s changed hands before its outcome (%s) was recorded", entry.pk, fields["status"]
            )
            return False
        if fields["status"] in TERMINAL:
            entry.refresh_from_db()
            run_result_handlers(entry)
    return True


def answer_of(result):
    """The provider answer to store for a typed result: its `raw` answer where it has one."""
    if isinstance(result, (list, tuple)):
        return [answer_of(item) for item in result]
    raw = getattr(result, "raw", None)
    if isinstance(raw, dict):
        return _jsonable(raw)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return _jsonable(dataclasses.asdict(result))
    return _jsonable(result)


def _jsonable(value):
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


# --- Sweep ------------------------------------------------------------------------


def sweep(now=None) -> int:
    """Re-enqueue what no task will send: queued entries long overdue, and sending ones whose lease expired.

    One task per account (for its head) and one per account-less entry. Returns how many were enqueued.
    """
    now = now or timezone.now()
    overdue = now - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    stuck = OutboxEntry.objects.filter(
        Q(status=Status.QUEUED, next_attempt_at__lte=overdue) | Q(status=Status.SENDING, lease_until__lt=now)
    )
    entry_ids = []
    for account_id in stuck.exclude(account=None).order_by().values_list("account_id", flat=True).distinct():
        head = OutboxEntry.objects.head_of(account_id)
        if head is not None:
            entry_ids.append(head.pk)
    entry_ids.extend(stuck.filter(account=None).values_list("pk", flat=True)[:1000])
    for entry_id in entry_ids:
        schedule(entry_id)
    if entry_ids:
        logger.info("outbox: sweep re-enqueued %s entr%s", len(entry_ids), "y" if len(entry_ids) == 1 else "ies")
    return len(entry_ids)
