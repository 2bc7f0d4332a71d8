"""What every webhook event has, whatever its resource: the base of the event models.

Kept apart from ``_webhooks.py`` (which imports the models) because the generated
event models derive from ``WebhookEvent``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ._reading import Mismatch


class WebhookEvent:
    """Base of the webhook event models (``RecordEvent``, ``ClientEvent``, ...,
    ``MarketplaceWebhookEvent``, ``UnknownWebhookEvent``).

    ``payload`` is the JSON object as received (for storing or forwarding it, and for
    values kept out of typed fields); ``mismatches`` lists what did not fit the model.
    """

    __slots__ = ()  # the generated models are slotted attrs classes

    payload: Mapping[str, Any]
    mismatches: Sequence[Mismatch]

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data (unknown fields included)."""
        raise NotImplementedError


@attrs.frozen
class UnknownWebhookEvent(WebhookEvent):
    """An event whose ``resource`` this version does not model, or whose payload lacks
    what its model always has (``mismatches`` says what); ``payload`` is all of it."""

    payload: Mapping[str, Any] = attrs.field(repr=False)
    resource: str | None = None
    status: str | None = None
    mismatches: Sequence[Mismatch] = attrs.field(default=(), repr=False, eq=False)

    def to_dict(self) -> dict[str, Any]:
        """The payload as received."""
        return dict(self.payload)


__all__ = ["UnknownWebhookEvent", "WebhookEvent"]
