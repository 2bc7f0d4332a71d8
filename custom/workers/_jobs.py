"""The producer's side: jobs that name a task and a location, enqueued on SAQ, waited for."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs
from saq import Job, Queue, Status
from saq.job import TERMINAL_STATUSES

from .._errors import UsageError
from ._context import Json
from ._settings import JOB_FUNCTION


@attrs.frozen
class LocationJob:
    """A task to run for one location: ``LocationJob("export_clients", 4564, {"pages": [1, 10]})``.

    ``key`` names the job in the queue (and its journal); by default it is made from
    the task, the location and the parameters, so enqueuing the same job twice
    while it is pending or running does not run it twice.
    """

    task: str
    location_id: int
    params: Mapping[str, Json] = attrs.field(factory=dict)
    key: str | None = None

    @property
    def job_key(self) -> str:
        if self.key is not None:
            return self.key
        digest = hashlib.sha256(json.dumps(self.params, sort_keys=True).encode()).hexdigest()
        return f"{self.task}:{self.location_id}:{digest[:16]}"


async def enqueue(
    queue: Queue,
    jobs: Iterable[LocationJob],
    *,
    heartbeat: int = 20,
    retries: int = 3,
    timeout: int = 3600,
    ttl: int = 86400,
    retry_delay: float = 1.0,
) -> list[Job]:
    """Put ``jobs`` on ``queue`` for the workers (``worker_settings``); the SAQ jobs.

    ``heartbeat``: seconds without a beat after which a job's worker is taken for
    dead and the job is given to another (after SAQ's next sweep); ``retries``:
    attempts in all; ``timeout``: seconds a job may run (0: no limit); ``ttl``:
    seconds its result is kept.  A job already pending under the same key is not
    added twice: the stored one is returned.
    """
    if retries < 1 or heartbeat < 0:
        raise UsageError(f"need retries >= 1 and heartbeat >= 0, got {retries}, {heartbeat}")
    out = []
    for spec in jobs:
        job = Job(
            JOB_FUNCTION,
            kwargs={
                "task": spec.task,
                "location_id": spec.location_id,
                "params": dict(spec.params),
            },
            key=spec.job_key,
            heartbeat=heartbeat,
            retries=retries,
            timeout=timeout,
            ttl=ttl,
            retry_delay=retry_delay,
        )
        await job.enqueue(queue)  # refreshed from Redis if that key is already pending
        out.append(job)
    return out


async def wait(
    queue: Queue,
    jobs: Sequence[Job],
    *,
    timeout: float | None = None,
    poll: float = 0.2,
    on_poll: Callable[[list[Job]], object] | None = None,
) -> list[Job]:
    """Wait until every job is complete, failed or aborted; their latest state, in order
    (``job.status``, ``job.result``, ``job.error``, ``job.attempts``, ``job.meta``).

    ``on_poll`` gets the latest state of all of them at each poll (progress bars).
    Raises ``TimeoutError`` after ``timeout`` seconds.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        latest = await queue.jobs(job.key for job in jobs)
        current = [new or old for new, old in zip(latest, jobs, strict=True)]
        if on_poll is not None:
            on_poll(current)
        if all(job.status in TERMINAL_STATUSES for job in current):
            return current
        if deadline is not None and time.monotonic() > deadline:
            pending = sum(job.status not in TERMINAL_STATUSES for job in current)
            raise TimeoutError(f"{pending} of {len(current)} jobs still running")
        await asyncio.sleep(poll)


def failed(jobs: Iterable[Job]) -> list[Job]:
    """The jobs that did not complete."""
    return [job for job in jobs if job.status != Status.COMPLETE]


__all__ = ["LocationJob", "enqueue", "failed", "wait"]
