"""Batch jobs on many worker processes, hosts and egress addresses, fed from SAQ.

Needs the ``queue`` extra (``pip install 'altegio-async[queue]'``: SAQ and redis-py).
Altegio allows 200 requests a minute and 5 a second per IP.  A worker process
holds one ``AltegioClient`` for its lifetime whose connections leave through one
egress address (a bound source address or a proxy) and whose ``RedisRateLimiter``
keeps that address's windows in Redis, so every worker on that address, on any
host, shares one budget, and N addresses give N budgets::

    # myapp/worker.py; run one per process: saq myapp.worker.settings
    from altegio_async.custom.workers import JobContext, WorkerConfig, worker_settings

    async def export_clients(ctx: JobContext) -> int:
        pages = ctx.staff.clients.iter_get_client_list(location_id=ctx.location_id, ...)
        ...

    settings = worker_settings(WorkerConfig.from_env(), tasks={"export_clients": export_clients})

    # the producer
    queue = saq.Queue.from_url("redis://...", name="altegio")
    jobs = await enqueue(queue, [LocationJob("export_clients", 4564)])
    done = await wait(queue, jobs)  # job.status, job.result, job.progress

Retries after a worker died are SAQ's: a job whose heartbeat stops is swept and
run again elsewhere.  A retried job never repeats a non-idempotent call that
took effect: such calls go through ``ctx.once(step, send, find)`` (the job's
journal in Redis, with a check before any resend) or, for appointments,
``create_appointment_once``, which finds an earlier attempt's appointment by
its ``api_id``.  See ``_journal.py``.
"""

from __future__ import annotations

try:
    import saq  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised by make wheel-check
    raise ImportError(
        "altegio_async.custom.workers needs the 'queue' extra: pip install 'altegio-async[queue]'"
    ) from exc

from ._appointments import create_appointment_once
from ._config import ENVIRONMENT, Windows, WorkerConfig
from ._context import JobContext, Json, Task
from ._jobs import LocationJob, enqueue, failed, wait
from ._journal import Journal, UnconfirmedCallError
from ._settings import JOB_FUNCTION, egress_pool, journal_key, worker_settings

__all__ = [
    "ENVIRONMENT",
    "JOB_FUNCTION",
    "JobContext",
    "Journal",
    "Json",
    "LocationJob",
    "Task",
    "UnconfirmedCallError",
    "Windows",
    "WorkerConfig",
    "create_appointment_once",
    "egress_pool",
    "enqueue",
    "failed",
    "journal_key",
    "wait",
    "worker_settings",
]
