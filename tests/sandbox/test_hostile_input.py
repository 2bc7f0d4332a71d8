"""Bad input never becomes a 500: each input that once crashed the sandbox, by raw HTTP.

Sent with httpx directly (the SDK would refuse most of these before sending), and
answered as Altegio answers: a 4xx with its error envelope, naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from altegio_async import AltegioClient, UsageError
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_LOGIN,
    DEFAULT_PARTNER_TOKEN,
    RateLimits,
    Sandbox,
    SandboxConfig,
)

LOCATION = 4564
CONFIRMING = 4565  # the location that asks for an SMS code


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(limits=RateLimits(enabled=False))) as sandbox:
        member = sandbox.world.team[6544]
        day = sandbox.world.working_dates(member)[0]
        FREE.append(sandbox.world.free_slots(member, day, [331])[0].isoformat())
        yield sandbox


def send(
    sandbox: Sandbox,
    method: str,
    path: str,
    body: Any = None,
    *,
    partner: bytes = DEFAULT_PARTNER_TOKEN.encode(),
    user: bytes | None = None,
    raw: bytes | None = None,
) -> httpx.Response:
    """``path`` under ``/api/v1`` (or a whole path starting ``/api/``); ``raw``: a body
    sent as it is, not as JSON."""
    auth = b"Bearer " + partner + (b", User " + user if user is not None else b"")
    headers = {b"Authorization": auth, b"Content-Type": b"application/json"}
    content = raw if raw is not None else None if body is None else json.dumps(body).encode()
    url = sandbox.base_url + ("" if path.startswith("/api/") else "/api/v1") + path
    return httpx.request(method, url, headers=headers, content=content)


def user_token(sandbox: Sandbox) -> bytes:
    return sandbox.world.users[DEFAULT_LOGIN].token.encode()


def business_token(sandbox: Sandbox) -> bytes:
    return sandbox.world.crm.users[DEFAULT_BUSINESS_LOGIN].token.encode()


def refused(reply: httpx.Response, status: int, field: str | None = None) -> None:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["success"] is False and body["meta"]["message"]
    if field is not None:
        assert field in body["meta"]["message"]


@pytest.mark.parametrize("path", ["/booking/auth", "/user/auth"])
def test_non_ascii_password_or_code_is_a_401(box: Sandbox, path: str) -> None:
    refused(send(box, "POST", path, {"login": DEFAULT_LOGIN, "password": "пароль"}), 401)


def test_non_ascii_old_password_is_a_403(box: Sandbox) -> None:
    body = {"old_password": "старый", "new_password": "новый-пароль"}
    refused(send(box, "PUT", "/booking/user/password", body, user=user_token(box)), 403)


def test_non_ascii_tokens_are_401s(box: Sandbox) -> None:
    refused(send(box, "GET", "/countries", partner="ключ".encode()), 401)
    refused(send(box, "GET", "/booking/user/data", user="токен".encode()), 401)


FREE: list[str] = []  # a bookable time in the running sandbox (set by the box fixture)


def booking(**changes: Any) -> dict[str, Any]:
    visit = {"id": 1, "services": [331], "staff_id": 6544, "datetime": FREE[-1]}
    visit.update(changes.pop("visit", {}))
    return {"fullname": "James", "phone": "+13155550175", "appointments": [visit], **changes}


def test_non_ascii_sms_code_is_a_432(box: Sandbox) -> None:
    reply = send(box, "POST", f"/book_record/{CONFIRMING}", booking(code="код"))
    refused(reply, 422)
    assert reply.json()["meta"]["errors"][0]["code"] == 432


def test_non_ascii_record_hash_is_a_403(box: Sandbox) -> None:
    refused(send(box, "GET", "/user/records/2820023/хэш"), 404)  # no such record
    made = send(box, "POST", f"/book_record/{LOCATION}", booking()).json()["data"][0]
    refused(send(box, "GET", f"/user/records/{made['record_id']}/хэш"), 403)


@pytest.mark.parametrize("item", ["331", None, [331], {"id": 331}, True, 1.5])
def test_malformed_service_ids_are_422s_naming_the_field(box: Sandbox, item: Any) -> None:
    reply = send(box, "POST", f"/book_record/{LOCATION}", booking(visit={"services": [item]}))
    if item == "331":  # numeric text is read as Altegio (PHP) reads it
        assert reply.status_code == 201, reply.text
    else:
        refused(reply, 422, "appointments[1].services[0]")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"visit": {"staff_id": "James"}}, "appointments[1].staff_id"),
        ({"visit": {"services": "331"}}, "appointments[1].services"),
        ({"notify_by_sms": "yes"}, "notify_by_sms"),
        ({"phone": ["+1"]}, "phone"),
        ({"fullname": {"first": "J"}}, "fullname"),
    ],
)
def test_malformed_fields_are_422s_naming_the_field(
    box: Sandbox, changes: dict[str, Any], field: str
) -> None:
    for path in (f"/book_record/{LOCATION}", f"/book_check/{LOCATION}"):
        reply = send(box, "POST", path, booking(**changes))
        if path.startswith("/book_check") and field in ("notify_by_sms", "phone", "fullname"):
            continue  # the check reads the appointments only
        refused(reply, 422, field)


def test_a_body_that_is_not_an_object_is_a_4xx(box: Sandbox) -> None:
    for body in ("[1, 2]", '"text"', "{not json", "null"):
        reply = httpx.post(
            box.base_url + f"/api/v1/book_record/{LOCATION}",
            content=body,
            headers={"Authorization": f"Bearer {DEFAULT_PARTNER_TOKEN}"},
        )
        assert 400 <= reply.status_code < 500, (body, reply.status_code)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"partner_token": "ключ"}, "partner_token has characters an HTTP header cannot carry"),
        ({"partner_token": "ok", "user_token": "токен"}, "user_token has characters"),
        ({"partner_token": "line\nbreak"}, "partner_token has characters"),
    ],
)
def test_the_client_refuses_tokens_a_header_cannot_carry(
    settings: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        AltegioClient(**settings)  # type: ignore[arg-type]
    assert "ключ" not in str(caught.value) and "токен" not in str(caught.value)
    with pytest.raises(UsageError, match="user_token has characters"):
        AltegioClient("ok").with_user_token("токен")


# --- Business Management routes ------------------------------------------------------------


def test_business_login_and_tokens_that_are_not_ascii(box: Sandbox) -> None:
    body = {"login": DEFAULT_BUSINESS_LOGIN, "password": "пароль"}
    refused(send(box, "POST", "/auth", body), 401)
    refused(send(box, "POST", "/auth", {"login": ["x"], "password": "p"}), 422, "login")
    refused(send(box, "GET", f"/staff/{LOCATION}", user="токен".encode()), 401)
    refused(send(box, "GET", f"/api/v2/locations/{LOCATION}/services", user=b"\xff\xfe"), 401)


def test_a_booking_token_on_business_routes_is_a_403(box: Sandbox) -> None:
    for method, path in [
        ("GET", f"/records/{LOCATION}"),
        ("POST", f"/company/{LOCATION}/clients/search"),
        ("DELETE", f"/client/{LOCATION}/500"),
        ("GET", f"/api/v2/locations/{LOCATION}/team_members"),
    ]:
        refused(send(box, method, path, {}, user=user_token(box)), 403)
    assert not box.world.crm.clients[500].deleted


B2B_BODIES = [
    ("POST", f"/clients/{LOCATION}"),
    ("POST", f"/clients/{LOCATION}/bulk"),
    ("PUT", f"/client/{LOCATION}/500"),
    ("POST", f"/company/{LOCATION}/clients/search"),
    ("POST", f"/records/{LOCATION}"),
]


@pytest.mark.parametrize(("method", "path"), B2B_BODIES)
@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"{not json", b"null", b"1e999999"])
def test_a_business_body_that_is_not_an_object_is_a_4xx(
    box: Sandbox, method: str, path: str, raw: bytes
) -> None:
    reply = send(box, method, path, raw=raw, user=business_token(box))
    if path.endswith("/bulk") and raw == b"[1, 2]":  # a list: each item refused in turn
        assert reply.json()["data"]["created"] == [] and len(reply.json()["data"]["errors"]) == 2
        return
    assert 400 <= reply.status_code < 500, (raw, reply.status_code, reply.text)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", f"/clients/{LOCATION}", {"name": {"first": "J"}, "phone": "+13155550999"}, "name"),
        ("POST", f"/clients/{LOCATION}", {"name": "J", "phone": "+13155550999", "gender_id": "x"},
         "gender_id"),
        ("POST", f"/clients/{LOCATION}", {"name": "J", "phone": "+13155550999", "discount": "NaN"},
         "discount"),
        ("POST", f"/clients/{LOCATION}", {"name": "J", "phone": "+13155550999",
                                          "birth_date": "31/12/1990"}, "birth_date"),
        ("POST", f"/clients/{LOCATION}", {"name": "J", "phone": "+13155550999", "categories": [99]},
         "categories"),
        ("POST", f"/company/{LOCATION}/clients/search", {"page": "one"}, "page"),
        ("POST", f"/company/{LOCATION}/clients/search", {"fields": ["password"]}, "Invalid filter"),
        ("POST", f"/company/{LOCATION}/clients/search", {"filters": [{"type": "id"}]},
         "Invalid filter"),
        ("POST", f"/company/{LOCATION}/clients/search",
         {"filters": [{"type": "sold_amount", "state": {"from": "lots"}}]}, "Invalid filter"),
        ("POST", f"/records/{LOCATION}", {"staff_id": "James"}, "staff_id"),
        ("POST", f"/records/{LOCATION}", {"staff_id": 6544, "services": "331"}, "services"),
        ("POST", f"/records/{LOCATION}", {"staff_id": 6544, "services": [{"id": None}]},
         "services[0].id"),
        ("POST", f"/records/{LOCATION}", {"staff_id": 6544, "services": [], "client": [],
                                          "datetime": "2026-01-01T10:00", "seance_length": 60},
         "client"),
        ("POST", f"/records/{LOCATION}", {"staff_id": 6544, "services": [], "client": {},
                                          "datetime": "tomorrow", "seance_length": 60}, "datetime"),
        ("POST", f"/records/{LOCATION}", {"staff_id": 6544, "services": [], "client": {},
                                          "datetime": "2026-01-01T10:00", "seance_length": -5},
         "seance_length"),
    ],
)  # fmt: skip
def test_malformed_business_fields_are_4xx_naming_the_field(
    box: Sandbox, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    reply = send(box, method, path, body, user=business_token(box))
    assert reply.status_code in (400, 422), reply.text
    meta = reply.json()["meta"]
    assert field in meta["message"] or field in json.dumps(meta.get("errors", ""))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/record/{LOCATION}/999999999", 404),  # unknown IDs
        (f"/client/{LOCATION}/999999999", 404),
        (f"/company/{LOCATION}/staff/1", 404),
        (f"/company/{LOCATION}/services/1", 404),
        ("/staff/1", 404),
        (f"/record/{LOCATION}/abc", 422),  # IDs that are not numbers
        (f"/client/{LOCATION}/1e3", 422),
        (f"/schedule/{LOCATION}/6544/2026-13-45/20261201", 422),
        (f"/schedule/{LOCATION}/6544/20261231/20260101", 422),
        (f"/records/{LOCATION}?page={10**30}&count=10", 422),  # numbers too large
        (f"/records/{LOCATION}?start_date=yesterday", 422),
        (f"/records/{LOCATION}?changed_after=soon", 422),
        (f"/company/{LOCATION}/staff/schedule?include[]=everything", 422),
        ("/api/v2/locations/abc/appointments", 422),
        (f"/api/v2/locations/{LOCATION}/appointments?page=-1", 422),
        (f"/api/v2/locations/{LOCATION}/appointments?filter[client_id]=me", 422),
        (f"/api/v2/locations/{LOCATION}/services?filter[service_ids][]=x", 422),
        (f"/api/v2/locations/{LOCATION}/team_members?filter[fired]=7", 422),
    ],
)
def test_unknown_or_malformed_ids_and_queries(box: Sandbox, path: str, status: int) -> None:
    refused(send(box, "GET", path, user=business_token(box)), status)
