"""Decoding and reading large replies without stalling the event loop.

A 10,000-service ``book_services`` reply takes tens of milliseconds to decode and
read; on the event loop that is a stall for every other task.  Replies larger than
the client's ``parse_in_thread_above`` (bytes; 128 KiB by default) are decoded and
read in a worker thread (``asyncio.to_thread``), where the loop gets the GIL back
at the interpreter's next switch (every 5 ms, ``sys.getswitchinterval()``).

A switch happens between two bytecodes, never inside a C call: decoding a 2 MB
body in one call holds the GIL for 15-40 ms (23 MB: 0.2-0.6 s), and the loop waits
for all of it.  So a large body is decoded in pieces (``loads_in_pieces``): each
array of objects of ``PIECE_BYTES`` or more (the services, slots or records: the
bulk of every large Altegio reply) is cut where one object ends and the next
begins, about every ``PIECE_BYTES``, and each piece is decoded alone as ``[`` +
piece + ``]`` (0.3-1 ms); the rest of the body (the envelope, small arrays) is
decoded once, with a placeholder string where each large array was, and the items
are put in its place.

A cut is a guess: a ``}``, a comma and a ``{`` opening the same two keys as the
array's first item (PHP's ``json_encode`` writes every item of a list with its keys
in one order; nested objects rarely open with the same two).  Decoding the piece
checks it: a cut inside a string leaves that string unterminated, a cut inside a
nested object or array leaves a bracket unclosed, a cut past the array's end
leaves a stray ``]``, so the piece is not JSON.  Then the standard library's
scanner reads that stretch one item at a time and finds the true boundaries (and
the array's end).  When every piece and the rest decode, the pieces, the JSON
whitespace and commas between them and the rest are the body's whole text, so the
values are exactly those of one call (the placeholder must come back exactly once,
as a value: a random 64-bit token per body).  Anything else (no large array of
objects, text that is not JSON, a body in UTF-16) is decoded in one call, which
raises the usual ``ValueError`` for a body that is not JSON.

Why cuts: reading every item with the standard library's ``raw_decode`` needs no
guess, but costs 1.8-2.6x ``json.loads`` per item and 3-6x msgspec (one Python step
and fresh key strings per item); cut pieces cost 1.0-1.1x one msgspec call at 10k
and 100k items, and 1.0-1.15x one ``json.loads`` (``make bench``, section 7).  An
item larger than a piece is still decoded in one call.

During a large read the cyclic garbage collector is paused: the models being
built are all alive, so every collection it would start (one per 700 new objects)
scans an ever larger heap for nothing, and the cost per item grows with the reply.
Reference counting still frees everything; the collector resumes when the last
large read ends, after the objects made meanwhile move to the oldest generation
unscanned (see ``_promote_young``).

msgspec (``pip install 'altegio-async[fast]'``) decodes a large body when installed,
at about 0.4x ``json.loads``' time, and keeps integers beyond 64 bits exact (v2
attendance ids have 30 digits) as ``json.loads`` does.  A body it refuses (NaN,
Infinity, 1e400, a lone surrogate, a byte-order mark) is decoded by the standard
library, in pieces or not, so the values are the same either way.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import gc
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from typing import Any

DEFAULT_PARSE_IN_THREAD_ABOVE = 128 * 1024
PIECE_BYTES = 64 * 1024  # msgspec: 0.2-0.5 ms a piece, json.loads: 0.5-1 ms
FAST_ABOVE = 16 * 1024  # bytes: below, json.loads costs microseconds anyway

_Decoder = Callable[[bytes], Any]


@functools.cache
def _fast() -> Callable[[bytes], Any] | None:
    """msgspec's JSON decoder, if installed; imported on the first large body
    (importing it takes 30-40 ms, which neither ``import altegio_async`` nor a small
    reply need pay).  It raises ``ValueError`` (its ``DecodeError``) for what it
    refuses."""
    try:
        import msgspec.json
    except ImportError:  # the standard library is the default
        return None
    return msgspec.json.Decoder().decode


def loads(body: bytes) -> Any:
    """JSON from bytes in one call: msgspec when installed, the body large and
    msgspec able, else the standard library."""
    fast = _fast() if len(body) >= FAST_ABOVE else None
    if fast is not None:
        try:
            return fast(body)
        except (ValueError, RecursionError):
            pass  # e.g. NaN: json.loads reads it (or raises the usual error)
    return json.loads(body)


# Patterns are compiled on first use (and kept by re's cache): import stays cheap.
# JSON's whitespace is these four (a regex's \s also takes \f and \v).
_WS = rb"[ \t\n\r]*"
_STRING = rb'"(?:[^"\\]|\\.)*"'
_SCALAR = rb'(?:"(?:[^"\\]|\\.)*"|[^ \t\n\r"{}\[\],:]+)'
_ARRAY_OF_OBJECTS = rb"\[" + _WS + rb"(?=\{)"
_FIRST_KEYS = (
    rb"\{" + _WS + rb"(" + _STRING + rb")" + _WS + rb":"
    rb"(?:" + _WS + _SCALAR + _WS + rb"," + _WS + rb"(" + _STRING + rb")" + _WS + rb":)?"
)
_ARRAY_END = rb"\}" + _WS + rb"\]"
_SPACE = r"[ \t\n\r]*"
_REACH = 256 * 1024  # how far past a piece's size a cut is looked for
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_UTF8 = codecs.getincrementaldecoder("utf-8")
_MISSING = object()


class _Refused(Exception):
    """msgspec refuses a part of the body that the standard library reads (NaN, say):
    ``loads`` would decode the whole body with the standard library."""


@functools.lru_cache(maxsize=64)
def _cut(first: bytes | None, second: bytes | None) -> re.Pattern[bytes]:
    """A likely boundary between two items of an array of objects: ``}``, a comma and
    a ``{`` opening the keys its first item opens with."""
    ahead = b""
    if first is not None:
        ahead = _WS + re.escape(first) + _WS + b":"
        if second is not None:
            ahead += _WS + _SCALAR + _WS + b"," + _WS + re.escape(second) + _WS + b":"
    return re.compile(rb"\}" + _WS + rb"," + _WS + rb"(?=\{" + ahead + rb")")


def _piece(decode: _Decoder, view: memoryview, start: int, end: int) -> list[Any] | None:
    """The items in ``view[start:end]``, or None if that is not a list of items."""
    try:
        items: list[Any] = decode(b"".join((b"[", view[start:end], b"]")))  # (one copy)
    except (ValueError, RecursionError):
        return None
    return items


def _walk(body: bytes, start: int, budget: int) -> tuple[list[Any], int, int, bool] | None:
    """Items from ``start`` (an item's first byte) read one at a time by the standard
    library's scanner, up to the first boundary past about ``budget`` bytes or to the
    array's end: the items, where the last one ends, where the next one starts (or
    the ``]``'s index) and whether the array ended; None if the text there is not a
    list of JSON items (or an item is larger than a megabyte)."""
    size = 2 * budget + 4096
    space = re.compile(_SPACE)
    while True:
        final = start + size >= len(body)
        try:  # (a character cut by the window's end waits for a larger window)
            text = _UTF8("surrogatepass").decode(body[start : start + size], final)
        except UnicodeDecodeError:
            return None
        items: list[Any] = []
        at = 0
        try:
            while True:
                item, end = _SCAN(text, at)
                items.append(item)
                at = space.match(text, end).end()  # type: ignore[union-attr]
                if text[at] == "]":
                    return items, start + _size(text, end), start + _size(text, at), True
                if text[at] != ",":
                    return None
                at = space.match(text, at + 1).end()  # type: ignore[union-attr]
                if at >= budget:
                    return items, start + _size(text, end), start + _size(text, at), False
        except (StopIteration, ValueError, IndexError, RecursionError):
            if final or size > 4 * _REACH:  # not JSON, or an item too large to bother
                return None
        size *= 2


def _size(text: str, end: int) -> int:
    """Bytes of ``text[:end]`` in UTF-8."""
    return end if text.isascii() else len(text[:end].encode("utf-8", "surrogatepass"))


def _array(
    body: bytes, start: int, piece: int, decode: _Decoder, fast: bool
) -> tuple[list[Any], int] | None:
    """The items of the array whose first item, an object, starts at ``start``, and the
    index of its ``]``; None if the text there is not such an array."""
    keys = re.compile(_FIRST_KEYS).match(body, start, start + _REACH)
    cut = _cut(keys[1], keys[2]) if keys else _cut(None, None)
    view = memoryview(body)
    items: list[Any] = []
    bracket = -1  # the first "]" at or after start (or a bound): the end, or nested
    while True:
        boundary = cut.search(body, start + piece, start + piece + _REACH)
        stop = boundary.start() if boundary else start + piece + _REACH
        if bracket < start:
            bracket = body.find(b"]", start, start + 4 * _REACH)
            bracket = start + 4 * _REACH if bracket < 0 else bracket
        if bracket < stop:  # the array may end before the cut
            end = re.compile(_ARRAY_END).search(body, start, stop)
            if end is not None:
                part = _piece(decode, view, start, end.start() + 1)
                if part is not None:
                    items += part
                    return items, end.end() - 1
        if boundary is not None:
            part = _piece(decode, view, start, boundary.start() + 1)
            if part is not None:
                items += part
                start = boundary.end()
                continue
        walked = _walk(body, start, piece)  # a wrong guess: find a true boundary
        if walked is None:
            return None
        part, last, after, ended = walked
        if fast:  # msgspec's values, as in one call; or it refuses what json.loads reads
            exact = _piece(decode, view, start, last)
            if exact is None:
                raise _Refused
            part = exact
        items += part
        if ended:
            return items, after
        start = after


def _splice(root: Any, marks: dict[str, list[Any]]) -> Any:
    """``root`` with each mark, found once as a value, replaced by its items; _MISSING
    if a mark is not found exactly once."""
    if root.__class__ is str:
        return marks[root] if len(marks) == 1 and root in marks else _MISSING
    left = dict(marks)
    places: list[tuple[Any, Any, list[Any]]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        for key, value in node.items() if node.__class__ is dict else enumerate(node):
            kind = value.__class__
            if kind is str:
                if value in marks:
                    if value not in left:
                        return _MISSING
                    places.append((node, key, left.pop(value)))
            elif kind is dict or kind is list:
                stack.append(value)
    if left:
        return _MISSING
    for node, key, items in places:
        node[key] = items
    return root


def _in_pieces(body: bytes, piece: int, decode: _Decoder, fast: bool) -> Any:
    """The body decoded in pieces by ``decode`` (msgspec if ``fast``), or _MISSING if
    it has no large array of objects or is not JSON."""
    regions: list[tuple[int, int, list[Any]]] = []
    at = small = misses = 0
    while small < 64 and misses < 8:  # (a body of many small arrays stays one call)
        found = re.compile(_ARRAY_OF_OBJECTS).search(body, at)
        if found is None:
            break
        read = _array(body, found.end(), piece, decode, fast)
        if read is None:  # e.g. "[{" in a string
            misses += 1
            at = found.start() + 1
            continue
        items, close = read
        if close + 1 - found.start() >= piece:
            regions.append((found.start(), close + 1, items))
        else:
            small += 1
        at = close + 1
    if not regions:
        return _MISSING
    # Each large array becomes a string no reply holds (a random 64-bit token), which
    # must come back exactly once, as a value: then that is where the array was.
    token = secrets.token_hex(8)
    marks: dict[str, list[Any]] = {}
    parts: list[bytes] = []
    at = 0
    for number, (start, end, items) in enumerate(regions):
        mark = f"\x00{token}:{number}"
        marks[mark] = items
        parts += (body[at:start], json.dumps(mark).encode())
        at = end
    parts.append(body[at:])
    skeleton = b"".join(parts)
    try:
        root = decode(skeleton)
    except (ValueError, RecursionError):
        if fast and _reads(skeleton):
            raise _Refused from None
        return _MISSING
    return _splice(root, marks)


def _reads(text: bytes) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def loads_in_pieces(body: bytes, piece: int = PIECE_BYTES) -> Any:
    """``loads(body)``, the same values, with each array of objects of ``piece`` bytes
    or more decoded a piece of about ``piece`` bytes at a time (see the module's
    docstring); ``loads(body)`` itself for a body it cannot cut."""
    if len(body) <= 2 * piece or 0 in body[:4]:  # (a NUL: UTF-16 or -32, or not JSON)
        return loads(body)
    decode, fast = _piece_decoder()
    try:
        value = _in_pieces(body, piece, decode, fast)
    except _Refused:  # as loads(body): msgspec refuses the body, json.loads decodes it
        value = _in_pieces(body, piece, json.loads, False)
    return loads(body) if value is _MISSING else value


def _piece_decoder() -> tuple[_Decoder, bool]:
    """What decodes a piece, and whether it is msgspec (whose failure may mean
    "msgspec refuses this" as well as "not JSON there")."""
    fast = _fast()
    return (json.loads, False) if fast is None else (fast, True)


_PROMOTE_ABOVE = 20_000  # young objects; scanning fewer takes about a millisecond
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
                _promote_young()
                gc.enable()


def _promote_young() -> None:
    """Move the objects made during the pause to the oldest generation unscanned.

    They are all in the youngest one, and the first collection after the pause would
    scan them in one call (25-50 ms for 100,000 services, with the GIL held, on
    whichever thread allocates next); the next full collection scans them instead,
    when it would have anyway.  Cycles other threads dropped during the pause wait
    for that collection too.  An application's own frozen objects (``gc.freeze()``)
    are left alone: ``unfreeze`` would thaw them too.
    """
    if gc.get_count()[0] > _PROMOTE_ABOVE and gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


__all__ = [
    "DEFAULT_PARSE_IN_THREAD_ABOVE",
    "FAST_ABOVE",
    "PIECE_BYTES",
    "collector_paused",
    "loads",
    "loads_in_pieces",
]
