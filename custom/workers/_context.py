"""What a task gets: the worker's client, its job's location and parameters, progress, once."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from .._errors import UsageError
from ._journal import Journal

if TYPE_CHECKING:
    from saq import Job

    from .._client import AltegioClient, BusinessSession

T = TypeVar("T")

#: What a job's parameters and results are made of: they travel through Redis as JSON.
Json: TypeAlias = dict[str, "Json"] | list["Json"] | str | int | float | bool | None

PROGRESS_EVERY = 0.2  # seconds between progress writes (the last one always goes)


class JobContext:
    """The running job, as its task sees it.

    ``client`` is the worker process's ``AltegioClient`` (one per process, for its
    lifetime, bound to the worker's egress address and its budget); ``staff`` its
    business user's session.  ``location_id`` and ``params`` are what the job named
    (``params`` as they came back from JSON: numbers, text, lists and dicts).
    """

    def __init__(
        self,
        *,
        client: AltegioClient,
        staff: BusinessSession | None,
        job: Job,
        location_id: int,
        params: Mapping[str, Any],
        journal: Journal,
        address: str,
    ) -> None:
        self.client = client
        self._staff = staff
        self._job = job
        self.location_id = location_id
        self.params = params
        self.journal = journal
        self.address = address
        self._last_progress = 0.0

    def __repr__(self) -> str:
        return f"<JobContext {self.key!r} location={self.location_id} attempt={self.attempt}>"

    @property
    def key(self) -> str:
        """The job's key in the queue (the same in every attempt)."""
        return self._job.key

    @property
    def attempt(self) -> int:
        """1 for the first run of the job, 2 for its first retry..."""
        return self._job.attempts

    @property
    def staff(self) -> BusinessSession:
        """The worker's business user session (``WorkerConfig.business_token``)."""
        if self._staff is None:
            raise UsageError("this worker has no business_token: set ALTEGIO_BUSINESS_TOKEN")
        return self._staff

    def api_id(self, step: str) -> str:
        """An external id for ``step`` of this job, the same in every attempt (24 hex
        digits), for Altegio's ``api_id`` where the job has no id of its own."""
        return hashlib.sha256(f"{self.journal.key}\0{step}".encode()).hexdigest()[:24]

    async def progress(self, done: int, total: int | None = None, **info: Json) -> None:
        """Report progress: stored on the queue's job (``job.progress`` 0..1 when
        ``total`` is known, ``job.meta``); writes at most every 0.2 s, and the last."""
        now = time.monotonic()
        last = total is not None and done >= total
        if not last and now - self._last_progress < PROGRESS_EVERY:
            return
        self._last_progress = now
        meta: dict[str, Any] = {**self._job.meta, "done": done, "total": total, **info}
        fraction = min(1.0, done / total) if total else self._job.progress
        await self._job.update(progress=fraction, meta=meta)

    async def once(
        self,
        step: str,
        send: Callable[[], Awaitable[T]],
        find: Callable[[], Awaitable[T | None]] | None = None,
    ) -> T:
        """Make a non-idempotent call at most once for this job, across its attempts
        (``Journal.once``): a retried job gets the recorded value instead."""
        return await self.journal.once(step, send, find)


Task: TypeAlias = Callable[[JobContext], Awaitable[object]]
"""A task: ``async def export_clients(ctx: JobContext) -> dict[str, int]``; its result
must be JSON (it is stored in Redis as the job's result)."""


__all__ = ["JobContext", "Json", "Task"]
