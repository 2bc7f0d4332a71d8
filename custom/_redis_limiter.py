"""Altegio's per-IP limits shared by every process and host behind one IP, in Redis.

::

    limiter = RedisRateLimiter("redis://10.0.0.5:6379/0")
    async with AltegioClient(partner_token="...", limiter=limiter) as client:
        ...

Needs the ``redis`` extra (``pip install 'altegio-async[redis]'``, redis-py).  Each
admission is decided by one Lua script, so it is atomic across processes: the
script reads Redis's own clock (one clock for every host, no skew between
them), drops admissions older than the minute window from a sorted set, and
admits the request only if, counting it, no window of ``second`` holds more than
``per_second`` and no window of ``minute`` more than ``per_minute``.  That is
the strict sliding-window rule itself, so both limits hold by construction and
the whole budget is usable.  Otherwise it answers how long to wait, and the
caller sleeps that long and asks again.

A 429 (``pause``) sets a key with the ``Retry-After`` as its expiry; every
process waits it out.  Within a process, waiters queue first come, first served;
across processes the order is whoever asks first after a wait.  A call
cancelled while its script runs may have been counted: that wastes one slot,
never exceeds the limit.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
from typing import Any

from ._errors import UsageError
from ._limiter import check_windows

try:
    from redis import asyncio as aioredis
except ImportError as exc:  # pragma: no cover - exercised by make wheel-check
    raise ImportError(
        "RedisRateLimiter needs the 'redis' extra: pip install 'altegio-async[redis]'"
    ) from exc

# KEYS: admissions (sorted set, score = ms), pause flag.
# ARGV: per_second, second_ms, per_minute, minute_ms, member.
# Returns 0 if admitted, else the milliseconds to wait.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local per_second, second = tonumber(ARGV[1]), tonumber(ARGV[2])
local per_minute, minute = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - minute)
local count = redis.call('ZCARD', KEYS[1])
local wait = 0
if count >= per_minute then
  local oldest = redis.call('ZRANGE', KEYS[1], count - per_minute, count - per_minute, 'WITHSCORES')
  wait = tonumber(oldest[2]) + minute - now
end
if count >= per_second then
  local nth = redis.call('ZRANGE', KEYS[1], count - per_second, count - per_second, 'WITHSCORES')
  wait = math.max(wait, tonumber(nth[2]) + second - now)
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('PEXPIRE', KEYS[1], minute)
return 0
"""

# KEYS: pause flag.  ARGV: ms.  Extends a pause, never shortens it.
_PAUSE = """
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 1 end
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'GT')
return 1
"""


class RedisRateLimiter:
    """Implements the client's ``Limiter`` with a sliding-window log in Redis.

    Args:
        url: a redis-py URL, or pass ``redis=`` an existing ``redis.asyncio.Redis``.
        key: the namespace of the shared state; one per outgoing IP and API host.
        per_second, per_minute, second, minute, margin: as for AltegioRateLimiter.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        redis: Any = None,
        key: str = "altegio-async:api.alteg.io",
        per_second: int = 5,
        per_minute: int = 200,
        second: float = 1.0,
        minute: float = 60.0,
        margin: float = 0.25,
    ) -> None:
        if (url is None) == (redis is None):
            raise UsageError("pass exactly one of url= and redis=")
        if per_second < 1 or per_minute < per_second:
            raise UsageError(f"need 1 <= per_second <= per_minute, got {per_second}, {per_minute}")
        check_windows(second, minute, margin)
        self._redis = redis if url is None else aioredis.from_url(url)
        self._owns_redis = redis is None
        self._keys = [f"{key}:admitted", f"{key}:paused"]
        self._args = [
            per_second,
            round((second + margin) * 1000),
            per_minute,
            round((minute + margin) * 1000),
        ]
        self._admit = self._redis.register_script(_ADMIT)
        self._pause = self._redis.register_script(_PAUSE)
        self._gate: asyncio.Lock | None = None
        self._ids = itertools.count()
        self._origin = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._pauses: set[asyncio.Future[Any]] = set()
        self._local_pause = 0.0
        self.acquired = 0
        self.delayed = 0

    def __repr__(self) -> str:
        # No URL: it may hold a password.
        return f"<RedisRateLimiter key={self._keys[0].rsplit(':', 1)[0]!r}>"

    async def acquire(self) -> None:
        if self._gate is None:
            self._gate = asyncio.Lock()  # created in the running loop, on first use
        delayed = self._gate.locked()
        async with self._gate:
            loop = asyncio.get_running_loop()
            while (local := self._local_pause - loop.time()) > 0:
                delayed = True
                await asyncio.sleep(local)
            while True:
                member = f"{self._origin}:{next(self._ids)}"
                wait_ms = int(await self._admit(keys=self._keys, args=[*self._args, member]))
                if wait_ms <= 0:
                    break
                delayed = True
                await asyncio.sleep(wait_ms / 1000)
        self.acquired += 1
        self.delayed += delayed

    def pause(self, seconds: float) -> None:
        """Stop every process sharing the key for ``seconds`` (after a 429)."""
        ms = max(1, round(seconds * 1000))
        future = asyncio.ensure_future(self._pause(keys=self._keys[1:], args=[ms]))
        self._pauses.add(future)  # keep it alive until Redis has it
        future.add_done_callback(self._paused)
        loop = asyncio.get_running_loop()
        self._local_pause = max(self._local_pause, loop.time() + seconds)  # before Redis has it

    def _paused(self, future: asyncio.Future[Any]) -> None:
        self._pauses.discard(future)
        if not future.cancelled():
            future.exception()  # retrieved; a Redis outage shows up in acquire() instead

    async def aclose(self) -> None:
        if self._pauses:
            await asyncio.gather(*self._pauses, return_exceptions=True)
        if self._owns_redis:
            await self._redis.aclose()


__all__ = ["RedisRateLimiter"]
