"""Rate-limit policies against a strict, time-compressed sandbox, in one run.

Three workloads, each against a fresh sandbox process that enforces Altegio's
windows strictly (at most 5 accepted in any sliding second, 200 in any sliding
minute, per IP), compressed x10 (1 s -> 100 ms, 60 s -> 6 s), retries off:

- batch: 230 calls from 10 workers; the optimum is 65 s (scaled 6.5 s): 200 at
  5/s, then the oldest leave the minute;
- service: 50 users arriving evenly over 20 s, each making 6 calls in a row (a
  booking flow); the wait of each call (asked -> answered) as p50/p99;
- threads: 4 threads, each with its own event loop and client, 50 calls each.

Configurations: ``AltegioRateLimiter`` with the contract (default) and smooth
policies, ``RedisRateLimiter`` (if ``redis-server`` is installed), and aiolimiter
as users wire it by hand, ``(5, 1)`` nested in ``(200, 60)``, one per event loop.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from aiolimiter import AsyncLimiter

from altegio_async import AltegioClient, AltegioRateLimiter, RateLimitError, RetryPolicy
from altegio_async.sandbox import DEFAULT_PARTNER_TOKEN

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_servers import redis_server, sandbox_process

ROOT = Path(__file__).resolve().parent.parent
SCALE = 0.1
MARGIN = 0.012  # loopback jitter at this compression (the default 0.15 s is for the internet)
NO_RETRY = RetryPolicy(max_attempts=1)
MakeLimiter = Callable[[], Any]


class Nested:
    """aiolimiter as users typically wire it: (5, 1) inside (200, 60), per event loop."""

    def __init__(self) -> None:
        self.limiters = [AsyncLimiter(5, 1 * SCALE), AsyncLimiter(200, 60 * SCALE)]

    async def acquire(self) -> None:
        for limiter in self.limiters:
            await limiter.acquire()

    def pause(self, seconds: float) -> None:
        pass


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed_calls(root: str, limiter: Any, plan: list[tuple[float, int]]) -> list[Any]:
    """Run ``plan`` (start offset in unscaled seconds, calls in a row) from one loop;
    returns (wait in unscaled seconds, rejected?, answered at, seconds from start) per call."""
    loop = asyncio.get_running_loop()
    out: list[Any] = []
    http = httpx.AsyncClient()
    # Connections opened first (a path that is no operation counts in no window): the
    # steady state; a cold start's connection set-up is what the default margin is for.
    await asyncio.gather(*(http.get(root + "/warm-up") for _ in range(10)))
    async with AltegioClient(
        DEFAULT_PARTNER_TOKEN,
        base_url=root,
        limiter=limiter,
        retry=NO_RETRY,
        http_client=http,
    ) as client:
        origin = loop.time()

        async def user(offset: float, calls: int) -> None:
            await asyncio.sleep(offset * SCALE)
            for _ in range(calls):
                asked = loop.time()
                try:
                    await client.dictionaries.get_country_list()
                    rejected = False
                except RateLimitError:
                    rejected = True
                out.append(((loop.time() - asked) / SCALE, rejected, loop.time() - origin))

        await asyncio.gather(*(user(offset, calls) for offset, calls in plan))
    await http.aclose()
    return out


def optimal_span(calls: int) -> float:
    """Seconds from the first to the last of ``calls`` admissions under Altegio's two
    windows, at best: 5 a second until 200 in a minute, then the next minute."""
    minutes, within = divmod(calls - 1, 200)
    return minutes * 60.0 + within // 5


def summarise(name: str, results: list[Any], optimal: bool) -> str:
    waits = [w for w, _, _ in results]
    rejected = sum(r for _, r, _ in results)
    span = max(t for _, r, t in results if not r) / SCALE
    best = optimal_span(len(results) - rejected)
    ratio = f"achieved/optimal {best / span:5.3f}" if optimal else " " * 22
    return (
        f"   {name:<24} {ratio}   429s {rejected:3d}   "
        f"wait p50 {percentile(waits, 0.5):5.1f} s  p99 {percentile(waits, 0.99):5.1f} s   "
        f"span {span:5.1f} s"
    )


def batch(root: str, make: MakeLimiter) -> list[Any]:
    async def run() -> list[Any]:
        return await timed_calls(root, make(), [(0.0, 23)] * 10)

    return asyncio.run(run())


def service(root: str, make: MakeLimiter) -> list[Any]:
    async def run() -> list[Any]:
        return await timed_calls(root, make(), [(i * 20 / 50, 6) for i in range(50)])

    return asyncio.run(run())


def threads(root: str, make: MakeLimiter) -> list[Any]:
    results: list[Any] = []
    shared = make()

    def worker() -> None:
        # One limiter object for the process, except where it cannot cross loops.
        limiter = make() if isinstance(shared, Nested) else shared
        results.extend(asyncio.run(timed_calls(root, limiter, [(0.0, 10)] * 5)))

    pool = [threading.Thread(target=worker) for _ in range(4)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


def configs(redis_url: str | None) -> list[tuple[str, MakeLimiter]]:
    second, minute = 1 * SCALE, 60 * SCALE
    found: list[tuple[str, MakeLimiter]] = [
        (
            "contract (default)",
            lambda: AltegioRateLimiter(second=second, minute=minute, margin=MARGIN),
        ),
        (
            "smooth",
            lambda: AltegioRateLimiter(
                second=second, minute=minute, margin=MARGIN, policy="smooth"
            ),
        ),
    ]
    if redis_url is not None:
        from altegio_async.redis_limiter import RedisRateLimiter

        def redis() -> Any:
            key = f"bench:{time.monotonic_ns()}"
            return RedisRateLimiter(redis_url, key=key, second=second, minute=minute, margin=MARGIN)

        found.append(("RedisRateLimiter", redis))
    found.append(("aiolimiter (5,1)+(200,60)", Nested))
    return found


def rows() -> list[str]:
    out = [
        f"6. rate-limit policies vs a strict sandbox (windows x{1 / SCALE:g} faster, "
        f"margin {MARGIN * 1000:g} ms, retries off; times unscaled; achieved/optimal "
        "counts accepted calls):"
    ]
    workloads: list[tuple[str, Callable[[str, MakeLimiter], list[Any]], bool]] = [
        ("batch: 230 calls, 10 workers (optimum 65 s)", batch, True),
        ("service: 50 users x 6 calls arriving over 20 s", service, False),
        ("threads: 4 threads x own loop x 50 calls (optimum 39 s + 39 x margin)", threads, True),
    ]
    # Windows are compressed x10 but collector pauses are not: a full collection of the
    # heap earlier sections left, between an admission and its send, is a 429 here
    # that the production margin would absorb (tests/custom/test_limiter_contract.py).
    gc.collect()
    gc.freeze()
    try:
        with redis_server() as redis_url:
            if redis_url is None:
                out.append("   (RedisRateLimiter skipped: no redis-server on this machine)")
            for title, workload, optimum in workloads:
                out.append(f"   {title}")
                for name, make in configs(redis_url):
                    with sandbox_process("--time-scale", str(SCALE)) as root:
                        out.append(summarise(name, workload(root, make), optimum))
    finally:
        gc.unfreeze()  # later sections measure the collector as a service has it
    return out


if __name__ == "__main__":
    os.chdir(ROOT)
    print("\n".join(rows()))
