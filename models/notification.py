"""The notification outbox: messages written in the same transaction as the change they report,
delivered later by ``api.worker.notify.deliver_due``.

A row is ``pending`` until a channel took it (``sent``) or it failed too often (``failed``).
``dedupe_key`` is unique, so a job that runs twice, or two processes at once, write one row
per message: the second insert is ignored by the database.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, Timestamped, UTCDateTime, check, enum_type, utcnow


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; ``last_error`` says why


class Notification(Timestamped, Base):
    __tablename__ = "notification"
    __table_args__ = (
        sa.Index(None, "status", "next_attempt_at"),
        check("attempts >= 0", "attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the name of the channel that delivers it: "log", "webhook", "smtp"
    channel: Mapped[str] = mapped_column(sa.String(32), default="log")
    #: who gets it, as a reference the channel resolves: "user:3", "person:12", "street:1"
    recipient: Mapped[str] = mapped_column(sa.String(200))
    #: what it is about: "draft_ready", "reminder", "unconfirmed", "wish_escalated" …
    kind: Mapped[str] = mapped_column(sa.String(64))
    #: the message's data; never a phone, an ID number or an address
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    dedupe_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    status: Mapped[NotificationStatus] = mapped_column(
        enum_type(NotificationStatus, "notification_status"), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return (
            f"Notification(id={self.id!r}, kind={self.kind!r}, recipient={self.recipient!r}, "
            f"status={self.status!r})"
        )
