"""The audit log: who changed what, when, and the values before and after.

Private fields never enter the log in clear: ``snapshot`` masks every encrypted column, so the
log can be shown to those who may read the audit trail without widening who sees a phone.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.crypto import EncryptedString

if TYPE_CHECKING:
    from models.user import UserAccount

MASK = "***"


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index(None, "object_type", "object_id"),
        sa.Index(None, "community_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: the actor's username at the time, kept when the account is gone
    actor: Mapped[str] = mapped_column(sa.String(64), default="")
    #: the community the change belongs to, so coordinators can read their own log
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("community.id", ondelete="SET NULL")
    )
    #: "wish.advance", "run.publish", "override.create" …
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[str] = mapped_column(sa.String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    actor_account: Mapped[UserAccount | None] = relationship()

    def __repr__(self) -> str:
        return (
            f"AuditLog(id={self.id!r}, actor={self.actor!r}, action={self.action!r}, "
            f"{self.object_type}={self.object_id!r})"
        )


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(row: Base) -> dict[str, Any]:
    """The row's column values as JSON-ready data, encrypted columns masked."""
    mapper = sa.inspect(row).mapper
    values: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        value = getattr(row, attr.key)
        if isinstance(column.type, EncryptedString):
            values[attr.key] = None if value is None else MASK
        else:
            values[attr.key] = _plain(value)
    return values


def record(
    session: Session,
    *,
    action: str,
    row: Base,
    actor: UserAccount | None = None,
    community_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit entry for ``row``; ``after`` defaults to its snapshot now."""
    session.flush()
    identity = sa.inspect(row).identity or ()
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        actor=actor.username if actor is not None else "",
        community_id=community_id,
        action=action,
        object_type=type(row).__tablename__,
        object_id=",".join(str(part) for part in identity),
        before=before,
        after=snapshot(row) if after is None else after,
    )
    session.add(entry)
    session.flush()
    return entry
