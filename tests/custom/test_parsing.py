"""Large replies: decoded in pieces, read in a worker thread with the collector paused, values
unchanged."""

from __future__ import annotations

import contextlib
import gc
import json
import math
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from altegio_async import AltegioClient, UsageError
from altegio_async.custom import _client, _parsing
from altegio_async.sandbox import Sandbox


def test_an_id_beyond_64_bits_stays_an_exact_int_with_the_fast_decoder() -> None:
    # Altegio's v2 attendance ids have 30 digits (orjson, say, would give a float)
    big = 720441132455872969872131608121
    body = json.dumps({"data": [{"id": big, "n": i} for i in range(3000)]}).encode()
    assert _parsing.loads(body)["data"][0]["id"] == big
    decoded = _parsing.loads_in_pieces(body, 1000)
    assert all(type(item["id"]) is int and item["id"] == big for item in decoded["data"])


def test_loads_keeps_every_value_whatever_the_decoder() -> None:
    body = b'{"big": 123456789012345678901234, "nan": NaN, "s": "\\u00e9", "f": 1.5}'
    assert _parsing.loads(body) == json.loads(body) | {"nan": _parsing.loads(body)["nan"]}
    assert _parsing.loads(body)["big"] == 123456789012345678901234
    assert _parsing.loads(b'{"a": [1, 2.0, null, true]}') == {"a": [1, 2.0, None, True]}
    with pytest.raises(ValueError):
        _parsing.loads(b"{not json")


def test_the_collector_pause_nests_and_restores() -> None:
    assert gc.isenabled()
    with _parsing.collector_paused():
        with _parsing.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with _parsing.collector_paused():
            pass
        assert not gc.isenabled()  # an application's own choice is kept
    finally:
        gc.enable()


async def test_large_replies_are_read_off_the_loop(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    where: list[tuple[bool, bool]] = []
    paused = _parsing.collector_paused

    @contextlib.contextmanager
    def recording() -> Iterator[None]:
        with paused():
            where.append((threading.current_thread() is threading.main_thread(), gc.isenabled()))
            yield

    monkeypatch.setattr(_client, "collector_paused", recording)
    kwargs = {**sandbox.client_kwargs(), "rate_limit": False}
    async with AltegioClient(**kwargs, parse_in_thread_above=None) as on_loop:
        expected = await on_loop.online_booking.get_services_available_for_booking(location_id=4564)
    assert where == []
    async with AltegioClient(**kwargs, parse_in_thread_above=0) as offloaded:
        got = await offloaded.online_booking.get_services_available_for_booking(location_id=4564)
    assert got == expected
    assert where == [(False, False)]  # a worker thread, no collection meanwhile
    assert gc.isenabled()


def test_the_threshold_is_checked() -> None:
    with pytest.raises(UsageError, match="parse_in_thread_above"):
        AltegioClient("token", parse_in_thread_above=-1)


# --- decoding in pieces -------------------------------------------------------------

# Strings that look like the places a body is cut: a cut inside one must be refused.
_FRAGMENTS = ["},{", '},{"id":1,"title":', "}]", "]", "[{", "{", '"', "\\", ",", ":", " "]
_FRAGMENTS += ["\n", "é", "€", "😀", "\x00", "\ud800", "id", "title", "NaN"]
_TEXT = st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=3), max_size=6).map("".join)
_KEY = st.sampled_from(["id", "title", "x", "},{", '"id":', ""]) | _TEXT
_NUMBER = (
    st.integers(-(2**63), 2**64 - 1)  # within 64 bits (_BEYOND: the others)
    | st.floats(allow_nan=False, allow_infinity=False)
)
_BEYOND = st.integers(-(2**80), 2**80) | st.sampled_from([math.nan, math.inf, -math.inf])
_SCALAR = st.none() | st.booleans() | _NUMBER | _TEXT
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEY, inner, max_size=4),
    max_leaves=12,
)
# Items that open with the same keys, nesting objects that open with them too (a cut
# after a nested one is a wrong guess), and items of any shape.
_ITEM = st.builds(
    lambda id_, title, rest: {"id": id_, "title": title, **rest},
    _NUMBER,
    _TEXT,
    st.dictionaries(_KEY, _VALUE | st.lists(st.fixed_dictionaries({"id": _NUMBER}), max_size=3)),
) | st.dictionaries(_KEY, _VALUE, max_size=4)
_ITEMS = st.lists(_ITEM, max_size=25)
_DOCUMENT = st.one_of(
    st.builds(lambda data, meta: {"success": True, "data": data, "meta": meta}, _ITEMS, _VALUE),
    st.builds(
        lambda services, category: {
            "success": True,
            "data": {"events": [], "services": services, "category": category},
            "meta": [],
        },
        _ITEMS,
        _ITEMS,
    ),
    st.builds(lambda data: {"success": True, "meta": {"count": len(data)}, "list": data}, _ITEMS),
    _ITEMS,  # a bare array
    st.lists(_ITEMS, max_size=3),  # arrays of arrays of objects
    _VALUE,
)
# How json.dumps spaces it: PHP's compact output, Python's default, indented.
_LAYOUT = st.sampled_from(
    [
        {"separators": (",", ":")},
        {},
        {"indent": 1},
        {"indent": "\t", "separators": (" ,\r\n", " : ")},
    ]
)


