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
        "AsyncPaginator", "Options", "SyncAltegioClient", "SyncPaginator", "SyncUserSession",
        "LoggedInSession", "SyncLoggedInSession", "AnyWebhookEvent", "WebhookEvent",
        "BusinessSession", "LoggedInBusinessSession", "SyncBusinessSession",
        "SyncLoggedInBusinessSession",
    }  # fmt: skip
    for name in altegio_async.__all__:
        member = getattr(altegio_async, name)
        if isinstance(member, type):
            assert member.__module__ == "altegio_async", name


def test_log_lines_go_nowhere_unless_the_application_routes_them() -> None:
    """A NullHandler on the library's logger: no stderr output in an application that
    configured no logging, even for warnings (Python's last-resort handler)."""
    import subprocess
    import sys

    probe = (
        "import altegio_async.models as m\n"
        "slot = m.TimeSlot.from_dict(\n"
        "    {'time': 1, 'seance_length': 3600, 'datetime': '2026-12-06T10:00:00+00:00',\n"
        "     'sum_length': 'x'}\n"
        ")\n"
        "print(len(slot.mismatches), slot.sum_length)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert (done.stdout.strip(), done.stderr) == ("1 None", "")
    drop = "import logging; logging.getLogger('altegio_async').handlers.clear()\n"
    unconfigured = probe.replace("as m\n", "as m\n" + drop)
    done = subprocess.run([sys.executable, "-c", unconfigured], capture_output=True, text=True)
    assert "does not fit" in done.stderr  # the check above can fail
