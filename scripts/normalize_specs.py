"""Normalise Altegio's two OpenAPI descriptions into the one document we generate from.

The vendored files in ``openapi/`` stay exactly as downloaded.  Every deviation we
need is one entry in ``QUIRKS`` below: a function with a docstring saying what
Altegio's file does and why the generator needs something else.  The merged result
also carries the per-operation facts the hand-written layer needs (user token,
server, envelope) as ``x-altegio-*`` extensions, which ``generate.py`` turns into
``altegio_async/_operations.py``.

Run ``python scripts/normalize_specs.py --explain`` to list the quirks.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPECS = ("public.yaml", "developers.yaml")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# Headers Altegio documents as per-operation parameters; the client sends them itself.
TRANSPORT_HEADERS = {"accept", "content-type", "authorization"}
# Non-default hosts, by the key the client uses to route to them.
SERVER_KEYS = {"https://app.alteg.io": "app"}
DEFAULT_SERVER = "https://api.alteg.io/api/v1"
# The pseudo-endpoint that documents a payload Altegio POSTs to the partner.
WEBHOOK_PSEUDO_PATHS = {"/marketplace_webhook": "MarketplaceWebhookEvent"}

Spec = dict[str, Any]
Operation = dict[str, Any]


class NormalizeError(Exception):
    """The specs changed in a way the pipeline does not know how to handle."""


def operations(spec: Spec) -> Iterator[tuple[str, str, Operation]]:
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _walk_schemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema-like mapping below ``node`` (depth first)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk_schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_schemas(value)


def _is_id_name(name: str) -> bool:
    return name == "id" or name.endswith("_id") or name.endswith("_ids[]") or name.endswith("_ids")


def _success_responses(op: Operation) -> dict[str, Any]:
    return {code: r for code, r in op.get("responses", {}).items() if str(code).startswith("2")}


def _json_schema(response: dict[str, Any]) -> dict[str, Any] | None:
    content = response.get("content") or {}
    media = content.get("application/json")
    return None if media is None else media.get("schema")


# --------------------------------------------------------------------------- quirks
# Each quirk takes the spec of one file (already deep-copied) and edits it in place.


def record_user_token(spec: Spec) -> None:
    """Altegio marks user-token calls in two places that disagree: the ``security``
    label (``BearerPartnerUser``) and the text of the ``Authorization`` header
    parameter (``Bearer partner_token, User user_token``).  Either one means the
    call needs the user token; record that as ``x-altegio-user-token`` and make the
    security label agree, so the client never keeps its own list."""
    for _, _, op in operations(spec):
        labels = {name for req in op.get("security") or [] for name in req}
        auth_text = " ".join(
            str(p.get("description", ""))
            for p in op.get("parameters", [])
            if p.get("in") == "header" and p.get("name", "").lower() == "authorization"
        )
        needs_user = "BearerPartnerUser" in labels or re.search(r"\bUser\b", auth_text) is not None
        op["x-altegio-user-token"] = needs_user
        op["security"] = [{"BearerPartnerUser": []}] if needs_user else [{"BearerPartner": []}]


def drop_transport_headers(spec: Spec) -> None:
    """Every operation lists ``Accept``, ``Content-Type`` and ``Authorization`` as
    required header parameters; generated as-is they become mandatory arguments of
    every function.  The client sends ``Accept: application/vnd.api.v2+json``, the
    JSON content type and the right ``Authorization`` itself."""
    for _, _, op in operations(spec):
        op["parameters"] = [
            p
            for p in op.get("parameters", [])
            if not (p.get("in") == "header" and p.get("name", "").lower() in TRANSPORT_HEADERS)
        ]


def integer_ids(spec: Spec) -> None:
    """IDs are typed ``number`` (a float in Python) almost everywhere, although
    every example and every real value is a whole number.  Path, query and body
    fields named ``id``/``*_id``/``*_ids`` become ``integer``."""

    def fix(schema: dict[str, Any]) -> None:
        if schema.get("type") == "number":
            schema["type"] = "integer"
            schema.pop("format", None)
        elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            fix(schema["items"])

    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            if param.get("in") in ("path", "query") and _is_id_name(param["name"]):
                fix(param.get("schema", {}))
        for node in _walk_schemas([op.get("requestBody"), op.get("responses")]):
            for name, prop in (node.get("properties") or {}).items():
                if isinstance(prop, dict) and _is_id_name(name):
                    fix(prop)


def path_params_without_defaults(spec: Spec) -> None:
    """``GET /book_times/{location_id}/{team_member_id}/{date}`` gives the required
    path parameter ``team_member_id`` a default of 0 ahead of other required
    parameters, which the generator turns into invalid Python.  A path parameter is
    always required, so its default means nothing: drop it."""
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            if param.get("in") == "path":
                param.get("schema", {}).pop("default", None)


def wildcard_request_content_type(spec: Spec) -> None:
    """``POST /activity/{location_id}/{event_id}/book`` declares its JSON body as
    ``*/*``, which the generator refuses.  The reference and every example send
    JSON, so the body is declared ``application/json``."""
    for _, _, op in operations(spec):
        content = (op.get("requestBody") or {}).get("content") or {}
        if "*/*" in content and "application/json" not in content:
            content["application/json"] = content.pop("*/*")


