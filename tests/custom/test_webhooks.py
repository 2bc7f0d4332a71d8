"""parse_webhook: every documented payload, unknown fields kept, fuzzed input, origin checks."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from altegio_async import (
    AltegioError,
    AnyWebhookEvent,
    UnknownWebhookEvent,
    WebhookEvent,
    WebhookPayloadError,
    parse_webhook,
    verify_partner_token,
)
from altegio_async.custom._webhooks import event_models
from altegio_async.models import MarketplaceWebhookEvent, RecordEvent, ScheduleEvent
from tests.examples import normalized, vendored

PARTNER = "partner-secret-0123456789"
# Values of formatted strings, as the models write them back.
FORMATTED = {"date": "2026-03-20", "date-time": "2026-03-20T14:00:00+03:00"}


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = normalized()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def full_example(schema: dict[str, Any], depth: int = 0) -> Any:
    """A value for every property of the schema, the documented example where there is one."""
    schema = resolve(schema)
    if "example" in schema and depth > 0:
        return schema["example"]
    for union in ("oneOf", "anyOf"):
        if schema.get(union):
            return full_example(schema[union][0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {k: full_example(v, depth + 1) for k, v in (schema.get("properties") or {}).items()}
    if kind == "array":
        items = schema.get("items")
        return [full_example(items, depth + 1)] if items else []
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "string" and schema.get("format") in FORMATTED:
        return FORMATTED[schema["format"]]
    return {"integer": 7, "number": 7.5, "boolean": True, "null": None}.get(str(kind), "text")


def documented_webhooks() -> list[tuple[str, dict[str, Any]]]:
    """(model name, schema) for every webhook of Altegio's Developer bundle, and the
    marketplace event; the schemas as normalised for generation (their models')."""
    spec = vendored()["developers"]
    assert "/marketplace_webhook" in spec["paths"]
    schemas = normalized()["components"]["schemas"]
    return [(name, schemas[name]) for name in [*spec["webhooks"], "MarketplaceWebhookEvent"]]


CASES = [
    pytest.param(name, resource, status, schema, id=f"{name}-{resource}-{status}")
    for name, schema in documented_webhooks()
    for resource in (schema["properties"].get("resource", {}).get("enum") or [None])
    for status in (schema["properties"].get("status", {}).get("enum") or [None])
]


def test_every_documented_webhook_has_a_model() -> None:
    assert len(documented_webhooks()) == 12
    modelled = {cls.__name__ for cls in event_models().values()} | {"MarketplaceWebhookEvent"}
    assert modelled == {name for name, _ in documented_webhooks()}
    # the union parse_webhook returns: every documented event and the unknown one
    members = {cls.__name__ for cls in typing.get_args(AnyWebhookEvent)}
    assert members == modelled | {"UnknownWebhookEvent"}
    assert all(issubclass(cls, WebhookEvent) for cls in typing.get_args(AnyWebhookEvent))


@pytest.mark.parametrize(("name", "resource", "status", "schema"), CASES)
def test_documented_payload_parses_and_round_trips(
    name: str, resource: str | None, status: str | None, schema: dict[str, Any]
) -> None:
    payload = full_example(schema)
    if resource is not None:
        payload.update(resource=resource, status=status)
    payload["added_later"] = {"by": "Altegio"}  # unknown fields survive
    if isinstance(payload.get("data"), dict):
        payload["data"]["new_field"] = [1, 2]
    for body in (json.dumps(payload).encode(), json.dumps(payload), payload):
        event = parse_webhook(body)
        assert type(event).__name__ == name
        assert isinstance(event, WebhookEvent) and type(event) in typing.get_args(AnyWebhookEvent)
        assert event.to_dict() == payload
        assert event.payload == payload  # the object as received, on the common base


def test_unknown_resource_keeps_everything() -> None:
    payload = {
        "company_id": 1,
        "resource": "gift_card",
        "resource_id": 9,
        "status": "create",
        "data": {"amount": 50},
    }
    event = parse_webhook(json.dumps(payload))
    assert isinstance(event, UnknownWebhookEvent)
    assert (event.resource, event.status, event.to_dict()) == ("gift_card", "create", payload)


DEEP = '{"a": ' * 100_000 + "1" + "}" * 100_000


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"resource": "record", "company_id": "\xc3\x28"}', "not UTF-8"),
        ("[1, 2]", "must be a JSON object"),
        ('{"company_id": 1}', "neither a string 'resource' nor an 'event'"),
        ('{"resource": "record", "company_id": NaN}', "NaN is not a JSON number"),
        ('{"resource": "record", "company_id": -Infinity}', "Infinity is not a JSON number"),
        ('{"resource": "record", "company_id": 1e400}', "beyond the range of a float"),
        ('{"resource": "record", "company_id": ' + "9" * 5000 + "}", "not JSON"),
        (DEEP, "nested too deeply"),
    ],
    ids=lambda v: v[:30] if isinstance(v, str | bytes) else v,
)
def test_bodies_that_cannot_be_read_raise_the_sdk_error(body: bytes | str, message: str) -> None:
    with pytest.raises(WebhookPayloadError, match=message) as caught:
        parse_webhook(body)
    assert isinstance(caught.value, AltegioError) and caught.value.payload is not None


