"""The ``Authorization`` header Altegio expects, and keeping tokens out of text."""

from __future__ import annotations

import contextlib
import logging
import re
from collections import Counter
from collections.abc import Generator, Iterable, Iterator

import httpx

REDACTED = "***"
# Shorter values would blank out ordinary words; tokens and record hashes are long.
MIN_SECRET = 4
# A reply can carry a secret the client has never seen (a new booking's record hash,
# a login's user token): in a body quoted by an error, the value of a key like these
# is hidden, whatever it is.  The keys Altegio uses for tokens, passwords and hashes.
_SECRET_VALUE = re.compile(
    r'("(?:[a-z_]*token|[a-z_]*password|[a-z_]*hash|api_key)"\s*:\s*)("(?:[^"\\]|\\.)*"?)',
    re.IGNORECASE,
)


def authorization(partner_token: str, user_token: str | None = None) -> str:
    """``Bearer <partner>`` or, for user-token operations, ``Bearer <partner>, User <user>``."""
    return f"Bearer {partner_token}" + (f", User {user_token}" if user_token else "")


class AltegioAuth(httpx.Auth):
    """Sets the ``Authorization`` header (see ``authorization``) on each request."""

    def __init__(self, partner_token: str, user_token: str | None = None) -> None:
        self._header = authorization(partner_token, user_token)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return f"<AltegioAuth {REDACTED}>"


class Redactor:
    """Replaces every registered secret in a text with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= MIN_SECRET:
            self._secrets.add(secret)

    def also(self, secrets: Iterable[str]) -> Redactor:
        """This one's secrets and ``secrets``: for one call's own (a record hash), which
        the shared one does not keep (a batch would grow it by one per call)."""
        extended = Redactor(secrets)
        extended._secrets |= self._secrets
        return extended

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return _SECRET_VALUE.sub(rf'\1"{REDACTED}"', text)

    def __repr__(self) -> str:
        return f"<Redactor {len(self._secrets)} secrets>"


class _InFlightSecrets(logging.Filter):
    """httpx logs every request's URL (at INFO): a record hash in a URL would reach
    the log.  While a call with one is in flight, its value is replaced in httpx's
    records; nothing is kept after the call."""

    def __init__(self) -> None:
        super().__init__()
        self.values: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.values:
            message = record.getMessage()
            for value in self.values:
                message = message.replace(value, REDACTED)
            record.msg, record.args = message, ()
        return True


_IN_FLIGHT: _InFlightSecrets | None = None


@contextlib.contextmanager
def secrets_in_flight(values: Iterable[str]) -> Iterator[None]:
    """Keep ``values`` out of httpx's log records while the block runs."""
    global _IN_FLIGHT
    if _IN_FLIGHT is None:  # installed on the first call that needs it, not at import
        _IN_FLIGHT = _InFlightSecrets()
        logging.getLogger("httpx").addFilter(_IN_FLIGHT)
    kept = [v for v in values if len(v) >= MIN_SECRET]
    _IN_FLIGHT.values.update(kept)
    try:
        yield
    finally:
        _IN_FLIGHT.values.subtract(kept)
        _IN_FLIGHT.values += Counter()  # drops the values no call holds any more
