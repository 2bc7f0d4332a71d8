"""The main job: an online booking flow through the SDK against local servers.

Starts Prism on 127.0.0.1 serving the vendored specs and walks the booking flow
with AltegioClient: form, services, team members, dates, slots, check, book,
details, login, the user's appointments, cancel.  Prism answers each call with
the spec's examples (it keeps no state), so this proves that every request is
valid for Altegio's specs and every reply parses into typed models.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from altegio_async import AltegioClient  # noqa: E402
from altegio_async.models import (  # noqa: E402
    CreateOnlineBookingBody,
    CreateOnlineBookingBodyAppointmentsItem,
    ValidateBookingParamsBody,
)
from tests._servers import AcceptJsonToo, prism  # noqa: E402

LOCATION = 4564


def step(title: str, detail: object) -> None:
    print(f"  {title:<34} {detail}")


async def booking_flow(url: str) -> None:
    http = httpx.AsyncClient(transport=AcceptJsonToo())
    async with http, AltegioClient("demo-token", base_url=url, http_client=http) as client:
        booking = client.online_booking
        form = await booking.get_booking_form_config(id=LOCATION)
        step(
            "booking form",
            f"company {form.company_id}, {len(form.steps or [])} steps, lang {form.lang}",
        )
        services = await booking.get_services_available_for_booking(location_id=LOCATION)
        service = services.services[0] if services.services else None
        count = len(services.services or [])
        step("services", f"{count} bookable, first: {getattr(service, 'title', '-')}")
        staff = await booking.get_team_members_available_for_booking(location_id=LOCATION)
        member = staff[0]
        step("team members", f"{len(staff)}, first: {member.name} (id {member.id})")
        dates = await booking.get_dates_available_for_booking(location_id=LOCATION)
        step("bookable dates", dates.booking_dates)
        slots = await booking.get_time_slots_for_booking(
            location_id=LOCATION, team_member_id=int(member.id or 0), date="2026-09-21"
        )
        slot = slots[0]
        step("time slots", f"{len(slots)}, first: {slot.time} ({slot.datetime_})")
        when = "2026-09-21T10:00:00-05:00"
        check = ValidateBookingParamsBody(
            appointments=[{"id": 1, "services": [1], "staff_id": 1, "datetime": when}]
        )
        await booking.validate_booking_params(location_id=LOCATION, body=check)
        step("book_check", "slot is free")
        record = await booking.create_online_booking(
            location_id=LOCATION,
            body=CreateOnlineBookingBody(
                phone="+13155550175",
                fullname="James Smith",
                email="j.smith@example.com",
                appointments=[
                    CreateOnlineBookingBodyAppointmentsItem(
                        id=1, services=[1], staff_id=1, datetime_=when
                    )
                ],
            ),
        )
        booked = record[0]
        step("book_record", f"record {booked.record_id}, hash {booked.record_hash}")
        session = await client.login(login="+13155550175", password="demo-password")
        step("login", f"user {session.user.name if session.user else '?'}")
        details = await session.online_booking.get_online_booking_details(
            location_id=LOCATION,
            record_id=int(booked.record_id or 0),
            record_hash=str(booked.record_hash),
        )
        step("record details", f"{details.datetime_} with {getattr(details.staff, 'name', '?')}")
        records = await session.client_personal_cabinet.get_user_appointment_list(
            record_id=int(booked.record_id or 0), record_hash=str(booked.record_hash)
        )
        step("user appointments", len(records))
        await session.client_personal_cabinet.delete_user_appointment(
            record_id=int(booked.record_id or 0), record_hash=str(booked.record_hash)
        )
        step("cancel", "done")


async def main() -> int:
    started = time.monotonic()
    spec = ROOT / "openapi" / "public.yaml"
    with tempfile.TemporaryDirectory() as logs, prism(spec, Path(logs) / "prism.log") as url:
        print(f"Prism serving openapi/public.yaml at {url}\nOnline booking flow:")
        await booking_flow(url)
    print(f"flow complete in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
