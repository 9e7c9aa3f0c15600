"""member loop: claims, seat offers after a decline, check-in, civil affairs accounts

``post.take_mode``: who fills a post's shifts (the weekly plan, members' claims, or both).
``assignment``: ``claimed`` (the member took it), check-in and check-out times with the distance
from the place, and ``hours_requested`` (hours logged without check-in, waiting for approval).
``seat_offer``: a declined seat offered to its ranked replacements; the first to accept gets it.
``user_account.role``: ``civil_affairs`` (民政), an account of a street.

Revision ID: 7d1c4e2a9b36
Revises: 7b3e9d2c4f18
Create Date: 2026-12-01 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d1c4e2a9b36"
down_revision: str | Sequence[str] | None = "7b3e9d2c4f18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ROLES = ("street_admin", "coordinator", "grid_leader", "member")
NEW_ROLES = (*ROLES, "civil_affairs")


def _roles_check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint(batch.f("ck_user_account_user_role"), type_="check")
        batch.alter_column(
            "role",
            existing_type=sa.String(length=12),
            type_=sa.String(length=13),
            existing_nullable=False,
        )
        batch.create_check_constraint(batch.f("ck_user_account_user_role"), _roles_check(NEW_ROLES))
        batch.create_check_constraint(
            batch.f("ck_user_account_civil_affairs_has_street"),
            "role <> 'civil_affairs' OR street_id IS NOT NULL",
        )
    with op.batch_alter_table("post") as batch:
        batch.add_column(
            sa.Column(
                "take_mode",
                sa.Enum(
                    "both",
                    "optimizer",
                    "claim",
                    name="take_mode",
                    native_enum=False,
                    create_constraint=True,
                    length=9,
                ),
                nullable=False,
                server_default="both",
            )
        )
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(
            sa.Column("claimed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("check_in_distance_m", sa.Double(), nullable=True))
        batch.add_column(sa.Column("hours_requested", sa.Double(), nullable=True))
        batch.create_check_constraint(
            batch.f("ck_assignment_hours_requested"),
            "hours_requested IS NULL OR hours_requested > 0",
        )
        batch.create_check_constraint(
            batch.f("ck_assignment_out_after_in"),
            "checked_out_at IS NULL OR checked_in_at IS NOT NULL",
        )
    op.create_table(
        "seat_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "taken",
                "withdrawn",
                name="offer_status",
                native_enum=False,
                create_constraint=True,
                length=9,
            ),
            nullable=False,
        ),
        sa.Column("accepted_assignment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_seat_offer_rank")),
        sa.ForeignKeyConstraint(
            ["accepted_assignment_id"],
            ["assignment.id"],
            name=op.f("fk_seat_offer_accepted_assignment_id_assignment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_seat_offer_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_seat_offer_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_offer")),
        sa.UniqueConstraint(
            "assignment_id", "person_id", name=op.f("uq_seat_offer_assignment_id_person_id")
        ),
    )
    op.create_index(op.f("ix_seat_offer_assignment_id"), "seat_offer", ["assignment_id"])
    op.create_index(op.f("ix_seat_offer_person_id"), "seat_offer", ["person_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_seat_offer_person_id"), table_name="seat_offer")
    op.drop_index(op.f("ix_seat_offer_assignment_id"), table_name="seat_offer")
    op.drop_table("seat_offer")
    with op.batch_alter_table("assignment") as batch:
        batch.drop_constraint(batch.f("ck_assignment_out_after_in"), type_="check")
        batch.drop_constraint(batch.f("ck_assignment_hours_requested"), type_="check")
        batch.drop_column("hours_requested")
        batch.drop_column("check_in_distance_m")
        batch.drop_column("checked_out_at")
        batch.drop_column("checked_in_at")
        batch.drop_column("claimed")
    with op.batch_alter_table("post") as batch:
        batch.drop_constraint(batch.f("ck_post_take_mode"), type_="check")
        batch.drop_column("take_mode")
    op.execute("DELETE FROM user_account WHERE role = 'civil_affairs'")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint(batch.f("ck_user_account_civil_affairs_has_street"), type_="check")
        batch.drop_constraint(batch.f("ck_user_account_user_role"), type_="check")
        batch.alter_column(
            "role",
            existing_type=sa.String(length=13),
            type_=sa.String(length=12),
            existing_nullable=False,
        )
        batch.create_check_constraint(batch.f("ck_user_account_user_role"), _roles_check(ROLES))
