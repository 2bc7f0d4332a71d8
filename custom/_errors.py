"""Every error the SDK raises.  Catch ``AltegioError`` for all of them::

    AltegioError
     ├── UsageError                 bad arguments or settings (also a ValueError)
     ├── UserTokenRequiredError     user-token operation called without a user token
     ├── AltegioTransportError      no usable HTTP exchange
     │    ├── AltegioConnectionError
     │    └── AltegioTimeoutError
     ├── InvalidResponseError       a 2xx body that is not the JSON the spec describes
     └── APIError                   an error reply (status, meta.message, meta.errors)
          ├── AuthenticationError       401 (``token`` says whether the user token was rejected)
          ├── PermissionDeniedError     403
          │    └── ClientBlacklistedError         code 434
          ├── NotFoundError             404
          ├── UnprocessableEntityError  422
          │    ├── InvalidPhoneError              code 431
          │    ├── InvalidConfirmationCodeError   code 432
          │    ├── SlotUnavailableError           code 433: the slot is already taken
          │    ├── MissingClientNameError         code 435
          │    ├── NoTeamMembersAvailableError    code 436
          │    ├── AppointmentOverlapError        code 437
          │    └── ServiceNotBookableError        code 438
          ├── RateLimitError            429 (``retry_after`` in seconds, if Altegio said)
          └── ServerError               5xx

An API error carries Altegio's codes in ``errors``; branch on them with
``except SlotUnavailableError`` or ``err.has_code(433)``, never on message text.
Messages never contain the partner token, the user token or a password.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal


class AltegioError(Exception):
    """Base class of every error raised by altegio_async."""


class UsageError(AltegioError, ValueError):
    """The SDK was called with arguments it cannot use; the message names the argument."""


class UserTokenRequiredError(AltegioError):
    """The operation needs a user token and this client has none (no request was sent)."""

    def __init__(
        self, operation: str, kind: str | None = "booking", held: str | None = None
    ) -> None:
        self.operation = operation
        self.kind = kind  # whose token it takes: "booking" or "business"
        whose, how = _SESSIONS.get(kind or "booking", _SESSIONS["booking"])
        holding = f" (this one holds {_SESSIONS[held][0]}'s)" if held in _SESSIONS else ""
        super().__init__(
            f"{operation} needs {whose}'s user token{holding}: call it on the session "
            f"returned by {how}"
        )


_SESSIONS = {
    "booking": ("an online-booking client", "client.login(...) or client.with_user_token(...)"),
    "business": (
        "a business user",
        "client.login_business(...) or client.with_business_token(...)",
    ),
}


class AltegioTransportError(AltegioError):
    """The request did not produce an HTTP response."""

    def __init__(self, message: str, *, method: str, url: str, attempts: int = 1) -> None:
        self.method = method
        self.url = url
        self.attempts = attempts
        """How many attempts were made (retries included) before giving up."""
        super().__init__(f"{message} ({method} {url})")


class AltegioConnectionError(AltegioTransportError):
    """Connecting to Altegio failed, or the connection broke before a full reply."""


class AltegioTimeoutError(AltegioTransportError):
    """Altegio did not answer within the timeout."""


class InvalidResponseError(AltegioError):
    """A success status with a body that is not the JSON the spec describes."""

    def __init__(
        self,
        reason: str,
        *,
        status_code: int,
        content_type: str,
        snippet: str,
        method: str,
        url: str,
    ) -> None:
        self.reason = reason
        self.status_code = status_code
        self.content_type = content_type
        self.snippet = snippet
        self.method = method
        self.url = url
        super().__init__(
            f"{reason}: HTTP {status_code} from {method} {url}, "
            f"content-type {content_type or '(none)'!r}, body starts {snippet!r}"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One entry of ``meta.errors``: Altegio's numeric code and its message."""

    code: int | None
    message: str


