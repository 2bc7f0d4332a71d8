"""The reading policy: how every reply and webhook payload becomes a typed model.

Altegio's real payloads are messier than its specs: numbers as strings, 0/1 flags,
``[]`` for an empty object, unix seconds for dates, fields missing or undocumented.
One policy applies everywhere (generated ``from_dict`` of reply models, the
client's envelope handling, ``parse_webhook``):

1. **Never lose data.** A read model keeps the JSON object it was read from
   (``model.raw``, the same object, not a copy); unknown fields are also in
   ``model.additional_properties``.  ``to_dict()`` writes what was received, as it
   was received (``null`` as ``null``, ``"16"`` as ``"16"``, absent as absent),
   except for the fields you changed since.
2. **Coerce what converts without loss** to the declared type: ``"16"`` -> 16,
   ``"55.73"`` -> 55.73, 0/1/``"0"``/``"1"``/``"true"``/``"false"`` -> bool, a
   number where a string is declared -> its text, ``[]`` -> an empty object, ``{}``
   -> an empty list, unix seconds -> an aware UTC ``datetime``, an ISO 8601 string
   -> ``datetime``/``date``.  An int is a valid ``float`` (as for type checkers).
3. **A field never holds a value its type does not admit.**  A value that cannot be
   read as its field's type leaves the field ``None`` (the type says ``| None``); the
   value stays in ``model.raw``, a ``Mismatch`` is recorded (``model.mismatches``,
   gathered from nested models too) and a warning goes to the ``altegio_async``
   logger once per model field and process.  A list or map with an item that does
   not fit is kept whole in ``raw`` the same way.  Documented-value fields (enums)
   are typed ``Literal[...] | str`` (or ``| int``): a value Altegio added later is
   kept under the field and reported.
4. **Always-sent fields** (required by the schema, or seen in every example of two
   independent sources: ``scripts/always_sent.py``) are typed without ``None``.  A
   model whose always-sent field is missing, null or unreadable cannot be built
   truthfully: reading it fails (``ShapeError`` from ``from_dict``; a reply raises
   ``InvalidResponseError``), unless it is nested in a field that may be ``None``,
   which then reads as ``None`` with the model's object kept in ``raw``.

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
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

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
NOT_READ: Mapping[str, Any] = types.MappingProxyType({})  # the raw object of a model made in code
# How many models were read the slow way (with mismatches): a list of models read
# while it stays put has none to gather.
_finished = [0]


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


class ShapeError(ValueError):
    """A JSON object that cannot be read as its model: an always-sent field is
    missing, null or unreadable.  ``data`` is the object as given; the message names
    the model, the field, what was expected and what came (never a secret's value)."""

    def __init__(self, where: str, expected: str, data: Any) -> None:
        super().__init__(f"{where} cannot be read: expected {expected}")
        self.mismatch = Mismatch(where, "", expected, "an object without it")
        self.data = data


def report_unread(error: ShapeError) -> None:
    """An object given as sent because its model could not be built (logged once)."""
    _warn([error.mismatch])


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
    """A list; ``{}`` (PHP's empty map) reads as ``[]``.  An item that does not fit
    makes the whole list a misfit: a ``list[int]`` holds ints only."""

    def read(value: Any, found: list[Mismatch]) -> Any:
        if type(value) is not list:
            if value == {}:
                return []
            raise Misfit("list")
        if item is _any:
            return value
        resolve = getattr(item, "resolve", None)
        if resolve is not None:  # a list of models: the hot path of large replies
            read_all = resolve()
            before = _finished[0]
            try:
                models = read_all(value)
            except (Misfit, TypeError):
                pass  # an item that is not the model: the loop below says which
            else:
                if _finished[0] != before:  # some model (maybe in another thread) had some
                    for instance in models:
                        if instance.mismatches:
                            found.extend(instance.mismatches)
                return models
        out = []
        for index, element in enumerate(value):
            try:
                out.append(item(element, found))
            except Misfit as misfit:
                raise Misfit(f"a list whose [{index}] is {misfit.expected}") from None
        return out

    read.item = item  # type: ignore[attr-defined]  # (what a reader reads: for tests, docs)
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
                raise Misfit(f"an object whose [{key!r}] is {misfit.expected}") from None
        return out

    read.item = item  # type: ignore[attr-defined]
    return read


def literal(values: Iterable[Any], *, extend: bool = False) -> Reader:
    """One of the documented values; ``"1"`` reads as 1 where the values are numbers.

    Altegio extends its value sets: another value of the same kind (text, or an
    integer where the values are numbers) is kept and reported; the field's type
    admits it (``Literal[...] | str``).  Without ``extend`` (an item of a list) such a
    value does not fit."""
    allowed = frozenset(values)
    numbers = all(type(v) is int for v in allowed)
    kind_of_values = int if numbers else str
    expected = "one of " + ", ".join(sorted(repr(v) for v in allowed))

    def read(value: Any, found: list[Mismatch]) -> Any:
        kind = type(value)
        if (kind is str or kind is int) and value in allowed:
            return value
        if numbers and kind is str and _INT_TEXT.fullmatch(value.strip()):
            value = int(value)
            kind = int
            if value in allowed:
                return value
        if extend and kind is kind_of_values:
            found.append(Mismatch("", "", expected, describe(value)))
            return value
        raise Misfit(expected)

    read.values, read.extend = allowed, extend  # type: ignore[attr-defined]
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

    read.choices = choices  # type: ignore[attr-defined]
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
    """What ``from_dict``/``to_dict`` of one model need: its fields by position and
    by JSON key, and the reader of its unknown fields' values."""

    model: str
    fields: tuple[Field, ...]
    extra: Reader | None  # the reader of each unknown field's value, if they are typed
    keys: frozenset[str]
    by_key: Mapping[str, Field]


def fields(
    model: str,
    table: Iterable[tuple[str, str, Reader, bool, bool, bool]],
    *,
    extra: Reader | None = None,
) -> Fields:
    rows = tuple(Field(*row) for row in table)
    by_key = {f.key: f for f in rows}
    return Fields(model, rows, extra, frozenset(by_key), by_key)


def model(cls: Callable[..., T]) -> Reader:
    """A nested model; its own mismatches are gathered into the parent's."""
    read_one: Callable[[Any], Any] | None = None
    read_all: Callable[[Any], list[Any]] | None = None

    def resolve() -> Callable[[Any], list[Any]]:
        nonlocal read_one, read_all
        if read_all is None:  # resolved on first use: models may refer to each other
            module = sys.modules[cls.__module__]
            read_one, read_all = module._read, module._read_all
        return read_all

    def read(value: Any, found: list[Mismatch]) -> Any:
        if type(value) is not dict and not isinstance(value, Mapping) and value != []:
            raise Misfit(getattr(cls, "__name__", "object"))
        if read_one is None:
            resolve()
        instance = read_one(value)  # type: ignore[misc]  # Misfit if an always-sent field does not fit
        if instance.mismatches:
            found.extend(instance.mismatches)
        return instance

    read.resolve = resolve  # type: ignore[attr-defined]  # list_of reads a list in one loop
    read.cls = cls  # type: ignore[attr-defined]
    return read


def batch_reader(field: Field) -> Callable[[Sequence[Any]], list[Any]]:
    """The ``_read_all`` of a nested model field's model (or of its list's items): a
    model's generated ``_read_all`` reads each such field's objects of a whole list
    in one call."""
    reader = getattr(field.read, "item", field.read)
    resolve: Callable[[], Callable[[Sequence[Any]], list[Any]]] = getattr(reader, "resolve")  # noqa: B009
    return resolve()


def finished() -> int:
    """How many models were read with mismatches so far (it only ever grows): a
    reader that sees it unchanged has none to gather."""
    return _finished[0]


def read_again(
    out: list[Any],
    items: Sequence[Any],
    cls: type[Any],
    read_all: Callable[[Sequence[Any], type[Any], bool], list[Any]],
    *nested: tuple[Sequence[Any], str],
) -> None:
    """The models in ``out`` whose nested models (read in one call per field; ``at``
    their holders, or (holder, length) for a list) have mismatches, read again one by
    one: then each gathers them, in field order, as a model read alone does."""
    again: set[int] = set()
    for at, attr in nested:
        for entry in at:
            holder = entry[0] if type(entry) is tuple else entry
            value = getattr(holder, attr)
            if any(m.mismatches for m in (value if type(value) is list else (value,))):
                again.add(id(holder))
    for index, model in enumerate(out):
        if id(model) in again:
            out[index] = read_all((items[index],), cls, False)[0]


def object_of(data: Any, spec: Fields) -> Mapping[str, Any]:
    """The JSON object a model is read from (itself, not a copy; kept as ``raw``);
    PHP's empty map ``[]`` reads as ``{}``."""
    if type(data) is dict or isinstance(data, Mapping):
        return data
    if data == []:
        return {}
    raise TypeError(f"{spec.model} must be read from a JSON object, not {type(data).__name__}")


def read_field(spec: Fields, field: Field, value: Any, found: list[Mismatch]) -> Any:
    """A field's value by the policy (absent, null, or through its reader), its
    mismatches noted in ``found``.  Each model's generated ``_read`` calls it for
    every value not sent as documented, and keeps those as they are.

    A value that does not fit reads as ``None``, or, for an always-sent field,
    raises ``Misfit``: the model cannot be built (see the module's rule 4)."""
    if value is MISSING or value is None:
        if field.required and not (value is None and field.nullable):
            got = "null" if value is None else "missing"
            raise Misfit(f"{spec.model} (its {field.key}, always sent, was {got})")
        return None
    mark = len(found)
    try:
        result = field.read(value, found)
    except Misfit as misfit:
        got = type(value).__name__ if field.secret else describe(value)
        if field.required:
            raise Misfit(f"{spec.model} (its {field.key}: {misfit.expected}, got {got})") from None
        del found[mark:]
        found.append(Mismatch(spec.model, field.key, misfit.expected, got))
        return None  # the value stays in the model's raw object
    if len(found) > mark:
        found[mark:] = _within(spec.model, field.key, found[mark:])
    return result


from_iso_datetime = dt.datetime.fromisoformat  # the generated _read's fast path


def read_date(spec: Fields, field: Field, value: Any, found: list[Mismatch]) -> Any:
    """``read_field`` for a date field, with the ISO 8601 text tried first."""
    if type(value) is str:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return read_field(spec, field, value, found)


def unread_attribute(instance: Any, name: str, spec: Fields) -> Any:
    """A read model's ``additional_properties``, made from ``raw`` on first use: most
    objects have no unknown field, and finding that out costs more than reading a
    small object's fields (the generated ``_read`` leaves the slot unset)."""
    if name != "additional_properties" or spec.extra is not None:
        raise AttributeError(f"{type(instance).__name__!r} object has no attribute {name!r}")
    extra = _unknown(instance.raw, spec)
    instance.additional_properties = extra
    return extra


def _unknown(data: Mapping[str, Any], spec: Fields) -> dict[str, Any]:
    """The fields of a model's JSON object that the model does not declare."""
    return {k: v for k, v in data.items() if k not in spec.keys}


def finish(instance: T, data: Mapping[str, Any], spec: Fields, found: list[Mismatch]) -> T:
    """A read model's unknown fields, raw object and mismatches (logged once, here)."""
    extra = _unknown(data, spec)
    if spec.extra is not None and extra:  # typed unknown fields: those that fit
        typed = {}
        for key, value in extra.items():
            try:
                if value is None:
                    raise Misfit("a value")
                typed[key] = spec.extra(value, found)
            except Misfit as misfit:  # kept in raw only
                found.append(Mismatch(spec.model, f"[{key!r}]", misfit.expected, describe(value)))
        extra = typed
    instance.additional_properties = extra  # type: ignore[attr-defined]
    instance.raw = data  # type: ignore[attr-defined]
    _finished[0] += 1  # (only ever grows: a list reader compares it, whatever the threads)
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
    """A whole reply's data (a list, a union...) by the policy; mismatches logged.

    ``None`` (no data at all) reads as ``None``; data that cannot be read as the
    documented type raises ``ShapeError`` (a reply: ``InvalidResponseError``)."""
    if data is None:
        return None
    found: list[Mismatch] = []
    try:
        value = reader(data, found)
    except Misfit as misfit:
        if data == {} or data == []:  # PHP's empty container: a reply without data
            report_missing(where, null=False)
            return None
        raise ShapeError(f"{where} data", misfit.expected, data) from None
    if found:
        _warn([m if m.model else attrs.evolve(m, model=where) for m in found])
    return value


def write_model(instance: Any, spec: Fields) -> dict[str, Any]:
    """The JSON object of a model: what was received, in its order and form, for
    every field left as read; a changed field (or unknown field) in its JSON form.
    A field that is ``None`` and was not received is left out (``null`` where the
    schema allows it and it was received)."""
    raw: Mapping[str, Any] = instance.raw
    extra: Mapping[str, Any] = instance.additional_properties
    out: dict[str, Any] = {}
    for key, sent in raw.items():
        field = spec.by_key.get(key)
        if field is not None:
            value = getattr(instance, field.attr)
            if value == _reread(field.read, sent):
                out[key] = sent
            elif value is not None or field.nullable:
                out[key] = to_json(value)
        elif key in extra:  # an unknown field (one removed from it is left out)
            value = extra[key]
            out[key] = sent if _extra_unchanged(spec, sent, value) else to_json(value)
        elif spec.extra is not None and _reread(spec.extra, sent) is None:
            out[key] = sent  # never in additional_properties: it did not fit their type
    built = raw is NOT_READ  # made in code, not read: a nullable None is a null
    for field in spec.fields:
        if field.key not in raw:
            value = getattr(instance, field.attr)
            if value is not None or (built and field.nullable):
                out[field.key] = to_json(value)
    for key, value in extra.items():
        if key not in raw:
            out[key] = to_json(value)
    return out


def _reread(read: Reader, sent: Any) -> Any:
    """What reading ``sent`` gives (``None`` for null or a misfit): a field equal to
    it is unchanged since it was read, so ``to_dict`` writes ``sent`` as received."""
    if sent is None:
        return None
    try:
        return read(sent, [])
    except Misfit:
        return None


def _extra_unchanged(spec: Fields, sent: Any, value: Any) -> bool:
    if spec.extra is None:
        return value is sent or value == sent
    return bool(value == _reread(spec.extra, sent))


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
            logger.warning("reply does not fit its model: %s (kept in raw)", item)
