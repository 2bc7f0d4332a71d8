"""Large replies and the event loop: stall while one is read, its causes, and cost per item.

A ``book_services`` reply of 10,000 and 100,000 services is served by a mock
transport to a client on the event loop while a ticker task (1 ms sleeps) measures
the loop's worst delay from the request to the result in hand, worst of several
calls: with msgspec (the ``fast`` extra) and with the standard library only (msgspec
switched off in ``_parsing``, as without the extra); the body decoded in pieces, as
the client does, and in one call, as it did before.  Each stall is put down to
what ran meanwhile: the request and the hand-off to the worker thread, the decode
(its longest single call timed, wall and CPU: the GIL is held for all of it, and a
wall time far above the CPU time is the machine's other processes), the reading of
the models (pure Python: the loop gets the GIL back every switch interval) and
cyclic collections (the collector's own callbacks).  Dropping the reply afterwards
is timed apart: it frees every model at once.  Then the per-item cost of decoding
alone, pieces against one call, and of decoding and reading from 1k to 100k
services.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_parse import decoder, services

from altegio_async import AltegioClient
from altegio_async.api.online_booking import get_services_available_for_booking
from altegio_async.custom import _envelope, _parsing

TARGET_MS = 20.0
CALLS = 5


@contextlib.contextmanager
def one_call_decode() -> Iterator[None]:
    """The client's decoding as it was: the whole body in one call."""
    with mock.patch.object(_envelope, "loads_in_pieces", lambda body: _parsing.loads(body)):
        yield


class Probe:
    """When the decode ran, how long its longest single call took, and the collections."""

    def __init__(self) -> None:
        self.decode = (0.0, 0.0)
        self.longest_call = (0.0, 0.0)  # (wall, the thread's CPU time)
        self.collections: list[tuple[float, float]] = []
        self._started = 0.0

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        decode, piece_decoder, loads = _envelope._decode, _parsing._piece_decoder, _parsing.loads

        def timed_decode(response: httpx.Response) -> Any:
            start = time.perf_counter()
            try:
                return decode(response)
            finally:
                self.decode = (start, time.perf_counter())

        def timed(fn: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
            def call(text: bytes) -> Any:
                start, cpu = time.perf_counter(), time.thread_time()
                try:
                    return fn(text)
                finally:
                    took = (time.perf_counter() - start, time.thread_time() - cpu)
                    self.longest_call = max(self.longest_call, took)

            return call

        def collection(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                self._started = time.perf_counter()
            else:
                self.collections.append((self._started, time.perf_counter()))

        def timed_piece_decoder() -> tuple[Callable[[bytes], Any], bool]:
            decode, fast = piece_decoder()
            return timed(decode), fast

        with contextlib.ExitStack() as patches:
            patches.enter_context(mock.patch.object(_envelope, "_decode", timed_decode))
            patches.enter_context(
                mock.patch.object(_parsing, "_piece_decoder", timed_piece_decoder)
            )
            # a body decoded in one call (the envelope around the pieces is a piece's)
            patches.enter_context(mock.patch.object(_parsing, "loads", timed(loads)))
            gc.callbacks.append(collection)
            patches.callback(gc.callbacks.remove, collection)
            yield


@dataclasses.dataclass
class Call:
    stall: float  # worst loop delay from the request to the result in hand
    before: float  # ... overlapping the request, the transport and the hand-off
    in_decode: float  # worst delay overlapping the decode
    in_reading: float  # ... the reading of the models, after the decode
    longest_call: tuple[float, float]  # longest single decoder call (GIL held): wall, CPU
    collecting: float  # longest cyclic collection during the call
    drop: float  # worst loop delay while the reply is dropped


async def one_call(body: bytes, above: int | None) -> Call:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=body, headers={"content-type": "application/json"}
        )
    )
    ticks: list[tuple[float, float]] = []  # (asleep from, woke at)
    ticking = True

    async def ticker() -> None:
        while ticking:
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            ticks.append((start, time.perf_counter()))

    def worst(since: float, until: float) -> float:
        """Worst tick delay overlapping [since, until]."""
        return max(
            (end - start - 0.001 for start, end in ticks if end > since and start < until),
            default=0.0,
        )

    probe = Probe()
    async with AltegioClient(
        "bench-token",
        rate_limit=False,
        http_client=httpx.AsyncClient(transport=transport),
        parse_in_thread_above=above,
    ) as client:
        tick = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        with probe.installed():
            sent = time.perf_counter()
            reply = await client.online_booking.get_services_available_for_booking(location_id=1)
            done = time.perf_counter()
        await asyncio.sleep(0.03)  # (the call's last references go)
        dropping = time.perf_counter()
        del reply
        await asyncio.sleep(0.01)
        ticking = False
        await tick
    decode_start, decode_end = probe.decode
    return Call(
        stall=worst(sent, done),
        before=worst(sent, decode_start),
        in_decode=worst(decode_start, decode_end),
        in_reading=worst(decode_end, done),
        longest_call=probe.longest_call,
        collecting=max((end - start for start, end in probe.collections), default=0.0),
        drop=worst(dropping, dropping + 0.001),
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:5.1f}"


