"""Webhook payloads from Altegio, parsed into the models generated from the spec.

::

    event = parse_webhook(body)          # bytes, str or an already-decoded dict
    match event:
        case RecordEvent(status="create"):
            ...
        case MarketplaceWebhookEvent():
            verify_partner_token(event, PARTNER_TOKEN)   # constant-time
        case UnknownWebhookEvent():
            store(event.payload)          # a resource this SDK version does not know

Dispatch is on ``resource`` (``{company_id, resource, resource_id, status, data}``
events) or on ``event`` (the marketplace's ``uninstall``/``freeze``).  The table is
read from the generated models, so a webhook added to the spec is picked up by the
next ``make generate``.  Design:

- an unknown ``resource`` is not an error: Altegio adds resource types, and a
  receiver must not fail on them; you get ``UnknownWebhookEvent`` with the whole
  payload;
- a known resource is read by the SDK's reading policy (``_reading.py``), as replies
  are: values are coerced where nothing is lost (``company_id: "4564"`` -> 4564),
  and what still does not fit (``data.id: "abc"``, an undocumented ``status``, a
  missing field) is kept as sent and listed in ``event.mismatches``, with a
  warning on the ``altegio_async`` logger.  Altegio does not resend a webhook, so
  by default such an event is returned, not refused; ``strict=True`` raises
  ``WebhookPayloadError`` for it instead;
- a body that is not UTF-8, not JSON (``NaN``, numbers beyond range, nesting too
  deep to decode) or not an object raises ``WebhookPayloadError`` (an
  ``AltegioError``), which keeps the payload in ``.payload`` so nothing is lost;
- unknown fields are kept (``additional_properties``) and survive ``to_dict()``.

Altegio signs none of these requests.  Only the marketplace event carries a
secret (``partner_token``); protect the other endpoints with a secret path and an
IP allow-list (see ``WebhookReceiver``).
"""

from __future__ import annotations

import functools
import hmac
import importlib
import json
import math
import typing
from collections.abc import Mapping
from typing import Any

from ..models import MarketplaceWebhookEvent
from ..webhook_events import EVENT_MODELS, AnyWebhookEvent
from ._errors import AltegioError
from ._reading import ShapeError, report_unread
from ._webhook_event import UnknownWebhookEvent, WebhookEvent

SNIPPET_CHARS = 200


class WebhookPayloadError(AltegioError, ValueError):
    """A webhook body that cannot be read as the event it claims to be.

    ``payload`` is the decoded JSON (or the raw text when it is not JSON), so the
    event can still be stored; ``resource`` is what the payload claimed, if anything.
    """

    def __init__(self, message: str, *, payload: Any, resource: str | None = None) -> None:
        super().__init__(message)
        self.payload = payload
        self.resource = resource


@functools.cache
def event_models() -> Mapping[str, type[WebhookEvent]]:
    """``resource`` value -> generated model, for every event model with a ``resource``
    (a Literal of the values the bundle documents; the marketplace's have ``event``)."""
    table: dict[str, type[WebhookEvent]] = {}
    for cls in EVENT_MODELS:
        resource = vars(cls).get("__annotations__", {}).get("resource")
        if resource is None:
            continue
        # the annotation names a Literal alias the model's module imports ("| str":
        # the documented values extended, as every documented-value field is)
        name = resource.split(" | ")[0]
        alias = vars(importlib.import_module(cls.__module__))[name]
        for value in typing.get_args(alias):
            table[value] = cls
    return table


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is beyond the range of a float")
    return number


def _decode(body: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    if isinstance(body, bytes | bytearray):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookPayloadError("webhook body is not UTF-8", payload=body) from None
    if not isinstance(body, str):
        raise WebhookPayloadError(
            f"webhook body must be bytes, str or a mapping, not {type(body).__name__}",
            payload=body,
        )
    try:
        payload = json.loads(body, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise WebhookPayloadError(
            "webhook body is nested too deeply to decode", payload=body
        ) from None
    except ValueError as exc:  # includes integers beyond Python's digit limit
        raise WebhookPayloadError(
            f"webhook body is not JSON ({str(exc)[:SNIPPET_CHARS]}): {body[:SNIPPET_CHARS]!r}",
            payload=body,
        ) from None
    if not isinstance(payload, dict):
        raise WebhookPayloadError(
            f"webhook body must be a JSON object, got {type(payload).__name__}", payload=payload
        )
    return payload


def parse_webhook(
    body: bytes | str | Mapping[str, Any], *, strict: bool = False
) -> AnyWebhookEvent:
    """The typed event for a webhook body: a generated ``*Event`` model,
    ``MarketplaceWebhookEvent`` or ``UnknownWebhookEvent``, all ``WebhookEvent``s
    (``payload``: the object as received; ``mismatches``: what did not fit).

    Raises ``WebhookPayloadError`` for bodies that are not a JSON object, or name
    neither a ``resource`` nor an ``event``.  Values that do not fit the model even
    after coercion are kept and listed in ``event.mismatches``; with ``strict=True``
    they raise ``WebhookPayloadError`` instead.
    """
    payload = _decode(body)
    if "event" in payload and "resource" not in payload:
        return _build(MarketplaceWebhookEvent, payload, "marketplace", strict)
    resource = payload.get("resource")
    if not isinstance(resource, str):
        raise WebhookPayloadError(
            "webhook payload has neither a string 'resource' nor an 'event'", payload=payload
        )
    model = event_models().get(resource)
    if model is None:
        status = payload.get("status")
        return UnknownWebhookEvent(payload, resource, status if isinstance(status, str) else None)
    return _build(model, payload, resource, strict)


def _build(
    model: type[WebhookEvent], payload: Mapping[str, Any], resource: str, strict: bool
) -> AnyWebhookEvent:
    try:
        event: AnyWebhookEvent = model.from_dict(payload)  # type: ignore[attr-defined]
    except ShapeError as error:
        # The event lacks what its model always has: given as sent, not half-typed.
        if strict:
            raise WebhookPayloadError(
                f"webhook payload does not fit {model.__name__} ({error})",
                payload=payload,
                resource=resource,
            ) from None
        report_unread(error)
        status = payload.get("status")
        return UnknownWebhookEvent(
            payload,
            resource,
            status if isinstance(status, str) else None,
            mismatches=(error.mismatch,),
        )
    if strict and event.mismatches:
        # Mismatches never carry the values of secret fields (the partner token).
        problems = "; ".join(str(m) for m in event.mismatches[:5])
        raise WebhookPayloadError(
            f"webhook payload does not fit {model.__name__} ({problems})",
            payload=payload,
            resource=resource,
        )
    return event


def verify_partner_token(event: MarketplaceWebhookEvent, partner_token: str) -> bool:
    """Whether a marketplace event carries your partner token (constant-time compare)."""
    sent = event.partner_token
    if not isinstance(sent, str) or not partner_token:
        return False
    return hmac.compare_digest(sent.encode(), partner_token.encode())


__all__ = [
    "AnyWebhookEvent",
    "UnknownWebhookEvent",
    "WebhookEvent",
    "WebhookPayloadError",
    "event_models",
    "parse_webhook",
    "verify_partner_token",
]
