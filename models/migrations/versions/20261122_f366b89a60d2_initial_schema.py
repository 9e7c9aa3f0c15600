"""initial schema

Revision ID: f366b89a60d2
Revises:
Create Date: 2026-11-22 03:38:07.665296
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "f366b89a60d2"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "street",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street")),
        sa.UniqueConstraint("name", name=op.f("uq_street_name")),
    )
    op.create_table(
        "community",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("auto_publish", sa.Boolean(), nullable=False),
        sa.Column("weekly_run_weekday", sa.Integer(), nullable=False),
        sa.Column("weekly_run_minute", sa.Integer(), nullable=False),
        sa.Column("quarter_minimum", sa.Integer(), nullable=False),
        sa.Column("radius_m", sa.Double(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("quarter_minimum >= 0", name=op.f("ck_community_quarter_minimum")),
        sa.CheckConstraint("radius_m > 0", name=op.f("ck_community_radius_m")),
        sa.CheckConstraint(
            "weekly_run_minute BETWEEN 0 AND 1439", name=op.f("ck_community_weekly_run_minute")
        ),
        sa.CheckConstraint(
            "weekly_run_weekday BETWEEN 0 AND 6", name=op.f("ck_community_weekly_run_weekday")
        ),
        sa.ForeignKeyConstraint(
            ["street_id"],
            ["street.id"],
            name=op.f("fk_community_street_id_street"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
        sa.UniqueConstraint("street_id", "name", name=op.f("uq_community_street_id_name")),
    )
    op.create_table(
        "grid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("center_lat", sa.Double(), nullable=True),
        sa.Column("center_lng", sa.Double(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_grid_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid")),
        sa.UniqueConstraint(
            "community_id", "external_id", name=op.f("uq_grid_community_id_external_id")
        ),
        sa.UniqueConstraint("community_id", "name", name=op.f("uq_grid_community_id_name")),
    )
    op.create_table(
        "theme_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("service_day", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_theme_month_month")),
        sa.CheckConstraint(
            "service_day IS NULL OR service_day BETWEEN 1 AND 28",
            name=op.f("ck_theme_month_service_day"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_theme_month_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_month")),
        sa.UniqueConstraint(
            "community_id", "year", "month", name=op.f("uq_theme_month_community_id_year_month")
        ),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("theme_month_id", sa.Integer(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lng", sa.Double(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("responsible_unit", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.Double(), nullable=False),
        sa.Column("party_members_only", sa.Boolean(), nullable=False),
        sa.Column("radius_m", sa.Double(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_activity_ends_after_start")),
        sa.CheckConstraint("priority >= 0 AND priority <= 5", name=op.f("ck_activity_priority")),
        sa.CheckConstraint("radius_m IS NULL OR radius_m > 0", name=op.f("ck_activity_radius_m")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_activity_community_id_community"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_activity_grid_id_grid"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["theme_month_id"],
            ["theme_month.id"],
            name=op.f("fk_activity_theme_month_id_theme_month"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
        sa.UniqueConstraint(
            "community_id", "external_id", name=op.f("uq_activity_community_id_external_id")
        ),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_community_id_day"), ["community_id", "day"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activity_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_activity_theme_month_id"), ["theme_month_id"], unique=False
        )

    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_household_community_id_community"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_household_grid_id_grid"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
        sa.UniqueConstraint(
            "community_id", "external_id", name=op.f("uq_household_community_id_external_id")
        ),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_household_grid_id"), ["grid_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "party_member",
                "volunteer",
                "social_worker",
                name="person_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("work_unit", sa.String(length=200), nullable=False),
        sa.Column("home_lat", sa.Double(), nullable=False),
        sa.Column("home_lng", sa.Double(), nullable=False),
        sa.Column("weekly_hours_cap", sa.Double(), nullable=False),
        sa.Column("weekly_task_cap", sa.Integer(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("id_number", sa.Text(), nullable=True),
        sa.Column("consent_version", sa.String(length=32), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "(consent_version IS NULL) = (consent_at IS NULL)",
            name=op.f("ck_person_consent_complete"),
        ),
        sa.CheckConstraint("weekly_hours_cap >= 0", name=op.f("ck_person_weekly_hours_cap")),
        sa.CheckConstraint("weekly_task_cap >= 0", name=op.f("ck_person_weekly_task_cap")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_person_community_id_community"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_person_grid_id_grid"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint(
            "community_id", "external_id", name=op.f("uq_person_community_id_external_id")
        ),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_grid_id"), ["grid_id"], unique=False)

    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lng", sa.Double(), nullable=False),
        sa.Column("party_members_only", sa.Boolean(), nullable=False),
        sa.Column("min_staff", sa.Integer(), nullable=False),
        sa.Column("max_staff", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Double(), nullable=False),
        sa.Column("radius_m", sa.Double(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "min_staff >= 0 AND max_staff >= 1 AND max_staff >= min_staff",
            name=op.f("ck_post_staff"),
        ),
        sa.CheckConstraint("priority >= 0 AND priority <= 5", name=op.f("ck_post_priority")),
        sa.CheckConstraint("radius_m IS NULL OR radius_m > 0", name=op.f("ck_post_radius_m")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_post_community_id_community"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_post_grid_id_grid"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post")),
        sa.UniqueConstraint(
            "community_id", "external_id", name=op.f("uq_post_community_id_external_id")
        ),
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_post_grid_id"), ["grid_id"], unique=False)

    op.create_table(
        "activity_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.CheckConstraint("headcount >= 1", name=op.f("ck_activity_role_headcount")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_activity_role_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_role")),
        sa.UniqueConstraint(
            "activity_id", "position", name=op.f("uq_activity_role_activity_id_position")
        ),
    )
    op.create_table(
        "household_situation",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column(
            "situation",
            sa.Enum(
                "elderly_alone",
                "disabled",
                "seriously_ill",
                "poor_family",
                "left_behind_child",
                name="situation",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_household_situation_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_id", "situation", name=op.f("pk_household_situation")),
    )
    with op.batch_alter_table("household_situation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_situation_situation"), ["situation"], unique=False
        )

    op.create_table(
        "person_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
            name=op.f("ck_person_availability_window"),
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_person_availability_weekday")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_availability_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_availability")),
    )
    with op.batch_alter_table("person_availability", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_availability_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "person_category",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_category_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "category", name=op.f("pk_person_category")),
    )
    op.create_table(
        "person_skill",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_skill_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "skill", name=op.f("pk_person_skill")),
    )
    with op.batch_alter_table("person_skill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_skill_skill"), ["skill"], unique=False)

    op.create_table(
        "person_unavailable_date",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_unavailable_date_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "day", name=op.f("pk_person_unavailable_date")),
    )
    op.create_table(
        "post_skill",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_skill_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "skill", name=op.f("pk_post_skill")),
    )
    op.create_table(
        "shift_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
            name=op.f("ck_shift_template_window"),
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_shift_template_weekday")),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("fk_shift_template_post_id_post"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_template")),
        sa.UniqueConstraint(
            "post_id",
            "weekday",
            "start_minute",
            name=op.f("uq_shift_template_post_id_weekday_start_minute"),
        ),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "street_admin",
                "coordinator",
                "grid_leader",
                "member",
                name="user_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "role <> 'member' OR person_id IS NOT NULL",
            name=op.f("ck_user_account_member_has_person"),
        ),
        sa.CheckConstraint(
            "role <> 'street_admin' OR street_id IS NOT NULL",
            name=op.f("ck_user_account_street_admin_has_street"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_user_account_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["street_id"],
            ["street.id"],
            name=op.f("fk_user_account_street_id_street"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("person_id", name=op.f("uq_user_account_person_id")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_street_id"), ["street_id"], unique=False)

    op.create_table(
        "wish",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("earliest", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lng", sa.Double(), nullable=False),
        sa.Column("radius_m", sa.Double(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "recorded",
                "verified",
                "open",
                "assigned",
                "done",
                "followed_up",
                name="wish_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("deadline >= earliest", name=op.f("ck_wish_deadline_after_earliest")),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 5 AND 1440", name=op.f("ck_wish_duration_minutes")
        ),
        sa.CheckConstraint("headcount >= 1", name=op.f("ck_wish_headcount")),
        sa.CheckConstraint(
            "priority IS NULL OR (priority >= 0 AND priority <= 5)", name=op.f("ck_wish_priority")
        ),
        sa.CheckConstraint("radius_m IS NULL OR radius_m > 0", name=op.f("ck_wish_radius_m")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_wish_community_id_community"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_wish_grid_id_grid"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_wish_household_id_household"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wish")),
        sa.UniqueConstraint(
            "community_id", "external_id", name=op.f("uq_wish_community_id_external_id")
        ),
    )
    with op.batch_alter_table("wish", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wish_community_id_status"), ["community_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_wish_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_wish_household_id"), ["household_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_audit_log_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_audit_log_community_id_community"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_log_community_id_at"), ["community_id", "at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_log_object_type_object_id"),
            ["object_type", "object_id"],
            unique=False,
        )

    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visited_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_follow_up_rating")),
        sa.ForeignKeyConstraint(
            ["visited_by_id"],
            ["user_account.id"],
            name=op.f("fk_follow_up_visited_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["wish_id"], ["wish.id"], name=op.f("fk_follow_up_wish_id_wish"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_wish_id"), ["wish_id"], unique=False)

    op.create_table(
        "schedule_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "superseded",
                "failed",
                name="run_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("solver_status", sa.String(length=16), nullable=True),
        sa.Column("objective", sa.Integer(), nullable=True),
        sa.Column("bound", sa.Integer(), nullable=True),
        sa.Column("gap", sa.Double(), nullable=True),
        sa.Column("wall_time_s", sa.Double(), nullable=True),
        sa.Column(
            "breakdown",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "unfilled",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "failure_reason IS NOT NULL OR status <> 'failed'",
            name=op.f("ck_schedule_run_failure_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_schedule_run_community_id_community"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_schedule_run_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_schedule_run_published_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_run")),
    )
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schedule_run_community_id_week_start"),
            ["community_id", "week_start"],
            unique=False,
        )
        batch_op.create_index(
            "uq_schedule_run_draft",
            ["community_id", "week_start"],
            unique=True,
            postgresql_where=sa.text("status = 'draft'"),
            sqlite_where=sa.text("status = 'draft'"),
        )
        batch_op.create_index(
            "uq_schedule_run_published",
            ["community_id", "week_start"],
            unique=True,
            postgresql_where=sa.text("status = 'published'"),
            sqlite_where=sa.text("status = 'published'"),
        )

    op.create_table(
        "shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_shift_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_shift_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["shift_template.id"],
            name=op.f("fk_shift_template_id_shift_template"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift")),
        sa.UniqueConstraint("post_id", "starts_at", name=op.f("uq_shift_post_id_starts_at")),
    )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_day"), ["day"], unique=False)

    op.create_table(
        "user_community",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_user_community_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_community_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "community_id", name=op.f("pk_user_community")),
    )
    with op.batch_alter_table("user_community", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_community_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "user_grid",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_user_grid_grid_id_grid"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_grid_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "grid_id", name=op.f("pk_user_grid")),
    )
    with op.batch_alter_table("user_grid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_grid_grid_id"), ["grid_id"], unique=False)

    op.create_table(
        "wish_skill",
        sa.Column("wish_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["wish_id"], ["wish.id"], name=op.f("fk_wish_skill_wish_id_wish"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("wish_id", "skill", name=op.f("pk_wish_skill")),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("distance_m", sa.Double(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "confirmed",
                "declined",
                "done",
                "no_show",
                name="assignment_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("hours_served", sa.Double(), nullable=True),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "demand_kind",
            sa.Enum(
                "wish",
                "shift",
                "activity",
                name="demand_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("wish_id", sa.Integer(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "(demand_kind = 'wish' AND (wish_id IS NOT NULL AND shift_id IS NULL AND activity_id IS NULL)) OR (demand_kind = 'shift' AND (shift_id IS NOT NULL AND wish_id IS NULL AND activity_id IS NULL)) OR (demand_kind = 'activity' AND (activity_id IS NOT NULL AND wish_id IS NULL AND shift_id IS NULL))",
            name=op.f("ck_assignment_one_demand"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_assignment_ends_after_start")),
        sa.CheckConstraint(
            "hours_served IS NULL OR hours_served >= 0", name=op.f("ck_assignment_hours_served")
        ),
        sa.CheckConstraint("role >= 0", name=op.f("ck_assignment_role")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_assignment_activity_id_activity"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_assignment_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["schedule_run.id"],
            name=op.f("fk_assignment_run_id_schedule_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shift.id"],
            name=op.f("fk_assignment_shift_id_shift"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["wish_id"], ["wish.id"], name=op.f("fk_assignment_wish_id_wish"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sa.UniqueConstraint(
            "run_id",
            "person_id",
            "activity_id",
            name=op.f("uq_assignment_run_id_person_id_activity_id"),
        ),
        sa.UniqueConstraint(
            "run_id", "person_id", "shift_id", name=op.f("uq_assignment_run_id_person_id_shift_id")
        ),
        sa.UniqueConstraint(
            "run_id", "person_id", "wish_id", name=op.f("uq_assignment_run_id_person_id_wish_id")
        ),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assignment_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_shift_id"), ["shift_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_wish_id"), ["wish_id"], unique=False)

    op.create_table(
        "override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "pin",
                "forbid",
                "assign",
                name="override_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "demand_kind",
            sa.Enum(
                "wish",
                "shift",
                "activity",
                name="demand_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("wish_id", sa.Integer(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "(demand_kind = 'wish' AND (wish_id IS NOT NULL AND shift_id IS NULL AND activity_id IS NULL)) OR (demand_kind = 'shift' AND (shift_id IS NOT NULL AND wish_id IS NULL AND activity_id IS NULL)) OR (demand_kind = 'activity' AND (activity_id IS NOT NULL AND wish_id IS NULL AND shift_id IS NULL))",
            name=op.f("ck_override_one_demand"),
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_override_activity_id_activity"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_override_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_override_community_id_community"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_override_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_override_shift_id_shift"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["wish_id"], ["wish.id"], name=op.f("fk_override_wish_id_wish"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_override")),
    )
    with op.batch_alter_table("override", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_override_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_override_community_id_week_start_active"),
            ["community_id", "week_start", "active"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_override_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_override_shift_id"), ["shift_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_override_wish_id"), ["wish_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_override_wish_id"))
        batch_op.drop_index(batch_op.f("ix_override_shift_id"))
        batch_op.drop_index(batch_op.f("ix_override_person_id"))
        batch_op.drop_index(batch_op.f("ix_override_community_id_week_start_active"))
        batch_op.drop_index(batch_op.f("ix_override_activity_id"))

    op.drop_table("override")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_wish_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_shift_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_run_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_person_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_activity_id"))

    op.drop_table("assignment")
    op.drop_table("wish_skill")
    with op.batch_alter_table("user_grid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_grid_grid_id"))

    op.drop_table("user_grid")
    with op.batch_alter_table("user_community", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_community_community_id"))

    op.drop_table("user_community")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_day"))

    op.drop_table("shift")
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_schedule_run_published",
            postgresql_where=sa.text("status = 'published'"),
            sqlite_where=sa.text("status = 'published'"),
        )
        batch_op.drop_index(
            "uq_schedule_run_draft",
            postgresql_where=sa.text("status = 'draft'"),
            sqlite_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index(batch_op.f("ix_schedule_run_community_id_week_start"))

    op.drop_table("schedule_run")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_wish_id"))

    op.drop_table("follow_up")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_object_type_object_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_community_id_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    with op.batch_alter_table("wish", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wish_household_id"))
        batch_op.drop_index(batch_op.f("ix_wish_grid_id"))
        batch_op.drop_index(batch_op.f("ix_wish_community_id_status"))

    op.drop_table("wish")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_street_id"))

    op.drop_table("user_account")
    op.drop_table("shift_template")
    op.drop_table("post_skill")
    op.drop_table("person_unavailable_date")
    with op.batch_alter_table("person_skill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_skill_skill"))

    op.drop_table("person_skill")
    op.drop_table("person_category")
    with op.batch_alter_table("person_availability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_availability_person_id"))

    op.drop_table("person_availability")
    with op.batch_alter_table("household_situation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_situation_situation"))

    op.drop_table("household_situation")
    op.drop_table("activity_role")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_grid_id"))
        batch_op.drop_index(batch_op.f("ix_post_community_id"))

    op.drop_table("post")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_grid_id"))
        batch_op.drop_index(batch_op.f("ix_person_community_id"))

    op.drop_table("person")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_grid_id"))
        batch_op.drop_index(batch_op.f("ix_household_community_id"))

    op.drop_table("household")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_theme_month_id"))
        batch_op.drop_index(batch_op.f("ix_activity_grid_id"))
        batch_op.drop_index(batch_op.f("ix_activity_community_id_day"))

    op.drop_table("activity")
    op.drop_table("theme_month")
    op.drop_table("grid")
    op.drop_table("community")
    op.drop_table("street")
