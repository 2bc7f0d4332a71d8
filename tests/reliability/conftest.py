from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from altegio_async import AltegioClient, RetryEvent, RetryPolicy
from altegio_async.sandbox import Sandbox

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
