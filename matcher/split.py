"""A city's week in street-sized parts: split it, solve the parts, put the weeks back together.

A city (贵阳: 93 communities; about 530,000 people in the generator's Guiyang preset, 2.75M
eligible pairs per 10 communities) is too big for one piece: preparation alone is linear in
its eligible pairs and the whole forms one part too big for CP-SAT. People serve where they
live (工作在单位、活动在社区), so a city splits naturally along community lines:

1. ``split_problem`` groups whole communities into parts of a few thousand people: the
   communities of one street together when the caller knows the streets, else balanced groups
   of neighbouring communities (recursive bisection of the community centres, weighted by
   people and demands). Each part is a ``Problem`` of the people living there and the demands
   located there, with the locks and settings that concern them. Communities joined by a
   coordinator's pin (someone pinned to a task in another community) stay in one part, so
   every pin is kept by the part that holds it. ``with_neighbours`` gives each part its
   *strip*: the people of other parts living within walking distance of its demands.
2. ``solve_part`` solves one part with ``matcher.solve`` and bounds what the whole city could
   do for the part's demands: the flow relaxation of the part *with* its strip. Splitting the
   best city week by the demands' parts gives each extended part a valid week worth at least
   its share (the fairness cost is convex and the quarter bonus is paid once per part), so the
   sum of these bounds is a proven bound for the whole city.
3. ``border_problem`` is the border pass: each part's open heads, offered to its strip's
   people who still have room (tasks and hours below their caps; their booked times, with the
   walk to and from, taken out of their free time). Solving it fills a demand that only a
   neighbour across the line can serve.
4. ``finish_part`` scores and explains one part's share of the city's week over the part and
   its strip, with the same code as ``matcher.solve`` (tasks its people have in other parts
   are held: they take time and count against caps); ``merge_parts`` adds the shares up. The
   part's share holds its demands' heads and its own people's load, so the shares add up to
   the city's objective, and a gap is explained by the people within reach of it.

Nothing is built over the whole city: every table (free time, candidate pairs, home index) is
a part's, or a part's with its strip, so memory follows the largest part and its neighbours.
Pure Python over the matcher's own objects: no Dask, no database. ``matcher.city`` runs the
parts one after another or on Dask.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

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
    Gap,
    Location,
    Locks,
    Person,
    Problem,
    Reason,
    Role,
    Settings,
    Solution,
    WeeklyWindow,
)
from matcher.flow import solve_flow
from matcher.solver import finish, load_tiers, solve, trivial_bound
from matcher.timetable import Booking, Held

#: people per part: a street (凤凰街道 has ~2,900), small enough for the flow and CP-SAT by parts
PART_PEOPLE = 3_000


@dataclass(frozen=True, slots=True)
class Part:
    """Whole communities solved as one piece, and its strip: the people next door."""

    index: int
    communities: tuple[str, ...]
    problem: Problem
    #: people of other parts within walking distance of a demand here: they bound the part,
    #: may serve it in the border pass, and are asked when a gap here is explained
    neighbours: tuple[Person, ...] = ()
    #: the locks between the neighbours and this part's demands
    neighbour_locks: Locks = field(default_factory=Locks)

    def extended(self) -> Problem:
        """The part's demands, with its own people and its neighbours."""
        locks = self.problem.locks
        return replace(
            self.problem,
            people=self.problem.people + self.neighbours,
            locks=Locks(
                pinned=locks.pinned | self.neighbour_locks.pinned,
                forbidden=locks.forbidden | self.neighbour_locks.forbidden,
                previous=locks.previous | self.neighbour_locks.previous,
            ),
        )


@dataclass(frozen=True, slots=True)
class PartResult:
    index: int
    solution: Solution
    #: proven bound on what any city week earns from this part's demands
    bound: int
    seconds: float
    #: the processor time of the thread that solved it: unlike ``seconds``, what other work on
    #: the machine takes from it does not count
    cpu_seconds: float = 0.0


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


def with_neighbours(parts: Sequence[Part], locks: Locks) -> list[Part]:
    """Each part with its strip: the people of other parts living within walking distance of
    one of its demands, and the locks between them and its demands.

    Part by part: each part's homes are indexed on their own, and only parts whose homes come
    within the widest walk of a part's demands are searched, so nothing the size of the city
    is built.
    """
    reaches = [Reach(part.problem.people, part.problem.settings) for part in parts]
    out = []
    for part in parts:
        box = demand_box(part.problem)
        outsiders: list[Person] = []
        for other, reach in zip(parts, reaches, strict=True):
            if other.index == part.index or box is None or not reach.may_reach(box):
                continue
            near: set[int] = set()
            for demand in part.problem.demands:
                near.update(reach.of(demand).tolist())
            outsiders += [other.problem.people[i] for i in sorted(near)]
        out.append(
            replace(
                part,
                neighbours=tuple(outsiders),
                neighbour_locks=locks_within(locks, outsiders, part.problem.demands),
            )
        )
    return out


#: (south, north, west, east) in degrees, widened by the widest walk
Box = tuple[float, float, float, float]


