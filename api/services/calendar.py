"""The themed-month calendar: a theme per month, the month's activities, and the fixed year."""

from __future__ import annotations

import calendar as calendar_module
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.schemas.calendar import (
    ActivityCreate,
    ActivityFields,
    ActivityUpdate,
    RecurringActivityCreate,
    ThemeMonthUpdate,
)
from api.schemas.common import minutes
from api.services.changes import apply_changes, check_grid, check_team, refuse_nulls
from api.services.errors import Invalid
from api.services.places import placed_fields
from models import audit
from models.calendar import (
    ACTIVITY_DETAILS,
    Activity,
    ActivityRole,
    RecurringActivity,
    ThemeMonth,
    YearlyTheme,
)
from models.community import Community
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


def _details(session: Session, community: Community, data: ActivityFields) -> dict[str, Any]:
    """The activity's details as given, with where it is from the place directory."""
    where = placed_fields(session, community.id, data.place_id, data.lat, data.lng, data.place)
    return data.model_dump(include=set(ACTIVITY_DETAILS)) | where


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
        raise Invalid(
            f"日期须在 {year} 年 {month} 月", f"The day must be in {year}-{month:02d}", "day"
        )
    check_grid(session, community.id, data.grid_id)
    for role in data.roles:
        check_team(session, community.id, role.team_id)
    activity = Activity(
        community=community,
        theme_month=theme_month(session=session, community_id=community.id, year=year, month=month),
        grid_id=data.grid_id,
        name=data.name,
        day=data.day,
        starts_at=community.local_datetime(data.day, minutes(data.start)),
        ends_at=community.local_datetime(data.day, minutes(data.end)),
        **_details(session, community, data),
        roles=[
            ActivityRole(position=i, skill=r.skill, headcount=r.headcount, team_id=r.team_id)
            for i, r in enumerate(data.roles)
        ],
    )
    session.add(activity)
    audit.record(
        session, action="activity.create", row=activity, actor=actor, community_id=community.id
    )
    return activity


def update_activity(
    *, session: Session, activity: Activity, data: ActivityUpdate, actor: UserAccount
) -> Activity:
    """Change the words given (name, place, category, unit, instructions, what to bring)."""
    changes = data.model_dump(exclude_unset=True)
    refuse_nulls(changes, frozenset())
    apply_changes(
        session=session,
        row=activity,
        changes=changes,
        set_fields=frozenset(),
        action="activity.update",
        actor=actor,
        community_id=activity.community_id,
    )
    return activity


# the fixed year --------------------------------------------------------------------------


def yearly_themes(*, session: Session, community_id: int) -> dict[int, YearlyTheme]:
    """The fixed year's months that have a theme, by month."""
    rows = session.scalars(sa.select(YearlyTheme).where(YearlyTheme.community_id == community_id))
    return {row.month: row for row in rows}


def recurring_activities(*, session: Session, community_id: int) -> list[RecurringActivity]:
    """The community's recurring activities, active ones first."""
    return list(
        session.scalars(
            sa.select(RecurringActivity)
            .where(RecurringActivity.community_id == community_id)
            .order_by(RecurringActivity.active.desc(), RecurringActivity.id)
        )
    )


def set_yearly_theme(
    *,
    session: Session,
    community: Community,
    month: int,
    data: ThemeMonthUpdate,
    actor: UserAccount,
) -> YearlyTheme:
    """Set a month of the fixed year; years already generated keep their own ``ThemeMonth``."""
    row = yearly_themes(session=session, community_id=community.id).get(month)
    before = audit.snapshot(row) if row else None
    if row is None:
        row = YearlyTheme(community_id=community.id, month=month, theme=data.theme)
        session.add(row)
    row.theme = data.theme
    row.service_day = data.service_day
    audit.record(
        session,
        action="calendar.yearly_theme",
        row=row,
        actor=actor,
        community_id=community.id,
        before=before,
    )
    return row


def create_recurring_activity(
    *, session: Session, community: Community, data: RecurringActivityCreate, actor: UserAccount
) -> RecurringActivity:
    """Add an activity to the fixed year; weeks generated from now on carry it."""
    check_grid(session, community.id, data.grid_id)
    for role in data.roles:
        check_team(session, community.id, role.team_id)
    rule = RecurringActivity(
        community_id=community.id,
        grid_id=data.grid_id,
        name=data.name,
        month=data.month,
        day_rule=data.day_rule,
        day_of_month=data.day_of_month,
        weekday=data.weekday,
        week_of_month=data.week_of_month,
        start_minute=minutes(data.start),
        end_minute=minutes(data.end),
        **_details(session, community, data),
        roles=[
            {"skill": r.skill, "headcount": r.headcount, "team_id": r.team_id} for r in data.roles
        ],
    )
    session.add(rule)
    audit.record(
        session,
        action="calendar.recurring_create",
        row=rule,
        actor=actor,
        community_id=community.id,
    )
    return rule


def stop_recurring_activity(
    *, session: Session, rule: RecurringActivity, actor: UserAccount
) -> RecurringActivity:
    """Switch a recurring activity off: no more weeks get it; the activities made stay."""
    before = audit.snapshot(rule)
    rule.active = False
    audit.record(
        session,
        action="calendar.recurring_stop",
        row=rule,
        actor=actor,
        community_id=rule.community_id,
        before=before,
    )
    return rule
