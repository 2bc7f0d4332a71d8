"""SyncAltegioClient against the sandbox: scripts, sessions, paging, threads, errors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from altegio_async import (
    AltegioClient,
    NotFoundError,
    SlotUnavailableError,
    SyncAltegioClient,
    SyncLoggedInSession,
    UsageError,
    UserTokenRequiredError,
)
from altegio_async.models import VoipCallsQuery
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    Sandbox,
)
from tests._booking import HAIRCUT, LOCATION, appointment, booking, got


@pytest.fixture
def sync_client(sandbox: Sandbox) -> Iterator[SyncAltegioClient]:
    with SyncAltegioClient(**sandbox.client_kwargs(), rate_limit=False) as client:
        yield client


def test_calls_return_what_the_async_client_returns(sync_client: SyncAltegioClient) -> None:
    countries = sync_client.dictionaries.get_country_list()
    assert [c.iso_code for c in countries] == ["US", "CA", "GB", "DE"]
    raw = sync_client.with_raw_response.dictionaries.get_country_list()
    assert raw.status_code == 200 and raw.data == countries
    services = sync_client.online_booking.get_services_available_for_booking(location_id=LOCATION)
    assert services.services


def test_a_booking_flow_with_a_session(sync_client: SyncAltegioClient, sandbox: Sandbox) -> None:
    session = sync_client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    assert isinstance(session, SyncLoggedInSession) and session.user.phone == DEFAULT_LOGIN
    assert session.with_options(timeout=5).user == session.user
    assert session.client_personal_cabinet.get_booking_user().phone == DEFAULT_LOGIN

    online = sync_client.online_booking
    member = next(m for m in online.get_team_members_available_for_booking(
        location_id=LOCATION, service_ids=[HAIRCUT]) if m.bookable)  # fmt: skip
    dates = online.get_dates_available_for_booking(
        location_id=LOCATION, team_member_id=got(member.id), service_ids=[HAIRCUT]
    )
    slots = online.get_time_slots_for_booking(
        location_id=LOCATION,
        team_member_id=got(member.id),
        date=got(dates.booking_dates)[0],
        service_ids=[HAIRCUT],
    )
    member_id, when = got(member.id), got(slots[0].datetime_)
    created = session.online_booking.create_online_booking(
        location_id=LOCATION, body=booking(appointment(member_id, when))
    )
    assert len(created) == 1 and len(sandbox.world.live_records()) == 1
    with pytest.raises(SlotUnavailableError):  # typed errors cross the thread
        session.online_booking.create_online_booking(
            location_id=LOCATION, body=booking(appointment(member_id, when))
        )
    record = created[0]
    mine = session.client_personal_cabinet.get_user_appointment_list(
        appointment_id=got(record.record_id), record_hash=got(record.record_hash)
    )
    assert [r.id for r in mine] == [record.record_id]


def test_session_views_and_errors(sync_client: SyncAltegioClient) -> None:
    with pytest.raises(UserTokenRequiredError):  # (a mypy error too)
        sync_client.client_personal_cabinet.get_booking_user()  # type: ignore[misc]
    with pytest.raises(NotFoundError):
        sync_client.online_booking.get_time_slots_for_booking(
            location_id=999999, team_member_id=1, date=dt.date.today()
        )
    session = sync_client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    again = sync_client.with_user_token(session.user_token).with_options(deadline=5)
    assert again.options.deadline == 5.0
    assert again.client_personal_cabinet.get_booking_user().phone == DEFAULT_LOGIN
    assert "sandbox" not in repr(again) and session.user_token not in repr(again)


def test_paging(sync_client: SyncAltegioClient, sandbox: Sandbox) -> None:
    session = sync_client.login_business(
        login=DEFAULT_BUSINESS_LOGIN, password=DEFAULT_BUSINESS_PASSWORD
    )
    today = sandbox.world.today
    query = VoipCallsQuery(
        salon_id=LOCATION, date_from=str(today - dt.timedelta(days=31)), date_to=str(today)
    )
    calls = session.voip_integration.iter_list_voip_calls(body=query, page_size=25)
    assert [len(page) for page in calls.pages()] == [25, 25, 7]
    assert len(calls.to_list()) == 57
    first = next(iter(calls))  # abandoning an iteration closes it on the loop thread
    assert first.id == sandbox.world.calls[0].id


def test_many_threads_share_one_client(sync_client: SyncAltegioClient, sandbox: Sandbox) -> None:
    def work(_: int) -> tuple[str, int]:
        countries = sync_client.dictionaries.get_country_list()
        return threading.current_thread().name, len(countries)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(64)))
    assert {n for _, n in results} == {4}
    assert len({name for name, _ in results}) > 1
    assert sandbox.count("get_country_list") == 64


def test_closed_client_says_so(sandbox: Sandbox) -> None:
    client = SyncAltegioClient(**sandbox.client_kwargs(), rate_limit=False)
    client.close()
    client.close()  # idempotent
    with pytest.raises(UsageError, match="is closed"):
        client.dictionaries.get_country_list()


def test_bad_arguments_fail_in_the_callers_thread() -> None:
    with pytest.raises(UsageError, match="partner_token"):
        SyncAltegioClient("")
    assert not [t for t in threading.enumerate() if t.name == "altegio-sync-loop"]


def test_a_script_that_never_closes_still_exits(sandbox: Sandbox) -> None:
    script = (
        "from altegio_async import SyncAltegioClient\n"
        f"client = SyncAltegioClient(**{sandbox.client_kwargs()!r})\n"
        "print(len(client.dictionaries.get_country_list()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout.strip()) == (0, "4"), done.stderr


def test_the_async_client_is_what_runs(sync_client: SyncAltegioClient) -> None:
    """Not a second implementation: the blocking methods drive an AltegioClient."""
    assert isinstance(sync_client._client, AltegioClient)
    assert sync_client.online_booking._resource is sync_client._client.online_booking


def test_the_sync_client_takes_and_passes_on_every_argument_of_the_async_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # http_client is left out on purpose: an async pool belongs to one event loop,
    # and the sync client runs its own.
    import inspect

    from altegio_async.custom import _sync

    own = dict(inspect.signature(AltegioClient.__init__).parameters)
    del own["http_client"]
    assert list(inspect.signature(SyncAltegioClient.__init__).parameters.values()) == list(
        own.values()
    )
    received: dict[str, object] = {}

    class Recorder:
        def __init__(self, partner_token: str, **kwargs: object) -> None:
            received.update(kwargs, partner_token=partner_token)
            raise RuntimeError("recorded")

    monkeypatch.setattr(_sync, "AltegioClient", Recorder)
    values = {name: object() for name in own if name != "self"}
    with pytest.raises(RuntimeError, match="recorded"):
        SyncAltegioClient(**values)  # type: ignore[arg-type]
    assert received == values
