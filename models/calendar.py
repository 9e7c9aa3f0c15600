"""The themed-month calendar (主题服务月) and its activities.

Every month of a community's year has one theme (March: 学雷锋志愿服务月) and, usually, a fixed
party-member service day (党员服务日). Activities are the concrete events of the calendar, each
with its roles: how many people of which skill, and which unit is responsible.

A community fixes its year once (seed 000: "以主题服务月的形式将社区全年各项为民服务活动固定
下来"): ``YearlyTheme`` gives each month of every year its theme and service day, and
``RecurringActivity`` an activity that comes back on a rule (the service day, a day of the
month, or a weekday such as every second Saturday). ``generate_activities`` turns the fixed
year into a week's dated ``Activity`` rows, once: a generated row carries its rule and day in
``external_id``, which is unique per community.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, JSONType, Timestamped, UTCDateTime, check, enum_type
from models.community import Community

if TYPE_CHECKING:
    from models.community import Grid


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


class ActivityDetails:
    """What an activity is, whether dated once or by a rule of the fixed year."""

    place: Mapped[str] = mapped_column(sa.String(200), default="")
    #: the place of the directory it is at, if named
    place_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("place.id", ondelete="SET NULL"), index=True
    )
    lat: Mapped[float]
    lng: Mapped[float]
    category: Mapped[str] = mapped_column(sa.String(32), default="")
    #: the co-building unit (共建单位) in charge
    responsible_unit: Mapped[str] = mapped_column(sa.String(200), default="")
    priority: Mapped[float] = mapped_column(default=1.0)
    party_members_only: Mapped[bool] = mapped_column(default=False)
    radius_m: Mapped[float | None]
    #: 说明 and 需携带: what the helpers are told on their task card and calendar
    instructions: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    what_to_bring: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    def details(self) -> dict[str, Any]:
        """The details as keyword arguments, to copy them to another activity."""
        return {name: getattr(self, name) for name in ACTIVITY_DETAILS}


ACTIVITY_DETAILS = (
    "place",
    "place_id",
    "lat",
    "lng",
    "category",
    "responsible_unit",
    "priority",
    "party_members_only",
    "radius_m",
    "instructions",
    "what_to_bring",
)


class Activity(ActivityDetails, Timestamped, Base):
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
    #: only this team's members take the role (a team-only role)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id", ondelete="SET NULL"))

    activity: Mapped[Activity] = relationship(back_populates="roles")


# the fixed year ---------------------------------------------------------------------------


class YearlyTheme(Timestamped, Base):
    """A month of the fixed year: its theme and service day, the same every year.

    A year's ``ThemeMonth`` is made from it the first time a week of that month is generated;
    after that the year's row rules, so a coordinator may move one year's service day (a
    year's month with no service day of its own keeps this one).
    """

    __tablename__ = "yearly_theme"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "month"),
        check("month BETWEEN 1 AND 12", "month"),
        check("service_day IS NULL OR service_day BETWEEN 1 AND 28", "service_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id", ondelete="CASCADE"))
    month: Mapped[int]
    theme: Mapped[str] = mapped_column(sa.String(200))
    service_day: Mapped[int | None]

    def __repr__(self) -> str:
        return f"YearlyTheme(month={self.month}, theme={self.theme!r})"


class DayRule(StrEnum):
    """On which days a recurring activity falls."""

    #: the month's party-member service day (党员服务日)
    SERVICE_DAY = "service_day"
    #: a fixed day of the month (the 5th); months without that day have none
    DAY_OF_MONTH = "day_of_month"
    #: a weekday, every week or the n-th of the month (第二个周六)
    WEEKDAY = "weekday"


class RecurringActivity(ActivityDetails, Timestamped, Base):
    """An activity of the fixed year, on a day rule, in one month or in every month."""

    __tablename__ = "recurring_activity"
    __table_args__ = (
        check("month IS NULL OR month BETWEEN 1 AND 12", "month"),
        check(
            "(day_rule = 'service_day' AND day_of_month IS NULL AND weekday IS NULL"
            " AND week_of_month IS NULL)"
            " OR (day_rule = 'day_of_month' AND day_of_month BETWEEN 1 AND 31"
            " AND weekday IS NULL AND week_of_month IS NULL)"
            " OR (day_rule = 'weekday' AND day_of_month IS NULL AND weekday BETWEEN 0 AND 6"
            " AND (week_of_month IS NULL OR week_of_month BETWEEN 1 AND 5))",
            "day_rule_fields",
        ),
        check("start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute", "window"),
        check("priority >= 0 AND priority <= 5", "priority"),
        check("radius_m IS NULL OR radius_m > 0", "radius_m"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grid.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(200))
    #: 1–12, or None for every month
    month: Mapped[int | None]
    day_rule: Mapped[DayRule] = mapped_column(enum_type(DayRule, "day_rule"))
    day_of_month: Mapped[int | None]
    #: 0 is Monday
    weekday: Mapped[int | None]
    #: 1–5: the n-th such weekday of the month; None: every one
    week_of_month: Mapped[int | None]
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    #: ``[{"skill": "medical" | None, "headcount": 2}, …]``, copied to each activity's roles
    roles: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    #: a rule switched off makes no more activities; those made stay
    active: Mapped[bool] = mapped_column(default=True)

    def falls_on(self, day: date, service_day: int | None) -> bool:
        """Whether the rule makes an activity on ``day`` (the month's service day given)."""
        if self.month is not None and self.month != day.month:
            return False
        if self.day_rule == DayRule.SERVICE_DAY:
            return service_day is not None and day.day == service_day
        if self.day_rule == DayRule.DAY_OF_MONTH:
            return day.day == self.day_of_month
        if day.weekday() != self.weekday:
            return False
        return self.week_of_month is None or (day.day - 1) // 7 + 1 == self.week_of_month

    def external_id_on(self, day: date) -> str:
        """The generated activity's key: one per rule and day."""
        return f"rule-{self.id}-{day:%Y%m%d}"

    def __repr__(self) -> str:
        return f"RecurringActivity(id={self.id!r}, name={self.name!r}, rule={self.day_rule})"


def month_of_year(
    session: Session, community_id: int, day: date
) -> tuple[ThemeMonth | None, int | None]:
    """``day``'s ``ThemeMonth`` (made from the fixed year when missing) and its service day.

    A year's month that sets no service day of its own takes the fixed year's.
    """
    row = session.scalars(
        sa.select(ThemeMonth).where(
            ThemeMonth.community_id == community_id,
            ThemeMonth.year == day.year,
            ThemeMonth.month == day.month,
        )
    ).one_or_none()
    fixed = session.scalars(
        sa.select(YearlyTheme).where(
            YearlyTheme.community_id == community_id, YearlyTheme.month == day.month
        )
    ).one_or_none()
    fixed_day = fixed.service_day if fixed is not None else None
    if row is not None:
        return row, row.service_day or fixed_day
    if fixed is None:
        return None, None
    row = ThemeMonth(
        community_id=community_id,
        year=day.year,
        month=day.month,
        theme=fixed.theme,
        service_day=fixed.service_day,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # made at the same moment by another caller: use theirs
        return month_of_year(session, community_id, day)
    return row, fixed_day


def generate_activities(session: Session, community_id: int, week_start: date) -> list[Activity]:
    """Make the week's activities from the community's fixed year; returns those made now.

    Idempotent, also when two callers race: an activity whose rule and day already has its
    row (by ``external_id``) is not made again, and an insert that loses a race to the unique
    key is rolled back to its savepoint. A day that already holds an activity of the rule's
    name gets no second one.
    """
    community = session.get(Community, community_id)
    if community is None:
        raise LookupError(f"没有编号为 {community_id} 的社区 (no community {community_id})")
    rules = list(
        session.scalars(
            sa.select(RecurringActivity)
            .where(
                RecurringActivity.community_id == community_id,
                RecurringActivity.active.is_(True),
            )
            .order_by(RecurringActivity.id)
        )
    )
    days = [week_start + timedelta(days=offset) for offset in range(7)]
    if not rules:
        return []
    in_week = session.execute(
        sa.select(Activity.external_id, Activity.name, Activity.day).where(
            Activity.community_id == community_id,
            Activity.day >= days[0],
            Activity.day <= days[-1],
        )
    ).all()
    existing = {key for key, _, _ in in_week if key is not None}
    # an activity already on that day under the rule's name ("党员服务日", or a title that
    # begins with it, "党员服务日·学雷锋志愿服务月"), entered by hand or imported with a
    # scenario, is the rule's activity: a second one would ask for every helper twice
    names_on: dict[date, list[str]] = {}
    for _, name, day in in_week:
        names_on.setdefault(day, []).append(name)
    made: list[Activity] = []
    for day in days:
        theme, service_day = month_of_year(session, community_id, day)
        for rule in rules:
            key = rule.external_id_on(day)
            if key in existing or any(n.startswith(rule.name) for n in names_on.get(day, ())):
                continue
            if not rule.falls_on(day, service_day):
                continue
            activity = Activity(
                community_id=community_id,
                theme_month_id=theme.id if theme is not None else None,
                grid_id=rule.grid_id,
                name=rule.name,
                day=day,
                starts_at=community.local_datetime(day, rule.start_minute),
                ends_at=community.local_datetime(day, rule.end_minute),
                external_id=key,
                **rule.details(),
                roles=[
                    ActivityRole(
                        position=i,
                        skill=r.get("skill"),
                        headcount=int(r["headcount"]),
                        team_id=r.get("team_id"),
                    )
                    for i, r in enumerate(rule.roles or [{"skill": None, "headcount": 1}])
                ],
            )
            try:
                with session.begin_nested():
                    session.add(activity)
            except IntegrityError:
                continue
            made.append(activity)
    return made
