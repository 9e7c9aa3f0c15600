"""Days off (请假/不在的日子): the dates a member sets on their free-times page keep the weekly
plan from putting them on anything that day, though their weekly free time covers it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.services.scheduling import solve_week
from models import Assignment, RunStatus, generate_shifts
from tests.api.conftest import AuthHeaders, MakeUser
from tests.support.rows import WEEK_START, add_community, add_person, add_post

SATURDAY = WEEK_START + timedelta(days=5)


@pytest.mark.parametrize("days_off", [[], [SATURDAY.isoformat()]], ids=["none", "saturday"])
def test_a_day_off_keeps_the_member_off_that_days_work(
    client: TestClient,
    db: Session,
    make_user: MakeUser,
    auth_headers: AuthHeaders,
    days_off: list[str],
) -> None:
    community = add_community(db)
    # the only work of the week: Saturday morning at the service hall, one person
    add_post(db, community, "党员先锋岗", ((5, 8 * 60 + 30, 11 * 60 + 30),))
    generate_shifts(db, community.id, WEEK_START)
    person = add_person(db, community)
    member = make_user("member", person=person)
    answer = client.put(
        "/api/v1/me/availability",
        json={
            "availability": [{"weekday": 5, "start": "08:00", "end": "12:00"}],
            "unavailable_dates": days_off,
        },
        headers=auth_headers(member),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["unavailable_dates"] == days_off
    db.expire_all()
    run = solve_week(
        session=db, community_id=community.id, week_start=WEEK_START, actor=None, time_limit_s=5
    )
    assert run.status == RunStatus.DRAFT, run.failure_reason
    assigned = db.scalars(sa.select(Assignment.person_id).where(Assignment.run_id == run.id)).all()
    assert list(assigned) == ([] if days_off else [person.id])
