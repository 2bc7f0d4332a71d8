"""The sandbox's HTTP face: every operation of both specs, Altegio's auth, limits and faults.

Routes come from ``altegio_async.api.OPERATIONS`` (the generated table), so an
operation added to the specs shows up here as a 501 until it gets a handler,
and a test fails.  Every operation lives at its own path (``/api/v1/...``,
``/api/v2/...``, and the marketplace operations that Altegio serves from
``https://app.alteg.io`` at ``/marketplace/...``): one host stands in for both.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from aiohttp import web

from ...api import OPERATIONS
from .._operation import Operation
from . import _access, _handlers
from ._checks import same_secret
from ._faults import Fault, FaultPlan
from ._limits import SlidingWindows
from ._world import Rejected, World

logger = logging.getLogger("altegio_async.sandbox")


@attrs.frozen
class Seen:
    """One request as the sandbox saw it (tokens are not kept)."""

    operation: str  # the operationId (``v2.list_appointments`` for a v2 one)
    method: str
    path: str
    status: int
    at: float
    remote: str = ""  # the source address the request came from


@attrs.frozen
class Reply:
    status: int
    body: Any = None
    empty: bool = False


def error_body(
    message: str,
    codes: tuple[tuple[int, str], ...] = (),
    fields: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"message": message}
    if codes:
        meta["errors"] = [{"code": c, "message": m} for c, m in codes]
    elif fields:
        meta["errors"] = fields
    return {"success": False, "data": None, "meta": meta}


def _json(status: int, body: Any, **headers: str) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


def _credentials(header: str) -> tuple[str | None, str | None]:
    """(partner token, user token) from ``Bearer <partner>[, User <user>]``."""
    partner = user = None
    for part in header.split(","):
        scheme, _, value = part.strip().partition(" ")
        if scheme.lower() == "bearer":
            partner = value.strip() or None
        elif scheme.lower() == "user":
            user = value.strip() or None
    return partner, user


class SandboxApp:
    def __init__(
        self,
        world: World,
        windows: SlidingWindows,
        faults: FaultPlan,
        partner_tokens: frozenset[str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.world = world
        self.windows = windows
        self.faults = faults
        self.partner_tokens = partner_tokens
        self.clock = clock
        self.seen: list[Seen] = []  # requests answered
        self.arrived: list[str] = []  # operation of every request received, answered or not
        self.in_flight = 0
        self.handlers = _handlers.Handlers(world)

    def application(self) -> web.Application:
        app = web.Application()
        for operation in OPERATIONS.values():
            app.router.add_route(operation.method, operation.path, self._endpoint(operation))
        return app

    def _endpoint(
        self, operation: Operation
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def endpoint(request: web.Request) -> web.StreamResponse:
            self.arrived.append(operation.qualified_id)
            self.in_flight += 1
            try:
                response = await self._serve(operation, request)
            finally:
                self.in_flight -= 1
            self.seen.append(
                Seen(
                    operation.qualified_id,
                    request.method,
                    request.path,
                    response.status,
                    self.clock(),
                    request.remote or "?",
                )
            )
            return response

        return endpoint

    async def _serve(self, operation: Operation, request: web.Request) -> web.StreamResponse:
        wait = self.windows.admit(request.remote or "?")
        if wait is not None:
            retry_after = max(1, math.ceil(wait)) if self.windows.limits.time_scale >= 1 else wait
            return _json(
                429,
                error_body("Too many requests. Try again later."),
                **{"Retry-After": f"{retry_after:.3f}".rstrip("0").rstrip(".")},
            )
        raw = await request.read()  # the whole request is in before any slowness
        fault = self.faults.take(operation.qualified_id)
        if fault is not None and fault.kind == "latency":
            await asyncio.sleep(fault.delay)
        elif fault is not None and not fault.runs_handler_first:
            return self._fault_reply(fault)
        reply = self._handle(operation, request, raw)
        response = self._render(reply)
        if fault is not None and fault.kind != "latency":
            return await self._spoil(fault, response, request)
        return response

    def _handle(self, operation: Operation, request: web.Request, raw: bytes) -> Reply:
        try:
            return self._answer(operation, request, raw)
        except Rejected as exc:
            body = error_body(exc.message, exc.codes, exc.fields)
            if operation.qualified_id in _handlers.DATA_LEFT_OUT_ON_ERROR:
                del body["data"]
            return Reply(exc.status, body)

    def _answer(self, operation: Operation, request: web.Request, raw: bytes) -> Reply:
        """The handler's reply; an error reply is raised as Rejected."""
        partner, user_token = _credentials(request.headers.get("Authorization", ""))
        if partner is None or not any(same_secret(partner, t) for t in self.partner_tokens):
            raise Rejected(401, "Authentication needed.")
        body: Any = None
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise Rejected(400, "Request body is not valid JSON") from None
        with self.world.lock:
            caller = _access.admit(operation, user_token, self.world)
            call = _handlers.Call(
                params={k: v for k, v in request.match_info.items()},
                query=request.query,
                body=body if isinstance(body, dict) else {},
                raw_body=body,
                user=caller.user,
                business=caller.business,
            )
            try:
                status, data = self.handlers.dispatch(operation, call)
            except _handlers.BadRequest as exc:
                raise Rejected(422, str(exc)) from None
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                # Input no check foresaw: Altegio answers bad input with a 4xx, and so
                # does the sandbox; the log says what to add a check for.
                logger.warning("sandbox: %s refused unforeseen input (%r)", operation, exc)
                raise Rejected(422, "The request is invalid") from None
        if data is _handlers.NO_BODY:
            return Reply(status, empty=True)
        return Reply(status, data)

    @staticmethod
    def _render(reply: Reply) -> web.Response:
        if reply.empty:
            return web.Response(status=reply.status)
        return _json(reply.status, reply.body)

    @staticmethod
    def _fault_reply(fault: Fault) -> web.Response:
        if fault.kind == "status":
            return _json(fault.status, error_body("Internal server error"))
        if fault.kind == "rate_limit":
            headers = {}
            if fault.retry_after == "seconds":
                headers["Retry-After"] = f"{fault.retry_after_seconds:g}"
            elif fault.retry_after == "http-date":
                when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=fault.retry_after_seconds)
                headers["Retry-After"] = email.utils.format_datetime(when, usegmt=True)
            return _json(429, error_body("Too many requests. Try again later."), **headers)
        if fault.kind == "html":
            page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
            return web.Response(status=fault.status, text=page, content_type="text/html")
        if fault.kind == "empty_body":
            return web.Response(
                status=fault.status if fault.status < 300 else 200,
                body=b"",
                content_type="application/json",
            )
        if fault.kind == "not_object":
            return _json(200, [1, 2, 3])
        raise AssertionError(f"fault {fault.kind} needs the real reply")  # pragma: no cover

    async def _spoil(
        self, fault: Fault, response: web.Response, request: web.Request
    ) -> web.StreamResponse:
        body = bytes(response.body) if isinstance(response.body, bytes) else b""
        if fault.kind == "truncated_json":
            return web.Response(
                status=response.status, body=body[: len(body) // 2], content_type="application/json"
            )
        if fault.kind == "wrong_content_type":
            return web.Response(status=response.status, body=body, content_type="text/plain")
        if fault.kind == "reset":
            stream = web.StreamResponse(status=response.status)
            stream.content_type = "application/json"
            stream.content_length = max(len(body), 2)
            await stream.prepare(request)
            await stream.write(body[: len(body) // 2])
            assert request.transport is not None
            request.transport.abort()  # RST with the body half sent
            return stream
        if fault.kind == "close_after":
            # A normal keep-alive reply, then the server drops the idle connection
            # without saying so, as load balancers do: the client's next request on
            # it (if it comes fast) dies in flight.
            transport = request.transport
            if transport is not None:
                asyncio.get_running_loop().call_later(0.02, transport.close)
            return response
        return self._fault_reply(fault)
