"""The flow relaxation and its Lagrangian tightening are upper bounds, checked by brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from matcher import solver
from matcher.candidates import Candidates, build_candidates
from matcher.flow import build_flow, clashes, lagrangian_bound, time_clusters
from matcher.greedy import repair
from matcher.solver import heads_bound, load_tiers, solve_greedy, trivial_bound
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


@pytest.mark.parametrize("seed", SEEDS)
def test_the_greedy_bound_is_never_below_the_optimum(seed: int) -> None:
    problem = random_week(seed, people=3, demands=5)
    c = build_candidates(problem)
    cheap = heads_bound(c)
    assert cheap >= brute_force_best(problem)
    # the flow sees more of the rules than one sort does; the trivial bound sees fewer
    assert build_flow(c, load_tiers(c)).solve().bound <= cheap <= trivial_bound(c)


def test_the_greedy_bound_is_tight_where_nobody_is_wanted_twice() -> None:
    # one demand: its best candidates are the answer, unless the quarter bonus of someone left
    # out or a load cost says otherwise; never the trivial "every bonus earned"
    weeks = [random_week(s, people=3, demands=1) for s in SEEDS]
    weeks = [w for w in weeks if len(build_candidates(w))]
    assert any(heads_bound(build_candidates(w)) == brute_force_best(w) for w in weeks)
    assert all(heads_bound(c := build_candidates(w)) < trivial_bound(c) for w in weeks)


def test_the_greedy_baseline_takes_its_bound_without_the_flow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_flow(*args: object, **kwargs: object) -> None:
        raise AssertionError("the greedy baseline built the flow")

    monkeypatch.setattr(solver, "build_flow", no_flow)
    monkeypatch.setattr(solver, "solve_flow", no_flow, raising=False)
    problem = random_week(5, people=3, demands=5)
    week = solve_greedy(problem)
    assert week.bound == max(heads_bound(build_candidates(problem)), week.objective)
    assert week.bound >= brute_force_best(problem)


def clusters_by_definition(c: Candidates) -> set[tuple[int, frozenset[int], int]]:
    """Each person's connected groups of clashing fixed demands that they cannot all do, with
    the most of each they can do: pair by pair, straight from the definition."""
    out = set()
    for p in set(c.person.tolist()):
        mine = sorted(
            {int(d) for d in c.demand[c.person == p] if not c.problem.demands[d].flexible}
        )
        groups = {d: {d} for d in mine}
        for a, b in itertools.combinations(mine, 2):
            if clashes(c, a, b) and groups[a] is not groups[b]:
                merged = groups[a] | groups[b]
                for d in merged:
                    groups[d] = merged
        for group in {frozenset(g) for g in groups.values() if len(g) > 1}:
            most = max(
                len(subset)
                for k in range(len(group) + 1)
                for subset in itertools.combinations(sorted(group), k)
                if not any(clashes(c, a, b) for a, b in itertools.combinations(subset, 2))
            )
            if most < len(group):
                out.add((p, group, most))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_time_clusters_are_the_clashing_groups_one_person_cannot_all_do(seed: int) -> None:
    c = build_candidates(random_week(seed, people=6, demands=12))
    cluster, capacity = time_clusters(c)
    found = set()
    for key, most in capacity.items():
        members = np.flatnonzero(cluster == key)
        (person,) = set(c.person[members].tolist())
        found.add((person, frozenset(c.demand[members].tolist()), most))
    assert found == clusters_by_definition(c)


def test_time_clusters_bind_somewhere() -> None:
    assert any(time_clusters(build_candidates(random_week(s, 6, 12)))[1] for s in range(8))


def test_walks_in_one_step_are_the_walks_one_by_one() -> None:
    c = build_candidates(random_week(2, people=4, demands=12))
    n = len(c.problem.demands)
    a, b = np.divmod(np.arange(n * n), n)
    fresh = build_candidates(random_week(2, people=4, demands=12))
    assert c.walks(a, b).tolist() == [fresh.walk(int(x), int(y)) for x, y in zip(a, b, strict=True)]


@pytest.mark.parametrize("seed", range(5))
def test_the_shortest_walk_is_the_least_of_the_walks(seed: int) -> None:
    c = build_candidates(random_week(seed, people=4, demands=12))
    rng = np.random.default_rng(seed)
    for size in (2, 3, 5, 12):
        demands = rng.choice(len(c.problem.demands), size=size, replace=False).tolist()
        pairs = itertools.combinations(demands, 2)
        assert c.shortest_walk(demands) == min(c.walk(x, y) for x, y in pairs)
