"""Large replies and the event loop: stall while one is read, and parse cost per item.

A ``book_services`` reply of 10,000 and 100,000 services is served by a mock
transport to a client on the event loop while a ticker task measures the loop's
worst delay: read on the loop (``parse_in_thread_above=None``, the baseline) and
off it (the default).  Then the per-item cost of decoding and reading replies of
1k, 10k and 100k services, with the collector left running (baseline) and paused
as the client pauses it, and with orjson against ``json.loads`` as the decoder.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_parse import services

from altegio_async import AltegioClient
from altegio_async.api.online_booking import get_services_available_for_booking
from altegio_async.custom import _parsing


async def worst_lag(body: bytes, above: int | None) -> float:
    """Largest delay of a 1 ms ticker while the client fetches and reads ``body``."""
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=body, headers={"content-type": "application/json"}
        )
    )
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append(time.perf_counter() - start - 0.001)

    async with AltegioClient(
        "bench-token",
        rate_limit=False,
        http_client=httpx.AsyncClient(transport=transport),
        parse_in_thread_above=above,
    ) as client:
        tick = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        await client.online_booking.get_services_available_for_booking(location_id=1)
        done.set()
        await tick
    return max(lags)


def per_item(body: bytes, n: int, paused: bool, decoder: Callable[[bytes], object]) -> float:
    def run() -> None:
        data = decoder(body)["data"]  # type: ignore[index]
        get_services_available_for_booking._parse_success(data)

    best = float("inf")
    for _ in range(3):
        gc.collect()
        start = time.perf_counter()
        if paused:
            with _parsing.collector_paused():
                run()
        else:
            run()
        best = min(best, time.perf_counter() - start)
    return best / n * 1e6


async def rows() -> list[str]:
    out = ["7. large replies: worst event-loop stall while one is read (target <= 20 ms at 10k)"]
    bodies = {n: services(n) for n in (1_000, 10_000, 100_000)}
    await worst_lag(bodies[1_000], 0)  # warm: the reader, the worker thread
    for n in (10_000, 100_000):
        on_loop = sorted([await worst_lag(bodies[n], None) for _ in range(5)])
        off_loop = sorted(
            [await worst_lag(bodies[n], _parsing.DEFAULT_PARSE_IN_THREAD_ABOVE) for _ in range(5)]
        )
        out.append(
            f"   {n:>7,} services ({len(bodies[n]) / 1e6:.1f} MB), median (max) of 5: on the "
            f"loop {on_loop[2] * 1e3:6.1f} ({on_loop[4] * 1e3:6.1f}) ms, in a thread "
            f"{off_loop[2] * 1e3:5.1f} ({off_loop[4] * 1e3:5.1f}) ms "
            f"-> {off_loop[2] / on_loop[2]:.2f}x"
        )
    out.append("   per item, decode + read (us); flat means 100k/1k within 0.8-1.2:")
    for label, paused, decoder in (
        ("collector running (baseline), json.loads", False, json.loads),
        ("collector paused, json.loads", True, json.loads),
        ("collector paused, orjson if installed", True, _parsing.loads),
    ):
        costs = [per_item(bodies[n], n, paused, decoder) for n in (1_000, 10_000, 100_000)]
        out.append(
            f"   {label:<42} 1k {costs[0]:5.2f}  10k {costs[1]:5.2f}  100k {costs[2]:5.2f}"
            f"  100k/1k {costs[2] / costs[0]:.2f}"
        )
    decode_std = min(timeit(functools.partial(json.loads, bodies[100_000])) for _ in range(3))
    decode_fast = min(timeit(functools.partial(_parsing.loads, bodies[100_000])) for _ in range(3))
    out.append(
        f"   decoding 100k services: json.loads {decode_std * 1e3:.1f} ms, _parsing.loads "
        f"{decode_fast * 1e3:.1f} ms -> {decode_fast / decode_std:.2f}x"
    )
    return out


def timeit(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    print("\n".join(asyncio.run(rows())))
