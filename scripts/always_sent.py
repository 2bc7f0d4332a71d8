"""Which reply fields Altegio always sends, derived from its own examples.

The bundles mark almost nothing ``required`` (5 of 106 object schemas in public),
so without help every reply field would be optional.  The evidence used instead
is every example Altegio publishes: the examples in both bundles (reply
examples, schema examples, the webhooks' payload examples) and the ``data``
examples of the per-operation reference in ``../shared/altegio-docs/``.  A field
of a reply model is *always sent* when it is present, and not null, in every
example of that model, and the model has at least one example, unless its own
description says it is conditional ("present only if the GET parameter
forBooking=1 is passed", "only if filter by team member is set").  Fields a bundle
itself lists as ``required`` count too.

The result is recorded in ``scripts/always_sent.yaml`` (one line per model, keyed
as ``scripts/naming.py`` keys models), rewritten by ``make generate`` and checked
by ``make check-generated``, so a change in Altegio's examples shows as a diff.
The generated reply models type these fields without ``None``; every other reply
field reads as ``None`` when absent.  Request bodies are not affected.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import naming

TABLE = Path(__file__).resolve().parent / "always_sent.yaml"
DOCS = Path(__file__).resolve().parent.parent.parent / "shared" / "altegio-docs"
HEADER = """\
# Reply fields Altegio always sends, per reply model: written by `make generate`
# (scripts/always_sent.py explains the derivation). Do not edit: change the evidence.
# key (scripts/naming.py): [fields]  # model name, number of examples
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
                    yield f"{op['operationId']}.reply", (media["schema"], examples), True


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


def derive(evidence: Evidence, schemas: dict[str, Schema]) -> dict[str, list[str]]:
    """``{reply model key: [fields always sent]}`` for every reply model."""
    both = evidence.reads & evidence.writes
    if both:
        raise naming.NamingError(f"models both sent and received: {sorted(both)}")
    table: dict[str, list[str]] = {}
    for key in sorted(evidence.reads):
        schema = schemas[key]
        props = schema.get("properties") or {}
        examples = evidence.examples.get(key, [])
        sent = {
            p
            for p, prop in props.items()
            if examples
            and all(e.get(p) is not None for e in examples)
            and not CONDITIONAL.search(str(prop.get("description", "")))
        }
        declared = set(schema.get("required") or []) & set(props)
        table[key] = sorted(sent | declared)
    return table


def render(table: dict[str, list[str]], evidence: Evidence, schemas: dict[str, Schema]) -> str:
    lines = [HEADER]
    for key, fields in table.items():
        name = schemas[key].get("title", key)
        count = len(evidence.examples.get(key, []))
        plural = "" if count == 1 else "s"
        row = f"{json.dumps(key)}: {json.dumps(fields)}"
        lines.append(f"{row}  # {name}, {count} example{plural}\n")
    return "".join(lines)


def apply(document: dict[str, Any], docs: Path = DOCS, write: Path | None = TABLE) -> int:
    """Mark each reply model: always-sent fields ``required``, ``x-altegio-reads``.

    Returns how many fields were marked; writes the table when ``write`` is set."""
    evidence = Evidence(document, docs_examples(docs))
    schemas = dict(naming.model_schemas(document))
    table = derive(evidence, schemas)
    if write is not None:
        write.write_text(render(table, evidence, schemas), encoding="utf-8")
    marked = 0
    for key, fields in table.items():
        schema = schemas[key]
        schema["x-altegio-reads"] = True
        schema["required"] = fields
        marked += len(fields)
    return marked