async def stall_rows(bodies: dict[int, bytes]) -> list[str]:
    out = [
        f"   {CALLS} calls each; the loop's worst delay from request to result, ms. Causes, "
        "the worst of the calls: decode call = longest single decoder call, GIL held",
        "   (in brackets its CPU time: the rest is waiting for a CPU); before / decoding / "
        "reading = worst stall before the decode starts (request, transport, hand-off",
        "   to the thread) / while the body is decoded / the models are read; gc = longest",
        f"   collection. Switch interval {sys.getswitchinterval() * 1e3:g} ms; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus (other processes delay the "
        "loop's thread too).",
        "                        worst (median)      decode call   before decoding reading"
        "   gc  | decoded in one call (as before)",
    ]
    verdicts = []
    for fast in (True, False):
        name = "msgspec" if fast else "stdlib"
        with decoder(fast):
            await one_call(bodies[1_000], 0)  # warm: the reader, the worker thread
            for n in (10_000, 100_000):
                above = _parsing.DEFAULT_PARSE_IN_THREAD_ABOVE
                with one_call_decode():
                    before = [await one_call(bodies[n], above) for _ in range(3)]
                calls = [await one_call(bodies[n], above) for _ in range(CALLS)]
                worst = max(c.stall for c in calls)
                verdict = "ok" if worst * 1e3 <= TARGET_MS else "OVER"
                over = sum(c.stall * 1e3 > TARGET_MS for c in calls)
                verdicts.append((n, f"{name} {verdict} ({over} of {CALLS} calls over)"))
                wall, cpu = max(c.longest_call for c in calls)
                out.append(
                    f"   {name} {n // 1000:>3}k {len(bodies[n]) / 1e6:4.1f} MB  "
                    f"{ms(worst)} ({ms(statistics.median(c.stall for c in calls))}) {verdict:<4}"
                    f"  {ms(wall)} ({ms(cpu)})  {ms(max(c.before for c in calls))}  "
                    f"{ms(max(c.in_decode for c in calls))}  "
                    f"{ms(max(c.in_reading for c in calls))}  "
                    f"{ms(max(c.collecting for c in calls))} | worst "
                    f"{ms(max(c.stall for c in before))}, decode call "
                    f"{ms(max(c.longest_call for c in before)[0])}"
                )
                if fast:
                    drop = max(c.drop for c in calls)
                    out.append(
                        f"      then dropping the reply: {ms(drop)} ms on the loop (its last "
                        f"reference frees {n:,} models at once; not part of the read)"
                    )
    for n in (10_000, 100_000):
        got = [verdict for m, verdict in verdicts if m == n]
        out.append(f"   {n // 1000}k reply, worst stall <= {TARGET_MS:g} ms: " + ", ".join(got))
    return out


async def on_loop_row(bodies: dict[int, bytes]) -> str:
    cells = []
    for n in (10_000, 100_000):
        calls = [await one_call(bodies[n], None) for _ in range(2)]
        cells.append(f"{n // 1000}k {ms(max(c.stall for c in calls))} ms")
    return "   read on the loop (parse_in_thread_above=None), msgspec, worst of 2: " + ", ".join(
        cells
    )


def per_item(body: bytes, n: int, paused: bool, decode: Callable[[bytes], Any]) -> float:
    def run() -> None:
        data = decode(body)["data"]
        get_services_available_for_booking._parse_success(data)

    best = float("inf")
    for _ in range(3 if n >= 100_000 else 7):
        gc.collect()
        start = time.perf_counter()
        if paused:
            with _parsing.collector_paused():
                run()
        else:
            run()
        best = min(best, time.perf_counter() - start)
    return best / n * 1e6


def decode_costs(body: bytes, runs: int) -> tuple[float, float]:
    """Best times of one call and of pieces, taken in turns (so that both see the same
    machine), with the collector paused as in the client."""
    best = [float("inf"), float("inf")]
    for run in range(runs):
        for which in (run % 2, 1 - run % 2):
            decode = (_parsing.loads, _parsing.loads_in_pieces)[which]
            gc.collect()
            with _parsing.collector_paused():
                start = time.perf_counter()
                decoded = decode(body)
                best[which] = min(best[which], time.perf_counter() - start)
            del decoded
    return best[0], best[1]


def decode_rows(bodies: dict[int, bytes]) -> list[str]:
    out = ["   decoding alone, per item (us), best of 9 (5 at 100k): pieces / one call"]
    for fast in (True, False):
        with decoder(fast):
            cells = []
            for n in (10_000, 100_000):
                one, pieces = decode_costs(bodies[n], 9 if n < 100_000 else 5)
                cells.append(
                    f"{n // 1000}k {pieces / n * 1e6:4.2f} / {one / n * 1e6:4.2f} = "
                    f"{pieces / one:4.2f}x"
                )
            label = "msgspec" if fast else "stdlib"
            out.append(f"   {label}: " + "   ".join(cells) + "   (target <= 1.15x)")
    return out


async def rows() -> list[str]:
    out = [
        "7. large replies: worst event-loop stall while one is read, and what causes it "
        f"(target <= {TARGET_MS:g} ms at 10k, also shown at 100k)"
    ]
    bodies = {n: services(n) for n in (1_000, 10_000, 100_000)}
    out += await stall_rows(bodies)
    out.append(await on_loop_row(bodies))
    out += decode_rows(bodies)
    out.append("   per item, decode + read (us); flat means 100k/1k within 0.8-1.2:")
    for label, paused, decode in (
        ("collector running (baseline), json.loads", False, json.loads),
        ("collector paused, json.loads", True, json.loads),
        ("collector paused, the client's decoder", True, _parsing.loads_in_pieces),
    ):
        costs = [per_item(bodies[n], n, paused, decode) for n in (1_000, 10_000, 100_000)]
        out.append(
            f"   {label:<42} 1k {costs[0]:5.2f}  10k {costs[1]:5.2f}  100k {costs[2]:5.2f}"
            f"  100k/1k {costs[2] / costs[0]:.2f}"
        )
    return out


if __name__ == "__main__":
    print("\n".join(asyncio.run(rows())))
