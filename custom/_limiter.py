"""Client-side rate limiting: Altegio's documented contract, one budget per process.

Altegio documents two limits per IP: "200 requests per minute, 5 requests per
second".  A client that never sends more than 5 in any second and 200 in any
minute keeps that contract whatever window arithmetic the server uses, so the
default policy enforces exactly that:

- ``policy="contract"`` (default): a sliding-window guard on both windows.  A
  request is admitted only if, counting it, no window of ``second`` holds more
  than ``per_second`` and no window of ``minute`` more than ``per_minute``.  A
  batch runs at 5/s until the minute's 200 are used, then waits for the oldest to
  leave the window: 230 calls take 65 s (the optimum), 200 calls 39 s.
- ``policy="smooth"``: the same guard behind an even pace, for callers who prefer
  spacing to bursts: an aiolimiter bucket (per event loop: aiolimiter is bound to
  one) of capacity ``per_second`` draining ``(per_minute - per_second)`` per
  minute.  After the first burst it paces at 195/60 = 3.25/s: 230 calls take about
  69.5 s (0.935 of the optimum), 200 calls about 60 s, a 300-call batch about 91 s.

``margin`` (seconds) widens both windows: a request admitted here reaches Altegio
a little later, and requests do not arrive in the order they left (a cold start's
burst opens new connections while later requests reuse them).  It costs the
contract policy ``6 * margin`` over a 230-call batch: with the default 0.15 s,
65.9 s instead of 65 s (0.986 of the optimum).  A 429 that slips through anyway
is retried (Altegio refuses a 429'd request unprocessed) and pauses every caller.

**One budget per process.**  The guard's state lives outside any event loop: a
thread-safe record of admissions on the monotonic clock.  Every client, session,
event loop and thread of a process that talks to one API host shares it
(``shared_limiter``), so a second ``asyncio.run()`` sees the first one's requests
and thread-per-loop servers cannot exceed the limit together.  Waiters from every
loop queue first come, first served; a cancelled waiter has consumed nothing.
Several processes behind one IP share a budget through ``RedisRateLimiter``.
"""

from __future__ import annotations

import collections
import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, Protocol

from ._errors import UsageError

if TYPE_CHECKING:
    import asyncio

    from aiolimiter import AsyncLimiter

Policy = Literal["contract", "smooth"]


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


class _Waiter:
    """A caller queued for admission; ``turn`` resolves (in its own loop) at the head."""

    __slots__ = ("loop", "turn")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.turn: asyncio.Future[None] = loop.create_future()


def _take_turn(turn: asyncio.Future[None]) -> None:
    if not turn.done():
        turn.set_result(None)


