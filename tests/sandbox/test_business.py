"""The sandbox's Business Management API: a business user's login, clients, appointments.

Mostly by raw HTTP (the statuses and envelopes are the point), with the SDK where a
test is about what a caller of the generated methods gets.  Appointments made here
share the diary with the online booking, so each API sees the other's bookings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from altegio_async import AltegioClient, AuthenticationError
from altegio_async.models import UserAuthorize
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    DEFAULT_LOGIN,
    DEFAULT_PARTNER_TOKEN,
    DEFAULT_PASSWORD,
    BusinessSeed,
    Fault,
    RateLimits,
    Sandbox,
    SandboxConfig,
)
from tests._booking import HAIRCUT, LOCATION, appointment, booking, free_slot, got

BRANCH = 4566  # the first location a BusinessSeed adds to the studio's two
EST = dt.timezone(dt.timedelta(hours=-5))  # the locations' time zone


class Api:
    """Raw calls with the partner token and, when given, a user token."""

    def __init__(self, sandbox: Sandbox, user_token: str | None = None) -> None:
        auth = f"Bearer {DEFAULT_PARTNER_TOKEN}" + (f", User {user_token}" if user_token else "")
        self.base_url, self.headers = sandbox.base_url, {"Authorization": auth}

    def __call__(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, self.base_url + path, headers=self.headers, **kwargs)


def log_in(sandbox: Sandbox, login: str = DEFAULT_BUSINESS_LOGIN) -> str:
    reply = Api(sandbox)(
        "POST", "/api/v1/auth", json={"login": login, "password": DEFAULT_BUSINESS_PASSWORD}
    )
    assert reply.status_code == 201, reply.text
    token: str = reply.json()["data"]["user_token"]
    return token


def refused(reply: httpx.Response, status: int, message: str | None = None) -> dict[str, Any]:
    """Altegio's error envelope with ``status`` (and ``message`` in ``meta.message``)."""
    assert reply.status_code == status, reply.text
    body: dict[str, Any] = reply.json()
    assert body["success"] is False and body.get("data") is None
    if message is not None:
        assert message in body["meta"]["message"]
    return body


@pytest.fixture
def owner(sandbox: Sandbox) -> Api:
    return Api(sandbox, log_in(sandbox))


@pytest.fixture
def branches() -> Iterator[Sandbox]:
    """A sandbox with a third location and a history of appointments."""
    seed = BusinessSeed(locations=3, clients_per_location=40, appointments_per_location=60)
    config = SandboxConfig(limits=RateLimits(enabled=False), business=seed)
    with Sandbox(config) as sandbox:
        yield sandbox


def business_session(client: AltegioClient, token: str) -> Any:
    """The client acting for a business user (``with_business_token`` where the SDK
    tells the two kinds of user token apart)."""
    return getattr(client, "with_business_token", client.with_user_token)(token)


def working_day(sandbox: Sandbox, member_id: int, ahead: int = 2) -> dt.date:
    return sandbox.world.working_day(sandbox.world.team[member_id], ahead)


def at_hour(day: dt.date, at: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(at), EST)


def visit(member_id: int, when: dt.datetime, phone: str = "+13155550142") -> dict[str, Any]:
    return {
        "staff_id": member_id,
        "services": [{"id": HAIRCUT, "first_cost": 40, "discount": 0, "cost": 40}],
        "client": {"phone": phone, "name": "Robin Reed", "email": "robin@example.com"},
        "datetime": when.isoformat(),
        "seance_length": 3600,
    }


# --- logging in, and which token goes where ------------------------------------------------


@pytest.mark.parametrize("login", [DEFAULT_BUSINESS_LOGIN, "+13155550190"])
def test_a_business_user_logs_in_by_email_or_phone(sandbox: Sandbox, login: str) -> None:
    token = log_in(sandbox, login)
    assert token == sandbox.world.crm.users[DEFAULT_BUSINESS_LOGIN].token
    assert Api(sandbox, token)("GET", f"/api/v1/staff/{LOCATION}").status_code == 200


async def test_a_wrong_password_is_a_401(client: AltegioClient, sandbox: Sandbox) -> None:
    body = {"login": DEFAULT_BUSINESS_LOGIN, "password": "not-it"}
    refused(Api(sandbox)("POST", "/api/v1/auth", json=body), 401, "Incorrect login or password")
    login = UserAuthorize(login=DEFAULT_BUSINESS_LOGIN, password="not-it")
    with pytest.raises(AuthenticationError) as caught:  # and the SDK says so
        await client.authentication_b2b.authorize_user(body=login)
    assert caught.value.status_code == 401 and "not-it" not in str(caught.value)


