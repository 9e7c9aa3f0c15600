"""The dashboard of a community: the last weeks' coverage, the last months' wishes and hours,
and how evenly the published plans spread the work.

Only published plans count, as in the monthly report (``api/services/reports.py``, which
computes the hours used here). Weeks end with the week of ``until`` and months with its month,
on the community's own calendar; ``until`` is today unless the caller looks back (or ahead) to
another date, at most ``UNTIL_YEARS`` years away. ``grid_ids`` narrows everything to a grid
leader's grids.

- **Coverage** of a week: heads of its shifts (a post's most staff) and activities (their
  roles), and of the wishes its published plan held or left short (their helpers); filled are
  the assignments still standing (proposed, confirmed, done), at most the heads needed.
- **Wishes** per month: recorded that month; due that month, and of those the ones done or
  followed up (the monthly report's figures).
- **Hours** per grid: the monthly report's hours (done assignments, hours logged, else their
  length) added up over the months, per grid of the person who served; beside them the planned
  hours, the length of the standing tasks of published plans in the same months.
- **Load**: tasks per active person in the published plans of the weeks (standing
  assignments), as a histogram with mean, maximum and Gini coefficient.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.schemas.dashboard import Dashboard, GridHours, Load, LoadBucket, MonthWishes, WeekCoverage
from api.services.board import in_grids
from api.services.errors import Invalid
from api.services.problem import LIVE_STATUSES, get_community, matcher_demand_id
from api.services.reports import FULFILLED, NO_GRID, month_report
from matcher.domain import DemandKind
from models.calendar import Activity
from models.community import Community, Grid, monday_of
from models.person import Person
from models.post import Post, Shift
from models.schedule import Assignment, RunStatus, ScheduleRun
from models.wish import Wish

#: how far from today, either way, the figures may end: room for any review of past years or
#: plans ahead, while a mistyped year (2206 for 2026) is refused rather than answered empty
UNTIL_YEARS = 5


def last_mondays(today: date, weeks: int) -> list[date]:
    """The Mondays of ``weeks`` weeks ending with the week of ``today``, oldest first."""
    current = monday_of(today)
    return [current - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def last_months(today: date, months: int) -> list[tuple[int, int]]:
    """(year, month) of ``months`` months ending with the month of ``today``, oldest first."""
    index = today.year * 12 + today.month - 1
    return [(i // 12, i % 12 + 1) for i in range(index - months + 1, index + 1)]


def _years_from(day: date, years: int) -> date:
    """The same date ``years`` years away; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_until(*, today: date, until: date) -> date:
    """``until`` if it is at most ``UNTIL_YEARS`` years from ``today``, else a 422 on ``until``."""
    if not _years_from(today, -UNTIL_YEARS) <= until <= _years_from(today, UNTIL_YEARS):
        raise Invalid(
            f"截至日期须在今天前后 {UNTIL_YEARS} 年之内",
            f"until must be within {UNTIL_YEARS} years of today",
            "until",
            location="query",
        )
    return until


def gini(values: Sequence[int]) -> float:
    """Gini coefficient of non-negative counts: 0 when all are equal (or all zero)."""
    ordered = sorted(values)
    total = sum(ordered)
    if not ordered or total == 0:
        return 0.0
    n = len(ordered)
    weighted = sum(rank * value for rank, value in enumerate(ordered, start=1))
    return round(2 * weighted / (n * total) - (n + 1) / n, 3)


# coverage ------------------------------------------------------------------------------------


