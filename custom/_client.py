"""AltegioClient: one connection pool and one limiter, shared by every user session.

::

    async with AltegioClient(partner_token="...") as client:
        services = await client.online_booking.get_services_available_for_booking(location_id=4564)
        session = await client.login(login="+13155550175", password="...")
        me = await session.client_personal_cabinet.get_booking_user()
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import re
import secrets
import time
import weakref
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import unquote

import httpx

from ..api import RawResources, Resources
from ..types import UNSET, Unset
from ._audience import Booking, Business, Partner, S
from ._auth import REDACTED, AltegioAuth, Redactor, authorization, secrets_in_flight
from ._envelope import unwrap
from ._errors import (
    AltegioConnectionError,
    AltegioTimeoutError,
    APIError,
    InvalidResponseError,
    UsageError,
    UserTokenRequiredError,
)
from ._limiter import Limiter, shared_limiter
from ._operation import Operation, Server, UserKind
from ._options import (
    Options,
    Timeout,
    as_timeout,
    check_deadline,
    check_headers,
    check_query,
    check_retry,
)
from ._parsing import DEFAULT_PARSE_IN_THREAD_ABOVE, collector_paused
from ._pool import own_pool
from ._pool_repair import MARK, repair, spawner
from ._resource import resource
from ._response import ApiResponse
from ._retry import RetryEvent, RetryPolicy, parse_retry_after
from ._version import __version__

if TYPE_CHECKING:
    import asyncio

    from httpx._client import UseClientDefault  # the type of httpx.USE_CLIENT_DEFAULT

    from ..models.authorized_user import AuthorizedUser
    from ..models.user import User as BusinessUser

T = TypeVar("T")
logger = logging.getLogger("altegio_async")

#: Altegio's API host; each operation adds its version's path (/api/v1/..., /api/v2/...).
DEFAULT_BASE_URL = "https://api.alteg.io"
#: The host of the marketplace operations Altegio serves from its web app.
DEFAULT_APP_BASE_URL = "https://app.alteg.io"
# A base_url that ends in an API version: it was the host plus a path the operations add.
_VERSION_PATH = re.compile(r"/api/v\d+/?$")
# Every call carries these, as Altegio's reference requires (Content-Type even on GET).
DEFAULT_HEADERS = {"Accept": "application/vnd.api.v2+json", "Content-Type": "application/json"}
# Names the SDK in Altegio's logs, as httpx names itself; a pool passed as
# http_client= keeps its own, and view headers may replace it.
USER_AGENT = f"altegio-async/{__version__} python-httpx/{httpx.__version__}"
#: 10 s to connect, 30 s for each read/write: Altegio's slowest replies (availability
#: over long ranges) take a few seconds; anything beyond 30 s is a stuck request.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

# Errors raised before the request left the machine: safe to repeat for any method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def check_token(token: object, name: str) -> None:
    """Tokens travel in the Authorization header: non-empty printable ASCII, or a
    UsageError before anything is sent (never the token itself in the message)."""
    if not isinstance(token, str) or not token.strip():
        raise UsageError(f"{name} must be a non-empty string")
    if not token.isascii() or not token.isprintable():
        raise UsageError(
            f"{name} has characters an HTTP header cannot carry (non-ASCII or control "
            "characters); Altegio's tokens are ASCII: check what was passed"
        )


@functools.cache
def _path_pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", path)  # literal, name, literal, name, ...
    return re.compile(
        "".join(f"(?P<{p}>[^/]+)" if i % 2 else re.escape(p) for i, p in enumerate(parts)) + "$"
    )


def path_values(operation: Operation, url: str) -> list[str]:
    """The values of the operation's secret path parameters in a request's path, as
    sent and as read (percent-encoded or not)."""
    found = _path_pattern(operation.path).match(url)
    if found is None:
        return []
    values = [found.group(name) for name in operation.secret_path]
    return values + [unquote(v) for v in values]


def build_request(operation: Operation, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The generated request builder's output; its crashes on bad arguments become UsageError."""
    try:
        return build()
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        # e.g. a dict passed as body (no .to_dict), a str where a datetime belongs
        raise UsageError(
            f"{operation.operation_id}: invalid arguments ({type(exc).__name__}: {exc}); "
            "pass the types in the signature, e.g. the generated body model"
        ) from None


