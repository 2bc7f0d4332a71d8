"""A job's journal: which of its non-idempotent calls took effect, across its attempts.

A queue retries a job whose worker died, and the retry runs the job's code from
the start.  Reads may repeat; a booking must not.  Each such call goes through
``Journal.once(step, send, find)``, which keeps one Redis hash per job:

1. the step's entry says ``done``: the call took effect in an earlier attempt;
   its recorded value is returned and nothing is sent;
2. no entry: the entry is set to ``sending``, the call is sent, and its value is
   recorded as ``done``.  If Altegio answers with an error (4xx, 429), nothing
   took effect: the entry is removed and the error raised;
3. the entry says ``sending``: an earlier attempt sent the call (or was about to)
   and did not live to record the reply, or the reply was lost (a timeout, a 5xx,
   a reset).  The call may have taken effect.  ``find()`` asks Altegio: an
   appointment carries the ``api_id`` it was created with, so the day's list of
   the team member shows whether it exists.  Found: recorded as ``done``, not
   sent.  Not found: it never took effect, and it is sent again.  Without
   ``find`` the job stops with ``UnconfirmedCallError`` rather than guess.

Step 3 must see a finished attempt, never one still running: an attempt holds
the job's lease (``_lease.py``) and checks it before marking a call ``sending``,
so two attempts never send at once, and a dead worker's lease has expired before
its job runs again.  What the journal cannot cover: a request still inside
Altegio after its worker died and the lease expired (its ``find`` may come too
early), and a call whose effect ``find`` cannot see.  The journal also keeps the
job's result once a run finishes, and counts finished runs, so a job that ran to
the end is never run again.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from .._errors import AltegioError, APIError
from ._lease import Lease

T = TypeVar("T")

_RESULT = "result"
_RUNS = "runs"


class UnconfirmedCallError(AltegioError):
    """A non-idempotent call of an earlier attempt may have taken effect, and there is
    no ``find`` to tell: the job stops instead of sending it again."""

    def __init__(self, step: str) -> None:
        super().__init__(
            f"step {step!r} was sent by an earlier attempt whose outcome is unknown, and "
            "there is no find() to check it: not sending it again"
        )
        self.step = step


def refused(error: BaseException) -> bool:
    """True when Altegio answered and so certainly did not act: a 4xx or a 429."""
    return isinstance(error, APIError) and error.status_code < 500


class Journal:
    """One job's journal in Redis (a hash, kept ``ttl`` seconds after its last write).

    Values are stored as JSON: what ``send`` and ``find`` return must be JSON values
    (an id, a list of ids, a dict of them), and never a secret.
    """

    def __init__(self, redis: Any, key: str, ttl: int, lease: Lease | None = None) -> None:
        self._redis = redis
        self.key = key
        self._ttl = ttl
        self.lease = lease

    def __repr__(self) -> str:
        return f"<Journal {self.key!r}>"

    async def _set(self, field: str, entry: object) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.key, field, json.dumps(entry))
            pipe.expire(self.key, self._ttl)
            await pipe.execute()

    async def entry(self, step: str) -> dict[str, Any] | None:
        """The step's entry (``{"state": "sending" | "done", "value": ...}``), if any."""
        raw = await self._redis.hget(self.key, f"step:{step}")
        return None if raw is None else cast(dict[str, Any], json.loads(raw))

    async def once(
        self,
        step: str,
        send: Callable[[], Awaitable[T]],
        find: Callable[[], Awaitable[T | None]] | None = None,
    ) -> T:
        """``send()`` once for this job, whatever its attempts; see the module docstring."""
        field = f"step:{step}"
        entry = await self.entry(step)
        if entry is not None and entry["state"] == "done":
            return cast(T, entry["value"])
        if entry is not None:  # "sending": an earlier attempt's outcome is unknown
            if find is None:
                raise UnconfirmedCallError(step)
            found = await find()
            if found is not None:
                await self._set(field, {"state": "done", "value": found})
                return found
        if self.lease is not None:
            await self.lease.check()  # no other attempt of this job is running
        await self._set(field, {"state": "sending"})
        try:
            value = await send()
        except BaseException as exc:
            if refused(exc):
                await self._redis.hdel(self.key, field)
            raise
        await self._set(field, {"state": "done", "value": value})
        return value

    async def result(self) -> tuple[bool, Any]:
        """(True, the result) if a run of the job finished, else (False, None)."""
        raw = await self._redis.hget(self.key, _RESULT)
        return (False, None) if raw is None else (True, json.loads(raw))

    async def finish(self, value: object) -> None:
        """Record the job's result and count the finished run."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.key, _RESULT, json.dumps(value))
            pipe.hincrby(self.key, _RUNS, 1)
            pipe.expire(self.key, self._ttl)
            await pipe.execute()

    async def runs(self) -> int:
        """How many runs of the job finished (1 once it is done, whatever the retries)."""
        return int(await self._redis.hget(self.key, _RUNS) or 0)


__all__ = ["Journal", "UnconfirmedCallError", "refused"]