def weekly_coverage(
    *, session: Session, community: Community, mondays: Sequence[date], grid_ids: set[int] | None
) -> list[WeekCoverage]:
    """Heads needed and filled per week, in the weeks' published plans."""
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    needed: dict[str, tuple[date, int]] = {}
    for shift_id, day, max_staff, grid_id in session.execute(
        sa.select(Shift.id, Shift.day, Post.max_staff, Post.grid_id)
        .join(Shift.post)
        .where(Post.community_id == community.id, Shift.day >= first, Shift.day <= last)
    ):
        if in_grids(grid_id, grid_ids):
            needed[matcher_demand_id(DemandKind.SHIFT, shift_id)] = (monday_of(day), max_staff)
    for activity in session.scalars(
        sa.select(Activity)
        .where(Activity.community_id == community.id, Activity.day >= first, Activity.day <= last)
        .options(selectinload(Activity.roles))
    ):
        if in_grids(activity.grid_id, grid_ids):
            key = matcher_demand_id(DemandKind.ACTIVITY, activity.id)
            needed[key] = (monday_of(activity.day), activity.headcount)

    runs = {
        run.id: run
        for run in session.scalars(
            sa.select(ScheduleRun).where(
                ScheduleRun.community_id == community.id,
                ScheduleRun.status == RunStatus.PUBLISHED,
                ScheduleRun.week_start >= first,
                ScheduleRun.week_start <= mondays[-1],
            )
        )
    }
    standing: Counter[str] = Counter()
    # a wish spans weeks: it counts in the week whose plan held it or left it short
    wish_weeks: dict[int, set[date]] = defaultdict(set)
    wish_standing: Counter[tuple[date, int]] = Counter()
    for run_id, kind, demand_id in session.execute(
        sa.select(
            Assignment.run_id,
            Assignment.demand_kind,
            sa.func.coalesce(Assignment.wish_id, Assignment.shift_id, Assignment.activity_id),
        ).where(Assignment.run_id.in_(runs), Assignment.status.in_(LIVE_STATUSES))
    ):
        if kind == DemandKind.WISH:
            week = runs[run_id].week_start
            wish_weeks[demand_id].add(week)
            wish_standing[(week, demand_id)] += 1
        else:
            standing[matcher_demand_id(kind, demand_id)] += 1
    for run in runs.values():
        for gap in run.unfilled or []:
            if gap["demand_kind"] == DemandKind.WISH.value:
                wish_weeks[int(gap["demand_id"])].add(run.week_start)
    wishes = {
        wish_id: (headcount, grid_id)
        for wish_id, headcount, grid_id in session.execute(
            sa.select(Wish.id, Wish.headcount, Wish.grid_id).where(Wish.id.in_(wish_weeks))
        )
    }

    heads: Counter[date] = Counter()
    filled: Counter[date] = Counter()
    for key, (week, count) in needed.items():
        heads[week] += count
        filled[week] += min(standing[key], count)
    for wish_id, weeks in wish_weeks.items():
        headcount, grid_id = wishes[wish_id]
        if not in_grids(grid_id, grid_ids):
            continue
        for week in weeks:
            heads[week] += headcount
            filled[week] += min(wish_standing[(week, wish_id)], headcount)
    published = {run.week_start: run.id for run in runs.values()}
    return [
        WeekCoverage(
            week_start=monday,
            needed=heads[monday],
            filled=filled[monday],
            ratio=round(filled[monday] / heads[monday], 3) if heads[monday] else None,
            published_run_id=published.get(monday),
        )
        for monday in mondays
    ]


# wishes and hours per month ------------------------------------------------------------------


def wishes_per_month(
    *,
    session: Session,
    community: Community,
    months: Sequence[tuple[int, int]],
    grid_ids: set[int] | None,
) -> list[MonthWishes]:
    """Wishes recorded, due, and fulfilled of those due, per month."""
    first = date(*months[0], 1)
    since = community.local_datetime(first, 0)
    query = sa.select(Wish.created_at, Wish.deadline, Wish.status).where(
        Wish.community_id == community.id,
        sa.or_(Wish.created_at >= since, Wish.deadline >= first),
    )
    if grid_ids is not None:
        query = query.where(Wish.grid_id.in_(grid_ids))
    received: Counter[tuple[int, int]] = Counter()
    due: Counter[tuple[int, int]] = Counter()
    fulfilled: Counter[tuple[int, int]] = Counter()
    for created_at, deadline, status in session.execute(query):
        recorded = created_at.astimezone(community.zone).date()
        received[(recorded.year, recorded.month)] += 1
        due[(deadline.year, deadline.month)] += 1
        if status in FULFILLED:
            fulfilled[(deadline.year, deadline.month)] += 1
    return [
        MonthWishes(
            month=f"{month[0]:04d}-{month[1]:02d}",
            received=received[month],
            due=due[month],
            fulfilled=fulfilled[month],
        )
        for month in months
    ]