def record_event(**changes: Any) -> dict[str, Any]:
    """A documented RecordEvent (RECORD, below), with some values changed."""
    payload: dict[str, Any] = json.loads(json.dumps(RECORD))
    for key, value in changes.items():
        if key.startswith("data."):
            payload["data"][key[5:]] = value
        else:
            payload[key] = value
    return payload


def test_a_value_that_does_not_fit_leaves_its_field_none_and_stays_in_the_payload() -> None:
    # data.id "abc" under int, data.staff_id null: Record's fields may be absent
    payload = record_event(**{"data.id": "abc", "data.staff_id": None})
    event = parse_webhook(payload)
    assert isinstance(event, RecordEvent)
    assert event.data.id is None and event.data.staff_id is None  # int | None, truthfully
    assert event.data.raw["id"] == "abc" and event.payload == payload
    assert [(m.model, m.field) for m in event.mismatches] == [("Record", "id")]
    assert event.to_dict() == payload  # the null and the "abc" written back as received
    with pytest.raises(WebhookPayloadError, match=r"does not fit RecordEvent .*id"):
        parse_webhook(payload, strict=True)


def test_a_status_altegio_added_is_kept_under_a_type_that_admits_it() -> None:
    event = parse_webhook(record_event(status="archived"))
    assert isinstance(event, RecordEvent)
    status: str = event.status  # RecordEventStatus | str
    assert status == "archived" and [m.field for m in event.mismatches] == ["status"]


@pytest.mark.parametrize(
    "changes",
    [{"data": "oops"}, {"company_id": None}, {"company_id": "first"}, {"resource_id": [1]}],
)
def test_an_event_without_what_its_model_always_has_is_given_as_sent(
    changes: dict[str, Any],
) -> None:
    payload = record_event(**changes)
    event = parse_webhook(payload)
    assert isinstance(event, UnknownWebhookEvent)  # not a RecordEvent whose hints lie
    assert (event.resource, event.status, event.payload) == ("record", "create", payload)
    assert [m.model for m in event.mismatches] == ["RecordEvent"]
    with pytest.raises(WebhookPayloadError, match="does not fit RecordEvent"):
        parse_webhook(payload, strict=True)


def test_a_missing_field_altegio_always_sends_gives_the_event_as_sent() -> None:
    payload = record_event()
    del payload["company_id"]
    event = parse_webhook(json.dumps(payload))
    assert isinstance(event, UnknownWebhookEvent) and event.payload == payload
    assert "company_id, always sent, was missing" in event.mismatches[0].expected


