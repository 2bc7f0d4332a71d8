"""The always-sent table (scripts/always_sent.yaml): every reply field typed without
``None`` is required by its schema or seen in every example of two independent
sources, and no source shows it absent or null."""

from __future__ import annotations

import copy
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import always_sent
import naming
import normalize_specs
from always_sent import Tally

Schema = dict[str, Any]


@cache
def named_document() -> dict[str, Any]:
    """The merged document with its models named, before ``always_sent.apply`` puts
    the table into the schemas' ``required``: each schema's own list is still there."""
    document, _ = normalize_specs.build(name=False)
    naming.apply(document, naming.read_table())
    return document


@cache
def evidence() -> tuple[dict[str, Schema], dict[str, dict[str, Tally]], set[str]]:
    """``(schemas by model key, tallies by model and source, reply model keys)``."""
    document = named_document()
    operations = always_sent.read_evidence()
    found, tallies = always_sent.gather(document, always_sent.docs_examples(), operations)
    return dict(naming.model_schemas(document)), tallies, found.reads


def committed_table() -> dict[str, dict[str, str]]:
    table = yaml.safe_load(always_sent.TABLE.read_text(encoding="utf-8"))
    return {str(k): dict(v or {}) for k, v in table.items()}


def broken_rule(model: str, name: str, why: str, schema: Schema, tallies: dict[str, Tally]) -> str:
    """Why ``name`` should not be typed always sent, or ``""``; written apart from
    ``always_sent.derive`` so that a change to it cannot hide here."""
    required = name in (schema.get("required") or [])
    complete, missing = [], []
    for label, tally in sorted(tallies.items()):
        if tally.objects == 0:
            continue
        shown = tally.present.get(name, 0)
        if shown < tally.objects:
            missing.append(f"{label}: {tally.objects - shown} of {tally.objects} without it")
        else:
            complete.append(f"{label} {tally.objects}")
    if missing:
        return f"{model}.{name}: a source shows it absent or null ({'; '.join(missing)})"
    if not required and len(complete) < 2:
        return f"{model}.{name}: not required by its schema, seen in {complete or 'no source'}"
    expected = ", ".join([always_sent.SCHEMA] * required + complete)
    if why != expected:
        return f"{model}.{name}: the table says {why!r}, the evidence {expected!r}"
    return ""


# --------------------------------------------------------------------------- the table


def test_every_always_sent_field_of_the_table_has_its_evidence() -> None:
    schemas, tallies, _ = evidence()
    table = committed_table()
    problems = [
        broken_rule(model, name, why, schemas[model], tallies.get(model, {}))
        for model, fields in table.items()
        for name, why in fields.items()
    ]
    assert [p for p in problems if p] == []
    assert sum(map(len, table.values())) > 1000  # the rule leaves the table something to say


def test_the_table_follows_the_committed_evidence() -> None:
    """What ``make generate`` would write now is what is committed (as
    ``make check-generated`` checks), and it lists every reply model."""
    schemas, tallies, reads = evidence()
    found, _ = always_sent.gather(named_document(), always_sent.docs_examples(),
                                  always_sent.read_evidence())  # fmt: skip
    derived = always_sent.derive(found, tallies, schemas)
    assert set(derived) == reads
    assert always_sent.render(derived, tallies, schemas) == always_sent.TABLE.read_text("utf-8")


# The fields that came back absent on real Altegio/YCLIENTS data although every example
# Altegio publishes shows them: each is optional now.
ABSENT_IN_REAL_REPLIES = {
    "Country": ["iso_code", "lang_id", "group_type"],
    "AppLocation": [
        "public_title", "email", "phones", "photos", "description", "timezone",
        "reminds_sms_default", "reminds_sms_disabled", "bookform_group_priority",
    ],
    "BookableService": ["gender"],
    "ServiceCategoryInfo": ["gender"],
    "RecordClient": ["surname"],
}  # fmt: skip


@pytest.mark.parametrize(("model", "names"), ABSENT_IN_REAL_REPLIES.items())
def test_fields_real_replies_leave_out_are_optional(model: str, names: list[str]) -> None:
    table = committed_table()
    schemas, _, _ = evidence()
    assert set(names) <= set(schemas[model].get("properties") or {})
    assert not set(names) & set(table[model]), table[model]


def test_the_evidence_names_its_sources_and_real_operations() -> None:
    sources = json.loads(always_sent.SOURCES_FILE.read_text(encoding="utf-8"))
    operations = always_sent.read_evidence()
    ids = {op["operationId"] for item in named_document()["paths"].values()
           for op in item.values() if isinstance(op, dict) and "operationId" in op}  # fmt: skip
    assert set(operations) <= ids, "evidence for operations the bundles no longer have"
    labels = {label for entry in operations.values() for label in entry if label != "request"}
    assert labels == set(sources) and always_sent.OWN not in labels
    for source in sources.values():
        assert source["independence"] and source["copies"]
        for item in source["copies"]:
            assert len(item["commit"]) == 40 and item["repo"].count("/") == 1 and item["path"]


# --------------------------------------------------------------------------- the rule


