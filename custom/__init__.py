"""Hand-written layer of altegio_async; the generator never touches this directory.

Everything here is re-exported by ``altegio_async`` itself.  The client, its
options and errors load with the package; batches, paging, the sync client and
webhooks load on first use (``import altegio_async`` stays cheap for a service
that needs only the client).
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._client import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    AltegioClient,
    BusinessSession,
    LoggedInBusinessSession,
    LoggedInSession,
    UserSession,
)
from ._errors import (
    AltegioConnectionError,
    AltegioError,
    AltegioTimeoutError,
    AltegioTransportError,
    APIError,
    AppointmentOverlapError,
    AuthenticationError,
    ClientBlacklistedError,
    ErrorDetail,
    InvalidConfirmationCodeError,
    InvalidPhoneError,
    InvalidResponseError,
    MissingClientNameError,
    NoTeamMembersAvailableError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceNotBookableError,
    SlotUnavailableError,
    UnprocessableEntityError,
    UsageError,
    UserTokenRequiredError,
)
from ._limiter import AltegioRateLimiter, Limiter
from ._operation import Operation
from ._options import Options
from ._response import ApiResponse
from ._retry import RetryEvent, RetryPolicy

if TYPE_CHECKING:
    from ._batch import BatchResult, Outcome, Progress, run_batch
    from ._pagination import AsyncPaginator
    from ._sync import (
        SyncAltegioClient,
        SyncBusinessSession,
        SyncLoggedInBusinessSession,
        SyncLoggedInSession,
        SyncPaginator,
        SyncUserSession,
    )
    from ._webhook_receiver import WebhookReceiver
    from ._webhooks import (
        AnyWebhookEvent,
        UnknownWebhookEvent,
        WebhookEvent,
        WebhookPayloadError,
        parse_webhook,
        verify_partner_token,
    )

_LAZY = {
    "BatchResult": "._batch",
    "Outcome": "._batch",
    "Progress": "._batch",
    "run_batch": "._batch",
    "AsyncPaginator": "._pagination",
    "SyncAltegioClient": "._sync",
    "SyncBusinessSession": "._sync",
    "SyncLoggedInBusinessSession": "._sync",
    "SyncLoggedInSession": "._sync",
    "SyncPaginator": "._sync",
    "SyncUserSession": "._sync",
    "WebhookReceiver": "._webhook_receiver",
    "AnyWebhookEvent": "._webhooks",
    "UnknownWebhookEvent": "._webhooks",
    "WebhookEvent": "._webhooks",
    "WebhookPayloadError": "._webhooks",
    "parse_webhook": "._webhooks",
    "verify_partner_token": "._webhooks",
}

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "APIError",
    "AltegioClient",
    "AltegioConnectionError",
    "AltegioError",
    "AltegioRateLimiter",
    "AltegioTimeoutError",
    "AltegioTransportError",
    "AnyWebhookEvent",
    "ApiResponse",
    "AppointmentOverlapError",
    "AsyncPaginator",
    "AuthenticationError",
    "BatchResult",
    "BusinessSession",
    "ClientBlacklistedError",
    "ErrorDetail",
    "InvalidConfirmationCodeError",
    "InvalidPhoneError",
    "InvalidResponseError",
    "Limiter",
    "LoggedInBusinessSession",
    "LoggedInSession",
    "MissingClientNameError",
    "NoTeamMembersAvailableError",
    "NotFoundError",
    "Operation",
    "Options",
    "Outcome",
    "PermissionDeniedError",
    "Progress",
    "RateLimitError",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "ServiceNotBookableError",
    "SlotUnavailableError",
    "SyncAltegioClient",
    "SyncBusinessSession",
    "SyncLoggedInBusinessSession",
    "SyncLoggedInSession",
    "SyncPaginator",
    "SyncUserSession",
    "UnknownWebhookEvent",
    "UnprocessableEntityError",
    "UsageError",
    "UserSession",
    "UserTokenRequiredError",
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookReceiver",
    "parse_webhook",
    "run_batch",
    "verify_partner_token",
]

# A library's log lines are the application's to route: without a handler configured
# there, retries and "does not fit" warnings go nowhere instead of to stderr.
logging.getLogger("altegio_async").addHandler(logging.NullHandler())


def _public(obj: Any) -> Any:
    """Tracebacks and reprs read altegio_async.SlotUnavailableError, the name users import."""
    if isinstance(obj, type):
        obj.__module__ = "altegio_async"
    return obj


for _name in __all__:
    if _name not in _LAZY:
        _public(globals()[_name])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = _public(getattr(importlib.import_module(module, __name__), name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