def demand_box(problem: Problem) -> Box | None:
    """Where a part's demands could draw helpers from: their extent, widened by the widest
    walking radius."""
    if not problem.demands:
        return None
    lat = [d.location.lat for d in problem.demands]
    lng = [d.location.lng for d in problem.demands]
    radius = max(d.radius_m or problem.settings.radius_m for d in problem.demands)
    dlat = radius / METRES_PER_DEGREE
    widest = max(abs(min(lat)), abs(max(lat)))
    dlng = radius / (METRES_PER_DEGREE * max(0.05, math.cos(math.radians(widest))))
    return min(lat) - dlat, max(lat) + dlat, min(lng) - dlng, max(lng) + dlng


class Reach:
    """Who of some people (a part's) lives within a demand's walking radius."""

    def __init__(self, people: Sequence[Person], settings: Settings):
        self.settings = settings
        self.lat = np.array([p.home.lat for p in people], dtype=np.float64)
        self.lng = np.array([p.home.lng for p in people], dtype=np.float64)
        self.homes = HomeIndex(self.lat, self.lng, settings.radius_m)

    def may_reach(self, box: Box) -> bool:
        """Whether any of these people lives inside the box."""
        if self.lat.size == 0:
            return False
        south, north, west, east = box
        return bool(
            self.lat.min() <= north
            and self.lat.max() >= south
            and self.lng.min() <= east
            and self.lng.max() >= west
        )

    def of(self, demand: Demand) -> np.ndarray:
        """Indices of the people living within the demand's radius."""
        radius = demand.radius_m if demand.radius_m is not None else self.settings.radius_m
        sub = self.homes.near(demand.location, radius)
        if sub.size == 0:
            return sub
        dist = rules.haversine_m(
            self.lat[sub], self.lng[sub], demand.location.lat, demand.location.lng
        )
        return sub[~rules.outside_service_radius(dist, demand, self.settings)]


# solving one part ---------------------------------------------------------------------------


def solve_part(part: Part, prove_bound: bool = True) -> PartResult:
    """The part's best week (``matcher.solve``) and, with ``prove_bound``, a bound valid for
    the whole city (else the trivial one: every head filled)."""
    started, cpu_started = time.perf_counter(), time.thread_time()
    solution = solve(part.problem)
    bound = trivial_bound(part.problem)
    if prove_bound:
        bound = solution.bound
        if part.neighbours and part.problem.demands:
            # the part's own bound ignores the neighbours who could serve here; the flow over
            # the part with them bounds every city week's takings from these demands
            c = build_candidates(part.extended())
            bound = max(solution.objective, solve_flow(c, load_tiers(c)).bound) if len(c) else 0
    return PartResult(
        index=part.index,
        solution=solution,
        bound=bound,
        seconds=round(time.perf_counter() - started, 3),
        cpu_seconds=round(time.thread_time() - cpu_started, 3),
    )


# the border pass ----------------------------------------------------------------------------


def border_problem(
    parts: Sequence[Part], results: Sequence[PartResult], *, time_limit_s: float
) -> BorderProblem:
    """Open heads after the parts, and the neighbours across a part's line with room to serve.

    Strip by strip: a part's open heads (its week's gaps) are offered to its neighbours only.
    A neighbour's booked tasks, with the longest walk to or from any open head they could
    take, come out of their free time; their caps shrink by what is booked. So anything the
    border pass books keeps every hard rule of the merged week.
    """
    booked: dict[str, list[Assignment]] = defaultdict(list)
    for result in results:
        for a in result.solution.assignments:
            booked[a.person_id].append(a)
    week_of = {result.index: result.solution for result in results}
    place: dict[str, Location] = {}
    open_demands: list[Demand] = []
    roles: dict[tuple[str, int], int] = {}
    helpers: dict[str, Person] = {}
    reach: dict[str, list[Demand]] = defaultdict(list)  # person id → open demands near them
    locks: list[Locks] = []
    for part in parts:
        place.update((d.id, d.location) for d in part.problem.demands)
        short = open_heads(part.problem, week_of[part.index])
        if not short or not part.neighbours:
            continue
        near = Reach(part.neighbours, part.problem.settings)
        locks.append(part.neighbour_locks)
        for demand in part.problem.demands:
            heads = short.get(demand.id)
            if not heads:
                continue
            able = [
                p
                for p in (part.neighbours[i] for i in near.of(demand).tolist())
                if could_take(p, demand, [role for _, role, _ in heads])
                and has_room(p, booked[p.id], demand)
            ]
            if not able:
                continue
            open_roles: list[Role] = []
            for r, role, filled in heads:
                roles[(demand.id, len(open_roles))] = r
                open_roles.append(
                    Role(
                        skills=role.skills,
                        min_count=max(0, role.min_count - filled),
                        max_count=role.max_count - filled,
                        name=role.name,
                        team=role.team,
                    )
                )
            open_demands.append(replace(demand, roles=tuple(open_roles)))
            for p in able:
                helpers[p.id] = p
                reach[p.id].append(demand)
    settings = parts[0].problem.settings if parts else Settings()
    people = tuple(
        with_room_left(helpers[pid], booked[pid], reach[pid], place, settings.quarter_minimum)
        for pid in sorted(reach)
    )
    strip_locks = Locks(
        forbidden=frozenset().union(*(lock.forbidden for lock in locks)),
        previous=frozenset().union(*(lock.previous for lock in locks)),
    )
    base = parts[0].problem if parts else Problem(week_start=date.min, people=(), demands=())
    border = replace(
        base,
        people=people,
        demands=tuple(open_demands),
        locks=locks_within(strip_locks, people, open_demands),
        settings=replace(settings, time_limit_s=time_limit_s),
        name=f"{base.name.rsplit(' #', 1)[0]} 边界 border",
    )
    return BorderProblem(problem=border, roles=roles)


