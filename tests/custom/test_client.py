"""AltegioClient against pytest-httpx: auth, envelope, errors, retries, secrets."""

from __future__ import annotations

import datetime as dt
from typing import cast

import httpx
import pytest
from pytest_httpx import HTTPXMock

from altegio_async import (
    AltegioClient,
    AltegioTimeoutError,
    APIError,
    AuthenticationError,
    InvalidResponseError,
    RetryPolicy,
    ServerError,
    SlotUnavailableError,
    UserTokenRequiredError,
)
from altegio_async.custom import _reading
from altegio_async.models import BookingRequest

BASE = "https://api.test"
# Parameters the caller did not set are not sent (pytest-httpx matches the whole URL).
DATES_URL = f"{BASE}/api/v1/book_dates/1"
PARTNER = "partner-secret-token"
USER = "user-secret-token"
# Replies with every always-sent field (scripts/always_sent.yaml) of their models.
DATES = {
    "booking_dates": ["2026-12-06"],
    "booking_days": {"12": [6]},
    "working_dates": ["2026-12-06", "2026-12-07"],
    "working_days": {"12": [6, 7]},
}


def booking_user(**fields: object) -> dict[str, object]:
    """A BookingUser reply (``"0"`` and ``user_token`` are always sent, both secret)."""
    user = {
        "0": "user-secret-token",
        "id": 5,
        "name": "James",
        "login": "james",
        "email": "james@example.com",
        "phone": "+13155550175",
        "avatar": "",
        "user_token": "user-secret-token",
    }
    return {**user, **fields}


@pytest.fixture
async def client() -> AltegioClient:
    return AltegioClient(
        PARTNER,
        base_url=BASE,
        rate_limit=False,
        retry=RetryPolicy(backoff_base=0.0, backoff_max=0.0),
    )


async def test_unwraps_data_and_exposes_meta(client: AltegioClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=DATES_URL,
        json={"success": True, "data": DATES, "meta": []},
    )
    data = await client.online_booking.get_dates_available_for_booking(location_id=1)
    assert data.booking_dates == [dt.date(2026, 12, 6)]
    assert data.booking_days.additional_properties == {"12": [6]}
    request = httpx_mock.get_requests()[0]
    assert request.headers["accept"] == "application/vnd.api.v2+json"
    assert request.headers["authorization"] == f"Bearer {PARTNER}"


