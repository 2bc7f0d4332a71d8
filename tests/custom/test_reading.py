"""The reading policy (custom/_reading.py) on the shapes Altegio's real payloads take.

The payloads here are written from the shapes reported in real data (numbers as
strings, 0/1 flags, ``[]`` for objects, unix seconds...), not copied from samples.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from typing import Any, TypeVar

import attrs
import pytest
from hypothesis import given, settings
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
    TeamMemberPosition,
    TimeSlot,
)

T = TypeVar("T")

SLOT = {"time": "10:00", "seance_length": 3600, "datetime": "2026-09-21T10:00:00-05:00"}
Reader = _reading.Reader


def valid(read: Reader, depth: int = 0) -> Any:
    """A JSON value the reader reads without a mismatch (the smallest such)."""
    simple: dict[Reader, Any] = {
        _reading.INT: 7,
        _reading.FLOAT: 2.5,
        _reading.STR: "x",
        _reading.BOOL: True,
        _reading.DATE: "2026-09-21",
        _reading.DATETIME: "2026-09-21T10:00:00-05:00",
        _reading.ANY: "any",
    }
    if read in simple:
        return simple[read]
    if hasattr(read, "values"):
        return sorted(read.values, key=repr)[0]
    if hasattr(read, "cls"):
        return {} if depth > 3 else required_object(read.cls, depth + 1)
    if hasattr(read, "choices"):
        return valid(read.choices[0], depth)
    if hasattr(read, "item"):
        return []
    raise AssertionError(f"no valid value for {read}")


def required_object(cls: type[Any], depth: int = 0) -> dict[str, Any]:
    """An object with every always-sent field of ``cls``, each sent as documented."""
    return {
        f.key: valid(f.read, depth)
        for f in importlib.import_module(cls.__module__)._fields().fields
        if f.required
    }


def complete(cls: type[Any], **fields: Any) -> dict[str, Any]:
    """An object of ``cls`` with ``fields``, and every always-sent field it lacks."""
    return {**required_object(cls), **fields}


def read(cls: type[T], **fields: Any) -> T:
    model: T = cls.from_dict(complete(cls, **fields))  # type: ignore[attr-defined]
    return model


def required(cls: type[Any], key: str) -> bool:
    spec = importlib.import_module(cls.__module__)._fields()
    return bool(spec.by_key[key].required)


def misfits(model: Any) -> list[tuple[str, str]]:
    """(field, expected) of each value that did not fit."""
    return [(m.field, m.expected) for m in model.mismatches]


def test_numbers_sent_as_strings_become_numbers() -> None:
    member = read(TeamMember, id="16", rating="3", votes_count="12")
    assert (member.id, member.rating, member.votes_count, misfits(member)) == (16, 3.0, 12, [])
    location = read(AppLocation, id=1, coordinate_lat="55.73", timezone="3")
    assert (location.coordinate_lat, location.timezone) == (55.73, 3.0)


FLAGS = [(1, True), (0, False), ("1", True), ("0", False), ("true", True), ("false", False)]


@pytest.mark.parametrize(("sent", "flag"), [*FLAGS, (True, True)])
def test_flags_become_bools(sent: Any, flag: bool) -> None:
    step = read(BookingFormStep, step="master", hidden=sent)
    assert step.hidden is flag and misfits(step) == []
    record = read(Record, id=1, sms_now=sent, paid_full=sent)
    assert (record.sms_now, record.paid_full) == (flag, flag)


def test_a_number_where_text_is_declared_becomes_text() -> None:
    assert read(TeamMember, api_id=77).api_id == "77"


def test_null_is_none_where_the_type_admits_it_and_refused_where_always_sent() -> None:
    assert read(TeamMember, api_id=None).api_id is None  # nullable: fits, no mismatch
    assert required(TimeSlot, "datetime")  # (the schema requires it)
    with pytest.raises(_reading.ShapeError, match=r"TimeSlot.*its datetime, always sent, was null"):
        TimeSlot.from_dict({**SLOT, "datetime": None})


def test_php_empty_containers() -> None:
    # [] where an object is documented, {} where a list is
    operation = read(FinancesOperation, id=1, master=[], record=[])
    assert operation.master is not None and operation.master.to_dict() == {}
    assert misfits(operation) == []
    team = read(TeamMember, position=[], image_group=[], seances={})
    assert team.position is not None and team.position.to_dict() == {}
    assert team.seances == [] and misfits(team) == []
    assert read(Record, id=1, custom_fields={}).custom_fields == []


def test_unix_seconds_become_aware_datetimes() -> None:
    slot = TimeSlot.from_dict({**SLOT, "datetime": 1790000000})
    assert slot.datetime_ == dt.datetime(2026, 9, 21, 14, 13, 20, tzinfo=dt.UTC)
    assert TimeSlot.from_dict({**SLOT, "datetime": "1790000000"}).datetime_ == slot.datetime_
    iso = TimeSlot.from_dict(SLOT).datetime_
    assert iso.utcoffset() == dt.timedelta(hours=-5)  # Altegio's offset kept


def test_a_value_that_does_not_fit_leaves_the_field_none_and_stays_in_raw(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert not required(TimeSlot, "sum_length")
    slot = TimeSlot.from_dict({**SLOT, "sum_length": [1]})
    assert slot.sum_length is None  # the hint (float | None) holds
    assert slot.raw["sum_length"] == [1] and misfits(slot) == [("sum_length", "float")]
    assert "TimeSlot.sum_length: expected float, got list [1]" in caplog.text
    assert slot.to_dict()["sum_length"] == [1]  # and written back as received


def test_an_always_sent_value_that_does_not_fit_refuses_the_model() -> None:
    sent = {**SLOT, "datetime": "tomorrow"}
    with pytest.raises(_reading.ShapeError) as caught:
        TimeSlot.from_dict(sent)
    assert "its datetime: datetime, got str 'tomorrow'" in str(caught.value)
    assert caught.value.data is sent  # nothing lost: the object comes with the error


def test_warned_once_per_model_field_and_process(caplog: pytest.LogCaptureFixture) -> None:
    _reading._warned.clear()
    with caplog.at_level(logging.WARNING, logger="altegio_async"):
        for _ in range(3):
            TimeSlot.from_dict({**SLOT, "sum_length": {"h": 10}})
    assert caplog.text.count("TimeSlot.sum_length") == 1


def test_nested_mismatches_reach_the_top_model() -> None:
    member = read(TeamMember, position=complete(TeamMemberPosition, title=["Stylist"]))
    assert [(m.model, m.field) for m in member.mismatches] == [("TeamMemberPosition", "title")]
    # a list with an item that does not fit: the list is not stored, the list is in raw
    assert not required(TeamMember, "seances")
    member = read(TeamMember, seances=[complete(NearestSlots), "oops"])
    assert member.seances is None and member.raw["seances"][1] == "oops"
    assert [(m.model, m.field) for m in member.mismatches] == [("TeamMember", "seances")]


def test_unknown_fields_are_kept_and_written_back() -> None:
    slot = TimeSlot.from_dict({**SLOT, "is_last_minute": True})
    assert slot.additional_properties == {"is_last_minute": True}
    assert slot.to_dict() == {**SLOT, "is_last_minute": True}


def test_an_enum_value_not_documented_is_kept_under_a_type_that_admits_it() -> None:
    record = read(Record, id=1, confirmed=2)
    assert record.confirmed == 2 and [f for f, _ in misfits(record)] == ["confirmed"]
    assert read(Record, id=1, confirmed="1").confirmed == 1


def test_token_fields_stay_out_of_repr_and_mismatches() -> None:
    secret = "user-token-5f2a"
    user = read(BookingUser, **{"0": secret, "user_token": secret, "id": 1, "name": "J"})
    assert user.field_0 == secret and secret not in repr(user)
    with pytest.raises(_reading.ShapeError) as refused:  # "0", always sent, holds the token
        read(BookingUser, **{"0": [secret], "user_token": secret, "id": 1})
    assert secret not in str(refused.value)


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


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(READ_MODELS), JSON)
def test_any_json_value_as_a_whole_model_gives_a_model_or_a_type_error(
    cls: type[Any], value: Any
) -> None:
    try:
        cls.from_dict(value)
    except TypeError as exc:  # only for values that are not JSON objects at all
        assert not isinstance(value, dict) and "must be read from a JSON object" in str(exc)
    except _reading.ShapeError as exc:  # an always-sent field missing or unreadable
        assert exc.data is value and "always sent" in str(exc)


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
    "0012",
    "\u0663",  # an Arabic-Indic digit: a decimal digit int() reads
    "\u00b2",  # a superscript two: a digit that is not decimal
    "1234567890123456789",
    " 7",
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
    source = _reading.object_of(data, spec)
    found: list[_reading.Mismatch] = []
    instance = object.__new__(cls)
    for field in spec.fields:
        value = source.get(field.key, _reading.MISSING)
        setattr(instance, field.attr, _reading.read_field(spec, field, value, found))
    return _reading.finish(instance, source, spec, found)


@pytest.mark.parametrize("cls", READ_MODELS, ids=lambda cls: cls.__name__)
def test_each_generated_reader_reads_as_the_policy(cls: type[Any]) -> None:
    # from_dict runs the model's generated _read, which keeps a value sent as
    # documented without calling its reader.  Every field meets every shape, all
    # fields alike and mixed, with an unknown key too; and the same with the
    # always-sent fields sent as documented.
    keys = [f.key for f in importlib.import_module(cls.__module__)._fields().fields]
    payloads: list[Any] = [{}, [], {"not_documented": 1}, required_object(cls)]
    for shift in range(len(SHAPES)):
        payloads.append({key: SHAPES[shift] for key in keys})
        mixed = {key: SHAPES[(n + shift) % len(SHAPES)] for n, key in enumerate(keys)}
        payloads.append(mixed | {"x": shift})
        payloads.append(mixed | required_object(cls))
    for payload in payloads:
        try:
            policy = read_by_the_policy(cls, payload)
        except _reading.Misfit as misfit:
            with pytest.raises(_reading.ShapeError) as caught:
                cls.from_dict(payload)
            assert misfit.expected in str(caught.value)
            continue
        generated = cls.from_dict(payload)
        assert generated == policy, payload  # every field and additional_properties
        assert list(generated.mismatches) == list(policy.mismatches), payload
        assert generated.raw == policy.raw


def nested_model(field: _reading.Field) -> type[Any] | None:
    """The model a field nests (alone or as a list's items), if any."""
    reader = getattr(field.read, "item", field.read)
    cls: type[Any] | None = getattr(reader, "cls", None)
    return cls


NESTING = [
    cls
    for cls in READ_MODELS
    if any(nested_model(f) for f in importlib.import_module(cls.__module__)._fields().fields)
]
MISFITTING: list[Any] = [[]]  # fits no typed field but Any: a list holding an empty list


def nested_payloads(cls: type[Any]) -> list[Any]:
    """Objects of ``cls`` whose nested models get an object that fits, one with a
    mismatch in every optional field, one lacking its always-sent fields, and values
    that are not objects; only one field varies at a time, so the holders of each
    field's nested objects are scattered along the list."""
    base = required_object(cls)
    out: list[Any] = [base]
    for field in importlib.import_module(cls.__module__)._fields().fields:
        inner = nested_model(field)
        if inner is None:
            continue
        fitting = required_object(inner)
        spec = importlib.import_module(inner.__module__)._fields()
        mismatched = fitting | {
            f.key: MISFITTING for f in spec.fields if not f.required and f.read is not _reading.ANY
        }
        values: list[Any] = [fitting, mismatched, {}, [], "x", None]
        for value in values:
            many = field.read is not getattr(field.read, "item", field.read)
            sent = [value, fitting, value] if many and isinstance(value, dict) else value
            out += [base | {field.key: sent}, base]
    return out


@pytest.mark.parametrize("cls", NESTING, ids=lambda cls: cls.__name__)
def test_a_list_is_read_as_each_of_its_objects_alone(cls: type[Any]) -> None:
    # A list's nested objects are read field by field, all of a list at once; what
    # each model holds (fields, mismatches in order, raw) is what reading its object
    # alone by the policy gives, and an object that cannot be read fails the list
    # with its own first misfit.
    read_all = importlib.import_module(cls.__module__)._read_all
    readable: list[Any] = []
    expected: list[Any] = []
    unreadable: list[tuple[Any, str]] = []
    for payload in nested_payloads(cls):
        try:
            expected.append(read_by_the_policy(cls, payload))
        except _reading.Misfit as misfit:
            unreadable.append((payload, misfit.expected))
        else:
            readable.append(payload)
    got = read_all(readable)
    assert got == expected
    assert [list(g.mismatches) for g in got] == [list(e.mismatches) for e in expected]
    assert all(g.raw is payload for g, payload in zip(got, readable, strict=True))
    for payload, first in unreadable[:3]:
        with pytest.raises(_reading.Misfit) as caught:
            read_all([*readable, payload, *readable])
        assert caught.value.expected == first


def test_most_models_nest_others() -> None:
    assert len(NESTING) > 200
