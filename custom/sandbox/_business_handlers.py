"""Business Management (v1): a business user's login, locations, catalogue, team, schedules.

Every location serves the same catalogue of services; each has its own team (the
studio's two locations share one).  A team member works ``OPENS``-``CLOSES`` on
every day but their days off, and the schedule operations say so, with the
appointments that fill it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ._checks import MAX_PAGE_SIZE, day, page_of, text
from ._replies import BadRequest, Call, Result, Shapes, ok
from ._world import CLOSES, OPENS, TZ, Location, Rejected, Service, TeamMember

MAX_SCHEDULE_DAYS = 366
AVATAR = "https://assets.example/no-master.png"


def paged(call: Call, items: list[Any], size: str = "count", default: int = 0) -> list[Any]:
    """One page (``page`` and ``size`` from the query); everything when neither is sent
    and there is no default size."""
    if "page" not in call.query and size not in call.query and not default:
        return items
    return page_of(
        items, call.query.get("page", 1), call.query.get(size, default or MAX_PAGE_SIZE),
        names=("page", size),
    )  # fmt: skip


def compact_date(value: str, field: str) -> dt.date:
    """A date as the schedule paths take it: ``20251201`` (or ``2025-12-01``)."""
    raw = value.removesuffix(".0")
    if re.fullmatch(r"\d{8}", raw):
        raw = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    return day(raw, field)


class BusinessHandlers(Shapes):
    # --- authentication -----------------------------------------------------------

    def authorize_user(self, call: Call) -> Result:
        login = text(call.body.get("login"), "login")
        user = self.w.crm.login(login, call.body.get("password"))
        if user is None:
            raise Rejected(401, "Incorrect login or password")
        return ok(
            {
                "id": user.id,
                "user_token": user.token,
                "name": user.name,
                "phone": user.phone,
                "login": user.email,
                "email": user.email,
                "avatar": "https://assets.example/no-avatar.png",
                "is_approved": True,
                "is_email_confirmed": True,
            },
            status=201,
        )

    # --- locations -------------------------------------------------------------------

    def _listed_location(self, loc: Location) -> dict[str, Any]:
        company = self._company(loc.id)
        return {
            **{k: company[k] for k in ("id", "title", "country_id", "country", "city_id")},
            **{k: company[k] for k in ("city", "address", "coordinate_lat", "coordinate_lon")},
            "public_title": loc.title,
            "short_descr": "Hair and nails",
            "logo": "",
            "active": 1,
            "phone": company["phone"],
            "phones": [company["phone"]],
            "email": "studio@sandbox.example",
            "schedule": f"{OPENS:%H:%M}-{CLOSES:%H:%M}",
            "timezone": -5,
            "timezone_name": "America/New_York",
            "phone_confirmation": loc.phone_confirmation,
            "active_staff_count": len(self.w.team_at(loc.id)),
            "app_ios": "",
            "app_android": "",
            "currency_short_title": "USD",
            "reminds_sms_disabled": False,
            "reminds_sms_default": 24,
            "group_priority": 0,
            "bookform_group_priority": 0,
            "description": "",
            "photos": [],
            "company_photos": [],
            "booking_widget_promo": None,
        }

    def get_location_list(self, call: Call) -> Result:
        """Locations by id; ``my=1``: the ones the business user may manage."""
        locations = sorted(self.w.locations.values(), key=lambda loc: loc.id)
        if call.query_int("my") and call.business is not None:
            # a partner-only call: ``my`` counts when a business user's token comes too
            user = call.business
            locations = [loc for loc in locations if loc.id in user.location_ids]
        wanted, city, since = (
            call.query_int("id"),
            call.query_int("city_id"),
            call.query_int("min_id"),
        )
        locations = [
            loc
            for loc in locations
            if (not wanted or loc.id == wanted)
            and (not city or loc.city_id == city)
            and loc.id >= since
        ]
        return ok([self._listed_location(loc) for loc in paged(call, locations)])

    def get_location(self, call: Call) -> Result:
        loc = self.w.location(call.path_int("location_id"))
        company = self._company(loc.id)
        data = {
            **{k: company[k] for k in ("id", "title", "country_id", "country", "city_id")},
            **{k: company[k] for k in ("city", "address", "coordinate_lat", "coordinate_lon")},
            "timezone_name": "America/New_York",
            "zip": "13202",
            "social": {k: "" for k in ("facebook", "instagram", "telegram", "whatsapp", "viber")},
            "site": company["site"],
            "short_descr": "Hair and nails",
            "business_type_id": 1,
            "phone_confirmation": loc.phone_confirmation,
            "active_staff_count": len(self.w.team_at(loc.id)),
            "group_priority": 0,
            "push_notification_phone_confirm": 0,
            "main_group_id": 1,
            "main_group": {"id": 1, "title": "Sandbox Studios"},
            "groups": {"1": {"id": 1, "title": "Sandbox Studios"}},
            "bookforms": [
                {
                    "id": loc.id * 10,
                    "title": f"{loc.title} online booking",
                    "is_default": 1,
                    "url": f"https://n{loc.id * 10}.alteg.io/",
                }
            ],
            "online_sales_form_url": "",
            "payment_policy": {"type": "none"},
            "access": {},
        }
        if call.query_int("forBooking"):  # the next free half hour, if there is one
            slots = (
                t
                for d in self.w.working_dates(location_id=loc.id)
                for m in self.w.team_at(loc.id)
                for t in self.w.free_slots(m, d)
            )
            first = min(slots, default=None)
            if first is not None:
                data["next_slot"] = first.isoformat()
        return ok(data)

    # --- services and their categories ------------------------------------------------

    def _provides(self, location_id: int, service_ids: set[int]) -> list[int]:
        """The location's team members who provide any of these services."""
        return [m.id for m in self.w.team_at(location_id) if m.service_ids & service_ids]

    def _listed_service(self, location_id: int, s: Service, weight: int) -> dict[str, Any]:
        return {
            "id": s.id,
            "salon_service_id": location_id * 100_000 + s.id,
            "title": s.title,
            "booking_title": s.title,
            "category_id": s.category_id,
            "price_min": s.price_min,
            "price_max": s.price_max,
            "duration": s.length,
            "technical_break_duration": None,
            "discount": 0,
            "comment": "",
            "weight": weight,
            "active": 1,
            "api_id": "",
        }

    def _category(self, location_id: int, category_id: int) -> dict[str, Any]:
        services = {s.id for s in self.w.services.values() if s.category_id == category_id}
        return {
            "id": category_id,
            "salon_service_id": location_id * 100_000 + category_id,
            "title": self.w.categories[category_id],
            "api_id": "",
            "weight": 10 - category_id,
            "staff": self._provides(location_id, services),
            "is_chain": False,
        }

    def _services_of(self, call: Call, location_id: int) -> list[Service]:
        """The catalogue, by ``staff_id`` (who provides it) and ``category_id``."""
        member_id, category = call.query_int("staff_id"), call.query_int("category_id")
        if category and category not in self.w.categories:
            raise Rejected(404, "Category not found.")
        offered = self.w.member(member_id, location_id).service_ids if member_id else None
        return [
            s
            for s in self.w.services.values()
            if (offered is None or s.id in offered) and (not category or s.category_id == category)
        ]

    def get_service_list(self, call: Call) -> Result:
        loc = self._managed(call)
        services = self._services_of(call, loc.id)
        return ok([self._listed_service(loc.id, s, n) for n, s in enumerate(services, 1)])

    def get_service(self, call: Call) -> Result:
        loc = self._managed(call)
        service = self.w.services.get(call.path_int("service_id"))
        if service is None or service not in self._services_of(call, loc.id):
            raise Rejected(404, "Service not found.")
        listed = self._listed_service(loc.id, service, 1)
        data = {k: v for k, v in listed.items() if k not in ("booking_title", "duration")}
        data.pop("technical_break_duration")
        data["staff"] = [
            {"id": m, "seance_length": service.length} for m in self._provides(loc.id, {service.id})
        ]
        return ok(data)

    def get_service_category(self, call: Call) -> Result:
        loc = self._managed(call)
        category = call.path_int("id")
        if category not in self.w.categories:
            raise Rejected(404, "Service category does not exist.")
        return ok([self._category(loc.id, category)])

    def get_service_category_list(self, call: Call) -> Result:
        """The location's categories (``id`` 0), or the one ``id`` names; with
        ``staff_id``, the ones whose services the team member provides."""
        loc = self._managed(call)
        category = call.path_int("id")
        if category and category not in self.w.categories:
            raise Rejected(404, "Service category does not exist.")
        member_id = call.query_int("staff_id")
        offered = self.w.member(member_id, loc.id).service_ids if member_id else None
        ids = [
            c
            for c in sorted(self.w.categories)
            if (not category or c == category)
            and (
                offered is None
                or any(s.category_id == c and s.id in offered for s in self.w.services.values())
            )
        ]
        return ok([self._category(loc.id, c) for c in ids], meta={"total_count": len(ids)})

    # --- team --------------------------------------------------------------------------

    def _listed_member(self, m: TeamMember) -> dict[str, Any]:
        staff = self._staff(m)
        return {
            **staff,
            "api_id": None,
            "user_id": None,
            "has_access_timetable": True,
            "avatar_big": AVATAR,
            "bookable": True,
            "image_group": [],
            "information": "",
            "position_id": m.position_id,
            "schedule_till": (self.w.today + dt.timedelta(days=30)).isoformat(),
            "weight": 100 - m.id % 100,
            "fired": 0,
            "status": 0,
            "hidden": 0,
            "user": [],
            "prepaid": "forbidden",
        }

    def get_team_member_list(self, call: Call) -> Result:
        loc = self._managed(call)
        return ok([self._listed_member(m) for m in self.w.team_at(loc.id)])

    def get_team_member(self, call: Call) -> Result:
        loc = self._managed(call)
        member_id = call.path_int("team_member_id")
        member = self.w.team.get(member_id)
        if member is None or loc.id not in member.location_ids:
            raise Rejected(
                404, f"Team Member with ID {member_id} was not found in branch {loc.id}."
            )
        return ok(
            {
                "id": member.id,
                "name": member.name,
                "company_id": loc.id,
                "specialization": member.specialization,
                "position": {"id": member.position_id, "title": member.specialization},
                "avatar": AVATAR,
                "avatar_big": AVATAR,
                "fired": 0,
                "status": 0,
                "hidden": 0,
                "user_id": None,
                "is_paid_staff": True,
                "is_included_in_payment_policy": True,
            }
        )

    # --- schedules -------------------------------------------------------------------

    def _period(self, start: dt.date, end: dt.date) -> list[dt.date]:
        if end < start:
            raise BadRequest("end_date must not be before start_date")
        if (end - start).days >= MAX_SCHEDULE_DAYS:
            raise BadRequest(f"a schedule period is at most {MAX_SCHEDULE_DAYS} days")
        return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]

    def get_team_member_schedule(self, call: Call) -> Result:
        """The bundle describes the reply as one day's bare object: the period's first."""
        loc = self._managed(call)
        member = self.w.member(call.path_int("team_member_id"), loc.id)
        start = compact_date(call.params["start_date"], "start_date")
        self._period(start, compact_date(call.params["end_date"], "end_date"))
        working = start.weekday() not in member.days_off
        slots = [{"from": f"{OPENS:%H:%M}", "to": f"{CLOSES:%H:%M}"}] if working else []
        return 200, {"date": start.isoformat(), "is_working": working, "slots": slots}

    def get_team_member_schedule_list(self, call: Call) -> Result:
        """Working days of the location's team (``staff_ids[]``) over ``start_date`` ..
        ``end_date`` (a week from today by default); ``include[]`` adds the
        appointments that fill them (``busy_intervals``) and ``off_day_type``."""
        loc = self._managed(call)
        start = day(call.query["start_date"], "start_date") if "start_date" in call.query else None
        start = start or self.w.today
        end = day(call.query["end_date"], "end_date") if "end_date" in call.query else None
        dates = self._period(start, end or start + dt.timedelta(days=6))
        wanted = call.query_ints("staff_ids[]") or call.query_ints("staff_ids")
        team = [self.w.member(m, loc.id) for m in wanted] if wanted else self.w.team_at(loc.id)
        extras = set(call.query_all("include[]") + call.query_all("include"))
        if extras - {"busy_intervals", "off_day_type"}:
            raise BadRequest(f"include[] cannot be {sorted(extras)[0][:40]!r}")
        data = []
        for d in dates:
            for m in team:
                if d.weekday() in m.days_off:
                    continue
                entry: dict[str, Any] = {
                    "staff_id": m.id,
                    "team_member_id": m.id,
                    "date": d.isoformat(),
                    "slots": [{"from": f"{OPENS:%H:%M}", "to": f"{CLOSES:%H:%M}"}],
                }
                if "busy_intervals" in extras:
                    entry["busy_intervals"] = [
                        {
                            "entity_type": "record",
                            "entity_id": r.id,
                            "from": f"{r.start.astimezone(TZ):%H:%M:%S}",
                            "to": f"{r.end.astimezone(TZ):%H:%M:%S}",
                        }
                        for r in sorted(self.w.appointments_of(m.id, d), key=lambda r: r.start)
                    ]
                if "off_day_type" in extras:
                    entry["off_day_type"] = None
                data.append(entry)
        return ok(data, meta={"count": len(data)})
