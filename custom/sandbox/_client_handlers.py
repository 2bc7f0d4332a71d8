"""Business Management (v1) clients: add (one or many), search, list, get, change, delete."""

from __future__ import annotations

from typing import Any

from ._business_handlers import paged
from ._checks import Rejected, text
from ._client_search import Visits, search, visits
from ._crm import CATEGORIES, GENDERS, IMPORTANCE, Client
from ._replies import NO_BODY, BadRequest, Call, Result, Shapes, ok

MAX_BULK = 1000  # clients in one bulk request


def client_json(c: Client, v: Visits) -> dict[str, Any]:
    """A client as the v1 replies show one (the deprecated list's documented fields)."""
    data: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "surname": c.surname,
        "middle_name": c.middle_name,
        "phone": c.phone,
        "email": c.email,
        "categories": [
            {"id": i, "title": CATEGORIES[i][0], "color": CATEGORIES[i][1]} for i in c.categories
        ],
        "gender_id": c.gender_id,
        "gender": GENDERS[c.gender_id],
        "discount": c.discount,
        "importance_id": c.importance_id,
        "importance": IMPORTANCE[c.importance_id],
        "comment": c.comment,
        "sms_check": c.sms_check,
        "sms_not": c.sms_not,
        "spent": c.spent,
        "balance": c.balance,
        "visits": v.count,
        "last_change_date": c.changed.isoformat(),
        "custom_fields": c.custom_fields,
    }
    # typed a number and a date by the bundle: left out when the client has none
    if c.card.isdigit() and len(c.card) < 19:
        data["card"] = int(c.card)
    if c.birth_date is not None:
        data["birth_date"] = c.birth_date.isoformat()
    return data


class ClientHandlers(Shapes):
    def _client_reply(self, c: Client, status: int = 200) -> Result:
        return ok(client_json(c, visits(self.w, c.location_id).get(c.id, Visits())), status=status)

    def create_client(self, call: Call) -> Result:
        loc = self._managed(call)
        return self._client_reply(self.w.crm.add(loc.id, call.raw_body), status=201)

    def bulk_create_clients(self, call: Call) -> Result:
        """Each client is added or listed under ``errors`` with Altegio's reason."""
        loc = self._managed(call)
        if not isinstance(call.raw_body, list | dict):
            raise BadRequest("the body must be a list of clients (or one client)")
        items = call.raw_body if isinstance(call.raw_body, list) else [call.raw_body]
        if len(items) > MAX_BULK:
            raise BadRequest(f"at most {MAX_BULK} clients in one request")
        created, errors = [], []
        for item in items:
            try:
                created.append(client_json(self.w.crm.add(loc.id, item), Visits()))
            except (Rejected, BadRequest) as exc:
                failed: dict[str, Any] = {"error": str(exc)}
                if isinstance(item, dict):
                    for key in ("phone", "name"):
                        if isinstance(item.get(key), str | int):
                            failed[key] = item[key]
                errors.append(failed)
        return ok({"created": created, "errors": errors})

    def get_client_list(self, call: Call) -> Result:
        loc = self._managed(call)
        if not isinstance(call.raw_body, dict):
            reason = "the body must be a JSON object"
            raise Rejected(400, "Invalid filter value", fields={"filters": [reason]})
        items, total = search(self.w, loc.id, call.body)
        return ok(items, meta={"total_count": total})

    def deprecated_get_client_list(self, call: Call) -> Result:
        """By part of ``fullname``/``phone``/``email``/``card``, ``paid_min``/``paid_max``
        and ``id`` / ``id[]``, one page (``page``, ``count`` 20 by default)."""
        loc = self._managed(call)
        q = call.query
        parts = {
            key: text(q.get(key), key).lower() for key in ("fullname", "phone", "email", "card")
        }
        ids = set(call.query_ints("id[]")) | ({call.query_int("id")} if "id" in q else set())
        low = call.query_int("paid_min") if "paid_min" in q else None
        high = call.query_int("paid_max") if "paid_max" in q else None
        seen = visits(self.w, loc.id)
        found = [
            c
            for c in self.w.crm.clients_at(loc.id)
            if parts["fullname"] in c.fullname.lower()
            and parts["phone"] in c.phone
            and parts["email"] in c.email.lower()
            and parts["card"] in c.card.lower()
            and (not ids or c.id in ids)
            and (low is None or c.spent >= low)
            and (high is None or c.spent <= high)
        ]
        page = paged(call, found, default=20)
        return ok(
            [client_json(c, seen.get(c.id, Visits())) for c in page],
            meta={"page": call.query_int("page", 1), "total_count": len(found)},
        )

    def get_client(self, call: Call) -> Result:
        loc = self._managed(call)
        return self._client_reply(self.w.crm.client(loc.id, call.path_int("id")))

    def update_client(self, call: Call) -> Result:
        loc = self._managed(call)
        client = self.w.crm.client(loc.id, call.path_int("id"))
        if not isinstance(call.raw_body, dict):
            raise BadRequest("the body must be an object with name and phone")
        self.w.crm.update(client, call.raw_body)
        return self._client_reply(client)

    def delete_client(self, call: Call) -> Result:
        loc = self._managed(call)
        self.w.crm.remove(self.w.crm.client(loc.id, call.path_int("id")))
        return 204, NO_BODY
