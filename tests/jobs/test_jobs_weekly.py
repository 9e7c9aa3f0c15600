"""A month of Fridays with a controlled clock: drafts, reminders, chasing, a crash."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

import matcher
from api.services import messages
from api.worker import jobs
from models import Assignment, AssignmentStatus, RunStatus, ScheduleRun
from models.community import DEFAULT_ZONE
from tests.support.jobs_helpers import (
    TIME_LIMIT_S,
    World,
    inbox,
    local,
    notifications,
    runs,
    set_auto_publish,
)

FRIDAYS = [
    local(2026, 2, 27, 20),
    local(2026, 3, 6, 20),
    local(2026, 3, 13, 20),
    local(2026, 3, 20, 20),
]
MONDAYS = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)]


def draft(world: World, now: object) -> jobs.DraftOutcome:
    return jobs.draft_next_week(
        session_factory=world.factory,
        community_id=world.community_id,
        now=now,  # type: ignore[arg-type]
        time_limit_s=TIME_LIMIT_S,
    )


def published_assignments(world: World) -> list[Assignment]:
    with world.factory() as session:
        return list(
            session.scalars(
                sa.select(Assignment)
                .join(Assignment.run)
                .where(ScheduleRun.status == RunStatus.PUBLISHED)
            )
        )


def test_next_week_is_the_monday_after() -> None:
    assert jobs.next_week_start(local(2026, 2, 27, 20)) == date(2026, 3, 2)
    assert jobs.next_week_start(local(2026, 3, 1, 23, 59)) == date(2026, 3, 2)
    assert jobs.next_week_start(local(2026, 3, 2, 0, 0)) == date(2026, 3, 9)
    with pytest.raises(ValueError, match="naive"):
        jobs.next_week_start(local(2026, 3, 2).replace(tzinfo=None))


def test_a_month_of_fridays_each_week_published_once_and_reminded_once(world: World) -> None:
    set_auto_publish(world, True)
    for friday, monday in zip(FRIDAYS, MONDAYS, strict=True):
        first = draft(world, friday)
        assert (first.week_start, first.status) == (monday, RunStatus.PUBLISHED)
        again = draft(world, friday + timedelta(minutes=1))
        assert again.run_id is None
        assert again.skipped_because == "published"
    weeks = Counter((r.week_start, r.status) for r in runs(world))
    assert weeks == {(monday, RunStatus.PUBLISHED): 1 for monday in MONDAYS}
    # auto-published: nobody is asked to review; each member is told each task once
    assert inbox(world, "draft_ready") == []
    expected = [a for a in published_assignments(world) if a.status in jobs.REMINDED_STATUSES]
    assigned = inbox(world, "task_assigned")
    assert len(assigned) == len(expected) > 0
    assert {m.recipient for m in assigned} == {f"person:{a.person_id}" for a in expected}

    # every evening at 18:00, twice: one reminder per assignment starting the next day
    day = local(2026, 3, 1, 18)
    while day < local(2026, 3, 29, 18):
        jobs.remind_tomorrow(session_factory=world.factory, now=day)
        jobs.remind_tomorrow(session_factory=world.factory, now=day + timedelta(minutes=5))
        day += timedelta(days=1)
    reminders = inbox(world, "reminder")
    assert len(reminders) == len(expected)
    assert len({r.dedupe_key for r in reminders}) == len(reminders)
    assert {r.recipient for r in reminders} == {f"person:{a.person_id}" for a in expected}
    # each one was written the evening before its start, which it names in local time
    for row in reminders:
        tomorrow = row.created_at.astimezone(DEFAULT_ZONE).date() + timedelta(days=1)
        assert f"时间：{tomorrow.month}月{tomorrow.day}日" in row.body


def test_a_draft_waits_for_review_and_the_coordinator_is_told_once(world: World) -> None:
    outcome = draft(world, FRIDAYS[0])
    assert outcome.status == RunStatus.DRAFT
    assert draft(world, FRIDAYS[0] + timedelta(hours=1)).skipped_because == "draft"
    [told] = inbox(world, "draft_ready")
    assert told.recipient == world.coordinator
    assert "3月2日起的一周" in told.body and "请审核后发布" in told.body
    # the community's work-group robots are posted to once, whoever coordinates
    robots = notifications(world, "draft_ready")
    assert sorted((n.channel, n.recipient) for n in robots) == [
        ("dingtalk", f"community:{world.community_id}"),
        ("wecom", f"community:{world.community_id}"),
    ]
    assert [r.status for r in runs(world)] == [RunStatus.DRAFT]


def test_a_crash_mid_solve_keeps_the_published_week_and_records_a_failed_run(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_auto_publish(world, True)
    week1 = draft(world, FRIDAYS[0])
    before = sorted((a.id, a.person_id, a.status) for a in published_assignments(world))

    def crash(_problem: object) -> None:
        raise MemoryError("solver ran out of memory")

    monkeypatch.setattr(matcher, "solve", crash)
    failed = draft(world, FRIDAYS[1])
    assert failed.status == RunStatus.FAILED
    with world.factory() as session:
        run = session.get(ScheduleRun, failed.run_id)
        assert run is not None
        assert "MemoryError" in (run.failure_reason or "")
        assert session.scalar(sa.select(sa.func.count()).where(Assignment.run_id == run.id)) == 0
        published = session.get(ScheduleRun, week1.run_id)
        assert published is not None and published.status == RunStatus.PUBLISHED
    assert sorted((a.id, a.person_id, a.status) for a in published_assignments(world)) == before
    [told] = inbox(world, "draft_failed")
    assert "MemoryError" in told.body

    # the next run of the job tries the failed week again
    monkeypatch.undo()
    retried = draft(world, FRIDAYS[1] + timedelta(hours=1))
    assert (retried.week_start, retried.status) == (MONDAYS[1], RunStatus.PUBLISHED)
    assert Counter(r.status for r in runs(world)) == {RunStatus.PUBLISHED: 2, RunStatus.FAILED: 1}


def test_unconfirmed_assignments_are_chased_once_by_their_member(world: World) -> None:
    set_auto_publish(world, True)
    draft(world, FRIDAYS[0])
    with world.factory() as session:
        first = session.scalars(
            sa.select(Assignment).order_by(Assignment.starts_at, Assignment.id).limit(1)
        ).one()
        confirmed = session.scalars(
            sa.select(Assignment).where(Assignment.starts_at == first.starts_at)
        ).all()
        # one of that hour's assignments is confirmed: it is not chased
        confirmed[0].advance(AssignmentStatus.CONFIRMED)
        session.commit()
        start = first.starts_at
        confirmed_key = messages.task_key(confirmed[0])
    now = start - timedelta(hours=11)
    assert jobs.chase_unconfirmed(session_factory=world.factory, now=now) >= 1
    chased = inbox(world, "unconfirmed")
    # the hourly job again: those already chased are not chased twice
    assert jobs.chase_unconfirmed(session_factory=world.factory, now=now) == 0
    later = jobs.chase_unconfirmed(session_factory=world.factory, now=now + timedelta(hours=1))
    assert len(inbox(world, "unconfirmed")) == len(chased) + later
    assert chased
    # the members are asked; the coordinator is not written one message per task
    assert all(c.recipient.startswith("person:") for c in chased)
    assert not any(confirmed_key in c.dedupe_key for c in chased)
    assert all("还没有确认" in c.body for c in chased)
