"""Who may schedule and read reports: every role × every scheduling and report route, in
scope and out of it, and each of these routes' answers to bad input.

The test world (``http_world.py``) gets a street admin of 北山街道 (``street_admin_north``, whose
only community is C), a published run of C, an override in A and in C, and a declined
assignment in A and in C with someone free to take it over. A route that changes state gets
fresh objects for every role (a new draft to publish, a new declined assignment to hand on),
so each role's answer is the designed one: 202, 201 or 200 in scope; 404 out of scope, the
same as an unknown id; 403 for a role that may never use the route, whatever the id; 401
without a token.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from http_world import LAT, LNG, WEEK, World
from sqlalchemy.orm import Session

from api.services.scheduling import add_override, decline, wait_for_solve
from matcher.domain import DemandKind, PersonKind
from models import (
    Activity,
    Assignment,
    Community,
    Override,
    Person,
    RunStatus,
    ScheduleRun,
    UserAccount,
    UserRole,
)
from models.person import Availability

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
        served.demand = db.get(Activity, world["activity_c"])
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


@pytest.fixture
def plans(db: Session, world: World) -> Plans:
    return Plans(db, world)


def _pin(key: str) -> dict[str, Any]:
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

CASES = [
    Case("POST", SOLVE % "a", managers("a", 202), params=QUICK),
    Case("POST", SOLVE % "b", managers("b", 202), params=QUICK),
    Case("POST", SOLVE % "c", managers("c", 202), params=QUICK),
    Case("POST", f"/communities/{UNKNOWN_ID}/weeks/{MONDAY}/solve", UNKNOWN, params=QUICK),
    Case("GET", "/runs/{run_a}", managers("a", 200)),
    Case("GET", "/runs/{run_c}", managers("c", 200)),
    Case("GET", f"/runs/{UNKNOWN_ID}", UNKNOWN),
    Case("POST", OVERRIDES % "a", managers("a", 201), body=_pin("a")),
    Case("POST", OVERRIDES % "c", managers("c", 201), body=_pin("c")),
    Case("POST", f"/communities/{UNKNOWN_ID}/weeks/{MONDAY}/overrides", UNKNOWN, body=_pin("a")),
    Case("DELETE", "/overrides/{override_a}", managers("a", 200)),
    Case("DELETE", "/overrides/{override_c}", managers("c", 200)),
    Case("DELETE", f"/overrides/{UNKNOWN_ID}", UNKNOWN),
    Case("POST", PUBLISH % "a", managers("a", 200), fresh=lambda p: p.draft("a")),
    Case("POST", PUBLISH % "b", managers("b", 200), fresh=lambda p: p.draft("b")),
    Case("POST", PUBLISH % "c", managers("c", 200), fresh=lambda p: p.draft("c")),
    Case("POST", f"/runs/{UNKNOWN_ID}/publish", UNKNOWN),
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
]


def _fill(value: Any, ids: dict[str, int]) -> Any:
    """``"{person_a1}"`` in a body becomes that id."""
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_scheduling_role_matrix(
    client: TestClient,
    world: World,
    plans: Plans,
    as_role: Callable[[str], dict[str, str]],
    case: Case,
) -> None:
    got = {}
    for role in ROLES:
        ids = {**world.ids, **(case.fresh(plans) if case.fresh else {})}
        response = client.request(
            case.method,
            API + case.path.format(**ids),
            params=case.params,
            json=_fill(case.body, ids),
            headers=as_role(role),
        )
        got[role] = response.status_code
        if response.status_code == 401:
            assert response.headers["www-authenticate"] == "Bearer"
        if response.status_code == 202:
            run_id = response.json()["run_id"]
            wait_for_solve(run_id, timeout=60)
            run = client.get(f"{API}/runs/{run_id}", headers=as_role(role)).json()
            assert run["status"] == "draft", run
    assert got == case.expected


#: one route each: (method, out-of-scope path for coordinator_a, the same with an unknown id)
HIDDEN_AND_UNKNOWN = [
    ("POST", SOLVE % "c", f"/communities/{UNKNOWN_ID}/weeks/{MONDAY}/solve"),
    ("GET", "/runs/{run_c}", f"/runs/{UNKNOWN_ID}"),
    ("POST", OVERRIDES % "c", f"/communities/{UNKNOWN_ID}/weeks/{MONDAY}/overrides"),
    ("DELETE", "/overrides/{override_c}", f"/overrides/{UNKNOWN_ID}"),
    ("POST", "/runs/{run_c}/publish", f"/runs/{UNKNOWN_ID}/publish"),
    ("GET", "/assignments/{declined_c}/replacements", f"/assignments/{UNKNOWN_ID}/replacements"),
    (
        "POST",
        "/assignments/{declined_c}/replacements/{stand_in_c}/accept",
        f"/assignments/{UNKNOWN_ID}/replacements/{{stand_in_c}}/accept",
    ),
    (
        "GET",
        "/communities/{community_c}/reports/2026/3",
        f"/communities/{UNKNOWN_ID}/reports/2026/3",
    ),
    (
        "GET",
        "/people/{person_c1}/service-record/2026/q1",
        f"/people/{UNKNOWN_ID}/service-record/2026/q1",
    ),
]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_out_of_scope_answers_as_an_unknown_id(
    client: TestClient,
    world: World,
    plans: Plans,
    as_role: Callable[[str], dict[str, str]],
    language: str,
) -> None:
    for role in ("coordinator_a", "street_admin"):
        headers = {**as_role(role), "Accept-Language": language}
        for method, hidden_path, unknown_path in HIDDEN_AND_UNKNOWN:
            answers = [
                client.request(
                    method,
                    API + path.format(**world.ids),
                    params=QUICK if path.endswith("/solve") else None,
                    json=_fill(_pin("c"), world.ids) if path.endswith("/overrides") else None,
                    headers=headers,
                )
                for path in (hidden_path, unknown_path)
            ]
            hidden, unknown = answers
            assert hidden.status_code == unknown.status_code == 404, (role, hidden_path)
            assert hidden.json() == unknown.json(), (role, hidden_path)
            assert hidden.headers.get("content-length") == unknown.headers.get("content-length")


def _counts(db: Session, community_id: int) -> dict[str, int]:
    db.rollback()
    runs = sa.select(ScheduleRun.id).where(ScheduleRun.community_id == community_id)
    return {
        "runs": db.scalar(sa.select(sa.func.count()).select_from(runs.subquery())) or 0,
        "published": db.scalar(
            sa.select(sa.func.count())
            .select_from(ScheduleRun)
            .where(
                ScheduleRun.community_id == community_id,
                ScheduleRun.status == RunStatus.PUBLISHED,
            )
        )
        or 0,
        "assignments": db.scalar(
            sa.select(sa.func.count()).select_from(Assignment).where(Assignment.run_id.in_(runs))
        )
        or 0,
        "active overrides": db.scalar(
            sa.select(sa.func.count())
            .select_from(Override)
            .where(Override.community_id == community_id, Override.active.is_(True))
        )
        or 0,
    }


def test_refused_requests_write_nothing(
    client: TestClient,
    db: Session,
    world: World,
    plans: Plans,
    as_role: Callable[[str], dict[str, str]],
) -> None:
    draft = plans.draft("c")["new_draft_c"]
    before = _counts(db, world["community_c"])
    writes = [
        ("POST", SOLVE % "c", None),
        ("POST", OVERRIDES % "c", _fill(_pin("c"), world.ids)),
        ("DELETE", "/overrides/{override_c}", None),
        ("POST", f"/runs/{draft}/publish", None),
        ("POST", "/assignments/{declined_c}/replacements/{stand_in_c}/accept", None),
    ]
    for role in ROLES:
        if role == "street_admin_north":
            continue
        for method, path, body in writes:
            response = client.request(
                method,
                API + path.format(**world.ids),
                params=QUICK if path.endswith("/solve") else None,
                json=body,
                headers=as_role(role),
            )
            assert response.status_code in (401, 403, 404), (role, path, response.text)
    assert _counts(db, world["community_c"]) == before


# bad input -----------------------------------------------------------------------------------


def _override(**changes: Any) -> dict[str, Any]:
    return {**_pin("a"), **changes}


def _without(name: str) -> dict[str, Any]:
    return {key: value for key, value in _pin("a").items() if key != name}


#: (method, path, query, body, the field the 422 names); coordinator_a, in scope throughout
BAD_INPUT: dict[str, list[tuple[str, str, dict[str, Any] | None, Any, str]]] = {
    "solve": [
        ("POST", SOLVE.replace(MONDAY, "2026-03-03") % "a", QUICK, None, "week_start"),
        ("POST", SOLVE.replace(MONDAY, "2026-02-30") % "a", QUICK, None, "week_start"),
        ("POST", SOLVE.replace(MONDAY, "next-week") % "a", QUICK, None, "week_start"),
        ("POST", SOLVE % "a", {"time_limit_s": 0}, None, "time_limit_s"),
        ("POST", SOLVE % "a", {"time_limit_s": 121}, None, "time_limit_s"),
        ("POST", SOLVE % "a", {"time_limit_s": "nan"}, None, "time_limit_s"),
        ("POST", SOLVE % "a", {"time_limit_s": "soon"}, None, "time_limit_s"),
        ("POST", f"/communities/0/weeks/{MONDAY}/solve", QUICK, None, "community_id"),
        ("POST", f"/communities/{2**31}/weeks/{MONDAY}/solve", QUICK, None, "community_id"),
    ],
    "run": [
        ("GET", "/runs/0", None, None, "run_id"),
        ("GET", f"/runs/{2**31}", None, None, "run_id"),
        ("GET", "/runs/latest", None, None, "run_id"),
    ],
    "override": [
        ("POST", OVERRIDES.replace(MONDAY, "2026-03-03") % "a", None, _pin("a"), "week_start"),
        ("POST", OVERRIDES % "a", None, _override(kind="promote"), "kind"),
        ("POST", OVERRIDES % "a", None, _override(demand_kind="meeting"), "demand_kind"),
        ("POST", OVERRIDES % "a", None, _override(person_id="{person_c1}"), "person_id"),
        ("POST", OVERRIDES % "a", None, _override(person_id=UNKNOWN_ID), "person_id"),
        ("POST", OVERRIDES % "a", None, _override(person_id=0), "person_id"),
        ("POST", OVERRIDES % "a", None, _override(demand_id="{activity_c}"), "demand_id"),
        ("POST", OVERRIDES % "a", None, _override(demand_id="abc"), "demand_id"),
        # activity_a is on Thursday 5 March, not in the week of 9 March
        ("POST", OVERRIDES.replace(MONDAY, "2026-03-09") % "a", None, _pin("a"), "demand_id"),
        ("POST", OVERRIDES % "a", None, _override(reason="长" * 201), "reason"),
        ("POST", OVERRIDES % "a", None, _override(reason="a\x00b"), "reason"),
        ("POST", OVERRIDES % "a", None, _override(author_id=1), "author_id"),
        ("POST", OVERRIDES % "a", None, _override(person_id=None), "person_id"),
        ("POST", OVERRIDES % "a", None, _without("demand_kind"), "demand_kind"),
        ("POST", OVERRIDES % "a", None, None, "body"),
        ("POST", OVERRIDES % "a", None, [_pin("a")], "body"),
    ],
    "withdraw": [
        ("DELETE", "/overrides/0", None, None, "override_id"),
        ("DELETE", "/overrides/x", None, None, "override_id"),
    ],
    "publish": [
        ("POST", "/runs/0/publish", None, None, "run_id"),
        ("POST", f"/runs/{2**31}/publish", None, None, "run_id"),
    ],
    "replacements": [
        ("GET", "/assignments/{declined_a}/replacements", {"limit": 0}, None, "limit"),
        ("GET", "/assignments/{declined_a}/replacements", {"limit": 21}, None, "limit"),
        ("GET", "/assignments/{declined_a}/replacements", {"limit": "all"}, None, "limit"),
        ("GET", "/assignments/0/replacements", None, None, "assignment_id"),
    ],
    "accept": [
        # someone of another community, someone unknown, someone never free
        (
            "POST",
            "/assignments/{declined_a}/replacements/{person_c1}/accept",
            None,
            None,
            "person_id",
        ),
        (
            "POST",
            f"/assignments/{{declined_a}}/replacements/{UNKNOWN_ID}/accept",
            None,
            None,
            "person_id",
        ),
        (
            "POST",
            "/assignments/{declined_a}/replacements/{person_a2}/accept",
            None,
            None,
            "person_id",
        ),
        ("POST", "/assignments/{declined_a}/replacements/0/accept", None, None, "person_id"),
        ("POST", "/assignments/0/replacements/{stand_in_a}/accept", None, None, "assignment_id"),
    ],
    "month report": [
        ("GET", "/communities/{community_a}/reports/2026/13", None, None, "month"),
        ("GET", "/communities/{community_a}/reports/2026/0", None, None, "month"),
        ("GET", "/communities/{community_a}/reports/1999/3", None, None, "year"),
        ("GET", "/communities/{community_a}/reports/2101/3", None, None, "year"),
        ("GET", "/communities/{community_a}/reports/2026/march", None, None, "month"),
        ("GET", "/communities/0/reports/2026/3", None, None, "community_id"),
    ],
    "service record": [
        ("GET", "/people/{person_a1}/service-record/2026/q5", None, None, "quarter"),
        ("GET", "/people/{person_a1}/service-record/2026/q0", None, None, "quarter"),
        ("GET", "/people/{person_a1}/service-record/1999/q1", None, None, "year"),
        ("GET", "/people/{person_a1}/service-record/2026/qx", None, None, "quarter"),
        ("GET", "/people/0/service-record/2026/q1", None, None, "person_id"),
    ],
}


@pytest.mark.parametrize("route", list(BAD_INPUT))
def test_bad_input_names_the_field(
    client: TestClient,
    db: Session,
    world: World,
    plans: Plans,
    as_role: Callable[[str], dict[str, str]],
    route: str,
) -> None:
    headers = as_role("coordinator_a")
    before = _counts(db, world["community_a"])
    for method, path, params, body, field_name in BAD_INPUT[route]:
        response = client.request(
            method,
            API + path.format(**world.ids),
            params=params,
            json=_fill(body, world.ids),
            headers=headers,
        )
        where = f"{method} {path} {params} {body}"
        assert response.status_code == 422, (where, response.text)
        fields = [error["field"] for error in response.json()["detail"]]
        assert fields == [field_name], (where, response.text)
        assert all(error["msg"] for error in response.json()["detail"])
    assert _counts(db, world["community_a"]) == before


def test_bad_input_speaks_english_when_asked(
    client: TestClient, world: World, plans: Plans, as_role: Callable[[str], dict[str, str]]
) -> None:
    headers = {**as_role("coordinator_a"), "Accept-Language": "en"}
    tuesday = client.post(
        API + (SOLVE.replace(MONDAY, "2026-03-03") % "a").format(**world.ids),
        params=QUICK,
        headers=headers,
    )
    assert tuesday.status_code == 422
    assert "Monday" in tuesday.json()["detail"][0]["msg"]
    busy = client.post(
        API + "/assignments/{declined_a}/replacements/{person_a2}/accept".format(**world.ids),
        headers=headers,
    )
    assert busy.status_code == 422
    assert busy.json()["detail"][0]["msg"].isascii()
    limit = client.get(
        API + "/assignments/{declined_a}/replacements".format(**world.ids),
        params={"limit": 21},
        headers=headers,
    )
    assert limit.json()["detail"][0]["msg"] == "Must be at most 20"


def test_replacements_rank_the_stand_in_and_accepting_hands_the_task_on(
    client: TestClient, world: World, plans: Plans, as_role: Callable[[str], dict[str, str]]
) -> None:
    headers = as_role("coordinator_a")
    ranked = client.get(
        API + "/assignments/{declined_a}/replacements".format(**world.ids),
        params={"limit": 1},
        headers=headers,
    )
    assert ranked.status_code == 200, ranked.text
    assert [c["person_id"] for c in ranked.json()] == [world["stand_in_a"]]
    assert ranked.json()[0]["reasons"]
    accepted = client.post(
        API + "/assignments/{declined_a}/replacements/{stand_in_a}/accept".format(**world.ids),
        headers=headers,
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["person_id"] == world["stand_in_a"]
    assert accepted.json()["pinned"] is True
    # the same person again: already on the task
    again = client.post(
        API + "/assignments/{declined_a}/replacements/{stand_in_a}/accept".format(**world.ids),
        headers=headers,
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["field"] == "person_id"
    # a task nobody declined cannot be handed on
    taken = client.post(
        API
        + "/assignments/{assignment_other}/replacements/{stand_in_a}/accept".format(**world.ids),
        headers=headers,
    )
    assert taken.status_code == 409, taken.text


def test_publishing_twice_conflicts(
    client: TestClient, world: World, plans: Plans, as_role: Callable[[str], dict[str, str]]
) -> None:
    draft = plans.draft("a")["new_draft_a"]
    first = client.post(f"{API}/runs/{draft}/publish", headers=as_role("coordinator_a"))
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "published"
    second = client.post(f"{API}/runs/{draft}/publish", headers=as_role("street_admin"))
    assert second.status_code == 409, second.text
    # the published run of the world is not a draft either
    published = client.post(
        API + "/runs/{run_a}/publish".format(**world.ids), headers=as_role("coordinator_a")
    )
    assert published.status_code == 409


def test_a_person_elsewhere_is_refused_as_an_unknown_one(
    client: TestClient, world: World, plans: Plans, as_role: Callable[[str], dict[str, str]]
) -> None:
    """Naming someone of another community in scope's request tells nothing about them."""
    headers = as_role("coordinator_a")
    accepts = [
        client.post(
            API + f"/assignments/{world['declined_a']}/replacements/{person}/accept",
            headers=headers,
        )
        for person in (world["person_c1"], UNKNOWN_ID)
    ]
    assert [r.status_code for r in accepts] == [422, 422]
    hidden, unknown = (r.json()["detail"] for r in accepts)
    assert str(hidden).replace(str(world["person_c1"]), "?") == str(unknown).replace(
        str(UNKNOWN_ID), "?"
    )
    overrides = [
        client.post(
            API + (OVERRIDES % "a").format(**world.ids),
            json=_fill(_override(person_id=person), world.ids),
            headers=headers,
        )
        for person in (world["person_c1"], UNKNOWN_ID)
    ]
    assert [r.status_code for r in overrides] == [422, 422]
    hidden, unknown = (r.json()["detail"] for r in overrides)
    assert hidden[0]["msg"].replace(str(world["person_c1"]), "?") == unknown[0]["msg"].replace(
        str(UNKNOWN_ID), "?"
    )


def test_override_for_the_last_week_of_the_calendar_is_a_422(
    app: FastAPI, world: World, as_role: Callable[[str], dict[str, str]]
) -> None:
    with TestClient(app, raise_server_exceptions=False) as quiet:
        response = quiet.post(
            API + (OVERRIDES.replace(MONDAY, "9999-12-27") % "a").format(**world.ids),
            json=_fill(_pin("a"), world.ids),
            headers=as_role("coordinator_a"),
        )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-27"])
def test_solve_refuses_weeks_outside_the_calendar_it_plans(
    client: TestClient, world: World, as_role: Callable[[str], dict[str, str]], week: str
) -> None:
    response = client.post(
        f"{API}/communities/{world.ids['community_a']}/weeks/{week}/solve",
        headers=as_role("coordinator_a"),
    )
    assert response.status_code == 422, response.text
    assert "week_start" in response.text
