"""Weekly drafts in parallel: a pool of drafting processes, and two schedulers sharing the
due communities on PostgreSQL (``FOR UPDATE SKIP LOCKED``), each week drafted once."""

from __future__ import annotations

import multiprocessing
from collections import Counter

import pytest
import sqlalchemy as sa

from api.worker.scheduler import draft_due
from models import Community, RunStatus, ScheduleRun
from models.db import make_engine, make_session_factory
from models.seed import import_street_scenario
from scenarios import generate
from tests.support.drafting_processes import pooled_scheduler
from tests.support.jobs_helpers import TIME_LIMIT_S, World, database_url, local

FRIDAY_EVENING = "2026-02-27T20:30:00+08:00"


def _three_communities(world: World) -> list[int]:
    """红光 and two small generated communities, all due on Friday evening."""
    data = generate("city", 31, communities=2, people_per_community=50)
    with world.factory() as session:
        import_street_scenario(session, data, street_name="并行街道")
        session.commit()
        return list(session.scalars(sa.select(Community.id).order_by(Community.id)))


def _drafts(world: World) -> Counter[tuple[int, RunStatus]]:
    with world.factory() as session:
        return Counter(
            (run.community_id, run.status) for run in session.scalars(sa.select(ScheduleRun))
        )


def test_a_pool_drafts_every_due_community_once(world: World) -> None:
    communities = _three_communities(world)
    now = local(2026, 2, 27, 20, 30)
    # the drafters connect by URL, as ``tongxin scheduler`` does (on PostgreSQL, to the
    # test's own schema)
    engine = make_engine(database_url(world))
    factory = make_session_factory(engine)

    first = draft_due(session_factory=factory, now=now, drafters=2, time_limit_s=TIME_LIMIT_S)
    assert sorted(d.community_id for d in first) == communities
    assert all(d.run_id is not None and d.status == RunStatus.DRAFT for d in first), first
    again = draft_due(session_factory=factory, now=now, drafters=2, time_limit_s=TIME_LIMIT_S)
    engine.dispose()
    # the weeks have their drafts: nothing new
    assert [d.run_id for d in again] == [None] * len(communities)
    assert _drafts(world) == Counter({(c, RunStatus.DRAFT): 1 for c in communities})


def test_two_pooled_schedulers_on_postgresql_draft_each_week_once(world: World) -> None:
    if world.backend != "postgresql":
        pytest.skip("SQLite has no row locks; two schedulers share a PostgreSQL database")
    communities = _three_communities(world)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    url = database_url(world)
    processes = [
        context.Process(target=pooled_scheduler, args=(url, FRIDAY_EVENING, barrier, results, 2))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    answers = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0, answers
    made = [run_id for answer in answers for _, run_id, _ in answer if run_id is not None]
    # between them the two schedulers made one draft per community, and no more
    assert len(made) == len(set(made)) == len(communities), answers
    assert _drafts(world) == Counter({(c, RunStatus.DRAFT): 1 for c in communities})
