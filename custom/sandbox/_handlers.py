"""One handler per operation: request in, ``(status, payload)`` out, shaped as the specs say.

Statuses follow the specs, odd ones included (``book_record`` answers 201,
``/user/records`` answers 201 to a GET).  Replies are enveloped
``{success, data, meta}`` or bare exactly where the specs say so.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._world import TZ, Record, Rejected, TeamMember, User, World

NO_BODY: Any = object()
Result = tuple[int, Any]

HOOK_EVENTS = (
    "salon",
    "service_category",
    "service",
    "good",
    "master",
    "client",
    "record",
    "goods_operations_sale",
    "goods_operations_receipt",
    "goods_operations_consumable",
    "goods_operations_stolen",
    "goods_operations_move",
    "finances_operation",
)


class BadRequest(Exception):
    """A parameter the handler cannot use (answered 422 with the message)."""


@attrs.frozen
class Call:
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: dict[str, Any]
    raw_body: Any
    user: User | None

    def path_int(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise BadRequest(f"path parameter {name} must be an integer") from None

    def query_ints(self, name: str) -> list[int]:
        getall = getattr(self.query, "getall", None)
        values = list(getall(name, [])) if getall else []
        try:
            return [int(v) for v in values]
        except ValueError:
            raise BadRequest(f"query parameter {name} must hold integers") from None

    def query_int(self, name: str, default: int = 0) -> int:
        try:
            return int(self.query.get(name, default))
        except ValueError:
            raise BadRequest(f"query parameter {name} must be an integer") from None

    def needs_user(self) -> User:
        if self.user is None:
            raise Rejected(401, "Authentication needed.")
        return self.user


def ok(data: Any, meta: Any = None, status: int = 200) -> Result:
    return status, {"success": True, "data": data, "meta": [] if meta is None else meta}


def _iso(when: dt.datetime) -> str:
    return when.astimezone(TZ).isoformat()


def _slot(when: dt.datetime, length: int) -> dict[str, Any]:
    return {
        "time": when.strftime("%H:%M"),
        "seance_length": length,
        "sum_length": length,
        "datetime": _iso(when),
    }


class Handlers:
    def __init__(self, world: World) -> None:
        self.w = world
        self._table: dict[str, Callable[[Call], Result]] = {
            name: getattr(self, name)
            for name in dir(self)
            if not name.startswith("_") and name not in ("dispatch", "w")
        }

    def dispatch(self, operation_id: str, call: Call) -> Result:
        handler = self._table.get(operation_id)
        if handler is None:
            return 501, {"success": False, "data": None, "meta": {"message": "not in sandbox"}}
        return handler(call)

    # --- shapes shared by several replies --------------------------------------

    def _company(self, location_id: int) -> dict[str, Any]:
        loc = self.w.location(location_id)
        return {
            "id": loc.id,
            "title": loc.title,
            "country_id": 1,
            "country": "United States",
            "city_id": 2,
            "city": "Syracuse",
            "phone": "+13155550100",
            "phones": [],
            "timezone": "-5",
            "address": "1 Salina St, Syracuse, NY",
            "coordinate_lat": 43.05,
            "coordinate_lon": -76.15,
            "allow_delete_record": True,
            "allow_change_record": True,
            "site": "https://sandbox.example",
            "currency_short_title": "USD",
            "allow_change_record_delay_step": 3600,
            "allow_delete_record_delay_step": 3600,
        }

    def _staff(self, m: TeamMember) -> dict[str, Any]:
        return {
            "id": m.id,
            "name": m.name,
            "specialization": m.specialization,
            "position": {"id": 1, "title": m.specialization},
            "show_rating": 1,
            "rating": 4.8,
            "votes_count": 12,
            "avatar": "https://assets.example/no-master.png",
            "comments_count": 3,
        }

    def _record(self, rec: Record) -> dict[str, Any]:
        return {
            "id": rec.id,
            "services": [
                {
                    "id": s.id,
                    "title": s.title,
                    "amount": 1,
                    "seance_length": s.length,
                    "cost": s.price_min,
                    "price_min": s.price_min,
                    "price_max": s.price_max,
                    "discount": 0,
                }
                for s in (self.w.services[i] for i in rec.service_ids)
            ],
            "company": self._company(rec.location_id),
            "staff": self._staff(self.w.team[rec.team_member_id]),
            "clients_count": 1,
            "date": rec.start.strftime("%Y-%m-%d %H:%M:%S"),
            "datetime": _iso(rec.start),
            "create_date": _iso(rec.created),
            "comment": rec.comment,
            "deleted": rec.deleted,
            "attendance": 0,
            "length": rec.length,
            "notify_by_sms": rec.notify_by_sms,
            "notify_by_email": rec.notify_by_email,
            "master_requested": rec.master_requested,
            "online": True,
            "api_id": rec.api_id,
            "last_change_date": _iso(rec.created),
            "prepaid": False,
            "prepaid_confirmed": False,
            "activity_id": 0,
        }

    def _user(self, user: User, *, with_token: bool) -> dict[str, Any]:
        data = {
            "id": user.id,
            "name": user.name,
            "phone": user.phone,
            "login": user.login,
            "email": user.email,
            "avatar": "https://assets.example/no-avatar.png",
        }
        if with_token:
            data["user_token"] = user.token
        return data

    def _hooks(self, location_id: int) -> dict[str, Any]:
        self.w.location(location_id)
        default = {"urls": [], "active": 0, **{e: 0 for e in HOOK_EVENTS}}
        return self.w.hook_settings.setdefault(location_id, default)

    # --- authentication ---------------------------------------------------------

    def authorize_online_booking_user(self, call: Call) -> Result:
        login, password = str(call.body.get("login", "")), str(call.body.get("password", ""))
        user = self.w.users.get(login)
        if user is None or not secrets.compare_digest(user.password, password):
            raise Rejected(401, "Incorrect login or password")
        return 201, self._user(user, with_token=True)

    def log_in_with_phone_number_and_code(self, call: Call) -> Result:
        phone, code = str(call.body.get("login", "")), str(call.body.get("password", ""))
        user = self.w.users.get(phone)
        expected = self.w.sms_codes.get(phone)
        if user is None or not expected or not secrets.compare_digest(code, expected):
            raise Rejected(401, "Incorrect phone number or code")
        return 201, {"user_token": user.token}

    def send_booking_verification_code(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        phone = str(call.body.get("phone", ""))
        if not phone:
            raise Rejected(422, "Phone number is required", (431, "Phone number is required"))
        self.w.sms_codes[phone] = str(100000 + secrets.randbelow(900000))
        return 201, {"success": True, "meta": {"message": "The code was sent by SMS"}}

    # --- booking form, catalogue, availability ------------------------------------

    def get_booking_form_config(self, call: Call) -> Result:
        form_id = call.path_int("id")
        steps = [
            {"step": s, "title": s.title(), "num": n, "hidden": False}
            for n, s in enumerate(("service", "master", "datetime", "contact"), 1)
        ]
        return ok(
            {
                "steps": steps,
                "style": {"show_header": True, "main_color": "#1e88e5"},
                "group_id": 0,
                "company_id": 4564,
                "phone_confirmation": False,
                "lang": "en-US",
                "langs": [{"id": 1, "code": "en-US", "title": "English"}],
                "comment_required": False,
                "sms_enabled": True,
                "id": form_id,
                "url": f"https://n{form_id}.alteg.io/",
                "without_menu": False,
            }
        )

    def get_i18n_options(self, call: Call) -> Result:
        return 200, {"lang": call.params["lang_code"], "book": "Book", "cancel": "Cancel"}

    def get_location_privacy_policy(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        return 200, NO_BODY

    def get_services_available_for_booking(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        member_id = call.query_int("staff_id")
        offered = self.w.member(member_id).service_ids if member_id else None
        services: list[dict[str, Any]] = [
            {
                "id": s.id,
                "title": s.title,
                "category_id": s.category_id,
                "price_min": s.price_min,
                "price_max": s.price_max,
                "discount": 0,
                "comment": "",
                "weight": 0,
                "active": 1,
                "gender": 0,
                "image": "",
                "prepaid": "forbidden",
                "seance_length": s.length,
                "abonement_restriction": 0,
                "prepaid_settings": {},
                "is_composite": False,
                "is_chain": False,
                "images": [],
                "composite_details": None,
            }
            for s in self.w.services.values()
            if offered is None or s.id in offered
        ]
        categories = [
            {"id": cid, "title": title, "gender": 0, "api_id": None, "weight": 0}
            for cid, title in self.w.categories.items()
        ]
        return ok({"events": [], "services": services, "category": categories})

    def get_team_members_available_for_booking(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        service_ids = call.query_ints("service_ids[]")
        staff = []
        for m in self.w.team.values():
            offers = set(service_ids) <= m.service_ids
            dates = self.w.booking_dates(m.id, service_ids) if offers else []
            staff.append(
                {
                    **self._staff(m),
                    "api_id": None,
                    "user_id": None,
                    "bookable": bool(dates),
                    "position_id": 1,
                    "avatar_big": "https://assets.example/no-master.png",
                    "weight": 0,
                    "information": "",
                    "seance_date": dates[0].isoformat() if dates else "",
                    "schedule_till": (self.w.today + dt.timedelta(days=30)).isoformat(),
                    "seances": [],
                    "has_access_timetable": True,
                    "image_group": None,
                    "fired": 0,
                    "status": 0,
                    "hidden": 0,
                    "user": None,
                    "prepaid": "forbidden",
                }
            )
        return ok(staff)

    def get_nearest_time_slots(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        service_ids = call.query_ints("service_ids[]")
        members = self.w.members_for(call.path_int("team_member_id"), service_ids)
        length = sum(self.w.services[s].length for s in service_ids if s in self.w.services) or 1800
        for day in self.w.working_dates():
            slots = sorted({t for m in members for t in self.w.free_slots(m, day, service_ids)})
            if slots:
                return ok(
                    {"seance_date": day.isoformat(), "seances": [_slot(t, length) for t in slots]}
                )
        return ok({"seance_date": "", "seances": []})

    def get_dates_available_for_booking(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        service_ids = call.query_ints("service_ids[]")
        member_id = call.query_int("staff_id")
        booking = self.w.booking_dates(member_id, service_ids)
        working = self.w.working_dates(self.w.member(member_id) if member_id else None)

        def by_month(dates: list[dt.date]) -> dict[str, list[int]]:
            months: dict[str, list[int]] = {}
            for d in dates:
                months.setdefault(str(d.month), []).append(d.day)
            return months

        return ok(
            {
                "booking_days": by_month(booking),
                "booking_dates": [d.isoformat() for d in booking],
                "working_days": by_month(working),
                "working_dates": [d.isoformat() for d in working],
            }
        )

    def get_time_slots_for_booking(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        service_ids = call.query_ints("service_ids[]")
        try:
            day = dt.date.fromisoformat(call.params["date"])
        except ValueError:
            raise BadRequest("date must be YYYY-MM-DD") from None
        members = self.w.members_for(call.path_int("team_member_id"), service_ids)
        length = sum(self.w.services[s].length for s in service_ids if s in self.w.services) or 1800
        slots = sorted({t for m in members for t in self.w.free_slots(m, day, service_ids)})
        return ok([_slot(t, length) for t in slots])

    # --- booking ----------------------------------------------------------------

    def validate_booking_params(self, call: Call) -> Result:
        self.w.check(call.path_int("location_id"), call.body, full=False)
        return 201, {"success": True, "data": None, "meta": {"message": "Booking is possible"}}

    def create_online_booking(self, call: Call) -> Result:
        booked = self.w.book(call.path_int("location_id"), call.body)
        data = [{"id": ref, "record_id": rec.id, "record_hash": rec.hash} for ref, rec in booked]
        return ok(data, status=201)

    def get_online_booking_details(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        rec = self.w.record(call.path_int("record_id"), call.params.get("record_hash"), call.user)
        return 200, self._record(rec)

    def update_online_booking_datetime(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        rec = self.w.record(call.path_int("record_id"), None, call.needs_user())
        try:
            when = dt.datetime.fromisoformat(str(call.body.get("datetime")))
        except ValueError:
            raise BadRequest("datetime must be ISO 8601") from None
        self.w.reschedule(rec, when)
        if "comment" in call.body:
            rec.comment = str(call.body["comment"])
        full = self._record(rec)
        data = {
            **{k: full[k] for k in ("id", "date", "create_date", "comment", "deleted", "length")},
            **{k: full[k] for k in ("notify_by_sms", "notify_by_email", "master_requested")},
            "online": True,
            "api_id": int(rec.api_id) if rec.api_id.isdigit() else 0,
            "services": [
                {"id": s["id"], "title": s["title"], "cost": int(s["cost"]), "discount": 0}
                for s in full["services"]
            ],
            "company": {
                k: full["company"][k]
                for k in (
                    "id",
                    "title",
                    "country_id",
                    "country",
                    "city_id",
                    "city",
                    "phone",
                    "timezone",
                    "address",
                    "coordinate_lat",
                    "coordinate_lon",
                )
            },
            "staff": {
                **{k: full["staff"][k] for k in ("id", "name", "show_rating", "votes_count")},
                **{k: full["staff"][k] for k in ("rating", "avatar", "comments_count")},
                "spec": full["staff"]["specialization"],
            },
        }
        return ok(data)

    def book_event(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        if not str(call.body.get("fullname") or "").strip():
            raise Rejected(422, "Client name is required", (435, "Client name is required"))
        return ok({"id": call.path_int("event_id") * 10, "hash": secrets.token_hex(16)})

    # --- client personal cabinet --------------------------------------------------

    def get_booking_user(self, call: Call) -> Result:
        return 200, self._user(call.needs_user(), with_token=True)

    def update_booking_user(self, call: Call) -> Result:
        user = call.needs_user()
        user.name = str(call.body.get("name") or user.name)
        user.email = str(call.body.get("email") or user.email)
        return 202, NO_BODY

    def update_booking_user_password(self, call: Call) -> Result:
        user = call.needs_user()
        old, new = str(call.body.get("old_password", "")), str(call.body.get("new_password", ""))
        if not secrets.compare_digest(old, user.password):
            raise Rejected(403, "The current password is wrong")
        if len(new) < 6:
            raise Rejected(422, "The new password must have at least 6 characters")
        user.password = new
        user.token = secrets.token_hex(16)  # Altegio issues a new token with a new password
        return ok({"user_token": user.token})

    def send_phone_update_verification_code(self, call: Call) -> Result:
        user = call.needs_user()
        self.w.sms_codes[str(call.query.get("phone") or user.phone)] = "123456"
        return 202, {"success": True, "meta": {"message": "The code was sent by SMS"}}

    def get_user_appointment_list(self, call: Call) -> Result:
        user = call.needs_user()
        mine = [r for r in self.w.live_records() if r.phone == user.phone]
        return ok([self._record(r) for r in sorted(mine, key=lambda r: r.start)], status=201)

    def delete_user_appointment(self, call: Call) -> Result:
        rec = self.w.record(call.path_int("record_id"), call.params.get("record_hash"), call.user)
        rec.deleted = True
        return 200, NO_BODY

    def get_feedback_form_status(self, call: Call) -> Result:
        token = call.params["record_token"]
        return ok(
            {
                "favicon_url": "",
                "is_review_submitted": token.startswith("done"),
                "page_title": "How was your visit?",
                "master": {
                    **self._staff(next(iter(self.w.team.values()))),
                    "company_id": 4564,
                    "rating": 5,
                    "show_rating": 1,
                    "prepaid": "forbidden",
                },
                "company": {
                    "id": 4564,
                    "title": "Sandbox Studio",
                    "logo": "",
                    "address": "1 Salina St",
                },
                "tips": [],
                "record": {"id": 2820023, "payed_cost": 40, "date": "2026-12-01"},
                "currency": {
                    "id": 1,
                    "iso": "USD",
                    "name": "US dollar",
                    "symbol": "$",
                    "is_symbol_after_amount": False,
                },
                "agreement_links": {"terms_of_use": "", "confidentiality_agreement": ""},
                "language": {"id": 1, "locale": "en-US", "iso": "en"},
            }
        )

    def submit_feedback_form(self, call: Call) -> Result:
        rating = call.body.get("rating")
        if not isinstance(rating, int) or not 1 <= rating <= 5:
            raise BadRequest("rating must be an integer from 1 to 5")
        return 200, NO_BODY

    # --- dictionaries -------------------------------------------------------------

    def get_country_list(self, call: Call) -> Result:
        countries = [
            (1, "United States", "US", "1", "USD"),
            (2, "Canada", "CA", "1", "CAD"),
            (3, "United Kingdom", "GB", "44", "GBP"),
            (4, "Germany", "DE", "49", "EUR"),
        ]
        return ok(
            [
                {
                    "id": i,
                    "title": t,
                    "full_title": t,
                    "iso_code": iso,
                    "phone_code": code,
                    "phone_template": "+" + code + " ### ### ####",
                    "phone_example": "+" + code,
                    "currency": cur,
                    "exchange": 1,
                    "lang_id": 1,
                    "group_type": 0,
                    "is_eu": iso == "DE",
                }
                for i, t, iso, code, cur in countries
            ]
        )

    def get_city_list(self, call: Call) -> Result:
        cities = [(1, 1, "New York"), (2, 1, "Syracuse"), (3, 2, "Toronto"), (4, 3, "London")]
        country = call.query_int("country_id")
        return ok(
            [
                {"id": i, "country_id": c, "title": t}
                for i, c, t in cities
                if not country or c == country
            ]
        )

    def get_business_types_by_group(self, call: Call) -> Result:
        groups = [
            {
                "id": 1,
                "title": "Beauty",
                "image": "",
                "image_small": "",
                "types": [
                    {"id": 1, "title": "Hair salon", "business_group_id": 1},
                    {"id": 2, "title": "Nail studio", "business_group_id": 1},
                ],
            },
            {
                "id": 2,
                "title": "Health",
                "image": "",
                "image_small": "",
                "types": [{"id": 3, "title": "Clinic", "business_group_id": 2}],
            },
        ]
        return ok(groups, meta={"count": len(groups)})

    # --- webhooks settings ----------------------------------------------------------

    def get_event_notification_settings(self, call: Call) -> Result:
        return ok(self._hooks(call.path_int("location_id")))

    def update_event_notification_settings(self, call: Call) -> Result:
        settings = self._hooks(call.path_int("location_id"))
        urls = call.body.get("urls", settings["urls"])
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            raise BadRequest("urls must be a list of strings")
        settings["urls"] = urls
        for key in ("active", *HOOK_EVENTS):
            if key in call.body:
                settings[key] = int(bool(call.body[key]))
        return ok(settings, status=201)

    # --- marketplace ----------------------------------------------------------------

    def list_marketplace_app_locations(self, call: Call) -> Result:
        return ok(
            [
                {
                    "id": loc.id,
                    "title": loc.title,
                    "public_title": loc.title,
                    "short_descr": "",
                    "logo": "",
                    "active": 1,
                    "phone": "+13155550100",
                    "phones": [],
                    "email": "studio@sandbox.example",
                    "country_id": 1,
                    "schedule": "10:00-19:00",
                    "country": "United States",
                    "city_id": 2,
                    "city": "Syracuse",
                    "timezone": -5,
                    "timezone_name": "America/New_York",
                    "address": "1 Salina St",
                    "coordinate_lat": 43.05,
                    "coordinate_lon": -76.15,
                    "phone_confirmation": loc.phone_confirmation,
                    "active_staff_count": len(self.w.team),
                    "next_slot": "",
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
                for loc in self.w.locations.values()
            ]
        )

    def marketplace_partner_applications_tariffs_list(self, call: Call) -> Result:
        return ok(
            [
                {
                    "id": 1,
                    "title": "Standard",
                    "options": [
                        {
                            "id": 11,
                            "title": "Monthly",
                            "overall_price": 19.0,
                            "duration_in_months": 1,
                            "currency_iso": "USD",
                            "staff_amount": 10,
                            "free_period_in_months": 0,
                        }
                    ],
                }
            ]
        )

    def marketplace_partner_application_add_discount(self, call: Call) -> Result:
        if not isinstance(call.body.get("salon_ids"), list):
            raise BadRequest("salon_ids must be a list")
        return ok({})

    def marketplace_partner_application_payment_link(self, call: Call) -> Result:
        salon, app = call.query_int("salon_id"), call.query_int("application_id")
        return ok(
            {"url": f"https://alteg.io/appstore/payment/?salon_id={salon}&application_id={app}"}
        )

    def marketplace_partner_applications_update_channel(self, call: Call) -> Result:
        return ok({})

    def get_marketplace_integration_status(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        return ok(
            {
                "connection_status": {"status": "active", "created_at": "2026-01-10 12:00:00"},
                "payments": [],
                "logs": [],
            }
        )

    def uninstall_marketplace_app(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        return ok(None)

    def marketplace_notification_settings_callback(self, call: Call) -> Result:
        return 201, NO_BODY

    def marketplace_notification_settings_redirect_callback(self, call: Call) -> Result:
        return 200, {"success": True}

    def marketplace_notification_payment_callback(self, call: Call) -> Result:
        return 200, {"success": True, "data": {"id": secrets.randbelow(10**6)}}

    def marketplace_payment_refund_callback(self, call: Call) -> Result:
        return 200, NO_BODY

    def set_marketplace_notification_short_names(self, call: Call) -> Result:
        names = call.body.get("short_names")
        if not isinstance(names, list):
            raise BadRequest("short_names must be a list")
        self.w.short_names = [str(n) for n in names]
        return 201, NO_BODY

    # --- VoIP -------------------------------------------------------------------------

    def handle_voip_integration_event(self, call: Call) -> Result:
        if not isinstance(call.raw_body, dict) or "type" not in call.raw_body:
            raise BadRequest("the event needs a type")
        return 202, {"success": True, "data": "accepted", "meta": {"message": "Accepted"}}

    def list_voip_calls(self, call: Call) -> Result:
        return ok(
            [
                {
                    "id": 1,
                    "client_id": 10,
                    "caller_phone": "+13155550175",
                    "record_link": "",
                    "duration": 42,
                    "status": "success",
                    "type": "incoming",
                    "call_date": "2026-11-20 10:00:00",
                },
            ],
            meta={"count": 1},
        )
