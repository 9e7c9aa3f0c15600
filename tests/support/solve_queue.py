"""Queued solves in tests: the test client's app has no worker process, so a test solves the
run the API queued itself, here and now, as the worker would."""

from __future__ import annotations

from datetime import date
from typing import cast

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.services.scheduling import queue_solve, wait_for_solve
from models import ScheduleRun
from tests.support.jobs_helpers import TIME_LIMIT_S, World

#: the week the job tests' community (红光) plans
MONDAY = date(2026, 3, 2)


def solve_queued(client: TestClient, run_id: int, *, timeout: float = 60) -> ScheduleRun:
    """Solve the queued run ``run_id`` on the client's database; the run as it ended."""
    app = cast(FastAPI, client.app)
    return wait_for_solve(run_id, session_factory=app.state.session_factory, timeout=timeout)


def queue(world: World, week_start: date = MONDAY, time_limit_s: float = TIME_LIMIT_S) -> int:
    """Queue a solve of the world's community, as a coordinator's request does; the run id."""
    with world.factory() as session:
        return queue_solve(
            session=session,
            community_id=world.community_id,
            week_start=week_start,
            actor=None,
            time_limit_s=time_limit_s,
        ).id


def run_of(world: World, run_id: int) -> ScheduleRun:
    """The run as the database holds it now."""
    with world.factory() as session:
        run = session.get(ScheduleRun, run_id)
        assert run is not None
        return run
