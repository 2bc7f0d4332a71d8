"""One handler per operation: request in, ``(status, payload)`` out, shaped as the specs say.

Statuses follow the specs, odd ones included (``book_record`` answers 201,
``/user/records`` answers 201 to a GET).  Replies are enveloped
``{success, data, meta}`` or bare exactly where the specs say so.
"""

from __future__ import annotations

from collections.abc import Callable

from .._operation import Operation
from ._developer_handlers import DeveloperHandlers
from ._public_handlers import PublicHandlers
from ._replies import NO_BODY, BadRequest, Call, Result
from ._world import World

__all__ = ["MODELLED_BUNDLES", "NO_BODY", "BadRequest", "Call", "Handlers", "Result"]


# The bundles whose every operation the sandbox answers (by the lock's names); the
# others' routes answer 501 "not in sandbox", in Altegio's error envelope.
MODELLED_BUNDLES = frozenset({"public", "developers"})


class Handlers(PublicHandlers, DeveloperHandlers):
    """Every operation of MODELLED_BUNDLES, by operationId: each public method is one
    handler."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._table: dict[str, Callable[[Call], Result]] = {
            name: getattr(self, name)
            for name in dir(self)
            if not name.startswith("_") and name not in ("dispatch", "w")
        }

    def dispatch(self, operation: Operation, call: Call) -> Result:
        # a namespaced operation's handler is <namespace>_<operationId> (v2_get_service)
        handler = self._table.get(operation.qualified_id.replace(".", "_"))
        if handler is None:
            return 501, {"success": False, "data": None, "meta": {"message": "not in sandbox"}}
        return handler(call)