async def test_a_booking_clients_token_is_refused_on_business_routes(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    booking_token = (await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)).user_token
    as_client = Api(sandbox, booking_token)
    refused(as_client("GET", f"/api/v1/staff/{LOCATION}"), 403, "Access denied")
    refused(as_client("GET", f"/api/v2/locations/{LOCATION}/appointments"), 403)
    refused(as_client("POST", f"/api/v1/clients/{LOCATION}", json={}), 403)
    assert sandbox.world.crm.clients_at(LOCATION)  # the seed's clients, untouched
    # a token nobody holds is a 401; no user token at all too
    refused(Api(sandbox, "forged")("GET", f"/api/v1/staff/{LOCATION}"), 401)
    refused(Api(sandbox)("GET", f"/api/v1/staff/{LOCATION}"), 401, "Authentication needed")


def test_a_business_token_is_refused_on_the_clients_cabinet(owner: Api, sandbox: Sandbox) -> None:
    refused(owner("GET", "/api/v1/booking/user/data"), 403, "Access denied")
    refused(owner("PUT", "/api/v1/booking/user", json={"name": "X"}), 403)
    refused(owner("GET", "/api/v1/user/records/2820023/some-hash"), 403)
    assert sandbox.world.users[DEFAULT_LOGIN].name == "James Smith"


async def test_partner_only_operations_need_no_user_token(
    client: AltegioClient, sandbox: Sandbox
) -> None:
    partner = Api(sandbox)
    listed = partner("GET", "/api/v1/companies")
    assert listed.status_code == 200
    assert [loc["id"] for loc in listed.json()["data"]] == sorted(sandbox.world.locations)
    # a user token sent along is no reason to refuse them, whoever's it is
    booking_token = (await client.login(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)).user_token
    assert Api(sandbox, booking_token)("GET", "/api/v1/companies").json() == listed.json()
    one = partner("GET", f"/api/v1/company/{LOCATION}")
    assert one.status_code == 200 and one.json()["data"]["title"] == "Sandbox Studio"
    refused(partner("GET", "/api/v1/company/999"), 404)


def test_a_business_user_sees_only_their_locations(branches: Sandbox) -> None:
    manager = Api(branches, log_in(branches, "manager@sandbox.example"))  # location 4564 only
    assert manager("GET", f"/api/v1/staff/{LOCATION}").status_code == 200
    refused(manager("GET", f"/api/v1/staff/{BRANCH}"), 403, "Access denied")
    refused(manager("GET", "/api/v1/staff/999"), 404)
    mine = manager("GET", "/api/v1/companies", params={"my": 1}).json()["data"]
    assert [loc["id"] for loc in mine] == [LOCATION]


# --- locations, catalogue, team -----------------------------------------------------------


def test_locations_are_paged(branches: Sandbox) -> None:
    partner = Api(branches)
    pages = [
        [loc["id"] for loc in partner("GET", "/api/v1/companies", params=p).json()["data"]]
        for p in ({"page": 1, "count": 2}, {"page": 2, "count": 2}, {"page": 3, "count": 2})
    ]
    assert pages == [[4564, 4565], [BRANCH], []]


def test_each_location_has_its_team_and_the_catalogue(branches: Sandbox) -> None:
    owner = Api(branches, log_in(branches))
    studio = {m["id"] for m in owner("GET", f"/api/v1/staff/{LOCATION}").json()["data"]}
    branch = {m["id"] for m in owner("GET", f"/api/v1/staff/{BRANCH}").json()["data"]}
    assert studio and branch and not studio & branch
    member = min(branch)
    got_member = owner("GET", f"/api/v1/company/{BRANCH}/staff/{member}").json()["data"]
    assert (got_member["id"], got_member["company_id"]) == (member, BRANCH)
    refused(owner("GET", f"/api/v1/company/{LOCATION}/staff/{member}"), 404)  # not theirs
    offered = owner("GET", f"/api/v1/services/{BRANCH}", params={"staff_id": member})
    assert {s["id"] for s in offered.json()["data"]} == branches.world.team[member].service_ids
    haircut = owner("GET", f"/api/v1/company/{BRANCH}/services/{HAIRCUT}").json()["data"]
    stylists = {m.id for m in branches.world.team_at(BRANCH) if HAIRCUT in m.service_ids}
    assert member in stylists and {s["id"] for s in haircut["staff"]} == stylists < branch
    categories = owner("GET", f"/api/v1/company/{BRANCH}/service_categories/0").json()
    assert categories["meta"] == {"total_count": 3}
    refused(owner("GET", f"/api/v1/company/{BRANCH}/services/999"), 404)


