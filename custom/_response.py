"""The result of one call, for callers who need more than the unwrapped data."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

import httpx

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class ApiResponse(Generic[T]):
    """``data`` as the plain method returns it, plus ``meta`` and the raw response.

    Example::

        raw = await client.with_raw_response.online_booking.get_services_available_for_booking(
            location_id=4564
        )
        raw.data, raw.meta, raw.status_code, raw.headers["content-type"], raw.attempts
    """

    data: T
    meta: Mapping[str, Any]
    http_response: httpx.Response
    attempts: int = 1
    """How many attempts the call took, retries included."""
    links: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """A JSON:API document's ``links`` (v2: ``self``, ``next``...)."""
    included: Sequence[Any] = ()
    """A JSON:API document's ``included`` resources, read (see ``related()``)."""

    @property
    def status_code(self) -> int:
        """The HTTP status of the reply."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The reply's HTTP headers."""
        return self.http_response.headers

    def __repr__(self) -> str:
        request = self.http_response.request
        return f"<ApiResponse {request.method} {request.url.path} [{self.status_code}]>"
