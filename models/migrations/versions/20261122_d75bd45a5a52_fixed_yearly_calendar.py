"""fixed yearly calendar

The ``yearly_theme`` and ``recurring_activity`` tables: a community's fixed year of themed
months, service days and recurring activities, from which each week's activities are made.

Revision ID: d75bd45a5a52
Revises: d2e984dab5ef
Create Date: 2026-11-22 05:33:24.973809
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d75bd45a5a52"
down_revision: str | Sequence[str] | None = "d2e984dab5ef"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "yearly_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("service_day", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_yearly_theme_month")),
        sa.CheckConstraint(
            "service_day IS NULL OR service_day BETWEEN 1 AND 28",
            name=op.f("ck_yearly_theme_service_day"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_yearly_theme_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yearly_theme")),
        sa.UniqueConstraint(
            "community_id", "month", name=op.f("uq_yearly_theme_community_id_month")
        ),
    )
    op.create_table(
        "recurring_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column(
            "day_rule",
            sa.Enum(
                "service_day",
                "day_of_month",
                "weekday",
                name="day_rule",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("day_of_month", sa.Integer(), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("week_of_month", sa.Integer(), nullable=True),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lng", sa.Double(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("responsible_unit", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.Double(), nullable=False),
        sa.Column("party_members_only", sa.Boolean(), nullable=False),
        sa.Column("radius_m", sa.Double(), nullable=True),
        sa.Column(
            "roles",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "(day_rule = 'service_day' AND day_of_month IS NULL AND weekday IS NULL AND week_of_month IS NULL) OR (day_rule = 'day_of_month' AND day_of_month BETWEEN 1 AND 31 AND weekday IS NULL AND week_of_month IS NULL) OR (day_rule = 'weekday' AND day_of_month IS NULL AND weekday BETWEEN 0 AND 6 AND (week_of_month IS NULL OR week_of_month BETWEEN 1 AND 5))",
            name=op.f("ck_recurring_activity_day_rule_fields"),
        ),
        sa.CheckConstraint(
            "month IS NULL OR month BETWEEN 1 AND 12", name=op.f("ck_recurring_activity_month")
        ),
        sa.CheckConstraint(
            "priority >= 0 AND priority <= 5", name=op.f("ck_recurring_activity_priority")
        ),
        sa.CheckConstraint(
            "radius_m IS NULL OR radius_m > 0", name=op.f("ck_recurring_activity_radius_m")
        ),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute",
            name=op.f("ck_recurring_activity_window"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_recurring_activity_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grid.id"],
            name=op.f("fk_recurring_activity_grid_id_grid"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_activity")),
    )
    with op.batch_alter_table("recurring_activity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recurring_activity_community_id"), ["community_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("recurring_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recurring_activity_community_id"))

    op.drop_table("recurring_activity")
    op.drop_table("yearly_theme")
