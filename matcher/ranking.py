"""Who could take one seat (a role of a demand), best first, as the matcher scores a choice.

Used to find a stand-in after a decline and to offer a coordinator candidates for an open
seat. Only people every hard rule allows are ranked: the pairwise rules table
(``rules.PAIR_RULES``, through the candidate pairs), then the week as it stands (``Timetable``):
the weekly caps and no clash, walk included, with the tasks each person already has, and for a
group wish some helpers are already on, its start: the others come then too. The score
is what the choice adds to the objective: the pair's walk and bonuses, less the next task's
fairness cost (``timetable.marginal_load``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from matcher import explain
from matcher.candidates import build_candidates
from matcher.domain import Locks, Problem, Reason
from matcher.timetable import Held, Timetable, marginal_load

FREE_THEN = Reason(zh="此时有空", en="free at that time")


@dataclass(frozen=True, slots=True)
class Booked:
    """A task already on a person's week, in week minutes."""

    start: int
    end: int
    #: the demand's id; None (or an id the problem does not hold) for a task outside the
    #: problem, to and from which no walk is counted
    demand_id: str | None = None
    #: the role taken, when ``demand_id`` is the seat's demand
    role: int | None = None


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    person_id: str
    #: points the choice adds to the week: walk and bonuses, less the next task's fairness cost
    score: int
    #: metres from home, to a tenth of a metre (the ranking breaks ties on this figure)
    distance_m: float
    #: week minutes of the first start that fits the person's week, and its end
    start: int
    end: int
    reasons: tuple[Reason, ...]
    #: the person's other tasks this week and their minutes (the seat's own task left out)
    tasks_this_week: int
    minutes_this_week: int
    #: already on this seat (only when the ranking was asked to keep them)
    assigned: bool = False


def rank_candidates(
    *,
    problem: Problem,
    demand_id: str,
    role: int,
    booked: Mapping[str, Sequence[Booked]],
    keep_assigned: bool = False,
) -> list[RankedCandidate]:
    """Who could serve role ``role`` of demand ``demand_id``, best first.

    ``booked`` is what each person (by id) already does this week. People already on the
    demand are left out, or with ``keep_assigned`` those on this role are ranked too, marked
    ``assigned`` and measured without that task. Of the problem's locks only the forbids count:
    who declined or was taken off stays off, and a pin would let someone the rules refuse
    through. Ties go to the nearer person, then to the one listed first in the problem.
    """
    problem = replace(problem, locks=Locks(forbidden=known_pairs(problem, problem.locks.forbidden)))
    c = build_candidates(problem)
    if demand_id not in c.demand_index:
        raise ValueError(f"the problem has no demand {demand_id!r}")
    d = c.demand_index[demand_id]
    demand = problem.demands[d]
    if not 0 <= role < len(demand.roles):
        raise ValueError(f"demand {demand_id!r} has no role {role}")

    table = Timetable(c)
    on_demand: set[str] = set()
    on_role: set[str] = set()
    for person_id, their_tasks in booked.items():
        p = c.person_index.get(person_id)
        for task in their_tasks:
            if task.demand_id == demand_id:
                on_demand.add(person_id)
                if task.role == role:
                    on_role.add(person_id)
                # a group wish under way: whoever joins comes when the others do
                table.meet_at(d, task.start)
                if keep_assigned:
                    continue  # measured without the task they would be ranked for
            if p is not None:
                other = c.demand_index.get(task.demand_id) if task.demand_id is not None else None
                table.hold(p, Held(task.start, task.end, other))

    ranked: list[RankedCandidate] = []
    for pair in map(int, np.flatnonzero((c.demand == d) & (c.role == role))):
        p = int(c.person[pair])
        person = problem.people[p]
        assigned = person.id in on_role
        if person.id in on_demand and not (keep_assigned and assigned):
            continue
        start = table.first_fitting_start(pair)
        if start is None:
            continue
        tasks = table.tasks(p)
        ranked.append(
            RankedCandidate(
                person_id=person.id,
                score=-int(c.cost[pair]) - marginal_load(c, p, tasks),
                distance_m=round(float(c.distance_m[pair]), 1),
                start=start,
                end=start + demand.duration,
                reasons=(*explain.why_this_person(c, pair, tasks + 1), FREE_THEN),
                tasks_this_week=tasks,
                minutes_this_week=table.minutes.get(p, 0),
                assigned=assigned,
            )
        )
    position = {person.id: i for i, person in enumerate(problem.people)}
    ranked.sort(key=lambda cand: (-cand.score, cand.distance_m, position[cand.person_id]))
    return ranked


def known_pairs(problem: Problem, pairs: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """The (person, demand) pairs whose person and demand are both in the problem."""
    people = {p.id for p in problem.people}
    demands = {d.id for d in problem.demands}
    return frozenset((p, d) for p, d in pairs if p in people and d in demands)