class _Core:
    """What every view of one client shares: pool, limiters, settings, secrets."""

    def __init__(
        self,
        *,
        partner_token: str,
        base_urls: dict[Server, str],  # Altegio's origin -> the host to use instead
        timeout: httpx.Timeout,
        limiter: Limiter | None,
        rate_limit: bool,
        http_client: httpx.AsyncClient | None,
        limits: httpx.Limits,
        parse_in_thread_above: int | None,
    ) -> None:
        self.partner_token = partner_token
        self.parse_in_thread_above = parse_in_thread_above
        self.base_urls = base_urls
        self.redact = Redactor([partner_token])
        self.owns_http = http_client is None
        # On a pool of our own, the headers every call sends are the pool's defaults
        # (the partner's Authorization too; user-token calls replace it), and so is
        # the timeout: per-request values cost httpx a merge or a copy per call.
        self.http = http_client or own_pool(
            timeout=timeout,
            limits=limits,
            headers={
                **DEFAULT_HEADERS,
                "User-Agent": USER_AGENT,
                "Authorization": authorization(partner_token),
            },
        )
        self.pool_timeout = timeout if self.owns_http else None
        self._limiter = limiter
        self._rate_limit = rate_limit
        self._limiters: dict[Server, Limiter] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self.spawn = spawner(self._closing)
        self._loop: weakref.ref[asyncio.AbstractEventLoop] | None = None

    def bind_loop(self) -> None:
        """The connection pool belongs to the event loop of the first call; another loop
        gets a clear error instead of httpcore's "Event loop is closed" or a hang."""
        import asyncio  # not imported with the package (import time)

        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = weakref.ref(loop)
        elif self._loop() is not loop:
            raise UsageError(
                "this AltegioClient's connections belong to the event loop it was first "
                "used in; create one client per event loop (e.g. inside each asyncio.run()). "
                "Clients of one process share the rate limit whatever their loop."
            )

    async def close(self) -> None:
        import asyncio  # not imported with the package (import time)

        await asyncio.gather(*list(self._closing), return_exceptions=True)
        if self.owns_http:
            await self.http.aclose()

    def host(self, server: Server) -> str:
        """Where an operation on Altegio's ``server`` goes: the host given for it, or the
        server itself for a host the client was not told about."""
        return self.base_urls.get(server, server)

    def limiter(self, server: Server) -> Limiter | None:
        """Created on first use, never at import time: the shared one, or the given one."""
        if not self._rate_limit:
            return None
        if server not in self._limiters:
            url = httpx.URL(self.host(server))
            host = url.host + (f":{url.port}" if url.port else "")
            self._limiters[server] = self._limiter or shared_limiter(host)
        return self._limiters[server]


def _unwrap_large(
    operation: Operation,
    response: httpx.Response,
    parse: Callable[[Any], T],
    redact: Redactor,
    user_token_sent: bool,
) -> ApiResponse[T]:
    with collector_paused():
        return unwrap(operation, response, parse, redact, user_token_sent=user_token_sent)


class _Progress:
    """How far one call got: attempts made and why the last one failed; and what its
    errors must not show (the client's secrets and this call's record hash)."""

    __slots__ = ("attempts", "last", "redact", "started")

    def __init__(self, redact: Redactor) -> None:
        self.attempts = 0
        self.last = ""
        self.redact = redact
        self.started = time.monotonic()

    def describe(self) -> str:
        elapsed = time.monotonic() - self.started
        tries = f"{self.attempts} attempt" + ("s" if self.attempts != 1 else "")
        last = f", the last failed with {self.last}" if self.last else ""
        return f"{tries} in {elapsed:.2f}s{last}"


