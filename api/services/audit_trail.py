"""The audit log as a coordinator reads it (操作记录): overrides, changes by hand, publishes
and edits of one community, newest first, filterable by kind of action and by who did it.

Only who, when, what and the reason given are shown: a row's before and after may hold
private data (masked, but still not for a list).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.schemas.settings import AuditEntry
from models.audit import AuditLog

#: the kinds of action the page filters by, as prefixes of ``AuditLog.action``
KINDS = {
    "override": ("override.", "assignment.assign_anyway"),
    "by_hand": ("assignment.assign", "assignment.remove", "assignment.replace"),
    "publish": ("run.publish",),
    "edit": ("wish.", "person.", "community.", "post.", "activity.", "calendar."),
}


def _reason(after: dict[str, Any] | None) -> str:
    if not after:
        return ""
    reason = after.get("reason")
    return reason if isinstance(reason, str) else ""


def entries(
    *,
    session: Session,
    community_id: int,
    kind: str | None,
    actor: str | None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEntry], int]:
    """One page of the community's audit log, newest first, and how many match."""
    where = [AuditLog.community_id == community_id]
    if kind is not None:
        where.append(sa.or_(*(AuditLog.action.startswith(p) for p in KINDS[kind])))
    if actor:
        where.append(AuditLog.actor.contains(actor, autoescape=True))
    total = session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(*where)) or 0
    rows = session.scalars(
        sa.select(AuditLog)
        .where(*where)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        AuditEntry(
            id=row.id,
            at=row.at.isoformat(),
            actor=row.actor or "",
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            reason=_reason(row.after),
        )
        for row in rows
    ], total
