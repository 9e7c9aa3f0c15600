"""task card and calendar feed

``instructions`` (说明) and ``what_to_bring`` (需携带) on posts, activities, the fixed year's
recurring activities and wishes, for the helpers' task cards and calendars; on
``user_account`` the secret of a member's calendar feed, encrypted, and its SHA-256 to find it.

Revision ID: c4a7e2f91b35
Revises: 8f3a6c1d2e47
Create Date: 2026-12-01 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4a7e2f91b35"
down_revision: str | Sequence[str] | None = "8f3a6c1d2e47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TASK_TABLES = ("post", "activity", "recurring_activity", "wish")


def upgrade() -> None:
    for table in TASK_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("instructions", sa.Text(), nullable=False, server_default="")
            )
            batch.add_column(
                sa.Column("what_to_bring", sa.Text(), nullable=False, server_default="")
            )
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("calendar_token", sa.Text(), nullable=True))
        batch.add_column(sa.Column("calendar_token_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            batch.f("uq_user_account_calendar_token_hash"), ["calendar_token_hash"]
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint(batch.f("uq_user_account_calendar_token_hash"), type_="unique")
        batch.drop_column("calendar_token_hash")
        batch.drop_column("calendar_token")
    for table in reversed(TASK_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("what_to_bring")
            batch.drop_column("instructions")