def array_service_ids(spec: Spec) -> None:
    """The ``service_ids[]`` query parameter is an array of numbers in some
    operations and a plain string in others (``/book_dates``, ``/book_times``),
    although Altegio reads it the same way everywhere (``service_ids[]=1&...``).
    It is an array of integers throughout."""
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            if param.get("in") == "query" and param["name"] == "service_ids[]":
                param["schema"] = {"type": "array", "items": {"type": "integer"}}


def prose_enums(spec: Spec) -> None:
    """``GET /voip/integration/calls`` gives its reply's ``status`` and ``type`` the
    "enum" ``[same, as, `statuses`, (7, values)]``: a sentence split into words.
    It refers to the enum of the request field named in backquotes, which is
    copied in its place."""
    for path, method, op in operations(spec):
        enums: dict[str, list[Any]] = {}
        for node in _walk_schemas(op):
            for name, prop in (node.get("properties") or {}).items():
                for source in (prop, prop.get("items") if isinstance(prop, dict) else None):
                    if isinstance(source, dict) and "enum" in source:
                        enums.setdefault(name, source["enum"])
        for node in _walk_schemas(op):
            values = node.get("enum") if isinstance(node, dict) else None
            if isinstance(values, list) and values[:2] == ["same", "as"]:
                target = str(values[2]).strip("`")
                if target not in enums:
                    raise NormalizeError(f"{method.upper()} {path}: enum refers to {target!r}")
                node["enum"] = list(enums[target])


def string_api_keys(spec: Spec) -> None:
    """The marketplace callbacks type ``api_key`` as ``number``, while their own
    example (and every real key) is a UUID string.  It is declared a string."""
    for _, _, op in operations(spec):
        for node in _walk_schemas(op.get("requestBody")):
            prop = (node.get("properties") or {}).get("api_key")
            if isinstance(prop, dict) and prop.get("type") == "number":
                prop["type"] = "string"


def untyped_meta(spec: Spec) -> None:
    """``meta`` is ``[]`` when empty and an object otherwise, but each operation
    declares only one of the two.  It is left untyped in the models; the client
    exposes it as a dict on every response (``[]`` becomes ``{}``)."""
    for _, _, op in operations(spec):
        for response in _success_responses(op).values():
            schema = _json_schema(response)
            if schema and "meta" in (schema.get("properties") or {}):
                meta = schema["properties"]["meta"]
                schema["properties"]["meta"] = {"description": meta.get("description", "Metadata")}


def required_envelope(spec: Spec) -> None:
    """No schema lists ``required`` fields, so ``success`` and ``data`` of the
    ``{success, data, meta}`` envelope come out as optional.  Altegio always sends
    them; requiring them gives the unwrapped ``data`` its exact type, and a reply
    without them becomes a typed error instead of a silent ``UNSET``."""
    for _, _, op in operations(spec):
        for response in _success_responses(op).values():
            schema = _json_schema(response)
            props = (schema or {}).get("properties") or {}
            if "success" in props:
                assert schema is not None
                schema["required"] = [name for name in ("success", "data") if name in props]
                op["x-altegio-envelope"] = "data" if "data" in props else "status"


def success_responses_only(spec: Spec) -> None:
    """Error replies (401/403/404/422) share one envelope that the client's error
    layer reads from the raw body; generating a model per operation and status would
    add over a hundred classes nobody uses.  Only 2xx/3xx replies are generated."""
    for _, _, op in operations(spec):
        op["responses"] = {
            code: r for code, r in op["responses"].items() if not str(code).startswith(("4", "5"))
        }


def i18n_without_schema(spec: Spec) -> None:
    """``GET /i18n/{lang_code}`` documents no 200 reply at all.  Altegio's older
    reference shows a nested dictionary of translated strings; it is declared as a
    free-form JSON object."""
    op = spec.get("paths", {}).get("/i18n/{lang_code}", {}).get("get")
    if op is not None and not _success_responses(op):
        op["responses"]["200"] = {
            "description": "Translations: nested objects of strings, keyed by section.",
            "content": {
                "application/json": {"schema": {"type": "object", "additionalProperties": True}}
            },
        }


def operation_servers(spec: Spec) -> None:
    """Eight marketplace operations declare their own server ``https://app.alteg.io``
    (no ``/api/v1``), which the generator ignores.  The server is recorded as
    ``x-altegio-server`` and the client routes those calls to its ``app`` host."""
    for path, method, op in operations(spec):
        servers = op.pop("servers", None)
        if not servers:
            op["x-altegio-server"] = "api"
            continue
        url = servers[0]["url"].rstrip("/")
        if url not in SERVER_KEYS:
            raise NormalizeError(f"{method.upper()} {path}: unknown server {url!r}")
        op["x-altegio-server"] = SERVER_KEYS[url]


