"""Who may do what: the eligible (person, demand, role) pairs and what each pair is worth.

Every row of the pairwise rules table (``rules.PAIR_RULES``) is applied here, vectorised over
people for each demand, so the flow and the CP-SAT model only ever see eligible pairs. Pins
bypass eligibility (the coordinator decided) but are reported as warnings when they break a
rule.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from matcher import rules, timing
from matcher.domain import (
    MINUTES_PER_DAY,
    WALK_METRES_PER_MINUTE,
    WEEK_MINUTES,
    Demand,
    DemandKind,
    Location,
    LockConflict,
    Problem,
    Reason,
)

SLOTS_PER_WEEK = WEEK_MINUTES // rules.SLOT_MINUTES
METRES_PER_DEGREE = 111_320.0  # of latitude; of longitude times cos(latitude)


@dataclass(slots=True)
class Candidates:
    problem: Problem
    person: np.ndarray  # int32, index into problem.people
    demand: np.ndarray  # int32, index into problem.demands
    role: np.ndarray  # int16
    distance_m: np.ndarray  # float64
    cost: np.ndarray  # int64 points lost by this pair: walk minus bonuses
    pinned: np.ndarray  # bool
    previous: np.ndarray  # bool
    free_slots: np.ndarray  # bool [people, 5-minute slots of the week]
    pool: rules.Pool  # what the pairwise rules read about everyone
    person_index: dict[str, int]
    demand_index: dict[str, int]
    warnings: list[Reason] = field(default_factory=list)
    _segments: dict[tuple[int, int], list[rules.Segment]] = field(default_factory=dict)
    _starts: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    _walks: dict[tuple[int, int], int] = field(default_factory=dict)

    max_walk: int = 0  # minutes: no two demands of one person lie farther apart (see below)

    def walk(self, d1: int, d2: int) -> int:
        """Minutes on foot between two demands' places."""
        if d1 == d2:
            return 0
        key = (d1, d2) if d1 < d2 else (d2, d1)
        if key not in self._walks:
            a, b = self.problem.demands[d1].location, self.problem.demands[d2].location
            self._walks[key] = rules.walk_minutes(
                float(rules.haversine_m(a.lat, a.lng, b.lat, b.lng))
            )
        return self._walks[key]

    def walks(self, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
        """``walk`` between each ``d1[i]`` and ``d2[i]``, in array steps; each distinct two
        places are measured once and remembered, so ``walk`` later gives the same minutes."""
        n = len(self.problem.demands)
        low, high = np.minimum(d1, d2).astype(np.int64), np.maximum(d1, d2).astype(np.int64)
        keys, inverse = np.unique(low * n + high, return_inverse=True)
        a, b = keys // n, keys % n
        known = np.array([self._walks.get((int(x), int(y)), -1) for x, y in zip(a, b, strict=True)])
        new = np.flatnonzero((known < 0) & (a != b))
        if new.size:
            lat = np.array([d.location.lat for d in self.problem.demands])
            lng = np.array([d.location.lng for d in self.problem.demands])
            metres = rules.haversine_m(lat[a[new]], lng[a[new]], lat[b[new]], lng[b[new]])
            known[new] = np.ceil(metres / WALK_METRES_PER_MINUTE).astype(np.int64)
            self._walks.update(
                zip(
                    zip(a[new].tolist(), b[new].tolist(), strict=True),
                    known[new].tolist(),
                    strict=True,
                )
            )
        known[a == b] = 0
        return known[inverse].reshape(np.shape(d1))

    def shortest_walk(self, demands: list[int]) -> int:
        """The shortest ``walk`` between any two of these demands (at least two distinct).

        Every two places are measured in one array step; the pairs within a metre of the
        closest pair are then measured again by ``walk``, so the minutes are ``walk``'s own."""
        places = np.unique(np.asarray(demands, dtype=np.int64))
        spots = [self.problem.demands[int(d)].location for d in places]
        lat = np.array([s.lat for s in spots])
        lng = np.array([s.lng for s in spots])
        metres = rules.haversine_m(lat[:, None], lng[:, None], lat[None, :], lng[None, :])
        np.fill_diagonal(metres, np.inf)
        close = np.argwhere(metres <= metres.min() + 1.0)
        return min(self.walk(int(places[i]), int(places[j])) for i, j in close)

    def walk_matrix(self, demands: np.ndarray) -> np.ndarray:
        """``walk`` between each two of these demands (0 from one to itself)."""
        places, index = np.unique(demands, return_inverse=True)
        walks = np.zeros((len(places), len(places)), dtype=np.int64)
        for i, j in itertools.combinations(range(len(places)), 2):
            walks[i, j] = walks[j, i] = self.walk(int(places[i]), int(places[j]))
        return walks[index[:, None], index[None, :]]

    def __len__(self) -> int:
        return len(self.person)

    def segments(self, p: int, d: int) -> list[rules.Segment]:
        """Where a person could do a wish: each day's free stretch inside its window and the
        visiting hours (a fixed-time demand has one segment, its own time)."""
        demand = self.problem.demands[d]
        if not demand.flexible:
            window = demand.window
            return [rules.Segment(window.start, window.end, (window.start, window.end))]
        key = (p, d)
        if key not in self._segments:
            found = rules.free_segments_for(self.pool, p, demand)
            self._segments[key] = found or fallback_segments(
                demand, self.problem.settings.visit_hours
            )
        return self._segments[key]

    def starts(self, p: int, d: int) -> list[int]:
        """Every start a valid week may need for this pair (``timing.sufficient_starts``): the
        start of each segment and, chained, the end of each task the person (or a fellow helper
        of a group wish) could do before it plus the walk. A search over these misses no week."""
        demand = self.problem.demands[d]
        if not demand.flexible:
            return [demand.window.start]
        if not self._starts:
            self._starts.update(timing.sufficient_starts(self))
        return self._starts.get((p, d)) or [s.start for s in self.segments(p, d)]


def fallback_segments(demand: Demand, visit_hours: tuple[int, int]) -> list[rules.Segment]:
    """For a pinned wish outside the person's stated free time: each day's visiting hours, or
    the start of the wish's window if none is long enough."""
    span = rules.slot_span(demand.duration)
    segments = []
    for start, end in rules.visiting_windows(demand.window.start, demand.window.end, visit_hours):
        first = rules.on_grid(start)
        if end - first >= span:
            segments.append(rules.Segment(first, end, (first, end)))
    start = demand.window.start
    return segments or [rules.Segment(start, start + span, (start, start + span))]


def free_time(problem: Problem) -> np.ndarray:
    """Each person's free 5-minute slots of the week, minus their unavailable dates."""
    slots = np.zeros((len(problem.people), SLOTS_PER_WEEK), dtype=bool)
    per_day = MINUTES_PER_DAY // rules.SLOT_MINUTES
    for i, person in enumerate(problem.people):
        for w in person.availability:
            first = w.weekday * per_day + -(-w.start_minute // rules.SLOT_MINUTES)
            last = w.weekday * per_day + w.end_minute // rules.SLOT_MINUTES
            slots[i, first:last] = True
        for day in person.unavailable_dates:
            offset = (day - problem.week_start).days
            if 0 <= offset < 7:
                slots[i, offset * per_day : (offset + 1) * per_day] = False
    return slots


def build_candidates(problem: Problem) -> Candidates:
    """Apply the pairwise hard rules to every demand and collect the eligible pairs."""
    people, settings, weights = problem.people, problem.settings, problem.settings.weights
    person_index = {p.id: i for i, p in enumerate(people)}
    demand_index = {d.id: i for i, d in enumerate(problem.demands)}
    bits = rules.skill_bits(problem)
    if len(bits) > 64:
        raise ValueError(f"at most 64 distinct skills are supported, got {len(bits)}")
    slots = free_time(problem)
    pool = rules.Pool.of(problem, slots, bits)

    pinned = by_demand(problem.locks.pinned, person_index, demand_index)
    previous = by_demand(problem.locks.previous, person_index, demand_index)
    check_locks(problem, person_index, demand_index)

    cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("p", "d", "r", "dist", "pin", "prev", "cost")
    }
    bonus = BonusTables(problem)
    warnings: list[Reason] = []
    homes = HomeIndex(pool.home_lat, pool.home_lng, settings.radius_m)
    for d, demand in enumerate(problem.demands):
        pins = pinned.get(d, set())
        radius = demand.radius_m if demand.radius_m is not None else settings.radius_m
        # only people living near enough are measured; pinned people always are
        sub = homes.near(demand.location, radius)
        if pins:
            sub = np.union1d(sub, np.array(sorted(pins), dtype=np.int64))
        if sub.size == 0:
            continue
        # the cells hold about three times the circle: the other rules see only the circle
        shortlist = rules.Shortlist(pool, demand, sub)
        near = ~rules.outside_service_radius(shortlist.distances_m, demand, settings)
        if pins:
            near |= np.isin(sub, list(pins))
        sub = sub[near]
        if sub.size == 0:
            continue
        shortlist = rules.Shortlist(pool, demand, sub, shortlist.distances_m[near])
        refused = rules.refused_per_role(shortlist)
        dist = shortlist.distances_m
        for r in range(len(demand.roles)):
            ok = ~refused[r]
            if r == 0 and pins:
                # a pin the rules would refuse still holds: the coordinator knows something we don't
                for p in sorted(pins):
                    k = int(np.searchsorted(sub, p))
                    if all(refused_role[k] for refused_role in refused):
                        warnings.append(pin_warning(people[p].name, demand.title))
                        ok[k] = True
            local = np.flatnonzero(ok)
            if local.size == 0:
                continue
            chosen = sub[local]
            cols["p"].append(chosen.astype(np.int32))
            cols["d"].append(np.full(chosen.size, d, dtype=np.int32))
            cols["r"].append(np.full(chosen.size, r, dtype=np.int16))
            cols["dist"].append(dist[local])
            cols["pin"].append(
                np.isin(chosen, list(pins)) if pins else np.zeros(chosen.size, dtype=bool)
            )
            was_previous = (
                np.isin(chosen, list(previous[d]))
                if d in previous
                else np.zeros(chosen.size, dtype=bool)
            )
            cols["prev"].append(was_previous)
            cols["cost"].append(
                rules.walk_cost(dist[local], weights)
                - bonus.for_demand(demand, chosen, was_previous)
            )

    def cat(key: str, dtype: type) -> np.ndarray:
        return np.concatenate(cols[key]).astype(dtype) if cols[key] else np.zeros(0, dtype=dtype)

    person, demand_col, role_col = cat("p", np.int32), cat("d", np.int32), cat("r", np.int16)
    distance, pin, prev = cat("dist", np.float64), cat("pin", bool), cat("prev", bool)
    cost = cat("cost", np.int64)
    # a pinned pair belongs to one role only: keep the first role that takes the person
    if pin.any():
        keep = np.ones(len(person), dtype=bool)
        seen: set[tuple[int, int]] = set()
        for i in np.flatnonzero(pin):
            key = (int(person[i]), int(demand_col[i]))
            keep[i] = key not in seen
            seen.add(key)
        person, demand_col, role_col, distance, pin, prev, cost = (
            a[keep] for a in (person, demand_col, role_col, distance, pin, prev, cost)
        )
    return Candidates(
        problem=problem,
        person=person,
        demand=demand_col,
        role=role_col,
        distance_m=distance,
        cost=cost,
        pinned=pin,
        previous=prev,
        free_slots=slots,
        pool=pool,
        person_index=person_index,
        demand_index=demand_index,
        warnings=warnings,
        max_walk=longest_walk(problem),
    )


def longest_walk(problem: Problem) -> int:
    """No two demands one person may take are farther apart than twice the widest radius."""
    radii = [d.radius_m or problem.settings.radius_m for d in problem.demands] or [0.0]
    return rules.walk_minutes(2 * max(radii)) + 1


class HomeIndex:
    """People's homes bucketed into square cells about one service radius wide, so that each
    demand measures only the people who could live within walking distance of it."""

    def __init__(self, lat: np.ndarray, lng: np.ndarray, cell_m: float):
        self.cell_m = max(cell_m, 100.0)
        self.cell_lat = self.cell_m / METRES_PER_DEGREE
        widest = float(np.abs(lat).max()) if lat.size else 0.0
        # degrees of longitude per metre grow towards the poles: size cells for the widest
        self.cell_lng = self.cell_m / (
            METRES_PER_DEGREE * max(0.05, math.cos(math.radians(widest)))
        )
        self.row = np.floor(lat / self.cell_lat).astype(np.int64)
        self.col = np.floor(lng / self.cell_lng).astype(np.int64)
        order = np.lexsort((self.col, self.row))
        self.cells: dict[tuple[int, int], np.ndarray] = {}
        keys = np.stack([self.row[order], self.col[order]], axis=1)
        if order.size:
            breaks = np.flatnonzero(np.any(np.diff(keys, axis=0) != 0, axis=1)) + 1
            for chunk in np.split(order, breaks):
                self.cells[(int(self.row[chunk[0]]), int(self.col[chunk[0]]))] = np.sort(chunk)

    def near(self, where: Location, radius_m: float) -> np.ndarray:
        """Everyone in the cells a circle of ``radius_m`` around ``where`` touches (a superset)."""
        row = math.floor(where.lat / self.cell_lat)
        col = math.floor(where.lng / self.cell_lng)
        reach = math.ceil(radius_m / self.cell_m)
        found = [
            self.cells[(r, c)]
            for r in range(row - reach, row + reach + 1)
            for c in range(col - reach, col + reach + 1)
            if (r, c) in self.cells
        ]
        return np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)


