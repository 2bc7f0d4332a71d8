"""Part 3 of the demo: a Business Management export at the rate limit's optimum.

A business user logs in and exports, for each location of a seeded sandbox, every
client (``iter_get_client_list``, paged in the search body) and the appointments of
the last 30 days (``iter_get_appointment_list``, ``page``/``count``), one
``run_batch`` job per (location, kind).  Each job reads its first page with
``with_raw_response`` to learn ``meta.total_count`` (so the progress bar knows how
many calls are coming) and pages on from page 2 with the iterator.

The sandbox's windows run ``SCALE`` times real time and the client's own
``AltegioRateLimiter`` uses the same windows, widened by ``MARGIN``.  Pages are
small so the export makes more calls than one minute-window holds: the per-minute
limit binds, and the summary compares the span the sandbox saw with the least
span its windows allow for that many calls.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import math
import time
from collections.abc import Callable
from typing import Literal

from altegio_async import (
    AltegioClient,
    AltegioRateLimiter,
    AsyncPaginator,
    LoggedInBusinessSession,
    Progress,
    RetryEvent,
    RetryPolicy,
    run_batch,
)
from altegio_async.models import Appointment, ClientListing, ClientQuery
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    BusinessSeed,
    RateLimits,
    Sandbox,
    SandboxConfig,
    Seen,
)

SCALE = 0.4  # a second lasts 0.4 s and a minute 24 s: the export takes ~25 s, not ~62 s
# Seconds added to the client's windows (the limiter's default): what a request may
# lose between leaving the limiter and reaching the sandbox.  Stalls of up to ~90 ms
# were seen on a loaded 2-core machine.  The scale leaves room for this margin with
# the minute window still binding: the first 200 calls take 39 * (0.4 + 0.15) = 21.5 s,
# less than the minute's 24 s.
MARGIN = 0.15
SEED = BusinessSeed(locations=3, clients_per_location=480, appointments_per_location=360)
PAGE_SIZE = 12  # far below the 200 Altegio allows, to make enough calls for the limiter
DAYS = 30  # the seeded history of 360 appointments a location lies within this month
CLIENT_FIELDS = ["id", "name", "phone", "email", "visit_count", "last_visit_date"]
NEEDED_RATIO = 0.95

Kind = Literal["clients", "appointments"]
KINDS: tuple[Kind, ...] = ("clients", "appointments")


@dataclasses.dataclass(frozen=True)
class Job:
    location_id: int
    kind: Kind


@dataclasses.dataclass(frozen=True)
class Plan:
    """A job after its first page: what that page held and how many pages there are."""

    job: Job
    first: int
    pages: int | None  # None when the reply did not say how many records there are


class PageProgress:
    """Calls a progress display after every page, whichever job it came from."""

    def __init__(
        self, display: Callable[[Progress], object], done: int, total: int | None, started: float
    ) -> None:
        self.display = display
        self.done = done
        self.total = total
        self.started = started

    def tick(self) -> None:
        self.done += 1
        self.display(Progress(self.done, 0, self.total, time.monotonic() - self.started))


class Export:
    """The clients and a month of appointments of each location, a page at a time."""

    def __init__(self, staff: LoggedInBusinessSession, month: tuple[str, str]) -> None:
        self.staff = staff
        self.start, self.end = month
        self.progress: PageProgress | None = None

    async def first_page(self, job: Job) -> Plan:
        raw = self.staff.with_raw_response
        if job.kind == "clients":
            query = ClientQuery(fields=CLIENT_FIELDS, page=1, page_size=PAGE_SIZE)
            reply = await raw.clients.get_client_list(location_id=job.location_id, body=query)
            first, meta = len(reply.data), reply.meta
        else:
            booked = await raw.appointments.get_appointment_list(
                location_id=job.location_id,
                start_date=self.start,
                end_date=self.end,
                page=1,
                count=PAGE_SIZE,
            )
            first, meta = len(booked.data), booked.meta
        total = meta.get("total_count")
        pages = math.ceil(total / PAGE_SIZE) if isinstance(total, int) else None
        return Plan(job, first, pages)

    def after_first(self, job: Job) -> AsyncPaginator[ClientListing] | AsyncPaginator[Appointment]:
        if job.kind == "clients":
            return self.staff.clients.iter_get_client_list(
                location_id=job.location_id,
                body=ClientQuery(fields=CLIENT_FIELDS),
                first_page=2,
                page_size=PAGE_SIZE,
            )
        return self.staff.appointments.iter_get_appointment_list(
            location_id=job.location_id,
            start_date=self.start,
            end_date=self.end,
            first_page=2,
            page_size=PAGE_SIZE,
        )

    async def rest(self, plan: Plan) -> int:
        """All the job's records: the first page's and those of every page after it."""
        records = plan.first
        if plan.first == PAGE_SIZE and plan.pages != 1:
            async for page in self.after_first(plan.job).pages():
                records += len(page)
                if self.progress is not None:
                    self.progress.tick()
        return records


def optimum_span(calls: int, windows: list[tuple[int, float]]) -> float:
    """The least time from the first to the last of ``calls`` requests under sliding
    windows of (limit, seconds): the k-th may go once, for every window, the
    (k - limit)-th is a window old; sending each as early as that allows is optimal."""
    sent: list[float] = []
    for k in range(calls):
        sent.append(max([0.0] + [sent[k - n] + w for n, w in windows if k >= n]))
    return sent[-1] if sent else 0.0


def row(title: str, detail: object) -> None:
    print(f"  {title:<17} {detail}", flush=True)


async def export_jobs(
    client: AltegioClient,
    locations: list[int],
    month: tuple[str, str],
    display: Callable[[Progress], object],
) -> tuple[dict[Job, int], int]:
    """Log in and export every (location, kind); (records per job, failed jobs)."""
    started = time.monotonic()
    staff = await client.login_business(
        login=DEFAULT_BUSINESS_LOGIN, password=DEFAULT_BUSINESS_PASSWORD
    )
    export = Export(staff, month)
    jobs = [Job(location, kind) for location in locations for kind in KINDS]
    planned = await run_batch(export.first_page, jobs, concurrency=len(jobs))
    plans = [p for p in planned.values if p is not None]
    pages = [p.pages for p in plans]
    total = sum(n for n in pages if n is not None) if None not in pages else None
    # The login and the first pages are calls too: the bar counts what the sandbox will see.
    export.progress = PageProgress(display, 1 + len(plans), total and 1 + total, started)
    result = await run_batch(export.rest, plans, concurrency=len(plans))
    records = {p.job: n for p, n in zip(plans, result.values, strict=True) if n is not None}
    return records, len(planned.failures) + len(result.failures)


@dataclasses.dataclass(frozen=True)
class Exported:
    records: dict[Job, int]
    failed: int
    wall: float


def settle_heap() -> None:
    """Keep the collector's pauses out of a timed batch: collect, then exempt what is
    left (modules, models, the sandbox's data) from future collections.

    Compressed windows do not compress the collector: a full collection of this
    process's heap took up to 0.4 s on a loaded machine, and between an admission
    and its request that is a 429 at any margin the windows leave room for.
    """
    gc.collect()
    gc.freeze()


async def export_all(
    sandbox: Sandbox,
    month: tuple[str, str],
    retries: list[RetryEvent],
    display: Callable[[Progress], object],
) -> Exported:
    """The export through a client whose limiter has the sandbox's windows, timed."""
    limits = sandbox.config.limits
    limiter = AltegioRateLimiter(
        per_second=limits.per_second,
        per_minute=limits.per_minute,
        second=limits.second,
        minute=limits.minute,
        margin=MARGIN,
    )
    settle_heap()
    started = time.monotonic()
    async with AltegioClient(
        **sandbox.client_kwargs(), limiter=limiter, retry=RetryPolicy(on_retry=retries.append)
    ) as client:
        locations = sorted(sandbox.world.locations)
        records, failed = await export_jobs(client, locations, month, display)
    wall = time.monotonic() - started
    return Exported(records, failed, wall)


def last_days(today: dt.date) -> tuple[str, str]:
    """The ``DAYS`` days before ``today``, first and last (the seeded history's month)."""
    return str(today - dt.timedelta(days=DAYS)), str(today - dt.timedelta(days=1))


def report_records(records: dict[Job, int]) -> None:
    for location in sorted({job.location_id for job in records}):
        counts = ", ".join(f"{records.get(Job(location, kind), 0)} {kind}" for kind in KINDS)
        row(f"location {location}", counts)
    per_kind = {kind: sum(n for job, n in records.items() if job.kind == kind) for kind in KINDS}
    kinds = " + ".join(f"{n} {kind}" for kind, n in per_kind.items())
    row("records", f"{kinds} = {sum(per_kind.values())}")


def report_rate(seen: list[Seen], limits: RateLimits, exported: Exported) -> bool:
    """Print the calls against the optimum; True if the export met it, without a 429."""
    rejected = sum(1 for s in seen if s.status == 429)
    admitted = len(seen) - rejected
    windows = [(limits.per_second, limits.second), (limits.per_minute, limits.minute)]
    best = optimum_span(admitted, windows)
    span = seen[-1].at - seen[0].at if len(seen) > 1 else 0.0
    ratio = best / span if span else 0.0
    row("calls", f"{len(seen)}, login and pages, as the sandbox answered them")
    row("failed jobs", exported.failed)
    row("wall time", f"{exported.wall:.1f} s")
    rate = (len(seen) - 1) / span if span else 0.0
    row("achieved rate", f"{rate:.2f} req/s between first and last")
    row(
        "allowed rate",
        f"{limits.per_second} in any {limits.second:g} s, {limits.per_minute} in any "
        f"{limits.minute:g} s (Altegio's 5/s and 200/min, {1 / SCALE:.3g} times faster)",
    )
    row("optimum span", f"{best:.2f} s for {admitted} calls ({best / SCALE:.1f} s unscaled)")
    row("achieved span", f"{span:.2f} s: {ratio:.3f} of the optimum (needs >= {NEEDED_RATIO})")
    row("429s seen", rejected)
    return rejected == 0 and ratio >= NEEDED_RATIO


async def business_export(retries: list[RetryEvent], display: Callable[[Progress], object]) -> int:
    """Run part 3 on a sandbox of its own; the number of problems (0: all good)."""
    limits = RateLimits(time_scale=SCALE)
    print(
        f"\n3. Business Management export: every client and {DAYS} days of appointments "
        f"of {SEED.locations} locations"
    )
    with Sandbox(SandboxConfig(limits=limits, business=SEED)) as sandbox:
        month = last_days(sandbox.world.today)
        row("windows", f"1 s -> {limits.second:g} s, 60 s -> {limits.minute:g} s on the sandbox")
        row("client limiter", f"the same windows, each widened by {MARGIN * 1000:g} ms")
        jobs = SEED.locations * len(KINDS)
        row("jobs", f"{jobs} at once: each location's clients, its appointments")
        row("page size", f"{PAGE_SIZE} (Altegio allows 200) to exercise the limiter")
        row("appointments of", " .. ".join(month))
        exported = await export_all(sandbox, month, retries, display)
        report_records(exported.records)
        met = report_rate(sandbox.seen, limits, exported)
    return exported.failed + (0 if met else 1)
