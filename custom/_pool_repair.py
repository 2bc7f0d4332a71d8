"""Putting httpcore's connection pool right after a cancelled exchange.

Exchanges run in the caller's task: a cancelled call stops its exchange at once
(the connection is closed, the load is shed), and the SDK costs no task per
request.  But httpcore 1.0's cleanup is shielded only against anyio's own
cancellation, not against ``Task.cancel()``: a cancellation that lands on one of
its lock checkpoints can leave

- the cancelled request in the pool's queue, its connection ACTIVE for ever (the
  response stream's close was interrupted), or
- a connection the pool created for the request that never started to connect
  ("CONNECTING" for ever; encode/httpcore#1093), or one that connected but never
  sent it (HTTP/1.1 "NEW" for ever: only its creator may use a new connection),

and each such leak holds a pool slot until ``PoolTimeout``.  ``repair`` runs when a
cancellation leaves ``httpx``: it finds what the cancelled exchange left (its
request carries a mark in its extensions), drops it, closes its connection in the
background and lets queued requests have the freed slots.  It touches httpcore's
private state, so it checks every attribute it uses and does nothing (logging
why) when they are not there; the reliability suite's 1,000 random
cancellations fail if it stops working.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import asyncio

logger = logging.getLogger("altegio_async")

MARK = "altegio_async.exchange"
"""The key of the request extension that identifies one exchange."""


def _pool_of(http: httpx.AsyncClient) -> Any:
    pool = getattr(getattr(http, "_transport", None), "_pool", None)
    needed = ("_requests", "_connections", "_optional_thread_lock", "_close_connections")
    if pool is None or not all(hasattr(pool, name) for name in needed):
        return None
    return pool


def _never_connected(connection: Any) -> bool:
    """A pool connection that was created for a request but never began to connect."""
    return (
        hasattr(connection, "_connect_failed")
        and getattr(connection, "_connection", True) is None
        and not connection._connect_failed
    )


def _never_used(connection: Any) -> bool:
    """A connection that connected for a request but never sent it (HTTP/1.1 "NEW")."""
    state = getattr(getattr(connection, "_connection", None), "_state", None)
    return getattr(state, "name", None) == "NEW"


def repair(
    http: httpx.AsyncClient,
    mark: object,
    spawn: Callable[[Awaitable[None]], None],
) -> int:
    """Drop what the exchange marked ``mark`` left in ``http``'s pool; returns the
    number of requests and connections released.  Synchronous: the bookkeeping is
    right before the next request looks at it; sockets are closed by ``spawn``."""
    pool = _pool_of(http)
    if pool is None:
        logger.debug("cancelled exchange: no httpcore pool to check (custom transport?)")
        return 0
    released = 0
    with pool._optional_thread_lock:
        closing = []
        for pool_request in list(pool._requests):
            extensions = getattr(getattr(pool_request, "request", None), "extensions", {})
            if extensions.get(MARK) is mark:
                pool._requests.remove(pool_request)
                released += 1
                connection = getattr(pool_request, "connection", None)
                if connection is not None and not connection.is_idle():
                    # mid-exchange: its state is unusable, the socket goes
                    if connection in pool._connections:
                        pool._connections.remove(connection)
                    closing.append(connection)
        owned = {id(r.connection) for r in pool._requests if r.connection is not None}
        for connection in list(pool._connections):
            if id(connection) in owned:
                continue
            if _never_connected(connection):
                connection._connect_failed = True  # reads as closed: the pool drops it
                released += 1
            elif _never_used(connection):
                pool._connections.remove(connection)
                closing.append(connection)
                released += 1
        if released:
            closing += pool._assign_requests_to_connections()
    if closing:
        spawn(pool._close_connections(closing))
    return released


def spawner(tasks: set[asyncio.Task[None]]) -> Callable[[Awaitable[None]], None]:
    """Runs closes in tasks kept in ``tasks`` until they finish (awaited at client close)."""

    def spawn(work: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception as exc:  # a socket that will not close is not the caller's error
                logger.debug("closing a connection left by a cancelled call: %r", exc)

        import asyncio  # not imported with the package (import time)

        task = asyncio.get_running_loop().create_task(run())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    return spawn


__all__ = ["MARK", "repair", "spawner"]
