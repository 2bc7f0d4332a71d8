"""Appointments a business user makes (v1 ``records``), in the diary online bookings use.

A standard appointment names its team member (``staff_id``), ``services``, its
``client`` (found in the location's client base by phone, or added) and its
``datetime`` and ``seance_length``; all five are required, on update too (Altegio's
update is a full one).  The team member must work then and be free, or the request
is refused with 422 "The master is busy or not working: <date> <time>" (code 433, as
an online booking of a taken slot), unless ``save_if_busy`` asks to keep it anyway.
Group-event appointments (``activity_id``) are not modelled.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from ._checks import TZ, BadRequest, Rejected, integer, text
from ._crm import BusinessUser
from ._world import Record, World

MAX_LENGTH = 24 * 3600  # seconds an appointment may last


def _required(body: dict[str, Any], *names: str) -> Any:
    """The first of ``names`` (a field and its aliases) that the body has; else 422."""
    for name in names:
        if body.get(name) is not None:
            return body[name]
    raise BadRequest(f"{names[0]} is required")


def _when(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise BadRequest("datetime must be an ISO 8601 date-time")
    try:
        when = dt.datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        raise BadRequest(f"datetime must be an ISO 8601 date-time, got {value[:40]!r}") from None
    return (when if when.tzinfo else when.replace(tzinfo=TZ)).astimezone(TZ)


def _services(world: World, value: Any, offered: frozenset[int]) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise BadRequest(f"services must be a list, got {type(value).__name__}")
    ids = []
    for n, item in enumerate(value):
        raw = item.get("id") if isinstance(item, dict) else item
        sid = integer(raw, f"services[{n}].id")
        if sid not in world.services:
            raise Rejected(422, "Service not available", (438, f"There is no service {sid}"))
        if sid not in offered:
            raise Rejected(
                422, "Service not available", (438, f"The team member does not provide {sid}")
            )
        ids.append(sid)
    return tuple(ids)


def write(
    world: World,
    location_id: int,
    body: dict[str, Any],
    user: BusinessUser,
    rec: Record | None = None,
) -> Record:
    """Create an appointment from ``body``, or fully update ``rec`` from it."""
    if integer(body.get("activity_id"), "activity_id", default=0):
        raise Rejected(404, f"Event {body['activity_id']} not found")
    member = world.member(
        integer(_required(body, "staff_id", "team_member_id", "master_id"), "staff_id"),
        location_id,
    )
    service_ids = _services(world, _required(body, "services"), member.service_ids)
    person = _required(body, "client")
    if not isinstance(person, dict):
        raise BadRequest(f"client must be an object, got {type(person).__name__}")
    start = _when(_required(body, "datetime"))
    length = integer(_required(body, "seance_length"), "seance_length")
    if not 0 < length <= MAX_LENGTH:
        raise BadRequest(f"seance_length must be between 1 and {MAX_LENGTH} seconds")
    attendance = integer(body.get("attendance"), "attendance", default=rec.attendance if rec else 0)
    if attendance not in (-1, 0, 1, 2):
        raise BadRequest(f"attendance must be -1, 0, 1 or 2, got {attendance}")
    keep_anyway = body.get("save_if_busy") in (True, 1, "1", "true")
    if not keep_anyway and not world.free(member, start, length, skip=rec.id if rec else 0):
        busy = f"The master is busy or not working: {start:%Y-%m-%d %H:%M}"
        raise Rejected(422, busy, (433, busy))
    client = world.crm.client_for(
        location_id,
        text(person.get("phone"), "client.phone"),
        text(person.get("name"), "client.name").strip(),
        text(person.get("email"), "client.email"),
    )
    comment = text(body.get("comment"), "comment", default=rec.comment if rec else "")
    api_id = text(body.get("api_id"), "api_id", default=rec.api_id if rec else "")
    now = dt.datetime.now(TZ)
    if rec is None:
        rec = Record(
            id=world.next_record_id(),
            hash=secrets.token_hex(16),
            location_id=location_id,
            team_member_id=member.id,
            service_ids=service_ids,
            start=start,
            length=length,
            phone=client.phone,
            fullname=client.fullname,
            email=client.email,
            comment=comment,
            created=now,
            master_requested=True,
            api_id=api_id,
            client_id=client.id,
            attendance=attendance,
            online=False,
            created_user_id=user.id,
        )
        world.place(rec)
        return rec
    world.move(rec, member.id, start)
    rec.service_ids, rec.length, rec.comment, rec.api_id = service_ids, length, comment, api_id
    rec.client_id, rec.phone, rec.fullname, rec.email = (
        client.id,
        client.phone,
        client.fullname,
        client.email,
    )
    rec.attendance, rec.changed = attendance, now
    return rec


def appointment(world: World, location_id: int, record_id: int) -> Record:
    """A live appointment of the location, by id (404 otherwise)."""
    rec = world.records.get(record_id)
    if rec is None or rec.deleted or rec.location_id != location_id:
        raise Rejected(404, f"Appointment {record_id} not found")
    return rec
