"""Alembic environment: migrations against ``models.Base.metadata``.

The database comes from the connection ``models.db.upgrade`` hands over, else from
``TONGXIN_DATABASE_URL`` (default the SQLite file), through ``models.db.make_engine`` so that
SQLite gets its pragmas and a PostgreSQL URL its driver settings.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

import models
from models.db import database_url, make_engine

config = context.config
target_metadata = models.Base.metadata


def render_item(type_: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as the plain types the database sees.

    ``EncryptedString`` is TEXT and ``UTCDateTime`` is a timestamp with time zone; writing them
    so keeps migrations independent of the Python classes, which may move or change.
    """
    if type_ == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl_instance!r}"
    return False


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """Leave out the scheduler's job table: APScheduler creates and owns it."""
    return not (type_ == "table" and name == "apscheduler_job")


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=render_item,
        include_name=include_name,
        # SQLite cannot ALTER most things; batch mode copies the table instead
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        render_item=render_item,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine()
    try:
        with engine.connect() as owned:
            _configure(owned)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
