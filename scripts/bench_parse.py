"""Parse cost and memory of large replies: the SDK against ``json.loads`` alone.

Replies shaped like Altegio's examples: ``GET /book_times`` with 10,000 slots,
``GET /book_services`` with 1,000 services, and the Business Management lists of
1,000 appointments (``GET /records/{location_id}``), 1,000 clients (``POST
/company/{location_id}/clients/search``) and 1,000 goods transactions (``GET
/storages/transactions/{location_id}``), each item Altegio's own example with its
ids and dates varied.  Per item, best of several runs taken in turns, in an
interpreter of its own: ``json.loads`` of the body alone, then what the client does
with the response httpx built (``unwrap``: decode, unwrap the envelope, read the
models, with the collector paused as the client pauses it for a large reply, and
the baseline measured paused too).  Both decoders: msgspec (the ``fast`` extra)
and the standard library.  Memory: what the models read keep alive per item
(``tracemalloc``, the decoded objects included since ``model.raw`` keeps them),
beside what ``json.loads``' result takes.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
import importlib
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import httpx

from altegio_async.api import OPERATIONS
from altegio_async.custom import _parsing
from altegio_async.custom._envelope import unwrap

sys.path.insert(0, str(Path(__file__).resolve().parent))

import normalize_specs

RUNS = 21
TARGET = 2.0


def slots(n: int) -> bytes:
    items = [
        {
            "time": f"{9 + i % 10:02d}:{(i * 5) % 60:02d}",
            "seance_length": 3600,
            "sum_length": 3600,
            "datetime": f"2026-09-{1 + i % 28:02d}T{9 + i % 10:02d}:00:00.000-05:00",
        }
        for i in range(n)
    ]
    return json.dumps({"success": True, "data": items, "meta": []}).encode()


def services(n: int) -> bytes:
    items = [
        {
            "id": 1896208 + i,
            "title": f"Service {i}",
            "category_id": 1895571 + i % 7,
            "price_min": 10 + i % 50,
            "price_max": 20 + i % 50,
            "discount": 0,
            "comment": "",
            "weight": i % 10,
            "active": 1,
            "gender": 0,
            "image": "",
            "prepaid": "forbidden",
            "seance_length": 3600,
        }
        for i in range(n)
    ]
    categories = [
        {"id": 1895571 + c, "title": f"Category {c}", "gender": 0, "api_id": 0, "weight": c}
        for c in range(7)
    ]
    data = {"events": [], "services": items, "category": categories}
    return json.dumps({"success": True, "data": data, "meta": []}).encode()


@functools.cache
def _document() -> dict[str, Any]:
    return normalize_specs.build()[0]


def example_item(operation_id: str) -> dict[str, Any]:
    """The first item of the operation's documented reply example."""
    op = OPERATIONS[operation_id]
    spec = _document()["paths"][op.path][op.method.lower()]
    media = spec["responses"]["200"]["content"]["application/json"]
    example = media.get("example") or next(iter(media.get("examples", {}).values()))["value"]
    data = example["data"] if isinstance(example, dict) and "data" in example else example
    item: dict[str, Any] = data[0] if isinstance(data, list) else data
    return item


def replicated(operation_id: str, n: int) -> bytes:
    """``n`` copies of the operation's example item, ids and dates varied."""
    item = example_item(operation_id)
    items = []
    for i in range(n):
        copy_ = copy.deepcopy(item)
        copy_["id"] = int(item.get("id") or 1) + i
        for key in ("datetime", "date"):
            if isinstance(copy_.get(key), str) and len(copy_[key]) >= 10:
                copy_[key] = f"2026-09-{1 + i % 28:02d}" + copy_[key][10:]
        items.append(copy_)
    meta = {"total_count": n}
    return json.dumps({"success": True, "data": items, "meta": meta}).encode()


def interleaved(*fns: Callable[[], object]) -> list[float]:
    """The best time of each, measured in turns (so a busy spell of the machine
    weighs on every one of them alike)."""
    best = [float("inf")] * len(fns)
    for _ in range(RUNS):
        for index, fn in enumerate(fns):
            start = time.perf_counter()
            result = fn()
            best[index] = min(best[index], time.perf_counter() - start)
            del result  # (freed outside the timing: what is measured is the reading)
    return best


