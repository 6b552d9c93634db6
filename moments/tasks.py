"""Celery tasks of the moments app (thin: they call moments.actions)."""

from config.celery import app

from . import actions


@app.task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def dispatch_due_moments():
    """Post what is due: run by celery beat (CELERY_BEAT_SCHEDULE) and as an ETA task at each post time.

    Claims are conditional UPDATEs, so running it twice, or on two workers at once, posts nothing twice.
    """
    return actions.dispatch_due()
