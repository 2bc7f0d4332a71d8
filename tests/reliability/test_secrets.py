"""No secret in any log record, exception message or repr over a full flow at DEBUG level."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from altegio_async import AltegioClient, AltegioError, RetryPolicy
from altegio_async.models import PasswordChange
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    DEFAULT_LOGIN,
    Fault,
    Sandbox,
    SandboxConfig,
)
from tests._booking import LOCATION, appointment, booking, free_slot

PARTNER = "pt-" + secrets.token_hex(12)
PASSWORD = "pw-" + secrets.token_hex(8)
NEW_PASSWORD = "pw2-" + secrets.token_hex(8)


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def all_logs() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


async def test_no_secret_anywhere(all_logs: Everything) -> None:
    texts: list[str] = []

    def expose(*objects: Any) -> None:
        for obj in objects:
            texts.extend([repr(obj), str(obj)])

    config = SandboxConfig(partner_tokens=frozenset({PARTNER}))
    with Sandbox(config) as sandbox:
        sandbox.world.users[DEFAULT_LOGIN].password = PASSWORD
        retry = RetryPolicy(backoff_base=0.01, backoff_max=0.01)
        async with AltegioClient(**sandbox.client_kwargs(), retry=retry) as client:
            session = await client.login(login=DEFAULT_LOGIN, password=PASSWORD)
            tokens = [session.user_token or ""]
            expose(client, session, session.user)
            member, when = await free_slot(client)
            made = await client.with_raw_response.online_booking.create_online_booking(
                location_id=LOCATION, body=booking(appointment(member, when))
            )
            expose(made, made.data)
            visit = made.data[0]
            hashes = [str(visit.record_hash)]  # a record hash reads and cancels the visit
            me = await session.client_personal_cabinet.get_booking_user()
            expose(me)
            changed = await session.client_personal_cabinet.update_booking_user_password(
                body=PasswordChange(old_password=PASSWORD, new_password=NEW_PASSWORD)
            )
            tokens.append(session.user_token or "")
            expose(changed, session)
            # Errors of every kind, each printed the way a logger or traceback would.
            sandbox.faults.add(Fault("status", status=503, times=2, operation="get_booking_user"))
            sandbox.faults.add(Fault("truncated_json", operation="get_booking_user"))
            sandbox.faults.add(Fault("reset", operation="get_country_list"))
            # the record hash travels in the URL: its calls fail in every way too
            details = "get_online_booking_details"
            sandbox.faults.add(Fault("status", status=503, times=9, operation=details))
            sandbox.faults.add(Fault("reset", operation="get_user_appointment_list"))
            sandbox.faults.add(Fault("latency", delay=1.0, operation="delete_user_appointment"))
            visit_id = int(str(visit.record_id))
            attempts: list[Callable[[], Awaitable[Any]]] = [
                lambda: session.client_personal_cabinet.get_booking_user(),
                lambda: client.with_user_token(
                    tokens[0]
                ).client_personal_cabinet.get_booking_user(),
                lambda: client.login(login=DEFAULT_LOGIN, password=PASSWORD),
                lambda: client.online_booking.create_online_booking(
                    location_id=LOCATION, body=booking(appointment(member, when))
                ),
                lambda: client.dictionaries.get_country_list(),
                lambda: client.online_booking.get_online_booking_details(
                    location_id=LOCATION, appointment_id=visit_id, record_hash=hashes[0]
                ),
                lambda: client.client_personal_cabinet.get_user_appointment_list(
                    appointment_id=visit_id, record_hash=hashes[0]
                ),
                lambda: client.with_options(
                    deadline=0.2
                ).client_personal_cabinet.delete_user_appointment(
                    appointment_id=visit_id, record_hash=hashes[0]
                ),
                lambda: client.client_personal_cabinet.get_user_appointment_list(
                    appointment_id=visit_id, record_hash=hashes[0][::-1]
                ),  # a wrong hash: Altegio's 4xx, with the URL in its message
            ]
            for attempt in attempts:
                try:
                    expose(await attempt())
                except AltegioError as exc:
                    expose(exc, exc.args, getattr(exc, "body", ""), getattr(exc, "snippet", ""))
                    logging.getLogger("app").exception("call failed: %s", exc)
            # a business user's session, its token and its failures
            staff = await client.login_business(
                login=DEFAULT_BUSINESS_LOGIN, password=DEFAULT_BUSINESS_PASSWORD
            )
            tokens.append(staff.user_token)
            expose(staff, staff.user)
            for call in (
                lambda: staff.clients.get_client(location_id=LOCATION, client_id=999_999),
                lambda: client.login_business(login=DEFAULT_BUSINESS_LOGIN, password=PASSWORD),
            ):
                try:
                    expose(await call())
                except AltegioError as exc:
                    expose(exc, exc.args, getattr(exc, "body", ""))
                    logging.getLogger("app").exception("call failed: %s", exc)
            async with AltegioClient(
                partner_token="pt-wrong-" + PARTNER[3:], base_url=sandbox.base_url
            ) as wrong:
                try:
                    await wrong.dictionaries.get_country_list()
                except AltegioError as exc:
                    expose(exc)

    for record in all_logs.records:
        texts.append(record.getMessage())
        if record.exc_info:
            texts.append(logging.Formatter().formatException(record.exc_info))
    secret_values = [PARTNER, PARTNER[3:], PASSWORD, NEW_PASSWORD, *tokens, *hashes]
    secret_values.append(hashes[0][::-1])  # the wrong hash is a guess at one: hidden too
    secret_values.append(DEFAULT_BUSINESS_PASSWORD)
    assert all(tokens) and len(set(tokens)) == 3 and len(hashes[0]) >= 16
    hits = [(s, t[:120]) for t in texts for s in secret_values if s in t]
    assert hits == []
    # The scan saw the retries, the rotation and the failures it was meant to see.
    messages = " ".join(r.getMessage() for r in all_logs.records)
    assert "retrying" in messages and "user token rotated" in messages
    assert len(all_logs.records) > 20 and len(texts) > 40
