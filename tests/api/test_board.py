"""The console's week board, slot candidates, moves, map and the people filter over HTTP.

The board and the moves run on 红光社区 (``demo_community``) with short solves; the hard rules
of candidates, the map's privacy and the people filter on the small test world
(``http_world.py``), where each case is built so that the rule changes the answer.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.services.board import HOME_CELL_M, home_cells
from api.services.problem import build_problem
from api.web import clock
from matcher.domain import PersonKind
from models import (
    Activity,
    ActivityRole,
    Assignment,
    AssignmentStatus,
    Community,
    Household,
    Person,
    RunStatus,
    ScheduleRun,
    UserRole,
)
from models.person import Availability
from tests.support.http_world import LAT, LNG, WEEK, World
from tests.support.solve_queue import solve_queued

API = "/api/v1"
MONDAY = WEEK.isoformat()
QUICK = {"time_limit_s": 2}
LIVE = ("proposed", "confirmed", "done")
Headers = Callable[[str], dict[str, str]]
#: Thursday of the test week, when the activities below take place
THURSDAY = WEEK + timedelta(days=3)


def _solve(client: TestClient, base: str, headers: dict[str, str]) -> dict[str, Any]:
    started = client.post(f"{base}/weeks/{MONDAY}/solve", params=QUICK, headers=headers)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    solve_queued(client, run_id)
    run: dict[str, Any] = client.get(f"{API}/runs/{run_id}", headers=headers).json()
    assert run["status"] == "draft", run
    return run


def _live_pairs(run: dict[str, Any]) -> set[tuple[int, str, int, int]]:
    return {
        (a["person_id"], a["demand_kind"], a["demand_id"], a["role"])
        for a in run["assignments"]
        if a["status"] in LIVE
    }


def _keys(value: Any) -> set[str]:
    """Every key of a JSON document, at any depth."""
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in _keys(item)}
    if isinstance(value, list):
        return {k for item in value for k in _keys(item)}
    return set()


# the board on 红光社区 ---------------------------------------------------------------------------


def test_board_fills_from_the_draft_then_the_published_plan_and_hides_wish_places(
    client: TestClient, db: Session, make_user: Any, auth_headers: Any, demo_community: Community
) -> None:
    headers = auth_headers(make_user(UserRole.COORDINATOR, community=demo_community))
    base = f"{API}/communities/{demo_community.id}"

    before = client.get(f"{base}/weeks/{MONDAY}", headers=headers)
    assert before.status_code == 200, before.text
    empty = before.json()
    assert (empty["draft_run_id"], empty["published_run_id"], empty["shown_run_id"]) == (
        None,
        None,
        None,
    )
    assert {d["demand_kind"] for d in empty["demands"]} == {"wish", "shift", "activity"}
    assert {d["fill"] for d in empty["demands"]} == {"empty"}
    assert all(d["people"] == [] and d["gap_reason"] is None for d in empty["demands"])

    run = _solve(client, base, headers)
    board = client.get(f"{base}/weeks/{MONDAY}", headers=headers).json()
    assert board["draft_run_id"] == board["shown_run_id"] == run["id"]
    assert board["published_run_id"] is None
    live = Counter(
        (a["demand_kind"], a["demand_id"], a["role"])
        for a in run["assignments"]
        if a["status"] in LIVE
    )
    gaps = {(g["demand_kind"], g["demand_id"], g["role"]): g["reason"] for g in run["gaps"]}
    on_board = 0
    for demand in board["demands"]:
        key = (demand["demand_kind"], demand["demand_id"])
        for role in demand["roles"]:
            assert role["filled"] == live[(*key, role["role"])], (demand["title"], role)
            assert role["gap_reason"] == gaps.get((*key, role["role"]))
            on_board += role["filled"]
        assert {p["assignment_id"] for p in demand["people"]} == {
            a["id"] for a in run["assignments"] if (a["demand_kind"], a["demand_id"]) == key
        }
        full = all(r["filled"] >= r["needed"] for r in demand["roles"])
        nobody = sum(r["filled"] for r in demand["roles"]) == 0
        assert demand["fill"] == ("full" if full else "empty" if nobody else "partial")
        if demand["gap_reason"] is not None:
            assert demand["gap_reason"] in [r["gap_reason"] for r in demand["roles"]]
    # every assignment of the draft is on the board, and the draft left some demands short
    assert on_board == sum(live.values())
    assert {d["fill"] for d in board["demands"]} >= {"full", "partial"}
    assert any(d["gap_reason"] for d in board["demands"])

    # a resident's home is never on the board: no place, no address, no coordinates
    wishes = [d for d in board["demands"] if d["demand_kind"] == "wish"]
    assert wishes and all(w["place"] == "" for w in wishes)
    addresses = [h.address for h in db.scalars(sa.select(Household)) if h.address]
    assert addresses
    text = json.dumps(board, ensure_ascii=False)
    assert not [a for a in addresses if a in text]
    assert not _keys(board) & {"lat", "lng", "location", "address", "phone", "household"}

    published = client.post(f"{API}/runs/{run['id']}/publish", headers=headers)
    assert published.status_code == 200, published.text
    after = client.get(f"{base}/weeks/{MONDAY}", headers=headers).json()
    assert after["draft_run_id"] is None
    assert after["published_run_id"] == after["shown_run_id"] == run["id"]
    assert sum(r["filled"] for d in after["demands"] for r in d["roles"]) == on_board


def test_moves_list_exactly_the_pairs_a_pin_and_re_solve_changed(
    client: TestClient, make_user: Any, auth_headers: Any, demo_community: Community
) -> None:
    headers = auth_headers(make_user(UserRole.COORDINATOR, community=demo_community))
    base = f"{API}/communities/{demo_community.id}"
    first = _solve(client, base, headers)

    # the first solve of a week replaced nothing: everything in it is new
    initial = client.get(f"{API}/runs/{first['id']}/moves", headers=headers).json()
    assert initial["against_run_id"] is None
    assert {m["change"] for m in initial["moved"]} == {"added"}
    assert len(initial["moved"]) == len(_live_pairs(first))

    # pin someone the board offers for a shift they are not on yet
    pinned = None
    for assignment in first["assignments"]:
        if assignment["demand_kind"] != "shift" or assignment["pinned"]:
            continue
        offered = client.get(
            f"{base}/weeks/{MONDAY}/demands/shift/{assignment['demand_id']}/candidates",
            params={"role": assignment["role"]},
            headers=headers,
        ).json()
        newcomer = next((c for c in offered if not c["assigned"]), None)
        if newcomer is not None:
            pinned = (newcomer["person_id"], "shift", assignment["demand_id"], assignment["role"])
            break
    assert pinned is not None
    override = client.post(
        f"{base}/weeks/{MONDAY}/overrides",
        json={
            "kind": "pin",
            "person_id": pinned[0],
            "demand_kind": "shift",
            "demand_id": pinned[2],
            "reason": "熟悉岗位",
        },
        headers=headers,
    )
    assert override.status_code == 201, override.text
    second = _solve(client, base, headers)

    moves = client.get(f"{API}/runs/{second['id']}/moves", headers=headers)
    assert moves.status_code == 200, moves.text
    body = moves.json()
    assert body["run_id"] == second["id"] and body["against_run_id"] == first["id"]
    old, new = _live_pairs(first), _live_pairs(second)
    got = {
        (m["person_id"], m["demand_kind"], m["demand_id"], m["role"]): m["change"]
        for m in body["moved"]
    }
    assert len(got) == len(body["moved"])
    assert got == {
        **{pair: "added" for pair in new - old},
        **{pair: "removed" for pair in old - new},
    }
    assert got[pinned] == "added"
    assert all(m["title"] and m["person_name"] for m in body["moved"])


# scope and validation on the test world ----------------------------------------------------


def test_board_scope_and_bad_weeks(client: TestClient, world: World, as_role: Headers) -> None:
    url = f"{API}/communities/{world['community_a']}/weeks/{MONDAY}"
    coordinator = client.get(url, headers=as_role("coordinator_a")).json()
    assert coordinator["published_run_id"] == world["run_a"]
    # the draft of the week is what the board shows
    assert coordinator["shown_run_id"] == coordinator["draft_run_id"] is not None
    grids = {d["grid_id"] for d in coordinator["demands"]}
    assert {world["grid_a1"], None} <= grids
    leader = client.get(url, headers=as_role("grid_leader_a")).json()
    assert leader["demands"] and {d["grid_id"] for d in leader["demands"]} == {world["grid_a1"]}

    assert client.get(url, headers=as_role("coordinator_b")).status_code == 404
    assert client.get(url, headers=as_role("member_a")).status_code == 403
    assert client.get(url).status_code == 401
    unknown = f"{API}/communities/999999/weeks/{MONDAY}"
    assert client.get(unknown, headers=as_role("coordinator_a")).status_code == 404
    for week in ("2026-03-03", "2026-02-30", "someday", "9999-12-27"):
        bad = client.get(url.replace(MONDAY, week), headers=as_role("coordinator_a"))
        assert bad.status_code == 422, (week, bad.text)
        assert [e["field"] for e in bad.json()["detail"]] == ["week_start"]


def test_moves_of_the_world_draft_and_a_grid_leaders_share(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    draft = db.scalar(
        sa.select(ScheduleRun.id).where(
            ScheduleRun.community_id == world["community_a"], ScheduleRun.status == RunStatus.DRAFT
        )
    )
    url = f"{API}/runs/{draft}/moves"
    body = client.get(url, headers=as_role("coordinator_a")).json()
    assert body["against_run_id"] == world["run_a"]
    assert {(m["person_id"], m["demand_kind"], m["change"]) for m in body["moved"]} == {
        (world["person_a1"], "shift", "added"),
        (world["person_a1"], "wish", "removed"),
        (world["person_a2"], "shift", "removed"),
    }
    # the shift's post has no grid: a grid leader of A1 sees only the wish of their grid
    leader = client.get(url, headers=as_role("grid_leader_a")).json()
    assert [(m["demand_id"], m["change"]) for m in leader["moved"]] == [
        (world["wish_a1_assigned"], "removed")
    ]
    assert client.get(url, headers=as_role("coordinator_b")).status_code == 404
    assert client.get(url, headers=as_role("member_a")).status_code == 403
    assert client.get(f"{API}/runs/999999/moves", headers=as_role("coordinator_a")).json() == (
        client.get(url, headers=as_role("coordinator_b")).json()
    )


# candidates: the hard rules ------------------------------------------------------------------


class Thursday:
    """A legal-aid activity on Thursday morning in grid A1 and people around it: one who fits,
    and one each who lacks the skill, lives too far, is not free, or is busy elsewhere in the
    draft at that time."""

    def __init__(self, db: Session, world: World):
        self.db = db
        self.world = world
        community = db.get(Community, world["community_a"])
        assert community is not None
        self.legal = self._activity(community, "法律咨询进社区", 540, 660, skill="法律援助")
        self.clinic = self._activity(community, "义诊", 570, 630, skill=None)
        self.fits = self._person("合适", {"法律援助"})
        self.other_grid = self._person("邻网格", {"法律援助"}, grid="grid_a2")
        self.unskilled = self._person("无专长", {"助老"})
        self.far = self._person("住得远", {"法律援助"}, lat=LAT + 0.05)
        self.not_free = self._person("没空", {"法律援助"}, free=False)
        self.busy = self._person("另有任务", {"法律援助"})
        db.flush()
        self.draft = db.scalars(
            sa.select(ScheduleRun).where(
                ScheduleRun.community_id == world["community_a"],
                ScheduleRun.status == RunStatus.DRAFT,
            )
        ).one()
        self.elsewhere = self.assign(self.busy, self.clinic)
        db.commit()

    def _activity(
        self, community: Community, name: str, start: int, end: int, skill: str | None
    ) -> Activity:
        activity = Activity(
            community=community,
            grid_id=self.world["grid_a1"],
            name=name,
            day=THURSDAY,
            starts_at=community.local_datetime(THURSDAY, start),
            ends_at=community.local_datetime(THURSDAY, end),
            place="社区党群服务中心",
            lat=LAT,
            lng=LNG,
            roles=[ActivityRole(position=0, skill=skill, headcount=2)],
        )
        self.db.add(activity)
        return activity

    def _person(
        self,
        name: str,
        skills: set[str],
        *,
        grid: str = "grid_a1",
        lat: float = LAT,
        free: bool = True,
    ) -> Person:
        person = Person(
            community_id=self.world["community_a"],
            grid_id=self.world[grid],
            name=name,
            kind=PersonKind.VOLUNTEER,
            home_lat=lat,
            home_lng=LNG,
        )
        person.skills = skills
        if free:
            person.availability = [Availability(weekday=3, start_minute=480, end_minute=1200)]
        self.db.add(person)
        return person

    def assign(self, person: Person, activity: Activity) -> Assignment:
        assignment = Assignment(
            run=self.draft, person=person, starts_at=activity.starts_at, ends_at=activity.ends_at
        )
        assignment.demand = activity
        self.db.add(assignment)
        return assignment

    def url(self, activity: Activity | None = None) -> str:
        return (
            f"{API}/communities/{self.world['community_a']}/weeks/{MONDAY}"
            f"/demands/activity/{(activity or self.legal).id}/candidates"
        )


@pytest.fixture
def thursday(db: Session, world: World) -> Thursday:
    return Thursday(db, world)


def test_candidates_are_only_those_the_hard_rules_allow(
    client: TestClient, db: Session, thursday: Thursday, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    offered = client.get(thursday.url(), headers=headers)
    assert offered.status_code == 200, offered.text
    ranked = offered.json()
    assert {c["person_id"] for c in ranked} == {thursday.fits.id, thursday.other_grid.id}
    assert [c["rank"] for c in ranked] == [1, 2]
    best = ranked[0]
    assert not best["assigned"] and best["distance_m"] == 0
    assert best["hours_this_week"] == 0 and best["services_this_quarter"] == 0
    said = " ".join(r["zh"] for r in best["reasons"])
    assert "法律援助" in said and "公里" in said and "本周共1项任务" in said
    assert all(r["en"] for r in best["reasons"])

    # the clash in the draft is what kept one out: once declined there, they are offered
    thursday.elsewhere.advance(AssignmentStatus.DECLINED)
    db.commit()
    freed = client.get(thursday.url(), headers=headers).json()
    assert {c["person_id"] for c in freed} == {
        thursday.fits.id,
        thursday.other_grid.id,
        thursday.busy.id,
    }

    # someone already on the slot in the draft is listed as such, measured without it
    thursday.assign(thursday.fits, thursday.legal)
    db.commit()
    listed = {c["person_id"]: c for c in client.get(thursday.url(), headers=headers).json()}
    assert listed[thursday.fits.id]["assigned"] is True
    assert listed[thursday.fits.id]["tasks_this_week"] == 0
    assert listed[thursday.busy.id]["assigned"] is False

    # a grid leader sees the people of their own grid only
    leader = client.get(thursday.url(), headers=as_role("grid_leader_a")).json()
    assert thursday.other_grid.id not in {c["person_id"] for c in leader}
    assert thursday.fits.id in {c["person_id"] for c in leader}
    # the clinic needs no skill, but overlaps the legal aid the first one now has
    clinic = {
        c["person_id"] for c in client.get(thursday.url(thursday.clinic), headers=headers).json()
    }
    assert clinic == {thursday.other_grid.id, thursday.unskilled.id, thursday.busy.id}


def test_candidates_bad_input_and_scope(
    client: TestClient, thursday: Thursday, world: World, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    url = thursday.url()
    for params, field in (
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"role": -1}, "role"),
        ({"role": 1}, "role"),  # the activity has one role
        ({"role": "first"}, "role"),
    ):
        bad = client.get(url, params=params, headers=headers)
        assert bad.status_code == 422, (params, bad.text)
        assert [e["field"] for e in bad.json()["detail"]] == [field]
    meeting = client.get(url.replace("/activity/", "/meeting/"), headers=headers)
    assert meeting.status_code == 422
    assert [e["field"] for e in meeting.json()["detail"]] == ["demand_kind"]
    tuesday = client.get(url.replace(MONDAY, "2026-03-03"), headers=headers)
    assert [e["field"] for e in tuesday.json()["detail"]] == ["week_start"]
    assert client.get(url, params={"limit": 100}, headers=headers).status_code == 200

    # not a demand of this week, of this community, or of the grid leader's grids: 404
    next_week = url.replace(MONDAY, (WEEK + timedelta(weeks=1)).isoformat())
    assert client.get(next_week, headers=headers).status_code == 404
    other = f"{API}/communities/{world['community_a']}/weeks/{MONDAY}/demands/activity/"
    assert client.get(f"{other}{world['activity_b']}/candidates", headers=headers).status_code == (
        404
    )
    wish_a2 = url.replace(f"activity/{thursday.legal.id}", f"wish/{world['wish_a2']}")
    assert client.get(wish_a2, headers=as_role("grid_leader_a")).status_code == 404
    assert client.get(url, headers=as_role("coordinator_b")).status_code == 404
    assert client.get(url, headers=as_role("member_a")).status_code == 403


# the map -------------------------------------------------------------------------------------


def test_home_cells_keep_only_cells_of_three_or_more() -> None:
    near = [(LAT, LNG), (LAT, LNG), (LAT, LNG)]
    far = [(LAT + 0.02, LNG), (LAT + 0.02, LNG)]
    cells = home_cells(near + far)
    assert [c.count for c in cells] == [3]
    assert (cells[0].lat, cells[0].lng) != (LAT, LNG)
    # within half a cell of the homes it counts, never further
    assert abs(cells[0].lat - LAT) * 111_320 <= HOME_CELL_M / 2
    assert home_cells(near[:2] + far) == []


def test_map_counts_homes_in_cells_and_shows_wishes_to_coordinators_only(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    url = f"{API}/communities/{world['community_a']}/map"
    coordinator = client.get(url, headers=as_role("coordinator_a"))
    assert coordinator.status_code == 200, coordinator.text
    body = coordinator.json()
    # two people live at the same spot: too few to show
    assert body["homes"] == []
    assert body["center"] is not None and body["radius_m"] == 1200
    assert [(g["id"], g["people"]) for g in body["grids"]] == [
        (world["grid_a1"], 1),
        (world["grid_a2"], 1),
    ]
    assert [(w["id"], w["status"]) for w in body["wishes"]] == [
        (world["wish_a1_assigned"], "assigned")
    ]
    opened = body["wishes"][0]
    assert (opened["lat"], opened["lng"]) == (LAT, LNG)

    db.add(
        Person(
            community_id=world["community_a"],
            grid_id=world["grid_a1"],
            name="第三人",
            kind=PersonKind.VOLUNTEER,
            home_lat=LAT,
            home_lng=LNG,
        )
    )
    db.commit()
    cells = client.get(url, headers=as_role("coordinator_a")).json()["homes"]
    assert [c["count"] for c in cells] == [3]
    assert (cells[0]["lat"], cells[0]["lng"]) != (LAT, LNG)

    # a street admin sees the community but no wish pins; a grid leader their grid only
    admin = client.get(url, headers=as_role("street_admin")).json()
    assert admin["wishes"] == [] and admin["homes"] == cells
    leader = client.get(url, headers=as_role("grid_leader_a")).json()
    assert leader["wishes"] == []
    assert [g["id"] for g in leader["grids"]] == [world["grid_a1"]]
    assert leader["homes"] == []  # two of the three live in grid A1
    assert client.get(url, headers=as_role("coordinator_b")).status_code == 404
    assert client.get(url, headers=as_role("member_a")).status_code == 403


# the people filter ---------------------------------------------------------------------------


def _at(app: FastAPI, moment: datetime) -> None:
    app.dependency_overrides[clock.now] = lambda: moment


def test_people_filter_by_services_this_quarter(
    app: FastAPI, client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    served = db.get(Assignment, world["assignment_own"])  # person_a1's wish, Tuesday 3 March
    assert served is not None
    served.advance(AssignmentStatus.CONFIRMED)
    db.commit()
    url = f"{API}/communities/{world['community_a']}/people"
    headers = as_role("coordinator_a")

    _at(app, datetime(2026, 3, 18, 4, 0, tzinfo=UTC))  # the week after: it counts
    everyone = client.get(url, headers=headers).json()["items"]
    counts = {p["id"]: p["services_this_quarter"] for p in everyone}
    assert counts == {world["person_a1"]: 1, world["person_a2"]: 0}
    problem, _ = build_problem(
        session=db, community_id=world["community_a"], week_start=date(2026, 3, 16)
    )
    assert {int(p.id): p.services_this_quarter for p in problem.people} == counts
    db.rollback()  # the week's shifts it made are not this test's business

    behind = client.get(url, params={"max_services": 0}, headers=headers).json()
    assert [p["id"] for p in behind["items"]] == [world["person_a2"]] and behind["total"] == 1
    ahead = client.get(url, params={"min_services": 1}, headers=headers).json()
    assert [p["id"] for p in ahead["items"]] == [world["person_a1"]]
    both = client.get(url, params={"min_services": 1, "max_services": 1}, headers=headers)
    assert both.json()["total"] == 1
    leader = client.get(url, params={"min_services": 1}, headers=as_role("grid_leader_a"))
    assert [p["id"] for p in leader.json()["items"]] == [world["person_a1"]]

    _at(app, datetime(2026, 3, 4, 4, 0, tzinfo=UTC))  # the same week: not before it, not counted
    assert client.get(url, params={"min_services": 1}, headers=headers).json()["total"] == 0

    for params, field in (
        ({"min_services": -1}, "min_services"),
        ({"max_services": 1001}, "max_services"),
        ({"min_services": 2, "max_services": 1}, "max_services"),
        ({"min_services": "many"}, "min_services"),
    ):
        bad = client.get(url, params=params, headers=headers)
        assert bad.status_code == 422, (params, bad.text)
        assert [e["field"] for e in bad.json()["detail"]] == [field]
