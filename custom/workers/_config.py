"""What a worker process is told: credentials, its egress address, Redis, the windows.

One ``WorkerConfig`` per worker process.  On a real host it comes from the
environment (``WorkerConfig.from_env()``): the tokens from a secret store, the
egress address from the host's own configuration.  Secrets (tokens, the Redis
URL, which may hold a password, a proxy URL with credentials) are left out of
``repr()``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs

from .._client import DEFAULT_APP_BASE_URL, DEFAULT_BASE_URL
from .._errors import UsageError
from .._limiter import check_windows

#: The environment variables ``WorkerConfig.from_env`` reads, by field.
ENVIRONMENT = {
    "partner_token": "ALTEGIO_PARTNER_TOKEN",
    "redis_url": "ALTEGIO_REDIS_URL",
    "address": "ALTEGIO_EGRESS_ADDRESS",
    "business_token": "ALTEGIO_BUSINESS_TOKEN",
    "local_address": "ALTEGIO_LOCAL_ADDRESS",
    "proxy": "ALTEGIO_PROXY",
    "base_url": "ALTEGIO_BASE_URL",
    "app_base_url": "ALTEGIO_APP_BASE_URL",
    "queue": "ALTEGIO_QUEUE",
    "concurrency": "ALTEGIO_CONCURRENCY",
    "sweep": "ALTEGIO_SWEEP",
    "namespace": "ALTEGIO_NAMESPACE",
    "windows": "ALTEGIO_RATE_WINDOWS",
}


@attrs.frozen
class Windows:
    """Altegio's limits per address (5 in any second, 200 in any minute) and the margin
    each window is widened by; tests and benchmarks compress ``second`` and ``minute``."""

    per_second: int = 5
    per_minute: int = 200
    second: float = 1.0
    minute: float = 60.0
    margin: float = 0.25

    def __attrs_post_init__(self) -> None:
        check_windows(self.second, self.minute, self.margin)
        if self.per_second < 1 or self.per_minute < self.per_second:
            raise UsageError(f"need 1 <= per_second <= per_minute, got {self}")

    @classmethod
    def parse(cls, text: str) -> Windows:
        """``"5,200,1,60,0.25"``: per_second, per_minute, second, minute, margin."""
        parts = text.split(",")
        if len(parts) != 5:
            raise UsageError(f"windows are per_second,per_minute,second,minute,margin: {text!r}")
        try:
            return cls(int(parts[0]), int(parts[1]), *(float(p) for p in parts[2:]))
        except ValueError:
            raise UsageError(f"windows must be numbers: {text!r}") from None

    def __str__(self) -> str:
        return f"{self.per_second},{self.per_minute},{self.second},{self.minute},{self.margin}"


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise UsageError(f"{attribute.name} must be >= 1, got {value}")


@attrs.frozen
class WorkerConfig:
    """One worker process: whose tokens, which egress address, which queue.

    Args:
        partner_token: the partner token (``Bearer``).
        redis_url: the Redis of the queue, the rate-limit windows and the journal.
        address: the egress address (IP) Altegio sees for this worker's requests;
            every client naming it shares one budget, wherever it runs.
        business_token: a business user's token, for ``JobContext.staff``.
        local_address: the source address to bind this worker's connections to
            (``httpx.AsyncHTTPTransport(local_address=...)``); ``None``: the OS's choice.
        proxy: a proxy URL to send through (then ``address`` is the proxy's egress).
        base_url, app_base_url: Altegio's hosts (or a sandbox).
        queue: the SAQ queue's name.
        concurrency: jobs this process runs at once.
        windows: the rate limits per address.
        sweep: seconds between SAQ's sweeps for jobs whose worker stopped beating.
        namespace: prefix of this SDK's Redis keys (windows, journals).
        journal_ttl: seconds a job's journal is kept after its last write.
    """

    partner_token: str = attrs.field(repr=False)
    redis_url: str = attrs.field(repr=False)
    address: str
    business_token: str | None = attrs.field(default=None, repr=False)
    local_address: str | None = None
    proxy: str | None = attrs.field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    app_base_url: str = DEFAULT_APP_BASE_URL
    queue: str = "altegio"
    concurrency: int = attrs.field(default=5, validator=_positive)
    windows: Windows = Windows()
    sweep: int = attrs.field(default=10, validator=_positive)
    namespace: str = "altegio-async"
    journal_ttl: int = attrs.field(default=7 * 86400, validator=_positive)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerConfig:
        """The configuration in ``ALTEGIO_*`` variables (``ENVIRONMENT`` lists them);
        the first three (partner token, Redis URL, egress address) are required."""
        env = os.environ if environ is None else environ

        def get(field: str) -> str | None:
            return env.get(ENVIRONMENT[field]) or None

        def number(field: str, default: int) -> int:
            text = get(field)
            try:
                return default if text is None else int(text)
            except ValueError:
                raise UsageError(f"{ENVIRONMENT[field]} must be a whole number") from None

        partner_token, redis_url, address = get("partner_token"), get("redis_url"), get("address")
        if partner_token is None or redis_url is None or address is None:
            needed = ("partner_token", "redis_url", "address")
            missing = [ENVIRONMENT[f] for f in needed if get(f) is None]
            raise UsageError(f"set {', '.join(missing)} for the worker")
        windows = get("windows")
        return cls(
            partner_token=partner_token,
            redis_url=redis_url,
            address=address,
            business_token=get("business_token"),
            local_address=get("local_address"),
            proxy=get("proxy"),
            base_url=get("base_url") or DEFAULT_BASE_URL,
            app_base_url=get("app_base_url") or DEFAULT_APP_BASE_URL,
            queue=get("queue") or "altegio",
            concurrency=number("concurrency", 5),
            windows=Windows() if windows is None else Windows.parse(windows),
            sweep=number("sweep", 10),
            namespace=get("namespace") or "altegio-async",
        )


__all__ = ["ENVIRONMENT", "Windows", "WorkerConfig"]
