"""Names a person would write: models named by a rule (``name_rule.py``) with
``names.yaml`` as overrides, identical shapes merged into one model, and argument
names from ARGUMENTS.

Every schema that becomes a model is found and given a *key* that says where it
sits in the merged document:

* ``<operationId>.reply`` / ``<operationId>.body``: the (unwrapped) reply data and
  the request body of an operation (a namespaced operation: ``v2_get_service``);
* ``<bundle>:<component>`` for a component schema (webhook payloads are components
  named after the webhook: ``developers:RecordEvent``);
* then ``.<field>`` for a property, ``[]`` for array items, ``{}`` for map values
  and ``|<n>`` for the n-th alternative of a ``oneOf``/``anyOf``/``allOf``.

Shapes that are the same model (the same fields of the same types, read or sent
the same way: descriptions and examples aside) become one model, wherever the
bundles repeat them; it is moved to ``components/schemas`` under its name and every
place refers to it.  Its name is the ``names.yaml`` line of any of its keys, else
the rule's first free candidate.  Enums are named after their model and field
(``VoipCallStatus``), query-parameter enums after their operation's resource and
parameter.  Generation fails on a model the rule cannot name (printing its key and
a suggestion for ``names.yaml``), on a name given twice, on a name longer than
``MAX_NAME`` characters, and on a table line that names nothing (a stale line).
"""

from __future__ import annotations

import copy
import json
import keyword
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import name_rule
import yaml
from name_rule import MAX_NAME

TABLE = Path(__file__).resolve().parent / "names.yaml"

# One concept, one argument name.  Path and query parameters keep their names on
# the wire; the methods take these instead.  Altegio's reference says "team member",
# "location", "appointment" and "product" where its parameters still say staff,
# master, company, salon, record and good.
ARGUMENTS = {
    "staff_id": "team_member_id",
    "master_id": "team_member_id",
    "company_id": "location_id",
    "salon_id": "location_id",
    "record_id": "appointment_id",
    "good_id": "product_id",
    "goods_id": "product_id",
    "staff_ids": "team_member_ids",
    "master_ids": "team_member_ids",
    "company_ids": "location_ids",
    "salon_ids": "location_ids",
    "record_ids": "appointment_ids",
    "good_ids": "product_ids",
    "bookform_id": "booking_form_id",
}

METHODS = ("get", "put", "post", "delete", "patch")
REQUEST_MEDIA = ("application/json", "multipart/form-data")
# Fields whose values are credentials: left out of repr() and of mismatch reports.
# A record hash alone reads and cancels an appointment: it is one too.
SECRET_NAMES = {"api_key", "crm_token", "new_password", "old_password", "partner_token",
                "password", "record_hash", "user_token"}  # fmt: skip
SECRET_TEXT = re.compile(r"\b(user|partner|api)[ _]?token\b|\bpassword\b", re.IGNORECASE)
COMPONENT_SEPARATOR = "__"  # <bundle>__<name>: a component's key in the merged document


class NamingError(Exception):
    """The naming table and the document disagree."""


def component_key(label: str, name: str) -> str:
    """A bundle's component in the merged document (``public__auth_request``)."""
    return f"{label}{COMPONENT_SEPARATOR}{name}"


def display_key(component: str) -> str:
    """The naming key of a component: ``public:auth_request``."""
    label, _, name = component.partition(COMPONENT_SEPARATOR)
    return f"{label}:{name}" if name else component


def python_name(name: str) -> str:
    """A readable Python name for a wire name: ``filter[service_ids]``: ``filter_service_ids``."""
    return re.sub(r"\W+", "_", name).strip("_").lower()


def generator_name(name: str) -> str:
    """The name the generator gives a parameter (``filter[x]``: ``filterx``)."""
    from openapi_python_client.strings import PythonIdentifier

    return str(PythonIdentifier(name, prefix="field_"))


