"""with_options views, per-call extra headers and query, per-attempt timeout and deadline,
against the sandbox (a real server: headers and query are seen on the wire)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from altegio_async import (
    AltegioClient,
    AltegioRateLimiter,
    AltegioTimeoutError,
    RetryPolicy,
    UsageError,
    UserSession,
)
from altegio_async.models import PasswordChange
from altegio_async.sandbox import DEFAULT_LOGIN, DEFAULT_PASSWORD, Fault, Sandbox

COUNTRIES = "get_country_list"
NO_JITTER = RetryPolicy(backoff_base=0.0)


@pytest.fixture
async def wire(sandbox: Sandbox) -> AsyncIterator[tuple[AltegioClient, list[httpx.Request]]]:
    """A client whose pool records every request it sends."""
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    http = httpx.AsyncClient(event_hooks={"request": [record]})
    kwargs = sandbox.client_kwargs()
    async with AltegioClient(
        **kwargs, limiter=AltegioRateLimiter(), retry=NO_JITTER, http_client=http
    ) as c:
        yield c, sent
    await http.aclose()


async def test_headers_and_query_per_view_and_per_call(
    wire: tuple[AltegioClient, list[httpx.Request]],
) -> None:
    client, sent = wire
    traced = client.with_options(headers={"X-Trace": "view"})
    await traced.dictionaries.get_country_list(
        extra_headers={"X-Call": "one"}, extra_query={"lang": "en"}
    )
    await client.dictionaries.get_country_list()
    first, second = sent
    assert (first.headers["x-trace"], first.headers["x-call"]) == ("view", "one")
    assert first.url.params["lang"] == "en"
    assert first.headers["accept"] == "application/vnd.api.v2+json"  # defaults kept
    assert "x-trace" not in second.headers and "lang" not in second.url.params
    nested = traced.with_options(headers={"X-Tenant": "7"})
    await nested.dictionaries.get_country_list()
    assert {"x-trace", "x-tenant"} <= set(sent[-1].headers)


async def test_views_share_limiter_pool_and_session(
    wire: tuple[AltegioClient, list[httpx.Request]],
) -> None:
    client, sent = wire
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    view = session.with_options(timeout=5, deadline=10)
    assert isinstance(view, UserSession) and view.user is session.user
    assert (view.options.deadline, view.options.timeout.read) == (10.0, 5.0)
    assert session.options.deadline is None  # the original is unchanged

    # A password change rotates the token in the view; the session follows.
    old_token = session.user_token
    await view.client_personal_cabinet.update_booking_user_password(
        body=PasswordChange(old_password=DEFAULT_PASSWORD, new_password="n3w-secret")
    )
    assert view.user_token == session.user_token != old_token
    me = await session.client_personal_cabinet.get_booking_user()
    assert me.phone == DEFAULT_LOGIN

    limiter = client._core.limiter("https://api.alteg.io")
    assert isinstance(limiter, AltegioRateLimiter)
    assert limiter.acquired == len(sent) == 3  # one limiter for every view


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"headers": {"Authorization": "Bearer x"}}, "Authorization is set by the client"),
        ({"headers": {"X-Name": 3}}, "header names and values must be strings"),
        ({"timeout": -1}, "timeout must be a positive number"),
        ({"deadline": 0}, "deadline must be a positive number"),
        ({"retry": 3}, "retry must be a RetryPolicy"),
    ],
)
async def test_bad_options_are_named(
    client: AltegioClient, options: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        client.with_options(**options)  # type: ignore[arg-type]
    if "headers" not in options:  # the client's own settings are checked alike
        with pytest.raises(UsageError, match=message):
            AltegioClient("partner-token", **options)  # type: ignore[arg-type]


async def test_bad_extra_arguments_are_named(client: AltegioClient, sandbox: Sandbox) -> None:
    with pytest.raises(UsageError, match="extra_headers: header 'X-Bad' has characters"):
        await client.dictionaries.get_country_list(extra_headers={"X-Bad": "é"})
    with pytest.raises(UsageError, match="extra_query must be a mapping"):
        await client.dictionaries.get_country_list(extra_query=["lang"])  # type: ignore[arg-type]
    assert sandbox.count(COUNTRIES) == 0  # refused before sending


async def test_timeout_error_says_how_many_attempts_ran(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    sandbox.faults.add(Fault("latency", delay=0.6, operation=COUNTRIES, times=10))
    patient = client.with_options(retry=RetryPolicy(max_attempts=3, backoff_base=0.0))
    with pytest.raises(AltegioTimeoutError) as caught:
        await patient.dictionaries.get_country_list(timeout=0.1)
    assert caught.value.attempts == 3
    assert "3 attempts" in str(caught.value) and "ReadTimeout" in str(caught.value)


async def test_deadline_bounds_the_whole_call(client: AltegioClient, sandbox: Sandbox) -> None:
    """Per attempt 0.2 s with four attempts would take 0.8 s; the deadline stops at 0.3 s."""
    sandbox.faults.add(Fault("latency", delay=0.6, operation=COUNTRIES, times=10))
    hasty = client.with_options(timeout=0.2, deadline=0.3, retry=NO_JITTER)
    with pytest.raises(AltegioTimeoutError, match=r"deadline of 0.3s passed \(2 attempts"):
        await hasty.dictionaries.get_country_list()
    sandbox.wait_idle()
    assert sandbox.count(COUNTRIES) == 2


async def test_required_headers_on_a_pool_of_its_own(client: AltegioClient) -> None:
    """The client's own pool carries Altegio's headers as defaults; views add theirs."""
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    client._core.http.event_hooks["request"].append(record)
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    await session.with_options(headers={"X-View": "1"}).client_personal_cabinet.get_booking_user()
    login, me = sent
    for request in sent:
        assert request.headers["accept"] == "application/vnd.api.v2+json"
        assert request.headers["content-type"] == "application/json"
    assert login.headers["authorization"].startswith("Bearer ")
    assert ", User " in me.headers["authorization"] and me.headers["x-view"] == "1"
    assert "x-view" not in login.headers


async def test_pool_limits_of_a_pool_of_its_own(sandbox: Sandbox) -> None:
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    kwargs = sandbox.client_kwargs()
    async with AltegioClient(**kwargs, rate_limit=False, limits=limits) as client:
        await asyncio.gather(*(client.dictionaries.get_country_list() for _ in range(10)))
        pool = client._core.http._transport._pool  # type: ignore[attr-defined]
        assert len(pool.connections) <= 2