class AltegioRateLimiter:
    """Altegio's per-IP limits for every event loop and thread of a process.

    Args:
        per_second, per_minute: the documented limits (5 and 200).
        second, minute: the window lengths (tests compress them).
        margin: seconds added to both windows (see the module docstring).
        policy: ``"contract"`` (default) or ``"smooth"``.
        clock: a monotonic clock in seconds, shared by every loop that uses this
            limiter (``time.monotonic``, which asyncio's loops use too).
    """

    def __init__(
        self,
        per_second: int = 5,
        per_minute: int = 200,
        *,
        second: float = 1.0,
        minute: float = 60.0,
        margin: float = 0.15,
        policy: Policy = "contract",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_second < 1 or per_minute <= per_second:
            raise UsageError(
                f"need 1 <= per_second < per_minute, got per_second={per_second}, "
                f"per_minute={per_minute}"
            )
        check_windows(second, minute, margin)
        if policy not in ("contract", "smooth"):
            raise UsageError(f"policy must be 'contract' or 'smooth', got {policy!r}")
        self.per_second = per_second
        self.per_minute = per_minute
        self.second = second + margin
        self.minute = minute + margin
        self.policy: Policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._admitted: collections.deque[float] = collections.deque(maxlen=per_minute)
        self._queue: collections.deque[_Waiter] = collections.deque()
        self._paused_until = float("-inf")
        self._buckets: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncLimiter] = (
            weakref.WeakKeyDictionary()
        )
        self.acquired = 0  # requests admitted
        self.delayed = 0  # of which had to wait
        self.total_wait = 0.0  # seconds spent waiting, summed over requests

    def __repr__(self) -> str:
        return (
            f"<AltegioRateLimiter {self.policy} {self.per_second}/{self.second:g}s "
            f"{self.per_minute}/{self.minute:g}s>"
        )

    def pause(self, seconds: float) -> None:
        """Admit nothing for ``seconds`` (Altegio answered 429); a longer pause wins."""
        with self._lock:
            until = self._clock() + max(0.0, seconds)
            self._paused_until = max(self._paused_until, until)

    @property
    def waiting(self) -> int:
        """Callers queued for admission right now (from any loop)."""
        with self._lock:
            return len(self._queue)

    @property
    def paused_for(self) -> float:
        """Seconds left in the current pause (0 when not paused)."""
        return max(0.0, self._paused_until - self._clock())

    async def acquire(self) -> None:
        """Wait until Altegio's windows have room for one more request, and count it."""
        import asyncio  # not imported with the package (import time)

        loop = asyncio.get_running_loop()
        asked = self._clock()
        delayed = False
        if self.policy == "smooth":
            bucket = self._bucket(loop)
            delayed = not bucket.has_capacity()
            await bucket.acquire()  # cancellation-safe: counted once admitted
        with self._lock:
            # Counted from now, not from when it asked: the smooth policy's pace may
            # have kept it waiting, and a window that counted it from then would
            # let the next requests through early (seen: 429s with several loops).
            now = self._clock()
            if not self._queue and self._wait(now) <= 0:
                self._admit(now, asked, delayed)
                return
            waiter = _Waiter(loop)
            self._queue.append(waiter)
            if self._queue[0] is waiter:
                _take_turn(waiter.turn)
        try:
            await waiter.turn
            while True:
                with self._lock:
                    now = self._clock()
                    wait = self._wait(now)
                    if wait <= 0:
                        self._queue.popleft()  # this waiter: only the head gets here
                        self._admit(now, asked, True)
                        self._wake_head()
                        return
                await asyncio.sleep(wait)  # a deadline that may move later (a pause)
        except BaseException:
            with self._lock:
                was_head = bool(self._queue) and self._queue[0] is waiter
                try:
                    self._queue.remove(waiter)
                except ValueError:  # admitted just before the cancellation landed
                    pass
                if was_head:
                    self._wake_head()
            raise

    def _bucket(self, loop: asyncio.AbstractEventLoop) -> AsyncLimiter:
        with self._lock:
            bucket = self._buckets.get(loop)
            if bucket is None:
                drain_per_s = (self.per_minute - self.per_second) / self.minute
                # AsyncLimiter(max_rate, time_period) holds max_rate, draining
                # max_rate / time_period per second.
                from aiolimiter import AsyncLimiter  # only the smooth policy needs it

                bucket = AsyncLimiter(self.per_second, self.per_second / drain_per_s)
                self._buckets[loop] = bucket
            return bucket

    def _wait(self, now: float) -> float:
        """Seconds until one more request fits both windows (and any pause)."""
        admitted = self._admitted
        wait = self._paused_until - now
        if len(admitted) >= self.per_second:
            wait = max(wait, admitted[-self.per_second] + self.second - now)
        if len(admitted) == self.per_minute:
            wait = max(wait, admitted[0] + self.minute - now)
        return wait

    def _admit(self, now: float, asked: float, delayed: bool) -> None:
        self._admitted.append(now)
        self.acquired += 1
        if delayed:
            self.delayed += 1
            self.total_wait += now - asked

    def _wake_head(self) -> None:
        """Tell the new head of the queue, in its own loop, that its turn has come."""
        while self._queue:
            head = self._queue[0]
            try:
                head.loop.call_soon_threadsafe(_take_turn, head.turn)
                return
            except RuntimeError:  # its loop is closed: nobody is waiting there any more
                self._queue.popleft()


# One limiter per API host for the whole process: Altegio counts requests per IP, so
# every client, event loop and thread shares the budget unless given its own limiter.
_SHARED: dict[str, AltegioRateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(host: str) -> AltegioRateLimiter:
    """The process-wide limiter for ``host``."""
    with _SHARED_LOCK:
        limiter = _SHARED.get(host)
        if limiter is None:
            limiter = _SHARED[host] = AltegioRateLimiter()
        return limiter
