"""Reports: a community's month, and one member's quarter for their work unit (服务登记卡).

Only published plans count: an assignment counts where its run is the week's published run.
Months and quarters are the community's local calendar.

- **Demand filled**: shifts and activities dated in the month; heads needed are a post's most
  staff and an activity's roles, heads filled are the assignments still standing (proposed,
  confirmed, done), at most the heads needed.
- **Wishes**: wishes whose deadline falls in the month, and how many of them were done
  (done or followed up); the mean rating of the month's follow-up visits.
- **Hours**: done assignments starting in the month; hours served as logged, else the
  assignment's length. Per person and per grid (the person's grid).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.services.errors import Invalid, NotFound
from api.services.problem import LIVE_STATUSES, get_community
from matcher.domain import DemandKind
from models.calendar import Activity
from models.community import Community, Grid
from models.person import Person
from models.post import Post, Shift
from models.schedule import Assignment, AssignmentStatus, RunStatus, ScheduleRun
from models.team import Team
from models.wish import FollowUp, Wish, WishStatus

NO_GRID = "未分网格"
#: wishes that count as fulfilled
FULFILLED = (WishStatus.DONE, WishStatus.FOLLOWED_UP)


@dataclass(frozen=True, slots=True)
class PersonHours:
    person_id: int
    name: str
    grid: str
    services: int
    hours: float


@dataclass(frozen=True, slots=True)
class GridHours:
    grid_id: int | None
    grid: str
    services: int
    hours: float


@dataclass(frozen=True, slots=True)
class MonthReport:
    community_id: int
    community: str
    year: int
    month: int
    heads_needed: int
    heads_filled: int
    wishes_due: int
    wishes_fulfilled: int
    follow_ups: int
    mean_rating: float | None
    services: int
    hours: float
    people: list[PersonHours] = field(default_factory=list)
    grids: list[GridHours] = field(default_factory=list)

    @property
    def fill_rate(self) -> float | None:
        return self.heads_filled / self.heads_needed if self.heads_needed else None


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    day: date
    kind: str
    title: str
    hours: float


@dataclass(frozen=True, slots=True)
class MonthLine:
    month: int
    services: int
    hours: float


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """服务登记卡: what one member did in a quarter, for their work unit."""

    person_id: int
    name: str
    kind: str
    work_unit: str
    community: str
    year: int
    quarter: int
    services: int
    hours: float
    quarter_minimum: int
    months: list[MonthLine]
    entries: list[ServiceEntry]

    @property
    def meets_minimum(self) -> bool:
        return self.services >= self.quarter_minimum


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    if not 1 <= month <= 12:
        raise Invalid(f"月份应在 1–12 之间，收到 {month}", f"month must be 1–12, got {month}")
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, following


def _moments(community: Community, first: date, following: date) -> tuple[datetime, datetime]:
    return community.local_datetime(first, 0), community.local_datetime(following, 0)


def _hours(assignment: Assignment) -> float:
    if assignment.hours_served is not None:
        return assignment.hours_served
    return (assignment.ends_at - assignment.starts_at).total_seconds() / 3600


def _published_assignments(community_id: int) -> sa.Select[Assignment]:
    return (
        sa.select(Assignment)
        .join(Assignment.run)
        .where(ScheduleRun.community_id == community_id, ScheduleRun.status == RunStatus.PUBLISHED)
    )


def month_report(*, session: Session, community_id: int, year: int, month: int) -> MonthReport:
    """Demand filled, wishes fulfilled and hours per person and grid, for one month."""
    community = get_community(session, community_id)
    first, following = _month_bounds(year, month)
    start, end = _moments(community, first, following)
    last = following - timedelta(days=1)

    needed: dict[tuple[DemandKind, int], int] = {}
    for shift, max_staff in session.execute(
        sa.select(Shift.id, Post.max_staff)
        .join(Shift.post)
        .where(Post.community_id == community_id, Shift.day >= first, Shift.day <= last)
    ):
        needed[(DemandKind.SHIFT, shift)] = max_staff
    for activity in session.scalars(
        sa.select(Activity)
        .where(Activity.community_id == community_id, Activity.day >= first, Activity.day <= last)
        .options(selectinload(Activity.roles))
    ):
        needed[(DemandKind.ACTIVITY, activity.id)] = activity.headcount
    standing: dict[tuple[DemandKind, int], int] = defaultdict(int)
    for kind, demand_id in session.execute(
        sa.select(
            Assignment.demand_kind, sa.func.coalesce(Assignment.shift_id, Assignment.activity_id)
        )
        .join(Assignment.run)
        .where(
            ScheduleRun.community_id == community_id,
            ScheduleRun.status == RunStatus.PUBLISHED,
            Assignment.demand_kind.in_((DemandKind.SHIFT, DemandKind.ACTIVITY)),
            Assignment.status.in_(LIVE_STATUSES),
        )
    ):
        standing[(DemandKind(kind), demand_id)] += 1
    heads_filled = sum(min(standing.get(key, 0), heads) for key, heads in needed.items())

    due = session.scalars(
        sa.select(Wish.status).where(
            Wish.community_id == community_id, Wish.deadline >= first, Wish.deadline <= last
        )
    ).all()
    fulfilled = sum(1 for s in due if s in FULFILLED)
    ratings = session.scalars(
        sa.select(FollowUp.rating)
        .join(FollowUp.wish)
        .where(
            Wish.community_id == community_id,
            FollowUp.visited_at >= start,
            FollowUp.visited_at < end,
        )
    ).all()

    done = session.scalars(
        _published_assignments(community_id)
        .where(
            Assignment.status == AssignmentStatus.DONE,
            Assignment.starts_at >= start,
            Assignment.starts_at < end,
        )
        .options(selectinload(Assignment.person).selectinload(Person.grid))
        .order_by(Assignment.starts_at, Assignment.id)
    ).all()
    per_person: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in done:
        per_person[assignment.person_id].append(assignment)
    people = [
        PersonHours(
            person_id=person_id,
            name=rows[0].person.name,
            grid=rows[0].person.grid.name if rows[0].person.grid else NO_GRID,
            services=len(rows),
            hours=round(sum(_hours(a) for a in rows), 2),
        )
        for person_id, rows in per_person.items()
    ]
    people.sort(key=lambda p: (-p.hours, p.person_id))
    per_grid: dict[int | None, list[Assignment]] = defaultdict(list)
    for assignment in done:
        per_grid[assignment.person.grid_id].append(assignment)
    grid_names = {
        g.id: g.name
        for g in session.scalars(sa.select(Grid).where(Grid.community_id == community_id))
    }
    grids = [
        GridHours(
            grid_id=grid_id,
            grid=grid_names.get(grid_id, NO_GRID) if grid_id is not None else NO_GRID,
            services=len(rows),
            hours=round(sum(_hours(a) for a in rows), 2),
        )
        for grid_id, rows in per_grid.items()
    ]
    grids.sort(key=lambda g: (-g.hours, g.grid_id or 0))
    return MonthReport(
        community_id=community.id,
        community=community.name,
        year=year,
        month=month,
        heads_needed=sum(needed.values()),
        heads_filled=heads_filled,
        wishes_due=len(due),
        wishes_fulfilled=fulfilled,
        follow_ups=len(ratings),
        mean_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        services=len(done),
        hours=round(sum(_hours(a) for a in done), 2),
        people=people,
        grids=grids,
    )


#: a wish as anyone but the coordinator and its helpers reads it: its title often names the
#: resident or their home (「给3栋王奶奶买药」)
HOUSE_CALL_TITLE = "为一户居民上门服务"


def house_call_title(wish: Wish) -> str:
    """A wish as a public notice or a member's employer reads it: what kind of help, not for
    whom."""
    return f"{HOUSE_CALL_TITLE}（{wish.category}）" if wish.category else HOUSE_CALL_TITLE


def _title(assignment: Assignment) -> str:
    """A service as its card names it; the card goes to the member's work unit."""
    if assignment.demand_kind == DemandKind.WISH and assignment.wish is not None:
        return house_call_title(assignment.wish)
    if assignment.demand_kind == DemandKind.SHIFT and assignment.shift is not None:
        return assignment.shift.post.name
    if assignment.activity is not None:
        return assignment.activity.name
    return ""


