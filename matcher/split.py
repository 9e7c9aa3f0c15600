"""A city's week in street-sized parts: split it, solve the parts, put the weeks back together.

A city (贵阳: 93 communities, ~30,000 people in the generated scenario) is too big for one
piece: preparation alone is linear in its 1.5M eligible pairs and the whole forms one part too
big for CP-SAT. People serve where they live (工作在单位、活动在社区), so a city splits
naturally along community lines:

1. ``split_problem`` groups whole communities into parts of a few thousand people: the
   communities of one street together when the caller knows the streets, else balanced groups
   of neighbouring communities (recursive bisection of the community centres, weighted by
   people and demands). Each part is a ``Problem`` of the people living there and the demands
   located there, with the locks and settings that concern them. Communities joined by a
   coordinator's pin (someone pinned to a task in another community) stay in one part, so
   every pin is kept by the part that holds it.
2. ``solve_part`` solves one part with ``matcher.solve`` and bounds what the whole city could
   do for the part's demands: the flow relaxation of the part *with* its neighbours (people of
   other parts living within walking distance of its demands). Splitting the best city week by
   the demands' parts gives each extended part a valid week worth at least its share (the
   fairness cost is convex and the quarter bonus is paid once per part), so the sum of these
   bounds is a proven bound for the whole city.
3. ``border_problem`` is the border pass: the heads still open after the parts, and the people
   of *other* parts who live within walking distance of them and still have room (tasks and
   hours below their caps; their booked times, with the walk to and from, taken out of their
   free time). Solving it fills a demand that only a neighbour across the line can serve.
4. ``merge_week`` puts the bookings back on the whole city and scores and explains them with
   the same code as ``matcher.solve``: one objective, reasons for every assignment, and for
   every open head the binding rule over *all* the city's people.

Pure Python over the matcher's own objects: no Dask, no database. ``matcher.city`` runs the
parts one after another or on Dask.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from matcher import rules
from matcher.candidates import (
    METRES_PER_DEGREE,
    BonusTables,
    Candidates,
    HomeIndex,
    build_candidates,
    free_time,
    longest_walk,
)
from matcher.domain import (
    MINUTES_PER_DAY,
    Assignment,
    Demand,
    Location,
    Locks,
    Person,
    Problem,
    Reason,
    Role,
    Solution,
    WeeklyWindow,
)
from matcher.flow import solve_flow
from matcher.solver import finish, load_tiers, solve, trivial_bound
from matcher.timetable import Booking

#: people per part: a street (凤凰街道 has ~2,900), small enough for the flow and CP-SAT by parts
PART_PEOPLE = 3_000


@dataclass(frozen=True, slots=True)
class Part:
    """Whole communities solved as one piece, and the people next door who bound it."""

    index: int
    communities: tuple[str, ...]
    problem: Problem
    #: people of other parts within walking distance of a demand here (for the bound only)
    neighbours: tuple[Person, ...] = ()


@dataclass(frozen=True, slots=True)
class PartResult:
    index: int
    solution: Solution
    #: proven bound on what any city week earns from this part's demands
    bound: int
    seconds: float


@dataclass(frozen=True, slots=True)
class BorderProblem:
    """The border pass: open heads and the neighbours with room left to take them."""

    problem: Problem
    #: (demand id, role in the border problem) → role in the city's demand
    roles: dict[tuple[str, int], int] = field(default_factory=dict)


# splitting ----------------------------------------------------------------------------------


def split_problem(
    problem: Problem,
    *,
    part_people: int = PART_PEOPLE,
    streets: Mapping[str, str] | None = None,
) -> list[Part]:
    """Whole communities in parts of about ``part_people`` people.

    ``streets`` maps a community to its street: the communities of one street form one part.
    Communities it does not name (or all, without it) are grouped with their neighbours.
    """
    units = pinned_units(problem)
    weight = community_weights(problem)
    centre = community_centres(problem)
    groups: list[list[str]] = []
    loose: list[list[str]] = []
    if streets:
        by_street: dict[str, list[str]] = defaultdict(list)
        for unit in units:
            named = sorted({streets[c] for c in unit if c in streets})
            if named:
                by_street[named[0]].extend(unit)
            else:
                loose.append(unit)
        groups += [sorted(members) for _, members in sorted(by_street.items())]
    else:
        loose = units
    if loose:
        people = sum(weight[c][0] for unit in loose for c in unit)
        count = min(len(loose), max(1, round(people / max(1, part_people))))
        groups += bisect_units(loose, count, weight, centre)
    return [make_part(problem, index, tuple(sorted(group))) for index, group in enumerate(groups)]


def community_weights(problem: Problem) -> dict[str, tuple[int, int]]:
    """People and demands per community."""
    weight: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in problem.people:
        weight[p.community][0] += 1
    for d in problem.demands:
        weight[d.community][1] += 1
    return {c: (w[0], w[1]) for c, w in weight.items()}


def community_centres(problem: Problem) -> dict[str, tuple[float, float]]:
    """Mean position of each community's homes and demands, as metres east and north."""
    if not problem.people and not problem.demands:
        return {}
    places: dict[str, list[Location]] = defaultdict(list)
    for p in problem.people:
        places[p.community].append(p.home)
    for d in problem.demands:
        places[d.community].append(d.location)
    lat0 = float(np.mean([loc.lat for locs in places.values() for loc in locs]))
    east_per_degree = METRES_PER_DEGREE * math.cos(math.radians(lat0))
    return {
        c: (
            float(np.mean([loc.lng for loc in locs])) * east_per_degree,
            float(np.mean([loc.lat for loc in locs])) * METRES_PER_DEGREE,
        )
        for c, locs in places.items()
    }


