"""Business Management v2: JSON:API documents from the same diary, team and catalogue.

A resource is ``{type, id, attributes}``; ``include=`` (repeated, or comma-separated)
adds ``relationships`` to each resource and the related resources, once each, to
``included``.  Relations the sandbox keeps no data for are linked as empty (``null``
or ``[]``).  Bad input is answered as the bundle documents it: Altegio's envelope
with the messages by parameter in ``meta.errors``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

from ._checks import integer
from ._crm import Client
from ._replies import NO_BODY, BadRequest, Call, Result, Shapes
from ._world import TZ, Record, Rejected, Service, TeamMember

MAX_LIMIT = 250
LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
ATTENDANCE = {-1: "absent", 0: "waiting", 1: "attended", 2: "confirmed"}
Resource = dict[str, Any]

# include key -> whether the relation is to-one (else to-many), per resource type
APPOINTMENT_RELATIONS = {
    **dict.fromkeys(("client", "staff", "attendance_document", "fast_payment_settings"), True),
    **dict.fromkeys(("acceptance_free", "comer", "client_notification_settings"), True),
    **dict.fromkeys(("client_schedule", "duration_details"), True),
    **dict.fromkeys(("services", "goods", "resource_instances", "labels"), False),
    **dict.fromkeys(("attendance_service_items", "attendance_good_items"), False),
    **dict.fromkeys(("transactions", "custom_field_values"), False),
}
SERVICE_RELATIONS = {"resources": False, "service_composite": True, "resource_links": False}
SERVICE_RELATIONS |= {"company_links": False, "trial_settings": True}
TEAM_RELATIONS = {"position": True, "employee": True}


def invalid(field: str, message: str) -> Rejected:
    return Rejected(422, message, fields={field: [message]})


def _local(when: dt.datetime) -> str:
    return when.astimezone(TZ).strftime("%Y-%m-%dT%H:%M:%S")


def _ref(kind: str, ident: int) -> dict[str, str]:
    return {"type": kind, "id": str(ident)}


class Document:
    """The ``included`` part of a compound document: each resource once, in order."""

    def __init__(self) -> None:
        self.included: list[Resource] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, resource: Resource) -> dict[str, str]:
        key = (resource["type"], resource["id"])
        if key not in self._seen:
            self._seen.add(key)
            self.included.append(resource)
        return {"type": key[0], "id": key[1]}


class JsonApiHandlers(Shapes):
    # --- query parameters ----------------------------------------------------------

    def _includes(
        self, call: Call, known: dict[str, bool], also: tuple[str, ...] = ()
    ) -> list[str]:
        values = [v for raw in call.query_all("include") for v in raw.split(",") if v]
        for value in values:
            if value not in known and value not in also:
                raise invalid("include", f"include cannot be {value[:40]!r}")
        return list(dict.fromkeys(values))

    def _positive(self, call: Call, name: str, default: int, most: int | None = None) -> int:
        try:
            value = integer(call.query.get(name), name, default=default)
        except BadRequest:
            raise invalid(name, f"{name} must be an integer") from None
        if value < 1 or (most is not None and value > most):
            bound = f"between 1 and {most}" if most else "1 or more"
            raise invalid(name, f"{name} must be {bound}, got {value}")
        return value

    def _paging(self, call: Call) -> tuple[int, int]:
        return self._positive(call, "page", 1), self._positive(call, "limit", MAX_LIMIT, MAX_LIMIT)

    def _choice(self, call: Call, name: str, default: int) -> int:
        """A ``0``/``1``/``2`` status filter (2: either)."""
        try:
            value = integer(call.query.get(name), name, default=default)
        except BadRequest:
            value = -1
        if value not in (0, 1, 2):
            raise invalid(name, f"{name} must be 0, 1 or 2")
        return value

    # --- resources -------------------------------------------------------------------

    def _client_resource(self, client: Client) -> Resource:
        birthday = client.birth_date
        return {
            "type": "client",
            "id": str(client.id),
            "attributes": {
                "name": client.name,
                "surname": client.surname,
                "patronymic": client.middle_name,
                "phone": client.phone,
                "additional_phone": "",
                "email": client.email,
                "comment": client.comment,
                "client_tips": False,
                "birthday": f"{birthday.isoformat()}T00:00:00" if birthday else None,
                "card_number": client.card,
                "gender": client.gender_id,
                "discount": client.discount,
                "discount_percent": client.discount,
            },
        }

    def _staff_resource(self, m: TeamMember) -> Resource:
        return {
            "type": "staff",
            "id": str(m.id),
            "attributes": {
                "name": m.name,
                "tt_markup": 0,
                "specialization": m.specialization,
                "image": "https://assets.example/no-master.png",
                "position_id": m.position_id,
                "is_available_as_assistant": False,
            },
        }

    def _service_resource(self, s: Service) -> Resource:
        return {
            "type": "service",
            "id": str(s.id),
            "attributes": {"title": s.title, "category_id": s.category_id},
        }

    def _appointment_resource(self, rec: Record) -> Resource:
        booking_user = self.w.users.get(rec.phone)
        return {
            "type": "record",
            "id": str(rec.id),
            "attributes": {
                "company_id": rec.location_id,
                "external_id": rec.api_id,
                "visit_id": rec.id,
                "booking_user_id": booking_user.id if booking_user else 0,
                "bookform_id": rec.location_id * 10 if rec.online else 0,
                "master_id": rec.team_member_id,
                "staff_id": rec.team_member_id,
                "client_id": rec.client_id,
                "comer_id": None,
                "source": 1 if rec.online else 0,
                "attendance": rec.attendance,
                "attendance_status": rec.attendance,
                "attendance_status_slug": ATTENDANCE[rec.attendance],
                "client_fictive_name": None,
                "client_fictive_phone": None,
                "client_fictive_email": None,
                "clients_count": 1,
                "activity_id": 0,
                "custom_color": "",
                "custom_font_color": "",
                "length": rec.length,
                "duration": rec.length,
                "paid_full": 0,
                "is_paid": False,
                "is_overpaid": False,
                "timestamp": int(rec.start.timestamp()),
                "date": _local(rec.start),
                "created_datetime": _local(rec.created),
                "from_url": "",
                "is_mobile": 0,
                "comment": rec.comment,
                "prepaid_status": 0,
                "record_from": "Online booking" if rec.online else "API",
                "payment_status": None,
                "is_sale_bill_printed": None,
                "is_client_notification_sent": False,
            },
        }

    def _link(
        self,
        resource: Resource,
        includes: list[str],
        relations: dict[str, bool],
        related: dict[str, Callable[[Document], Any]],
        doc: Document,
    ) -> Resource:
        """``resource`` with a relationship per include key (related resources join
        ``doc``; a relation the sandbox has no data for is empty)."""
        links = {}
        for key in includes:
            if key in related:
                links[key] = {"data": related[key](doc)}
            elif key in relations:
                links[key] = {"data": None if relations[key] else []}
        if links:
            resource["relationships"] = links
        return resource

    # --- appointments ------------------------------------------------------------------

    def _intersecting(self, call: Call) -> tuple[dt.datetime, dt.datetime] | None:
        names = ("filter[date_intersect_from]", "filter[date_intersect_to]")
        given = [call.query.get(n) for n in names]
        if given == [None, None]:
            return None
        for name, value in zip(names, given, strict=True):
            if value is None:
                raise invalid(name, f"{names[0]} and {names[1]} come together")
            if not LOCAL.match(value):
                raise invalid(name, f"{name} must be YYYY-MM-DDTHH:MM:SS")
        try:
            since, until = (dt.datetime.fromisoformat(str(v)).replace(tzinfo=TZ) for v in given)
        except ValueError:
            raise invalid(names[0], "the range is not a real date-time") from None
        if until <= since:
            raise invalid(names[1], f"{names[1]} must be later than {names[0]}")
        return since, until

    def v2_list_appointments(self, call: Call) -> Result:
        loc = self._managed(call)
        includes = self._includes(call, APPOINTMENT_RELATIONS, ("client.custom_field_values",))
        page, limit = self._paging(call)
        client_id = (
            self._positive(call, "filter[client_id]", 1) if "filter[client_id]" in call.query else 0
        )
        event_id = (
            self._positive(call, "filter[activity_id]", 1)
            if "filter[activity_id]" in call.query
            else 0
        )
        window = self._intersecting(call)
        found = sorted(
            (
                r
                for r in self.w.records.values()
                if r.location_id == loc.id
                and not r.deleted
                and (not client_id or r.client_id == client_id)
                and not event_id  # group events are not modelled: no appointment has one
                and (window is None or (r.start < window[1] and window[0] < r.end))
            ),
            key=lambda r: (r.start, r.id),
        )
        doc = Document()
        data = [
            self._appointment_link(rec, includes, doc)
            for rec in found[(page - 1) * limit : page * limit]
        ]
        reply: dict[str, Any] = {"data": data}
        if includes:
            reply["included"] = doc.included
        reply["meta"] = {"pagination": {"page": page, "offset": (page - 1) * limit, "limit": limit}}
        return 200, reply

    def _appointment_link(self, rec: Record, includes: list[str], doc: Document) -> Resource:
        client = self.w.crm.clients.get(rec.client_id)
        member = self.w.team[rec.team_member_id]
        with_fields = "client.custom_field_values" in includes

        def client_ref(doc: Document) -> Any:
            if client is None:
                return None
            resource = self._client_resource(client)
            if with_fields:
                resource["relationships"] = {"custom_field_values": {"data": []}}
            return doc.add(resource)

        related: dict[str, Callable[[Document], Any]] = {
            "client": client_ref,
            "staff": lambda d: d.add(self._staff_resource(member)),
            "services": lambda d: [
                d.add(self._service_resource(self.w.services[s])) for s in rec.service_ids
            ],
        }
        keys = [k for k in includes if k != "client.custom_field_values"]
        if with_fields and "client" not in keys:
            keys.insert(0, "client")  # a nested include brings its parent
        return self._link(
            self._appointment_resource(rec), keys, APPOINTMENT_RELATIONS, related, doc
        )

    def v2_delete_appointment(self, call: Call) -> Result:
        loc = self._managed(call)
        rec = self.w.records.get(call.path_int("appointment_id"))
        if rec is None or rec.deleted or rec.location_id != loc.id:
            raise Rejected(404, "Appointment not found")
        rec.deleted, rec.changed = True, dt.datetime.now(TZ)
        return 204, NO_BODY

    # --- services and team -------------------------------------------------------------

    def v2_list_services(self, call: Call) -> Result:
        """The catalogue (``filter[service_ids][]``), one page; no paging metadata."""
        self._managed(call)
        includes = self._includes(call, SERVICE_RELATIONS)
        page, limit = self._paging(call)
        try:
            wanted = set(call.query_ints("filter[service_ids][]"))
        except BadRequest:
            raise invalid("filter[service_ids][]", "service IDs must be integers") from None
        services = [s for s in self.w.services.values() if not wanted or s.id in wanted]
        doc = Document()
        data = [
            self._link(self._service_resource(s), includes, SERVICE_RELATIONS, {}, doc)
            for s in services[(page - 1) * limit : page * limit]
        ]
        reply: dict[str, Any] = {"data": data}
        if includes:
            reply["included"] = doc.included
        return 200, reply

    def v2_list_team_members(self, call: Call) -> Result:
        """The location's team by ``filter[...]`` (name, position, statuses)."""
        loc = self._managed(call)
        includes = self._includes(call, TEAM_RELATIONS)
        name = str(call.query.get("filter[name]", "")).lower()
        title = str(call.query.get("filter[position_title]", "")).lower()
        position = (
            self._positive(call, "filter[position_id]", 1)
            if "filter[position_id]" in call.query
            else 0
        )
        # statuses the sandbox's team members have: active, paid, scheduled, no user
        # account, not assistants; a filter on the other value keeps nobody
        has = {"fired": 0, "deleted": 0, "user_linked": 0, "is_paid": 1, "has_schedule": 1}
        has["is_assistant"] = 0
        defaults = {"deleted": 0}
        keep = all(
            self._choice(call, f"filter[{key}]", defaults.get(key, 2)) in (2, value)
            for key, value in has.items()
        )
        team = [
            m
            for m in self.w.team_at(loc.id)
            if keep
            and name in m.name.lower()
            and title in m.specialization.lower()
            and (not position or m.position_id == position)
        ]
        doc = Document()
        data = []
        for m in team:
            related: dict[str, Callable[[Document], Any]] = {
                "position": functools.partial(self._position_ref, m),
                "employee": functools.partial(self._employee_ref, m),
            }
            data.append(self._link(self._staff_resource(m), includes, TEAM_RELATIONS, related, doc))
        reply: dict[str, Any] = {"data": data}
        if includes:
            reply["included"] = doc.included
        return 200, reply

    def _position_ref(self, m: TeamMember, doc: Document) -> dict[str, str]:
        title = {"title": m.specialization}
        return doc.add({"type": "staff_position", "id": str(m.position_id), "attributes": title})

    def _employee_ref(self, m: TeamMember, doc: Document) -> dict[str, str]:
        first, _, last = m.name.partition(" ")
        return doc.add(
            {
                "type": "employee",
                "id": str(m.id),
                "attributes": {
                    "phone": "",
                    "name": m.name,
                    "firstname": first,
                    "surname": last.rstrip("."),
                    "patronymic": "",
                    "date_admission": None,
                    "date_registration_end": None,
                    "citizenship": "",
                    "gender": 0,
                    "passport_data": "",
                    "personal_tax_reference_number": "",
                    "number_insurance_certificates": "",
                },
            }
        )
