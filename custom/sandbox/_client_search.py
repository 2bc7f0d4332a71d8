"""``POST /company/{location_id}/clients/search``: filters, order, paging and fields.

The body pages with ``page``/``page_size`` (25 by default, 200 at most), orders by
``order_by``/``order_by_direction`` and combines its ``filters`` with ``operation``
(``AND`` by default).  Each item carries exactly the ``fields`` asked for, plus
``id``.  A filter, field or order the sandbox does not know is refused with 400
"Invalid filter value", as Altegio documents it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from ._checks import BadRequest, Rejected, integer, integers, number, text
from ._crm import Client
from ._world import World

MAX_PAGE_SIZE = 200  # documented: "Maximum 200. (Default 25)"


@attrs.define
class Visits:
    """What a client's appointments at the location add up to."""

    count: int = 0  # attended
    first: dt.date | None = None
    last: dt.date | None = None
    sold: float = 0


def visits(world: World, location_id: int) -> dict[int, Visits]:
    """Each client's attended appointments at the location (one pass over the diary)."""
    found: dict[int, Visits] = {}
    for rec in world.records.values():
        if rec.location_id != location_id or rec.deleted or rec.attendance != 1:
            continue
        v = found.setdefault(rec.client_id, Visits())
        on = rec.start.date()
        v.count += 1
        v.first = on if v.first is None or on < v.first else v.first
        v.last = on if v.last is None or on > v.last else v.last
        v.sold += sum(world.services[s].price_min for s in rec.service_ids)
    return found


def sold_amount(client: Client, v: Visits) -> float:
    return client.spent + v.sold


def _invalid(reason: str, field: str = "filters") -> Rejected:
    return Rejected(400, "Invalid filter value", fields={field: [reason]})


def _state(item: Any) -> dict[str, Any]:
    state = item.get("state") if isinstance(item, dict) else None
    if not isinstance(state, dict):
        raise _invalid("Invalid filter state value")
    return state


def _range(state: dict[str, Any], read: Callable[[Any], Any]) -> tuple[Any, Any]:
    try:
        low = read(state["from"]) if state.get("from") is not None else None
        high = read(state["to"]) if state.get("to") is not None else None
    except (ValueError, BadRequest):
        raise _invalid("Invalid filter state value") from None
    return low, high


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(text(value, "state")[:10])


Test = Callable[[Client, Visits], bool]


def _test(item: Any) -> Test:
    """The predicate one filter of the body stands for."""
    kind = item.get("type") if isinstance(item, dict) else None
    state = _state(item)
    value = state.get("value")
    try:
        if kind == "id":
            ids = set(integers(value, "value"))
            return lambda c, v: c.id in ids
        if kind in ("importance", "gender", "category"):
            wanted = set(integers(value, "value"))
            if kind == "importance":
                return lambda c, v: c.importance_id in wanted
            if kind == "gender":
                return lambda c, v: c.gender_id in wanted
            return lambda c, v: bool(wanted.intersection(c.categories))
        if kind == "quick_search":
            needle = text(value, "value").strip().lower()
            return lambda c, v: needle in f"{c.fullname} {c.phone} {c.email}".lower()
        if kind == "sold_amount":
            low, high = _range(state, lambda x: number(x, "state"))
            return lambda c, v: (
                (low is None or sold_amount(c, v) >= low)
                and (high is None or sold_amount(c, v) <= high)
            )
        if kind == "birthday":
            since, until = _range(state, _date)
            return lambda c, v: (
                c.birth_date is not None
                and (
                    (since is None or c.birth_date >= since)
                    and (until is None or c.birth_date <= until)
                )
            )
        if kind in ("has_mobile_app", "has_passteam_card"):  # no sandbox client has either
            if not isinstance(value, bool):
                raise _invalid("Invalid filter state value")
            return lambda c, v: not value
        if kind == "passteam_card_ids":
            return lambda c, v: False
    except BadRequest:
        raise _invalid("Invalid filter state value") from None
    raise _invalid(f"Unknown filter type {str(kind)[:40]!r}")


_ORDER: dict[str, Callable[[Client, Visits], Any]] = {
    "id": lambda c, v: c.id,
    "name": lambda c, v: c.fullname.lower(),
    "phone": lambda c, v: c.phone,
    "email": lambda c, v: c.email.lower(),
    "discount": lambda c, v: c.discount,
    "first_visit_date": lambda c, v: v.first or dt.date.min,
    "last_visit_date": lambda c, v: v.last or dt.date.min,
    "sold_amount": sold_amount,
    "visit_count": lambda c, v: v.count,
}


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


FIELDS: dict[str, Callable[[Client, Visits], Any]] = {
    "id": lambda c, v: c.id,
    "name": lambda c, v: c.fullname,
    "surname": lambda c, v: c.surname,
    "middle_name": lambda c, v: c.middle_name,
    "phone": lambda c, v: c.phone,
    "email": lambda c, v: c.email,
    "card": lambda c, v: c.card,
    "birth_date": lambda c, v: _day(c.birth_date),
    "comment": lambda c, v: c.comment,
    "discount": lambda c, v: c.discount,
    "gender_id": lambda c, v: c.gender_id,
    "importance_id": lambda c, v: c.importance_id,
    "sms_check": lambda c, v: c.sms_check,
    "sms_not": lambda c, v: c.sms_not,
    "spent": lambda c, v: c.spent,
    "balance": lambda c, v: c.balance,
    "categories": lambda c, v: list(c.categories),
    "last_change_date": lambda c, v: c.changed.isoformat(),
    "visit_count": lambda c, v: v.count,
    "first_visit_date": lambda c, v: _day(v.first),
    "last_visit_date": lambda c, v: _day(v.last),
    "sold_amount": sold_amount,
}


def search(world: World, location_id: int, body: dict[str, Any]) -> tuple[list[Any], int]:
    """(one page of items, total number of matching clients)."""
    page = integer(body.get("page"), "page", default=1)
    size = integer(body.get("page_size"), "page_size", default=25)
    if page < 1:
        raise _invalid(f"page must be 1 or more, got {page}", "page")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise _invalid(f"page_size must be between 1 and {MAX_PAGE_SIZE}", "page_size")
    fields = body.get("fields") or ["id", "name"]
    if not isinstance(fields, list) or not all(isinstance(f, str) and f in FIELDS for f in fields):
        raise _invalid(f"fields must be a list of {', '.join(FIELDS)}", "fields")
    order = body.get("order_by") or "id"
    direction = str(body.get("order_by_direction") or "ASC").upper()
    if not isinstance(order, str) or order not in _ORDER or direction not in ("ASC", "DESC"):
        raise _invalid("order_by or order_by_direction is not one of the documented values")
    combine = body.get("operation") or "AND"
    filters = body.get("filters") or []
    if combine not in ("AND", "OR") or not isinstance(filters, list):
        raise _invalid("operation must be AND or OR, filters a list")
    tests = [_test(item) for item in filters]
    join = all if combine == "AND" else any
    seen = visits(world, location_id)
    matching = [
        (c, seen.get(c.id, Visits()))
        for c in world.crm.clients_at(location_id)
        if not tests or join(t(c, seen.get(c.id, Visits())) for t in tests)
    ]
    matching.sort(key=lambda cv: (_ORDER[order](*cv), cv[0].id), reverse=direction == "DESC")
    chosen = matching[(page - 1) * size : page * size]
    items = [{"id": c.id, **{f: FIELDS[f](c, v) for f in fields}} for c, v in chosen]
    return items, len(matching)
