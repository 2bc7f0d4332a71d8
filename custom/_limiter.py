"""Client-side rate limiting: at most 5 requests in any 1 s and 200 in any 60 s.

Why two mechanisms.  aiolimiter's ``AsyncLimiter(n, period)`` is a leaky bucket of
capacity ``n`` draining at ``n/period``: it admits at most ``n + W*n/period`` in
any window of length ``W``.  No single bucket meets both of Altegio's limits
without wasting most of the budget, and nesting ``(5, 1)`` in ``(200, 60)`` still
lets ~9 through in one second and ~400 in one minute.  So:

- the minute budget is an aiolimiter bucket of capacity ``B = per_second`` (the
  burst a fresh client may send at once) draining at ``(per_minute - B) / minute``:
  any window of ``minute`` seconds admits at most ``B + (per_minute - B) = per_minute``;
- the second budget is a sliding-window guard: a request is admitted only if the
  ``per_second``-th previous admission is at least ``second`` ago, so no window
  of ``second`` seconds ever holds more than ``per_second``.

Both hold by construction, and the sustained rate is ``(per_minute - B)/minute``:
195/60 = 3.25 requests/s, 97.5 % of Altegio's 200/min.  ``margin`` (seconds) widens
both windows for network jitter: a request admitted here reaches Altegio a little
later, and requests do not arrive in the order they left.  The largest skew seen
is at a cold start: the first burst opens new connections while later requests
reuse them (about 30 ms on loopback; a TLS handshake to Altegio takes 100 ms or
more).  The default margin, 0.25 s, covers that and costs almost nothing: the
sustained rate needs 3.25 requests in 1.25 s, far under 5, and the minute budget
shrinks by 0.4 %.

A 429 from Altegio pauses every caller of the limiter (``pause``), not only the
one that received it.  Waiters are served first come, first served; a waiter that
is cancelled has consumed nothing.
"""

from __future__ import annotations

import asyncio
import collections
import weakref
from typing import Protocol

from aiolimiter import AsyncLimiter

from ._errors import UsageError


def check_windows(second: float, minute: float, margin: float) -> None:
    """The window settings every limiter accepts: positive, minute >= second."""
    if second <= 0 or minute < second or margin < 0:
        raise UsageError(f"bad windows: second={second}, minute={minute}, margin={margin}")


class Limiter(Protocol):
    """What the client needs from a limiter; implement it to share limits another way."""

    async def acquire(self) -> None:
        """Wait until one more request may be sent, and count it."""

    def pause(self, seconds: float) -> None:
        """Admit nothing for ``seconds`` (after a 429)."""


class AltegioRateLimiter:
    """Altegio's per-IP limits for one event loop.  Create it inside the running loop."""

    def __init__(
        self,
        per_second: int = 5,
        per_minute: int = 200,
        *,
        second: float = 1.0,
        minute: float = 60.0,
        margin: float = 0.25,
    ) -> None:
        if per_second < 1 or per_minute <= per_second:
            raise UsageError(
                f"need 1 <= per_second < per_minute, got per_second={per_second}, "
                f"per_minute={per_minute}"
            )
        check_windows(second, minute, margin)
        self.per_second = per_second
        self.per_minute = per_minute
        self.second = second + margin
        self.minute = minute + margin
        self._loop = asyncio.get_running_loop()
        burst = per_second
        drain_per_s = (per_minute - burst) / self.minute
        # AsyncLimiter(max_rate, time_period) has capacity max_rate, draining at
        # max_rate / time_period; choose time_period so it drains at drain_per_s.
        self._bucket = AsyncLimiter(burst, burst / drain_per_s)
        self._recent: collections.deque[float] = collections.deque(maxlen=per_second)
        self._gate = asyncio.Lock()
        self._paused_until = 0.0
        self.acquired = 0  # requests admitted
        self.delayed = 0  # of which had to wait
        self.total_wait = 0.0  # seconds spent waiting, summed over requests

    def _now(self) -> float:
        return self._loop.time()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._now() + max(0.0, seconds))

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._now())

    async def acquire(self) -> None:
        asked = self._now()
        # Nothing inside the gate awaits unless it must wait, so a locked gate means
        # an earlier caller is waiting for capacity, and so will this one.
        delayed = self._gate.locked()
        async with self._gate:  # asyncio.Lock wakes waiters in FIFO order
            # A deadline, not an event: it may move later (a 429 pause), so re-check.
            while (wait := self._guard_wait()) > 0:
                delayed = True
                await asyncio.sleep(wait)
            delayed = delayed or not self._bucket.has_capacity()
            # Cancellation-safe: aiolimiter counts a waiter only once it is admitted.
            await self._bucket.acquire()
            now = self._now()
            self._recent.append(now)
        self.acquired += 1
        if delayed:
            self.delayed += 1
            self.total_wait += now - asked

    def _guard_wait(self) -> float:
        now = self._now()
        wait = self._paused_until - now
        if len(self._recent) == self.per_second:
            wait = max(wait, self._recent[0] + self.second - now)
        return wait


# One limiter per event loop and API host: Altegio counts requests per IP, so all
# clients of a process share the budget unless given a limiter of their own.  (A
# limiter cannot cross event loops; a process runs one loop in the normal case.
# Several processes behind one IP need a shared backend: implement ``Limiter``.)
_SHARED: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Limiter]] = (
    weakref.WeakKeyDictionary()
)


def shared_limiter(host: str) -> Limiter:
    """The process-wide limiter for ``host`` in the running event loop."""
    per_loop = _SHARED.setdefault(asyncio.get_running_loop(), {})
    if host not in per_loop:
        per_loop[host] = AltegioRateLimiter()
    return per_loop[host]