def argument_name(wire: str) -> str:
    """The method's argument for a parameter: readable, in the concept's one name
    (``staff_id``: ``team_member_id``, ``filter[staff_id]``: ``filter_team_member_id``;
    ``from``: ``from_``)."""
    name = python_name(wire)
    for old, new in ARGUMENTS.items():
        if name == old:
            return new
        if name.endswith("_" + old):
            return name[: -len(old)] + new
    # the generator's "_" after a keyword or a name it imports (datetime_)
    reserved = keyword.iskeyword(name) or generator_name(wire) == name + "_"
    return name + "_" if reserved else name


def argument_names(op: dict[str, Any], path: str = "") -> dict[str, str]:
    """``{generated parameter name: argument name}`` for one operation's renames.

    A path parameter called just ``id`` is named after the resource its path names
    last (``/client/{location_id}/{id}``: ``client_id``), then as any other."""
    generated = [generator_name(p["name"]) for p in op.get("parameters", [])]
    wanted = [
        argument_name(
            path_id_name(path) if p["name"] == "id" and p.get("in") == "path" else p["name"]
        )
        for p in op.get("parameters", [])
    ]
    renames = {g: w for g, w in zip(generated, wanted, strict=True) if g != w}
    if len(set(wanted)) != len(wanted):
        taken = sorted({w for w in wanted if wanted.count(w) > 1})
        raise NamingError(f"{op['operationId']}: argument {taken} would be taken twice")
    return renames


def path_id_name(path: str) -> str:
    """``<resource>_id`` for the last literal segment of ``path`` (singular)."""
    words = [part for part in path.split("/") if part and not part.startswith("{")]
    last = words[-1] if words else "resource"
    singular = last[:-3] + "y" if last.endswith("ies") else last.removesuffix("s")
    return f"{singular}_id"


def is_model(schema: dict[str, Any]) -> bool:
    """An object with fields (or with none declared); a union of objects is a union."""
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    union = "oneOf" in schema or "anyOf" in schema
    return "$ref" not in schema and ("properties" in schema or ("object" in kinds and not union))


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


def request_media(op: dict[str, Any]) -> dict[str, Any] | None:
    content = (op.get("requestBody") or {}).get("content") or {}
    return next((content[m] for m in REQUEST_MEDIA if m in content), None)


def roots(
    document: dict[str, Any],
) -> Iterator[tuple[str, dict[str, Any], bool, dict[str, Any]]]:
    """``(key, holder, reads, operation)``: every place a body or reply schema sits
    (``holder`` has it under ``"schema"``), with the operation it belongs to."""
    for item in document.get("paths", {}).values():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = request_media(op)
            if body and isinstance(body.get("schema"), dict):
                yield f"{op['operationId']}.body", body, False, op
            for reply in op.get("responses", {}).values():
                media = (reply.get("content") or {}).get("application/json") or {}
                if isinstance(media.get("schema"), dict):
                    yield f"{op['operationId']}.reply", media, True, op


