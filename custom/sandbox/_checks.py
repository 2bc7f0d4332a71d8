"""How the sandbox reads what a caller sends: as Altegio does, a 4xx naming the field.

Any input, however malformed, gets an answer from these checks (422 with Altegio's
error envelope, through ``BadRequest``), never a crash of the handler: secrets are
compared as UTF-8 bytes (``secrets.compare_digest`` refuses non-ASCII ``str``), and
numbers are read only from JSON numbers or numeric text.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any


class BadRequest(Exception):
    """A parameter the handler cannot use (answered 422 with the message)."""


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
