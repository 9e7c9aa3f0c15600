"""The CP-SAT model: every hard rule, including those a flow cannot hold.

Data first (the candidate pairs and where each could lie), then variables, then constraints,
then the objective. One boolean per (pair, segment): a fixed-time demand has one segment, its
own time; a wish one per day's free stretch of the person where it fits (``rules.Segment``).
The minutes inside a stretch are left to ``timing``, so the model is a relaxation of the week
that start times do not restrict: a person's tasks in one stretch must fit in its length with
a walk between each (``add_stretch_packing``), and two tasks that cannot both fit may not be
taken together (``add_pairs_that_cannot_meet``). What the model then picks almost always fits;
where it does not, ``add_cut`` says "not all of these together" and the model is solved again.
So CP-SAT's bound holds for every week the rules allow, whatever the start times.

One helper per rule: ``add_*`` adds a hard rule, ``*_terms`` returns a soft goal's objective
terms as (variables, coefficients). The objective is the same sum of points as
timetable.evaluate, term by term, so the solver's answer and the report agree.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matcher import rules, timing
from matcher.candidates import Candidates
from matcher.domain import Person, Role
from matcher.timetable import Booking


@dataclass(slots=True)
class Option:
    """The pair taken in this segment (a fixed-time demand's segment is its own time)."""

    pair: int
    segment: rules.Segment
    var: cp_model.IntVar

    @property
    def start(self) -> int:
        return self.segment.start

    @property
    def end(self) -> int:
        return self.segment.end

    @property
    def task(self) -> timing.Task:
        return timing.Task(self.pair, self.segment)


@dataclass(slots=True)
class ScheduleModel:
    model: cp_model.CpModel
    options: list[Option]
    objective_terms: dict[str, cp_model.LinearExpr]
    # helper variables, kept so that a hint can give them values too
    load_steps: list[tuple[list[cp_model.IntVar], list[Option]]]
    essential_heads: list[tuple[cp_model.IntVar, int, list[Option]]]
    groups: list[tuple[cp_model.IntVar, list[Option]]]
    meetings: list[Meeting]
    by_task: dict[timing.Task, Option]
    cuts: int = 0


@dataclass(slots=True)
class Meeting:
    """When a group wish's helpers meet: one boolean per span of starts (first and last start
    on the grid) inside which every helper's segment either holds every start or none."""

    demand: int
    spans: list[tuple[int, int]]
    chosen: list[cp_model.IntVar]


Terms = tuple[list[cp_model.IntVar], list[int]]
GOALS = ("coverage", "walk", "fairness", "quarter", "preference", "continuity", "stability")


def build_model(
    c: Candidates, pairs: np.ndarray, linear: bool = False, long_tasks: bool = False
) -> ScheduleModel:
    """The model over the given candidate pairs (all of them, or a pruned subset).

    ``linear=True``: the model a linear relaxation is made of (``matcher.relaxation``). It
    leaves out the exclusions of a wish and another task that cannot both fit
    (``add_pairs_that_cannot_meet``: millions of rows on a street, and they add little), so it
    is still a relaxation of every valid week, and it has the long-task rows.

    ``long_tasks``: beside each packing row, how few of the long tasks fit
    (``add_few_long_tasks``), which a linear relaxation cannot see. CP-SAT on a large week's
    neighbourhood gains a little by them too (the street week of bench/flexible.py at 20 s,
    seeds 0 and 1: 3,607,767 and 3,607,286 with them, 3,607,648 and 3,601,609 without); on a
    small week's whole model they cost (community 2 there at 20 s: proven in two runs of three
    without them, in none with them)."""
    # data
    people, demands = c.problem.people, c.problem.demands
    model = cp_model.CpModel()
    terms: dict[str, Terms] = {goal: ([], []) for goal in GOALS}

    def add_terms(goal: str, new: Terms) -> None:
        terms[goal][0].extend(new[0])
        terms[goal][1].extend(new[1])

    # variables: one boolean per (pair, segment)
    options = add_options(model, c, pairs)
    by_role, by_person_demand, by_person = group_options(c, options)

    # constraints; the soft goals that need helper variables (coverage per role, fairness and
    # the quarter per person) are added beside the rules that share them
    add_one_take_each(model, by_person_demand)
    add_pins(model, c, by_person_demand)
    essential_heads: list[tuple[cp_model.IntVar, int, list[Option]]] = []
    for (d, r), opts in sorted(by_role.items()):
        add_max_staff(model, demands[d].roles[r], opts)
        add_terms("coverage", coverage_terms(model, c, d, r, opts, essential_heads))
    groups = add_group_wishes(model, c, by_role)
    meetings = [
        add_one_start_for_the_group(model, c, d, heads, staffed)
        for d, heads, staffed in group_heads(c, by_role, groups)
    ]
    load_steps: list[tuple[list[cp_model.IntVar], list[Option]]] = []
    for p, opts in sorted(by_person.items()):
        fixed = [o for o in opts if not demands[int(c.demand[o.pair])].flexible]
        flexible = [o for o in opts if demands[int(c.demand[o.pair])].flexible]
        add_no_overlap(model, c, fixed)
        add_stretch_packing(model, c, fixed, flexible, linear or long_tasks)
        if not linear:
            add_pairs_that_cannot_meet(model, c, fixed, flexible)
        add_weekly_hours_cap(model, c, people[p], opts, linear or long_tasks)
        load = add_weekly_task_cap(model, c, p, opts)
        load_steps.append((load, opts))
        add_terms("fairness", fairness_terms(c, load))
        add_terms("quarter", quarter_terms(c, p, load))
    # soft goals of each pair
    add_terms("walk", walk_terms(c, options))
    add_terms("preference", preference_terms(c, options))
    add_terms("continuity", continuity_terms(c, options))
    add_terms("stability", stability_terms(c, options))

    # objective
    exprs = {
        goal: cp_model.LinearExpr.weighted_sum(variables, coefficients)
        for goal, (variables, coefficients) in terms.items()
    }
    model.maximize(sum(exprs.values()))
    return ScheduleModel(
        model=model,
        options=options,
        objective_terms=exprs,
        load_steps=load_steps,
        essential_heads=essential_heads,
        groups=groups,
        meetings=meetings,
        by_task={o.task: o for o in options},
    )


# variables ----------------------------------------------------------------------------------


def add_options(model: cp_model.CpModel, c: Candidates, pairs: np.ndarray) -> list[Option]:
    """One boolean per pair and segment the person could take the demand in; for a group wish
    that comes at once, per pair and span of starts (``timing.meeting_spans``) inside a
    segment."""
    demands = c.problem.demands
    helpers: dict[int, list[int]] = {}
    for pair in map(int, pairs):
        if demands[int(c.demand[pair])].together:
            helpers.setdefault(int(c.demand[pair]), []).append(pair)
    spans = {d: timing.meeting_spans(c, d, its) for d, its in helpers.items()}
    options: list[Option] = []
    for pair in sorted(map(int, pairs)):
        p, d = int(c.person[pair]), int(c.demand[pair])
        for segment in c.segments(p, d):
            if d in spans:
                duration = demands[d].duration
                pieces = [segment.within(low, high, duration) for low, high in spans[d]]
            else:
                pieces = [segment]
            for piece in pieces:
                if piece is not None:
                    var = model.new_bool_var(f"x{pair}_{piece.start}")
                    options.append(Option(pair, piece, var))
    return options


def group_options(
    c: Candidates, options: list[Option]
) -> tuple[
    dict[tuple[int, int], list[Option]],
    dict[tuple[int, int], list[Option]],
    dict[int, list[Option]],
]:
    """The options by (demand, role), by (person, demand) and by person."""
    by_role: dict[tuple[int, int], list[Option]] = {}
    by_person_demand: dict[tuple[int, int], list[Option]] = {}
    by_person: dict[int, list[Option]] = {}
    for o in options:
        p, d, r = int(c.person[o.pair]), int(c.demand[o.pair]), int(c.role[o.pair])
        by_role.setdefault((d, r), []).append(o)
        by_person_demand.setdefault((p, d), []).append(o)
        by_person.setdefault(p, []).append(o)
    return by_role, by_person_demand, by_person


# hard ---------------------------------------------------------------------------------------


def add_one_take_each(
    model: cp_model.CpModel, by_person_demand: dict[tuple[int, int], list[Option]]
) -> None:
    """One person takes a demand once, in one role, at one time."""
    for opts in by_person_demand.values():
        if len(opts) > 1:
            model.add_at_most_one(o.var for o in opts)


def add_pins(
    model: cp_model.CpModel, c: Candidates, by_person_demand: dict[tuple[int, int], list[Option]]
) -> None:
    """A pinned person takes the demand."""
    for opts in by_person_demand.values():
        if c.pinned[opts[0].pair]:
            model.add_exactly_one(o.var for o in opts)


def add_max_staff(model: cp_model.CpModel, role: Role, opts: list[Option]) -> None:
    """No more people on a role than it takes."""
    model.add(sum(o.var for o in opts) <= role.max_count)


def add_group_wishes(
    model: cp_model.CpModel, c: Candidates, by_role: dict[tuple[int, int], list[Option]]
) -> list[tuple[cp_model.IntVar, list[Option]]]:
    """A group wish gets all its heads or none: one boolean per group wish says which."""
    groups: list[tuple[cp_model.IntVar, list[Option]]] = []
    for d, demand in enumerate(c.problem.demands):
        if demand.all_or_nothing:
            heads = [o for r in range(len(demand.roles)) for o in by_role.get((d, r), [])]
            if heads:
                staffed = model.new_bool_var(f"g{d}")
                model.add(sum(o.var for o in heads) == demand.headcount * staffed)
                groups.append((staffed, heads))
    return groups


def group_heads(
    c: Candidates,
    by_role: dict[tuple[int, int], list[Option]],
    groups: list[tuple[cp_model.IntVar, list[Option]]],
) -> list[tuple[int, list[Option], cp_model.IntVar | None]]:
    """Each group wish that comes at once: its helpers' options and its all-or-nothing boolean."""
    staffed = {int(c.demand[heads[0].pair]): var for var, heads in groups}
    out = []
    for d, demand in enumerate(c.problem.demands):
        heads = [o for r in range(len(demand.roles)) for o in by_role.get((d, r), [])]
        if demand.together and heads:
            out.append((d, heads, staffed.get(d)))
    return out


def add_one_start_for_the_group(
    model: cp_model.CpModel,
    c: Candidates,
    d: int,
    heads: list[Option],
    staffed: cp_model.IntVar | None,
) -> Meeting:
    """A group wish's helpers all come at one start: the group picks one span of starts
    (``timing.meeting_spans``; each helper's option lies in one), and a helper is taken only in
    the chosen span. Helpers in one span share every start in it; helpers who share a start share
    the span around it."""
    demand = c.problem.demands[d]
    spans: dict[int, int] = {}  # first start → last start
    for o in heads:
        last = o.segment.latest_start(demand.duration)
        spans[o.segment.start] = max(spans.get(o.segment.start, last), last)
    chosen = {first: model.new_bool_var(f"m{d}_{first}") for first in sorted(spans)}
    if staffed is not None:
        model.add(sum(chosen.values()) == staffed)
    else:
        model.add_at_most_one(chosen.values())
    for o in heads:
        model.add_implication(o.var, chosen[o.segment.start])
    return Meeting(d, sorted(spans.items()), list(chosen.values()))


def add_weekly_hours_cap(
    model: cp_model.CpModel, c: Candidates, person: Person, opts: list[Option], long_tasks: bool
) -> None:
    """A person's tasks fit their weekly hours (no constraint where every option would fit);
    with ``long_tasks``, and so do few enough of the long ones (``add_few_long_tasks``)."""
    cap = round(person.weekly_hours_cap * 60)
    demands = c.problem.demands
    minutes = [(o.var, demands[int(c.demand[o.pair])].duration) for o in opts]
    if sum(m for _, m in minutes) > cap:
        model.add(sum(v * m for v, m in minutes) <= cap)
        if long_tasks:
            add_few_long_tasks(model, minutes, cap)


def add_weekly_task_cap(
    model: cp_model.CpModel, c: Candidates, p: int, opts: list[Option]
) -> list[cp_model.IntVar]:
    """The person's tasks counted by ordered booleans, as many as their weekly task cap: the
    k-th is true when they take at least k + 1 tasks. Fairness prices each step."""
    person = c.problem.people[p]
    distinct = len({int(c.demand[o.pair]) for o in opts})
    load = [model.new_bool_var(f"t{p}_{k}") for k in range(min(person.weekly_task_cap, distinct))]
    model.add(sum(o.var for o in opts) == sum(load))
    for a, b in itertools.pairwise(load):
        model.add_implication(b, a)
    return load


def add_no_overlap(model: cp_model.CpModel, c: Candidates, opts: list[Option]) -> None:
    """No two fixed-time tasks of one person overlap, counting the walk from one to the next.

    Tasks that overlap in time form cliques (at most one of each); tasks that do not overlap
    but leave too little time to walk between them are excluded pairwise.
    """
    ordered = sorted(opts, key=lambda o: (o.start, o.end, o.pair))
    active: list[tuple[int, int]] = []  # a heap of (end, position) of the tasks under way
    grown = False  # whether ``active`` gained a member since the last clique was emitted
    for i, o in enumerate(ordered):
        if active and active[0][0] <= o.start:  # some task under way has ended
            if grown and len(active) > 1:
                model.add_at_most_one(ordered[k].var for _, k in active)
            grown = False
            while active and active[0][0] <= o.start:
                heapq.heappop(active)
        heapq.heappush(active, (o.end, i))
        grown = True
    if grown and len(active) > 1:
        model.add_at_most_one(ordered[k].var for _, k in active)
    # each task and those starting after it ends but less than the longest walk later
    starts = np.array([o.start for o in ordered], dtype=np.int64)
    ends = np.array([o.end for o in ordered], dtype=np.int64)
    first = np.searchsorted(starts, ends, side="left")
    last = np.searchsorted(starts, ends + c.max_walk, side="left")
    for t in np.flatnonzero(last > first).tolist():
        a = ordered[t]
        da = int(c.demand[a.pair])
        for b in ordered[int(first[t]) : int(last[t])]:
            db = int(c.demand[b.pair])
            if da != db and rules.tasks_overlap(a.start, a.end, b.start, b.end, c.walk(da, db)):
                model.add_bool_or([a.var.Not(), b.var.Not()])


def add_stretch_packing(
    model: cp_model.CpModel,
    c: Candidates,
    fixed: list[Option],
    flexible: list[Option],
    long_tasks: bool,
) -> None:
    """A person's tasks in one free stretch fit in it, with a walk between each two.

    The n tasks that touch a stretch are disjoint and n - 1 walks lie between them inside it,
    each at least the shortest walk between any two of them: so the minutes they spend in the
    stretch, plus that walk per task, are at most its length plus one walk. With
    ``long_tasks``, few enough of the long ones fit too (``add_few_long_tasks``).
    """
    demands = c.problem.demands
    stretches = sorted({o.segment.stretch for o in flexible})
    for low, high in stretches:
        inside = [
            o for o in flexible if low <= o.segment.stretch[0] and o.segment.stretch[1] <= high
        ]
        touching = [o for o in fixed if o.start < high and o.end > low]
        places = sorted({int(c.demand[o.pair]) for o in inside + touching})
        if len(places) < 2:
            continue
        walk = c.shortest_walk(places)
        terms = [(o.var, demands[int(c.demand[o.pair])].duration + walk) for o in inside]
        terms += [(o.var, min(high, o.end) - max(low, o.start) + walk) for o in touching]
        room = high - low + walk
        if sum(k for _, k in terms) > room:
            model.add(sum(v * k for v, k in terms) <= room)
            if long_tasks:
                add_few_long_tasks(model, terms, room)


def add_few_long_tasks(
    model: cp_model.CpModel, terms: list[tuple[cp_model.IntVar, int]], room: int
) -> None:
    """Of the tasks that each take more than a (j + 1)-th of a packing row's room (a free
    stretch's, a week's hours), at most j fit: one row per j.

    The packing row alone lets a linear relaxation take two thirds of each of three 90-minute
    posts in four hours, or half of each of two visits in an evening that holds one (on the
    street week of bench/flexible.py these rows took ``matcher.relaxation``'s bound down by
    0.09 %)."""
    longest_first = sorted(terms, key=lambda term: -term[1])
    sizes = [-k for _, k in longest_first]
    previous = 0
    for j in range(1, len(terms)):
        # the tasks longer than a (j + 1)-th of the room: the first ``long`` of them
        long = bisect.bisect_left(sizes, -(room // (j + 1)))
        if long > j and long > previous:  # the same tasks as for j - 1: weaker
            model.add(sum(v for v, _ in longest_first[:long]) <= j)
        if long == len(terms):
            break
        previous = long


def add_pairs_that_cannot_meet(
    model: cp_model.CpModel, c: Candidates, fixed: list[Option], flexible: list[Option]
) -> None:
    """A wish in a segment and another task of the person that cannot both fit there, walk
    included, are not taken together (``timing.cannot_meet``; two fixed-time tasks are
    ``add_no_overlap``'s)."""
    if not flexible:
        return
    opts = fixed + flexible
    apart = timing.cannot_meet(c, [o.task for o in opts])
    apart[: len(fixed), : len(fixed)] = False
    for i, j in zip(*np.nonzero(np.triu(apart, 1)), strict=True):
        model.add_bool_or([opts[i].var.Not(), opts[j].var.Not()])


# soft ---------------------------------------------------------------------------------------


def coverage_terms(
    model: cp_model.CpModel,
    c: Candidates,
    d: int,
    r: int,
    opts: list[Option],
    essential_heads: list[tuple[cp_model.IntVar, int, list[Option]]],
) -> Terms:
    """Filling the role: essential heads (up to the minimum staff) are worth more than extra
    ones. Where both count, an integer variable counts the essential heads filled; it is
    recorded in ``essential_heads`` so that a hint can set it."""
    demand = c.problem.demands[d]
    role = demand.roles[r]
    essential, extra = rules.head_values(demand, role, c.problem.settings.weights)
    low = min(role.min_count, len(opts))
    variables = [o.var for o in opts]
    if low == len(opts) or essential == extra:
        return variables, [essential if low else extra] * len(opts)
    heads = model.new_int_var(0, low, f"e{d}_{r}")
    model.add(heads <= sum(variables))
    essential_heads.append((heads, low, opts))
    return [heads, *variables], [essential - extra] + [extra] * len(opts)


def fairness_terms(c: Candidates, load: list[cp_model.IntVar]) -> Terms:
    """Each further task of one person costs ``load_step`` more than the one before."""
    step = c.problem.settings.weights.load_step
    kept = [(var, -step * k) for k, var in enumerate(load) if step * k]
    return [v for v, _ in kept], [w for _, w in kept]


def quarter_terms(c: Candidates, p: int, load: list[cp_model.IntVar]) -> Terms:
    """A member behind on the quarter's minimum earns a bonus with their first task."""
    costs = rules.load_costs(c.problem.people[p], c.problem.settings, len(load))
    if not load or not costs[0]:
        return [], []
    return [load[0]], [-costs[0]]


def per_option_terms(options: list[Option], values: list[int]) -> Terms:
    kept = [(o.var, v) for o, v in zip(options, values, strict=True) if v]
    return [v for v, _ in kept], [w for _, w in kept]


def walk_terms(c: Candidates, options: list[Option]) -> Terms:
    """Short walks: points lost per kilometre between home and the demand."""
    weights = c.problem.settings.weights
    pairs = np.array([o.pair for o in options], dtype=np.int64)
    return per_option_terms(options, (-rules.walk_cost(c.distance_m[pairs], weights)).tolist())


def preference_terms(c: Candidates, options: list[Option]) -> Terms:
    """Stated preferences for the demand's category."""
    people, demands = c.problem.people, c.problem.demands
    weights = c.problem.settings.weights
    return per_option_terms(
        options,
        [
            rules.preference_bonus(
                people[int(c.person[o.pair])], demands[int(c.demand[o.pair])], weights
            )
            for o in options
        ],
    )


def continuity_terms(c: Candidates, options: list[Option]) -> Terms:
    """The same member for a household they served before."""
    people, demands = c.problem.people, c.problem.demands
    weights = c.problem.settings.weights
    return per_option_terms(
        options,
        [
            rules.continuity_bonus(
                people[int(c.person[o.pair])], demands[int(c.demand[o.pair])], weights
            )
            for o in options
        ],
    )


def stability_terms(c: Candidates, options: list[Option]) -> Terms:
    """Keeping the published assignment."""
    weights = c.problem.settings.weights
    return per_option_terms(
        options, [rules.stability_bonus(bool(c.previous[o.pair]), weights) for o in options]
    )


def chosen_tasks(solver: cp_model.CpSolver, built: ScheduleModel) -> list[timing.Task]:
    """The pairs the solver took, each in its segment; ``timing`` gives them their minutes."""
    return [o.task for o in built.options if solver.boolean_value(o.var)]


def add_cut(built: ScheduleModel, tasks: list[timing.Task]) -> None:
    """These tasks (of one person, or of people on one group wish) cannot all fit
    (``timing.smallest_unfit``): not all of them together."""
    variables = [built.by_task[t].var for t in tasks if t in built.by_task]
    if len(variables) == len(tasks) >= 2:
        built.model.add(sum(variables) <= len(variables) - 1)
        built.cuts += 1


def hinted_options(built: ScheduleModel, c: Candidates, bookings: list[Booking]) -> set[int]:
    """The options (by position) that hold a valid week's bookings."""
    by_pair: dict[int, list[int]] = {}
    for i, o in enumerate(built.options):
        by_pair.setdefault(o.pair, []).append(i)
    demands = c.problem.demands
    chosen: set[int] = set()
    for b in bookings:
        duration = demands[int(c.demand[b.pair])].duration
        for i in by_pair.get(b.pair, []):
            segment = built.options[i].segment
            if segment.start == b.start or segment.holds(b.start, duration):
                chosen.add(i)
                break
    return chosen


def add_hint(built: ScheduleModel, c: Candidates, bookings: list[Booking]) -> None:
    """Hint a whole valid week, helper variables included, so CP-SAT starts from it at once."""
    chosen = hinted_options(built, c, bookings)
    taken = {id(built.options[i]) for i in chosen}
    built.model.clear_hints()
    hint = built.model.add_hint
    for o in built.options:
        hint(o.var, id(o) in taken)
    for load, opts in built.load_steps:
        count = sum(id(o) in taken for o in opts)
        for k, var in enumerate(load):
            hint(var, k < count)
    for var, cap, opts in built.essential_heads:
        hint(var, min(cap, sum(id(o) in taken for o in opts)))
    for var, opts in built.groups:
        hint(var, any(id(o) in taken for o in opts))
    starts = {int(c.demand[b.pair]): b.start for b in bookings}
    for meeting in built.meetings:
        start = starts.get(meeting.demand)
        for (low, high), var in zip(meeting.spans, meeting.chosen, strict=True):
            hint(var, start is not None and low <= start <= high)
