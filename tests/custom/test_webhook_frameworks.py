"""WebhookReceiver served for real: uvicorn on 127.0.0.1, mounted in FastAPI and Starlette.

Each app is served by ``uvicorn.Server`` in the test's own loop, so the worker can
hand what it handled back to the test; requests go over TCP with httpx.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp

from altegio_async import WebhookReceiver
from altegio_async.models import RecordEvent
from tests._servers import free_port

SECRET_PATH = "/altegio/4f0c2b9e77d1a5e3"
RECORD = {
    "company_id": 4564,
    "resource": "record",
    "resource_id": 1,
    "status": "create",
    "data": {"id": 1, "staff_id": 6544, "datetime": "2026-12-01T10:00:00-05:00"},
}


class Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield  # the test process keeps its own signal handlers


@contextlib.asynccontextmanager
async def served(app: ASGIApp, root_path: str = "") -> AsyncIterator[httpx.AsyncClient]:
    """``app`` served by uvicorn with the ASGI lifespan on; an httpx client for it."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="on", log_config=None, root_path=root_path
    )
    server = Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()  # a startup error, raised here
                    raise AssertionError("uvicorn stopped before it started")
                await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            yield http
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)  # shutdown runs the app's lifespan exit


class Handled:
    """A worker that records the events it handled."""

    def __init__(self, delay: float = 0) -> None:
        self.events: list[Any] = []
        self.delay = delay
        self.arrived = asyncio.Event()

    async def __call__(self, event: Any) -> None:
        await asyncio.sleep(self.delay)
        self.events.append(event)
        self.arrived.set()


def fastapi_app(receiver: WebhookReceiver) -> ASGIApp:
    app = FastAPI(lifespan=receiver.lifespan)
    app.mount("/hooks", receiver)
    return app


def starlette_app(receiver: WebhookReceiver) -> ASGIApp:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with receiver.running():
            yield

    return Starlette(routes=[Mount("/hooks", app=receiver)], lifespan=lifespan)


@pytest.mark.parametrize("make_app", [fastapi_app, starlette_app], ids=["fastapi", "starlette"])
async def test_mounted_receiver_runs_its_worker_under_the_app_lifespan(
    make_app: Callable[[WebhookReceiver], ASGIApp],
) -> None:
    worker = Handled()
    receiver = WebhookReceiver(secret_path=SECRET_PATH, worker=worker)
    async with served(make_app(receiver)) as http:
        accepted = await http.post("/hooks" + SECRET_PATH, json=RECORD)
        malformed = await http.post("/hooks" + SECRET_PATH, content=b'{"resource": ')
        unprefixed = await http.post(SECRET_PATH, json=RECORD)
        # Handled while the app serves, not only by the drain at shutdown.
        await asyncio.wait_for(worker.arrived.wait(), 5)
    assert (accepted.status_code, accepted.json()) == (200, {"success": True})
    assert (malformed.status_code, malformed.json()) == (400, {"success": False})
    assert unprefixed.status_code == 404
    [event] = worker.events
    assert isinstance(event, RecordEvent)
    assert (event.company_id, event.resource_id, event.status) == (4564, 1, "create")
    assert (event.data.id, event.data.staff_id) == (1, 6544)
    assert receiver.queue.empty() and "running=False" in repr(receiver)


async def test_uvicorn_runs_the_worker_through_the_asgi_lifespan() -> None:
    worker = Handled(delay=0.1)
    receiver = WebhookReceiver(secret_path=SECRET_PATH, worker=worker)
    async with served(receiver) as http:
        assert (await http.post(SECRET_PATH, json=RECORD)).status_code == 200
        await asyncio.wait_for(worker.arrived.wait(), 5)
        for n in range(2, 7):
            body = {**RECORD, "resource_id": n}
            assert (await http.post(SECRET_PATH, json=body)).status_code == 200
    # 0.5 s of work was queued as the server stopped: its lifespan shutdown drained it.
    assert [e.resource_id for e in worker.events] == [1, 2, 3, 4, 5, 6]
    assert "running=False" in repr(receiver)


async def test_uvicorn_root_path_is_the_mount_point() -> None:
    # `uvicorn --root-path /hooks` behind a proxy that strips /hooks: the receiver is
    # reached at /hooks/<secret>, forwarded as /<secret>.
    receiver = WebhookReceiver(secret_path=SECRET_PATH)
    async with served(receiver, root_path="/hooks") as http:
        stripped = await http.post(SECRET_PATH, json=RECORD)
        doubled = await http.post("/hooks" + SECRET_PATH, json=RECORD)
    assert (stripped.status_code, doubled.status_code) == (200, 404)
    assert receiver.queue.qsize() == 1
