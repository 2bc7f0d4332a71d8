"""RetryPolicy and Retry-After parsing."""

from __future__ import annotations

import email.utils
import time

import pytest

from altegio_async import RetryPolicy, UsageError
from altegio_async.custom._retry import parse_retry_after


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("  ", None), ("7", 7.0), (" 2.5 ", 2.5), ("-3", 0.0),
     ("nan", None), ("soon", None), ("Wed, 99 Foo 2026 25:61:00 GMT", None)],
)  # fmt: skip
def test_retry_after_seconds_and_garbage(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_retry_after_http_date() -> None:
    now = 1_800_000_000.0
    in_30s = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(in_30s, now=now) == pytest.approx(30.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0
    real = parse_retry_after(email.utils.formatdate(time.time() + 10, usegmt=True))
    assert real is not None and 8.0 <= real <= 10.0


def test_backoff_is_jittered_exponential_and_capped() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0)
    for attempt, cap in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (10, 3.0)]:
        delays = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= d <= cap for d in delays)
        assert max(delays) > cap * 0.5  # full jitter spreads over the range


def test_retry_after_replaces_backoff_and_is_capped() -> None:
    policy = RetryPolicy(max_retry_after=5.0)
    assert policy.delay_for(1, 2.0) == 2.0
    assert policy.delay_for(1, 120.0) == 5.0


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": 0}, {"backoff_base": -1}, {"backoff_max": -1}, {"total_budget": -1}],
)
def test_bad_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(UsageError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
