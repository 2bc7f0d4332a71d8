"""Queue workers on several loopback addresses against one sandbox: the harness of the
queue-worker tests and of ``make bench``'s worker section.

A ``Fleet`` starts worker processes (``python -m saq export_worker.settings``), each
bound to an address of its own (127.0.0.2, 127.0.0.3, ...: the whole 127/8 is
local on Linux) with a ``RedisRateLimiter`` budget for that address, against a
sandbox whose windows are kept per source address.  ``plan`` turns the demo's
Business Management data set into jobs; ``Measure`` compares the calls the
sandbox answered with the least span its windows allow.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import gc
import math
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from saq import Job
from saq.queue.redis import RedisQueue

from altegio_async import AltegioClient
from altegio_async.custom.workers import Json, LocationJob, Windows
from altegio_async.models import (
    ClientQuery,
    CreateOrUpdateAppointment,
    OrUpdateAppointmentClient,
    OrUpdateAppointmentService,
)
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    Sandbox,
    Seen,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_business import optimum_span

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent


@contextlib.contextmanager
def settled_heap() -> Iterator[None]:
    """Keep the collector's pauses out of a timed run (as the demo does): the sandbox
    serves from a thread of this process, and a full collection of its heap (the
    sandbox's data, the models) stalls it for up to ~0.4 s, delaying every request
    then arriving by more than the margin.  Collect, then exempt what is left from
    collections until the run ends."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def addresses(count: int, first: int = 2) -> list[str]:
    """``count`` loopback addresses from 127.0.0.<first>."""
    return [f"127.0.0.{first + n}" for n in range(count)]


@dataclasses.dataclass
class Worker:
    address: str
    process: subprocess.Popen[bytes]
    log: IO[bytes] | None


class Fleet:
    """Worker processes sharing one queue, one Redis and one sandbox."""

    def __init__(
        self,
        sandbox: Sandbox,
        redis_url: str,
        windows: Windows,
        *,
        concurrency: int = 4,
        sweep: int = 1,
        logs: Path | None = None,
        verbose: bool = False,
    ) -> None:
        self.sandbox = sandbox
        owner = sandbox.world.crm.login(DEFAULT_BUSINESS_LOGIN, DEFAULT_BUSINESS_PASSWORD)
        assert owner is not None
        run = uuid.uuid4().hex[:8]
        kwargs = sandbox.client_kwargs()
        self.namespace = f"fleet-{run}"
        self.queue_name = f"fleet-{run}"
        self.redis_url = redis_url
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(SCRIPTS), os.environ.get("PYTHONPATH", "")]),
            "ALTEGIO_PARTNER_TOKEN": kwargs["partner_token"],
            "ALTEGIO_BUSINESS_TOKEN": owner.token,
            "ALTEGIO_REDIS_URL": redis_url,
            "ALTEGIO_BASE_URL": kwargs["base_url"],
            "ALTEGIO_APP_BASE_URL": kwargs["app_base_url"],
            "ALTEGIO_QUEUE": self.queue_name,
            "ALTEGIO_NAMESPACE": self.namespace,
            "ALTEGIO_RATE_WINDOWS": str(windows),
            "ALTEGIO_CONCURRENCY": str(concurrency),
            "ALTEGIO_SWEEP": str(sweep),
        }
        self.logs = logs
        self.verbose = verbose
        self.workers: dict[int, Worker] = {}  # by pid
        self.queue = RedisQueue.from_url(redis_url, name=self.queue_name)

    def start(self, address: str) -> int:
        """A worker process bound to ``address`` (its budget's key too); its pid."""
        env = {**self.env, "ALTEGIO_EGRESS_ADDRESS": address, "ALTEGIO_LOCAL_ADDRESS": address}
        log = None
        if self.logs is not None:
            log = (self.logs / f"worker-{address}-{len(self.workers)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "saq", "export_worker.settings", "-v" if self.verbose else "-q"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL if log is None else log,
            stderr=subprocess.STDOUT,
        )
        self.workers[process.pid] = Worker(address, process, log)
        return process.pid

    async def ready(self, count: int, within: float = 30.0) -> None:
        """Wait until ``count`` workers have registered with the queue."""
        deadline = time.monotonic() + within
        while len((await self.queue.info())["workers"]) < count:
            dead = [w.address for w in self.workers.values() if w.process.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(f"workers did not start (exited: {dead})")
            await asyncio.sleep(0.05)

    async def warm_up(self) -> None:
        """Call each operation the jobs use once, from 127.0.0.1 (no worker's budget).

        A cold sandbox answers its first calls of an operation slowly (up to ~0.3 s
        seen on a loaded 2-core machine), and every request queued behind such a reply
        arrives that much later than it was admitted: more than the margin, a 429 the
        real Altegio would have no reason to send."""
        start, end = month_of(self.sandbox)
        world = self.sandbox.world
        location = min(world.locations)
        member = world.team_at(location)[0]
        known = world.crm.clients_at(location)[0]  # not a new client: the data set stays
        body = CreateOrUpdateAppointment(
            staff_id=member.id,
            services=[OrUpdateAppointmentService(id=min(member.service_ids))],
            client=OrUpdateAppointmentClient(name=known.name, phone=known.phone),
            datetime_=dt.datetime.combine(world.working_day(member, ahead=2), dt.time(8)),
            seance_length=900,
            save_if_busy=True,
        )
        async with AltegioClient(**self.sandbox.client_kwargs(), rate_limit=False) as client:
            staff = client.with_business_token(self.env["ALTEGIO_BUSINESS_TOKEN"])
            query = ClientQuery(page=1, page_size=1)
            await staff.clients.get_client_list(location_id=location, body=query)
            await staff.appointments.get_appointment_list(
                location_id=location, start_date=start, end_date=end, page=1, count=1
            )
            (made,) = await staff.appointments.create_appointment(location_id=location, body=body)
            await staff.appointments.delete_appointment(
                location_id=location, appointment_id=made.id
            )

    def kill(self, pid: int) -> str:
        """SIGKILL a worker (no clean-up of any kind); its address."""
        worker = self.workers[pid]
        os.kill(pid, signal.SIGKILL)
        worker.process.wait(timeout=10)
        return worker.address

    async def stop(self) -> None:
        for worker in self.workers.values():
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in self.workers.values():
            try:
                worker.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            if worker.log is not None:
                worker.log.close()
        await self.queue.disconnect()


# --- the jobs: the demo's data set ---------------------------------------------------------


def month_of(sandbox: Sandbox) -> tuple[str, str]:
    """The 30 days before the sandbox's today (where the seeded history lies)."""
    today = sandbox.world.today
    return str(today - dt.timedelta(days=30)), str(today - dt.timedelta(days=1))


def _ranges(pages: int, per_job: int) -> list[tuple[int, int]]:
    return [(first, min(first + per_job - 1, pages)) for first in range(1, pages + 1, per_job)]


def export_jobs(sandbox: Sandbox, page_size: int, pages_per_job: int) -> list[LocationJob]:
    """Every client and the month's appointments of every location, in page ranges."""
    start, end = month_of(sandbox)
    world = sandbox.world
    jobs = []
    for location in sorted(world.locations):
        clients = len(world.crm.clients_at(location))
        booked = sum(
            1
            for r in world.live_records()
            if r.location_id == location and start <= str(r.start.date()) <= end
        )
        for kind, count, extra in (
            ("clients", clients, {}),
            ("appointments", booked, {"start": start, "end": end}),
        ):
            for first, last in _ranges(math.ceil(count / page_size), pages_per_job):
                params: dict[str, Json] = {
                    "first": first,
                    "last": last,
                    "page_size": page_size,
                    **extra,
                }
                jobs.append(LocationJob(kind, location, params))
    return jobs


def import_jobs(sandbox: Sandbox, visits_per_job: int, run: str) -> list[LocationJob]:
    """One import job per location: ``visits_per_job`` appointments from another system
    (the member's next working day, 15 minutes apart, with the location's first team member,
    for clients it has: the client base, which the export pages through, stays as it is)."""
    world = sandbox.world
    jobs = []
    for location in sorted(world.locations):
        clients = world.crm.clients_at(location)
        member = world.team_at(location)[0]
        service = min(member.service_ids)
        day = world.working_day(member)
        visits: list[Json] = []
        for i in range(visits_per_job):
            at = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=15 * i)
            visits.append(
                {
                    "ext_id": f"{run}-{location}-{i}",
                    "staff_id": member.id,
                    "service_id": service,
                    "datetime": at.isoformat(),
                    "length": 900,
                    "name": clients[i].name,
                    "phone": clients[i].phone,
                }
            )
        jobs.append(LocationJob("import", location, {"visits": visits}))
    return jobs


