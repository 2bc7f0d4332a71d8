"""Where each bundle's operations go: one host argument, the bundle's own server path."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from altegio_async import AltegioClient, UsageError
from altegio_async.models import ClientQuery

PARTNER = "partner-token"
SEEN: list[str] = []


def answer(request: httpx.Request) -> httpx.Response:
    SEEN.append(str(request.url))
    return httpx.Response(200, json={"success": True, "data": [], "meta": {}})


@pytest.fixture
def seen() -> Iterator[list[str]]:
    SEEN.clear()
    yield SEEN


def client(
    base_url: str = "https://api.alteg.io", app_base_url: str = "https://app.alteg.io"
) -> AltegioClient:
    pool = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return AltegioClient(
        PARTNER, base_url=base_url, app_base_url=app_base_url, rate_limit=False, http_client=pool
    )


async def test_one_call_per_bundle_goes_to_its_server(seen: list[str]) -> None:
    async with client() as altegio:
        session = altegio.with_business_token("user-token")
        await altegio.dictionaries.get_country_list()  # developers
        await altegio.online_booking.get_i18n_options(lang_code="en-US")  # public
        await session.clients.get_client_list(location_id=1, body=ClientQuery(page=1))  # b2b-v1
        await session.v2.tags.list_tags(location_id=1)  # b2b-v2
        await altegio.marketplace.get_marketplace_integration_status(
            location_id=1, application_id=2
        )
    assert seen[0] == "https://api.alteg.io/api/v1/countries"
    assert seen[1].startswith("https://api.alteg.io/api/v1/i18n/en-US")
    assert seen[2].startswith("https://api.alteg.io/api/v1/company/1/clients/search")
    assert seen[3].startswith("https://api.alteg.io/api/v2/locations/1/tags")
    assert seen[4].startswith("https://app.alteg.io/marketplace/salon/1/application/2")


async def test_one_base_url_moves_every_version(seen: list[str]) -> None:
    async with client(base_url="http://127.0.0.1:9/proxy/", app_base_url="http://app.test") as c:
        session = c.with_business_token("user-token")
        await c.dictionaries.get_country_list()
        await session.v2.tags.list_tags(location_id=1)
        await c.marketplace.get_marketplace_integration_status(location_id=1, application_id=2)
    assert seen[0] == "http://127.0.0.1:9/proxy/api/v1/countries"
    assert seen[1].startswith("http://127.0.0.1:9/proxy/api/v2/locations/1/tags")
    assert seen[2].startswith("http://app.test/marketplace/salon/1/application/2")


@pytest.mark.parametrize("url", ["https://api.alteg.io/api/v1", "http://sandbox.test/api/v2/"])
def test_a_base_url_with_a_version_is_refused_with_what_to_pass(url: str) -> None:
    with pytest.raises(UsageError, match=r"without an API version.*pass '(https|http)://"):
        AltegioClient(PARTNER, base_url=url)


async def test_v1_and_v2_share_the_hosts_rate_limit() -> None:
    async with AltegioClient(PARTNER, base_url="http://one.test") as altegio:
        v1 = altegio._core.limiter("https://api.alteg.io")
        assert v1 is not None
        app = altegio._core.limiter("https://app.alteg.io")
        assert app is not v1  # another host, another budget
