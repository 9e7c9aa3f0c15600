"""Solving over HTTP with the queue: the route only queues, a second solve of the week waits
its turn (409), and a run whose worker stopped gives the week back at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api.services.scheduling import INTERRUPTED, claim_run
from models import Community, ScheduleRun, UserRole
from models.base import utcnow
from tests.support.solve_queue import solve_queued

API = "/api/v1"
WEEK = "2026-03-02"
QUICK = {"time_limit_s": 2}


def factory_of(client: TestClient) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = cast(FastAPI, client.app).state.session_factory
    return factory


def test_a_solve_is_queued_and_a_stopped_worker_gives_the_week_back(
    client: TestClient, make_user: Any, auth_headers: Any, demo_community: Community
) -> None:
    headers = auth_headers(make_user(UserRole.COORDINATOR, community=demo_community))
    solve = f"{API}/communities/{demo_community.id}/weeks/{WEEK}/solve"

    started = client.post(solve, params=QUICK, headers=headers)
    assert started.status_code == 202, started.text
    queued = started.json()
    assert (queued["status"], queued["progress"]) == ("queued", 0.0)
    run = client.get(f"{API}/runs/{queued['run_id']}", headers=headers).json()
    assert (run["status"], run["status_zh"]) == ("queued", "排队中")

    busy = client.post(solve, params=QUICK, headers=headers)
    assert busy.status_code == 409
    assert "排队" in busy.json()["detail"]
    english = client.post(solve, params=QUICK, headers={**headers, "Accept-Language": "en"})
    assert "waiting to be solved" in english.json()["detail"]

    # a worker takes it, then stops without a word: its lease runs out
    with factory_of(client)() as session:
        assert claim_run(session=session, lease=timedelta(minutes=5)) is not None
    assert client.get(f"{API}/runs/{queued['run_id']}", headers=headers).json()["status"] == (
        "solving"
    )
    assert client.post(solve, params=QUICK, headers=headers).status_code == 409
    with factory_of(client)() as session:
        session.execute(
            sa.update(ScheduleRun)
            .where(ScheduleRun.id == queued["run_id"])
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )
        session.commit()

    again = client.post(solve, params=QUICK, headers=headers)
    assert again.status_code == 202, again.text
    failed = client.get(f"{API}/runs/{queued['run_id']}", headers=headers).json()
    assert failed["status"] == "failed"
    assert failed["failure_reason"] == f"{INTERRUPTED[0]} ({INTERRUPTED[1]})"
    assert solve_queued(client, again.json()["run_id"]).status == "draft"
