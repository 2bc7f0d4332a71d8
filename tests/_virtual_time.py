"""An event loop whose clock jumps to the next timer when nothing is runnable.

``asyncio.sleep``, ``call_at`` and aiolimiter's wake-ups all read ``loop.time()``,
so limiter tests run minutes of simulated traffic in milliseconds, exactly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        super().__init__()
        self._virtual_now = 1000.0

    def time(self) -> float:
        return self._virtual_now

    def _run_once(self) -> None:
        ready: Any = self._ready  # type: ignore[attr-defined]
        scheduled: Any = self._scheduled  # type: ignore[attr-defined]
        if not ready:
            live = [h.when() for h in scheduled if not h.cancelled()]
            if live:
                # At least a microsecond per idle step, as a real clock would move:
                # aiolimiter re-arms a timer for "now" when float rounding leaves
                # it a hair short of capacity.
                self._virtual_now = max(self._virtual_now + 1e-6, min(live))
        super()._run_once()  # type: ignore[misc]


def run_virtual(coro: Coroutine[Any, Any, T]) -> T:
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()
