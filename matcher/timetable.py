"""A week being built: who is booked when, and what the bookings are worth.

Shared by the greedy baseline, the repair of the flow's relaxed answer, the final scoring and
the ranking of candidates for one seat, so every solver is held to the same hard rules and
scored by the same objective. Tasks a person already has outside the candidate pairs (a
published plan's, when ranking stand-ins) are *held*: they take time and count against caps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher import rules
from matcher.candidates import Candidates
from matcher.domain import DemandKind


@dataclass(frozen=True, slots=True)
class Booking:
    pair: int  # index into the candidate pairs
    start: int


@dataclass(frozen=True, slots=True)
class Held:
    """A task a person already has that is not one of the candidate pairs (a published plan's
    task, say): it takes their time and counts against their caps, and earns nothing here."""

    start: int
    end: int
    #: index into the problem's demands; None for a task the problem does not hold, to and
    #: from which no walk is counted
    demand: int | None = None


class Timetable:
    def __init__(self, c: Candidates):
        self.c = c
        self.by_person: dict[int, list[Booking]] = {}
        self.held: dict[int, list[Held]] = {}
        self.minutes: dict[int, int] = {}
        self.role_count: dict[tuple[int, int], int] = {}
        self.taken: set[tuple[int, int]] = set()  # (person, demand)

    # rules ---------------------------------------------------------------------------------

    def fits(self, pair: int, start: int) -> bool:
        """Would this booking keep every hard rule: staff, caps and no overlap with the walk?"""
        c = self.c
        p, d, r = int(c.person[pair]), int(c.demand[pair]), int(c.role[pair])
        demand, person = c.problem.demands[d], c.problem.people[p]
        if (p, d) in self.taken:
            return False
        if self.role_count.get((d, r), 0) >= demand.roles[r].max_count:
            return False
        bookings = self.by_person.get(p, [])
        held = self.held.get(p, [])
        if rules.over_weekly_tasks(len(bookings) + len(held) + 1, person):
            return False
        if rules.over_weekly_hours(self.minutes.get(p, 0) + demand.duration, person):
            return False
        end = start + demand.duration
        for b in bookings:
            other = int(c.demand[b.pair])
            other_end = b.start + c.problem.demands[other].duration
            if rules.tasks_overlap(start, end, b.start, other_end, c.walk(d, other)):
                return False
        for h in held:
            walk = c.walk(d, h.demand) if h.demand is not None else 0
            if rules.tasks_overlap(start, end, h.start, h.end, walk):
                return False
        return True

    def first_fitting_start(self, pair: int) -> int | None:
        for start in self.c.starts(int(self.c.person[pair]), int(self.c.demand[pair])):
            if self.fits(pair, start):
                return start
        return None

    def tasks(self, person: int) -> int:
        """The person's tasks this week: booked here and held from before."""
        return len(self.by_person.get(person, [])) + len(self.held.get(person, []))

    # changes -------------------------------------------------------------------------------

    def hold(self, person: int, task: Held) -> None:
        """Count a task the person already has against their time and caps."""
        self.held.setdefault(person, []).append(task)
        self.minutes[person] = self.minutes.get(person, 0) + task.end - task.start
        if task.demand is not None:
            self.taken.add((person, task.demand))

    def book(self, pair: int, start: int) -> None:
        c = self.c
        p, d, r = int(c.person[pair]), int(c.demand[pair]), int(c.role[pair])
        self.by_person.setdefault(p, []).append(Booking(pair, start))
        self.minutes[p] = self.minutes.get(p, 0) + c.problem.demands[d].duration
        self.role_count[(d, r)] = self.role_count.get((d, r), 0) + 1
        self.taken.add((p, d))

    def try_book(self, pair: int) -> bool:
        start = self.first_fitting_start(pair)
        if start is None:
            return False
        self.book(pair, start)
        return True

    def unbook_demand(self, d: int) -> None:
        c = self.c
        for p in list(self.by_person):
            kept = [b for b in self.by_person[p] if int(c.demand[b.pair]) != d]
            removed = len(self.by_person[p]) - len(kept)
            if removed:
                self.by_person[p] = kept
                self.minutes[p] -= removed * c.problem.demands[d].duration
                self.taken.discard((p, d))
        for key in [k for k in self.role_count if k[0] == d]:
            del self.role_count[key]

    def drop_incomplete_group_wishes(self) -> None:
        """A group claim needs all its heads or none: half a team does not carry a wardrobe."""
        demands = self.c.problem.demands
        for d in sorted({k[0] for k in self.role_count}):
            demand = demands[d]
            if demand.all_or_nothing and any(
                self.role_count.get((d, r), 0) < role.max_count
                for r, role in enumerate(demand.roles)
            ):
                self.unbook_demand(d)

    def bookings(self) -> list[Booking]:
        return sorted((b for bs in self.by_person.values() for b in bs), key=lambda b: b.pair)


def marginal_load(c: Candidates, person: int, tasks_before: int) -> int:
    costs = rules.load_costs(c.problem.people[person], c.problem.settings, tasks_before + 1)
    return costs[tasks_before]


def evaluate(c: Candidates, bookings: list[Booking]) -> dict[str, int]:
    """The objective of a schedule, broken down per soft goal (points; they sum to the total)."""
    problem, weights = c.problem, c.problem.settings.weights
    breakdown = dict.fromkeys(
        ("coverage", "walk", "fairness", "quarter", "preference", "continuity", "stability"), 0
    )
    role_count: dict[tuple[int, int], int] = {}
    tasks: dict[int, int] = {}
    for b in bookings:
        p, d, r = int(c.person[b.pair]), int(c.demand[b.pair]), int(c.role[b.pair])
        person, demand = problem.people[p], problem.demands[d]
        role_count[(d, r)] = role_count.get((d, r), 0) + 1
        tasks[p] = tasks.get(p, 0) + 1
        breakdown["walk"] -= int(rules.walk_cost(np.array([c.distance_m[b.pair]]), weights)[0])
        breakdown["preference"] += rules.preference_bonus(person, demand, weights)
        breakdown["continuity"] += rules.continuity_bonus(person, demand, weights)
        breakdown["stability"] += rules.stability_bonus(bool(c.previous[b.pair]), weights)
    for (d, r), n in role_count.items():
        demand = problem.demands[d]
        role = demand.roles[r]
        essential, extra = rules.head_values(demand, role, weights)
        breakdown["coverage"] += essential * min(n, role.min_count) + extra * max(
            0, n - role.min_count
        )
    for p, n in tasks.items():
        person = problem.people[p]
        breakdown["fairness"] -= sum(weights.load_step * k for k in range(n))
        breakdown["quarter"] += rules.quarter_behind_bonus(person, problem.settings)
    return breakdown


def weighted_coverage(c: Candidates, bookings: list[Booking]) -> float:
    """Filled heads weighted by priority (extra staff at its fraction): the bench's yardstick."""
    return evaluate(c, bookings)["coverage"] / c.problem.settings.weights.coverage


def is_wish(c: Candidates, pair: int) -> bool:
    return c.problem.demands[int(c.demand[pair])].kind == DemandKind.WISH