def open_heads(problem: Problem, week: Solution) -> dict[str, list[tuple[int, Role, int]]]:
    """Per demand of a part, its roles still short after the part's week: (role number, role,
    heads filled). A group claim that got some of its heads is left as it is."""
    gaps: dict[str, list[Gap]] = defaultdict(list)
    for g in week.gaps:
        gaps[g.demand_id].append(g)
    out: dict[str, list[tuple[int, Role, int]]] = {}
    for demand in problem.demands:
        if demand.id not in gaps:
            continue
        missing = {g.role: g.missing for g in gaps[demand.id]}
        filled = {r: role.max_count - missing.get(r, 0) for r, role in enumerate(demand.roles)}
        if demand.all_or_nothing and any(filled.values()):
            continue
        out[demand.id] = [
            (r, demand.roles[r], filled[r]) for r in sorted(missing) if missing[r] > 0
        ]
    return out


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
    places: Mapping[str, Location],
    quarter_minimum: int,
) -> Person:
    """The person as the border pass sees them: caps less what is booked, booked times (and
    the walk to the farthest open head they could take) out of their free time."""
    if not booked:
        return person
    busy = []
    for a in booked:
        place = places[a.demand_id]
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


# finishing and merging -----------------------------------------------------------------------


def finish_part(
    part: Part,
    assignments: Sequence[Assignment],
    elsewhere: Mapping[str, Sequence[tuple[int, int]]],
    *,
    bound: int,
    warnings: Sequence[Reason] = (),
) -> Solution:
    """A part's share of the city's week, scored and explained with the code of
    ``matcher.solve`` over the part and its strip only.

    ``assignments``: every booking on the part's demands (its own and the border pass's);
    ``elsewhere``: the (start, end) of each task its people and neighbours have in other parts,
    which takes their time and counts against their caps. The part's share of the objective
    holds its demands' heads, the bookings on them, and its own people's load over their whole
    week; so the parts' shares add up to the city's objective. A gap is explained over the
    part's people and its neighbours, the only people within reach of it.
    """
    started = time.perf_counter()
    extended = part.extended()
    c = booked_pairs(extended, assignments, warnings)
    held = {
        c.person_index[pid]: [Held(start, end) for start, end in tasks]
        for pid, tasks in elsewhere.items()
        if tasks and pid in c.person_index
    }
    week_tasks: dict[int, int] = defaultdict(int)
    own = len(part.problem.people)
    for a in assignments:
        if (p := c.person_index[a.person_id]) < own:
            week_tasks[p] += 1
    for p, tasks in held.items():
        if p < own:
            week_tasks[p] += len(tasks)
    bookings = [Booking(i, a.start) for i, a in enumerate(assignments)]
    return finish(
        c,
        bookings,
        bound=bound,
        started=started,
        stats={},
        method="split",
        held=held,
        week_tasks=week_tasks,
    )


def merge_parts(
    weeks: Sequence[Solution],
    settings: Settings,
    *,
    bound: int,
    started: float,
    stats: dict[str, float | int | str],
    warnings: Sequence[Reason] = (),
) -> Solution:
    """The city's week: the parts' shares side by side (``finish_part``), their objectives and
    breakdowns added up. Nothing here is the size of the city but the answer itself."""
    breakdown: dict[str, int] = defaultdict(int)
    for week in weeks:
        for term, points in week.breakdown.items():
            breakdown[term] += points
    objective = sum(breakdown.values())
    assignments = sorted(
        (a for week in weeks for a in week.assignments),
        key=lambda a: (a.start, a.demand_id, a.person_id),
    )
    if not any(w.status != "empty" for w in weeks):
        status = "empty"
    elif objective >= bound:
        status = "optimal"
    else:
        status = "feasible"
    stats["method"] = "split"
    return Solution(
        status=status,
        assignments=tuple(assignments),
        gaps=tuple(g for week in weeks for g in week.gaps),
        objective=objective,
        bound=max(bound, objective),
        breakdown=dict(breakdown),
        weighted_coverage=breakdown["coverage"] / settings.weights.coverage,
        wall_time_s=round(time.perf_counter() - started, 3),
        stats=stats,
        warnings=tuple(warnings),
    )


def booked_pairs(
    problem: Problem, assignments: Sequence[Assignment], warnings: Sequence[Reason]
) -> Candidates:
    """The problem's people and demands with one candidate pair per booking and no others.

    Scoring and explaining need each person's free time and skills and the booked pairs, not
    every eligible pair: those were the solve's business.
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
