"""The model pages of the API reference: every model of ``altegio_async.models``.

``docs/models.md`` lists the models by first letter; ``docs/models/<letter>.md`` has
each model of that letter: its description, the operations that take or return it,
and its fields (name, type, the spec's description) or, for an enum, its values.
Types link to the models they name, so a reader goes from an operation to its result
and from a model to the models of its fields.  A page per letter keeps a thousand
models in a few dozen files whose names do not move when operations change.

Fields and types come from the generated classes, descriptions from the normalised
document.  Written by ``api_reference.py``, which links operations here.
"""

from __future__ import annotations

import importlib
import re
import sys
import typing
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import naming

INDEX = "models.md"
# A name in a type: a model when altegio_async.models exports it.
_NAME = re.compile(r"\b[A-Z]\w*\b")
# Package paths in annotations (``datetime.datetime``, ``models.X``): users write the name.
_PATH = re.compile(r"\b(?:[a-z_]\w*\.)+(?=[A-Z_a-z])")

_INTRO = [
    "Every request and reply model of `altegio_async.models`, with its fields: the name",
    "in Python, its type and what Altegio's reference says it is.  Models of replies",
    "also keep what the reply had beyond these fields in `additional_properties`, and",
    "`mismatches` lists the values kept as sent because they did not fit the type.",
    "An enum is a `typing.Literal` of the values Altegio documents.",
]


def page_of(name: str) -> str:
    """The page of a model, relative to ``docs/``."""
    return f"models/{name[0].lower()}.md"


def annotation(text: str) -> str:
    """A type as users write it: no package paths, no quotes."""
    return _PATH.sub("", text).replace("'", "")


def cell(text: str) -> str:
    """Text for one cell of a Markdown table: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def type_markdown(text: str, models: set[str], base: str) -> str:
    """A type as code, each model it names linked to its page (``base``: the way from
    the page being written to ``docs/``); pipes escaped for a table cell."""
    text = annotation(text)
    parts: list[str] = []
    last = 0
    for found in _NAME.finditer(text):
        if found.group() not in models:
            continue
        if found.start() > last:
            parts.append(f"`{text[last : found.start()]}`")
        parts.append(link(found.group(), base))
        last = found.end()
    if last < len(text):
        parts.append(f"`{text[last:]}`")
    return "".join(parts).replace("|", "\\|")


def named_models(text: str, models: set[str]) -> list[str]:
    """The models a type names."""
    return [name for name in _NAME.findall(text) if name in models]


def link(name: str, base: str) -> str:
    return f"[`{name}`]({base}{page_of(name)}#{name.lower()})"


def _wire_names(properties: dict[str, Any], fields: list[str]) -> dict[str, str]:
    """Each field's property in the schema: the same name, or the one the generator
    turned into it (``datetime``: ``datetime_``)."""
    found = {name: name for name in fields if name in properties}
    for key in properties:
        found.setdefault(naming.generator_name(key), key)
    return found


def fields(cls: type, schema: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, type, description) of each field a model is built with."""
    import attrs

    declared = [f for f in attrs.fields(cls) if f.init]
    properties = schema.get("properties", {})
    wire = _wire_names(properties, [f.name for f in declared])
    rows = []
    for field in declared:
        described = properties.get(wire.get(field.name, ""), {}).get("description") or ""
        kind = field.type if isinstance(field.type, str) else repr(field.type)
        rows.append((field.name, kind, described))
    return rows


def _section(
    name: str,
    schema: dict[str, Any],
    rows: list[tuple[str, str, str]] | None,
    used_by: list[str],
    models: set[str],
) -> list[str]:
    """One model: description, where it is used, then its fields (``rows``), or its
    values when it is an enum (``rows`` is None)."""
    out = [f"## `{name}`", ""]
    if schema.get("description"):
        out += [" ".join(schema["description"].split()), ""]
    if used_by:
        out += ["Used by: " + ", ".join(used_by) + ".", ""]
    if rows is None:
        obj = getattr(importlib.import_module("altegio_async.models"), name)
        out += ["One of: " + ", ".join(f"`{value!r}`" for value in typing.get_args(obj)) + ".", ""]
        return out
    if not rows:
        out += ["No fields declared: `additional_properties` has what Altegio sends.", ""]
        return out
    out += ["| field | type | description |", "|---|---|---|"]
    for field, kind, described in rows:
        out.append(f"| `{field}` | {type_markdown(kind, models, '../')} | {cell(described)} |")
    return [*out, ""]


def render(document: dict[str, Any], used_by: dict[str, list[str]], header: str) -> dict[str, str]:
    """``{file name under docs/: text}``: the index of models and a page per letter.

    ``used_by``: for each model, the operations that take or return it (Markdown links
    from ``docs/models/``); the models with a field of its type follow them."""
    package = importlib.import_module("altegio_async.models")
    names = sorted(package.__all__)
    models = set(names)
    schemas = document["components"]["schemas"]
    rows: dict[str, list[tuple[str, str, str]] | None] = {}
    users = {name: list(used_by.get(name, [])) for name in names}
    for name in names:
        obj = getattr(package, name)
        enum = typing.get_origin(obj) is typing.Literal
        rows[name] = None if enum else fields(obj, schemas[name])
        inner = {n for _, kind, _ in rows[name] or [] for n in named_models(kind, models)}
        for used in sorted(inner - {name}):
            users[used].append(link(name, "../"))
    letters = sorted({name[0].upper() for name in names})
    nav = " · ".join(f"[{letter}]({letter.lower()}.md)" for letter in letters)
    index = ["# Models", "", header, "", "[API reference](api.md)", "", *_INTRO, ""]
    pages = {}
    for letter in letters:
        here = [name for name in names if name[0].upper() == letter]
        index += ["", f"## [{letter}]({page_of(letter)})", ""]
        index.append(" · ".join(link(name, "") for name in here))
        out = [f"# Models: {letter}", "", header, ""]
        out += [f"[API reference](../api.md) · [All models](../{INDEX}) · {nav}", ""]
        for name in here:
            out += _section(name, schemas[name], rows[name], users[name], models)
        pages[page_of(letter)] = "\n".join(out).rstrip() + "\n"
    return {INDEX: "\n".join(index).rstrip() + "\n", **pages}
