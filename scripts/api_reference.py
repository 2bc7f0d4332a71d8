"""Write the API reference, from the generated package and its document.

``docs/api.md`` is the index: the bundles, each with its tags and their operations.
``docs/api/<tag>.md`` (a page per tag, named as its module: ``v2_services.md``) has
every operation of the tag: how to call it (signature), the HTTP method and path, the
host, its arguments with the spec's description of each, what it returns (linked to
the model), whether it needs the user token, its iterator if it pages, and the errors
it can raise; then the models its operations take and return.  ``docs/models.md`` and
``docs/models/<letter>.md`` have every model with its fields (``model_reference.py``).
Run by ``make generate`` (through ``generate.py``) and covered by ``make
check-generated``, so the reference always matches the code.

Errors come from three places: the statuses the spec documents for the operation,
the Altegio error codes its page in ``../shared/altegio-docs`` names ("error code
433"), and what any call can raise (transport, rate limit, server errors).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import always_sent
import model_reference
import naming
from model_reference import annotation, cell, named_models, type_markdown

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "api.md"
# Arguments every method takes; the index's introduction says what they do.
_COMMON = ("self", "timeout", "extra_headers", "extra_query")

_ANY_CALL = (
    "`AltegioConnectionError`, `AltegioTimeoutError` (no reply, after retries), "
    "`RateLimitError` (429 after retries), `ServerError` (5xx), `InvalidResponseError` "
    "(a 2xx body that is not the documented JSON), `UsageError` (bad arguments)"
)
_TOKEN = {
    "booking": "a booking client's: call it on a `UserSession` (`client.login(...)`)",
    "business": "a business user's: call it on a `BusinessSession` (`client.login_business(...)`)",
    "optional": "optional: a user session, or the record hash in the path",
    "none": "no (partner token only)",
}
_CODE = re.compile(r"error code (\d{3})")


def documented_codes(operation_id: str, docs: Path = always_sent.DOCS) -> list[int]:
    """Altegio error codes the operation's reference page names."""
    codes: set[int] = set()
    for page in sorted(docs.glob(f"*/{operation_id}.md")):
        if page.exists():
            codes.update(int(c) for c in _CODE.findall(page.read_text(encoding="utf-8")))
    return sorted(codes)