def test_values_that_convert_without_loss_are_coerced() -> None:
    event = parse_webhook(record_event(company_id="4564", resource_id=7.0, **{"data.id": "501"}))
    assert isinstance(event, RecordEvent)
    assert (event.company_id, event.resource_id, event.data.id) == (4564, 7, 501)
    assert event.mismatches == ()


def test_partner_token_check_and_secrecy() -> None:
    event = parse_webhook(
        {"salon_id": 1, "application_id": 2, "event": "freeze", "partner_token": PARTNER}
    )
    assert isinstance(event, MarketplaceWebhookEvent)
    assert verify_partner_token(event, PARTNER)
    assert not verify_partner_token(event, PARTNER[:-1] + "X")
    assert not verify_partner_token(event, "")
    assert PARTNER not in repr(event)
    odd = {"salon_id": "x", "application_id": 2, "event": "nope", "partner_token": [PARTNER]}
    with pytest.raises(WebhookPayloadError) as caught:
        parse_webhook(odd, strict=True)
    assert "partner_token" in str(caught.value)  # named, but its value never shown
    assert PARTNER not in str(caught.value)
    assert PARTNER not in repr(parse_webhook(odd).mismatches)


def test_schedule_event_data_is_a_list() -> None:
    event = parse_webhook(
        {"company_id": 1, "resource": "schedule", "resource_id": 5, "status": "update", "data": []}
    )
    assert isinstance(event, ScheduleEvent) and event.data == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200) | st.text(max_size=200) | JSON.map(json.dumps))
def test_fuzzed_bodies_raise_only_sdk_errors(body: bytes | str) -> None:
    try:
        parse_webhook(body)
    except AltegioError:
        pass


RECORD: dict[str, Any] = full_example(dict(documented_webhooks())["RecordEvent"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(event_models())),
    st.sampled_from(["company_id", "resource_id", "status", "data", "data.id", "data.services"]),
    JSON,
)
def test_fuzzed_fields_of_real_payloads_raise_only_sdk_errors(
    resource: str, field: str, value: Any
) -> None:
    payload = json.loads(json.dumps({**RECORD, "resource": resource, "status": "create"}))
    if "." in field:
        outer, inner = field.split(".")
        if isinstance(payload.get(outer), dict):
            payload[outer][inner] = value
    else:
        payload[field] = value
    try:
        event = parse_webhook(payload)
    except WebhookPayloadError as exc:
        assert exc.payload == payload
    else:
        assert event.to_dict()["resource"] == resource


def test_record_event_fields_are_typed() -> None:
    event = parse_webhook(RECORD)
    assert isinstance(event, RecordEvent)
    assert event.data.id == RECORD["data"]["id"]


def describe(event: AnyWebhookEvent) -> str:
    """A handler as a user writes it: mypy checks this match, and the common fields
    (``payload``, ``mismatches``) of any event, without getattr or casts."""
    match event:
        case RecordEvent(status="create"):
            return f"new record {event.data.id} at {event.company_id}"
        case MarketplaceWebhookEvent():
            return f"marketplace {event.event}"
        case UnknownWebhookEvent():
            return f"unknown {event.resource}"
        case _:
            return f"{type(event).__name__}: {sorted(event.payload)} {len(event.mismatches)}"


def test_a_match_over_events_reads_each_kind() -> None:
    record = parse_webhook(record_event(**{"data.id": "abc"}))
    assert describe(record).startswith("new record ")
    assert [(m.model, m.field, m.got) for m in record.mismatches] == [("Record", "id", "str 'abc'")]
    marketplace = {"salon_id": 1, "application_id": 2, "event": "freeze", "partner_token": "x"}
    assert describe(parse_webhook(marketplace)) == "marketplace freeze"
    unknown = {"company_id": 1, "resource": "gift_card", "resource_id": 9, "status": "create"}
    assert describe(parse_webhook(unknown)) == "unknown gift_card"
    schedule = parse_webhook(record_event(resource="schedule", status="update", data=[]))
    assert describe(schedule).startswith("ScheduleEvent: ['company_id', 'data'")