def document(example: dict[str, Any] | None, required: list[str] | None = None) -> dict[str, Any]:
    """One operation whose reply is a model with fields ``a``, ``b``, ``c`` (``c``
    described as conditional) and ``items``, a list of model ``Item``; ``example`` is
    Altegio's (the bundle's) example of the reply."""
    reply: Schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "string"},
            "c": {"type": "string", "description": "Present only if the filter is set."},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
        },
    }
    if required:
        reply["required"] = required
    media: dict[str, Any] = {"schema": reply}
    if example is not None:
        media["example"] = example
    item = {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}}
    return {
        "paths": {"/r": {"get": {"operationId": "get_r",
                                 "responses": {"200": {"content": {"application/json": media}}}}}},
        "components": {"schemas": {"Item": item}},
    }  # fmt: skip


def other(**objects: dict[str, Any]) -> dict[str, Any]:
    """Gathered evidence of one other source (``other``) for ``get_r``."""
    paths = {"" if path == "root" else path: seen for path, seen in objects.items()}
    return {"get_r": {"request": "GET /r", "other": {"examples": 1, "objects": paths}}}


def table(doc: dict[str, Any], operations: dict[str, Any]) -> dict[str, dict[str, str]]:
    doc = copy.deepcopy(doc)
    found, tallies = always_sent.gather(doc, {}, operations)
    return always_sent.derive(found, tallies, dict(naming.model_schemas(doc)))


FULL = {"a": "1", "b": "2", "c": "3", "items": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]}


def test_one_source_is_not_enough_however_many_examples() -> None:
    doc = document(FULL)
    doc["paths"]["/r"]["get"]["responses"]["200"]["content"]["application/json"]["examples"] = [
        FULL
    ] * 5
    assert table(doc, {}) == {"get_r.reply": {}, "Item": {}}


def test_two_sources_that_show_a_field_in_every_example_make_it_always_sent() -> None:
    evidence = other(
        root={"objects": 2, "present": {"a": 2, "b": 1, "c": 2, "items": 2}},
        **{".items[]": {"objects": 3, "present": {"x": 3, "y": 3}}},
    )
    assert table(document(FULL), evidence) == {
        # b: one of two examples lacks it; c: its description makes it conditional
        "get_r.reply": {"a": "altegio 1, other 2", "items": "altegio 1, other 2"},
        "Item": {"x": "altegio 2, other 3", "y": "altegio 2, other 3"},  # nested: via $ref
    }


def test_a_source_that_shows_a_field_absent_or_null_makes_it_optional() -> None:
    evidence = other(
        root={"objects": 2, "present": {"a": 1, "items": 2}, "null": {"a": 1}},
        **{".items[]": {"objects": 1, "present": {"x": 1}}},
    )
    assert table(document(FULL), evidence) == {"get_r.reply": {"items": "altegio 1, other 2"},
                                               "Item": {"x": "altegio 2, other 1"}}  # fmt: skip


def test_a_field_the_schema_requires_is_always_sent_unless_a_source_lacks_it() -> None:
    assert table(document(None, ["a", "b"]), {})["get_r.reply"] == {"a": "schema", "b": "schema"}
    evidence = other(root={"objects": 1, "present": {"a": 1}})
    assert table(document({"a": "1", "b": "2"}, ["a", "b"]), evidence)["get_r.reply"] == {
        "a": "schema, altegio 1, other 1"  # b: the other source shows it absent
    }


def test_the_table_file_shows_each_fields_evidence(tmp_path: Path) -> None:
    doc = document(FULL, ["b"])
    evidence = other(root={"objects": 2, "present": {"a": 2, "b": 2, "items": 2}})
    found, tallies = always_sent.gather(doc, {}, evidence)
    schemas = dict(naming.model_schemas(doc))
    written = always_sent.render(always_sent.derive(found, tallies, schemas), tallies, schemas)
    assert written.endswith(
        '"Item": {}  # Item; examples: altegio 2\n'
        '"get_r.reply":  # get_r.reply; examples: altegio 1, other 2\n'
        '  "a": "altegio 1, other 2"\n'
        '  "b": "schema, altegio 1, other 2"\n'
        '  "items": "altegio 1, other 2"\n'
    )
    assert yaml.safe_load(written)["get_r.reply"]["b"] == "schema, altegio 1, other 2"


@pytest.mark.parametrize(
    ("value", "schema", "reads"),
    [
        (" 16", {"type": "integer"}, True),  # the policy strips the text
        ("16.5", {"type": "integer"}, False),
        (16.0, {"type": "integer"}, True),
        ("1e3", {"type": "number"}, True),
        ("nan", {"type": "number"}, False),
        ("true", {"type": "boolean"}, True),
        (2, {"type": "boolean"}, False),
        (5, {"type": "string"}, True),  # a number where text is declared: its text
        (True, {"type": "string"}, False),
        (1767225600, {"type": "string", "format": "date-time"}, True),  # unix seconds
        (1767225600, {"type": "string", "format": "date"}, False),
        ("2026-13-01", {"type": "string", "format": "date"}, False),
        (None, {"type": ["integer", "null"]}, True),
        ({}, {"type": "array", "items": {"type": "integer"}}, True),  # PHP's empty list
        (["1", "x"], {"type": "array", "items": {"type": "integer"}}, False),
    ],
)
def test_an_example_fits_its_field_as_the_reading_policy_reads_it(
    value: Any, schema: Schema, reads: bool
) -> None:
    """A field is always sent only if its examples read as its type, so the judge is
    the reading policy itself, not a second copy of its rules."""
    assert always_sent.fits(value, schema, {}) is reads