@contextlib.contextmanager
def _decoder(fast: bool) -> Iterator[None]:
    """msgspec (skipped if not installed) or the standard library alone."""
    if fast:
        pytest.importorskip("msgspec")
    cached = _parsing._fast
    if not fast:
        _parsing._fast = lambda: None  # type: ignore[assignment]
    try:
        yield
    finally:
        _parsing._fast = cached


def _same(got: object, expected: object) -> None:
    """Equal values of the same types in the same key order (NaN included)."""
    assert json.dumps(got) == json.dumps(expected)


def _body(document: object, layout: dict[str, Any], ascii_only: bool) -> bytes:
    text = json.dumps(document, ensure_ascii=ascii_only, **layout)
    return text.encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("fast", [True, False], ids=["msgspec", "stdlib"])
@settings(max_examples=200, deadline=None)
@given(
    document=_DOCUMENT,
    layout=_LAYOUT,
    ascii_only=st.booleans(),
    piece=st.sampled_from([1, 2, 7, 40, 300, 4096]),
)
def test_pieces_decode_as_json_loads(
    fast: bool, document: object, layout: dict[str, Any], ascii_only: bool, piece: int
) -> None:
    body = _body(document, layout, ascii_only)
    with _decoder(fast):
        _same(_parsing.loads_in_pieces(body, piece), json.loads(body))


@pytest.mark.parametrize("fast", [True, False], ids=["msgspec", "stdlib"])
@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(st.fixed_dictionaries({"id": _NUMBER, "big": _BEYOND}), max_size=10),
    document=_DOCUMENT,
    piece=st.sampled_from([1, 7, 300]),
)
def test_pieces_decode_as_loads_beyond_64_bits_and_nan(
    fast: bool, items: list[object], document: object, piece: int
) -> None:
    body = json.dumps({"data": items, "more": document}).encode()
    with _decoder(fast):
        # msgspec refuses NaN and Infinity: pieces decode as json.loads does, msgspec
        # or not, every integer exact.
        _same(_parsing.loads_in_pieces(body, piece), _parsing.loads(body))
        _same(_parsing.loads_in_pieces(body, piece), json.loads(body))


def _services(n: int, layout: dict[str, Any]) -> bytes:
    """A book_services reply, its services' titles full of what a cut looks for."""
    services = [
        {
            "id": 1_000 + i,
            "title": '},{"id":1,"title":"x"}]' if i % 3 else f"Service {i}",
            "staff": [{"id": i, "title": "a"}, {"id": i + 1, "title": "b"}],
            "price": 10.5 + i,
        }
        for i in range(n)
    ]
    category = [{"id": c, "title": f"Category {c}"} for c in range(7)]
    data = {"events": [], "services": services, "category": category}
    return json.dumps({"success": True, "data": data, "meta": []}, **layout).encode()


