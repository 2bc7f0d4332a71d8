"""The connection pool an AltegioClient makes for itself: httpx, without a cookie jar.

Altegio authenticates every call by its ``Authorization`` header; cookies play no
part.  The pool is shared by every user session of the client, so a jar would
send a cookie that one user's reply set (a load balancer's, a session's) with
every other user's calls.  The pool keeps none.  It is also the largest cost httpx
adds per reply: reading ``Set-Cookie`` builds two ``urllib`` stand-ins for every
response, even when there is no cookie to read: about 12 us measured alone,
25-30 us per call within an exchange (``make bench``, section 8).

A pool passed as ``http_client=`` is the caller's: it is used as configured.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ._errors import UsageError

_REFUSED = (
    "an AltegioClient's own connection pool keeps no cookies (it is shared by every "
    "user session); pass http_client= to use a pool with a cookie jar"
)


class _NoCookies(httpx.Cookies):
    """A jar that never stores what a reply sets, and so never sends a cookie."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set(self, name: str, value: str, domain: str = "", path: str = "/") -> None:
        raise UsageError(_REFUSED)

    def update(self, cookies: object = None) -> None:  # type: ignore[override]
        raise UsageError(_REFUSED)


class CookielessClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` whose ``cookies`` jar keeps nothing."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self._no_cookies = _NoCookies()  # one per pool, as httpx's own jar

    @property
    def cookies(self) -> httpx.Cookies:
        """Always empty: see the module's docstring."""
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        raise UsageError(_REFUSED)


def own_pool(
    *, timeout: httpx.Timeout, limits: httpx.Limits, headers: Mapping[str, str]
) -> httpx.AsyncClient:
    """The pool an AltegioClient owns: ``headers`` as every request's defaults (a
    per-request header merge would cost httpx about 8 us), no redirects, no cookies."""
    return CookielessClient(timeout=timeout, follow_redirects=False, headers=headers, limits=limits)


__all__ = ["CookielessClient", "own_pool"]
