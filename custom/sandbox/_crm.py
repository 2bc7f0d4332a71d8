"""The locations' client bases and the business users who manage them.

A client belongs to one location and is known there by phone: adding a second
client with a phone the location already has is refused, and an online booking
finds (or adds) its client by phone.  Business users log in with ``POST /auth``
(by email or phone) and see only the locations they have access to.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

import attrs

from ._checks import TZ, BadRequest, Rejected, integer, integers, number, same_secret, text

DIGITS = re.compile(r"^\d{9,15}$")
GENDERS = {0: "unknown", 1: "Male", 2: "Female"}
IMPORTANCE = {0: "No importance class", 1: "Bronze", 2: "Silver", 3: "Gold"}
# The client categories (labels) every location has: id -> (title, colour).
CATEGORIES = {1: ("VIP", "#e8d313"), 2: ("Regular", "#009800"), 3: ("Black list", "#0f0f0f")}
FIRST_CLIENT_ID = 500


@attrs.define
class BusinessUser:
    id: int
    email: str
    phone: str
    password: str
    name: str
    location_ids: frozenset[int]
    token: str = attrs.field(factory=lambda: secrets.token_hex(16))


@attrs.define
class Client:
    id: int
    location_id: int
    name: str
    phone: str  # "+" and digits
    surname: str = ""
    middle_name: str = ""
    email: str = ""
    gender_id: int = 0
    importance_id: int = 0
    discount: float = 0
    card: str = ""
    birth_date: dt.date | None = None
    comment: str = ""
    spent: float = 0
    balance: float = 0
    sms_check: int = 0
    sms_not: int = 0
    categories: tuple[int, ...] = ()
    custom_fields: dict[str, Any] = attrs.field(factory=dict)
    changed: dt.datetime = attrs.field(factory=lambda: dt.datetime.now(TZ))
    deleted: bool = False

    @property
    def fullname(self) -> str:
        return " ".join(p for p in (self.name, self.middle_name, self.surname) if p)


def phone_of(value: Any) -> str:
    """A client phone as Altegio keeps it: ``+`` and 9 to 15 digits."""
    phone = text(value, "phone").strip()
    if not phone:
        raise Rejected(422, "Customer phone number cannot be empty")
    digits = re.sub(r"[\s()\-]", "", phone).removeprefix("+")
    if not DIGITS.match(digits):
        raise Rejected(422, "Phone must contain 9 to 15 digits")
    return "+" + digits


def _birth_date(value: Any) -> dt.date | None:
    """``YYYY-MM-DD`` (or a Unix time, as Altegio's examples send it); empty: unknown."""
    raw = text(value, "birth_date").strip()
    if not raw:
        return None
    if raw.isdigit() and len(raw) < 12:
        return dt.datetime.fromtimestamp(int(raw), TZ).date()
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise BadRequest(f"birth_date must be a YYYY-MM-DD date, got {raw[:40]!r}") from None


# body field -> how to read it (the fields create_client and update_client take)
_READERS: dict[str, Any] = {
    "surname": lambda v: text(v, "surname"),
    "middle_name": lambda v: text(v, "middle_name"),
    "email": lambda v: text(v, "email"),
    "gender_id": lambda v: _choice(integer(v, "gender_id"), GENDERS, "gender_id"),
    "importance_id": lambda v: _choice(integer(v, "importance_id"), IMPORTANCE, "importance_id"),
    "discount": lambda v: number(v, "discount"),
    "card": lambda v: text(v, "card"),
    "birth_date": _birth_date,
    "comment": lambda v: text(v, "comment"),
    "spent": lambda v: number(v, "spent"),
    "balance": lambda v: number(v, "balance"),
    "sms_check": lambda v: integer(v, "sms_check"),
    "sms_not": lambda v: integer(v, "sms_not"),
    "categories": lambda v: _categories(v, "categories"),
    "labels": lambda v: _categories(v, "labels"),
    "custom_fields": lambda v: _custom_fields(v),
}


def _choice(value: int, known: dict[int, str], field: str) -> int:
    if value not in known:
        raise BadRequest(f"{field} must be one of {sorted(known)}, got {value}")
    return value


def _categories(value: Any, field: str) -> tuple[int, ...]:
    if isinstance(value, dict):  # PHP's view of a list: {"0": 1, "1": 2}
        value = list(value.values())
    ids = integers(value, field)
    unknown = [i for i in ids if i not in CATEGORIES]
    if unknown:
        raise BadRequest(f"{field}: no client category {unknown[0]}")
    return ids


def _custom_fields(value: Any) -> dict[str, Any]:
    if isinstance(value, list) and not value:  # PHP's empty map
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"custom_fields must be an object, got {type(value).__name__}")
    return dict(value)