async def test_the_online_booking_keeps_to_each_locations_team(branches: Sandbox) -> None:
    async with AltegioClient(**branches.client_kwargs(), rate_limit=False) as client:
        online = client.online_booking
        studio = await online.get_team_members_available_for_booking(location_id=LOCATION)
        branch = await online.get_team_members_available_for_booking(location_id=BRANCH)
        assert {got(m.id) for m in studio} == {m.id for m in branches.world.team_at(LOCATION)}
        assert {got(m.id) for m in branch} == {m.id for m in branches.world.team_at(BRANCH)}
        nearest = await online.get_nearest_time_slots(
            location_id=BRANCH, team_member_id=0, service_ids=[HAIRCUT]
        )
        when = got(nearest.seances)[0]
        [made] = await online.create_online_booking(
            location_id=BRANCH, body=booking(appointment(0, got(when.datetime_)))
        )
    booked = branches.world.records[got(made.record_id)]
    assert branches.world.team[booked.team_member_id].location_ids == {BRANCH}
    owner = Api(branches, log_in(branches))
    clash = owner(
        "POST", f"/api/v1/records/{BRANCH}", json=visit(booked.team_member_id, booked.start)
    )
    refused(clash, 422, "busy or not working")
    studio_member = branches.world.team_at(LOCATION)[0].id  # not the branch's
    refused(
        owner("POST", f"/api/v1/records/{BRANCH}", json=visit(studio_member, booked.start)), 404
    )


# --- clients --------------------------------------------------------------------------------


def test_client_create_search_get_update_delete(owner: Api, sandbox: Sandbox) -> None:
    made = owner(
        "POST", f"/api/v1/clients/{LOCATION}", json={"name": "Paige", "phone": "+13155557000"}
    )
    assert made.status_code == 201, made.text
    client_id = made.json()["data"]["id"]
    bulk = [{"name": f"Paige {n}", "phone": f"+1315555710{n}"} for n in range(6)]
    bulk.append({"name": "No phone"})  # refused, listed with its reason
    added = owner("POST", f"/api/v1/clients/{LOCATION}/bulk", json=bulk).json()["data"]
    assert len(added["created"]) == 6
    assert added["errors"] == [
        {"name": "No phone", "error": "Customer phone number cannot be empty"}
    ]

    def search(page: int) -> dict[str, Any]:
        body = {
            "page": page,
            "page_size": 3,
            "fields": ["name", "phone"],
            "order_by": "name",
            "filters": [{"type": "quick_search", "state": {"value": "paige"}}],
        }
        reply = owner("POST", f"/api/v1/company/{LOCATION}/clients/search", json=body)
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()
        return result

    pages = [search(n) for n in (1, 2, 3, 4)]
    assert [p["meta"]["total_count"] for p in pages] == [7, 7, 7, 7]
    assert [len(p["data"]) for p in pages] == [3, 3, 1, 0]
    names = [item["name"] for p in pages for item in p["data"]]
    assert names == ["Paige", *(f"Paige {n}" for n in range(6))]
    assert all(set(item) == {"id", "name", "phone"} for p in pages for item in p["data"])

    got_client = owner("GET", f"/api/v1/client/{LOCATION}/{client_id}").json()["data"]
    assert (got_client["name"], got_client["phone"]) == ("Paige", "+13155557000")
    change = {"name": "Paige", "surname": "Turner", "phone": "+13155557001", "discount": 5}
    changed = owner("PUT", f"/api/v1/client/{LOCATION}/{client_id}", json=change)
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["surname"] == "Turner"
    again = owner("GET", f"/api/v1/client/{LOCATION}/{client_id}").json()["data"]
    assert (again["phone"], again["discount"]) == ("+13155557001", 5)

    assert owner("DELETE", f"/api/v1/client/{LOCATION}/{client_id}").status_code == 204
    refused(owner("GET", f"/api/v1/client/{LOCATION}/{client_id}"), 404)
    assert search(1)["meta"]["total_count"] == 6
    assert sandbox.world.crm.clients[client_id].deleted


