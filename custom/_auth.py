"""The ``Authorization`` header Altegio expects, and keeping tokens out of text."""

from __future__ import annotations

from collections.abc import Generator, Iterable

import httpx

REDACTED = "***"


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
        # Very short values would blank out ordinary words; tokens are long.
        if secret and len(secret) >= 4:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def __repr__(self) -> str:
        return f"<Redactor {len(self._secrets)} secrets>"
