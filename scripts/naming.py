"""Names a person would write: model names from ``names.yaml``, argument names from ARGUMENTS.

Without help the generator names a model after where it sits (the path of
properties from the operation: ``TimeSlot``) or
after Altegio's component key (``book_times_companyid_data_types``).  Here every
schema that becomes a model is found, given a *key* that says where it sits, and
named by ``names.yaml`` (one commented line per model), through the schema's
``title`` (the generator runs with ``use_path_prefixes_for_title_model_names:
false``).  Keys:

* ``<operation_id>.reply`` / ``<operation_id>.body``: the (unwrapped) reply data
  and the request body of an operation; ``<component>`` for a component schema
  (webhook payloads are components named after the webhook: ``RecordEvent``);
* then ``.<field>`` for a property, ``[]`` for array items, ``{}`` for map values
  and ``|<n>`` for the n-th alternative of a ``oneOf``/``anyOf``.

Enums are named after their model and field (``VoipCallStatus``).
Generation fails on a model without a name (printing its key and a suggestion),
on a name given twice, on a name longer than ``MAX_NAME`` characters, and on a
table line that names nothing (a stale line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

TABLE = Path(__file__).resolve().parent / "names.yaml"
MAX_NAME = 30

# One concept, one argument name.  Path and query parameters keep their names on
# the wire; the methods take these instead.  Altegio's reference says "team member"
# and "location" where its parameters still say staff, company and salon.
ARGUMENTS = {
    "staff_id": "team_member_id",
    "company_id": "location_id",
    "salon_id": "location_id",
}

METHODS = ("get", "put", "post", "delete", "patch")
# Fields whose values are credentials: left out of repr() and of mismatch reports.
SECRET_NAMES = {"api_key", "crm_token", "new_password", "old_password", "partner_token",
                "password", "user_token"}  # fmt: skip
SECRET_TEXT = re.compile(r"\b(user|partner|api)[ _]?token\b|\bpassword\b", re.IGNORECASE)


class NamingError(Exception):
    """The naming table and the document disagree."""


def python_name(name: str) -> str:
    return re.sub(r"\W+", "_", name).strip("_").lower()


def argument_names(op: dict[str, Any]) -> dict[str, str]:
    """``{generated parameter name: argument name}`` for one operation's renames."""
    params = [python_name(p["name"]) for p in op.get("parameters", [])]
    renames = {name: ARGUMENTS[name] for name in params if name in ARGUMENTS}
    clash = set(renames.values()) & set(params)
    if clash:
        raise NamingError(f"{op['operationId']}: argument {clash} would be taken twice")
    return renames


def is_model(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "$ref" not in schema and ("object" in kinds or "properties" in schema)


def children(key: str, schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict):
            yield f"{key}.{name}", prop
    if isinstance(schema.get("items"), dict):
        yield f"{key}[]", schema["items"]
    if isinstance(schema.get("additionalProperties"), dict):
        yield f"{key}{{}}", schema["additionalProperties"]
    for union in ("oneOf", "anyOf", "allOf"):
        for index, variant in enumerate(schema.get(union) or []):
            if isinstance(variant, dict):
                yield f"{key}|{index}", variant


def model_schemas(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(key, schema)`` for every schema of the merged document that becomes a model."""
    roots: list[tuple[str, dict[str, Any]]] = list(
        document.get("components", {}).get("schemas", {}).items()
    )
    for item in document.get("paths", {}).values():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json")
            if body and isinstance(body.get("schema"), dict):
                roots.append((f"{op['operationId']}.body", body["schema"]))
            for reply in op.get("responses", {}).values():
                media = (reply.get("content") or {}).get("application/json") or {}
                if isinstance(media.get("schema"), dict):
                    roots.append((f"{op['operationId']}.reply", media["schema"]))
    pending = list(reversed(roots))
    while pending:
        key, schema = pending.pop()
        if is_model(schema):
            yield key, schema
        pending.extend(reversed(list(children(key, schema))))


def suggest(key: str) -> str:
    """A starting point for a new table line: the last named part, in PascalCase."""
    words = [w for w in re.split(r"[.\[\]{}|]+", key) if w and not w.isdigit()]
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", words[-1]) if part)


def read_table(path: Path = TABLE) -> dict[str, str]:
    table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(table, dict):
        raise NamingError(f"{path.name} must map keys to names")
    return {str(k): str(v) for k, v in table.items()}


def _drop_titles(document: dict[str, Any]) -> None:
    """Altegio's own titles ("Root Type for book_times_company_id_data_types") would
    name models and enums; only the table's names stay."""
    pending: list[Any] = [document.get("paths"), document.get("components")]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if isinstance(node.get("title"), str):
                del node["title"]  # a property called "title" is a dict, not a str
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)


def apply(document: dict[str, Any], table: dict[str, str] | None = None) -> int:
    """Title every model schema from the table; returns how many were named."""
    table = read_table() if table is None else table
    _drop_titles(document)
    found = list(model_schemas(document))
    missing = [key for key, _ in found if key not in table]
    if missing:
        lines = "\n".join(f"  {key}: {suggest(key)}" for key in missing)
        raise NamingError(f"models without a name in scripts/names.yaml:\n{lines}")
    used = {key for key, _ in found}
    stale = sorted(set(table) - used)
    if stale:
        raise NamingError(f"scripts/names.yaml names nothing at: {', '.join(stale)}")
    seen: dict[str, str] = {}
    for key, schema in found:
        name = table[key]
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) or len(name) > MAX_NAME:
            raise NamingError(f"{key}: {name!r} is not a PascalCase name of <= {MAX_NAME} chars")
        if name in seen:
            raise NamingError(f"{name} names both {seen[name]} and {key}")
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        if snake in (schema.get("properties") or {}):
            # the generated from_dict names its result after the model: it would shadow the field
            raise NamingError(f"{key}: {name!r} clashes with its own field {snake!r}")
        seen[name] = key
        schema["title"] = name
    for key, schema in found:
        for field, enum in _enum_fields(schema):
            suffix = "".join(w.capitalize() for w in python_name(field).split("_"))
            name = schema["title"] + suffix  # the generator puts the model's name first
            if name in seen or len(name) > MAX_NAME:
                raise NamingError(f"{key}.{field}: enum name {name!r} is taken or too long")
            seen[name] = f"{key}.{field}"
            enum["title"] = suffix
    return len(found)


def _enum_fields(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """A model's enum fields (or arrays of enums), named ``<Model><Field>``: the
    generator would add ``Item`` for the array ones."""
    for field, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        items = prop.get("items")
        target: dict[str, Any] = items if isinstance(items, dict) else prop
        if "enum" in target:
            yield field, target


def mark_secrets(document: dict[str, Any]) -> int:
    """``x-altegio-secrets`` on every model: its fields named or described as a token or
    password (``GET /booking/user/data`` sends the user token as a field named ``0``,
    described "User Token")."""
    marked = 0
    for _, schema in model_schemas(document):
        secret = sorted(
            name
            for name, prop in (schema.get("properties") or {}).items()
            if isinstance(prop, dict)
            and (name in SECRET_NAMES or SECRET_TEXT.search(str(prop.get("description", ""))))
        )
        if secret:
            schema["x-altegio-secrets"] = secret
            marked += len(secret)
    return marked
