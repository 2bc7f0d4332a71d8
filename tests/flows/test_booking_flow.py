"""The online-booking flow through the SDK against the sandbox (a real server on 127.0.0.1)."""

from __future__ import annotations

import typing

import pytest

from altegio_async import (
    AltegioClient,
    AuthenticationError,
    LoggedInSession,
    NotFoundError,
    PermissionDeniedError,
    SlotUnavailableError,
    SyncLoggedInSession,
    UnprocessableEntityError,
)
from altegio_async.custom._operation import UserKind
from altegio_async.models import (
    AuthorizedUser,
    BookingCheck,
    PasswordChange,
    RescheduleRequest,
)
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    Sandbox,
)
from tests._booking import HAIRCUT, LOCATION, appointment, booking, free_slot, got, to_check


async def test_login_book_inspect_cancel(client: AltegioClient, sandbox: Sandbox) -> None:
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    assert session.user.phone == DEFAULT_LOGIN  # a LoggedInSession: user is never None
    assert session.with_options(timeout=5).user is session.user

    services = await client.online_booking.get_services_available_for_booking(location_id=LOCATION)
    assert HAIRCUT in {s.id for s in got(services.services)}
    member_id, when = await free_slot(client)

    check = BookingCheck(appointments=[to_check(appointment(member_id, when))])
    checked = await client.with_raw_response.online_booking.validate_booking_params(
        location_id=LOCATION, body=check
    )
    assert (checked.status_code, checked.data) == (201, None)
    assert sandbox.world.live_records() == []  # checking books nothing

    created = await client.online_booking.create_online_booking(
        location_id=LOCATION, body=booking(appointment(member_id, when))
    )
    assert [c.id for c in created] == [1]
    record_id, record_hash = got(created[0].record_id), got(created[0].record_hash)
    assert [r.id for r in sandbox.world.live_records()] == [record_id]

    details = await session.online_booking.get_online_booking_details(
        location_id=LOCATION, appointment_id=record_id, record_hash=record_hash
    )
    assert (details.id, details.datetime_, got(details.staff).id) == (record_id, when, member_id)

    mine = await session.client_personal_cabinet.get_user_appointment_list(
        appointment_id=record_id, record_hash=record_hash
    )
    assert [r.id for r in mine] == [record_id]

    # The slot is no longer offered, and comes back after the cancellation.
    day = when.date()
    offered = await client.online_booking.get_time_slots_for_booking(
        location_id=LOCATION, team_member_id=member_id, date=day, service_ids=[HAIRCUT]
    )
    assert when not in {t.datetime_ for t in offered}

    await session.client_personal_cabinet.delete_user_appointment(
        appointment_id=record_id, record_hash=record_hash
    )
    assert sandbox.world.live_records() == []
    offered = await client.online_booking.get_time_slots_for_booking(
        location_id=LOCATION, team_member_id=member_id, date=day, service_ids=[HAIRCUT]
    )
    assert when in {t.datetime_ for t in offered}
    assert (
        await session.client_personal_cabinet.get_user_appointment_list(
            appointment_id=record_id, record_hash=record_hash
        )
        == []
    )