def test_client_rules(owner: Api, sandbox: Sandbox) -> None:
    taken = sandbox.world.crm.clients_at(LOCATION)[0].phone
    refused(
        owner("POST", f"/api/v1/clients/{LOCATION}", json={"name": "Twin", "phone": taken}),
        422,
        "already exists",
    )
    refused(
        owner("POST", f"/api/v1/clients/{LOCATION}", json={"name": "X", "phone": "12"}),
        422,
        "9 to 15 digits",
    )
    refused(owner("POST", f"/api/v1/clients/{LOCATION}", json={"phone": "+13155557002"}), 422)
    refused(owner("GET", f"/api/v1/client/{LOCATION}/424242"), 404)


def test_the_older_client_list_pages_with_a_total(owner: Api, sandbox: Sandbox) -> None:
    everyone = sandbox.world.crm.clients_at(LOCATION)
    reply = owner("GET", f"/api/v1/clients/{LOCATION}", params={"page": 2, "count": 7}).json()
    assert reply["meta"] == {"page": 2, "total_count": len(everyone)}
    assert [c["id"] for c in reply["data"]] == [c.id for c in everyone[7:14]]
    smiths = owner("GET", f"/api/v1/clients/{LOCATION}", params={"fullname": "smith"}).json()
    assert smiths["meta"]["total_count"] == sum("Smith" in c.fullname for c in everyone) > 0


# --- appointments ---------------------------------------------------------------------------


def test_appointments_overlap_and_list_by_month(owner: Api, sandbox: Sandbox) -> None:
    member = sandbox.world.team_at(LOCATION)[0].id
    day = working_day(sandbox, member)
    at = at_hour(day, 11)
    made = owner("POST", f"/api/v1/records/{LOCATION}", json=visit(member, at))
    assert made.status_code == 201, made.text
    [first] = made.json()["data"]
    assert (first["staff_id"], first["datetime"]) == (member, at.isoformat())

    # half an hour later, same team member: the documented refusal, nothing stored
    clash = owner(
        "POST", f"/api/v1/records/{LOCATION}", json=visit(member, at + dt.timedelta(minutes=30))
    )
    body = refused(clash, 422, "The master is busy or not working")
    assert body["meta"]["errors"][0]["code"] == 433
    refused(  # outside working hours too
        owner("POST", f"/api/v1/records/{LOCATION}", json=visit(member, at.replace(hour=8))),
        422,
        "busy or not working",
    )
    # ...unless the business user asks to keep it anyway
    forced = owner(
        "POST", f"/api/v1/records/{LOCATION}", json={**visit(member, at), "save_if_busy": True}
    )
    assert forced.status_code == 201

    # more appointments that month, listed two at a time with the month's total
    for hour in (14, 16):
        extra = visit(member, at.replace(hour=hour), phone="+13155550143")
        assert owner("POST", f"/api/v1/records/{LOCATION}", json=extra).status_code == 201
    month = {"start_date": day.replace(day=1).isoformat(), "end_date": _month_end(day).isoformat()}
    pages = [
        owner("GET", f"/api/v1/records/{LOCATION}", params={**month, "page": n, "count": 2}).json()
        for n in (1, 2, 3)
    ]
    assert [p["meta"]["total_count"] for p in pages] == [4, 4, 4]
    assert [len(p["data"]) for p in pages] == [2, 2, 0]
    starts = [a["datetime"] for p in pages for a in p["data"]]
    assert starts == sorted(starts) and len(set(starts)) == 3
    other_month = {
        "start_date": _month_end(day).isoformat(),
        "end_date": _month_end(day).isoformat(),
    }
    if day != _month_end(day):
        assert owner("GET", f"/api/v1/records/{LOCATION}", params=other_month).json()["data"] == []


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


