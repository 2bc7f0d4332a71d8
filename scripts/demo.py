"""The main job: a booking flow and two rate-limited batches through the SDK, on the sandbox.

Starts the sandbox (``altegio_async.sandbox``: a stateful fake Altegio on
127.0.0.1 enforcing Altegio's 5/s and 200/min per-IP limits) and, through
``AltegioClient``:

1. walks an online booking: form, services, team member, date, slot, check,
   book, details, login, the user's records, cancel;
2. reads the free slots of every team member for the coming days concurrently
   with ``run_batch`` under the client's rate limiter, with a progress bar and a
   summary (calls, wall time, achieved rate against the allowed one, 429s);
3. on a second sandbox seeded with three locations' clients and appointment
   history, its windows running 2.5 times faster, logs a business user in and
   exports every client and the last 30 days of appointments of each location
   (2,520 records in 211 calls, more than a minute-window holds) with
   ``run_batch`` and the paging iterators, under a limiter on the same windows;
   the summary compares the span the sandbox saw with the least its windows
   allow for that many calls (``demo_business.py``).

``--days`` and ``--team-size`` size the batch.  Exits non-zero if the flow
breaks, a call fails, the server rejected anything for the rate limit, or the
export reached less than 0.95 of the optimum.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time

from demo_business import business_export, settle_heap

from altegio_async import AltegioClient, Progress, RetryEvent, RetryPolicy, run_batch
from altegio_async.models import (
    BookingAppointment,
    BookingCheck,
    BookingRequest,
    CheckAppointment,
)
from altegio_async.sandbox import DEFAULT_LOGIN, DEFAULT_PASSWORD, Sandbox, SandboxConfig
from altegio_async.types import Unset

LOCATION = 4564


def step(title: str, detail: object) -> None:
    print(f"  {title:<22} {detail}", flush=True)


def given(value: object) -> object:
    return "-" if isinstance(value, Unset) else value


async def booking_flow(client: AltegioClient) -> None:
    print("1. Online booking flow")
    booking = client.online_booking
    form = await booking.get_booking_form_config(booking_form_id=1)
    step("booking form", f"company {given(form.company_id)}, language {given(form.lang)}")
    catalogue = await booking.get_services_available_for_booking(location_id=LOCATION)
    services = [] if isinstance(catalogue.services, Unset) else catalogue.services
    service = services[0]
    step("services", f"{len(services)} bookable; chose {service.title} ({service.id})")
    service_id = int(str(service.id))
    team = await booking.get_team_members_available_for_booking(
        location_id=LOCATION, service_ids=[service_id]
    )
    member = next(m for m in team if m.bookable is True)
    step("team member", f"{member.name} (#{member.id}), {len(team)} on the team")
    member_id = int(str(member.id))
    dates = await booking.get_dates_available_for_booking(
        location_id=LOCATION, team_member_id=member_id, service_ids=[service_id]
    )
    free_dates = [] if isinstance(dates.booking_dates, Unset) else dates.booking_dates
    day = free_dates[0]
    step("date", f"{day} (first of {len(free_dates)} bookable days)")
    slots = await booking.get_time_slots_for_booking(
        location_id=LOCATION, team_member_id=member_id, date=day, service_ids=[service_id]
    )
    slot = slots[0]
    step("time slot", f"{slot.time} ({len(slots)} free that day)")
    appointment = BookingAppointment(
        id=1, services=[service_id], staff_id=member_id, datetime_=slot.datetime_
    )
    await booking.validate_booking_params(
        location_id=LOCATION,
        body=BookingCheck(
            appointments=[
                CheckAppointment(
                    id=appointment.id,
                    services=appointment.services,
                    staff_id=appointment.staff_id,
                    datetime_=appointment.datetime_,
                )
            ]
        ),
    )
    step("book_check", "the slot can be booked")
    [made] = await booking.create_online_booking(
        location_id=LOCATION,
        body=BookingRequest(
            fullname="James Smith", phone=DEFAULT_LOGIN, appointments=[appointment]
        ),
    )
    step("book_record", f"record #{made.record_id}")
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    user = session.user
    step("login", f"{given(user.name if user else None)} (user token kept by the session)")
    record_id, record_hash = int(str(made.record_id)), str(made.record_hash)
    details = await session.online_booking.get_online_booking_details(
        location_id=LOCATION, appointment_id=record_id, record_hash=record_hash
    )
    step("details", f"{given(details.datetime_)}, {given(details.length)} s")
    mine = await session.client_personal_cabinet.get_user_appointment_list(
        appointment_id=record_id, record_hash=record_hash
    )
    step("user records", f"{len(mine)} upcoming")
    await session.client_personal_cabinet.delete_user_appointment(
        appointment_id=record_id, record_hash=record_hash
    )
    left = await session.client_personal_cabinet.get_user_appointment_list(
        appointment_id=record_id, record_hash=record_hash
    )
    step("cancel", f"done; {len(left)} upcoming")


class ProgressBar:
    """A one-line bar on a terminal; a line every 10 % in CI logs."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.tty = sys.stdout.isatty()
        self.last_decile = -1

    def __call__(self, p: Progress) -> None:
        total = p.total or p.done
        share = p.done / total
        bar = "#" * round(share * self.width)
        line = (
            f"  [{bar:<{self.width}}] {p.done}/{total} calls, {p.failed} failed, "
            f"{p.rate:4.2f}/s, {p.elapsed:5.1f} s"
        )
        if self.tty:
            print("\r" + line, end="\n" if p.done == total else "", flush=True)
        elif int(share * 10) > self.last_decile:
            self.last_decile = int(share * 10)
            print(line, flush=True)


