"""Celery tasks of the outbox. Thin: they take primary keys and call provider.outbox.

Design (details in provider.outbox):

- `send_outbox(entry_id)` drains the entry's WeChat account: it looks at the
  account's head (oldest queued-or-sending entry), claims it with a conditional
  UPDATE (queued and due, or sending with an expired lease -> sending, new
  lease), takes a rate-limit token, calls the provider, records the outcome,
  and goes on with the next head. So one account has at most one entry in
  flight and its entries leave in creation order, whichever worker runs the
  task. A task that finds the head leased by another worker, or not due yet
  (backoff, waiting for a token), stops: the holder drains on, and a task with
  a countdown is already scheduled for the waiting head. A duplicate delivery
  claims nothing and calls nothing.
- Rate limited: the head stays queued, next_attempt_at = now + wait, and
  send_outbox is scheduled again with countdown = wait.
- `sweep_outbox()` (celery beat, CELERY_BEAT_SCHEDULE) re-enqueues queued
  entries due for longer than OUTBOX_SWEEP_AFTER_SECONDS (their message never
  reached the broker, or was lost) and sending entries whose lease expired
  (their worker died).

Delivery is at least once, never silently lost: tasks ack late and are
rejected back to the queue when the worker is lost (settings), and the sweep
covers what the broker forgets. The window for a duplicate is a worker killed
after the provider acted but before the row was marked sent: the lease expires,
the entry is claimed again and the provider is called a second time. The
provider has no idempotency key to close that window. OUTBOX_LEASE_SECONDS must
exceed PROVIDER_CONNECT_TIMEOUT + PROVIDER_READ_TIMEOUT, or a slow but live call
could be claimed by a second worker too.
"""

from config.celery import app

from . import outbox
from .callbacks.tasks import process_callbacks  # noqa: F401 - registers the callback task with the worker


@app.task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_outbox(entry_id):
    """Send an outbox entry, or its account's queue up to it, in order."""
    outbox.drain(entry_id)


@app.task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def sweep_outbox():
    """Re-enqueue outbox entries that no task is going to send."""
    return outbox.sweep()
