"""Every test of the reliability suite is scanned for leaked secrets.

While a test runs, every ``AltegioError`` created (raised or not), every log record
(any logger, DEBUG and up) and every ``RetryEvent`` is kept; afterwards their text
(``str``, ``repr``, formatted tracebacks) is searched for the secrets of every
sandbox the test started: partner tokens, users' tokens and passwords, and record
hashes, as they stand at the end of the test (rotated tokens included), of booking
clients and business users alike.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Iterator
from typing import Any

from altegio_async import AltegioError, RetryEvent
from altegio_async.sandbox import Sandbox

MIN_SECRET = 8  # shorter values would match by chance


class Collected(logging.Handler):
    """What a test produced that a user could see: log records and errors."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        # the text of each record, once: 10,000 calls log a few hundred distinct lines,
        # and a test that measures memory must not see the scan's
        self.lines: set[str] = set()
        self.errors: list[BaseException] = []
        self.sandboxes: list[Sandbox] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.add(record.getMessage())
        if record.exc_info:
            self.lines.add(logging.Formatter().formatException(record.exc_info))

    def texts(self, retries: Iterable[RetryEvent]) -> Iterator[str]:
        yield from self.lines
        for error in self.errors:
            yield str(error)
            yield repr(error)
            yield "".join(traceback.format_exception_only(error))
            yield from (repr(value) for value in vars(error).values())
        for event in retries:
            yield repr(event)
            yield str(event)

    def secrets(self) -> set[str]:
        found: set[str] = set()
        for sandbox in self.sandboxes:
            found |= set(sandbox.config.partner_tokens)
            for user in sandbox.world.users.values():
                found |= {user.token, user.password}
            for staff in sandbox.world.crm.users.values():  # business users
                found |= {staff.token, staff.password}
            found |= {record.hash for record in sandbox.world.records.values()}
        return {s for s in found if len(s) >= MIN_SECRET}


def recording(collected: Collected) -> tuple[Any, Any]:
    """``AltegioError.__new__`` and ``Sandbox.start`` that also note what they made."""
    start = Sandbox.start

    def new(cls: type[AltegioError], *args: Any, **kwargs: Any) -> AltegioError:
        error = Exception.__new__(cls, *args)
        collected.errors.append(error)
        return error

    def started(self: Sandbox) -> Sandbox:
        collected.sandboxes.append(self)
        return start(self)

    return new, started


def leaks(collected: Collected, retries: Iterable[RetryEvent]) -> list[tuple[str, str]]:
    """``(secret, where)`` for every secret found in what the test produced."""
    secrets = collected.secrets()
    return [
        (secret[:4] + "...", text[:160])
        for text in collected.texts(retries)
        for secret in secrets
        if secret in text
    ]
