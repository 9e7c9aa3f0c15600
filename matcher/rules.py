"""Every hard rule and soft goal of the matcher, one named function each.

Hard rules decide who *may* do what (eligibility, vectorised over all people for one demand)
and what may not happen together (overlap, caps). Soft goals turn a choice into points; the
solver maximises the sum. Keeping each rule here, named as a coordinator would say it, is what
lets explain.py name the rule that left a demand unfilled.

The pairwise hard rules (one person × one role of one demand) also form one ordered table,
``PAIR_RULES``. The candidate pairs, the gap funnel, the border pass's choice of helpers and
the ranking of candidates for one seat all read it, so a new pairwise rule is one new row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.domain import (
    MINUTES_PER_DAY,
    WALK_METRES_PER_MINUTE,
    Demand,
    Location,
    Person,
    PersonKind,
    Problem,
    Reason,
    Role,
    Settings,
    Weights,
)

SLOT_MINUTES = 5  # availability is kept on a 5-minute grid
EARTH_RADIUS_M = 6_371_000.0


def haversine_m(
    lat1: np.ndarray | float,
    lng1: np.ndarray | float,
    lat2: np.ndarray | float,
    lng2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in metres (a straight walk; no routing engine needed at 1 km);
    either end may be one place or an array of places."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lng2) - np.radians(lng1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0))))


def walk_minutes(distance_m: float) -> int:
    return math.ceil(distance_m / WALK_METRES_PER_MINUTE)


def walk_between(a: Location, b: Location) -> int:
    """Minutes on foot from one place to another."""
    return walk_minutes(float(haversine_m(a.lat, a.lng, b.lat, b.lng)))


@dataclass(frozen=True, slots=True)
class FreeRuns:
    """Each person's free stretches of the week in 5-minute slots, ``[start, end)``, padded
    with empty stretches so that every person has the same number of columns."""

    starts: np.ndarray  # int32 [people, stretches]
    ends: np.ndarray

    @staticmethod
    def from_slots(slots: np.ndarray) -> FreeRuns:
        people, width = slots.shape
        padded = np.zeros((people, width + 2), dtype=np.int8)
        padded[:, 1:-1] = slots
        edges = np.diff(padded, axis=1)
        rise_rows, rise_cols = np.nonzero(edges == 1)
        _, fall_cols = np.nonzero(edges == -1)
        counts = np.bincount(rise_rows, minlength=people)
        columns = max(1, int(counts.max()) if people else 1)
        starts = np.zeros((people, columns), dtype=np.int32)
        ends = np.zeros((people, columns), dtype=np.int32)
        rank = np.arange(rise_rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
        starts[rise_rows, rank] = rise_cols
        ends[rise_rows, rank] = fall_cols
        return FreeRuns(starts=starts, ends=ends)


# hard ---------------------------------------------------------------------------------------


def missing_required_skill(person_skill_masks: np.ndarray, role_mask: int) -> np.ndarray:
    """True where a person lacks one of the role's required skills."""
    need = np.uint64(role_mask)
    return (person_skill_masks & need) != need


def outside_service_radius(
    distances_m: np.ndarray, demand: Demand, settings: Settings
) -> np.ndarray:
    """True where the person lives farther than the demand's walking radius."""
    radius = demand.radius_m if demand.radius_m is not None else settings.radius_m
    return distances_m > radius


def not_a_party_member(is_party_member: np.ndarray, demand: Demand) -> np.ndarray:
    """True where a party-members-only post would get someone who is not a party member."""
    if not demand.party_members_only:
        return np.zeros(is_party_member.shape, dtype=bool)
    return ~is_party_member


def unavailable_at(
    runs: FreeRuns, start: int, end: int, rows: np.ndarray | slice = slice(None)
) -> np.ndarray:
    """True where a person is not free for the whole fixed time [start, end).

    The demand's time is widened to whole 5-minute slots; one free stretch must cover it.
    """
    first, last = start // SLOT_MINUTES, -(-end // SLOT_MINUTES)
    covers = (runs.starts[rows] <= first) & (runs.ends[rows] >= last)
    return np.asarray(~covers.any(axis=1))