class Crm:
    """Clients by id (every location's) and business users by login."""

    def __init__(self) -> None:
        self.clients: dict[int, Client] = {}
        self.users: dict[str, BusinessUser] = {}
        self._by_phone: dict[tuple[int, str], Client] = {}
        self._next_client = FIRST_CLIENT_ID

    # --- business users ----------------------------------------------------------

    def add_user(self, user: BusinessUser) -> None:
        self.users[user.email] = self.users[user.phone] = user

    def login(self, login: Any, password: Any) -> BusinessUser | None:
        user = self.users.get(login) if isinstance(login, str) else None
        if user is None or not same_secret(password, user.password):
            return None
        return user

    def user_by_token(self, token: str | None) -> BusinessUser | None:
        if not token:
            return None
        return next((u for u in self.users.values() if same_secret(token, u.token)), None)

    # --- clients -------------------------------------------------------------------

    def clients_at(self, location_id: int) -> list[Client]:
        return [c for c in self.clients.values() if c.location_id == location_id and not c.deleted]

    def client(self, location_id: int, client_id: int) -> Client:
        found = self.clients.get(client_id)
        if found is None or found.deleted or found.location_id != location_id:
            raise Rejected(404, f"Client {client_id} not found")
        return found

    def add(self, location_id: int, body: Any) -> Client:
        """A new client from a create_client body (``name`` and ``phone`` required)."""
        if not isinstance(body, dict):
            raise BadRequest(f"a client must be an object, got {type(body).__name__}")
        name = text(body.get("name"), "name").strip()
        if not name:
            raise Rejected(422, "Client name not specified")
        phone = phone_of(body.get("phone"))
        if (location_id, phone) in self._by_phone:
            raise Rejected(
                422, "The client with the specified phone number already exists in the database"
            )
        client = Client(id=self._next_client, location_id=location_id, name=name, phone=phone)
        self.apply(client, body)
        self._next_client += 1
        self.clients[client.id] = client
        self._by_phone[(location_id, phone)] = client
        return client

    def apply(self, client: Client, body: dict[str, Any]) -> None:
        """Set the fields the body names (name and phone are checked by the caller)."""
        values = {key: read(body[key]) for key, read in _READERS.items() if key in body}
        if "labels" in values:
            values["categories"] = values.pop("labels")
        for key, value in values.items():
            setattr(client, key, value)
        client.changed = dt.datetime.now(TZ)

    def update(self, client: Client, body: dict[str, Any]) -> None:
        """A full update (update_client): ``name`` and ``phone`` are required again."""
        name = text(body.get("name"), "name").strip()
        if not name:
            raise Rejected(422, "Client name not specified")
        phone = phone_of(body.get("phone"))
        other = self._by_phone.get((client.location_id, phone))
        if other is not None and other is not client:
            raise Rejected(
                422, "The client with the specified phone number already exists in the database"
            )
        self.apply(client, body)
        del self._by_phone[(client.location_id, client.phone)]
        client.name, client.phone = name, phone
        self._by_phone[(client.location_id, phone)] = client

    def remove(self, client: Client) -> None:
        client.deleted = True
        del self._by_phone[(client.location_id, client.phone)]

    def client_for(self, location_id: int, phone: str, name: str, email: str = "") -> Client:
        """The location's client with this phone, added if new (as a booking does)."""
        found = self._by_phone.get((location_id, phone_of(phone)))
        if found is not None:
            return found
        return self.add(location_id, {"name": name or phone, "phone": phone, "email": email})