async def test_both_apis_book_one_diary(
    client: AltegioClient, owner: Api, sandbox: Sandbox
) -> None:
    member, when = await free_slot(client)
    # a business user's appointment takes the slot from the online booking...
    assert owner("POST", f"/api/v1/records/{LOCATION}", json=visit(member, when)).status_code == 201
    slots = await client.online_booking.get_time_slots_for_booking(
        location_id=LOCATION, team_member_id=member, date=when.date(), service_ids=[HAIRCUT]
    )
    assert when not in [got(s.datetime_) for s in slots]
    # ...and an online booking takes it from the business user
    _, later = await free_slot(client, nth=4)
    await client.online_booking.create_online_booking(
        location_id=LOCATION, body=booking(appointment(member, later))
    )
    refused(
        owner("POST", f"/api/v1/records/{LOCATION}", json=visit(member, later)),
        422,
        "busy or not working",
    )
    # the online booking is one of the location's appointments, for a client it added
    listed = owner("GET", f"/api/v1/records/{LOCATION}").json()["data"]
    online = next(a for a in listed if a["online"])
    found = owner(
        "POST",
        f"/api/v1/company/{LOCATION}/clients/search",
        json={
            "fields": ["phone"],
            "filters": [{"type": "id", "state": {"value": [online["client"]["id"]]}}],
        },
    ).json()["data"]
    assert found == [{"id": online["client"]["id"], "phone": "+13155550175"}]


def test_get_update_delete_an_appointment(owner: Api, sandbox: Sandbox) -> None:
    member = sandbox.world.team_at(LOCATION)[0].id
    at = at_hour(working_day(sandbox, member), 12)
    [made] = owner("POST", f"/api/v1/records/{LOCATION}", json=visit(member, at)).json()["data"]
    path = f"/api/v1/record/{LOCATION}/{made['id']}"
    assert owner("GET", path).json()["data"]["client"]["phone"] == "+13155550142"
    moved = owner("PUT", path, json={**visit(member, at.replace(hour=15)), "comment": "later"})
    assert moved.status_code == 201, moved.text
    assert moved.json()["data"]["datetime"] == at.replace(hour=15).isoformat()
    # the old hour is free again, the new one taken
    assert owner("POST", f"/api/v1/records/{LOCATION}", json=visit(member, at)).status_code == 201
    refused(
        owner("POST", f"/api/v1/records/{LOCATION}", json=visit(member, at.replace(hour=15))), 422
    )
    refused(owner("PUT", path, json={"comment": "no staff_id"}), 422, "staff_id is required")
    assert owner("DELETE", path).status_code == 204
    refused(owner("GET", path), 404)
    free_again = owner(
        "POST", f"/api/v1/records/{LOCATION}", json=visit(member, at.replace(hour=15))
    )
    assert free_again.status_code == 201


def test_a_team_members_schedule(owner: Api, sandbox: Sandbox) -> None:
    member = sandbox.world.team_at(LOCATION)[0]
    day = working_day(sandbox, member.id)
    at = at_hour(day, 13)
    [made] = owner("POST", f"/api/v1/records/{LOCATION}", json=visit(member.id, at)).json()["data"]
    one = owner("GET", f"/api/v1/schedule/{LOCATION}/{member.id}/{day:%Y%m%d}/{day:%Y%m%d}")
    assert one.json() == {"date": day.isoformat(), "is_working": True,
                          "slots": [{"from": "10:00", "to": "19:00"}]}  # fmt: skip
    sunday = day + dt.timedelta(days=(6 - day.weekday()))
    off = owner("GET", f"/api/v1/schedule/{LOCATION}/{member.id}/{sunday:%Y%m%d}/{sunday:%Y%m%d}")
    assert off.json()["is_working"] is False and off.json()["slots"] == []
    week = owner(
        "GET",
        f"/api/v1/company/{LOCATION}/staff/schedule",
        params={"start_date": day.isoformat(), "end_date": (day + dt.timedelta(days=6)).isoformat(),
                "staff_ids[]": member.id, "include[]": "busy_intervals"},
    ).json()  # fmt: skip
    assert len(week["data"]) == week["meta"]["count"] == 7 - len(member.days_off)
    busy = next(d for d in week["data"] if d["date"] == day.isoformat())["busy_intervals"]
    assert busy == [{"entity_type": "record", "entity_id": made["id"], "from": "13:00:00",
                     "to": "14:00:00"}]  # fmt: skip


# --- v2 (JSON:API) ------------------------------------------------------------------------


