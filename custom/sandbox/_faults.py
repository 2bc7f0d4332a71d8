"""Faults a test can inject into the sandbox, one rule at a time.

::

    sandbox.faults.add(Fault("status", status=503, times=3, operation="get_city_list"))
    sandbox.faults.add(Fault("reset", operation="create_online_booking"))

Each rule fires on the next ``times`` matching requests (``operation`` is an
operationId, after its namespace for a v2 one: ``v2.list_appointments``; ``None``
matches every request), in the order the rules were added.
"Before" faults answer instead of the handler, so nothing is changed on the
server; "after" faults let the handler run (a booking is really made) and then
spoil the reply, which is what makes a blind retry dangerous.
"""

from __future__ import annotations

import threading
from typing import Literal

import attrs

FaultKind = Literal[
    "latency",  # sleep `delay` seconds, then answer normally
    "status",  # answer `status` (5xx) with Altegio's error envelope
    "rate_limit",  # answer 429; `retry_after` is "seconds", "http-date" or None
    "html",  # an HTML error page with `status` (200 or 502)
    "truncated_json",  # the real reply cut in half
    "empty_body",  # `status` with no body at all
    "wrong_content_type",  # the real reply labelled text/plain
    "not_object",  # a JSON array where an object belongs
    "reset",  # headers and half the body, then the connection is aborted
    "close_after",  # a normal reply, then the server drops the keep-alive connection
]

_AFTER_HANDLER: frozenset[str] = frozenset(
    {"truncated_json", "wrong_content_type", "reset", "close_after"}
)


@attrs.frozen
class Fault:
    kind: FaultKind
    times: int = 1
    operation: str | None = None
    status: int = 503
    delay: float = 0.0
    retry_after: Literal["seconds", "http-date"] | None = "seconds"
    retry_after_seconds: float = 1.0
    #: Run the real handler first (the request takes effect), then spoil the reply.
    #: Defaults to True for faults that spoil a reply and False for the others.
    after_handler: bool | None = None

    @property
    def runs_handler_first(self) -> bool:
        if self.after_handler is not None:
            return self.after_handler
        return self.kind in _AFTER_HANDLER


@attrs.define
class _Rule:
    fault: Fault
    remaining: int


class FaultPlan:
    """The rules in force; thread-safe, since tests add rules while the server runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self.fired: list[tuple[str, str]] = []  # (kind, operation) for each fault served

    def add(self, fault: Fault) -> None:
        if fault.times < 1:
            raise ValueError(f"Fault.times must be >= 1, got {fault.times}")
        with self._lock:
            self._rules.append(_Rule(fault, fault.times))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, operation: str) -> Fault | None:
        """The fault to apply to this request, counting it as used."""
        with self._lock:
            for rule in self._rules:
                if rule.fault.operation in (None, operation):
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                    self.fired.append((rule.fault.kind, operation))
                    return rule.fault
        return None
