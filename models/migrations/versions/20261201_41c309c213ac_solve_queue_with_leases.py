"""solve queue with leases

A coordinator's solve is written ``queued`` with what it asks for (``time_limit_s``,
``previous_run_id``) and solved by a worker process, which claims it (``worker``) and renews
``lease_until`` while it solves. A ``solving`` run whose lease has passed is failed.

At most one run of a week is queued or solving (``uq_schedule_run_live``). Runs left
``solving`` by the old solver, which ran inside the web processes that stop for an upgrade, are
failed with the reason, so that their weeks can be solved again.

Revision ID: 41c309c213ac
Revises: d75bd45a5a52
Create Date: 2026-12-01 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "41c309c213ac"
down_revision: str | Sequence[str] | None = "d75bd45a5a52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("solving", "draft", "published", "superseded", "failed")
NEW_STATUSES = ("queued", *OLD_STATUSES)


def _status_check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade() -> None:
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_limit_s", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("previous_run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("worker", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_schedule_run_previous_run_id_schedule_run"),
            "schedule_run",
            ["previous_run_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_schedule_run_status_lease_until"),
            ["status", "lease_until"],
            unique=False,
        )
        batch_op.drop_constraint(batch_op.f("ck_schedule_run_run_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_schedule_run_run_status"), _status_check(NEW_STATUSES)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_schedule_run_time_limit_s"), "time_limit_s IS NULL OR time_limit_s > 0"
        )
    op.execute(
        "UPDATE schedule_run SET status = 'failed', progress = 1, failure_reason = "
        "'计算中断：升级时仍在计算，可以重新排班 "
        "(the solve was interrupted by an upgrade; solve the week again)' "
        "WHERE status = 'solving'"
    )
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f("ck_schedule_run_solving_has_lease"),
            "lease_until IS NOT NULL OR status <> 'solving'",
        )
        batch_op.create_index(
            "uq_schedule_run_live",
            ["community_id", "week_start"],
            unique=True,
            postgresql_where=sa.text("status IN ('queued', 'solving')"),
            sqlite_where=sa.text("status IN ('queued', 'solving')"),
        )


def downgrade() -> None:
    op.execute(
        "UPDATE schedule_run SET status = 'failed', progress = 1, failure_reason = "
        "'迁移回退时仍在排队 (still queued when the migration was reverted)' "
        "WHERE status = 'queued'"
    )
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.drop_index("uq_schedule_run_live")
        batch_op.drop_constraint(batch_op.f("ck_schedule_run_solving_has_lease"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_schedule_run_time_limit_s"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_schedule_run_run_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_schedule_run_run_status"), _status_check(OLD_STATUSES)
        )
        batch_op.drop_index(batch_op.f("ix_schedule_run_status_lease_until"))
        batch_op.drop_constraint(
            batch_op.f("fk_schedule_run_previous_run_id_schedule_run"), type_="foreignkey"
        )
        batch_op.drop_column("lease_until")
        batch_op.drop_column("worker")
        batch_op.drop_column("previous_run_id")
        batch_op.drop_column("time_limit_s")