def pinned_units(problem: Problem) -> list[list[str]]:
    """Communities that must share a part: one community each, joined where a pin crosses."""
    communities = sorted(
        {p.community for p in problem.people} | {d.community for d in problem.demands}
    )
    parent = {c: c for c in communities}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    home = {p.id: p.community for p in problem.people}
    place = {d.id: d.community for d in problem.demands}
    for person_id, demand_id in sorted(problem.locks.pinned):
        if person_id in home and demand_id in place:
            a, b = root(home[person_id]), root(place[demand_id])
            if a != b:
                parent[max(a, b)] = min(a, b)
    units: dict[str, list[str]] = defaultdict(list)
    for c in communities:
        units[root(c)].append(c)
    return [units[k] for k in sorted(units)]


def bisect_units(
    units: list[list[str]],
    count: int,
    weight: Mapping[str, tuple[int, int]],
    centre: Mapping[str, tuple[float, float]],
) -> list[list[str]]:
    """``count`` compact groups of near-equal weight: cut the longer side, recursively."""
    if count <= 1 or len(units) <= 1:
        return [sorted(c for unit in units for c in unit)]

    def size(unit: list[str]) -> int:
        return sum(weight[c][0] + weight[c][1] for c in unit)

    def where(unit: list[str]) -> tuple[float, float]:
        total = max(1, size(unit))
        east = sum(centre[c][0] * (weight[c][0] + weight[c][1]) for c in unit) / total
        north = sum(centre[c][1] * (weight[c][0] + weight[c][1]) for c in unit) / total
        return east, north

    spots = [where(u) for u in units]
    wide = max(s[0] for s in spots) - min(s[0] for s in spots)
    tall = max(s[1] for s in spots) - min(s[1] for s in spots)
    axis = 0 if wide >= tall else 1
    order = sorted(range(len(units)), key=lambda i: (spots[i][axis], spots[i][1 - axis], units[i]))
    left_count = count // 2
    target = sum(size(u) for u in units) * left_count / count
    running, cut, best = 0, 1, math.inf
    for position, i in enumerate(order[:-1], start=1):
        running += size(units[i])
        if abs(running - target) < best:
            best, cut = abs(running - target), position
    left = [units[i] for i in order[:cut]]
    right = [units[i] for i in order[cut:]]
    return bisect_units(left, left_count, weight, centre) + bisect_units(
        right, count - left_count, weight, centre
    )


