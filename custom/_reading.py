"""The reading policy: how every reply and webhook payload becomes a typed model.

Altegio's real payloads are messier than its specs: numbers as strings, 0/1 flags,
``[]`` for an empty object, unix seconds for dates, fields missing or undocumented.
One policy applies everywhere (generated ``from_dict`` of reply models, the
client's envelope handling, ``parse_webhook``):

1. **Never lose data, never reject a successful reply for its shape.** Unknown
   fields are kept (``model.additional_properties``); a value that does not fit is
   kept as sent.
2. **Coerce what converts without loss** to the declared type: ``"16"`` -> 16,
   ``"55.73"`` -> 55.73, 0/1/``"0"``/``"1"``/``"true"``/``"false"`` -> bool, a
   number where a string is declared -> its text, ``[]`` -> an empty object, ``{}``
   -> an empty list, unix seconds -> an aware UTC ``datetime``, an ISO 8601 string
   -> ``datetime``/``date``.
3. **Report what does not fit**: the value is kept as sent, a ``Mismatch`` is
   recorded on the model (``model.mismatches``, also gathered from nested models)
   and a warning goes to the ``altegio_async`` logger once per model field and
   process.  So every value that could be made to fit matches its type hint.
4. **Always-sent fields** (derived from Altegio's examples, ``scripts/always_sent.py``)
   are typed without ``None``.  If one is missing anyway the reply still parses:
   the field reads as ``None`` and the gap is reported like a mismatch.  Every other
   reply field reads as ``None`` when absent (request bodies keep ``UNSET``, where
   "not sent" must stay distinct from null).

Dates are ``datetime.date`` and date-times ``datetime.datetime`` throughout the SDK
(aware when Altegio sends an offset); strings the spec does not mark as dates stay
strings.  Values of fields that hold secrets never appear in a mismatch.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from ..types import UNSET

logger = logging.getLogger("altegio_async")

T = TypeVar("T")
_INT_TEXT = re.compile(r"[+-]?\d{1,18}")
_FLOAT_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_TRUE = frozenset({"1", "true", "True"})
_FALSE = frozenset({"0", "false", "False"})
# 1973-03-03 .. 2286-11-20: a number outside is not a unix time in seconds
_UNIX_RANGE = (1e8, 1e10)
_SNIPPET = 40
_warned: set[tuple[str, str, str]] = set()
MISSING: Any = object()  # a key the JSON object does not have


@attrs.frozen
class Mismatch:
    """A value that did not fit its declared type, kept as sent (or a missing field)."""

    model: str
    field: str
    expected: str
    got: str

    def __str__(self) -> str:
        return f"{self.model}.{self.field}: expected {self.expected}, got {self.got}"


class Misfit(Exception):
    """Raised by a reader whose value cannot be made to fit without loss."""

    def __init__(self, expected: str) -> None:
        self.expected = expected


Reader = Callable[[Any, list[Mismatch]], Any]
"""Reads one JSON value: returns it coerced, raises Misfit, or records nested mismatches."""


# --------------------------------------------------------------------------- scalars


def _int(value: Any, _: list[Mismatch]) -> Any:
    kind = type(value)
    if kind is int:
        return value
    if kind is float and value.is_integer():
        return int(value)
    if kind is str and _INT_TEXT.fullmatch(value.strip()):
        return int(value)
    raise Misfit("int")


def _float(value: Any, _: list[Mismatch]) -> Any:
    kind = type(value)
    if kind is float or kind is int:
        return value
    if kind is str and _FLOAT_TEXT.fullmatch(value.strip()):
        number = float(value)
        if math.isfinite(number):
            return number
    raise Misfit("float")


def _bool(value: Any, _: list[Mismatch]) -> Any:
    kind = type(value)
    if kind is bool:
        return value
    if kind is int and value in (0, 1):
        return value == 1
    if kind is str:
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
    raise Misfit("bool")


def _str(value: Any, _: list[Mismatch]) -> Any:
    kind = type(value)
    if kind is str:
        return value
    if kind is int or (kind is float and math.isfinite(value)):
        return str(value)
    raise Misfit("str")


def _unix(value: Any) -> dt.datetime | None:
    kind = type(value)
    if kind is str and _FLOAT_TEXT.fullmatch(value.strip()):
        value = float(value)
    elif kind is not int and kind is not float:
        return None
    if not _UNIX_RANGE[0] <= value <= _UNIX_RANGE[1]:
        return None
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _datetime(value: Any, _: list[Mismatch]) -> Any:
    if type(value) is str:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    when = _unix(value)
    if when is None:
        raise Misfit("datetime")
    return when


def _date(value: Any, _: list[Mismatch]) -> Any:
    if type(value) is str:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise Misfit("date")


def _any(value: Any, _: list[Mismatch]) -> Any:
    return value


def _none(value: Any, _: list[Mismatch]) -> Any:
    if value is None:
        return None
    raise Misfit("null")


INT: Reader = _int
FLOAT: Reader = _float
BOOL: Reader = _bool
STR: Reader = _str
DATETIME: Reader = _datetime
DATE: Reader = _date
ANY: Reader = _any
NONE: Reader = _none


# --------------------------------------------------------------------------- containers


def list_of(item: Reader) -> Reader:
    """A list; ``{}`` (PHP's empty map) reads as ``[]``; items that misfit stay as sent."""

    def read(value: Any, found: list[Mismatch]) -> Any:
        if type(value) is not list:
            if value == {}:
                return []
            raise Misfit("list")
        if item is _any:
            return value
        out = []
        for index, element in enumerate(value):
            try:
                out.append(item(element, found))
            except Misfit as misfit:
                out.append(element)
                found.append(Mismatch("", f"[{index}]", misfit.expected, describe(element)))
        return out

    return read


def map_of(item: Reader) -> Reader:
    """An object used as a map (``{"9": [4, 5]}``); ``[]`` reads as ``{}``."""

    def read(value: Any, found: list[Mismatch]) -> Any:
        if not isinstance(value, Mapping):
            if value == []:
                return {}
            raise Misfit("object")
        out = {}
        for key, element in value.items():
            try:
                out[key] = item(element, found)
            except Misfit as misfit:
                out[key] = element
                found.append(Mismatch("", f"[{key!r}]", misfit.expected, describe(element)))
        return out

    return read


def literal(values: Iterable[Any]) -> Reader:
    """One of the documented values; ``"1"`` reads as 1 where the values are numbers."""
    allowed = frozenset(values)
    numbers = all(type(v) is int for v in allowed)
    expected = "one of " + ", ".join(sorted(repr(v) for v in allowed))

    def read(value: Any, found: list[Mismatch]) -> Any:
        kind = type(value)
        if (kind is str or kind is int) and value in allowed:
            return value
        if numbers and kind is str and _INT_TEXT.fullmatch(value.strip()):
            if int(value) in allowed:
                return int(value)
        raise Misfit(expected)

    return read


def union(*choices: Reader) -> Reader:
    """The first alternative the value fits without a mismatch, else the first it fits.

    ``null`` never reaches a reader (fields handle it), so a ``None`` alternative goes."""
    choices = tuple(c for c in choices if c is not _none)
    if len(choices) == 1:
        return choices[0]

    def read(value: Any, found: list[Mismatch]) -> Any:
        fallback: tuple[Any, list[Mismatch]] | None = None
        for choice in choices:
            inner: list[Mismatch] = []
            try:
                result = choice(value, inner)
            except Misfit:
                continue
            if not inner:
                return result
            if fallback is None:
                fallback = (result, inner)
        if fallback is None:
            raise Misfit(" or ".join(_names(choices)))
        found.extend(fallback[1])
        return fallback[0]

    return read


def _names(choices: Sequence[Reader]) -> list[str]:
    return [getattr(c, "__name__", "value").strip("_") for c in choices]


# --------------------------------------------------------------------------- models


@attrs.frozen
class Field:
    """One field of a generated model: JSON key, attribute, reader, how it may be absent."""

    key: str
    attr: str
    read: Reader
    required: bool
    nullable: bool
    secret: bool


@attrs.frozen
class Fields:
    """What ``from_dict``/``to_dict`` of one model need: its fields and absent value."""

    model: str
    fields: tuple[Field, ...]
    extra: Reader | None
    absent: Any  # None for replies and payloads, UNSET for request bodies


def fields(
    model: str,
    table: Iterable[tuple[str, str, Reader, bool, bool, bool]],
    *,
    extra: Reader | None = None,
    reads: bool = True,
) -> Fields:
    return Fields(model, tuple(Field(*row) for row in table), extra, None if reads else UNSET)


def model(cls: Callable[..., T]) -> Reader:
    """A nested model; its own mismatches are gathered into the parent's."""
    read_one: Callable[[Any], Any] | None = None

    def read(value: Any, found: list[Mismatch]) -> Any:
        nonlocal read_one
        if read_one is None:  # resolved on first use: models may refer to each other
            read_one = sys.modules[cls.__module__]._read
        if type(value) is not dict and not isinstance(value, Mapping) and value != []:
            raise Misfit(getattr(cls, "__name__", "object"))
        instance = read_one(value)
        if instance.mismatches:
            found.extend(instance.mismatches)
        return instance

    return read


def source_of(data: Any, spec: Fields) -> dict[str, Any]:
    """A copy of a model's JSON object to pop its fields from (what is left over is
    ``additional_properties``); PHP's empty map ``[]`` reads as ``{}``."""
    if type(data) is dict or isinstance(data, Mapping):
        return dict(data)
    if data == []:
        return {}
    raise TypeError(f"{spec.model} must be read from a JSON object, not {type(data).__name__}")


def read_field(spec: Fields, field: Field, value: Any, found: list[Mismatch]) -> Any:
    """A field's value by the policy (absent, null, or through its reader), its
    mismatches noted in ``found``.  Each model's generated ``_read`` calls it for
    every value not sent as documented, and keeps those as they are."""
    if value is MISSING or value is None:
        if field.required and not (value is None and field.nullable):
            got = "null" if value is None else "missing"
            found.append(Mismatch(spec.model, field.key, "a value (always sent)", got))
        return spec.absent if value is MISSING else None
    mark = len(found)
    try:
        result = field.read(value, found)
    except Misfit as misfit:
        got = type(value).__name__ if field.secret else describe(value)
        found.append(Mismatch(spec.model, field.key, misfit.expected, got))
        result = value  # kept as sent
    if len(found) > mark:
        found[mark:] = _within(spec.model, field.key, found[mark:])
    return result


def finish(instance: T, source: dict[str, Any], spec: Fields, found: list[Mismatch]) -> T:
    """A read model's left-over fields and mismatches (logged once, here)."""
    if spec.extra is not None and source:
        source = spec.extra(source, found)
    instance.additional_properties = source  # type: ignore[attr-defined]
    if found:
        instance.mismatches = found  # type: ignore[attr-defined]
        _warn(found)
    else:
        instance.mismatches = ()  # type: ignore[attr-defined]
    return instance


def _within(model: str, key: str, nested: list[Mismatch]) -> list[Mismatch]:
    return [m if m.model else attrs.evolve(m, model=model, field=key + m.field) for m in nested]


def report_missing(operation: str, null: bool) -> None:
    """A success envelope whose documented ``data`` is missing or null."""
    _warn([Mismatch(operation, "data", "the documented data", "null" if null else "missing")])


def read_value(reader: Reader, data: Any, where: str) -> Any:
    """A whole reply's data (a list, a union...) by the policy; misfits kept and logged.

    ``None`` (no data at all) reads as ``None``."""
    if data is None:
        return None
    found: list[Mismatch] = []
    try:
        value = reader(data, found)
    except Misfit as misfit:
        found.append(Mismatch(where, "data", misfit.expected, describe(data)))
        value = data
    if found:
        _warn([m if m.model else attrs.evolve(m, model=where) for m in found])
    return value


def write_model(instance: Any, spec: Fields) -> dict[str, Any]:
    """The JSON object of a model: what was read, as it was read (coerced values in
    their JSON form); absent fields are left out."""
    out: dict[str, Any] = dict(instance.additional_properties)
    for field in spec.fields:
        value = getattr(instance, field.attr)
        if value is UNSET or (value is None and not field.nullable):
            continue
        out[field.key] = to_json(value)
    return out


def to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if to_dict is not None else value


# --------------------------------------------------------------------------- reporting


def describe(value: Any) -> str:
    text = repr(value)
    if len(text) > _SNIPPET:
        text = text[: _SNIPPET - 3] + "..."
    return f"{type(value).__name__} {text}"


def _warn(found: Iterable[Mismatch]) -> None:
    for item in found:
        field = re.sub(r"\[\d+\]", "[]", item.field)
        key = (item.model, field, item.expected)
        if key not in _warned:
            _warned.add(key)
            logger.warning("reply does not fit its model: %s (kept as sent)", item)
