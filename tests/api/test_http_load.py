"""Under load: reads never wait for writers, a busy server answers 503 with Retry-After (never
500), and what a request did not finish it did not write. The figures are bench/load.py's."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator

import anyio.to_thread
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from api.services.problem import build_problem
from api.web import errors
from api.web.app import create_app
from models import Person, UserAccount
from models.crypto import blind_index
from tests.api.conftest import TEST_SETTINGS
from tests.support.http_world import WEEK, World, registration

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


def _gated_app(
    inside: int, max_waiting: int, wait_seconds: float
) -> tuple[FastAPI, threading.Event]:
    app = FastAPI()
    release = threading.Event()

    @app.get("/slow")
    def slow() -> str:
        release.wait(20)
        return "done"

    app.add_middleware(
        errors.Admission, inside=inside, max_waiting=max_waiting, wait_seconds=wait_seconds
    )
    return app, release


def _in_parallel(client: TestClient, path: str, count: int) -> list[int]:
    answers: list[int] = []
    threads = [
        threading.Thread(target=lambda: answers.append(client.get(path).status_code))
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    return_after = time.monotonic() + 30
    for thread in threads:
        thread.join(max(0.0, return_after - time.monotonic()))
    return answers


def _admitted(app: FastAPI) -> errors.Admission:
    layer = app.middleware_stack
    while layer is not None and not isinstance(layer, errors.Admission):
        layer = getattr(layer, "app", None)
    assert isinstance(layer, errors.Admission)
    return layer


def test_requests_beyond_those_inside_wait_their_turn_and_are_served() -> None:
    app, release = _gated_app(inside=1, max_waiting=10, wait_seconds=20)
    with TestClient(app) as client:
        timer = threading.Timer(0.5, release.set)
        timer.start()
        answers = _in_parallel(client, "/slow", 4)
        assert answers == [200, 200, 200, 200]
        gate = _admitted(app)
        assert (gate.admitted, len(gate.waiting)) == (0, 0)


def test_a_request_that_waited_too_long_is_503_and_its_turn_is_not_lost() -> None:
    app, release = _gated_app(inside=1, max_waiting=10, wait_seconds=0.3)
    with TestClient(app) as client:
        timer = threading.Timer(1.5, release.set)
        timer.start()
        answers = _in_parallel(client, "/slow", 3)
        assert sorted(answers) == [200, 503, 503]
        # the slot is free again: the next request goes straight in
        assert client.get("/slow").status_code == 200
        gate = _admitted(app)
        assert (gate.admitted, len(gate.waiting)) == (0, 0)


def test_requests_beyond_the_waiting_limit_are_503_at_once() -> None:
    app, release = _gated_app(inside=1, max_waiting=0, wait_seconds=20)
    with TestClient(app) as client:
        first: list[int] = []
        inside = threading.Thread(target=lambda: first.append(client.get("/slow").status_code))
        inside.start()
        deadline = time.monotonic() + 10
        # the middleware stack is built by the first request: wait for it to be inside
        while (
            app.middleware_stack is None or _admitted(app).admitted < 1
        ) and time.monotonic() < deadline:
            time.sleep(0.01)
        began = time.monotonic()
        refused = client.get("/slow")
        waited = time.monotonic() - began
        english = client.get("/slow", headers={"Accept-Language": "en"})
        release.set()
        inside.join(10)
    assert refused.status_code == 503
    assert refused.headers["retry-after"]
    assert (english.status_code, english.headers["retry-after"]) == (
        503,
        refused.headers["retry-after"],
    )
    assert english.json()["detail"] != refused.json()["detail"]  # in the caller's language
    assert waited < 5  # at once: not after the 20 s a waiting request would be given
    assert first == [200]


def _set_threads(count: int) -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = count


def _pooled_app(admitted: bool) -> FastAPI:
    """A session dependency that takes one of four connections, and a handler that needs a
    thread of its own after it."""
    app = FastAPI()
    pool = threading.BoundedSemaphore(4)

    def connection() -> Iterator[None]:
        if not pool.acquire(timeout=2):
            raise PoolTimeout("QueuePool limit of size 4 overflow 0 reached")
        try:
            yield
        finally:
            pool.release()

    @app.get("/read", dependencies=[Depends(connection, scope="function")])
    def read() -> str:
        time.sleep(0.05)
        return "ok"

    errors.install(app)
    if admitted:
        app.add_middleware(errors.Admission, inside=4, max_waiting=100, wait_seconds=20)
    return app


def test_requests_holding_a_connection_never_wait_for_a_thread() -> None:
    """Four request threads and four connections. Without admission, twelve requests at once
    take all four threads waiting for connections, and the four holding them never get a
    thread back: they time out."""
    results: dict[bool, list[int]] = {}
    for admitted in (False, True):
        with TestClient(_pooled_app(admitted)) as client:
            client.portal.call(_set_threads, 4)  # type: ignore[union-attr]
            results[admitted] = _in_parallel(client, "/read", 12)
    assert results[True] == [200] * 12
    assert 503 in results[False]


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


def test_a_write_past_its_deadline_is_undone_and_answered_503(
    world: World, db_engine: Engine, db: Session
) -> None:
    """A client that stopped waiting must not find its registration made behind its back."""
    body = registration(world)
    late = TEST_SETTINGS.model_copy(update={"request_deadline_seconds": 1e-6})
    with TestClient(create_app(late, engine=db_engine)) as slow_server:
        refused = slow_server.post("/api/v1/registrations", json=body)
        read = slow_server.get("/api/v1/communities")
    assert refused.status_code == 503
    assert refused.headers["retry-after"]
    assert read.status_code == 200  # reads write nothing: no deadline
    assert (
        db.scalars(
            select(UserAccount).where(UserAccount.login_phone_key == blind_index("13812345678"))
        ).all()
        == []
    )
    with TestClient(create_app(TEST_SETTINGS, engine=db_engine)) as server:
        assert server.post("/api/v1/registrations", json=body).status_code == 201