def make_part(problem: Problem, index: int, communities: tuple[str, ...]) -> Part:
    inside = set(communities)
    people = tuple(p for p in problem.people if p.community in inside)
    demands = tuple(d for d in problem.demands if d.community in inside)
    part = replace(
        problem,
        people=people,
        demands=demands,
        locks=locks_within(problem.locks, people, demands),
        name=f"{problem.name} #{index + 1}",
    )
    return Part(index=index, communities=communities, problem=part)


def locks_within(locks: Locks, people: Iterable[Person], demands: Iterable[Demand]) -> Locks:
    """The locks whose person and demand are both in a smaller problem."""
    person_ids = {p.id for p in people}
    demand_ids = {d.id for d in demands}

    def keep(pairs: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
        return frozenset((p, d) for p, d in pairs if p in person_ids and d in demand_ids)

    return Locks(
        pinned=keep(locks.pinned), forbidden=keep(locks.forbidden), previous=keep(locks.previous)
    )


def with_neighbours(problem: Problem, parts: list[Part]) -> list[Part]:
    """Each part with the people of other parts living within walking distance of its demands."""
    reach = Reach(problem)
    part_of_person = {p.id: part.index for part in parts for p in part.problem.people}
    out = []
    for part in parts:
        near: set[int] = set()
        for demand in part.problem.demands:
            near.update(reach.of(demand).tolist())
        outsiders = tuple(
            problem.people[i]
            for i in sorted(near)
            if part_of_person[problem.people[i].id] != part.index
        )
        out.append(replace(part, neighbours=outsiders))
    return out


class Reach:
    """Who lives within a demand's walking radius, over the whole city's people."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.lat = np.array([p.home.lat for p in problem.people], dtype=np.float64)
        self.lng = np.array([p.home.lng for p in problem.people], dtype=np.float64)
        self.homes = HomeIndex(self.lat, self.lng, problem.settings.radius_m)

    def of(self, demand: Demand) -> np.ndarray:
        """Indices of the people living within the demand's radius."""
        settings = self.problem.settings
        radius = demand.radius_m if demand.radius_m is not None else settings.radius_m
        sub = self.homes.near(demand.location, radius)
        if sub.size == 0:
            return sub
        dist = rules.haversine_m(
            self.lat[sub], self.lng[sub], demand.location.lat, demand.location.lng
        )
        return sub[~rules.outside_service_radius(dist, demand, settings)]


# solving one part ---------------------------------------------------------------------------


def solve_part(part: Part) -> PartResult:
    """The part's best week (``matcher.solve``) and a bound valid for the whole city."""
    started = time.perf_counter()
    solution = solve(part.problem)
    bound = solution.bound
    if part.neighbours and part.problem.demands:
        # the part's own bound ignores the neighbours who could serve here; the flow over the
        # part with them bounds every city week's takings from these demands
        extended = replace(part.problem, people=part.problem.people + part.neighbours)
        c = build_candidates(extended)
        bound = max(solution.objective, solve_flow(c, load_tiers(c)).bound) if len(c) else 0
    return PartResult(
        index=part.index,
        solution=solution,
        bound=bound,
        seconds=round(time.perf_counter() - started, 3),
    )


# the border pass ----------------------------------------------------------------------------


def border_problem(
    problem: Problem,
    parts: Sequence[Part],
    assignments: Sequence[Assignment],
    *,
    time_limit_s: float,
) -> BorderProblem:
    """Open heads after the parts, and the neighbours across a part's line with room to serve.

    A neighbour's booked tasks, with the longest walk to or from any open head they could take,
    come out of their free time; their caps shrink by what is booked. So anything the border
    pass books keeps every hard rule of the merged week.
    """
    demand_by_id = {d.id: d for d in problem.demands}
    person_by_id = {p.id: p for p in problem.people}
    part_of_person = {p.id: part.index for part in parts for p in part.problem.people}
    part_of_demand = {d.id: part.index for part in parts for d in part.problem.demands}
    filled: dict[tuple[str, int], int] = defaultdict(int)
    booked: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        filled[(a.demand_id, a.role)] += 1
        booked[a.person_id].append(a)

    reach_of = Reach(problem)
    open_demands: list[Demand] = []
    roles: dict[tuple[str, int], int] = {}
    reach: dict[str, list[Demand]] = defaultdict(list)  # person id → open demands near them
    for demand in problem.demands:
        short = [
            (r, role)
            for r, role in enumerate(demand.roles)
            if filled[(demand.id, r)] < role.max_count
        ]
        if not short or (
            demand.all_or_nothing and any(filled[(demand.id, r)] for r in range(len(demand.roles)))
        ):
            continue
        helpers = [
            p
            for p in (problem.people[i] for i in reach_of.of(demand).tolist())
            if part_of_person[p.id] != part_of_demand[demand.id]
            and could_take(p, demand, [role for _, role in short])
            and has_room(p, booked[p.id], demand)
        ]
        if not helpers:
            continue
        open_roles: list[Role] = []
        for r, role in short:
            roles[(demand.id, len(open_roles))] = r
            open_roles.append(
                Role(
                    skills=role.skills,
                    min_count=max(0, role.min_count - filled[(demand.id, r)]),
                    max_count=role.max_count - filled[(demand.id, r)],
                    name=role.name,
                )
            )
        open_demands.append(replace(demand, roles=tuple(open_roles)))
        for p in helpers:
            reach[p.id].append(demand)

    people = tuple(
        with_room_left(
            person_by_id[pid],
            booked[pid],
            reach[pid],
            demand_by_id,
            problem.settings.quarter_minimum,
        )
        for pid in sorted(reach)
    )
    border = replace(
        problem,
        people=people,
        demands=tuple(open_demands),
        locks=replace(locks_within(problem.locks, people, open_demands), pinned=frozenset()),
        settings=replace(problem.settings, time_limit_s=time_limit_s),
        name=f"{problem.name} 边界 border",
    )
    return BorderProblem(problem=border, roles=roles)


def could_take(person: Person, demand: Demand, roles: Sequence[Role]) -> bool:
    """Meets, for one of the roles, every pairwise rule that asks only who the person is (the
    rows of ``rules.PAIR_RULES`` with a one-person form: skills, party membership).

    The other rows are applied elsewhere: the radius by ``Reach``, free time and forbids by the
    border problem's own candidates, against the time the person has left.
    """
    return any(rules.person_may_take(person, demand, role) for role in roles)


def has_room(person: Person, booked: Sequence[Assignment], demand: Demand) -> bool:
    """Below both weekly caps even after taking this demand."""
    minutes = sum(a.end - a.start for a in booked) + demand.duration
    return not (
        rules.over_weekly_tasks(len(booked) + 1, person) or rules.over_weekly_hours(minutes, person)
    )


def with_room_left(
    person: Person,
    booked: Sequence[Assignment],
    reachable: Sequence[Demand],
    demands: Mapping[str, Demand],
    quarter_minimum: int,
) -> Person:
    """The person as the border pass sees them: caps less what is booked, booked times (and
    the walk to the farthest open head they could take) out of their free time."""
    if not booked:
        return person
    busy = []
    for a in booked:
        place = demands[a.demand_id].location
        margin = max(
            rules.walk_minutes(
                float(rules.haversine_m(place.lat, place.lng, d.location.lat, d.location.lng))
            )
            for d in reachable
        )
        busy.append((a.start - margin, a.end + margin))
    minutes = sum(a.end - a.start for a in booked)
    return replace(
        person,
        availability=subtract(person.availability, busy),
        weekly_task_cap=person.weekly_task_cap - len(booked),
        weekly_hours_cap=(round(person.weekly_hours_cap * 60) - minutes) / 60,
        # the quarter bonus is earned once, by the task the person already has
        services_this_quarter=max(person.services_this_quarter, quarter_minimum),
    )


def subtract(
    windows: Iterable[WeeklyWindow], busy: Iterable[tuple[int, int]]
) -> tuple[WeeklyWindow, ...]:
    """Free windows less busy stretches (week minutes), cut into whole days."""
    cuts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for start, end in busy:
        for day in range(
            max(0, start // MINUTES_PER_DAY), min(6, (end - 1) // MINUTES_PER_DAY) + 1
        ):
            base = day * MINUTES_PER_DAY
            cuts[day].append((max(0, start - base), min(MINUTES_PER_DAY, end - base)))
    out = []
    for w in windows:
        pieces = [(w.start_minute, w.end_minute)]
        for cut_start, cut_end in cuts.get(w.weekday, []):
            pieces = [
                piece
                for s, e in pieces
                for piece in ((s, min(e, cut_start)), (max(s, cut_end), e))
                if piece[0] < piece[1]
            ]
        out += [WeeklyWindow(w.weekday, s, e) for s, e in pieces]
    return tuple(out)


def from_border(border: BorderProblem, solution: Solution) -> list[Assignment]:
    """The border pass's bookings in the city's terms (role numbers of the city's demands)."""
    return [replace(a, role=border.roles[(a.demand_id, a.role)]) for a in solution.assignments]


# merging ------------------------------------------------------------------------------------


def merge_week(
    problem: Problem,
    assignments: Sequence[Assignment],
    *,
    bound: int | None,
    started: float,
    stats: dict[str, float | int | str],
    warnings: Sequence[Reason] = (),
) -> Solution:
    """The city's week from its bookings, scored and explained exactly as ``matcher.solve``
    would: the same objective, reasons per assignment, and for each open head the binding rule
    over every person of the city. Without a ``bound``, the trivial one (every head filled)."""
    c = booked_pairs(problem, assignments, warnings)
    if bound is None:
        bound = trivial_bound(c)
    bookings = [Booking(i, a.start) for i, a in enumerate(assignments)]
    return finish(c, bookings, bound=bound, started=started, stats=stats, method="split")


def booked_pairs(
    problem: Problem, assignments: Sequence[Assignment], warnings: Sequence[Reason]
) -> Candidates:
    """The city's people and demands with one candidate pair per booking and no others.

    Scoring and explaining need each person's free time and skills and the booked pairs, not
    the 1.5M eligible pairs of a city: those were the parts' business.
    """
    people = problem.people
    person_index = {p.id: i for i, p in enumerate(people)}
    demand_index = {d.id: i for i, d in enumerate(problem.demands)}
    person = np.array([person_index[a.person_id] for a in assignments], dtype=np.int32)
    demand = np.array([demand_index[a.demand_id] for a in assignments], dtype=np.int32)
    slots = free_time(problem)
    pool = rules.Pool.of(problem, slots, rules.skill_bits(problem))
    lat, lng = pool.home_lat, pool.home_lng
    distance = np.array(
        [
            float(
                rules.haversine_m(
                    lat[p], lng[p], problem.demands[d].location.lat, problem.demands[d].location.lng
                )
            )
            for p, d in zip(person.tolist(), demand.tolist(), strict=True)
        ],
        dtype=np.float64,
    )
    previous = np.array(
        [(a.person_id, a.demand_id) in problem.locks.previous for a in assignments], dtype=bool
    )
    pinned = np.array(
        [(a.person_id, a.demand_id) in problem.locks.pinned for a in assignments], dtype=bool
    )
    bonus = BonusTables(problem)
    cost = np.zeros(len(assignments), dtype=np.int64)
    for i in range(len(assignments)):
        d = problem.demands[int(demand[i])]
        cost[i] = int(rules.walk_cost(distance[i : i + 1], problem.settings.weights)[0]) - int(
            bonus.for_demand(d, person[i : i + 1], previous[i : i + 1])[0]
        )
    return Candidates(
        problem=problem,
        person=person,
        demand=demand,
        role=np.array([a.role for a in assignments], dtype=np.int16),
        distance_m=distance,
        cost=cost,
        pinned=pinned,
        previous=previous,
        free_slots=slots,
        pool=pool,
        person_index=person_index,
        demand_index=demand_index,
        warnings=list(warnings),
        max_walk=longest_walk(problem),
    )


def unique_warnings(solutions: Iterable[Solution]) -> list[Reason]:
    seen: list[Reason] = []
    for s in solutions:
        seen += [w for w in s.warnings if w not in seen]
    return seen
