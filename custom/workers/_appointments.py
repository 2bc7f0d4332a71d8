"""Creating an appointment exactly once from a job that may be retried.

Altegio keeps the ``api_id`` an appointment was created with (the id of it in the
caller's system) and shows it in the appointment list.  ``create_appointment_once``
sends ``create_appointment`` through the job's journal with an ``api_id`` (the
body's own, or one derived from the job and the step) and, when an earlier
attempt's outcome is unknown, looks for that ``api_id`` among the team member's
appointments around that day before sending again.
"""

from __future__ import annotations

import copy
import datetime as dt

from ...models import CreateOrUpdateAppointment
from ...types import Unset
from .._errors import UsageError
from ._context import JobContext


async def create_appointment_once(
    ctx: JobContext, step: str, body: CreateOrUpdateAppointment, *, location_id: int | None = None
) -> int:
    """Create the appointment ``body`` describes once for this job; its id.

    ``body`` needs ``staff_id`` and ``datetime_`` (Altegio requires them anyway);
    ``api_id`` defaults to ``ctx.api_id(step)``.  The location is the job's unless
    ``location_id`` says otherwise.
    """
    where = ctx.location_id if location_id is None else location_id
    member, when = body.staff_id, body.datetime_
    if isinstance(member, Unset) or not isinstance(when, dt.datetime):
        raise UsageError("create_appointment_once needs the body's staff_id and datetime_")
    api_id = body.api_id if isinstance(body.api_id, str) and body.api_id else ctx.api_id(step)
    body = copy.copy(body)  # the caller's stays as it was
    body.api_id = api_id
    staff = ctx.staff
    day = when.date()

    async def send() -> int:
        created = await staff.appointments.create_appointment(location_id=where, body=body)
        return created[0].id

    async def find() -> int | None:
        # A day either side: the diary's day is the location's, the body's may be UTC's.
        appointments = staff.appointments.iter_get_appointment_list(
            location_id=where,
            team_member_id=member,
            start_date=str(day - dt.timedelta(days=1)),
            end_date=str(day + dt.timedelta(days=1)),
        )
        async for appointment in appointments:
            if appointment.api_id == api_id:
                return appointment.id
        return None

    return await ctx.once(step, send, find)


__all__ = ["create_appointment_once"]
