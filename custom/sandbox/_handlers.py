"""One handler per operation: request in, ``(status, payload)`` out, shaped as the specs say.

Statuses follow the specs, odd ones included (``book_record`` answers 201,
``/user/records`` answers 201 to a GET).  Replies are enveloped
``{success, data, meta}`` or bare exactly where the specs say so.

An operation is modelled when a handler of its name exists: the method
``<operationId>``, or ``<namespace>_<operationId>`` for a namespaced one
(``v2_list_appointments``).  Every other route answers 501 "not in sandbox", in
Altegio's error envelope.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from .._operation import Operation
from ._appointment_handlers import AppointmentHandlers
from ._business_handlers import BusinessHandlers
from ._client_handlers import ClientHandlers
from ._developer_handlers import DeveloperHandlers
from ._jsonapi_handlers import JsonApiHandlers
from ._loyalty_handlers import LoyaltyHandlers
from ._public_handlers import PublicHandlers
from ._replies import DATA_LEFT_OUT_ON_ERROR, NO_BODY, BadRequest, Call, Result
from ._world import World

__all__ = [
    "DATA_LEFT_OUT_ON_ERROR",
    "NO_BODY",
    "BadRequest",
    "Call",
    "Handlers",
    "Result",
    "handler_name",
    "is_modelled",
]


def handler_name(operation: Operation) -> str:
    """The name of the method that answers ``operation``."""
    return operation.qualified_id.replace(".", "_")


class Handlers(
    PublicHandlers,
    DeveloperHandlers,
    BusinessHandlers,
    ClientHandlers,
    AppointmentHandlers,
    JsonApiHandlers,
    LoyaltyHandlers,
):
    """Every modelled operation: each public method is one handler."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._table: dict[str, Callable[[Call], Result]] = {
            name: getattr(self, name) for name in self.names()
        }

    @classmethod
    @functools.cache
    def names(cls) -> frozenset[str]:
        """The handler names: every public method but the dispatcher's own."""
        return frozenset(
            name
            for name in dir(cls)
            if not name.startswith("_") and name not in ("dispatch", "names", "w")
        )

    def dispatch(self, operation: Operation, call: Call) -> Result:
        handler = self._table.get(handler_name(operation))
        if handler is None:
            return 501, {"success": False, "data": None, "meta": {"message": "not in sandbox"}}
        return handler(call)


def is_modelled(operation: Operation) -> bool:
    """Whether the sandbox answers ``operation`` (else it answers 501)."""
    return handler_name(operation) in Handlers.names()