def service_record(*, session: Session, person_id: int, year: int, quarter: int) -> ServiceRecord:
    """One member's done services in a quarter: count, hours, per month, and each entry."""
    if not 1 <= quarter <= 4:
        raise Invalid(f"季度应在 1–4 之间，收到 {quarter}", f"quarter must be 1–4, got {quarter}")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"没有编号为 {person_id} 的人员", f"no person {person_id}")
    community = person.community
    first_month = 3 * (quarter - 1) + 1
    first, _ = _month_bounds(year, first_month)
    _, following = _month_bounds(year, first_month + 2)
    start, end = _moments(community, first, following)
    done = session.scalars(
        _published_assignments(community.id)
        .where(
            Assignment.person_id == person_id,
            Assignment.status == AssignmentStatus.DONE,
            Assignment.starts_at >= start,
            Assignment.starts_at < end,
        )
        .order_by(Assignment.starts_at, Assignment.id)
    ).all()
    entries = [
        ServiceEntry(
            day=a.starts_at.astimezone(community.zone).date(),
            kind=a.demand_kind.value,
            title=_title(a),
            hours=round(_hours(a), 2),
        )
        for a in done
    ]
    months = [
        MonthLine(
            month=m,
            services=sum(1 for e in entries if e.day.month == m),
            hours=round(sum(e.hours for e in entries if e.day.month == m), 2),
        )
        for m in range(first_month, first_month + 3)
    ]
    return ServiceRecord(
        person_id=person.id,
        name=person.name,
        kind=person.kind.value,
        work_unit=person.work_unit,
        community=community.name,
        year=year,
        quarter=quarter,
        services=len(entries),
        hours=round(sum(e.hours for e in entries), 2),
        quarter_minimum=community.quarter_minimum,
        months=months,
        entries=entries,
    )


