"""The one mapping between rows and the matcher: a community's week as a ``matcher.Problem``,
and a ``matcher.Solution`` written back as assignments and gaps of a run.

Nothing else crosses between ``models`` and ``matcher``. Matcher ids are strings: a person is
their row id (``"12"``), a demand its kind and row id (``"wish-3"``, ``"shift-17"``,
``"activity-2"``); ``DemandRefs`` turns them back into rows.

What the database derives from its own history (``docs/data.md``):

- ``services_this_quarter``: the person's done or confirmed assignments in **published** runs,
  on days of the quarter before this week;
- ``served_households``: households of wishes the person has done (published runs);
- ``previous`` locks: the week's published run, or the run the caller names (a re-solve keeps
  close to the current draft).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.services.errors import NotFound
from matcher.domain import (
    MINUTES_PER_DAY,
    SITUATIONS_ZH,
    WEEKDAYS_ZH,
    Demand,
    DemandKind,
    Location,
    Locks,
    Person,
    Problem,
    Role,
    Settings,
    Solution,
    TaskElsewhere,
    WeeklyWindow,
    Window,
)
from models.calendar import Activity, generate_activities
from models.community import Community, monday_of
from models.pairing import generate_visits, reserved_visits
from models.person import Availability, PersonCategory, PersonSkill, UnavailableDate
from models.person import Person as PersonRow
from models.post import Post, Shift, TakeMode, generate_shifts
from models.schedule import (
    Assignment,
    AssignmentStatus,
    Override,
    OverrideKind,
    RunStatus,
    ScheduleRun,
)
from models.team import CommunityMembership, Team, TeamMember
from models.wish import Wish, WishStatus

ANY_SKILL_ROLE_NAME = "不限专长"
#: assignments that still stand (the person is expected, or went)
LIVE_STATUSES = (AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED, AssignmentStatus.DONE)
#: assignments that count as a service done in the quarter
SERVED_STATUSES = (AssignmentStatus.CONFIRMED, AssignmentStatus.DONE)
#: pins and manual assignments both make the matcher keep the pair
PIN_KINDS = (OverrideKind.PIN, OverrideKind.ASSIGN)

DemandRow = Wish | Shift | Activity


def matcher_demand_id(kind: DemandKind | str, row_id: int) -> str:
    """``wish-3``: the matcher's id of a demand row."""
    return f"{DemandKind(kind).value}-{row_id}"


def matcher_person_id(person_id: int) -> str:
    return str(person_id)


