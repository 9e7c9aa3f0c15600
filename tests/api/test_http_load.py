"""Under load: reads never wait for writers, a busy server answers 503 with Retry-After (never
500), and what a request did not finish it did not write. The figures are bench/load.py's."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from api.services.problem import build_problem
from api.web import errors
from models import Person
from tests.support.http_world import WEEK, World

Headers = Callable[[str], dict[str, str]]


def _busy_app(error: Exception) -> TestClient:
    app = FastAPI()
    errors.install(app)

    @app.get("/busy")
    def busy() -> None:
        raise error

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked")),
        PoolTimeout("QueuePool limit of size 20 overflow 0 reached"),
    ],
    ids=["sqlite-locked", "pool-exhausted"],
)
def test_a_busy_database_is_a_503_with_retry_after(error: Exception) -> None:
    response = _busy_app(error).get("/busy", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert "try again" in response.json()["detail"]


def test_another_database_error_is_not_called_busy() -> None:
    broken = OperationalError("SELECT …", {}, sqlite3.OperationalError("no such table: person"))
    assert _busy_app(broken).get("/busy").status_code == 500


def test_requests_beyond_the_waiting_limit_are_503_at_once() -> None:
    app = FastAPI()
    started, release = threading.Event(), threading.Event()

    @app.get("/slow")
    def slow() -> str:
        started.set()
        release.wait(10)
        return "done"

    app.add_middleware(errors.WaitingLimit, max_waiting=1)
    client = TestClient(app)
    first: list[int] = []
    waiting = threading.Thread(target=lambda: first.append(client.get("/slow").status_code))
    waiting.start()
    assert started.wait(10)
    refused = client.get("/slow")
    release.set()
    waiting.join(10)
    assert refused.status_code == 503
    assert refused.headers["retry-after"]
    assert first == [200]


def test_reads_do_not_wait_for_a_writer_on_sqlite(
    client: TestClient, world: World, as_role: Headers, db_engine: Engine
) -> None:
    if db_engine.dialect.name != "sqlite":
        pytest.skip("the write lock taken at BEGIN is SQLite's; PostgreSQL locks rows")
    database = db_engine.url.database
    assert database is not None
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        began = time.monotonic()
        read = client.get("/api/v1/me", headers=as_role("coordinator_a"))
        waited = time.monotonic() - began
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert read.status_code == 200
    # a read that waited for the lock would have waited for it to be given up
    assert waited < 5


def test_a_pending_registration_is_never_scheduled(
    client: TestClient, world: World, as_role: Headers, db: Session
) -> None:
    person = db.get(Person, world["person_a1"])
    assert person is not None
    person.pending = True
    db.commit()
    problem, _ = build_problem(
        session=db, community_id=world["community_a"], week_start=WEEK, previous_run_id=None
    )
    assert f"{person.id}" not in {p.id for p in problem.people}
    person.pending = False
    db.commit()
    problem, _ = build_problem(
        session=db, community_id=world["community_a"], week_start=WEEK, previous_run_id=None
    )
    assert f"{person.id}" in {p.id for p in problem.people}
