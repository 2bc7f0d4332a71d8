"""Large replies: read in a worker thread with the collector paused, values unchanged."""

from __future__ import annotations

import contextlib
import gc
import json
import threading
from collections.abc import Iterator

import pytest

from altegio_async import AltegioClient, UsageError
from altegio_async.custom import _client, _parsing
from altegio_async.sandbox import Sandbox


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
