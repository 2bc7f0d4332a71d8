"""When a failed attempt is tried again, and how long to wait first.

A call that may have reached Altegio is retried only if repeating it is harmless:
``POST /book_record`` that timed out may have booked the slot, and a second POST
would book it twice.  So:

- connection failures before the request was sent: every method;
- 429: every method (Altegio rejected it unprocessed), after ``Retry-After``;
- 502/503/504, read timeouts and broken connections: idempotent methods only.
"""

from __future__ import annotations

import dataclasses
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable

logger = logging.getLogger("altegio_async")

RETRYABLE_STATUSES = frozenset({502, 503, 504})


@dataclasses.dataclass(frozen=True, slots=True)
class RetryEvent:
    """Passed to ``RetryPolicy.on_retry`` before each retry sleep."""

    operation: str
    attempt: int
    """The attempt that failed (1 for the first)."""
    reason: str
    delay: float
    status_code: int | None = None
    """The HTTP status of the failed attempt (429, 503...); None when no reply came
    (a connection error or a timeout: ``reason`` names it)."""


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry settings of a client.  ``RetryPolicy(max_attempts=1)`` turns retries off.

    Backoff is exponential with full jitter (``uniform(0, min(cap, base * 2**n))``);
    a ``Retry-After`` from Altegio replaces it, capped at ``max_retry_after``.  No
    retry starts once ``total_budget`` seconds have passed since the first attempt.
    """

    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    total_budget: float = 60.0
    max_retry_after: float = 60.0
    retry_statuses: frozenset[int] = RETRYABLE_STATUSES
    on_retry: Callable[[RetryEvent], Awaitable[None] | None] | None = None

    def __post_init__(self) -> None:
        from ._errors import UsageError

        if self.max_attempts < 1:
            raise UsageError(f"RetryPolicy.max_attempts must be >= 1, got {self.max_attempts}")
        if self.backoff_base < 0 or self.backoff_max < 0 or self.total_budget < 0:
            raise UsageError("RetryPolicy delays and budget must not be negative")

    def backoff(self, attempt: int) -> float:
        """A jittered exponential delay after the failed ``attempt`` (1-based)."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))

    def delay_for(self, attempt: int, retry_after: float | None) -> float:
        """The wait before the next attempt: ``Retry-After`` if given, else backoff."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        return self.backoff(attempt)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay
