"""Properties of the reading policy over every reply and webhook model.

* **Types hold.**  Whatever JSON value a field receives, every typed field of the
  model read holds a value its annotation admits (checked at run time against the
  annotation), and the value received is recoverable from ``model.raw``.  A value
  an always-sent field cannot hold makes the read fail with ``ShapeError``, which
  carries the object.
* **Round trip.**  ``Model.from_dict(d).to_dict() == d`` (and in ``d``'s key
  order) for objects generated from each model's fields (values that fit, values
  that do not, nulls, absent fields, unknown keys) and for Altegio's own examples.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Literal

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import altegio_async.models as models
from altegio_async.custom import _reading
from tests._servers import ROOT
from tests.custom.test_reading import JSON, READ_MODELS, required_object, valid
from tests.examples import normalized

sys.path.insert(0, str(ROOT / "scripts"))
import always_sent
import naming

Reader = _reading.Reader


def spec_of(cls: type[Any]) -> _reading.Fields:
    spec: _reading.Fields = importlib.import_module(cls.__module__)._fields()
    return spec


@cache
def namespace() -> dict[str, Any]:
    names: dict[str, Any] = {"datetime": dt, "Any": Any, "Literal": Literal}
    names.update(Mismatch=_reading.Mismatch, Sequence=Sequence, Mapping=Mapping)
    for name in models.__all__:
        names[name] = getattr(models, name)
    return names


_hints: dict[type[Any], dict[str, Any]] = {}


def hints(cls: type[Any]) -> dict[str, Any]:
    """The annotation of each field of a model, evaluated."""
    if cls not in _hints:
        module = sys.modules[cls.__module__]
        found = typing.get_type_hints(cls, globalns={**namespace(), **vars(module)})
        _hints[cls] = {f.attr: found[f.attr] for f in spec_of(cls).fields}
    return _hints[cls]


def admits(hint: Any, value: Any) -> bool:
    """Whether ``value`` is of type ``hint`` (the annotations the generator writes)."""
    if hint is Any:
        return True
    if hint is type(None) or hint is None:
        return value is None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(admits(arg, value) for arg in typing.get_args(hint))
    if origin is Literal:
        return any(type(value) is type(arg) and value == arg for arg in typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint)
        return type(value) is list and all(admits(item, v) for v in value)
    if origin is dict:
        key, item = typing.get_args(hint)
        return type(value) is dict and all(
            admits(key, k) and admits(item, v) for k, v in value.items()
        )
    if hint is float:  # an int is a float to type checkers (PEP 484)
        return type(value) in (int, float)
    if hint is int:
        return type(value) is int
    if hint is dt.date:
        return type(value) is dt.date
    if isinstance(hint, type) and attrs.has(hint):
        return isinstance(value, hint) and holds_its_types(value)
    return isinstance(value, hint)


def holds_its_types(model: Any) -> bool:
    return all(admits(hint, getattr(model, attr)) for attr, hint in hints(type(model)).items())


# --------------------------------------------------------------------------- values


def values_for(read: Reader, depth: int = 0) -> st.SearchStrategy[Any]:
    """JSON values for a field: ones that fit the reader, and any JSON at all."""
    fits: st.SearchStrategy[Any]
    if hasattr(read, "cls") and depth < 2:
        fits = objects(read.cls, depth + 1)
    elif hasattr(read, "item") and depth < 2:
        fits = st.lists(values_for(read.item, depth + 1), max_size=2)
    else:
        fits = st.just(valid(read, depth))
    return fits | JSON


@cache
def objects(cls: type[Any], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Objects ``cls`` reads: always-sent fields fit; the others are anything or absent;
    unknown keys too."""
    fields = spec_of(cls).fields
    required = {f.key: st.just(valid(f.read, depth)) for f in fields if f.required}
    optional = {f.key: values_for(f.read, depth) for f in fields if not f.required}
    unknown = st.dictionaries(
        st.text(max_size=6).filter(lambda k: k not in spec_of(cls).keys), JSON, max_size=2
    )
    known = st.fixed_dictionaries(required, optional=optional)
    return st.tuples(known, unknown).map(lambda pair: {**pair[1], **pair[0]})


FIELDS = [(cls, field.key) for cls in READ_MODELS for field in spec_of(cls).fields]


# --------------------------------------------------------------------------- properties


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(FIELDS), JSON)
def test_every_field_holds_its_type_whatever_it_receives(
    field: tuple[type[Any], str], value: Any
) -> None:
    cls, key = field
    payload = {**required_object(cls), key: value}
    spec = spec_of(cls)
    try:
        model = cls.from_dict(payload)
    except _reading.ShapeError as error:  # only an always-sent field may refuse a value
        assert spec.by_key[key].required or value is None, error
        assert error.data is payload
        return
    assert holds_its_types(model), payload
    assert model.raw is payload and model.raw[key] is value  # recoverable, as received
    attr = spec.by_key[key].attr
    if getattr(model, attr) is None and value is not None:
        assert any(m.field.startswith(key) for m in model.mismatches), model.mismatches


@settings(max_examples=800, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(READ_MODELS).flatmap(lambda cls: st.tuples(st.just(cls), objects(cls))))
def test_every_model_writes_back_what_it_read(case: tuple[type[Any], dict[str, Any]]) -> None:
    cls, payload = case
    model = cls.from_dict(payload)
    assert holds_its_types(model)
    written = model.to_dict()
    assert written == payload
    assert list(written) == list(payload)


def test_a_changed_field_is_written_in_its_json_form() -> None:
    slot = models.TimeSlot.from_dict(
        {"time": "10:00", "seance_length": "3600", "datetime": "2026-09-21T10:00:00.000-05:00"}
    )
    assert slot.to_dict()["seance_length"] == "3600"  # left as read: as received
    slot.seance_length = 1800
    slot.datetime_ = dt.datetime(2026, 9, 22, 11, 0, tzinfo=dt.UTC)
    assert slot.to_dict() == {
        "time": "10:00",
        "seance_length": 1800,
        "datetime": "2026-09-22T11:00:00+00:00",
    }


# --------------------------------------------------------------------------- examples


@cache
def example_objects() -> list[tuple[type[Any], dict[str, Any]]]:
    """Altegio's examples (bundles and reference) of every reply and webhook model."""
    document = normalized()
    evidence = always_sent.Evidence(document, always_sent.docs_examples())
    schemas = dict(naming.model_schemas(document))
    found: list[tuple[type[Any], dict[str, Any]]] = []
    for key, examples in evidence.examples.items():
        cls = getattr(models, str(schemas[key].get("title", "")), None)
        if cls in READ_MODELS:
            found.extend((cls, example) for example in examples)
    return found


def test_altegio_examples_read_hold_their_types_and_write_back() -> None:
    cases = example_objects()
    assert len({cls for cls, _ in cases}) > 150  # most reply models have an example
    failures: list[tuple[str, str]] = []
    for cls, example in cases:
        try:
            model = cls.from_dict(example)
        except _reading.ShapeError as error:
            failures.append((cls.__name__, str(error)))
            continue
        if not holds_its_types(model) or model.to_dict() != example:
            failures.append((cls.__name__, repr(example)))
    assert failures == []
