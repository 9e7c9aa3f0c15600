"""wish separate visits

``wish.separate_visits``: the helpers of a group wish may come at different times (two
teachers, one lesson each); wishes already recorded keep one visit together.

Revision ID: 6e1b9d3f0a27
Revises: 5c0e7a91b2d4
Create Date: 2026-12-01 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6e1b9d3f0a27"
down_revision: str | Sequence[str] | None = "5c0e7a91b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wish") as batch:
        batch.add_column(
            sa.Column("separate_visits", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("wish") as batch:
        batch.drop_column("separate_visits")
