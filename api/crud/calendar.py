"""The themed-month calendar: a theme per month, and the month's activities."""

from __future__ import annotations

import calendar as calendar_module
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.deps import community_ids_for
from api.errors import NotFound, validation_error
from api.schemas.calendar import ActivityCreate, ThemeMonthUpdate
from api.schemas.common import minutes
from models import audit
from models.calendar import Activity, ActivityRole, ThemeMonth
from models.community import Community, Grid
from models.user import UserAccount


def theme_month(*, session: Session, community_id: int, year: int, month: int) -> ThemeMonth | None:
    """The month's theme row, if set."""
    return session.scalars(
        sa.select(ThemeMonth).where(
            ThemeMonth.community_id == community_id,
            ThemeMonth.year == year,
            ThemeMonth.month == month,
        )
    ).one_or_none()


def month_activities(
    *, session: Session, community_id: int, year: int, month: int
) -> list[Activity]:
    """The community's activities on days of that month, in time order."""
    first = date(year, month, 1)
    last = date(year, month, calendar_module.monthrange(year, month)[1])
    return list(
        session.scalars(
            sa.select(Activity)
            .options(selectinload(Activity.roles))
            .where(
                Activity.community_id == community_id,
                Activity.day >= first,
                Activity.day <= last,
            )
            .order_by(Activity.starts_at, Activity.id)
        )
    )


def set_theme(
    *,
    session: Session,
    community: Community,
    year: int,
    month: int,
    data: ThemeMonthUpdate,
    actor: UserAccount,
) -> ThemeMonth:
    """Set (or replace) the month's theme and service day; the month's activities join it."""
    row = theme_month(session=session, community_id=community.id, year=year, month=month)
    before = audit.snapshot(row) if row else None
    if row is None:
        row = ThemeMonth(community=community, year=year, month=month, theme=data.theme)
        session.add(row)
    row.theme = data.theme
    row.service_day = data.service_day
    session.flush()
    for activity in month_activities(
        session=session, community_id=community.id, year=year, month=month
    ):
        activity.theme_month_id = row.id
    audit.record(
        session,
        action="calendar.theme",
        row=row,
        actor=actor,
        community_id=community.id,
        before=before,
    )
    return row


def create_activity(
    *,
    session: Session,
    community: Community,
    year: int,
    month: int,
    data: ActivityCreate,
    actor: UserAccount,
) -> Activity:
    """Add an activity on a day of that month, at local wall-clock times of the community."""
    if (data.day.year, data.day.month) != (year, month):
        raise validation_error(
            ("body", "day"),
            f"日期须在 {year} 年 {month} 月",
            f"The day must be in {year}-{month:02d}",
        )
    if data.grid_id is not None:
        grid = session.get(Grid, data.grid_id)
        if grid is None or grid.community_id != community.id:
            raise validation_error(
                ("body", "grid_id"), "该社区没有这个网格", "No such grid in this community"
            )
    activity = Activity(
        community=community,
        theme_month=theme_month(session=session, community_id=community.id, year=year, month=month),
        grid_id=data.grid_id,
        name=data.name,
        day=data.day,
        starts_at=community.local_datetime(data.day, minutes(data.start)),
        ends_at=community.local_datetime(data.day, minutes(data.end)),
        place=data.place,
        lat=data.lat,
        lng=data.lng,
        category=data.category,
        responsible_unit=data.responsible_unit,
        priority=data.priority,
        party_members_only=data.party_members_only,
        radius_m=data.radius_m,
        roles=[
            ActivityRole(position=i, skill=r.skill, headcount=r.headcount)
            for i, r in enumerate(data.roles)
        ],
    )
    session.add(activity)
    audit.record(
        session, action="activity.create", row=activity, actor=actor, community_id=community.id
    )
    return activity


def get_activity(*, session: Session, user: UserAccount, activity_id: int) -> Activity:
    """An activity of a community the account manages, else 404."""
    query = (
        sa.select(Activity).options(selectinload(Activity.roles)).where(Activity.id == activity_id)
    )
    scope = community_ids_for(user)
    if scope is not None:
        query = query.where(Activity.community_id.in_(scope))
    activity = session.scalars(query).one_or_none()
    if activity is None:
        raise NotFound()
    return activity
