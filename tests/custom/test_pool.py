"""The client's own connection pool: default headers, timeouts, and no cookie jar."""

from __future__ import annotations

import importlib.metadata
from collections.abc import AsyncIterator

import httpx
import pytest
from pytest_httpx import HTTPXMock

import altegio_async
from altegio_async import AltegioClient, UsageError
from altegio_async.custom._pool import CookielessClient

BASE = "https://api.test"
COUNTRIES = f"{BASE}/api/v1/countries"
ME = f"{BASE}/api/v1/booking/user/data"
PARTNER = "partner-secret-token"
USER = "user-secret-token"
EMPTY = {"success": True, "data": [], "meta": []}


def me(number: int) -> dict[str, object]:
    """A BookingUser reply with its always-sent fields (scripts/always_sent.yaml)."""
    return {
        "0": f"hash-{number}",
        "id": number,
        "name": "James",
        "login": f"user{number}",
        "email": f"user{number}@example.com",
        "phone": "+13155550175",
        "avatar": "",
        "user_token": f"token-{number}",
    }


@pytest.fixture(params=["own pool", "given pool"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[AltegioClient]:
    given = httpx.AsyncClient() if request.param == "given pool" else None
    async with AltegioClient(PARTNER, base_url=BASE, rate_limit=False, http_client=given) as c:
        yield c
    if given is not None:
        await given.aclose()


async def test_each_call_sends_one_authorization_of_its_own(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=COUNTRIES, json=EMPTY, is_reusable=True)
    httpx_mock.add_response(url=ME, json=me(5), is_reusable=True)
    session = client.with_user_token(USER)
    await client.dictionaries.get_country_list()
    await session.client_personal_cabinet.get_booking_user()
    await session.dictionaries.get_country_list()  # a partner-only call of a session
    await client.dictionaries.get_country_list()
    sent = [r.headers.get_list("authorization") for r in httpx_mock.get_requests()]
    partner, both = [f"Bearer {PARTNER}"], [f"Bearer {PARTNER}, User {USER}"]
    assert sent == [partner, both, partner, partner]


async def test_a_cookie_one_reply_sets_is_never_sent_by_the_own_pool(
    httpx_mock: HTTPXMock,
) -> None:
    # The pool is shared by every user session: one user's cookie must not ride
    # on another user's calls.
    client = AltegioClient(PARTNER, base_url=BASE, rate_limit=False)
    httpx_mock.add_response(url=ME, json=me(5), headers={"set-cookie": "sid=user-a; Path=/"})
    httpx_mock.add_response(url=ME, json=me(6))
    httpx_mock.add_response(url=COUNTRIES, json=EMPTY)
    await client.with_user_token("user-a-token").client_personal_cabinet.get_booking_user()
    await client.with_user_token("user-b-token").client_personal_cabinet.get_booking_user()
    await client.dictionaries.get_country_list()
    assert [r.headers.get("cookie") for r in httpx_mock.get_requests()] == [None, None, None]
    with pytest.raises(UsageError, match="keeps no cookies"):
        client._core.http.cookies.set("sid", "x")
    with pytest.raises(UsageError, match="keeps no cookies"):
        client._core.http.cookies.update({"sid": "x"})
    with pytest.raises(UsageError, match="http_client="):
        client._core.http.cookies = {"sid": "x"}
    await client.aclose()


async def test_a_given_pool_keeps_its_cookie_jar(httpx_mock: HTTPXMock) -> None:
    given = httpx.AsyncClient()
    client = AltegioClient(PARTNER, base_url=BASE, rate_limit=False, http_client=given)
    httpx_mock.add_response(url=COUNTRIES, json=EMPTY, headers={"set-cookie": "lb=7; Path=/"})
    httpx_mock.add_response(url=COUNTRIES, json=EMPTY)
    await client.dictionaries.get_country_list()
    await client.dictionaries.get_country_list()
    assert httpx_mock.get_requests()[1].headers.get("cookie") == "lb=7"
    await given.aclose()


async def test_the_view_timeout_or_the_call_timeout_reaches_the_exchange(
    client: AltegioClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=COUNTRIES, json=EMPTY, is_reusable=True)
    await client.dictionaries.get_country_list()
    await client.dictionaries.get_country_list(timeout=5)
    await client.with_options(timeout=7).dictionaries.get_country_list()
    sent = [r.extensions["timeout"] for r in httpx_mock.get_requests()]
    default = {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 30.0}
    assert sent == [default, httpx.Timeout(5).as_dict(), httpx.Timeout(7).as_dict()]


async def test_the_own_pool_names_the_sdk_and_a_given_pool_keeps_its_user_agent(
    httpx_mock: HTTPXMock,
) -> None:
    httpx_mock.add_response(url=COUNTRIES, json=EMPTY, is_reusable=True)
    async with AltegioClient(PARTNER, base_url=BASE, rate_limit=False) as client:
        await client.dictionaries.get_country_list()
        await client.with_options(
            headers={"User-Agent": "booking-sync/2"}
        ).dictionaries.get_country_list()
    given = httpx.AsyncClient(headers={"User-Agent": "partner-app/1"})
    async with AltegioClient(PARTNER, base_url=BASE, rate_limit=False, http_client=given) as c:
        await c.dictionaries.get_country_list()
    await given.aclose()
    sent = [r.headers.get_list("user-agent") for r in httpx_mock.get_requests()]
    own = f"altegio-async/{altegio_async.__version__} python-httpx/{httpx.__version__}"
    assert sent == [[own], ["booking-sync/2"], ["partner-app/1"]]


def test_the_version_is_the_distribution_s() -> None:
    assert altegio_async.__version__ == importlib.metadata.version("altegio-async")


def test_the_cookieless_pool_is_an_httpx_client() -> None:
    pool = CookielessClient()
    assert isinstance(pool, httpx.AsyncClient)
    assert not pool.cookies