@dataclass
class DemandRefs:
    """Matcher demand ids back to rows: ``"wish-3"`` → ``(DemandKind.WISH, 3)``."""

    rows: dict[str, tuple[DemandKind, int]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    #: shifts of posts members fill by claiming them only (``TakeMode.CLAIM``)
    claim_only: set[str] = field(default_factory=set)

    def add(self, kind: DemandKind, row_id: int, title: str) -> str:
        key = matcher_demand_id(kind, row_id)
        self.rows[key] = (kind, row_id)
        self.titles[key] = title
        return key

    def __getitem__(self, demand_id: str) -> tuple[DemandKind, int]:
        return self.rows[demand_id]

    def __contains__(self, demand_id: object) -> bool:
        return demand_id in self.rows


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def demand_ref_id(row: Assignment | Override) -> str:
    """The matcher id of the demand an assignment or override points at."""
    demand_id = row.demand_id
    assert demand_id is not None  # the CHECK keeps one demand set
    return matcher_demand_id(row.demand_kind, demand_id)


def set_demand(row: Assignment | Override, kind: DemandKind, row_id: int) -> None:
    """Point an assignment or override at one demand by kind and row id."""
    row.demand_kind = kind
    row.wish_id = row_id if kind == DemandKind.WISH else None
    row.shift_id = row_id if kind == DemandKind.SHIFT else None
    row.activity_id = row_id if kind == DemandKind.ACTIVITY else None


def week_minute(community: Community, week_start: date, moment: datetime) -> int:
    """Minutes from Monday 00:00 (the community's wall clock) to ``moment``."""
    local = moment.astimezone(community.zone)
    return (local.date() - week_start).days * MINUTES_PER_DAY + local.hour * 60 + local.minute


def moment_of(community: Community, week_start: date, minute: int) -> datetime:
    """The aware datetime of a week minute, in the community's time zone."""
    day = week_start + timedelta(days=minute // MINUTES_PER_DAY)
    return community.local_datetime(day, minute % MINUTES_PER_DAY)


def get_community(session: Session, community_id: int) -> Community:
    community = session.get(Community, community_id)
    if community is None:
        raise NotFound(f"没有编号为 {community_id} 的社区", f"no community {community_id}")
    return community


def build_problem(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    previous_run_id: int | None = None,
    time_limit_s: float = Settings().time_limit_s,
    for_solve: bool = False,
    reading: bool = False,
) -> tuple[Problem, DemandRefs]:
    """One community's week from the database, as the matcher's ``Problem``.

    ``for_solve``: the week as the weekly plan sees it, where a post filled by claims only
    (``TakeMode.CLAIM``) keeps who claimed it (their pins) and nobody else; the ranking of
    candidates for one seat (claims, replacements) sees every eligible person.
    ``reading``: the week as it stands, for a request that only reads (the board): the standing
    pairs' visits falling due are made by the next request that writes (a solve, a claim, an
    edit), never by a read, which must not take the database's write lock."""
    community = get_community(session, community_id)
    week_end = week_start + timedelta(days=6)
    refs = DemandRefs()
    if not reading:
        generate_visits(session, community.id, week_start)  # standing pairs' due visits, as wishes
    teams = team_names(session, community.id)
    demands = (
        *_wish_demands(session, community, week_start, refs, teams),
        *_shift_demands(session, community, week_start, refs, teams),
        *_activity_demands(session, community, week_start, week_end, refs, teams),
    )
    people = _people(session, community, week_start, teams)
    kept = {d.id for d in demands}
    # what a coordinator pinned, and what was already served (done stays done)
    pinned = _override_pairs(session, community_id, week_start, PIN_KINDS, kept) | _served_pairs(
        session, community_id, week_start, kept
    )
    forbidden = _override_pairs(session, community_id, week_start, (OverrideKind.FORBID,), kept)
    if for_solve and refs.claim_only:
        forbidden |= frozenset(
            (person.id, demand_id)
            for demand_id in refs.claim_only
            for person in people
            if (person.id, demand_id) not in pinned
        )
    locks = Locks(
        pinned=pinned,
        forbidden=forbidden,
        previous=_previous_pairs(session, community_id, week_start, previous_run_id, kept),
    )
    settings = Settings(
        radius_m=community.radius_m,
        quarter_minimum=community.quarter_minimum,
        visit_hours=(community.visit_start_minute, community.visit_end_minute),
        time_limit_s=time_limit_s,
    )
    problem = Problem(
        week_start=week_start,
        people=people,
        demands=demands,
        locks=locks,
        settings=settings,
        name=community.name,
    )
    return problem, refs


# people --------------------------------------------------------------------------------------


def team_names(session: Session, community_id: int) -> dict[int, str]:
    """The community's teams by id: the matcher knows a team by its name (unique there)."""
    return dict(
        session.execute(
            sa.select(Team.id, Team.name).where(Team.community_id == community_id)
        ).all()
    )


def _people(
    session: Session, community: Community, week_start: date, teams: dict[int, str]
) -> tuple[Person, ...]:
    """Those who reported here, as residents or as their second community (双报到); a member
    of two communities comes with the load the other one's week already gives them."""
    second_here = {
        m.person_id: m
        for m in session.scalars(
            sa.select(CommunityMembership).where(CommunityMembership.community_id == community.id)
        )
    }
    # read as plain rows, in one query per table: a Guiyang community has 5,700 people, and
    # loading them as ORM objects (each private field decrypted) took most of a draft's reading
    scheduled = sa.select(PersonRow.id).where(
        sa.or_(
            PersonRow.community_id == community.id,
            PersonRow.id.in_(
                sa.select(CommunityMembership.person_id).where(
                    CommunityMembership.community_id == community.id
                )
            ),
        ),
        PersonRow.active.is_(True),
        # a registration a coordinator has not approved is never scheduled
        PersonRow.pending.is_(False),
    )
    rows = session.execute(
        sa.select(
            PersonRow.id,
            PersonRow.name,
            PersonRow.kind,
            PersonRow.grid_id,
            PersonRow.work_unit,
            PersonRow.home_lat,
            PersonRow.home_lng,
            PersonRow.weekly_hours_cap,
            PersonRow.weekly_task_cap,
        )
        .where(PersonRow.id.in_(scheduled))
        .order_by(PersonRow.id)
    ).all()
    windows: dict[int, list[WeeklyWindow]] = {}
    for person_id, weekday, start, end in session.execute(
        sa.select(
            Availability.person_id,
            Availability.weekday,
            Availability.start_minute,
            Availability.end_minute,
        )
        .where(Availability.person_id.in_(scheduled))
        .order_by(Availability.person_id, Availability.weekday, Availability.start_minute)
    ):
        windows.setdefault(person_id, []).append(WeeklyWindow(weekday, start, end))
    skills = _values_of(session, PersonSkill.person_id, PersonSkill.skill, scheduled)
    categories = _values_of(session, PersonCategory.person_id, PersonCategory.category, scheduled)
    days_off = _values_of(session, UnavailableDate.person_id, UnavailableDate.day, scheduled)
    services = _services_this_quarter(session, community, week_start)
    served = _served_households(session, community)
    in_teams = _teams_of_people(session, teams)
    elsewhere = booked_elsewhere(session, community, week_start, set(second_here))
    people = []
    for row in rows:
        second = second_here.get(row.id)
        home = (
            Location(second.lat, second.lng)
            if second is not None and second.lat is not None and second.lng is not None
            else Location(row.home_lat, row.home_lng)
        )
        away = elsewhere.get(row.id, [])
        busy = [(task.start, task.end) for task in away]
        busy_hours = sum(end - start for start, end in busy) / 60
        people.append(
            Person(
                id=matcher_person_id(row.id),
                name=row.name,
                kind=row.kind,
                skills=frozenset(skills.get(row.id, ())),
                home=home,
                grid=str(row.grid_id or "") if second is None else "",
                community=community.name,
                work_unit=row.work_unit,
                availability=free_besides(windows.get(row.id, []), busy),
                unavailable_dates=frozenset(days_off.get(row.id, ())),
                weekly_hours_cap=max(0.0, row.weekly_hours_cap - busy_hours),
                weekly_task_cap=max(0, row.weekly_task_cap - len(busy)),
                preferred_categories=frozenset(categories.get(row.id, ())),
                services_this_quarter=services.get(row.id, 0),
                served_households=frozenset(str(h) for h in served.get(row.id, ())),
                teams=frozenset(in_teams.get(row.id, ())),
                tasks_elsewhere=tuple(away),
            )
        )
    return tuple(people)


def _values_of(
    session: Session,
    person_id: sa.orm.InstrumentedAttribute[int],
    value: sa.orm.InstrumentedAttribute[Any],
    people: sa.Select[Any],
) -> dict[int, list[Any]]:
    """Person id → the values of one of their tables (skills, categories, days off)."""
    found: dict[int, list[Any]] = {}
    for owner, item in session.execute(sa.select(person_id, value).where(person_id.in_(people))):
        found.setdefault(owner, []).append(item)
    return found


def _teams_of_people(session: Session, teams: dict[int, str]) -> dict[int, set[str]]:
    """Person id → names of the community's active teams they are in."""
    found: dict[int, set[str]] = {}
    if not teams:
        return found
    for person_id, team_id in session.execute(
        sa.select(TeamMember.person_id, TeamMember.team_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.team_id.in_(list(teams)), Team.active.is_(True))
    ):
        found.setdefault(person_id, set()).add(teams[team_id])
    return found


def booked_elsewhere(
    session: Session,
    community: Community,
    week_start: date,
    seconds_here: set[int],
) -> dict[int, list[TaskElsewhere]]:
    """The tasks members of two communities (双报到) have this week in their other community,
    in week minutes of this community's clock and with their places: what the other community
    published, or the draft it made after (the newest of the two for that week). One person,
    one weekly load: these count against the caps and block their hours here, and the walk
    between one of them and a task here must fit (the matcher's ``tasks_elsewhere``)."""
    others: dict[int, int] = {}  # person → their other community
    for person_id, residence in session.execute(
        sa.select(PersonRow.id, PersonRow.community_id).where(PersonRow.id.in_(seconds_here))
    ):
        others[person_id] = residence
    # residents here who also reported to a community elsewhere
    for person_id, second in session.execute(
        sa.select(CommunityMembership.person_id, CommunityMembership.community_id)
        .join(PersonRow, PersonRow.id == CommunityMembership.person_id)
        .where(PersonRow.community_id == community.id)
    ):
        others[person_id] = second
    if not others:
        return {}
    newest = (
        sa.select(ScheduleRun.community_id, sa.func.max(ScheduleRun.id).label("run_id"))
        .where(
            ScheduleRun.community_id.in_(set(others.values())),
            ScheduleRun.week_start == week_start,
            ScheduleRun.status.in_((RunStatus.PUBLISHED, RunStatus.DRAFT)),
        )
        .group_by(ScheduleRun.community_id)
        .subquery()
    )
    busy: dict[int, list[TaskElsewhere]] = {}
    for person_id, run_community, starts_at, ends_at, lat, lng in session.execute(
        sa.select(
            Assignment.person_id,
            newest.c.community_id,
            Assignment.starts_at,
            Assignment.ends_at,
            sa.func.coalesce(Wish.lat, Post.lat, Activity.lat),
            sa.func.coalesce(Wish.lng, Post.lng, Activity.lng),
        )
        .join(newest, newest.c.run_id == Assignment.run_id)
        .outerjoin(Wish, Wish.id == Assignment.wish_id)
        .outerjoin(Shift, Shift.id == Assignment.shift_id)
        .outerjoin(Post, Post.id == Shift.post_id)
        .outerjoin(Activity, Activity.id == Assignment.activity_id)
        .where(Assignment.person_id.in_(list(others)), Assignment.status.in_(LIVE_STATUSES))
        .order_by(Assignment.starts_at)
    ):
        if others[person_id] != run_community:
            continue
        busy.setdefault(person_id, []).append(
            TaskElsewhere(
                week_minute(community, week_start, starts_at),
                week_minute(community, week_start, ends_at),
                Location(lat, lng),
            )
        )
    return busy


def free_besides(
    windows: list[WeeklyWindow], busy: list[tuple[int, int]]
) -> tuple[WeeklyWindow, ...]:
    """Weekly free times less the week minutes already taken (in the other community)."""
    free = windows
    for start, end in busy:
        kept: list[WeeklyWindow] = []
        for window in free:
            day = window.weekday * MINUTES_PER_DAY
            low, high = day + window.start_minute, day + window.end_minute
            if end <= low or high <= start:
                kept.append(window)
                continue
            if low < start:
                kept.append(WeeklyWindow(window.weekday, window.start_minute, start - day))
            if end < high:
                kept.append(WeeklyWindow(window.weekday, end - day, window.end_minute))
        free = kept
    return tuple(free)


def services_this_quarter(community: Community, week_start: date) -> sa.Subquery:
    """Services per person this quarter (``person_id``, ``services``), one grouped query:
    done or confirmed assignments in published runs, on the quarter's days before
    ``week_start``. The people list filters on the same count the matcher gets."""
    # the quarter's days before this week, in UTC moments of the community's midnights
    first = community.local_datetime(quarter_start(week_start), 0)
    last = community.local_datetime(week_start, 0)
    return (
        sa.select(Assignment.person_id, sa.func.count().label("services"))
        .join(Assignment.run)
        .where(
            ScheduleRun.community_id == community.id,
            ScheduleRun.status == RunStatus.PUBLISHED,
            Assignment.status.in_(SERVED_STATUSES),
            Assignment.starts_at >= first,
            Assignment.starts_at < last,
        )
        .group_by(Assignment.person_id)
        .subquery()
    )


def _services_this_quarter(
    session: Session, community: Community, week_start: date
) -> dict[int, int]:
    counted = services_this_quarter(community, week_start)
    rows = session.execute(sa.select(counted.c.person_id, counted.c.services)).all()
    return {person_id: services for person_id, services in rows}


def _served_households(session: Session, community: Community) -> dict[int, set[int]]:
    served: dict[int, set[int]] = {}
    rows = session.execute(
        sa.select(Assignment.person_id, Wish.household_id)
        .join(Assignment.run)
        .join(Wish, Wish.id == Assignment.wish_id)
        .where(
            ScheduleRun.community_id == community.id,
            ScheduleRun.status == RunStatus.PUBLISHED,
            Assignment.status == AssignmentStatus.DONE,
        )
        .distinct()
    ).all()
    for person_id, household_id in rows:
        served.setdefault(person_id, set()).add(household_id)
    return served


# demands -------------------------------------------------------------------------------------


def role_name(skills: Iterable[str]) -> str:
    """A role as people read it: its skills, ``、``-joined, or 不限专长 for anyone."""
    return "、".join(sorted(skills)) or ANY_SKILL_ROLE_NAME


def _wish_demands(
    session: Session,
    community: Community,
    week_start: date,
    refs: DemandRefs,
    teams: dict[int, str],
) -> list[Demand]:
    """Open wishes, and assigned ones not held by another week's published run."""
    week_end = week_start + timedelta(days=6)
    wishes = session.scalars(
        sa.select(Wish)
        .where(
            Wish.community_id == community.id,
            Wish.status.in_((WishStatus.OPEN, WishStatus.ASSIGNED)),
            Wish.earliest <= week_end,
            Wish.deadline >= week_start,
        )
        .options(selectinload(Wish.skill_rows), selectinload(Wish.household))
        .order_by(Wish.id)
    ).all()
    held_elsewhere = set(
        session.scalars(
            sa.select(Assignment.wish_id)
            .join(Assignment.run)
            .where(
                ScheduleRun.community_id == community.id,
                ScheduleRun.status == RunStatus.PUBLISHED,
                ScheduleRun.week_start != week_start,
                Assignment.wish_id.is_not(None),
                Assignment.status.in_(LIVE_STATUSES),
            )
        )
    )
    reserved = reserved_visits(session, [wish.id for wish in wishes])
    demands = []
    for wish in wishes:
        if wish.status == WishStatus.ASSIGNED and wish.id in held_elsewhere:
            continue
        first = max(wish.earliest, week_start)
        last = min(wish.deadline, week_end)
        skills = frozenset(wish.skills)
        situations = sorted(wish.household.situations)
        key = refs.add(DemandKind.WISH, wish.id, wish.title)
        demands.append(
            Demand(
                id=key,
                kind=DemandKind.WISH,
                title=wish.title,
                location=Location(wish.lat, wish.lng),
                roles=(
                    Role(
                        skills,
                        wish.headcount,
                        wish.headcount,
                        name=role_name(skills),
                        # claimed by a team (帮帮团): every head from that team
                        team=teams.get(wish.team_id or 0, ""),
                    ),
                ),
                window=Window(
                    (first - week_start).days * MINUTES_PER_DAY,
                    ((last - week_start).days + 1) * MINUTES_PER_DAY,
                ),
                duration=wish.duration_minutes,
                category=wish.category,
                grid=str(wish.grid_id or ""),
                community=community.name,
                priority=wish.effective_priority,
                radius_m=wish.radius_m,
                all_or_nothing=wish.headcount > 1,
                separate_visits=wish.separate_visits,
                household=str(wish.household_id),
                reserved_for=(
                    (matcher_person_id(reserved[wish.id]),) if wish.id in reserved else ()
                ),
                note="、".join(SITUATIONS_ZH[s] for s in situations),
            )
        )
    return demands


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def shift_title(post: Post, start: int, end: int) -> str:
    """``党员先锋岗 周六 08:30–11:30``, from week minutes."""
    weekday = WEEKDAYS_ZH[start // MINUTES_PER_DAY]
    return (
        f"{post.name} {weekday} {_clock(start % MINUTES_PER_DAY)}–"
        f"{_clock(end - (start - start % MINUTES_PER_DAY))}"
    )


def demand_title(row: Assignment | Override) -> str:
    """The title of an assignment's or override's demand, as the console shows it."""
    if row.demand_kind == DemandKind.WISH and row.wish is not None:
        return row.wish.title
    if row.demand_kind == DemandKind.SHIFT and row.shift is not None:
        shift = row.shift
        community, monday = shift.post.community, monday_of(shift.day)
        return shift_title(
            shift.post,
            week_minute(community, monday, shift.starts_at),
            week_minute(community, monday, shift.ends_at),
        )
    if row.activity is not None:
        return row.activity.name
    return ""


def _shift_demands(
    session: Session,
    community: Community,
    week_start: date,
    refs: DemandRefs,
    teams: dict[int, str],
) -> list[Demand]:
    shifts = generate_shifts(session, community.id, week_start)
    post_ids = {shift.post_id for shift in shifts}
    posts = {
        post.id: post
        for post in session.scalars(
            sa.select(Post).where(Post.id.in_(post_ids)).options(selectinload(Post.skill_rows))
        )
    }
    regular_posts = [post.id for post in posts.values() if post.regular_crew]
    regulars = _regulars(session, community, week_start, regular_posts) if regular_posts else {}
    demands = []
    for shift in shifts:
        post = posts[shift.post_id]
        if not post.active:
            continue
        start = week_minute(community, week_start, shift.starts_at)
        end = week_minute(community, week_start, shift.ends_at)
        skills = frozenset(post.required_skills)
        title = shift_title(post, start, end)
        key = refs.add(DemandKind.SHIFT, shift.id, title)
        if post.take_mode == TakeMode.CLAIM:
            refs.claim_only.add(key)
        demands.append(
            Demand(
                id=key,
                kind=DemandKind.SHIFT,
                title=title,
                location=Location(post.lat, post.lng),
                roles=(
                    Role(
                        skills,
                        post.min_staff,
                        post.max_staff,
                        name=role_name(skills),
                        team=teams.get(post.team_id or 0, ""),
                    ),
                ),
                window=Window(start, end),
                duration=end - start,
                category=post.category,
                grid=str(post.grid_id or ""),
                community=community.name,
                priority=post.priority,
                party_members_only=post.party_members_only,
                radius_m=post.radius_m,
                regulars=regulars.get((post.id, start), frozenset()),
            )
        )
    return demands


def _regulars(
    session: Session, community: Community, week_start: date, post_ids: list[int]
) -> dict[tuple[int, int], frozenset[str]]:
    """(post, week minute of a shift's start) → who held that weekly shift in the latest
    published week before this one: a regular-crew post keeps them (定点定时定人)."""
    run = session.scalars(
        sa.select(ScheduleRun)
        .where(
            ScheduleRun.community_id == community.id,
            ScheduleRun.status == RunStatus.PUBLISHED,
            ScheduleRun.week_start < week_start,
        )
        .order_by(ScheduleRun.week_start.desc())
        .limit(1)
    ).first()
    if run is None:
        return {}
    held: dict[tuple[int, int], set[str]] = {}
    for person_id, post_id, starts_at in session.execute(
        sa.select(Assignment.person_id, Shift.post_id, Shift.starts_at)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(
            Assignment.run_id == run.id,
            Assignment.status.in_(LIVE_STATUSES),
            Shift.post_id.in_(post_ids),
        )
    ):
        key = (post_id, week_minute(community, run.week_start, starts_at))
        held.setdefault(key, set()).add(matcher_person_id(person_id))
    return {key: frozenset(people) for key, people in held.items()}


def _activity_demands(
    session: Session,
    community: Community,
    week_start: date,
    week_end: date,
    refs: DemandRefs,
    teams: dict[int, str],
) -> list[Demand]:
    generate_activities(session, community.id, week_start)
    activities = session.scalars(
        sa.select(Activity)
        .where(
            Activity.community_id == community.id,
            Activity.day >= week_start,
            Activity.day <= week_end,
        )
        .options(selectinload(Activity.roles), selectinload(Activity.theme_month))
        .order_by(Activity.starts_at, Activity.id)
    ).all()
    demands = []
    for activity in activities:
        start = week_minute(community, week_start, activity.starts_at)
        end = week_minute(community, week_start, activity.ends_at)
        roles = tuple(
            Role(
                frozenset([role.skill]) if role.skill else frozenset(),
                role.headcount,
                role.headcount,
                name=role.skill or ANY_SKILL_ROLE_NAME,
                team=teams.get(role.team_id or 0, ""),
            )
            for role in activity.roles
        )
        if not roles:
            continue  # nobody asked for: nothing to schedule
        theme = activity.theme_month.theme if activity.theme_month else ""
        unit = f"责任单位：{activity.responsible_unit}" if activity.responsible_unit else ""
        demands.append(
            Demand(
                id=refs.add(DemandKind.ACTIVITY, activity.id, activity.name),
                kind=DemandKind.ACTIVITY,
                title=activity.name,
                location=Location(activity.lat, activity.lng),
                roles=roles,
                window=Window(start, end),
                duration=end - start,
                category=activity.category,
                grid=str(activity.grid_id or ""),
                community=community.name,
                priority=activity.priority,
                party_members_only=activity.party_members_only,
                radius_m=activity.radius_m,
                note=" · ".join(part for part in (theme, unit) if part),
            )
        )
    return demands


# locks ---------------------------------------------------------------------------------------


def _override_pairs(
    session: Session,
    community_id: int,
    week_start: date,
    kinds: tuple[OverrideKind, ...],
    kept: set[str],
) -> frozenset[tuple[str, str]]:
    """Active overrides as lock pairs; a lock on a demand not in the week binds nothing."""
    overrides = session.scalars(
        sa.select(Override).where(
            Override.community_id == community_id,
            Override.week_start == week_start,
            Override.active.is_(True),
            Override.kind.in_(kinds),
        )
    )
    pairs = ((matcher_person_id(o.person_id), demand_ref_id(o)) for o in overrides)
    return frozenset(pair for pair in pairs if pair[1] in kept)


def _previous_pairs(
    session: Session,
    community_id: int,
    week_start: date,
    run_id: int | None,
    kept: set[str],
) -> frozenset[tuple[str, str]]:
    if run_id is None:
        run_id = session.scalar(
            sa.select(ScheduleRun.id).where(
                ScheduleRun.community_id == community_id,
                ScheduleRun.week_start == week_start,
                ScheduleRun.status == RunStatus.PUBLISHED,
            )
        )
        if run_id is None:
            return frozenset()
    assignments = session.scalars(
        sa.select(Assignment).where(
            Assignment.run_id == run_id, Assignment.status.in_(LIVE_STATUSES)
        )
    )
    pairs = ((matcher_person_id(a.person_id), demand_ref_id(a)) for a in assignments)
    return frozenset(pair for pair in pairs if pair[1] in kept)


#: wishes whose service is over: their assignments are kept as they are
CLOSED_WISHES = (WishStatus.DONE, WishStatus.FOLLOWED_UP)


def served_assignments(
    session: Session, community_id: int, week_start: date, other_than: int | None = None
) -> list[Assignment]:
    """The week's services that happened: assignments done (hours logged), and those of a
    wish already done, in the week's draft and published plan (the published first). A
    re-solve never takes them away."""
    rows = session.scalars(
        sa.select(Assignment)
        .join(Assignment.run)
        .outerjoin(Assignment.wish)
        .where(
            ScheduleRun.community_id == community_id,
            ScheduleRun.week_start == week_start,
            ScheduleRun.status.in_((RunStatus.PUBLISHED, RunStatus.DRAFT)),
            ScheduleRun.id != (other_than or 0),
            sa.or_(
                Assignment.status == AssignmentStatus.DONE,
                sa.and_(Assignment.status.in_(LIVE_STATUSES), Wish.status.in_(CLOSED_WISHES)),
            ),
        )
        .order_by(ScheduleRun.status.desc(), Assignment.id)
    )
    kept: dict[tuple[int, str], Assignment] = {}
    for row in rows:
        kept.setdefault((row.person_id, demand_ref_id(row)), row)
    return list(kept.values())


def _served_pairs(
    session: Session, community_id: int, week_start: date, kept: set[str]
) -> frozenset[tuple[str, str]]:
    """Services that happened, as pins: the matcher keeps them and plans around them."""
    pairs = (
        (matcher_person_id(a.person_id), demand_ref_id(a))
        for a in served_assignments(session, community_id, week_start)
    )
    return frozenset(pair for pair in pairs if pair[1] in kept)


def keep_served(session: Session, run: ScheduleRun, served: Iterable[Assignment]) -> None:
    """Carry the services that happened into a new run: the same pair keeps its status and
    hours; a pair the solution lacks (a done wish is no longer planned) is copied over."""
    have = {(a.person_id, demand_ref_id(a)): a for a in run.assignments}
    for old in served:
        same = have.get((old.person_id, demand_ref_id(old)))
        if same is not None:
            same.status, same.hours_served = old.status, old.hours_served
            same.starts_at, same.ends_at = old.starts_at, old.ends_at
            continue
        copy = Assignment(
            run=run,
            person_id=old.person_id,
            role=old.role,
            starts_at=old.starts_at,
            ends_at=old.ends_at,
            distance_m=old.distance_m,
            pinned=True,
            status=old.status,
            hours_served=old.hours_served,
            reasons=list(old.reasons or []),
        )
        assert old.demand_id is not None
        set_demand(copy, old.demand_kind, old.demand_id)
        session.add(copy)
    session.flush()


# back to rows --------------------------------------------------------------------------------


def reason_json(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def store_solution(
    *, session: Session, run: ScheduleRun, solution: Solution, refs: DemandRefs
) -> None:
    """Write a solution into ``run``: its figures, assignments with reasons, and gaps."""
    community = run.community
    run.solver_status = solution.status
    run.objective = solution.objective
    run.bound = solution.bound
    run.gap = solution.gap
    run.wall_time_s = solution.wall_time_s
    run.breakdown = dict(solution.breakdown)
    run.warnings = [reason_json(w.zh, w.en) for w in solution.warnings]
    for found in solution.assignments:
        kind, row_id = refs[found.demand_id]
        assignment = Assignment(
            run=run,
            person_id=int(found.person_id),
            role=found.role,
            starts_at=moment_of(community, run.week_start, found.start),
            ends_at=moment_of(community, run.week_start, found.end),
            distance_m=round(found.distance_m, 1),
            pinned=found.pinned,
            reasons=[reason_json(r.zh, r.en) for r in found.reasons],
        )
        set_demand(assignment, kind, row_id)
        session.add(assignment)
    run.unfilled = [
        {
            "demand_kind": refs[gap.demand_id][0].value,
            "demand_id": refs[gap.demand_id][1],
            "title": refs.titles[gap.demand_id],
            "role": gap.role,
            "missing": gap.missing,
            "essential_missing": gap.essential_missing,
            "reason": reason_json(gap.reason.zh, gap.reason.en),
        }
        for gap in solution.gaps
    ]
    session.flush()
