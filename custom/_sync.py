"""SyncAltegioClient: the async client driven from blocking code.

One background thread per client runs an event loop (anyio's blocking portal);
every blocking method submits the async method to it and waits.  So the sync
client is the async one (same pool, limiter, retries, errors), usable from plain
scripts, notebooks, Django views and several threads at once::

    with SyncAltegioClient(partner_token="...") as client:
        services = client.online_booking.get_services_available_for_booking(location_id=4564)
        session = client.login(login="+13155550175", password="...")
        for record in session.client_personal_cabinet.get_user_appointment_list():
            ...
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, cast

import httpx

from ..api import SyncRawResources, SyncResources
from ..types import UNSET, Unset
from ._audience import Booking, Business, Partner, S
from ._auth import REDACTED
from ._client import (
    DEFAULT_APP_BASE_URL,
    DEFAULT_BASE_URL,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    AltegioClient,
    _BaseClient,
)
from ._client import BusinessSession as _AsyncBusinessSession
from ._client import LoggedInBusinessSession as _AsyncLoggedInBusinessSession
from ._client import LoggedInSession as _AsyncLoggedInSession
from ._client import UserSession as _AsyncUserSession
from ._errors import UsageError
from ._limiter import Limiter
from ._options import Options, Timeout
from ._pagination import AsyncPaginator
from ._parsing import DEFAULT_PARSE_IN_THREAD_ABOVE
from ._resource import resource
from ._retry import RetryPolicy

if TYPE_CHECKING:
    from anyio.from_thread import BlockingPortal

    from ..models.authorized_user import AuthorizedUser
    from ..models.user import User as BusinessUser

T = TypeVar("T")


class Portal:
    """An event loop in a daemon thread (a forgotten ``close()`` never blocks exit),
    and the door blocking code calls it through."""

    def __init__(self) -> None:
        import anyio  # only the sync client needs it
        from anyio.from_thread import BlockingPortal

        handoff: queue.Queue[BlockingPortal | BaseException] = queue.Queue()

        async def serve() -> None:
            try:
                async with BlockingPortal() as portal:
                    handoff.put(portal)
                    await portal.sleep_until_stopped()
            except BaseException as exc:  # reported to the constructor below
                handoff.put(exc)
                raise

        self._thread = threading.Thread(
            target=anyio.run, args=(serve,), name="altegio-sync-loop", daemon=True
        )
        self._thread.start()
        started = handoff.get()
        if isinstance(started, BaseException):
            raise started
        self._portal: BlockingPortal = started
        self.closed = False

    def call(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run ``func(*args)`` on the loop and wait for its result (from any thread)."""
        if self.closed:
            raise UsageError("this SyncAltegioClient is closed")
        return self._portal.call(func, *args)

    def stop(self) -> None:
        self.closed = True
        if self._thread.is_alive():
            self._portal.call(self._portal.stop)
            self._thread.join()


class SyncPaginator(Generic[T]):
    """Blocking form of AsyncPaginator: ``for item in ...`` and ``.pages()``."""

    def __init__(self, paginator: AsyncPaginator[T], portal: Portal) -> None:
        self._paginator = paginator
        self._portal = portal

    def pages(self) -> Iterator[list[T]]:
        """Each non-empty page as a list, in order."""
        pages = self._paginator.pages()

        async def next_page() -> list[T] | None:
            try:
                return await anext(pages)
            except StopAsyncIteration:
                return None

        try:
            while (page := self._portal.call(next_page)) is not None:
                yield page
        finally:
            self._portal.call(pages.aclose)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page

    def to_list(self) -> list[T]:
        """Every item of every page."""
        return list(self)

    def __repr__(self) -> str:
        return f"<SyncPaginator {self._paginator.operation}>"