class BonusTables:
    """Per-person lookups of the soft bonuses, so a demand's pairs get them in one step."""

    def __init__(self, problem: Problem):
        self.problem = problem
        n = len(problem.people)
        self.by_category: dict[str, np.ndarray] = {}
        self.by_household: dict[str, np.ndarray] = {}
        for i, person in enumerate(problem.people):
            for c in person.preferred_categories:
                self.by_category.setdefault(c, np.zeros(n, dtype=bool))[i] = True
            for h in person.served_households:
                self.by_household.setdefault(h, np.zeros(n, dtype=bool))[i] = True

    def for_demand(
        self, demand: Demand, chosen: np.ndarray, was_previous: np.ndarray
    ) -> np.ndarray:
        weights = self.problem.settings.weights
        out = np.where(was_previous, rules.stability_bonus(True, weights), 0).astype(np.int64)
        if demand.category in self.by_category:
            out += np.where(self.by_category[demand.category][chosen], weights.preference, 0)
        if demand.household in self.by_household:
            out += np.where(self.by_household[demand.household][chosen], weights.continuity, 0)
        if demand.regulars:
            ids = [self.problem.people[int(i)].id for i in chosen]
            out += np.where(np.isin(ids, list(demand.regulars)), weights.regular_crew, 0)
        return out


