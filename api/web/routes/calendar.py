"""主题服务月: a community's themed-month calendar and its activities (coordinators only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from api.schemas.calendar import (
    ActivityCreate,
    ActivityPublic,
    ActivityUpdate,
    CalendarMonthPublic,
    RecurringActivityCreate,
    RecurringActivityPublic,
    ThemeMonthUpdate,
    YearlyCalendarPublic,
    YearMonthPublic,
)
from api.services import calendar as service
from api.web.deps import SessionDep
from api.web.permissions import ManagerDep
from api.web.scope import ManagedActivity, ManagedCommunity, ManagedRecurringActivity

router = APIRouter(tags=["calendar 主题服务月"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}
Year = Annotated[int, Path(ge=2000, le=2100)]
Month = Annotated[int, Path(ge=1, le=12)]
MONTH_PATH = "/communities/{community_id}/calendar/{year}/{month}"
YEARLY_PATH = "/communities/{community_id}/yearly-calendar"


@router.get(MONTH_PATH, response_model=CalendarMonthPublic, responses=NOT_FOUND)
def read_month(
    session: SessionDep, community: ManagedCommunity, year: Year, month: Month
) -> CalendarMonthPublic:
    """The month's theme (``null`` until set), service day and activities."""
    theme = service.theme_month(session=session, community_id=community.id, year=year, month=month)
    activities = service.month_activities(
        session=session, community_id=community.id, year=year, month=month
    )
    return CalendarMonthPublic.of(community.id, year, month, theme, activities)


@router.put(MONTH_PATH, response_model=CalendarMonthPublic, responses=NOT_FOUND)
def set_month(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    year: Year,
    month: Month,
    data: ThemeMonthUpdate,
) -> CalendarMonthPublic:
    """Set the month's theme and party-member service day."""
    theme = service.set_theme(
        session=session, community=community, year=year, month=month, data=data, actor=user
    )
    activities = service.month_activities(
        session=session, community_id=community.id, year=year, month=month
    )
    return CalendarMonthPublic.of(community.id, year, month, theme, activities)


@router.post(
    f"{MONTH_PATH}/activities",
    response_model=ActivityPublic,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
def create_activity(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    year: Year,
    month: Month,
    data: ActivityCreate,
) -> ActivityPublic:
    """Add an activity of the month (times are the community's local time)."""
    activity = service.create_activity(
        session=session, community=community, year=year, month=month, data=data, actor=user
    )
    return ActivityPublic.of(activity)


@router.get("/activities/{activity_id}", response_model=ActivityPublic, responses=NOT_FOUND)
def read_activity(activity: ManagedActivity) -> ActivityPublic:
    return ActivityPublic.of(activity)


@router.patch("/activities/{activity_id}", response_model=ActivityPublic, responses=NOT_FOUND)
def update_activity(
    session: SessionDep, user: ManagerDep, activity: ManagedActivity, data: ActivityUpdate
) -> ActivityPublic:
    """Change an activity's words: name, place, category, unit, instructions (说明) and what to
    bring (需携带); ``null`` is refused."""
    service.update_activity(session=session, activity=activity, data=data, actor=user)
    return ActivityPublic.of(activity)


# the fixed year: what every year repeats; each week's activities are made from it


def _yearly(session: SessionDep, community_id: int) -> YearlyCalendarPublic:
    themes = service.yearly_themes(session=session, community_id=community_id)
    return YearlyCalendarPublic(
        community_id=community_id,
        months=[
            YearMonthPublic(
                month=month,
                theme=themes[month].theme if month in themes else None,
                service_day=themes[month].service_day if month in themes else None,
            )
            for month in range(1, 13)
        ],
        recurring=[
            RecurringActivityPublic.of(rule)
            for rule in service.recurring_activities(session=session, community_id=community_id)
        ],
    )


@router.get(YEARLY_PATH, response_model=YearlyCalendarPublic, responses=NOT_FOUND)
def read_yearly(session: SessionDep, community: ManagedCommunity) -> YearlyCalendarPublic:
    """The fixed year: each month's theme and service day, and the recurring activities."""
    return _yearly(session, community.id)


@router.put(
    f"{YEARLY_PATH}/months/{{month}}", response_model=YearlyCalendarPublic, responses=NOT_FOUND
)
def set_yearly_month(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    month: Month,
    data: ThemeMonthUpdate,
) -> YearlyCalendarPublic:
    """Set a month of the fixed year (every year from the next generated week on)."""
    service.set_yearly_theme(
        session=session, community=community, month=month, data=data, actor=user
    )
    session.flush()
    return _yearly(session, community.id)


@router.post(
    f"{YEARLY_PATH}/activities",
    response_model=RecurringActivityPublic,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
def create_recurring_activity(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    data: RecurringActivityCreate,
) -> RecurringActivityPublic:
    """Add a recurring activity (the 党员服务日, a day of the month, or a weekday)."""
    rule = service.create_recurring_activity(
        session=session, community=community, data=data, actor=user
    )
    return RecurringActivityPublic.of(rule)


@router.delete(
    "/recurring-activities/{rule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
def stop_recurring_activity(
    session: SessionDep, user: ManagerDep, rule: ManagedRecurringActivity
) -> None:
    """Stop a recurring activity; the activities already made stay in their weeks."""
    service.stop_recurring_activity(session=session, rule=rule, actor=user)
