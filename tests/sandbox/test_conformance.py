"""Every sandbox reply matches Altegio's bundle, the input the SDK is generated from.

Each modelled operation is called through the SDK with the specs' example values,
made real where the sandbox keeps state (a booked record, a free slot, the user's
password, a client of the location); Business Management operations with a business
user's token.  The raw body, envelope and all, is validated against the schema of
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
from altegio_async.custom.sandbox._handlers import (
    DATA_LEFT_OUT_ON_ERROR,
    Handlers,
    handler_name,
    is_modelled,
)
from altegio_async.models import (
    BookingCheck,
    LoginRequest,
    PasswordChange,
    RescheduleRequest,
    SmsCodeRequest,
)
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    DEFAULT_LOGIN,
    DEFAULT_PARTNER_TOKEN,
    DEFAULT_PASSWORD,
    Sandbox,
)
from altegio_async.types import UNSET
from tests._booking import HAIRCUT, LOCATION, appointment, booking, free_slot, got, to_check
from tests.examples import (
    ALL_OPERATIONS,
    argument_name,
    example_kwargs,
    resource,
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
    """What the overrides need: a record booked by the default user, a free slot, and
    for Business Management a business user's session, a client of the location and
    an appointment made by the business user."""

    def __init__(self, client: AltegioClient, session: UserSession, sandbox: Sandbox) -> None:
        self.client, self.session, self.sandbox = client, session, sandbox

    async def setup(self) -> None:
        self.member_id, self.when = await free_slot(self.client)
        _, self.later = await free_slot(self.client, nth=4)
        [made] = await self.client.online_booking.create_online_booking(
            location_id=LOCATION, body=booking(appointment(self.member_id, self.when))
        )
        self.record_id, self.record_hash = got(made.record_id), got(made.record_hash)
        user = await self.client.authentication_b2b.authorize_user(**business_login(self))
        self.business = business_session(self.client, got(user.user_token))
        self.client_id = self.sandbox.world.crm.clients_at(LOCATION)[0].id
        [visit] = await self.business.appointments.create_appointment(
            location_id=LOCATION, body=await appointment_body(self, nth=12)
        )
        self.appointment_id = int(got(visit.id))


def business_session(client: AltegioClient, token: str) -> Any:
    """The client acting for a business user (``with_business_token`` where the SDK
    tells the two kinds of user token apart)."""
    return getattr(client, "with_business_token", client.with_user_token)(token)


def business_login(w: World) -> dict[str, Any]:
    body = example_kwargs(operation("authorize_user"))["body"]
    body.login, body.password = DEFAULT_BUSINESS_LOGIN, DEFAULT_BUSINESS_PASSWORD
    return {"body": body}


def operation(qualified_id: str) -> Operation:
    return next(op for op in ALL_OPERATIONS if op.qualified_id == qualified_id)


def ids(qualified_id: str, **values: Any) -> dict[str, Any]:
    """Path parameters by the bundle's names (``id``, ``record_id``), as the method's
    arguments (``client_id``, ``appointment_id``)."""
    op = operation(qualified_id)
    return {argument_name(op, name): value for name, value in values.items()}


async def appointment_body(w: World, nth: int) -> Any:
    """Altegio's example of an appointment, at a free hour of a team member of the location."""
    member, when = await free_slot(w.client, nth=nth)
    body = example_kwargs(operation("create_appointment"))["body"]
    body.staff_id, body.datetime_, body.seance_length = member, when, 3600
    body.services = body.services[:1]
    body.services[0].id = HAIRCUT
    return body


Override = Callable[[World], Awaitable[dict[str, Any]] | dict[str, Any]]


async def _second_slot(w: World) -> dict[str, Any]:
    member, when = await free_slot(w.client, nth=8)
    return {"body": booking(appointment(member, when))}


def _client_body(w: World, operation_id: str, phone: str) -> dict[str, Any]:
    body = example_kwargs(operation(operation_id))["body"]
    body.name, body.phone = "Casey", phone
    return {"body": body}


async def _new_appointment(w: World) -> dict[str, Any]:
    return {"body": await appointment_body(w, nth=2)}


async def _moved_appointment(w: World) -> dict[str, Any]:
    body = await appointment_body(w, nth=3)
    return {**ids("update_appointment", record_id=w.appointment_id), "body": body}


def _schedule_day(w: World) -> dict[str, Any]:
    day = int(w.when.strftime("%Y%m%d"))
    path = {"team_member_id": w.member_id, "start_date": day, "end_date": day}
    return ids("get_team_member_schedule", **path)


def _appointments_that_day(w: World) -> dict[str, Any]:
    filters = ("team_member_id", "client_id", "created_user_id", "c_start_date", "c_end_date")
    return {
        **dict.fromkeys((*filters, "changed_after", "changed_before"), UNSET),
        "start_date": w.when.date().isoformat(),
        "end_date": w.when.date().isoformat(),
    }


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
    # Business Management: the business user, the location's team, clients, appointments
    "authorize_user": business_login,
    "get_service": lambda w: ids("get_service", service_id=HAIRCUT),
    "get_service_category_list": lambda w: ids("get_service_category_list", id=0),
    "get_team_member": lambda w: ids("get_team_member", team_member_id=w.member_id),
    "get_team_member_schedule": _schedule_day,
    "create_client": lambda w: _client_body(w, "create_client", "+13155559999"),
    "get_client": lambda w: ids("get_client", id=w.client_id),
    "update_client": lambda w: {
        **ids("update_client", id=w.client_id),
        **_client_body(w, "update_client", w.sandbox.world.crm.clients[w.client_id].phone),
    },
    "delete_client": lambda w: ids("delete_client", id=w.client_id),
    "create_appointment": _new_appointment,
    "get_appointment_list": _appointments_that_day,
    "get_appointment": lambda w: ids("get_appointment", record_id=w.appointment_id),
    "update_appointment": _moved_appointment,
    "delete_appointment": lambda w: ids("delete_appointment", record_id=w.appointment_id),
    "v2.list_appointments": lambda w: {"include": ["client", "staff", "services"]},
    "v2.list_team_members": lambda w: {"include": ["position"]},
    "v2.delete_appointment": lambda w: ids(
        "v2.delete_appointment", appointment_id=w.appointment_id
    ),
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
    override = OVERRIDES.get(op.qualified_id)
    if override is not None:
        extra = override(w)
        kwargs.update(extra if isinstance(extra, dict) else await extra)
    return kwargs


