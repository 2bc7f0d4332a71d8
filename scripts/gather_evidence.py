"""Count what sources other than Altegio show of each reply: the evidence ``always_sent.py`` reads.

A reply field is typed always sent only where its schema requires it or where two
independent sources show it in every example (``always_sent.py`` states the rule).
Altegio's own examples are one source, read at generation time from the bundles
and ``../shared/altegio-docs/``.  The others are listed in ``SOURCES``: each is one
independent source, made of one or more *copies* (a file at a pinned commit of a
public repository), and a copy of someone else's reference counts with that
reference, never on its own.

This script is run by hand when a source is added or a copy is re-pinned, never by
``make generate`` or CI: it reads each copy from a local clone (``--mirrors DIR``
holds ``DIR/<owner>+<name>/repo`` or ``DIR/<owner>/<name>``, each a git directory
that has the pinned commit, or the file itself saved as
``DIR/<owner>+<name>/files/<commit>/<path>``), finds every reply example in it, aligns each to an
operation of the merged document by HTTP method and path template (parameter names
ignored, ``/api/v1`` optional), keeps the success examples, unwraps the envelope
the operation has, and counts, per object path of the reply (``[]`` an item,
``.name`` a field) how many objects were seen and, per field, how many had it
present and non-null, and how many had it null (the rest did not have it).  No
text of a source is kept: ``openapi/evidence/reply_fields.json`` holds only those
counts, and ``openapi/evidence/sources.json`` where each copy came from.

    python scripts/gather_evidence.py --mirrors /path/to/clones
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import normalize_specs
from always_sent import EVIDENCE, SOURCES_FILE

Example = tuple[str, str, str, Any]  # method, path, status, decoded body


@dataclass(frozen=True)
class Copy:
    """One file of a source, pinned: where it is and how its examples are written."""

    repo: str
    commit: str
    path: str
    format: str  # a key of PARSERS, or "fixture": one reply body, of ``request``
    what: str  # what the file is, for a reader
    request: str = ""  # a fixture's operation: "GET /api/v1/countries"


_PRO_MCP_A = "49783a96ed64e81827b6089c9b1c12251a8b4373"
_PRO_MCP_B = "e5a25276350e489a972ac84db0a278045d3746e9"


@dataclass(frozen=True)
class Source:
    title: str
    independence: str  # why it is not a copy of another source
    copies: tuple[Copy, ...]


SOURCES = {
    "yclients": Source(
        title="YCLIENTS' Russian API reference (api.yclients.com, YCLIENTS REST API v2.0)",
        independence=(
            "YCLIENTS' own reference for its platform, of which Altegio is the international "
            "edition, written and kept by YCLIENTS with examples of its own (Russian data, "
            "field sets that differ). Altegio's reference follows it in places (some examples "
            "share IDs), so the two agreeing is weaker than a recorded reply; one of them "
            "lacking a field is still enough to make it optional. Both copies are this one "
            "reference."
        ),
        copies=(
            Copy(
                repo="vosarsen/ai_admin_v2",
                commit="d95a3dc8f417de6b499bc1a47e4409353e8cf9f1",
                path="docs/01-architecture/integrations/YCLIENTS_API.md",
                format="redoc-markdown",
                what="a Markdown export of the reference page developers.yclients.com/ru "
                "(the page renders the first response sample of each operation)",
            ),
            Copy(
                repo="mkosinov/yclientsapi",
                commit="cafaf30d4fb92630d86602f5f8936608bbb8ad22",
                path="docs/yclients_official/yclientsru.apib",
                format="api-blueprint",
                what="the reference's API Blueprint source (yclients.docs.apiary.io), "
                "as committed on 2024-09-13",
            ),
        ),
    ),
    "altegio-pro-mcp": Source(
        title="Replies of Altegio's API recorded live for the tests of Altegio's MCP server "
        "(altegio/altegio-pro-mcp, src/api/v1/__tests__/fixtures/live/)",
        independence=(
            "Payloads a running Altegio location sent (a KZT location, 2026), saved as "
            "test fixtures: what the server answers, not what a reference shows."
        ),
        copies=tuple(
            Copy(
                repo="altegio/altegio-pro-mcp",
                commit=commit,
                path=f"src/api/v1/__tests__/fixtures/live/{name}.json",
                format="fixture",
                what="one recorded reply",
                request=request,
            )
            for commit, name, request in (
                (_PRO_MCP_A, "analytics-overall", "GET /company/{}/analytics/overall"),
                (
                    _PRO_MCP_B,
                    "charts-fullness-daily",
                    "GET /company/{}/analytics/overall/charts/fullness_daily",
                ),
                (
                    _PRO_MCP_A,
                    "charts-income-daily",
                    "GET /company/{}/analytics/overall/charts/income_daily",
                ),
                (
                    _PRO_MCP_A,
                    "charts-records-daily",
                    "GET /company/{}/analytics/overall/charts/records_daily",
                ),
                (_PRO_MCP_A, "z-report", "GET /reports/z_report/{}"),
            )
        ),
    ),
}


# --------------------------------------------------------------------------- parsers


def _lenient_json(text: str) -> Any:
    """The JSON value at the start of ``text``; trailing commas, as the references
    write them, are allowed.  Raises ``ValueError`` when it is not JSON."""
    text = re.sub(r",(\s*[}\]])", r"\1", text.strip())
    value, _ = json.JSONDecoder(strict=False).raw_decode(text)
    return value


def redoc_markdown(text: str) -> Iterator[Example]:
    """A Redoc page exported to Markdown: ``get/path`` lines, then under "Response
    samples" the tabs (``- 200``) and the first tab's body between backticks, its
    array lines ending in ``\\``."""
    lines = text.splitlines()
    method = path = ""
    index = 0
    while index < len(lines):
        line = lines[index].replace("\\_", "_")
        found = re.match(r"^(get|post|put|delete|patch)(/\S*)$", line)
        if found:
            method, path = found.groups()
        if line.startswith("### Response samples") and method:
            codes: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].startswith(("`", "#")):
                tab = re.match(r"^- (\d{3})$", lines[index].strip())
                if tab:
                    codes.append(tab.group(1))
                index += 1
            if index < len(lines) and lines[index].startswith("`") and codes:
                body = [lines[index]]
                while not body[-1].rstrip().endswith("`") or len(body[-1].strip()) == 1:
                    index += 1
                    if index >= len(lines):
                        break
                    body.append(lines[index])
                raw = "\n".join(body).strip().strip("`").replace("\\\n", "\n")
                try:
                    yield method, path, codes[0], _lenient_json(raw)
                except ValueError:
                    yield method, path, codes[0], _UNREADABLE
        index += 1


def api_blueprint(text: str) -> Iterator[Example]:
    """API Blueprint: ``## Resource [/path{?query}]``, ``### Action [GET]`` or
    ``### Action [GET /path]``, ``+ Response 200`` with the body indented below."""
    lines = text.splitlines()
    resource = path = method = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        found = re.match(r"^##\s+.*\[(/[^\]]*)\]\s*$", line)
        if found:
            resource = path = found.group(1)
            method = ""
        found = re.match(r"^###\s+.*\[([A-Z]+)(?:\s+(/[^\]]*))?\]\s*$", line)
        if found:
            method, path = found.group(1).lower(), found.group(2) or resource
        found = re.match(r"^\+\s+Response\s+(\d{3})", line)
        if found and method:
            block: list[str] = []
            index += 1
            while index < len(lines) and not re.match(
                r"^(\+\s+(Response|Request)\b|#{1,3}\s)", lines[index]
            ):
                block.append(lines[index])
                index += 1
            starts = [n for n, b in enumerate(block) if b.strip()[:1] in ("{", "[")]
            starts = [n for n in starts if not block[n].strip().startswith("[]")]
            if starts:
                try:
                    value = _lenient_json("\n".join(block[starts[0] :]))
                except ValueError:
                    value = _UNREADABLE
                yield method, re.sub(r"\{\?[^}]*\}", "", path), found.group(1), value
            continue
        index += 1


