"""The themed-month calendar (主题服务月) and its activities.

Every month of a community's year has one theme (March: 学雷锋志愿服务月) and, usually, a fixed
party-member service day (党员服务日). Activities are the concrete events of the calendar, each
with its roles: how many people of which skill, and which unit is responsible.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamped, UTCDateTime, check

if TYPE_CHECKING:
    from models.community import Community, Grid


class ThemeMonth(Timestamped, Base):
    __tablename__ = "theme_month"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "year", "month"),
        check("month BETWEEN 1 AND 12", "month"),
        check("service_day IS NULL OR service_day BETWEEN 1 AND 28", "service_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id", ondelete="CASCADE"))
    year: Mapped[int]
    month: Mapped[int]
    theme: Mapped[str] = mapped_column(sa.String(200))
    #: day of the month of the party-member service day; at most 28 so every month has it
    service_day: Mapped[int | None]

    community: Mapped[Community] = relationship()
    activities: Mapped[list[Activity]] = relationship(
        back_populates="theme_month", order_by="Activity.starts_at"
    )

    def __repr__(self) -> str:
        return f"ThemeMonth({self.year}-{self.month:02d}, theme={self.theme!r})"


class Activity(Timestamped, Base):
    """One event of the calendar, at a fixed date and time."""

    __tablename__ = "activity"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "external_id"),
        check("ends_at > starts_at", "ends_after_start"),
        check("priority >= 0 AND priority <= 5", "priority"),
        check("radius_m IS NULL OR radius_m > 0", "radius_m"),
        sa.Index(None, "community_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id", ondelete="RESTRICT"))
    theme_month_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("theme_month.id", ondelete="SET NULL"), index=True
    )
    grid_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("grid.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    #: the local date of the activity in its community
    day: Mapped[date]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    lat: Mapped[float]
    lng: Mapped[float]
    category: Mapped[str] = mapped_column(sa.String(32), default="")
    #: the co-building unit (共建单位) in charge
    responsible_unit: Mapped[str] = mapped_column(sa.String(200), default="")
    priority: Mapped[float] = mapped_column(default=1.0)
    party_members_only: Mapped[bool] = mapped_column(default=False)
    radius_m: Mapped[float | None]
    external_id: Mapped[str | None] = mapped_column(sa.String(64))

    community: Mapped[Community] = relationship()
    theme_month: Mapped[ThemeMonth | None] = relationship(back_populates="activities")
    grid: Mapped[Grid | None] = relationship()
    roles: Mapped[list[ActivityRole]] = relationship(
        back_populates="activity",
        order_by="ActivityRole.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def headcount(self) -> int:
        return sum(role.headcount for role in self.roles)

    def __repr__(self) -> str:
        return f"Activity(id={self.id!r}, name={self.name!r}, day={self.day!r})"


class ActivityRole(Base):
    """How many people of one skill an activity needs; no skill means anyone."""

    __tablename__ = "activity_role"
    __table_args__ = (
        sa.UniqueConstraint("activity_id", "position"),
        check("headcount >= 1", "headcount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id", ondelete="CASCADE"))
    #: the role's index within the activity, as the matcher numbers roles
    position: Mapped[int]
    skill: Mapped[str | None] = mapped_column(sa.String(32))
    headcount: Mapped[int]

    activity: Mapped[Activity] = relationship(back_populates="roles")
