"""公示栏 The week's notice: a grid's published services of a week, by day, to print and put up.

Only the published plan counts (a draft is the coordinators' working copy). A grid's notice
holds the services of that grid and those of the whole community (a post or an activity with
no grid), since both are done where its residents live. What a notice never holds, by
construction (``api.schemas.notice`` has no field for it): a resident's name, address or
phone — a wish reads 为一户居民上门服务 with its category, never its title, which often names
the household — a member's phone, or any coordinates.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.schemas.notice import NoticeDay, NoticeItem, WeekNotice
from api.services.errors import NotFound
from api.services.problem import LIVE_STATUSES, get_community
from api.services.reports import house_call_title
from api.services.scheduling import week_run
from matcher.domain import DemandKind
from models.calendar import Activity
from models.community import Community, Grid
from models.post import Post, Shift, check_monday
from models.schedule import Assignment, RunStatus


def _grid(
    session: Session, community: Community, grid_id: int | None, grid_ids: set[int] | None
) -> Grid | None:
    if grid_id is None:
        return None
    grid = session.get(Grid, grid_id)
    if (
        grid is None
        or grid.community_id != community.id
        or (grid_ids is not None and grid_id not in grid_ids)
    ):
        raise NotFound(f"这个社区没有编号为 {grid_id} 的网格", f"no grid {grid_id} here")
    return grid


def _what(assignment: Assignment, community: Community) -> tuple[str, str, str, int | None]:
    """Title, category, place and grid of an assignment's demand, as a notice may show them.

    A post or activity without a place of its own is said to be in its grid, else in the
    community; a wish has no public place at all."""
    if assignment.demand_kind == DemandKind.WISH and assignment.wish is not None:
        wish = assignment.wish
        return house_call_title(wish), wish.category, "", wish.grid_id
    row: Post | Activity | None = None
    if assignment.demand_kind == DemandKind.SHIFT and assignment.shift is not None:
        row = assignment.shift.post
    elif assignment.activity is not None:
        row = assignment.activity
    if row is None:
        return "", "", "", None
    place = row.place or (row.grid.name if row.grid is not None else community.name)
    return row.name, "", place, row.grid_id


def week_notice(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    grid_id: int | None = None,
    grid_ids: set[int] | None = None,
) -> WeekNotice:
    """The week's published services for ``grid_id`` (and the whole community's), by day.

    ``grid_ids`` is a grid leader's grids: another grid answers ``NotFound``, and without
    ``grid_id`` they see their grids' services and the community's.
    """
    check_monday(week_start)
    community = get_community(session, community_id)
    grid = _grid(session, community, grid_id, grid_ids)
    wanted = {grid.id} if grid is not None else grid_ids
    run = week_run(
        session=session,
        community_id=community.id,
        week_start=week_start,
        status=RunStatus.PUBLISHED,
    )
    assignments: list[Assignment] = []
    if run is not None:
        assignments = list(
            session.scalars(
                sa.select(Assignment)
                .where(Assignment.run_id == run.id, Assignment.status.in_(LIVE_STATUSES))
                .options(
                    selectinload(Assignment.person),
                    selectinload(Assignment.wish),
                    selectinload(Assignment.shift).selectinload(Shift.post).selectinload(Post.grid),
                    selectinload(Assignment.activity).selectinload(Activity.grid),
                )
            )
        )
    # one line per demand: its helpers' names, from the first start to the last end
    lines: dict[tuple[DemandKind, int], NoticeItem] = {}
    for assignment in sorted(assignments, key=lambda a: (a.starts_at, a.person.name, a.id)):
        title, category, place, demand_grid = _what(assignment, community)
        if demand_grid is not None and wanted is not None and demand_grid not in wanted:
            continue
        starts = assignment.starts_at.astimezone(community.zone)
        ends = assignment.ends_at.astimezone(community.zone)
        key = (assignment.demand_kind, assignment.demand_id or 0)
        line = lines.get(key)
        if line is None:
            lines[key] = NoticeItem(
                demand_kind=assignment.demand_kind,
                title=title,
                category=category,
                place=place,
                starts_at=starts,
                ends_at=ends,
                people=[assignment.person.name],
            )
            continue
        line.starts_at = min(line.starts_at, starts)
        line.ends_at = max(line.ends_at, ends)
        if assignment.person.name not in line.people:
            line.people.append(assignment.person.name)
    by_day: dict[date, list[NoticeItem]] = defaultdict(list)
    for line in lines.values():
        by_day[line.starts_at.date()].append(line)
    days = [
        NoticeDay(
            day=day,
            items=sorted(by_day[day], key=lambda i: (i.starts_at, i.title)),
        )
        for day in (week_start + timedelta(days=offset) for offset in range(7))
    ]
    return WeekNotice(
        community_id=community.id,
        community_name=community.name,
        week_start=week_start,
        grid_id=grid.id if grid is not None else None,
        grid_name=grid.name if grid is not None else None,
        published_run_id=run.id if run is not None else None,
        published_at=run.published_at if run is not None else None,
        days=days,
    )