# --- what the sandbox saw ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Measure:
    """The calls a job set made (those the sandbox answered from ``since`` on)."""

    calls: int  # answered, 429s included
    rejected: int
    span: float  # seconds, first call to last
    by_address: dict[str, int]
    optimum: float  # least span for calls / addresses on each address's windows

    @property
    def ratio(self) -> float:
        """Achieved throughput over the optimum of that many addresses (1.0: the optimum)."""
        return self.optimum / self.span if self.span else 0.0

    def per_minute(self, scale: float) -> float:
        """Calls per (unscaled) minute between the first and the last."""
        return (self.calls - 1) / (self.span / scale) * 60 if self.span else 0.0


def measure(seen: Sequence[Seen], since: float, sandbox: Sandbox, addresses: int) -> Measure:
    calls = [s for s in seen if s.at >= since]
    limits = sandbox.config.limits
    windows = [(limits.per_second, limits.second), (limits.per_minute, limits.minute)]
    rejected = sum(1 for s in calls if s.status == 429)
    by_address: dict[str, int] = {}
    for s in calls:
        by_address[s.remote] = by_address.get(s.remote, 0) + 1
    admitted = len(calls) - rejected
    best = optimum_span(math.ceil(admitted / addresses), windows)
    span = calls[-1].at - calls[0].at if len(calls) > 1 else 0.0
    return Measure(len(calls), rejected, span, by_address, best)


def pid_of(job: Job) -> int | None:
    """The pid of the worker that last ran ``job`` (its ``meta``), if known."""
    worker = job.meta.get("worker")
    return int(str(worker).rsplit(":", 1)[1]) if worker else None


def rejections(seen: Sequence[Seen], since: float, sandbox: Sandbox) -> list[str]:
    """Each 429 from ``since`` on: when, from which address, and how full each of its
    address's windows was (what a failing test shows)."""
    limits = sandbox.config.limits
    out = []
    for s in seen:
        if s.at < since or s.status != 429:
            continue
        before = [x.at for x in seen if x.remote == s.remote and x.status != 429 and x.at <= s.at]
        second = sum(1 for at in before if at > s.at - limits.second)
        minute = sum(1 for at in before if at > s.at - limits.minute)
        out.append(
            f"{s.remote} at {s.at - since:.3f} s: {second} in its second, {minute} in its minute"
        )
    return out
