"""The notification outbox: messages written in the same transaction as the change they report,
delivered later by ``api.worker.notify.deliver_due``.

A row is ``pending`` until a channel took it (``sent``) or it failed too often (``failed``).
``dedupe_key`` is unique, so a job that runs twice, or two processes at once, write one row
per message: the second insert is ignored by the database.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, JSONType, Timestamped, UTCDateTime, check, enum_type, utcnow
from models.crypto import EncryptedString

if TYPE_CHECKING:
    from models.person import Person
    from models.user import UserAccount


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; ``last_error`` says why
    #: the channel is off in this deployment (no SMTP server, no SMS account, no robot for the
    #: community): nothing was sent and nothing will be; the inbox still holds the message
    SKIPPED = "skipped"


class Notification(Timestamped, Base):
    __tablename__ = "notification"
    __table_args__ = (
        sa.Index(None, "status", "next_attempt_at"),
        check("attempts >= 0", "attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the inbox message this delivers (e-mail, SMS), or none (a robot post, an office message)
    message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("message.id", ondelete="CASCADE"), index=True
    )
    #: the name of the channel that delivers it: "email", "sms", "wecom", "dingtalk", or the
    #: office channels "default", "log", "webhook", "smtp"
    channel: Mapped[str] = mapped_column(sa.String(32), default="log")
    #: who gets it, as a reference the channel resolves: "user:3", "person:12", "community:1"
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

    message: Mapped[Message | None] = relationship()

    def __repr__(self) -> str:
        return (
            f"Notification(id={self.id!r}, kind={self.kind!r}, recipient={self.recipient!r}, "
            f"status={self.status!r})"
        )


class Message(Base):
    """A message in one person's or one account's inbox, written in their language.

    It is addressed to a person (a member: ``person_id``) or an account (a coordinator, a grid
    leader, a street admin: ``user_id``), never both. ``dedupe_key`` (the event and the
    recipient) is unique, so telling the same event twice leaves one message. The body may name
    a place or whom to call, so it is encrypted at rest like a phone number.
    """

    __tablename__ = "message"
    __table_args__ = (
        check("(person_id IS NULL) <> (user_id IS NULL)", "one_recipient"),
        sa.Index(None, "person_id", "id"),
        sa.Index(None, "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    #: what it is about: "task_assigned", "reminder", "digest" … (``api.services.messages``)
    kind: Mapped[str] = mapped_column(sa.String(64))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE")
    )
    #: the community it concerns, if one (its robots, its local time)
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    #: "zh" or "en": the language it was written in
    language: Mapped[str] = mapped_column(sa.String(8), default="zh")
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(EncryptedString())
    #: where on the phone pages it leads, e.g. "#/assignments"
    link: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person | None] = relationship()
    user: Mapped[UserAccount | None] = relationship()

    @property
    def recipient(self) -> str:
        return f"person:{self.person_id}" if self.person_id is not None else f"user:{self.user_id}"

    def __repr__(self) -> str:
        # never the body: it may hold a phone number
        return f"Message(id={self.id!r}, kind={self.kind!r}, recipient={self.recipient!r})"
