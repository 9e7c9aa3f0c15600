"""community visiting hours

``community.visit_start_minute`` and ``visit_end_minute``: the hours in which helpers may call
at a household, set per community on the settings page (08:00–20:00 until then).

Revision ID: b7d2e4f1a9c3
Revises: 7d1c4e2a9b36
Create Date: 2026-12-01 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d2e4f1a9c3"
down_revision: str | Sequence[str] | None = "7d1c4e2a9b36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("community") as batch:
        batch.add_column(
            sa.Column("visit_start_minute", sa.Integer(), nullable=False, server_default="480")
        )
        batch.add_column(
            sa.Column("visit_end_minute", sa.Integer(), nullable=False, server_default="1200")
        )
        batch.create_check_constraint(
            "visit_hours",
            "visit_start_minute >= 0 AND visit_end_minute <= 1440"
            " AND visit_start_minute < visit_end_minute",
        )


def downgrade() -> None:
    with op.batch_alter_table("community") as batch:
        batch.drop_constraint("visit_hours", type_="check")
        batch.drop_column("visit_end_minute")
        batch.drop_column("visit_start_minute")
