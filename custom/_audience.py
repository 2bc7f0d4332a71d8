"""Whom a view acts for, in the types: the partner alone, an online-booking client, or
a business user (a location's owner or staff).

The generated resources are generic in it.  An operation that takes one kind's user
token declares ``self`` as that kind's (``self: Clients[Business]``), so calling it
on another kind's view is a ``mypy`` error, not a 401 or 403 from Altegio; the
client checks the same at run time, before sending.
"""

from __future__ import annotations

from typing import TypeVar


class Partner:
    """The partner's client: operations that take no user token."""


class Booking:
    """An online-booking client's session (``client.login()``)."""


class Business:
    """A business user's session (``client.login_business()``)."""


S = TypeVar("S")
"""The kind of view a resource belongs to: Partner, Booking or Business."""

__all__ = ["Booking", "Business", "Partner", "S"]