def hours_per_grid(
    *,
    session: Session,
    community: Community,
    months: Sequence[tuple[int, int]],
    grid_ids: set[int] | None,
) -> list[GridHours]:
    """Hours served per grid over the months, from the monthly reports; every grid is listed."""
    hours: defaultdict[int | None, float] = defaultdict(float)
    for year, month in months:
        report = month_report(session=session, community_id=community.id, year=year, month=month)
        for grid in report.grids:
            hours[grid.grid_id] += grid.hours
    planned = planned_hours(session=session, community=community, months=months)
    grids = session.scalars(
        sa.select(Grid).where(Grid.community_id == community.id).order_by(Grid.id)
    ).all()
    found = [
        GridHours(
            grid_id=g.id,
            name=g.name,
            hours=round(hours[g.id], 2),
            planned_hours=round(planned[g.id], 2),
        )
        for g in grids
        if in_grids(g.id, grid_ids)
    ]
    if grid_ids is None and (hours.get(None) or planned.get(None)):
        found.append(
            GridHours(
                grid_id=None,
                name=NO_GRID,
                hours=round(hours[None], 2),
                planned_hours=round(planned[None], 2),
            )
        )
    return found


def planned_hours(
    *, session: Session, community: Community, months: Sequence[tuple[int, int]]
) -> defaultdict[int | None, float]:
    """Hours of the standing tasks (proposed, confirmed, done) of published plans starting in
    the months, per grid of the person on them."""
    planned: defaultdict[int | None, float] = defaultdict(float)
    if not months:
        return planned
    first_year, first_month = min(months)
    last_year, last_month = max(months)
    after = date(last_year + last_month // 12, last_month % 12 + 1, 1)
    rows = session.execute(
        sa.select(Person.grid_id, Assignment.starts_at, Assignment.ends_at)
        .join(Assignment.run)
        .join(Person, Person.id == Assignment.person_id)
        .where(
            ScheduleRun.community_id == community.id,
            ScheduleRun.status == RunStatus.PUBLISHED,
            Assignment.status.in_(LIVE_STATUSES),
            Assignment.starts_at >= community.local_datetime(date(first_year, first_month, 1), 0),
            Assignment.starts_at < community.local_datetime(after, 0),
        )
    )
    for grid_id, starts_at, ends_at in rows:
        planned[grid_id] += (ends_at - starts_at).total_seconds() / 3600
    return planned


# load ----------------------------------------------------------------------------------------


def load(
    *, session: Session, community: Community, mondays: Sequence[date], grid_ids: set[int] | None
) -> Load:
    """Standing tasks per active person in the weeks' published plans."""
    people = sa.select(Person.id).where(
        Person.community_id == community.id, Person.active.is_(True)
    )
    if grid_ids is not None:
        people = people.where(Person.grid_id.in_(grid_ids))
    tasks: dict[int, int] = {
        person_id: count
        for person_id, count in session.execute(
            sa.select(Assignment.person_id, sa.func.count())
            .join(Assignment.run)
            .where(
                ScheduleRun.community_id == community.id,
                ScheduleRun.status == RunStatus.PUBLISHED,
                ScheduleRun.week_start >= mondays[0],
                ScheduleRun.week_start <= mondays[-1],
                Assignment.status.in_(LIVE_STATUSES),
                Assignment.person_id.in_(people.scalar_subquery()),
            )
            .group_by(Assignment.person_id)
        )
    }
    counts = [tasks.get(person_id, 0) for person_id in session.scalars(people)]
    histogram = Counter(counts)
    most = max(counts, default=0)
    return Load(
        buckets=[
            LoadBucket(services=services, people=histogram[services])
            for services in range(most + 1)
        ]
        if counts
        else [],
        people=len(counts),
        mean=round(sum(counts) / len(counts), 2) if counts else 0.0,
        max=most,
        gini=gini(counts),
    )


def dashboard(
    *,
    session: Session,
    community_id: int,
    today: date,
    weeks: int,
    months: int,
    until: date | None = None,
    grid_ids: set[int] | None = None,
) -> Dashboard:
    """The community's dashboard ending with ``until`` (default ``today``, the community's
    date); a 422 when ``until`` is more than ``UNTIL_YEARS`` years from ``today``."""
    community = get_community(session, community_id)
    last_day = today if until is None else check_until(today=today, until=until)
    mondays = last_mondays(last_day, weeks)
    month_list = last_months(last_day, months)
    return Dashboard(
        community_id=community.id,
        today=today,
        until=last_day,
        weekly_coverage=weekly_coverage(
            session=session, community=community, mondays=mondays, grid_ids=grid_ids
        ),
        wishes_per_month=wishes_per_month(
            session=session, community=community, months=month_list, grid_ids=grid_ids
        ),
        hours_per_grid=hours_per_grid(
            session=session, community=community, months=month_list, grid_ids=grid_ids
        ),
        load=load(session=session, community=community, mondays=mondays, grid_ids=grid_ids),
    )
