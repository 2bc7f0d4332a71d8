"""Queue workers on 1, 2 and 3 egress addresses exporting the demo's B2B data set.

N SAQ worker processes (``scripts/export_worker.py``), each bound to a loopback
address of its own (127.0.0.2, ...) with a ``RedisRateLimiter`` budget for that
address, export every client and a month of appointments of the demo's three
locations (pages of 4, so that one address needs three minute-windows) from a
sandbox that keeps Altegio's windows per source address, compressed in time.
The figure: calls per (unscaled) minute between the first call and the last,
against N x 200, and against the exact optimum of N addresses for that many calls
(the least span the windows allow), with the 429s the sandbox answered.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_servers import redis_server
from worker_fleet import Fleet, addresses, export_jobs, measure, settled_heap

from altegio_async.custom.workers import Windows, enqueue, failed, wait
from altegio_async.sandbox import BusinessSeed, RateLimits, Sandbox, SandboxConfig

SCALE = 0.3  # a second lasts 0.3 s, a minute 18 s
MARGIN = 0.15  # the most that leaves the minute window binding: 39 * (0.3 + 0.15) < 18
SEED = BusinessSeed(locations=3, clients_per_location=480, appointments_per_location=360)
PAGE_SIZE, PAGES_PER_JOB, CONCURRENCY = 4, 5, 2


async def run(workers: int, redis_url: str, logs: Path) -> str:
    limits = RateLimits(time_scale=SCALE)
    windows = Windows(5, 200, limits.second, limits.minute, MARGIN)
    with Sandbox(SandboxConfig(limits=limits, business=SEED)) as sandbox:
        fleet = Fleet(sandbox, redis_url, windows, concurrency=CONCURRENCY, logs=logs)
        try:
            for address in addresses(workers):
                fleet.start(address)
            await fleet.ready(workers)
            await fleet.warm_up()  # from 127.0.0.1: the sandbox's first replies are slow
            with settled_heap():
                since = time.monotonic()
                jobs = await enqueue(fleet.queue, export_jobs(sandbox, PAGE_SIZE, PAGES_PER_JOB))
                done = await wait(fleet.queue, jobs, timeout=300)
        finally:
            await fleet.stop()
        got = measure(sandbox.seen, since, sandbox, workers)
    rate = got.per_minute(SCALE)
    return (
        f"   {workers:>9}  {got.calls:>5}  {got.span / SCALE:7.1f} s  {rate:9.1f}  "
        f"{200 * workers:>7}  {rate / (200 * workers):>18.3f}  {got.ratio:>16.3f}  "
        f"{got.rejected:>4}  {len(failed(done)):>6}"
    )


async def rows() -> list[str]:
    head = [
        f"10. queue workers: the demo's B2B export (pages of {PAGE_SIZE}, {PAGES_PER_JOB} a job) "
        "by N SAQ worker processes on N loopback addresses, one Redis budget each;",
        f"    windows x{1 / SCALE:.3g} faster ({SCALE:g} s, {60 * SCALE:g} s), margin "
        f"{MARGIN * 1000:g} ms; spans and rates in unscaled time",
        "    addresses  calls     span  calls/min  N x 200  achieved/(N x 200)  of the optimum"
        "  429s  failed",
    ]
    with redis_server() as redis_url, tempfile.TemporaryDirectory() as logs:
        if redis_url is None:
            return [*head, "    skipped: redis-server is not installed"]
        return [*head, *[await run(n, redis_url, Path(logs)) for n in (1, 2, 3)]]


if __name__ == "__main__":
    for line in asyncio.run(rows()):
        print(line, flush=True)
