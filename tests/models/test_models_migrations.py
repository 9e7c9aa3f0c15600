"""The shipped migrations build exactly the schema the models describe."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from models import Base
from models.db import alembic_config, upgrade
from tests.support.isolated_databases import Backend


def schema(engine: sa.Engine) -> dict[str, dict[str, Any]]:
    """Tables with their column, index and constraint names, as the database reports them."""
    inspector = sa.inspect(engine)
    found: dict[str, dict[str, Any]] = {}
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        found[table] = {
            "columns": sorted(c["name"] for c in inspector.get_columns(table)),
            "indexes": sorted((i["name"], bool(i["unique"])) for i in inspector.get_indexes(table)),
            "unique": sorted(str(u["name"]) for u in inspector.get_unique_constraints(table)),
            "foreign_keys": sorted(str(f["name"]) for f in inspector.get_foreign_keys(table)),
            "checks": sorted(str(c["name"]) for c in inspector.get_check_constraints(table)),
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
        }
    return found


@pytest.fixture
def migrated(backend: Backend) -> sa.Engine:
    engine = backend.new_engine()
    upgrade(engine)
    return engine


@pytest.fixture
def created(backend: Backend) -> sa.Engine:
    engine = backend.new_engine()
    Base.metadata.create_all(engine)
    return engine


def test_migrations_give_the_tables_and_columns_of_the_models(migrated: sa.Engine) -> None:
    tables = schema(migrated)
    assert set(tables) == set(Base.metadata.tables)
    for name, table in Base.metadata.tables.items():
        assert tables[name]["columns"] == sorted(c.name for c in table.columns), name


def test_migrations_and_create_all_agree_on_every_name(
    migrated: sa.Engine, created: sa.Engine
) -> None:
    assert schema(migrated) == schema(created)


def test_nothing_left_to_autogenerate(migrated: sa.Engine) -> None:
    with migrated.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_the_partial_unique_indexes_exist(migrated: sa.Engine) -> None:
    indexes = {i["name"]: i for i in sa.inspect(migrated).get_indexes("schedule_run")}
    for name in ("uq_schedule_run_published", "uq_schedule_run_draft"):
        assert indexes[name]["unique"]
        assert indexes[name]["column_names"] == ["community_id", "week_start"]


def test_one_head_and_downgrade_to_nothing(migrated: sa.Engine) -> None:
    config = alembic_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
    with migrated.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(sa.inspect(migrated).get_table_names()) <= {"alembic_version"}
