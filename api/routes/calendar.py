"""主题服务月: a community's themed-month calendar and its activities (coordinators only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from api.crud import calendar as crud
from api.deps import IdPath, SessionDep, require_coordinator
from api.permissions import ManagerDep
from api.schemas.calendar import (
    ActivityCreate,
    ActivityPublic,
    CalendarMonthPublic,
    ThemeMonthUpdate,
)

router = APIRouter(tags=["calendar 主题服务月"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}
Year = Annotated[int, Path(ge=2000, le=2100)]
Month = Annotated[int, Path(ge=1, le=12)]
MONTH_PATH = "/communities/{community_id}/calendar/{year}/{month}"


@router.get(MONTH_PATH, response_model=CalendarMonthPublic, responses=NOT_FOUND)
def read_month(
    session: SessionDep, user: ManagerDep, community_id: IdPath, year: Year, month: Month
) -> CalendarMonthPublic:
    """The month's theme (``null`` until set), service day and activities."""
    require_coordinator(session, user, community_id)
    theme = crud.theme_month(session=session, community_id=community_id, year=year, month=month)
    activities = crud.month_activities(
        session=session, community_id=community_id, year=year, month=month
    )
    return CalendarMonthPublic.of(community_id, year, month, theme, activities)


@router.put(MONTH_PATH, response_model=CalendarMonthPublic, responses=NOT_FOUND)
def set_month(
    session: SessionDep,
    user: ManagerDep,
    community_id: IdPath,
    year: Year,
    month: Month,
    data: ThemeMonthUpdate,
) -> CalendarMonthPublic:
    """Set the month's theme and party-member service day."""
    community = require_coordinator(session, user, community_id)
    theme = crud.set_theme(
        session=session, community=community, year=year, month=month, data=data, actor=user
    )
    activities = crud.month_activities(
        session=session, community_id=community_id, year=year, month=month
    )
    return CalendarMonthPublic.of(community_id, year, month, theme, activities)


@router.post(
    f"{MONTH_PATH}/activities",
    response_model=ActivityPublic,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
def create_activity(
    session: SessionDep,
    user: ManagerDep,
    community_id: IdPath,
    year: Year,
    month: Month,
    data: ActivityCreate,
) -> ActivityPublic:
    """Add an activity of the month (times are the community's local time)."""
    community = require_coordinator(session, user, community_id)
    activity = crud.create_activity(
        session=session, community=community, year=year, month=month, data=data, actor=user
    )
    return ActivityPublic.of(activity)


@router.get("/activities/{activity_id}", response_model=ActivityPublic, responses=NOT_FOUND)
def read_activity(session: SessionDep, user: ManagerDep, activity_id: IdPath) -> ActivityPublic:
    return ActivityPublic.of(crud.get_activity(session=session, user=user, activity_id=activity_id))
