"""Server-side rate limits as a strict Altegio would enforce them: sliding windows per IP.

A request is admitted only if, counting it, no window of ``second`` seconds holds
more than ``per_second`` admitted requests and no window of ``minute`` seconds more
than ``per_minute``.  Rejected requests are not counted (they never reached the
booking engine).  The clock is injectable and the windows scale, so tests can
compress a minute into a fraction of a second.

Each source address has windows of its own (``per_address=True``, Altegio's rule),
so clients bound to 127.0.0.2, 127.0.0.3, ... (``httpx.AsyncHTTPTransport(
local_address=...)``) get a budget each from one sandbox; ``per_address=False``
counts every caller in one set of windows, as if they all left through one
address.  What was admitted and refused is counted per address.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable

import attrs


@attrs.frozen
class RateLimits:
    """Altegio's documented limits; ``time_scale=0.05`` turns 60 s into 3 s."""

    per_second: int = 5
    per_minute: int = 200
    time_scale: float = 1.0
    enabled: bool = True
    #: Windows per source address (Altegio's rule); False: one set for every caller.
    per_address: bool = True

    @property
    def second(self) -> float:
        return 1.0 * self.time_scale

    @property
    def minute(self) -> float:
        return 60.0 * self.time_scale


class SlidingWindows:
    """Admission decisions for every client IP; safe to call from any thread."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._admitted: dict[str, collections.deque[float]] = {}
        self.rejected = 0
        #: Requests admitted and refused, by source address (whatever ``per_address``).
        self.admitted_by: collections.Counter[str] = collections.Counter()
        self.rejected_by: collections.Counter[str] = collections.Counter()

    def admit(self, ip: str) -> float | None:
        """Count one request from ``ip``; None if admitted, else seconds until it would be."""
        limits = self.limits
        if not limits.enabled:
            return None
        with self._lock:
            now = self._clock()
            key = ip if limits.per_address else "*"
            times = self._admitted.setdefault(key, collections.deque())
            while times and times[0] <= now - limits.minute:
                times.popleft()
            wait = 0.0
            if len(times) >= limits.per_minute:
                wait = times[-limits.per_minute] + limits.minute - now
            if len(times) >= limits.per_second:
                wait = max(wait, times[-limits.per_second] + limits.second - now)
            if wait > 0:
                self.rejected += 1
                self.rejected_by[ip] += 1
                return wait
            times.append(now)
            self.admitted_by[ip] += 1
            return None
