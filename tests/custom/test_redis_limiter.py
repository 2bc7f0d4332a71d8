"""RedisRateLimiter: one budget for several processes, against a real Redis and the sandbox."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from altegio_async import UsageError
from altegio_async.redis_limiter import RedisRateLimiter
from altegio_async.sandbox import RateLimits, Sandbox, SandboxConfig
from tests._servers import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("ALTEGIO_REQUIRE_REDIS"):  # CI installs it: never skip there
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


WORKER = """
import asyncio, sys
from altegio_async import AltegioClient, AltegioRateLimiter, RetryPolicy, run_batch
from altegio_async.redis_limiter import RedisRateLimiter

base, token, redis_url, key, calls = sys.argv[1:6]
# margin: processes on a small, busy machine (the suite runs beside other servers)
# delay a request by up to ~0.25 s between admission and arrival, and the compressed
# windows are short; a smaller margin let one call in 150 arrive late, now and then.
windows = dict(per_second=20, per_minute=100, second=0.1, minute=6.0, margin=0.3)

async def main() -> None:
    limiter = (RedisRateLimiter(redis_url, key=key, **windows) if redis_url != "-"
               else AltegioRateLimiter(**windows))
    async with AltegioClient(token, base_url=base, limiter=limiter,
                             retry=RetryPolicy(max_attempts=1)) as client:
        async def one(_: int) -> None:
            await client.dictionaries.get_country_list()
        result = await run_batch(one, range(int(calls)), concurrency=4)
    if redis_url != "-":
        await limiter.aclose()
    print(len(result.failures))

asyncio.run(main())
"""


def run_processes(sandbox: Sandbox, redis_url: str, key: str, processes: int, calls: int) -> int:
    """Start the workers together; the number of calls that failed (429s here)."""
    kwargs = sandbox.client_kwargs()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                kwargs["base_url"],
                kwargs["partner_token"],
                redis_url,
                key,
                str(calls),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(processes)
    ]
    failed = 0
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        failed += int(out.strip())
    return failed


def strict_sandbox() -> Sandbox:
    """Strict sliding windows of 20 per 100 ms and 100 per 6 s (Altegio's rule, scaled)."""
    limits = RateLimits(per_second=20, per_minute=100, time_scale=0.1)
    return Sandbox(SandboxConfig(limits=limits))


def test_three_processes_share_one_budget(redis_url: str) -> None:
    with strict_sandbox() as sandbox:
        failed = run_processes(sandbox, redis_url, "test:shared", processes=3, calls=50)
        statuses = [s.status for s in sandbox.seen]
        span = sandbox.seen[-1].at - sandbox.seen[0].at
    assert failed == 0 and statuses.count(429) == 0 and statuses.count(200) == 150
    assert span > 6.0  # 150 calls needed a second minute-window: that limit was in force


def test_without_redis_each_process_spends_the_budget_again(redis_url: str) -> None:
    """The baseline: local limiters, one per process, overrun the shared per-IP limit."""
    with strict_sandbox() as sandbox:
        failed = run_processes(sandbox, "-", "unused", processes=3, calls=50)
        rejected = sum(1 for s in sandbox.seen if s.status == 429)
    assert failed == rejected > 0


async def test_a_429_pauses_every_process(redis_url: str) -> None:
    first = RedisRateLimiter(redis_url, key="test:pause")
    other = RedisRateLimiter(redis_url, key="test:pause")  # as in another process
    await first.acquire()
    first.pause(0.5)
    await asyncio.sleep(0.05)  # let Redis take the pause
    started = time.monotonic()
    await other.acquire()
    assert time.monotonic() - started >= 0.4
    assert other.delayed == 1
    await first.aclose()
    await other.aclose()


async def test_settings_and_repr(redis_url: str) -> None:
    with pytest.raises(UsageError, match="exactly one"):
        RedisRateLimiter()
    with pytest.raises(UsageError, match="per_second"):
        RedisRateLimiter(redis_url, per_second=0)
    with pytest.raises(UsageError, match="bad windows"):
        RedisRateLimiter(redis_url, second=2, minute=1)
    limiter = RedisRateLimiter("redis://:s3cret@127.0.0.1:1/0")
    assert "s3cret" not in repr(limiter)
    await limiter.aclose()


def test_one_limiter_serves_two_event_loops_in_a_row(redis_url: str) -> None:
    """Each asyncio.run() gets its own connection pool; the budget in Redis is the same."""
    from altegio_async import AltegioClient, RateLimitError, RetryPolicy

    limiter = RedisRateLimiter(redis_url, key=f"test-loops-{time.monotonic_ns()}")

    async def five(sandbox: Sandbox) -> int:
        async with AltegioClient(
            **sandbox.client_kwargs(), limiter=limiter, retry=RetryPolicy(max_attempts=1)
        ) as client:
            results = await asyncio.gather(
                *(client.dictionaries.get_country_list() for _ in range(5)),
                return_exceptions=True,
            )
        await limiter.aclose()
        return sum(isinstance(r, RateLimitError) for r in results)

    with Sandbox() as strict:  # Altegio's limits, enforced
        assert asyncio.run(five(strict)) == 0
        assert asyncio.run(five(strict)) == 0
        assert strict.windows.rejected == 0
    assert limiter.acquired == 10


async def test_the_budget_is_one_per_egress_address(redis_url: str) -> None:
    """Limiters naming one address share its windows, wherever they run; another
    address has windows of its own."""
    key = f"test-egress-{time.monotonic_ns()}"

    def limiter(address: str) -> RedisRateLimiter:
        return RedisRateLimiter(
            redis_url, key=key, address=address, per_second=2, per_minute=2, second=30, minute=30
        )

    here = limiter("203.0.113.7")
    there = limiter("203.0.113.7")  # as on another host
    other = limiter("203.0.113.8")
    await here.acquire()
    await there.acquire()  # the address's two
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(here.acquire(), 0.2)  # its windows are full, for both
    await asyncio.wait_for(other.acquire(), 0.2)  # another address: a budget of its own
    await asyncio.wait_for(other.acquire(), 0.2)
    assert repr(here) == f"<RedisRateLimiter key='{key}:203.0.113.7'>"
    with pytest.raises(UsageError, match="address"):
        RedisRateLimiter(redis_url, address="")
    for each in (here, there, other):
        await each.aclose()
