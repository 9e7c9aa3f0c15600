"""messages per recipient and channel

``message``: the in-app inbox, one row per recipient and event, in the recipient's language,
the body encrypted. ``notification.message_id``: the e-mail or SMS delivering a message;
``notification.status`` may be ``skipped`` (the channel is off in this deployment).
``person.email``, ``person.language``, and on ``user_account`` a display name, a work phone,
an e-mail and a language, so coordinators can be named and called, and anyone written to.

Revision ID: 8e3f1c2a9d47
Revises: 6e1b9d3f0a27
Create Date: 2026-12-01 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e3f1c2a9d47"
down_revision: str | Sequence[str] | None = "6e1b9d3f0a27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("pending", "sent", "failed")
NEW_STATUSES = (*OLD_STATUSES, "skipped")


def _status_check(statuses: Sequence[str]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade() -> None:
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(person_id IS NULL) <> (user_id IS NULL)", name=op.f("ck_message_one_recipient")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_message_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_message_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_message_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_message_dedupe_key")),
    )
    op.create_index(op.f("ix_message_community_id"), "message", ["community_id"])
    op.create_index(op.f("ix_message_person_id_id"), "message", ["person_id", "id"])
    op.create_index(op.f("ix_message_user_id_id"), "message", ["user_id", "id"])

    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_notification_message_id_message"),
            "message",
            ["message_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(batch.f("ix_notification_message_id"), ["message_id"])
        batch.drop_constraint(batch.f("ck_notification_notification_status"), type_="check")
        batch.create_check_constraint(
            batch.f("ck_notification_notification_status"), _status_check(NEW_STATUSES)
        )

    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("email", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="zh")
        )
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("display_name", sa.String(length=100), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("phone", sa.Text(), nullable=True))
        batch.add_column(sa.Column("email", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="zh")
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("language")
        batch.drop_column("email")
        batch.drop_column("phone")
        batch.drop_column("display_name")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("language")
        batch.drop_column("email")
    op.execute("DELETE FROM notification WHERE status = 'skipped'")
    with op.batch_alter_table("notification") as batch:
        batch.drop_constraint(batch.f("ck_notification_notification_status"), type_="check")
        batch.create_check_constraint(
            batch.f("ck_notification_notification_status"), _status_check(OLD_STATUSES)
        )
        batch.drop_index(batch.f("ix_notification_message_id"))
        batch.drop_constraint(batch.f("fk_notification_message_id_message"), type_="foreignkey")
        batch.drop_column("message_id")
    op.drop_index(op.f("ix_message_user_id_id"), table_name="message")
    op.drop_index(op.f("ix_message_person_id_id"), table_name="message")
    op.drop_index(op.f("ix_message_community_id"), table_name="message")
    op.drop_table("message")
