"""phone login, work units, service cards

``user_account.login_phone_key``: the blind index of the phone a member registered with, so
they log in with it although the phone is stored encrypted. ``work_unit``: the units members
work at, with the contact their quarterly service card goes to; ``person.work_unit_id`` links a
member to one (the free-text ``person.work_unit`` stays). ``service_card``: the letter of one
quarter to one unit, unique per unit and quarter. ``seat_offer.status`` may be ``expired``: an
offer nobody answered in time.

Revision ID: c95292bf6eaf
Revises: c4e8a2f61b93
Create Date: 2026-12-01 08:05:04.737077
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c95292bf6eaf"
down_revision: str | Sequence[str] | None = "c4e8a2f61b93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_OFFER_STATUSES = ("open", "accepted", "taken", "withdrawn")
NEW_OFFER_STATUSES = (*OLD_OFFER_STATUSES, "expired")


def _offer_status_check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def _offer_statuses(statuses: tuple[str, ...]) -> None:
    with op.batch_alter_table("seat_offer", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_seat_offer_offer_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_seat_offer_offer_status"), _offer_status_check(statuses)
        )


def upgrade() -> None:
    _offer_statuses(NEW_OFFER_STATUSES)
    op.create_table(
        "work_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("contact_email", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_unit")),
        sa.UniqueConstraint("name", name=op.f("uq_work_unit_name")),
    )
    op.create_table(
        "service_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Double(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name=op.f("ck_service_card_quarter")),
        sa.ForeignKeyConstraint(
            ["work_unit_id"],
            ["work_unit.id"],
            name=op.f("fk_service_card_work_unit_id_work_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_card")),
        sa.UniqueConstraint(
            "work_unit_id",
            "year",
            "quarter",
            name=op.f("uq_service_card_work_unit_id_year_quarter"),
        ),
    )
    with op.batch_alter_table("service_card", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_card_work_unit_id"), ["work_unit_id"], unique=False
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_unit_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_person_work_unit_id"), ["work_unit_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_person_work_unit_id_work_unit"),
            "work_unit",
            ["work_unit_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login_phone_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_user_account_login_phone_key"), ["login_phone_key"]
        )


def downgrade() -> None:
    op.execute("UPDATE seat_offer SET status = 'withdrawn' WHERE status = 'expired'")
    _offer_statuses(OLD_OFFER_STATUSES)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_account_login_phone_key"), type_="unique")
        batch_op.drop_column("login_phone_key")

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_person_work_unit_id_work_unit"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_person_work_unit_id"))
        batch_op.drop_column("work_unit_id")

    with op.batch_alter_table("service_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_card_work_unit_id"))

    op.drop_table("service_card")
    op.drop_table("work_unit")