def stdlib(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` with the standard library decoding, as without the ``fast`` extra."""

    def run() -> object:
        with decoder(fast=False):
            return fn()

    return run


def response(operation_id: str, body: bytes) -> httpx.Response:
    op = OPERATIONS[operation_id]
    request = httpx.Request(op.method, "https://api.alteg.io" + op.path)
    headers = {"content-type": "application/json"}
    return httpx.Response(200, content=body, headers=headers, request=request)


def sdk_read(operation_id: str, body: bytes) -> Callable[[], object]:
    """What the client does with a large reply: unwrap it with the collector paused."""
    op = OPERATIONS[operation_id]
    parse = importlib.import_module(op.module)._parse_success
    reply = response(operation_id, body)  # (httpx builds it before any reading starts)

    def run() -> object:
        with _parsing.collector_paused():
            return unwrap(op, reply, parse, str, user_token_sent=False)

    return run


def decode_only(body: bytes) -> Callable[[], object]:
    def run() -> object:
        with _parsing.collector_paused():
            return json.loads(body)

    return run


def retained(fn: Callable[[], object]) -> int:
    """Bytes still allocated while ``fn``'s result is alive."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = fn()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del result
    return after - before


@contextlib.contextmanager
def decoder(fast: bool) -> Iterator[None]:
    """msgspec if installed (``fast``), else the standard library alone, as without the
    ``fast`` extra: ``_parsing`` asks ``_fast()`` on every large body."""
    with contextlib.ExitStack() as patches:
        if not fast:
            patches.enter_context(mock.patch.object(_parsing, "_fast", lambda: None))
        yield


CASES: list[tuple[str, str, Callable[[], bytes], int]] = [
    ("get_time_slots_for_booking", "10,000 time slots", lambda: slots(10_000), 10_000),
    ("get_services_available_for_booking", "1,000 services", lambda: services(1_000), 1_000),
    (
        "get_appointment_list",
        "1,000 appointments",
        lambda: replicated("get_appointment_list", 1_000),
        1_000,
    ),
    ("get_client_list", "1,000 clients", lambda: replicated("get_client_list", 1_000), 1_000),
    (
        "search_for_product_transactions",
        "1,000 goods moves",
        lambda: replicated("search_for_product_transactions", 1_000),
        1_000,
    ),
]


def write_bodies(folder: Path) -> None:
    for number, (_, _, make, _) in enumerate(CASES):
        (folder / f"{number}.json").write_bytes(make())


def read_bodies() -> list[bytes]:
    """The cases' bodies, made in another interpreter: making them loads the normalised
    bundles, a heap of a million objects whose freeing would leave this one's memory
    fragmented, and the models' many small objects scattered (the reading is the
    memory-bound side, so that would weigh on it more than on ``json.loads``)."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, __file__, "--write", folder], check=True)
        return [(Path(folder) / f"{n}.json").read_bytes() for n in range(len(CASES))]


def rows() -> list[str]:
    out = [
        "5. parse cost per item (decode + read, as the client does a large reply) against "
        f"json.loads alone, best of {RUNS}; target <= {TARGET:.1f}x; memory kept per item:"
    ]
    for (operation_id, label, _, n), body in zip(CASES, read_bodies(), strict=True):
        sdk_read(operation_id, body)()  # warm: imports the models
        base, fast, std = interleaved(
            decode_only(body), sdk_read(operation_id, body), stdlib(sdk_read(operation_id, body))
        )
        cells = [
            f"{name} {cost / n * 1e6:5.2f} us {cost / base:4.2f}x"
            for name, cost in (("msgspec", fast), ("stdlib", std))
        ]
        kept = retained(sdk_read(operation_id, body)) / n
        decoded = retained(functools.partial(json.loads, body)) / n
        verdict = "ok" if fast / base <= TARGET else "OVER"
        out.append(
            f"   {label:<19} json.loads {base / n * 1e6:5.2f} us | "
            + " | ".join(cells)
            + f" | {verdict} | memory {kept:6.0f} B/item (json.loads {decoded:5.0f} B)"
        )
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        write_bodies(Path(sys.argv[2]))
    else:
        print("\n".join(rows()))
