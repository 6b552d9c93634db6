"""Deferred callback processing: the view stores the raw row and a worker processes it.

Scheduling is debounced per web process, without any I/O on the hot path: the first delivery
in a window of SCHEDULE_WINDOW seconds publishes one `process_callbacks` task with a countdown
longer than the window, so that task sees every delivery stored during the window. A publish
that fails (broker down) leaves rows "received"; the beat sweep and `replay_callbacks
--status received` pick them up.
"""

import logging
import threading
import time

from django.db import transaction

from config.celery import app
from provider.models import CallbackDelivery

logger = logging.getLogger("provider.callbacks")

SCHEDULE_WINDOW = 0.2

_lock = threading.Lock()
_last_scheduled = float("-inf")


def schedule_processing():
    """Make sure a drain runs after this delivery; publishes at most once per window and process."""
    global _last_scheduled
    now = time.monotonic()
    with _lock:
        if now - _last_scheduled < SCHEDULE_WINDOW:
            return False
        _last_scheduled = now
    try:
        process_callbacks.apply_async(countdown=SCHEDULE_WINDOW + 0.05, retry=False)
    except Exception:
        with _lock:
            _last_scheduled = float("-inf")
        logger.exception("could not schedule callback processing; the sweep will catch up")
        return False
    return True


def process_pending(limit=None):
    """Process deliveries still "received", oldest first, one short transaction each; return how many.

    One delivery per transaction keeps row locks brief: two workers handling messages of the
    same conversations in long batches deadlocked on the conversation rows.
    """
    from provider.callbacks.intake import process_delivery

    done = 0
    while limit is None or done < limit:
        with transaction.atomic():
            # skip_locked: concurrent drains share the backlog instead of doing rows twice.
            delivery = (
                CallbackDelivery.objects.select_for_update(skip_locked=True)
                .filter(status=CallbackDelivery.Status.RECEIVED)
                .order_by("pk")
                .first()
            )
            if delivery is None:
                return done
            process_delivery(delivery)
        done += 1
    return done


@app.task(name="provider.callbacks.tasks.process_callbacks", acks_late=True, ignore_result=True)
def process_callbacks():
    """Drain the stored, unprocessed callback deliveries."""
    return process_pending()
