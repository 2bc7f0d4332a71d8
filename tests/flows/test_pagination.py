"""The generated iterators against the sandbox, which serves Altegio's paged lists."""

from __future__ import annotations

import datetime as dt

import pytest

from altegio_async import AltegioClient, UnprocessableEntityError, UsageError
from altegio_async.models import VoipCallsQuery
from altegio_async.sandbox import DEFAULT_LOGIN, DEFAULT_PASSWORD, Sandbox
from tests._booking import LOCATION

CALLS = "list_voip_calls"


def month(sandbox: Sandbox) -> VoipCallsQuery:
    today = sandbox.world.today
    return VoipCallsQuery(
        salon_id=LOCATION, date_from=str(today - dt.timedelta(days=31)), date_to=str(today)
    )


async def test_every_call_of_every_page(client: AltegioClient, sandbox: Sandbox) -> None:
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
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
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
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
