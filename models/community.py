"""Street (街道) → community (社区) → grid (网格): where people live and work is needed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.domain import Settings
from models.base import Base, Timestamped, check

#: the time zone of a community that names none, and of jobs that span communities
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)
#: the weekly draft is made on Friday evening for the coming week
DEFAULT_WEEKLY_RUN_WEEKDAY = 4  # Monday = 0
DEFAULT_WEEKLY_RUN_MINUTE = 20 * 60
DEFAULT_QUARTER_MINIMUM = 3
DEFAULT_RADIUS_M = 1200.0
#: the matcher's visiting hours, until a community sets its own
DEFAULT_VISIT_HOURS = Settings().visit_hours


def monday_of(day: date) -> date:
    """The Monday of the week (Monday to Sunday) that holds ``day``."""
    return day - timedelta(days=day.weekday())


class Street(Timestamped, Base):
    """街道: the level above communities; a street admin sees all of its communities."""

    __tablename__ = "street"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    district: Mapped[str] = mapped_column(sa.String(100), default="")

    communities: Mapped[list[Community]] = relationship(
        back_populates="street", order_by="Community.id"
    )

    def __repr__(self) -> str:
        return f"Street(id={self.id!r}, name={self.name!r})"


class Community(Timestamped, Base):
    """社区: where members register (报到) and where the weekly schedule is made."""

    __tablename__ = "community"
    __table_args__ = (
        sa.UniqueConstraint("street_id", "name"),
        check("weekly_run_weekday BETWEEN 0 AND 6", "weekly_run_weekday"),
        check("weekly_run_minute BETWEEN 0 AND 1439", "weekly_run_minute"),
        check("quarter_minimum >= 0", "quarter_minimum"),
        check("radius_m > 0", "radius_m"),
        check(
            "visit_start_minute >= 0 AND visit_end_minute <= 1440"
            " AND visit_start_minute < visit_end_minute",
            "visit_hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("street.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(sa.String(100))
    timezone: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_TIMEZONE)
    #: publish the weekly draft without a coordinator's review
    auto_publish: Mapped[bool] = mapped_column(default=False)
    weekly_run_weekday: Mapped[int] = mapped_column(default=DEFAULT_WEEKLY_RUN_WEEKDAY)
    weekly_run_minute: Mapped[int] = mapped_column(default=DEFAULT_WEEKLY_RUN_MINUTE)
    #: services per member per quarter the community expects
    quarter_minimum: Mapped[int] = mapped_column(default=DEFAULT_QUARTER_MINIMUM)
    #: walking radius of the service circle, in metres
    radius_m: Mapped[float] = mapped_column(default=DEFAULT_RADIUS_M)
    #: hours in which helpers may call at a household, minutes of the day (08:00–20:00)
    visit_start_minute: Mapped[int] = mapped_column(default=DEFAULT_VISIT_HOURS[0])
    visit_end_minute: Mapped[int] = mapped_column(default=DEFAULT_VISIT_HOURS[1])

    street: Mapped[Street] = relationship(back_populates="communities")
    grids: Mapped[list[Grid]] = relationship(
        back_populates="community",
        order_by="Grid.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone) if self.timezone else DEFAULT_ZONE

    @property
    def weekly_run_time(self) -> time:
        return time(self.weekly_run_minute // 60, self.weekly_run_minute % 60)

    def local_datetime(self, day: date, minute_of_day: int) -> datetime:
        """An aware datetime for a wall-clock minute of a day in this community.

        Minute 1440 is midnight at the end of ``day`` (an end time of ``24:00``).
        """
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        return midnight + timedelta(minutes=minute_of_day)

    def __repr__(self) -> str:
        return f"Community(id={self.id!r}, name={self.name!r})"


class Grid(Timestamped, Base):
    """网格: about sixty households with a party group and a service team."""

    __tablename__ = "grid"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "name"),
        sa.UniqueConstraint("community_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    center_lat: Mapped[float | None]
    center_lng: Mapped[float | None]
    #: the id it had in the file or system it was imported from
    external_id: Mapped[str | None] = mapped_column(sa.String(64))

    community: Mapped[Community] = relationship(back_populates="grids")

    def __repr__(self) -> str:
        return f"Grid(id={self.id!r}, name={self.name!r})"
