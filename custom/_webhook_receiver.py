"""A framework-free ASGI app that receives Altegio webhooks and queues them.

::

    queue: asyncio.Queue[Any] = asyncio.Queue()
    app = WebhookReceiver(queue, secret_path="/altegio/3f9c0d...", partner_token=TOKEN,
                          allowed_networks=["203.0.113.0/24"])
    # uvicorn module:app, or mount it in Starlette/FastAPI; a worker drains the queue.

Altegio waits at most 15 s for an answer and never retries, so the receiver only
parses and enqueues, then answers 200 at once; the work happens in your consumer.
Altegio signs nothing, so the receiver checks what it can: a secret path compared
in constant time, an optional IP allow-list (the direct peer address: behind a
proxy, filter there), and the ``partner_token`` of marketplace events.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from ..models import MarketplaceWebhookEvent
from ._errors import UsageError
from ._webhooks import WebhookPayloadError, parse_webhook, verify_partner_token

logger = logging.getLogger("altegio_async.webhooks")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

MAX_BODY = 1 << 20  # Altegio's largest events (appointments) are a few kB


class WebhookReceiver:
    """ASGI app: ``POST <secret_path>`` -> ``parse_webhook`` -> ``queue.put_nowait``.

    Answers (a JSON ``{"success": ...}`` body each):

    - 200: parsed and queued (an event whose values do not all fit its model is
      queued too, with ``event.mismatches``: Altegio does not resend);
    - 400: a body that cannot be read as a webhook (``WebhookPayloadError``);
    - 403: a peer outside ``allowed_networks``, or a marketplace event without your
      ``partner_token``;
    - 404: any other path (the secret one is compared in constant time);
    - 405: a method other than POST;
    - 413: a body over ``max_body`` bytes (1 MiB by default);
    - 503: the queue is full (logged: Altegio will not resend, so drain it faster).
    """

    def __init__(
        self,
        queue: asyncio.Queue[Any],
        *,
        secret_path: str,
        partner_token: str | None = None,
        allowed_networks: Iterable[str] = (),
        max_body: int = MAX_BODY,
    ) -> None:
        if not secret_path.startswith("/") or len(secret_path) < 16:
            raise UsageError("secret_path must start with '/' and hold a long random part")
        if max_body < 1:
            raise UsageError(f"max_body must be a positive number of bytes, got {max_body}")
        self.max_body = max_body
        self.queue = queue
        self._path = secret_path.encode()
        self._partner_token = partner_token
        self._networks = [ipaddress.ip_network(n) for n in allowed_networks]

    def __repr__(self) -> str:
        return f"<WebhookReceiver queued={self.queue.qsize()}>"  # no path: it is a secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        status = await self._handle(scope, receive)
        body = b'{"success": true}' if status == 200 else b'{"success": false}'
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _handle(self, scope: Scope, receive: Receive) -> int:
        path = scope.get("raw_path") or scope.get("path", "").encode()
        if not hmac.compare_digest(path, self._path):
            return 404  # a wrong path looks like no endpoint at all
        if not self._client_allowed(scope):
            logger.warning("webhook refused: client address not in allowed_networks")
            return 403
        if scope.get("method") != "POST":
            return 405
        body = await self._read(receive)
        if body is None:
            return 413
        try:
            event = parse_webhook(body)
        except WebhookPayloadError as exc:
            logger.warning("webhook refused: %s", exc)
            return 400
        if isinstance(event, MarketplaceWebhookEvent) and not (
            self._partner_token and verify_partner_token(event, self._partner_token)
        ):
            logger.warning("marketplace webhook refused: partner_token does not match")
            return 403
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            logger.error("webhook dropped: the queue is full (Altegio will not resend it)")
            return 503
        return 200

    def _client_allowed(self, scope: Scope) -> bool:
        if not self._networks:
            return True
        client = scope.get("client")
        try:
            address = ipaddress.ip_address(client[0]) if client else None
        except ValueError:
            return False
        return address is not None and any(address in n for n in self._networks)

    async def _read(self, receive: Receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)


__all__ = ["WebhookReceiver"]
