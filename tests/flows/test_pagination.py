"""The generated iterators against the sandbox, which serves Altegio's paged lists."""

from __future__ import annotations

import datetime as dt

import pytest

from altegio_async import AltegioClient, BusinessSession, UnprocessableEntityError, UsageError
from altegio_async.models import ClientQuery, VoipCallsQuery
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    BusinessSeed,
    RateLimits,
    Sandbox,
    SandboxConfig,
)
from tests._booking import LOCATION

CALLS = "list_voip_calls"


def month(sandbox: Sandbox) -> VoipCallsQuery:
    today = sandbox.world.today
    return VoipCallsQuery(
        salon_id=LOCATION, date_from=str(today - dt.timedelta(days=31)), date_to=str(today)
    )


async def test_every_call_of_every_page(client: AltegioClient, sandbox: Sandbox) -> None:
    session = await client.login_business(
        login=DEFAULT_BUSINESS_LOGIN, password=DEFAULT_BUSINESS_PASSWORD
    )
    expected = [c.id for c in sandbox.world.calls if c.location_id == LOCATION]
    assert len(expected) == 57  # the sandbox's history: six pages of ten

    calls = session.voip_integration.iter_list_voip_calls(body=month(sandbox), page_size=10)
    assert [call.id async for call in calls] == expected
    assert sandbox.count(CALLS) == 6  # the short sixth page ends it

    sizes = [len(page) async for page in calls.pages()]
    assert sizes == [10, 10, 10, 10, 10, 7]
    later = session.voip_integration.iter_list_voip_calls(
        body=month(sandbox), first_page=5, page_size=10
    )
    assert [call.id for call in await later.to_list()] == expected[40:]


async def test_a_full_last_page_costs_one_empty_request(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    session = await client.login_business(
        login=DEFAULT_BUSINESS_LOGIN, password=DEFAULT_BUSINESS_PASSWORD
    )
    calls = await session.voip_integration.iter_list_voip_calls(
        body=month(sandbox), page_size=19
    ).to_list()
    assert len(calls) == 57 and sandbox.count(CALLS) == 4  # 19 + 19 + 19 + []


async def test_query_paging(client: AltegioClient, sandbox: Sandbox) -> None:
    locations = client.marketplace.iter_list_marketplace_app_locations(
        application_id=1, page_size=1
    )
    assert [loc.id async for loc in locations] == sorted(sandbox.world.locations)
    assert sandbox.count("list_marketplace_app_locations") == 3


async def test_bad_page_arguments(client: AltegioClient, sandbox: Sandbox) -> None:
    with pytest.raises(UsageError, match="page_size 1001 is above the 1000"):
        client.marketplace.iter_list_marketplace_app_locations(application_id=1, page_size=1001)
    with pytest.raises(UsageError, match="first_page must be a whole number"):
        client.marketplace.iter_list_marketplace_app_locations(application_id=1, first_page=0)
    # The sandbox refuses what Altegio refuses, naming the parameter.
    with pytest.raises(UnprocessableEntityError, match="count must be between 1 and 1000"):
        await client.marketplace.list_marketplace_app_locations(application_id=1, page=1, count=0)
    assert sandbox.count("list_marketplace_app_locations") == 1


# ------------------------------------------------------------------ the Business API's forms


def business_sandbox(**seed: int) -> Sandbox:
    config = SandboxConfig(limits=RateLimits(enabled=False), business=BusinessSeed(**seed))
    return Sandbox(config)


async def staff_of(sandbox: Sandbox) -> tuple[AltegioClient, BusinessSession]:
    client = AltegioClient(**sandbox.client_kwargs(), rate_limit=False)
    staff = await client.login_business(
        login=DEFAULT_BUSINESS_LOGIN, password=DEFAULT_BUSINESS_PASSWORD
    )
    return client, staff


async def test_page_and_count_stop_at_the_total() -> None:
    """v1 ``page``/``count``, ``meta.total_count``: 50 past appointments in pages of 10;
    the total ends it, without the empty sixth page a short-page rule would ask for."""
    with business_sandbox(appointments_per_location=50) as sandbox:
        client, staff = await staff_of(sandbox)
        async with client:
            today = sandbox.world.today
            listing = staff.appointments.iter_get_appointment_list(
                location_id=LOCATION,
                start_date=str(today - dt.timedelta(days=400)),
                end_date=str(today),
                page_size=10,
            )
            pages = [[a.id for a in page] async for page in listing.pages()]
            assert [len(p) for p in pages] == [10] * 5
            assert len({i for page in pages for i in page}) == 50
            assert sandbox.count("get_appointment_list") == 5
            forty = staff.appointments.iter_get_appointment_list(
                location_id=LOCATION, start_date=str(today - dt.timedelta(days=400)),
                end_date=str(today), page_size=10, max_items=40,
            )  # fmt: skip
            assert len(await forty.to_list()) == 40


async def test_a_search_pages_in_its_body() -> None:
    """``POST /company/{id}/clients/search``: ``page``/``page_size`` in the JSON body."""
    with business_sandbox(clients_per_location=53) as sandbox:
        client, staff = await staff_of(sandbox)
        async with client:
            search = staff.clients.iter_get_client_list(
                location_id=LOCATION, body=ClientQuery(fields=["id", "name"]), page_size=20
            )
            pages = [[c.id for c in page] async for page in search.pages()]
            assert [len(p) for p in pages] == [20, 20, 13]
            assert len({i for page in pages for i in page}) == 53
            assert sandbox.count("get_client_list") == 3


async def test_v2_pages_with_page_and_limit() -> None:
    """v2 JSON:API: ``page``/``limit``, ``meta.pagination`` without a total."""
    with business_sandbox(appointments_per_location=31) as sandbox:
        client, staff = await staff_of(sandbox)
        async with client:
            listing = staff.v2.appointments.iter_list_appointments(
                location_id=LOCATION, page_size=10
            )
            pages = [[a.id for a in page] async for page in listing.pages()]
            assert [len(p) for p in pages] == [10, 10, 10, 1]
            assert len({i for page in pages for i in page}) == 31
            assert sandbox.count("v2.list_appointments") == 4


async def test_page_and_page_size() -> None:
    """Loyalty searches: ``page``/``page_size``; 23 gift card types in pages of 10."""
    with business_sandbox() as sandbox:
        client, staff = await staff_of(sandbox)
        async with client:
            types = staff.subscriptions_certificates.iter_get_gift_card_type_list(
                location_id=LOCATION, page_size=10
            )
            pages = [[t.id for t in page] async for page in types.pages()]
            assert [len(p) for p in pages] == [10, 10, 3]
            assert len({i for page in pages for i in page}) == 23
            assert sandbox.count("get_gift_card_type_list") == 3


async def test_page_and_limit() -> None:
    """A chain's deposits: ``page``/``limit``; one account per client of the chain."""
    with business_sandbox(clients_per_location=26) as sandbox:
        client, staff = await staff_of(sandbox)
        async with client:
            accounts = staff.deposits.iter_get_client_account_list_by_chain(
                chain_id=1, page_size=20
            )
            pages = [page async for page in accounts.pages()]
            assert [len(p) for p in pages] == [20, 20, 12]  # two locations' 52 clients
            ids = {a["client"]["id"] for page in pages for a in page}
            assert len(ids) == 52 == len(sandbox.world.crm.clients)
            assert sandbox.count("get_client_account_list_by_chain") == 3
