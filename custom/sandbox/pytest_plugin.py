"""pytest fixtures for testing your code against the sandbox.

In your ``conftest.py``: ``pytest_plugins = ["altegio_async.sandbox.pytest_plugin"]``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import Sandbox


@pytest.fixture
def altegio_sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox (empty diary, no faults, Altegio's real rate limits) per test."""
    with Sandbox() as sandbox:
        yield sandbox
