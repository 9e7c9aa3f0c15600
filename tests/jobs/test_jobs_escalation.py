"""Wish deadlines (限时办结): wishes at risk go up grid → community → street → civil affairs;
a wish whose helpers confirmed a visit in time never does."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.services import escalation
from api.worker import jobs
from models import (
    Assignment,
    AssignmentStatus,
    Grid,
    Person,
    RunStatus,
    ScheduleRun,
    UserAccount,
    UserRole,
    Wish,
    WishStatus,
)
from models.community import DEFAULT_ZONE
from tests.support.jobs_helpers import World, inbox, local


def _accounts(session: Session, wish: Wish) -> tuple[UserAccount, UserAccount]:
    """A leader of the wish's grid and a civil affairs (民政) account of its street."""
    grid = session.get(Grid, wish.grid_id) if wish.grid_id else None
    assert grid is not None, "the demo's wishes lie in grids"
    leader = UserAccount(username="grid-leader", password_hash="-", role=UserRole.GRID_LEADER)
    leader.grids = [grid]
    civil = UserAccount(
        username="minzheng",
        password_hash="-",
        role=UserRole.CIVIL_AFFAIRS,
        street_id=grid.community.street_id,
    )
    session.add_all([leader, civil])
    session.flush()
    return leader, civil


def test_the_target_level_follows_the_days_left() -> None:
    deadline = date(2026, 3, 10)
    assert escalation.target_level(deadline, date(2026, 3, 7)) == escalation.Level.NONE
    assert escalation.target_level(deadline, date(2026, 3, 8)) == escalation.Level.GRID
    assert escalation.target_level(deadline, date(2026, 3, 9)) == escalation.Level.COMMUNITY
    assert escalation.target_level(deadline, date(2026, 3, 10)) == escalation.Level.COMMUNITY
    assert escalation.target_level(deadline, date(2026, 3, 11)) == escalation.Level.STREET
    assert escalation.target_level(deadline, date(2026, 3, 17)) == escalation.Level.CIVIL_AFFAIRS


def test_a_late_wish_escalates_one_level_on_each_expected_day(world: World) -> None:
    deadline = date(2026, 3, 20)
    with world.factory() as session:
        wishes = list(session.scalars(sa.select(Wish).order_by(Wish.id)))
        watched = wishes[0]
        for wish in wishes:  # only the watched wish is late; the others are far off
            wish.deadline = date(2026, 6, 30)
        watched.deadline = deadline
        leader_account, civil_account = _accounts(session, watched)
        session.commit()
        watched_id = watched.id
        assert watched.status == WishStatus.OPEN
        leader, civil = f"user:{leader_account.id}", f"user:{civil_account.id}"

    went_up: dict[date, str] = {}
    day = local(2026, 3, 14, 8)
    while day <= local(2026, 3, 31, 8):
        for _ in range(2):  # twice a morning: still one step
            jobs.escalate_wishes(session_factory=world.factory, now=day)
        with world.factory() as session:
            for entry in escalation.escalations(session, watched_id):
                assert entry.after is not None
                went_up.setdefault(entry.at.astimezone(DEFAULT_ZONE).date(), entry.after["level"])
        day += timedelta(days=1)

    assert went_up == {
        date(2026, 3, 18): "grid",
        date(2026, 3, 19): "community",
        date(2026, 3, 21): "street",
        date(2026, 3, 27): "civil_affairs",
    }
    with world.factory() as session:
        assert escalation.wish_level(session, watched_id) == escalation.Level.CIVIL_AFFAIRS
    # the coordinators read the community's level in their digest; the others are told at once
    told = inbox(world, "wish_escalated")
    assert [(m.recipient, m.dedupe_key.split(":")[2]) for m in told] == [
        (leader, "grid"),
        (world.street_admin, "street"),
        (civil, "civil_affairs"),
    ]
    assert {m.dedupe_key.split(":")[1] for m in told} == {str(watched_id)}
    assert [m.subject.split("：")[0] for m in told] == [
        "微心愿上报网格",
        "微心愿上报街道",
        "微心愿上报民政",
    ]