def pin_warning(person: str, demand: str) -> Reason:
    return Reason(
        zh=f"{person} 被指定到「{demand}」，但不完全符合条件（专长、距离或时间）",
        en=f"{person} is pinned to '{demand}' although not fully eligible (skill, distance or time)",
    )


def by_demand(
    pairs: frozenset[tuple[str, str]], person_index: dict[str, int], demand_index: dict[str, int]
) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for person_id, demand_id in pairs:
        if person_id in person_index and demand_id in demand_index:
            out.setdefault(demand_index[demand_id], set()).add(person_index[person_id])
    return out


def check_locks(
    problem: Problem, person_index: dict[str, int], demand_index: dict[str, int]
) -> None:
    """Locks that cannot all hold are the coordinator's to fix: say which, in both languages."""
    locks, conflicts = problem.locks, []
    for person_id, demand_id in sorted(locks.pinned | locks.forbidden):
        if person_id not in person_index or demand_id not in demand_index:
            conflicts.append(
                Reason(
                    zh=f"锁定引用了不存在的人员或任务：{person_id} → {demand_id}",
                    en=f"a lock names an unknown person or demand: {person_id} -> {demand_id}",
                )
            )
    for person_id, demand_id in sorted(locks.pinned & locks.forbidden):
        conflicts.append(
            Reason(
                zh=f"{person_id} 对「{demand_id}」既被指定又被禁止",
                en=f"{person_id} is both pinned to and forbidden from {demand_id}",
            )
        )
    pins_per_demand: dict[str, int] = {}
    pins_per_person: dict[str, list[Demand]] = {}
    for person_id, demand_id in sorted(locks.pinned):
        if demand_id in demand_index and person_id in person_index:
            pins_per_demand[demand_id] = pins_per_demand.get(demand_id, 0) + 1
            pins_per_person.setdefault(person_id, []).append(
                problem.demands[demand_index[demand_id]]
            )
    for demand_id, count in sorted(pins_per_demand.items()):
        demand = problem.demands[demand_index[demand_id]]
        if count > demand.headcount:
            conflicts.append(
                Reason(
                    zh=f"「{demand.title}」最多 {demand.headcount} 人，却指定了 {count} 人",
                    en=f"'{demand.title}' takes at most {demand.headcount} people but {count} are pinned",
                )
            )
    for person_id, demands in sorted(pins_per_person.items()):
        fixed = sorted(
            (d for d in demands if d.kind != DemandKind.WISH and not d.flexible),
            key=lambda d: d.window.start,
        )
        for a, b in itertools.pairwise(fixed):
            if b.window.start < a.window.end:
                conflicts.append(
                    Reason(
                        zh=f"{person_id} 被指定到时间重叠的「{a.title}」和「{b.title}」",
                        en=f"{person_id} is pinned to overlapping '{a.title}' and '{b.title}'",
                    )
                )
        person = problem.people[person_index[person_id]]
        pinned_minutes = sum(d.duration for d in demands)
        if pinned_minutes > round(person.weekly_hours_cap * 60):
            conflicts.append(
                Reason(
                    zh=f"{person.name} 被指定的任务共 {pinned_minutes / 60:g} 小时，超过每周上限 {person.weekly_hours_cap:g} 小时",
                    en=f"{person.name} is pinned to {pinned_minutes / 60:g} hours, above the weekly cap of {person.weekly_hours_cap:g}",
                )
            )
        if len(demands) > person.weekly_task_cap:
            conflicts.append(
                Reason(
                    zh=f"{person.name} 被指定了 {len(demands)} 项任务，超过每周上限 {person.weekly_task_cap} 项",
                    en=f"{person.name} is pinned to {len(demands)} tasks, above the weekly cap of {person.weekly_task_cap}",
                )
            )
    if conflicts:
        raise LockConflict(conflicts)
