"""The solve queue in one process: a worker solves what was queued, with what it asked for;
leases keep a long solve alive and expose a worker that stopped; the weekly draft respects
both.

Runs on SQLite, and on PostgreSQL too when ``TONGXIN_TEST_POSTGRES_URL`` is set. The
processes that share a queue, and a worker killed mid-solve, are in
``test_jobs_solve_processes.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

import matcher
from api.services import scheduling
from api.services.errors import Conflict
from api.services.scheduling import (
    INTERRUPTED,
    claim_run,
    fail_lapsed_runs,
    queue_solve,
    run_solve,
    solve_week,
)
from api.settings import Settings
from api.worker import jobs
from api.worker.solve_queue import SolveWorker
from matcher.domain import Problem, Solution
from models import Assignment, RunStatus, ScheduleRun
from models.base import utcnow
from models.db import make_session_factory
from tests.support.jobs_helpers import TIME_LIMIT_S, World, local, runs
from tests.support.solve_queue import MONDAY, queue, run_of

#: the Friday evening that drafts the week of ``MONDAY``
FRIDAY = local(2026, 2, 27, 20)
#: renewed every third of a second; a busy test machine may hold a renewal up a moment
SHORT_LEASE = timedelta(seconds=1)


def lapse(world: World, run_id: int) -> None:
    """The run's worker stopped renewing its lease a minute ago."""
    with world.factory() as session:
        session.execute(
            sa.update(ScheduleRun)
            .where(ScheduleRun.id == run_id)
            .values(lease_until=utcnow() - timedelta(minutes=1))
        )
        session.commit()


def claimed(world: World, lease: timedelta = timedelta(minutes=5)) -> ScheduleRun:
    with world.factory() as session:
        run = claim_run(session=session, lease=lease)
        assert run is not None
        return run


@pytest.fixture
def problems(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Problem]]:
    """The problems the matcher is given, in order."""
    seen: list[Problem] = []
    solve = matcher.solve

    def recording(problem: Problem) -> Solution:
        seen.append(problem)
        return solve(problem)

    monkeypatch.setattr(matcher, "solve", recording)
    yield seen


def test_the_worker_solves_a_queued_run_with_its_time_limit_and_previous_run(
    world: World, problems: list[Problem]
) -> None:
    worker = SolveWorker(session_factory=world.factory)
    assert worker.work_once() is None  # nothing queued
    first = queue(world, time_limit_s=1.5)
    assert run_of(world, first).status == RunStatus.QUEUED
    assert worker.work_once() == first
    draft = run_of(world, first)
    assert (draft.status, draft.progress, draft.previous_run_id) == (RunStatus.DRAFT, 1.0, None)
    assert draft.worker and draft.lease_until is not None
    second = queue(world)
    assert run_of(world, second).previous_run_id == first  # a re-solve stays close to the draft
    assert worker.drain() == [second]
    assert run_of(world, second).status == RunStatus.DRAFT
    assert run_of(world, first).status == RunStatus.SUPERSEDED
    assert [p.settings.time_limit_s for p in problems] == [1.5, TIME_LIMIT_S]
    assert not problems[0].locks.previous and problems[1].locks.previous