async def availability_batch(client: AltegioClient, sandbox: Sandbox, days: int) -> int:
    print(f"\n2. Availability batch: every team member x {days} days, under the rate limiter")
    team = await client.online_booking.get_team_members_available_for_booking(location_id=LOCATION)
    start = sandbox.world.today + dt.timedelta(days=1)
    jobs = [(int(str(m.id)), start + dt.timedelta(days=n)) for m in team for n in range(days)]

    async def slots(job: tuple[int, dt.date]) -> int:
        member_id, day = job
        found = await client.online_booking.get_time_slots_for_booking(
            location_id=LOCATION, team_member_id=member_id, date=day
        )
        return len(found)

    seen_before = len(sandbox.seen)
    result = await run_batch(slots, jobs, concurrency=10, on_progress=ProgressBar())
    served = sandbox.seen[seen_before:]
    rejected = sum(1 for s in served if s.status == 429)
    span = served[-1].at - served[0].at if len(served) > 1 else 0.0
    free = sum(v or 0 for v in result.values)
    print(f"  calls             {len(jobs)} ({len(result.failures)} failed), {free} free slots")
    print(f"  wall time         {result.elapsed:.1f} s")
    print(
        f"  achieved rate     {len(jobs) / result.elapsed:.2f} req/s overall; "
        f"{(len(served) - 1) / span if span else 0:.2f} req/s between first and last"
    )
    print("  allowed rate      5 req/s in any second, 200 req/min (3.33 req/s sustained)")
    print(f"  429s seen         {rejected}")
    return rejected + len(result.failures)


async def main(days: int, team_size: int) -> int:
    retries: list[RetryEvent] = []
    started = time.monotonic()
    with Sandbox(SandboxConfig(team_size=team_size)) as sandbox:
        settle_heap()  # a full collection mid-batch delays requests past the margin
        print(f"Sandbox (fake Altegio, 5/s + 200/min per IP) on {sandbox.root_url}\n")
        async with AltegioClient(
            **sandbox.client_kwargs(), retry=RetryPolicy(on_retry=retries.append)
        ) as client:
            await booking_flow(client)
            problems = await availability_batch(client, sandbox, days)
    problems += await business_export(retries, ProgressBar())
    print(f"\nretries: {len(retries)}; total {time.monotonic() - started:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--team-size", type=int, default=6)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.days, args.team_size)))
