"""Engines, sessions and migrations.

A SQLite file is the default (``sqlite:///tongxin.db``), so one community runs with no database
server; ``TONGXIN_DATABASE_URL`` points at PostgreSQL for a street or a city, e.g.
``postgresql+psycopg://tongxin@db.example/tongxin``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine, Table, create_engine, event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from models import crypto
from models.base import Base

if TYPE_CHECKING:
    import psycopg
    from alembic.config import Config

DATABASE_URL_ENV = "TONGXIN_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///tongxin.db"
MIGRATIONS = Path(__file__).with_name("migrations")
#: how long a SQLite writer waits for another writer before giving up
SQLITE_BUSY_TIMEOUT_MS = 5000
#: execution option: on SQLite, begin transactions holding the write lock (BEGIN IMMEDIATE)
WRITE_LOCK_AT_BEGIN = "tongxin_write_lock_at_begin"


def database_url(url: str | None = None) -> str:
    """The URL given, else ``TONGXIN_DATABASE_URL``, else the SQLite file ``tongxin.db``."""
    return url or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL


def pool_options(url: str | None, connections: int, wait_seconds: float) -> dict[str, Any]:
    """Engine options for ``connections`` threads each holding a connection, waiting at most
    ``wait_seconds`` for one (PostgreSQL's pool) or for SQLite's write lock."""
    if make_url(database_url(url)).get_backend_name() == "postgresql":
        return {"pool_size": connections, "max_overflow": 0, "pool_timeout": wait_seconds}
    return {"connect_args": {"timeout": wait_seconds}}


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (see ``database_url``), set up for its database.

    Fails at once if private fields could not be encrypted (no secret key in production).
    """
    crypto.require_key()
    resolved = database_url(url)
    backend = make_url(resolved).get_backend_name()
    engine = create_engine(resolved, **kwargs)
    if backend == "postgresql" and not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    if backend == "sqlite":
        timeout_s = kwargs.get("connect_args", {}).get("timeout")
        _configure_sqlite(
            engine, int(timeout_s * 1000) if timeout_s is not None else SQLITE_BUSY_TIMEOUT_MS
        )
    return engine


#: a pooled connection unused this long is tried before it is handed out (the server may have
#: dropped it: a restart, an idle time-out); one used more recently is handed out as it is
PING_AFTER_IDLE_S = 10.0
_LAST_USED = "tongxin_last_used"


def _ping_when_idle(engine: Engine) -> None:
    """Try a pooled connection before use only when it has been idle: SQLAlchemy's
    ``pool_pre_ping`` tries every one, a round trip to the server on every request."""

    @event.listens_for(engine, "checkin")
    def _note_use(_dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _try_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_LAST_USED)
        if last is None or time.monotonic() - last < PING_AFTER_IDLE_S:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:
            # the pool throws this connection away and hands out a fresh one
            raise DisconnectionError(str(exc)) from exc


def _configure_sqlite(engine: Engine, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    """Foreign keys on, write-ahead log, and real transactions.

    The ``sqlite3`` driver of Python < 3.12 neither starts a transaction before a SELECT nor
    keeps SAVEPOINTs inside one; SQLAlchemy's documented remedy is to switch the driver's own
    handling off and emit BEGIN ourselves. WAL lets readers go on while one writer writes.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE_LOCK_AT_BEGIN)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_session_factory(
    engine: Engine, *, write_lock_at_begin: bool = False, reading: bool = False
) -> sessionmaker[Session]:
    """Sessions that keep loaded rows usable after commit (a response is built after it).

    ``write_lock_at_begin`` is for callers that run side by side and read before they write
    (the web app's requests, the scheduler's jobs). On SQLite a transaction that has read cannot
    write once another has committed since it began ("database is locked", with no wait); taking
    the write lock at BEGIN makes them wait their turn for up to ``SQLITE_BUSY_TIMEOUT_MS``
    instead. Readers in other connections are not held up (write-ahead log). PostgreSQL has row
    locks and ignores it.

    ``reading`` is for sessions that only read (the web app's GET requests): on PostgreSQL
    their statements run without BEGIN and COMMIT, two round trips fewer for a request that
    reads twice. At PostgreSQL's READ COMMITTED level each statement of a transaction sees
    what was committed when it began, as a statement on its own does, so nothing a reader sees
    changes.
    """
    bind = engine
    if write_lock_at_begin and engine.dialect.name == "sqlite":
        bind = engine.execution_options(**{WRITE_LOCK_AT_BEGIN: True})
    if reading and engine.dialect.name == "postgresql":
        bind = engine.execution_options(isolation_level="AUTOCOMMIT")
    return sessionmaker(bind=bind, expire_on_commit=False)


@cache
def _default_factory() -> sessionmaker[Session]:
    return make_session_factory(make_engine())


@contextmanager
def session_scope(factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """One unit of work: commit if the block ends normally, roll back if it raises."""
    session = (factory or _default_factory())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_ignoring_duplicates(
    session: Session, model: type[Base], rows: list[dict[str, Any]], index_elements: list[str]
) -> None:
    """INSERT … ON CONFLICT (``index_elements``) DO NOTHING, on the two databases we support:
    rows a concurrent writer (or an earlier run) already made are skipped by the database."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:
        raise NotImplementedError(f"Tongxin runs on SQLite or PostgreSQL, not {dialect}")
    session.execute(insert(model).on_conflict_do_nothing(index_elements=index_elements), rows)


def bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows of the same columns into ``table``, in the session's transaction.

    On PostgreSQL by ``COPY``, each value through its column's type as an INSERT would send it
    (encrypted fields encrypted): a city's people have hundreds of thousands of free times and
    skills, and psycopg's ``executemany`` costs about 80 µs a row. Columns left out get their
    server default, or their scalar default; a table whose left-out column has a default made
    in Python per row goes by ``executemany``, as on SQLite.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect
    names = list(rows[0])
    left_out = [c for c in table.c if c.name not in names and c.default is not None]
    if dialect.name != "postgresql" or any(not c.default.is_scalar for c in left_out):  # type: ignore[union-attr]
        session.execute(insert(table), rows)
        return
    fixed = {c.name: c.default.arg for c in left_out}  # type: ignore[union-attr]
    columns = [*names, *fixed]
    processors = [table.c[name].type.bind_processor(dialect) for name in columns]
    quote = dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    raw = cast("psycopg.Connection[Any]", session.connection().connection.dbapi_connection)
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [*(row[name] for name in names), *fixed.values()]
            copy.write_row(
                [
                    value if process is None else process(value)
                    for value, process in zip(values, processors, strict=True)
                ]
            )


def insert_returning_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """INSERT many rows into ``table``: their new ids, in the rows' order.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows go as one
    statement repeated (psycopg pipelines it): ``INSERT … RETURNING`` of thousands of rows is
    sent as statements of tens of thousands of parameters, which psycopg parses anew for every
    batch, and that was the slowest step of loading a city. SQLite returns them as it inserts.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": len(rows)},
            )
        )
        session.execute(
            insert(table), [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)]
        )
        return ids
    returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.scalars(returning, rows))


def create_all(engine: Engine) -> None:
    """Create every table from the models directly; for tests. Deployments use ``upgrade``."""
    import models  # noqa: F401  (registers every table on Base.metadata)

    Base.metadata.create_all(engine)


def alembic_config() -> Config:
    """An Alembic ``Config`` for the migrations shipped inside this package."""
    from alembic.config import Config

    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(target: str | Engine | None = None, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` on a URL (default as ``make_engine``) or engine."""
    from alembic import command

    engine = target if isinstance(target, Engine) else make_engine(target)
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if not isinstance(target, Engine):
            engine.dispose()
