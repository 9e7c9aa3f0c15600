"""Regular crews in the application: a post marked 定点定时定人 keeps last published week's
people on each weekly shift, where a plain post rotates them toward members behind on the
quarter. Runs on SQLite, and on PostgreSQL too when ``TONGXIN_TEST_POSTGRES_URL`` is set."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import matcher
from api.services.problem import build_problem
from models import (
    Assignment,
    AssignmentStatus,
    Availability,
    Community,
    Person,
    Post,
    RunStatus,
    ScheduleRun,
    Shift,
    UserAccount,
)
from tests.support.rows import WEEK_START, add_community, add_person, add_post

NEXT_WEEK = WEEK_START + timedelta(days=7)
SATURDAY_MORNING = (5, 9 * 60, 12 * 60)


def free_on_saturday(db: Session, community: Community, name: str) -> Person:
    person = add_person(db, community, name=name)
    person.availability = [Availability(weekday=5, start_minute=8 * 60, end_minute=13 * 60)]
    db.flush()
    return person


def last_week_held_by(db: Session, community: Community, post: Post, person: Person) -> None:
    """The week before, published: ``person`` on the post's Saturday shift."""
    problem, refs = build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    (shift_key,) = [d.id for d in problem.demands if d.kind == "shift"]
    shift = db.get(Shift, refs[shift_key][1])
    assert shift is not None
    run = ScheduleRun(community=community, week_start=WEEK_START, status=RunStatus.PUBLISHED)
    db.add(run)
    assignment = Assignment(
        run=run,
        person=person,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        status=AssignmentStatus.CONFIRMED,
    )
    assignment.demand = shift
    db.add(assignment)
    db.flush()


@pytest.mark.parametrize("regular_crew", [False, True])
def test_a_regular_crew_post_keeps_its_people_where_a_plain_post_rotates(
    db: Session, regular_crew: bool
) -> None:
    community = add_community(db)
    regular = free_on_saturday(db, community, "老李")
    behind = free_on_saturday(db, community, "小王")
    post = add_post(db, community, templates=(SATURDAY_MORNING,), regular_crew=regular_crew)
    last_week_held_by(db, community, post, regular)

    problem, _ = build_problem(session=db, community_id=community.id, week_start=NEXT_WEEK)
    (shift,) = [d for d in problem.demands if d.kind == "shift"]
    assert shift.regulars == (frozenset({str(regular.id)}) if regular_crew else frozenset())
    solution = matcher.solve(problem)
    (held_by,) = [a.person_id for a in solution.assignments]
    # plain: 小王, behind on the quarter, gets the seat; regular crew: 老李 keeps it
    assert held_by == str(regular.id if regular_crew else behind.id)


def test_the_flag_is_set_and_shown_through_the_api(
    client: TestClient,
    db: Session,
    make_user: Callable[..., UserAccount],
    auth_headers: Callable[[UserAccount], dict[str, str]],
) -> None:
    community = add_community(db)
    post = add_post(db, community)
    db.commit()
    headers = auth_headers(make_user("coordinator", community=community))
    assert client.get(f"/api/v1/posts/{post.id}", headers=headers).json()["regular_crew"] is False
    changed = client.patch(f"/api/v1/posts/{post.id}", json={"regular_crew": True}, headers=headers)
    assert changed.status_code == 200 and changed.json()["regular_crew"] is True
    refused = client.patch(
        f"/api/v1/posts/{post.id}", json={"regular_crew": "maybe"}, headers=headers
    )
    assert refused.status_code == 422
