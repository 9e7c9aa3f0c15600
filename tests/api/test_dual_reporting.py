"""双报到: one member reported to two communities carries one weekly load. What community A's
week already gives them counts against their caps and blocks those hours when community B
drafts its week, and the other way round.

Runs on SQLite, and on PostgreSQL too when ``TONGXIN_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import matcher
from api.services import teams
from api.services.errors import Invalid
from api.services.problem import build_problem, free_besides, matcher_demand_id
from api.web.clock import now
from matcher.domain import DemandKind, WeeklyWindow
from models import (
    Assignment,
    AssignmentStatus,
    Availability,
    Community,
    MembershipRole,
    Person,
    Post,
    RunStatus,
    ScheduleRun,
    Shift,
    UserAccount,
    UserRole,
)
from tests.support.member_loop import BEFORE_WEEK
from tests.support.rows import LAT, LNG, WEEK_START, add_community, add_person, add_post, add_run

SATURDAY, SUNDAY = 5, 6
#: the work place, 5 km from home: the walk is measured from here in the second community
WORK_LAT = LAT + 0.045


def shift_of(db: Session, post: Post) -> Shift:
    """The post's one shift of the week (made when the week is built)."""
    build_problem(session=db, community_id=post.community_id, week_start=WEEK_START)
    return db.scalars(sa.select(Shift).where(Shift.post_id == post.id)).one()


def street_of_two(db: Session) -> tuple[Community, Community]:
    home = add_community(db, name="红光社区")
    work = add_community(db, name="路东社区", street=home.street)
    return home, work


def dual_member(
    db: Session, home: Community, work: Community, task_cap: int = 3, hours_cap: float = 6.0
) -> Person:
    person = add_person(
        db, home, name="王建国", weekly_task_cap=task_cap, weekly_hours_cap=hours_cap
    )
    person.availability = [
        Availability(weekday=day, start_minute=8 * 60, end_minute=20 * 60)
        for day in (SATURDAY, SUNDAY)
    ]
    db.flush()
    teams.set_second_community(
        session=db,
        person=person,
        community_id=work.id,
        role=MembershipRole.WORK,
        lat=WORK_LAT,
        lng=LNG,
        actor=account(db, home),
    )
    db.flush()
    return person


def account(db: Session, community: Community) -> UserAccount:
    user = db.info.get("actor")
    if user is None:
        user = UserAccount(
            username="street",
            password_hash="x",
            role=UserRole.STREET_ADMIN,
            street_id=community.street_id,
        )
        db.add(user)
        db.flush()
        db.info["actor"] = user
    return user


def task(
    db: Session,
    community: Community,
    person: Person,
    weekday: int,
    start_hour: int,
    hours: int,
    status: RunStatus,
    lat: float = LAT,
) -> ScheduleRun:
    """A run of ``community``'s week holding one task of ``person``, at a post at ``lat``."""
    post = add_post(
        db,
        community,
        name=f"{community.name}值班岗（{lat}）",
        templates=((weekday, start_hour * 60, (start_hour + hours) * 60),),
        lat=lat,
    )
    shift = shift_of(db, post)
    run = add_run(db, community, status=status)
    row = Assignment(
        run=run,
        person=person,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        status=AssignmentStatus.CONFIRMED,
    )
    row.demand = shift
    db.add(row)
    db.flush()
    return run


def sent_in(db: Session, community: Community, person: Person) -> list[str]:
    """The demands the matcher gives the person in the community's week."""
    problem, _ = build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    solution = matcher.solve(replace(problem, settings=replace(problem.settings, time_limit_s=5)))
    return sorted(a.demand_id for a in solution.assignments if a.person_id == str(person.id))


def work_unit_shift(db: Session, work: Community) -> str:
    """The matcher id of a two-hour Saturday shift at the work place, in community B."""
    post = add_post(
        db, work, name="单位共建岗", lat=WORK_LAT, templates=((SATURDAY, 9 * 60, 11 * 60),)
    )
    return matcher_demand_id(DemandKind.SHIFT, shift_of(db, post).id)


