"""Fixtures shared by every test directory: the sandbox and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from altegio_async import AltegioClient
from altegio_async.sandbox import RateLimits, Sandbox, SandboxConfig

# The fixture users get (altegio_sandbox), tested as they would use it.
pytest_plugins = ["altegio_async.sandbox.pytest_plugin"]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox without server-side rate limits (the limit tests make their own)."""
    with Sandbox(SandboxConfig(limits=RateLimits(enabled=False))) as sb:
        yield sb


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[AltegioClient]:
    async with AltegioClient(**sandbox.client_kwargs(), rate_limit=False) as c:
        yield c
