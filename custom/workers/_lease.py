"""One attempt of a job at a time: a lease in Redis that the running attempt renews.

A queue may start a job again while an earlier attempt still runs: a worker that
stalled past its heartbeat is taken for dead, and a sweep that reads a stale list
of active jobs re-queues jobs that are alive or even done (seen with SAQ 0.26).
Two attempts at once would defeat the journal: each could find the other's call
not yet made and send it.  So an attempt first takes the job's lease (``SET NX``
with an expiry), renews it with the heartbeat, checks it before each
non-idempotent call, and gives it back at the end.  A later attempt waits for the
lease; one whose worker died finds it expired after ``ttl``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .._errors import AltegioError

# KEYS: the lease.  ARGV: the owner, the expiry (ms).  Renews only the owner's lease.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# KEYS: the lease.  ARGV: the owner.  Deletes only the owner's lease.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LeaseLostError(AltegioError):
    """Another attempt of the job took over (this one stalled past its lease): this
    attempt stops before its next non-idempotent call."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the lease {key!r} passed to another attempt of the job")
        self.key = key


class Lease:
    """The lease ``key`` for ``owner`` (one attempt), expiring ``ttl`` seconds after
    it was taken or last renewed."""

    def __init__(self, redis: Any, key: str, owner: str, ttl: float) -> None:
        self._redis = redis
        self.key = key
        self.owner = owner
        self._ms = max(1, round(ttl * 1000))
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    def __repr__(self) -> str:
        return f"<Lease {self.key!r} owner={self.owner!r}>"

    async def acquire(self) -> None:
        """Wait until the lease is this attempt's."""
        while True:  # polled: the holder may be another host
            if await self._redis.set(self.key, self.owner, nx=True, px=self._ms):
                return
            await asyncio.sleep(min(1.0, self._ms / 4000))

    async def renew(self) -> bool:
        """Extend the lease; False if it is no longer this attempt's."""
        return bool(await self._renew(keys=[self.key], args=[self.owner, self._ms]))

    async def check(self) -> None:
        """Raise ``LeaseLostError`` unless the lease is still this attempt's."""
        held = await self._redis.get(self.key)
        if held is None or (held.decode() if isinstance(held, bytes) else held) != self.owner:
            raise LeaseLostError(self.key)

    async def release(self) -> None:
        await self._release(keys=[self.key], args=[self.owner])


__all__ = ["Lease", "LeaseLostError"]
