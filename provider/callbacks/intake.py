"""Callback intake: store the raw delivery, then decode, classify and dispatch it.

Storage and processing are separate on purpose: the raw row is committed before anything
can go wrong in parsing or in a handler, so no delivery is ever lost, and a failed one can
be processed again (`replay_callbacks`) after a fix.
"""

import logging
import traceback
from urllib.parse import parse_qsl

from django.db import transaction
from django.utils import timezone

from provider import metrics
from provider.callbacks.decoding import decode_body
from provider.callbacks.events import DUPLICATE, Duplicate, parse_payload
from provider.callbacks.registry import get_handler
from provider.models import CallbackDelivery

logger = logging.getLogger("provider.callbacks")

# Request headers worth keeping with the raw body (the body itself is kept byte for byte).
KEPT_HEADERS = ("Content-Type", "Content-Length", "Content-Encoding", "User-Agent", "X-Forwarded-For", "X-Real-Ip")
ERROR_MAX_CHARS = 4000

Status = CallbackDelivery.Status


def store_delivery(*, channel, body, content_type="", query="", headers=None):
    """Save the raw delivery in its own transaction (the callback view is not atomic)."""
    return CallbackDelivery.objects.create(
        channel=channel,
        body=body,
        content_type=(content_type or "")[:255],
        query=(query or "")[:500],
        headers=headers or {},
    )


def kept_headers(request):
    headers = {name: request.headers[name] for name in KEPT_HEADERS if name in request.headers}
    remote = request.META.get("REMOTE_ADDR")
    if remote:
        headers["Remote-Addr"] = remote
    return headers


def error_summary(exc):
    """One line naming the error, then the innermost frames: enough to fix it from the admin."""
    frames = traceback.format_exception(exc, limit=-4)
    text = f"{type(exc).__name__}: {exc}\n" + "".join(frames)
    return text[:ERROR_MAX_CHARS]


def dispatch(events):
    """Hand each event to its handler; return the delivery status for the lot."""
    outcomes = []
    for event in events:
        handler = get_handler(event.kind)
        if handler is None:
            outcomes.append(Status.IGNORED)
            continue
        outcomes.append(Status.DUPLICATE if handler(event) == DUPLICATE else Status.PROCESSED)
    if all(outcome == Status.IGNORED for outcome in outcomes):
        return Status.IGNORED
    if all(outcome in (Status.DUPLICATE, Status.IGNORED) for outcome in outcomes):
        return Status.DUPLICATE
    return Status.PROCESSED


def process_delivery(delivery):
    """Decode, classify and dispatch one stored delivery; record and return its new status.

    Safe to call again on the same delivery (replay): handlers are idempotent.
    """
    delivery.attempts += 1
    kind = ""
    error = ""
    try:
        payload = decode_body(delivery.body, delivery.content_type)
        events = parse_payload(payload, channel=delivery.channel, query=dict(parse_qsl(delivery.query)))
        kind = events[0].kind if events else "unknown"
        with transaction.atomic():
            status = dispatch(events)
    except Duplicate:
        status = Status.DUPLICATE
    except Exception as exc:
        status = Status.FAILED
        error = error_summary(exc)
        logger.warning("callback delivery %s on %s (%s) failed: %s", delivery.pk, delivery.channel, kind or "?", exc)
    delivery.kind = kind[:32]
    delivery.status = status
    delivery.error = error
    delivery.processed_at = timezone.now()
    delivery.save(update_fields=["kind", "status", "error", "attempts", "processed_at"])
    metrics.incr_callback(kind, str(status))
    if status == Status.IGNORED:
        logger.info("callback delivery %s on %s has an unknown kind; kept", delivery.pk, delivery.channel)
    return status
