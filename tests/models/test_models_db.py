"""Engines and sessions: the SQLite defaults and the unit of work."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Street
from models import db as db_module
from models.db import (
    DATABASE_URL_ENV,
    create_all,
    database_url,
    make_engine,
    make_session_factory,
    session_scope,
)
from tests.support.isolated_databases import POSTGRES_URL_ENV, backends


def test_database_url_defaults_to_a_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    assert database_url() == "sqlite:///tongxin.db"
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql+psycopg://tongxin@db/tongxin")
    assert database_url() == "postgresql+psycopg://tongxin@db/tongxin"
    assert database_url("sqlite:///other.db") == "sqlite:///other.db"


def test_sqlite_has_foreign_keys_and_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_session_scope_commits_or_rolls_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    create_all(engine)
    factory = make_session_factory(engine)

    with session_scope(factory) as session:
        session.add(Street(name="江南街道"))
    with pytest.raises(RuntimeError), session_scope(factory) as session:
        session.add(Street(name="江北街道"))
        session.flush()
        raise RuntimeError("half-way")

    with Session(engine) as session:
        assert session.scalars(sa.select(Street.name)).all() == ["江南街道"]
    engine.dispose()


def test_savepoints_roll_back_inside_a_transaction(tmp_path: Path) -> None:
    """The driver's own transaction handling is off, so a SAVEPOINT really nests."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    create_all(engine)
    with Session(engine) as session:
        session.add(Street(name="江南街道"))
        nested = session.begin_nested()
        session.add(Street(name="江北街道"))
        session.flush()
        nested.rollback()
        session.commit()
        assert session.scalars(sa.select(Street.name)).all() == ["江南街道"]
    engine.dispose()


@pytest.mark.parametrize("write_lock_at_begin", [False, True])
def test_a_reader_that_writes_after_another_writer(
    tmp_path: Path, write_lock_at_begin: bool
) -> None:
    """A request's shape: read, then write, while another request writes in between."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    create_all(engine)
    factory = make_session_factory(engine, write_lock_at_begin=write_lock_at_begin)
    failures: list[BaseException] = []

    def other() -> None:
        try:
            with factory() as session:
                session.add(Street(name="另一个"))
                session.commit()
        except BaseException as error:
            failures.append(error)

    refused: sa.exc.OperationalError | None = None
    with factory() as session:
        session.scalars(sa.select(Street)).all()  # begun, and read
        writer = threading.Thread(target=other)
        writer.start()
        writer.join(timeout=1.0)  # without the lock it commits now; with it, it waits for us
        session.add(Street(name="先读后写"))
        try:
            session.commit()
        except sa.exc.OperationalError as error:
            refused = error
    writer.join(timeout=10)
    assert failures == []
    with factory() as session:
        names = set(session.scalars(sa.select(Street.name)))
    engine.dispose()
    if write_lock_at_begin:
        assert refused is None
        assert names == {"另一个", "先读后写"}
    else:  # what the web app met before: the reader can no longer write, and does not wait
        assert refused is not None and "locked" in str(refused)
        assert names == {"另一个"}


POSTGRES = [name for name in backends() if name == "postgresql"]


@pytest.mark.parametrize("backend", POSTGRES)
def test_a_connection_the_server_dropped_while_idle_is_replaced(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pooled connection idle for a while is tried before use, so a request after a server
    restart or an idle time-out gets a fresh connection; one used just now is not tried (that
    round trip would cost every request)."""
    engine = make_engine(os.environ[POSTGRES_URL_ENV], pool_size=1, max_overflow=0)
    admin = make_engine(os.environ[POSTGRES_URL_ENV])

    def drop_the_pooled_connection() -> int:
        with engine.connect() as connection:
            pid = int(connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())
        with admin.begin() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return pid

    try:
        # used just now: handed out untried, and the dropped connection fails
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 3600.0)
        drop_the_pooled_connection()
        with pytest.raises(sa.exc.OperationalError), engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        # idle past the limit: tried, thrown away, and a fresh one answers
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 0.0)
        dropped = drop_the_pooled_connection()
        with engine.connect() as connection:
            pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        assert pid != dropped
    finally:
        engine.dispose()
        admin.dispose()
