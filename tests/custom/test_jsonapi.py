"""JSON:API documents (v2): data returned typed, included resources linked, errors typed.

The envelope and linking as one component, through a mock transport; the flow against
the sandbox is in tests/flows.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from altegio_async import AltegioClient, UnprocessableEntityError
from altegio_async.custom import _reading
from altegio_async.custom._jsonapi import GenericResource, JsonApiResource, read_included
from altegio_async.models import AppointmentResource, BookingUserResource, TeamMemberResource

# Every field of AppointmentResourceFields is always sent (scripts/always_sent.yaml).
ATTRIBUTES = {
    "activity_id": 0,
    "attendance": 0,
    "attendance_status": 0,
    "attendance_status_slug": "waiting",
    "bookform_id": 0,
    "booking_user_id": 0,
    "client_id": 500,
    "clients_count": 1,
    "comment": "",
    "company_id": 4564,
    "created_datetime": "2026-01-10T09:00:00",
    "custom_color": "",
    "custom_font_color": "",
    "date": "2026-01-15T10:00:00",
    "duration": 3600,
    "external_id": "",
    "from_url": "",
    "is_client_notification_sent": False,
    "is_mobile": 0,
    "is_overpaid": False,
    "is_paid": False,
    "length": 3600,
    "master_id": 42,
    "paid_full": 0,
    "prepaid_status": 0,
    "record_from": "",
    "source": 0,
    "staff_id": 42,
    "timestamp": 1768471200,
    "visit_id": 1,
}


def appointment(number: int, client: int | None = None, **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"type": "record", "id": str(number), "attributes": ATTRIBUTES}
    if client is not None:
        resource["relationships"] = {"client": {"data": {"type": "client", "id": str(client)}}}
    return {**resource, **extra}


def client_resource(number: int, name: str) -> dict[str, Any]:
    # every field of BookingUserResourceFields is always sent (birthday may be null)
    attributes = {
        "name": name,
        "surname": "",
        "patronymic": "",
        "phone": "+10000000000",
        "additional_phone": "",
        "email": "",
        "birthday": None,
        "card_number": "",
        "client_tips": False,
        "comment": "",
        "discount": 0,
        "discount_percent": 0,
        "gender": 0,
    }
    return {"type": "client", "id": str(number), "attributes": attributes}


def serve(document: dict[str, Any], status: int = 200) -> AltegioClient:
    body = json.dumps(document).encode()

    def reply(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v2/locations/4564/appointments"
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(reply))
    return AltegioClient("partner-token-1", http_client=http, rate_limit=False)


async def test_data_is_returned_and_included_resources_are_linked() -> None:
    document = {
        "data": [appointment(1, client=500), appointment(2, client=501), appointment(3)],
        "included": [
            client_resource(500, "Ann"),
            client_resource(501, "Bob"),
            {"type": "label", "id": "7", "attributes": {"title": "VIP"}},
        ],
        "meta": {"pagination": {"page": 1, "offset": 0, "limit": 250}},
        "links": {"self": "https://api.alteg.io/api/v2/locations/4564/appointments"},
    }
    async with serve(document) as client:
        v2 = client.with_business_token("business-token-1").v2.appointments
        appointments = await v2.list_appointments(location_id=4564, include=["client"])
        raw = client.with_business_token("business-token-1").with_raw_response.v2.appointments
        # (the raw view of the same call keeps what data leaves out)
        document_reply = await raw.list_appointments(location_id=4564, include=["client"])
    assert [type(a) for a in appointments] == [AppointmentResource] * 3
    attributes = appointments[0].attributes
    assert attributes is not None and attributes.length == 3600
    first = appointments[0].related_one("client", BookingUserResource)
    assert first is not None and (first.id, first.attributes.name) == ("500", "Ann")
    assert [c.id for c in appointments[1].related("client", JsonApiResource)] == ["501"]
    assert appointments[2].related("client", JsonApiResource) == []  # none sent
    assert appointments[0].related_one("client", TeamMemberResource) is None  # other kind
    assert document_reply.meta == {"pagination": {"page": 1, "offset": 0, "limit": 250}}
    assert document_reply.links["self"].endswith("/appointments")
    label = document_reply.included[2]
    assert isinstance(label, GenericResource) and label.attributes == {"title": "VIP"}


async def test_undeclared_relationships_are_followed_too() -> None:
    """A resource whose schema declares no relationships still links through what came."""
    team_member = {
        "type": "staff",
        "id": "42",
        "attributes": {
            "name": "James",
            "image": "",
            "is_available_as_assistant": False,
            "position_id": 0,
            "specialization": "Barber",
            "tt_markup": 0,
        },
        "relationships": {"client": {"data": [{"type": "client", "id": "500"}]}},
    }
    document = {"data": [appointment(1)], "included": [team_member, client_resource(500, "Ann")]}
    async with serve(document) as client:
        raw = client.with_business_token("business-token-1").with_raw_response.v2.appointments
        reply = await raw.list_appointments(location_id=4564)
    member = reply.included[0]
    assert isinstance(member, TeamMemberResource)
    assert [c.id for c in member.related("client", BookingUserResource)] == ["500"]


async def test_a_resource_of_another_type_is_a_mismatch_kept_as_sent() -> None:
    async with serve({"data": [appointment(1, type="visit")]}) as client:
        v2 = client.with_business_token("business-token-1").v2.appointments
        [read] = await v2.list_appointments(location_id=4564)
    assert read.to_dict()["type"] == "visit"  # kept as sent
    assert [m.got for m in read.mismatches if m.field == "type"] == ["str 'visit'"]


async def test_a_jsonapi_error_document_is_a_typed_error() -> None:
    errors = {"errors": [{"status": "422", "title": "Invalid", "detail": "limit is too big"}]}
    async with serve(errors, status=422) as client:
        v2 = client.with_business_token("business-token-1").v2.appointments
        with pytest.raises(UnprocessableEntityError, match="limit is too big") as caught:
            await v2.list_appointments(location_id=4564, limit=250)
    assert [e.message for e in caught.value.errors] == ["limit is too big"]


def test_an_unknown_included_resource_is_kept_as_sent(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A number id is text on the model and a number in ``to_dict()``; attributes that
    are no object are ``{}`` on the model and as sent in ``to_dict()``; an item that is
    no resource is reported, never made one with an id of ``"None"``."""
    odd = {"extra": 1, "type": "label", "id": 7, "attributes": "VIP"}
    plain = {"type": "label", "id": "8", "attributes": {"title": "new"}, "meta": None}
    monkeypatch.setattr(_reading, "_warned", set())  # each mismatch is logged once a process
    with caplog.at_level(logging.WARNING, logger="altegio_async"):
        found = read_included([odd, "label 9", {"type": "label"}, plain, {"id": 10}])
    assert [(r.type_, r.id) for r in found] == [("label", "7"), ("label", "8")]
    first, second = found
    assert isinstance(first, GenericResource) and isinstance(second, GenericResource)
    assert first.attributes == {} and first.raw is odd
    assert first.to_dict() == odd and list(first.to_dict()) == list(odd)
    assert second.to_dict() == plain
    assert caplog.text.count("reply does not fit its model") == 2  # once per kind
    second.attributes = {"title": "VIP"}
    del second.additional_properties["meta"]
    assert second.to_dict() == {"type": "label", "id": "8", "attributes": {"title": "VIP"}}
    made = GenericResource(id="", type_="label")
    assert made.to_dict() == {"type": "label", "id": "", "attributes": {}}


def test_included_that_is_no_list_is_reported(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_reading, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="altegio_async"):
        assert read_included({}) == [] and read_included(None) == []
        assert caplog.text == ""
        assert read_included("client 500") == []
    assert "included" in caplog.text
