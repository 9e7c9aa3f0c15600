"""Micro-wishes (微心愿) and the follow-up visits (回访) that close them.

A wish lives through six statuses, in order::

    recorded → verified → open → assigned → done → followed_up
                           ↑________|   (the helper declined and nobody replaced them)

``Wish.advance`` is the one way to move it; any other jump raises ``WishTransitionError``
naming both statuses in Chinese and English.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from matcher.domain import wish_priority
from models.base import Base, Timestamped, UTCDateTime, check, enum_type, utcnow

if TYPE_CHECKING:
    from models.community import Community, Grid
    from models.household import Household
    from models.place import Place


class WishStatus(StrEnum):
    RECORDED = "recorded"  # 已录入: written down at the door
    VERIFIED = "verified"  # 已核实: checked by the community
    OPEN = "open"  # 待认领: waiting for a helper
    ASSIGNED = "assigned"  # 已派单: a helper is scheduled
    DONE = "done"  # 已办结
    FOLLOWED_UP = "followed_up"  # 已回访: the resident was visited and rated the service


WISH_STATUS_ZH: dict[WishStatus, str] = {
    WishStatus.RECORDED: "已录入",
    WishStatus.VERIFIED: "已核实",
    WishStatus.OPEN: "待认领",
    WishStatus.ASSIGNED: "已派单",
    WishStatus.DONE: "已办结",
    WishStatus.FOLLOWED_UP: "已回访",
}

#: the statuses a wish may move to from each status
WISH_TRANSITIONS: dict[WishStatus, frozenset[WishStatus]] = {
    WishStatus.RECORDED: frozenset({WishStatus.VERIFIED}),
    WishStatus.VERIFIED: frozenset({WishStatus.OPEN}),
    WishStatus.OPEN: frozenset({WishStatus.ASSIGNED}),
    # back to open when the helper declines and no replacement is accepted
    WishStatus.ASSIGNED: frozenset({WishStatus.DONE, WishStatus.OPEN}),
    WishStatus.DONE: frozenset({WishStatus.FOLLOWED_UP}),
    WishStatus.FOLLOWED_UP: frozenset(),
}


class WishTransitionError(ValueError):
    """A status change a wish may not make."""

    def __init__(self, current: WishStatus, wanted: WishStatus):
        self.current = current
        self.wanted = wanted
        allowed = sorted(WISH_TRANSITIONS[current])
        allowed_zh = "、".join(WISH_STATUS_ZH[s] for s in allowed) or "无"
        allowed_en = ", ".join(allowed) or "none"
        super().__init__(
            f"心愿不能从「{WISH_STATUS_ZH[current]}」变为「{WISH_STATUS_ZH[wanted]}」，"
            f"可变为：{allowed_zh} "
            f"(a wish cannot go from {current} to {wanted}; allowed: {allowed_en})"
        )


class Wish(Timestamped, Base):
    __tablename__ = "wish"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "external_id"),
        check("duration_minutes BETWEEN 5 AND 1440", "duration_minutes"),
        check("deadline >= earliest", "deadline_after_earliest"),
        check("headcount >= 1", "headcount"),
        check("priority IS NULL OR (priority >= 0 AND priority <= 5)", "priority"),
        check("radius_m IS NULL OR radius_m > 0", "radius_m"),
        sa.Index(None, "community_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id", ondelete="RESTRICT"))
    grid_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("grid.id", ondelete="SET NULL"), index=True
    )
    household_id: Mapped[int] = mapped_column(
        sa.ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    #: what is wished for, public: "更换漏水水龙头"
    title: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(32))
    duration_minutes: Mapped[int]
    earliest: Mapped[date]
    #: time-limited completion (限时办结): the last day it may be done
    deadline: Mapped[date]
    #: helpers needed; above one it is a group claim, all of them or none
    headcount: Mapped[int] = mapped_column(default=1)
    #: helpers of a group wish may come at different times (two teachers, one lesson each);
    #: still all of them or none. False: they come together, at one start
    separate_visits: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: the team that claimed it (帮帮团): every helper comes from this team
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id", ondelete="SET NULL"))
    #: None: computed from the household's situations (``effective_priority``)
    priority: Mapped[float | None]
    #: the estate's building (or the venue) of the place directory it is at, if named
    place_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("place.id", ondelete="SET NULL"), index=True
    )
    lat: Mapped[float]
    lng: Mapped[float]
    radius_m: Mapped[float | None]
    #: 说明 and 需携带 for the helpers (never the address: it reaches them once they confirm)
    instructions: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    what_to_bring: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    status: Mapped[WishStatus] = mapped_column(
        enum_type(WishStatus, "wish_status"), default=WishStatus.RECORDED
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    external_id: Mapped[str | None] = mapped_column(sa.String(64))

    community: Mapped[Community] = relationship()
    grid: Mapped[Grid | None] = relationship()
    household: Mapped[Household] = relationship(back_populates="wishes")
    place: Mapped[Place | None] = relationship()
    skill_rows: Mapped[set[WishSkill]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="wish",
        order_by="FollowUp.visited_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    #: skills every helper needs; empty means anyone can help
    skills: AssociationProxy[set[str]] = association_proxy(
        "skill_rows", "skill", creator=lambda skill: WishSkill(skill=skill)
    )

    def __init__(self, **fields: Any):
        fields.setdefault("status", WishStatus.RECORDED)
        super().__init__(**fields)

    @validates("status")
    def _check_status(self, _key: str, value: WishStatus | str) -> WishStatus:
        wanted = WishStatus(value)
        current = self.__dict__.get("status")
        if current is None and sa.inspect(self).has_identity:
            current = self.status  # expired after a commit: load it, then compare
        if current is not None and wanted != current and wanted not in WISH_TRANSITIONS[current]:
            raise WishTransitionError(current, wanted)
        return wanted

    def can_advance(self, to_status: WishStatus | str) -> bool:
        return WishStatus(to_status) in WISH_TRANSITIONS[self.status]

    def advance(self, to_status: WishStatus | str, at: datetime | None = None) -> None:
        """Move to ``to_status`` or raise ``WishTransitionError``; staying put is an error too."""
        wanted = WishStatus(to_status)
        if wanted not in WISH_TRANSITIONS[self.status]:
            raise WishTransitionError(self.status, wanted)
        self.status = wanted
        self.status_changed_at = at or utcnow()

    def follow_up(
        self, *, rating: int, comment: str = "", visited_at: datetime | None = None
    ) -> FollowUp:
        """Record a follow-up visit; the first one after ``done`` closes the wish."""
        if self.status != WishStatus.FOLLOWED_UP:
            self.advance(WishStatus.FOLLOWED_UP, at=visited_at)
        visit = FollowUp(rating=rating, comment=comment, visited_at=visited_at or utcnow())
        self.follow_ups.append(visit)
        return visit

    @property
    def effective_priority(self) -> float:
        if self.priority is not None:
            return self.priority
        return wish_priority(tuple(sorted(self.household.situations)))

    def __repr__(self) -> str:
        return f"Wish(id={self.id!r}, title={self.title!r}, status={self.status!r})"


class WishSkill(Base):
    __tablename__ = "wish_skill"

    wish_id: Mapped[int] = mapped_column(
        sa.ForeignKey("wish.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(sa.String(32), primary_key=True)


class FollowUp(Timestamped, Base):
    """回访: a visit after the wish was done, with the resident's rating of the service."""

    __tablename__ = "follow_up"
    __table_args__ = (check("rating BETWEEN 1 AND 5", "rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wish.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    visited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    wish: Mapped[Wish] = relationship(back_populates="follow_ups")