@pytest.mark.parametrize("fast", [True, False], ids=["msgspec", "stdlib"])
@pytest.mark.parametrize("piece", [1, 100, 1000, 65536])
def test_a_large_reply_decodes_in_pieces(
    fast: bool, piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = _services(2_000, {"separators": (",", ":")})
    decoded: list[int] = []
    piece_of = _parsing._piece

    def counting(decode: Any, view: memoryview, start: int, end: int) -> Any:
        decoded.append(end - start)
        return piece_of(decode, view, start, end)

    monkeypatch.setattr(_parsing, "_piece", counting)
    with _decoder(fast):
        _same(_parsing.loads_in_pieces(body, piece), json.loads(body))
    assert len(decoded) > len(body) // max(piece, 1000) // 2  # in pieces, not at once
    assert max(decoded) < 2 * piece + 1000


@pytest.mark.parametrize("fast", [True, False], ids=["msgspec", "stdlib"])
@pytest.mark.parametrize(
    "body",
    [
        b'{"data":[{"id":1},{"id":2}\x0c,{"id":3}]}',  # \f is not JSON whitespace
        b'{"data":[{"id":1},{"id":2},]}',
        b'{"data":[{"id":1},{"id":2}{"id":3}]}',
        b'{"data":[{"id":1},{"id":2},{"id":3}}',
        b'{"data":[{"id":1},{"id":2},{"id":3}],}',
        b'{"data":[{"id":1},{"id":2},{"id":3}]',
        b'{"data":[{"id":1},{"id":2},{"id":3}]}]',
        b'{"data":[{"id":1},{"id":2},{"id":"3}]}',
        b'{"data":[{"id":1},{"id":2},{"id":3}]} x',
        b'{"data":[{"id":1},{"id":2},{"id":\xff}]}',
        b'{"data":[{"id":1},{"id":2},{"id":3}],"data":[{"id":1},{"id":2}]x}',
        b'{"data":[{"id":1},{"id":2} x {"id":3}]}',
        b'{"s":"\\[{},{},{}],"t":1}',  # the array cut out, the rest would be JSON
    ],
)
def test_invalid_json_raises_as_in_one_call(fast: bool, body: bytes) -> None:
    with _decoder(fast):
        with pytest.raises(ValueError):
            json.loads(body)
        for piece in (1, 2, 5, 9, 13):
            with pytest.raises(ValueError):
                _parsing.loads_in_pieces(body, piece)


@pytest.mark.parametrize("fast", [True, False], ids=["msgspec", "stdlib"])
def test_what_cannot_be_cut_is_decoded_in_one_call(fast: bool) -> None:
    bodies = [
        b'{"data":[{"id":1},{"id":2}],"data":5}',  # the array's place is overwritten
        b'{"data":5,"data":[{"id":1},{"id":2}]}',
        b'{"note":"[{},{},{},{},{},{},{}]","data":[{"id":1},{"id":2}]}',  # "[{" in a string
        b"[1,2,3,4,5,6,7,8,9,10,11,12]",  # no array of objects
        json.dumps([{"id": 1}, {"id": 2}]).encode("utf-16"),  # not UTF-8
        b'\xef\xbb\xbf{"data":[{"id":1},{"id":2}]}',  # a UTF-8 byte-order mark
    ]
    with _decoder(fast):
        for body in bodies:
            expected = _parsing.loads(body)
            for piece in (1, 3, 8):
                _same(_parsing.loads_in_pieces(body, piece), expected)


@pytest.mark.parametrize("fast", [True, False], ids=["msgspec", "stdlib"])
def test_a_reply_holding_the_placeholder_is_decoded_in_one_call(
    fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(secrets, "token_hex", lambda n: "feedface")
    body = b'{"data":[{"id":1},{"id":2},{"id":3}],"echo":"\\u0000feedface:0"}'
    with _decoder(fast):
        _same(_parsing.loads_in_pieces(body, 2), json.loads(body))


def test_the_young_heap_is_promoted_unscanned_when_the_collector_resumes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if gc.get_freeze_count():
        pytest.skip("objects frozen by an earlier test: the young heap is left alone")
    gc.disable()
    try:
        kept: list[list[int]] = [[] for _ in range(50_000)]  # 50,000 young objects
        assert gc.get_count()[0] >= 50_000
        _parsing._promote_young()
        assert gc.get_count()[0] < 100  # nothing left for the next collection to scan
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()
    del kept
    promoted: list[bool] = []
    monkeypatch.setattr(_parsing, "_promote_young", lambda: promoted.append(gc.isenabled()))
    with _parsing.collector_paused():
        with _parsing.collector_paused():
            pass
        assert promoted == []
    assert promoted == [False]  # once, on the way out, before the collector resumes


def test_an_application_s_frozen_objects_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _parsing.collector_paused():
            kept: list[list[int]] = [[] for _ in range(50_000)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    del kept


@pytest.mark.parametrize("fast", [True, False], ids=["msgspec", "stdlib"])
def test_what_msgspec_refuses_is_decoded_in_pieces_too(
    fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole: list[int] = []
    loads = _parsing.loads

    def one_call(text: bytes) -> Any:
        whole.append(len(text))
        return loads(text)

    monkeypatch.setattr(_parsing, "loads", one_call)
    items: list[dict[str, Any]] = [{"id": i, "title": f"Service {i}"} for i in range(300)]
    items[150]["price"] = math.nan  # msgspec refuses NaN: json.loads reads the whole body
    for document in ({"data": items, "meta": []}, {"data": items[:150], "meta": math.inf}):
        body = json.dumps(document).encode()
        with _decoder(fast):
            _same(_parsing.loads_in_pieces(body, 200), json.loads(body))
    assert whole == []  # never the whole body in one call
