"""What the Business Management side of the sandbox starts with: locations, clients, a past.

``SandboxConfig(business=BusinessSeed(locations=3, clients_per_location=800,
appointments_per_location=700))`` gives a batch export thousands of records to page
through.  The same seed always gives the same data (names, phones, visits), and
the past appointments lie before today, so the diary the online booking offers
stays free.  The default is small: the studio's two locations, a few dozen clients
each, no history.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import TYPE_CHECKING

import attrs

from ._checks import TZ
from ._crm import CATEGORIES, BusinessUser

if TYPE_CHECKING:
    from ._world import World

DEFAULT_BUSINESS_LOGIN = "owner@sandbox.example"
DEFAULT_BUSINESS_PASSWORD = "sandbox-business-password"
# A second business user, with access to the first location only.
MANAGER_LOGIN = "manager@sandbox.example"

_BRANCHES = ("Downtown", "Uptown", "Lakeside", "Riverside", "Midtown", "Eastwood")
_FIRST = (
    ("James", 1), ("Olivia", 2), ("Noah", 2), ("Emma", 2), ("Liam", 1), ("Ava", 2),
    ("Mason", 1), ("Sophia", 2), ("Lucas", 1), ("Mia", 2), ("Ethan", 1), ("Harper", 2),
)  # fmt: skip
_LAST = ("Smith", "Johnson", "Brown", "Taylor", "Miller", "Davis", "Clark", "Lewis", "Walker")


@attrs.frozen
class BusinessSeed:
    """How much Business Management data the sandbox starts with.

    ``locations`` counts the studio's two (4564, 4565, one team); each one more is
    a branch (4566, ...) with a team of its own.  ``appointments_per_location`` past
    appointments fill the days before today.
    """

    locations: int = attrs.field(default=2, validator=attrs.validators.in_(range(2, 401)))
    clients_per_location: int = attrs.field(
        default=30, validator=attrs.validators.in_(range(0, 10_000))
    )
    appointments_per_location: int = attrs.field(
        default=0, validator=attrs.validators.in_(range(0, 100_000))
    )
    seed: int = 7


def seed_business(world: World, seed: BusinessSeed, team_size: int) -> None:
    """Fill ``world`` (its studio already in place) as ``seed`` says."""
    from ._world import Location, team_of  # the world module imports this one

    for k in range(seed.locations - 2):
        location_id = 4566 + k
        branch = _BRANCHES[k] if k < len(_BRANCHES) else f"Branch {k + 1}"
        world.locations[location_id] = Location(location_id, f"Sandbox Studio {branch}")
        for member in team_of(team_size, 7000 + 100 * k, frozenset({location_id}), 6 * (k + 1)):
            world.team[member.id] = member
    everywhere = frozenset(world.locations)
    world.crm.add_user(
        BusinessUser(1073232, DEFAULT_BUSINESS_LOGIN, "+13155550190",
                     DEFAULT_BUSINESS_PASSWORD, "Sandbox Owner", everywhere)
    )  # fmt: skip
    world.crm.add_user(
        BusinessUser(1073233, MANAGER_LOGIN, "+13155550191",
                     DEFAULT_BUSINESS_PASSWORD, "Sandbox Manager", frozenset({4564}))
    )  # fmt: skip
    for n, location_id in enumerate(sorted(world.locations)):
        rng = random.Random(seed.seed * 100_003 + location_id)
        _clients(world, rng, location_id, n, seed.clients_per_location)
        _history(world, rng, location_id, seed.appointments_per_location)


def _clients(world: World, rng: random.Random, location_id: int, n: int, count: int) -> None:
    for i in range(count):
        first, gender = _FIRST[i % len(_FIRST)]
        last = _LAST[(i // len(_FIRST) + n) % len(_LAST)]
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
        client = world.crm.add(
            location_id,
            {
                "name": first,
                "surname": last,
                "phone": f"+1315{600 + n:03d}{i:04d}",
                "email": f"{first}.{last}.{i}@example.com".lower(),
                "gender_id": gender,
                "importance_id": rng.choice((0, 0, 0, 1, 2, 3)),
                "discount": rng.choice((0, 0, 0, 5, 10)),
                "card": str(900_000_000 + location_id * 10_000 + i) if i % 2 else "",
                "birth_date": born.isoformat() if i % 3 else "",
                "spent": rng.randrange(0, 2000, 10),
                "sms_check": i % 2,
                "categories": rng.sample(sorted(CATEGORIES), rng.choice((0, 0, 1, 2))),
            },
        )
        client.changed = dt.datetime.combine(
            world.today - dt.timedelta(days=rng.randrange(1, 400)), dt.time(12), TZ
        )


def _history(world: World, rng: random.Random, location_id: int, count: int) -> None:
    """``count`` past appointments, newest first, on free hours of the location's team."""
    from ._world import Record

    clients = world.crm.clients_at(location_id)
    team = world.team_at(location_id)
    if not clients or not team:
        return
    owner = world.crm.users[DEFAULT_BUSINESS_LOGIN]
    day = world.today
    made = 0
    while made < count and (world.today - day).days < 3 * 365:
        day -= dt.timedelta(days=1)
        for member in team:
            for hour in range(10, 19):
                if made == count or rng.random() > 0.55:
                    continue
                start = dt.datetime.combine(day, dt.time(hour), TZ)
                services = sorted(s for s in member.service_ids if world.services[s].length <= 3600)
                service = world.services[rng.choice(services)]
                if not world.free(member, start, service.length):
                    continue
                client = rng.choice(clients)
                online = rng.random() < 0.4
                world.place(
                    Record(
                        id=world.next_record_id(),
                        hash=secrets.token_hex(16),
                        location_id=location_id,
                        team_member_id=member.id,
                        service_ids=(service.id,),
                        start=start,
                        length=service.length,
                        phone=client.phone,
                        fullname=client.fullname,
                        email=client.email,
                        comment="",
                        created=start - dt.timedelta(days=rng.randrange(1, 20), hours=3),
                        master_requested=rng.random() < 0.5,
                        client_id=client.id,
                        attendance=-1 if rng.random() < 0.1 else 1,
                        online=online,
                        created_user_id=0 if online else owner.id,
                    )
                )
                made += 1
