"""Business Management (v1) loyalty lists that page in the other forms Altegio uses:
gift card types (``page`` and ``page_size``) and a chain's client deposits (``page``
and ``limit``).  Both lists are derived from the world: the location's gift card
types are numbered from the location, and the chain's deposits are its clients'."""

from __future__ import annotations

from typing import Any

from ._business_handlers import paged
from ._checks import Rejected, integer, text
from ._replies import Call, Result, Shapes, ok

CHAIN_ID = 1  # the one chain (salon group) every sandbox location belongs to
GIFT_CARD_TYPES = 23  # per location: three pages of ten, and a short one
DEPOSIT_LIMIT_MAX = 1000


class LoyaltyHandlers(Shapes):
    def get_gift_card_type_list(self, call: Call) -> Result:
        loc = self._managed(call)
        wanted = text(call.query.get("title"), "title").lower()
        types = [t for t in _gift_card_types(loc.id) if wanted in str(t["title"]).lower()]
        return ok(
            paged(call, types, size="page_size", default=10), meta={"total_count": len(types)}
        )

    def get_client_account_list_by_chain(self, call: Call) -> Result:
        if call.path_int("chain_id") != CHAIN_ID:
            raise Rejected(404, "Chain not found")
        if call.business is None or not call.business.location_ids:
            raise Rejected(403, "Access denied.")
        low = integer(call.query.get("balance_from"), "balance_from", default=0)
        high = integer(call.query.get("balance_to"), "balance_to", default=10**9)
        accounts = [a for a in self._deposits() if low <= a["deposit"]["balance"] <= high]
        if integer(call.query.get("limit"), "limit", default=25) > DEPOSIT_LIMIT_MAX:
            raise Rejected(422, f"limit must be at most {DEPOSIT_LIMIT_MAX}")
        return ok(paged(call, accounts, size="limit", default=25))

    def _deposits(self) -> list[dict[str, Any]]:
        """A deposit account per client of the chain's locations, in client order."""
        accounts = []
        for client in sorted(self.w.crm.clients.values(), key=lambda c: c.id):
            if client.deleted:
                continue
            accounts.append(
                {
                    "client": {"id": client.id, "name": client.name, "phone": client.phone},
                    "deposit": {
                        "id": client.id,
                        "balance": (client.id * 37) % 2000,
                        "initial_balance": 0,
                        "reserved_balance": 0,
                        "blocked": False,
                        "deposit_type_id": 1,
                        "salon_group_id": CHAIN_ID,
                        "date_create": client.changed.isoformat(),
                    },
                    "deposit_type": {
                        "id": 1,
                        "salon_group_id": CHAIN_ID,
                        "deleted": False,
                        "date_create": client.changed.isoformat(),
                    },
                }
            )
        return accounts


def _gift_card_types(location_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": location_id * 100 + n,
            "title": f"Gift card {10 * (n + 1)}",
            "balance": 10 * (n + 1),
            "company_group_id": CHAIN_ID,
            "expiration_type_id": 2,
            "expiration_timeout": 6,
            "expiration_timeout_unit_id": 3,
            "is_allow_empty_code": False,
            "is_multi": n % 2 == 0,
            "item_type_id": 2,
        }
        for n in range(GIFT_CARD_TYPES)
    ]
