"""WebhookReceiver: answers at once, queues typed events, refuses what it cannot trust."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest

from altegio_async import UsageError, WebhookReceiver, parse_webhook
from altegio_async.models import MarketplaceWebhookEvent, RecordEvent

SECRET_PATH = "/altegio/hooks/4f0c2b9e77d1a5e3"
PARTNER = "partner-secret-0123456789"
RECORD = {
    "company_id": 4564,
    "resource": "record",
    "resource_id": 2820023,
    "status": "create",
    "data": {"id": 2820023, "staff_id": 6544, "datetime": "2026-12-01T10:00:00-05:00"},
}
MARKET = {"salon_id": 4564, "application_id": 3, "event": "uninstall", "partner_token": PARTNER}


def receiver(queue: asyncio.Queue[Any], **kwargs: Any) -> httpx.AsyncClient:
    app = WebhookReceiver(queue, secret_path=SECRET_PATH, partner_token=PARTNER, **kwargs)
    return http_to(app)


def http_to(app: WebhookReceiver, root_path: str = "") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, root_path=root_path)
    return httpx.AsyncClient(transport=transport, base_url="http://hooks")


def record(resource_id: int) -> dict[str, Any]:
    data = {"id": resource_id, "staff_id": 6544, "datetime": "2026-12-01T10:00:00-05:00"}
    return {**RECORD, "resource_id": resource_id, "data": data}


async def test_events_are_acknowledged_and_queued_for_a_consumer() -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    async with receiver(queue) as http:
        first = await http.post(SECRET_PATH, content=json.dumps(RECORD))
        second = await http.post(SECRET_PATH, json=MARKET)
    assert (first.status_code, second.status_code) == (200, 200)
    # Nothing consumed the queue: the answer did not wait for any processing.
    assert queue.qsize() == 2
    record, market = queue.get_nowait(), queue.get_nowait()
    assert isinstance(record, RecordEvent) and record.resource_id == 2820023
    assert isinstance(market, MarketplaceWebhookEvent) and market.event == "uninstall"


@pytest.mark.parametrize(
    ("path", "method", "body", "status"),
    [
        ("/altegio/hooks/wrong-secret-000", "POST", RECORD, 404),
        (SECRET_PATH, "GET", None, 405),
        (SECRET_PATH, "POST", "not json", 400),
        (SECRET_PATH, "POST", '{"a": ' * 100_000 + "1" + "}" * 100_000, 400),
        (SECRET_PATH, "POST", '{"resource": "record", "company_id": NaN}', 400),
        (SECRET_PATH, "POST", '{"resource": "record", "company_id": 1' + "0" * 5000 + "}", 400),
        (SECRET_PATH, "POST", b'{"resource": "record", "status": "\xff"}', 400),
        (SECRET_PATH, "POST", {**MARKET, "partner_token": "forged"}, 403),
    ],
    ids=["wrong-path", "get", "not-json", "deep", "nan", "huge-number", "not-utf8", "forged"],
)
async def test_refusals(
    path: str, method: str, body: Any, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    content = body if isinstance(body, str | bytes) else json.dumps(body) if body else None
    with caplog.at_level(logging.WARNING, logger="altegio_async.webhooks"):
        async with receiver(queue) as http:
            reply = await http.request(method, path, content=content)
    assert reply.status_code == status
    assert queue.empty()
    assert PARTNER not in caplog.text and "forged" not in caplog.text


async def test_ip_allow_list() -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    async with receiver(queue, allowed_networks=["203.0.113.0/24"]) as http:
        refused = await http.post(SECRET_PATH, json=RECORD)  # ASGITransport is 127.0.0.1
    async with receiver(queue, allowed_networks=["127.0.0.0/8"]) as http:
        allowed = await http.post(SECRET_PATH, json=RECORD)
    assert (refused.status_code, allowed.status_code) == (403, 200)
    assert queue.qsize() == 1


async def test_a_full_queue_is_reported_not_hidden(caplog: pytest.LogCaptureFixture) -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=1)
    async with receiver(queue) as http:
        assert (await http.post(SECRET_PATH, json=RECORD)).status_code == 200
        assert (await http.post(SECRET_PATH, json=RECORD)).status_code == 503
    assert "queue is full" in caplog.text


async def test_oversized_body_is_refused() -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    async with receiver(queue) as http:
        reply = await http.post(SECRET_PATH, content=b"x" * (2 << 20))
    assert reply.status_code == 413 and queue.empty()


async def test_the_body_limit_is_configurable() -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    body = json.dumps(RECORD).encode()
    async with receiver(queue, max_body=len(body) - 1) as http:
        assert (await http.post(SECRET_PATH, content=body)).status_code == 413
    async with receiver(queue, max_body=len(body)) as http:
        assert (await http.post(SECRET_PATH, content=body)).status_code == 200
    with pytest.raises(UsageError, match="max_body"):
        WebhookReceiver(queue, secret_path=SECRET_PATH, max_body=0)


def test_a_short_secret_path_is_refused() -> None:
    with pytest.raises(UsageError, match="secret_path"):
        WebhookReceiver(asyncio.Queue(), secret_path="/hooks")
    assert SECRET_PATH not in repr(WebhookReceiver(asyncio.Queue(), secret_path=SECRET_PATH))


@pytest.mark.parametrize(
    ("root_path", "path", "status"),
    [
        # The ASGI spec, current Starlette's Mount, uvicorn --root-path: path keeps the prefix.
        ("/hooks", "/hooks" + SECRET_PATH, 200),
        # Older Starlette cut the prefix from path itself: it is not cut twice.
        ("/hooks", SECRET_PATH, 200),
        ("/hooks", "/hooks", 404),
        ("", "/hooks" + SECRET_PATH, 404),
        # A prefix ends at a "/": mounted at /alt, /altegio/... is not under it.
        ("/alt", SECRET_PATH, 200),
    ],
    ids=["prefix-in-path", "prefix-cut-by-server", "mount-point", "not-mounted", "mid-segment"],
)
async def test_secret_path_is_relative_to_the_mount_point(
    root_path: str, path: str, status: int
) -> None:
    app = WebhookReceiver(secret_path=SECRET_PATH)
    async with http_to(app, root_path=root_path) as http:
        reply = await http.post(path, json=RECORD)
    assert reply.status_code == status
    assert app.queue.qsize() == (status == 200)


def test_the_default_queue_is_bounded() -> None:
    assert WebhookReceiver(secret_path=SECRET_PATH).queue.maxsize == 1000


async def test_the_worker_handles_events_while_running() -> None:
    handled = asyncio.Queue[Any]()

    async def worker(event: Any) -> None:
        await handled.put(event)

    app = WebhookReceiver(secret_path=SECRET_PATH, worker=worker)
    async with app.running(), http_to(app) as http:
        assert (await http.post(SECRET_PATH, json=RECORD)).status_code == 200
        event = await asyncio.wait_for(handled.get(), 5)  # before shutdown, not by it
        assert "running=True" in repr(app)
    assert isinstance(event, RecordEvent) and event.resource_id == 2820023
    assert app.queue.empty() and "running=False" in repr(app)


async def test_a_failing_worker_is_logged_and_the_drain_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handled: list[Any] = []

    async def worker(event: Any) -> None:
        if isinstance(event, MarketplaceWebhookEvent):
            raise RuntimeError("worker bug")
        handled.append(event.resource_id)

    app = WebhookReceiver(secret_path=SECRET_PATH, partner_token=PARTNER, worker=worker)
    with caplog.at_level(logging.ERROR, logger="altegio_async.webhooks"):
        async with app.running(), http_to(app) as http:
            for body in (record(1), MARKET, record(2), MARKET, record(3)):
                assert (await http.post(SECRET_PATH, json=body)).status_code == 200
    assert handled == [1, 2, 3]
    failures = [r for r in caplog.records if "webhook worker failed" in r.getMessage()]
    assert len(failures) == 2 and "MarketplaceWebhookEvent" in failures[0].getMessage()
    assert "worker bug" in caplog.text  # the traceback is logged
    assert PARTNER not in caplog.text and SECRET_PATH not in caplog.text


async def test_shutdown_handles_what_is_queued() -> None:
    handled: list[int] = []

    async def worker(event: Any) -> None:
        await asyncio.sleep(0)  # give way, as real work does
        handled.append(event.resource_id)

    app = WebhookReceiver(secret_path=SECRET_PATH, worker=worker, concurrency=2)
    async with app.running():
        for n in range(10):
            app.queue.put_nowait(parse_webhook(record(n)))
        assert handled == []  # the block ends with all ten still queued
    assert sorted(handled) == list(range(10))


async def test_shutdown_waits_a_bounded_time_then_cancels(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cancelled: list[int] = []

    async def stuck(event: Any) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(event.resource_id)
            raise

    app = WebhookReceiver(secret_path=SECRET_PATH, worker=stuck, shutdown_timeout=0.05)
    async with asyncio.timeout(5):  # a shutdown waiting for ever fails here, not hangs
        async with app.running(), http_to(app) as http:
            for n in range(3):
                await http.post(SECRET_PATH, json=record(n))
    assert cancelled == [0]  # the one in hand; the other two stay queued for the caller
    assert app.queue.qsize() == 2 and "running=False" in repr(app)
    assert "2 events still queued" in caplog.text


async def test_concurrency_runs_that_many_workers() -> None:
    both = asyncio.Event()
    active = 0

    async def worker(event: Any) -> None:
        nonlocal active
        active += 1
        if active == 2:
            both.set()
        await both.wait()

    app = WebhookReceiver(secret_path=SECRET_PATH, worker=worker, concurrency=2)
    async with app.running():
        app.queue.put_nowait(parse_webhook(record(1)))
        app.queue.put_nowait(parse_webhook(record(2)))
        await asyncio.wait_for(both.wait(), 5)


async def test_running_needs_a_worker_and_runs_once() -> None:
    with pytest.raises(UsageError, match="worker"):
        async with WebhookReceiver(secret_path=SECRET_PATH).running():
            pass

    async def worker(event: Any) -> None:
        pass

    app = WebhookReceiver(secret_path=SECRET_PATH, worker=worker)
    async with app.running():
        with pytest.raises(UsageError, match="already running"):
            async with app.lifespan(object()):
                pass
        assert "running=True" in repr(app)  # the refused second start stopped nothing
    with pytest.raises(UsageError, match="concurrency"):
        WebhookReceiver(secret_path=SECRET_PATH, worker=worker, concurrency=0)
    with pytest.raises(UsageError, match="shutdown_timeout"):
        WebhookReceiver(secret_path=SECRET_PATH, worker=worker, shutdown_timeout=-1)


async def lifespan_messages(app: WebhookReceiver, on_started: Any = None) -> list[str]:
    """Drive the ASGI lifespan protocol as a server does; the types of what the app sent."""
    incoming = asyncio.Queue[dict[str, Any]]()
    sent: list[str] = []

    async def send(message: Any) -> None:
        sent.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            if on_started is not None:
                await on_started()
            incoming.put_nowait({"type": "lifespan.shutdown"})

    incoming.put_nowait({"type": "lifespan.startup"})
    await asyncio.wait_for(app({"type": "lifespan"}, incoming.get, send), 5)
    return sent


async def test_the_asgi_lifespan_runs_the_worker() -> None:
    handled: list[int] = []

    async def worker(event: Any) -> None:
        handled.append(event.resource_id)

    app = WebhookReceiver(secret_path=SECRET_PATH, worker=worker)

    async def post() -> None:
        assert "running=True" in repr(app)
        app.queue.put_nowait(parse_webhook(record(7)))

    sent = await lifespan_messages(app, post)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert handled == [7] and "running=False" in repr(app)
    # Without a worker there is nothing to start, and the server is told so plainly.
    plain = WebhookReceiver(secret_path=SECRET_PATH)
    assert await lifespan_messages(plain) == sent
    async with app.running():  # started twice: the server hears why
        assert await lifespan_messages(app) == ["lifespan.startup.failed"]
