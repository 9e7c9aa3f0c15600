"""Two scheduler processes against one PostgreSQL database draft a week once.

Each process has its own interpreter, engine and connections, as two ``tongxin scheduler``
processes on two machines would; only the database stands between them.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from models import RunStatus
from tests.support.jobs_helpers import (
    World,
    database_url,
    inbox,
    notifications,
    runs,
    scheduler_process,
)

FRIDAY_EVENING = "2026-02-27T20:30:00+08:00"
#: long enough that both processes reach the check inside it when nothing holds them apart
HOLD_S = 1.5


@pytest.fixture
def postgres_world(world: World) -> World:
    # a skip by database, never by a missing package: two processes are kept apart by
    # PostgreSQL's row locks, and the fixtures run every test on SQLite too, which has none
    if world.backend != "postgresql":
        pytest.skip("SQLite has no row locks; two schedulers share a PostgreSQL database")
    return world


def told_once(world: World) -> None:
    """The draft is told once: one inbox message per coordinator, one delivery per channel."""
    assert [m.recipient for m in inbox(world, "draft_ready")] == [world.coordinator]
    deliveries = Counter((n.channel, n.recipient) for n in notifications(world, "draft_ready"))
    assert deliveries and set(deliveries.values()) == {1}, deliveries


def test_two_scheduler_processes_draft_the_week_once(postgres_world: World) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    url = database_url(postgres_world)
    processes = [
        context.Process(
            target=scheduler_process, args=(url, FRIDAY_EVENING, barrier, results, HOLD_S)
        )
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    answers = [results.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0, answers
    drafted = [answer[0] for answer in answers]
    # one process drafted the week; the other found it and did nothing
    assert [len(answer) for answer in answers] == [1, 1], answers
    made = [outcome for outcome in drafted if outcome[0] is not None]
    assert len(made) == 1, drafted
    assert made[0][1] == RunStatus.DRAFT.value
    assert Counter(run.status for run in runs(postgres_world)) == {RunStatus.DRAFT: 1}
    told_once(postgres_world)


def test_two_tongxin_scheduler_commands_at_once(postgres_world: World, tmp_path: Path) -> None:
    """The console command itself, twice at the same moment: one draft, one message."""
    tongxin = Path(sys.executable).with_name("tongxin")
    env = os.environ | {
        "TONGXIN_DATABASE_URL": database_url(postgres_world),
        "TONGXIN_ENV": "test",
    }
    command = [str(tongxin), "scheduler", "--once", "--now", FRIDAY_EVENING, "--no-migrate"]
    started = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=240)[0].decode() for process in started]
    assert [process.returncode for process in started] == [0, 0], outputs
    assert Counter(run.status for run in runs(postgres_world)) == {RunStatus.DRAFT: 1}
    told_once(postgres_world)
    assert all("草稿 drafts 1" in output for output in outputs), outputs
