"""A business user's day through the SDK's public API, against the sandbox (a real
server on 127.0.0.1): login, clients, appointments, v2 with include, delete; and the
same calls with a booking client's session, refused before anything is sent."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from altegio_async import (
    AltegioClient,
    BusinessSession,
    LoggedInBusinessSession,
    SlotUnavailableError,
    UserTokenRequiredError,
)
from altegio_async.models import (
    AppointmentResource,
    BookingUserResource,
    ClientCreate,
    ClientQuery,
    CreateOrUpdateAppointment,
    OrUpdateAppointmentClient,
    OrUpdateAppointmentService,
)
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    RateLimits,
    Sandbox,
    SandboxConfig,
)
from tests._booking import HAIRCUT, LOCATION, WEEK

TZ = dt.timezone(dt.timedelta(hours=-5))
PHONE = "+13155550111"


@pytest.fixture(params=WEEK, ids=lambda day: day.strftime("%A"))
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """The shared fixture's sandbox with its today on each day of the week: team members
    have days off, so a flow that books ahead must pass whichever day it runs."""
    config = SandboxConfig(limits=RateLimits(enabled=False), today=request.param)
    with Sandbox(config) as sb:
        yield sb


def visit(sandbox: Sandbox, member: int, hour: int) -> CreateOrUpdateAppointment:
    day = sandbox.world.working_day(sandbox.world.team[member], ahead=2)
    when = dt.datetime.combine(day, dt.time(hour), TZ)
    return CreateOrUpdateAppointment(
        staff_id=member,
        services=[OrUpdateAppointmentService(id=HAIRCUT)],
        client=OrUpdateAppointmentClient(phone=PHONE, name="Ann Lee"),
        datetime_=when,
        seance_length=3600,
    )


async def test_a_business_day(client: AltegioClient, sandbox: Sandbox) -> None:
    staff = await client.login_business(
        login=DEFAULT_BUSINESS_LOGIN, password=DEFAULT_BUSINESS_PASSWORD
    )
    assert isinstance(staff, LoggedInBusinessSession) and staff.user.name == "Sandbox Owner"

    created = await staff.clients.create_client(
        location_id=LOCATION, body=ClientCreate(name="Ann Lee", phone=PHONE)
    )
    clients = staff.clients.iter_get_client_list(
        location_id=LOCATION, body=ClientQuery(fields=["id", "name"]), page_size=10
    )
    pages = [page async for page in clients.pages()]
    everyone = [c for page in pages for c in page]
    assert len(pages) >= 3 and all(len(p) == 10 for p in pages[:-1])
    assert created["id"] in [c.id for c in everyone]
    assert len(everyone) == len({c.id for c in everyone})  # no page twice

    team = await staff.team_members.get_team_member_list(location_id=LOCATION)
    member = next(int(str(m.id)) for m in team if HAIRCUT in _services(sandbox, m.id))
    [made] = await staff.appointments.create_appointment(
        location_id=LOCATION, body=visit(sandbox, member, 11)
    )
    with pytest.raises(SlotUnavailableError) as overlap:  # the same member, the same hour
        await staff.appointments.create_appointment(
            location_id=LOCATION, body=visit(sandbox, member, 11)
        )
    assert overlap.value.has_code(433)

    today = sandbox.world.today
    month = await staff.appointments.iter_get_appointment_list(
        location_id=LOCATION, start_date=str(today), end_date=str(today + dt.timedelta(days=30))
    ).to_list()
    assert made.id in [a.id for a in month]

    v2 = await staff.v2.appointments.list_appointments(location_id=LOCATION, include=["client"])
    mine = next(a for a in v2 if a.id == str(made.id))
    assert isinstance(mine, AppointmentResource)
    ann = mine.related_one("client", BookingUserResource)
    assert ann is not None and ann.attributes.name == "Ann Lee"

    await staff.appointments.delete_appointment(location_id=LOCATION, appointment_id=made.id)
    await staff.clients.delete_client(location_id=LOCATION, client_id=created["id"])
    after = await staff.appointments.iter_get_appointment_list(
        location_id=LOCATION, start_date=str(today), end_date=str(today + dt.timedelta(days=30))
    ).to_list()
    assert made.id not in [a.id for a in after]


def _services(sandbox: Sandbox, member_id: object) -> frozenset[int]:
    return sandbox.world.team[int(str(member_id))].service_ids


async def test_a_booking_clients_session_sends_no_business_call(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    """mypy refuses these calls (see below); made anyway, nothing reaches Altegio."""
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    before = len(sandbox.seen)
    with pytest.raises(UserTokenRequiredError, match="business user's"):
        await session.clients.get_client_list(  # type: ignore[misc]
            location_id=LOCATION, body=ClientQuery()
        )
    with pytest.raises(UserTokenRequiredError, match="business user's"):
        await session.v2.appointments.list_appointments(location_id=LOCATION)  # type: ignore[misc]
    staff: BusinessSession = client.with_business_token(session.user_token)
    with pytest.raises(UserTokenRequiredError, match="online-booking client's"):
        await staff.client_personal_cabinet.get_booking_user()  # type: ignore[misc]
    assert len(sandbox.seen) == before


MIXED = """
from altegio_async import AltegioClient
from altegio_async.models import ClientQuery


async def mixed(client: AltegioClient) -> None:
    session = await client.login(login="+13155550175", password="...")
    await session.clients.get_client_list(location_id=1, body=ClientQuery())
    staff = await client.login_business(login="owner@example.com", password="...")
    await staff.client_personal_cabinet.get_booking_user()
    await staff.clients.get_client_list(location_id=1, body=ClientQuery())  # fine
    await client.v2.appointments.list_appointments(location_id=1)
"""


def test_mixing_sessions_up_is_a_mypy_error(tmp_path: Path) -> None:
    from mypy import api

    module = tmp_path / "mixed.py"
    module.write_text(textwrap.dedent(MIXED), encoding="utf-8")
    stdout, _, status = api.run(["--strict", "--no-incremental", str(module)])
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert status == 1
    assert [line.split(":")[1] for line in errors] == ["8", "10", "12"], stdout
    assert all("Invalid self argument" in line for line in errors)
