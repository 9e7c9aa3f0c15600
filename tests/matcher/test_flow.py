"""The flow relaxation and its Lagrangian tightening are upper bounds, checked by brute force."""

from __future__ import annotations

import pytest

from matcher.candidates import build_candidates
from matcher.flow import build_flow, lagrangian_bound
from matcher.greedy import repair
from matcher.solver import load_tiers
from matcher.timetable import evaluate
from tests.support.weeks import brute_force_best, random_week

SEEDS = range(30)


def bounds(seed: int) -> tuple[int, int, int]:
    problem = random_week(seed, people=3, demands=5)
    c = build_candidates(problem)
    graph = build_flow(c, load_tiers(c))
    first = graph.solve()
    repaired = sum(evaluate(c, repair(c, first.chosen)).values())
    priced, _ = lagrangian_bound(c, graph, first, repaired, seconds=5.0)
    return first.bound, priced.bound, brute_force_best(problem)


@pytest.mark.parametrize("seed", SEEDS)
def test_flow_and_priced_bounds_are_never_below_the_optimum(seed: int) -> None:
    flow_bound, priced_bound, best = bounds(seed)
    assert flow_bound >= best
    assert priced_bound >= best
    assert priced_bound <= flow_bound


def test_pricing_tightens_the_bound_somewhere() -> None:
    tightened = [s for s in SEEDS if (b := bounds(s))[1] < b[0]]
    assert tightened