@dataclass(frozen=True, slots=True)
class TeamHours:
    team_id: int
    team: str
    kind: str
    members: int
    services: int
    hours: float


def team_report(*, session: Session, community_id: int, first: date, last: date) -> list[TeamHours]:
    """Services and hours per team of the community from ``first`` to ``last`` (local days):
    the done assignments of the community's published plans held by the team's members. A
    member of two teams counts in both; the community's total is the month report's."""
    if last < first:
        raise Invalid("结束日期不能早于开始日期", "the last day is before the first", "last")
    community = get_community(session, community_id)
    start, end = _moments(community, first, last + timedelta(days=1))
    teams = session.scalars(
        sa.select(Team)
        .where(Team.community_id == community_id)
        .options(selectinload(Team.members))
        .order_by(Team.kind, Team.name)
    ).all()
    done = session.scalars(
        _published_assignments(community_id).where(
            Assignment.status == AssignmentStatus.DONE,
            Assignment.starts_at >= start,
            Assignment.starts_at < end,
        )
    ).all()
    per_person: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in done:
        per_person[assignment.person_id].append(assignment)
    lines = []
    for team in teams:
        rows = [a for m in team.members for a in per_person.get(m.person_id, [])]
        lines.append(
            TeamHours(
                team_id=team.id,
                team=team.name,
                kind=team.kind.value,
                members=len(team.members),
                services=len(rows),
                hours=round(sum(_hours(a) for a in rows), 2),
            )
        )
    lines.sort(key=lambda line: (-line.hours, line.team_id))
    return lines