def visiting_windows(
    window_start: int, window_end: int, visit_hours: tuple[int, int]
) -> list[tuple[int, int]]:
    """A wish's allowed days cut down to each day's visiting hours (no house calls at night)."""
    first_day = window_start // MINUTES_PER_DAY
    last_day = (window_end - 1) // MINUTES_PER_DAY
    windows = []
    for day in range(first_day, last_day + 1):
        base = day * MINUTES_PER_DAY
        start, end = (
            max(window_start, base + visit_hours[0]),
            min(window_end, base + visit_hours[1]),
        )
        if start < end:
            windows.append((start, end))
    return windows


def no_free_time_within(
    runs: FreeRuns,
    window_start: int,
    window_end: int,
    duration: int,
    visit_hours: tuple[int, int],
    rows: np.ndarray | slice = slice(None),
) -> np.ndarray:
    """True where a person has no free stretch of ``duration`` inside a wish's allowed days and
    visiting hours."""
    need = -(-duration // SLOT_MINUTES)
    starts, ends = runs.starts[rows], runs.ends[rows]
    fits = np.zeros(starts.shape[0], dtype=bool)
    for start, end in visiting_windows(window_start, window_end, visit_hours):
        first, last = -(-start // SLOT_MINUTES), end // SLOT_MINUTES
        inside = np.minimum(ends, last) - np.maximum(starts, first)
        fits |= (inside >= need).any(axis=1)
    return ~fits


def tasks_overlap(a_start: int, a_end: int, b_start: int, b_end: int, walk: int) -> bool:
    """Two tasks of one person collide unless the walk from one to the other fits between them."""
    return a_start < b_end + walk and b_start < a_end + walk


def clashes_elsewhere(person: Person, demand: Demand, start: int) -> bool:
    """True where the demand, started at ``start``, would overlap one of the person's tasks in
    their other community (双报到), the walk between the two places included."""
    end = start + demand.duration
    return any(
        tasks_overlap(start, end, t.start, t.end, walk_between(t.location, demand.location))
        for t in person.tasks_elsewhere
    )


def clear_of_elsewhere(segments: list[Segment], person: Person, demand: Demand) -> list[Segment]:
    """The parts of a wish's segments whose starts keep clear of the person's tasks in their
    other community, walks included (``clashes_elsewhere`` is false at every start left):
    before a task, ending a walk ahead of it; after it, a walk after its end."""
    duration = demand.duration
    for task in person.tasks_elsewhere:
        walk = walk_between(task.location, demand.location)
        latest_before = (task.start - walk - duration) // SLOT_MINUTES * SLOT_MINUTES
        first_after = on_grid(task.end + walk)
        segments = [
            piece
            for segment in segments
            for piece in (
                segment.within(segment.start, latest_before, duration),
                segment.within(first_after, segment.latest_start(duration), duration),
            )
            if piece is not None
        ]
    return segments


def over_weekly_hours(minutes: int, person: Person) -> bool:
    return minutes > round(person.weekly_hours_cap * 60)


def over_weekly_tasks(tasks: int, person: Person) -> bool:
    return tasks > person.weekly_task_cap


def on_grid(minute: int) -> int:
    """The first start on the 5-minute grid at or after ``minute``."""
    return -(-minute // SLOT_MINUTES) * SLOT_MINUTES


def slot_span(duration: int) -> int:
    """Minutes of free time a task of ``duration`` takes: whole 5-minute slots."""
    return on_grid(duration)


@dataclass(frozen=True, slots=True)
class Segment:
    """Where a person may do a wish on one day: any start on the 5-minute grid from ``start``
    on, with the task's slots ending by ``end``. It lies in one *stretch* of the person's free
    time (a free run cut to that day's visiting hours); tasks in one stretch share its minutes.
    """

    start: int
    end: int
    stretch: tuple[int, int]

    def latest_start(self, duration: int) -> int:
        return self.end - slot_span(duration)

    def holds(self, start: int, duration: int) -> bool:
        """Whether a task of ``duration`` may start at ``start`` here."""
        return self.start <= start <= self.latest_start(duration) and start % SLOT_MINUTES == 0

    def within(self, first: int, last: int, duration: int) -> Segment | None:
        """The part of this segment whose starts lie from ``first`` to ``last``, if any."""
        start, latest = max(self.start, first), min(self.latest_start(duration), last)
        if start > latest:
            return None
        return Segment(start, latest + slot_span(duration), self.stretch)


def free_segments(
    run_starts: np.ndarray,
    run_ends: np.ndarray,
    window_start: int,
    window_end: int,
    duration: int,
    visit_hours: tuple[int, int] = (0, MINUTES_PER_DAY),
) -> list[Segment]:
    """Every segment where a person with these free runs (in 5-minute slots) could do a task of
    ``duration`` inside the window and the visiting hours, earliest first. A start is free when
    every slot the task touches is free, so any start on the grid inside a segment is."""
    need = slot_span(duration) // SLOT_MINUTES
    opens, closes = visit_hours
    segments: list[Segment] = []
    for start, end in visiting_windows(window_start, window_end, visit_hours):
        base = start // MINUTES_PER_DAY * MINUTES_PER_DAY
        day_first, day_last = -(-(base + opens) // SLOT_MINUTES), (base + closes) // SLOT_MINUTES
        first, last = -(-start // SLOT_MINUTES), end // SLOT_MINUTES
        for run_start, run_end in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
            lo, hi = max(run_start, first), min(run_end, last)
            if hi - lo >= need:
                stretch = (
                    max(run_start, day_first) * SLOT_MINUTES,
                    min(run_end, day_last) * SLOT_MINUTES,
                )
                segments.append(Segment(lo * SLOT_MINUTES, hi * SLOT_MINUTES, stretch))
    return segments


# the pairwise hard rules, as one table -----------------------------------------------------


def skill_bits(problem: Problem) -> dict[str, int]:
    """One bit per skill a person has or a role needs, in name order."""
    skills = sorted(
        {s for p in problem.people for s in p.skills}
        | {s for d in problem.demands for r in d.roles for s in r.skills}
    )
    return {s: i for i, s in enumerate(skills)}


def skill_mask(skills: frozenset[str], bits: dict[str, int]) -> int:
    mask = 0
    for s in skills:
        mask |= 1 << bits[s]
    return mask


@dataclass(frozen=True, slots=True)
class Pool:
    """What the pairwise rules read about the people of a problem, one entry per person."""

    problem: Problem
    skill_bits: dict[str, int]
    skill_masks: np.ndarray  # uint64
    is_party_member: np.ndarray  # bool
    home_lat: np.ndarray
    home_lng: np.ndarray
    free_runs: FreeRuns
    #: demand id → the people (indices) the coordinator forbade from it
    forbidden: dict[str, list[int]]
    #: the people (indices) with tasks in their other community this week (双报到)
    busy_elsewhere: np.ndarray

    @staticmethod
    def of(problem: Problem, free_slots: np.ndarray, bits: dict[str, int]) -> Pool:
        people = problem.people
        person_index = {p.id: i for i, p in enumerate(people)}
        forbidden: dict[str, list[int]] = {}
        for person_id, demand_id in problem.locks.forbidden:
            if person_id in person_index:
                forbidden.setdefault(demand_id, []).append(person_index[person_id])
        return Pool(
            problem=problem,
            skill_bits=bits,
            skill_masks=np.array([skill_mask(p.skills, bits) for p in people], dtype=np.uint64),
            is_party_member=np.array(
                [p.kind == PersonKind.PARTY_MEMBER for p in people], dtype=bool
            ),
            home_lat=np.array([p.home.lat for p in people], dtype=np.float64),
            home_lng=np.array([p.home.lng for p in people], dtype=np.float64),
            free_runs=FreeRuns.from_slots(free_slots),
            forbidden=forbidden,
            busy_elsewhere=np.array(
                [i for i, p in enumerate(people) if p.tasks_elsewhere], dtype=np.int64
            ),
        )


@dataclass(slots=True)
class Shortlist:
    """Some people of the pool (``rows``, indices into it) considered for one demand."""

    pool: Pool
    demand: Demand
    rows: np.ndarray
    _distances_m: np.ndarray | None = None

    @property
    def distances_m(self) -> np.ndarray:
        """From each one's home to the demand, measured once."""
        if self._distances_m is None:
            where = self.demand.location
            self._distances_m = haversine_m(
                self.pool.home_lat[self.rows], self.pool.home_lng[self.rows], where.lat, where.lng
            )
        return self._distances_m


@dataclass(frozen=True, slots=True)
class PairRule:
    """One pairwise hard rule: may this person take this role of this demand?"""

    #: the rule's name in the gap funnel (explain.funnel's steps)
    key: str
    #: the condition a person meets, as a coordinator would say it; the gap explanation's
    #: wording for a rule it has no more particular phrase for
    label: Reason
    #: whether the rule asks anything of this role of this demand; the funnel shows a step
    #: only then, and a rule that does not apply refuses nobody
    applies: Callable[[Demand, Role], bool]
    #: the rule over a shortlist at once: True where it refuses the person for the role
    refused: Callable[[Shortlist, Role], np.ndarray]
    #: whether the answer depends on the role (else it is the same for every role of a demand)
    per_role: bool = False
    #: the same rule for one person, given where it reads nothing but who the person is and
    #: what the demand asks (no place, no week, no locks); the border pass picks helpers by it
    refuses: Callable[[Person, Demand, Role], bool] | None = None


def always(demand: Demand, role: Role) -> bool:
    return True


def needs_skills(demand: Demand, role: Role) -> bool:
    return bool(role.skills)


def members_only(demand: Demand, role: Role) -> bool:
    return demand.party_members_only


def refused_for_skill(shortlist: Shortlist, role: Role) -> np.ndarray:
    pool = shortlist.pool
    need = skill_mask(role.skills, pool.skill_bits)
    return missing_required_skill(pool.skill_masks[shortlist.rows], need)


def lacks_skill(person: Person, demand: Demand, role: Role) -> bool:
    return not role.skills <= person.skills


def refused_for_membership(shortlist: Shortlist, role: Role) -> np.ndarray:
    return not_a_party_member(shortlist.pool.is_party_member[shortlist.rows], shortlist.demand)


def not_a_member_for(person: Person, demand: Demand, role: Role) -> bool:
    return demand.party_members_only and person.kind != PersonKind.PARTY_MEMBER


def needs_team(demand: Demand, role: Role) -> bool:
    return bool(role.team)


def refused_for_team(shortlist: Shortlist, role: Role) -> np.ndarray:
    people = shortlist.pool.problem.people
    return np.array([role.team not in people[int(i)].teams for i in shortlist.rows], dtype=bool)


def not_in_team(person: Person, demand: Demand, role: Role) -> bool:
    """A team-only role (党小组, a specialist team, a co-building unit) takes its members only."""
    return bool(role.team) and role.team not in person.teams


def refused_for_distance(shortlist: Shortlist, role: Role) -> np.ndarray:
    settings = shortlist.pool.problem.settings
    return outside_service_radius(shortlist.distances_m, shortlist.demand, settings)


def refused_for_time(shortlist: Shortlist, role: Role) -> np.ndarray:
    """Not free then: outside their free time, or too close to a task in their other community
    to walk between the two (双报到)."""
    pool, demand = shortlist.pool, shortlist.demand
    if demand.flexible:
        refused = no_free_time_within(
            pool.free_runs,
            demand.window.start,
            demand.window.end,
            demand.duration,
            pool.problem.settings.visit_hours,
            rows=shortlist.rows,
        )
    else:
        refused = unavailable_at(
            pool.free_runs, demand.window.start, demand.window.end, rows=shortlist.rows
        )
    if pool.busy_elsewhere.size == 0:
        return refused
    away = np.isin(shortlist.rows, pool.busy_elsewhere) & ~refused
    for k in np.flatnonzero(away).tolist():
        row = int(shortlist.rows[k])
        if demand.flexible:
            refused[k] = not free_segments_for(pool, row, demand)
        else:
            refused[k] = clashes_elsewhere(pool.problem.people[row], demand, demand.window.start)
    return refused


def free_segments_for(pool: Pool, person: int, demand: Demand) -> list[Segment]:
    """Where this person could do this wish: their free stretches inside its days and the
    visiting hours, clear of their tasks in their other community by the walk."""
    runs = pool.free_runs
    found = free_segments(
        runs.starts[person],
        runs.ends[person],
        demand.window.start,
        demand.window.end,
        demand.duration,
        pool.problem.settings.visit_hours,
    )
    return clear_of_elsewhere(found, pool.problem.people[person], demand)


def refused_by_coordinator(shortlist: Shortlist, role: Role) -> np.ndarray:
    forbidden = shortlist.pool.forbidden.get(shortlist.demand.id)
    if not forbidden:
        return np.zeros(shortlist.rows.size, dtype=bool)
    return np.isin(shortlist.rows, forbidden)


def has_reservation(demand: Demand, role: Role) -> bool:
    return bool(demand.reserved_for)


def refused_for_reservation(shortlist: Shortlist, role: Role) -> np.ndarray:
    """A standing pair's visit goes to the paired member first: everyone else is refused while
    a paired member passes every other pairwise rule (free before the due date, not forbidden).
    """
    pool, demand = shortlist.pool, shortlist.demand
    reserved = np.array(
        [i for i, p in enumerate(pool.problem.people) if p.id in demand.reserved_for],
        dtype=np.int64,
    )
    if reserved.size:
        paired = Shortlist(pool, demand, reserved)
        refused = np.zeros(reserved.size, dtype=bool)
        for rule in PAIR_RULES:
            if rule.key != "reserved" and rule.applies(demand, role):
                refused |= rule.refused(paired, role)
        if not refused.all():
            return ~np.isin(shortlist.rows, reserved[~refused])
    return np.zeros(shortlist.rows.size, dtype=bool)


#: In the order a coordinator asks: the gap funnel narrows the people in this order.
PAIR_RULES: tuple[PairRule, ...] = (
    PairRule(
        key="skill",
        label=Reason(zh="具备所需专长", en="with the required skills"),
        applies=needs_skills,
        refused=refused_for_skill,
        per_role=True,
        refuses=lacks_skill,
    ),
    PairRule(
        key="member",
        label=Reason(zh="是党员", en="among party members"),
        applies=members_only,
        refused=refused_for_membership,
        refuses=not_a_member_for,
    ),
    PairRule(
        key="team",
        label=Reason(zh="属于指定的团队", en="in the team the role asks for"),
        applies=needs_team,
        refused=refused_for_team,
        per_role=True,
        refuses=not_in_team,
    ),
    PairRule(
        key="radius",
        label=Reason(zh="住在步行范围内", en="within walking distance"),
        applies=always,
        refused=refused_for_distance,
    ),
    PairRule(
        key="time",
        label=Reason(zh="此时有空", en="free at that time"),
        applies=always,
        refused=refused_for_time,
    ),
    PairRule(
        key="reserved",
        label=Reason(zh="是结对党员", en="the standing pair"),
        applies=has_reservation,
        refused=refused_for_reservation,
    ),
    PairRule(
        key="forbidden",
        label=Reason(zh="未被协调员排除", en="not forbidden by the coordinator"),
        applies=always,
        refused=refused_by_coordinator,
    ),
)
RULE_BY_KEY: dict[str, PairRule] = {rule.key: rule for rule in PAIR_RULES}


def refused_per_role(shortlist: Shortlist) -> list[np.ndarray]:
    """For each role of the demand: True where some pairwise rule refuses the person.

    The rules that read only the demand are checked once, with the first role, for all roles.
    """
    demand = shortlist.demand
    if not demand.roles:
        return []
    first = demand.roles[0]
    shared = np.zeros(shortlist.rows.size, dtype=bool)
    for rule in PAIR_RULES:
        if not rule.per_role and rule.applies(demand, first):
            shared |= rule.refused(shortlist, first)
    out = []
    for role in demand.roles:
        refused = shared.copy()
        for rule in PAIR_RULES:
            if rule.per_role and rule.applies(demand, role):
                refused |= rule.refused(shortlist, role)
        out.append(refused)
    return out


def person_may_take(person: Person, demand: Demand, role: Role) -> bool:
    """No pairwise rule with a one-person form refuses this person for the role."""
    return not any(
        rule.refuses is not None
        and rule.applies(demand, role)
        and rule.refuses(person, demand, role)
        for rule in PAIR_RULES
    )


# soft ---------------------------------------------------------------------------------------


def head_values(demand: Demand, role: Role, weights: Weights) -> tuple[int, int]:
    """Points for filling one essential head and one extra head (above the minimum staff)."""
    essential = round(weights.coverage * demand.priority)
    extra = round(weights.coverage * demand.priority * weights.extra_staff_fraction)
    return essential, extra


def walk_cost(distance_m: np.ndarray, weights: Weights) -> np.ndarray:
    """Short walks: points lost per kilometre between home and the demand."""
    return np.rint(distance_m * (weights.walk_per_km / 1000.0)).astype(np.int64)


def preference_bonus(person: Person, demand: Demand, weights: Weights) -> int:
    """Stated preferences: the person asked for this category of service."""
    return (
        weights.preference
        if demand.category and demand.category in person.preferred_categories
        else 0
    )


def continuity_bonus(person: Person, demand: Demand, weights: Weights) -> int:
    """Continuity: the same member for a household they served before, and the same people on
    a regular-crew shift as the week before."""
    served = demand.household and demand.household in person.served_households
    return (weights.continuity if served else 0) + regular_crew_bonus(person, demand, weights)


def regular_crew_bonus(person: Person, demand: Demand, weights: Weights) -> int:
    """Regular crews (定点定时定人): the people who held this weekly shift last week keep it."""
    return weights.regular_crew if person.id in demand.regulars else 0


def stability_bonus(is_previous: bool, weights: Weights) -> int:
    """Stability: keep what was already published unless something better is worth the move."""
    return weights.stability if is_previous else 0


def load_costs(person: Person, settings: Settings, tasks: int) -> list[int]:
    """Fairness: the k-th task of one person costs more than the (k-1)-th.

    The marginal costs rise by ``load_step`` per task, so work spreads over the eligible pool
    instead of piling on the nearest few. A person behind on the quarter's minimum earns a
    bonus on their first task, proportional to how far behind they are.
    """
    weights = settings.weights
    costs = [weights.load_step * k for k in range(tasks)]
    if costs:
        costs[0] -= quarter_behind_bonus(person, settings)
    return costs


def quarter_behind_bonus(person: Person, settings: Settings) -> int:
    """Members behind on their quarter first: bonus scaled by the shortfall."""
    if person.kind == PersonKind.SOCIAL_WORKER or settings.quarter_minimum <= 0:
        return 0
    shortfall = max(0, settings.quarter_minimum - person.services_this_quarter)
    return round(settings.weights.behind_quarter * shortfall / settings.quarter_minimum)
