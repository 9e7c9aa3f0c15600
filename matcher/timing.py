"""When each task starts: start times for a week whose tasks are chosen.

Nothing in the objective depends on a start time, only on who does what; time decides only
whether one person's tasks fit together (free time, visiting hours, no overlap, the walk from
one place to the next). So the CP-SAT model chooses each wish's *segment* (a day's free
stretch of the person, ``rules.Segment``) and this module finds the minutes, exactly:

- For one person, the wishes are tried in every order; in a given order each starts at the
  earliest minute on the 5-minute grid that fits. Starting earlier never hurts the tasks after
  it, so if the tasks fit in some order at all, this finds it (``time_person``).
- People who share a group wish that comes at once are timed together, by a small exact
  CP-SAT model over every start on the grid (``time_together``).
- When tasks do not fit, the smallest set of them that does not fit is what the model is told
  (``smallest_unfit``): "not all of these together", true of every valid week.

``sufficient_starts`` lists, for an exhaustive search, every start a week may need; the
argument is in docs/matcher.md ("Start times").
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from matcher import rules
from matcher.domain import Location

if TYPE_CHECKING:
    from matcher.candidates import Candidates

#: a person's tasks in one cluster are tried in every order up to this many
ORDERS_UP_TO = 6
#: time limit of the exact model that times people sharing group wishes
EXACT_TIMING_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Task:
    """A chosen pair and where it may lie (a fixed-time demand's segment is its own time)."""

    pair: int
    segment: rules.Segment


@dataclass(frozen=True, slots=True)
class Busy:
    """Time a person already spends: ``demand`` is where, or ``place`` for a task outside the
    problem (in their other community); with neither, no walk is counted."""

    start: int
    end: int
    demand: int | None
    place: Location | None = None


def earliest_start(
    c: Candidates, d: int, segment: rules.Segment, busy: Iterable[Busy], not_before: int = 0
) -> int | None:
    """The earliest start of demand ``d`` inside ``segment``, from ``not_before`` on, that
    clashes with nothing the person is busy with (walks counted), or None.

    It is the segment's start or the end of some busy time plus the walk from there: a later
    start only fits where an earlier one clashed with something that has ended by then.
    """
    demand = c.problem.demands[d]
    if not demand.flexible:
        start = demand.window.start
        clear = all(not clashes(c, d, start, b) for b in busy)
        return start if start >= not_before and clear else None
    busy = list(busy)
    latest = segment.latest_start(demand.duration)
    first = rules.on_grid(max(segment.start, not_before))
    options = sorted(
        {first} | {t for b in busy if first < (t := rules.on_grid(b.end + walk(c, d, b))) <= latest}
    )
    for start in options:
        if start > latest:
            break
        if not any(clashes(c, d, start, b) for b in busy):
            return start
    return None


def walk(c: Candidates, d: int, busy: Busy) -> int:
    """Minutes on foot between demand ``d`` and where the person is busy."""
    if busy.demand is not None:
        return c.walk(d, busy.demand)
    if busy.place is not None:
        return rules.walk_between(busy.place, c.problem.demands[d].location)
    return 0


def clashes(c: Candidates, d: int, start: int, busy: Busy) -> bool:
    end = start + c.problem.demands[d].duration
    return rules.tasks_overlap(start, end, busy.start, busy.end, walk(c, d, busy))


def is_fixed(c: Candidates, task: Task) -> bool:
    return not c.problem.demands[int(c.demand[task.pair])].flexible


def cannot_meet(c: Candidates, tasks: Sequence[Task]) -> np.ndarray:
    """For one person's tasks, True where two of them cannot both fit, walk included (False
    for a task with itself or another segment of its own demand). ``time_person`` for every
    two at once.

    Two tasks fit in the order a, b when b can start once a, started as early as it may, is
    done and the walk is made: a wish at the first start on the grid from then that its
    segment holds, a fixed-time task only if it starts then or later.
    """
    demands = c.problem.demands
    demand = np.array([int(c.demand[t.pair]) for t in tasks], dtype=np.int64)
    first = np.array([t.segment.start for t in tasks], dtype=np.int64)
    duration = np.array([demands[d].duration for d in demand], dtype=np.int64)
    movable = np.array([demands[d].flexible for d in demand], dtype=bool)
    step = rules.SLOT_MINUTES
    span = -(-duration // step) * step  # the whole slots a task takes (rules.slot_span)
    ends = np.array([t.segment.end for t in tasks], dtype=np.int64)
    latest = np.where(movable, ends - span, first)
    ready = first[:, None] + duration[:, None] + c.walk_matrix(demand)
    then = np.where(
        movable[None, :],
        np.maximum(first[None, :], -(-ready // step) * step) <= latest[None, :],
        ready <= first[None, :],
    )
    return ~(then | then.T) & (demand[:, None] != demand[None, :])


def time_person(c: Candidates, tasks: Sequence[Task]) -> dict[int, int] | None:
    """Start minutes for one person's tasks (pair → start), or None when they cannot all fit."""
    demands = c.problem.demands
    fixed = [t for t in tasks if is_fixed(c, t)]
    busy = [Busy(t.segment.start, t.segment.end, int(c.demand[t.pair])) for t in fixed]
    for i, a in enumerate(busy):
        if any(clashes(c, a.demand, a.start, b) for b in busy[i + 1 :] if a.demand is not None):
            return None
    starts = {t.pair: t.segment.start for t in fixed}
    for cluster in clusters(c, [t for t in tasks if not is_fixed(c, t)]):
        timed = time_cluster(c, cluster, busy)
        if timed is None:
            return None
        starts.update(timed)
        busy += [
            Busy(s, s + demands[int(c.demand[p])].duration, int(c.demand[p]))
            for p, s in timed.items()
        ]
    return starts


def clusters(c: Candidates, flexible: list[Task]) -> list[list[Task]]:
    """Wishes whose segments lie within a walk of each other; other clusters cannot touch."""
    ordered = sorted(flexible, key=lambda t: (t.segment.start, t.pair))
    out: list[list[Task]] = []
    reach = 0
    for t in ordered:
        if out and t.segment.start < reach:
            out[-1].append(t)
            reach = max(reach, t.segment.end + c.max_walk)
        else:
            out.append([t])
            reach = t.segment.end + c.max_walk
    return out


def time_cluster(c: Candidates, cluster: list[Task], busy: list[Busy]) -> dict[int, int] | None:
    """One cluster of a person's wishes around their fixed tasks: every order, earliest starts."""
    if len(cluster) > ORDERS_UP_TO:
        return time_by_search(c, cluster, busy)
    demands = c.problem.demands
    for order in itertools.permutations(cluster):
        placed = list(busy)
        starts: dict[int, int] = {}
        not_before = 0
        for task in order:
            d = int(c.demand[task.pair])
            start = earliest_start(c, d, task.segment, placed, not_before)
            if start is None:
                break
            starts[task.pair] = start
            end = start + demands[d].duration
            placed.append(Busy(start, end, d))
            not_before = start
        else:
            return starts
    return None


def time_by_search(c: Candidates, cluster: list[Task], busy: list[Busy]) -> dict[int, int] | None:
    """Many wishes in one cluster (a pin-heavy week): depth-first over orders, pruned where a
    prefix already fails. Exact, like trying every order."""
    demands = c.problem.demands

    def extend(left: list[Task], placed: list[Busy], not_before: int) -> dict[int, int] | None:
        if not left:
            return {}
        for i, task in enumerate(left):
            d = int(c.demand[task.pair])
            start = earliest_start(c, d, task.segment, placed, not_before)
            if start is None:
                continue
            rest = extend(
                left[:i] + left[i + 1 :],
                [*placed, Busy(start, start + demands[d].duration, d)],
                start,
            )
            if rest is not None:
                return {task.pair: start, **rest}
        return None

    return extend(list(cluster), list(busy), 0)


class Undecided(Exception):
    """The exact timing of a group ran out of time: neither fitting nor proven not to."""


def time_tasks(c: Candidates, tasks: Sequence[Task]) -> dict[int, int] | None:
    """Start minutes for tasks of one or more people (pair → start), or None when they cannot
    all fit. People on one group wish that comes at once are timed together."""
    starts: dict[int, int] = {}
    for group in linked(c, tasks):
        people = {int(c.person[t.pair]) for t in group}
        timed = time_person(c, group) if len(people) == 1 else time_together(c, group)
        if timed is None:
            return None
        starts.update(timed)
    return starts


def linked(c: Candidates, tasks: Sequence[Task]) -> list[list[Task]]:
    """The tasks by person, people joined where they share a group wish that comes at once."""
    demands = c.problem.demands
    parent: dict[int, int] = {}

    def root(p: int) -> int:
        while parent.setdefault(p, p) != p:
            p = parent[p]
        return p

    first_on: dict[int, int] = {}
    for t in tasks:
        p, d = int(c.person[t.pair]), int(c.demand[t.pair])
        root(p)
        if demands[d].together:
            if d in first_on:
                parent[root(p)] = root(first_on[d])
            else:
                first_on[d] = p
    groups: dict[int, list[Task]] = defaultdict(list)
    for t in tasks:
        groups[root(int(c.person[t.pair]))].append(t)
    return [groups[k] for k in sorted(groups)]


def time_together(c: Candidates, tasks: Sequence[Task]) -> dict[int, int] | None:
    """Start minutes for people who share group wishes, each wish at one start for all its
    helpers: a small exact CP-SAT model over every start on the grid. Raises ``Undecided`` if
    it cannot tell in time (these models are tiny; it does not happen on the bundled weeks)."""
    demands = c.problem.demands
    model = cp_model.CpModel()
    start_of: dict[int, cp_model.IntVar] = {}
    meeting: dict[int, cp_model.IntVar] = {}
    for t in tasks:
        d = int(c.demand[t.pair])
        demand = demands[d]
        if demand.flexible:
            latest = t.segment.latest_start(demand.duration)
            values = list(range(t.segment.start, latest + 1, rules.SLOT_MINUTES))
        else:
            values = [demand.window.start]
        var = model.new_int_var_from_domain(cp_model.Domain.from_values(values), "")
        start_of[t.pair] = var
        if demand.together:
            if d in meeting:
                model.add(var == meeting[d])
            else:
                meeting[d] = var
    by_person: dict[int, list[Task]] = defaultdict(list)
    for t in tasks:
        by_person[int(c.person[t.pair])].append(t)
    for mine in by_person.values():
        for a, b in itertools.combinations(mine, 2):
            da, db = int(c.demand[a.pair]), int(c.demand[b.pair])
            walk = c.walk(da, db)
            if b.segment.start >= a.segment.end + walk or a.segment.start >= b.segment.end + walk:
                continue  # they cannot touch
            a_first = model.new_bool_var("")
            sa, sb = start_of[a.pair], start_of[b.pair]
            model.add(sb >= sa + demands[da].duration + walk).only_enforce_if(a_first)
            model.add(sa >= sb + demands[db].duration + walk).only_enforce_if(a_first.Not())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = c.problem.settings.seed
    solver.parameters.max_time_in_seconds = EXACT_TIMING_SECONDS
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return None
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise Undecided
    return {pair: solver.value(var) for pair, var in start_of.items()}


def smallest_unfit(c: Candidates, tasks: Sequence[Task]) -> list[Task]:
    """A smallest set of these tasks that still does not fit: drop each task in turn and keep it
    out when the rest is proven not to fit. Wishes go first, fixed tasks last."""
    kept = sorted(tasks, key=lambda t: (is_fixed(c, t), t.pair))
    i = 0
    while i < len(kept):
        rest = kept[:i] + kept[i + 1 :]
        try:
            still_unfit = len(rest) >= 2 and time_tasks(c, rest) is None
        except Undecided:
            still_unfit = False
        if still_unfit:
            kept = rest
        else:
            i += 1
    return kept


def time_week(c: Candidates, tasks: Sequence[Task]) -> tuple[dict[int, int], list[list[Task]]]:
    """Start minutes for the tasks (pair → start), and for each person (or people on a group
    wish together) whose tasks do not all fit, a smallest set that does not. They keep what
    fits on its own: each person's fixed-time tasks first, then wishes in the order given,
    group wishes that come at once left out."""
    starts: dict[int, int] = {}
    unfit: list[list[Task]] = []
    for group in linked(c, tasks):
        try:
            timed = time_tasks(c, group)
            proven = True
        except Undecided:
            timed, proven = None, False
        if timed is None:
            if proven:
                unfit.append(smallest_unfit(c, group))
            timed = what_fits(c, group)
        starts.update(timed)
    return starts, unfit


def what_fits(c: Candidates, tasks: Sequence[Task]) -> dict[int, int]:
    """Each person's tasks that fit on their own, taken in turn; group wishes left out."""
    demands = c.problem.demands
    by_person: dict[int, list[Task]] = defaultdict(list)
    for t in tasks:
        if not demands[int(c.demand[t.pair])].together:
            by_person[int(c.person[t.pair])].append(t)
    starts: dict[int, int] = {}
    for mine in by_person.values():
        kept: list[Task] = []
        for t in sorted(mine, key=lambda t: not is_fixed(c, t)):
            if (fits := time_person(c, [*kept, t])) is not None:
                kept.append(t)
                starts.update(fits)
    return starts


def meeting_spans(c: Candidates, d: int, pairs: list[int]) -> list[tuple[int, int]]:
    """The spans of starts (first, last) a group wish's helpers could meet in.

    They cut the week at the first and just past the last start of every helper's segment, so
    a segment holds all of a span or none of it; spans that too few helpers hold are left out.
    """
    demand = c.problem.demands[d]
    step = rules.SLOT_MINUTES
    ranges = [
        (int(c.person[pair]), segment.start, segment.latest_start(demand.duration))
        for pair in pairs
        for segment in c.segments(int(c.person[pair]), d)
    ]
    cuts = sorted({first for _, first, _ in ranges} | {last + step for _, _, last in ranges})
    need = demand.headcount if demand.all_or_nothing else 1
    spans = []
    for low, high in itertools.pairwise(cuts):
        people = {p for p, first, last in ranges if first <= low and high - step <= last}
        if len(people) >= need:
            spans.append((low, high - step))
    return spans


def could_meet(c: Candidates) -> np.ndarray:
    """For each pair, whether it may be in a valid week as far as meeting goes: False for a
    helper of a group wish that needs all its heads at one start when none of the spans of
    starts the helper could come in holds enough helpers (``meeting_spans``), and for every
    helper of such a wish that no span holds. A staffed wish of this kind has all its helpers
    at one start, which lies in one span, so the span holds all of them: no valid week has a
    pair this drops. Pins are kept (the coordinator decided)."""
    demands = c.problem.demands
    keep = np.ones(len(c), dtype=bool)
    wishes = np.flatnonzero([d.together and d.all_or_nothing for d in demands])
    for d in wishes.tolist():
        pairs = np.flatnonzero(c.demand == d).tolist()
        if not pairs:
            continue
        spans = meeting_spans(c, d, pairs)
        duration = demands[d].duration
        for pair in pairs:
            keep[pair] = bool(c.pinned[pair]) or any(
                segment.within(low, high, duration) is not None
                for segment in c.segments(int(c.person[pair]), d)
                for low, high in spans
            )
    return keep


def sufficient_starts(c: Candidates) -> dict[tuple[int, int], list[int]]:
    """For each (person, wish) pair, every start a valid week may need.

    Take any valid week and move each wish, in order of start, as early as it goes: to the start
    of its segment, or to the end of the task before it plus the walk, on the grid — for a group
    wish that comes at once, the latest such start over its helpers. Nothing else moves, so the
    week stays valid and scores the same. Each start is then a segment's start, or follows a
    chain of tasks from a segment's start or a fixed task's end, each link one person's task
    before the next — one person's links no more than their weekly task and hours caps allow —
    and a group wish's start is its helpers' to share. This lists exactly those starts (and a
    few more); a search over them finds the best week.
    """
    demands = c.problem.demands
    people = c.problem.people
    mine: dict[int, list[int]] = defaultdict(list)
    helpers: dict[int, list[int]] = defaultdict(list)
    for p, d in sorted(set(zip(c.person.tolist(), c.demand.tolist(), strict=True))):
        mine[p].append(d)
        helpers[d].append(p)
    # (person, wish) → start → the shortest chain of the person's own tasks ending there, as
    # (tasks, minutes) with this one included
    chains: dict[tuple[int, int], dict[int, tuple[int, int]]] = defaultdict(dict)
    todo: list[tuple[int, int, int]] = []

    def offer(p: int, d: int, start: int, tasks: int, minutes: int) -> None:
        duration = demands[d].duration
        tasks, minutes = tasks + 1, minutes + duration
        person = people[p]
        if rules.over_weekly_tasks(tasks, person) or rules.over_weekly_hours(minutes, person):
            return
        if not any(s.holds(start, duration) for s in c.segments(p, d)):
            return
        old = chains[(p, d)].get(start)
        if old is None or tasks < old[0] or minutes < old[1]:
            better = (min(tasks, old[0]), min(minutes, old[1])) if old else (tasks, minutes)
            chains[(p, d)][start] = better
            todo.append((p, d, start))

    for p, ds in mine.items():
        for d in ds:
            if not demands[d].flexible:
                continue
            for segment in c.segments(p, d):
                offer(p, d, segment.start, 0, 0)
            for x in ds:
                if not demands[x].flexible:
                    end = demands[x].window.end
                    offer(p, d, rules.on_grid(end + c.walk(x, d)), 1, demands[x].duration)
    while todo:
        p, before, start = todo.pop()
        tasks, minutes = chains[(p, before)][start]
        if demands[before].together:
            for q in helpers[before]:
                if q != p:
                    offer(q, before, start, 0, 0)
        end = start + demands[before].duration
        for d in mine[p]:
            if d != before and demands[d].flexible:
                offer(p, d, rules.on_grid(end + c.walk(before, d)), tasks, minutes)
    return {key: sorted(starts) for key, starts in chains.items()}
