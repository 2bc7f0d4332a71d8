"""Turn Altegio's two published OpenAPI bundles into the one document we generate from.

The bundles are read as Altegio publishes them (``spec_inputs.py`` finds them and
checks them against ``openapi/specs.lock.json``); nothing edits the files.  What
the generator needs differently is done here, in the open, in two kinds of step:

* ``QUIRKS``: defects of Altegio's files.  Each is a function whose docstring names
  the construct of the real bundle it handles and why; it returns how many places
  it changed.  A quirk that changes nothing fails generation with its name, so the
  day Altegio fixes its file the stale quirk is noticed and removed.
* ``STEPS``: how this SDK shapes any OpenAPI document (envelopes unwrapped, replies
  routed to their servers, webhooks turned into models, names from the naming
  table).  They report counts too, but may legitimately change nothing.

The per-operation facts the hand-written layer needs (server, user token,
envelope, argument names) travel as ``x-altegio-*`` extensions to the templates.

``python scripts/normalize_specs.py --explain`` lists every quirk and step with the
number of places it changed in today's bundles.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import always_sent
import naming
import spec_inputs

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
DEFAULT_SERVER = "https://api.alteg.io/api/v1"
# Operation servers other than DEFAULT_SERVER, by the key the client routes them with.
SERVER_KEYS = {"https://app.alteg.io": "app"}
# Headers Altegio documents as per-operation parameters; the client sends them itself.
TRANSPORT_HEADERS = {"accept", "content-type", "authorization"}
# Pseudo-paths that document a payload Altegio POSTs to the partner: a model each.
WEBHOOK_PSEUDO_PATHS = {"/marketplace_webhook": "MarketplaceWebhookEvent"}
# Altegio's own IDs; ``api_id`` is the caller's external ID (a string) and stays as typed.
FOREIGN_IDS = {"api_id"}
# Component schemas the steps added (webhook payloads): kept even though nothing refers to them.
ADDED_MODELS = "x-altegio-added-models"

Spec = dict[str, Any]
Operation = dict[str, Any]
Schema = dict[str, Any]


class NormalizeError(Exception):
    """The bundles changed in a way the pipeline does not know how to handle."""


class StaleQuirkError(NormalizeError):
    """A quirk found nothing to fix: Altegio changed the construct it handles."""


# --------------------------------------------------------------------------- walking


def operations(spec: Spec) -> Iterator[tuple[str, str, Operation]]:
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping below ``node``, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def schema_roots(spec: Spec) -> list[Any]:
    """Where schemas live: operations, component schemas and webhooks."""
    return [spec.get("paths"), spec.get("components", {}).get("schemas"), spec.get("webhooks")]


def resolve(spec: Spec, node: Any) -> Any:
    """Follow local ``$ref``s (``#/components/schemas/...``)."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        if not pointer.startswith("#/"):
            raise NormalizeError(f"external $ref {pointer!r} is not supported")
        node = spec
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        seen += 1
        if seen > 32:
            raise NormalizeError(f"$ref cycle at {pointer}")
    return node


def types_of(schema: Schema) -> list[str]:
    kind = schema.get("type")
    return kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []


def is_id_name(name: str) -> bool:
    if name in FOREIGN_IDS:
        return False
    return name == "id" or name.endswith(("_id", "_ids", "_ids[]"))


def json_body(op: Operation) -> Schema | None:
    content = (op.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json")
    return None if media is None else media.get("schema")


def success_codes(op: Operation) -> list[str]:
    return [code for code in op.get("responses", {}) if str(code).startswith(("2", "3"))]


def described_properties(spec: Spec) -> Iterator[tuple[str, Schema]]:
    """Every (name, schema) property or parameter in the document."""
    for node in walk(schema_roots(spec)):
        for name, prop in (node.get("properties") or {}).items():
            if isinstance(prop, dict):
                yield name, prop
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            if isinstance(param.get("schema"), dict):
                yield param["name"], param["schema"]


def retype_number(schema: Schema, new: dict[str, Any]) -> int:
    """``number`` (alone or in a type array) becomes ``new``; arrays are followed."""
    kinds = types_of(schema)
    if "number" in kinds:
        rest = [k for k in kinds if k != "number"]
        schema.pop("format", None)
        schema.update({k: v for k, v in new.items() if k != "type"})
        schema["type"] = [new["type"], *rest] if rest else new["type"]
        return 1
    if "array" in kinds and isinstance(schema.get("items"), dict):
        return retype_number(schema["items"], new)
    return 0


def retype_fields(spec: Spec, names: set[str], new: dict[str, Any]) -> int:
    """``retype_number`` on every property and parameter with one of ``names``."""
    return sum(retype_number(s, new) for name, s in described_properties(spec) if name in names)


# --------------------------------------------------------------------------- quirks
# Each takes one bundle (already deep-copied), edits it in place, returns a count.


def undeclared_tags(spec: Spec) -> int:
    """The three authentication operations are tagged "Authentication B2C", a tag
    the bundle uses but never declares (``authorize_online_booking_user`` carries
    both it and the declared "Authentication").  An undeclared tag is folded into
    the declared tag its name starts with."""
    declared = [t["name"] for t in spec.get("tags", [])]
    changed = 0
    for path, method, op in operations(spec):
        tags: list[str] = []
        for tag in op.get("tags", []):
            if tag not in declared:
                home = [d for d in declared if tag.startswith(d)]
                if not home:
                    raise NormalizeError(f"{method.upper()} {path}: undeclared tag {tag!r}")
                tag = home[0]
            if tag not in tags:
                tags.append(tag)
        if tags != op.get("tags"):
            op["tags"] = tags
            changed += 1
    return changed


def user_token_in_header_text(spec: Spec) -> int:
    """User-token operations are marked in two places that disagree: the security
    label ``BearerPartnerUser`` and the text of the ``Authorization`` header
    parameter ("Bearer partner_token, User user_token").  Eight operations say so
    only in the text (``get_booking_user``, the record-hash operations...).
    Either one means the call takes the user token: the label is made to agree."""
    changed = 0
    for _, _, op in operations(spec):
        labels = {name for req in op.get("security") or [] for name in req}
        auth_text = " ".join(
            str(p.get("description", ""))
            for p in op.get("parameters", [])
            if p.get("in") == "header" and p.get("name", "").lower() == "authorization"
        )
        if "BearerPartnerUser" not in labels and re.search(r"\bUser\b", auth_text):
            op["security"] = [{"BearerPartnerUser": []}]
            changed += 1
    return changed


def transport_header_parameters(spec: Spec) -> int:
    """``Accept``, ``Content-Type`` and ``Authorization`` are declared as required
    header parameters of almost every operation; generated as they are they would
    be mandatory arguments of every method.  The client sends all three itself."""
    removed = 0
    for _, _, op in operations(spec):
        kept = [
            p
            for p in op.get("parameters", [])
            if not (p.get("in") == "header" and p.get("name", "").lower() in TRANSPORT_HEADERS)
        ]
        removed += len(op.get("parameters", [])) - len(kept)
        op["parameters"] = kept
    return removed


def number_ids(spec: Spec) -> int:
    """IDs are typed ``number`` (a float in Python) almost everywhere, although
    every example and real value is a whole number.  Parameters and fields named
    ``id``/``*_id``/``*_ids`` become ``integer`` (``api_id``, the caller's own
    external ID, is left as documented), and so do arrays of numbers described as
    IDs (``appointments[].services``: "List of service IDs")."""
    return sum(
        retype_number(schema, {"type": "integer"})
        for name, schema in described_properties(spec)
        if is_id_name(name) or _is_id_list(schema)
    )


def _is_id_list(schema: Schema) -> bool:
    items = schema.get("items")
    return (
        "array" in types_of(schema)
        and isinstance(items, dict)
        and "number" in types_of(items)
        and re.search(r"\bIDs?\b", str(schema.get("description", ""))) is not None
    )


def number_paging(spec: Spec) -> int:
    """Paging values are typed ``number``: ``page``/``limit`` of
    ``list_voip_calls`` and ``page``/``count`` of ``list_marketplace_app_locations``.
    A page number or size is a whole number: ``integer``."""
    return retype_fields(spec, {"page", "limit", "count"}, {"type": "integer"})


def number_datetime_query(spec: Spec) -> int:
    """The ``datetime`` query parameter of ``/book_staff`` and ``/book_staff_seances``
    is typed ``number`` while its own description (and the reference) say "date in
    iso8601 format" (e.g. ``2005-09-09T18:30``): a ``date-time`` string."""
    changed = 0
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            if param.get("in") == "query" and param["name"] == "datetime":
                changed += retype_number(param["schema"], {"type": "string", "format": "date-time"})
    return changed


def unformatted_date_parameters(spec: Spec) -> int:
    """The ``date``/``date_from``/``date_to`` parameters of ``/book_dates`` and
    ``/book_times`` are plain strings although each is described as a date "in
    iso8601 format" (e.g. ``2026-09-30``), and the replies that feed them
    (``booking_dates``) are ``format: date``.  They get ``format: date``."""
    changed = 0
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            schema = param.get("schema") or {}
            if (
                param.get("in") in ("path", "query")
                and param["name"] in {"date", "date_from", "date_to"}
                and schema.get("type") == "string"
                and "format" not in schema
            ):
                schema["format"] = "date"
                changed += 1
    return changed


def number_sms_code(spec: Spec) -> int:
    """The SMS ``code`` of ``POST /book_record`` is typed ``number``; the reference
    table types it ``string``, and a code may start with 0.  It is a string."""
    changed = 0
    for _, _, op in operations(spec):
        body = resolve(spec, json_body(op))
        prop = ((body or {}).get("properties") or {}).get("code")
        if isinstance(prop, dict):
            changed += retype_number(prop, {"type": "string"})
    return changed


def number_api_id(spec: Spec) -> int:
    """``api_id``, the ID the caller's own system gives an appointment, is typed
    ``number`` in the booking bodies (``book_record``, ``activity/.../book``) and the
    reschedule reply, but ``string`` in every other reply and in the reference table:
    it is a string, so an ID like ``"crm-77"`` survives the round trip."""
    return retype_fields(spec, {"api_id"}, {"type": "string"})


def number_api_key(spec: Spec) -> int:
    """The marketplace callbacks type ``api_key`` as ``number`` while their own
    example (and every real key) is a UUID string.  It is a string."""
    return retype_fields(spec, {"api_key"}, {"type": "string"})


def string_service_ids(spec: Spec) -> int:
    """``service_ids[]`` is an array of numbers in three operations and a plain
    string in two (``/book_dates``, ``/book_times``), with ``explode: false`` on
    some; Altegio reads it the same way everywhere (``service_ids[]=1&...``).  It is
    an exploded array of integers throughout; the count is the string ones."""
    changed = 0
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            if param.get("in") == "query" and param["name"] == "service_ids[]":
                changed += param["schema"].get("type") != "array"
                param["schema"] = {"type": "array", "items": {"type": "integer"}}
                param.pop("style", None)
                param.pop("explode", None)
    return changed


def wildcard_request_body(spec: Spec) -> int:
    """``POST /activity/{location_id}/{event_id}/book`` declares its JSON body as
    ``*/*``, which the generator refuses.  The reference sends JSON."""
    changed = 0
    for _, _, op in operations(spec):
        content = (op.get("requestBody") or {}).get("content") or {}
        if "*/*" in content and "application/json" not in content:
            content["application/json"] = content.pop("*/*")
            changed += 1
    return changed


def optional_bodies_with_required_fields(spec: Spec) -> int:
    """Seven Developer Tools bodies (``list_voip_calls``, the marketplace callbacks,
    ``hooks_settings``) list required fields (``salon_id``, ``application_id``...)
    but do not mark the body itself ``required``, so ``body=`` would be optional.
    A body with required fields is required."""
    changed = 0
    for _, _, op in operations(spec):
        body = op.get("requestBody")
        schema = resolve(spec, json_body(op)) if body else None
        if body and not body.get("required") and (schema or {}).get("required"):
            body["required"] = True
            changed += 1
    return changed


def misspelt_fulname(spec: Spec) -> int:
    """``POST /book_code`` spells the client-name field ``fulname`` (and its
    example too); the reference of the operation and every other booking body say
    ``fullname``."""
    changed = 0
    for _, _, op in operations(spec):
        body = resolve(spec, json_body(op))
        props = (body or {}).get("properties") or {}
        if "fulname" in props and "fullname" not in props:
            props["fullname"] = props.pop("fulname")
            example = body.get("example")
            if isinstance(example, dict) and "fulname" in example:
                example["fullname"] = example.pop("fulname")
            changed += 1
    return changed


def empty_array_alternatives(spec: Spec) -> int:
    """PHP encodes an empty map as ``[]``, so the bundles give objects an "empty"
    alternative: ``oneOf: [object, {type: array, maxItems: 0}]`` (``position``,
    ``image_group``, ``booking_days``...) or ``type: [object, array]``
    (``record.composite``).  The alternative carries no value: the field is the
    object, and the reader takes ``[]`` as an empty one."""
    changed = 0
    for node in walk(schema_roots(spec)):
        for union in ("oneOf", "anyOf"):
            variants = node.get(union)
            if not isinstance(variants, list):
                continue
            kept = [v for v in variants if not _is_empty_array(v)]
            if len(kept) < len(variants) and kept:
                changed += 1
                if len(kept) == 1:
                    node.pop(union)
                    node.update({k: v for k, v in kept[0].items() if k not in node})
                else:
                    node[union] = kept
        kinds = types_of(node)
        if "object" in kinds and "array" in kinds and "items" not in node:
            node["type"] = [k for k in kinds if k != "array"]
            if len(node["type"]) == 1:
                node["type"] = node["type"][0]
            changed += 1
    return changed


def _is_empty_array(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    return schema.get("type") == "array" and (
        schema.get("maxItems") == 0 or not schema.get("items")
    )


def data_the_example_lacks(spec: Spec) -> int:
    """``POST /voip/integration`` (202) declares ``data`` as a string ("Contains
    null") while its example, like Altegio's real reply, is ``{success, meta}``
    with no ``data`` at all.  Where the example of an envelope shows no data, the
    declared ``data`` goes and the reply is a status reply."""
    changed = 0
    for _, _, op in operations(spec):
        for code in success_codes(op):
            media = ((op["responses"][code].get("content")) or {}).get("application/json") or {}
            example, schema = media.get("example"), resolve(spec, media.get("schema"))
            props = (schema or {}).get("properties") or {}
            if not (isinstance(example, dict) and "success" in example and "data" in props):
                continue
            data = resolve(spec, props["data"])
            if example.get("data") is None and not _is_null_object(data):
                del props["data"]
                changed += 1
    return changed


def arrays_without_items(spec: Spec) -> int:
    """Some arrays declare no ``items`` (``ScheduleEvent.data``, "always empty"; the
    ``hooks_settings`` body...), which the generator refuses ("type array must have
    items").  Their items are declared free-form, so every value is kept."""
    changed = 0
    for node in walk(schema_roots(spec)):
        if "array" in types_of(node) and "items" not in node and "prefixItems" not in node:
            node["items"] = {}
            changed += 1
    return changed


def different_scheme_descriptions(spec: Spec) -> int:
    """Both bundles define the security schemes ``BearerPartner`` and
    ``BearerPartnerUser`` identically but for their descriptions ("...public
    endpoints" vs "...developer endpoints"), so the merged document could keep
    neither.  The descriptions go; the schemes are compared as they are."""
    changed = 0
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        if scheme.pop("description", None) is not None:
            changed += 1
    return changed


QUIRKS: tuple[Callable[[Spec], int], ...] = (
    undeclared_tags,
    # Reads the Authorization header text, so it runs before that header goes.
    user_token_in_header_text,
    transport_header_parameters,
    number_ids,
    number_paging,
    number_datetime_query,
    unformatted_date_parameters,
    number_sms_code,
    number_api_id,
    number_api_key,
    string_service_ids,
    wildcard_request_body,  # before optional_bodies_with_required_fields, which reads JSON bodies
    optional_bodies_with_required_fields,
    misspelt_fulname,
    empty_array_alternatives,
    data_the_example_lacks,
    arrays_without_items,  # after empty_array_alternatives, whose arrays go
    different_scheme_descriptions,
)


# --------------------------------------------------------------------------- steps
# How this SDK shapes any document; counts are reported, zero is allowed.


def record_auth(spec: Spec) -> int:
    """Who may call: ``x-altegio-user-token`` is ``required`` for ``BearerPartnerUser``
    operations, ``none`` otherwise, and ``optional`` where the path carries a
    ``{record_hash}``: the reference says the hash is required "if the user is not
    authorized", so the hash stands in for the token."""
    count = 0
    for path, _, op in operations(spec):
        labels = {name for req in op.get("security") or [] for name in req}
        if "BearerPartnerUser" not in labels:
            op["x-altegio-user-token"] = "none"
            continue
        op["x-altegio-user-token"] = "optional" if "{record_hash}" in path else "required"
        count += 1
    return count


def operation_servers(spec: Spec) -> int:
    """Operations that declare their own server (eight marketplace operations on
    ``https://app.alteg.io``) are routed by the client to its ``app`` host; the
    generator itself ignores per-operation servers.  An unknown server stops
    generation: the client would not know where to send the call."""
    count = 0
    for path, method, op in operations(spec):
        servers = op.pop("servers", None)
        url = servers[0]["url"].rstrip("/") if servers else DEFAULT_SERVER
        if url == DEFAULT_SERVER:
            op["x-altegio-server"] = "api"
            continue
        if url not in SERVER_KEYS:
            raise NormalizeError(f"{method.upper()} {path}: unknown server {url!r}")
        op["x-altegio-server"] = SERVER_KEYS[url]
        count += 1
    return count


def webhook_pseudo_paths(spec: Spec) -> int:
    """``POST /marketplace_webhook`` is documented as "not a callable endpoint": it
    is the payload Altegio POSTs to the partner.  It becomes a component schema
    (a model), not a method.  Its own server entry goes with it."""
    count = 0
    for path, name in WEBHOOK_PSEUDO_PATHS.items():
        item = spec.get("paths", {}).pop(path, None)
        if item is not None:
            add_component(spec, name, item["post"]["requestBody"]["content"]["application/json"])
            count += 1
    return count


def webhook_models(spec: Spec) -> int:
    """The generator drops the OpenAPI 3.1 ``webhooks:`` section without a word.
    Each webhook's request body becomes a component schema named after the
    webhook (``RecordEvent``...), so its model is generated."""
    hooks = spec.pop("webhooks", None) or {}
    for name, item in hooks.items():
        add_component(spec, name, item["post"]["requestBody"]["content"]["application/json"])
    return len(hooks)


def add_component(spec: Spec, name: str, media: dict[str, Any]) -> None:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    if name in schemas:
        raise NormalizeError(f"component schema {name!r} defined twice")
    schema = dict(media["schema"])
    if "example" in media and "example" not in schema:
        schema["example"] = media["example"]
    schema["x-altegio-payload"] = True  # a payload Altegio sends: read like a reply
    schemas[name] = schema
    spec.setdefault(ADDED_MODELS, []).append(name)


def unwrap_envelopes(spec: Spec) -> int:
    """Altegio wraps replies as ``{success, data, meta}`` (``$ref``'d envelopes).
    The client unwraps them, so the generated code describes only ``data``: a reply
    whose schema has ``success`` and ``data`` gets ``x-altegio-envelope: data`` and
    the ``data`` schema; one with ``success`` and no usable ``data`` (``type: null``,
    a ``$ref`` to the null object, or none) gets ``status`` and no schema; anything
    else is a bare reply (``none``).  A reply documented by an example only gets
    the envelope its example shows and a free-form schema (the decoded JSON)."""
    schemas = spec.get("components", {}).get("schemas", {})
    unwrapped: dict[str, str] = {}  # envelope component -> its kind, once unwrapped in place
    count = 0
    for _, _, op in operations(spec):
        envelope = "none"
        for code in success_codes(op):
            media = ((op["responses"][code].get("content")) or {}).get("application/json")
            if media is None:
                continue
            ref = str((media.get("schema") or {}).get("$ref", ""))
            component = ref.rsplit("/", 1)[1] if ref.startswith("#/components/schemas/") else None
            if component in unwrapped:
                envelope = unwrapped[component]
            else:
                own_example = resolve(spec, media.get("schema") or {}).get("example")
                envelope = _unwrap(spec, media)
                if component is not None and envelope == "data":
                    # Shared envelopes stay shared: the component becomes its data,
                    # and its example the example's data (evidence for always_sent.py).
                    data_example = _data_of(own_example)
                    if data_example is not None and "example" not in media["schema"]:
                        media["schema"]["example"] = data_example
                    schemas[component] = media["schema"]
                    media["schema"] = {"$ref": ref}
                if component is not None:
                    unwrapped[component] = envelope
            if envelope == "status":
                media.pop("schema", None)
            if envelope != "none":
                # an envelope's example becomes its data's (none for a status reply)
                data_example = _data_of(media.pop("example", None))
                if envelope == "data" and data_example is not None:
                    media["example"] = data_example
                count += 1
        op["x-altegio-envelope"] = envelope
    return count


def _data_of(example: Any) -> Any:
    return example.get("data") if isinstance(example, dict) else None


def _unwrap(spec: Spec, media: dict[str, Any]) -> str:
    """The envelope kind of one reply; a ``data`` reply's schema becomes its data."""
    schema = resolve(spec, media.get("schema"))
    if schema is None:  # documented by its example alone: the decoded JSON (as its example shows)
        example = media.get("example")
        media["schema"] = {}
        if not isinstance(example, dict) or "success" not in example:
            return "none"
        return "data" if example.get("data") is not None else "status"
    props = schema.get("properties") or {}
    if "success" not in props:
        return "none"
    data = resolve(spec, props.get("data"))
    if data is None or _is_null_object(data):
        return "status"
    media["schema"] = copy.deepcopy(props["data"])
    return "data"


def _is_null_object(schema: Schema) -> bool:
    """``type: null``, or a shapeless object whose example is null
    (``response_data_null_object``)."""
    if types_of(schema) == ["null"]:
        return True
    return not schema.get("properties") and "example" in schema and schema["example"] is None


def success_replies_only(spec: Spec) -> int:
    """Error replies share one envelope that the client's error layer reads from the
    raw body; models per operation and status would add classes nobody uses.  Only
    2xx/3xx replies are generated; the count is the replies dropped."""
    dropped = 0
    for path, method, op in operations(spec):
        kept = {c: r for c, r in op["responses"].items() if str(c).startswith(("2", "3"))}
        if not kept:
            raise NormalizeError(f"{method.upper()} {path} documents no success reply")
        dropped += len(op["responses"]) - len(kept)
        # the API reference lists them (docs/api.md)
        op["x-altegio-error-statuses"] = sorted(
            int(c) for c in op["responses"] if str(c).isdigit() and int(c) >= 400
        )
        op["responses"] = kept
    return dropped


PAGE_NAMES = ("page",)
SIZE_NAMES = ("count", "limit", "per_page")


def paging(spec: Spec) -> int:
    """Operations that answer a list one page at a time: a ``page`` number and a
    page size (``count``, ``limit`` or ``per_page``) in the query or the JSON body,
    and a reply whose data is an array.  They get ``x-altegio-paging`` (where the
    two travel, their names, the largest size the spec allows), from which the
    templates generate ``iter_<operation>`` methods."""
    count = 0
    for _, _, op in operations(spec):
        if op.get("x-altegio-envelope") != "data":
            continue
        replies = [op["responses"][c] for c in success_codes(op)]
        media = ((replies[0].get("content") or {}).get("application/json")) if replies else None
        if not media or "array" not in types_of(resolve(spec, media.get("schema") or {})):
            continue
        query = {
            p["name"]: p.get("schema") or {}
            for p in op.get("parameters", [])
            if p.get("in") == "query"
        }
        body = resolve(spec, json_body(op) or {}).get("properties") or {}
        candidates: list[tuple[str, dict[str, Schema]]] = [("query", query), ("body", body)]
        for where, fields in candidates:
            page = next((n for n in PAGE_NAMES if n in fields), None)
            size = next((n for n in SIZE_NAMES if n in fields), None)
            if page and size:
                op["x-altegio-paging"] = {
                    "in": where,
                    "page": page,
                    "size": size,
                    "max": fields[size].get("maximum"),
                }
                count += 1
                break
    return count


def prune_components(spec: Spec) -> int:
    """Component schemas nothing refers to any more (the envelopes and error replies
    just unwrapped or dropped) would still become models: they go."""
    schemas = spec.get("components", {}).get("schemas", {})
    keep = set(spec.pop(ADDED_MODELS, []))
    pending = [spec.get("paths")] + [schemas[n] for n in keep]
    reached: set[str] = set(keep)
    while pending:
        for node in walk(pending.pop()):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in reached:
                    reached.add(name)
                    pending.append(schemas[name])
    unused = [name for name in schemas if name not in reached]
    for name in unused:
        del schemas[name]
    return len(unused)


def snake_case_tags(spec: Spec) -> int:
    """Tags are display names ("Online Booking", "VoIP Integration"); the package
    groups operations by their snake_case form (``online_booking``,
    ``voip_integration``), which the generator would spell ``vo_ip_integration``."""

    def snake(name: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")

    for tag in spec.get("tags", []):
        tag["name"] = snake(tag["name"])
    for _, _, op in operations(spec):
        op["tags"] = [snake(t) for t in op.get("tags", [])]
    return len(spec.get("tags", []))


STEPS: tuple[Callable[[Spec], int], ...] = (
    record_auth,
    webhook_pseudo_paths,  # before operation_servers: it carries a server of its own
    operation_servers,
    webhook_models,
    unwrap_envelopes,
    paging,
    success_replies_only,
    prune_components,
    snake_case_tags,
)


# --------------------------------------------------------------------------- the document


@dataclass
class Report:
    """How many places each quirk and step changed, per bundle."""

    counts: dict[str, dict[str, int]]

    def total(self, name: str) -> int:
        return sum(self.counts[name].values())


def normalize(spec: Spec, label: str, report: Report) -> Spec:
    spec = copy.deepcopy(spec)
    for fn in QUIRKS + STEPS:
        report.counts.setdefault(fn.__name__, {})[label] = fn(spec)
    return spec


def annotate_operations(spec: Spec) -> None:
    """Templates see each reply's raw data but not the operation's, so the facts the
    client needs travel on the success replies as ``x-altegio-operation``."""
    for _, _, op in operations(spec):
        info = {
            "server": op.pop("x-altegio-server"),
            "user_token": op.pop("x-altegio-user-token"),
            "envelope": op.pop("x-altegio-envelope"),
            "arguments": naming.argument_names(op),
            "paging": op.pop("x-altegio-paging", None),
            "error_statuses": op.pop("x-altegio-error-statuses"),
        }
        for code in success_codes(op):
            op["responses"][code]["x-altegio-operation"] = info


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
                raise NormalizeError(f"path {path} is defined by both bundles")
            merged["paths"][path] = item
        for section, entries in spec.get("components", {}).items():
            target = merged["components"].setdefault(section, {})
            for name, value in entries.items():
                if name in target and target[name] != value:
                    raise NormalizeError(f"components/{section}/{name} differs between the bundles")
                target[name] = value
    return merged


def load(path: Path) -> Spec:
    spec: Spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return spec


def build(
    paths: list[Path] | None = None,
    names: Path | None = None,
    always_sent_table: Path | None = None,
) -> tuple[Spec, Report]:
    """The merged document and the report; raises on a stale quirk or a naming gap.

    ``always_sent_table``: where to record the always-sent fields (``make generate``)."""
    if paths is None:
        paths = [item.path for item in spec_inputs.resolve()]
    report = Report({})
    normalized = [normalize(load(path), path.stem, report) for path in paths]
    stale = [fn.__name__ for fn in QUIRKS if report.total(fn.__name__) == 0]
    if stale:
        raise StaleQuirkError(
            f"quirk(s) {', '.join(stale)} changed nothing: Altegio's bundles no longer have "
            "the construct they handle. Check the new bundle and remove the quirk from "
            "scripts/normalize_specs.py."
        )
    for spec in normalized:
        annotate_operations(spec)
    merged = merge(normalized)
    table = naming.read_table(names) if names is not None else None
    report.counts["model_names"] = {"both": naming.apply(merged, table)}
    report.counts["always_sent"] = {"both": always_sent.apply(merged, write=always_sent_table)}
    report.counts["secrets"] = {"both": naming.mark_secrets(merged)}
    return merged, report


def explain(report: Report) -> str:
    lines = []
    for fn in QUIRKS + STEPS:
        kind = "quirk" if fn in QUIRKS else "step"
        counts = ", ".join(f"{k} {v}" for k, v in report.counts[fn.__name__].items())
        doc = " ".join((fn.__doc__ or "").split())
        lines.append(f"{fn.__name__} ({kind}; changed: {counts}):\n    {doc}\n")
    lines.append(f"model_names (step; named: {report.total('model_names')}): naming.py\n")
    lines.append(f"always_sent (step; fields: {report.total('always_sent')}): always_sent.py\n")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--specs", type=Path, nargs=2, metavar=("PUBLIC", "DEVELOPERS"),
                        help="bundles to read instead of the locked ones (tests)")  # fmt: skip
    parser.add_argument("--names", type=Path, help="naming table instead of scripts/names.yaml")
    parser.add_argument("--output", type=Path, help="where to write the merged JSON document")
    parser.add_argument("--record-always-sent", action="store_true",
                        help=f"rewrite {always_sent.TABLE.name} (make generate does)")  # fmt: skip
    parser.add_argument("--explain", action="store_true", help="list quirks and steps, counted")
    args = parser.parse_args(argv)
    try:
        table = always_sent.TABLE if args.record_always_sent else None
        document, report = build(args.specs, args.names, table)
    except (NormalizeError, spec_inputs.SpecInputError, naming.NamingError) as exc:
        print(f"normalize: {exc}", file=sys.stderr)
        return 1
    if args.explain:
        print(explain(report))
        return 0
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
