"""The exact CP-SAT model: every hard rule, including those a flow cannot hold.

Data first (the candidate pairs and their start options), then variables, then constraints,
then the objective. One boolean per (pair, start option). The objective is the same sum of
points as timetable.evaluate, term by term, so the solver's answer and the report agree.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matcher import rules
from matcher.candidates import Candidates
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


def build_model(c: Candidates, pairs: np.ndarray) -> ScheduleModel:
    """The model over the given candidate pairs (all of them, or a pruned subset)."""
    problem, settings, weights = c.problem, c.problem.settings, c.problem.settings.weights
    demands, people = problem.demands, problem.people
    model = cp_model.CpModel()

    # variables
    options: list[Option] = []
    for pair in sorted(map(int, pairs)):
        p, d = int(c.person[pair]), int(c.demand[pair])
        for start in c.starts(p, d):
            var = model.new_bool_var(f"x{pair}_{start}")
            options.append(Option(pair, start, start + demands[d].duration, var))
    by_role: dict[tuple[int, int], list[Option]] = {}
    by_person_demand: dict[tuple[int, int], list[Option]] = {}
    by_person: dict[int, list[Option]] = {}
    for o in options:
        p, d, r = int(c.person[o.pair]), int(c.demand[o.pair]), int(c.role[o.pair])
        by_role.setdefault((d, r), []).append(o)
        by_person_demand.setdefault((p, d), []).append(o)
        by_person.setdefault(p, []).append(o)

    load_steps: list[tuple[list[cp_model.IntVar], list[Option]]] = []
    essential_vars: list[tuple[cp_model.IntVar, int, list[Option]]] = []
    groups: list[tuple[cp_model.IntVar, list[Option]]] = []
    terms: dict[str, list[tuple[cp_model.IntVar, int]]] = {
        k: []
        for k in (
            "coverage",
            "walk",
            "fairness",
            "quarter",
            "preference",
            "continuity",
            "stability",
        )
    }
    # hard: one person takes a demand once, in one role, at one time
    for opts in by_person_demand.values():
        if len(opts) > 1:
            model.add_at_most_one(o.var for o in opts)
    # hard: pins
    for o_list in by_person_demand.values():
        if c.pinned[o_list[0].pair]:
            model.add_exactly_one(o.var for o in o_list)
    # hard: max staff; soft: coverage, essential heads worth more than extra ones
    for (d, r), opts in sorted(by_role.items()):
        demand = demands[d]
        role = demand.roles[r]
        count = sum(o.var for o in opts)
        model.add(count <= role.max_count)
        essential, extra = rules.head_values(demand, role, weights)
        low = min(role.min_count, len(opts))
        if low == len(opts) or essential == extra:
            terms["coverage"].extend((o.var, essential if low else extra) for o in opts)
        else:
            essential_heads = model.new_int_var(0, low, f"e{d}_{r}")
            model.add(essential_heads <= count)
            essential_vars.append((essential_heads, low, opts))
            terms["coverage"].append((essential_heads, essential - extra))
            terms["coverage"].extend((o.var, extra) for o in opts)
    # hard: a group wish gets all its heads or none
    for d, demand in enumerate(demands):
        if demand.all_or_nothing:
            heads = [o for r in range(len(demand.roles)) for o in by_role.get((d, r), [])]
            if heads:
                staffed = model.new_bool_var(f"g{d}")
                model.add(sum(o.var for o in heads) == demand.headcount * staffed)
                groups.append((staffed, heads))
    # hard: per person, no overlap (with the walk), weekly hours and task caps; soft: fair load
    for p, opts in sorted(by_person.items()):
        person = people[p]
        add_no_overlap(model, c, opts)
        minutes = [(o.var, o.end - o.start) for o in opts]
        if sum(m for _, m in minutes) > round(person.weekly_hours_cap * 60):
            model.add(sum(v * m for v, m in minutes) <= round(person.weekly_hours_cap * 60))
        distinct = len({int(c.demand[o.pair]) for o in opts})
        steps = min(person.weekly_task_cap, distinct)
        costs = rules.load_costs(person, settings, steps)
        load = [model.new_bool_var(f"t{p}_{k}") for k in range(steps)]
        model.add(sum(o.var for o in opts) == sum(load))
        load_steps.append((load, opts))
        for a, b in itertools.pairwise(load):
            model.add_implication(b, a)
        for k, var in enumerate(load):
            step = weights.load_step * k
            if step:
                terms["fairness"].append((var, -step))
            if k == 0 and step - costs[0]:
                terms["quarter"].append((var, step - costs[0]))
    # soft: walks, preferences, continuity, stability (per pair)
    for o in options:
        p, d = int(c.person[o.pair]), int(c.demand[o.pair])
        person, demand = people[p], demands[d]
        walk = int(rules.walk_cost(np.array([c.distance_m[o.pair]]), weights)[0])
        if walk:
            terms["walk"].append((o.var, -walk))
        for key, value in (
            ("preference", rules.preference_bonus(person, demand, weights)),
            ("continuity", rules.continuity_bonus(person, demand, weights)),
            ("stability", rules.stability_bonus(bool(c.previous[o.pair]), weights)),
        ):
            if value:
                terms[key].append((o.var, value))

    exprs = {
        k: cp_model.LinearExpr.weighted_sum([v for v, _ in t], [w for _, w in t])
        for k, t in terms.items()
    }
    model.maximize(sum(exprs.values()))
    return ScheduleModel(
        model=model,
        options=options,
        objective_terms=exprs,
        load_steps=load_steps,
        essential_heads=essential_vars,
        groups=groups,
    )


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
