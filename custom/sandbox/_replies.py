"""What every sandbox handler shares: the parsed call, reply helpers, shared shapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from ._checks import BadRequest as BadRequest
from ._crm import BusinessUser
from ._world import TZ, Location, Record, Rejected, TeamMember, User, World

NO_BODY: Any = object()
Result = tuple[int, Any]

# Operations whose bundle types ``data`` as a string in their error replies: Altegio
# leaves ``data`` out of those (the bundle's examples do), and so does the sandbox.
DATA_LEFT_OUT_ON_ERROR = frozenset(
    {"get_service", "get_service_category_list", "get_team_member", "get_client_list"}
)

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


@attrs.frozen
class Call:
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: dict[str, Any]
    raw_body: Any
    user: User | None
    business: BusinessUser | None = None  # the business user (Business Management routes)

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

    def query_all(self, name: str) -> list[str]:
        """Every value of a repeated query parameter (``include=a&include=b``)."""
        getall = getattr(self.query, "getall", None)
        if getall is not None:
            return [str(v) for v in getall(name, [])]
        return [self.query[name]] if name in self.query else []


def ok(data: Any, meta: Any = None, status: int = 200) -> Result:
    return status, {"success": True, "data": data, "meta": [] if meta is None else meta}


def iso(when: dt.datetime) -> str:
    return when.astimezone(TZ).isoformat()


def slot(when: dt.datetime, length: int) -> dict[str, Any]:
    return {
        "time": when.strftime("%H:%M"),
        "seance_length": length,
        "sum_length": length,
        "datetime": iso(when),
    }


class Shapes:
    """Reply fragments that several operations share (company, team member, record...)."""

    def __init__(self, world: World) -> None:
        self.w = world

    def _managed(self, call: Call, name: str = "location_id") -> Location:
        """The location in the path, if the business user may manage it (404, 403)."""
        location = self.w.location(call.path_int(name))
        if call.business is None or location.id not in call.business.location_ids:
            raise Rejected(403, "Access denied.")
        return location

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
            "position": {"id": m.position_id, "title": m.specialization},
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
            "datetime": iso(rec.start),
            "create_date": iso(rec.created),
            "comment": rec.comment,
            "deleted": rec.deleted,
            "attendance": 0,
            "length": rec.length,
            "notify_by_sms": rec.notify_by_sms,
            "notify_by_email": rec.notify_by_email,
            "master_requested": rec.master_requested,
            "online": True,
            "api_id": rec.api_id,
            "last_change_date": iso(rec.created),
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