SANDBOXED = [op for op in ALL_OPERATIONS if is_modelled(op)]
BUSINESS = ("b2b-v1", "b2b-v2")


@pytest.mark.parametrize("op", SANDBOXED, ids=lambda op: op.qualified_id)
async def test_reply_matches_the_spec(
    op: Operation, client: AltegioClient, sandbox: Sandbox
) -> None:
    session = await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
    w = World(client, session, sandbox)
    await w.setup()
    caller: Any = client
    if op.requires_user_token:
        business = op.bundle in BUSINESS or getattr(op, "user_kind", None) == "business"
        caller = w.business if business else session
    kwargs = await arguments(op, w, sandbox)
    raw = await getattr(resource(caller.with_raw_response, op), op.operation_id)(**kwargs)
    documented = {int(c) for c in vendored_operation(op)["responses"] if str(c)[0] == "2"}
    assert raw.status_code in documented
    validate(op, raw.status_code, raw.http_response.content)
    assert mismatches(raw.data) == [], "the SDK reads the sandbox's reply without a mismatch"
    last = sandbox.seen[-1]
    assert (last.operation, last.status) == (op.qualified_id, raw.status_code)


def mismatches(data: Any) -> list[str]:
    items = data if isinstance(data, list) else [data]
    return [str(m) for item in items for m in getattr(item, "mismatches", ())]


# The Business Management operations the sandbox models (the rest answer 501).
B2B_MODELLED = {
    "authorize_user",
    "get_gift_card_type_list",  # paged by page/page_size
    "get_client_account_list_by_chain",  # paged by page/limit
    "get_location_list",
    "get_location",
    "get_service_list",
    "get_service",
    "get_service_category",
    "get_service_category_list",
    "get_team_member_list",
    "get_team_member",
    "get_team_member_schedule",
    "get_team_member_schedule_list",
    "create_client",
    "bulk_create_clients",
    "get_client_list",
    "deprecated_get_client_list",
    "get_client",
    "update_client",
    "delete_client",
    "create_appointment",
    "get_appointment_list",
    "get_appointment",
    "update_appointment",
    "delete_appointment",
    "v2.list_appointments",
    "v2.delete_appointment",
    "v2.list_services",
    "v2.list_team_members",
}


def test_which_operations_the_sandbox_models() -> None:
    """Every Online Booking and Developer Tools operation, and B2B_MODELLED; every
    handler answers an operation (a misspelt one would model nothing)."""
    modelled = {op.qualified_id for op in SANDBOXED}
    whole = {op.qualified_id for op in ALL_OPERATIONS if op.bundle in ("public", "developers")}
    assert len(whole) == 24 + 19 and whole <= modelled
    assert modelled - whole == B2B_MODELLED
    assert Handlers.names() == {handler_name(op) for op in SANDBOXED}


def test_the_other_operations_answer_not_in_sandbox(sandbox: Sandbox) -> None:
    """An unmodelled Business Management route exists and says, in Altegio's envelope,
    that the sandbox does not model it: a 501, never a 404 or a crash."""
    user = sandbox.world.crm.users[DEFAULT_BUSINESS_LOGIN].token
    auth = {"Authorization": f"Bearer {DEFAULT_PARTNER_TOKEN}, User {user}"}
    paths = [f"/api/v1/company/{LOCATION}/analytics/overall", f"/api/v2/locations/{LOCATION}/tags"]
    for path in paths:  # b2b-v1, b2b-v2
        reply = httpx.get(sandbox.base_url + path, headers=auth)
        assert reply.status_code == 501, reply.text
        body = reply.json()
        assert body["success"] is False and body["meta"]["message"] == "not in sandbox"


def test_error_replies_leave_data_out_where_the_bundle_types_it_a_string() -> None:
    """DATA_LEFT_OUT_ON_ERROR is exactly the modelled operations whose bundle documents
    an error reply with ``data`` typed a string (an error's data is null elsewhere)."""

    def data_is_text(op: Operation) -> bool:
        bundle = vendored()[spec_name(op)]
        for status, reply in vendored_operation(op)["responses"].items():
            schema = (reply.get("content") or {}).get("application/json", {}).get("schema", {})
            while "$ref" in schema:
                schema = bundle["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            data = schema.get("properties", {}).get("data", {})
            if int(status) >= 400 and data.get("type") == "string":
                return True
        return False

    assert {op.qualified_id for op in SANDBOXED if data_is_text(op)} == DATA_LEFT_OUT_ON_ERROR


def test_the_validator_catches_a_drifted_reply() -> None:
    op = next(o for o in ALL_OPERATIONS if o.operation_id == "create_online_booking")
    good = {"success": True, "data": [{"id": 1, "record_id": 7, "record_hash": "h"}], "meta": []}
    validate(op, 201, json.dumps(good).encode())
    drifted = {**good, "data": [{"id": 1, "record_id": "7", "record_hash": "h"}]}
    with pytest.raises(AssertionError, match="record_id"):
        validate(op, 201, json.dumps(drifted).encode())
