"""place directory

``place``: a community's estates (小区), the buildings (楼栋) of each estate and its venues, each
with coordinates entered once. Wishes, posts, activities, recurring activities and people
(their home) may name a place (``place_id``, ``home_place_id``) and take its coordinates.

Revision ID: 7bc77428d627
Revises: c95292bf6eaf
Create Date: 2026-12-01 08:04:24.288802
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7bc77428d627"
down_revision: str | Sequence[str] | None = "c95292bf6eaf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "estate",
                "building",
                "venue",
                name="place_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lng", sa.Double(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "(kind = 'building') = (estate_id IS NOT NULL)",
            name=op.f("ck_place_building_has_estate"),
        ),
        sa.CheckConstraint("kind = 'building' OR lat IS NOT NULL", name=op.f("ck_place_located")),
        sa.CheckConstraint("(lat IS NULL) = (lng IS NULL)", name=op.f("ck_place_lat_lng_together")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_place_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["estate_id"], ["place.id"], name=op.f("fk_place_estate_id_place"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
        sa.UniqueConstraint(
            "community_id", "external_id", name=op.f("uq_place_community_id_external_id")
        ),
    )
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_place_community_id_kind"), ["community_id", "kind"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_place_estate_id"), ["estate_id"], unique=False)

    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_activity_place_id"), ["place_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_activity_place_id_place"),
            "place",
            ["place_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("home_place_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_person_home_place_id"), ["home_place_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_person_home_place_id_place"),
            "place",
            ["home_place_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_post_place_id"), ["place_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_post_place_id_place"), "place", ["place_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("recurring_activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_recurring_activity_place_id"), ["place_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_recurring_activity_place_id_place"),
            "place",
            ["place_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("wish", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_wish_place_id"), ["place_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_wish_place_id_place"), "place", ["place_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("wish", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_wish_place_id_place"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_wish_place_id"))
        batch_op.drop_column("place_id")

    with op.batch_alter_table("recurring_activity", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_recurring_activity_place_id_place"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_recurring_activity_place_id"))
        batch_op.drop_column("place_id")

    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_post_place_id_place"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_post_place_id"))
        batch_op.drop_column("place_id")

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_person_home_place_id_place"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_person_home_place_id"))
        batch_op.drop_column("home_place_id")

    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_activity_place_id_place"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_activity_place_id"))
        batch_op.drop_column("place_id")

    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_estate_id"))
        batch_op.drop_index(batch_op.f("ix_place_community_id_kind"))

    op.drop_table("place")
