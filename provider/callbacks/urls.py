"""Callback URLs the provider is given (docs/client-methods.md, "Callback URLs")."""

from urllib.parse import quote, urlencode

from django.conf import settings

# setUrl fields (§2.3.1), each its own receiving path.
GLOBAL_CHANNELS = (
    "callbackSend",
    "delfriendlog",
    "newfriendlog",
    "messagelog",
    "crowdlog",
    "addfriendlog",
    "wacatout",
    "addgrouplog",
)
# Per-call `callback_url` uses; results are correlated by `?req=<uuid>`.
PER_CALL_CHANNELS = (
    "scan",
    "labels",
    "labels-deleted",
    "zombie",
    "friends",
    "group-created",
    "group-qrcode",
    "group-members",
    "moment-posted",
    "moments",
)
CHANNELS = frozenset(GLOBAL_CHANNELS + PER_CALL_CHANNELS)


def callback_url(channel, **query):
    """`{PUBLIC_BASE_URL}/callbacks/{CALLBACK_SECRET}/{channel}/?{query}` for a known channel."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown callback channel {channel!r}")
    url = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/callbacks/{quote(settings.CALLBACK_SECRET, safe='')}/{channel}/"
    query = {key: value for key, value in query.items() if value is not None}
    return f"{url}?{urlencode(query)}" if query else url


def global_callback_urls():
    """The eight setUrl fields mapped to their URLs."""
    return {channel: callback_url(channel) for channel in GLOBAL_CHANNELS}
