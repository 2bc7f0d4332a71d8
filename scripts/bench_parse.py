"""Parse cost of large replies: the SDK's reading policy against json.loads and the stock parser.

Two replies, shaped like Altegio's examples: ``GET /book_times`` with 10,000 slots
and ``GET /book_services`` with 1,000 services.  For each, per item and best of
several runs (garbage collector on, as in a service): ``json.loads`` alone, then
decoding plus the SDK's parser, then decoding plus the parser openapi-python-client
generates with its stock model template from the same document (the baseline:
what the package parsed with before its reading policy).  The stock package is
generated into a temporary directory in the same run.
"""

from __future__ import annotations

import functools
import importlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

from altegio_async.api.online_booking import (
    get_services_available_for_booking,
    get_time_slots_for_booking,
)

RUNS = 7


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


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def stock_package(scratch: Path) -> ModuleType | None:
    """The same document rendered with the generator's own model templates."""
    templates = scratch / "templates"
    shutil.copytree(generate.TEMPLATES, templates)
    for name in ("model.py.jinja", "models_init.py.jinja"):
        (templates / name).unlink(missing_ok=True)
    package = scratch / "stock_altegio_async"
    if generate.main(["--package", str(package), "--templates", str(templates)]) != 0:
        return None
    sys.path.insert(0, str(scratch))
    return importlib.import_module("stock_altegio_async")


def stock_parser(package: ModuleType, model: str, many: bool) -> Callable[[Any], object]:
    """What the stock endpoint code does with the data: the model's from_dict."""
    cls = getattr(importlib.import_module(f"{package.__name__}.models"), model)
    if many:
        return lambda data: [cls.from_dict(item) for item in data]
    return lambda data: cls.from_dict(data)


def decode_and_parse(parse: Callable[[Any], object], body: bytes) -> object:
    return parse(json.loads(body)["data"])


def rows() -> list[str]:
    cases = [
        ("book_times", "10,000 slots", slots(10_000), 10_000, get_time_slots_for_booking,
         "TimeSlot", True),
        ("book_services", "1,000 services", services(1_000), 1_000,
         get_services_available_for_booking, "BookableServices", False),
    ]  # fmt: skip
    out = ["5. parse cost per item, best of 7 (decode + build), garbage collector on:"]
    with tempfile.TemporaryDirectory(prefix="altegio-stock-") as scratch:
        stock = stock_package(Path(scratch))
        for name, label, body, n, module, model, many in cases:
            decode = best(functools.partial(json.loads, body)) / n
            sdk = best(functools.partial(decode_and_parse, module._parse_success, body)) / n
            line = (
                f"   {name:<14} {label:<15} json.loads {decode * 1e6:5.2f} us   "
                f"SDK {sdk * 1e6:5.2f} us ({sdk / decode:.2f}x json.loads)"
            )
            if stock is not None:
                parse = stock_parser(stock, model, many)
                base = best(functools.partial(decode_and_parse, parse, body)) / n
                line += f"   stock {base * 1e6:5.2f} us   SDK/stock {sdk / base:.2f} (target <= 2)"
            out.append(line)
    return out


if __name__ == "__main__":
    print("\n".join(rows()))
