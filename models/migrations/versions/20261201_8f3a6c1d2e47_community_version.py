"""community version

``community_version``: a counter per community that every write to what its weeks are built
from moves on, so that caches of a community's week (the console's board and candidates) know
when they are stale.

Revision ID: 8f3a6c1d2e47
Revises: b7d2e4f1a9c3
Create Date: 2026-12-01 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8f3a6c1d2e47"
down_revision: str | Sequence[str] | None = "b7d2e4f1a9c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "community_version",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_community_version_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_community_version")),
    )


def downgrade() -> None:
    op.drop_table("community_version")
