"""Queued solves in tests: the test client's app has no worker process, so a test solves the
run the API queued itself, here and now, as the worker would."""

from __future__ import annotations

from typing import cast

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.services.scheduling import wait_for_solve
from models import ScheduleRun


def solve_queued(client: TestClient, run_id: int, *, timeout: float = 60) -> ScheduleRun:
    """Solve the queued run ``run_id`` on the client's database; the run as it ended."""
    app = cast(FastAPI, client.app)
    return wait_for_solve(run_id, session_factory=app.state.session_factory, timeout=timeout)