async def test_v2_appointments_include_their_clients(
    client: AltegioClient, owner: Api, sandbox: Sandbox
) -> None:
    member = sandbox.world.team_at(LOCATION)[0].id
    day = working_day(sandbox, member)
    for n, phone in enumerate(("+13155550150", "+13155550151", "+13155550150")):
        made = owner(
            "POST", f"/api/v1/records/{LOCATION}", json=visit(member, at_hour(day, 10 + n), phone)
        )
        assert made.status_code == 201
    doc = owner(
        "GET",
        f"/api/v2/locations/{LOCATION}/appointments",
        params=[("include", "client"), ("include", "staff"), ("limit", "2"), ("page", "1")],
    ).json()
    assert doc["meta"] == {"pagination": {"page": 1, "offset": 0, "limit": 2}}
    assert [r["type"] for r in doc["data"]] == ["record", "record"]
    included = {(r["type"], r["id"]): r for r in doc["included"]}
    assert len(included) == len(doc["included"]) == 3  # two clients, one team member, once each
    phones = []
    for record in doc["data"]:
        link = record["relationships"]["client"]["data"]
        assert link == {"type": "client", "id": str(record["attributes"]["client_id"])}
        phones.append(included[(link["type"], link["id"])]["attributes"]["phone"])
        staff = record["relationships"]["staff"]["data"]
        assert (
            staff == {"type": "staff", "id": str(member)}
            and (staff["type"], staff["id"]) in included
        )
    assert phones == ["+13155550150", "+13155550151"]
    second = owner(
        "GET", f"/api/v2/locations/{LOCATION}/appointments", params={"page": 2, "limit": 2}
    ).json()
    assert len(second["data"]) == 1 and "included" not in second
    assert "relationships" not in second["data"][0]

    # through the SDK: the same resources, read without a mismatch
    session = business_session(client, sandbox.world.crm.users[DEFAULT_BUSINESS_LOGIN].token)
    records = await session.v2.appointments.list_appointments(
        location_id=LOCATION, include=["client"]
    )
    assert [r.id for r in records] == [r["id"] for r in doc["data"]] + [second["data"][0]["id"]]
    assert all(not getattr(r, "mismatches", ()) for r in records)


def test_v2_team_and_services(owner: Api, sandbox: Sandbox) -> None:
    team = owner(
        "GET", f"/api/v2/locations/{LOCATION}/team_members", params={"include": "position"}
    ).json()
    assert {m["id"] for m in team["data"]} == {str(m.id) for m in sandbox.world.team_at(LOCATION)}
    assert {p["type"] for p in team["included"]} == {"staff_position"}
    nails = owner(
        "GET",
        f"/api/v2/locations/{LOCATION}/team_members",
        params={"filter[position_title]": "nail"},
    ).json()
    assert nails["data"] and all(
        m["attributes"]["specialization"] == "Nail technician" for m in nails["data"]
    )
    services = owner(
        "GET", f"/api/v2/locations/{LOCATION}/services", params={"limit": 4, "page": 2}
    ).json()
    assert [s["id"] for s in services["data"]] == [
        str(i) for i in sorted(sandbox.world.services)[4:8]
    ]
    assert "meta" not in services  # the bundle: "pagination metadata is not returned"


def test_v2_bad_input_is_the_documented_error(owner: Api) -> None:
    path = f"/api/v2/locations/{LOCATION}/appointments"
    body = refused(owner("GET", path, params={"include": "clients"}), 422)
    assert list(body["meta"]["errors"]) == ["include"]
    body = refused(
        owner("GET", path, params={"filter[date_intersect_from]": "2026-01-01T00:00:00"}), 422
    )
    assert list(body["meta"]["errors"]) == ["filter[date_intersect_to]"]  # the missing one
    refused(
        owner("GET", path, params={"filter[date_intersect_from]": "2026-01-02T00:00:00",
                                   "filter[date_intersect_to]": "2026-01-01T00:00:00"}),
        422,
    )  # fmt: skip
    refused(owner("GET", "/api/v2/locations/999/appointments"), 404)


# --- paging limits ----------------------------------------------------------------------------


V1, V2 = "/api/v1", f"/api/v2/locations/{LOCATION}"


