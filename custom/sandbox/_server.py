"""Running the sandbox: a real HTTP server on 127.0.0.1, in a thread of its own.

Its own thread and event loop, so it serves sync and async tests alike, outlives
any one test's loop, and never shares a loop with the client under test.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import attrs
from aiohttp import web

from ._app import SandboxApp, Seen
from ._faults import FaultPlan
from ._limits import RateLimits, SlidingWindows
from ._seed import DEFAULT_BUSINESS_LOGIN as DEFAULT_BUSINESS_LOGIN
from ._seed import DEFAULT_BUSINESS_PASSWORD as DEFAULT_BUSINESS_PASSWORD
from ._seed import BusinessSeed
from ._world import World

DEFAULT_PARTNER_TOKEN = "sandbox-partner-token"
DEFAULT_LOGIN = "+13155550175"
DEFAULT_PASSWORD = "sandbox-password"
TODAY_VARIABLE = "ALTEGIO_SANDBOX_TODAY"


def today_from_environment() -> dt.date | None:
    """The date ``ALTEGIO_SANDBOX_TODAY`` names (ISO, e.g. ``2026-12-05``), if set: it pins
    every sandbox of the process and of its children to one day of the week."""
    value = os.environ.get(TODAY_VARIABLE)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        wanted = f"{TODAY_VARIABLE} must be a date like 2026-12-05"
        raise ValueError(f"{wanted}, got {value!r}") from None


@attrs.frozen
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    partner_tokens: frozenset[str] = frozenset({DEFAULT_PARTNER_TOKEN})
    limits: RateLimits = attrs.field(factory=RateLimits)
    team_size: int = 6
    #: Business Management data to start with: locations, clients, past appointments.
    business: BusinessSeed = attrs.field(factory=BusinessSeed)
    #: The sandbox's today (in its time zone): the real date unless set here or by
    #: ``ALTEGIO_SANDBOX_TODAY``.  Bookable days are the 30 after it.
    today: dt.date | None = attrs.field(factory=today_from_environment)


class Sandbox:
    """A stateful fake Altegio.  ``with Sandbox() as sb: AltegioClient(..., base_url=sb.base_url)``.

    ``sb.faults.add(Fault(...))`` injects faults, ``sb.world`` is the data (records,
    users, sent SMS codes), ``sb.seen`` every request served.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or SandboxConfig()
        self.world = World(
            team_size=self.config.team_size, today=self.config.today, business=self.config.business
        )
        self.windows = SlidingWindows(self.config.limits, clock)
        self.faults = FaultPlan()
        self._app = SandboxApp(
            self.world, self.windows, self.faults, self.config.partner_tokens, clock
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._port = 0

    # --- addresses -----------------------------------------------------------------

    @property
    def root_url(self) -> str:
        if not self._port:
            raise RuntimeError("the sandbox is not running")
        return f"http://{self.config.host}:{self._port}"

    @property
    def base_url(self) -> str:
        """Pass as ``AltegioClient(base_url=...)``: the API host (operations add
        their own ``/api/v1`` or ``/api/v2`` path)."""
        return self.root_url

    @property
    def app_base_url(self) -> str:
        """Pass as ``AltegioClient(app_base_url=...)`` (the marketplace server)."""
        return self.root_url

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments that point an AltegioClient at this sandbox."""
        token = sorted(self.config.partner_tokens)[0]
        return {
            "partner_token": token,
            "base_url": self.base_url,
            "app_base_url": self.app_base_url,
        }

    @property
    def seen(self) -> list[Seen]:
        return list(self._app.seen)

    def count(self, operation: str) -> int:
        """How many requests for ``operation`` reached the sandbox (answered or not)."""
        return self._app.arrived.count(operation)

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Block until no request is being handled (a slow handler may outlive its client)."""
        deadline = time.monotonic() + timeout
        while self._app.in_flight and time.monotonic() < deadline:
            time.sleep(0.005)
        if self._app.in_flight:
            raise TimeoutError(f"{self._app.in_flight} requests still in flight")

    # --- lifecycle -----------------------------------------------------------------

    def start(self) -> Self:
        started = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._start_site())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._stop_site())
            loop.close()

        self._thread = threading.Thread(target=serve, name="altegio-sandbox", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            raise failure[0]
        return self

    async def _start_site(self) -> None:
        # No access log: aiohttp would print one line per request.
        self._runner = web.AppRunner(self._app.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def _stop_site(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop = self._thread = None
        self._port = 0

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
