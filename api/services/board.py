"""The coordinator console's week: every demand with its slots filled from the week's run, the
ranked candidates for one slot, what a re-solve moved, and the community on a map.

The week is read the one way Tongxin reads it, ``build_problem``; the board fills it from the
week's draft, else its published run, else leaves it empty. Candidates are ranked by the same
``rank_candidates`` that finds replacements after a decline, so the console offers nobody the
hard rules refuse. ``grid_ids`` narrows every answer to a grid leader's grids; ``None`` means
the whole community.

Privacy: a wish is shown by title only (no place, no address); homes only as counts per cell
of about 200 m, and only cells where at least three people live.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.schemas.board import (
    CommunityMap,
    DemandSlot,
    Fill,
    GridPoint,
    HomeCell,
    MapPoint,
    NearMissCandidate,
    NearMissRule,
    RoleSlot,
    SlotCandidate,
    SlotPerson,
    Text,
    WeekBoard,
    WishPoint,
)
from api.services.board_cache import CachedWeek, booked_in, cached_week
from api.services.errors import Invalid, NotFound
from api.services.problem import (
    LIVE_STATUSES,
    demand_ref_id,
    get_community,
    matcher_demand_id,
    moment_of,
)
from api.services.scheduling import (
    LIVE_RUN_STATUSES,
    booked_tasks,
    current_run,
    get_run,
    rank_candidates,
    week_run,
)
from matcher import ranking
from matcher.domain import SKILLS, Demand, DemandKind, Role
from models.calendar import Activity
from models.community import Community, Grid
from models.person import Person
from models.post import Shift
from models.schedule import Assignment, Override, OverrideKind, RunStatus, ScheduleRun
from models.wish import Wish, WishStatus

#: side of a home cell on the map, in metres
HOME_CELL_M = 200.0
#: a cell with fewer people than this is left off the map, so no home can be singled out
MIN_PEOPLE_PER_CELL = 3
METRES_PER_DEGREE = 111_320.0
#: runs a re-solve or a publish compares with: the week's plans, current or replaced
COMPARABLE_STATUSES = (RunStatus.DRAFT, RunStatus.PUBLISHED, RunStatus.SUPERSEDED)
#: wishes that still need or have a helper, the ones worth a pin on the map
MAPPED_WISH_STATUSES = (WishStatus.OPEN, WishStatus.ASSIGNED)


def in_grids(grid_id: int | None, grid_ids: set[int] | None) -> bool:
    """Whether a grid is among ``grid_ids`` (a grid leader's); ``None`` means every grid."""
    return grid_ids is None or (grid_id is not None and grid_id in grid_ids)


def _grid_of(demand: Demand) -> int | None:
    return int(demand.grid) if demand.grid else None


# the week's runs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekRuns:
    """The week's live runs: at most one draft, one published, and the newest queued or
    solving."""

    draft: ScheduleRun | None
    published: ScheduleRun | None
    solving: ScheduleRun | None

    @property
    def shown(self) -> ScheduleRun | None:
        """The run the board is filled from: the draft, else the published plan."""
        return self.draft or self.published


def week_runs(*, session: Session, community_id: int, week_start: date) -> WeekRuns:
    """The week's draft, published and queued or solving runs."""

    def of(status: RunStatus) -> ScheduleRun | None:
        return week_run(
            session=session, community_id=community_id, week_start=week_start, status=status
        )

    solving = session.scalars(
        sa.select(ScheduleRun)
        .where(
            ScheduleRun.community_id == community_id,
            ScheduleRun.week_start == week_start,
            ScheduleRun.status.in_(LIVE_RUN_STATUSES),
        )
        .order_by(ScheduleRun.id.desc())
        .limit(1)
    ).one_or_none()
    return WeekRuns(draft=of(RunStatus.DRAFT), published=of(RunStatus.PUBLISHED), solving=solving)


def _assignments_of(session: Session, run: ScheduleRun | None) -> list[Assignment]:
    if run is None:
        return []
    return list(
        session.scalars(
            sa.select(Assignment)
            .where(Assignment.run_id == run.id)
            .options(selectinload(Assignment.person))
            .order_by(Assignment.role, Assignment.starts_at, Assignment.id)
        )
    )


# the board -----------------------------------------------------------------------------------


def _places(session: Session, rows: Iterable[tuple[DemandKind, int]]) -> dict[str, str]:
    """Where shifts and activities happen, by matcher id; wishes have no public place."""
    shift_ids = [row_id for kind, row_id in rows if kind == DemandKind.SHIFT]
    activity_ids = [row_id for kind, row_id in rows if kind == DemandKind.ACTIVITY]
    places: dict[str, str] = {}
    if shift_ids:
        for shift in session.scalars(
            sa.select(Shift).where(Shift.id.in_(shift_ids)).options(selectinload(Shift.post))
        ):
            places[matcher_demand_id(DemandKind.SHIFT, shift.id)] = shift.post.place
    if activity_ids:
        for activity_id, place in session.execute(
            sa.select(Activity.id, Activity.place).where(Activity.id.in_(activity_ids))
        ):
            places[matcher_demand_id(DemandKind.ACTIVITY, activity_id)] = place
    return places


def _skill_en(skills: Sequence[str]) -> str:
    return ", ".join(SKILLS.get(s, s) for s in skills) or "any skill"


def _role_slot(index: int, role: Role, filled: int, gap: Text | None) -> RoleSlot:
    skills = sorted(role.skills)
    return RoleSlot(
        role=index,
        skill="、".join(skills) or None,
        skill_zh=role.name,
        skill_en=_skill_en(skills),
        skills=skills,
        needed=role.max_count,
        essential=role.min_count,
        filled=filled,
        gap_reason=gap,
    )


def _assigned_by_hand(
    session: Session, community_id: int, week_start: date
) -> dict[tuple[int, str], str]:
    """The reasons of the week's assignments made by hand, by (person, demand)."""
    return {
        (o.person_id, demand_ref_id(o)): o.reason
        for o in session.scalars(
            sa.select(Override)
            .where(
                Override.community_id == community_id,
                Override.week_start == week_start,
                Override.active.is_(True),
                Override.kind == OverrideKind.ASSIGN,
            )
            .order_by(Override.id)
        )
    }


def _fill(roles: Sequence[RoleSlot]) -> Fill:
    if all(r.filled >= r.needed for r in roles):
        return "full"
    return "empty" if sum(r.filled for r in roles) == 0 else "partial"


def week_board_json(
    *, session: Session, community_id: int, week_start: date, grid_ids: set[int] | None = None
) -> bytes:
    """The board as sent (JSON), made once per version of the community's week and grid scope:
    two hundred coordinators reading an unchanged week get the same bytes."""
    week = cached_week(session=session, community_id=community_id, week_start=week_start)
    key = ("board", None if grid_ids is None else frozenset(grid_ids))
    return week.kept(
        key,
        lambda: (
            _board(session=session, week=week, week_start=week_start, grid_ids=grid_ids)
            .model_dump_json()
            .encode()
        ),
    )


def week_board(
    *, session: Session, community_id: int, week_start: date, grid_ids: set[int] | None = None
) -> WeekBoard:
    """Every demand of the week with its roles filled from the draft, else the published run."""
    week = cached_week(session=session, community_id=community_id, week_start=week_start)
    return _board(session=session, week=week, week_start=week_start, grid_ids=grid_ids)


def _board(
    *, session: Session, week: CachedWeek, week_start: date, grid_ids: set[int] | None
) -> WeekBoard:
    community_id = week.community_id
    community = get_community(session, community_id)
    problem, refs = week.problem, week.refs
    runs = week_runs(session=session, community_id=community_id, week_start=week_start)
    shown = runs.shown
    on_demand: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in _assignments_of(session, shown):
        on_demand[demand_ref_id(assignment)].append(assignment)
    gaps: dict[tuple[str, int], Text] = {}
    for gap in (shown.unfilled or []) if shown is not None else []:
        key = (matcher_demand_id(gap["demand_kind"], gap["demand_id"]), int(gap["role"]))
        gaps.setdefault(key, Text(**gap["reason"]))
    places = _places(session, refs.rows.values())
    by_hand = _assigned_by_hand(session, community_id, week_start)

    slots: list[DemandSlot] = []
    for demand in problem.demands:
        grid_id = _grid_of(demand)
        if not in_grids(grid_id, grid_ids):
            continue
        kind, row_id = refs[demand.id]
        people = on_demand.get(demand.id, [])
        live = [a for a in people if a.status in LIVE_STATUSES]
        roles = []
        for r, role in enumerate(demand.roles):
            filled = sum(1 for a in live if a.role == r)
            # a gap filled by hand since the solve has no reason left
            gap = gaps.get((demand.id, r)) if filled < role.max_count else None
            roles.append(_role_slot(r, role, filled, gap))
        if demand.flexible and live:
            # a wish someone has: the time they go
            starts_at = min(a.starts_at for a in live).astimezone(community.zone)
            ends_at = max(a.ends_at for a in live).astimezone(community.zone)
        else:
            starts_at = moment_of(community, week_start, demand.window.start)
            ends_at = moment_of(community, week_start, demand.window.end)
        slots.append(
            DemandSlot(
                demand_kind=kind,
                demand_id=row_id,
                title=demand.title,
                day=starts_at.date(),
                starts_at=starts_at,
                ends_at=ends_at,
                flexible=demand.flexible,
                # a resident's home is private: a wish never shows where it is
                place="" if kind == DemandKind.WISH else places.get(demand.id, ""),
                grid_id=grid_id,
                category=demand.category,
                priority=demand.priority,
                party_members_only=demand.party_members_only,
                essential=any(role.min_count > 0 for role in demand.roles),
                roles=roles,
                fill=_fill(roles),
                gap_reason=next((r.gap_reason for r in roles if r.gap_reason), None),
                people=[
                    SlotPerson(
                        assignment_id=a.id,
                        person_id=a.person_id,
                        person_name=a.person.name,
                        role=a.role,
                        status=a.status,
                        pinned=a.pinned,
                        override_reason=by_hand.get((a.person_id, demand.id)),
                        starts_at=a.starts_at.astimezone(community.zone),
                        ends_at=a.ends_at.astimezone(community.zone),
                    )
                    for a in people
                ],
            )
        )
    slots.sort(key=lambda s: (s.starts_at, s.demand_kind.value, s.demand_id))
    return WeekBoard(
        community_id=community.id,
        week_start=week_start,
        draft_run_id=runs.draft.id if runs.draft else None,
        published_run_id=runs.published.id if runs.published else None,
        solving_run_id=runs.solving.id if runs.solving else None,
        shown_run_id=shown.id if shown else None,
        demands=slots,
    )


# candidates for one slot ---------------------------------------------------------------------


def _seat(
    session: Session,
    community_id: int,
    week_start: date,
    demand_kind: DemandKind,
    demand_id: int,
    role: int,
    grid_ids: set[int] | None,
) -> tuple[Community, CachedWeek, str]:
    """The week (cached, ``board_cache``) and the matcher id of one role of one of its demands
    (404 for a demand not in the week or the caller's grids, 422 for a role it does not have)."""
    community = get_community(session, community_id)
    week = cached_week(session=session, community_id=community_id, week_start=week_start)
    key = matcher_demand_id(demand_kind, demand_id)
    demand = week.demands.get(key)
    if demand is None or not in_grids(_grid_of(demand), grid_ids):
        raise NotFound(
            f"本周没有这项任务（{demand_kind} {demand_id}）",
            f"the week has no {demand_kind} {demand_id}",
        )
    if role >= len(demand.roles):
        raise Invalid(
            f"这项任务只有 {len(demand.roles)} 类人手（role 从 0 到 {len(demand.roles) - 1}）",
            f"this demand has {len(demand.roles)} role(s), numbered from 0",
            field="role",
            location="query",
        )
    return community, week, key


def _shown_tasks(
    session: Session, community: Community, week: CachedWeek, run: ScheduleRun | None
) -> dict[str, list[ranking.Booked]]:
    """The live tasks of the run the board shows, per person: read once per version of the
    week (a run's assignments are part of it)."""
    if run is None:
        return {}
    return week.kept(
        ("tasks", run.id),
        lambda: booked_tasks(community, week.week_start, booked_in(session, run)),
    )


def slot_candidates(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    demand_kind: DemandKind,
    demand_id: int,
    role: int,
    limit: int,
    grid_ids: set[int] | None = None,
) -> list[SlotCandidate]:
    """Who could serve one role of a demand of the week, best first, with their reasons.

    Measured against the run the board shows (the draft, else the published plan): nobody who
    would clash with their other tasks there, go over a weekly cap, lack the skill, live beyond
    the walking radius or not be free then is offered. Those already on this role are listed
    too, marked ``assigned``.
    """
    community, week, key = _seat(
        session, community_id, week_start, demand_kind, demand_id, role, grid_ids
    )
    shown = current_run(session=session, community_id=community_id, week_start=week_start)
    tasks = _shown_tasks(session, community, week, shown)
    their_demands = {
        person: [t.demand_id for t in theirs if t.demand_id is not None]
        for person, theirs in tasks.items()
    }
    # only the people the rules allow on the seat, and their week's tasks (see board_cache)
    problem = week.seat_problem(key, their_demands)
    ranked = rank_candidates(
        problem=problem,
        community=community,
        week_start=week_start,
        tasks=tasks,
        demand_key=key,
        role=role,
        keep_assigned=True,
    )
    if grid_ids is not None:
        grid_of_person = {int(p.id): int(p.grid) if p.grid else None for p in problem.people}
        ranked = [c for c in ranked if in_grids(grid_of_person[c.person_id], grid_ids)]
    return [
        SlotCandidate(
            person_id=c.person_id,
            name=c.name,
            kind=c.kind,
            distance_m=c.distance_m,
            services_this_quarter=c.services_this_quarter,
            hours_this_week=round(c.minutes_this_week / 60, 2),
            tasks_this_week=c.tasks_this_week,
            assigned=c.assigned,
            score=c.score,
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            reasons=[Text(zh=r.zh, en=r.en) for r in c.reasons],
            rank=position,
        )
        for position, c in enumerate(ranked[:limit], start=1)
    ]


def slot_near_misses(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    demand_kind: DemandKind,
    demand_id: int,
    role: int,
    grid_ids: set[int] | None = None,
) -> list[NearMissCandidate]:
    """Everyone exactly one hard rule keeps off one role of a demand, grouped by that rule
    (``matcher.ranking.near_misses``), measured against the run the board shows."""
    community, week, key = _seat(
        session, community_id, week_start, demand_kind, demand_id, role, grid_ids
    )
    problem = week.problem
    shown = current_run(session=session, community_id=community_id, week_start=week_start)
    booked = booked_tasks(community, week_start, _assignments_of(session, shown))
    people = {p.id: p for p in problem.people}
    found = ranking.near_misses(problem=problem, demand_id=key, role=role, booked=booked)
    return [
        NearMissCandidate(
            person_id=int(m.person_id),
            name=people[m.person_id].name,
            kind=people[m.person_id].kind.value,
            rule=cast(NearMissRule, m.rule),
            why=Text(zh=m.why.zh, en=m.why.en),
            consequence=Text(zh=m.consequence.zh, en=m.consequence.en),
            distance_m=m.distance_m,
            services_this_quarter=people[m.person_id].services_this_quarter,
            hours_this_week=round(m.minutes_this_week / 60, 2),
            tasks_this_week=m.tasks_this_week,
            starts_at=moment_of(community, week_start, m.start),
            ends_at=moment_of(community, week_start, m.end),
        )
        for m in found
        if in_grids(int(people[m.person_id].grid or 0) or None, grid_ids)
    ]


# what a re-solve moved -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moves:
    """A run against the run it replaced: the (person, demand, role) pairs it added and dropped."""

    run: ScheduleRun
    against: ScheduleRun | None
    added: list[Assignment]
    removed: list[Assignment]


def previous_run(*, session: Session, run: ScheduleRun) -> ScheduleRun | None:
    """The run ``run`` replaced or was solved from: the newest earlier draft, published or
    superseded run of the same week (a re-solve supersedes the old draft, so it counts)."""
    return session.scalars(
        sa.select(ScheduleRun)
        .where(
            ScheduleRun.community_id == run.community_id,
            ScheduleRun.week_start == run.week_start,
            ScheduleRun.status.in_(COMPARABLE_STATUSES),
            # ids grow as runs are written: a smaller id was created before
            ScheduleRun.id < run.id,
        )
        .order_by(ScheduleRun.id.desc())
        .limit(1)
    ).one_or_none()


#: an assignment as a re-solve sees it: person, demand (matcher id) and role
PairKey = tuple[int, str, int]


def _live_pairs(session: Session, run: ScheduleRun | None) -> dict[PairKey, Assignment]:
    if run is None:
        return {}
    rows = session.scalars(
        sa.select(Assignment)
        .where(Assignment.run_id == run.id, Assignment.status.in_(LIVE_STATUSES))
        .options(
            selectinload(Assignment.person),
            selectinload(Assignment.wish),
            selectinload(Assignment.activity),
            selectinload(Assignment.shift).selectinload(Shift.post),
        )
        .order_by(Assignment.id)
    )
    return {(a.person_id, demand_ref_id(a), a.role): a for a in rows}


def demand_grid_id(assignment: Assignment) -> int | None:
    """The grid of the demand an assignment is for (a shift's is its post's)."""
    if assignment.wish is not None:
        return assignment.wish.grid_id
    if assignment.shift is not None:
        return assignment.shift.post.grid_id
    if assignment.activity is not None:
        return assignment.activity.grid_id
    return None


def run_moves(*, session: Session, run_id: int, grid_ids: set[int] | None = None) -> Moves:
    """What changed between a run and the run before it of the same week; with no run before
    it, everything in it is new."""
    run = get_run(session=session, run_id=run_id)
    against = previous_run(session=session, run=run)
    now, before = _live_pairs(session, run), _live_pairs(session, against)

    def changed(pairs: dict[PairKey, Assignment], others: set[PairKey]) -> list[Assignment]:
        found = [a for key, a in pairs.items() if key not in others]
        return [a for a in found if in_grids(demand_grid_id(a), grid_ids)]

    return Moves(
        run=run,
        against=against,
        added=changed(now, set(before)),
        removed=changed(before, set(now)),
    )


# the map -------------------------------------------------------------------------------------


def _cell_lng_degrees(row: int, cell_m: float = HOME_CELL_M) -> float:
    """Degrees of longitude in ``cell_m`` at the middle of a row of cells."""
    middle = math.radians((row + 0.5) * cell_m / METRES_PER_DEGREE)
    return cell_m / (METRES_PER_DEGREE * max(0.05, math.cos(middle)))


def _cell_of(lat: float, lng: float, cell_m: float) -> tuple[int, int]:
    row = math.floor(lat / (cell_m / METRES_PER_DEGREE))
    return row, math.floor(lng / _cell_lng_degrees(row, cell_m))


def _cell_centre(row: int, col: int, cell_m: float) -> tuple[float, float]:
    return (
        round((row + 0.5) * cell_m / METRES_PER_DEGREE, 6),
        round((col + 0.5) * _cell_lng_degrees(row, cell_m), 6),
    )


def snapped(lat: float, lng: float, cell_m: float) -> tuple[float, float]:
    """The centre of the fixed cell of about ``cell_m`` a point lies in: the same cells for
    every request, so no number of answers narrows the point down further."""
    return _cell_centre(*_cell_of(lat, lng, cell_m), cell_m)


def home_cells(homes: Iterable[tuple[float, float]]) -> list[HomeCell]:
    """Homes snapped to fixed cells of about 200 m and counted; cells with fewer than three
    people are dropped. The cells are the same for every community and every request, so two
    answers cannot be overlaid to narrow a home down."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for lat, lng in homes:
        counts[_cell_of(lat, lng, HOME_CELL_M)] += 1
    cells = []
    for (row, col), count in sorted(counts.items()):
        if count >= MIN_PEOPLE_PER_CELL:
            lat, lng = _cell_centre(row, col, HOME_CELL_M)
            cells.append(HomeCell(lat=lat, lng=lng, count=count))
    return cells


def _middle(points: Sequence[tuple[float, float, int]]) -> MapPoint | None:
    weight = sum(w for _, _, w in points)
    if not weight:
        return None
    return MapPoint(
        lat=round(sum(lat * w for lat, _, w in points) / weight, 6),
        lng=round(sum(lng * w for _, lng, w in points) / weight, 6),
    )


def community_map(
    *,
    session: Session,
    community_id: int,
    with_wishes: bool,
    grid_ids: set[int] | None = None,
) -> CommunityMap:
    """Grids with their head count, home cells, and (``with_wishes``) the open wishes' places."""
    community: Community = get_community(session, community_id)
    grids = [
        g
        for g in session.scalars(
            sa.select(Grid).where(Grid.community_id == community_id).order_by(Grid.id)
        )
        if in_grids(g.id, grid_ids)
    ]
    whose = [Person.community_id == community_id, Person.active.is_(True)]
    if grid_ids is not None:
        whose.append(Person.grid_id.in_(grid_ids))
    counted: dict[int | None, int] = {
        grid_id: n
        for grid_id, n in session.execute(
            sa.select(Person.grid_id, sa.func.count()).where(*whose).group_by(Person.grid_id)
        )
    }
    homes = home_cells(
        (lat, lng)
        for lat, lng in session.execute(sa.select(Person.home_lat, Person.home_lng).where(*whose))
    )
    wishes: list[WishPoint] = []
    if with_wishes:
        wishes = [
            WishPoint(
                id=w.id, title=w.title, status=w.status, lat=w.lat, lng=w.lng, grid_id=w.grid_id
            )
            for w in session.scalars(
                sa.select(Wish)
                .where(Wish.community_id == community_id, Wish.status.in_(MAPPED_WISH_STATUSES))
                .order_by(Wish.deadline, Wish.id)
            )
        ]
    centres = [
        (g.center_lat, g.center_lng, 1)
        for g in grids
        if g.center_lat is not None and g.center_lng is not None
    ]
    # no grid centres: the middle of the cells shown, never of single homes
    center = _middle(centres) or _middle([(h.lat, h.lng, h.count) for h in homes])
    return CommunityMap(
        center=center,
        radius_m=community.radius_m,
        cell_m=HOME_CELL_M,
        min_per_cell=MIN_PEOPLE_PER_CELL,
        grids=[
            GridPoint(
                id=g.id,
                name=g.name,
                lat=g.center_lat,
                lng=g.center_lng,
                people=counted.get(g.id, 0),
            )
            for g in grids
        ],
        wishes=wishes,
        homes=homes,
    )
