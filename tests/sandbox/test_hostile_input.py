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
) -> httpx.Response:
    auth = b"Bearer " + partner + (b", User " + user if user is not None else b"")
    headers = {b"Authorization": auth, b"Content-Type": b"application/json"}
    content = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    url = sandbox.base_url + "/api/v1" + path
    return httpx.request(method, url, headers=headers, content=content)


def user_token(sandbox: Sandbox) -> bytes:
    return sandbox.world.users[DEFAULT_LOGIN].token.encode()


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
