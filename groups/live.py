"""Live updates of the group pages by polling a change stamp, like the chats inbox (chats/live.py).

Every write that changes what a group page or an account's group list shows bumps a counter
after commit; the pages ask every 2 s and get 204 (one cache read, no query) when nothing changed.
"""

from django.core.cache import cache
from django.db import transaction

from config import counters


def _key(kind, pk):
    return f"groups:stamp:{kind}:{pk}"


def bump(*, account_id, group_id=None):
    """Tell open pages of this account (and group) that something changed, once the transaction commits."""

    def run():
        counters.incr(_key("account", account_id))
        if group_id is not None:
            counters.incr(_key("group", group_id))

    transaction.on_commit(run)


def account_stamp(account_id):
    return str(cache.get(_key("account", account_id), 0))


def group_stamp(group_id):
    return str(cache.get(_key("group", group_id), 0))
