"""Arguments for every operation, built from the example values in the specs.

Shared by the Prism contract tests and the sandbox tests, so both exercise each
operation the way Altegio's reference documents it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
import sys
import typing
from functools import cache
from typing import Any

from altegio_async.api import OPERATIONS
from altegio_async.custom._operation import Operation
from tests._servers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import naming
import normalize_specs
import spec_inputs


@cache
def normalized() -> dict[str, Any]:
    """The merged document the package is generated from."""
    return normalize_specs.build()[0]


def spec_operation(op: Operation) -> dict[str, Any]:
    result: dict[str, Any] = normalized()["paths"][op.path][op.method.lower()]
    return result


@cache
def vendored() -> dict[str, dict[str, Any]]:
    """Altegio's bundles as published (the locked inputs), by the lock's names."""
    return {item.name: normalize_specs.load(item.path) for item in spec_inputs.resolve()}


def server_path(op: Operation) -> str:
    """The path of the bundle's server the operation's path starts with (``/api/v1``), or
    ``""`` for an operation on a server of its own (the marketplace's)."""
    bundle = vendored()[spec_name(op)]
    prefix = normalize_specs._server_of(bundle.get("servers"))
    item = bundle["paths"].get(op.path) or {}
    if prefix is None or op.method.lower() in item:
        return ""
    return prefix[1]


def vendored_path(op: Operation) -> str:
    """The operation's path as its bundle writes it (without the server's path)."""
    return op.path[len(server_path(op)) :]


def vendored_operation(op: Operation) -> dict[str, Any]:
    path = vendored_path(op)
    result: dict[str, Any] = vendored()[spec_name(op)]["paths"][path][op.method.lower()]
    return result


def spec_name(op: Operation) -> str:
    """The bundle (the lock's name) the operation comes from."""
    replies = spec_operation(op)["responses"].values()
    return str(next(iter(replies))["x-altegio-operation"]["bundle"])


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref``s into the normalised document's components."""
    while "$ref" in schema:
        schema = normalized()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example_value(schema: dict[str, Any], example: Any = None) -> Any:
    """The documented example, or the simplest value of the schema's type (as the
    method takes it: a ``date`` where the schema says ``format: date``)."""
    schema = resolve(schema)
    if schema.get("format") == "binary":  # a file to upload
        return b"\x89PNG\r\n\x1a\n example image"
    if example is not None:
        return typed(schema, conform(schema, example))
    for union in ("oneOf", "anyOf"):
        if schema.get(union):
            # The most specific variant: look-alike variants make oneOf ambiguous.
            variant = max(schema[union], key=lambda s: len(s.get("required", [])))
            return example_value(variant)
    if "example" in schema:
        return conform(schema, schema["example"])
    if schema.get("examples"):
        return conform(schema, schema["examples"][0])
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {
            name: example_value(prop)
            for name, prop in (schema.get("properties") or {}).items()
            if name in schema.get("required", []) or "example" in prop
        }
    if kind == "array":
        return [example_value(schema.get("items") or {})]
    if kind == "string" and schema.get("format") in ("date", "date-time"):
        return typed(schema, "2026-09-21" if schema["format"] == "date" else "2026-09-21T10:00")
    if kind == "string" and "pattern" in schema:
        return matching(schema["pattern"])
    if kind in ("integer", "number"):
        step = schema.get("multipleOf", 1)
        low = schema.get("minimum", 1)
        return int(step * max(1, -(-low // step)))
    return {"boolean": True, "null": None}.get(str(kind), "string")


def matching(pattern: str) -> str:
    """A string for the digit patterns Altegio writes (``^[0-9]{4}-[0-9]{2}...$``)."""
    text = pattern.removeprefix("^").removesuffix("$")
    text = re.sub(r"(\[0-9\]|\\d)\{(\d+)\}", lambda m: "1" * int(m.group(2)), text)
    text = text.replace("\\", "")
    assert re.fullmatch(pattern, text), f"no example for the pattern {pattern}"
    return text


def conform(schema: dict[str, Any], value: Any) -> Any:
    """An example of Altegio's made to fit its own schema where the two disagree (a
    phone number written as a number where the schema says string): the request is
    what the schema describes, which is what Prism checks."""
    schema = resolve(schema)
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        props = schema["properties"]
        fitted = {
            k: conform(props[k], v) if k in props else v
            for k, v in value.items()
            if v is not None or k not in props or _admits_null(props[k])
        }  # an example's null where the schema admits none: left out
        for name in schema.get("required", []):  # an example without a required field
            if name not in fitted and name in props:
                fitted[name] = example_value(props[name])
        return fitted
    if kinds == ["object"] and not isinstance(value, dict):
        return example_value({k: v for k, v in schema.items() if k != "example"})
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [conform(schema["items"], v) for v in value]
    if isinstance(value, dict) and kinds == ["object"]:
        return value
    if "string" in kinds and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if kinds[0] in ("integer", "number") and isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, str) and schema.get("format") == "date-time":
        return typed(schema, value.replace(" ", "T")).isoformat()
    if isinstance(value, str) and value not in schema.get("enum", [value]):  # "desc" for DESC
        return next((e for e in schema["enum"] if str(e).lower() == value.lower()), value)
    return value


def _admits_null(schema: dict[str, Any]) -> bool:
    schema = resolve(schema)
    kinds = schema.get("type")
    variants = schema.get("oneOf") or schema.get("anyOf") or []
    return (
        (kinds is None and not variants)
        or kinds == "null"
        or (isinstance(kinds, list) and "null" in kinds)
        or any(_admits_null(v) for v in variants)
    )


def typed(schema: dict[str, Any], value: Any) -> Any:
    if isinstance(value, str) and schema.get("format") == "date":
        return dt.date.fromisoformat(value)
    if isinstance(value, str) and schema.get("format") == "date-time":
        moment = dt.datetime.fromisoformat(value)  # RFC 3339, as the spec says: with an offset
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return value


def model_from_example(annotation: Any, example: Any) -> Any:
    """The first model of the body's (union) type that accepts the example (for a list
    body, each item)."""
    union = typing.get_args(annotation) if typing.get_origin(annotation) is not list else ()
    for candidate in union or (annotation,):
        if typing.get_origin(candidate) is list and isinstance(example, list):
            (item,) = typing.get_args(candidate)
            return [model_from_example(item, value) for value in example]
        if hasattr(candidate, "from_dict"):
            try:
                return candidate.from_dict(example)
            except (KeyError, TypeError, ValueError):
                continue
    raise AssertionError(f"no model in {annotation} accepts {example}")


def argument_name(op: Operation, name: str) -> str:
    """The method's name for a parameter: the argument table's (``staff_id`` ->
    ``team_member_id``, ``filter[x]`` -> ``filter_x``), with the generator's ``_``
    where a name would shadow something (``datetime`` -> ``datetime_``)."""
    # a path's bare {id} is named after its resource (/client/{location_id}/{id}: client_id)
    wire = naming.path_id_name(op.path) if name == "id" and "{id}" in op.path else name
    plain = naming.argument_name(wire)
    accepted = inspect.signature(getattr(resource_class(op), op.operation_id)).parameters
    return plain if plain in accepted else plain + "_"


def tag_module(op: Operation) -> str:
    """The package of the operation's tag (``v2_services``)."""
    return op.module.split(".")[-2]


def endpoint_module(op: Operation) -> Any:
    return importlib.import_module(op.module)


def example_kwargs(op: Operation) -> dict[str, Any]:
    """Keyword arguments for ``client.<tag>.<operation>`` from the spec's examples."""
    spec_op = spec_operation(op)
    kwargs: dict[str, Any] = {}
    for param in spec_op.get("parameters", []):
        if param["in"] == "query" and not param.get("required") and "example" not in param:
            continue
        kwargs[argument_name(op, param["name"])] = example_value(
            param["schema"], param.get("example")
        )
    body = spec_op.get("requestBody")
    if body is not None:
        media = naming.request_media(spec_op)
        assert media is not None, f"{op.operation_id}: a body of no media type the client sends"
        hints = typing.get_type_hints(endpoint_module(op)._get_kwargs)
        fitting = bundle_example(op)
        schema = media["schema"]
        if fitting is None:  # Altegio's example contradicts its schema: the schema builds one
            schema = {k: v for k, v in resolve(schema).items() if k not in ("example", "examples")}
        example = jsonable(example_value(schema, fitting))
        kwargs["body"] = model_from_example(hints["body"], example)
    method = getattr(resource_class(op), op.operation_id)
    accepted = set(inspect.signature(method).parameters)
    unknown = set(kwargs) - accepted
    assert not unknown, f"{op.operation_id}: no such arguments {unknown}"
    return kwargs


def jsonable(value: Any) -> Any:
    """Dates as the JSON a model reads them from."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def inlined(spec: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """A bundle's schema with its ``$ref``s replaced by what they point at."""
    if isinstance(node, dict):
        if "$ref" in node and depth < 12:
            target: Any = spec
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            return inlined(spec, target, depth + 1)
        return {k: inlined(spec, v, depth) for k, v in node.items()}
    if isinstance(node, list):
        return [inlined(spec, v, depth) for v in node]
    return node


def bundle_example(op: Operation) -> Any:
    """The body example of the bundle that its own schema accepts: Altegio's examples
    sometimes contradict their schema ("desc" for DESC, a string for an array), and
    Prism checks the schema.  None when no example fits (the schema builds one)."""
    import jsonschema

    bundle = vendored()[spec_name(op)]
    content = (vendored_operation(op).get("requestBody") or {}).get("content") or {}
    media: dict[str, Any] = next(iter(content.values()), {})
    schema = inlined(bundle, media.get("schema") or {})
    candidates = [c for c in (media.get("example"), schema.get("example")) if c is not None]
    for candidate in candidates:
        if jsonschema.Draft202012Validator(schema).is_valid(candidate):
            return candidate
    # none fits: where a quirk fixed the schema (a list body declared as one item), the
    # example fits the fixed one
    return next((c for c in candidates if isinstance(c, list)), None)


def resource_class(op: Operation) -> Any:
    module = importlib.import_module(f"altegio_async.api.{tag_module(op)}")
    cls_name = "".join(part.capitalize() for part in tag_module(op).split("_"))
    return getattr(module, cls_name)


def resource(caller: Any, op: Operation) -> Any:
    """``caller.<tag>`` or ``caller.<namespace>.<tag>``: where the operation's method is."""
    holder = getattr(caller, op.namespace) if op.namespace else caller
    return getattr(holder, op.tag)


ALL_OPERATIONS = sorted(OPERATIONS.values(), key=lambda o: o.qualified_id)
