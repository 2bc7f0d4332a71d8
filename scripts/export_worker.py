"""The demo's Business Management export (and an appointment import) as queue tasks.

The worker module that the queue-worker tests and ``make bench`` start, one OS
process per worker, configured by ``ALTEGIO_*`` variables (see
``altegio_async.custom.workers.ENVIRONMENT``)::

    ALTEGIO_PARTNER_TOKEN=... ALTEGIO_BUSINESS_TOKEN=... ALTEGIO_REDIS_URL=redis://... \\
    ALTEGIO_EGRESS_ADDRESS=127.0.0.2 ALTEGIO_LOCAL_ADDRESS=127.0.0.2 \\
    PYTHONPATH=scripts python -m saq export_worker.settings

Each job names a location and a task:

- ``clients``: pages ``first``..``last`` of the location's client list
  (``page_size`` records each); the result is the number of records;
- ``appointments``: the same for its appointments between ``start`` and ``end``;
- ``import``: appointments from another system (``visits``, each with its own
  ``ext_id``), created with ``save_if_busy`` as imports are; each is created once
  whatever the job's retries (``create_appointment_once``: the journal, then a look
  for its ``api_id`` before any resend); the result is the new appointment ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from saq.types import Context, SettingsDict

from altegio_async.custom.workers import (
    JobContext,
    Task,
    WorkerConfig,
    create_appointment_once,
    worker_settings,
)
from altegio_async.models import (
    ClientQuery,
    CreateOrUpdateAppointment,
    OrUpdateAppointmentClient,
    OrUpdateAppointmentService,
)

CLIENT_FIELDS = ["id", "name", "phone", "email", "visit_count", "last_visit_date"]


def _int(ctx: JobContext, name: str) -> int:
    value = ctx.params[name]
    if not isinstance(value, int):
        raise TypeError(f"parameter {name} must be a whole number, got {value!r}")
    return value


async def export_clients(ctx: JobContext) -> int:
    first, last, size = _int(ctx, "first"), _int(ctx, "last"), _int(ctx, "page_size")
    records = 0
    for page in range(first, last + 1):
        query = ClientQuery(fields=CLIENT_FIELDS, page=page, page_size=size)
        records += len(
            await ctx.staff.clients.get_client_list(location_id=ctx.location_id, body=query)
        )
        await ctx.progress(page - first + 1, last - first + 1)
    return records


async def export_appointments(ctx: JobContext) -> int:
    first, last, size = _int(ctx, "first"), _int(ctx, "last"), _int(ctx, "page_size")
    records = 0
    for page in range(first, last + 1):
        found = await ctx.staff.appointments.get_appointment_list(
            location_id=ctx.location_id,
            start_date=str(ctx.params["start"]),
            end_date=str(ctx.params["end"]),
            page=page,
            count=size,
        )
        records += len(found)
        await ctx.progress(page - first + 1, last - first + 1)
    return records


def _visit(visit: Any) -> CreateOrUpdateAppointment:
    return CreateOrUpdateAppointment(
        api_id=str(visit["ext_id"]),
        staff_id=int(visit["staff_id"]),
        services=[OrUpdateAppointmentService(id=int(visit["service_id"]))],
        client=OrUpdateAppointmentClient(name=str(visit["name"]), phone=str(visit["phone"])),
        datetime_=dt.datetime.fromisoformat(str(visit["datetime"])),
        seance_length=int(visit["length"]),
        save_if_busy=True,  # an import keeps what the other system had
    )


async def import_appointments(ctx: JobContext) -> list[int]:
    visits = ctx.params["visits"]
    if not isinstance(visits, list):
        raise TypeError("parameter visits must be a list")
    created = []
    for n, visit in enumerate(visits, 1):
        body = _visit(visit)
        created.append(await create_appointment_once(ctx, str(body.api_id), body))
        await ctx.progress(n, len(visits))
    return created


TASKS: dict[str, Task] = {
    "clients": export_clients,
    "appointments": export_appointments,
    "import": import_appointments,
}


def settings() -> SettingsDict[Context]:
    """SAQ calls this in the worker process (``saq export_worker.settings``)."""
    return worker_settings(WorkerConfig.from_env(), TASKS)