_UNREADABLE = object()  # an example the source itself writes as invalid JSON
PARSERS: dict[str, Callable[[str], Iterator[Example]]] = {
    "redoc-markdown": redoc_markdown,
    "api-blueprint": api_blueprint,
}


# --------------------------------------------------------------------------- alignment


def template(path: str) -> str:
    """A path with parameter names dropped: ``/book_times/{}/{}/{}``."""
    path = path.split("?", 1)[0]
    path = path.removeprefix("/api/v1")
    path = re.sub(r"\{[^}]*\}", "{}", path).rstrip("/")
    return path or "/"


@dataclass
class Target:
    operation_id: str
    request: str  # "GET /api/v1/countries", for a reader
    envelope: str


def targets(document: dict[str, Any]) -> dict[tuple[str, str], list[Target]]:
    """``(method, template)``: the operations of the merged document found there."""
    found: dict[tuple[str, str], list[Target]] = {}
    for path, item in document.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            info = next(
                (
                    r["x-altegio-operation"]
                    for r in op["responses"].values()
                    if "x-altegio-operation" in r
                ),
                None,
            )
            if info is None:
                continue
            target = Target(op["operationId"], f"{method.upper()} {path}", info["envelope"])
            found.setdefault((method, template(path)), []).append(target)
    return found


