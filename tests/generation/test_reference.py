"""The API reference under docs/: every operation with its arguments and linked result,
every model with its fields; and help() on a generated method reads the same."""

from __future__ import annotations

import importlib
import inspect
import re
import types
import typing
from typing import Any

import attrs
import pytest

import altegio_async.models as models
from altegio_async.api import OPERATIONS
from altegio_async.custom._operation import Operation
from altegio_async.custom._response import ApiResponse
from tests._servers import ROOT
from tests.examples import ALL_OPERATIONS, endpoint_module, normalized, resource_class, tag_module

DOCS = ROOT / "docs"
MODELS = set(models.__all__)
# Package paths in annotations, as the reference leaves them out (datetime.date: date).
PATH = re.compile(r"\b(?:[a-z_]\w*\.)+(?=[A-Z_a-z])")
COMMON = {"self", "timeout", "extra_headers", "extra_query"}


def page(relative: str) -> str:
    return (DOCS / relative).read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """From ``## heading`` to the next heading of that level."""
    assert f"\n## {heading}\n" in text, heading
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def cell(text: str) -> str:
    """A description as a table cell shows it: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def plain(markdown: str) -> str:
    """A type cell as text: links to their names, no code marks or escapes."""
    return re.sub(r"\[`(\w+)`\]\([^)]*\)", r"\1", markdown).replace("`", "").replace("\\|", "|")


def model_names(annotation: Any) -> set[str]:
    """The models a resolved type names (``list[X | None]``: X)."""
    if isinstance(annotation, types.GenericAlias | types.UnionType) or typing.get_origin(
        annotation
    ) in (typing.Union, list, dict):
        return {n for arg in typing.get_args(annotation) for n in model_names(arg)}
    name = getattr(annotation, "__name__", None)
    if name in MODELS and getattr(models, name) is annotation:
        return {name}
    return {n for n in MODELS if getattr(models, n) is annotation}  # Literal aliases


def model_link(name: str) -> str:
    return f"[`{name}`](../models/{name[0].lower()}.md#{name.lower()})"


def tag_page(op: Operation) -> str:
    return page(f"api/{tag_module(op)}.md")


def spec_descriptions(op: Operation) -> list[str]:
    spec = normalized()["paths"][op.path][op.method.lower()]
    found = [p["description"] for p in spec.get("parameters", []) if p.get("description")]
    body = spec.get("requestBody") or {}
    return found + ([body["description"]] if body.get("description") else [])


def test_the_index_links_a_page_per_tag_and_the_models() -> None:
    index = page("api.md")
    tags = sorted({tag_module(op) for op in OPERATIONS.values()})
    assert sorted(p.stem for p in (DOCS / "api").glob("*.md")) == tags
    for tag in tags:
        assert f"(api/{tag}.md)" in index, tag
    for op in OPERATIONS.values():
        assert f"(api/{tag_module(op)}.md#{op.operation_id})" in index, op.qualified_id
    assert "[Every model](models.md)" in index
    letters = sorted({name[0].lower() for name in MODELS})
    assert sorted(p.stem for p in (DOCS / "models").glob("*.md")) == letters


@pytest.mark.parametrize("op", ALL_OPERATIONS, ids=lambda op: op.qualified_id)
def test_each_operation_shows_its_arguments_and_links_its_result(op: Operation) -> None:
    text = section(tag_page(op), f"`{op.operation_id}`")
    holder = f"{op.namespace}.{op.tag}" if op.namespace else op.tag
    view = {None: "client", "booking": "session", "business": "staff"}[op.user_kind]
    assert f"await {view}.{holder}.{op.operation_id}(" in text
    for description in spec_descriptions(op):
        assert cell(description) in text, description
    method = getattr(resource_class(op), op.operation_id)
    for name in inspect.signature(method).parameters:
        if name not in COMMON:
            assert re.search(rf"^\| `{name}` \| .+ \|", text, re.M), name
    result = endpoint_module(op).Result
    returns = text.split("- **Returns:** ", 1)[1].split("\n", 1)[0]
    for name in model_names(result):
        assert model_link(name) in returns, name
    assert plain(returns) == PATH.sub("", str(inspect.signature(method).return_annotation))


def test_every_model_has_its_fields_with_types_and_descriptions() -> None:
    schemas = normalized()["components"]["schemas"]
    for name in sorted(MODELS):
        text = section(page(f"models/{name[0].lower()}.md"), f"`{name}`")
        obj = getattr(models, name)
        if typing.get_origin(obj) is typing.Literal:
            for value in typing.get_args(obj):
                assert f"`{value!r}`" in text, (name, value)
            continue
        properties = schemas[name].get("properties", {})
        for field in (f for f in attrs.fields(obj) if f.init):
            row = re.search(rf"^\| `{field.name}` \| (.+) \| (.*) \|$", text, re.M)
            assert row is not None, (name, field.name)
            assert plain(row.group(1)) == PATH.sub("", field.type).replace("'", ""), field.name
            wire = field.name.rstrip("_") if field.name.rstrip("_") in properties else field.name
            described = properties.get(wire, {}).get("description")
            if described:
                assert row.group(2) == cell(described), (name, field.name)


def test_operations_link_models_that_have_a_section() -> None:
    """Every model link in the reference lands on a model's heading."""
    headings = {
        f"models/{p.name}#{h.lower()}"
        for p in (DOCS / "models").glob("*.md")
        for h in re.findall(r"^## `(\w+)`$", p.read_text(encoding="utf-8"), re.M)
    }
    for path in [*(DOCS / "api").glob("*.md"), *(DOCS / "models").glob("*.md")]:
        for target in re.findall(r"\]\(\.\./(models/\w+\.md#\w+)\)", path.read_text("utf-8")):
            assert target in headings, (path.name, target)


