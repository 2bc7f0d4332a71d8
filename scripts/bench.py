"""Benchmarks: rate-limit utilisation, burst, per-call overhead, memory at scale.

Every figure is a ratio against a baseline measured in the same run, on the same
machine, against the same local server, so a noisy machine moves both sides.

1. utilisation: a batch spanning >= 3 minute-windows of a time-compressed strict
   sandbox (sliding 1 s / 60 s windows, scaled) -> achieved / allowed rate and
   429s, for AltegioRateLimiter and for two plain aiolimiter set-ups;
2. burst: 5 concurrent calls on a fresh client -> how many waited on the limiter;
3. overhead (limiter off): median per-call time of an SDK call vs raw
   ``httpx.AsyncClient`` and vs the raw generated function, same endpoint;
4. scale: peak memory of 10,000 calls queued behind the limiter, and of
   run_batch over 1,000 vs 10,000 items (bounded: the ratio stays near 1);
5. parse cost per item of 10,000 time slots, 1,000 services, 1,000 appointments,
   1,000 clients and 1,000 goods transactions, decoded and read as the client does
   a large reply, against ``json.loads`` alone in the same run, with msgspec and with
   the standard library, and the memory the models keep per item
   (``bench_parse.py``, in an interpreter of its own);
6. rate-limit policies (contract, smooth, Redis, aiolimiter by hand) on a 230-call
   batch, a bursty service trace and four threads with their own loops, against a
   strict time-compressed sandbox (``bench_limits.py``);
7. large replies: worst event-loop stall while a 10k/100k-service reply is read,
   on the loop and in a thread, and the per-item cost from 1k to 100k items
   (``bench_loop.py``);
8. throughput and CPU per call against raw httpx at concurrency 1, 10 and 100 on
   asyncio and uvloop, and the latency of a fresh call right after a wave of
   cancelled calls (``bench_throughput.py``);
9. import time of the package against httpx's (``bench_import.py``);
10. queue workers: N SAQ worker processes on N loopback addresses (1, 2, 3) export
    the demo's B2B data set, each address with its own Redis budget, against a
    sandbox with per-address windows: calls per minute against N x 200 and against
    the exact optimum, with 429s (``bench_workers.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from aiolimiter import AsyncLimiter

from altegio_async import (
    AltegioClient,
    AltegioRateLimiter,
    RateLimitError,
    RetryPolicy,
    run_batch,
)
from altegio_async.api.dictionaries import get_city_list

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_import
import bench_limits
import bench_loop
import bench_workers
from local_servers import sandbox_process

from altegio_async.sandbox import DEFAULT_PARTNER_TOKEN, Sandbox

ROOT = Path(__file__).resolve().parent.parent
NO_RETRY = RetryPolicy(max_attempts=1)


class PlainLimiter:
    """aiolimiter as users typically wire it: no window guard, no 429 pause."""

    def __init__(self, *limiters: AsyncLimiter) -> None:
        self.limiters = limiters

    async def acquire(self) -> None:
        for limiter in self.limiters:
            await limiter.acquire()

    def pause(self, seconds: float) -> None:
        pass


# --- 1. utilisation -------------------------------------------------------------------


async def utilisation_run(
    name: str, make_limiter: Callable[[], Any], scale: float, calls: int
) -> tuple[str, float, int, int]:
    with sandbox_process("--time-scale", str(scale)) as root:
        base = root
        limiter = make_limiter()
        async with AltegioClient(
            DEFAULT_PARTNER_TOKEN, base_url=base, limiter=limiter, retry=NO_RETRY
        ) as client:

            async def one(_: int) -> None:
                await client.dictionaries.get_city_list()

            result = await run_batch(one, range(calls), concurrency=10)
    rejected = sum(1 for o in result.failures if isinstance(o.error, RateLimitError))
    done = calls - len(result.failures)
    allowed = 200 / (60 * scale)
    return name, done / result.elapsed / allowed, rejected, done


async def utilisation(scale: float, windows: int, margin: float) -> list[str]:
    calls = 200 * windows + 5
    configs: list[tuple[str, Callable[[], Any]]] = [
        (
            "AltegioRateLimiter",
            lambda: AltegioRateLimiter(second=1 * scale, minute=60 * scale, margin=margin),
        ),
        ("aiolimiter (200, 60)", lambda: PlainLimiter(AsyncLimiter(200, 60 * scale))),
        ("aiolimiter (5, 1)", lambda: PlainLimiter(AsyncLimiter(5, 1 * scale))),
        (
            "aiolimiter (5,1)+(200,60)",
            lambda: PlainLimiter(AsyncLimiter(5, 1 * scale), AsyncLimiter(200, 60 * scale)),
        ),
    ]
    lines = [
        f"1. utilisation: {calls} calls, windows compressed x{1 / scale:g} "
        f"(1 s -> {scale * 1000:g} ms, 60 s -> {60 * scale:g} s), >= {windows} minute-windows; "
        f"margin {margin * 1000:g} ms",
        "   (achieved = accepted calls per second; allowed = 200 per minute-window; retries off)",
    ]
    for name, make in configs:
        name, ratio, rejected, done = await utilisation_run(name, make, scale, calls)
        lines.append(
            f"   {name:<27} achieved/allowed {ratio:5.3f}   429s {rejected:4d}   ok {done}"
        )
    return lines


# --- 2. burst ---------------------------------------------------------------------------


async def burst() -> list[str]:
    with Sandbox() as sandbox:
        limiter = AltegioRateLimiter()
        async with AltegioClient(**sandbox.client_kwargs(), limiter=limiter) as client:
            start = time.perf_counter()
            await asyncio.gather(*(client.dictionaries.get_city_list() for _ in range(5)))
            wall = time.perf_counter() - start
            waited_before = limiter.delayed
            await client.dictionaries.get_city_list()  # the sixth must wait
    return [
        f"2. burst: 5 concurrent calls on a fresh client: {waited_before} of 5 waited on the "
        f"limiter, wall {wall * 1000:.1f} ms; the 6th call waited "
        f"{limiter.total_wait:.3f} s (the 1 s window)"
    ]


# --- 3. overhead ------------------------------------------------------------------------


async def timed(fn: Callable[[], Awaitable[object]], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - start)
    return out


async def overhead(rounds: int, per_round: int) -> list[str]:
    with sandbox_process("--no-rate-limit") as root:
        base = root
        headers = {
            "Accept": "application/vnd.api.v2+json",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {DEFAULT_PARTNER_TOKEN}",
        }
        raw = httpx.AsyncClient(headers=headers)
        sdk = AltegioClient(DEFAULT_PARTNER_TOKEN, base_url=base, rate_limit=False)

        async def raw_call() -> object:
            return (await raw.get(base + get_city_list.OPERATION.path)).json()

        async def parsed_call() -> object:
            # raw httpx plus the generated model parser: the SDK without its client layer
            return get_city_list._parse_success(
                (await raw.get(base + get_city_list.OPERATION.path)).json()["data"]
            )

        async def sdk_call() -> object:
            return await sdk.dictionaries.get_city_list()

        samples: dict[str, list[float]] = {"raw": [], "parsed": [], "sdk": []}
        calls = {"raw": raw_call, "parsed": parsed_call, "sdk": sdk_call}
        for fn in calls.values():
            await timed(fn, 50)  # warm up connections and caches
        for _ in range(rounds):  # interleaved, so drift hits all three alike
            for name, fn in calls.items():
                samples[name] += await timed(fn, per_round)
        await raw.aclose()
        await sdk.aclose()
    med = {k: statistics.median(v) for k, v in samples.items()}
    n = rounds * per_round
    return [
        f"3. overhead, limiter off, {n} calls each, server in its own process, median per call:",
        f"   raw httpx {med['raw'] * 1e6:7.0f} us   raw httpx + generated parser "
        f"{med['parsed'] * 1e6:7.0f} us   SDK {med['sdk'] * 1e6:7.0f} us",
        f"   SDK / raw httpx = {med['sdk'] / med['raw']:.3f} (target <= 1.3)   "
        f"SDK / raw + parser = {med['sdk'] / med['parsed']:.3f} (target <= 1.1)",
    ]


# --- 4. scale ---------------------------------------------------------------------------


def ok_transport() -> httpx.MockTransport:
    body = b'{"success": true, "data": [{"id": 1, "country_id": 1, "title": "X"}], "meta": []}'

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(reply)


async def queued_peak(n: int) -> tuple[int, int]:
    """Peak traced memory with n calls waiting on a paused limiter, and after they finish."""
    limiter = AltegioRateLimiter()
    http = httpx.AsyncClient(transport=ok_transport())
    async with AltegioClient("t", limiter=limiter, http_client=http, retry=NO_RETRY) as client:
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        limiter.pause(3600)  # everything queues
        tasks = [asyncio.create_task(client.dictionaries.get_city_list()) for _ in range(n)]
        await asyncio.sleep(0.05)
        queued = tracemalloc.get_traced_memory()[0] - base
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)  # (gather would keep every task alive in its result)
        del tasks
        gc.collect()
        after = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
    await http.aclose()
    return queued, after


async def batch_peak(n: int) -> int:
    http = httpx.AsyncClient(transport=ok_transport())
    async with AltegioClient("t", rate_limit=False, http_client=http, retry=NO_RETRY) as client:

        async def one(_: int) -> int:
            return len(await client.dictionaries.get_city_list())

        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        result = await run_batch(one, range(n), concurrency=10)
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    await http.aclose()
    if result.failures:  # a failing call would measure the wrong thing
        result.raise_first()
    return peak


async def scale() -> list[str]:
    queued, after = await queued_peak(10_000)
    small, large = await batch_peak(1_000), await batch_peak(10_000)
    return [
        f"4. scale: 10,000 calls queued behind a paused limiter: {queued / 1e6:.1f} MB "
        f"({queued / 10_000 / 1024:.1f} KiB per waiting call); after cancelling them all: "
        f"{after / 1e6:.2f} MB",
        f"   run_batch peak memory: 1,000 items {small / 1e6:.2f} MB, 10,000 items "
        f"{large / 1e6:.2f} MB -> ratio {large / small:.2f} for 10x the items "
        "(results list only; tasks stay at the concurrency)",
    ]


async def in_fresh_interpreter(script: str) -> list[str]:
    """The lines a bench script prints, run in an interpreter of its own."""
    path = Path(__file__).with_name(script)
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout.rstrip("\n").split("\n")


async def parse_cost() -> list[str]:
    # A fresh interpreter too: the memory-bound reading is the side the earlier
    # sections' heap slows most.
    return await in_fresh_interpreter("bench_parse.py")


async def large_replies() -> list[str]:
    return await bench_loop.rows()


async def throughput() -> list[str]:
    # A fresh interpreter: the heap earlier sections leave makes the collector's pauses
    # land on one side or the other and swing the ratios by 30 %.
    return await in_fresh_interpreter("bench_throughput.py")


async def import_time() -> list[str]:
    return await asyncio.to_thread(bench_import.rows)


async def limit_policies() -> list[str]:
    return await asyncio.to_thread(bench_limits.rows)  # it runs event loops of its own


async def queue_workers() -> list[str]:
    return await bench_workers.rows()


async def main(args: argparse.Namespace) -> None:
    print(f"altegio-async benchmarks (python {sys.version.split()[0]}, {os.cpu_count()} cpus)\n")
    sections: list[Callable[[], Awaitable[list[str]]]] = [
        lambda: utilisation(args.scale, args.windows, args.margin),
        burst,
        lambda: overhead(args.rounds, args.per_round),
        scale,
        parse_cost,
        limit_policies,
        large_replies,
        throughput,
        import_time,
        queue_workers,
    ]
    for number, section in enumerate(sections, 1):
        if args.only and int(args.only) != number:
            continue
        for line in await section():
            print(line, flush=True)
        print()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="time compression of windows")
    parser.add_argument("--windows", type=int, default=3, help="minute-windows to span")
    parser.add_argument(
        "--margin",
        type=float,
        default=0.05,
        help="limiter margin (s), unscaled: loopback's connection-setup skew is ~30 ms",
    )
    parser.add_argument("--only", choices=[str(n) for n in range(1, 11)], help="run one section")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=100)
    asyncio.run(main(parser.parse_args()))
