"""Scheduling services on a real database: solve → pin → re-solve → publish → decline →
replacements → accept; a crash mid-solve; two coordinators publishing at once.

Runs on SQLite, and on PostgreSQL too when ``TONGXIN_TEST_POSTGRES_URL`` is set. The services
commit, so each test imports its own community (a generated 红光-like week, seed 3) into a
database shared by the module, and solves with a short time limit.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

import matcher
from api.services.errors import Conflict
from api.services.problem import build_problem, demand_ref_id
from api.services.scheduling import (
    accept_replacement,
    add_override,
    decline,
    publish,
    queue_solve,
    re_solve,
    replacements,
    solve_week,
    wait_for_solve,
    worker_name,
)
from matcher.domain import DemandKind
from models import (
    Assignment,
    AssignmentStatus,
    AuditLog,
    Community,
    Override,
    OverrideKind,
    RunStatus,
    ScheduleRun,
    UserAccount,
    UserRole,
)
from models.db import create_all, make_session_factory
from models.seed import import_scenario
from scenarios.generate import generate
from tests.support.isolated_databases import Backend, backends

WEEK = date(2026, 3, 2)
SECONDS = 2.0
_streets = itertools.count()


@pytest.fixture(scope="module", params=backends())
def factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sessionmaker[Session]]:
    backend = Backend(request.param, tmp_path_factory.mktemp(f"scheduling-{request.param}"))
    engine = backend.new_engine()
    create_all(engine)
    yield make_session_factory(engine)
    backend.close()


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as db:
        yield db


@pytest.fixture
def community(session: Session) -> Community:
    made = import_scenario(
        session, generate(kind="community", seed=3), street_name=f"测试街道{next(_streets)}"
    )
    session.commit()
    return made


@pytest.fixture
def coordinator(session: Session, community: Community) -> UserAccount:
    account = UserAccount(
        username=f"coordinator{community.id}",
        password_hash="-",
        role=UserRole.COORDINATOR,
        communities=[community],
    )
    session.add(account)
    session.commit()
    return account


def pairs(run: ScheduleRun) -> set[tuple[int, str]]:
    return {
        (a.person_id, demand_ref_id(a))
        for a in run.assignments
        if a.status in (AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED)
    }


def test_solve_pin_resolve_publish_decline_replace(
    session: Session, community: Community, coordinator: UserAccount
) -> None:
    first = solve_week(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        actor=coordinator,
        time_limit_s=SECONDS,
    )
    assert first.status == RunStatus.DRAFT, first.failure_reason
    assert first.progress == 1.0
    assert len(first.assignments) > 100
    assert all(a.reasons and {"zh", "en"} <= set(a.reasons[0]) for a in first.assignments)
    assert first.unfilled and all(g["reason"]["zh"] and g["title"] for g in first.unfilled)
    # the scenario's own pin (imported as an override) holds
    assert any(a.pinned for a in first.assignments)

    # pin someone who is free and eligible but not yet on a shift of the draft
    target = next(
        a for a in first.assignments if a.demand_kind == DemandKind.SHIFT and not a.pinned
    )
    candidate = replacements(session=session, assignment_id=target.id, limit=1)[0]
    override = add_override(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        kind="pin",
        person_id=candidate.person_id,
        demand_kind=DemandKind.SHIFT,
        demand_id=target.shift_id or 0,
        author=coordinator,
        reason="熟悉这个岗位",
    )
    session.commit()
    assert session.scalar(
        sa.select(AuditLog).where(
            AuditLog.action == "override.pin", AuditLog.object_id == str(override.id)
        )
    )

    second = re_solve(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        actor=coordinator,
        time_limit_s=SECONDS,
    )
    assert second.status == RunStatus.DRAFT, second.failure_reason
    session.refresh(first)
    assert first.status == RunStatus.SUPERSEDED
    pinned_pair = (candidate.person_id, f"shift-{target.shift_id}")
    assert pinned_pair in pairs(second)
    assert next(
        a for a in second.assignments if (a.person_id, demand_ref_id(a)) == pinned_pair
    ).pinned
    moved = pairs(first) ^ pairs(second)
    # the pin itself, whoever it displaced, and a few knock-on moves at most
    assert len(moved) <= 10, len(moved)

    published = publish(session=session, run_id=second.id, actor=coordinator)
    assert published.status == RunStatus.PUBLISHED
    assert published.published_by_id == coordinator.id

    # a member declines a wish
    gone = next(
        a for a in published.assignments if a.demand_kind == DemandKind.WISH and not a.pinned
    )
    declined = decline(session=session, assignment_id=gone.id, actor=None, reason="临时出差")
    session.commit()
    assert declined.status == AssignmentStatus.DECLINED
    forbid = session.scalars(
        sa.select(Override).where(
            Override.person_id == gone.person_id,
            Override.wish_id == gone.wish_id,
            Override.kind == OverrideKind.FORBID,
        )
    ).one()
    assert forbid.active and "谢绝" in forbid.reason

    ranked = replacements(session=session, assignment_id=gone.id)
    assert 1 <= len(ranked) <= 5
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert gone.person_id not in {c.person_id for c in ranked}
    for c in ranked:
        texts = " ".join(r.zh for r in c.reasons)
        assert "公里" in texts and "本周共" in texts and "此时有空" in texts
        assert c.starts_at < c.ends_at

    best = ranked[0]
    taken = accept_replacement(
        session=session, assignment_id=gone.id, person_id=best.person_id, actor=coordinator
    )
    session.commit()
    assert taken.run_id == published.id
    assert taken.status == AssignmentStatus.PROPOSED
    assert taken.reasons[0]["en"].startswith("takes over")
    with pytest.raises(Conflict):
        accept_replacement(
            session=session, assignment_id=taken.id, person_id=best.person_id, actor=coordinator
        )

    # a later re-solve keeps the replacement and does not give the wish back to the decliner
    third = re_solve(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        actor=coordinator,
        time_limit_s=SECONDS,
    )
    assert third.status == RunStatus.DRAFT
    wish_key = f"wish-{gone.wish_id}"
    assert (best.person_id, wish_key) in pairs(third)
    assert (gone.person_id, wish_key) not in pairs(third)
    assert pinned_pair in pairs(third)


def test_a_crash_mid_solve_keeps_the_published_run(
    session: Session,
    community: Community,
    coordinator: UserAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = solve_week(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        actor=coordinator,
        time_limit_s=SECONDS,
    )
    published = publish(session=session, run_id=run.id, actor=coordinator)
    before = sorted(pairs(published))

    def explode(problem: matcher.Problem) -> matcher.Solution:
        raise RuntimeError("求解器崩溃 solver crashed")

    monkeypatch.setattr(matcher, "solve", explode)
    failed = solve_week(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        actor=coordinator,
        time_limit_s=SECONDS,
    )
    assert failed.status == RunStatus.FAILED
    assert failed.failure_reason is not None
    assert "计算失败" in failed.failure_reason and "solver crashed" in failed.failure_reason
    assert failed.assignments == []

    with make_session_factory(session.get_bind())() as fresh:  # type: ignore[arg-type]
        runs = fresh.scalars(
            sa.select(ScheduleRun).where(ScheduleRun.community_id == community.id)
        ).all()
        statuses = {r.id: r.status for r in runs}
        assert statuses == {published.id: RunStatus.PUBLISHED, failed.id: RunStatus.FAILED}
        kept = fresh.get(ScheduleRun, published.id)
        assert kept is not None and sorted(pairs(kept)) == before


def test_contradictory_overrides_fail_the_run_with_their_reasons(
    session: Session, community: Community, coordinator: UserAccount
) -> None:
    problem, refs = build_problem(session=session, community_id=community.id, week_start=WEEK)
    shifts = sorted(
        (d for d in problem.demands if d.kind == DemandKind.SHIFT), key=lambda d: d.window.start
    )
    a, b = next(
        (x, y) for x, y in itertools.combinations(shifts, 2) if y.window.start < x.window.end
    )
    person_id = int(problem.people[0].id)
    for demand in (a, b):
        add_override(
            session=session,
            community_id=community.id,
            week_start=WEEK,
            kind="assign",
            person_id=person_id,
            demand_kind=DemandKind.SHIFT,
            demand_id=refs[demand.id][1],
            author=coordinator,
        )
    session.commit()
    run = solve_week(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        actor=coordinator,
        time_limit_s=SECONDS,
    )
    assert run.status == RunStatus.FAILED
    assert run.failure_reason is not None
    assert "锁定互相矛盾" in run.failure_reason and "overlapping" in run.failure_reason


def test_two_coordinators_publish_the_same_week_at_once(
    factory: sessionmaker[Session], session: Session, community: Community, coordinator: UserAccount
) -> None:
    first = solve_week(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        actor=coordinator,
        time_limit_s=SECONDS,
    )
    publish(session=session, run_id=first.id, actor=coordinator)
    draft = re_solve(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        actor=coordinator,
        time_limit_s=SECONDS,
    )
    some = [a for a in draft.assignments if a.demand_kind == DemandKind.SHIFT][:2]
    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []
    # SQLite takes one writer at a time and refuses a write based on a stale read, so there
    # the two overrides are written one after the other; PostgreSQL takes them at once
    sqlite = session.get_bind().dialect.name == "sqlite"
    one_writer = threading.Lock() if sqlite else contextlib.nullcontext()

    def coordinate(assignment: Assignment) -> None:
        with factory() as own, one_writer:
            add_override(
                session=own,
                community_id=community.id,
                week_start=WEEK,
                kind="forbid",
                person_id=assignment.person_id,
                demand_kind=DemandKind.SHIFT,
                demand_id=assignment.shift_id or 0,
                author=None,
                reason="下周再议",
            )
            own.commit()
        with factory() as own:
            barrier.wait()
            try:
                publish(session=own, run_id=draft.id, actor=None)
                outcomes.append("published")
            except Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=coordinate, args=(a,)) for a in some]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["conflict", "published"]
    with factory() as fresh:
        published = fresh.scalars(
            sa.select(ScheduleRun).where(
                ScheduleRun.community_id == community.id,
                ScheduleRun.status == RunStatus.PUBLISHED,
            )
        ).all()
        assert [r.id for r in published] == [draft.id]
        assert fresh.get(ScheduleRun, first.id).status == RunStatus.SUPERSEDED  # type: ignore[union-attr]
        forbids = fresh.scalars(
            sa.select(Override).where(
                Override.community_id == community.id,
                Override.kind == OverrideKind.FORBID,
                Override.reason == "下周再议",
                Override.active.is_(True),
            )
        ).all()
        assert len(forbids) == 2


def test_a_queued_solve_is_solved_with_what_it_asked_for(
    factory: sessionmaker[Session], session: Session, community: Community, coordinator: UserAccount
) -> None:
    first = solve_week(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        actor=coordinator,
        time_limit_s=SECONDS,
    )
    run = queue_solve(
        session=session,
        community_id=community.id,
        week_start=WEEK,
        actor=coordinator,
        time_limit_s=SECONDS,
    )
    assert (run.status, run.progress, run.worker) == (RunStatus.QUEUED, 0.0, None)
    assert (run.time_limit_s, run.previous_run_id) == (SECONDS, first.id)
    for again in (solve_week, queue_solve):
        with pytest.raises(Conflict) as refused:
            again(
                session=session,
                community_id=community.id,
                week_start=WEEK,
                actor=coordinator,
                time_limit_s=SECONDS,
            )
        assert "排队" in refused.value.zh
    polled = wait_for_solve(run.id, session_factory=factory, timeout=60)
    assert polled.status == RunStatus.DRAFT, polled.failure_reason
    assert (polled.progress, polled.worker) == (1.0, worker_name())
    with factory() as fresh:
        assert fresh.get(ScheduleRun, run.id).assignments  # type: ignore[union-attr]
        assert fresh.get(ScheduleRun, first.id).status == RunStatus.SUPERSEDED  # type: ignore[union-attr]
    # a run that has ended is answered as it is
    assert wait_for_solve(run.id, session_factory=factory).status == RunStatus.DRAFT