class _TokenCell:
    """A session's user token, shared by its ``with_options`` views: when Altegio
    rotates it (a password change), every view follows."""

    __slots__ = ("value",)

    def __init__(self, value: str | None) -> None:
        self.value = value


class _BaseClient(Resources[S]):
    """The Caller behind ``client.<tag>.<operation>``; a view with or without a user token."""

    user_kind: UserKind | None = None
    """Whose user token this view holds: ``"booking"`` (an online-booking client),
    ``"business"`` (a location's staff) or ``None`` (the partner alone)."""

    def __init__(self, core: _Core, token: _TokenCell, options: Options) -> None:
        self._core = core
        self._token = token
        self._options = options
        # Sent with every call of the view, besides the pool's own defaults.
        defaults = {} if core.owns_http else DEFAULT_HEADERS
        self._headers = {**defaults, **options.headers}
        self._auth: tuple[str | None, AltegioAuth] | None = None
        core.redact.add(token.value)
        super().__init__(self)

    @resource
    def with_raw_response(self) -> RawResources[S]:
        """The same operations, each returning the whole ApiResponse (data, meta,
        http_response, attempts) instead of the data."""
        return RawResources(self)

    @property
    def user_token(self) -> str | None:
        """The user token this view sends, if any."""
        return self._token.value

    @property
    def options(self) -> Options:
        """The timeout, deadline, retry policy and headers this view applies."""
        return self._options

    def with_options(
        self,
        *,
        timeout: Timeout | Unset = UNSET,
        deadline: float | Unset | None = UNSET,
        retry: RetryPolicy | Unset = UNSET,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A view with other settings, sharing this one's pool, limiter and session.

        Args:
            timeout: seconds (or an ``httpx.Timeout``) for each attempt.
            deadline: seconds for the whole call, retries and rate-limit waits
                included; ``None`` removes it.
            retry: the RetryPolicy; ``RetryPolicy(max_attempts=1)`` never retries.
            headers: sent with every call of the view (added to this view's).

        Example::

            patient = client.with_options(timeout=60, deadline=120)
            hasty = session.with_options(deadline=2.0, retry=RetryPolicy(max_attempts=1))
        """
        options = self._options.replace(
            timeout=timeout, deadline=deadline, retry=retry, headers=headers
        )
        view = object.__new__(type(self))
        _BaseClient.__init__(view, self._core, self._token, options)
        view.user_kind = self.user_kind
        if isinstance(self, UserSession) and isinstance(view, UserSession):
            view.user = self.user
        elif isinstance(self, BusinessSession) and isinstance(view, BusinessSession):
            view.user = self.user
        return view

    def with_user_token(self, user_token: str) -> UserSession:
        """A view acting for one online-booking user; shares this client's pool and limits."""
        check_token(user_token, "user_token")
        return UserSession(self._core, _TokenCell(user_token), self._options)

    def with_business_token(self, user_token: str) -> BusinessSession:
        """A view acting for one business user (a location's owner or staff, the
        Business Management API); shares this client's pool and limits."""
        check_token(user_token, "user_token")
        return BusinessSession(self._core, _TokenCell(user_token), self._options)

    async def login_business(self, *, login: str, password: str) -> LoggedInBusinessSession:
        """``POST /auth``: log a business user (a location's owner or staff) in, return
        their session (its ``user`` is the login reply)."""
        if not login or not password:
            raise UsageError("login and password must both be non-empty")
        from ..models.user_authorize import UserAuthorize  # models load on first use

        reply = await self.authentication_b2b.authorize_user(
            body=UserAuthorize(login=login, password=password)
        )
        token = self._token_of(reply.user_token, "authorize_user", "/api/v1/auth")
        session = LoggedInBusinessSession(self._core, _TokenCell(token), self._options)
        session.user = reply
        return session

    async def login(self, *, login: str, password: str) -> LoggedInSession:
        """``POST /booking/auth``: log an online-booking user in, return their session
        (its ``user`` is the login reply: name, phone, email...)."""
        if not login or not password:
            raise UsageError("login and password must both be non-empty")
        from ..models.login_request import LoginRequest  # models load on first use

        reply = await self.authentication.authorize_online_booking_user(
            body=LoginRequest(login=login, password=password)
        )
        token = self._token_of(reply.user_token, "authorize_online_booking_user", "/booking/auth")
        session = LoggedInSession(self._core, _TokenCell(token), self._options)
        session.user = reply
        return session

    async def send_login_code(self, *, location_id: int, phone: str) -> None:
        """``POST /book_code``: Altegio sends an SMS code to ``phone`` (for ``login_with_code``
        and for bookings at locations that confirm phone numbers)."""
        if not phone:
            raise UsageError("phone must be non-empty")
        from ..models.sms_code_request import SmsCodeRequest

        await self.authentication.send_booking_verification_code(
            location_id=location_id, body=SmsCodeRequest(phone=phone)
        )

    async def login_with_code(self, *, phone: str, code: str) -> UserSession:
        """``POST /user/auth``: log a user in with the SMS code sent to their phone."""
        if not phone or not code:
            raise UsageError("phone and code must both be non-empty")
        from ..models.login_request import LoginRequest

        reply = await self.authentication.log_in_with_phone_number_and_code(
            body=LoginRequest(login=phone, password=code)  # Altegio's field names
        )
        token = self._token_of(reply.user_token, "log_in_with_phone_number_and_code", "/user/auth")
        return UserSession(self._core, _TokenCell(token), self._options)

    def _token_of(self, token: object, operation: str, path: str) -> str:
        """The user token of a login reply; a reply without one is invalid."""
        if not isinstance(token, str) or not token:
            raise InvalidResponseError(
                f"{operation}: the reply has no user_token",
                status_code=201,
                content_type="application/json",
                snippet="",
                method="POST",
                url=self._core.host(DEFAULT_BASE_URL) + path,
            )
        return token

    async def _call(
        self,
        operation: Operation,
        build: Callable[[], dict[str, Any]],
        parse: Callable[[Any], T],
        *,
        timeout: Timeout | Unset = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> ApiResponse[T]:
        """Send one operation (what the generated methods do); returns its ApiResponse."""
        import asyncio  # not imported with the package (import time)

        self._core.bind_loop()
        kind = operation.user_kind
        held = self._token.value if self.user_kind == kind else None
        if operation.requires_user_token and not held:
            raise UserTokenRequiredError(operation.operation_id, kind, self.user_kind)
        request = build_request(operation, build)
        user_token = held if kind is not None else None
        url = self._core.host(operation.server) + request["url"]
        headers = self._headers
        generated = request.get("headers")
        if generated:  # the generator's Content-Type is already a default
            generated = {k: v for k, v in generated.items() if DEFAULT_HEADERS.get(k) != v}
            headers = {**headers, **generated} if generated else headers
        if "files" in request:
            # A multipart body names its boundary in Content-Type; httpx uses the one given
            # (the pool's default would otherwise say application/json).
            boundary = secrets.token_hex(16)
            headers = {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        if extra_headers is not None:
            headers = {**headers, **check_headers(extra_headers, "extra_headers")}
        request["headers"] = headers or None
        request["auth"] = self._auth_for(user_token)
        if extra_query is not None:
            request["params"] = {**request.get("params", {}), **check_query(extra_query)}
        attempt_timeout = self._options.timeout if isinstance(timeout, Unset) else timeout
        send_timeout: httpx.Timeout | UseClientDefault = as_timeout(attempt_timeout)
        if send_timeout is self._core.pool_timeout:  # (httpx would copy it per call)
            send_timeout = httpx.USE_CLIENT_DEFAULT
        redact = self._core.redact
        hidden: list[str] = []
        if operation.secret_path:  # a record hash in the path reads and cancels a visit
            hidden = path_values(operation, request["url"])
            redact = redact.also(hidden)
        progress = _Progress(redact)
        deadline = self._options.deadline
        with secrets_in_flight(hidden) if hidden else contextlib.nullcontext():
            if deadline is None:  # (no extra coroutine layer on the common path)
                response = await self._send(operation, request, url, send_timeout, progress)
            else:
                response = await self._send_by(
                    deadline, operation, request, url, send_timeout, progress
                )
        sent_token = user_token is not None
        above = self._core.parse_in_thread_above
        try:
            if above is not None and len(response.content) > above:
                # A large reply is decoded and read off the loop (see _parsing.py).
                result = await asyncio.to_thread(
                    _unwrap_large, operation, response, parse, redact, sent_token
                )
            else:
                result = unwrap(operation, response, parse, redact, user_token_sent=sent_token)
        except APIError as error:
            error.attempts = progress.attempts
            raise
        if progress.attempts != 1:
            result = dataclasses.replace(result, attempts=progress.attempts)
        if user_token is not None:
            self._adopt_rotated_token(operation, result.data)
        return result

    def _auth_for(self, user_token: str | None) -> AltegioAuth | UseClientDefault:
        """The Authorization header's flow, made again only when the token changes;
        none for a partner call on the client's own pool (its default header)."""
        if user_token is None and self._core.owns_http:
            return httpx.USE_CLIENT_DEFAULT
        cached = self._auth
        if cached is None or cached[0] != user_token:
            cached = (user_token, AltegioAuth(self._core.partner_token, user_token))
            self._auth = cached
        return cached[1]

    def _adopt_rotated_token(self, operation: Operation, data: Any) -> None:
        """Altegio issues a new user token when the password changes (and says so in data)."""
        new_token = getattr(data, "user_token", None)
        if isinstance(new_token, str) and new_token and new_token != self._token.value:
            self._core.redact.add(new_token)
            self._token.value = new_token
            logger.info("%s: user token rotated; this session now uses the new one", operation)

    async def _send_by(
        self,
        deadline: float,
        operation: Operation,
        request: dict[str, Any],
        url: str,
        timeout: httpx.Timeout | UseClientDefault,
        progress: _Progress,
    ) -> httpx.Response:
        """``_send`` within the view's deadline, which covers every attempt and wait."""
        import asyncio  # not imported with the package (import time)

        try:
            async with asyncio.timeout(deadline):
                return await self._send(operation, request, url, timeout, progress)
        except TimeoutError:
            raise AltegioTimeoutError(
                f"{operation.operation_id}: deadline of {deadline:g}s passed "
                f"({progress.describe()})",
                method=operation.method,
                url=progress.redact(url),
                attempts=progress.attempts,
            ) from None

    async def _send(
        self,
        operation: Operation,
        request: dict[str, Any],
        url: str,
        timeout: httpx.Timeout | UseClientDefault,
        progress: _Progress,
    ) -> httpx.Response:
        import asyncio  # not imported with the package (import time)

        policy = self._options.retry
        limiter = self._core.limiter(operation.server)
        while True:
            progress.attempts += 1
            attempt = progress.attempts
            retry_after: float | None = None
            error: httpx.TransportError | None = None
            if limiter is not None:
                await limiter.acquire()
            sent_at = time.monotonic()
            try:
                # In this task: cancelling the call stops the exchange at once (its
                # connection closes, so cancellation sheds load); what httpcore's
                # cleanup may leave in the pool is repaired (see _pool_repair.py).
                mark = object()
                response = await self._core.http.request(
                    request["method"],
                    url,
                    params=request.get("params"),
                    json=request.get("json"),
                    files=request.get("files"),
                    headers=request["headers"],
                    auth=request["auth"],
                    timeout=timeout,
                    extensions={MARK: mark},
                )
            except asyncio.CancelledError:
                repair(self._core.http, mark, self._core.spawn)
                raise
            except httpx.TransportError as exc:
                error = exc
                progress.last = type(exc).__name__
                sent = not isinstance(exc, _NOT_SENT)
                if sent and not operation.idempotent:
                    raise self._transport_error(operation, url, exc, progress) from None
            else:
                logger.debug(
                    "%s -> %s in %.3fs",
                    operation,
                    response.status_code,
                    # Not response.elapsed: injected transports may never set it.
                    time.monotonic() - sent_at,
                )
                status = response.status_code
                if status == 429:
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                    if limiter is not None:
                        limiter.pause(retry_after if retry_after is not None else 1.0)
                elif not (status in policy.retry_statuses and operation.idempotent):
                    return response
                progress.last = f"HTTP {status}"
            delay = policy.delay_for(attempt, retry_after)
            out_of_budget = time.monotonic() - progress.started + delay > policy.total_budget
            if attempt >= policy.max_attempts or out_of_budget:
                if error is not None:
                    raise self._transport_error(operation, url, error, progress) from None
                return response  # the caller turns it into the typed API error
            status_code = None if error is not None else response.status_code
            event = RetryEvent(str(operation), attempt, progress.last, delay, status_code)
            await self._notify_retry(event)
            await asyncio.sleep(delay)

    async def _notify_retry(self, event: RetryEvent) -> None:
        logger.warning(
            "retrying %s (attempt %d of %d failed: %s) in %.2fs",
            event.operation,
            event.attempt,
            self._options.retry.max_attempts,
            event.reason,
            event.delay,
        )
        hook = self._options.retry.on_retry
        if hook is not None:
            result = hook(event)
            if result is not None:
                await result

    def _transport_error(
        self, operation: Operation, url: str, exc: httpx.TransportError, progress: _Progress
    ) -> AltegioConnectionError | AltegioTimeoutError:
        timed_out = isinstance(exc, httpx.TimeoutException)
        cls = AltegioTimeoutError if timed_out else AltegioConnectionError
        detail = progress.redact(str(exc)) or type(exc).__name__
        return cls(
            f"{operation.operation_id}: {detail} ({progress.describe()})",
            method=operation.method,
            url=progress.redact(url),
            attempts=progress.attempts,
        )

    def __repr__(self) -> str:
        user = f", user_token={REDACTED}" if self._token.value else ""
        return (
            f"<{type(self).__name__} {self._core.host(DEFAULT_BASE_URL)} "
            f"partner_token={REDACTED}{user}>"
        )


class AltegioClient(_BaseClient[Partner]):
    """The partner's client.  Use ``async with``; it owns the connection pool.

    Operations are grouped by tag: ``await client.<tag>.<operation>(...)``, and
    ``client.v2.<tag>.<operation>(...)`` for the v2 API.  Each tag is a read-only
    property, listed below with what its operations do.

    Args:
        partner_token: your Altegio partner token (sent as ``Bearer <token>``).
        base_url: Altegio's API host, ``https://api.alteg.io``; every operation adds
            its own path (``/api/v1/...``, ``/api/v2/...``), so one argument points
            v1 and v2 at a sandbox or a proxy.
        app_base_url: the host of the marketplace operations that Altegio serves
            from ``https://app.alteg.io``.
        timeout: seconds or an ``httpx.Timeout`` for each attempt; each call may
            override it.
        deadline: seconds for a whole call, retries and rate-limit waits included
            (default: none; the retry policy's ``total_budget`` still applies).
        retry: a RetryPolicy; ``RetryPolicy(max_attempts=1)`` disables retries.
        limiter: a limiter for this client only; by default all clients of a process
            share one per API host, because Altegio limits per IP.
        rate_limit: ``False`` sends without client-side limiting.
        http_client: an ``httpx.AsyncClient`` to use (you close it), as configured.
            The pool the client makes otherwise keeps no cookies: every user session
            shares it, and Altegio authenticates by header (see ``_pool.py``).
        limits: the connection pool's limits when the client makes its own (httpx's
            default: 100 connections, 20 kept alive).
        user_token: act for an online-booking user from the start.
        parse_in_thread_above: replies larger than this many bytes are decoded and
            read in a worker thread, with the garbage collector paused, so the event
            loop is not stalled (default 128 KiB); ``None`` reads every reply on the
            loop.
    """

    def __init__(
        self,
        partner_token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        app_base_url: str = DEFAULT_APP_BASE_URL,
        timeout: Timeout = DEFAULT_TIMEOUT,
        deadline: float | None = None,
        retry: RetryPolicy | None = None,
        limiter: Limiter | None = None,
        rate_limit: bool = True,
        http_client: httpx.AsyncClient | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
        user_token: str | None = None,
        parse_in_thread_above: int | None = DEFAULT_PARSE_IN_THREAD_ABOVE,
    ) -> None:
        check_token(partner_token, "partner_token")
        if parse_in_thread_above is not None and (
            isinstance(parse_in_thread_above, bool)
            or not isinstance(parse_in_thread_above, int)
            or parse_in_thread_above < 0
        ):
            raise UsageError("parse_in_thread_above must be a number of bytes >= 0, or None")
        for name, url in (("base_url", base_url), ("app_base_url", app_base_url)):
            if not isinstance(url, str) or httpx.URL(url).scheme not in ("http", "https"):
                raise UsageError(f"{name} must be an http(s) URL, got {url!r}")
            if _VERSION_PATH.search(httpx.URL(url).path):
                raise UsageError(
                    f"{name} is the host, without an API version: each operation adds its "
                    f"own /api/v1 or /api/v2 path (got {url!r}; pass "
                    f"{_VERSION_PATH.sub('', url)!r})"
                )
        if user_token is not None:
            check_token(user_token, "user_token")
        options = Options(
            timeout=as_timeout(timeout),
            retry=RetryPolicy() if retry is None else check_retry(retry),
            deadline=check_deadline(deadline),
        )
        core = _Core(
            partner_token=partner_token,
            base_urls={
                DEFAULT_BASE_URL: base_url.rstrip("/"),
                DEFAULT_APP_BASE_URL: app_base_url.rstrip("/"),
            },
            timeout=options.timeout,
            limiter=limiter,
            rate_limit=rate_limit,
            http_client=http_client,
            limits=limits,
            parse_in_thread_above=parse_in_thread_above,
        )
        super().__init__(core, _TokenCell(user_token), options)
        if user_token is not None:
            self.user_kind = "booking"  # the online-booking client's, as before sessions

    async def aclose(self) -> None:
        """Close the pool (if this client made it), once connections that cancelled calls
        left are closed.

        Views from ``with_options`` share the pool: closing any of them closes it."""
        await self._core.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class _Session(_BaseClient[S]):
    """A view made with a user token (either kind): its token is always there."""

    @property
    def user_token(self) -> str:
        """The user's token (the current one: it changes with the password)."""
        token = self._token.value
        if token is None:  # a session is always made with a token
            raise UsageError("this session has no user token")
        return token


class UserSession(_Session[Booking]):
    """A view of an AltegioClient acting for one online-booking user (a client of
    the locations: their bookings, their cabinet).

    Save ``session.user_token`` to restore it later with ``client.with_user_token``;
    the token changes when the user's password does, and the session follows.
    """

    user_kind: UserKind | None = "booking"
    user: AuthorizedUser | None = None
    """The login reply (name, phone, email...) when the session came from ``login``."""


class LoggedInSession(UserSession):
    """The UserSession that ``login`` returns: ``user`` is its login reply, always there."""

    user: AuthorizedUser
    """The login reply: the user's name, phone, email and token."""


class BusinessSession(_Session[Business]):
    """A view of an AltegioClient acting for one business user: a location's owner
    or staff account, on the Business Management API (v1 and ``session.v2``).

    Its user token goes with the operations that take a business user's; the
    online-booking client's operations raise ``UserTokenRequiredError`` before
    sending (a business token there is a 403 from Altegio).
    """

    user_kind: UserKind | None = "business"
    user: BusinessUser | None = None
    """The login reply (name, phone, email...) when the session came from ``login_business``."""


class LoggedInBusinessSession(BusinessSession):
    """The BusinessSession that ``login_business`` returns: ``user`` is its login reply."""

    user: BusinessUser
    """The login reply: the business user's name, phone, email and token."""


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "AltegioClient",
    "BusinessSession",
    "LoggedInBusinessSession",
    "LoggedInSession",
    "UserSession",
]
