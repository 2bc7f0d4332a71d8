from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from altegio_async import AltegioClient, AltegioError, RetryEvent, RetryPolicy
from altegio_async.sandbox import Sandbox
from tests.reliability._secret_scan import Collected, leaks, recording

FAST = {"backoff_base": 0.01, "backoff_max": 0.05, "max_retry_after": 0.5}


@pytest.fixture
def retries() -> list[RetryEvent]:
    return []


@pytest.fixture
def make_client(sandbox: Sandbox, retries: list[RetryEvent]) -> Callable[..., AltegioClient]:
    def make(max_attempts: int = 4, **kwargs: object) -> AltegioClient:
        policy = RetryPolicy(max_attempts=max_attempts, on_retry=retries.append, **FAST)  # type: ignore[arg-type]
        return AltegioClient(**sandbox.client_kwargs(), rate_limit=False, retry=policy, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def client(make_client: Callable[..., AltegioClient]) -> AsyncIterator[AltegioClient]:
    async with make_client() as c:
        yield c


@pytest.fixture
async def no_retry_client(
    make_client: Callable[..., AltegioClient],
) -> AsyncIterator[AltegioClient]:
    async with make_client(max_attempts=1) as c:
        yield c


@pytest.fixture(autouse=True)
def secrets_never_leak(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, retries: list[RetryEvent]
) -> Iterator[Collected]:
    """Fails any reliability test whose errors, log records or retry events show a secret.

    Records are scanned from DEBUG up, except in tests marked ``measures_memory``
    (pytest's own capture would keep every DEBUG record they cause): those are
    scanned at the levels they set."""
    collected = Collected()
    new, started = recording(collected)
    monkeypatch.setattr(AltegioError, "__new__", new)
    monkeypatch.setattr(Sandbox, "start", started)
    root = logging.getLogger()
    level = root.level
    root.addHandler(collected)
    if request.node.get_closest_marker("measures_memory") is None:
        root.setLevel(logging.DEBUG)
    try:
        yield collected
    finally:
        root.removeHandler(collected)
        root.setLevel(level)
    assert leaks(collected, retries) == []
