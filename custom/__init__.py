"""Hand-written layer of altegio_async; the generator never touches this directory.

Everything here is re-exported by ``altegio_async`` itself.
"""

from __future__ import annotations

import logging

from ._batch import BatchResult, Outcome, Progress, run_batch
from ._client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, AltegioClient, UserSession
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
from ._pagination import AsyncPaginator
from ._response import ApiResponse
from ._retry import RetryEvent, RetryPolicy
from ._sync import SyncAltegioClient, SyncPaginator, SyncUserSession
from ._webhook_receiver import WebhookReceiver
from ._webhooks import (
    UnknownWebhookEvent,
    WebhookPayloadError,
    parse_webhook,
    verify_partner_token,
)

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
    "ApiResponse",
    "AppointmentOverlapError",
    "AsyncPaginator",
    "AuthenticationError",
    "BatchResult",
    "ClientBlacklistedError",
    "ErrorDetail",
    "InvalidConfirmationCodeError",
    "InvalidPhoneError",
    "InvalidResponseError",
    "Limiter",
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
    "SyncPaginator",
    "SyncUserSession",
    "UnknownWebhookEvent",
    "UnprocessableEntityError",
    "UsageError",
    "UserSession",
    "UserTokenRequiredError",
    "WebhookPayloadError",
    "WebhookReceiver",
    "parse_webhook",
    "run_batch",
    "verify_partner_token",
]

# A library's log lines are the application's to route: without a handler configured
# there, retries and "does not fit" warnings go nowhere instead of to stderr.
logging.getLogger("altegio_async").addHandler(logging.NullHandler())

# Tracebacks and reprs read altegio_async.SlotUnavailableError, the name users import.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = "altegio_async"
