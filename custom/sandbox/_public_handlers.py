"""Online Booking operations: authentication, booking form, availability, booking, cabinet."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from ._checks import day, moment, same_secret, text
from ._replies import NO_BODY, BadRequest, Call, Result, Shapes, ok, slot
from ._world import TZ, Rejected


class PublicHandlers(Shapes):
    # --- authentication ---------------------------------------------------------

    def authorize_online_booking_user(self, call: Call) -> Result:
        login = text(call.body.get("login"), "login")
        password = call.body.get("password")
        user = self.w.users.get(login)
        if user is None or not same_secret(password, user.password):
            raise Rejected(401, "Incorrect login or password")
        return 201, self._user(user, with_token=True)

    def log_in_with_phone_number_and_code(self, call: Call) -> Result:
        phone = text(call.body.get("login"), "login")
        user = self.w.users.get(phone)
        if user is None or not same_secret(call.body.get("password"), self.w.sms_codes.get(phone)):
            raise Rejected(401, "Incorrect phone number or code")
        return 201, {"user_token": user.token}

    def send_booking_verification_code(self, call: Call) -> Result:
        self.w.location(call.path_int("location_id"))
        phone = text(call.body.get("phone"), "phone")
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
                "style": {
                    "show_header": True,
                    "main_color": "#1e88e5",
                    "secondary_color": "#90caf9",
                    "buttons_color": "#1565c0",
                    "logo": "",
                    "header_background": "",
                    "menu_background": "",
                },
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
                # analytics counters: Altegio's examples always carry them (empty here)
                "app_metrika_id": None,
                "facebook_pixel_id": "",
                "google_analytics_id": "",
                "metrika_counter_id": None,
            }
        )

    def get_i18n_options(self, call: Call) -> Result:
        return 200, {"lang": call.params["lang_code"], "book": "Book", "cancel": "Cancel"}

    def get_location_privacy_policy(self, call: Call) -> Result:
        location = self.w.location(call.path_int("location_id"))
        return ok({"agreement": {"content": f"Terms of {location.title}: we keep your data safe."}})

    def get_services_available_for_booking(self, call: Call) -> Result:
        loc = self.w.location(call.path_int("location_id")).id
        member_id = call.query_int("staff_id")
        offered = self.w.member(member_id, loc).service_ids if member_id else None
        # datetime: only services bookable then (with the team member, if named),
        # added to the ones already chosen for the appointment (service_ids[])
        chosen = call.query_ints("service_ids[]")
        when = (
            moment(call.query["datetime"], "datetime", TZ) if call.query.get("datetime") else None
        )

        def bookable(service_id: int) -> bool:
            if when is None:
                return True
            wanted = [*chosen, service_id]
            members = [self.w.member(member_id, loc)] if member_id else self.w.team_at(loc)
            return any(self.w.available(m, *when, wanted) for m in members)

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
            if (offered is None or s.id in offered) and bookable(s.id)
        ]
        categories = [
            {"id": cid, "title": title, "gender": 0, "api_id": "", "weight": 0}
            for cid, title in self.w.categories.items()
        ]
        return ok({"events": [], "services": services, "category": categories})

    def get_team_members_available_for_booking(self, call: Call) -> Result:
        loc = self.w.location(call.path_int("location_id")).id
        service_ids = call.query_ints("service_ids[]")
        # datetime: bookable means free for these services then, not just some day
        when = (
            moment(call.query["datetime"], "datetime", TZ) if call.query.get("datetime") else None
        )
        staff = []
        for m in self.w.team_at(loc):
            offers = set(service_ids) <= m.service_ids
            dates = self.w.booking_dates(m.id, service_ids, loc) if offers else []
            if when is not None and not self.w.available(m, *when, service_ids):
                dates = []
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
                    # no next free day: the field is left out (it is a date when sent)
                    **({"seance_date": dates[0].isoformat()} if dates else {}),
                    "schedule_till": (self.w.today + dt.timedelta(days=30)).isoformat(),
                    "seances": [],
                    "has_access_timetable": True,
                    "image_group": [],  # Altegio (PHP) sends an empty map as []
                    "fired": 0,
                    "status": 0,
                    "hidden": 0,
                    "user": None,
                    "prepaid": "forbidden",
                }
            )
        return ok(staff)

    def get_nearest_time_slots(self, call: Call) -> Result:
        loc = self.w.location(call.path_int("location_id")).id
        service_ids = call.query_ints("service_ids[]")
        members = self.w.members_for(call.path_int("team_member_id"), service_ids, loc)
        length = self.w.length(service_ids)
        # datetime: the first day to look from
        since = (
            moment(call.query["datetime"], "datetime", TZ)[0]
            if call.query.get("datetime")
            else None
        )
        for on in self.w.working_dates(location_id=loc):
            if since is not None and on < since:
                continue
            slots = sorted({t for m in members for t in self.w.free_slots(m, on, service_ids)})
            if slots:
                return ok(
                    {"seance_date": on.isoformat(), "seances": [slot(t, length) for t in slots]}
                )
        return ok({"seances": []})  # no free day ahead: no seance_date

    def get_dates_available_for_booking(self, call: Call) -> Result:
        loc = self.w.location(call.path_int("location_id")).id
        service_ids = call.query_ints("service_ids[]")
        member_id = call.query_int("staff_id")
        booking = self.w.booking_dates(member_id, service_ids, loc)
        member = self.w.member(member_id, loc) if member_id else None
        working = self.w.working_dates(member, loc)
        # the period the caller asks for, both ends included, as Altegio reads it
        start = day(call.query["date_from"], "date_from") if "date_from" in call.query else None
        end = day(call.query["date_to"], "date_to") if "date_to" in call.query else None
        if start and end and start > end:
            raise BadRequest("date_from must not be after date_to")
        if start is None and end is None and call.query.get("date"):
            # date: the month it falls in (date_from/date_to override it)
            month = day(call.query["date"], "date").replace(day=1)
            start = month
            end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        booking, working = (
            [d for d in dates if (not start or d >= start) and (not end or d <= end)]
            for dates in (booking, working)
        )

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
        loc = self.w.location(call.path_int("location_id")).id
        service_ids = call.query_ints("service_ids[]")
        date = day(call.params["date"], "date")
        members = self.w.members_for(call.path_int("team_member_id"), service_ids, loc)
        length = self.w.length(service_ids)
        slots = sorted({t for m in members for t in self.w.free_slots(m, date, service_ids)})
        return ok([slot(t, length) for t in slots])

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
        user = call.needs_user()
        # Altegio repeats the user token under the key "0" (the reference: "User Token").
        return 200, {"0": user.token, **self._user(user, with_token=True)}

    def update_booking_user(self, call: Call) -> Result:
        user = call.needs_user()
        user.name = text(call.body.get("name"), "name") or user.name
        user.email = text(call.body.get("email"), "email") or user.email
        return 202, {"success": True, "meta": {"message": "Accepted"}}

    def update_booking_user_password(self, call: Call) -> Result:
        user = call.needs_user()
        old, new = call.body.get("old_password"), call.body.get("new_password")
        if not same_secret(old, user.password):
            raise Rejected(403, "The current password is wrong")
        if not isinstance(new, str) or len(new) < 6:
            raise Rejected(422, "The new password must have at least 6 characters")
        user.password = new
        user.token = secrets.token_hex(16)  # Altegio issues a new token with a new password
        return ok({"user_token": user.token})

    def send_phone_update_verification_code(self, call: Call) -> Result:
        user = call.needs_user()
        # the location (company_id) or chain (group_id) whose SMS sender is used: one is needed
        location, chain = call.query_int("company_id"), call.query_int("group_id")
        if not location and not chain:
            raise BadRequest("company_id or group_id is required")
        if location:
            self.w.location(location)
        self.w.sms_codes[str(call.query.get("phone") or user.phone)] = "123456"
        return 202, {"success": True, "meta": {"message": "The code was sent by SMS"}}

    def get_user_appointment_list(self, call: Call) -> Result:
        if call.user is None:  # the record hash stands in for the user token: that record only
            rec = self.w.record(call.path_int("record_id"), call.params.get("record_hash"), None)
            return ok([self._record(rec)], status=201)
        mine = [r for r in self.w.live_records() if r.phone == call.user.phone]
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
                "record": {"id": 2820023, "payed_cost": 40, "date": "2026-12-01T10:00:00-05:00"},
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
        return ok({"charge": {"url": "https://pay.sandbox.example/tips"}})
