"""The exact CP-SAT model: every hard rule, including those a flow cannot hold.

Data first (the candidate pairs and their start options), then variables, then constraints,
then the objective. One boolean per (pair, start option). One helper per rule: ``add_*`` adds a
hard rule, ``*_terms`` returns a soft goal's objective terms as (variables, coefficients).
The objective is the same sum of points as timetable.evaluate, term by term, so the solver's
answer and the report agree.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matcher import rules
from matcher.candidates import Candidates
from matcher.domain import Person, Role
from matcher.timetable import Booking


@dataclass(slots=True)
class Option:
    pair: int
    start: int
    end: int
    var: cp_model.IntVar


@dataclass(slots=True)
class ScheduleModel:
    model: cp_model.CpModel
    options: list[Option]
    objective_terms: dict[str, cp_model.LinearExpr]
    # helper variables, kept so that a hint can give them values too
    load_steps: list[tuple[list[cp_model.IntVar], list[Option]]]
    essential_heads: list[tuple[cp_model.IntVar, int, list[Option]]]
    groups: list[tuple[cp_model.IntVar, list[Option]]]


Terms = tuple[list[cp_model.IntVar], list[int]]
GOALS = ("coverage", "walk", "fairness", "quarter", "preference", "continuity", "stability")


def build_model(c: Candidates, pairs: np.ndarray) -> ScheduleModel:
    """The model over the given candidate pairs (all of them, or a pruned subset)."""
    # data
    people, demands = c.problem.people, c.problem.demands
    model = cp_model.CpModel()
    terms: dict[str, Terms] = {goal: ([], []) for goal in GOALS}

    def add_terms(goal: str, new: Terms) -> None:
        terms[goal][0].extend(new[0])
        terms[goal][1].extend(new[1])

    # variables: one boolean per (pair, start option)
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
    load_steps: list[tuple[list[cp_model.IntVar], list[Option]]] = []
    for p, opts in sorted(by_person.items()):
        add_no_overlap(model, c, opts)
        add_weekly_hours_cap(model, people[p], opts)
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
    )


# variables ----------------------------------------------------------------------------------


def add_options(model: cp_model.CpModel, c: Candidates, pairs: np.ndarray) -> list[Option]:
    """One boolean per pair and start time the person could take the demand at."""
    demands = c.problem.demands
    options: list[Option] = []
    for pair in sorted(map(int, pairs)):
        p, d = int(c.person[pair]), int(c.demand[pair])
        for start in c.starts(p, d):
            var = model.new_bool_var(f"x{pair}_{start}")
            options.append(Option(pair, start, start + demands[d].duration, var))
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


def add_weekly_hours_cap(model: cp_model.CpModel, person: Person, opts: list[Option]) -> None:
    """A person's tasks fit their weekly hours (no constraint where every option would fit)."""
    cap = round(person.weekly_hours_cap * 60)
    minutes = [(o.var, o.end - o.start) for o in opts]
    if sum(m for _, m in minutes) > cap:
        model.add(sum(v * m for v, m in minutes) <= cap)


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
    """No two tasks of one person overlap, counting the walk from one place to the next.

    Options that overlap in time form cliques (at most one of each); options that do not
    overlap but leave too little time to walk between them are excluded pairwise.
    """
    ordered = sorted(opts, key=lambda o: (o.start, o.end, o.pair))
    active: list[Option] = []
    grown = False  # whether ``active`` gained a member since the last clique was emitted
    for o in ordered:
        ending = [a for a in active if a.end <= o.start]
        if ending and grown and len(active) > 1:
            model.add_at_most_one(a.var for a in active)
            grown = False
        active = [a for a in active if a.end > o.start]
        active.append(o)
        grown = True
    if grown and len(active) > 1:
        model.add_at_most_one(a.var for a in active)
    max_walk = c.max_walk
    for i, a in enumerate(ordered):
        da = int(c.demand[a.pair])
        for b in ordered[i + 1 :]:
            if b.start >= a.end + max_walk:
                break
            db = int(c.demand[b.pair])
            if (
                b.start >= a.end
                and da != db
                and rules.tasks_overlap(a.start, a.end, b.start, b.end, c.walk(da, db))
            ):
                model.add_bool_or([a.var.Not(), b.var.Not()])


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
    return per_option_terms(
        options,
        [-int(rules.walk_cost(np.array([c.distance_m[o.pair]]), weights)[0]) for o in options],
    )


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


def bookings_from(solver: cp_model.CpSolver, built: ScheduleModel) -> list[Booking]:
    return sorted(
        (Booking(o.pair, o.start) for o in built.options if solver.boolean_value(o.var)),
        key=lambda b: b.pair,
    )


def add_hint(built: ScheduleModel, bookings: list[Booking]) -> None:
    """Hint a whole valid week, helper variables included, so CP-SAT starts from it at once."""
    chosen = {(b.pair, b.start) for b in bookings}
    hint = built.model.add_hint
    for o in built.options:
        hint(o.var, (o.pair, o.start) in chosen)
    for load, opts in built.load_steps:
        count = sum((o.pair, o.start) in chosen for o in opts)
        for k, var in enumerate(load):
            hint(var, k < count)
    for var, cap, opts in built.essential_heads:
        hint(var, min(cap, sum((o.pair, o.start) in chosen for o in opts)))
    for var, opts in built.groups:
        hint(var, any((o.pair, o.start) in chosen for o in opts))
