"""WebhookReceiver: answers at once, queues typed events, refuses what it cannot trust."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest

from altegio_async import UsageError, WebhookReceiver
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
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hooks")


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
