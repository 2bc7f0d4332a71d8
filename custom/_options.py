"""Per-view and per-call request settings: timeouts, deadline, retries, extra headers."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import httpx

from ..types import Unset
from ._errors import UsageError
from ._retry import RetryPolicy

Timeout = float | httpx.Timeout | None
"""Seconds for each phase of one attempt, an ``httpx.Timeout``, or ``None`` (no limit)."""

# Headers the client sets itself; a caller's value would be silently overwritten
# (Authorization carries the tokens) or break the exchange.
_RESERVED_HEADERS = frozenset({"authorization", "host", "content-length"})


def as_timeout(value: Timeout, name: str = "timeout") -> httpx.Timeout:
    if value is None or isinstance(value, httpx.Timeout):
        return httpx.Timeout(value) if value is None else value
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise UsageError(f"{name} must be a positive number of seconds, an httpx.Timeout or None")
    return httpx.Timeout(float(value))


def check_deadline(value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise UsageError(f"deadline must be a positive number of seconds or None, got {value!r}")
    return float(value)


def check_retry(value: object) -> RetryPolicy:
    if not isinstance(value, RetryPolicy):
        raise UsageError("retry must be a RetryPolicy")
    return value


def check_headers(headers: Mapping[str, str] | None, name: str) -> dict[str, str]:
    """Header names and values as httpx would send them, or a UsageError naming the bad one."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise UsageError(f"{name} must be a mapping of header names to strings")
    checked: dict[str, str] = {}
    for key, value in headers.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise UsageError(f"{name}: header names and values must be strings ({key!r})")
        if key.lower() in _RESERVED_HEADERS:
            raise UsageError(
                f"{name}: {key} is set by the client (tokens go to AltegioClient and "
                "login/with_user_token), it cannot be overridden"
            )
        if not (key.isascii() and value.isascii() and value.isprintable()):
            raise UsageError(f"{name}: header {key!r} has characters HTTP headers cannot carry")
        checked[key] = value
    return checked


def check_query(query: Mapping[str, Any] | None) -> dict[str, Any]:
    if query is None:
        return {}
    if not isinstance(query, Mapping) or not all(isinstance(k, str) for k in query):
        raise UsageError("extra_query must be a mapping with string keys")
    return dict(query)


@dataclasses.dataclass(frozen=True, slots=True)
class Options:
    """What a view of the client applies to every call it sends.

    ``timeout`` bounds each attempt (connect, read, write, pool); ``deadline`` bounds
    the whole call in seconds: rate-limiter waits, every attempt and the pauses
    between them.  The attempt in flight when the deadline passes is cancelled.
    """

    timeout: httpx.Timeout
    retry: RetryPolicy
    deadline: float | None = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def replace(
        self,
        *,
        timeout: Timeout | Unset,
        retry: RetryPolicy | Unset,
        deadline: float | Unset | None,
        headers: Mapping[str, str] | None,
    ) -> Options:
        """These options with the given ones changed (headers are added)."""
        return Options(
            timeout=self.timeout if isinstance(timeout, Unset) else as_timeout(timeout),
            retry=self.retry if isinstance(retry, Unset) else check_retry(retry),
            deadline=self.deadline if isinstance(deadline, Unset) else check_deadline(deadline),
            headers={**self.headers, **check_headers(headers, "headers")},
        )


__all__ = ["Options", "Timeout", "as_timeout", "check_headers", "check_query", "check_retry"]
