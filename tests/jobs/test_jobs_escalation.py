"""Wish deadlines (限时办结): late wishes go up grid → community → street → civil affairs."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from api.worker import jobs
from models import Wish, WishStatus
from models.community import DEFAULT_ZONE
from tests.support.jobs_helpers import World, inbox, local


def test_the_target_level_follows_the_days_left() -> None:
    deadline = date(2026, 3, 10)
    assert jobs.target_level(deadline, date(2026, 3, 7)) == jobs.Level.GRID
    assert jobs.target_level(deadline, date(2026, 3, 8)) == jobs.Level.COMMUNITY
    assert jobs.target_level(deadline, date(2026, 3, 10)) == jobs.Level.COMMUNITY
    assert jobs.target_level(deadline, date(2026, 3, 11)) == jobs.Level.STREET
    assert jobs.target_level(deadline, date(2026, 3, 17)) == jobs.Level.CIVIL_AFFAIRS


def test_a_late_wish_escalates_one_level_on_each_expected_day(world: World) -> None:
    deadline = date(2026, 3, 20)
    with world.factory() as session:
        wishes = list(session.scalars(sa.select(Wish).order_by(Wish.id)))
        watched = wishes[0]
        for wish in wishes:  # only the watched wish is late; the others are far off
            wish.deadline = date(2026, 6, 30)
        watched.deadline = deadline
        session.commit()
        watched_id = watched.id
        assert watched.status == WishStatus.OPEN

    went_up: dict[date, str] = {}
    day = local(2026, 3, 14, 8)
    while day <= local(2026, 3, 31, 8):
        for _ in range(2):  # twice a morning: still one step
            jobs.escalate_wishes(session_factory=world.factory, now=day)
        with world.factory() as session:
            for entry in jobs.escalations(session, watched_id):
                assert entry.after is not None
                went_up.setdefault(entry.at.astimezone(DEFAULT_ZONE).date(), entry.after["level"])
        day += timedelta(days=1)

    assert went_up == {
        date(2026, 3, 18): "community",
        date(2026, 3, 21): "street",
        date(2026, 3, 27): "civil_affairs",
    }
    with world.factory() as session:
        assert jobs.wish_level(session, watched_id) == jobs.Level.CIVIL_AFFAIRS
    # the coordinators read it in their digest; the street's admins are told at each level
    told = inbox(world, "wish_escalated")
    assert [(m.recipient, m.dedupe_key.split(":")[2]) for m in told] == [
        (world.street_admin, "street"),
        (world.street_admin, "civil_affairs"),
    ]
    assert {m.dedupe_key.split(":")[1] for m in told} == {str(watched_id)}
    assert "上报街道" in told[0].subject and "上报民政" in told[1].subject


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
            levels.append(jobs.wish_level(session, wish_id))
    community, street, civil_affairs = (
        jobs.Level.COMMUNITY,
        jobs.Level.STREET,
        jobs.Level.CIVIL_AFFAIRS,
    )
    assert levels == [community, street, civil_affairs, civil_affairs]


def test_done_wishes_are_not_escalated(world: World) -> None:
    with world.factory() as session:
        for wish in session.scalars(sa.select(Wish)):
            wish.deadline = wish.earliest
            wish.advance(WishStatus.ASSIGNED)
            wish.advance(WishStatus.DONE)
        session.commit()
    assert jobs.escalate_wishes(session_factory=world.factory, now=local(2026, 5, 20, 8)) == 0
