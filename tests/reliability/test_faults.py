"""Every fault kind of the sandbox, through the SDK: a typed error or a recovered call.

A ``POST /book_record`` is never sent twice, whatever the fault: the sandbox counts
the requests and the bookings it received.
"""

from __future__ import annotations

import attrs
import pytest

from altegio_async import (
    AltegioClient,
    AltegioConnectionError,
    AltegioTimeoutError,
    InvalidResponseError,
    RateLimitError,
    RetryEvent,
    ServerError,
)
from altegio_async.sandbox import Fault, Sandbox
from tests._booking import LOCATION, appointment, booking, free_slot

COUNTRIES = "get_country_list"
BOOK = "create_online_booking"


@pytest.mark.parametrize(
    ("fault", "content_type", "snippet"),
    [
        (Fault("html", status=200), "text/html", "502 Bad Gateway"),
        (Fault("truncated_json"), "application/json", '{"success": true'),
        (Fault("empty_body", status=200), "application/json", ""),
        (Fault("wrong_content_type"), "text/plain", '{"success": true'),
        (Fault("not_object"), "application/json", "[1, 2, 3]"),
    ],
    ids=lambda v: v.kind if isinstance(v, Fault) else None,
)
async def test_a_broken_body_raises_invalid_response(
    client: AltegioClient, sandbox: Sandbox, fault: Fault, content_type: str, snippet: str
) -> None:
    sandbox.faults.add(attrs.evolve(fault, operation=COUNTRIES))
    with pytest.raises(InvalidResponseError) as caught:
        await client.dictionaries.get_country_list()
    err = caught.value
    assert (err.status_code, err.content_type.split(";")[0]) == (200, content_type)
    assert snippet in err.snippet
    assert err.method == "GET" and err.url.endswith("/countries")
    assert sandbox.count(COUNTRIES) == 1  # a body that is not JSON is not retried
    assert len(await client.dictionaries.get_country_list()) == 4  # the next call is fine


async def test_html_502_is_retried_for_a_get(
    client: AltegioClient, sandbox: Sandbox, retries: list[RetryEvent]
) -> None:
    sandbox.faults.add(Fault("html", status=502, operation=COUNTRIES))
    assert len(await client.dictionaries.get_country_list()) == 4
    assert [(e.attempt, e.reason) for e in retries] == [(1, "HTTP 502")]


async def test_5xx_burst_recovers_within_attempts(
    client: AltegioClient, sandbox: Sandbox, retries: list[RetryEvent]
) -> None:
    sandbox.faults.add(Fault("status", status=503, times=2, operation=COUNTRIES))
    sandbox.faults.add(Fault("status", status=504, times=1, operation=COUNTRIES))
    assert len(await client.dictionaries.get_country_list()) == 4
    assert [e.reason for e in retries] == ["HTTP 503", "HTTP 503", "HTTP 504"]
    assert [e.status_code for e in retries] == [503, 503, 504]  # no need to read reason
    assert sandbox.count(COUNTRIES) == 4


async def test_5xx_beyond_the_attempts_raises_server_error(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    sandbox.faults.add(Fault("status", status=503, times=10, operation=COUNTRIES))
    with pytest.raises(ServerError) as caught:
        await client.dictionaries.get_country_list()
    assert caught.value.status_code == 503
    assert sandbox.count(COUNTRIES) == 4  # max_attempts


@pytest.mark.parametrize("header", ["seconds", "http-date", None])
async def test_429_storm(
    make_client: object, sandbox: Sandbox, header: str | None, retries: list[RetryEvent]
) -> None:
    fault = Fault(
        "rate_limit",
        times=2,
        operation=COUNTRIES,
        retry_after=header,  # type: ignore[arg-type]
        retry_after_seconds=2,
    )
    sandbox.faults.add(fault)
    async with make_client(max_attempts=1) as single:  # type: ignore[operator]
        with pytest.raises(RateLimitError) as caught:
            await single.dictionaries.get_country_list()
    retry_after = caught.value.retry_after
    if header is None:
        assert retry_after is None
    else:  # an HTTP-date has one-second resolution
        assert retry_after is not None and 0.5 <= retry_after <= 2.0
    async with make_client() as patient:  # type: ignore[operator]
        assert len(await patient.dictionaries.get_country_list()) == 4
    assert [(e.reason, e.status_code) for e in retries] == [("HTTP 429", 429)]


async def test_reset_mid_body_retries_a_get(
    client: AltegioClient, sandbox: Sandbox, retries: list[RetryEvent]
) -> None:
    sandbox.faults.add(Fault("reset", operation=COUNTRIES))
    assert len(await client.dictionaries.get_country_list()) == 4
    assert len(retries) == 1 and sandbox.count(COUNTRIES) == 2
    assert retries[0].status_code is None  # no reply: the reason names the error


async def test_read_timeout_retries_a_get(
    client: AltegioClient, sandbox: Sandbox, retries: list[RetryEvent]
) -> None:
    sandbox.faults.add(Fault("latency", delay=0.5, operation=COUNTRIES))
    assert len(await client.dictionaries.get_country_list(timeout=0.2)) == 4
    assert [e.reason for e in retries] == ["ReadTimeout"]


async def test_dropped_keepalive_connections(client: AltegioClient, sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("close_after", times=20))
    for _ in range(20):
        assert len(await client.dictionaries.get_country_list()) == 4


BOOKING_FAULTS = [
    (Fault("reset", operation=BOOK), AltegioConnectionError, 1),
    (Fault("latency", delay=0.5, operation=BOOK), AltegioTimeoutError, 1),
    (Fault("status", status=502, operation=BOOK), ServerError, 0),
    (Fault("status", status=504, operation=BOOK, after_handler=True), ServerError, 1),
    (Fault("html", status=502, operation=BOOK, after_handler=True), ServerError, 1),
    (Fault("truncated_json", operation=BOOK), InvalidResponseError, 1),
    (Fault("empty_body", status=200, operation=BOOK, after_handler=True), InvalidResponseError, 1),
    (Fault("wrong_content_type", operation=BOOK), InvalidResponseError, 1),
]


@pytest.mark.parametrize(
    ("fault", "error", "booked"),
    BOOKING_FAULTS,
    ids=[f"{f.kind}-{f.status}" for f, _, _ in BOOKING_FAULTS],
)
async def test_a_booking_is_never_sent_twice(
    client: AltegioClient,
    sandbox: Sandbox,
    retries: list[RetryEvent],
    fault: Fault,
    error: type[Exception],
    booked: int,
) -> None:
    member, when = await free_slot(client)
    sandbox.faults.add(fault)
    with pytest.raises(error):
        await client.online_booking.create_online_booking(
            location_id=LOCATION, body=booking(appointment(member, when)), timeout=0.2
        )
    assert sandbox.count(BOOK) == 1
    assert retries == []
    sandbox.wait_idle()  # the slow handler outlives the timed-out client
    assert len(sandbox.world.live_records()) == booked


async def test_a_booking_rejected_by_429_is_retried(
    client: AltegioClient, sandbox: Sandbox, retries: list[RetryEvent]
) -> None:
    """Altegio refuses a 429'd request before processing it: repeating it is safe."""
    member, when = await free_slot(client)
    sandbox.faults.add(Fault("rate_limit", operation=BOOK, retry_after_seconds=0.05))
    made = await client.online_booking.create_online_booking(
        location_id=LOCATION, body=booking(appointment(member, when))
    )
    assert len(made) == 1 and len(sandbox.world.live_records()) == 1
    assert sandbox.count(BOOK) == 2 and [e.reason for e in retries] == ["HTTP 429"]