def reply_data(example: Any, envelope: str) -> Any:
    """What the client returns of a success example: ``data`` of an envelope; None
    for an error, a status reply, a file, or an example without the envelope."""
    if envelope in ("data", "jsonapi"):
        if isinstance(example, dict) and "data" in example:
            return example["data"] if example.get("success", True) is not False else None
        # some examples show the data alone (``POST /auth``, ``GET /labels/...``)
        if isinstance(example, dict) and "success" not in example:
            return example
        if isinstance(example, list) and not any(
            isinstance(item, dict) and "success" in item for item in example
        ):
            return example
        return None
    if envelope == "none" and isinstance(example, dict) and "success" in example:
        return example.get("data")  # a bare reply's schema has no ``success``: an envelope
    return example if envelope == "none" else None


# --------------------------------------------------------------------------- counting


@dataclass
class Objects:
    """Per object path: objects seen, and per field how many had it non-null / null."""

    seen: Counter[str] = field(default_factory=Counter)
    present: dict[str, Counter[str]] = field(default_factory=dict)
    null: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, value: Any, path: str = "") -> None:
        if isinstance(value, dict):
            self.seen[path] += 1
            for name, item in value.items():
                counter = self.null if item is None else self.present
                counter.setdefault(path, Counter())[name] += 1
                self.add(item, f"{path}.{name}")
        elif isinstance(value, list):
            for item in value:
                self.add(item, f"{path}[]")

    def as_json(self) -> dict[str, Any]:
        return {
            path: {
                "objects": seen,
                "present": dict(sorted(self.present.get(path, Counter()).items())),
                **({"null": dict(sorted(self.null[path].items()))} if path in self.null else {}),
            }
            for path, seen in sorted(self.seen.items())
        }


def examples(copy: Copy, text: str) -> Iterator[Example]:
    if copy.format == "fixture":
        method, path = copy.request.split(" ", 1)
        yield method.lower(), path, "200", _lenient_json(text)
    else:
        yield from PARSERS[copy.format](text)


def read_copy(copy: Copy, mirrors: Path) -> str:
    owner, name = copy.repo.split("/")
    for candidate in (mirrors / f"{owner}+{name}" / "repo", mirrors / owner / name):
        if candidate.is_dir():
            result = subprocess.run(
                ["git", "-C", str(candidate), "show", f"{copy.commit}:{copy.path}"],
                capture_output=True,
                check=True,
            )
            return result.stdout.decode("utf-8")
    saved = mirrors / f"{owner}+{name}" / "files" / copy.commit / copy.path
    if saved.is_file():  # a file saved from the repository at that commit
        return saved.read_text(encoding="utf-8")
    raise SystemExit(f"gather: no clone of {copy.repo} under {mirrors} (need {copy.commit})")


