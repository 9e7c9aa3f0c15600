"""solving runs with progress and warnings

A run is written as ``solving`` before the matcher starts, so a client can poll its
``progress``; ``warnings`` keeps the matcher's warnings (a pin that breaks a rule).

Revision ID: a3ca4a252dfa
Revises: f366b89a60d2
Create Date: 2026-11-22 03:45:53.613956
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a3ca4a252dfa"
down_revision: str | Sequence[str] | None = "f366b89a60d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("draft", "published", "superseded", "failed")
NEW_STATUSES = ("solving", *OLD_STATUSES)


def _status_check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade() -> None:
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "warnings",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("progress", sa.Double(), server_default="0", nullable=False))
        batch_op.drop_constraint(batch_op.f("ck_schedule_run_run_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_schedule_run_run_status"), _status_check(NEW_STATUSES)
        )


def downgrade() -> None:
    op.execute(
        "UPDATE schedule_run SET status = 'failed', failure_reason = "
        "'迁移回退时仍在计算 (still solving when the migration was reverted)' "
        "WHERE status = 'solving'"
    )
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_schedule_run_run_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_schedule_run_run_status"), _status_check(OLD_STATUSES)
        )
        batch_op.drop_column("progress")
        batch_op.drop_column("warnings")
