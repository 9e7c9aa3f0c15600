"""The solve queue's migration (41c309c213ac) on a database with runs in it: a run the old
in-process solver left ``solving`` is failed with its reason, the week is free again, and one
solve of a week at a time is held by the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from models.db import alembic_config, upgrade
from tests.support.isolated_databases import Backend

BEFORE = "d75bd45a5a52"
QUEUE = "41c309c213ac"


PARENTS = (
    "INSERT INTO street (id, name, district) VALUES (1, '红光街道', '梅江区')",
    "INSERT INTO community (id, street_id, name, timezone, auto_publish, weekly_run_weekday,"
    " weekly_run_minute, quarter_minimum, radius_m) VALUES (1, 1, '红光社区', 'Asia/Shanghai',"
    " false, 4, 1200, 0, 1500)",
)
RUN = (
    "INSERT INTO schedule_run (id, community_id, week_start, status, breakdown, unfilled,"
    " progress, version, created_at, updated_at) VALUES ({id}, 1, '2026-03-02', '{status}',"
    " '{{}}', '[]', 0, 1, '2026-03-01 10:00:00', '2026-03-01 10:00:00')"
)


def insert_run(engine: sa.Engine, run_id: int, status: str) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(RUN.format(id=run_id, status=status))


def test_a_run_left_solving_is_failed_by_the_upgrade_and_back(backend: Backend) -> None:
    engine = backend.new_engine()
    upgrade(engine, BEFORE)
    with engine.begin() as connection:
        for statement in PARENTS:
            connection.exec_driver_sql(statement)
    insert_run(engine, 1, "solving")
    insert_run(engine, 2, "draft")
    upgrade(engine, QUEUE)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, status, failure_reason FROM schedule_run ORDER BY id")
        ).all()
    assert [(row.id, row.status) for row in rows] == [(1, "failed"), (2, "draft")]
    assert "升级" in rows[0].failure_reason and "upgrade" in rows[0].failure_reason
    # the week takes a new solve; a second one of it at the same time is refused
    insert_run(engine, 3, "queued")
    with pytest.raises(sa.exc.IntegrityError):
        insert_run(engine, 4, "queued")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
    with engine.connect() as connection:
        statuses = connection.execute(sa.text("SELECT status FROM schedule_run ORDER BY id"))
        assert list(statuses.scalars()) == ["failed", "draft", "failed"]
    engine.dispose()
