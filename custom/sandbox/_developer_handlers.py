"""Developer Tools operations: dictionaries, webhook settings, marketplace, VoIP."""

from __future__ import annotations

import secrets
from typing import Any

from ._checks import day, integer, page_of
from ._replies import HOOK_EVENTS, NO_BODY, BadRequest, Call, Result, Shapes, ok


class DeveloperHandlers(Shapes):
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
        # company_id: the location's own city comes too, whatever its country
        location = call.query_int("company_id")
        own = self.w.location(location).city_id if location else None
        return ok(
            [
                {"id": i, "country_id": c, "title": t}
                for i, c, t in cities
                if not country or c == country or i == own
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
        """The locations that installed the application, one page (``page``/``count``)."""
        for name in ("page", "count"):
            if name not in call.query:
                raise BadRequest(f"{name} is required")
        locations: list[dict[str, Any]] = [
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
        page = page_of(locations, call.query["page"], call.query["count"], names=("page", "count"))
        return ok(page)

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
        self.w.location(salon)
        link = f"https://alteg.io/appstore/payment/?salon_id={salon}&application_id={app}"
        if call.query.get("discount"):  # a percentage, as text or a number
            try:
                discount = float(call.query["discount"])
            except ValueError:
                raise BadRequest("discount must be a number") from None
            if not 0 <= discount <= 100:
                raise BadRequest("discount must be a percentage between 0 and 100")
            link += f"&discount={discount:g}"
        return ok({"url": link})

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
        """The location's calls between two dates, one page (``page``/``limit``)."""
        # A location without calls (or unknown to the sandbox) has an empty history.
        location_id = integer(call.body.get("salon_id"), "salon_id")
        since = day(call.body.get("date_from"), "date_from")
        until = day(call.body.get("date_to"), "date_to")
        types = call.body.get("types") or None
        statuses = call.body.get("statuses") or None
        calls = [
            c.as_json()
            for c in self.w.calls
            if c.location_id == location_id
            and since <= c.when.date() <= until
            and (types is None or c.kind in types)
            and (statuses is None or c.status in statuses)
        ]
        page = page_of(
            calls, call.body.get("page", 1), call.body.get("limit", 25), names=("page", "limit")
        )
        return ok(page)
