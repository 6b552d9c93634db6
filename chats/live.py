"""Live updates by polling a change stamp (the inbox asks every second "anything new?").

Why polling and not server-sent events: it works the same on runserver, gunicorn's sync
workers and any number of web processes, holds no worker for a long-lived connection, and
passes through any proxy. The cost is one cache read (Redis, or the database cache in the
embedded default) per poll; the answer is 204 and no query runs when nothing changed.

Every write that changes what an inbox shows bumps its account's counter, after commit.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction

from config import counters

PREFIX = "chats:stamp:"


def _key(account_id):
    return f"{PREFIX}{account_id}"


def bump(account_id):
    """Tell open inboxes of this account that something changed (once the transaction commits)."""
    transaction.on_commit(lambda: counters.incr(_key(account_id)))


def stamp(account_ids):
    """A short string that changes whenever any of these accounts' counters changes."""
    ids = sorted(account_ids)
    if not ids:
        return "0"
    values = cache.get_many([_key(i) for i in ids])
    text = ",".join(f"{i}:{values.get(_key(i), 0)}" for i in ids)
    return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()
