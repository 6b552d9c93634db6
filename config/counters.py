"""Counters in Django's cache (Redis in production, the database cache in the embedded default).

One implementation for the metrics counters and the live-update stamps of the inbox and the
group pages. The common case (the key exists) is a single INCR.
"""

from django.core.cache import cache


def incr(key, n=1):
    """Add `n` to the counter `key`, creating it (never expiring) when missing; return the new value."""
    try:
        return cache.incr(key, n)
    except ValueError:
        # Missing (or evicted): add it; if another process added it meanwhile, add() is a no-op and incr works.
        if cache.add(key, n, timeout=None):
            return n
        return cache.incr(key, n)
