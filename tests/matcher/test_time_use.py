"""The time given is used: an unproven CP-SAT round is followed by another, and pricing that
stops lowering the bound hands its time back."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from matcher import flow, solver
from matcher.candidates import Candidates, build_candidates
from matcher.domain import Problem, Weights
from matcher.flow import STALLED_ROUNDS, FlowGraph, FlowResult, build_flow, lagrangian_bound
from matcher.greedy import repair
from matcher.solver import guided_repair, load_tiers
from matcher.timetable import Booking, Timetable, evaluate, weighted_coverage
from tests.support.weeks import brute_force_best, random_week


def week_with_a_gap(people: int = 12, demands: int = 14) -> Problem:
    """A random week whose repaired flow answer is below the flow bound: the search runs."""
    for seed in range(40):
        problem = random_week(seed, people=people, demands=demands)
        c = build_candidates(problem)
        first = build_flow(c, load_tiers(c)).solve()
        if sum(evaluate(c, repair(c, first.chosen)).values()) < first.bound:
            return problem
    raise AssertionError("no random week with a gap")


def test_an_unproven_neighbourhood_round_is_followed_by_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every week counts as large here, and no round is ever proven: before, the search stopped
    # after the first round; now it widens the neighbourhood or tries again from the best week
    problem = week_with_a_gap()
    problem = replace(problem, settings=replace(problem.settings, time_limit_s=5.0))
    monkeypatch.setattr(solver, "FULL_MODEL_PAIRS", 1)
    # no relaxation: on this week its bound is met in the round on its pairs, leaving no gap
    monkeypatch.setattr(solver, "RELAXATION_SHARE", 0.0)
    rounds: list[tuple[int, int]] = []
    real = solver.improve_by_parts

    def unproven(
        c: Candidates,
        best: list[Booking],
        relaxed: np.ndarray,
        pairs: np.ndarray,
        deadline: float,
        attempt: int = 0,
        guide: Candidates | None = None,
        large: bool = False,
    ) -> solver.Improvement:
        outcome = real(c, best, relaxed, pairs, deadline, attempt, guide, large)
        rounds.append((len(pairs), attempt))
        return replace(outcome, proved=False, bound=outcome.bound + 10**6)

    monkeypatch.setattr(solver, "improve_by_parts", unproven)
    week = solver.solve(problem)
    assert len(rounds) >= 2
    second = rounds[1]
    assert second[0] > rounds[0][0] or second[1] > rounds[0][1]
    assert week.stats["cp_sat_rounds"] == len(rounds)


def test_a_proven_round_in_the_widest_neighbourhood_ends_the_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = week_with_a_gap()
    monkeypatch.setattr(solver, "FULL_MODEL_PAIRS", 1)
    monkeypatch.setattr(solver, "PRUNED_PER_HEAD", 10**6)  # the first neighbourhood is all
    monkeypatch.setattr(solver, "RELAXATION_SHARE", 0.0)  # no relaxation round before it
    week = solver.solve(problem)
    assert week.stats.get("cp_sat_rounds") == 1


def test_pricing_stops_when_the_bound_stops_falling(monkeypatch: pytest.MonkeyPatch) -> None:
    # a week where the relaxed answer breaks a priced rule, so pricing has work to do
    for seed in range(30):
        c = build_candidates(random_week(seed, people=6, demands=10))
        graph = build_flow(c, load_tiers(c))
        first = graph.solve()
        value = sum(evaluate(c, repair(c, first.chosen)).values())
        if len(lagrangian_bound(c, graph, first, value, seconds=60.0)[1]) > STALLED_ROUNDS:
            break
    else:
        raise AssertionError("no random week where pricing runs")
    calls: list[int] = []
    real = FlowGraph.solve

    def never_lower(self: FlowGraph, *args: object, **kwargs: object) -> FlowResult:
        calls.append(1)
        result = real(self, *args, **kwargs)  # type: ignore[arg-type]
        return replace(result, bound=first.bound)

    monkeypatch.setattr(FlowGraph, "solve", never_lower)
    best, answers = lagrangian_bound(c, graph, first, value, seconds=60.0)
    assert len(calls) == STALLED_ROUNDS < flow.LAGRANGIAN_ROUNDS
    assert len(answers) == STALLED_ROUNDS
    assert best.bound == first.bound


def test_the_flow_solution_has_no_pair_twice() -> None:
    # the rounds above repair the relaxed answers: they stay sets of distinct pairs
    problem = week_with_a_gap()
    c = build_candidates(problem)
    chosen = build_flow(c, load_tiers(c)).solve().chosen
    assert len(np.unique(chosen)) == len(chosen)


COVERAGE_ONLY = Weights(
    walk_per_km=0, load_step=0, behind_quarter=0, preference=0, continuity=0, stability=0
)


def test_coverage_only_weights_get_a_week_led_by_short_walks() -> None:
    # a wish-heavy generated week: with nothing but coverage in the objective the flow's answer
    # piles far-apart wishes on people whose evenings cannot hold them; the week led by the
    # usual walk and load costs covers more, scored by coverage alone
    from bench.wishes import wish_heavy_week
    from scenarios.load import parse_scenario

    problem = parse_scenario(wish_heavy_week(2), "wish-heavy 2")
    assert guided_repair(build_candidates(problem)) is None  # the usual weights lead already
    problem = replace(problem, settings=replace(problem.settings, weights=COVERAGE_ONLY))
    c = build_candidates(problem)
    plain = repair(c, build_flow(c, load_tiers(c)).solve().chosen)
    led = guided_repair(c)
    assert led is not None
    table = Timetable(c)
    for b in sorted(led, key=lambda b: b.start):
        assert table.fits(b.pair, b.start)
        table.book(b.pair, b.start)
    assert weighted_coverage(c, led) > weighted_coverage(c, plain)


def test_reflow_finds_a_better_week_that_keeps_every_hard_rule() -> None:
    # a wish-heavy generated week: the repair of the flow's answer drops group wishes whose
    # helpers cannot meet; the flow, steered away from what was dropped, gives a better week
    import time

    from bench.wishes import wish_heavy_week
    from scenarios.load import parse_scenario
    from tests.support.hard_rules import broken_rules

    problem = parse_scenario(wish_heavy_week(2), "wish-heavy 2")
    c = build_candidates(problem)
    graph = build_flow(c, load_tiers(c))
    answer = graph.solve().chosen
    first = repair(c, answer)
    value = sum(evaluate(c, first).values())
    best, rounds = solver.reflow(c, c, graph, (answer, first), first, time.perf_counter() + 60)
    assert rounds > 0
    assert sum(evaluate(c, best).values()) > value
    week = solver.finish(c, best, bound=10**9, started=0.0, stats={}, method="test")
    assert broken_rules(problem, week) == []


def test_reflow_leaves_the_bound_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # the re-flow's costs price nothing a valid week must obey: the bound is the same with it
    # as without it
    problem = week_with_a_gap()
    monkeypatch.setattr(solver, "FULL_MODEL_PAIRS", 1)
    monkeypatch.setattr(solver, "MAX_MODEL_PAIRS", 0)  # no CP-SAT round: the flow's bound
    monkeypatch.setattr(solver, "RELAXATION_SHARE", 0.0)  # the re-flow leads, not the relaxation
    with_reflow = solver.solve(problem)
    monkeypatch.setattr(solver, "REFLOW_SHARE", 0.0)
    without = solver.solve(problem)
    assert int(with_reflow.stats["reflow_rounds"]) > 0 == int(without.stats["reflow_rounds"])
    assert with_reflow.bound == without.bound
    assert with_reflow.objective >= without.objective


@pytest.mark.parametrize("seed", range(6))
def test_coverage_only_search_keeps_an_honest_bound(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with coverage-only weights CP-SAT's first rounds are built with the usual walk and load
    # costs; only the real weights' bound may count, so it never falls below the true optimum.
    # Here the leading costs outweigh every head, so a led round's bound is far too low
    monkeypatch.setattr(solver, "Weights", lambda: Weights(walk_per_km=10**5, load_step=10**5))
    problem = random_week(seed, people=3, demands=4)
    problem = replace(problem, settings=replace(problem.settings, weights=COVERAGE_ONLY))
    best = brute_force_best(problem)
    week = solver.solve(problem)
    assert week.objective <= best <= week.bound
    assert week.status != "optimal" or week.objective == best


def test_coverage_only_rounds_are_led_then_real(monkeypatch: pytest.MonkeyPatch) -> None:
    # a small week with a gap, coverage only: the whole model is first built with the usual walk
    # cost, then with the real weights, whose bound is the one reported
    problem = week_with_a_gap()
    problem = replace(
        problem,
        settings=replace(problem.settings, weights=COVERAGE_ONLY, time_limit_s=5.0),
    )
    built: list[int] = []
    real = solver.build_model

    def spy(c: Candidates, pairs: np.ndarray, long_tasks: bool = False) -> object:
        built.append(c.problem.settings.weights.walk_per_km)
        return real(c, pairs, long_tasks=long_tasks)

    monkeypatch.setattr(solver, "build_model", spy)
    week = solver.solve(problem)
    assert built[0] == Weights().walk_per_km
    assert built[-1] == 0
    assert week.objective <= week.bound


def test_parts_a_relaxed_answer_does_not_rank_are_still_searched() -> None:
    # an answer that bounds nothing (a priced flow's, a neighbourhood relaxation's) may show no
    # part short of it: before, the search then stopped with its time unused. Here the relaxed
    # answer is empty, so no part is short of it.
    problem = week_with_a_gap()
    c = build_candidates(problem)
    week = repair(c, build_flow(c, load_tiers(c)).solve().chosen)
    value = sum(evaluate(c, week).values())
    exact = solver.solve(problem)  # a small week: every pair in CP-SAT, proven
    assert exact.status == "optimal" and exact.objective > value
    nothing, every = np.zeros(0, dtype=np.int64), np.arange(len(c))
    # an unpriced flow's answer bounds each part: a part that meets it is left alone
    left_alone = solver.improve_by_parts(c, week, nothing, every, time.perf_counter() + 30)
    assert left_alone.solved == 0
    searched = solver.improve_by_parts(
        c, week, nothing, every, time.perf_counter() + 30, large=True
    )
    assert searched.solved == searched.parts > 0 and searched.proved
    assert sum(evaluate(c, searched.bookings).values()) == exact.objective
    assert searched.bound >= exact.objective
