"""Every sandbox reply matches Altegio's bundle, the input the SDK is generated from.

Each operation is called through the SDK with the specs' example values, made
real where the sandbox keeps state (a booked record, a free slot, the user's
password).  The raw body, envelope and all, is validated against the schema of
the returned status in Altegio's own bundle (as published, not normalised), and
that status must be one the bundle documents.  The sandbox therefore cannot drift
from Altegio's description without a test failing.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from altegio_async import AltegioClient, Operation, UserSession
from altegio_async.custom.sandbox._handlers import MODELLED_BUNDLES
from altegio_async.models import (
    BookingCheck,
    LoginRequest,
    PasswordChange,
    RescheduleRequest,
    SmsCodeRequest,
)
from altegio_async.sandbox import DEFAULT_LOGIN, DEFAULT_PARTNER_TOKEN, DEFAULT_PASSWORD, Sandbox
from tests._booking import LOCATION, appointment, booking, free_slot, got, to_check
from tests.examples import (
    ALL_OPERATIONS,
    example_kwargs,
    spec_name,
    vendored,
    vendored_operation,
    vendored_path,
)


@functools.cache
def registry() -> Registry[Any]:
    registry: Registry[Any] = Registry()
    for name, bundle in vendored().items():
        spec: Resource[Any] = Resource.from_contents(bundle, default_specification=DRAFT202012)
        registry = registry.with_resource(f"urn:altegio:{name}", spec)
    return registry


def validate(op: Operation, status: int, body: bytes) -> None:
    reply = vendored_operation(op)["responses"].get(str(status))
    assert reply is not None, f"{op.operation_id}: status {status} is not in Altegio's bundle"
    content = reply.get("content", {}).get("application/json")
    if content is None:
        assert body.strip() == b"", f"{op.operation_id}: the bundle documents no body"
        return
    if "schema" not in content:  # documented by an example alone: the same shape of envelope
        example, got_body = content["example"], json.loads(body)
        assert isinstance(got_body, dict) and set(got_body) >= set(example) - {"meta"}
        return
    pointer = "/".join(
        [
            "#/paths",
            vendored_path(op).replace("~", "~0").replace("/", "~1"),
            op.method.lower(),
            "responses",
            str(status),
            "content",
            "application~1json",
            "schema",
        ]
    )
    base = f"urn:altegio:{spec_name(op)}"
    validator = Draft202012Validator({"$ref": base + pointer}, registry=registry())
    errors = sorted(validator.iter_errors(json.loads(body)), key=lambda e: e.json_path)
    assert not errors, f"{op.operation_id}: " + "; ".join(
        f"{e.json_path}: {e.message}" for e in errors[:5]
    )


class World:
    """What the overrides need: a record booked by the default user, a free slot."""

    def __init__(self, client: AltegioClient, session: UserSession) -> None:
        self.client, self.session = client, session

    async def setup(self) -> None:
        self.member_id, self.when = await free_slot(self.client)
        _, self.later = await free_slot(self.client, nth=4)
        [made] = await self.client.online_booking.create_online_booking(
            location_id=LOCATION, body=booking(appointment(self.member_id, self.when))
        )
        self.record_id, self.record_hash = got(made.record_id), got(made.record_hash)


Override = Callable[[World], Awaitable[dict[str, Any]] | dict[str, Any]]


async def _second_slot(w: World) -> dict[str, Any]:
    member, when = await free_slot(w.client, nth=8)
    return {"body": booking(appointment(member, when))}


OVERRIDES: dict[str, Override] = {
    "authorize_online_booking_user": lambda w: {
        "body": LoginRequest(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    },
    "create_online_booking": _second_slot,
    "validate_booking_params": lambda w: {
        "body": BookingCheck(appointments=[to_check(appointment(w.member_id, w.later))])
    },
    "update_online_booking_datetime": lambda w: {
        "appointment_id": w.record_id,
        "body": RescheduleRequest(datetime_=w.later),
    },
    "update_booking_user_password": lambda w: {
        "body": PasswordChange(old_password=DEFAULT_PASSWORD, new_password="n3w-pass")
    },
    "get_time_slots_for_booking": lambda w: {"team_member_id": w.member_id, "date": w.when.date()},
    "get_nearest_time_slots": lambda w: {"team_member_id": w.member_id},
    "get_dates_available_for_booking": lambda w: {"team_member_id": w.member_id},
}
SAME_IDS = {"location_id": LOCATION}
RECORD_ARGS = ("appointment_id", "record_hash")


async def arguments(op: Operation, w: World, sandbox: Sandbox) -> dict[str, Any]:
    kwargs = example_kwargs(op)
    for name, value in SAME_IDS.items():
        if name in kwargs:
            kwargs[name] = value
    if all(a in kwargs for a in RECORD_ARGS):
        kwargs.update(appointment_id=w.record_id, record_hash=w.record_hash)
    if op.operation_id == "log_in_with_phone_number_and_code":
        await w.client.authentication.send_booking_verification_code(
            location_id=LOCATION, body=SmsCodeRequest(phone=DEFAULT_LOGIN)
        )  # the sandbox keeps the "SMS" it sent
        kwargs["body"].login = DEFAULT_LOGIN
        kwargs["body"].password = sandbox.world.sms_codes[DEFAULT_LOGIN]
    override = OVERRIDES.get(op.operation_id)
    if override is not None:
        extra = override(w)
        kwargs.update(extra if isinstance(extra, dict) else await extra)
    return kwargs


SANDBOXED = [op for op in ALL_OPERATIONS if op.bundle in MODELLED_BUNDLES]


@pytest.mark.parametrize("op", SANDBOXED, ids=lambda op: op.operation_id)
async def test_reply_matches_the_spec(
    op: Operation, client: AltegioClient, sandbox: Sandbox
) -> None:
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    w = World(client, session)
    await w.setup()
    caller = session if op.requires_user_token else client
    kwargs = await arguments(op, w, sandbox)
    raw = await getattr(getattr(caller.with_raw_response, op.tag), op.operation_id)(**kwargs)
    documented = {int(c) for c in vendored_operation(op)["responses"] if str(c)[0] == "2"}
    assert raw.status_code in documented
    validate(op, raw.status_code, raw.http_response.content)
    assert mismatches(raw.data) == [], "the SDK reads the sandbox's reply without a mismatch"
    last = sandbox.seen[-1]
    assert (last.operation, last.status) == (op.operation_id, raw.status_code)


def mismatches(data: Any) -> list[str]:
    items = data if isinstance(data, list) else [data]
    return [str(m) for item in items for m in getattr(item, "mismatches", ())]


def test_every_operation_of_the_modelled_bundles_has_a_sandbox_handler() -> None:
    from altegio_async.custom.sandbox._handlers import Handlers
    from altegio_async.custom.sandbox._world import World as SandboxWorld

    handlers = Handlers(SandboxWorld())
    assert len(SANDBOXED) == 24 + 19
    missing = [op.operation_id for op in SANDBOXED if op.operation_id not in handlers._table]
    assert missing == []


def test_the_other_bundles_answer_not_in_sandbox(sandbox: Sandbox) -> None:
    """A Business Management route exists and says, in Altegio's envelope, that the
    sandbox does not model it: a 501, never a 404 or a crash."""
    user = sandbox.world.users[DEFAULT_LOGIN].token
    auth = {"Authorization": f"Bearer {DEFAULT_PARTNER_TOKEN}, User {user}"}
    for path in ("/api/v1/company/1", "/api/v2/locations/1/tags"):  # b2b-v1, b2b-v2
        reply = httpx.get(sandbox.base_url + path, headers=auth)
        assert reply.status_code == 501, reply.text
        body = reply.json()
        assert body["success"] is False and body["meta"]["message"] == "not in sandbox"


def test_the_validator_catches_a_drifted_reply() -> None:
    op = next(o for o in ALL_OPERATIONS if o.operation_id == "create_online_booking")
    good = {"success": True, "data": [{"id": 1, "record_id": 7, "record_hash": "h"}], "meta": []}
    validate(op, 201, json.dumps(good).encode())
    drifted = {**good, "data": [{"id": 1, "record_id": "7", "record_hash": "h"}]}
    with pytest.raises(AssertionError, match="record_id"):
        validate(op, 201, json.dumps(drifted).encode())
