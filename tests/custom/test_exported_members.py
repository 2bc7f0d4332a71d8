from __future__ import annotations

import altegio_async


def test_exported_members() -> None:
    """The public names, pinned: removing or renaming one is a breaking change."""
    assert set(altegio_async.__all__) == {
        "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "APIError", "AltegioClient",
        "AltegioConnectionError", "AltegioError", "AltegioRateLimiter", "AltegioTimeoutError",
        "AltegioTransportError", "ApiResponse", "AppointmentOverlapError", "AuthenticationError",
        "BatchResult", "ClientBlacklistedError", "ErrorDetail", "InvalidConfirmationCodeError",
        "InvalidPhoneError", "InvalidResponseError", "Limiter", "MissingClientNameError",
        "NoTeamMembersAvailableError", "NotFoundError", "Operation", "Outcome",
        "PermissionDeniedError", "Progress",
        "RateLimitError", "RetryEvent", "RetryPolicy", "ServerError", "ServiceNotBookableError",
        "SlotUnavailableError", "UnprocessableEntityError", "UsageError", "UserSession",
        "UserTokenRequiredError", "run_batch", "UnknownWebhookEvent", "WebhookPayloadError",
        "WebhookReceiver", "parse_webhook", "verify_partner_token",
    }  # fmt: skip
    for name in altegio_async.__all__:
        member = getattr(altegio_async, name)
        if isinstance(member, type):
            assert member.__module__ == "altegio_async", name
