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

**One budget per egress address.**  Altegio counts per IP: the address its requests
come from.  ``address=`` names it, and the windows are kept under that name, so
clients that leave through the same address share one budget wherever they run,
and clients on different addresses (a host with several, a proxy each) get one
each::

    address = "203.0.113.7"  # the egress IP Altegio sees for this client's requests
    http = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=address))
    limiter = RedisRateLimiter("redis://10.0.0.5:6379/0", address=address)
    client = AltegioClient(partner_token="...", http_client=http, limiter=limiter)

Binding the source address (``local_address``) or going through a proxy
(``httpx.AsyncHTTPTransport(proxy="http://proxy-7:3128")``, named by the address
the proxy sends from) is httpx's; the limiter only has to be told which address
that is.  Without ``address=`` the windows are those of ``key`` alone: one address.

This is the default ("contract") policy of ``AltegioRateLimiter``, kept across
processes and hosts; the budget is one whatever the event loops and threads of each
process (Redis decides every admission).  With ``url=`` it opens one connection
pool per event loop (redis-py's pools belong to a loop); an instance passed as
``redis=`` belongs to the loop of its first use, and another loop gets a
``UsageError``.

A 429 (``pause``) sets a key with the ``Retry-After`` as its expiry; every
process waits it out.  Within an event loop, waiters queue first come, first
served; across loops and processes the order is whoever asks first after a
wait.  A call cancelled while its script runs may have been counted: that wastes
one slot, never exceeds the limit.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import threading
import time
import weakref
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
        key: the namespace of the shared state; one per API host.
        address: the egress address (IP) whose budget this is: the windows are kept
            under ``key`` and this address, shared by every limiter naming both.
        per_second, per_minute, second, minute, margin: as for AltegioRateLimiter.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        redis: Any = None,
        key: str = "altegio-async:api.alteg.io",
        address: str | None = None,
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
        if address is not None and (not address or any(c.isspace() for c in address)):
            raise UsageError(f"address must be an IP address or host name, got {address!r}")
        self.address = address
        namespace = key if address is None else f"{key}:{address}"
        self._url = url
        self._given = redis
        self._given_loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Connection] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()
        self._namespace = namespace
        self._keys = [f"{namespace}:admitted", f"{namespace}:paused"]
        self._args = [
            per_second,
            round((second + margin) * 1000),
            per_minute,
            round((minute + margin) * 1000),
        ]
        self._ids = itertools.count()
        self._origin = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._pauses: set[asyncio.Future[Any]] = set()
        self._local_pause = 0.0
        self.acquired = 0
        self.delayed = 0

    def __repr__(self) -> str:
        # No URL: it may hold a password.
        return f"<RedisRateLimiter key={self._namespace!r}>"

    def _connection(self) -> _Connection:
        """This event loop's Redis client, scripts and FIFO gate."""
        loop = asyncio.get_running_loop()
        with self._lock:
            found = self._per_loop.get(loop)
            if found is None:
                if self._given is not None:
                    if self._given_loop is not None and self._given_loop() is not loop:
                        raise UsageError(
                            "this RedisRateLimiter was given a redis client bound to another "
                            "event loop; pass url= to get one connection pool per loop"
                        )
                    self._given_loop = weakref.ref(loop)
                client = (
                    self._given if self._given is not None else aioredis.from_url(str(self._url))
                )
                found = self._per_loop[loop] = _Connection(client)
            return found

    async def acquire(self) -> None:
        connection = self._connection()
        delayed = connection.gate.locked()
        async with connection.gate:
            while (local := self._local_pause - time.monotonic()) > 0:
                delayed = True
                await asyncio.sleep(local)
            while True:
                member = f"{self._origin}:{next(self._ids)}"
                reply = await connection.admit(keys=self._keys, args=[*self._args, member])
                wait_ms = int(reply)
                if wait_ms <= 0:
                    break
                delayed = True
                await asyncio.sleep(wait_ms / 1000)
        with self._lock:
            self.acquired += 1
            self.delayed += delayed

    def pause(self, seconds: float) -> None:
        """Stop every process sharing the key for ``seconds`` (after a 429)."""
        ms = max(1, round(seconds * 1000))
        connection = self._connection()
        future = asyncio.ensure_future(connection.pause(keys=self._keys[1:], args=[ms]))
        self._pauses.add(future)  # keep it alive until Redis has it
        future.add_done_callback(self._paused)
        until = time.monotonic() + seconds  # before Redis has it
        with self._lock:
            self._local_pause = max(self._local_pause, until)

    def _paused(self, future: asyncio.Future[Any]) -> None:
        self._pauses.discard(future)
        if not future.cancelled():
            future.exception()  # retrieved; a Redis outage shows up in acquire() instead

    async def aclose(self) -> None:
        """Close this event loop's connection pool (if this limiter opened it)."""
        if self._pauses:
            await asyncio.gather(*self._pauses, return_exceptions=True)
        with self._lock:
            connection = self._per_loop.pop(asyncio.get_running_loop(), None)
        if connection is not None and self._given is None:
            await connection.client.aclose()


class _Connection:
    """One event loop's Redis client, its registered scripts and its FIFO gate."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.admit = client.register_script(_ADMIT)
        self.pause = client.register_script(_PAUSE)
        self.gate = asyncio.Lock()


__all__ = ["RedisRateLimiter"]