def gather(document: dict[str, Any], mirrors: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(evidence, provenance)`` for every source in SOURCES."""
    where = targets(document)
    operations: dict[str, dict[str, Any]] = {}
    provenance: dict[str, Any] = {}
    for label, source in SOURCES.items():
        seen: dict[str, set[str]] = {}  # operation: canonical examples (copies repeat them)
        counts: dict[str, Objects] = {}
        copies = []
        for copy in source.copies:
            tally: Counter[str] = Counter()
            for method, path, status, example in examples(copy, read_copy(copy, mirrors)):
                tally["examples"] += 1
                if example is _UNREADABLE:
                    tally["unreadable"] += 1
                    continue
                if not status.startswith("2"):
                    tally["not a success"] += 1
                    continue
                matches = where.get((method, template(path)), [])
                if not matches:
                    tally["no such operation"] += 1
                    continue
                used = False
                for target in matches:
                    data = reply_data(example, target.envelope)
                    if data is None:
                        continue
                    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
                    if canonical in seen.setdefault(target.operation_id, set()):
                        tally["repeated"] += 1
                        used = True
                        continue
                    seen[target.operation_id].add(canonical)
                    counts.setdefault(target.operation_id, Objects()).add(data)
                    entry = operations.setdefault(target.operation_id, {"request": target.request})
                    entry.setdefault(label, {"examples": 0})["examples"] += 1
                    used = True
                tally["used" if used else "no data"] += 1
            copies.append(
                {
                    **copy.__dict__,
                    "url": f"https://github.com/{copy.repo}",
                    "examples": dict(sorted(tally.items())),
                }
            )
        for operation_id, objects in counts.items():
            operations[operation_id][label]["objects"] = objects.as_json()
        provenance[label] = {
            "title": source.title,
            "independence": source.independence,
            "operations": len(counts),
            "examples": sum(len(v) for v in seen.values()),
            "copies": copies,
        }
    evidence = {
        "about": "Counts per reply object path of examples from sources other than Altegio "
        "(scripts/gather_evidence.py; sources.json says where each came from). 'objects': "
        "objects seen at that path; 'present'/'null': per field, how many had it non-null "
        "/ null; the others did not have it.",
        "operations": dict(sorted(operations.items())),
    }
    return evidence, provenance


def dumps(evidence: dict[str, Any]) -> str:
    """JSON with one line per object path, so a re-gathering diffs by path."""

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    lines = ["{", f' "about": {one(evidence["about"])},', ' "operations": {']
    operations = list(evidence["operations"].items())
    for n, (operation_id, entry) in enumerate(operations):
        lines.append(f"  {one(operation_id)}: {{")
        lines.append(f'   "request": {one(entry["request"])},')
        labels = sorted(k for k in entry if k != "request")
        for m, label in enumerate(labels):
            seen = entry[label]
            lines.append(f'   {one(label)}: {{"examples": {seen["examples"]}, "objects": {{')
            paths = list(seen.get("objects", {}).items())
            lines += [
                f"    {one(p)}: {one(v)}{',' if i < len(paths) - 1 else ''}"
                for i, (p, v) in enumerate(paths)
            ]
            lines.append(f"   }}}}{',' if m < len(labels) - 1 else ''}")
        lines.append(f"  }}{',' if n < len(operations) - 1 else ''}")
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--mirrors",
        type=Path,
        required=True,
        help="directory holding a git clone of each source repository",
    )
    args = parser.parse_args(argv)
    document, _ = normalize_specs.build(name=False)
    evidence, provenance = gather(document, args.mirrors)
    EVIDENCE.parent.mkdir(parents=True, exist_ok=True)
    EVIDENCE.write_text(dumps(evidence), "utf-8")
    SOURCES_FILE.write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n", "utf-8")
    for label, info in provenance.items():
        print(f"gather: {label}: {info['examples']} examples of {info['operations']} operations")
        for copy in info["copies"]:
            print(f"  {copy['repo']}/{copy['path']}: {copy['examples']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
