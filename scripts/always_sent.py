"""Which reply fields are typed always sent, and the evidence for each.

The rule: a field of a reply model is typed non-optional (always sent) only where
the bundle's schema lists it as ``required``, or where it is present, and not
null, in every example of the model from at least two independent sources.  One
source is never enough, however many examples it has.  Where any source shows the
field absent or null, it is optional, whatever the schema says; so is a field its
own description makes conditional ("present only if the GET parameter forBooking=1
is passed", "only if filter by team member is set"), unless the schema requires it.

The sources:

* ``altegio``: every example Altegio publishes, counted as ONE source: the examples
  in the bundles (reply examples, schema examples, the webhooks' payload examples)
  and the ``data`` examples of the per-operation reference in
  ``../shared/altegio-docs/``.  Read from those files at generation time.
* the others, one per independent source (YCLIENTS' Russian API reference and its
  API Blueprint copy are one source, ``yclients``; replies recorded live and kept as
  test fixtures in a public repository are another): what ``gather_evidence.py``
  counted in them, committed as ``openapi/evidence/reply_fields.json`` (per
  operation and reply object path, how many objects had each field non-null or
  null) with the origin of every copy in ``openapi/evidence/sources.json``.
  Generation reads only these files, so it is reproducible offline.

An example reaches the models of its reply the way the reply's schema nests them
(``$ref``, items, fields, union variants), so nested models get their examples; an
example written with the ``{success, data}`` envelope around a bare reply counts as
its ``data``.

The result is recorded in ``scripts/always_sent.yaml``: per reply model (keyed as
``scripts/naming.py`` keys models) each always-sent field with why: ``schema``
and/or the sources whose every example shows it, with their example counts.  It is
rewritten by ``make generate`` and checked by ``make check-generated``, so a
change in the evidence shows as a diff.  The generated reply models type these
fields without ``None``; every other reply field reads as ``None`` when absent.
Request bodies are not affected.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import types
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import naming

ROOT = Path(__file__).resolve().parent.parent
TABLE = Path(__file__).resolve().parent / "always_sent.yaml"
DOCS = ROOT.parent / "shared" / "altegio-docs"
EVIDENCE = ROOT / "openapi" / "evidence" / "reply_fields.json"
SOURCES_FILE = ROOT / "openapi" / "evidence" / "sources.json"
OWN = "altegio"  # Altegio's own examples: bundles and reference, one source
SCHEMA = "schema"  # the reason given for a field the schema requires
HEADER = """\
# Reply fields typed as always sent, per reply model, and why: written by `make
# generate` (scripts/always_sent.py states the rule). Do not edit: change the evidence.
# A field is listed with "schema" when its schema requires it, and with each source
# whose every example shows it non-null ("<source> <examples>"); two sources or
# "schema" are needed, and no source may show it absent or null.  Sources: altegio
# (Altegio's bundles and reference), the others as in openapi/evidence/sources.json.
# key (scripts/naming.py): {field: why}  # model name; examples per source
"""

Schema = dict[str, Any]
# A description that makes a field conditional: the examples show it, Altegio may not.
CONDITIONAL = re.compile(
    r"\bonly\b[^.]*\b(if|when|for)\b|\bif\b[^.]*\b(passed|set|enabled)\b"
    r"|\bcan be (null|empty)\b|\bmay be\b|\boptional\b|\bif (applicable|any)\b",
    re.IGNORECASE,
)


def docs_examples(docs: Path = DOCS) -> dict[str, list[Any]]:
    """``{operation_id: [data example, ...]}`` from the reference's Markdown exports."""
    found: dict[str, list[Any]] = defaultdict(list)
    for path in sorted(docs.glob("*/*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        section = ""
        for number, line in enumerate(lines):
            if line.startswith("## "):
                section = line
            if not re.match(r"## Response 2\d\d fields", section):
                continue
            if re.match(r"\s*- `data` \(", line):
                for follow in lines[number + 1 : number + 4]:
                    if follow.strip().startswith("Example: "):
                        try:
                            found[path.stem].append(json.loads(follow.strip()[9:]))
                        except ValueError:
                            pass
                        break
    return found


def _own_examples(schema: Schema) -> list[Any]:
    values = [schema["example"]] if "example" in schema else []
    return values + list(schema.get("examples") or [])


def _roots(document: dict[str, Any], docs: dict[str, list[Any]]) -> Iterator[tuple[str, Any, bool]]:
    """``(key, (schema, examples), reads)`` roots: reply data, request bodies."""
    for item in document.get("paths", {}).values():
        for method in naming.METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json")
            if body and isinstance(body.get("schema"), dict):
                yield f"{op['operationId']}.body", (body["schema"], []), False
            for reply in op.get("responses", {}).values():
                media = (reply.get("content") or {}).get("application/json") or {}
                if isinstance(media.get("schema"), dict):
                    examples = _own_examples(media) + docs.get(op["operationId"], [])
                    examples = _unwrapped(document, media["schema"], examples)
                    yield f"{op['operationId']}.reply", (media["schema"], examples), True


def _unwrapped(document: dict[str, Any], schema: Schema, examples: list[Any]) -> list[Any]:
    """Reply examples as the reply's schema describes them: an example that shows the
    ``{success, data, meta}`` envelope around a schema without ``success`` (a bare
    reply whose example was written whole) is its ``data``; one without ``data`` (a
    status) shows nothing of the model."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        schema = document.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], {})
    if "success" in (schema.get("properties") or {}):
        return examples
    out = []
    for example in examples:
        if isinstance(example, dict) and isinstance(example.get("success"), bool):
            if "data" in example:
                out.append(example["data"])
        else:
            out.append(example)
    return out


class Evidence:
    """Examples per model key, and which keys are read (replies, payloads)."""

    def __init__(self, document: dict[str, Any], docs: dict[str, list[Any]]) -> None:
        self.components: dict[str, Schema] = document.get("components", {}).get("schemas", {})
        self.examples: dict[str, list[Any]] = defaultdict(list)
        self.reads: set[str] = set()
        self.writes: set[str] = set()
        roots = list(_roots(document, docs))
        via_refs: dict[str, list[Any]] = defaultdict(list)
        ref_reads: set[str] = {n for n, s in self.components.items() if s.get("x-altegio-payload")}
        ref_writes: set[str] = set()
        # Components get their examples through the $refs that reach them: walk until
        # no new example or direction reaches a component (the nesting is shallow).
        for _ in range(16):
            self.examples.clear()
            self.reads.clear()
            self.writes.clear()
            seen_refs: dict[str, list[Any]] = defaultdict(list)
            next_reads, next_writes = set(ref_reads), set(ref_writes)
            for key, (schema, examples), reads in roots:
                self._walk(key, schema, examples, reads, seen_refs, next_reads, next_writes)
            for name, schema in self.components.items():
                examples = via_refs[name]
                if name in ref_reads:
                    self._walk(name, schema, examples, True, seen_refs, next_reads, next_writes)
                if name in ref_writes:
                    self._walk(name, schema, examples, False, seen_refs, next_reads, next_writes)
            stable = (
                {k: len(v) for k, v in seen_refs.items()}
                == {k: len(v) for k, v in via_refs.items()}
                and next_reads == ref_reads
                and next_writes == ref_writes
            )
            via_refs, ref_reads, ref_writes = seen_refs, next_reads, next_writes
            if stable:
                break

    def _walk(
        self,
        key: str,
        schema: Schema,
        examples: list[Any],
        reads: bool,
        refs: dict[str, list[Any]],
        ref_reads: set[str],
        ref_writes: set[str],
    ) -> None:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[1]
            refs[name].extend(examples + _own_examples(schema))
            (ref_reads if reads else ref_writes).add(name)
            return
        examples = examples + _own_examples(schema)
        if naming.is_model(schema):
            self.examples[key].extend(e for e in examples if isinstance(e, dict))
            (self.reads if reads else self.writes).add(key)
        for child, sub in naming.children(key, schema):
            tail = child[len(key) :]
            if tail.startswith("."):
                field = tail[1:]
                values = [e[field] for e in examples if isinstance(e, dict) and field in e]
            elif tail == "[]":
                values = [i for e in examples if isinstance(e, list) for i in e]
            elif tail == "{}":
                values = [v for e in examples if isinstance(e, dict) for v in e.values()]
            else:  # a oneOf/anyOf alternative: the examples that are objects, for object variants
                values = list(examples)
            self._walk(child, sub, values, reads, refs, ref_reads, ref_writes)


@dataclass
class Tally:
    """What one source shows of one model: objects seen, and per field how many had
    it non-null (``present``) and null; the rest did not have it."""

    objects: int = 0
    present: Counter[str] = field(default_factory=Counter)
    null: Counter[str] = field(default_factory=Counter)

    def add(self, objects: int, present: dict[str, int], null: dict[str, int]) -> None:
        self.objects += objects
        self.present.update(present)
        self.null.update(null)

    def always(self, name: str) -> bool:
        """Every example of this source has the field, non-null."""
        return self.objects > 0 and self.present[name] == self.objects

    def missing(self, name: str) -> bool:
        """Some example of this source lacks the field or has it null."""
        return self.objects > 0 and self.present[name] < self.objects


Tallies = dict[str, dict[str, Tally]]  # model key: source: tally


def own_tallies(evidence: Evidence) -> Tallies:
    """Altegio's examples per model, as tallies of the one source ``altegio``."""
    tallies: Tallies = {}
    for key, examples in evidence.examples.items():
        tally = Tally()
        for example in examples:
            tally.add(
                1,
                {k: 1 for k, v in example.items() if v is not None},
                {k: 1 for k, v in example.items() if v is None},
            )
        tallies[key] = {OWN: tally}
    return tallies


def read_evidence(path: Path = EVIDENCE) -> dict[str, Any]:
    """The committed counts of the other sources (none when the file is absent)."""
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return dict(data.get("operations", {}))


def source_tallies(document: dict[str, Any], operations: dict[str, Any]) -> Tallies:
    """The other sources' counts per model: each operation's reply object paths
    reach the models of its reply schema as ``Evidence._walk`` takes examples there."""
    components: dict[str, Schema] = document.get("components", {}).get("schemas", {})
    tallies: Tallies = defaultdict(dict)

    def walk(key: str, schema: Schema, path: str, label: str, objects: dict[str, Any]) -> None:
        if not any(p.startswith(path) for p in objects):
            return  # no example reaches here (this also ends a shape that contains itself)
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[1]
            if name in components:
                walk(name, components[name], path, label, objects)
            return
        if naming.is_model(schema) and path in objects:
            seen = objects[path]
            tally = tallies[key].setdefault(label, Tally())
            tally.add(seen["objects"], seen.get("present", {}), seen.get("null", {}))
        for child, sub in naming.children(key, schema):
            tail = child[len(key) :]
            if tail.startswith("."):
                walk(child, sub, f"{path}{tail}", label, objects)
            elif tail == "[]":
                walk(child, sub, f"{path}[]", label, objects)
            elif tail.startswith("|"):  # a union's variants see the same objects
                walk(child, sub, path, label, objects)
            # map values ({}): their object paths carry the map's keys; not counted

    for root_key, (schema, _), reads in _roots(document, {}):
        operation_id = root_key.rsplit(".", 1)[0]
        if reads and operation_id in operations:
            for label, seen in operations[operation_id].items():
                if isinstance(seen, dict) and "objects" in seen:
                    walk(root_key, schema, "", label, seen["objects"])
    return tallies


def gather(
    document: dict[str, Any], docs: dict[str, list[Any]], operations: dict[str, Any]
) -> tuple[Evidence, Tallies]:
    """Which models are read, and every source's tallies per model: Altegio's from
    ``docs`` (``docs_examples``) and the document's own examples, the others' from
    ``operations`` (``read_evidence``)."""
    evidence = Evidence(document, docs)
    tallies = own_tallies(evidence)
    for key, by_source in source_tallies(document, operations).items():
        tallies.setdefault(key, {}).update(by_source)
    return evidence, tallies


def reasons(name: str, schema: Schema, tallies: dict[str, Tally]) -> list[str]:
    """Why ``name`` is always sent (``schema`` and/or sources), or ``[]``: it is not."""
    prop = (schema.get("properties") or {}).get(name) or {}
    if any(t.missing(name) for t in tallies.values()):
        return []
    seen = [f"{label} {t.objects}" for label, t in sorted(tallies.items()) if t.always(name)]
    if name in (schema.get("required") or []):
        return [SCHEMA, *seen]
    if len(seen) >= 2 and not CONDITIONAL.search(str(prop.get("description", ""))):
        return seen
    return []


def derive(
    evidence: Evidence, tallies: Tallies, schemas: dict[str, Schema]
) -> dict[str, dict[str, str]]:
    """``{reply model key: {field: why}}`` for every reply model (see the module)."""
    both = evidence.reads & evidence.writes
    if both:
        raise naming.NamingError(f"models both sent and received: {sorted(both)}")
    table: dict[str, dict[str, str]] = {}
    for key in sorted(evidence.reads):
        schema = schemas[key]
        sources = tallies.get(key, {})
        props = schema.get("properties") or {}
        examples = evidence.examples.get(key, [])
        why = {
            p: reasons(p, schema, sources)
            for p in sorted(props)
            if all(fits(e[p], props[p], evidence.components) for e in examples if p in e)
        }
        table[key] = {p: ", ".join(r) for p, r in why.items() if r}
    return table


# The policy's reader for each JSON Schema scalar type; a string's by its format.
_READERS = {"integer": "INT", "number": "FLOAT", "boolean": "BOOL", "string": "STR"}
_FORMATS = {"date": "DATE", "date-time": "DATETIME"}


@functools.cache
def _policy() -> types.ModuleType:
    """The reading policy itself (``custom/_reading.py``, which needs only the standard
    library and attrs), loaded from its file: the package around it is what
    generation makes, so it cannot be imported yet."""
    spec = importlib.util.spec_from_file_location(
        "_reading_policy", ROOT / "custom" / "_reading.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fits(value: Any, schema: Schema, components: dict[str, Schema]) -> bool:
    """Whether an example's value reads as the schema's type under the reading policy
    (``custom/_reading.py``: ``"16"`` is an integer, 0/1 a boolean...).  A field whose
    own examples do not fit its type is never always sent: reading a real reply
    would refuse the model, so the field stays optional (``| None``)."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = components.get(ref.rsplit("/", 1)[1], {})
        if "properties" in target or target.get("type") == "object":
            # a model: its own fields are judged by its own examples (this one included)
            return value == [] or isinstance(value, dict)
        return fits(value, target, components)  # an enum or a named scalar
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return any(fits(value, s, components) for s in schema[key])
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if value is None:
        return not kinds or "null" in kinds or bool(schema.get("nullable"))
    if not kinds:
        return True
    return any(_fits_kind(value, kind, schema, components) for kind in kinds)


def _fits_kind(value: Any, kind: str, schema: Schema, components: dict[str, Schema]) -> bool:
    if kind in _READERS:
        name = _READERS[kind]
        if kind == "string":
            name = _FORMATS.get(schema.get("format", ""), name)
        policy = _policy()
        try:
            getattr(policy, name)(value, [])
        except policy.Misfit:
            return False
        return True
    if kind == "array":
        items = schema.get("items") or {}
        return value == {} or (
            isinstance(value, list) and all(fits(v, items, components) for v in value)
        )
    if kind == "object":
        return value == [] or isinstance(value, dict)
    return kind == "null" and value is None


def render(table: dict[str, dict[str, str]], tallies: Tallies, schemas: dict[str, Schema]) -> str:
    lines = [HEADER]
    for key, fields in table.items():
        name = schemas[key].get("title", key)
        seen = ", ".join(
            f"{s} {t.objects}" for s, t in sorted(tallies.get(key, {}).items()) if t.objects
        )
        comment = f"  # {name}; examples: {seen or 'none'}"
        if not fields:
            lines.append(f"{json.dumps(key)}: {{}}{comment}\n")
            continue
        lines.append(f"{json.dumps(key)}:{comment}\n")
        lines.extend(f"  {json.dumps(p)}: {json.dumps(why)}\n" for p, why in fields.items())
    return "".join(lines)


def apply(
    document: dict[str, Any],
    docs: Path = DOCS,
    write: Path | None = TABLE,
    evidence_file: Path = EVIDENCE,
) -> int:
    """Mark each reply model: always-sent fields ``required``, ``x-altegio-reads``.

    Returns how many fields were marked; writes the table when ``write`` is set."""
    evidence, tallies = gather(document, docs_examples(docs), read_evidence(evidence_file))
    schemas = dict(naming.model_schemas(document))
    table = derive(evidence, tallies, schemas)
    if write is not None:
        write.write_text(render(table, tallies, schemas), encoding="utf-8")
    marked = 0
    for key, fields in table.items():
        schema = schemas[key]
        schema["x-altegio-reads"] = True
        schema["required"] = sorted(fields)
        marked += len(fields)
    return marked