def test_a_long_solve_keeps_renewing_its_lease(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    solve = matcher.solve

    def slow(problem: Problem) -> Solution:
        time.sleep(3.5 * SHORT_LEASE.total_seconds())
        return solve(problem)

    monkeypatch.setattr(matcher, "solve", slow)
    run_id = queue(world)
    worker = SolveWorker(session_factory=world.factory, lease=SHORT_LEASE)
    solving = threading.Thread(target=worker.work_once)
    solving.start()
    failed = []
    with world.factory() as session:
        while solving.is_alive():
            failed += fail_lapsed_runs(session=session)
            session.commit()
            time.sleep(0.02)
    solving.join()
    assert failed == []
    assert run_of(world, run_id).status == RunStatus.DRAFT


def test_a_run_whose_worker_stopped_is_failed_and_the_week_solved_again(world: World) -> None:
    run_id = queue(world)
    claimed(world)
    with world.factory() as session, pytest.raises(Conflict) as busy:
        queue_solve(session=session, community_id=world.community_id, week_start=MONDAY, actor=None)
    assert "正在计算" in busy.value.zh
    lapse(world, run_id)
    # any worker's next look at the queue fails it, with the reason
    assert SolveWorker(session_factory=world.factory).work_once() is None
    failed = run_of(world, run_id)
    assert failed.status == RunStatus.FAILED
    assert failed.failure_reason == f"{INTERRUPTED[0]} ({INTERRUPTED[1]})"
    again = queue(world)
    assert SolveWorker(session_factory=world.factory).drain() == [again]
    assert run_of(world, again).status == RunStatus.DRAFT


def test_a_new_solve_of_the_week_fails_the_lapsed_run_itself(world: World) -> None:
    run_id = queue(world)
    claimed(world)
    lapse(world, run_id)
    with world.factory() as session:
        again = solve_week(
            session=session,
            community_id=world.community_id,
            week_start=MONDAY,
            actor=None,
            time_limit_s=TIME_LIMIT_S,
        )
    assert again.status == RunStatus.DRAFT
    assert run_of(world, run_id).status == RunStatus.FAILED


def test_a_worker_that_lost_its_run_writes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its lease ran out mid-solve and another process failed the run: the late result is
    dropped, the run stays failed with the reason, and the week has no draft from it."""
    solve = matcher.solve
    run_id = queue(world)

    def overtaken(problem: Problem) -> Solution:
        lapse(world, run_id)
        with world.factory() as other:
            assert fail_lapsed_runs(session=other) == [run_id]
            other.commit()
        return solve(problem)

    monkeypatch.setattr(matcher, "solve", overtaken)
    claimed(world, lease=timedelta(minutes=5))
    with world.factory() as session:
        done = run_solve(session=session, run_id=run_id)
        assert done.status == RunStatus.FAILED
        assert done.failure_reason == f"{INTERRUPTED[0]} ({INTERRUPTED[1]})"
        assert session.scalar(sa.select(sa.func.count()).where(Assignment.run_id == run_id)) == 0
        # the same worker trying again leaves it as it is
        assert run_solve(session=session, run_id=run_id).status == RunStatus.FAILED
    assert [r.status for r in runs(world)] == [RunStatus.FAILED]


def test_the_weekly_draft_leaves_a_live_solve_and_takes_over_a_lapsed_one(world: World) -> None:
    def draft() -> jobs.DraftOutcome:
        return jobs.draft_next_week(
            session_factory=world.factory,
            community_id=world.community_id,
            now=FRIDAY,
            time_limit_s=TIME_LIMIT_S,
        )

    run_id = queue(world)
    assert draft().skipped_because == "queued"
    claimed(world, lease=timedelta(minutes=5))
    assert draft().skipped_because == "solving"
    lapse(world, run_id)
    outcome = draft()
    assert (outcome.week_start, outcome.status) == (MONDAY, RunStatus.DRAFT)
    assert run_of(world, run_id).status == RunStatus.FAILED
    assert [r.status for r in runs(world)] == [RunStatus.FAILED, RunStatus.DRAFT]


def test_settings_of_the_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TONGXIN_EMBEDDED_WORKER", raising=False)
    monkeypatch.delenv("TONGXIN_SOLVE_LEASE_SECONDS", raising=False)
    development = Settings(env="test")
    assert development.embedded_worker is True
    assert development.solve_lease == timedelta(seconds=60)
    production = Settings(env="production", secret_key="a-private-key-" + "7f3a9c" * 8)
    assert production.embedded_worker is False
    monkeypatch.setenv("TONGXIN_EMBEDDED_WORKER", "false")
    monkeypatch.setenv("TONGXIN_SOLVE_LEASE_SECONDS", "15")
    chosen = Settings(env="test")
    assert (chosen.embedded_worker, chosen.solve_lease) == (False, timedelta(seconds=15))


def test_two_coordinators_solving_at_once_queue_one_run(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both find the week free; the database keeps one queued run and the other is refused."""
    factory = make_session_factory(world.engine, write_lock_at_begin=True)
    check = scheduling._check_week_free
    both_checked = threading.Barrier(2)
    first_look = threading.local()

    def checked_together(session: Session, community_id: int, week_start: date) -> None:
        check(session, community_id, week_start)
        if world.backend == "postgresql" and not getattr(first_look, "done", False):
            first_look.done = True  # the look after a refused insert goes on at once
            both_checked.wait(timeout=30)

    monkeypatch.setattr(scheduling, "_check_week_free", checked_together)
    answers: list[object] = []

    def ask() -> None:
        with factory() as session:
            try:
                answers.append(
                    queue_solve(
                        session=session,
                        community_id=world.community_id,
                        week_start=MONDAY,
                        actor=None,
                    ).id
                )
            except Conflict as refused:
                answers.append(refused.zh)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    [run_id] = [answer for answer in answers if isinstance(answer, int)]
    [refusal] = [answer for answer in answers if isinstance(answer, str)]
    assert f"排队等待计算（排班 {run_id}）" in refusal
    assert [(r.id, r.status) for r in runs(world)] == [(run_id, RunStatus.QUEUED)]
