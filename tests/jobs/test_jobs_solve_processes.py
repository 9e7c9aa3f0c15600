"""The solve queue across processes: two workers share it and solve each run once; a worker
killed mid-solve has its run failed within the lease; and the deployment's shape, several web
processes queuing and a ``tongxin scheduler`` solving.

Each process has its own interpreter, engine and connections, as on separate machines; only
the database stands between them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from api.services.errors import Conflict
from api.services.scheduling import INTERRUPTED, queue_solve
from api.services.security import hash_password
from api.worker.solve_queue import SolveWorker
from models import RunStatus, UserAccount, crypto
from models.calendar import generate_activities
from models.post import generate_shifts
from tests.support.jobs_helpers import World, database_url, runs
from tests.support.live_server import free_port
from tests.support.solve_processes import draining_worker, slow_solver
from tests.support.solve_queue import MONDAY, queue, run_of

LEASE_S = 2.0
#: a queued run per week, from the demo's week on
WEEKS = [MONDAY + timedelta(weeks=n) for n in range(6)]
TONGXIN = Path(sys.executable).with_name("tongxin")


@pytest.fixture
def postgres_world(world: World) -> World:
    if world.backend != "postgresql":
        pytest.skip("several processes share a queue on PostgreSQL; SQLite takes one web process")
    return world


def wait_until(condition: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        time.sleep(0.05)


def test_a_worker_killed_mid_solve_has_its_run_failed_within_the_lease(world: World) -> None:
    run_id = queue(world)
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=slow_solver, args=(database_url(world), LEASE_S, 120.0), daemon=True
    )
    process.start()
    try:
        wait_until(lambda: run_of(world, run_id).progress > 0, 60, "the worker reads the week")
        # it solves for longer than its lease, renewing it: the week stays busy
        time.sleep(1.5 * LEASE_S)
        assert run_of(world, run_id).status == RunStatus.SOLVING
        with world.factory() as session, pytest.raises(Conflict):
            queue_solve(
                session=session, community_id=world.community_id, week_start=MONDAY, actor=None
            )
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=10)
        killed_at = time.monotonic()
    finally:
        if process.is_alive():
            process.kill()
    # another worker's look at the queue fails the run once its lease has passed
    watcher = SolveWorker(session_factory=world.factory)
    wait_until(
        lambda: watcher.work_once() is None and run_of(world, run_id).status == RunStatus.FAILED,
        LEASE_S + 1.0,
        "the run of the killed worker is failed",
    )
    assert time.monotonic() - killed_at <= LEASE_S + 1.0
    assert run_of(world, run_id).failure_reason == f"{INTERRUPTED[0]} ({INTERRUPTED[1]})"
    # and the week can be solved again at once
    again = queue(world)
    assert watcher.drain() == [again]
    assert run_of(world, again).status == RunStatus.DRAFT


def test_two_worker_processes_share_the_queue_and_solve_each_run_once(
    postgres_world: World,
) -> None:
    world = postgres_world
    with world.factory() as session:
        for week in WEEKS[1:]:
            generate_shifts(session, world.community_id, week)
            generate_activities(session, world.community_id, week)
        session.commit()
    queued = [queue(world, week) for week in WEEKS]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(target=draining_worker, args=(database_url(world), 0.3, barrier, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    answers = [results.get(timeout=240) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0, answers
    solved = {pid: run_ids for pid, run_ids in answers}
    assert all(isinstance(run_ids, list) and run_ids for run_ids in solved.values()), answers
    everything = [run_id for run_ids in solved.values() for run_id in run_ids]
    assert sorted(everything) == queued  # each run once, by one of them
    for run in runs(world):
        assert run.status == RunStatus.DRAFT, run.failure_reason
        assert run.worker is not None
        assert run.id in solved[int(run.worker.rsplit("/", 1)[1])]


@pytest.fixture
def coordinator_password(postgres_world: World) -> str:
    password = "排班测试-password-1"
    with postgres_world.factory() as session:
        account = session.scalars(
            sa.select(UserAccount).where(UserAccount.username == "coordinator")
        ).one()
        account.password_hash = hash_password(password)
        session.commit()
    return password


@pytest.fixture
def environment(postgres_world: World) -> dict[str, str]:
    return os.environ | {
        "TONGXIN_DATABASE_URL": database_url(postgres_world),
        "TONGXIN_ENV": "test",
        # the key the test's rows were encrypted with
        "TONGXIN_SECRET_KEY": crypto.secret(),
        "TONGXIN_SOLVE_LEASE_SECONDS": str(LEASE_S),
    }


def _started(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def two_web_processes(environment: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``tongxin serve --workers 2`` with no solver of its own."""
    port = free_port()
    log = tmp_path / "serve.log"
    command = [str(TONGXIN), "serve", "--port", str(port), "--workers", "2", "--no-migrate"]
    server = _started([*command, "--no-embedded-worker"], environment, log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while log.read_text().count("Application startup complete") < 2:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield base, log
    finally:
        _stop(server)


def test_web_processes_queue_and_the_scheduler_process_solves(
    postgres_world: World,
    coordinator_password: str,
    environment: dict[str, str],
    two_web_processes: tuple[str, Path],
    tmp_path: Path,
) -> None:
    base, serve_log = two_web_processes
    assert "排班 solves: 由 tongxin scheduler 进程计算" in serve_log.read_text()
    api = f"{base}/api/v1"
    with httpx.Client(timeout=30) as http:
        token = http.post(
            f"{api}/auth/token",
            data={"username": "coordinator", "password": coordinator_password},
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        solve = f"{api}/communities/{postgres_world.community_id}/weeks/{MONDAY}/solve"
        started = http.post(solve, params={"time_limit_s": 1}, headers=headers)
        assert started.status_code == 202, started.text
        assert (started.json()["status"], started.json()["progress"]) == ("queued", 0.0)
        run_url = f"{base}{started.json()['poll']}"
        # no web process solves it: it waits for the worker process
        time.sleep(1.5)
        assert http.get(run_url, headers=headers).json()["status"] == "queued"
        assert http.post(solve, headers=headers).status_code == 409
        scheduler = _started(
            [str(TONGXIN), "scheduler", "--no-migrate"], environment, tmp_path / "scheduler.log"
        )
        try:
            deadline = time.monotonic() + 90
            while (run := http.get(run_url, headers=headers).json())["status"] in (
                "queued",
                "solving",
            ):
                assert scheduler.poll() is None, (tmp_path / "scheduler.log").read_text()
                assert time.monotonic() < deadline, run
                time.sleep(0.2)
        finally:
            _stop(scheduler)
    assert run["status"] == "draft", run
    assert run["progress"] == 1.0 and run["assignments"]
    assert run["status_zh"] == "草稿"
