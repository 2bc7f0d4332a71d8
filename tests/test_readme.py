"""Every ```python block of README.md runs, against the sandbox, and says what it claims.

The blocks use Altegio's real defaults (``AltegioClient(partner_token="...")``); here
``altegio_async.AltegioClient`` is swapped for a subclass whose default URLs point
at a sandbox that accepts the token "..." and the password "...".
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import altegio_async
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    DEFAULT_LOGIN,
    RateLimits,
    Sandbox,
    SandboxConfig,
)

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
# What each block prints, where it prints something worth checking.
EXPECTED = {
    "raw.status_code": r"^200 \{\} 4 application/json",
    "SlotUnavailableError as err": r"^taken: 422 433$",
    "run_batch(free_slots": r"^\[\d+, \d+, \d+, \d+, \d+, \d+\] \[\]$",
    "503 as expected": r"^503 as expected: 503$",
    "new record": r"^new record 1 at 4564$",
    "nightly_report": r"^True$",
    "member.bookable": r"^6544 James A\. True \[\]$",
    "iter_list_voip_calls": r"^4 57$",
    "SyncAltegioClient(": r"^\+13155550175 True$",
    "booked; days open": r"^200\nbooked; days open: \d+$",
    "staff.user.name": r"^Sandbox Owner\n(.+\n)*True True$",
}


@pytest.fixture
def readme_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    # The blocks date their queries from the real date, as a user's code does, so the
    # sandbox keeps the real date even where ALTEGIO_SANDBOX_TODAY pins the others.
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=-5))).date()
    config = SandboxConfig(
        partner_tokens=frozenset({"..."}), limits=RateLimits(enabled=False), today=today
    )
    with Sandbox(config) as sandbox:
        sandbox.world.users[DEFAULT_LOGIN].password = "..."
        owner = sandbox.world.crm.login(DEFAULT_BUSINESS_LOGIN, DEFAULT_BUSINESS_PASSWORD)
        assert owner is not None
        sandbox.world.crm.add_user(attrs.evolve(owner, email="owner@example.com", password="..."))

        class SandboxedClient(altegio_async.AltegioClient):
            def __init__(self, partner_token: str, **kwargs: Any) -> None:
                kwargs.setdefault("base_url", sandbox.base_url)
                kwargs.setdefault("app_base_url", sandbox.app_base_url)
                super().__init__(partner_token, **kwargs)

        class SandboxedSyncClient(altegio_async.SyncAltegioClient):
            def __init__(self, partner_token: str, **kwargs: Any) -> None:
                kwargs.setdefault("base_url", sandbox.base_url)
                kwargs.setdefault("app_base_url", sandbox.app_base_url)
                super().__init__(partner_token, **kwargs)

        monkeypatch.setattr(altegio_async, "AltegioClient", SandboxedClient)
        monkeypatch.setattr(altegio_async, "SyncAltegioClient", SandboxedSyncClient)
        yield sandbox


def test_the_readme_has_blocks_to_run() -> None:
    assert len(BLOCKS) >= 6
    assert all(any(key in b for b in BLOCKS) for key in EXPECTED)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
async def test_readme_block(block: str, readme_sandbox: Sandbox) -> None:
    code = compile(block, "README.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    namespace: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = eval(code, namespace)
        if result is not None:
            await result
    for key, pattern in EXPECTED.items():
        if key in block:
            assert re.search(pattern, out.getvalue().strip(), re.M), out.getvalue()
    if "Sandbox()" not in block:  # (that block brings its own)
        assert readme_sandbox.seen  # the block really called the API


def test_readme_blocks_pass_mypy_strict(tmp_path: Path) -> None:
    """Each block, wrapped in an ``async def`` as a user's service would hold it, type-checks
    under ``mypy --strict``: the fields Altegio always sends need no cast, isinstance or
    assert, and no ``Unset`` to narrow."""
    from mypy import api

    module = tmp_path / "readme_blocks.py"
    bodies = []
    for number, block in enumerate(BLOCKS):
        assert not re.search(r"\bcast\(|isinstance\(|^\s*assert\b", block, re.M), block
        indented = "\n".join("    " + line if line else "" for line in block.splitlines())
        bodies.append(f"async def block_{number}() -> None:\n{indented}\n")
    module.write_text("\n\n".join(bodies), encoding="utf-8")
    stdout, stderr, status = api.run(
        ["--strict", "--no-incremental", "--python-version", "3.11", str(module)]
    )
    assert status == 0, stdout + stderr
