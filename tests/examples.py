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
import normalize_specs
import spec_inputs

PUBLIC_TAGS = {"authentication", "online_booking", "client_personal_cabinet"}


@cache
def normalized() -> dict[str, Any]:
    """The merged document the package is generated from."""
    return normalize_specs.build()[0]


def spec_operation(op: Operation) -> dict[str, Any]:
    result: dict[str, Any] = normalized()["paths"][op.path][op.method.lower()]
    return result


@cache
def vendored() -> dict[str, dict[str, Any]]:
    """Altegio's two bundles as published (the locked inputs)."""
    return {item.path.stem: normalize_specs.load(item.path) for item in spec_inputs.resolve()}


def vendored_operation(op: Operation) -> dict[str, Any]:
    result: dict[str, Any] = vendored()[spec_name(op)]["paths"][op.path][op.method.lower()]
    return result


def spec_name(op: Operation) -> str:
    return "public" if op.tag in PUBLIC_TAGS else "developers"


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref``s into the normalised document's components."""
    while "$ref" in schema:
        schema = normalized()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example_value(schema: dict[str, Any], example: Any = None) -> Any:
    """The documented example, or the simplest value of the schema's type (as the
    method takes it: a ``date`` where the schema says ``format: date``)."""
    schema = resolve(schema)
    if example is not None:
        return typed(schema, example)
    for union in ("oneOf", "anyOf"):
        if schema.get(union):
            # The most specific variant: look-alike variants make oneOf ambiguous.
            variant = max(schema[union], key=lambda s: len(s.get("required", [])))
            return example_value(variant)
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
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
    return {"integer": 1, "number": 1, "boolean": True, "null": None}.get(str(kind), "string")


def typed(schema: dict[str, Any], value: Any) -> Any:
    if isinstance(value, str) and schema.get("format") == "date":
        return dt.date.fromisoformat(value)
    if isinstance(value, str) and schema.get("format") == "date-time":
        return dt.datetime.fromisoformat(value)
    return value


def model_from_example(annotation: Any, example: dict[str, Any]) -> Any:
    """The first model of the body's (union) type that accepts the example."""
    for candidate in typing.get_args(annotation) or (annotation,):
        if hasattr(candidate, "from_dict"):
            try:
                return candidate.from_dict(example)
            except (KeyError, TypeError, ValueError):
                continue
    raise AssertionError(f"no model in {annotation} accepts {example}")


def argument_name(op: Operation, name: str) -> str:
    """The method's name for a parameter: the argument table's (``staff_id`` ->
    ``team_member_id``), else the generator's (``service_ids[]`` -> ``service_ids``,
    ``datetime`` -> ``datetime_`` to avoid shadowing the module)."""
    plain = re.sub(r"\W+", "_", name).strip("_").lower()
    replies = spec_operation(op)["responses"].values()
    renames: dict[str, str] = next(iter(replies))["x-altegio-operation"]["arguments"]
    plain = renames.get(plain, plain)
    accepted = inspect.signature(getattr(resource_class(op), op.operation_id)).parameters
    return plain if plain in accepted else plain + "_"


def endpoint_module(op: Operation) -> Any:
    return importlib.import_module(f"altegio_async.api.{op.tag}.{op.operation_id}")


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
        schema = body["content"]["application/json"]["schema"]
        hints = typing.get_type_hints(endpoint_module(op)._get_kwargs)
        kwargs["body"] = model_from_example(hints["body"], example_value(schema))
    method = getattr(resource_class(op), op.operation_id)
    accepted = set(inspect.signature(method).parameters)
    unknown = set(kwargs) - accepted
    assert not unknown, f"{op.operation_id}: no such arguments {unknown}"
    return kwargs


def resource_class(op: Operation) -> Any:
    module = importlib.import_module(f"altegio_async.api.{op.tag}")
    cls_name = "".join(part.capitalize() for part in op.tag.split("_"))
    return getattr(module, cls_name)


ALL_OPERATIONS = sorted(OPERATIONS.values(), key=lambda o: o.operation_id)