def spec_operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every operation of the document, by the key of ``OPERATIONS``."""
    found = {}
    for item in document["paths"].values():
        for op in item.values():
            info = next(iter(op["responses"].values()))["x-altegio-operation"]
            namespace, name = info["namespace"], info["operation_id"]
            found[f"{namespace}.{name}" if namespace else name] = op
    return found


def _reply(op: dict[str, Any]) -> dict[str, Any]:
    """The success reply, which carries the x-altegio extensions."""
    reply: dict[str, Any] = next(iter(op["responses"].values()))
    return reply


def _tidy(text: str | None) -> str:
    """A description without blank lines or trailing spaces (Markdown line breaks)."""
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines() if line.strip())


def _body_description(document: dict[str, Any], body: dict[str, Any]) -> str:
    """The request body's description, or else its schema's (the body model's)."""
    if body.get("description"):
        return _tidy(body["description"])
    for media in body.get("content", {}).values():
        schema = media.get("schema", {})
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        if schema.get("description"):
            return _tidy(schema["description"])
    return ""


def describe(document: dict[str, Any]) -> dict[str, Any]:
    """Put on each operation's replies, as ``x-altegio-doc``, the descriptions its
    docstrings need and the generator does not keep: each parameter's own (it keeps
    only its schema's), the request body's, and the first paragraph of its tag's.

    ``{"arguments": {"path": {name: text}, "query": {...}}, "body": text, "tag": line}``;
    the templates read it, and so does this reference.  Returns the document.
    """
    tags = {tag["name"]: tag.get("description") or "" for tag in document.get("tags", [])}
    for item in document["paths"].values():
        for op in item.values():
            arguments: dict[str, dict[str, str]] = {}
            for parameter in op.get("parameters", []):
                text = _tidy(parameter.get("description"))
                if text:
                    arguments.setdefault(parameter["in"], {})[parameter["name"]] = text
            paragraph = _tidy(tags.get(op["tags"][0], "").split("\n\n", 1)[0])
            doc = {
                "arguments": arguments,
                "body": _body_description(document, op.get("requestBody") or {}),
                "tag": " ".join(paragraph.split()),
            }
            for reply in op["responses"].values():  # as x-altegio-operation: on each
                reply["x-altegio-doc"] = doc
    return document


def signature(method: Any) -> str:
    params = []
    for param in list(inspect.signature(method).parameters.values())[1:]:
        text = param.name
        if param.annotation is not inspect.Parameter.empty:
            text += f": {annotation(str(param.annotation))}"
        if param.default is not inspect.Parameter.empty:
            text += f" = {param.default!r}"  # UNSET's repr is UNSET
        params.append(text)
    returns = annotation(str(inspect.signature(method).return_annotation))
    if not params:
        return f"() -> {returns}"
    return "(\n    " + ",\n    ".join(["*", *params]) + f",\n) -> {returns}"


def _errors(operation: Any, facts: dict[str, Any], codes: list[int]) -> list[str]:
    """The classes the client's own error mapping gives each status and code."""
    from altegio_async.custom._errors import ErrorDetail, error_class

    errors = []
    if operation.requires_user_token:
        errors.append("`UserTokenRequiredError` (no user token: nothing is sent)")
    for status in facts["error_statuses"]:
        errors.append(f"`{error_class(status, []).__name__}` ({status})")
    for code in codes:
        cls = error_class(0, [ErrorDetail(code=code, message="")])
        errors.append(f"`{cls.__name__}` (code {code})")
    errors.append(_ANY_CALL)
    return errors


# the view each kind of operation is called on, as the README names them
_VIEW = {"partner": "client", "booking": "session", "business": "staff"}
_INTRO = [
    "Call an operation as `await client.<tag>.<operation>(...)` on an `AltegioClient`,",
    "on a booking client's `UserSession` (`session = await client.login(...)`) where it",
    "takes their token, or on a business user's `BusinessSession` (`staff = await",
    "client.login_business(...)`) where it takes a location staff's; the operations of",
    "a versioned bundle sit under its version: `staff.v2.<tag>.<operation>(...)`.",
    "`SyncAltegioClient` has the same methods, blocking.",
    "`client.with_raw_response.<tag>.<operation>(...)` returns the `ApiResponse`",
    "(data, meta, HTTP response, attempts) instead of the data.",
    "",
    "Every method also takes `timeout` (per attempt), `extra_headers` and",
    "`extra_query`; `client.with_options(...)` sets timeout, deadline, retry policy",
    "and headers for a whole view.  Paged operations have an `iter_<operation>`",
    "method that fetches page after page as you iterate.",
    "",
    "Each tag has a page: its operations with their arguments, results and errors, and",
    "the models they use.  Every model, with its fields, is in [models.md](models.md).",
]
HEADER = "<!-- Generated by `make generate` (scripts/api_reference.py). DO NOT EDIT. -->"


def _tag_class(operation: Any) -> Any:
    """The resource class of the operation's tag (``V2Services`` in ``api.v2_services``)."""
    package = operation.module.rsplit(".", 1)[0]
    name = package.rsplit(".", 1)[1]
    return getattr(
        importlib.import_module(package), "".join(p.capitalize() for p in name.split("_"))
    )


def _attribute(operation: Any) -> str:
    """Where the tag is on a client: ``online_booking``, ``v2.services``."""
    return f"{operation.namespace}.{operation.tag}" if operation.namespace else operation.tag


def _page(operation: Any) -> str:
    """The tag's page under ``docs/``, named as its module (``api/v2_services.md``)."""
    return f"api/{operation.module.rsplit('.', 2)[1]}.md"


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


class _Operation:
    """One operation as the reference shows it: its method, its arguments with their
    descriptions, and the models it names."""

    def __init__(self, operation: Any, op: dict[str, Any], models: set[str]) -> None:
        self.operation = operation
        self.facts = _reply(op)["x-altegio-operation"]
        self.method = getattr(_tag_class(operation), operation.operation_id)
        self.returns = annotation(str(inspect.signature(self.method).return_annotation))
        doc = _reply(op).get("x-altegio-doc", {})
        renamed = self.facts["arguments"]
        described = {"body": doc.get("body", "")}
        for parameter in op.get("parameters", []):
            name = naming.generator_name(parameter["name"])
            text = doc.get("arguments", {}).get(parameter["in"], {}).get(parameter["name"], "")
            described[renamed.get(name, name)] = text
        self.arguments = [
            (param.name, annotation(str(param.annotation)), described.get(param.name, ""))
            for param in inspect.signature(self.method).parameters.values()
            if param.name not in _COMMON
        ]
        self.takes = {n for _, kind, _ in self.arguments for n in named_models(kind, models)}
        self.gives = set(named_models(self.returns, models))

    def link(self, page: str, prefix: str = "") -> str:
        """A link to the operation's section on ``page``, named ``prefix.<operation>``."""
        name = self.operation.operation_id
        return f"[`{prefix}.{name}`]({page}#{name})" if prefix else f"[`{name}`]({page}#{name})"

    def section(self) -> Iterator[str]:
        from altegio_async.custom._client import DEFAULT_APP_BASE_URL

        operation, name = self.operation, self.operation.operation_id
        models = self.takes | self.gives
        summary = (inspect.getdoc(self.method) or "").split("\n", 1)[0]
        host = (
            f"{DEFAULT_APP_BASE_URL} (`app_base_url`)"
            if operation.server == DEFAULT_APP_BASE_URL
            else "the API host (`base_url`)"
        )
        yield f"## `{name}`"
        yield ""
        yield summary
        yield ""
        yield f"`{operation.method} {operation.path}` on {host}"
        yield ""
        yield "```python"
        view = _VIEW[operation.user_kind or "partner"]
        yield f"await {view}.{_attribute(operation)}.{name}{signature(self.method)}"
        yield "```"
        yield ""
        if self.arguments:
            yield "| argument | type | description |"
            yield "|---|---|---|"
            for argument, kind, described in self.arguments:
                kind = type_markdown(kind, models, "../")
                yield f"| `{argument}` | {kind} | {cell(described)} |"
            yield ""
        yield f"- **Returns:** {type_markdown(self.returns, models, '../')}"
        yield f"- **User token:** {_TOKEN[operation.user_token]}"
        paging = self.facts.get("paging")
        if paging:
            where = "body fields" if paging["in"] == "body" else "query parameters"
            yield (
                f"- **Pages:** `iter_{name}(...)` yields every item, setting the "
                f"`{paging['page']}`/`{paging['size']}` {where} from `first_page`/`page_size` "
                f"(at most {paging['max']})"
            )
        codes = documented_codes(name)
        yield "- **Errors:** " + "; ".join(_errors(operation, self.facts, codes))
        yield ""


def render(document: dict[str, Any]) -> dict[str, str]:
    """``{file name under docs/: text}``: the index, a page per tag, the models."""
    api = importlib.import_module("altegio_async.api")
    models = set(importlib.import_module("altegio_async.models").__all__)
    ops = spec_operations(document)
    bundles = document.get("x-altegio-bundles", [])
    about = {t["name"]: _tidy(t.get("description")).split("\n")[0] for t in document["tags"]}
    by_bundle: dict[str, dict[str, list[_Operation]]] = {b["name"]: {} for b in bundles}
    for key, operation in sorted(api.OPERATIONS.items()):
        entry = _Operation(operation, ops[key], models)
        by_bundle[entry.facts["bundle"]].setdefault(_page(operation), []).append(entry)
    used_by: dict[str, list[str]] = {}
    index = ["# API reference", "", HEADER, "", *_INTRO, ""]
    index += ["| bundle | where | operations |", "|---|---|---|"]
    for bundle in bundles:
        count = sum(len(v) for v in by_bundle[bundle["name"]].values())
        where = f"`client.{bundle['namespace']}`" if bundle["namespace"] else "`client`"
        title = bundle["title"]
        index.append(f"| [{title}](#{_slug(title)}) | {where} | {count} |")
    pages = {}
    for bundle in bundles:
        tags = by_bundle[bundle["name"]]
        index += ["", f"## {bundle['title']}", ""]
        for page in sorted(tags, key=lambda p: _attribute(tags[p][0].operation)):
            entries = sorted(tags[page], key=lambda e: e.operation.operation_id)
            attribute = _attribute(entries[0].operation)
            tag = _spec_tag(ops, entries[0])
            index.append(f"- [`{attribute}`]({page}) ({len(entries)}): {about[tag]}")
            index.append("  - " + ", ".join(e.link(page) for e in entries))
            pages[page] = _tag_page(bundle, attribute, about[tag], entries, models)
            for entry in entries:
                for name in sorted(entry.takes | entry.gives):
                    used_by.setdefault(name, []).append(entry.link(f"../{page}", attribute))
    index += ["", "## Models", "", f"[Every model]({model_reference.INDEX}), with its fields."]
    pages.update(model_reference.render(document, used_by, HEADER))
    return {"api.md": "\n".join(index).rstrip() + "\n", **pages}


def _spec_tag(ops: dict[str, dict[str, Any]], entry: _Operation) -> str:
    return str(ops[entry.operation.qualified_id]["tags"][0])


def _tag_page(
    bundle: dict[str, Any], attribute: str, about: str, entries: list[_Operation], models: set[str]
) -> str:
    out = [f"# `client.{attribute}`", "", HEADER, ""]
    out += [f"[API reference](../api.md) · {bundle['title']} · [All models](../models.md)", ""]
    out += [about, "", "| operation | summary |", "|---|---|"]
    for entry in entries:
        name = entry.operation.operation_id
        summary = (inspect.getdoc(entry.method) or "").split("\n", 1)[0]
        out.append(f"| [`{name}`](#{name}) | {cell(summary)} |")
    out.append("")
    for entry in entries:
        out += list(entry.section())
    used = sorted({name for entry in entries for name in entry.takes | entry.gives})
    if used:
        out += ["", "## Models", "", "The models these operations take and return:", ""]
        out.append(", ".join(model_reference.link(name, "../") for name in used))
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("document", type=Path, help="the normalised document (JSON)")
    parser.add_argument("--output", type=Path, default=OUTPUT,
                        help="the index; other pages go to api/ and models/ beside it")  # fmt: skip
    args = parser.parse_args(argv)
    document = describe(json.loads(args.document.read_text(encoding="utf-8")))
    pages = render(document)
    for folder in ("api", "models"):  # a tag or letter that went takes its page with it
        for old in (args.output.parent / folder).glob("*.md"):
            old.unlink()
    for name, text in pages.items():
        path = args.output if name == "api.md" else args.output.parent / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
