"""Counters kept in Django's cache (Redis in production), read by the /metrics view.

The cache API cannot list keys, so `snapshot()` reads the known names in one `get_many`.
"""

from django.core.cache import cache

from config import counters

PREFIX = "metrics:"
CALLBACK_OUTCOMES = ("processed", "duplicate", "failed", "ignored", "rejected")
MESSAGE_DIRECTIONS = ("in", "out")
# Deliveries rejected or failing before a kind is known are counted under this kind.
UNPARSED = "unparsed"


def _incr(key, n=1):
    return counters.incr(PREFIX + key, n)


def incr_callback(kind, outcome):
    """Count one callback delivery outcome (processed, duplicate, failed, ignored, rejected)."""
    return _incr(f"callbacks:{kind or UNPARSED}:{outcome}")


def incr_messages(direction, n=1):
    """Count messages recorded, `in` (received) or `out` (sent)."""
    return _incr(f"messages:{direction}", n)


def _callback_kinds():
    from provider.callbacks.registry import SUPPORTED_KINDS

    return sorted(SUPPORTED_KINDS | {"unknown", UNPARSED})


def snapshot():
    """All counters: {"callbacks": {kind: {outcome: n}}, "messages": {"in": n, "out": n}}."""
    kinds = _callback_kinds()
    keys = [f"{PREFIX}callbacks:{kind}:{outcome}" for kind in kinds for outcome in CALLBACK_OUTCOMES]
    keys += [f"{PREFIX}messages:{direction}" for direction in MESSAGE_DIRECTIONS]
    values = cache.get_many(keys)
    callbacks = {}
    for kind in kinds:
        counts = {outcome: int(values.get(f"{PREFIX}callbacks:{kind}:{outcome}", 0)) for outcome in CALLBACK_OUTCOMES}
        if any(counts.values()):
            callbacks[kind] = counts
    totals = {outcome: sum(counts[outcome] for counts in callbacks.values()) for outcome in CALLBACK_OUTCOMES}
    messages = {direction: int(values.get(f"{PREFIX}messages:{direction}", 0)) for direction in MESSAGE_DIRECTIONS}
    return {"callbacks": callbacks, "callback_totals": totals, "messages": messages}
