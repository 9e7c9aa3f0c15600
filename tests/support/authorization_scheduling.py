"""The authorization matrix of the scheduling and report routes: every role × every route, in
scope and out of it, with the answer each role gets.

The test world (``http_world.py``) gets more from ``Plans``: a street admin of 北山街道
(``street_admin_north``, whose only community is C), a published run of C, an override in A and
in C, and a declined assignment in A and in C with someone free to take it over. A route that
changes state gets fresh objects for every role (a new draft to publish, a new declined
assignment to hand on), so each role's answer is the designed one: 202, 201 or 200 in scope;
404 out of scope, the same as an unknown id; 403 for a role that may never use the route,
whatever the id; 401 without a token. A new route needs its rows here, or in
``authorization.py`` (``tests/api/test_http_authorization_coverage.py`` checks).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.services.scheduling import add_override, decline
from matcher.domain import DemandKind, PersonKind
from models import (
    Activity,
    ActivityRole,
    Assignment,
    Community,
    Person,
    RunStatus,
    ScheduleRun,
    UserAccount,
    UserRole,
)
from models.person import Availability
from tests.support.http_world import LAT, LNG, WEEK, World

API = "/api/v1"
MONDAY = WEEK.isoformat()
ROLES = (
    "street_admin",
    "street_admin_north",
    "coordinator_a",
    "coordinator_b",
    "grid_leader_a",
    "member_a",
    "anonymous",
)
#: which communities each manager reaches (A and B are in 江南街道, C in 北山街道)
REACH = {
    "street_admin": {"a", "b"},
    "street_admin_north": {"c"},
    "coordinator_a": {"a"},
    "coordinator_b": {"b"},
}
UNKNOWN_ID = 999_999


def managers(community: str, ok: int) -> dict[str, int]:
    """``ok`` for those who manage ``community``, 404 for other managers, 403 for grid
    leaders and members (they may never schedule), 401 without a token."""
    expected = {role: ok if community in reach else 404 for role, reach in REACH.items()}
    return {**expected, "grid_leader_a": 403, "member_a": 403, "anonymous": 401}


#: an unknown id: 404 to every manager, and still 403 or 401 to everyone else
UNKNOWN = managers("nowhere", 0)


class Plans:
    """Scheduling objects of the test world, and fresh ones made on demand."""

    def __init__(self, db: Session, world: World):
        self.db = db
        self.world = world
        self._weeks = itertools.count(10)
        self._people = itertools.count(1)
        north = db.get(Community, world["community_c"])
        assert north is not None
        admin = UserAccount(
            username="street_admin_north",
            password_hash=world.users["street_admin"].password_hash,
            role=UserRole.STREET_ADMIN,
            street=north.street,
        )
        db.add(admin)
        world.users["street_admin_north"] = admin
        # C's published plan for the week, as A has one in the world
        past = datetime(2026, 3, 5, 1, 0, tzinfo=UTC)
        run_c = ScheduleRun(community=north, week_start=WEEK, status=RunStatus.PUBLISHED)
        served = Assignment(
            run=run_c,
            person_id=world["person_c1"],
            starts_at=past,
            ends_at=past + timedelta(hours=2),
        )
        activity_c = db.get(Activity, world["activity_c"])
        assert activity_c is not None
        served.demand = activity_c
        db.add_all([run_c, served])
        db.flush()
        world.ids["run_c"] = run_c.id
        for key in ("a", "c"):
            override = add_override(
                session=db,
                community_id=world[f"community_{key}"],
                week_start=WEEK,
                kind="pin",
                person_id=world[f"person_{key}1"],
                demand_kind=DemandKind.ACTIVITY,
                demand_id=world[f"activity_{key}"],
                author=None,
                reason="熟悉流程",
            )
            db.flush()
            world.ids[f"override_{key}"] = override.id
        db.commit()
        for key in ("a", "c"):
            made = self.declined(key)
            world.ids[f"declined_{key}"] = made[f"new_declined_{key}"]
            world.ids[f"stand_in_{key}"] = made[f"new_stand_in_{key}"]

    def _published_run(self, key: str) -> int:
        run_id = self.db.scalar(
            sa.select(ScheduleRun.id).where(
                ScheduleRun.community_id == self.world[f"community_{key}"],
                ScheduleRun.week_start == WEEK,
                ScheduleRun.status == RunStatus.PUBLISHED,
            )
        )
        assert run_id is not None
        return run_id

    def _person(self, key: str, free_on: int | None = None) -> Person:
        person = Person(
            community_id=self.world[f"community_{key}"],
            grid_id=self.world[f"grid_{key}1"],
            name=f"志愿者{next(self._people)}",
            kind=PersonKind.VOLUNTEER,
            home_lat=LAT,
            home_lng=LNG,
        )
        if free_on is not None:
            person.availability = [Availability(weekday=free_on, start_minute=0, end_minute=1440)]
        self.db.add(person)
        return person

    def draft(self, key: str) -> dict[str, int]:
        """A new draft run of community ``key`` (its own week), ready to be published."""
        self.db.rollback()
        week = WEEK + timedelta(weeks=next(self._weeks))
        run = ScheduleRun(
            community_id=self.world[f"community_{key}"], week_start=week, status=RunStatus.DRAFT
        )
        self.db.add(run)
        self.db.commit()
        return {f"new_draft_{key}": run.id}

    def declined(self, key: str) -> dict[str, int]:
        """A newly declined assignment of the week's published run of ``key`` (its activity on
        Thursday), and a new person free all Thursday who may take it over."""
        self.db.rollback()
        activity = self.db.get(Activity, self.world[f"activity_{key}"])
        assert activity is not None
        taken = Assignment(
            run_id=self._published_run(key),
            person=self._person(key),
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
        )
        taken.demand = activity
        stand_in = self._person(key, free_on=activity.day.weekday())
        self.db.add(taken)
        self.db.flush()
        decline(session=self.db, assignment_id=taken.id, actor=None)
        self.db.commit()
        return {f"new_declined_{key}": taken.id, f"new_stand_in_{key}": stand_in.id}

    def taken(self, key: str, occupied: bool = True) -> dict[str, int]:
        """A new one-person activity of ``key`` on Thursday, someone on it in the published
        run (unless not ``occupied``), and someone else free all Thursday who could serve."""
        self.db.rollback()
        like = self.db.get(Activity, self.world[f"activity_{key}"])
        assert like is not None
        activity = Activity(
            community_id=like.community_id,
            grid_id=like.grid_id,
            name=f"临时活动{next(self._people)}",
            day=like.day,
            starts_at=like.starts_at,
            ends_at=like.ends_at,
            place=like.place,
            lat=like.lat,
            lng=like.lng,
            roles=[ActivityRole(position=0, skill=None, headcount=1)],
        )
        self.db.add(activity)
        on_it: Assignment | None = None
        if occupied:
            on_it = Assignment(
                run_id=self._published_run(key),
                person=self._person(key, free_on=like.day.weekday()),
                starts_at=like.starts_at,
                ends_at=like.ends_at,
            )
            on_it.demand = activity
            self.db.add(on_it)
        free = self._person(key, free_on=like.day.weekday())
        self.db.commit()
        return {
            f"new_activity_{key}": activity.id,
            f"new_taken_{key}": on_it.id if on_it is not None else 0,
            f"new_free_{key}": free.id,
        }


def pin(key: str) -> dict[str, Any]:
    """The body of an override pinning ``person_<key>1`` on ``activity_<key>``, its ids named."""
    return {
        "kind": "pin",
        "person_id": f"{{person_{key}1}}",
        "demand_kind": "activity",
        "demand_id": f"{{activity_{key}}}",
        "reason": "熟悉流程",
    }


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expected: dict[str, int]
    body: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    #: fresh objects for each role's attempt, their ids named in ``path``
    fresh: Callable[[Plans], dict[str, int]] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


QUICK = {"time_limit_s": 1}
SOLVE = "/communities/{community_%s}/weeks/" + MONDAY + "/solve"
OVERRIDES = "/communities/{community_%s}/weeks/" + MONDAY + "/overrides"
ACCEPT = "/assignments/{new_declined_%s}/replacements/{new_stand_in_%s}/accept"
PUBLISH = "/runs/{new_draft_%s}/publish"
ASSIGN = "/communities/{community_%s}/weeks/" + MONDAY + "/assignments"


def put_on(key: str) -> dict[str, Any]:
    """A direct assignment of a fresh free person to a fresh activity of ``key``."""
    return {
        "person_id": f"{{new_free_{key}}}",
        "demand_kind": "activity",
        "demand_id": f"{{new_activity_{key}}}",
    }


CASES = [
    Case("POST", SOLVE % "a", managers("a", 202), params=QUICK),
    Case("POST", SOLVE % "b", managers("b", 202), params=QUICK),
    Case("POST", SOLVE % "c", managers("c", 202), params=QUICK),
    Case("POST", f"/communities/{UNKNOWN_ID}/weeks/{MONDAY}/solve", UNKNOWN, params=QUICK),
    Case("GET", "/runs/{run_a}", managers("a", 200)),
    Case("GET", "/runs/{run_c}", managers("c", 200)),
    Case("GET", f"/runs/{UNKNOWN_ID}", UNKNOWN),
    Case("POST", OVERRIDES % "a", managers("a", 201), body=pin("a")),
    Case("POST", OVERRIDES % "c", managers("c", 201), body=pin("c")),
    Case("POST", f"/communities/{UNKNOWN_ID}/weeks/{MONDAY}/overrides", UNKNOWN, body=pin("a")),
    Case("DELETE", "/overrides/{override_a}", managers("a", 200)),
    Case("DELETE", "/overrides/{override_c}", managers("c", 200)),
    Case("DELETE", f"/overrides/{UNKNOWN_ID}", UNKNOWN),
    Case("POST", PUBLISH % "a", managers("a", 200), fresh=lambda p: p.draft("a")),
    Case("POST", PUBLISH % "b", managers("b", 200), fresh=lambda p: p.draft("b")),
    Case("POST", PUBLISH % "c", managers("c", 200), fresh=lambda p: p.draft("c")),
    Case("POST", f"/runs/{UNKNOWN_ID}/publish", UNKNOWN),
    Case("GET", "/runs/{run_a}/publish-preview", managers("a", 200)),
    Case("GET", "/runs/{run_c}/publish-preview", managers("c", 200)),
    Case("GET", f"/runs/{UNKNOWN_ID}/publish-preview", UNKNOWN),
    Case(
        "POST",
        ASSIGN % "a",
        managers("a", 201),
        body=put_on("a"),
        fresh=lambda p: p.taken("a", occupied=False),
    ),
    Case(
        "POST",
        ASSIGN % "c",
        managers("c", 201),
        body=put_on("c"),
        fresh=lambda p: p.taken("c", occupied=False),
    ),
    Case("POST", f"/communities/{UNKNOWN_ID}/weeks/{MONDAY}/assignments", UNKNOWN, body=pin("a")),
    Case(
        "POST",
        "/assignments/{new_taken_a}/remove",
        managers("a", 204),
        body={},
        fresh=lambda p: p.taken("a"),
    ),
    Case(
        "POST",
        "/assignments/{new_taken_c}/remove",
        managers("c", 204),
        body={},
        fresh=lambda p: p.taken("c"),
    ),
    Case("POST", f"/assignments/{UNKNOWN_ID}/remove", UNKNOWN, body={}),
    Case(
        "POST",
        "/assignments/{new_taken_a}/swap",
        managers("a", 201),
        body={"person_id": "{new_free_a}"},
        fresh=lambda p: p.taken("a"),
    ),
    Case(
        "POST",
        "/assignments/{new_taken_c}/swap",
        managers("c", 201),
        body={"person_id": "{new_free_c}"},
        fresh=lambda p: p.taken("c"),
    ),
    Case("POST", f"/assignments/{UNKNOWN_ID}/swap", UNKNOWN, body={"person_id": 1}),
    Case("GET", "/assignments/{declined_a}/replacements", managers("a", 200)),
    Case("GET", "/assignments/{declined_c}/replacements", managers("c", 200)),
    Case("GET", f"/assignments/{UNKNOWN_ID}/replacements", UNKNOWN),
    Case("POST", ACCEPT % ("a", "a"), managers("a", 201), fresh=lambda p: p.declined("a")),
    Case("POST", ACCEPT % ("c", "c"), managers("c", 201), fresh=lambda p: p.declined("c")),
    Case("POST", f"/assignments/{UNKNOWN_ID}/replacements/{{stand_in_a}}/accept", UNKNOWN),
    Case("GET", "/communities/{community_a}/reports/2026/3", managers("a", 200)),
    Case("GET", "/communities/{community_b}/reports/2026/3", managers("b", 200)),
    Case("GET", "/communities/{community_c}/reports/2026/3", managers("c", 200)),
    Case("GET", f"/communities/{UNKNOWN_ID}/reports/2026/3", UNKNOWN),
    Case("GET", "/people/{person_a1}/service-record/2026/q1", managers("a", 200)),
    Case("GET", "/people/{person_b1}/service-record/2026/q1", managers("b", 200)),
    Case("GET", "/people/{person_c1}/service-record/2026/q1", managers("c", 200)),
    Case("GET", f"/people/{UNKNOWN_ID}/service-record/2026/q1", UNKNOWN),
    Case("GET", f"/people/{{person_a1}}/weeks/{MONDAY}/overrides", managers("a", 200)),
    Case("GET", f"/people/{{person_c1}}/weeks/{MONDAY}/overrides", managers("c", 200)),
    Case("GET", f"/people/{UNKNOWN_ID}/weeks/{MONDAY}/overrides", UNKNOWN),
]
