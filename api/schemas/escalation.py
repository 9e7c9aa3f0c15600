"""A wish waiting at the caller's level of escalation (no resident's contact, ever)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from api.schemas.common import UTCTime
from models.audit import AuditLog
from models.wish import WISH_STATUS_ZH, Wish, WishStatus


class EscalatedWish(BaseModel):
    id: int
    title: str
    community_id: int
    grid_id: int | None
    deadline: date
    status: WishStatus
    status_zh: str
    #: grid / community / street / civil_affairs
    level: str
    #: 网格 / 社区 / 街道 / 民政
    level_zh: str
    #: when it reached this level
    escalated_at: UTCTime

    @classmethod
    def of(cls, wish: Wish, step: AuditLog, level_zh: str) -> EscalatedWish:
        return cls(
            id=wish.id,
            title=wish.title,
            community_id=wish.community_id,
            grid_id=wish.grid_id,
            deadline=wish.deadline,
            status=wish.status,
            status_zh=WISH_STATUS_ZH[wish.status],
            level=str((step.after or {}).get("level", "")),
            level_zh=level_zh,
            escalated_at=step.at,
        )