# ------------------------------------------------------------------------------- help()


def method_pairs() -> list[tuple[Operation, Any]]:
    """Every generated method (async, raw, sync, sync raw) of every operation."""
    pairs = []
    for op in ALL_OPERATIONS:
        module = importlib.import_module(f"altegio_async.api.{tag_module(op)}")
        cls = resource_class(op).__name__
        for name in (cls, f"{cls}WithRawResponse", f"Sync{cls}", f"Sync{cls}WithRawResponse"):
            pairs.append((op, getattr(getattr(module, name), op.operation_id)))
    return pairs


def test_help_shows_the_result_type_and_the_argument_descriptions() -> None:
    """The annotation is the result itself (``list[CreatedRecord]``), not the endpoint
    module's alias, and the docstring has the spec's description of each argument."""
    for op, method in method_pairs():
        result = endpoint_module(op).Result
        written = str(inspect.signature(method).return_annotation)
        assert ".Result" not in written and not written.startswith("_"), written
        hint = typing.get_type_hints(method)["return"]
        if typing.get_origin(hint) is ApiResponse:
            (hint,) = typing.get_args(hint)
        assert hint == (type(None) if result is None else result), (op.qualified_id, hint)
        doc = " ".join((inspect.getdoc(method) or "").split())
        for name in model_names(result):
            assert name in doc.split("Returns:", 1)[1], (op.qualified_id, name)
        for description in spec_descriptions(op):
            assert " ".join(description.split()) in doc, (op.qualified_id, description)


def test_pydoc_of_a_method_reads_like_the_reference() -> None:
    import pydoc

    from altegio_async.api.online_booking import OnlineBooking, SyncOnlineBooking

    for cls in (OnlineBooking, SyncOnlineBooking):
        text = pydoc.render_doc(cls.create_online_booking, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
        assert "-> 'list[CreatedRecord]'" in text
        assert "location_id (int): location ID" in text
        assert "body (BookingRequest): Create a session appointment" in text
        assert "_create_online_booking" not in text


def test_the_tag_descriptions_come_from_the_spec() -> None:
    """The one line help() shows for ``client.<tag>``: the first paragraph of its tag's
    description in the bundle."""
    from altegio_async.api import Resources, V2Resources

    tags = {t["name"]: t.get("description", "") for t in normalized()["tags"]}
    for op in ALL_OPERATIONS:
        holder = V2Resources if op.namespace == "v2" else Resources
        described = inspect.getdoc(getattr(holder, op.tag)) or ""
        first = " ".join(tags[tag_module(op)].split("\n\n", 1)[0].split()).rstrip(".")
        assert described.startswith(first), (op.tag, described)
