"""A week being built: who is booked when, and what the bookings are worth.

Shared by the greedy baseline, the repair of the flow's relaxed answer, the final scoring and
the ranking of candidates for one seat, so every solver is held to the same hard rules and
scored by the same objective. Tasks a person already has outside the candidate pairs (a
published plan's, when ranking stand-ins) are *held*: they take time and count against caps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matcher import rules, timing
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
        #: a group wish's start, once one of its helpers is on it (see ``meeting_of``)
        self._booked_meeting: dict[int, int] = {}
        self._held_meeting: dict[int, int] = {}

    # rules ---------------------------------------------------------------------------------

    def fits(self, pair: int, start: int) -> bool:
        """Would this booking keep every hard rule: free then, staff, caps and no overlap with
        the walk?"""
        c = self.c
        p, d, r = int(c.person[pair]), int(c.demand[pair]), int(c.role[pair])
        demand, person = c.problem.demands[d], c.problem.people[p]
        if (p, d) in self.taken:
            return False
        if self.role_count.get((d, r), 0) >= demand.roles[r].max_count:
            return False
        if rules.over_weekly_tasks(self.tasks(p) + 1, person):
            return False
        if rules.over_weekly_hours(self.minutes.get(p, 0) + demand.duration, person):
            return False
        if demand.flexible and not any(s.holds(start, demand.duration) for s in c.segments(p, d)):
            return False
        if demand.together and self.meeting_of(d) not in (None, start):
            return False
        return not any(timing.clashes(c, d, start, b) for b in self.busy(p))

    def busy(self, person: int) -> list[timing.Busy]:
        """The person's booked and held tasks and their tasks in their other community, as
        time spent."""
        c = self.c
        out = [
            timing.Busy(
                b.start,
                b.start + c.problem.demands[int(c.demand[b.pair])].duration,
                int(c.demand[b.pair]),
            )
            for b in self.by_person.get(person, [])
        ]
        out += [timing.Busy(h.start, h.end, h.demand) for h in self.held.get(person, [])]
        away = c.problem.people[person].tasks_elsewhere
        return out + [timing.Busy(t.start, t.end, None, t.location) for t in away]

    def clear_start(self, person: int, d: int) -> int | None:
        """The earliest start at which the person could do demand ``d`` around their week,
        caps and staff aside (for a group wish under way: its start, or None)."""
        c = self.c
        busy = self.busy(person)
        demand = c.problem.demands[d]
        meeting = self.meeting_of(d) if demand.together else None
        if meeting is not None:
            inside = any(s.holds(meeting, demand.duration) for s in c.segments(person, d))
            clear = not any(timing.clashes(c, d, meeting, b) for b in busy)
            return meeting if inside and clear else None
        for segment in c.segments(person, d):
            start = timing.earliest_start(c, d, segment, busy)
            if start is not None:
                return start
        return None

    def first_fitting_start(self, pair: int) -> int | None:
        """The earliest start at which this booking keeps every hard rule, or None."""
        p, d = int(self.c.person[pair]), int(self.c.demand[pair])
        start = self.clear_start(p, d)
        return start if start is not None and self.fits(pair, start) else None

    def could_come(self, person: int, d: int, start: int) -> bool:
        """Free then, clear of their other tasks and below both caps (staff aside)."""
        c = self.c
        demand, who = c.problem.demands[d], c.problem.people[person]
        if rules.over_weekly_tasks(self.tasks(person) + 1, who) or rules.over_weekly_hours(
            self.minutes.get(person, 0) + demand.duration, who
        ):
            return False
        if (person, d) in self.taken:
            return False
        inside = any(s.holds(start, demand.duration) for s in c.segments(person, d))
        return inside and not any(timing.clashes(c, d, start, b) for b in self.busy(person))

    def most_at_once(self, d: int, people: Sequence[int]) -> int:
        """The most of these people who could come to demand ``d`` at one start."""
        starts = set().union(*(self.starts_worth_trying(p, d) for p in people))
        return max((sum(self.could_come(p, d, t) for p in people) for t in starts), default=0)

    def starts_worth_trying(self, person: int, d: int) -> set[int]:
        """Where the person's free time for demand ``d`` could begin, around their week: each
        segment's start and the end of each task plus the walk (``timing.earliest_start``)."""
        c = self.c
        duration = c.problem.demands[d].duration
        busy = self.busy(person)
        out = set()
        for segment in c.segments(person, d):
            out.add(segment.start)
            for b in busy:
                start = rules.on_grid(b.end + timing.walk(c, d, b))
                if segment.holds(start, duration):
                    out.add(start)
        return out

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
            self.meet_at(task.demand, task.start)

    def meet_at(self, d: int, start: int) -> None:
        """A group wish's helpers already meet at ``start`` (someone outside the problem, say)."""
        if self.c.problem.demands[d].together:
            self._held_meeting.setdefault(d, start)

    def meeting_of(self, d: int) -> int | None:
        """When a group wish's helpers meet, once one of them is on it: the others come then
        too. Read from the bookings held now, so undoing a booking undoes its meeting."""
        if d in self._held_meeting:
            return self._held_meeting[d]
        roles = len(self.c.problem.demands[d].roles)
        if any(self.role_count.get((d, r), 0) for r in range(roles)):
            return self._booked_meeting.get(d)
        return None

    def book(self, pair: int, start: int) -> None:
        c = self.c
        p, d, r = int(c.person[pair]), int(c.demand[pair]), int(c.role[pair])
        self.by_person.setdefault(p, []).append(Booking(pair, start))
        self.minutes[p] = self.minutes.get(p, 0) + c.problem.demands[d].duration
        if c.problem.demands[d].together and self.meeting_of(d) is None:
            self._booked_meeting[d] = start
        self.role_count[(d, r)] = self.role_count.get((d, r), 0) + 1
        self.taken.add((p, d))

    def try_book(self, pair: int) -> bool:
        start = self.first_fitting_start(pair)
        if start is None:
            return False
        self.book(pair, start)
        return True

    def try_book_together(self, d: int, ranked: Sequence[int]) -> bool:
        """Book a group wish's open heads at one start, from ``ranked`` (pairs of demand ``d``,
        best first): all of them for an all-or-nothing wish, else as many as one start allows.

        The starts at which a candidate could come begin at one that ``starts_worth_trying``
        lists (past it, a start fits until something clashes), so trying those finds a start
        for the group whenever one exists.
        """
        demand = self.c.problem.demands[d]
        meeting = self.meeting_of(d)
        if meeting is not None:
            starts = [meeting]
        else:
            starts = sorted(
                set().union(*(self.starts_worth_trying(int(self.c.person[i]), d) for i in ranked))
            )
        wanted = demand.headcount - sum(
            self.role_count.get((d, r), 0) for r in range(len(demand.roles))
        )
        best: list[int] = []
        best_start = 0
        for start in starts:
            chosen = self.heads_at(d, ranked, start)
            if len(chosen) > len(best):
                best, best_start = chosen, start
            if len(best) == wanted:
                break
        if not best or (demand.all_or_nothing and len(best) < wanted):
            return False
        for pair in best:
            self.book(pair, best_start)
        return True

    def heads_at(self, d: int, ranked: Sequence[int], start: int) -> list[int]:
        """The best of ``ranked`` who could come at ``start``, one per open head."""
        c = self.c
        roles = c.problem.demands[d].roles
        open_heads = {
            r: role.max_count - self.role_count.get((d, r), 0) for r, role in enumerate(roles)
        }
        people: set[int] = set()
        chosen: list[int] = []
        for pair in ranked:
            p, r = int(c.person[pair]), int(c.role[pair])
            if open_heads[r] > 0 and p not in people and self.fits(pair, start):
                chosen.append(pair)
                people.add(p)
                open_heads[r] -= 1
        return chosen

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
        self._booked_meeting.pop(d, None)

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


def evaluate(
    c: Candidates, bookings: list[Booking], *, week_tasks: Mapping[int, int] | None = None
) -> dict[str, int]:
    """The objective of a schedule, broken down per soft goal (points; they sum to the total).

    ``week_tasks``: for a piece of a larger week (a part of a city), whose fairness and quarter
    terms this piece counts and over how many tasks of the whole week (person → tasks); the
    others' are counted where they belong. Without it, everyone booked here, over these
    bookings.
    """
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
    for p, n in (tasks if week_tasks is None else week_tasks).items():
        person = problem.people[p]
        breakdown["fairness"] -= sum(weights.load_step * k for k in range(n))
        breakdown["quarter"] += rules.quarter_behind_bonus(person, problem.settings)
    return breakdown


def weighted_coverage(c: Candidates, bookings: list[Booking]) -> float:
    """Filled heads weighted by priority (extra staff at its fraction): the bench's yardstick."""
    return evaluate(c, bookings)["coverage"] / c.problem.settings.weights.coverage


def is_wish(c: Candidates, pair: int) -> bool:
    return c.problem.demands[int(c.demand[pair])].kind == DemandKind.WISH
