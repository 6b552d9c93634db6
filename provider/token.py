"""The provider's API token, shared by every process through Django's cache.

The token comes from `/foreign/auth/login` and its lifetime is undocumented (E-51), so
it is cached until the provider rejects it; then one process logs in again while the
others wait for the new token (a `cache.add` lock), instead of all logging in at once.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from django.core.cache import cache

logger = logging.getLogger("provider.client")

# Re-login at least daily even if the provider never complains; renewal on rejection
# handles shorter lifetimes.
TOKEN_CACHE_SECONDS = 24 * 3600
# A token obtained by a renewal this recently is not renewed again: if the provider still
# answers with an auth-looking message, the message was about something else (for example
# "微信未登录", the WeChat account is offline), and logging in again would not help.
RENEWAL_COOLDOWN_SECONDS = 30
POLL_SECONDS = 0.1


def cache_key(base_url: str, phone: str) -> str:
    """The cache key of the token for one provider host and developer account."""
    digest = hashlib.sha256(f"{base_url.rstrip('/')}\n{phone}".encode()).hexdigest()[:24]
    return f"provider:token:{digest}"


class TokenStore:
    """Gets the cached token, or logs in (once, under a lock) when there is none or it went stale."""

    def __init__(self, *, base_url: str, phone: str, login: Callable[[], str], lock_seconds: float = 30.0) -> None:
        self.key = cache_key(base_url, phone)
        self.lock_key = f"{self.key}:lock"
        self.renewed_key = f"{self.key}:renewed"
        self._login = login
        # The lock must outlive one login call; waiters give up after the same time.
        self.lock_seconds = max(lock_seconds, 1.0)

    def get(self) -> str:
        """The current token, logging in only if no process has one cached."""
        token = cache.get(self.key)
        if token:
            return str(token)
        return self._obtain(stale=None)

    def renew(self, stale: str | None) -> str:
        """A token other than `stale`: another process's fresh one, or a new login."""
        return self._obtain(stale=stale)

    def recently_renewed(self, token: str | None) -> bool:
        """Whether `token` came from a renewal in the last RENEWAL_COOLDOWN_SECONDS."""
        return bool(token) and cache.get(self.renewed_key) == token

    def store(self, token: str) -> None:
        cache.set(self.key, token, TOKEN_CACHE_SECONDS)

    def forget(self) -> None:
        cache.delete(self.key)

    def _fresh(self, stale: str | None) -> str | None:
        token = cache.get(self.key)
        if token and token != stale:
            return str(token)
        return None

    def _obtain(self, *, stale: str | None) -> str:
        deadline = time.monotonic() + self.lock_seconds
        while True:
            token = self._fresh(stale)
            if token:
                return token
            if cache.add(self.lock_key, "1", timeout=int(self.lock_seconds) + 1):
                try:
                    # Someone may have finished logging in between our read and the lock.
                    token = self._fresh(stale)
                    if token:
                        return token
                    token = self._login_and_store()
                    if stale is not None:
                        cache.set(self.renewed_key, token, RENEWAL_COOLDOWN_SECONDS)
                    return token
                finally:
                    cache.delete(self.lock_key)
            if time.monotonic() >= deadline:
                # The lock holder died or hangs; don't block the caller forever.
                logger.warning("provider token lock held too long; logging in without it")
                return self._login_and_store()
            time.sleep(POLL_SECONDS)

    def _login_and_store(self) -> str:
        token = self._login()
        self.store(token)
        return token
