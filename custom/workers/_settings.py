"""SAQ worker settings holding one AltegioClient per worker process, for its lifetime.

::

    # myapp/worker.py; run with: saq myapp.worker.settings
    settings = worker_settings(WorkerConfig.from_env(), tasks={"export_clients": export_clients})

At startup the worker process makes its client: connections bound to the
configured source address or proxy, a ``RedisRateLimiter`` keyed by the egress
address (every process on that address shares its windows, whichever host it
runs on), the business user's session.  Each job runs its named task with a
``JobContext``; a background beat keeps the job's heartbeat fresh while the task
waits on the rate limit, so only a worker that died stops beating, and SAQ's
sweep hands its job to another worker.  The task's result is stored as the job's
result (and in the job's journal, so a job that finished is never run again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Mapping

import httpx
from redis import asyncio as aioredis
from saq import Job
from saq.queue.redis import RedisQueue
from saq.types import Context, SettingsDict

from .._client import DEFAULT_LIMITS, DEFAULT_TIMEOUT, AltegioClient, BusinessSession
from .._errors import UsageError
from .._pool import CookielessClient
from .._redis_limiter import RedisRateLimiter
from ._config import WorkerConfig
from ._context import JobContext, Json, Task
from ._journal import Journal
from ._lease import Lease

logger = logging.getLogger("altegio_async.workers")

#: The name of the one SAQ function every job runs (it dispatches to the named task).
JOB_FUNCTION = "altegio_job"
#: Seconds a job's lease lasts when its job has no heartbeat to renew it by.
LEASE_WITHOUT_BEAT = 300


def journal_key(namespace: str, queue: str, job_key: str) -> str:
    """The Redis key of a job's journal."""
    return f"{namespace}:journal:{queue}:{job_key}"


def egress_pool(config: WorkerConfig) -> httpx.AsyncClient:
    """A connection pool whose connections leave through the configured source address
    or proxy (httpx's own options), without a cookie jar, as the client's own pool."""
    transport = httpx.AsyncHTTPTransport(
        local_address=config.local_address, proxy=config.proxy, limits=DEFAULT_LIMITS
    )
    return CookielessClient(transport=transport, timeout=DEFAULT_TIMEOUT, follow_redirects=False)


