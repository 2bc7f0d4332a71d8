"""JSON:API documents (the Business Management v2 API), read as a person wants them.

A v2 call returns its ``data``: a resource model (``AppointmentResource``...) or a
list of them, with ``id``, ``type_`` and typed ``attributes``.  The resources asked
for with ``include=`` come in the document's ``included`` list; each resource of
``data`` reaches its own through ``related()``, following its ``relationships``
as Altegio sends them (the bundle declares few: undeclared ones are read from
``additional_properties``)::

    appointments = await session.v2.appointments.list_appointments(
        location_id=4564, include=["client"]
    )
    for appointment in appointments:
        client = appointment.related_one("client", BookingUserResource)
        print(appointment.attributes.date, client.attributes.name if client else None)

An included resource whose ``type`` names a resource model of the bundles is read
as that model (its ``const`` type checked like any field); any other type is a
``GenericResource`` (attributes and relationships kept as sent).  ``meta``,
``links`` and ``included`` stay on the raw response (``with_raw_response``).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import attrs

from . import _reading
from ._reading import ShapeError

R = TypeVar("R", bound="JsonApiResource")
Key = tuple[str, str]


class JsonApiResource:
    """Base of the JSON:API resource models; ``related()`` follows relationships."""

    __slots__ = ("_linked",)

    id: str
    type_: str

    def related(self, name: str, kind: type[R]) -> list[R]:
        """The included resources of ``kind`` (``BookingUserResource``..., or
        ``JsonApiResource`` for any) that ``relationships[name]`` points to, in order.

        Empty when the relationship was not sent or its resources were not
        included (ask for them with ``include=``)."""
        linked: Mapping[Key, JsonApiResource] = getattr(self, "_linked", {})
        found = [linked[key] for key in self.relationship_keys(name) if key in linked]
        return [resource for resource in found if isinstance(resource, kind)]

    def related_one(self, name: str, kind: type[R]) -> R | None:
        """The one included resource of ``kind`` that ``relationships[name]`` points to."""
        found = self.related(name, kind)
        return found[0] if found else None

    def relationship_keys(self, name: str) -> list[Key]:
        """``(type, id)`` of each resource ``relationships[name]`` points to, as sent."""
        raw = _relationships(self).get(name)
        linkage = raw.get("data") if isinstance(raw, Mapping) else None
        items = linkage if isinstance(linkage, list) else [linkage]
        return [
            (str(item["type"]), str(item["id"]))
            for item in items
            if isinstance(item, Mapping) and "type" in item and "id" in item
        ]


def _relationships(resource: JsonApiResource) -> Mapping[str, Any]:
    declared = getattr(resource, "relationships", None)
    if declared is not None and hasattr(declared, "to_dict"):
        declared = declared.to_dict()
    if isinstance(declared, Mapping):
        return declared
    extra = getattr(resource, "additional_properties", {}).get("relationships")
    return extra if isinstance(extra, Mapping) else {}


@attrs.define
class GenericResource(JsonApiResource):
    """An included resource of a type no model of the bundles describes: as sent.

    ``raw`` is the object as received and ``to_dict()`` gives it back; an ``id`` sent
    as a number is its text here (JSON:API ids are strings), the number stays in ``raw``.
    """

    id: str
    type_: str
    attributes: Mapping[str, Any] = attrs.field(factory=dict)
    relationships: Mapping[str, Any] = attrs.field(factory=dict)
    additional_properties: dict[str, Any] = attrs.field(factory=dict)
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> GenericResource:
        """Raises ``ShapeError`` for an object without a text or whole-number ``type``
        and ``id``: not a resource, so nothing can link to it."""
        kind, key = item.get("type"), item.get("id")
        if not (_identifier(kind) and _identifier(key)):
            raise ShapeError("GenericResource", "a resource object with a type and an id", item)
        attributes, relationships = item.get("attributes"), item.get("relationships")
        return cls(
            id=str(key),
            type_=str(kind),
            attributes=attributes if isinstance(attributes, Mapping) else {},
            relationships=relationships if isinstance(relationships, Mapping) else {},
            additional_properties={k: v for k, v in item.items() if k not in _RESOURCE_KEYS},
            raw=item,
        )

    def to_dict(self) -> dict[str, Any]:
        """The object as received, with the fields changed since in their JSON form."""
        if not self.raw:  # made in code
            made = {"type": self.type_, "id": self.id, "attributes": dict(self.attributes)}
            if self.relationships:
                made["relationships"] = dict(self.relationships)
            return {**self.additional_properties, **made}
        sent = GenericResource.from_dict(self.raw)
        kept = _RESOURCE_KEYS | self.additional_properties.keys()
        out = {key: value for key, value in self.raw.items() if key in kept}
        for key, now, then in (
            ("type", self.type_, sent.type_),
            ("id", self.id, sent.id),
            ("attributes", self.attributes, sent.attributes),
            ("relationships", self.relationships, sent.relationships),
        ):
            if now != then:
                out[key] = dict(now) if isinstance(now, Mapping) else now
        out.update(self.additional_properties)
        return out


_RESOURCE_KEYS = frozenset({"id", "type", "attributes", "relationships"})


def _identifier(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


@functools.cache
def _models() -> Mapping[str, type[Any]]:
    """``type`` -> the resource model generated for it (``jsonapi_types.py``)."""
    module = importlib.import_module("..jsonapi_types", __package__)
    table: Mapping[str, type[Any]] = module.RESOURCE_MODELS
    return table


def read_included(items: Any) -> list[JsonApiResource]:
    """The ``included`` list, each item as its type's model (or a GenericResource).

    An item that is no resource object (not an object, no ``type`` or ``id``) is
    reported and left out: nothing could link to it, and the raw response keeps it."""
    if items is None or items == {}:  # absent, or PHP's empty container
        return []
    if not isinstance(items, list):
        _reading.report_unread(ShapeError("included", "a list of resource objects", items))
        return []
    resources: list[JsonApiResource] = []
    for item in items:
        try:
            resources.append(_resource(item))
        except ShapeError as error:
            _reading.report_unread(error)
    return resources


def _resource(item: Any) -> JsonApiResource:
    """The item as its type's model; as sent (a GenericResource) if it lacks what the
    model always has, rather than a model whose fields say otherwise."""
    if not isinstance(item, Mapping):
        raise ShapeError("included item", "a resource object", item)
    model = _models().get(str(item.get("type")))
    if model is not None:
        try:
            resource: JsonApiResource = model.from_dict(item)
        except ShapeError as error:
            _reading.report_unread(error)
        else:
            return resource
    return GenericResource.from_dict(item)


def link(data: Any, included: Iterable[JsonApiResource]) -> None:
    """Lets every resource of ``data`` (and of ``included``: chains such as
    ``client.custom_field_values``) reach the included ones through ``related()``."""
    pool = list(included)
    index: dict[Key, JsonApiResource] = {(r.type_, str(r.id)): r for r in pool}
    owners = data if isinstance(data, list) else [data]
    for resource in [*owners, *pool]:
        if isinstance(resource, JsonApiResource):
            object.__setattr__(resource, "_linked", index)


__all__ = ["GenericResource", "JsonApiResource", "link", "read_included"]
