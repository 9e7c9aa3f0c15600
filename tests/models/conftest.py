"""Database fixtures: every test here runs on SQLite, and on PostgreSQL too when
``TONGXIN_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it when one answers).

Each database is private to the test process: SQLite a file in a temporary directory,
PostgreSQL a fresh schema ``t_<worker>_<random>`` on the search path, dropped at the end, so
parallel runs never see each other's rows. Each test runs in a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import create_all
from tests.support.isolated_databases import Backend, backends


@pytest.fixture(scope="session", params=backends())
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    made = Backend(request.param, tmp_path_factory.mktemp(request.param))
    yield made
    made.close()


@pytest.fixture(scope="session")
def engine(backend: Backend) -> Engine:
    """A database with every table, shared by the tests of one backend."""
    made = backend.new_engine()
    create_all(made)
    return made


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, commits included.

    ``session.commit()`` inside a test releases a savepoint, so constraint errors can be
    provoked, rolled back and the test can go on.
    """
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()
