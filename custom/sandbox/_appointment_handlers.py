"""Business Management (v1) appointments (``records``): create, list, get, change, delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ._business_handlers import AVATAR, paged
from ._checks import day
from ._records import appointment, write
from ._replies import NO_BODY, BadRequest, Call, Result, Shapes, iso, ok
from ._world import TZ, Record


def _moment(value: str, field: str) -> dt.datetime:
    """A ``changed_after``-style filter: a date-time (local when it has no offset)."""
    try:
        when = dt.datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        raise BadRequest(f"{field} must be an ISO 8601 date-time, got {value[:40]!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=TZ)


class AppointmentHandlers(Shapes):
    def _document(self, rec: Record) -> dict[str, Any]:
        return {
            "id": rec.id + 5_000_000,
            "type_id": 7,
            "storage_id": 0,
            "user_id": rec.created_user_id,
            "company_id": rec.location_id,
            "number": rec.id % 100_000,
            "comment": "",
            "date_created": iso(rec.created),
            "category_id": 0,
            "visit_id": rec.id,
            "record_id": rec.id,
            "type_title": "Visit",
        }

    def _appointment(self, rec: Record) -> dict[str, Any]:
        """An appointment as v1 shows one (``GET /records``, ``/record``, ``POST /records``)."""
        member = self.w.team[rec.team_member_id]
        client = self.w.crm.clients.get(rec.client_id)
        services = [self.w.services[s] for s in rec.service_ids]
        return {
            "id": rec.id,
            "company_id": rec.location_id,
            "staff_id": member.id,
            "services": [
                {
                    "id": s.id,
                    "title": s.title,
                    "cost": s.price_min,
                    "cost_to_pay": s.price_min,
                    "manual_cost": s.price_min,
                    "cost_per_unit": s.price_min,
                    "discount": 0,
                    "first_cost": s.price_min,
                    "amount": 1,
                }
                for s in services
            ],
            "goods_transactions": [],
            "staff": {
                "id": member.id,
                "api_id": None,
                "name": member.name,
                "specialization": member.specialization,
                "position": {"id": member.position_id, "title": member.specialization},
                "avatar": AVATAR,
                "avatar_big": AVATAR,
                "rating": 4.8,
                "votes_count": 12,
            },
            "client": {
                "id": rec.client_id,
                "name": client.name if client else rec.fullname,
                "surname": client.surname if client else "",
                "display_name": rec.fullname,
                "comment": client.comment if client else "",
                "phone": rec.phone,
                "card": client.card if client else "",
                "email": rec.email,
                "success_visits_count": 0,
                "fail_visits_count": 0,
                "discount": client.discount if client else 0,
                "is_new": False,
                "custom_fields": [],
                "client_tags": [],
            },
            "date": iso(rec.start),
            "datetime": iso(rec.start),
            "create_date": iso(rec.created),
            "comment": rec.comment,
            "online": rec.online,
            "visit_attendance": rec.attendance,
            "attendance": rec.attendance,
            "confirmed": 1,
            "seance_length": rec.length,
            "length": rec.length,
            "sms_before": 0,
            "sms_now": 0,
            "sms_now_text": "",
            "email_now": 0,
            "notified": 0,
            "master_request": int(rec.master_requested),
            "api_id": rec.api_id,
            "from_url": "",
            "review_requested": 0,
            "visit_id": rec.id,
            "created_user_id": rec.created_user_id,
            "deleted": rec.deleted,
            "paid_full": 0,
            "prepaid": False,
            "prepaid_confirmed": False,
            "last_change_date": iso(rec.last_change),
            "custom_color": "",
            "custom_font_color": "",
            "record_labels": [],
            "activity_id": 0,
            "custom_fields": [],
            "documents": [self._document(rec)],
            "sms_remain_hours": None,
            "email_remain_hours": None,
            "bookform_id": 0,
            "record_from": "" if rec.online else "API",
            "is_mobile": 0,
            "is_sale_bill_printed": False,
            "consumables": [],
            "finance_transactions": [],
            "clients_count": 1,
            "technical_break_duration": 0,
        }

    def create_appointment(self, call: Call) -> Result:
        loc = self._managed(call)
        assert call.business is not None  # _managed checked
        rec = write(self.w, loc.id, call.body, call.business)
        return ok([self._appointment(rec)], meta={"page": 1, "total_count": 1}, status=201)

    def get_appointment_list(self, call: Call) -> Result:
        """The location's appointments by session date (``start_date``..``end_date``),
        creation date, last change, team member, client or author, ordered by start;
        one page (``page``, ``count`` 25 by default), ``meta.total_count`` in all."""
        loc = self._managed(call)
        q = call.query
        start = day(q["start_date"], "start_date") if q.get("start_date") else None
        end = day(q["end_date"], "end_date") if q.get("end_date") else None
        made_from = day(q["c_start_date"], "c_start_date") if q.get("c_start_date") else None
        made_to = day(q["c_end_date"], "c_end_date") if q.get("c_end_date") else None
        after = _moment(q["changed_after"], "changed_after") if q.get("changed_after") else None
        before = _moment(q["changed_before"], "changed_before") if q.get("changed_before") else None
        member = call.query_int("team_member_id") or call.query_int("staff_id")
        client, author = call.query_int("client_id"), call.query_int("created_user_id")
        deleted_too = str(q.get("with_deleted", "")).lower() in ("1", "true")
        found = sorted(
            (
                r
                for r in self.w.records.values()
                if r.location_id == loc.id
                and (deleted_too or not r.deleted)
                and (start is None or r.start.date() >= start)
                and (end is None or r.start.date() <= end)
                and (made_from is None or r.created.date() >= made_from)
                and (made_to is None or r.created.date() <= made_to)
                and (after is None or r.last_change >= after)
                and (before is None or r.last_change <= before)
                and (not member or r.team_member_id == member)
                and (not client or r.client_id == client)
                and (not author or r.created_user_id == author)
            ),
            key=lambda r: (r.start, r.id),
        )
        page = paged(call, found, default=25)
        return ok(
            [self._appointment(r) for r in page],
            meta={"page": call.query_int("page", 1), "total_count": len(found)},
        )

    def get_appointment(self, call: Call) -> Result:
        loc = self._managed(call)
        return ok(self._appointment(appointment(self.w, loc.id, call.path_int("record_id"))))

    def update_appointment(self, call: Call) -> Result:
        loc = self._managed(call)
        assert call.business is not None
        rec = appointment(self.w, loc.id, call.path_int("record_id"))
        write(self.w, loc.id, call.body, call.business, rec)
        full = self._appointment(rec)
        member = self.w.team[rec.team_member_id]
        data = {
            "id": rec.id,
            "services": [
                {k: s[k] for k in ("id", "first_cost", "discount", "cost")}
                for s in full["services"]
            ],
            "client": {"phone": rec.phone, "name": rec.fullname, "email": rec.email},
            "clients_count": 1,
            "staff": {"id": member.id, "name": member.name, "spec": member.specialization},
            **{k: full[k] for k in ("datetime", "seance_length", "create_date", "comment")},
            **{k: full[k] for k in ("confirmed", "sms_before", "sms_now", "sms_now_text")},
            **{k: full[k] for k in ("email_now", "notified", "master_request", "api_id")},
            **{k: full[k] for k in ("from_url", "review_requested", "activity_id", "documents")},
        }
        return ok(data, status=201)

    def delete_appointment(self, call: Call) -> Result:
        loc = self._managed(call)
        rec = appointment(self.w, loc.id, call.path_int("record_id"))
        rec.deleted, rec.changed = True, dt.datetime.now(TZ)
        return 204, NO_BODY