class _SyncView(SyncResources[S]):
    """Blocking methods over one async view (client or user session)."""

    def __init__(self, view: _BaseClient[S], portal: Portal) -> None:
        super().__init__(view, portal)
        self._view = view

    @resource
    def with_raw_response(self) -> SyncRawResources[S]:
        """The same operations, each returning the whole ApiResponse (data, meta,
        http_response, attempts) instead of the data."""
        return SyncRawResources(self._view.with_raw_response, self._portal)

    @property
    def user_token(self) -> str | None:
        """The user token this view sends, if any."""
        return self._view.user_token

    @property
    def options(self) -> Options:
        """The timeout, deadline, retry policy and headers this view applies."""
        return self._view.options

    def with_options(
        self,
        *,
        timeout: Timeout | Unset = UNSET,
        deadline: float | Unset | None = UNSET,
        retry: RetryPolicy | Unset = UNSET,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A view with other settings sharing the pool, limiter and session
        (see ``AltegioClient.with_options``)."""
        view = self._view.with_options(
            timeout=timeout, deadline=deadline, retry=retry, headers=headers
        )
        copy = object.__new__(type(self))
        _SyncView.__init__(copy, view, self._portal)
        return copy

    def with_user_token(self, user_token: str) -> SyncUserSession:
        """A view acting for one online-booking user (see ``AltegioClient.with_user_token``)."""
        return SyncUserSession(self._view.with_user_token(user_token), self._portal)

    def login(self, *, login: str, password: str) -> SyncLoggedInSession:
        """``POST /booking/auth``: log an online-booking user in, return their session."""
        session = self._portal.call(partial(self._view.login, login=login, password=password))
        return SyncLoggedInSession(session, self._portal)

    def with_business_token(self, user_token: str) -> SyncBusinessSession:
        """A view acting for one business user (see ``AltegioClient.with_business_token``)."""
        return SyncBusinessSession(self._view.with_business_token(user_token), self._portal)

    def login_business(self, *, login: str, password: str) -> SyncLoggedInBusinessSession:
        """``POST /auth``: log a business user in, return their session."""
        call = partial(self._view.login_business, login=login, password=password)
        return SyncLoggedInBusinessSession(self._portal.call(call), self._portal)

    def send_login_code(self, *, location_id: int, phone: str) -> None:
        """``POST /book_code``: Altegio sends an SMS code to ``phone``."""
        self._portal.call(partial(self._view.send_login_code, location_id=location_id, phone=phone))

    def login_with_code(self, *, phone: str, code: str) -> SyncUserSession:
        """``POST /user/auth``: log a user in with the SMS code sent to their phone."""
        session = self._portal.call(partial(self._view.login_with_code, phone=phone, code=code))
        return SyncUserSession(session, self._portal)

    def __repr__(self) -> str:
        user = f", user_token={REDACTED}" if self._view.user_token else ""
        base = self._view._core.host(DEFAULT_BASE_URL)
        return f"<{type(self).__name__} {base} partner_token={REDACTED}{user}>"


class SyncAltegioClient(_SyncView[Partner]):
    """The partner's client with blocking methods; takes AltegioClient's arguments.

    Use ``with`` (or call ``close()``): it owns the connection pool and the thread
    running the event loop.  Safe to share between threads; all of them share the
    pool and the rate limit.
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
        limits: httpx.Limits = DEFAULT_LIMITS,
        user_token: str | None = None,
        parse_in_thread_above: int | None = DEFAULT_PARSE_IN_THREAD_ABOVE,
    ) -> None:
        # Arguments are checked here, in the caller's thread, before a thread starts.
        client = AltegioClient(
            partner_token,
            base_url=base_url,
            app_base_url=app_base_url,
            timeout=timeout,
            deadline=deadline,
            retry=retry,
            limiter=limiter,
            rate_limit=rate_limit,
            limits=limits,
            user_token=user_token,
            parse_in_thread_above=parse_in_thread_above,
        )
        super().__init__(client, Portal())
        self._client = client
        self._closed = False

    def close(self) -> None:
        """Close the pool and stop the event-loop thread; later calls raise UsageError."""
        if self._closed:
            return
        self._closed = True
        try:
            self._portal.call(self._client.aclose)
        finally:
            self._portal.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class SyncUserSession(_SyncView[Booking]):
    """A view of a SyncAltegioClient acting for one online-booking user."""

    @property
    def user_token(self) -> str:
        """The user's token (the current one: it changes with the password)."""
        token = self._view.user_token
        if token is None:  # a session is always made with a token
            raise UsageError("this session has no user token")
        return token

    @property
    def user(self) -> AuthorizedUser | None:
        """The login reply when the session came from ``login``."""
        view = self._view
        return view.user if isinstance(view, _AsyncUserSession) else None


class SyncLoggedInSession(SyncUserSession):
    """The SyncUserSession that ``login`` returns: ``user`` is its login reply."""

    @property
    def user(self) -> AuthorizedUser:
        """The login reply: the user's name, phone, email and token."""
        # login() wraps a LoggedInSession, and with_options() views keep its type
        return cast(_AsyncLoggedInSession, self._view).user


class SyncBusinessSession(_SyncView[Business]):
    """A view of a SyncAltegioClient acting for one business user (a location's staff)."""

    @property
    def user_token(self) -> str:
        """The business user's token."""
        return cast(_AsyncBusinessSession, self._view).user_token

    @property
    def user(self) -> BusinessUser | None:
        """The login reply when the session came from ``login_business``."""
        return cast(_AsyncBusinessSession, self._view).user


class SyncLoggedInBusinessSession(SyncBusinessSession):
    """The SyncBusinessSession that ``login_business`` returns: ``user`` is its login reply."""

    @property
    def user(self) -> BusinessUser:
        """The login reply: the business user's name, phone, email and token."""
        return cast(_AsyncLoggedInBusinessSession, self._view).user


__all__ = [
    "SyncAltegioClient",
    "SyncBusinessSession",
    "SyncLoggedInBusinessSession",
    "SyncLoggedInSession",
    "SyncPaginator",
    "SyncUserSession",
]
