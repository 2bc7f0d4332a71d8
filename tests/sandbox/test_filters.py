"""The sandbox honours every filter the spec documents on the routes it models."""

from __future__ import annotations

import datetime as dt

import pytest

from altegio_async import AltegioClient, NotFoundError, UnprocessableEntityError
from altegio_async.sandbox import DEFAULT_LOGIN, DEFAULT_PASSWORD, Sandbox
from altegio_async.types import UNSET, Unset
from tests._booking import HAIRCUT, LOCATION, appointment, booking, free_slot, got

BEARD, COLOURING, WASH = 332, 333, 99055


def at(day: object, clock: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}:00-05:00")


def local(day: object, clock: str) -> str:
    """``book_services`` takes its date-time as text, as Altegio's example writes it."""
    return f"{day}T{clock}"


async def test_book_services_keeps_to_what_fits_then(client: AltegioClient) -> None:
    online = client.online_booking
    member, when = await free_slot(client)
    day = when.date()
    offered = await online.get_services_available_for_booking(
        location_id=LOCATION, team_member_id=member
    )
    assert {got(s.id) for s in got(offered.services)} == {HAIRCUT, BEARD, COLOURING, WASH}
    # an hour before closing: the 90-minute colouring no longer fits
    late = await online.get_services_available_for_booking(
        location_id=LOCATION, team_member_id=member, datetime_=local(day, "18:00")
    )
    assert {got(s.id) for s in got(late.services)} == {HAIRCUT, BEARD, WASH}
    # with a haircut already chosen, nothing else fits in that hour
    added = await online.get_services_available_for_booking(
        location_id=LOCATION, team_member_id=member, datetime_=local(day, "18:00"),
        service_ids=[HAIRCUT],
    )  # fmt: skip
    assert got(added.services) == []
    early = await online.get_services_available_for_booking(
        location_id=LOCATION, team_member_id=member, datetime_=local(day, "10:00"),
        service_ids=[HAIRCUT],
    )  # fmt: skip
    assert {got(s.id) for s in got(early.services)} == {HAIRCUT, BEARD, COLOURING, WASH}


async def test_book_staff_is_bookable_only_when_free_then(client: AltegioClient) -> None:
    online = client.online_booking
    member, when = await free_slot(client)
    await online.create_online_booking(
        location_id=LOCATION, body=booking(appointment(member, when))
    )

    async def bookable(then: dt.datetime | Unset = UNSET) -> bool:
        staff = await online.get_team_members_available_for_booking(
            location_id=LOCATION, service_ids=[HAIRCUT], datetime_=then
        )
        return next(bool(m.bookable) for m in staff if m.id == member)

    assert await bookable()  # free on other days and hours
    assert not await bookable(when)  # but not when already booked
    assert await bookable(when + dt.timedelta(hours=2))


async def test_nearest_slots_start_from_the_day_asked(client: AltegioClient) -> None:
    online = client.online_booking
    member, _ = await free_slot(client)
    nearest = await online.get_nearest_time_slots(location_id=LOCATION, team_member_id=member)
    first = dt.date.fromisoformat(str(got(nearest.seance_date)))
    later = first + dt.timedelta(days=3)
    since = await online.get_nearest_time_slots(
        location_id=LOCATION, team_member_id=member, datetime_=at(later, "10:00")
    )
    day = dt.date.fromisoformat(str(got(since.seance_date)))
    assert later <= day < later + dt.timedelta(days=3)


async def test_book_dates_keeps_to_the_month_of_date(client: AltegioClient) -> None:
    online = client.online_booking
    everything = await online.get_dates_available_for_booking(location_id=LOCATION)
    dates = [dt.date.fromisoformat(str(d)) for d in got(everything.booking_dates)]
    for month in sorted({(d.year, d.month) for d in dates}):
        some_day = dt.date(*month, 15)
        period = await online.get_dates_available_for_booking(location_id=LOCATION, date=some_day)
        got_dates = [dt.date.fromisoformat(str(d)) for d in got(period.booking_dates)]
        assert got_dates == [d for d in dates if (d.year, d.month) == month]
        assert got_dates


async def test_cities_include_the_location_city(client: AltegioClient, sandbox: Sandbox) -> None:
    cities = client.dictionaries
    uk = await cities.get_city_list(country_id=3)
    assert [c.title for c in uk] == ["London"]
    with_own = await cities.get_city_list(country_id=3, location_id=LOCATION)
    assert {c.title for c in with_own} == {"London", "Syracuse"}
    with pytest.raises(NotFoundError):
        await cities.get_city_list(country_id=3, location_id=999)


async def test_payment_link_carries_the_discount(client: AltegioClient) -> None:
    market = client.marketplace
    plain = await market.marketplace_partner_application_payment_link(
        location_id=LOCATION, application_id=7
    )
    assert "discount" not in str(plain.url)
    reduced = await market.marketplace_partner_application_payment_link(
        location_id=LOCATION, application_id=7, discount=15.5
    )
    assert str(reduced.url).endswith("&discount=15.5")
    with pytest.raises(UnprocessableEntityError, match="discount"):
        await market.marketplace_partner_application_payment_link(
            location_id=LOCATION, application_id=7, discount=150
        )
    with pytest.raises(NotFoundError):
        await market.marketplace_partner_application_payment_link(location_id=999, application_id=7)


async def test_phone_code_needs_a_location_or_a_chain(client: AltegioClient) -> None:
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    cabinet = session.client_personal_cabinet
    await cabinet.send_phone_update_verification_code(
        location_id=LOCATION, group_id=0, phone="+13155550176"
    )
    with pytest.raises(UnprocessableEntityError, match="company_id or group_id"):
        await cabinet.send_phone_update_verification_code(
            location_id=0, group_id=0, phone="+13155550176"
        )
    with pytest.raises(NotFoundError):
        await cabinet.send_phone_update_verification_code(
            location_id=999, group_id=0, phone="+13155550176"
        )
