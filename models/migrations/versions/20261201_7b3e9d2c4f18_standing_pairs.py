"""standing pairs (结对帮扶) and regular crews (定点定时定人)

Households gain a location (for walking distances) and five more situations from the
must-visit lists (矛盾纠纷, 失业, 刑满释放/社区矫正, 新迁入, 空巢), each with the day it was
recorded. New tables: a community's pairing rules, the standing pairs, the coordinator's pins and
forbids, and the visits confirmed pairs owe (each carried by a wish). Posts gain
``regular_crew``: keep the same people on each weekly shift.

Revision ID: 7b3e9d2c4f18
Revises: 8e3f1c2a9d47
Create Date: 2026-12-01 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7b3e9d2c4f18"
down_revision: str | Sequence[str] | None = "8e3f1c2a9d47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SITUATIONS = ("elderly_alone", "disabled", "seriously_ill", "poor_family", "left_behind_child")
NEW_SITUATIONS = (
    *OLD_SITUATIONS,
    "dispute",
    "unemployed",
    "under_correction",
    "new_arrival",
    "empty_nest",
)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("regular_crew", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lat", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("lng", sa.Double(), nullable=True))
    with op.batch_alter_table("household_situation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("since", sa.Date(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_household_situation_situation"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_household_situation_situation"), _in("situation", NEW_SITUATIONS)
        )

    op.create_table(
        "pairing_rules",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("max_households_per_member", sa.Integer(), nullable=False),
        sa.Column("must_pair", JSON, nullable=False),
        sa.Column("visit_every_weeks", sa.Integer(), nullable=False),
        sa.Column("new_situation_visit_days", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "max_households_per_member >= 1", name=op.f("ck_pairing_rules_max_households")
        ),
        sa.CheckConstraint(
            "visit_every_weeks >= 1", name=op.f("ck_pairing_rules_visit_every_weeks")
        ),
        sa.CheckConstraint(
            "new_situation_visit_days >= 0", name=op.f("ck_pairing_rules_new_situation_visit_days")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_pairing_rules_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_pairing_rules")),
    )

    op.create_table(
        "standing_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "confirmed",
                "ended",
                name="pair_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("distance_m", sa.Double(), nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("last_visit_on", sa.Date(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_standing_pair_community_id_community"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_standing_pair_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_standing_pair_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_pair")),
    )
    with op.batch_alter_table("standing_pair", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_standing_pair_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_standing_pair_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_standing_pair_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_standing_pair_community_id_status"),
            ["community_id", "status"],
            unique=False,
        )

    op.create_table(
        "pair_lock",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "pin", "forbid", name="pair_lock_kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_pair_lock_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_pair_lock_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_id", "person_id", name=op.f("pk_pair_lock")),
    )

    op.create_table(
        "pair_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["standing_pair.id"],
            name=op.f("fk_pair_visit_pair_id_standing_pair"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wish_id"], ["wish.id"], name=op.f("fk_pair_visit_wish_id_wish"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_visit")),
        sa.UniqueConstraint("pair_id", "due_on", name=op.f("uq_pair_visit_pair_id_due_on")),
        sa.UniqueConstraint("wish_id", name=op.f("uq_pair_visit_wish_id")),
    )
    with op.batch_alter_table("pair_visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_visit_pair_id"), ["pair_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pair_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_visit_pair_id"))
    op.drop_table("pair_visit")
    op.drop_table("pair_lock")
    with op.batch_alter_table("standing_pair", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standing_pair_community_id_status"))
        batch_op.drop_index(batch_op.f("ix_standing_pair_person_id"))
        batch_op.drop_index(batch_op.f("ix_standing_pair_household_id"))
        batch_op.drop_index(batch_op.f("ix_standing_pair_community_id"))
    op.drop_table("standing_pair")
    op.drop_table("pairing_rules")
    op.execute(
        "DELETE FROM household_situation WHERE "
        + _in("situation", NEW_SITUATIONS[len(OLD_SITUATIONS) :])
    )
    with op.batch_alter_table("household_situation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_household_situation_situation"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_household_situation_situation"), _in("situation", OLD_SITUATIONS)
        )
        batch_op.drop_column("since")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_column("lng")
        batch_op.drop_column("lat")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("regular_crew")