def webhook_pseudo_endpoint(spec: Spec) -> None:
    """``POST /marketplace_webhook`` is documented as "not a callable endpoint": it
    is the payload Altegio POSTs to the partner.  It becomes the model
    ``MarketplaceWebhookEvent`` instead of a function."""
    for path, name in WEBHOOK_PSEUDO_PATHS.items():
        item = spec.get("paths", {}).pop(path, None)
        if item is None:
            continue
        schema = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        _add_schema(spec, name, schema)


def webhook_payload_models(spec: Spec) -> None:
    """The generator drops the OpenAPI 3.1 ``webhooks:`` section without a word.
    Each webhook's request body becomes a component schema named after the
    webhook (``SalonEvent``, ``RecordEvent``, ...) so its model is generated."""
    for name, item in (spec.pop("webhooks", None) or {}).items():
        schema = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        _add_schema(spec, name, schema)


def snake_case_tags(spec: Spec) -> None:
    """Tags are display names ("Online Booking", "VoIP Integration"); the package
    groups operations by their snake_case form (``online_booking``,
    ``voip_integration``), which the generator would spell ``vo_ip_integration``."""

    def snake(name: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")

    for tag in spec.get("tags", []):
        tag["name"] = snake(tag["name"])
    for _, _, op in operations(spec):
        op["tags"] = [snake(t) for t in op.get("tags", [])]


def _add_schema(spec: Spec, name: str, schema: dict[str, Any]) -> None:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    if name in schemas:
        raise NormalizeError(f"component schema {name!r} defined twice")
    schemas[name] = schema


QUIRKS: tuple[Callable[[Spec], None], ...] = (
    # record_user_token reads the Authorization header text, so it runs first.
    record_user_token,
    drop_transport_headers,
    integer_ids,
    path_params_without_defaults,
    wildcard_request_content_type,
    array_service_ids,
    prose_enums,
    string_api_keys,
    untyped_meta,
    required_envelope,
    success_responses_only,
    i18n_without_schema,
    operation_servers,
    webhook_pseudo_endpoint,
    webhook_payload_models,
    snake_case_tags,
)


# --------------------------------------------------------------------------- merge


def annotate_success_responses(spec: Spec) -> None:
    """Templates see each reply's raw data but not the operation's, so the facts the
    client needs travel on the success replies as ``x-altegio-operation``."""
    for path, method, op in operations(spec):
        op.setdefault("x-altegio-envelope", "none")
        info = {
            "server": op["x-altegio-server"],
            "user_token": op["x-altegio-user-token"],
            "envelope": op["x-altegio-envelope"],
        }
        replies = [r for code, r in op["responses"].items() if str(code).startswith(("2", "3"))]
        if not replies:
            raise NormalizeError(f"{method.upper()} {path} documents no success reply")
        for reply in replies:
            reply["x-altegio-operation"] = info


def normalize(spec: Spec) -> Spec:
    spec = copy.deepcopy(spec)
    for quirk in QUIRKS:
        quirk(spec)
    annotate_success_responses(spec)
    return spec


def merge(specs: list[Spec]) -> Spec:
    """Both APIs share one base URL and one auth scheme: one document, one package."""
    merged: Spec = {
        "openapi": "3.1.0",
        "info": {
            "title": "Altegio",
            "version": "+".join(str(s["info"]["version"]) for s in specs),
            "description": "Altegio Online Booking and Developer Tools APIs.",
        },
        "servers": [{"url": DEFAULT_SERVER}],
        "tags": [],
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
    }
    for spec in specs:
        for tag in spec.get("tags", []):
            if tag["name"] not in {t["name"] for t in merged["tags"]}:
                merged["tags"].append(tag)
        for path, item in spec.get("paths", {}).items():
            if path in merged["paths"]:
                raise NormalizeError(f"path {path} is defined by both specs")
            merged["paths"][path] = item
        for section, entries in spec.get("components", {}).items():
            target = merged["components"].setdefault(section, {})
            for name, value in entries.items():
                if name in target and target[name] != value:
                    raise NormalizeError(f"components/{section}/{name} differs between the specs")
                target[name] = value
    return merged


def load_specs(spec_dir: Path) -> list[Spec]:
    return [yaml.safe_load((spec_dir / name).read_text(encoding="utf-8")) for name in SPECS]


def build(spec_dir: Path) -> Spec:
    return merge([normalize(spec) for spec in load_specs(spec_dir)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=Path, default=ROOT / "openapi")
    parser.add_argument("--output", type=Path, help="where to write the merged JSON document")
    parser.add_argument("--explain", action="store_true", help="list the quirks and exit")
    args = parser.parse_args(argv)
    if args.explain:
        for quirk in QUIRKS:
            print(f"{quirk.__name__}:\n    " + " ".join((quirk.__doc__ or "").split()) + "\n")
        return 0
    document = json.dumps(build(args.specs), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(document)
    else:
        args.output.write_text(document, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
