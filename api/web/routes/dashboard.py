"""概览 The coordinator console's dashboard: the last weeks' coverage in the published plans,
wishes received and fulfilled per month, hours per grid, and how evenly work is spread.

Readers of the community only; a grid leader's figures cover their own grids. "Today" is the
community's date at the moment of the request (``api.web.clock.now``, which tests set); ``until``
ends the figures on another date, such as the last day of a week planned ahead or gone by.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.schemas.dashboard import Dashboard
from api.services import dashboard as service
from api.services.scope import grid_scope
from api.web.clock import NowDep
from api.web.deps import SessionDep
from api.web.permissions import ReaderDep
from api.web.scope import ReadableCommunity

router = APIRouter(tags=["dashboard 概览"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}


@router.get("/communities/{community_id}/dashboard", response_model=Dashboard, responses=NOT_FOUND)
def read_dashboard(
    session: SessionDep,
    user: ReaderDep,
    now: NowDep,
    community: ReadableCommunity,
    weeks: Annotated[int, Query(ge=1, le=52, description="weeks, ending with this one")] = 8,
    months: Annotated[int, Query(ge=1, le=24, description="months, ending with this one")] = 6,
    until: Annotated[
        date | None,
        Query(
            description="the day the figures end with (default today), "
            f"at most {service.UNTIL_YEARS} years from today"
        ),
    ] = None,
) -> Dashboard:
    """Coverage per week, wishes per month, hours per grid and the spread of tasks, from the
    published plans, ending with the week and month of ``until`` (default: today)."""
    return service.dashboard(
        session=session,
        community_id=community.id,
        today=now.astimezone(community.zone).date(),
        weeks=weeks,
        months=months,
        until=until,
        grid_ids=grid_scope(user),
    )
