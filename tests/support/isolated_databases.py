"""Isolated databases for tests: a SQLite file, or a fresh PostgreSQL schema.

Both are private to one test process, so the pytest-xdist workers of ``make test`` never share
one: the SQLite file is in the worker's own temporary directory, and the schema is named
``t_<worker>_<random>``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import Engine, text

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

    def new_database(self) -> Engine:
        """An isolated database with every table (``create_all``), as for a new deployment.

        On SQLite a copy of one such file made once per run: the same tables, without running
        every ``CREATE`` again for each of the thousand tests that start from an empty database.
        """
        if self.name != "sqlite":
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
            url = os.environ[POSTGRES_URL_ENV]
            schema = f"t_{worker()}_{uuid.uuid4().hex[:12]}"
            admin = make_engine(url)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            self.schemas.append(schema)
            engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        self.engines.append(engine)
        return engine

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if self.schemas:
            admin = make_engine(os.environ[POSTGRES_URL_ENV])
            # one transaction per schema: dropping them all at once runs out of lock slots
            for schema in self.schemas:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