def test_a_missed_week_catches_up_one_level_a_day(world: World) -> None:
    with world.factory() as session:
        wishes = list(session.scalars(sa.select(Wish).order_by(Wish.id)))
        for wish in wishes:
            wish.deadline = date(2026, 6, 30)
        wishes[0].deadline = wishes[0].earliest
        session.commit()
        wish_id = wishes[0].id
        deadline = wishes[0].deadline
    levels = []
    for offset in range(4):  # the job was down for weeks; then it runs on four mornings
        day = deadline + timedelta(days=20 + offset)
        jobs.escalate_wishes(
            session_factory=world.factory, now=local(day.year, day.month, day.day, 8)
        )
        with world.factory() as session:
            levels.append(escalation.wish_level(session, wish_id))
    grid, community, street, civil_affairs = (
        escalation.Level.GRID,
        escalation.Level.COMMUNITY,
        escalation.Level.STREET,
        escalation.Level.CIVIL_AFFAIRS,
    )
    assert levels == [grid, community, street, civil_affairs]


def test_done_wishes_are_not_escalated(world: World) -> None:
    with world.factory() as session:
        for wish in session.scalars(sa.select(Wish)):
            wish.deadline = wish.earliest
            wish.advance(WishStatus.ASSIGNED)
            wish.advance(WishStatus.DONE)
        session.commit()
    assert jobs.escalate_wishes(session_factory=world.factory, now=local(2026, 5, 20, 8)) == 0


def _one_late_wish(world: World, deadline: date) -> int:
    with world.factory() as session:
        wishes = list(session.scalars(sa.select(Wish).order_by(Wish.id)))
        for wish in wishes:
            wish.deadline = date(2026, 6, 30)
        wishes[0].deadline = deadline
        wishes[0].earliest = deadline - timedelta(days=6)
        session.commit()
        return wishes[0].id


def _schedule(world: World, wish_id: int, status: AssignmentStatus, day: date) -> None:
    """The wish in a published plan: one helper visiting on ``day`` at 10:00, ``status``."""
    with world.factory() as session:
        wish = session.get(Wish, wish_id)
        assert wish is not None
        person = session.scalars(
            sa.select(Person).where(Person.community_id == wish.community_id).order_by(Person.id)
        ).first()
        assert person is not None
        monday = day - timedelta(days=day.weekday())
        run = ScheduleRun(
            community_id=wish.community_id, week_start=monday, status=RunStatus.PUBLISHED
        )
        starts = local(day.year, day.month, day.day, 10)
        helper = Assignment(
            run=run, person=person, starts_at=starts, ends_at=starts + timedelta(hours=1)
        )
        helper.demand = wish
        helper.status = status
        wish.advance(WishStatus.ASSIGNED)
        session.add_all([run, helper])
        session.commit()


def _run_mornings(world: World, first: date, days: int) -> int:
    went_up = 0
    for offset in range(days):
        day = first + timedelta(days=offset)
        went_up += jobs.escalate_wishes(
            session_factory=world.factory, now=local(day.year, day.month, day.day, 8)
        )
    return went_up


def test_a_wish_confirmed_for_a_visit_before_its_deadline_never_escalates(world: World) -> None:
    deadline = date(2026, 3, 20)
    wish_id = _one_late_wish(world, deadline)
    _schedule(world, wish_id, AssignmentStatus.CONFIRMED, date(2026, 3, 19))
    # from a week before the deadline to two weeks after it: never a step, never a message
    assert _run_mornings(world, date(2026, 3, 13), 21) == 0
    with world.factory() as session:
        assert escalation.wish_level(session, wish_id) == escalation.Level.NONE
    assert inbox(world, "wish_escalated") == []


@pytest.mark.parametrize(
    ("status", "visit"),
    [
        # scheduled in time, but the helper has not said yes
        (AssignmentStatus.PROPOSED, date(2026, 3, 19)),
        # confirmed, for a day after the deadline
        (AssignmentStatus.CONFIRMED, date(2026, 3, 23)),
        # the helper declined and nobody took it over
        (AssignmentStatus.DECLINED, date(2026, 3, 19)),
    ],
)
def test_a_wish_at_risk_escalates_first_to_its_grid(
    world: World, status: AssignmentStatus, visit: date
) -> None:
    deadline = date(2026, 3, 20)
    wish_id = _one_late_wish(world, deadline)
    _schedule(world, wish_id, status, visit)
    assert _run_mornings(world, date(2026, 3, 13), 6) == 1  # up to 18 March: the grid
    with world.factory() as session:
        assert escalation.wish_level(session, wish_id) == escalation.Level.GRID
    told = inbox(world, "wish_escalated")
    assert [m.dedupe_key.split(":")[2] for m in told] == ["grid"]
