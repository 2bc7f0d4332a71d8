"""Booking helpers for tests that run against the sandbox."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from altegio_async import AltegioClient
from altegio_async.models import BookingAppointment, BookingRequest, CheckAppointment
from altegio_async.types import Unset

T = TypeVar("T")

LOCATION = 4564
# Monday to Sunday: team members have days off, so date-bound flows run on each.
WEEK = [dt.date(2026, 12, 7) + dt.timedelta(days=n) for n in range(7)]


def got(value: T | Unset) -> T:
    """The value of a field the spec marks optional but the sandbox always sends."""
    assert not isinstance(value, Unset), "field missing from the reply"
    return value


HAIRCUT = 331


async def free_slot(
    client: AltegioClient, service_id: int = HAIRCUT, nth: int = 0
) -> tuple[int, dt.datetime]:
    """(team member id, slot datetime) of the ``nth`` free slot, found through the API."""
    staff = await client.online_booking.get_team_members_available_for_booking(
        location_id=LOCATION, service_ids=[service_id]
    )
    member = next(m for m in staff if m.bookable)
    dates = await client.online_booking.get_dates_available_for_booking(
        location_id=LOCATION, team_member_id=got(member.id), service_ids=[service_id]
    )
    times = await client.online_booking.get_time_slots_for_booking(
        location_id=LOCATION,
        team_member_id=got(member.id),
        date=got(dates.booking_dates)[0],
        service_ids=[service_id],
    )
    return got(member.id), got(times[nth].datetime_)


def appointment(
    member_id: int, when: dt.datetime, ref: int = 1, services: tuple[int, ...] = (HAIRCUT,)
) -> BookingAppointment:
    return BookingAppointment(id=ref, services=list(services), staff_id=member_id, datetime_=when)


def to_check(visit: BookingAppointment) -> CheckAppointment:
    """The same visit, as ``POST /book_check`` takes it (typed fields, as the booking's)."""
    return CheckAppointment(
        id=visit.id, services=visit.services, staff_id=visit.staff_id, datetime_=visit.datetime_
    )


def booking(*appointments: BookingAppointment, **fields: Any) -> BookingRequest:
    values: dict[str, Any] = {"fullname": "James Smith", "phone": "+13155550175", **fields}
    return BookingRequest(appointments=list(appointments), **values)
