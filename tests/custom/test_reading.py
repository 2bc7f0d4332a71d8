"""The reading policy (custom/_reading.py) on the shapes Altegio's real payloads take.

The payloads here are written from the shapes reported in real data (numbers as
strings, 0/1 flags, ``[]`` for objects, unix seconds...), not copied from samples.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
from typing import Any, cast

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import altegio_async.models as models
from altegio_async.custom import _reading
from altegio_async.models import (
    AppLocation,
    BookingFormStep,
    BookingUser,
    FinancesOperation,
    NearestSlots,
    Record,
    TeamMember,
    TimeSlot,
)

SLOT = {"time": "10:00", "seance_length": 3600, "datetime": "2026-09-21T10:00:00-05:00"}


def member(**changes: Any) -> dict[str, Any]:
    base = {"id": 16, "name": "James", "bookable": True, "specialization": "Stylist"}
    return {**base, **changes}


def misfits(model: Any) -> list[tuple[str, str]]:
    """(field, expected) of each value kept as sent; fields left out of these short
    payloads (gaps Altegio would fill) are not the point here."""
    return [(m.field, m.expected) for m in model.mismatches if m.got != "missing"]


def test_numbers_sent_as_strings_become_numbers() -> None:
    read = TeamMember.from_dict(member(id="16", rating="3", votes_count="12"))
    assert (read.id, read.rating, read.votes_count, misfits(read)) == (16, 3.0, 12, [])
    location = AppLocation.from_dict({"id": 1, "coordinate_lat": "55.73", "timezone": "3"})
    assert (location.coordinate_lat, location.timezone) == (55.73, 3.0)


FLAGS = [(1, True), (0, False), ("1", True), ("0", False), ("true", True), ("false", False)]


@pytest.mark.parametrize(("sent", "read"), [*FLAGS, (True, True)])
def test_flags_become_bools(sent: Any, read: bool) -> None:
    step = BookingFormStep.from_dict({"step": "master", "hidden": sent})
    assert step.hidden is read and misfits(step) == []
    record = Record.from_dict({"id": 1, "sms_now": sent, "paid_full": sent})
    assert (record.sms_now, record.paid_full) == (read, read)


def test_a_number_where_text_is_declared_becomes_text() -> None:
    assert TeamMember.from_dict(member(api_id=77)).api_id == "77"


def test_null_in_an_optional_field_is_none_and_in_an_always_sent_one_is_reported() -> None:
    assert TeamMember.from_dict(member(api_id=None)).api_id is None  # nullable: fits
    step = BookingFormStep.from_dict({"step": None, "hidden": False})
    assert step.step is None
    assert [(m.field, m.got) for m in step.mismatches if m.field == "step"] == [("step", "null")]


def test_php_empty_containers() -> None:
    # [] where an object is documented, {} where a list is
    operation = FinancesOperation.from_dict({"id": 1, "master": [], "record": []})
    assert operation.master is not None and operation.master.to_dict() == {}
    assert misfits(operation) == []
    team = TeamMember.from_dict(member(position=[], image_group=[], seances={}))
    assert team.position.to_dict() == {} and team.seances == [] and misfits(team) == []
    record = Record.from_dict({"id": 1, "custom_fields": {}})
    assert record.custom_fields == []


def test_unix_seconds_become_aware_datetimes() -> None:
    slot = TimeSlot.from_dict({**SLOT, "datetime": 1790000000})
    assert slot.datetime_ == dt.datetime(2026, 9, 21, 14, 13, 20, tzinfo=dt.UTC)
    assert TimeSlot.from_dict({**SLOT, "datetime": "1790000000"}).datetime_ == slot.datetime_
    iso = TimeSlot.from_dict(SLOT).datetime_
    assert iso.utcoffset() == dt.timedelta(hours=-5)  # Altegio's offset kept


def test_a_value_that_does_not_fit_is_kept_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    slot = TimeSlot.from_dict({**SLOT, "datetime": "tomorrow", "seance_length": [1]})
    assert cast(object, slot.datetime_) == "tomorrow"  # kept as sent: the hint lies, and says so
    assert cast(object, slot.seance_length) == [1]
    assert misfits(slot) == [("datetime", "datetime"), ("seance_length", "float")]
    assert "TimeSlot.datetime: expected datetime, got str 'tomorrow'" in caplog.text
    assert slot.to_dict()["datetime"] == "tomorrow"  # and written back as sent


def test_warned_once_per_model_field_and_process(caplog: pytest.LogCaptureFixture) -> None:
    _reading._warned.clear()
    with caplog.at_level(logging.WARNING, logger="altegio_async"):
        for _ in range(3):
            TimeSlot.from_dict({**SLOT, "time": {"h": 10}})
    assert caplog.text.count("TimeSlot.time") == 1


def test_missing_always_sent_field_reads_as_none_and_is_reported() -> None:
    slot = TimeSlot.from_dict({"time": "10:00", "seance_length": 3600})
    assert cast(object, slot.datetime_) is None
    assert [(m.field, m.got) for m in slot.mismatches] == [("datetime", "missing")]


def test_nested_mismatches_reach_the_top_model() -> None:
    team = TeamMember.from_dict(member(position={"id": "first", "title": "Stylist"}))
    found = [(m.model, m.field) for m in team.mismatches if m.got != "missing"]
    assert found == [("TeamMemberPosition", "id")]
    slots = NearestSlots.from_dict({"seance_date": "2026-09-21", "seances": ["oops"]})
    assert [(m.model, m.field) for m in slots.mismatches] == [("NearestSlots", "seances[0]")]


def test_unknown_fields_are_kept_and_written_back() -> None:
    slot = TimeSlot.from_dict({**SLOT, "is_last_minute": True})
    assert slot.additional_properties == {"is_last_minute": True}
    assert slot.to_dict() == {**SLOT, "is_last_minute": True}


def test_an_enum_value_not_documented_is_kept() -> None:
    record = Record.from_dict({"id": 1, "confirmed": 2})
    assert cast(object, record.confirmed) == 2 and [f for f, _ in misfits(record)] == ["confirmed"]
    assert Record.from_dict({"id": 1, "confirmed": "1"}).confirmed == 1


def test_token_fields_stay_out_of_repr_and_mismatches() -> None:
    secret = "user-token-5f2a"
    user = BookingUser.from_dict({"0": secret, "user_token": secret, "id": 1, "name": "J"})
    assert user.field_0 == secret and secret not in repr(user)
    odd = BookingUser.from_dict({"0": [secret], "user_token": secret, "id": 1})
    assert [f for f, _ in misfits(odd)] == ["0"]
    assert secret not in repr(odd.mismatches) and secret not in str(odd.mismatches[0])


# --------------------------------------------------------------------------- any JSON


def reading_models() -> list[type[Any]]:
    found = []
    for name in models.__all__:
        cls = getattr(models, name)
        if attrs.has(cls) and any(f.name == "mismatches" for f in attrs.fields(cls)):
            found.append(cls)
    return found


READ_MODELS = reading_models()
FIELDS = [
    (cls, key)
    for cls in READ_MODELS
    for key in (f.key for f in importlib.import_module(cls.__module__)._fields().fields)
]
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


def test_every_reply_and_webhook_model_reads_by_the_policy() -> None:
    assert len(READ_MODELS) > 120
    assert {"TimeSlot", "RecordEvent", "MarketplaceWebhookEvent"} <= {
        c.__name__ for c in READ_MODELS
    }


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIELDS), JSON)
def test_any_json_value_in_any_field_gives_a_model(
    field: tuple[type[Any], str], value: Any
) -> None:
    cls, key = field
    model = cls.from_dict({key: value})
    json.dumps(model.to_dict())  # written back as JSON, whatever was read
    for mismatch in model.mismatches:
        assert isinstance(mismatch, _reading.Mismatch)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(READ_MODELS), JSON)
def test_any_json_value_as_a_whole_model_gives_a_model_or_a_type_error(
    cls: type[Any], value: Any
) -> None:
    try:
        cls.from_dict(value)
    except TypeError as exc:  # only for values that are not JSON objects at all
        assert not isinstance(value, dict) and "must be read from a JSON object" in str(exc)


# One of each shape a field meets in real payloads, documented or not.
SHAPES: list[Any] = [
    None,
    True,
    0,
    1,
    7,
    2.5,
    3.0,
    -1e300,
    "7",
    "2.5",
    "x",
    "",
    [],
    {},
    [1, "a"],
    {"id": 1},
    "2026-09-21T10:00:00-05:00",
    "2026-09-21",
    1758466800,
    10**25,
]


def read_by_the_policy(cls: type[Any], data: Any) -> Any:
    """What a generated ``_read`` must give: every field through ``read_field``."""
    spec = importlib.import_module(cls.__module__)._fields()
    source = _reading.source_of(data, spec)
    found: list[_reading.Mismatch] = []
    instance = object.__new__(cls)
    for field in spec.fields:
        value = source.pop(field.key, _reading.MISSING)
        setattr(instance, field.attr, _reading.read_field(spec, field, value, found))
    return _reading.finish(instance, source, spec, found)


@pytest.mark.parametrize("cls", READ_MODELS, ids=lambda cls: cls.__name__)
def test_each_generated_reader_reads_as_the_policy(cls: type[Any]) -> None:
    # from_dict runs the model's generated _read, which keeps a value sent as
    # documented without calling its reader.  Every field meets every shape, all
    # fields alike and mixed, with an unknown key too.
    keys = [f.key for f in importlib.import_module(cls.__module__)._fields().fields]
    payloads: list[Any] = [{}, [], {"not_documented": 1}]
    for shift in range(len(SHAPES)):
        payloads.append({key: SHAPES[shift] for key in keys})
        payloads.append(
            {key: SHAPES[(n + shift) % len(SHAPES)] for n, key in enumerate(keys)} | {"x": shift}
        )
    for payload in payloads:
        generated, policy = cls.from_dict(payload), read_by_the_policy(cls, payload)
        assert generated == policy, payload  # every field and additional_properties
        assert list(generated.mismatches) == list(policy.mismatches), payload
