"""What the generated code tells the client about each operation, and what it asks of it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol, TypeVar

import httpx

from ..types import Unset
from ._response import ApiResponse

T = TypeVar("T")

# The origin of the server Altegio's bundle names for an operation ("https://api.alteg.io",
# "https://app.alteg.io"); the client maps it to the host it was given.
Server = str
Envelope = Literal["data", "status", "none", "file", "jsonapi"]
UserToken = Literal["none", "optional", "booking", "business"]
UserKind = Literal["booking", "business"]
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the specs, as recorded by the generator.

    ``envelope`` says how the success reply is shaped: ``"data"`` for
    ``{success, data, meta}``, ``"status"`` for ``{success, meta}`` without data,
    ``"none"`` for a bare object or an empty body, ``"file"`` for a file (its
    bytes) and ``"jsonapi"`` for a JSON:API document (v2: ``data`` is returned,
    linked to ``included``).  ``user_token`` says whether the call takes a user
    token, and whose: ``"booking"`` (an online-booking client's, ``login()``),
    ``"business"`` (a location's staff, ``login_business()``), ``"none"``, or
    ``"optional"`` where a record hash in the path stands in for a booking client's
    (Altegio: the hash is required "if the user is not authorized").
    """

    operation_id: str
    tag: str
    method: str
    path: str  # the whole path on the server: /api/v1/..., /api/v2/...
    server: Server
    user_token: UserToken
    envelope: Envelope
    has_response_body: bool
    namespace: str = ""  # "v2": the operation is ``client.v2.<tag>.<operation_id>``
    bundle: str = ""  # the bundle it comes from, by the lock's name ("b2b-v1")
    # path parameters that are credentials (a record hash): kept out of errors and logs
    secret_path: tuple[str, ...] = ()
    module: str = ""  # the generated module that defines it (its Result, its request)

    @property
    def requires_user_token(self) -> bool:
        """The call cannot be made without a user token."""
        return self.user_token in ("booking", "business")

    @property
    def user_kind(self) -> UserKind | None:
        """Whose user token the call takes, if any."""
        if self.user_token == "none":
            return None
        return "business" if self.user_token == "business" else "booking"

    @property
    def accepts_user_token(self) -> bool:
        """The user token is sent when the caller has one."""
        return self.user_token != "none"

    @property
    def idempotent(self) -> bool:
        """Repeating the call is harmless, so failures after sending may be retried."""
        return self.method in IDEMPOTENT_METHODS

    @property
    def qualified_id(self) -> str:
        """The key of ``altegio_async.api.OPERATIONS``: the operationId, after its
        namespace where it has one (``v2.get_service``)."""
        return f"{self.namespace}.{self.operation_id}" if self.namespace else self.operation_id

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


class Caller(Protocol):
    """Sends one operation; implemented by the client (and its user sessions).

    The generated methods call ``_call``: it is the client's seam with the generated
    code, not a method for users (``help(AltegioClient)`` leaves it out)."""

    async def _call(
        self,
        operation: Operation,
        request: Callable[[], dict[str, Any]],
        parse: Callable[[Any], T],
        *,
        timeout: float | httpx.Timeout | Unset | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
    ) -> ApiResponse[T]: ...