@pytest.mark.parametrize(
    ("method", "path", "extra", "status", "field"),
    [
        ("GET", f"{V2}/appointments", {"params": {"limit": 251}}, 422, "limit"),
        ("GET", f"{V2}/services", {"params": {"limit": 10_000}}, 422, "limit"),
        ("POST", f"{V1}/company/{LOCATION}/clients/search", {"json": {"page_size": 201}}, 400,
         "page_size"),
        ("GET", f"{V1}/records/{LOCATION}", {"params": {"count": 1001}}, 422, "count"),
        ("GET", f"{V1}/clients/{LOCATION}", {"params": {"count": 5000}}, 422, "count"),
        ("GET", f"{V1}/companies", {"params": {"page": 0, "count": 10}}, 422, "page"),
    ],
    ids=["v2-appointments", "v2-services", "v1-search", "v1-records", "v1-clients", "v1-locations"],
)  # fmt: skip
def test_a_page_above_the_maximum_is_a_4xx(
    owner: Api, method: str, path: str, extra: dict[str, Any], status: int, field: str
) -> None:
    body = refused(owner(method, path, **extra), status)
    assert field in body["meta"]["message"] or field in body["meta"].get("errors", {})


# --- limits and faults ----------------------------------------------------------------------


def test_faults_apply_to_business_routes(owner: Api, sandbox: Sandbox) -> None:
    member = sandbox.world.team_at(LOCATION)[0].id
    at = at_hour(working_day(sandbox, member), 17)
    sandbox.faults.add(Fault("status", status=503, operation="create_appointment"))
    refused(owner("POST", f"/api/v1/records/{LOCATION}", json=visit(member, at)), 503)
    assert sandbox.world.records == {}  # answered before the handler: nothing booked
    sandbox.faults.add(Fault("truncated_json", operation="v2.delete_appointment"))
    [made] = owner("POST", f"/api/v1/records/{LOCATION}", json=visit(member, at)).json()["data"]
    v1_path = f"/api/v1/record/{LOCATION}/{made['id']}"
    assert owner("GET", v1_path).status_code == 200  # v1's delete_appointment is not v2's
    sandbox.faults.add(Fault("truncated_json", operation="v2.list_appointments"))
    cut = owner("GET", f"/api/v2/locations/{LOCATION}/appointments")
    assert (
        cut.status_code == 200 and cut.text.startswith('{"data": [') and not cut.text.endswith("}")
    )
    assert sandbox.count("v2.list_appointments") == 1 and sandbox.count("create_appointment") == 2
    assert [s.operation for s in sandbox.seen][-1] == "v2.list_appointments"


def test_rate_limits_apply_to_business_routes() -> None:
    config = SandboxConfig(limits=RateLimits(per_second=3, per_minute=100))
    with Sandbox(config) as sandbox:
        owner = Api(sandbox, log_in(sandbox))  # one request of the three
        statuses = [
            owner("GET", f"/api/v2/locations/{LOCATION}/services").status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        assert sandbox.windows.rejected == 1


# --- the seed -------------------------------------------------------------------------------


def test_a_seed_big_enough_to_export_in_pages() -> None:
    seed = BusinessSeed(locations=3, clients_per_location=800, appointments_per_location=700)
    config = SandboxConfig(limits=RateLimits(enabled=False), business=seed)
    with Sandbox(config) as sandbox:
        owner = Api(sandbox, log_in(sandbox))
        locations = [loc["id"] for loc in owner("GET", "/api/v1/companies").json()["data"]]
        assert locations == [4564, 4565, BRANCH]
        clients = appointments = 0
        for location in locations:
            page, total = 1, None
            while True:
                body = {"page": page, "page_size": 200, "fields": ["name"]}
                reply = owner(
                    "POST", f"/api/v1/company/{location}/clients/search", json=body
                ).json()
                total = reply["meta"]["total_count"]
                clients += len(reply["data"])
                if len(reply["data"]) < 200:
                    break
                page += 1
            assert total == 800
            history = owner("GET", f"/api/v1/records/{location}", params={"count": 1000}).json()
            assert history["meta"]["total_count"] == len(history["data"]) == 700
            appointments += len(history["data"])
        assert clients == 2400 and appointments == 2100
        # the past only: the online booking's diary stays open
        assert all(r.start.date() < sandbox.world.today for r in sandbox.world.records.values())
    again = Sandbox(config)  # the same seed, the same data
    assert [c.phone for c in again.world.crm.clients.values()] == [
        c.phone for c in sandbox.world.crm.clients.values()
    ]
    assert [(r.team_member_id, r.start) for r in again.world.records.values()] == [
        (r.team_member_id, r.start) for r in sandbox.world.records.values()
    ]


def test_the_default_seed_is_small() -> None:
    sandbox = Sandbox()
    assert sorted(sandbox.world.locations) == [4564, 4565]
    assert len(sandbox.world.crm.clients) == 60 and sandbox.world.records == {}
