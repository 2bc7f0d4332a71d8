"""Who may call what: after the partner token, the user token each operation asks for.

Altegio has two kinds of user: a booking client (``POST /booking/auth``, the Online
Booking bundle) and a business user, a location's owner or staff (``POST /auth``,
Business Management).  Which kind an operation takes is data: the lock says it per
bundle (``users``), and the generated ``Operation.user_kind`` carries it.  A token
of the other kind is a real user without rights there, answered 403 as Altegio
answers a user without access to a location; a token nobody holds is a 401.
"""

from __future__ import annotations

import attrs

from .._operation import Operation
from ._crm import BusinessUser
from ._world import Rejected, User, World


@attrs.frozen
class Caller:
    """The users a request's user token names, as the operation may see them."""

    user: User | None = None  # a booking client
    business: BusinessUser | None = None


def admit(operation: Operation, token: str | None, world: World) -> Caller:
    """The caller of ``operation`` with this user token, or Rejected (401/403)."""
    client = world.user_by_token(token)
    business = world.crm.user_by_token(token)
    kind = operation.user_kind
    if kind is None:
        return Caller(business=business)  # ``my=1`` filters by the business user's rights
    mine, other = (business, client) if kind == "business" else (client, business)
    if mine is None and other is not None:
        raise Rejected(403, "Access denied.")
    if mine is None and operation.requires_user_token:
        raise Rejected(401, "Authentication needed.")
    return Caller(business=business) if kind == "business" else Caller(user=client)
