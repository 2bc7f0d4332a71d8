"""What a newcomer finds: docstrings everywhere public, help(), the API reference."""

from __future__ import annotations

import importlib
import inspect
import pydoc
import re
from collections.abc import Iterator
from typing import Any

import pytest

import altegio_async
from altegio_async.api import OPERATIONS
from tests._servers import ROOT

TAGS = sorted({op.tag for op in OPERATIONS.values() if not op.namespace})
# the tag packages: a namespaced tag's is <namespace>_<tag> (v2_services)
TAG_MODULES = sorted({op.module.split(".")[-2] for op in OPERATIONS.values()})


def tag_classes() -> Iterator[type]:
    for tag in TAG_MODULES:
        module = importlib.import_module(f"altegio_async.api.{tag}")
        yield from (getattr(module, name) for name in module.__all__)


def public_members(cls: type) -> Iterator[tuple[str, Any]]:
    """Public functions and properties of ``cls`` and of its altegio_async bases."""
    for klass in cls.__mro__:
        if not klass.__module__.startswith("altegio_async") or klass.__name__.startswith("_"):
            if klass is not cls:
                continue
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            if inspect.isfunction(value) or isinstance(value, property):
                yield f"{klass.__name__}.{name}", value


def test_every_public_class_and_function_has_a_docstring() -> None:
    exported = [getattr(altegio_async, name) for name in altegio_async.__all__]
    classes = [o for o in exported if inspect.isclass(o)] + list(tag_classes())
    api = importlib.import_module("altegio_async.api")
    classes += [api.Resources, api.RawResources, api.SyncResources, api.SyncRawResources]
    classes += [api.V2Resources, api.V2RawResources, api.V2SyncResources, api.V2SyncRawResources]
    missing = [o.__name__ for o in exported if callable(o) and not inspect.getdoc(o)]
    for cls in classes:
        missing += [cls.__name__] if not (cls.__doc__ or "").strip() else []
        missing += [name for name, member in public_members(cls) if not member.__doc__]
    assert missing == []
    assert len(classes) > 60  # the walk above did see the generated classes


def test_help_leads_to_every_entry_point() -> None:
    text = pydoc.render_doc(altegio_async, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
    for entry in (
        "AltegioClient", "UserSession", "SyncAltegioClient", "with_options", "with_raw_response",
        "login_with_code", "iter_", "RetryPolicy", "parse_webhook", "WebhookReceiver",
        "docs/api.md", "v2", *TAGS,
    ):  # fmt: skip
        assert entry in text, entry
    client_help = pydoc.render_doc(altegio_async.AltegioClient, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
    for method in ("with_options", "with_user_token", "login", "aclose", "online_booking"):
        assert re.search(rf"\b{method}\b", client_help), method


def test_the_reference_covers_every_operation() -> None:
    """docs/api.md indexes the tags; each tag's page under docs/api/ has every
    operation of it, with its call, path and errors (tests/generation/test_reference.py
    checks arguments, results and models)."""
    index = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "docs" / "api").glob("*.md")}
    assert sorted(pages) == TAG_MODULES
    for name in pages:
        assert f"(api/{name}.md)" in index
    found = []
    for page in pages.values():
        for op_id, call in re.findall(r"^## `(\w+)`$.*?^await \w+\.([\w.]+)\.\1\(", page,
                                      flags=re.M | re.S):  # fmt: skip
            found.append(f"{call.split('.')[0]}.{op_id}" if call.startswith("v2.") else op_id)
    assert sorted(found) == sorted(OPERATIONS)
    for op in OPERATIONS.values():
        page = next(p for p in pages.values() if f"`{op.method} {op.path}`" in p)
        section = page.split(f"`{op.method} {op.path}`", 1)[1].split("\n## ", 1)[0]
        assert "UserTokenRequiredError" in section if op.requires_user_token else True
    booking = pages["online_booking"].split("## `create_online_booking`", 1)[1].split("\n## ", 1)[0]
    assert "`SlotUnavailableError` (code 433)" in booking  # from Altegio's reference page
    assert "await staff.v2.services.get_service(" in pages["v2_services"]
    assert "iter_list_voip_calls" in pages["voip_integration"]
    assert "iter_list_marketplace_app_locations" in pages["marketplace"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/api.md" in readme


def test_help_on_the_client_lists_its_resources_and_hides_the_plumbing() -> None:
    """help(AltegioClient) names every resource with the one line its tag's description
    gives, and with_raw_response with its own; the method the generated code sends
    through is private."""
    from altegio_async.api import RawResources, Resources

    for cls in (altegio_async.AltegioClient, altegio_async.SyncAltegioClient):
        text = pydoc.render_doc(cls, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
        assert "cached_property" not in text
        assert not re.search(r"^ \|  (async )?call\(", text, re.M)
        assert "operation: 'Operation'" not in text  # _call's signature stays out of help()
        for name in [*TAGS, "v2", "with_raw_response"]:
            described = re.search(rf"^ \|  {name}\n \|      (\S.*)$", text, re.M)
            assert described is not None, (cls.__name__, name)
            summary = inspect.getdoc(getattr(Resources, name, None) or getattr(cls, name))
            assert summary is not None and described.group(1) in summary
    assert inspect.getdoc(Resources.online_booking) == inspect.getdoc(RawResources.online_booking)


async def test_resources_are_made_once_per_view() -> None:
    async with altegio_async.AltegioClient("token") as client:
        assert client.online_booking is client.online_booking
        assert client.with_raw_response is client.with_raw_response
        assert client.with_raw_response.v2.services is client.with_raw_response.v2.services
        view = client.with_options(timeout=5)
        assert view.online_booking is not client.online_booking
        with pytest.raises(AttributeError):
            client.online_booking = client.clients  # read-only, as a property


def test_import_loads_only_the_client() -> None:
    """``import altegio_async`` stays cheap (make bench, section 9): asyncio, attrs, the
    models, the sync client and webhooks load on first use, not with the package."""
    import subprocess
    import sys

    probe = (
        "import sys, altegio_async\n"
        "heavy = ['asyncio', 'attrs', 'aiolimiter', 'anyio', 'msgspec', 'altegio_async.models',\n"
        "         'altegio_async.custom._sync', 'altegio_async.custom._webhooks']\n"
        "print([m for m in heavy if m in sys.modules])\n"
        "altegio_async.AltegioClient('token'); altegio_async.SyncAltegioClient\n"
        "print('altegio_async.custom._sync' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "True"], done.stdout + done.stderr