def test_a_member_at_the_weekly_cap_in_one_community_is_not_sent_in_the_other(
    db: Session,
) -> None:
    home, work = street_of_two(db)
    person = dual_member(db, home, work, task_cap=1)
    key = work_unit_shift(db, work)

    assert sent_in(db, work, person) == [key]  # A's week is empty: B sends them
    run = task(db, home, person, SUNDAY, 9, 2, RunStatus.PUBLISHED)  # one task in A
    assert sent_in(db, work, person) == []  # the cap of one is reached across both
    problem, _ = build_problem(session=db, community_id=work.id, week_start=WEEK_START)
    (seen,) = [p for p in problem.people if p.id == str(person.id)]
    assert (seen.weekly_task_cap, seen.weekly_hours_cap) == (0, 4.0)
    # the walk in the second community starts at the work place
    assert (seen.home.lat, seen.home.lng) == (WORK_LAT, LNG)

    run.status = RunStatus.SUPERSEDED  # A's plan withdrawn: B may send them again
    db.flush()
    assert sent_in(db, work, person) == [key]


def test_the_hours_given_in_one_community_count_against_the_weekly_hours_in_the_other(
    db: Session,
) -> None:
    home, work = street_of_two(db)
    person = dual_member(db, home, work, hours_cap=3.0)
    key = work_unit_shift(db, work)
    assert sent_in(db, work, person) == [key]  # nothing in A: B's two hours fit the three
    task(db, home, person, SUNDAY, 9, 2, RunStatus.PUBLISHED)  # two hours in A: one is left
    assert sent_in(db, work, person) == []  # though two of their three tasks are left


def test_the_other_communitys_task_blocks_a_clashing_time_both_ways(db: Session) -> None:
    home, work = street_of_two(db)
    person = dual_member(db, home, work)
    clashing = add_post(db, home, name="周六巡逻", templates=((SATURDAY, 10 * 60, 12 * 60),))
    later = add_post(db, home, name="周六下午岗", templates=((SATURDAY, 14 * 60, 16 * 60),))
    clash_key = matcher_demand_id(DemandKind.SHIFT, shift_of(db, clashing).id)
    later_key = matcher_demand_id(DemandKind.SHIFT, shift_of(db, later).id)
    assert sent_in(db, home, person) == sorted([clash_key, later_key])

    # community B drafts Saturday 09:00–11:00 for them: A's 10:00 shift clashes, 14:00 does not
    task(db, work, person, SATURDAY, 9, 2, RunStatus.DRAFT)
    assert sent_in(db, home, person) == [later_key]


def test_a_task_here_leaves_time_to_walk_from_the_other_communitys_task(db: Session) -> None:
    home, work = street_of_two(db)
    person = dual_member(db, home, work)
    # Saturday 10:05 and 11:30 at home; the work place is 5 km off, about an hour on foot
    soon = add_post(db, home, name="周六上午岗", templates=((SATURDAY, 10 * 60 + 5, 11 * 60),))
    later = add_post(db, home, name="周六午间岗", templates=((SATURDAY, 11 * 60 + 30, 12 * 60),))
    soon_key = matcher_demand_id(DemandKind.SHIFT, shift_of(db, soon).id)
    later_key = matcher_demand_id(DemandKind.SHIFT, shift_of(db, later).id)

    # community B's 09:00–10:00 task next door to A's posts: both of A's shifts fit after it
    next_door = task(db, work, person, SATURDAY, 9, 1, RunStatus.DRAFT)
    assert sent_in(db, home, person) == sorted([soon_key, later_key])
    next_door.status = RunStatus.SUPERSEDED
    # the same hour at the work place: the walk back takes them past 10:05
    task(db, work, person, SATURDAY, 9, 1, RunStatus.DRAFT, lat=WORK_LAT)
    assert sent_in(db, home, person) == [later_key]
    problem, _ = build_problem(session=db, community_id=home.id, week_start=WEEK_START)
    (seen,) = [p for p in problem.people if p.id == str(person.id)]
    (away,) = seen.tasks_elsewhere
    assert (away.location.lat, away.end - away.start) == (WORK_LAT, 60)


def test_the_second_community_must_be_another_one(db: Session) -> None:
    home, _ = street_of_two(db)
    person = add_person(db, home)
    with pytest.raises(Invalid):
        teams.set_second_community(
            session=db,
            person=person,
            community_id=home.id,
            role=MembershipRole.WORK,
            lat=None,
            lng=None,
            actor=account(db, home),
        )


