"""The sandbox's data and booking rules, free of HTTP: the studio, its team, its diary.

Every rule that Altegio documents for ``book_check`` / ``book_record`` is here, with
its error code: 431 bad phone, 432 wrong SMS code, 433 slot taken, 434 blacklisted,
435 missing name, 436 no team member free, 437 overlap inside one request, 438
unknown service.  Booked slots stop being offered by ``book_times``/``book_dates``
and come back when the booking is cancelled.

One diary serves both APIs: an appointment a business user makes (``_records.py``)
takes the same team member's time as an online booking, and each online booking
lands in the location's client base (``_crm.py``).  The two studio locations share
one team; the locations a ``BusinessSeed`` adds have teams of their own.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ._checks import TZ as TZ
from ._checks import Rejected as Rejected
from ._checks import integer, integers, same_secret, text
from ._crm import Crm
from ._seed import BusinessSeed, seed_business

PHONE = re.compile(r"^\+?[1-9]\d{9,14}$")
SLOT_STEP = dt.timedelta(minutes=30)
OPENS, CLOSES = dt.time(10, 0), dt.time(19, 0)
BOOKING_DAYS = 30  # how far ahead the diary is open
STUDIO = frozenset({4564, 4565})  # the two locations of the default studio, one team


@attrs.define
class Service:
    id: int
    title: str
    category_id: int
    price_min: float
    price_max: float
    length: int  # seconds


@attrs.define
class TeamMember:
    id: int
    name: str
    specialization: str
    service_ids: frozenset[int]
    days_off: frozenset[int] = frozenset({6})  # weekday numbers; Sunday by default
    location_ids: frozenset[int] = STUDIO

    @property
    def position_id(self) -> int:
        return 2 if self.specialization == "Nail technician" else 1


@attrs.define
class Record:
    id: int
    hash: str
    location_id: int
    team_member_id: int
    service_ids: tuple[int, ...]
    start: dt.datetime
    length: int
    phone: str
    fullname: str
    email: str
    comment: str
    created: dt.datetime
    master_requested: bool
    api_id: str = ""
    notify_by_sms: int = 0
    notify_by_email: int = 0
    deleted: bool = False
    client_id: int = 0  # the location's client (``Crm``) the appointment is for
    attendance: int = 0  # -1 no-show, 0 waiting, 1 came, 2 confirmed
    online: bool = True  # booked by the client online, not by a business user
    created_user_id: int = 0  # the business user who made it
    changed: dt.datetime | None = None

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.length)

    @property
    def last_change(self) -> dt.datetime:
        return self.changed or self.created


@attrs.define
class User:
    id: int
    login: str
    password: str
    name: str
    phone: str
    email: str
    token: str = attrs.field(factory=lambda: secrets.token_hex(16))


@attrs.define
class Location:
    id: int
    title: str
    phone_confirmation: bool = False
    city_id: int = 2  # Syracuse (United States), as the location replies say


@attrs.frozen
class PhoneCall:
    id: int
    location_id: int
    when: dt.datetime
    kind: str  # incoming, outgoing, internal
    status: str
    duration: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": 10 + self.id % 7,
            "caller_phone": f"+1315555{self.id % 10000:04d}",
            "record_link": "",
            "duration": self.duration,
            "status": self.status,
            "type": self.kind,
            "call_date": self.when.strftime("%Y-%m-%d %H:%M:%S"),
        }


def _call_history(location_id: int, today: dt.date, count: int) -> list[PhoneCall]:
    """``count`` calls over the 30 days before ``today``, oldest first (enough for paging)."""
    kinds = ("incoming", "incoming", "outgoing", "internal")
    statuses = ("success", "success", "missed", "busy", "cancel")
    start = dt.datetime.combine(today - dt.timedelta(days=30), dt.time(9), TZ)
    return [
        PhoneCall(
            id=location_id * 1000 + n,
            location_id=location_id,
            when=start + dt.timedelta(minutes=n * 30 * 24 * 60 // count),
            kind=kinds[n % len(kinds)],
            status=statuses[n % len(statuses)],
            duration=0 if n % 5 in (2, 3) else 30 + n % 300,
        )
        for n in range(count)
    ]


def _default_services() -> list[Service]:
    return [
        Service(331, "Haircut", 1, 40, 60, 3600),
        Service(332, "Beard trim", 1, 20, 25, 1800),
        Service(333, "Colouring", 2, 90, 140, 5400),
        Service(334, "Manicure", 3, 30, 35, 1800),
        Service(335, "Pedicure", 3, 45, 50, 3600),
        Service(99055, "Hair wash", 1, 10, 10, 1800),
    ]


def team_of(
    size: int, first_id: int = 6544, location_ids: frozenset[int] = STUDIO, names_from: int = 0
) -> list[TeamMember]:
    """``size`` team members (stylists, every third a nail technician) for these locations."""
    hair = frozenset({331, 332, 333, 99055})
    nails = frozenset({334, 335})
    names = ["James", "Olivia", "Noah", "Emma", "Liam", "Ava", "Mason", "Mia", "Lucas", "Zoe"]
    team = []
    for i in range(size):
        n = names_from + i
        team.append(
            TeamMember(
                id=first_id + i,
                name=f"{names[n % len(names)]} {chr(65 + n // len(names) % 26)}.",
                specialization="Stylist" if i % 3 != 2 else "Nail technician",
                service_ids=hair if i % 3 != 2 else nails,
                # One more day off per member, so availability really differs.
                days_off=frozenset({6, i % 6}) if i else frozenset({6}),
                location_ids=location_ids,
            )
        )
    return team


class World:
    """All sandbox state.  Methods are called under ``lock`` by the HTTP layer."""

    def __init__(
        self,
        *,
        team_size: int = 6,
        today: dt.date | None = None,
        business: BusinessSeed | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.today = today or dt.datetime.now(TZ).date()
        self.locations = {
            4564: Location(4564, "Sandbox Studio"),
            4565: Location(4565, "Sandbox Studio (SMS-confirmed)", phone_confirmation=True),
        }
        self.services = {s.id: s for s in _default_services()}
        self.categories = {1: "Hair", 2: "Colour", 3: "Nails"}
        self.team = {m.id: m for m in team_of(team_size)}
        self.records: dict[int, Record] = {}
        # the diary: live and cancelled records by (team member, day they start)
        self._diary: dict[tuple[int, dt.date], list[Record]] = {}
        self.users = {
            "+13155550175": User(
                123456,
                "+13155550175",
                "sandbox-password",
                "James Smith",
                "+13155550175",
                "j.smith@example.com",
            )
        }
        self.blacklist = {"+13155550000"}
        self.sms_codes: dict[str, str] = {}  # phone -> last code "sent" by /book_code
        self.hook_settings: dict[int, dict[str, Any]] = {}
        self.short_names: list[str] = []
        self.calls = _call_history(4564, self.today, 57)
        self._next_record = 2820023
        self.crm = Crm()
        seed_business(self, business or BusinessSeed(), team_size)

    # --- lookups -------------------------------------------------------------

    def location(self, location_id: int) -> Location:
        if location_id not in self.locations:
            raise Rejected(404, f"Location {location_id} not found")
        return self.locations[location_id]

    def member(self, member_id: int, location_id: int | None = None) -> TeamMember:
        member = self.team.get(member_id)
        if member is None or (location_id is not None and location_id not in member.location_ids):
            raise Rejected(404, f"Team member {member_id} not found")
        return member

    def team_at(self, location_id: int | None) -> list[TeamMember]:
        """The location's team (every team member when no location is named)."""
        return [
            m for m in self.team.values() if location_id is None or location_id in m.location_ids
        ]

    def user_by_token(self, token: str | None) -> User | None:
        if not token:
            return None
        return next((u for u in self.users.values() if same_secret(token, u.token)), None)

    def record(self, record_id: int, record_hash: str | None, user: User | None) -> Record:
        rec = self.records.get(record_id)
        if rec is None or rec.deleted:
            raise Rejected(404, f"Appointment {record_id} not found")
        owns = user is not None and user.phone == rec.phone
        if not owns and not same_secret(record_hash, rec.hash):
            raise Rejected(403, "Access denied.")
        return rec

    # --- the diary -----------------------------------------------------------

    def working_dates(
        self, member: TeamMember | None = None, location_id: int | None = None
    ) -> list[dt.date]:
        days = [self.today + dt.timedelta(days=n) for n in range(1, BOOKING_DAYS + 1)]
        members = [member] if member else self.team_at(location_id)
        return [d for d in days if any(d.weekday() not in m.days_off for m in members)]

    def working_day(self, member: TeamMember, ahead: int = 1) -> dt.date:
        """The first day, ``ahead`` days or more from today, that ``member`` works."""
        day = self.today + dt.timedelta(days=ahead)
        while day.weekday() in member.days_off:
            day += dt.timedelta(days=1)
        return day

    def length(self, service_ids: Sequence[int]) -> int:
        """Seconds an appointment for these services takes (one slot with none; unknown ids
        count nothing: booking refuses them with 438 before this matters)."""
        known = (self.services[s].length for s in service_ids if s in self.services)
        return sum(known) or int(SLOT_STEP.total_seconds())

    def place(self, rec: Record) -> None:
        """Store a record and enter it in its team member's diary."""
        self.records[rec.id] = rec
        self._diary.setdefault((rec.team_member_id, rec.start.date()), []).append(rec)

    def move(self, rec: Record, member_id: int, start: dt.datetime) -> None:
        """Give a stored record another team member or start, keeping the diary in step."""
        self._diary[(rec.team_member_id, rec.start.date())].remove(rec)
        rec.team_member_id, rec.start = member_id, start.astimezone(TZ)
        self._diary.setdefault((member_id, rec.start.date()), []).append(rec)

    def appointments_of(self, member_id: int, day: dt.date) -> list[Record]:
        """The team member's live records that start on ``day``."""
        return [r for r in self._diary.get((member_id, day), ()) if not r.deleted]

    def _busy(self, member_id: int, start: dt.datetime, end: dt.datetime, skip: int = 0) -> bool:
        first, last = (start - dt.timedelta(days=1)).date(), end.date()
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        return any(
            r.id != skip and r.start < end and start < r.end
            for d in days
            for r in self.appointments_of(member_id, d)
        )

    def works(self, member: TeamMember, start: dt.datetime, length: int) -> bool:
        """Whether ``start`` .. ``start + length`` lies in ``member``'s working hours."""
        local = start.astimezone(TZ)
        day = local.date()
        return (
            day.weekday() not in member.days_off
            and dt.datetime.combine(day, OPENS, TZ) <= local
            and local + dt.timedelta(seconds=length) <= dt.datetime.combine(day, CLOSES, TZ)
        )

    def free(self, member: TeamMember, start: dt.datetime, length: int, skip: int = 0) -> bool:
        """Whether ``member`` works then and has no other appointment (``skip``: one
        record that does not count, the one being moved)."""
        end = start + dt.timedelta(seconds=length)
        return self.works(member, start, length) and not self._busy(member.id, start, end, skip)

    def fits(self, member: TeamMember, start: dt.datetime, length: int, skip: int = 0) -> bool:
        """Whether a client can book ``member`` online for ``length`` seconds at
        ``start``: free, on the slot grid and within the days the diary is open."""
        local = start.astimezone(TZ)
        day = local.date()
        opens = dt.datetime.combine(day, OPENS, TZ)
        return (
            self.today < day <= self.today + dt.timedelta(days=BOOKING_DAYS)
            and (local - opens) % SLOT_STEP == dt.timedelta(0)
            and self.free(member, local, length, skip)
        )

    def free_slots(
        self, member: TeamMember, day: dt.date, service_ids: Sequence[int] = ()
    ) -> list[dt.datetime]:
        if not set(service_ids) <= member.service_ids:
            return []
        length = self.length(service_ids)
        start = dt.datetime.combine(day, OPENS, TZ)
        close = dt.datetime.combine(day, CLOSES, TZ)
        slots = []
        while start < close:
            if self.fits(member, start, length):
                slots.append(start)
            start += SLOT_STEP
        return slots

    def available(
        self, member: TeamMember, on: dt.date, at: dt.time | None, service_ids: Sequence[int]
    ) -> bool:
        """Whether ``member`` can take these services on ``on`` (at ``at``, when given)."""
        if at is None:
            return bool(self.free_slots(member, on, service_ids))
        return set(service_ids) <= member.service_ids and self.fits(
            member, dt.datetime.combine(on, at, TZ), self.length(service_ids)
        )

    def members_for(
        self, member_id: int, service_ids: Sequence[int], location_id: int | None = None
    ) -> list[TeamMember]:
        if member_id:
            return [self.member(member_id, location_id)]
        return [m for m in self.team_at(location_id) if set(service_ids) <= m.service_ids]

    def booking_dates(
        self, member_id: int, service_ids: Sequence[int], location_id: int | None = None
    ) -> list[dt.date]:
        members = self.members_for(member_id, service_ids, location_id)
        return [
            d
            for d in self.working_dates(members[0] if member_id else None, location_id)
            if any(self.free_slots(m, d, service_ids) for m in members)
        ]

    # --- booking -------------------------------------------------------------

    def check(self, location_id: int, body: dict[str, Any], *, full: bool) -> list[Record]:
        """Validate a booking request; the records it would create (not yet stored)."""
        location = self.location(location_id)
        phone = text(body.get("phone"), "phone")
        fullname = text(body.get("fullname"), "fullname").strip()
        if full:
            if not PHONE.match(phone):
                raise Rejected(
                    422, "Invalid phone number", (431, f"Invalid phone number: {phone!r}")
                )
            if phone in self.blacklist:
                raise Rejected(
                    403, "Client is blacklisted", (434, "This client cannot book online")
                )
            if not fullname:
                raise Rejected(422, "Client name is required", (435, "Client name is required"))
            if location.phone_confirmation:
                code = body.get("code")  # a string; older clients send 38829 or 38829.0
                if isinstance(code, float) and code.is_integer():
                    code = int(code)
                if not same_secret(text(code, "code"), self.sms_codes.get(phone)):
                    raise Rejected(422, "Wrong confirmation code", (432, "Wrong confirmation code"))
        appointments = body.get("appointments")
        if not isinstance(appointments, list) or not appointments:
            raise Rejected(
                422, "No services or promotions set", (422, "No services or promotions set")
            )
        planned: list[Record] = []
        for item in appointments:
            planned.append(self._plan(location_id, item, planned, body, phone, fullname))
        return planned

    def _plan(
        self,
        location_id: int,
        item: Any,
        planned: Iterable[Record],
        body: dict[str, Any],
        phone: str,
        fullname: str,
    ) -> Record:
        if not isinstance(item, dict):
            raise Rejected(422, "Each appointment must be an object")
        ref = item.get("id", 0)
        where = f"appointments[{ref}]" if isinstance(ref, int) else "appointments[]"
        service_ids = integers(item.get("services"), f"{where}.services")
        for sid in service_ids:
            if sid not in self.services:
                raise Rejected(
                    422,
                    "Service not available",
                    (438, f"There is no appointment for service {sid}"),
                )
        try:
            start = dt.datetime.fromisoformat(str(item.get("datetime")))
        except ValueError:
            raise Rejected(422, f"Appointment {ref}: datetime is not ISO 8601") from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=TZ)
        length = self.length(service_ids)
        end = start + dt.timedelta(seconds=length)
        member_id = integer(item.get("staff_id"), f"{where}.staff_id", default=0)
        for other in planned:  # one client cannot be in two chairs at once
            if other.start < end and start < other.end:
                raise Rejected(
                    422,
                    "Appointments overlap",
                    (437, f"Appointment {ref} overlaps appointment {other.id} of this request"),
                )
        candidates = self.members_for(member_id, service_ids, location_id)
        for member in candidates:
            if set(service_ids) <= member.service_ids and self.fits(member, start, length):
                break
        else:
            if member_id:
                raise Rejected(
                    422,
                    "The selected time is unavailable",
                    (
                        433,
                        f"Team member ({member_id}) cannot be booked at {start.isoformat()}. "
                        "The selected time is already taken or is not working.",
                    ),
                )
            raise Rejected(422, "No team members available", (436, "No team members available"))
        return Record(
            id=int(ref) if isinstance(ref, int) else 0,
            hash=secrets.token_hex(16),
            location_id=location_id,
            team_member_id=member.id,
            service_ids=service_ids,
            start=start.astimezone(TZ),
            length=length,
            phone=phone,
            fullname=fullname,
            email=text(body.get("email"), "email"),
            comment=text(body.get("comment"), "comment"),
            created=dt.datetime.now(TZ),
            master_requested=bool(member_id),
            api_id=text(body.get("api_id"), "api_id"),
            notify_by_sms=integer(body.get("notify_by_sms"), "notify_by_sms", default=0),
            notify_by_email=integer(body.get("notify_by_email"), "notify_by_email", default=0),
        )

    def book(self, location_id: int, body: dict[str, Any]) -> list[tuple[int, Record]]:
        """Store the bookings; (the caller's appointment id, record) for each."""
        planned = self.check(location_id, body, full=True)
        booked = []
        for rec in planned:
            ref = rec.id
            rec.id = self.next_record_id()
            # the booking's client joins (or is found in) the location's client base
            rec.client_id = self.crm.client_for(location_id, rec.phone, rec.fullname, rec.email).id
            self.place(rec)
            booked.append((ref, rec))
        return booked

    def next_record_id(self) -> int:
        self._next_record += 1
        return self._next_record - 1

    def reschedule(self, rec: Record, when: dt.datetime) -> None:
        if when.tzinfo is None:
            when = when.replace(tzinfo=TZ)
        member = self.team[rec.team_member_id]
        if not self.fits(member, when, rec.length, skip=rec.id):
            raise Rejected(
                422,
                "The selected time is unavailable",
                (433, f"Team member ({member.id}) cannot be booked at {when.isoformat()}"),
            )
        self.move(rec, member.id, when)
        rec.changed = dt.datetime.now(TZ)

    def live_records(self) -> list[Record]:
        return [r for r in self.records.values() if not r.deleted]
