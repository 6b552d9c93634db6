"""The one error type of the provider integration."""

from __future__ import annotations

from typing import Any


class ProviderError(Exception):
    """A provider call that did not succeed.

    `permanent` is True for a business failure (the provider answered with a
    `code` other than 1): retrying the same call will not help. It is False for
    network errors, timeouts, HTTP 5xx and unreadable answers, which may pass.
    `str(error)` is the provider's `msg` (or a short description of the
    transport failure); it never contains the token or the password.
    """

    def __init__(
        self,
        msg: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        permanent: bool = False,
        endpoint: str = "",
        response: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code
        self.http_status = http_status
        self.permanent = permanent
        self.endpoint = endpoint
        # The provider's decoded answer, when there was one (kept for the record).
        self.response = response

    def __str__(self) -> str:
        return self.msg

    def __repr__(self) -> str:
        return (
            f"ProviderError({self.msg!r}, code={self.code!r}, http_status={self.http_status!r}, "
            f"permanent={self.permanent!r}, endpoint={self.endpoint!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments need help to survive pickling (Celery, multiprocessing).
        return (
            _rebuild,
            (self.msg, self.code, self.http_status, self.permanent, self.endpoint, self.response),
        )


def _rebuild(
    msg: str,
    code: int | None,
    http_status: int | None,
    permanent: bool,
    endpoint: str,
    response: dict[str, Any] | None,
) -> ProviderError:
    return ProviderError(
        msg, code=code, http_status=http_status, permanent=permanent, endpoint=endpoint, response=response
    )
