"""Decoding and reading large replies without stalling the event loop.

A 10,000-service ``book_services`` reply takes tens of milliseconds to decode and
read; on the event loop that is a stall for every other task.  Replies larger than
the client's ``parse_in_thread_above`` (bytes; 128 KiB by default) are decoded and
read in a worker thread (``asyncio.to_thread``), where the loop keeps running
between the interpreter's switches (every 5 ms).

During a large read the cyclic garbage collector is paused: the models being
built are all alive, so every collection it would start (one per 700 new objects)
scans an ever larger heap for nothing, and the cost per item grows with the reply.
Reference counting still frees everything; the collector resumes when the last
large read ends.

``orjson`` (``pip install 'altegio-async[fast]'``) decodes when installed; a body it
refuses (integers beyond 64 bits, NaN) is decoded by the standard library, so the
values are the same either way.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

DEFAULT_PARSE_IN_THREAD_ABOVE = 128 * 1024


@functools.cache
def _orjson() -> tuple[Callable[[bytes], Any], type[Exception]] | None:
    """orjson's decoder and error, if installed; imported on the first reply (importing
    it takes about 14 ms, which ``import altegio_async`` need not pay)."""
    try:
        import orjson
    except ImportError:  # the standard library is the default
        return None
    return orjson.loads, orjson.JSONDecodeError


def loads(body: bytes) -> Any:
    """JSON from bytes: orjson when installed and able, else the standard library."""
    fast = _orjson()
    if fast is not None:
        try:
            return fast[0](body)
        except fast[1]:
            pass  # e.g. a 20-digit integer or NaN: json.loads reads those exactly
    return json.loads(body)


_lock = threading.Lock()
_depth = 0
_resume = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection while the block runs (nested and thread-safe)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()


__all__ = ["DEFAULT_PARSE_IN_THREAD_ABOVE", "collector_paused", "loads"]