def model_schemas(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(key, schema)`` for every schema of the document that becomes a model; once
    ``apply`` has run, the key of a model is its name."""
    pending: list[tuple[str, dict[str, Any]]] = [
        (display_key(k), v) for k, v in document.get("components", {}).get("schemas", {}).items()
    ]
    pending += [(key, holder["schema"]) for key, holder, _, _ in roots(document)]
    pending.reverse()
    while pending:
        key, schema = pending.pop()
        if is_model(schema):
            yield key, schema
        pending.extend(reversed(list(children(key, schema))))


def suggest(key: str) -> str:
    """A starting point for a new table line: the last named part, in PascalCase."""
    words = [w for w in re.split(r"[.\[\]{}|:]+", key) if w and not w.isdigit()]
    return name_rule.pascal(name_rule.clean(name_rule.words(words[-1]))) or "Name"


def read_table(path: Path = TABLE) -> dict[str, str]:
    table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(table, dict):
        raise NamingError(f"{path.name} must map keys to names")
    return {str(k): str(v) for k, v in table.items()}


# --------------------------------------------------------------------------- models

# Shapes of at most this many fields are one model only where they sit in fields of
# the same concept; larger identical shapes are the same thing wherever they sit.
SMALL_SHAPE = 3
# What does not make two shapes different models: words for people, and our marks.
_NOT_STRUCTURE = {"title", "description", "example", "examples", "x-altegio-secrets"}


@dataclass
class Holder:
    """The model a field belongs to, named later (children are seen before parents)."""

    group: Group | None = None
    own: list[str] = field(default_factory=list)

    def name(self) -> str | None:
        """The parent's final name; None while it is not named yet."""
        if self.group is None:
            return self.own[0] if self.own else ""
        return self.group.name or None


@dataclass(frozen=True)
class Where:
    """Where a schema sits, as far as its name is concerned."""

    own: tuple[str, ...] = ()  # names from where it sits (its operation, its union)
    parent: Holder | None = None  # the enclosing model
    field: str = ""  # the field of the parent it sits in
    many: bool = False  # one item of a list or map
    variant: int = 0  # the n-th alternative of a union (1-based), else 0
    namespace: str = ""  # ``v2``: the fallback names end with ``V2``
    verb: str = ""  # the operation's verb: ``New``/``Updated`` fallbacks
    named: tuple[str, ...] = ()  # names of its own (its title, its component's key)


@dataclass
class Site:
    """One place a model sits."""

    key: str
    where: Where

    def ready(self) -> bool:
        return self.where.parent is None or self.where.parent.name() is not None

    def candidates(self) -> list[str]:
        where = self.where
        out = list(where.own)
        if where.field and where.parent is not None:
            out += _field_names(where.parent.name() or "", where.field, many=where.many)
        if where.variant:  # an alternative of a union with no name of its own
            out = [f"{n}{VARIANTS[where.variant]}" for n in out if where.variant in VARIANTS]
        return [*where.named, *(n for n in out if name_rule.acceptable(n))]

    def fallbacks(self, reads: bool) -> list[str]:
        """When the plain names are other shapes': the version (``ServiceV2``), how the
        operation has it (``NewAppointment``, ``AppointmentDetails``), a reply's
        ``Result``, then ``Variant``s."""
        base = self.candidates()
        out = []
        if self.where.namespace:
            out += [n + self.where.namespace.upper() for n in base]
        if self.where.verb in FALLBACK_WORDS:
            prefix, suffix = FALLBACK_WORDS[self.where.verb]
            out += [prefix + n + suffix for n in base]
        if reads:
            out += [_fit(n, "Result") for n in base]
        out += [_fit(n, f"Variant{i if i > 1 else ''}") for i in range(1, 10) for n in base]
        return [n for n in out if name_rule.acceptable(n)]


def _fit(name: str, suffix: str) -> str:
    """``name`` + ``suffix``, words dropped from the front of ``name`` to fit."""
    words = name_rule.words(name)
    for start in range(len(words)):
        candidate = name_rule.pascal(words[start:]) + suffix
        if len(candidate) <= MAX_NAME:
            return candidate
    return name + suffix


# The n-th alternative of a union with no name of its own: the union's name and this.
VARIANTS = {1: "", 2: "Alt", 3: "Alt2", 4: "Alt3"}  # the first keeps the plain name
# The resource an operation returns or takes, when its plain name is another shape's.
FALLBACK_WORDS = {
    "create": ("New", ""), "add": ("New", ""), "update": ("Updated", ""),
    "delete": ("Deleted", ""), "get": ("", "Details"), "list": ("", "Listing"),
    "search": ("", "Match"), "find": ("", "Match"),
}  # fmt: skip


@dataclass
class Group:
    """Shapes that are one model."""

    index: int
    schema: dict[str, Any]
    reads: bool
    sites: list[Site] = field(default_factory=list)
    name: str = ""

    @property
    def placeholder(self) -> str:
        return f"#/components/schemas/@{self.index}"


class _Flattener:
    """Walks every body and reply, replaces each model by a ``$ref`` to its group."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.components: dict[str, Any] = document.get("components", {}).get("schemas", {})
        self.hints = {k: v.get("title") for k, v in self.components.items()}
        self.groups: dict[str, Group] = {}
        self.by_component: dict[tuple[str, bool], Any] = {}
        self.visiting: set[tuple[str, bool]] = set()
        self.shapes = 0  # the models there would be without merging

    def visit(self, schema: Any, key: str, reads: bool, where: Where) -> Any:
        """The node to put where ``schema`` was."""
        if not isinstance(schema, dict):
            return schema
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return self._component(schema, ref.rsplit("/", 1)[1], key, reads, where)
        model = is_model(schema)
        holder = Holder(own=[*where.named, *where.own]) if model else None
        inner = Where(parent=holder, namespace=where.namespace) if holder else where
        for name, prop in list((schema.get("properties") or {}).items()):
            child = Where(parent=inner.parent, field=name, namespace=where.namespace)
            schema["properties"][name] = self.visit(prop, f"{key}.{name}", reads, child)
        if isinstance(schema.get("items"), dict):
            singular = tuple(_singular([*where.named, *where.own]))
            items = Where(singular, where.parent, where.field, True, 0, where.namespace, where.verb)
            schema["items"] = self.visit(schema["items"], f"{key}[]", reads, items)
        if isinstance(schema.get("additionalProperties"), dict):
            entry = tuple(n + "Entry" for n in [*where.named, *where.own][:1])
            field_name = where.field if not holder else "entry"
            values = Where(entry, inner.parent, field_name, True, 0, where.namespace)
            schema["additionalProperties"] = self.visit(
                schema["additionalProperties"], f"{key}{{}}", reads, values
            )
        for union in ("oneOf", "anyOf", "allOf"):
            variants = schema.get(union)
            if isinstance(variants, list):
                visited = [
                    self.visit(v, f"{key}|{i}", reads,
                               where if union == "allOf" else _variant(where, v, i))
                    for i, v in enumerate(variants)
                ]  # fmt: skip
                # alternatives that turned out to be the same model are one
                unique = list({json.dumps(v, sort_keys=True): v for v in visited}.values())
                schema[union] = unique
                if len(unique) == 1 and union != "allOf" and not model:
                    del schema[union]
                    schema.update({k: v for k, v in unique[0].items() if k not in schema})
                    if "$ref" in schema:  # now a reference: its own type says nothing more
                        schema.pop("type", None)
        if not model:
            return schema
        group, ref = self._group(schema, key, reads, where)
        if holder is not None:
            holder.group = group
        return ref

    def _component(
        self, node: dict[str, Any], component: str, key: str, reads: bool, where: Where
    ) -> Any:
        memo = (component, reads)
        target = self.components[component]
        if memo in self.visiting:  # a shape that contains itself
            return {"$ref": f"#/components/schemas/@{component}@{int(reads)}"}
        if memo not in self.by_component:
            self.visiting.add(memo)
            named = (*_component_names(component, self.hints.get(component)), *where.named)
            result = self.visit(
                copy.deepcopy(target), display_key(component), reads,
                Where(where.own, where.parent, where.field, where.many, where.variant,
                      where.namespace, where.verb, named),
            )  # fmt: skip
            self.visiting.discard(memo)
            self.by_component[memo] = result
        result = self.by_component[memo]
        if isinstance(result, dict) and "$ref" in result:
            # the same model, seen from here: this site's names are candidates too
            group = self._group_of(result)
            group.sites.append(Site(key, where))
            return self._new_ref(group, node)
        return copy.deepcopy(result)

    def _group_of(self, ref: dict[str, Any]) -> Group:
        index = int(ref["$ref"].rsplit("@", 1)[1])
        return next(g for g in self.groups.values() if g.index == index)

    def _new_ref(self, group: Group, node: dict[str, Any] | None = None) -> dict[str, Any]:
        ref: dict[str, Any] = {"$ref": group.placeholder}
        if node is not None:
            ref.update({k: v for k, v in node.items() if k in ("description", "example")})
        return ref

    def _group(
        self, schema: dict[str, Any], key: str, reads: bool, where: Where
    ) -> tuple[Group, dict[str, Any]]:
        # Shapeless objects (no fields declared) say nothing about what they are: each
        # stays its own model, named where it sits.  A few fields alike in fields of
        # different names ({id, title} as a ``position`` and as a ``good``) are different
        # things: for small shapes the field's concept is part of the shape.
        shapeless = not schema.get("properties") and not schema.get("allOf")
        small = len(schema.get("properties") or {}) <= SMALL_SHAPE
        # (a small shape not in a field, a component of its own, is itself)
        place = key if shapeless else (_field_concept(key) or key) if small else ""
        fingerprint = json.dumps([reads, _structure(schema), place], sort_keys=True)
        self.shapes += 1
        group = self.groups.get(fingerprint)
        if group is None:  # the first shape is the model (its example stays on it)
            group = Group(len(self.groups), schema, reads)
            self.groups[fingerprint] = group
            group.sites.append(Site(key, where))
            return group, self._new_ref(group)
        group.sites.append(Site(key, where))
        # the evidence of always_sent.py: this place's example stays beside its $ref
        return group, self._new_ref(group, {k: v for k, v in schema.items() if k == "example"})


def _variant(where: Where, variant: Any, index: int) -> Where:
    """A oneOf/anyOf alternative: its own title's words, else the union's names numbered."""
    hint = name_rule.title_name(variant.get("title")) if isinstance(variant, dict) else []
    return Where(where.own, where.parent, where.field, where.many, index + 1, where.namespace,
                 where.verb, tuple(name_rule.candidates(hint)))  # fmt: skip


def _field_concept(key: str) -> str:
    """The concept of the field a model sits in (``...staff[]``: ``team member``); empty
    for a body, a reply or a component."""
    match = re.search(r"\.([^.\[\]{}|:]+)(?:\[\]|\{\}|\|\d+)*$", key)
    if not match:
        return ""
    return " ".join(name_rule.make_singular(name_rule.clean(name_rule.words(match.group(1)))))


def _structure(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _structure(v) for k, v in node.items() if k not in _NOT_STRUCTURE}
    if isinstance(node, list):
        return [_structure(v) for v in node]
    return node


def _singular(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        parts = name_rule.words(name)
        out.extend(name_rule.candidates(name_rule.make_singular(parts)))
    return out


def _field_names(parent: str, field_name: str, *, many: bool) -> list[str]:
    """Names for a model in field ``field_name`` of a model named ``parent``:
    ``AppointmentTeamMember``, then the field alone."""
    parts = name_rule.field_words(field_name)
    if many:
        parts = name_rule.make_singular(parts)
    if not parts:
        return []
    words = name_rule.words(parent)
    # "Client" + "client_visits": ClientVisit, not ClientClientVisit
    while words and parts and words[-1] == parts[0]:
        parts = parts[1:]
    if not parts:  # a Consumable's "consumables": its entries
        parts = ["entry"]
    out = list(name_rule.candidates([*words, *parts]))
    return out + [n for n in name_rule.candidates(parts) if n not in name_rule.GENERIC]


def _component_names(component: str, title: str | None) -> list[str]:
    _, _, bare = component.partition(COMPONENT_SEPARATOR)
    out: list[str] = []
    for parts in (name_rule.title_name(title), name_rule.component_name(bare or component)):
        if parts:
            out.extend(name_rule.candidates(parts))
    return out


def _operation_names(op: dict[str, Any], reads: bool, many: bool) -> list[str]:
    """A body is named after its operation (``create_client``: ``ClientCreate``), a
    reply after the resource its operation returns (``Client``)."""
    info = _operation_info(op)
    operation_id = info.get("operation_id", op["operationId"])
    verb, parts = name_rule.resource(operation_id)
    if not parts:
        parts = name_rule.clean(name_rule.words(operation_id))
    if not reads:  # ClientCreate, ClientUpdate; the body of a search is its query
        noun = "query" if verb in QUERY_VERBS else verb
        return list(name_rule.candidates([*parts, *([noun] if noun else [])]))
    if many:
        return list(name_rule.candidates(name_rule.make_singular(parts)))
    out = list(name_rule.candidates(parts))
    if verb in ("list", "search", "find") or (parts and name_rule.singular(parts[-1]) != parts[-1]):
        out = list(name_rule.candidates([*name_rule.make_singular(parts), "list"])) + out
    return out


QUERY_VERBS = {"get", "list", "search", "find", "fetch"}


def _operation_info(op: dict[str, Any]) -> dict[str, Any]:
    for reply in op.get("responses", {}).values():
        info = reply.get("x-altegio-operation")
        if info:
            return dict(info)
    return {}


def _drop_titles(document: dict[str, Any]) -> None:
    """Altegio's own titles ("Root Type for book_times_company_id_data_types") would
    name models and enums; only ours stay."""
    # (node, whether it maps property names to schemas)
    pending: list[tuple[Any, bool]] = [(document.get("paths"), False)]
    pending.append((document.get("components"), False))
    while pending:
        node, names = pending.pop()
        if isinstance(node, dict):
            if not names and isinstance(node.get("title"), str):
                del node["title"]  # a property called "title" is a dict, not a str
            for key, value in node.items():
                if not names and key in ("example", "examples"):
                    continue  # an example's "title" is data, not a name
                pending.append((value, not names and key == "properties"))
        elif isinstance(node, list):
            pending.extend((item, False) for item in node)


def apply(document: dict[str, Any], table: dict[str, str] | None = None) -> int:
    """Name every model, merge identical ones, move them to ``components/schemas``;
    returns how many models there are."""
    table = read_table() if table is None else table
    flat = _Flattener(document)
    # the first place a shape is seen names it: deprecated operations come last
    ordered = sorted(roots(document), key=lambda root: root[0].startswith("deprecated_"))
    for key, holder, reads, op in ordered:
        info = _operation_info(op)
        verb, _ = name_rule.resource(info.get("operation_id", op["operationId"]))
        schema = holder["schema"]
        many = "array" in types_of(schema)
        ref = schema.get("$ref")
        target = flat.components.get(ref.rsplit("/", 1)[1], {}) if isinstance(ref, str) else {}
        if "array" in types_of(target):
            # a list reached through a component: its items are named, as below
            items_names = tuple(_operation_names(op, reads, many=True))
            where = Where(items_names, namespace=info.get("namespace", ""), verb=verb)
            holder["schema"] = flat.visit(schema, key, reads, where)
            continue
        names = tuple(_operation_names(op, reads, many=False))
        where = Where(names, namespace=info.get("namespace", ""), verb=verb)
        if many:  # the items are named; the list itself is no model
            where = Where((), namespace=where.namespace, verb=verb)
            items = Where(tuple(_operation_names(op, reads, many=True)), namespace=where.namespace,
                          verb=verb)  # fmt: skip
            if isinstance(schema.get("items"), dict):
                schema["items"] = flat.visit(schema["items"], f"{key}[]", reads, items)
            else:
                holder["schema"] = flat.visit(schema, key, reads, where)
        else:
            holder["schema"] = flat.visit(schema, key, reads, where)
    for item in document.get("paths", {}).values():  # parameters may refer to components too
        for method in METHODS:
            for param in (item.get(method) or {}).get("parameters", []):
                if isinstance(param.get("schema"), dict):
                    site = f"{item[method]['operationId']}({param['name']})"
                    param["schema"] = flat.visit(param["schema"], site, False, Where())
    for component, schema in list(flat.components.items()):
        if schema.get("x-altegio-payload"):  # webhook payloads: models nothing refers to
            payload = {"$ref": f"#/components/schemas/{component}"}
            flat.visit(payload, display_key(component), True, Where())
    groups = sorted(flat.groups.values(), key=lambda g: g.index)
    _name_groups(groups, table, document.get("x-altegio-bundles", []))
    by_index = {g.index: g for g in groups}
    by_component = {
        memo: by_index[int(result["$ref"].rsplit("@", 1)[1])].name
        for memo, result in flat.by_component.items()
        if isinstance(result, dict) and "$ref" in result
    }
    for node in walk([document.get("paths"), [g.schema for g in groups]]):
        ref = node.get("$ref")
        if not (isinstance(ref, str) and ref.startswith("#/components/schemas/@")):
            continue
        tail = ref.rsplit("/", 1)[1]
        if tail.count("@") == 2:  # a shape that contains itself
            _, component, direction = tail.split("@")
            node["$ref"] = "#/components/schemas/" + by_component[(component, direction == "1")]
        else:
            node["$ref"] = "#/components/schemas/" + by_index[int(tail[1:])].name
    _drop_titles(document)
    schemas: dict[str, Any] = {}
    for group in groups:
        group.schema["title"] = group.name
        if group.reads:
            group.schema["x-altegio-payload"] = True
        schemas[group.name] = group.schema
    document.setdefault("components", {})["schemas"] = schemas
    document["x-altegio-models"] = {"shapes": flat.shapes, "models": len(groups)}
    _name_enums(document)
    return len(groups)


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping below ``node``, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def types_of(schema: dict[str, Any]) -> list[str]:
    """A schema's ``type`` as a list (OpenAPI 3.1 allows one or several)."""
    kind = schema.get("type")
    return kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []


def _name_groups(groups: list[Group], table: dict[str, str], bundles: list[Any]) -> None:
    used: dict[str, str] = {}
    keys = {site.key: group for group in groups for site in group.sites}
    # a line of a bundle not generated this time (--specs with fewer bundles) is not stale
    given = {f"{b['name']}:" for b in bundles}
    stale = sorted(k for k in set(table) - set(keys) if ":" not in k or k.startswith(tuple(given)))
    if stale:
        raise NamingError(f"scripts/names.yaml names nothing at: {', '.join(stale)}")
    several = [
        sorted({table[s.key] for s in g.sites if s.key in table})
        for g in groups
        if len({table[s.key] for s in g.sites if s.key in table}) > 1
    ]
    if several:
        raise NamingError(f"names.yaml gives one model several names: {several}")
    for group in groups:  # the table first: its names are never taken by the rule
        lines = {table[s.key] for s in group.sites if s.key in table}
        if lines:
            name = lines.pop()
            _check(name, group.sites[0].key)
            if _clashes(name, group):
                # the generated from_dict names its result after the model: it would shadow it
                raise NamingError(f"{group.sites[0].key}: {name!r} clashes with its own field")
            if name in used:
                raise NamingError(f"{name} names both {used[name]} and {group.sites[0].key}")
            used[name] = group.sites[0].key
            group.name = name
    pending = [g for g in groups if not g.name]
    while pending:  # parents before their fields: a field's name starts with its parent's
        progress = False
        for group in pending:
            ready = [site for site in group.sites if site.ready()]
            if not ready:
                continue
            progress = True
            options = _ranked_options(ready, group.reads)
            free = next((n for n in options if n not in used and not _clashes(n, group)), None)
            group.name = free or "-"  # "-": no name the rule can give
            used.setdefault(group.name, group.sites[0].key)
        if not progress:  # only shapes that contain themselves are left
            for group in pending:
                options = [n for site in group.sites for n in (*site.where.named, *site.where.own)]
                group.name = next((n for n in options if n not in used), "-")
                used.setdefault(group.name, group.sites[0].key)
        pending = [g for g in groups if not g.name]
    missing = [g for g in groups if g.name == "-"]
    if missing:
        report = "\n".join(
            f"  {g.sites[0].key}: {suggest(g.sites[0].key)}  # taken: "
            + ", ".join(f"{n} ({used[n]})" for n in _options(g)[:3] if n in used)
            for g in missing
        )
        raise NamingError(
            f"{len(missing)} models the rule cannot name; add to scripts/names.yaml:\n{report}"
        )


# How an operation has a resource, best first: a model is named after how it is read.
VERB_RANK = {"get": 0, "list": 1, "search": 1, "find": 1}


def _ranked_options(sites: list[Site], reads: bool) -> list[str]:
    """Every site's names, then their fallbacks; sites of a reading operation first,
    deprecated operations' last (after the others' fallbacks)."""
    current = [s for s in sites if not s.key.startswith("deprecated_")]
    current.sort(key=lambda s: VERB_RANK.get(s.where.verb, 2))
    old = [s for s in sites if s.key.startswith("deprecated_")]
    options = []
    for group in (current, old):
        options += [n for site in group for n in site.candidates()]
        options += [n for site in group for n in site.fallbacks(reads)]
    return options


def _clashes(name: str, group: Group) -> bool:
    """The model's snake_case name is one of its fields (``Consumables.consumables``)."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return snake in (group.schema.get("properties") or {})


def _options(group: Group) -> list[str]:
    return [n for site in group.sites for n in (*site.candidates(), *site.fallbacks(group.reads))]


def _check(name: str, key: str) -> None:
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) or len(name) > MAX_NAME:
        raise NamingError(f"{key}: {name!r} is not a PascalCase name of <= {MAX_NAME} chars")


def _name_enums(document: dict[str, Any]) -> None:
    """Every enum becomes a component of its own, so its name does not have to start
    with its model's (the generator would make it ``<Model><Title>``): a model field's
    enum is ``<Model><Field>``, a parameter's ``<Resource><Parameter>``, shortened from
    the front to fit ``MAX_NAME``; the same values under the same name are one enum."""
    schemas = document["components"]["schemas"]
    enums: dict[str, Any] = {}

    def hoist(holder: dict[str, Any], slot: str, parts: list[str], where: str) -> None:
        schema = holder[slot]
        values = [v for v in schema["enum"] if v is not None]
        enum = {k: v for k, v in schema.items() if k not in ("description", "example", "title")}
        enum["enum"] = values
        kinds = [k for k in types_of(enum) if k != "null"]
        if kinds:
            enum["type"] = kinds[0] if len(kinds) == 1 else kinds
        key = json.dumps(values, sort_keys=True, default=str)
        tails = [name_rule.pascal(parts[i:]) for i in range(len(parts))]
        options = [n for n in tails if name_rule.acceptable(n)]
        options += [_fit(name_rule.pascal(parts), f"Variant{i if i > 1 else ''}")
                    for i in range(1, 10)]  # fmt: skip
        name = next((n for n in options if n not in schemas and
                     (n not in enums or json.dumps(enums[n]["enum"], default=str) == key)),
                    None)  # fmt: skip
        if name is None:
            raise NamingError(f"{where}: no free enum name among {options}")
        enum["title"] = name
        enums[name] = enum
        ref: dict[str, Any] = {"$ref": f"#/components/schemas/{name}"}
        nullable = None in schema["enum"] or "null" in types_of(schema)
        node = {"oneOf": [ref, {"type": "null"}]} if nullable else ref
        for extra in ("description", "example"):
            if extra in schema:
                node[extra] = schema[extra]
        holder[slot] = node

    for model, schema in list(schemas.items()):
        for field_name, prop in (schema.get("properties") or {}).items():
            if not isinstance(prop, dict):
                continue
            parts = [*name_rule.words(model), *name_rule.words(python_name(field_name))]
            if "enum" in prop:
                hoist(schema["properties"], field_name, parts, f"{model}.{field_name}")
            elif isinstance(prop.get("items"), dict) and "enum" in prop["items"]:
                hoist(prop, "items", parts, f"{model}.{field_name}[]")
    for item in document.get("paths", {}).values():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            _, resource = name_rule.resource(_operation_info(op).get("operation_id", ""))
            for param in op.get("parameters", []):
                schema = param.get("schema") or {}
                parts = [*resource, *name_rule.words(argument_name(param["name"]))]
                where = f"{op['operationId']}({param['name']})"
                if "enum" in schema:
                    hoist(param, "schema", parts, where)
                elif isinstance(schema.get("items"), dict) and "enum" in schema["items"]:
                    hoist(schema, "items", parts, where)
    schemas.update(enums)


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
