"""How the sandbox reads what a caller sends: as Altegio does, a 4xx naming the field.

Any input, however malformed, gets an answer from these checks (422 with Altegio's
error envelope, through ``BadRequest``), never a crash of the handler: secrets are
compared as UTF-8 bytes (``secrets.compare_digest`` refuses non-ASCII ``str``), and
numbers are read only from JSON numbers or numeric text.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
from typing import Any

# Every sandbox location is in Syracuse, NY: times are read and written in its zone.
TZ = dt.timezone(dt.timedelta(hours=-5), "EST")


class BadRequest(Exception):
    """A parameter the handler cannot use (answered 422 with the message)."""


class Rejected(Exception):
    """An Altegio error reply: HTTP status, ``meta.message`` and ``meta.errors``, which
    is a list of ``{code, message}`` (``codes``) or, where a bundle documents it so,
    an object of messages by field (``fields``)."""

    def __init__(
        self,
        status: int,
        message: str,
        *codes: tuple[int, str],
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.codes = codes
        self.fields = fields


def same_secret(sent: Any, expected: str | None) -> bool:
    """Constant-time comparison of a secret sent by the caller, whatever its type."""
    if not isinstance(sent, str) or not expected:
        return False
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode())


def integer(value: Any, field: str, *, default: int | None = None) -> int:
    """An integer field: a JSON integer or its text (PHP reads both); else 422."""
    if value is None and default is not None:
        return default
    if isinstance(value, bool):
        raise BadRequest(f"{field} must be an integer, not a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit() and len(value) < 19:
        return int(value)
    raise BadRequest(f"{field} must be an integer, got {type(value).__name__}")


def number(value: Any, field: str) -> float:
    """A number field: a JSON number or its text; else 422."""
    if isinstance(value, bool):
        raise BadRequest(f"{field} must be a number, not a boolean")
    if isinstance(value, int | float) and math.isfinite(value):
        return value
    if isinstance(value, str) and len(value) < 30:
        try:
            parsed = float(value)
        except ValueError:
            pass
        else:
            if math.isfinite(parsed):
                return parsed
    raise BadRequest(f"{field} must be a number, got {type(value).__name__}")


def integers(value: Any, field: str) -> tuple[int, ...]:
    """A list of integers (an absent or null list reads as empty)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadRequest(f"{field} must be a list of integers, got {type(value).__name__}")
    return tuple(integer(item, f"{field}[{index}]") for index, item in enumerate(value))


def text(value: Any, field: str, *, default: str = "") -> str:
    """A string field; numbers are read as their text, other types refused."""
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise BadRequest(f"{field} must be a string, got {type(value).__name__}")


MAX_PAGE_SIZE = 1000  # Altegio's documented maximum for count/limit


def page_of(items: list[Any], page: Any, size: Any, *, names: tuple[str, str]) -> list[Any]:
    """One page of ``items`` (pages count from 1); a page past the end is empty."""
    number = integer(page, names[0])
    per_page = integer(size, names[1])
    if number < 1:
        raise BadRequest(f"{names[0]} must be 1 or more, got {number}")
    if not 1 <= per_page <= MAX_PAGE_SIZE:
        raise BadRequest(f"{names[1]} must be between 1 and {MAX_PAGE_SIZE}, got {per_page}")
    start = (number - 1) * per_page
    return items[start : start + per_page]


def day(value: Any, field: str) -> dt.date:
    """A ``YYYY-MM-DD`` date field."""
    if not isinstance(value, str):
        raise BadRequest(f"{field} must be a YYYY-MM-DD date")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{field} must be a YYYY-MM-DD date, got {value[:40]!r}") from None


def moment(value: Any, field: str, tz: dt.tzinfo) -> tuple[dt.date, dt.time | None]:
    """An ISO 8601 date or date-time filter (``2026-09-09``, ``2026-09-09T18:30`` or
    with an offset): the day and, when given, the time of day in ``tz`` (the
    location's zone; a time without an offset is read as local already)."""
    if not isinstance(value, str):
        raise BadRequest(f"{field} must be an ISO 8601 date or date-time")
    try:
        if "T" not in value:
            return dt.date.fromisoformat(value), None
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{field} must be an ISO 8601 date-time, got {value[:40]!r}") from None
    if at.tzinfo is not None:
        at = at.astimezone(tz)
    return at.date(), at.time().replace(tzinfo=None)
