"""A framework-free ASGI app that receives Altegio webhooks, queues them and runs a worker.

::

    async def handle(event: AnyWebhookEvent) -> None:
        match event:
            case RecordEvent(status="create"):
                ...

    app = WebhookReceiver(secret_path="/altegio/3f9c0d...", worker=handle,
                          partner_token=TOKEN, allowed_networks=["203.0.113.0/24"])
    # uvicorn module:app -- the ASGI lifespan starts and stops the worker.  Mounted:
    # api = FastAPI(lifespan=app.lifespan); api.mount("/hooks", app)

Altegio waits at most 15 s for an answer and never retries, so the receiver only
parses and enqueues, then answers 200 at once; the work happens in ``worker``, run
by the receiver's own drain tasks (``concurrency`` of them).  They start with the
ASGI lifespan (``uvicorn module:app``) or, for a framework that mounts the receiver,
with ``running()``/``lifespan``: Starlette and FastAPI do not run a mounted app's
lifespan.  A worker that raises is logged and the drain goes on; at shutdown what
is queued is handled for at most ``shutdown_timeout`` seconds, then the tasks are
cancelled.  Without a worker, drain ``queue`` yourself.

Mounted under a prefix, the receiver reads its path below the mount point
(``root_path``), so ``secret_path`` does not repeat the prefix.

Altegio signs nothing, so the receiver checks what it can: a secret path compared
in constant time, an optional IP allow-list (the direct peer address: behind a
proxy, filter there), and the ``partner_token`` of marketplace events.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from ..models import MarketplaceWebhookEvent
from ..webhook_events import AnyWebhookEvent
from ._errors import UsageError
from ._webhooks import WebhookPayloadError, parse_webhook, verify_partner_token

logger = logging.getLogger("altegio_async.webhooks")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

MAX_BODY = 1 << 20  # Altegio's largest events (appointments) are a few kB
QUEUE_SIZE = 1000  # events waiting for the worker before 503s; a few MB at most
SHUTDOWN_TIMEOUT = 10.0  # bounded: a stuck worker must not hold up a restart


class WebhookReceiver:
    """ASGI app: ``POST <secret_path>`` -> ``parse_webhook`` -> ``queue`` -> ``worker``.

    ``queue`` defaults to a new ``asyncio.Queue`` of ``QUEUE_SIZE`` events; pass
    your own for another size or to consume it yourself.  ``worker`` is awaited
    once per event by ``concurrency`` drain tasks while the receiver is running
    (ASGI lifespan, ``running()`` or ``lifespan``).

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
        queue: asyncio.Queue[Any] | None = None,
        *,
        secret_path: str,
        partner_token: str | None = None,
        allowed_networks: Iterable[str] = (),
        max_body: int = MAX_BODY,
        worker: Callable[[AnyWebhookEvent], Awaitable[None]] | None = None,
        concurrency: int = 1,
        shutdown_timeout: float = SHUTDOWN_TIMEOUT,
    ) -> None:
        if not secret_path.startswith("/") or len(secret_path) < 16:
            raise UsageError("secret_path must start with '/' and hold a long random part")
        if max_body < 1:
            raise UsageError(f"max_body must be a positive number of bytes, got {max_body}")
        if concurrency < 1:
            raise UsageError(f"concurrency must be at least 1, got {concurrency}")
        if shutdown_timeout < 0:
            raise UsageError(f"shutdown_timeout must not be negative, got {shutdown_timeout}")
        self.max_body = max_body
        # A Queue binds to the running loop on first wait, not here: safe at import time.
        self.queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE) if queue is None else queue
        self._path = secret_path.encode()
        self._partner_token = partner_token
        self._networks = [ipaddress.ip_network(n) for n in allowed_networks]
        self._worker = worker
        self._concurrency = concurrency
        self._shutdown_timeout = shutdown_timeout
        self._tasks: list[asyncio.Task[None]] = []

    def __repr__(self) -> str:
        # No path: it is a secret.
        return f"<WebhookReceiver queued={self.queue.qsize()} running={bool(self._tasks)}>"

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run ``worker`` on queued events for the duration of the block.

        On exit, what is queued is handled for at most ``shutdown_timeout``
        seconds (what remains is logged and stays in ``queue``), then the drain
        tasks are cancelled.  For a framework's own lifespan::

            @asynccontextmanager
            async def lifespan(app: FastAPI) -> AsyncIterator[None]:
                async with receiver.running():
                    yield
        """
        worker = self._worker
        if worker is None:
            raise UsageError("nothing to run: give the WebhookReceiver a worker=")
        if self._tasks:
            raise UsageError("this WebhookReceiver is already running")
        self._tasks = [
            asyncio.create_task(self._drain(worker), name=f"altegio-webhook-worker-{n}")
            for n in range(self._concurrency)
        ]
        try:
            yield
        finally:
            await self._stop()

    def lifespan(self, app: object) -> contextlib.AbstractAsyncContextManager[None]:
        """``running()`` as Starlette's and FastAPI's ``lifespan=`` expects it (``app`` unused)."""
        return self.running()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._serve_lifespan(receive, send)
            return
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

    async def _serve_lifespan(self, receive: Receive, send: Send) -> None:
        # The ASGI lifespan protocol, which a server runs for the app it serves.
        async with contextlib.AsyncExitStack() as stack:
            await receive()  # lifespan.startup
            if self._worker is not None:
                try:
                    await stack.enter_async_context(self.running())
                except UsageError as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})

    async def _drain(self, worker: Callable[[AnyWebhookEvent], Awaitable[None]]) -> None:
        while True:
            event = await self.queue.get()
            try:
                await worker(event)
            except Exception:
                # The type only: an event's fields may hold a partner token or a client's data.
                logger.exception("webhook worker failed on a %s", type(event).__name__)
            finally:
                self.queue.task_done()

    async def _stop(self) -> None:
        try:
            await asyncio.wait_for(self.queue.join(), self._shutdown_timeout)
        except TimeoutError:
            logger.error(
                "webhook worker stopped after %s s with %d events still queued",
                self._shutdown_timeout,
                self.queue.qsize(),
            )
        finally:
            tasks, self._tasks = self._tasks, []
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _handle(self, scope: Scope, receive: Receive) -> int:
        path = _route_path(scope).encode(errors="surrogatepass")
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


def _route_path(scope: Scope) -> str:
    """The request path below the mount point, by the rule of Starlette's own router.

    Where ``path`` still starts with ``root_path`` (the ASGI spec: current
    Starlette's ``Mount``, ``uvicorn --root-path``) the prefix is cut; where the
    server already cut it (older Starlette) ``path`` is used as it is.
    """
    path: str = scope.get("path", "")
    root = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :]
    return path


__all__ = ["WebhookReceiver"]
