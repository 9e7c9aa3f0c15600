"""Teams in the application (团队): team-only posts and roles, a wish claimed by a team (帮帮团)
and the report per team, from the database through the matcher.

Runs on SQLite, and on PostgreSQL too when ``TONGXIN_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import matcher
from api.services import teams
from api.services.errors import Conflict, Invalid
from api.services.problem import build_problem, matcher_demand_id
from api.services.reports import team_report
from matcher.domain import DemandKind, Problem
from models import (
    ActivityRole,
    Assignment,
    AssignmentStatus,
    Availability,
    Community,
    Person,
    RunStatus,
    ScheduleRun,
    Team,
    TeamKind,
    UserAccount,
    UserRole,
    WishStatus,
)
from tests.support.rows import (
    LAT,
    LNG,
    WEEK_START,
    add_activity,
    add_community,
    add_person,
    add_post,
    add_run,
    add_wish,
)

METRES_PER_DEGREE_LAT = 111_195.0
SATURDAY = 5


def member(db: Session, community: Community, name: str, metres: float) -> Person:
    person = add_person(
        db, community, name=name, home_lat=LAT + metres / METRES_PER_DEGREE_LAT, home_lng=LNG
    )
    person.availability = [
        Availability(weekday=day, start_minute=8 * 60, end_minute=20 * 60) for day in range(7)
    ]
    db.flush()
    return person


def coordinator(db: Session, community: Community) -> UserAccount:
    user = UserAccount(
        username=f"coord{community.id}",
        password_hash="x",
        role=UserRole.COORDINATOR,
        communities=[community],
    )
    db.add(user)
    db.flush()
    return user


def team_of(db: Session, community: Community, name: str, *people: Person) -> Team:
    actor = coordinator(db, community) if not db.info.get("actor") else db.info["actor"]
    db.info["actor"] = actor
    team = teams.create_team(
        session=db, community=community, name=name, kind=TeamKind.SPECIALIST, actor=actor
    )
    for person in people:
        teams.add_member(session=db, team=team, person_id=person.id, leader=False, actor=actor)
    return team


def solved(problem: Problem) -> dict[str, set[str]]:
    """Demand id → who the matcher sends."""
    solution = matcher.solve(replace(problem, settings=replace(problem.settings, time_limit_s=5)))
    sent: dict[str, set[str]] = {}
    for a in solution.assignments:
        sent.setdefault(a.demand_id, set()).add(a.person_id)
    return sent


def week(db: Session, community: Community) -> dict[str, set[str]]:
    problem, _ = build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    return solved(problem)


def shift_of(db: Session, community: Community) -> str:
    problem, _ = build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    (demand,) = [d for d in problem.demands if d.kind == DemandKind.SHIFT]
    return demand.id


# team-only posts and roles -------------------------------------------------------------------


def test_a_team_only_post_takes_only_the_teams_members(db: Session) -> None:
    community = add_community(db)
    near = member(db, community, "近邻", 50)
    lawyer = member(db, community, "律师", 800)
    team = team_of(db, community, "法律援助队", lawyer)
    post = add_post(db, community, name="法律咨询岗", templates=((SATURDAY, 9 * 60, 11 * 60),))

    shift = shift_of(db, community)
    assert week(db, community)[shift] == {str(near.id)}  # anyone: the nearest goes
    post.team_id = team.id
    db.flush()
    problem, _ = build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    (demand,) = [d for d in problem.demands if d.id == shift]
    assert demand.roles[0].team == "法律援助队"
    assert solved(problem)[shift] == {str(lawyer.id)}


def test_a_team_only_activity_role_takes_only_the_teams_members(db: Session) -> None:
    community = add_community(db)
    near = [member(db, community, f"近邻{i}", 30 + i) for i in range(6)]
    doctors = [member(db, community, f"医生{i}", 900 + i) for i in range(2)]
    for person in (*near, *doctors):
        person.skills = {"医疗卫生"}
    team = team_of(db, community, "医疗卫生队", *doctors)
    activity = add_activity(db, community, day=WEEK_START + timedelta(days=SATURDAY))
    medical: ActivityRole = activity.roles[0]
    key = matcher_demand_id(DemandKind.ACTIVITY, activity.id)
    db.flush()

    problem, _ = build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    on_it = solved(problem)[key]
    assert not {str(d.id) for d in doctors} <= on_it  # the far doctors are not needed
    medical.team_id = team.id
    db.flush()
    problem, _ = build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    solution = matcher.solve(replace(problem, settings=replace(problem.settings, time_limit_s=5)))
    medics = {a.person_id for a in solution.assignments if a.demand_id == key and a.role == 0}
    assert medics == {str(d.id) for d in doctors}


def test_a_team_member_of_an_inactive_team_is_not_the_teams(db: Session) -> None:
    community = add_community(db)
    member(db, community, "近邻", 50)
    lawyer = member(db, community, "律师", 800)
    team = team_of(db, community, "法律援助队", lawyer)
    add_post(db, community, templates=((SATURDAY, 9 * 60, 11 * 60),), team_id=team.id)
    shift = shift_of(db, community)
    assert week(db, community)[shift] == {str(lawyer.id)}
    teams.set_active(session=db, team=team, active=False, actor=db.info["actor"])
    assert shift not in week(db, community)  # nobody of an inactive team: the seat stays open


# 帮帮团 --------------------------------------------------------------------------------------


def test_a_team_claim_fills_every_head_of_the_wish_from_the_team(db: Session) -> None:
    community = add_community(db)
    near = [member(db, community, f"近邻{i}", 40 + 10 * i) for i in range(3)]
    crew = [member(db, community, f"青年突击队{i}", 700 + 10 * i) for i in range(3)]
    team = team_of(db, community, "青年突击队", *crew)
    wish = add_wish(
        db,
        community,
        title="帮独居老人搬衣柜",
        category="帮困助弱",
        headcount=3,
        deadline=WEEK_START + timedelta(days=6),
        status=WishStatus.OPEN,
    )
    key = matcher_demand_id(DemandKind.WISH, wish.id)
    assert week(db, community)[key] == {str(p.id) for p in near}

    teams.claim_wish(session=db, wish=wish, team=team, actor=db.info["actor"])
    assert week(db, community)[key] == {str(p.id) for p in crew}

    teams.release_wish(session=db, wish=wish, actor=db.info["actor"])
    assert week(db, community)[key] == {str(p.id) for p in near}


def test_a_team_too_small_for_the_wish_cannot_claim_it(db: Session) -> None:
    community = add_community(db)
    team = team_of(db, community, "小队", member(db, community, "一人", 10))
    wish = add_wish(db, community, headcount=2, status=WishStatus.OPEN)
    with pytest.raises(Conflict):
        teams.claim_wish(session=db, wish=wish, team=team, actor=db.info["actor"])
    assert wish.team_id is None


def test_a_team_takes_only_people_who_reported_to_its_community(db: Session) -> None:
    here = add_community(db)
    there = add_community(db, name="路东社区", street=here.street)
    stranger = member(db, there, "外社区", 10)
    team = team_of(db, here, "党小组")
    with pytest.raises(Invalid):
        teams.add_member(
            session=db, team=team, person_id=stranger.id, leader=False, actor=db.info["actor"]
        )


# the report per team --------------------------------------------------------------------------


def test_the_team_report_sums_the_hours_of_its_members_in_the_period(db: Session) -> None:
    community = add_community(db)
    a, b, outsider = (member(db, community, name, 10) for name in ("甲", "乙", "丙"))
    team_of(db, community, "法律援助队", a, b)
    published = add_run(db, community, status=RunStatus.PUBLISHED)
    draft = add_run(db, community, status=RunStatus.DRAFT)

    def done(
        person: Person,
        day: date,
        hours: float,
        logged: float | None,
        run: ScheduleRun = published,
    ) -> None:
        wish = add_wish(db, community)
        starts = community.local_datetime(day, 9 * 60)
        row = Assignment(
            run=run,
            person=person,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            status=AssignmentStatus.DONE,
            hours_served=logged,
        )
        row.demand = wish
        db.add(row)
        db.flush()

    done(a, date(2026, 3, 3), 2.0, 2.5)  # logged hours count
    done(b, date(2026, 3, 4), 1.5, None)  # else the assignment's length
    done(outsider, date(2026, 3, 4), 3.0, None)  # not in the team
    done(a, date(2026, 4, 2), 1.0, None)  # after the period
    done(b, date(2026, 3, 5), 4.0, None, run=draft)  # not published

    (line,) = team_report(
        session=db, community_id=community.id, first=date(2026, 3, 1), last=date(2026, 3, 31)
    )
    assert (line.team, line.members, line.services, line.hours) == ("法律援助队", 2, 2, 4.0)


# through the HTTP API --------------------------------------------------------------------------


def test_a_coordinator_builds_a_team_and_its_post_takes_only_its_members(
    db: Session,
    client: TestClient,
    make_user: Callable[..., UserAccount],
    auth_headers: Callable[[UserAccount], dict[str, str]],
) -> None:
    community = add_community(db)
    near = member(db, community, "近邻", 50)
    lawyer = member(db, community, "律师", 800)
    post = add_post(db, community, name="法律咨询岗", templates=((SATURDAY, 9 * 60, 11 * 60),))
    wish = add_wish(db, community, headcount=1, status=WishStatus.OPEN)
    db.commit()
    headers = auth_headers(make_user("coordinator", community=community))
    base = f"/api/v1/communities/{community.id}/teams"

    made = client.post(
        base,
        headers=headers,
        json={"name": "法律援助队", "kind": "specialist", "skill": "法律援助"},
    )
    assert made.status_code == 201, made.text
    team_id = made.json()["id"]
    again = client.post(base, headers=headers, json={"name": "法律援助队", "kind": "specialist"})
    assert again.status_code == 409
    added = client.put(f"{base}/{team_id}/members/{lawyer.id}", headers=headers, json={})
    assert [m["name"] for m in added.json()["members"]] == ["律师"]
    assert "phone" not in added.text
    patched = client.patch(f"/api/v1/posts/{post.id}", headers=headers, json={"team_id": team_id})
    assert patched.json()["team_id"] == team_id
    claim = client.put(
        f"/api/v1/wishes/{wish.id}/team-claim", headers=headers, json={"team_id": team_id}
    )
    assert claim.json() == {"wish_id": wish.id, "team_id": team_id, "team": "法律援助队"}
    db.expire_all()

    sent = week(db, community)
    shift = shift_of(db, community)
    assert sent[shift] == {str(lawyer.id)}
    assert sent[matcher_demand_id(DemandKind.WISH, wish.id)] == {str(lawyer.id)}
    db.commit()  # the week's shifts, made while building it
    # the nearer neighbour goes once the post is anyone's
    cleared = client.patch(f"/api/v1/posts/{post.id}", headers=headers, json={"team_id": None})
    assert cleared.status_code == 200, cleared.text
    db.expire_all()
    assert week(db, community)[shift] == {str(near.id)}
    db.commit()
    released = client.delete(f"/api/v1/wishes/{wish.id}/team-claim", headers=headers)
    assert released.json()["team_id"] is None

    gone = client.delete(f"{base}/{team_id}/members/{lawyer.id}", headers=headers)
    assert gone.json()["members"] == []
    report = client.get(
        f"/api/v1/communities/{community.id}/team-report/2026-03-01/2026-03-31", headers=headers
    )
    assert report.json()["teams"][0]["team"] == "法律援助队"
    backwards = client.get(
        f"/api/v1/communities/{community.id}/team-report/2026-03-31/2026-03-01", headers=headers
    )
    assert backwards.status_code == 422
