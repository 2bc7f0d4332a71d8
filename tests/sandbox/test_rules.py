"""The sandbox enforces Altegio's documented booking rules; the SDK raises the typed errors."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from altegio_async import (
    AltegioClient,
    APIError,
    AppointmentOverlapError,
    AuthenticationError,
    ClientBlacklistedError,
    InvalidConfirmationCodeError,
    InvalidPhoneError,
    MissingClientNameError,
    NoTeamMembersAvailableError,
    PermissionDeniedError,
    ServiceNotBookableError,
    SlotUnavailableError,
)
from altegio_async.models import BookingAppointment, BookingCheck, SmsCodeRequest
from altegio_async.sandbox import DEFAULT_LOGIN, DEFAULT_PASSWORD, Sandbox, SandboxConfig
from tests._booking import LOCATION, WEEK, appointment, booking, free_slot, got, to_check


def next_sunday(sandbox: Sandbox) -> dt.datetime:
    day = sandbox.world.today + dt.timedelta(days=1)
    while day.weekday() != 6:
        day += dt.timedelta(days=1)
    return dt.datetime.fromisoformat(f"{day.isoformat()}T12:00:00-05:00")


@pytest.mark.parametrize(
    ("fields", "error", "code", "status"),
    [
        ({"phone": "12-34"}, InvalidPhoneError, 431, 422),
        ({"phone": "+13155550000"}, ClientBlacklistedError, 434, 403),
        ({"fullname": "  "}, MissingClientNameError, 435, 422),
    ],
    ids=["431-bad-phone", "434-blacklisted", "435-no-name"],
)
async def test_client_details_are_checked(
    client: AltegioClient,
    sandbox: Sandbox,
    fields: dict[str, str],
    error: type[APIError],
    code: int,
    status: int,
) -> None:
    member, when = await free_slot(client)
    with pytest.raises(error) as caught:
        await client.online_booking.create_online_booking(
            location_id=LOCATION, body=booking(appointment(member, when), **fields)
        )
    assert (caught.value.status_code, caught.value.has_code(code)) == (status, True)
    assert sandbox.world.live_records() == []


async def test_432_sms_code_where_the_location_confirms_phones(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    member, when = await free_slot(client)
    confirmed = 4565
    with pytest.raises(InvalidConfirmationCodeError):
        await client.online_booking.create_online_booking(
            location_id=confirmed, body=booking(appointment(member, when), code=1)
        )
    await client.authentication.send_booking_verification_code(
        location_id=confirmed, body=SmsCodeRequest(phone="+13155550175")
    )
    code = int(sandbox.world.sms_codes["+13155550175"])
    made = await client.online_booking.create_online_booking(
        location_id=confirmed, body=booking(appointment(member, when), code=code)
    )
    assert len(made) == 1


@pytest.mark.parametrize("operation", ["validate_booking_params", "create_online_booking"])
async def test_slot_rules(client: AltegioClient, sandbox: Sandbox, operation: str) -> None:
    member, when = await free_slot(client)

    async def attempt(*items: BookingAppointment) -> None:
        if operation == "create_online_booking":
            await client.online_booking.create_online_booking(
                location_id=LOCATION, body=booking(*items)
            )
        else:
            body = BookingCheck(appointments=[to_check(i) for i in items])
            await client.online_booking.validate_booking_params(location_id=LOCATION, body=body)

    with pytest.raises(AppointmentOverlapError) as overlap:  # 437
        await attempt(appointment(member, when, 1), appointment(member, when, 2))
    assert "overlaps appointment 1" in overlap.value.errors[0].message
    with pytest.raises(ServiceNotBookableError):  # 438
        await attempt(appointment(member, when, services=(999,)))
    with pytest.raises(NoTeamMembersAvailableError):  # 436: "any team member" on a day off
        await attempt(appointment(0, next_sunday(sandbox)))
    with pytest.raises(SlotUnavailableError):  # 433: outside working hours
        await attempt(appointment(member, when.replace(hour=7, minute=0)))
    assert sandbox.world.live_records() == []
    await attempt(appointment(member, when))  # and the valid one passes


async def test_book_dates_keeps_to_the_period_asked_for(client: AltegioClient) -> None:
    online = client.online_booking
    everything = await online.get_dates_available_for_booking(location_id=LOCATION)
    dates = [dt.date.fromisoformat(str(d)) for d in got(everything.booking_dates)]
    start, end = dates[1], dates[3]
    period = await online.get_dates_available_for_booking(
        location_id=LOCATION, date_from=start, date_to=end
    )
    assert [dt.date.fromisoformat(str(d)) for d in got(period.booking_dates)] == dates[1:4]
    assert all(start <= dt.date.fromisoformat(str(d)) <= end for d in got(period.working_dates))
    with pytest.raises(APIError) as caught:  # an empty period is bad input: a 4xx
        await online.get_dates_available_for_booking(
            location_id=LOCATION, date_from=end, date_to=start
        )
    assert caught.value.status_code == 422 and "date_from" in str(caught.value)


async def test_any_team_member_gets_a_free_one(client: AltegioClient, sandbox: Sandbox) -> None:
    member, when = await free_slot(client)
    await client.online_booking.create_online_booking(
        location_id=LOCATION, body=booking(appointment(member, when))
    )
    [made] = await client.online_booking.create_online_booking(
        location_id=LOCATION, body=booking(appointment(0, when), phone="+13155550111")
    )
    assert sandbox.world.records[got(made.record_id)].team_member_id != member


async def test_wrong_partner_token_is_rejected(sandbox: Sandbox) -> None:
    kwargs = {**sandbox.client_kwargs(), "partner_token": "not-the-token"}
    async with AltegioClient(**kwargs, rate_limit=False) as bad:
        with pytest.raises(AuthenticationError) as caught:
            await bad.dictionaries.get_country_list()
    assert caught.value.token == "partner"
    assert "not-the-token" not in str(caught.value)


async def test_user_token_operations_need_a_valid_user_token(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    with pytest.raises(AuthenticationError) as caught:
        await client.with_user_token("forged").client_personal_cabinet.get_booking_user()
    assert caught.value.token == "user"
    # Without any user token (the SDK refuses to send that; ask the server directly).
    async with httpx.AsyncClient() as raw:
        reply = await raw.get(
            sandbox.base_url + "/api/v1/booking/user/data",
            headers={"Authorization": f"Bearer {sandbox.client_kwargs()['partner_token']}"},
        )
    assert reply.status_code == 401
    assert reply.json() == {
        "success": False,
        "data": None,
        "meta": {"message": "Authentication needed."},
    }


async def test_wrong_password_and_someone_elses_record(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    with pytest.raises(AuthenticationError) as caught:
        await client.login(login=DEFAULT_LOGIN, password="wrong")
    assert caught.value.token == "login"
    assert "wrong" not in str(caught.value)
    member, when = await free_slot(client)
    [made] = await client.online_booking.create_online_booking(
        location_id=LOCATION, body=booking(appointment(member, when), phone="+13155550122")
    )
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    with pytest.raises(PermissionDeniedError):
        await session.client_personal_cabinet.delete_user_appointment(
            appointment_id=got(made.record_id), record_hash="not-the-hash"
        )
    assert len(sandbox.world.live_records()) == 1


def test_standalone_server(tmp_path: object) -> None:
    """``python -m altegio_async.sandbox`` serves until stopped, on the day it is told."""
    import subprocess
    import sys
    import time

    from tests._servers import free_port

    port = free_port()
    options = ["--port", str(port), "--time-scale", "0.5", "--today", "2026-12-05"]
    server = subprocess.Popen(
        [sys.executable, "-m", "altegio_async.sandbox", *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        banner = server.stdout.readline() if server.stdout else ""
        assert f"127.0.0.1:{port}" in banner
        deadline = time.monotonic() + 10
        while True:
            try:
                reply = httpx.get(
                    f"http://127.0.0.1:{port}/api/v1/countries",
                    headers={"Authorization": "Bearer sandbox-partner-token"},
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert reply.status_code == 200 and reply.json()["success"] is True
        dates = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/book_dates/4564",
            headers={"Authorization": "Bearer sandbox-partner-token"},
        ).json()["data"]["booking_dates"]
        assert dates[0] == "2026-12-07"  # Saturday's tomorrow is a Sunday: nobody works
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


def test_pytest_fixture_for_users(altegio_sandbox: Sandbox) -> None:
    assert altegio_sandbox.base_url.startswith("http://127.0.0.1:")
    assert altegio_sandbox.config.limits.enabled  # users get Altegio's real limits


@pytest.mark.parametrize("today", WEEK)
def test_working_day_is_the_first_day_the_member_works(today: dt.date) -> None:
    world = Sandbox(SandboxConfig(today=today)).world
    for member in world.team.values():
        for ahead in (1, 2):
            day = world.working_day(member, ahead)
            skipped = range(ahead, (day - today).days)
            assert day.weekday() not in member.days_off and (day - today).days >= ahead
            assert all((today + dt.timedelta(days=n)).weekday() in member.days_off for n in skipped)


def test_todays_date_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALTEGIO_SANDBOX_TODAY", "2026-12-05")
    assert Sandbox().world.today == dt.date(2026, 12, 5)
    assert Sandbox(SandboxConfig(today=dt.date(2026, 1, 2))).world.today == dt.date(2026, 1, 2)
    monkeypatch.setenv("ALTEGIO_SANDBOX_TODAY", "5 Dec")
    with pytest.raises(ValueError, match=r"ALTEGIO_SANDBOX_TODAY must be a date.*'5 Dec'"):
        SandboxConfig()