async def test_raw_response_has_meta_and_status(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(
        url=DATES_URL,
        json={"success": True, "data": {}, "meta": {"count": 3}},
        headers={"x-request-id": "abc"},
    )
    raw = await client.with_raw_response.online_booking.get_dates_available_for_booking(
        location_id=1
    )
    assert (raw.meta, raw.status_code, raw.headers["x-request-id"]) == ({"count": 3}, 200, "abc")
    assert cast(object, raw.data) is None  # ``{}`` for a model with always-sent fields


@pytest.mark.parametrize(
    "envelope",
    [
        {"success": True, "meta": {"count": 0}},
        {"success": True, "data": None, "meta": {"count": 0}},
        {"success": True, "data": {}, "meta": {"count": 0}},  # PHP's empty container
    ],
    ids=["absent", "null", "php-empty-object"],
)
async def test_a_list_reply_without_data_is_an_empty_list(
    client: AltegioClient, httpx_mock: HTTPXMock, envelope: dict[str, object]
) -> None:
    """The type says ``list[TeamMember]``: no data is no items, never ``None``."""
    httpx_mock.add_response(url=f"{BASE}/api/v1/book_staff/1", json=envelope)
    raw = await client.with_raw_response.online_booking.get_team_members_available_for_booking(
        location_id=1
    )
    assert raw.data == [] and isinstance(raw.data, list) and raw.meta == {"count": 0}


async def test_user_token_operation_without_token_sends_nothing(client: AltegioClient) -> None:
    """mypy refuses the call on the partner's client; made anyway, it sends nothing."""
    with pytest.raises(UserTokenRequiredError, match="get_booking_user"):
        await client.client_personal_cabinet.get_booking_user()  # type: ignore[misc]


async def test_a_session_of_the_other_kind_sends_nothing(client: AltegioClient) -> None:
    """A business user's token on the booking client's cabinet, or the other way round,
    is a mypy error and, made anyway, a UserTokenRequiredError before sending."""
    business = client.with_business_token("business-token-1")
    with pytest.raises(UserTokenRequiredError, match="online-booking client's user token"):
        await business.client_personal_cabinet.get_booking_user()  # type: ignore[misc]
    booking = client.with_user_token("booking-token-1")
    with pytest.raises(UserTokenRequiredError, match=r"business user's .*holds an online-book"):
        await booking.v2.appointments.list_appointments(location_id=1)  # type: ignore[misc]


async def test_user_token_operation_sends_both_tokens(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/api/v1/booking/user/data", json=booking_user())
    me = await client.with_user_token(USER).client_personal_cabinet.get_booking_user()
    assert me.name == "James"
    auth = httpx_mock.get_requests()[0].headers["authorization"]
    assert auth == f"Bearer {PARTNER}, User {USER}"


async def test_password_change_rotates_the_session_token(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    from altegio_async.models import PasswordChange

    httpx_mock.add_response(
        url=f"{BASE}/api/v1/booking/user/password",
        json={"success": True, "data": {"user_token": "rotated-token-1"}, "meta": []},
    )
    httpx_mock.add_response(url=f"{BASE}/api/v1/booking/user/data", json=booking_user())
    session = client.with_user_token(USER)
    body = PasswordChange.from_dict({"password": "old", "new_password": "new"})
    await session.client_personal_cabinet.update_booking_user_password(body=body)
    assert session.user_token == "rotated-token-1"
    await session.client_personal_cabinet.get_booking_user()
    last = httpx_mock.get_requests()[-1].headers["authorization"]
    assert last.endswith("User rotated-token-1")


async def test_success_false_raises_even_with_200(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(
        url=DATES_URL, json={"success": False, "data": None, "meta": {"message": "no"}}
    )
    with pytest.raises(APIError, match="no") as caught:
        await client.online_booking.get_dates_available_for_booking(location_id=1)
    assert caught.value.status_code == 200


def booking() -> BookingRequest:
    return BookingRequest.from_dict(
        {"phone": "+13155550175", "fullname": "James", "appointments": []}
    )


async def test_slot_taken_is_its_own_error(client: AltegioClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/api/v1/book_record/1",
        status_code=422,
        json={
            "success": False,
            "data": None,
            "meta": {
                "message": "An error has occurred",
                "errors": [{"code": 433, "message": "taken"}],
            },
        },
    )
    with pytest.raises(SlotUnavailableError) as caught:
        await client.online_booking.create_online_booking(location_id=1, body=booking())
    assert caught.value.has_code(433) and not caught.value.has_code(437)
    assert caught.value.status_code == 422 and caught.value.method == "POST"


async def test_html_page_with_200_is_an_invalid_response(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=DATES_URL, html="<html><body>Maintenance</body></html>")
    with pytest.raises(InvalidResponseError) as caught:
        await client.online_booking.get_dates_available_for_booking(location_id=1)
    assert caught.value.status_code == 200
    assert "text/html" in str(caught.value) and "Maintenance" in caught.value.snippet


async def test_a_success_without_data_gives_none_and_is_reported(
    client: AltegioClient,
    httpx_mock: HTTPXMock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # reported once per process: forget what earlier tests (``data: {}``) reported
    monkeypatch.setattr(_reading, "_warned", set())
    httpx_mock.add_response(url=DATES_URL, json={"success": True, "meta": {"message": "OK"}})
    raw = await client.with_raw_response.online_booking.get_dates_available_for_booking(
        location_id=1
    )
    assert (cast(object, raw.data), raw.meta) == (None, {"message": "OK"})
    assert "get_dates_available_for_booking.data: expected the documented data, got missing" in (
        caplog.text
    )


async def test_get_is_retried_after_503(client: AltegioClient, httpx_mock: HTTPXMock) -> None:
    url = DATES_URL
    httpx_mock.add_response(url=url, status_code=503, json={"success": False, "meta": {}})
    httpx_mock.add_response(url=url, json={"success": True, "data": {}, "meta": []})
    raw = await client.with_raw_response.online_booking.get_dates_available_for_booking(
        location_id=1
    )
    assert len(httpx_mock.get_requests()) == 2
    assert raw.attempts == 2


async def test_an_error_after_retries_counts_its_attempts(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=DATES_URL, json={"success": True, "data": {}, "meta": []})
    raw = await client.with_raw_response.online_booking.get_dates_available_for_booking(
        location_id=1
    )
    assert raw.attempts == 1
    httpx_mock.add_response(
        url=DATES_URL, status_code=503, json={"success": False, "meta": {}}, is_reusable=True
    )
    with pytest.raises(ServerError) as caught:
        await client.with_options(
            retry=RetryPolicy(max_attempts=3, backoff_base=0.0, backoff_max=0.0)
        ).online_booking.get_dates_available_for_booking(location_id=1)
    assert caught.value.attempts == 3
    assert len(httpx_mock.get_requests()) == 4


async def test_booking_post_is_never_retried(client: AltegioClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/api/v1/book_record/1", status_code=503, text="")
    with pytest.raises(ServerError):
        await client.online_booking.create_online_booking(location_id=1, body=booking())
    assert len(httpx_mock.get_requests()) == 1


async def test_booking_post_read_timeout_is_not_retried(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"), url=f"{BASE}/api/v1/book_record/1")
    with pytest.raises(AltegioTimeoutError, match="timed out"):
        await client.online_booking.create_online_booking(location_id=1, body=booking())
    assert len(httpx_mock.get_requests()) == 1


async def test_rejected_user_token_says_so(client: AltegioClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/api/v1/booking/user/data",
        status_code=401,
        json={"success": False, "data": None, "meta": {"message": f"bad token {USER}"}},
    )
    with pytest.raises(AuthenticationError) as caught:
        await client.with_user_token(USER).client_personal_cabinet.get_booking_user()
    assert caught.value.token == "user"
    assert "user token" in str(caught.value)
    assert USER not in str(caught.value) and USER not in caught.value.body


async def test_secrets_stay_out_of_reprs(client: AltegioClient) -> None:
    session = client.with_user_token(USER)
    for text in (repr(client), str(client), repr(session)):
        assert PARTNER not in text and USER not in text


async def test_arguments_left_out_are_not_sent(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    """No ``staff_id=0&datetime=``: only what the caller passed reaches the query."""
    reply = {"success": True, "data": {"services": [], "category": [], "events": []}, "meta": []}
    httpx_mock.add_response(json=reply, is_reusable=True)
    await client.online_booking.get_services_available_for_booking(location_id=4564)
    await client.online_booking.get_services_available_for_booking(
        location_id=4564, team_member_id=6544
    )
    first, second = httpx_mock.get_requests()
    assert first.url == f"{BASE}/api/v1/book_services/4564"
    assert second.url == f"{BASE}/api/v1/book_services/4564?staff_id=6544"


async def test_a_body_the_spec_forgot_is_returned_not_dropped(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    """GET /privacy_policy and POST /master_record_review document no schema: their
    data comes back as decoded JSON."""
    agreement = {"agreement": {"content": "text of the agreement"}}
    httpx_mock.add_response(json={"success": True, "data": agreement, "meta": []})
    assert await client.online_booking.get_location_privacy_policy(location_id=1) == agreement