def test_a_member_reported_to_two_communities_is_scheduled_in_both(db: Session) -> None:
    home, work = street_of_two(db)
    person = dual_member(db, home, work)
    for community in (home, work):
        problem, _ = build_problem(session=db, community_id=community.id, week_start=WEEK_START)
        assert [p.id for p in problem.people] == [str(person.id)]
    teams.end_second_community(session=db, person=person, actor=account(db, home))
    problem, _ = build_problem(session=db, community_id=work.id, week_start=WEEK_START)
    assert problem.people == ()


def test_free_times_lose_exactly_the_hours_taken() -> None:
    saturday = SATURDAY * 24 * 60
    free = free_besides(
        [WeeklyWindow(SATURDAY, 8 * 60, 20 * 60), WeeklyWindow(SUNDAY, 8 * 60, 12 * 60)],
        [(saturday + 9 * 60, saturday + 11 * 60), (saturday + 19 * 60, saturday + 21 * 60)],
    )
    assert sorted(free, key=lambda w: (w.weekday, w.start_minute)) == [
        WeeklyWindow(SATURDAY, 8 * 60, 9 * 60),
        WeeklyWindow(SATURDAY, 11 * 60, 19 * 60),
        WeeklyWindow(SUNDAY, 8 * 60, 12 * 60),
    ]


def test_the_phone_offers_the_second_communitys_work_within_the_one_weekly_load(
    db: Session,
    app: FastAPI,
    client: TestClient,
    make_user: Callable[..., UserAccount],
    auth_headers: Callable[[UserAccount], dict[str, str]],
) -> None:
    app.dependency_overrides[now] = lambda: BEFORE_WEEK
    home, work = street_of_two(db)
    person = dual_member(db, home, work, task_cap=1)
    post = add_post(
        db, work, name="单位共建岗", lat=WORK_LAT, templates=((SATURDAY, 9 * 60, 11 * 60),)
    )
    shift = shift_of(db, post)
    published = add_run(db, work, status=RunStatus.PUBLISHED)
    db.commit()
    headers = auth_headers(make_user("member", person=person))
    seat = {"run_id": published.id, "demand_kind": "shift", "demand_id": shift.id}

    def offered() -> set[int]:
        listed = client.get("/api/v1/me/open-work", headers=headers)
        assert listed.status_code == 200, listed.text
        return {s["demand_id"] for s in listed.json() if s["demand_kind"] == "shift"}

    assert offered() == {shift.id}  # the work community's open shift, on the member's phone
    a_run = task(db, home, person, SUNDAY, 9, 2, RunStatus.PUBLISHED)
    db.commit()
    assert offered() == set()  # their one task of the week is in the home community
    refused = client.post("/api/v1/me/claims", json=seat, headers=headers)
    assert refused.status_code == 409
    a_run.status = RunStatus.SUPERSEDED
    db.commit()
    taken = client.post("/api/v1/me/claims", json=seat, headers=headers)
    assert taken.status_code == 201, taken.text


def test_a_coordinator_sets_and_ends_a_members_second_community(
    db: Session,
    client: TestClient,
    make_user: Callable[..., UserAccount],
    auth_headers: Callable[[UserAccount], dict[str, str]],
) -> None:
    home, work = street_of_two(db)
    person = add_person(db, home)
    db.commit()
    headers = auth_headers(make_user("coordinator", community=home))
    path = f"/api/v1/people/{person.id}/second-community"

    half = client.put(path, headers=headers, json={"community_id": work.id, "lat": 24.3})
    assert half.status_code == 422  # a place needs both coordinates
    same = client.put(path, headers=headers, json={"community_id": home.id})
    assert same.status_code == 422
    assert "第二个报到社区" in same.text
    made = client.put(path, headers=headers, json={"community_id": work.id, "role": "work"})
    assert made.status_code == 200, made.text
    assert made.json() == {
        "person_id": person.id,
        "community_id": work.id,
        "community": "路东社区",
        "role": "work",
        "role_zh": "工作地",
    }
    assert client.delete(path, headers=headers).status_code == 204
    assert client.delete(path, headers=headers).status_code == 404