class APIError(AltegioError):
    """Altegio answered with an error status or ``success: false``."""

    status_codes: ClassVar[frozenset[int]] = frozenset()
    codes: ClassVar[frozenset[int]] = frozenset()
    attempts: int = 1
    """How many attempts the call made, retries included, before this answer."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        errors: Sequence[ErrorDetail] = (),
        body: str = "",
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.errors = tuple(errors)
        self.body = body
        self.method = method
        self.url = url
        self.headers = dict(headers or {})
        details = "; ".join(f"{e.code}: {e.message}" if e.code else e.message for e in self.errors)
        text = f"HTTP {status_code} from {method} {url}: {message}"
        super().__init__(f"{text} [{details}]" if details else text)

    def has_code(self, code: int) -> bool:
        """Whether Altegio listed ``code`` in ``meta.errors`` (e.g. 433 for a taken slot)."""
        return any(e.code == code for e in self.errors)


class AuthenticationError(APIError):
    """HTTP 401: a token or the login credentials were rejected (see ``token``)."""

    status_codes = frozenset({401})
    #: What Altegio rejected: the "partner" token, the "user" token (calls made with
    #: one), or the "login" credentials (``login()`` and the other authentication calls).
    token: Literal["partner", "user", "login"] = "partner"


class PermissionDeniedError(APIError):
    """HTTP 403: the partner or user may not do this (e.g. an app not connected)."""

    status_codes = frozenset({403})


class NotFoundError(APIError):
    """HTTP 404: the location, record, form or other object does not exist."""

    status_codes = frozenset({404})


class UnprocessableEntityError(APIError):
    """HTTP 422: Altegio refused the request's content (``errors`` says why)."""

    status_codes = frozenset({422})


class RateLimitError(APIError):
    """HTTP 429 after the retries: Altegio's 5/s or 200/min per-IP limit was hit."""

    status_codes = frozenset({429})
    #: Seconds Altegio asked us to wait (from Retry-After), or None.
    retry_after: float | None = None


class ServerError(APIError):
    """HTTP 5xx after the retries (idempotent calls) or at once (others)."""

    status_codes = frozenset(range(500, 600))


class ClientBlacklistedError(PermissionDeniedError):
    """The client's phone is blacklisted at the location (code 434)."""

    codes = frozenset({434})


class InvalidPhoneError(UnprocessableEntityError):
    """The phone number is not in a valid format (code 431)."""

    codes = frozenset({431})


class InvalidConfirmationCodeError(UnprocessableEntityError):
    """The SMS confirmation code is wrong (code 432)."""

    codes = frozenset({432})


class SlotUnavailableError(UnprocessableEntityError):
    """The chosen time is already taken or outside working hours (code 433)."""

    codes = frozenset({433})


class MissingClientNameError(UnprocessableEntityError):
    """The client's name was not given (code 435)."""

    codes = frozenset({435})


class NoTeamMembersAvailableError(UnprocessableEntityError):
    """No team member is free at the chosen time (code 436)."""

    codes = frozenset({436})


class AppointmentOverlapError(UnprocessableEntityError):
    """Two appointments of one request overlap (code 437)."""

    codes = frozenset({437})


class ServiceNotBookableError(UnprocessableEntityError):
    """The service can no longer be booked (code 438)."""

    codes = frozenset({438})


_BY_CODE: dict[int, type[APIError]] = {
    code: cls
    for cls in (
        ClientBlacklistedError,
        InvalidPhoneError,
        InvalidConfirmationCodeError,
        SlotUnavailableError,
        MissingClientNameError,
        NoTeamMembersAvailableError,
        AppointmentOverlapError,
        ServiceNotBookableError,
    )
    for code in cls.codes
}
_BY_STATUS: tuple[type[APIError], ...] = (
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    UnprocessableEntityError,
    RateLimitError,
    ServerError,
)


def error_class(status_code: int, errors: Sequence[ErrorDetail]) -> type[APIError]:
    """The most specific class: Altegio's first known code, else the HTTP status."""
    for detail in errors:
        if detail.code in _BY_CODE:
            return _BY_CODE[detail.code]
    for cls in _BY_STATUS:
        if status_code in cls.status_codes:
            return cls
    return APIError


def error_details(meta: Any) -> list[ErrorDetail]:
    """``meta.errors`` as a list, whether Altegio sent a list or a single object."""
    raw = meta.get("errors") if isinstance(meta, Mapping) else None
    if isinstance(raw, Mapping):
        raw = [raw] if "message" in raw or "code" in raw else list(raw.values())
    if not isinstance(raw, list):
        return []
    details = []
    for item in raw:
        if isinstance(item, Mapping):
            code = item.get("code")
            details.append(
                ErrorDetail(
                    code=code if isinstance(code, int) and not isinstance(code, bool) else None,
                    message=str(item.get("message", "")),
                )
            )
        else:
            details.append(ErrorDetail(code=None, message=str(item)))
    return details
