"""Per-key token buckets shared by every worker.

`acquire(key)` takes one token from the bucket named `key` and returns 0, or
takes nothing and returns how many seconds to wait before a token will be
there. Buckets hold at most `burst` tokens and refill at `rate_per_minute / 60`
tokens a second (SEND_RATE_PER_MINUTE, SEND_RATE_BURST by default).

Two backends, picked by settings:
- Redis (REDIS_URL set): one Lua script does refill + take atomically on the
  server, using the server's clock, so workers on several machines agree.
- The embedded default: one RateLimitBucket row per key, read with
  select_for_update inside a transaction (SQLite serialises writers anyway;
  PostgreSQL locks the row).
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import RateLimitBucket

KEY_PREFIX = "wxconsole:ratelimit:"

# KEYS[1] bucket; ARGV: rate (tokens/second), burst. Returns the wait as a string
# (Lua numbers become integers on the way back, strings do not).
_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""


def _limits(rate_per_minute, burst):
    rate = float(settings.SEND_RATE_PER_MINUTE if rate_per_minute is None else rate_per_minute) / 60.0
    burst = max(1, int(settings.SEND_RATE_BURST if burst is None else burst))
    return rate, burst


def acquire(key: str, *, rate_per_minute: float | None = None, burst: int | None = None) -> float:
    """Take a token for `key`: 0.0 when taken, else the seconds to wait (nothing taken).

    A rate of 0 or less means no limit.
    """
    rate, burst = _limits(rate_per_minute, burst)
    if rate <= 0:
        return 0.0
    if settings.REDIS_URL:
        return _acquire_redis(key, rate, burst)
    return _acquire_db(key, rate, burst)


def reset(key: str) -> None:
    """Forget a bucket (it starts full again). For tests and operators."""
    if settings.REDIS_URL:
        _redis(settings.REDIS_URL).delete(KEY_PREFIX + key)
    else:
        RateLimitBucket.objects.filter(key=key).delete()


@functools.cache
def _redis(url):
    import redis

    return redis.Redis.from_url(url)


@functools.cache
def _script(url):
    return _redis(url).register_script(_LUA)


def _acquire_redis(key, rate, burst):
    wait = _script(settings.REDIS_URL)(keys=[KEY_PREFIX + key], args=[repr(rate), burst])
    return max(0.0, float(wait))


def _acquire_db(key, rate, burst):
    with transaction.atomic():
        bucket = _locked_bucket(key, burst)
        now = time.time()
        tokens = min(burst, bucket.tokens + max(0.0, now - bucket.updated) * rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / rate
        bucket.tokens = tokens
        bucket.updated = now
        bucket.save(update_fields=["tokens", "updated"])
    return wait


def _locked_bucket(key, burst):
    try:
        return RateLimitBucket.objects.select_for_update().get(key=key)
    except RateLimitBucket.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            RateLimitBucket.objects.create(key=key, tokens=burst, updated=time.time())
    except IntegrityError:
        pass  # another worker created it first; lock theirs
    return RateLimitBucket.objects.select_for_update().get(key=key)
