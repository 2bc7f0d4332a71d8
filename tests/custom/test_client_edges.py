"""AltegioClient edges: transport errors, the retry budget, bad input, odd bodies."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpx import HTTPXMock

from altegio_async import (
    AltegioClient,
    AltegioConnectionError,
    AltegioError,
    AltegioRateLimiter,
    AltegioTimeoutError,
    APIError,
    InvalidResponseError,
    RateLimitError,
    RetryEvent,
    RetryPolicy,
    UsageError,
)
from altegio_async.api import OPERATIONS
from altegio_async.models import BookingRequest

BASE = "https://api.test"
CITIES = f"{BASE}/api/v1/cities"
BOOK = f"{BASE}/api/v1/book_record/1"
PARTNER = "partner-secret-token"


def make(**kwargs: Any) -> AltegioClient:
    retry = kwargs.pop("retry", RetryPolicy(backoff_base=0.0, backoff_max=0.0))
    limited = "limiter" in kwargs
    return AltegioClient(PARTNER, base_url=BASE, rate_limit=limited, retry=retry, **kwargs)


def booking() -> BookingRequest:
    return BookingRequest(fullname="A", phone="+13155550175", appointments=[])


async def test_connect_error_is_retried_even_for_a_booking(httpx_mock: HTTPXMock) -> None:
    """Nothing was sent, so repeating the POST cannot book twice."""
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=BOOK)
    httpx_mock.add_response(
        url=BOOK, status_code=201, json={"success": True, "data": [], "meta": []}
    )
    events: list[RetryEvent] = []
    async with make(retry=RetryPolicy(backoff_base=0, on_retry=events.append)) as client:
        assert (
            await client.online_booking.create_online_booking(location_id=1, body=booking()) == []
        )
    assert [e.reason for e in events] == ["ConnectError"]


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (httpx.ConnectError("refused"), AltegioConnectionError),
        (httpx.ConnectTimeout("slow"), AltegioTimeoutError),
        (httpx.ReadTimeout("slow"), AltegioTimeoutError),
        (httpx.RemoteProtocolError("peer closed"), AltegioConnectionError),
        (httpx.ReadError("reset"), AltegioConnectionError),
    ],
)
async def test_transport_errors_become_sdk_errors(
    httpx_mock: HTTPXMock, exc: httpx.TransportError, error: type[AltegioError]
) -> None:
    httpx_mock.add_exception(exc, url=CITIES, is_reusable=True)
    async with make(retry=RetryPolicy(max_attempts=2, backoff_base=0)) as client:
        with pytest.raises(error) as caught:
            await client.dictionaries.get_city_list()
    assert caught.value.method == "GET" and caught.value.url == CITIES  # type: ignore[attr-defined]
    assert len(httpx_mock.get_requests()) == 2  # retried once (GET), then raised


async def test_the_total_budget_stops_retries(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CITIES, status_code=503, is_reusable=True)
    events: list[RetryEvent] = []
    policy = RetryPolicy(
        max_attempts=1000,
        backoff_base=0.05,
        backoff_max=0.05,
        total_budget=0.2,
        on_retry=events.append,
    )
    started = time.monotonic()
    async with make(retry=policy) as client:
        with pytest.raises(APIError) as caught:
            await client.dictionaries.get_city_list()
    elapsed = time.monotonic() - started
    assert caught.value.status_code == 503
    assert 1 <= len(events) < 1000  # the budget, not max_attempts, ended it
    assert sum(e.delay for e in events) <= 0.2 < elapsed + 0.05


async def test_429_gives_retry_after_and_pauses_the_limiter(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=CITIES,
        status_code=429,
        headers={"Retry-After": "30"},
        json={"success": False, "data": None, "meta": {"message": "Slow down"}},
    )
    limiter = AltegioRateLimiter()
    async with make(limiter=limiter, retry=RetryPolicy(max_attempts=1)) as client:
        with pytest.raises(RateLimitError) as caught:
            await client.dictionaries.get_city_list()
    assert caught.value.retry_after == 30.0 and caught.value.message == "Slow down"
    assert 29 < limiter.paused_for <= 30


async def test_429_without_retry_after_is_retried_with_backoff(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CITIES, status_code=429)
    httpx_mock.add_response(url=CITIES, json={"success": True, "data": [], "meta": []})
    async with make() as client:
        assert await client.dictionaries.get_city_list() == []


async def test_bad_arguments_raise_usage_error_before_sending(httpx_mock: HTTPXMock) -> None:
    async with make() as client:
        with pytest.raises(UsageError, match="create_online_booking: invalid arguments"):
            await client.online_booking.create_online_booking(
                location_id=1,
                body={"fullname": "A"},  # type: ignore[arg-type]
            )
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"partner_token": ""},
        {"partner_token": "  "},
        {"base_url": "ftp://x"},
        {"app_base_url": "nope"},
        {"user_token": ""},
    ],
)
def test_bad_client_settings(kwargs: dict[str, str]) -> None:
    settings = {"partner_token": PARTNER, **kwargs}
    with pytest.raises(UsageError) as caught:
        AltegioClient(**settings)  # type: ignore[arg-type]
    assert PARTNER not in str(caught.value)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ({"content": b'{"success": true, "data": [{"id": 1', "status_code": 200}, "not JSON"),
        ({"content": b"", "status_code": 200}, "empty body"),
        ({"json": [1, 2], "status_code": 200}, "expected a JSON object envelope"),
        (
            {"json": {"success": True, "data": "cities", "meta": []}},
            r"does not match the spec \(ShapeError: get_city_list data cannot be read: "
            r"expected list\)",
        ),
        (
            {"json": {"success": True, "data": [{"id": "one", "country_id": 7, "title": "NY"}]}},
            # City.id is always sent: a City without a readable id cannot be built
            r"does not match the spec \(ShapeError: .*\[0\] is City \(its id: int, got str 'one'",
        ),
        (
            {
                "content": b"<html>Bad Gateway</html>",
                "status_code": 200,
                "headers": {"content-type": "text/html"},
            },
            "not JSON",
        ),
    ],
    ids=["truncated", "empty", "array", "data-wrong-type", "field-wrong-type", "html"],
)
async def test_odd_bodies(httpx_mock: HTTPXMock, reply: dict[str, Any], expected: str) -> None:
    httpx_mock.add_response(url=CITIES, **reply)
    async with make() as client:
        with pytest.raises(InvalidResponseError, match=expected) as caught:
            await client.dictionaries.get_city_list()
    assert caught.value.status_code == 200


async def test_a_wrong_type_in_an_optional_field_is_none_kept_in_raw_and_reported(
    httpx_mock: HTTPXMock,
) -> None:
    """A value the field's type does not admit is not lost (it stays in ``raw`` and
    ``to_dict()``) but never held by the field: None there, and a mismatch."""
    country = {
        "id": 1,
        "title": "USA",
        "full_title": "United States",
        "currency": "USD",
        "exchange": 1,
        "phone_code": "1",
        "phone_example": "3155550175",
        "phone_template": "+1 XXX XXX XXXX",
        "lang_id": "english",  # optional int
    }
    httpx_mock.add_response(
        url=f"{BASE}/api/v1/countries", json={"success": True, "data": [country]}
    )
    async with make() as client:
        [read] = await client.dictionaries.get_country_list()
    assert read.lang_id is None and read.title == "USA"
    assert read.raw["lang_id"] == read.to_dict()["lang_id"] == "english"
    assert [(m.model, m.field, m.expected) for m in read.mismatches] == [
        ("Country", "lang_id", "int")
    ]


@pytest.mark.parametrize("meta", [[], {}, {"count": 2}, None])
async def test_meta_as_list_object_or_missing(httpx_mock: HTTPXMock, meta: Any) -> None:
    body: dict[str, Any] = {"success": True, "data": []}
    if meta is not None:
        body["meta"] = meta
    httpx_mock.add_response(url=CITIES, json=body)
    async with make() as client:
        raw = await client.with_raw_response.dictionaries.get_city_list()
    assert raw.meta == (meta if isinstance(meta, dict) else {})


async def test_huge_body_is_parsed_and_error_bodies_are_truncated(httpx_mock: HTTPXMock) -> None:
    cities = [{"id": i, "country_id": 1, "title": "x" * 50} for i in range(50_000)]
    httpx_mock.add_response(url=CITIES, json={"success": True, "data": cities, "meta": []})
    huge_error = {"success": False, "data": None, "meta": {"message": "m" * 200_000}}
    httpx_mock.add_response(url=CITIES, status_code=422, json=huge_error)
    async with make() as client:
        assert len(await client.dictionaries.get_city_list()) == 50_000
        with pytest.raises(APIError) as caught:
            await client.dictionaries.get_city_list()
    assert len(caught.value.body) <= 65536


ENVELOPE = st.fixed_dictionaries(
    {},
    optional={
        "success": st.sampled_from([True, False, None, 1, "true"]),
        "data": st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["id", "title", "services", "x"]), inner, max_size=3
                )
            ),
            max_leaves=10,
        ),
        "meta": st.none()
        | st.lists(st.integers(), max_size=2)
        | st.dictionaries(
            st.sampled_from(["message", "errors", "count"]),
            st.text(max_size=5)
            | st.lists(
                st.fixed_dictionaries(
                    {
                        "code": st.integers(400, 500) | st.text(max_size=3),
                        "message": st.text(max_size=5),
                    }
                ),
                max_size=2,
            ),
        ),
    },
)
FUZZED_OPERATIONS = [
    "get_city_list",
    "get_services_available_for_booking",
    "create_online_booking",
    "get_online_booking_details",
    "get_booking_user",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FUZZED_OPERATIONS),
    st.sampled_from([200, 201, 400, 401, 404, 422, 429, 500]),
    ENVELOPE | st.lists(st.integers(), max_size=2),
)
def test_fuzzed_replies_raise_only_sdk_errors(name: str, status: int, body: Any) -> None:
    import importlib

    from altegio_async.custom._envelope import unwrap

    op = OPERATIONS[name]
    module = importlib.import_module(f"altegio_async.api.{op.tag}.{name}")
    request = httpx.Request(op.method, BASE + "/api/v1/x")
    response = httpx.Response(
        status,
        content=json.dumps(body).encode(),
        request=request,
        headers={"content-type": "application/json"},
    )
    try:
        unwrap(op, response, module._parse_success, str, user_token_sent=False)
    except AltegioError:
        pass


async def test_other_callers_pause_after_a_429(httpx_mock: HTTPXMock) -> None:
    """One caller's 429 holds back every caller of the shared limiter."""
    loop = asyncio.get_running_loop()
    httpx_mock.add_response(url=CITIES, status_code=429, headers={"Retry-After": "0.3"})
    httpx_mock.add_response(
        url=CITIES, json={"success": True, "data": [], "meta": []}, is_reusable=True
    )
    limiter = AltegioRateLimiter(margin=0)
    sent_at: list[float] = []

    async def stamp(request: httpx.Request) -> None:
        sent_at.append(loop.time())

    async with make(limiter=limiter, retry=RetryPolicy(max_attempts=1)) as client:
        start = loop.time()
        with pytest.raises(RateLimitError):
            await client.dictionaries.get_city_list()
        client._core.http.event_hooks["request"].append(stamp)
        await asyncio.gather(*(client.dictionaries.get_city_list() for _ in range(3)))
    assert all(t - start >= 0.29 for t in sent_at) and len(sent_at) == 3
