"""Filling a gap by hand: the near misses of a slot, assigning anyway with a reason, taking off
and swapping at once on the board (no re-solve), and publishing as a decision that tells only
the people whose tasks changed.

The week is the test world's (``http_world.py``) with a legal-aid activity on Thursday morning
in grid A1 and people around it, each built so that one rule keeps them off it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.schemas.board import NearMissRule
from api.web import clock
from matcher.domain import PersonKind
from matcher.ranking import WEEK_RULES
from matcher.rules import PAIR_RULES
from models import (
    Activity,
    ActivityRole,
    Assignment,
    AssignmentStatus,
    AuditLog,
    Community,
    Override,
    OverrideKind,
    Person,
    RunStatus,
    ScheduleRun,
)
from models.notification import Message
from models.person import Availability
from tests.support.http_world import LAT, LNG, WEEK, World

API = "/api/v1"
MONDAY = WEEK.isoformat()
THURSDAY = WEEK + timedelta(days=3)
Headers = Callable[[str], dict[str, str]]


class Gap:
    """法律咨询进社区 on Thursday 09:00–11:00 (two people with 法律援助), 义诊 09:30–10:30
    beside it, and one person per rule: one who fits, one too far, one without the skill, one
    not free, one busy at the clinic in the draft, and one two rules keep off."""

    def __init__(self, db: Session, world: World):
        self.db, self.world = db, world
        community = db.get(Community, world["community_a"])
        assert community is not None
        self.community = community
        self.legal = self._activity("法律咨询进社区", 540, 660, "法律援助")
        self.clinic = self._activity("义诊", 570, 630, None)
        self.fits = self._person("合适", {"法律援助"})
        self.far = self._person("住得远", {"法律援助"}, lat=LAT + 0.0135)
        self.unskilled = self._person("无专长", {"助老"})
        self.not_free = self._person("没空", {"法律援助"}, free=False)
        self.busy = self._person("另有任务", {"法律援助"})
        self.twice = self._person("两条不符", {"助老"}, free=False)
        db.flush()
        self.draft = db.scalars(
            sa.select(ScheduleRun).where(
                ScheduleRun.community_id == world["community_a"],
                ScheduleRun.status == RunStatus.DRAFT,
            )
        ).one()
        self.at_clinic = self.put(self.busy, self.clinic)
        db.commit()

    def _activity(self, name: str, start: int, end: int, skill: str | None) -> Activity:
        activity = Activity(
            community=self.community,
            grid_id=self.world["grid_a1"],
            name=name,
            day=THURSDAY,
            starts_at=self.community.local_datetime(THURSDAY, start),
            ends_at=self.community.local_datetime(THURSDAY, end),
            place="社区党群服务中心",
            lat=LAT,
            lng=LNG,
            roles=[ActivityRole(position=0, skill=skill, headcount=2)],
        )
        self.db.add(activity)
        return activity

    def _person(
        self, name: str, skills: set[str], *, lat: float = LAT, free: bool = True
    ) -> Person:
        person = Person(
            community_id=self.world["community_a"],
            grid_id=self.world["grid_a1"],
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

    def put(self, person: Person, activity: Activity, run: ScheduleRun | None = None) -> Assignment:
        assignment = Assignment(
            run=run or self.draft,
            person=person,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
        )
        assignment.demand = activity
        self.db.add(assignment)
        return assignment

    @property
    def week(self) -> str:
        return f"{API}/communities/{self.world['community_a']}/weeks/{MONDAY}"

    def near_misses_url(self, activity: Activity | None = None) -> str:
        return f"{self.week}/demands/activity/{(activity or self.legal).id}/near-misses"

    def body(
        self, person: Person, reason: str = "", activity: Activity | None = None
    ) -> dict[str, Any]:
        return {
            "person_id": person.id,
            "demand_kind": "activity",
            "demand_id": (activity or self.legal).id,
            "role": 0,
            "reason": reason,
        }


@pytest.fixture
def gap(db: Session, world: World) -> Gap:
    return Gap(db, world)


def _on_board(
    client: TestClient, gap: Gap, headers: dict[str, str], activity: Activity
) -> dict[str, Any]:
    board = client.get(gap.week, headers=headers).json()
    return next(
        d
        for d in board["demands"]
        if (d["demand_kind"], d["demand_id"]) == ("activity", activity.id)
    )


def test_the_schema_names_every_rule_the_matcher_may_name() -> None:
    assert set(get_args(NearMissRule)) == {r.key for r in PAIR_RULES} | set(WEEK_RULES)


def test_near_misses_are_grouped_by_the_one_rule_each_breaks(
    client: TestClient, gap: Gap, as_role: Headers
) -> None:
    answer = client.get(gap.near_misses_url(), headers=as_role("coordinator_a"))
    assert answer.status_code == 200, answer.text
    found = {m["person_id"]: m for m in answer.json()}
    assert {
        p: m["rule"]
        for p, m in found.items()
        if p
        in {gap.far.id, gap.unskilled.id, gap.not_free.id, gap.busy.id, gap.fits.id, gap.twice.id}
    } == {
        gap.unskilled.id: "skill",
        gap.far.id: "radius",
        gap.not_free.id: "time",
        gap.busy.id: "busy",
    }
    far = found[gap.far.id]
    assert far["why"]["zh"].startswith("超出步行范围") and far["why"]["zh"].endswith("米")
    assert "步行约" in far["consequence"]["zh"] and far["consequence"]["en"]
    assert found[gap.busy.id]["why"]["zh"] == "此时正在「义诊」"
    # grouped: the rules table's order, then the week's rules
    order = [m["rule"] for m in answer.json()]
    assert order == sorted(
        order,
        key=[
            "skill",
            "member",
            "radius",
            "time",
            "forbidden",
            "task_cap",
            "hours_cap",
            "busy",
        ].index,
    )
    # the reader's scope holds: another community's coordinator gets 404, a member 403
    assert client.get(gap.near_misses_url(), headers=as_role("coordinator_b")).status_code == 404
    assert client.get(gap.near_misses_url(), headers=as_role("member_a")).status_code == 403
    assert (
        client.get(
            gap.near_misses_url(), params={"role": 1}, headers=as_role("coordinator_a")
        ).status_code
        == 422
    )


def test_a_near_miss_goes_on_at_once_only_with_a_reason(
    client: TestClient, db: Session, gap: Gap, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    runs_before = db.scalar(sa.select(sa.func.count()).select_from(ScheduleRun))
    url = f"{gap.week}/assignments"

    refused = client.post(url, json=gap.body(gap.far), headers=headers)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["detail"]] == ["reason"]
    assert "超出步行范围" in refused.text

    twice = client.post(url, json=gap.body(gap.twice, "熟悉情况"), headers=headers)
    assert twice.status_code == 422
    assert [e["field"] for e in twice.json()["detail"]] == ["person_id"]

    made = client.post(url, json=gap.body(gap.far, "他熟悉这户人家"), headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["pinned"] is True
    assert "破例指派" in made.json()["reasons"][0]["zh"]

    # on the board at once, marked as an override, with no new run
    legal = _on_board(client, gap, headers, gap.legal)
    assert [(p["person_id"], p["override_reason"]) for p in legal["people"]] == [
        (gap.far.id, "破例指派（超出步行范围300米）：他熟悉这户人家")
    ]
    assert legal["roles"][0]["filled"] == 1 and legal["fill"] == "partial"
    assert db.scalar(sa.select(sa.func.count()).select_from(ScheduleRun)) == runs_before
    # kept by a re-solve: an assign override in force
    db.rollback()  # a fresh read of what the requests committed
    kept = db.scalars(
        sa.select(Override).where(Override.person_id == gap.far.id, Override.active.is_(True))
    ).one()
    assert kept.kind == OverrideKind.ASSIGN
    # audited with the rule broken and the reason
    logged = db.scalars(
        sa.select(AuditLog).where(AuditLog.action == "assignment.assign_anyway")
    ).one()
    assert logged.after is not None
    assert (logged.after["rule"], logged.after["reason"]) == ("radius", "他熟悉这户人家")

    # an eligible person needs no reason; then the role is full
    assert client.post(url, json=gap.body(gap.fits), headers=headers).status_code == 201
    full = client.post(url, json=gap.body(gap.not_free, "说好了"), headers=headers)
    assert full.status_code == 409, full.text
    again = client.post(url, json=gap.body(gap.fits), headers=headers)
    assert again.status_code == 409
    # managers only: a grid leader may read the board but not change it
    assert (
        client.post(url, json=gap.body(gap.fits), headers=as_role("grid_leader_a")).status_code
        == 403
    )
    other = f"{API}/communities/{gap.world['community_b']}/weeks/{MONDAY}/assignments"
    assert client.post(other, json=gap.body(gap.fits), headers=headers).status_code == 404


def test_take_off_and_swap_apply_at_once_and_a_done_service_stays(
    client: TestClient, db: Session, gap: Gap, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    # swap the clinic's helper for one without legal skills (the clinic needs none)
    swapped = client.post(
        f"{API}/assignments/{gap.at_clinic.id}/swap",
        json={"person_id": gap.unskilled.id, "reason": "换人"},
        headers=headers,
    )
    assert swapped.status_code == 201, swapped.text
    clinic = _on_board(client, gap, headers, gap.clinic)
    assert [p["person_id"] for p in clinic["people"]] == [gap.unskilled.id]
    # the one swapped out is now free for legal aid: an eligible candidate, no longer near
    near = {m["person_id"] for m in client.get(gap.near_misses_url(), headers=headers).json()}
    assert gap.busy.id not in near
    candidates = client.get(
        gap.near_misses_url().replace("near-misses", "candidates"), headers=headers
    )
    assert gap.busy.id in {c["person_id"] for c in candidates.json()}

    new_id = swapped.json()["id"]
    removed = client.post(
        f"{API}/assignments/{new_id}/remove", json={"reason": "临时有事"}, headers=headers
    )
    assert removed.status_code == 204, removed.text
    assert _on_board(client, gap, headers, gap.clinic)["people"] == []
    db.rollback()  # a fresh read of what the requests committed
    forbid = db.scalars(
        sa.select(Override).where(
            Override.person_id == gap.unskilled.id,
            Override.active.is_(True),
            Override.activity_id == gap.clinic.id,
        )
    ).one()
    assert forbid.kind == OverrideKind.FORBID
    assert (
        client.post(f"{API}/assignments/{new_id}/remove", json={}, headers=headers).status_code
        == 404
    )

    done = gap.put(gap.fits, gap.clinic)
    done.status = AssignmentStatus.DONE
    db.commit()
    kept = client.post(f"{API}/assignments/{done.id}/remove", json={}, headers=headers)
    assert kept.status_code == 409, kept.text
    assert (
        client.post(
            f"{API}/assignments/{done.id}/remove", json={}, headers=as_role("coordinator_b")
        ).status_code
        == 404
    )


def _told(db: Session) -> set[tuple[str, str]]:
    db.rollback()  # a fresh read of what the requests committed
    found = db.scalars(sa.select(Message).where(Message.kind.startswith("task_")))
    return {(m.recipient, m.kind) for m in found}


def test_publish_says_who_is_told_and_tells_only_those_whose_tasks_changed(
    app: FastAPI, client: TestClient, db: Session, gap: Gap, world: World, as_role: Headers
) -> None:
    # the day before the week: tasks already over are not told
    app.dependency_overrides[clock.now] = lambda: datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    headers = as_role("coordinator_a")
    published = db.get(ScheduleRun, world["run_a"])
    assert published is not None
    # the same task in both plans for the busy person: unchanged, not told
    gap.put(gap.busy, gap.clinic, run=published)
    db.commit()
    preview = client.get(f"{API}/runs/{gap.draft.id}/publish-preview", headers=headers)
    assert preview.status_code == 200, preview.text
    said = preview.json()
    assert said["replaces_run_id"] == published.id
    told = {p["person_id"]: p for p in said["told"]}
    # person_a1 moves from the wish to the shift; person_a2 loses the shift
    assert set(told) == {world["person_a1"], world["person_a2"]}
    assert told[world["person_a2"]]["added"] == [] and len(told[world["person_a2"]]["removed"]) == 1
    assert len(told[world["person_a1"]]["added"]) == 1
    assert said["unchanged_people"] == 1
    assert (
        client.get(
            f"{API}/runs/{gap.draft.id}/publish-preview", headers=as_role("coordinator_b")
        ).status_code
        == 404
    )

    assert _told(db) == set()
    done = client.post(f"{API}/runs/{gap.draft.id}/publish", headers=headers)
    assert done.status_code == 200, done.text
    assert _told(db) == {
        (f"person:{world['person_a1']}", "task_assigned"),
        (f"person:{world['person_a1']}", "task_cancelled"),
        (f"person:{world['person_a2']}", "task_cancelled"),
    }

    # a correction of the published week by hand: only the person put on is told
    made = client.post(f"{gap.week}/assignments", json=gap.body(gap.fits), headers=headers)
    assert made.status_code == 201, made.text
    assert (f"person:{gap.fits.id}", "task_assigned") in _told(db)
    assert len(_told(db)) == 4
    log = db.scalars(sa.select(AuditLog).where(AuditLog.action == "run.publish")).one()
    assert log.after is not None
    assert sorted(log.after["told"]) == sorted([world["person_a1"], world["person_a2"]])


def test_a_member_taken_off_and_put_back_is_told_each_time(
    app: FastAPI, client: TestClient, db: Session, gap: Gap, world: World, as_role: Headers
) -> None:
    # before, the second "you have a task" had the first one's key and was dropped: the last
    # message the member had was the cancellation, although they were on the task again
    app.dependency_overrides[clock.now] = lambda: datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    headers = as_role("coordinator_a")
    assert client.post(f"{API}/runs/{gap.draft.id}/publish", headers=headers).status_code == 200

    def told() -> list[str]:
        db.rollback()  # a fresh read of what the requests committed
        found = db.scalars(
            sa.select(Message).where(Message.person_id == gap.fits.id).order_by(Message.id)
        )
        return [m.kind for m in found]

    for round_ in range(2):
        made = client.post(
            f"{gap.week}/assignments", json=gap.body(gap.fits, "弄错了，放回"), headers=headers
        )
        assert made.status_code == 201, made.text
        off = client.post(
            f"{API}/assignments/{made.json()['id']}/remove",
            json={"reason": "弄错了"},
            headers=headers,
        )
        assert off.status_code == 204, off.text
        assert told() == ["task_assigned", "task_cancelled"] * (round_ + 1)
    # put back once more: told, and the same event twice is still told once
    made = client.post(
        f"{gap.week}/assignments", json=gap.body(gap.fits, "弄错了，放回"), headers=headers
    )
    assert made.status_code == 201, made.text
    assert told()[-1] == "task_assigned" and len(told()) == 5
