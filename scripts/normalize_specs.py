"""Turn Altegio's published OpenAPI bundles into the one document we generate from.

The bundles are read as Altegio publishes them (``spec_inputs.py`` finds the ones
``openapi/specs.lock.json`` lists and checks them); nothing edits the files.  What
the generator needs differently is done here, in the open, in three kinds of step:

* ``PREPARE``: references to ``components/parameters`` and ``components/responses``
  are inlined, so every later step sees the parameters and replies themselves.
* ``QUIRKS``: defects of Altegio's files, each scoped to the bundles it names.  Each
  is a function whose docstring names the construct of the real bundle it handles
  and why; it returns how many places it changed.  A quirk that changes nothing in
  a bundle it names fails generation with its name, so the day Altegio fixes its
  file the stale quirk is noticed and removed.
* ``STEPS``: how this SDK shapes any OpenAPI document (envelopes unwrapped, replies
  routed to their servers, webhooks turned into models).  They report counts too,
  but may legitimately change nothing.

Then the bundles are merged: a bundle served under another API version than v1
(``https://api.alteg.io/api/v2``) becomes a namespace (``client.v2.<tag>``), each
operation's path starts with its server's path (``/api/v2/...``), and component
schemas keep their bundle in their key.  Models are then named (``naming.py``).

The per-operation facts the hand-written layer needs (server, user token,
envelope, argument names) travel as ``x-altegio-*`` extensions to the templates.

``python scripts/normalize_specs.py --explain`` lists every quirk and step with the
number of places it changed in each bundle.
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
from urllib.parse import urlsplit

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import always_sent
import naming
import spec_inputs
from naming import types_of, walk

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Altegio's API host.  Bundles served under DEFAULT_API_PATH sit at the client's top
# level; one served under another path (``/api/v2``) is a namespace named after the
# path's last segment (``client.v2``).
API_HOST = "https://api.alteg.io"
DEFAULT_API_PATH = "/api/v1"
# Headers Altegio documents as per-operation parameters; the client sends them itself.
TRANSPORT_HEADERS = {"accept", "content-type", "authorization"}
# Pseudo-paths that document a payload Altegio POSTs to the partner: a model each.
WEBHOOK_PSEUDO_PATHS = {"/marketplace_webhook": "MarketplaceWebhookEvent"}
# Altegio's own IDs; ``api_id`` is the caller's external ID (a string) and stays as typed.
FOREIGN_IDS = {"api_id"}
# Component schemas the steps added (webhook payloads): kept even though nothing refers to them.
ADDED_MODELS = "x-altegio-added-models"
# The upload bodies' media type (upload_typed_as_text reads their fields).
MULTIPART = "multipart/form-data"

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


# --------------------------------------------------------------------------- prepare


def inline_references(spec: Spec) -> int:
    """Parameters, replies and request bodies given as ``$ref`` to ``components/
    parameters``, ``components/responses`` or ``components/requestBodies`` (b2b-v1
    refers to shared ``location_id`` and ``Accept`` parameters, and to shared 401/403/404
    replies) are replaced by copies of what they point at, so every step sees them."""
    count = 0
    for _, _, op in operations(spec):
        if "parameters" in op:
            params = []
            for param in op["parameters"]:
                if "$ref" in param:
                    param = copy.deepcopy(resolve(spec, param))
                    count += 1
                params.append(param)
            op["parameters"] = params
        for code, reply in list((op.get("responses") or {}).items()):
            if "$ref" in reply:
                op["responses"][code] = copy.deepcopy(resolve(spec, reply))
                count += 1
        if "$ref" in (op.get("requestBody") or {}):
            op["requestBody"] = copy.deepcopy(resolve(spec, op["requestBody"]))
            count += 1
    for section in ("parameters", "responses", "requestBodies"):
        spec.get("components", {}).pop(section, None)
    return count


PREPARE: tuple[Callable[[Spec], int], ...] = (inline_references,)


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
    be mandatory arguments of every method.  The client sends all three itself, in
    every bundle, so this is a step, not a quirk."""
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
    with no ``data`` at all (b2b-v1's ``create_user_invitation``: "Is null", the
    example on its schema).  Where the example of an envelope shows no data, the
    declared ``data`` goes and the reply is a status reply."""
    changed = 0
    for _, _, op in operations(spec):
        for code in success_codes(op):
            media = ((op["responses"][code].get("content")) or {}).get("application/json") or {}
            schema = resolve(spec, media.get("schema"))
            example = media.get("example", (schema or {}).get("example"))
            props = (schema or {}).get("properties") or {}
            if not (isinstance(example, dict) and "success" in example and "data" in props):
                continue
            data = resolve(spec, props["data"])
            if example.get("data") is None and not _is_null_object(data):
                del props["data"]
                changed += 1
    return changed


def arrays_without_items(spec: Spec) -> int:
    """Arrays that declare no ``items`` (``ScheduleEvent.data``, "always empty"; the
    ``hooks_settings`` body...) are valid JSON Schema (any items), but the generator
    refuses them ("type array must have items").  Their items are declared
    free-form, so every value is kept."""
    changed = 0
    for node in walk(schema_roots(spec)):
        if "array" in types_of(node) and "items" not in node and "prefixItems" not in node:
            node["items"] = {}
            changed += 1
    return changed


def misspelt_transport_headers(spec: Spec) -> int:
    """Four header parameters misspell the transport headers the client sends itself
    (``Authorizarion`` once, ``Conetnt-Type`` three times): they are given their
    real names, so the transport-header step drops them with the rest instead of
    making them arguments."""
    changed = 0
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            real = MISSPELT_HEADERS.get(str(param.get("name", "")).lower())
            if param.get("in") == "header" and real is not None:
                param["name"] = real
                changed += 1
    return changed


def query_parameter_twice(spec: Spec) -> int:
    """``GET /clients/{location_id}`` (``deprecated_get_client_list``) declares
    ``location_id`` both in its path and in its query.  One URL cannot take it twice
    and the path already carries it: the query copy goes."""
    changed = 0
    for _, _, op in operations(spec):
        in_path = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
        kept = [
            p for p in op.get("parameters", [])
            if not (p.get("in") == "query" and p["name"] in in_path)
        ]  # fmt: skip
        changed += len(op.get("parameters", [])) - len(kept)
        if "parameters" in op:
            op["parameters"] = kept
    return changed


def example_keys_as_fields(spec: Spec) -> int:
    """The Z-report's ``z_data`` is a map from a day's timestamp to that day's rows,
    but it is declared as an object with one field named after its example's day
    (``"1481101200"``).  An object whose only fields are numbers is that map: its
    values are declared as ``additionalProperties``."""
    changed = 0
    for node in walk(schema_roots(spec)):
        props = node.get("properties")
        if isinstance(props, dict) and props and all(str(k).isdigit() for k in props):
            node["additionalProperties"] = next(iter(props.values()))
            del node["properties"]
            changed += 1
    return changed


def upload_typed_as_text(spec: Spec) -> int:
    """``POST /images/{entity}`` uploads the image as a ``multipart/form-data`` field
    typed ``string`` ("transferred image (image/jpeg, image/png)"): it is the file's
    bytes.  A multipart string field described as an image or file is ``format:
    binary``, which the generator takes as a file to upload."""
    changed = 0
    for _, _, op in operations(spec):
        media = ((op.get("requestBody") or {}).get("content") or {}).get(MULTIPART) or {}
        for prop in (resolve(spec, media.get("schema")) or {}).get("properties", {}).values():
            described = re.search(r"\b(image|file)\b", str(prop.get("description", "")), re.I)
            if types_of(prop) == ["string"] and "format" not in prop and described:
                prop["format"] = "binary"
                changed += 1
    return changed


def transport_headers_in_query(spec: Spec) -> int:
    """A few operations (``get_product_category_list``...) declare ``Accept``,
    ``Content-Type`` and ``Authorization`` as *query* parameters, with the header
    values as their descriptions: they are the transport headers every call sends,
    and are moved to the headers (where the transport-header step drops them)."""
    changed = 0
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            if param.get("in") == "query" and param["name"].lower() in TRANSPORT_HEADERS:
                param["in"] = "header"
                changed += 1
    return changed


def list_bodies_declared_as_one_item(spec: Spec) -> int:
    """``POST /clients/{location_id}/bulk`` declares its body as one client while its
    example, like the operation ("bulk"), sends a list of them.  A body declared as an
    object whose own example is a list is a list of such objects."""
    changed = 0
    for _, _, op in operations(spec):
        for media in ((op.get("requestBody") or {}).get("content") or {}).values():
            schema = media.get("schema") or {}
            if types_of(schema) == ["object"] and isinstance(schema.get("example"), list):
                example = schema.pop("example")
                media["schema"] = {"type": "array", "items": schema, "example": example}
                changed += 1
    return changed


def id_lists_typed_object(spec: Spec) -> int:
    """Some lists of IDs are typed ``object`` with no fields (the bulk clients'
    ``categories``: "Array of customer tag IDs", example ``[101, 102]``).  A shapeless
    object described as an array of IDs is a list of integers."""
    changed = 0
    for node in walk(schema_roots(spec)):
        for prop in (node.get("properties") or {}).values():
            if (
                isinstance(prop, dict)
                and types_of(prop) == ["object"]
                and not prop.get("properties")
                and re.search(r"\barray\b.*\bIDs?\b", str(prop.get("description", "")), re.I)
            ):
                prop["type"] = "array"
                prop["items"] = {"type": "integer"}
                changed += 1
    return changed


def comments_typed_number(spec: Spec) -> int:
    """Comments are typed ``number`` in a few bodies and replies (finance transactions,
    inventory documents) while their examples, and any comment, are text
    ("test transaction comment").  A ``comment`` field typed number is a string."""
    return retype_fields(spec, {"comment"}, {"type": "string"})


def list_items_without_fields(spec: Spec) -> int:
    """``POST /book_check`` (``validate_booking_params``) declares its ``appointments``
    as objects without fields, while its example and reference give them ``id``,
    ``services``, ``staff_id`` and ``datetime``: the booking it checks.  Items of a body
    list declared without fields get the fields of the same list in another body of
    the bundle (``POST /book_record``'s appointments), those their example uses."""
    bodies = [resolve(spec, json_body(op)) for _, _, op in operations(spec)]
    lists: dict[str, list[Schema]] = {}
    for body in bodies:
        for name, prop in ((body or {}).get("properties") or {}).items():
            items = resolve(spec, prop).get("items") if isinstance(prop, dict) else None
            if isinstance(items, dict):
                lists.setdefault(name, []).append(items)
    changed = 0
    for body in bodies:
        example = (body or {}).get("example") or {}
        for name, prop in ((body or {}).get("properties") or {}).items():
            items = prop.get("items") if isinstance(prop, dict) else None
            if not isinstance(items, dict) or items.get("properties"):
                continue
            used = {k for item in example.get(name) or [] if isinstance(item, dict) for k in item}
            donor = next((d for d in lists.get(name, []) if d.get("properties")), None)
            if donor is None or not used:
                continue
            items["properties"] = {
                k: copy.deepcopy(v) for k, v in donor["properties"].items() if k in used
            }
            items["required"] = [r for r in donor.get("required") or [] if r in used]
            changed += 1
    return changed


MISSPELT_HEADERS = {"authorizarion": "Authorization", "conetnt-type": "Content-Type"}


@dataclass(frozen=True)
class Quirk:
    """A fix for a defect of the bundles it names (lock names); elsewhere it does not run."""

    fix: Callable[[Spec], int]
    bundles: frozenset[str]

    @property
    def name(self) -> str:
        return self.fix.__name__


def scoped(fix: Callable[[Spec], int], *bundles: str) -> Quirk:
    return Quirk(fix, frozenset(bundles))


QUIRKS: tuple[Quirk, ...] = (
    scoped(undeclared_tags, "public"),
    # These read header parameters, so they run before the transport headers go.
    scoped(misspelt_transport_headers, "b2b-v1"),
    scoped(transport_headers_in_query, "b2b-v1"),
    scoped(query_parameter_twice, "b2b-v1"),
    scoped(example_keys_as_fields, "b2b-v1"),
    scoped(upload_typed_as_text, "b2b-v1"),
    scoped(list_bodies_declared_as_one_item, "b2b-v1"),
    scoped(id_lists_typed_object, "b2b-v1"),
    scoped(comments_typed_number, "b2b-v1"),
    # not b2b-v1: there the label is right (BearerPartner: partner-only, 24 operations)
    scoped(user_token_in_header_text, "public", "developers"),
    scoped(number_ids, "public", "developers", "b2b-v1"),
    scoped(number_paging, "developers", "b2b-v1"),
    scoped(number_datetime_query, "public"),
    scoped(unformatted_date_parameters, "public", "b2b-v1"),
    scoped(number_sms_code, "public"),
    scoped(number_api_id, "public"),
    scoped(number_api_key, "developers"),
    scoped(string_service_ids, "public"),
    # before optional_bodies_with_required_fields, which reads JSON bodies
    scoped(wildcard_request_body, "public", "b2b-v1"),
    scoped(optional_bodies_with_required_fields, "developers", "b2b-v1"),
    scoped(misspelt_fulname, "public"),
    scoped(list_items_without_fields, "public"),
    scoped(empty_array_alternatives, "public", "developers", "b2b-v1"),
    scoped(data_the_example_lacks, "developers", "b2b-v1"),
)


# --------------------------------------------------------------------------- steps
# How this SDK shapes any document; counts are reported, zero is allowed.


def single_reference_all_of(spec: Spec) -> int:
    """``allOf`` over one ``$ref`` (with ``type: [object, "null"]`` beside it) is how
    OpenAPI 3.1 adds a description or null to a referenced schema; the generator
    would make a new model of it.  It becomes the reference itself, or a union of
    the reference and null."""
    changed = 0
    for node in walk(schema_roots(spec)):
        parts = node.get("allOf")
        if not (isinstance(parts, list) and len(parts) == 1 and "$ref" in parts[0]):
            continue
        if set(node) - {"allOf", "type", "description", "example", "title", "nullable"}:
            continue
        ref = parts[0]["$ref"]
        nullable = "null" in types_of(node) or node.get("nullable") is True
        for key in ("allOf", "type", "nullable"):
            node.pop(key, None)
        if nullable:
            node["oneOf"] = [{"$ref": ref}, {"type": "null"}]
        else:
            node["$ref"] = ref
        changed += 1
    return changed


def merge_all_of(spec: Spec) -> int:
    """``allOf`` over several object schemas (``get_team_member_payroll_calculation``
    replies a salary calculation ``allOf`` its details; v2 resources add ``required``
    lists this way) is one object with all their fields; the generator would make a
    model whose parts it cannot read.  The parts' fields and ``required`` lists are
    merged into the schema itself."""
    changed = 0
    for node in walk(schema_roots(spec)):
        parts = node.get("allOf")
        if not isinstance(parts, list) or len(parts) < 2:
            continue
        resolved = [_merged_part(spec, part) for part in parts]
        if any(part is None for part in resolved):
            continue
        props: dict[str, Any] = dict(node.get("properties") or {})
        required: list[str] = list(node.get("required") or [])
        for part in resolved:
            assert part is not None
            props.update(copy.deepcopy(part.get("properties") or {}))
            required += [r for r in part.get("required") or [] if r not in required]
            if "description" in part and "description" not in node:
                node["description"] = part["description"]
        del node["allOf"]
        node["type"] = "object"
        node["properties"] = props
        if required:
            node["required"] = [r for r in required if r in props]
        changed += 1
    return changed


def _merged_part(spec: Spec, part: Any) -> Schema | None:
    """An ``allOf`` part as an object schema (its own ``allOf`` merged), or None when
    it is not an object."""
    schema = resolve(spec, part)
    if not isinstance(schema, dict):
        return None
    kinds = types_of(schema)
    if kinds and "object" not in kinds:
        return None
    if isinstance(schema.get("allOf"), list):
        inner = [_merged_part(spec, p) for p in schema["allOf"]]
        if any(p is None for p in inner):
            return None
        merged: Schema = {"properties": {}, "required": []}
        for p in [*inner, schema]:
            assert p is not None
            merged["properties"].update(p.get("properties") or {})
            merged["required"] += p.get("required") or []
        return merged
    return schema


def empty_string_alternatives(spec: Spec) -> int:
    """A string that may also be ``""`` is written as ``anyOf: [{const: ""}, {type:
    string}]`` (v2 clients' ``phone``); the generator tries the ``const`` branch first
    and fails on any other string.  The ``const: ""`` branch goes: ``""`` is a string."""
    changed = 0
    for node in walk(schema_roots(spec)):
        for union in ("oneOf", "anyOf"):
            variants = node.get(union)
            if not isinstance(variants, list):
                continue
            strings = any(types_of(v) == ["string"] and "const" not in v for v in variants)
            kept = [v for v in variants if not (strings and v.get("const") == "")]
            if len(kept) < len(variants):
                changed += 1
                if len(kept) == 1:
                    node.pop(union)
                    node.update({k: v for k, v in kept[0].items() if k not in node})
                else:
                    node[union] = kept
    return changed


def constraint_only_alternatives(spec: Spec) -> int:
    """A ``oneOf``/``anyOf`` whose alternatives only say which of the object's own
    fields are required in each case (``create_appointment``: a standard appointment
    needs ``staff_id``, ``services``...; a group event one ``activity_id``) describes
    one object: the alternatives go (the generator would make a model of each, with
    no fields), the fields stay, none of them required."""
    changed = 0
    for node in walk(schema_roots(spec)):
        own = set(node.get("properties") or {})
        for union in ("oneOf", "anyOf"):
            variants = node.get(union)
            if not (isinstance(variants, list) and own):
                continue
            if all(_only_constrains(v, own) for v in variants):
                del node[union]
                changed += 1
    return changed


def _only_constrains(variant: Any, fields: set[str]) -> bool:
    if not isinstance(variant, dict) or "$ref" in variant:
        return False
    if set(variant) - {"title", "description", "required", "properties", "type"}:
        return False
    if types_of(variant) not in ([], ["object"]):
        return False
    return (
        set(variant.get("properties") or {}) <= fields
        and set(variant.get("required") or []) <= fields
    )


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
    """Each operation goes to its own server if it declares one (eight marketplace
    operations on ``https://app.alteg.io``), else to its bundle's (``servers`` of the
    document: ``https://api.alteg.io/api/v1``, ``.../api/v2``); the generator itself
    ignores both.  The server's origin becomes ``x-altegio-server`` (the client maps
    Altegio's hosts to the ones it was given, so one ``base_url`` moves v1 and v2
    together) and the server's path goes in front of the operation's path
    (``/api/v2/company/{location_id}/services``).  The count is the operations with
    a server of their own."""
    default = _server_of(spec.get("servers"))
    if default is None:
        raise NormalizeError("the bundle declares no servers: where would its calls go?")
    paths: dict[str, Any] = {}
    count = 0
    for path, item in spec.get("paths", {}).items():
        shared = {k: v for k, v in item.items() if k not in METHODS and k != "servers"}
        item_server = _server_of(item.get("servers")) or default
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            own = _server_of(op.pop("servers", None))
            count += own is not None
            origin, prefix = own or item_server
            op["x-altegio-server"] = origin
            target = paths.setdefault(prefix + path, dict(shared))
            target[method] = op
    spec["paths"] = paths
    return count


def _server_of(servers: Any) -> tuple[str, str] | None:
    """``(origin, path)`` of the first server of a ``servers`` list."""
    if not servers:
        return None
    url = urlsplit(str(servers[0]["url"]).rstrip("/"))
    if url.scheme not in ("http", "https") or not url.netloc:
        raise NormalizeError(f"server {servers[0]['url']!r} is not an absolute http(s) URL")
    return f"{url.scheme}://{url.netloc}", url.path


def namespace_of(spec: Spec) -> str:
    """The client attribute a bundle's operations live under: none (the top level) for
    a bundle on Altegio's v1 API or another host, else the last segment of its
    server's path (``https://api.alteg.io/api/v2``: ``v2``)."""
    server = _server_of(spec.get("servers"))
    if server is None:
        return ""
    origin, path = server
    if origin != API_HOST or path in ("", DEFAULT_API_PATH):
        return ""
    segment = path.rsplit("/", 1)[-1]
    name = naming.python_name(segment)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise NormalizeError(f"server path {path!r} gives no namespace name")
    return name


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
    schema["x-altegio-webhook"] = True  # an event: a WebhookEvent, one of parse_webhook's
    schemas[name] = schema
    spec.setdefault(ADDED_MODELS, []).append(name)


def no_content_replies(spec: Spec) -> int:
    """A 204 reply has no body (HTTP says so), though some declare a JSON one
    (``chain_loyalty_membership_types_archive``): its content goes."""
    count = 0
    for _, _, op in operations(spec):
        reply = (op.get("responses") or {}).get("204")
        if reply and reply.pop("content", None) is not None:
            count += 1
    return count


def file_replies(spec: Spec) -> int:
    """A success reply that is a file, not JSON (``get_visit_receipt_pdf`` answers
    ``application/pdf``), gets ``x-altegio-envelope: file``: the client returns its
    bytes.  The generator, which cannot read it, sees no body."""
    count = 0
    for _, _, op in operations(spec):
        for code in success_codes(op):
            content = op["responses"][code].get("content") or {}
            if content and not any("json" in media for media in content):
                op["responses"][code].pop("content")
                op["x-altegio-file"] = next(iter(content))  # the media type to accept
                count += 1
    return count


def unwrap_envelopes(spec: Spec) -> int:
    """Altegio wraps replies as ``{success, data, meta}`` (``$ref``'d envelopes).
    The client unwraps them, so the generated code describes only ``data``: a reply
    whose schema has ``success`` and ``data`` gets ``x-altegio-envelope: data`` and
    the ``data`` schema; one with ``success`` and no usable ``data`` (``type: null``,
    a ``$ref`` to the null object, or none) gets ``status`` and no schema; anything
    else is a bare reply (``none``), except a JSON:API document (``data`` holding
    resources, beside ``included``, ``meta``, ``links``): ``jsonapi`` and the ``data``
    schema, as the client returns ``data`` and keeps the rest.  A reply documented
    by an example only gets the envelope its example shows and a free-form schema
    (the decoded JSON); one documented by neither
    (``schedule_team_member_update_deprecated``) is a status."""
    schemas = spec.get("components", {}).get("schemas", {})
    unwrapped: dict[str, str] = {}  # envelope component -> its kind, once unwrapped in place
    count = 0
    for _, _, op in operations(spec):
        if op.get("x-altegio-file"):
            op["x-altegio-envelope"] = "file"
            continue
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
                if component is not None and envelope in ("data", "jsonapi"):
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
                if envelope in ("data", "jsonapi") and data_example is not None:
                    media["example"] = data_example
                count += 1
        op["x-altegio-envelope"] = envelope
    return count


def reply_shapes_from_examples(spec: Spec) -> int:
    """A reply whose example's data is a list where its schema documents one object
    (``get_service``: ``data: [{...}]``), or one object where it documents a list
    (``get_service_category``), is typed as either: ``oneOf`` the documented shape
    and the shape the example shows, so the type admits what Altegio sends."""
    count = 0
    for _, _, op in operations(spec):
        if op.get("x-altegio-envelope") not in ("data", "none"):
            continue
        for code in success_codes(op):
            media = ((op["responses"][code].get("content")) or {}).get("application/json")
            if not media or not media.get("schema") or "example" not in media:
                continue
            example, schema = media["example"], media["schema"]
            resolved = resolve(spec, schema) or {}
            many = "array" in types_of(resolved)
            if many and isinstance(example, dict) and example and resolved.get("items"):
                resolved["items"] = _component(spec, resolved["items"], f"{op['operationId']}_item")
                other = dict(resolved["items"])
            elif not many and resolved.get("properties") and _objects(example):
                schema = _component(spec, schema, f"{op['operationId']}_data")
                other = {"type": "array", "items": dict(schema)}  # (a node of its own)
            else:
                continue
            media["schema"] = {"oneOf": [schema, other]}
            count += 1
    return count


def _component(spec: Spec, schema: Schema, key: str) -> Schema:
    """A ``$ref`` to the schema, moved to the components if it is inline: both shapes
    of the reply then share one model."""
    if "$ref" in schema:
        return schema
    spec.setdefault("components", {}).setdefault("schemas", {})[key] = schema
    return {"$ref": f"#/components/schemas/{key}"}


def _objects(example: Any) -> bool:
    return isinstance(example, list) and bool(example) and all(isinstance(e, dict) for e in example)


def _data_of(example: Any) -> Any:
    return example.get("data") if isinstance(example, dict) else None


def _unwrap(spec: Spec, media: dict[str, Any]) -> str:
    """The envelope kind of one reply; a ``data`` reply's schema becomes its data."""
    schema = resolve(spec, media.get("schema"))
    if schema is None:  # documented by its example alone: the decoded JSON (as its example shows)
        example = media.get("example")
        if example is None:  # documented by nothing: a status (meta stays on the raw reply)
            return "status"
        media["schema"] = {}
        if not isinstance(example, dict) or "success" not in example:
            return "none"
        return "data" if example.get("data") is not None else "status"
    props = schema.get("properties") or {}
    if "success" not in props:
        if "data" in props and _is_resource(spec, props["data"]):
            media["schema"] = copy.deepcopy(props["data"])
            return "jsonapi"
        example = media.get("example", schema.get("example"))
        if (
            isinstance(example, dict)
            and {"success", "data"} <= set(example)
            and not props.get("data")
        ):
            # the schema describes the data, the example shows it enveloped (as Altegio
            # sends it: get_team_member_schedule, get_appointment_calendar_sessions)
            return "data"
        return "none"
    data = resolve(spec, props.get("data"))
    if data is None or _is_null_object(data):
        return "status"
    media["schema"] = copy.deepcopy(props["data"])
    return "data"


def _is_resource(spec: Spec, schema: Schema) -> bool:
    """A JSON:API resource object (``type``, ``id``, ``attributes``) or a list of them."""
    schema = resolve(spec, schema) or {}
    if "array" in types_of(schema):
        schema = resolve(spec, schema.get("items")) or {}
    return {"type", "id", "attributes"} <= set(schema.get("properties") or {})


def jsonapi_resources(spec: Spec) -> int:
    """JSON:API resources (a ``type`` with one value, an ``id``, ``attributes``) get
    ``x-altegio-resource``, their type: the models derive from ``JsonApiResource``
    (``related()``), and the client reads ``included`` items of that type as them."""
    count = 0
    for schema in walk(schema_roots(spec)):
        props = schema.get("properties")
        if not isinstance(props, dict) or not isinstance(props.get("type"), dict):
            continue
        kind = props["type"]
        values = [kind["const"]] if "const" in kind else kind.get("enum") or []
        if len(values) == 1 and {"id", "attributes"} <= set(props):
            schema["x-altegio-resource"] = values[0]
            count += 1
    return count


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
SIZE_NAMES = ("count", "limit", "per_page", "page_size")


def paging(spec: Spec) -> int:
    """Operations that answer a list one page at a time: a ``page`` number and a
    page size (``count``, ``limit``, ``per_page`` or ``page_size``) in the query or
    the JSON body, and a reply whose data (v1) or JSON:API ``data`` (v2) is an array.
    They get ``x-altegio-paging`` (where the two travel, their names, the largest
    size the spec allows), from which the templates generate ``iter_<operation>``
    methods."""
    count = 0
    for _, _, op in operations(spec):
        if op.get("x-altegio-envelope") not in ("data", "jsonapi"):
            continue
        replies = [op["responses"][c] for c in success_codes(op)]
        media = ((replies[0].get("content") or {}).get("application/json")) if replies else None
        if not media:
            continue
        # a list, or (documented by its example alone) an example that is one
        listed = "array" in types_of(resolve(spec, media.get("schema") or {}))
        if not listed and not (
            media.get("schema") == {} and isinstance(media.get("example"), list)
        ):
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


def null_only_fields(spec: Spec) -> int:
    """A field typed ``type: 'null'`` alone (``relation_entity_type`` of custom fields)
    documents only that Altegio sent null in its example; the generator would give it
    no type at all.  It is declared free-form, so whatever Altegio sends is kept."""
    changed = 0
    for node in walk(schema_roots(spec)):
        for prop in (node.get("properties") or {}).values():
            if isinstance(prop, dict) and types_of(prop) == ["null"] and "enum" not in prop:
                del prop["type"]
                changed += 1
    return changed


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
    transport_header_parameters,
    single_reference_all_of,
    merge_all_of,
    constraint_only_alternatives,
    empty_string_alternatives,
    arrays_without_items,  # after the quirk empty_array_alternatives, whose arrays go
    record_auth,
    webhook_pseudo_paths,  # before operation_servers: it carries a server of its own
    operation_servers,
    webhook_models,
    no_content_replies,
    file_replies,
    jsonapi_resources,  # before unwrap_envelopes: a resource may be a reply's component
    unwrap_envelopes,
    reply_shapes_from_examples,
    paging,
    success_replies_only,
    prune_components,
    null_only_fields,
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
    """One bundle through PREPARE, the quirks that name it, and STEPS."""
    spec = copy.deepcopy(spec)
    for fn in PREPARE:
        report.counts.setdefault(fn.__name__, {})[label] = fn(spec)
    for quirk in QUIRKS:
        if label in quirk.bundles:
            report.counts.setdefault(quirk.name, {})[label] = quirk.fix(spec)
    for fn in STEPS:
        report.counts.setdefault(fn.__name__, {})[label] = fn(spec)
    return spec


def stale_quirks(report: Report) -> list[str]:
    """``quirk (bundle)`` for every quirk that changed nothing in a bundle it names."""
    return [
        f"{quirk.name} ({label})"
        for quirk in QUIRKS
        for label, count in report.counts.get(quirk.name, {}).items()
        if count == 0
    ]


def annotate_operations(spec: Spec, label: str, namespace: str, users: str) -> None:
    """Templates see each reply's raw data but not the operation's, so the facts the
    client needs travel on the success replies as ``x-altegio-operation``.  A
    required user token is the bundle's kind (``booking``/``business``, the lock's
    ``users``): the client has one session type per kind."""
    for path, _, op in operations(spec):
        token = op.pop("x-altegio-user-token")
        info = {
            "operation_id": op["operationId"],
            "bundle": label,
            "namespace": namespace,
            "server": op.pop("x-altegio-server"),
            "user_token": users if token == "required" else token,
            "envelope": op.pop("x-altegio-envelope"),
            "arguments": naming.argument_names(op, path),
            "paging": op.pop("x-altegio-paging", None),
            "error_statuses": op.pop("x-altegio-error-statuses"),
            "accept": op.pop("x-altegio-file", None),  # a file reply's media type
            # path parameters that are credentials: the client keeps them out of errors
            "secret_path": [
                p["name"]
                for p in op.get("parameters", [])
                if p.get("in") == "path" and p["name"] in naming.SECRET_NAMES
            ],
        }
        for code in success_codes(op):
            op["responses"][code]["x-altegio-operation"] = info


def qualify(spec: Spec, label: str, namespace: str) -> None:
    """Make one bundle's names unique in the merged document: component schemas are
    keyed ``<bundle>__<name>`` (``naming.py`` shows them as ``<bundle>:<name>``), and a
    namespaced bundle's tags and operationIds start with the namespace (``v2_services``,
    ``v2_get_service``; the methods keep Altegio's operationId)."""
    schemas = spec.get("components", {}).get("schemas", {})
    renamed = {name: naming.component_key(label, name) for name in schemas}
    for node in walk([spec.get("paths"), schemas]):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            node["$ref"] = "#/components/schemas/" + renamed[ref.rsplit("/", 1)[1]]
    spec.setdefault("components", {})["schemas"] = {renamed[k]: v for k, v in schemas.items()}
    if not namespace:
        return
    for tag in spec.get("tags", []):
        tag["name"] = f"{namespace}_{tag['name']}"
    for _, _, op in operations(spec):
        op["tags"] = [f"{namespace}_{t}" for t in op.get("tags", [])]
        op["operationId"] = f"{namespace}_{op['operationId']}"


def merge(bundles: list[tuple[str, Spec]]) -> Spec:
    """One document, one package: paths already carry their server's path, component
    schemas their bundle.  Security schemes are not carried over: the client
    authenticates every call itself (``x-altegio-operation.user_token``)."""
    merged: Spec = {
        "openapi": "3.1.0",
        "info": {
            # the package's docstring says what it is a client for
            "title": "Altegio's "
            + _joined([bundle_title(label, s) for label, s in bundles])
            + " APIs",
            "version": "+".join(str(s["info"]["version"]) for _, s in bundles),
        },
        "servers": [{"url": API_HOST}],
        "x-altegio-bundles": [
            {
                "name": label,
                "title": bundle_title(label, s),
                "namespace": namespace_of(s),
            }
            for label, s in bundles
        ],
        "tags": [],
        "paths": {},
        "components": {"schemas": {}},
    }
    owners: dict[str, str] = {}
    for label, spec in bundles:
        for tag in spec.get("tags", []):
            if tag["name"] not in {t["name"] for t in merged["tags"]}:
                merged["tags"].append(tag)
        for path, item in spec.get("paths", {}).items():
            target = merged["paths"].setdefault(path, {})
            for method, op in item.items():
                if method in target:
                    raise NormalizeError(
                        f"{method.upper()} {path} is defined by both {owners[path]} and {label}"
                    )
                target[method] = op
                if method in METHODS:
                    op.pop("security", None)
                    if op["operationId"] in owners:
                        raise NormalizeError(
                            f"operationId {op['operationId']} is defined by both "
                            f"{owners[op['operationId']]} and {label}"
                        )
                    owners[op["operationId"]] = label
            owners[path] = label
        merged["components"]["schemas"].update(spec.get("components", {}).get("schemas", {}))
    return merged


def _joined(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def bundle_title(label: str, spec: Spec) -> str:
    """The bundle's title, with its namespace where it has one: "Business Management (v2)"."""
    title = str(spec.get("info", {}).get("title", label))
    namespace = namespace_of(spec)
    return f"{title} ({namespace})" if namespace else title


def load(path: Path) -> Spec:
    spec: Spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return spec


def locked_inputs() -> list[tuple[str, Path]]:
    return [(item.name, item.path) for item in spec_inputs.resolve()]


def build(
    inputs: list[tuple[str, Path]] | None = None,
    names: Path | None = None,
    always_sent_table: Path | None = None,
    *,
    name: bool = True,
) -> tuple[Spec, Report]:
    """The merged document and the report; raises on a stale quirk or a naming gap.

    ``inputs``: ``(label, path)`` per bundle (default: the locked ones; a label is
    the lock's name, or the file's stem).  ``always_sent_table``: where to record
    the always-sent fields (``make generate``).  ``name=False``: the merged document
    before models are named (what ``naming.apply`` takes)."""
    if inputs is None:
        inputs = locked_inputs()
    report = Report({})
    bundles = []
    users = {entry.name: entry.users for entry in spec_inputs.read_lock()}
    for label, path in inputs:
        spec = normalize(load(path), label, report)
        namespace = namespace_of(spec)
        annotate_operations(spec, label, namespace, users.get(label, spec_inputs.DEFAULT_USERS))
        qualify(spec, label, namespace)
        bundles.append((label, spec))
    stale = stale_quirks(report)
    if stale:
        raise StaleQuirkError(
            f"quirk(s) {', '.join(stale)} changed nothing: Altegio's bundle no longer has "
            "the construct they handle. Check the new bundle and remove the quirk (or the "
            "bundle from its scope) in scripts/normalize_specs.py."
        )
    merged = merge(bundles)
    if not name:
        return merged, report
    table = naming.read_table(names) if names is not None else None
    report.counts["model_names"] = {"all": naming.apply(merged, table)}
    report.counts["model_shapes"] = {"all": merged["x-altegio-models"]["shapes"]}
    report.counts["always_sent"] = {"all": always_sent.apply(merged, write=always_sent_table)}
    report.counts["secrets"] = {"all": naming.mark_secrets(merged)}
    return merged, report


PAGE = Path(__file__).resolve().parent.parent / "docs" / "pipeline.md"


def pipeline_page(report: Report) -> str:
    """``docs/pipeline.md``: every quirk and step with what it changed in each bundle."""
    scopes = {quirk.fix: quirk.bundles for quirk in QUIRKS}

    def row(fn: Callable[[Spec], int]) -> str:
        counts = report.counts.get(fn.__name__, {})
        changed = ", ".join(f"{k}: {v}" for k, v in counts.items()) or "-"
        doc = " ".join((fn.__doc__ or "").split()).replace("|", "\\|")
        return f"| `{fn.__name__}` | {changed} | {doc} |"

    lines = [
        "# The generation pipeline",
        "",
        "<!-- Generated by `make generate` (scripts/normalize_specs.py). DO NOT EDIT. -->",
        "",
        "What `scripts/normalize_specs.py` does to Altegio's bundles before the generator",
        "reads them, with the places each quirk and step changed in each bundle (the",
        "lock's names).  A quirk runs only on the bundles it names, and one that changes",
        "nothing in one of them stops generation.",
        "",
        "## Quirks: defects of Altegio's files",
        "",
        "| quirk | places, by bundle | the construct and its handling |",
        "|---|---|---|",
        *(row(fn) for fn in scopes),
        "",
        "## Steps: how the SDK shapes any bundle",
        "",
        "| step | places, by bundle | what it does |",
        "|---|---|---|",
        *(row(fn) for fn in (*PREPARE, *STEPS)),
        "",
        f"Then the {report.total('model_shapes')} shapes that would each be a model are",
        f"merged into {report.total('model_names')} models where they are the same, and",
        "named (`scripts/naming.py`, `scripts/name_rule.py`, overrides in",
        "`scripts/names.yaml`); and",
        f"{report.total('always_sent')} reply fields are marked always sent",
        "(`scripts/always_sent.py`).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--specs", type=Path, nargs="+", metavar="FILE",
                        help="bundles to read instead of the locked ones, each labelled by "
                        "its file name without the extension (b2b-v1.yaml: b2b-v1)")  # fmt: skip
    parser.add_argument("--names", type=Path, help="naming table instead of scripts/names.yaml")
    parser.add_argument("--output", type=Path, help="where to write the merged JSON document")
    parser.add_argument("--record-always-sent", action="store_true",
                        help=f"rewrite {always_sent.TABLE.name} (make generate does)")  # fmt: skip
    parser.add_argument("--explain", action="store_true",
                        help="print the quirks and steps, counted (docs/pipeline.md)")  # fmt: skip
    parser.add_argument("--pipeline-page", type=Path,
                        help=f"write the quirks and steps as Markdown ({PAGE.name})")  # fmt: skip
    args = parser.parse_args(argv)
    inputs = [(path.stem, path) for path in args.specs] if args.specs else None
    try:
        table = always_sent.TABLE if args.record_always_sent else None
        document, report = build(inputs, args.names, table)
    except (NormalizeError, spec_inputs.SpecInputError, naming.NamingError) as exc:
        print(f"normalize: {exc}", file=sys.stderr)
        return 1
    if args.explain:
        print(pipeline_page(report), end="")
        return 0
    if args.pipeline_page:
        args.pipeline_page.write_text(pipeline_page(report), encoding="utf-8")
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
