"""Tongxin's solver: flow → repair → CP-SAT → explained Solution.

1. candidates.py applies the pairwise hard rules.
2. flow.py solves the relaxation exactly (min-cost flow): an upper bound, and usually the answer.
3. greedy.repair makes it valid (overlaps, hour caps, group wishes) and fills what it freed.
   On a large week the whole model's linear relaxation is solved when there is time for it
   (relaxation.py): a tighter bound, and the pairs it uses lead CP-SAT; else a neighbourhood's,
   whose pairs lead the same way. Where neither fits, the flow is solved again with the pairs
   the repair dropped made dearer, round after round (``reflow``), and each answer repaired.
4. If the repaired week is below the bound, CP-SAT (one worker, linearization level 2, hinted
   with the repaired week) improves it on all pairs — or, on a large week, on the pairs that
   matter: the relaxation's or the flow's, the best week's, pins, the published week, and each
   role's best few. The model picks who does what and in which free stretch; timing.py gives
   the minutes, and tasks that do not fit are cut off and the model solved again. Rounds go on
   while time is left and the gap is open: a wider neighbourhood, or the same one from the best
   week with another seed.
5. The bound reported is the lowest of the flow's, the relaxation's and CP-SAT's where it saw
   every pair: always proven, for any start times the rules allow.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matcher import explain, relaxation, rules, timing
from matcher.candidates import Candidates, build_candidates
from matcher.domain import Assignment, Problem, Solution, Weights
from matcher.flow import FlowGraph, build_flow, lagrangian_bound
from matcher.greedy import greedy_schedule, repair
from matcher.model import ScheduleModel, add_cut, add_hint, build_model, chosen_tasks
from matcher.timetable import Booking, Held, Timetable, evaluate

#: above this many candidate pairs the CP-SAT model keeps only the pairs that matter
FULL_MODEL_PAIRS = 40_000
#: pairs kept per role when pruning, beyond those already used
PRUNED_PER_HEAD = 4
PRUNED_MIN = 6
#: a small week's first round: the pairs in use and each role's best 1 per head (at least
#: PRUNED_MIN), when that is at most this share of its pairs, in at most this share of the time
#: left; it finds CP-SAT a good week to start the whole model from (docs/benchmarks.md)
WARM_START_PER_HEAD = 1
WARM_START_PAIRS = 0.5
WARM_START_TIME = 0.25
#: past this many pairs a CP-SAT model builds too slowly to pay off (plain CP-SAT on all of
#: fenghuang's 131,843 pairs finds nothing in 30 s: docs/benchmarks.md)
MAX_MODEL_PAIRS = 40_000
MIN_CP_SAT_SECONDS = 0.2
#: a large week's neighbourhood round gets this share of the time left
ROUND_SHARE = 0.5
DETERMINISTIC_PER_SECOND = 0.15
#: model build time per pair, with a margin so that the time limit holds (the bundled weeks'
#: models build at 5.7e-5 to 8.9e-5 s per pair)
BUILD_SECONDS_PER_PAIR = 1.3e-4
#: share of the time limit kept for writing explanations
EXPLAIN_SHARE = 0.05
#: share of the time limit spent tightening the bound by pricing people's hours
LAGRANGIAN_SHARE = 0.25
#: the re-flow (``reflow``): rounds of the flow where each pair the repair had to drop costs
#: REFLOW_STEP more than the round before and each pair of the best week REFLOW_ANCHOR less, in
#: at most this share of the time left on a large week; it stops after REFLOW_STALLED rounds
#: without a better week, leaving the time to CP-SAT (docs/benchmarks.md: on the street week of
#: bench/flexible.py the better weeks come from here, not from CP-SAT's neighbourhoods)
REFLOW_SHARE = 0.6
#: a small week's re-flow: its CP-SAT model has every pair and proves, so it keeps most of the time
REFLOW_SMALL_SHARE = 0.25
REFLOW_STEP = 300
REFLOW_ANCHOR = 75
REFLOW_STALLED = 6
#: on a large week, where CP-SAT sees only neighbourhoods and seldom improves, it goes on longer
REFLOW_STALLED_LARGE = 12
#: a large week's linear relaxation (``relaxation.relax``), of the whole week or else of a
#: neighbourhood, runs when its estimated time is at most this share of the time left; its
#: answer's pairs then lead CP-SAT instead of the re-flow
RELAXATION_SHARE = 0.6
#: the relaxed answer's pairs taken at least this much are repaired into a week, for each share
ROUNDED = (0.99, 0.5)
#: after the relaxation's own round, its neighbourhoods start from each role's cheapest 2 per
#: head (street week of bench/flexible.py at 60 s: 3,608,573 against 3,601,295 from 4)
RELAXED_PER_HEAD = 2


def load_tiers(c: Candidates) -> dict[int, list[int]]:
    """Each person's marginal task costs, as many as they could possibly do this week."""
    problem = c.problem
    n = len(problem.people)
    durations = np.array([d.duration for d in problem.demands], dtype=np.int64)[c.demand]
    shortest = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(shortest, c.person, durations)
    pairs = np.unique(c.person.astype(np.int64) * (len(problem.demands) + 1) + c.demand)
    distinct = np.bincount(pairs // (len(problem.demands) + 1), minlength=n)
    tiers = {}
    for p in np.flatnonzero(distinct):
        person = problem.people[int(p)]
        by_hours = round(person.weekly_hours_cap * 60) // max(1, int(shortest[p]))
        steps = min(person.weekly_task_cap, int(distinct[p]), max(by_hours, 0))
        tiers[int(p)] = rules.load_costs(person, problem.settings, steps)
    return tiers


def led_candidates(c: Candidates) -> Candidates | None:
    """Where the weights give walks and load no cost (coverage only), the same pairs under the
    usual walk and load costs, far below a head's value: what leads the flow, the repair and
    CP-SAT's search there. None when the weights already price walks or load.

    Nothing then tells the flow or CP-SAT which of many equally good answers to take, and the
    one taken may pile far-apart wishes on a few people whose evenings cannot hold them with the
    walks between; short walks and spread-out work are what make a week fit. Weeks found so are
    scored by the real weights; bounds come only from the real weights.
    """
    weights = c.problem.settings.weights
    if weights.walk_per_km or weights.load_step:
        return None
    usual = Weights()
    led = dataclasses.replace(weights, walk_per_km=usual.walk_per_km, load_step=usual.load_step)
    problem = dataclasses.replace(
        c.problem, settings=dataclasses.replace(c.problem.settings, weights=led)
    )
    return dataclasses.replace(
        c, problem=problem, cost=c.cost + rules.walk_cost(c.distance_m, usual).astype(np.int64)
    )


def guided_repair(c: Candidates) -> list[Booking] | None:
    """Where the weights give walks and load no cost (coverage only), a second valid week: the
    flow and the repair led by the usual walk and load costs (``led_candidates``). The week is
    scored by the real weights; the bound is untouched."""
    led = led_candidates(c)
    if led is None:
        return None
    return repair(repairing(c, led), build_flow(led, load_tiers(led)).solve().chosen)


def repairing(c: Candidates, led: Candidates | None) -> Candidates:
    """What the repair of a led flow answer reads: the led pairs' costs (near helpers first),
    the real weights' head values and load (measured: the led load in the repair itself covers
    less on the street week of bench/flexible.py)."""
    return c if led is None else dataclasses.replace(c, cost=led.cost)


def cp_sat_parameters(problem: Problem, seconds: float, attempt: int = 0) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = max(1, problem.settings.workers)
    # measured on 2 cores (bench/cp_sat_params.py): one worker whose LP sees the whole
    # assignment structure proves these models optimal at the root; probing and repeated
    # presolve cost more time than they save
    params.linearization_level = 2
    params.cp_model_probing_level = 0
    params.max_presolve_iterations = 1
    # a later attempt on the same model searches in another order, from the same best week
    params.random_seed = problem.settings.seed + attempt
    params.max_time_in_seconds = max(0.05, seconds)
    # the deterministic limit normally stops the search first, so the same input gives the
    # same answer on a busy machine too (the bundled weeks run at 0.15 to 0.24 units per second)
    params.max_deterministic_time = max(0.02, seconds * DETERMINISTIC_PER_SECOND)
    return solver


def pruned_pairs(c: Candidates, keep: np.ndarray, per_head: int) -> np.ndarray:
    """The pairs worth a CP-SAT variable: those in use plus each role's cheapest few."""
    chosen = np.zeros(len(c), dtype=bool)
    chosen[keep] = True
    chosen |= c.pinned | c.previous
    # cheapest by the pairs' own points; where walks cost nothing, by the walk all the same
    # (see guided_repair): a near helper fits an evening more easily
    order = np.lexsort((c.distance_m, c.cost, c.role, c.demand))
    keys = c.demand[order].astype(np.int64) * 1024 + c.role[order]
    starts = np.r_[0, np.flatnonzero(np.diff(keys)) + 1]
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    roles = np.r_[0, np.cumsum([len(d.roles) for d in c.problem.demands])]
    max_count = np.array(
        [role.max_count for d in c.problem.demands for role in d.roles], dtype=np.int64
    )[roles[c.demand[order]] + c.role[order]]
    chosen[order[rank < np.maximum(PRUNED_MIN, per_head * max_count)]] = True
    return np.flatnonzero(chosen)


def solve(problem: Problem) -> Solution:
    """Schedule one week: the best valid assignment found in the time limit, with its proof."""
    started = time.perf_counter()
    deadline = started + problem.settings.time_limit_s * (1 - EXPLAIN_SHARE)
    c = build_candidates(problem)
    stats: dict[str, float | int | str] = {
        "pairs": len(c),
        "people": len(problem.people),
        "demands": len(problem.demands),
    }
    if len(c) == 0:
        return finish(c, [], bound=0, started=started, stats=stats, method="none")
    graph = build_flow(c, load_tiers(c))
    flow = graph.solve()
    stats.update(flow_seconds=round(flow.seconds, 3), flow_arcs=flow.arcs)
    best = repair(c, flow.chosen)
    best_value = sum(evaluate(c, best).values())
    led = led_candidates(c)
    # where the weights leave walks and load free, the flow and the repair led by them too
    lead = repairing(c, led)
    lead_graph = graph if led is None else build_flow(led, load_tiers(led))
    lead_answer, lead_week = flow.chosen, best
    if led is not None:
        lead_answer = lead_graph.solve().chosen
        lead_week = repair(lead, lead_answer)
        if (value := sum(evaluate(c, lead_week).values())) > best_value:
            best, best_value = lead_week, value
    stats["repaired_objective"] = best_value
    # a small week gets every pair in CP-SAT, whose own bound is then proof enough
    if best_value < flow.bound and len(c) > FULL_MODEL_PAIRS:
        budget = problem.settings.time_limit_s * LAGRANGIAN_SHARE
        priced, answers = lagrangian_bound(c, graph, flow, best_value, budget)
        stats.update(flow_bound=flow.bound, lagrangian_rounds=len(answers))
        flow = priced
        for chosen in answers[-3:]:
            candidate = repair(c, chosen)
            value = sum(evaluate(c, candidate).values())
            if value > best_value:
                best, best_value = candidate, value
    bound = flow.bound
    relaxed_pairs = np.zeros(0, dtype=np.int64)  # what the linear relaxation uses, if solved
    relax_started = time.perf_counter()
    left = deadline - relax_started
    if best_value < bound and len(c) > FULL_MODEL_PAIRS:
        # a large week: the whole model's linear relaxation, for its bound and its pairs, where
        # it fits in the time; else a neighbourhood's, for its pairs alone. With coverage-only
        # weights, the relaxation of the led model, whose pairs lead and whose bound does not
        # count (every choice tied, GLOP's simplex crawls: 33 s without an answer on the street
        # week of bench/flexible.py; the led model's took 22 s in all)
        source = c if led is None else led
        around: np.ndarray | None = None
        estimate = relaxation.seconds_for(c)
        if estimate > RELAXATION_SHARE * left:
            week_pairs = np.array([b.pair for b in best], dtype=np.int64)
            around = pruned_pairs(source, np.union1d(flow.chosen, week_pairs), PRUNED_PER_HEAD)
            estimate = relaxation.seconds_for(c, around)
        if estimate <= RELAXATION_SHARE * left:
            relaxed = relaxation.relax(source, RELAXATION_SHARE * left, around)
            stats["relaxation_seconds"] = round(time.perf_counter() - relax_started, 3)
            if relaxed is not None:
                stats["relaxation_pairs"] = len(relaxed.used())
                if relaxed.bound is not None and led is None:
                    stats["relaxation_bound"] = relaxed.bound
                    bound = min(bound, relaxed.bound)
                relaxed_pairs = relaxed.used()
                for share in ROUNDED:
                    candidate = repair(lead, np.flatnonzero(relaxed.share >= share))
                    if (value := sum(evaluate(c, candidate).values())) > best_value:
                        best, best_value = candidate, value
    if best_value < bound and not relaxed_pairs.size:
        # a large week's better weeks come from here (unless the relaxation leads the search);
        # a small one's CP-SAT starts from them
        now = time.perf_counter()
        large = len(c) > FULL_MODEL_PAIRS
        share = REFLOW_SHARE if large else REFLOW_SMALL_SHARE
        reflowed, rounds = reflow(
            c,
            lead,
            lead_graph,
            (lead_answer, lead_week),
            best,
            now + share * (deadline - now),
            REFLOW_STALLED_LARGE if large else REFLOW_STALLED,
        )
        stats["reflow_rounds"] = rounds
        if (value := sum(evaluate(c, reflowed).values())) > best_value:
            best, best_value = reflowed, value
    method = "flow"
    # a small week gets a quick round on the pairs that matter, then every pair; a large one
    # gets neighbourhoods that grow, round after round, while time is left and the gap is open
    small = len(c) <= FULL_MODEL_PAIRS
    per_head = WARM_START_PER_HEAD if small else PRUNED_PER_HEAD
    if relaxed_pairs.size:
        per_head = RELAXED_PER_HEAD
    last_round = 0.0
    attempt = 0
    widest = len(c)  # per head: no neighbourhood is too wide until one fails to build
    # coverage-only weights: the search is led by the usual walk and load costs (led_candidates)
    # until, on a small week, the whole model has had one led round; then the real weights, whose
    # bound counts
    leading = led is not None
    relaxation_round = relaxed_pairs.size > 0
    # the relaxed answer CP-SAT measures each part's shortfall against
    dreamt = relaxed_pairs if relaxation_round else flow.chosen
    # a round costs its build too, which the CP-SAT time limit does not see (each part's build
    # is checked against the time left, improve_by_parts), so start one only when there is time
    # for a good share of the last one
    while best_value < bound and deadline - time.perf_counter() > max(
        MIN_CP_SAT_SECONDS, last_round / 2
    ):
        round_started = time.perf_counter()
        method = "flow+cp-sat"
        after_relaxation_round = relaxed_pairs.size > 0 and not relaxation_round
        used = np.union1d(dreamt, np.array([b.pair for b in best], dtype=np.int64))
        pairs = np.arange(len(c))
        guide = led if leading and led is not None else c
        if relaxation_round:
            # first the pairs the relaxed answer uses and the best week's: few, and where the
            # better weeks are (matcher/relaxation.py)
            pairs = used
        elif not small or per_head == WARM_START_PER_HEAD:
            pruned = pruned_pairs(guide, used, per_head)
            if not small or len(pruned) <= WARM_START_PAIRS * len(c):
                pairs = pruned
        full = len(pairs) == len(c)
        until = deadline
        if small and not full:
            until = round_started + WARM_START_TIME * (deadline - round_started)
        elif (not small or leading) and not after_relaxation_round:
            # half the time left, so that a round that is not proven leaves time for a wider
            # one or another attempt from its best week; after the relaxation's round, its
            # neighbourhood gets all of it (on the street week of bench/flexible.py, CP-SAT
            # needs 10-17 s there to find a better week, and half rounds found none)
            until = round_started + max(
                MIN_CP_SAT_SECONDS, ROUND_SHARE * (deadline - round_started)
            )
        outcome = improve_by_parts(c, best, dreamt, pairs, until, attempt, guide, large=not small)
        stats["cp_sat_rounds"] = int(stats.get("cp_sat_rounds", 0)) + 1
        stats["cp_sat_seconds"] = round(float(stats.get("cp_sat_seconds", 0)) + outcome.seconds, 3)
        stats.update(model_pairs=len(pairs), model_parts=outcome.parts, parts_solved=outcome.solved)
        stats["cuts"] = int(stats.get("cuts", 0)) + outcome.cuts
        value = sum(evaluate(c, outcome.bookings).values())
        if value > best_value:
            best, best_value = outcome.bookings, value
        if full and guide is c:
            bound = min(bound, outcome.bound)
        last_round = time.perf_counter() - round_started
        if relaxation_round:
            relaxation_round = False  # then the neighbourhoods, as on any large week
            continue
        if small and not full:
            per_head *= 2  # the next round has every pair
            continue
        if small and guide is not c:
            leading = False  # the real weights next, from the best week: their bound counts
            continue
        if small:
            if outcome.proved or outcome.solved == 0:
                break
            attempt += 1  # every pair again, from the best week, searching in another order
            continue
        if outcome.solved == 0 and per_head > PRUNED_PER_HEAD:
            # too large to build in the time left: back to the last width that was solved
            per_head //= 2
            widest = per_head
            attempt += 1
        elif outcome.solved == 0:
            break
        elif per_head * 2 <= widest and len(pruned_pairs(guide, used, per_head * 2)) > len(pairs):
            # proven or not, a wider neighbourhood may hold a better week
            per_head *= 2
        elif outcome.proved:
            break  # nothing better in the widest neighbourhood this week allows
        else:
            attempt += 1  # the same neighbourhood, from the best week, in another order
    stats["cp_sat_attempts"] = attempt + 1
    return finish(
        c, best, bound=max(bound, best_value), started=started, stats=stats, method=method
    )


def reflow(
    c: Candidates,
    lead: Candidates,
    graph: FlowGraph,
    start: tuple[np.ndarray, list[Booking]],
    best: list[Booking],
    until: float,
    patience: int = REFLOW_STALLED,
) -> tuple[list[Booking], int]:
    """Better valid weeks from the flow and the repair: round after round, each pair of the
    relaxed answer that the repair had to drop (a group wish's helpers who cannot meet, wishes
    an evening cannot hold) costs REFLOW_STEP more, and each pair of the best week so far
    REFLOW_ANCHOR less, so the flow turns to answers that fit. ``graph`` is the network (of the
    real pairs, or of those led by walks and load, ``led_candidates``), ``lead`` what its answers
    are repaired with (``repairing``); every week is scored by the real weights. It stops after
    ``patience`` rounds without a better week, or before a round would end past ``until``. Only
    a search: these costs price nothing a valid week must obey, so no bound comes of it.
    ``start`` is the network's own relaxed answer and its repair, which the first round
    compares. Returns the best week and the rounds run."""
    best_value = sum(evaluate(c, best).values())
    penalty = np.zeros(len(c), dtype=np.int64)
    anchor = np.zeros(len(c), dtype=np.int64)
    anchor[[b.pair for b in best]] = REFLOW_ANCHOR
    answer, week = start
    rounds = stalled = 0
    last = 0.0
    while stalled < patience and time.perf_counter() + last < until:
        round_started = time.perf_counter()
        kept = np.array([b.pair for b in week], dtype=np.int64)
        penalty[np.setdiff1d(answer, kept)] += REFLOW_STEP
        answer = graph.solve(penalty - anchor).chosen
        week = repair(lead, answer)
        rounds += 1
        if (value := sum(evaluate(c, week).values())) > best_value:
            best, best_value, stalled = week, value, 0
            anchor[:] = 0
            anchor[[b.pair for b in best]] = REFLOW_ANCHOR
        else:
            stalled += 1
        last = time.perf_counter() - round_started
    return best, rounds


@dataclass(frozen=True, slots=True)
class Improvement:
    bookings: list[Booking]
    bound: int  # sum of each part's proven bound (valid when the parts hold every pair)
    proved: bool  # every part solved was proven optimal
    parts: int
    solved: int
    seconds: float
    #: sets of tasks the model picked that did not fit, cut off (see solve_and_time)
    cuts: int = 0


def parts_of(c: Candidates, pairs: np.ndarray) -> np.ndarray:
    """Connected parts of the people–demands graph the given pairs draw: one label per pair.

    Parts share nobody and nothing, so each is a model of its own: a street splits into
    neighbourhoods, a city into streets.
    """
    n_people = len(c.problem.people)
    parent = list(range(n_people + len(c.problem.demands)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p, d in zip(c.person[pairs].tolist(), c.demand[pairs].tolist(), strict=True):
        a, b = root(p), root(n_people + d)
        if a != b:
            parent[a] = b
    return np.array([root(int(p)) for p in c.person[pairs]], dtype=np.int64)


def improve_by_parts(
    c: Candidates,
    best: list[Booking],
    relaxed: np.ndarray,
    pairs: np.ndarray,
    deadline: float,
    attempt: int = 0,
    guide: Candidates | None = None,
    large: bool = False,
) -> Improvement:
    """Run CP-SAT on each part where the valid week falls short of the relaxed one, most
    promising first, each hinted with its share of the valid week.

    On a small week the relaxed answer is the unpriced flow's, whose value in each part bounds
    that part, so a part the valid week already matches is proven and left alone. On a
    ``large`` one it is a priced flow's or a linear relaxation's, which only ranks the parts:
    those it does not show short are searched after the others, and a part bounds only by its
    own CP-SAT round; and its models carry the long-task rows (``build_model``).

    The models are built on ``guide`` (the same pairs under other weights, ``led_candidates``)
    when given: the weeks they find are scored by the real weights, and neither their bound nor
    their proof counts."""
    led = guide is not None and guide is not c
    started = time.perf_counter()
    label = np.full(len(c), -1, dtype=np.int64)
    label[pairs] = parts_of(c, pairs)
    mine: dict[int, list[Booking]] = {}
    for b in best:
        mine.setdefault(int(label[b.pair]), []).append(b)
    dreamt: dict[int, list[Booking]] = {}
    for i in relaxed:
        dreamt.setdefault(int(label[i]), []).append(Booking(int(i), 0))
    parts = np.unique(label[pairs])
    value = {k: sum(evaluate(c, mine.get(int(k), [])).values()) for k in parts}
    ceiling = {k: sum(evaluate(c, dreamt.get(int(k), [])).values()) for k in parts}
    short = sorted(
        (int(k) for k in parts if ceiling[k] > value[k]), key=lambda k: (value[k] - ceiling[k], k)
    )
    unknown = 10**18  # a part's bound before its own round, where the relaxed answer is none
    bound = {k: unknown if large else max(value[k], ceiling[k]) for k in parts}
    rest = [int(k) for k in parts if ceiling[k] <= value[k]] if large else []
    proved, solved, cuts = True, 0, 0
    missing = sum(ceiling[k] - value[k] for k in short)
    for n, k in enumerate(short + rest):
        remaining = deadline - time.perf_counter()
        if remaining < MIN_CP_SAT_SECONDS:
            proved = False
            break
        if n < len(short):
            share = max(MIN_CP_SAT_SECONDS, remaining * (ceiling[k] - value[k]) / max(1, missing))
            missing -= ceiling[k] - value[k]
        else:  # the parts the relaxed answer does not rank share the time left evenly
            share = max(MIN_CP_SAT_SECONDS, remaining / (len(short) + len(rest) - n))
        part = pairs[label[pairs] == k]
        # the build is Python and outside CP-SAT's own limit: start it only if it fits
        if len(part) > MAX_MODEL_PAIRS or len(part) * BUILD_SECONDS_PER_PAIR > remaining / 2:
            proved = False
            continue
        built = build_model(guide if led and guide is not None else c, part, long_tasks=large)
        add_hint(built, c, mine.get(k, []))
        solved += 1
        outcome = solve_and_time(c, built, min(deadline, time.perf_counter() + share), attempt)
        cuts += built.cuts
        if outcome.value > value[k]:
            mine[k], value[k] = outcome.bookings, outcome.value
        if not led:
            bound[k] = min(outcome.bound, bound[k])
        proved &= outcome.proved and not led
    return Improvement(
        bookings=sorted((b for bs in mine.values() for b in bs), key=lambda b: b.pair),
        bound=max(sum(bound.values()), sum(value.values())),
        proved=proved,
        parts=len(parts),
        solved=solved,
        seconds=time.perf_counter() - started,
        cuts=cuts,
    )


@dataclass(frozen=True, slots=True)
class Timed:
    bookings: list[Booking]
    value: int
    bound: int  # CP-SAT's proven bound over the model's pairs (very large if none)
    proved: bool  # the bookings are the best the model's pairs allow
    rounds: int


def solve_and_time(c: Candidates, built: ScheduleModel, until: float, attempt: int = 0) -> Timed:
    """Solve the model, give the chosen tasks their minutes, and while some person's tasks do
    not fit, cut that set off and solve again. Every round's bound is proven (a cut removes only
    what no valid week holds); the best valid week found is kept."""
    best: list[Booking] = []
    best_value = -(10**18)
    bound = 10**18
    rounds = 0
    while (left := until - time.perf_counter()) > 0.05 or rounds == 0:
        solver = cp_sat_parameters(c.problem, left, attempt)
        status = solver.solve(built.model)
        rounds += 1
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        bound = min(bound, math.floor(solver.best_objective_bound + 1e-6))
        starts, unfit = timing.time_week(c, chosen_tasks(solver, built))
        week = valid_week(c, starts)
        value = sum(evaluate(c, week).values())
        if value > best_value:
            best, best_value = week, value
        if not unfit:
            return Timed(best, best_value, bound, status == cp_model.OPTIMAL, rounds)
        for tasks in unfit:
            add_cut(built, tasks)
        add_hint(built, c, best)
    return Timed(best, best_value, bound, False, rounds)


def valid_week(c: Candidates, starts: dict[int, int]) -> list[Booking]:
    """The timed bookings, less any group wish left short of heads by a task that did not fit."""
    table = Timetable(c)
    for pair, start in sorted(starts.items()):
        table.book(pair, start)
    table.drop_incomplete_group_wishes()
    return table.bookings()


def solve_greedy(problem: Problem) -> Solution:
    """The coordinator's by-hand baseline, scored and explained like the real thing."""
    started = time.perf_counter()
    c = build_candidates(problem)
    if len(c) == 0:
        return finish(c, [], bound=0, started=started, stats={}, method="greedy")
    bookings = greedy_schedule(c)
    return finish(
        c, bookings, bound=heads_bound(c), started=started, stats={"pairs": len(c)}, method="greedy"
    )


def solve_plain_cp_sat(problem: Problem) -> Solution:
    """Every eligible pair in one CP-SAT model with default parameters: the textbook approach,
    kept as a yardstick for the benchmark."""
    started = time.perf_counter()
    c = build_candidates(problem)
    if len(c) == 0:
        return finish(c, [], bound=0, started=started, stats={}, method="cp-sat")
    built = build_model(c, np.arange(len(c)))
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = problem.settings.seed
    solver.parameters.max_time_in_seconds = max(
        0.05, problem.settings.time_limit_s - (time.perf_counter() - started)
    )
    status = solver.solve(built.model)
    found: list[Booking] = []
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = valid_week(c, timing.time_week(c, chosen_tasks(solver, built))[0])
    if status == cp_model.UNKNOWN:
        # nothing proven: fall back to "every head filled, every bonus earned"
        bound = trivial_bound(c)
    else:
        bound = math.floor(solver.best_objective_bound + 1e-6)
    stats: dict[str, float | int | str] = {
        "pairs": len(c),
        "cp_sat_status": solver.status_name(status),
    }
    return finish(c, found, bound=bound, started=started, stats=stats, method="cp-sat")


def heads_bound(c: Candidates) -> int:
    """A cheap bound: each role's heads go to its best candidates as if nobody were wanted
    elsewhere, and everyone who could serve earns the quarter bonus; no load is counted.

    A role's heads in any valid week are worth its head values plus the pairs' own points; the
    k-th best pair of the role is worth at least the k-th pair of any choice, so the sum of the
    positive (head value − pair cost) over its best ``max_count`` pairs bounds the role. Load
    costs nothing or more, and a person earns the quarter bonus once at most. One sort of the
    pairs, no flow: the greedy baseline's bound.
    """
    problem, weights = c.problem, c.problem.settings.weights
    if len(c) == 0:
        return 0
    # cheapest by the pairs' own points; where walks cost nothing, by the walk all the same
    # (see guided_repair): a near helper fits an evening more easily
    order = np.lexsort((c.distance_m, c.cost, c.role, c.demand))
    keys = c.demand[order].astype(np.int64) * 1024 + c.role[order]
    starts = np.r_[0, np.flatnonzero(np.diff(keys)) + 1]
    sizes = np.diff(np.r_[starts, len(order)])
    rank = np.arange(len(order)) - np.repeat(starts, sizes)
    tiers = []
    for k in keys[starts].tolist():
        demand = problem.demands[k // 1024]
        role = demand.roles[k % 1024]
        tiers.append((role.min_count, role.max_count, *rules.head_values(demand, role, weights)))
    low, high, essential, extra = np.repeat(np.array(tiers, dtype=np.int64), sizes, axis=0).T
    head = np.where(rank < low, essential, np.where(rank < high, extra, 0))
    gain = np.where(rank < high, head - c.cost[order], 0)
    people = np.unique(c.person)
    quarter = sum(
        rules.quarter_behind_bonus(problem.people[int(p)], problem.settings) for p in people
    )
    return int(np.maximum(gain, 0).sum()) + quarter


def trivial_bound(c: Candidates | Problem) -> int:
    """Every head filled and every bonus earned, no walk and no load: true of any week."""
    problem = c if isinstance(c, Problem) else c.problem
    weights = problem.settings.weights
    heads = bonus = 0
    for demand in problem.demands:
        for role in demand.roles:
            essential, extra = rules.head_values(demand, role, weights)
            heads += essential * role.min_count + extra * (role.max_count - role.min_count)
            bonus += role.max_count * (weights.preference + weights.continuity + weights.stability)
            bonus += role.max_count * (weights.regular_crew if demand.regulars else 0)
    quarter = sum(rules.quarter_behind_bonus(p, problem.settings) for p in problem.people)
    return heads + bonus + quarter


def finish(
    c: Candidates,
    bookings: list[Booking],
    *,
    bound: int,
    started: float,
    stats: dict[str, float | int | str],
    method: str,
    held: Mapping[int, Sequence[Held]] | None = None,
    week_tasks: Mapping[int, int] | None = None,
) -> Solution:
    """The week scored and explained. ``held``: tasks people have outside this problem (a
    city's other parts), which take their time and count against their caps in the reasons;
    ``week_tasks``: see ``evaluate``."""
    table = Timetable(c)
    for p, tasks in (held or {}).items():
        for task in tasks:
            table.hold(p, task)
    for b in bookings:
        table.book(b.pair, b.start)
    breakdown = evaluate(c, bookings, week_tasks=week_tasks)
    objective = sum(breakdown.values())
    problem = c.problem
    assignments = tuple(
        Assignment(
            person_id=problem.people[int(c.person[b.pair])].id,
            demand_id=problem.demands[int(c.demand[b.pair])].id,
            role=int(c.role[b.pair]),
            start=b.start,
            end=b.start + problem.demands[int(c.demand[b.pair])].duration,
            distance_m=round(float(c.distance_m[b.pair]), 1),
            pinned=bool(c.pinned[b.pair]),
            reasons=explain.explain_booking(c, table, b),
        )
        for b in sorted(
            bookings, key=lambda b: (b.start, int(c.demand[b.pair]), int(c.person[b.pair]))
        )
    )
    gaps = tuple(explain.explain_gaps(c, table))
    if not problem.demands:
        status = "empty"
    elif objective >= bound:
        status = "optimal"
    else:
        status = "feasible"
    stats["method"] = method
    return Solution(
        status=status,
        assignments=assignments,
        gaps=gaps,
        objective=objective,
        bound=max(bound, objective),
        breakdown=breakdown,
        weighted_coverage=breakdown["coverage"] / problem.settings.weights.coverage,
        wall_time_s=round(time.perf_counter() - started, 3),
        stats=stats,
        warnings=tuple(c.warnings),
    )
