"""A local, stateful stand-in for Altegio, for demos and for your own tests.

Needs the ``sandbox`` extra (``pip install 'altegio-async[sandbox]'``)::

    from altegio_async import AltegioClient
    from altegio_async.sandbox import Fault, Sandbox

    with Sandbox() as sandbox:
        async with AltegioClient(**sandbox.client_kwargs()) as client:
            ...
        sandbox.faults.add(Fault("status", status=503, times=2))

It serves the Online Booking and Developer Tools operations on 127.0.0.1 with
Altegio's envelopes, error codes (431-438), partner/user-token auth and its per-IP
rate limits (5 in any 1 s, 200 in any 60 s; ``RateLimits(time_scale=...)``
compresses time), and the core of Business Management (v1 and v2): a business
user's login (``DEFAULT_BUSINESS_LOGIN``), locations, services, team, clients,
appointments in the same diary and schedules; ``SandboxConfig(business=
BusinessSeed(...))`` sets how much data it starts with.  Other routes answer 501.
Run it standalone with ``python -m altegio_async.sandbox``; in pytest, add
``pytest_plugins = ["altegio_async.sandbox.pytest_plugin"]`` and use the
``altegio_sandbox`` fixture.
"""

from __future__ import annotations

try:
    import aiohttp  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised by make wheel-check
    raise ImportError(
        "altegio_async.sandbox needs the 'sandbox' extra: pip install 'altegio-async[sandbox]'"
    ) from exc

from ._app import Seen
from ._faults import Fault, FaultKind, FaultPlan
from ._limits import RateLimits, SlidingWindows
from ._seed import BusinessSeed
from ._server import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    DEFAULT_LOGIN,
    DEFAULT_PARTNER_TOKEN,
    DEFAULT_PASSWORD,
    Sandbox,
    SandboxConfig,
)
from ._world import Record, TeamMember, User, World

__all__ = [
    "DEFAULT_BUSINESS_LOGIN",
    "DEFAULT_BUSINESS_PASSWORD",
    "DEFAULT_LOGIN",
    "DEFAULT_PARTNER_TOKEN",
    "DEFAULT_PASSWORD",
    "BusinessSeed",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "RateLimits",
    "Record",
    "Sandbox",
    "SandboxConfig",
    "Seen",
    "SlidingWindows",
    "TeamMember",
    "User",
    "World",
]
