"""Isolated databases for tests: a SQLite file, or a PostgreSQL schema of its own.

Both are private to one test process, so the pytest-xdist workers of ``make test`` never share
one: the SQLite file is in the worker's own temporary directory, and the schema is named
``t_<worker>_<random>``.

An empty database with every table (``Backend.database``) is on SQLite a copy of one file made
once per run, and on PostgreSQL a schema emptied by the test before (``TRUNCATE … RESTART
IDENTITY``: no rows, every id counting from 1 again, as in a new schema) or, when none is
free, a new one. Building the tables of a schema costs ten times more than emptying them, and
a thousand tests start from an empty database.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from models.base import Base
from models.db import create_all, make_engine

POSTGRES_URL_ENV = "TONGXIN_TEST_POSTGRES_URL"


def worker() -> str:
    """The pytest-xdist worker running this test (``gw0``, ``gw1``, …), or ``main`` without
    xdist: it starts each schema's name, so a schema left behind names the process that made it."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_URL_ENV) else ["sqlite"]


class Backend:
    """Makes empty, isolated databases of one kind and removes them afterwards."""

    def __init__(self, name: str, directory: Path):
        self.name = name
        self.directory = directory
        self.engines: list[Engine] = []
        self.schemas: list[str] = []
        self._sqlite_tables: Path | None = None
        #: PostgreSQL schemas with every table, emptied, waiting for the next test
        self._emptied: list[str] = []
        self._schema_of: dict[Engine, str] = {}
        self._admin: Engine | None = None

    @contextmanager
    def database(self) -> Iterator[Engine]:
        """An isolated database with every table and no rows, for one test; emptied for the
        next one afterwards (PostgreSQL) or deleted (SQLite)."""
        engine = self.new_database()
        try:
            yield engine
        finally:
            self.release(engine)

    def new_database(self) -> Engine:
        """An isolated database with every table (``create_all``), as for a new deployment.

        On SQLite a copy of one such file made once per run: the same tables, without running
        every ``CREATE`` again for each of the thousand tests that start from an empty database.
        On PostgreSQL a schema another test emptied (``release``) when there is one.
        """
        if self.name != "sqlite":
            if self._emptied:
                engine = self._engine_on(self._emptied.pop())
            else:
                engine = self.new_engine()
                create_all(engine)
            return engine
        if self._sqlite_tables is None:
            template = self.new_engine()
            create_all(template)
            template.dispose()  # the last connection closed: the file holds every table
            self.engines.remove(template)
            self._sqlite_tables = Path(str(template.url.database))
        path = self.directory / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(self._sqlite_tables, path)
        engine = make_engine(f"sqlite:///{path}")
        self.engines.append(engine)
        return engine

    def new_engine(self) -> Engine:
        if self.name == "sqlite":
            path = self.directory / f"{uuid.uuid4().hex}.db"
            engine = make_engine(f"sqlite:///{path}")
        else:
            schema = f"t_{worker()}_{uuid.uuid4().hex[:12]}"
            with self.admin().begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            self.schemas.append(schema)
            return self._engine_on(schema)
        self.engines.append(engine)
        return engine

    def _engine_on(self, schema: str) -> Engine:
        url = os.environ[POSTGRES_URL_ENV]
        # a commit returns before its record is on disk: a test never survives a power cut, and
        # the thousands of commits of a run wait half as long
        options = f"-csearch_path={schema} -csynchronous_commit=off"
        engine = make_engine(url, connect_args={"options": options})
        self._schema_of[engine] = schema
        self.engines.append(engine)
        return engine

    def admin(self) -> Engine:
        """A connection pool outside the test schemas, to make, empty and drop them."""
        if self._admin is None:
            self._admin = make_engine(os.environ[POSTGRES_URL_ENV])
        return self._admin

    def release(self, engine: Engine) -> None:
        """Close a database made by ``new_database``: a PostgreSQL schema is emptied for the
        next test, a SQLite file deleted. A schema that cannot be emptied at once (a connection
        the test left open still holds a lock) is left to ``close``, which drops it."""
        engine.dispose()
        self.engines.remove(engine)
        if self.name == "sqlite":
            Path(str(engine.url.database)).unlink(missing_ok=True)
            return
        schema = self._schema_of.pop(engine)
        try:
            with self.admin().begin() as connection:
                sequences = connection.scalars(
                    text("SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"),
                    {"schema": schema},
                )
                connection.execute(text(_emptying(schema, list(sequences))))
        except DBAPIError:
            return
        self._emptied.append(schema)

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if self.schemas:
            # one transaction per schema: dropping them all at once runs out of lock slots
            for schema in self.schemas:
                with self.admin().begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if self._admin is not None:
            self._admin.dispose()


def _emptying(schema: str, sequences: list[str]) -> str:
    """Statements that empty a schema's tables and start its ids at 1 again.

    ``DELETE`` from the last table to the first (children before parents), not ``TRUNCATE``:
    a test leaves a few rows in a few tables, and ``TRUNCATE`` gives each of the 44 tables new
    files whether it held rows or not (seconds on a busy machine, against milliseconds).
    """
    statements = ["SET LOCAL lock_timeout = '2s'"]
    statements += [
        f'DELETE FROM "{schema}"."{table.name}"' for table in reversed(Base.metadata.sorted_tables)
    ]
    statements += [f'ALTER SEQUENCE "{schema}"."{name}" RESTART' for name in sequences]
    return ";\n".join(statements)