class _Worker:
    """One worker process's state: its client, limiter and pool, made at startup."""

    def __init__(self, config: WorkerConfig, tasks: Mapping[str, Task], queue: RedisQueue) -> None:
        self.config = config
        self.tasks = dict(tasks)
        self.queue = queue
        self.origin = f"{socket.gethostname()}:{os.getpid()}"
        self.client: AltegioClient | None = None
        self.staff: BusinessSession | None = None
        self._pool: httpx.AsyncClient | None = None
        self._limiter: RedisRateLimiter | None = None

    async def startup(self, ctx: Context) -> None:
        config = self.config
        self.origin = f"{socket.gethostname()}:{os.getpid()}"  # a forked worker's own
        windows = config.windows
        self._limiter = RedisRateLimiter(
            config.redis_url,
            key=f"{config.namespace}:{httpx.URL(config.base_url).host}",
            address=config.address,
            per_second=windows.per_second,
            per_minute=windows.per_minute,
            second=windows.second,
            minute=windows.minute,
            margin=windows.margin,
        )
        self._pool = egress_pool(config)
        self.client = AltegioClient(
            config.partner_token,
            base_url=config.base_url,
            app_base_url=config.app_base_url,
            http_client=self._pool,
            limiter=self._limiter,
        )
        if config.business_token is not None:
            self.staff = self.client.with_business_token(config.business_token)
        logger.info("worker %s on %s: tasks %s", self.origin, config.address, sorted(self.tasks))

    async def shutdown(self, ctx: Context) -> None:
        if self.client is not None:
            await self.client.aclose()
        if self._pool is not None:
            await self._pool.aclose()
        if self._limiter is not None:
            await self._limiter.aclose()

    async def run(
        self, ctx: Context, *, task: str, location_id: int, params: dict[str, Json]
    ) -> object:
        """The SAQ function: runs ``task`` for the job in ``ctx``, once to the end."""
        job = ctx["job"]
        if self.client is None:
            raise UsageError("the worker's startup did not run")
        function = self.tasks.get(task)
        if function is None:
            raise UsageError(f"no task {task!r} in this worker (it has {sorted(self.tasks)})")
        key = journal_key(self.config.namespace, self.queue.name, job.key)
        owner = f"{self.origin}:{job.attempts}:{uuid.uuid4().hex[:8]}"
        lease = Lease(self.queue.redis, f"{key}:lease", owner, job.heartbeat or LEASE_WITHOUT_BEAT)
        journal = Journal(self.queue.redis, key, self.config.journal_ttl, lease)
        await job.update(meta={**job.meta, "worker": self.origin, "address": self.config.address})
        stop = asyncio.Event()
        beat = asyncio.create_task(_beat(job, lease, stop))
        try:
            await lease.acquire()  # another attempt may still run: wait for it
            try:
                finished, result = await journal.result()
                if finished:  # an earlier attempt ran to the end and died before SAQ knew
                    return result
                context = JobContext(
                    client=self.client,
                    staff=self.staff,
                    job=job,
                    location_id=location_id,
                    params=params,
                    journal=journal,
                    address=self.config.address,
                )
                value = await function(context)
                try:
                    await journal.finish(value)
                except TypeError:
                    kind = type(value).__name__
                    raise UsageError(f"task {task!r} returned a {kind}: results are JSON") from None
                return value
            finally:
                await lease.release()
        finally:
            stop.set()  # not cancel(): a cancel landing inside a Redis call can be lost
            await beat


async def _beat(job: Job, lease: Lease, stop: asyncio.Event) -> None:
    """Until ``stop``: touch the job three times per heartbeat, and renew its lease."""
    period = (job.heartbeat or LEASE_WITHOUT_BEAT) / 3
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), period)
            return
        try:
            if job.heartbeat:
                await job.update()
            await lease.renew()
        except Exception:  # Redis hiccup: the next beat may get through
            logger.warning("heartbeat of job %s failed", job.key, exc_info=True)


class SweepingQueue(RedisQueue):
    """SAQ's Redis queue, whose sweeps wait ``abort_wait`` seconds (SAQ: 5) for each
    stuck job's worker to give it up.  A dead worker never does, and one sweep
    handles its jobs one after another: with 5 s each, a worker that died with four
    jobs had its last one retried 20 s later, and healthy jobs of the sweep's stale
    list looked stuck by then.  The lease keeps attempts apart, so a short wait is
    safe."""

    abort_wait = 1.5

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        return await super().sweep(lock, abort=min(abort, self.abort_wait))


def worker_settings(config: WorkerConfig, tasks: Mapping[str, Task]) -> SettingsDict[Context]:
    """SAQ settings for a worker process (``saq module.settings``): ``config.concurrency``
    jobs at once, each running the task its job names, on one AltegioClient made at
    startup and closed at shutdown."""
    if not tasks:
        raise UsageError("a worker needs at least one task")
    queue = SweepingQueue(aioredis.from_url(config.redis_url), name=config.queue)
    worker = _Worker(config, tasks, queue)
    return {
        "queue": queue,
        "functions": [(JOB_FUNCTION, worker.run)],
        "concurrency": config.concurrency,
        "startup": worker.startup,
        "shutdown": worker.shutdown,
        # SAQ's defaults but the sweep, which finds the jobs of workers that died.
        "timers": {"schedule": 1, "worker_info": 10, "sweep": config.sweep, "abort": 1},
    }


__all__ = ["JOB_FUNCTION", "SweepingQueue", "egress_pool", "journal_key", "worker_settings"]