async def test_double_booking_raises_slot_unavailable(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    member_id, when = await free_slot(client)
    await client.online_booking.create_online_booking(
        location_id=LOCATION, body=booking(appointment(member_id, when))
    )
    with pytest.raises(SlotUnavailableError) as caught:
        await client.online_booking.create_online_booking(
            location_id=LOCATION, body=booking(appointment(member_id, when), phone="+13155550199")
        )
    err = caught.value
    assert (err.status_code, err.has_code(433), err.method) == (422, True, "POST")
    assert isinstance(err, UnprocessableEntityError)
    assert "/book_record/4564" in err.url
    assert len(sandbox.world.live_records()) == 1


async def test_reschedule_and_password_rotation(client: AltegioClient, sandbox: Sandbox) -> None:
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    member_id, when = await free_slot(client)
    _, later = await free_slot(client, nth=4)
    [created] = await client.online_booking.create_online_booking(
        location_id=LOCATION, body=booking(appointment(member_id, when))
    )
    moved = await session.online_booking.update_online_booking_datetime(
        location_id=LOCATION,
        appointment_id=got(created.record_id),
        body=RescheduleRequest(datetime_=later, comment="moved"),
    )
    assert moved.id == created.record_id
    assert sandbox.world.records[got(created.record_id)].start == later

    old_token = session.user_token
    await session.client_personal_cabinet.update_booking_user_password(
        body=PasswordChange(old_password=DEFAULT_PASSWORD, new_password="n3w-secret")
    )
    assert session.user_token != old_token
    me = await session.client_personal_cabinet.get_booking_user()  # uses the new token
    assert me.phone == DEFAULT_LOGIN
    stale = client.with_user_token(old_token or "")
    with pytest.raises(AuthenticationError) as caught:
        await stale.client_personal_cabinet.get_booking_user()
    assert caught.value.token == "user"


async def test_unknown_record_is_not_found(client: AltegioClient) -> None:
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    with pytest.raises(NotFoundError):
        await session.online_booking.get_online_booking_details(
            location_id=LOCATION, appointment_id=999, record_hash="nope"
        )


async def test_webhook_settings_round_trip(client: AltegioClient) -> None:
    from altegio_async.models import WebhookSettingsUpdate

    session = await client.login_business(
        login=DEFAULT_BUSINESS_LOGIN, password=DEFAULT_BUSINESS_PASSWORD
    )  # a location's webhook settings are its staff's to change
    hooks = session.webhooks
    before = await hooks.get_event_notification_settings(location_id=LOCATION)
    assert (before.urls, before.record) == ([], 0)
    body = WebhookSettingsUpdate(
        active=1, urls=["https://example.test/altegio/4f0c2b9e"], record=1, client=1
    )
    await hooks.update_event_notification_settings(location_id=LOCATION, body=body)
    after = await hooks.get_event_notification_settings(location_id=LOCATION)
    assert (after.urls, after.active, after.record, after.client, after.service) == (
        ["https://example.test/altegio/4f0c2b9e"],
        1,
        1,
        1,
        0,
    )


async def test_record_hash_stands_in_for_the_user_token(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    """A guest who booked without logging in keeps the record hash: the three
    record-hash operations work with it alone, and a wrong hash is refused."""
    member_id, when = await free_slot(client)
    [created] = await client.online_booking.create_online_booking(
        location_id=LOCATION, body=booking(appointment(member_id, when), phone="+13155550133")
    )
    record_id, record_hash = got(created.record_id), got(created.record_hash)
    assert client.user_token is None
    details = await client.with_raw_response.online_booking.get_online_booking_details(
        location_id=LOCATION, appointment_id=record_id, record_hash=record_hash
    )
    listed = await client.client_personal_cabinet.get_user_appointment_list(
        appointment_id=record_id, record_hash=record_hash
    )
    assert details.data.id == record_id and [r.id for r in listed] == [record_id]
    sent = details.http_response.request.headers["authorization"]
    assert sent.startswith("Bearer ") and "User" not in sent
    with pytest.raises(PermissionDeniedError):
        await client.client_personal_cabinet.delete_user_appointment(
            appointment_id=record_id, record_hash="0" * 32
        )
    await client.client_personal_cabinet.delete_user_appointment(
        appointment_id=record_id, record_hash=record_hash
    )
    assert sandbox.world.live_records() == []


async def test_login_with_an_sms_code(client: AltegioClient, sandbox: Sandbox) -> None:
    await client.send_login_code(location_id=LOCATION, phone=DEFAULT_LOGIN)
    code = sandbox.world.sms_codes[DEFAULT_LOGIN]  # the "SMS" the sandbox sent
    session = await client.login_with_code(phone=DEFAULT_LOGIN, code=code)
    me = await session.client_personal_cabinet.get_booking_user()
    assert me.phone == DEFAULT_LOGIN and session.user_token == me.user_token
    with pytest.raises(AuthenticationError) as wrong:
        await client.login_with_code(
            phone=DEFAULT_LOGIN, code="000000" if code != "000000" else "1"
        )
    assert wrong.value.token == "login"


def test_after_login_the_user_is_not_optional() -> None:
    """The annotations mypy reads: ``login()`` gives a session whose ``user`` needs no check."""
    # (the classes say they live in altegio_async: their annotations' names are given here)
    names = {
        "AuthorizedUser": AuthorizedUser,
        "LoggedInSession": LoggedInSession,
        "UserKind": UserKind,
    }
    login = typing.get_type_hints(AltegioClient.login, localns=names)["return"]
    assert login is LoggedInSession
    assert typing.get_type_hints(LoggedInSession, localns=names)["user"] is AuthorizedUser
    sync_user = typing.get_type_hints(vars(SyncLoggedInSession)["user"].fget, localns=names)
    assert sync_user["return"] is AuthorizedUser
