"""The linear relaxation of the whole model: its bound holds for every valid week (checked by
brute force), it sees what the flow does not, and on a large week it leads the search."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matcher import relaxation, solve, solver
from matcher.candidates import Candidates, build_candidates
from matcher.domain import Settings, WeeklyWindow, Weights
from matcher.flow import solve_flow
from matcher.relaxation import relax
from matcher.solver import load_tiers
from tests.matcher.group_rules import every_rule_broken
from tests.support.factories import make_person, make_problem, make_shift, make_wish, near
from tests.support.weeks import brute_force_best, random_week


@pytest.mark.parametrize("seed", range(20))
def test_the_relaxation_never_bounds_below_the_best_week(seed: int) -> None:
    problem = random_week(seed, people=3, demands=5)
    relaxed = relax(build_candidates(problem), seconds=30.0)
    assert relaxed is not None and relaxed.bound is not None
    assert relaxed.bound >= brute_force_best(problem)


def test_an_evening_holds_only_so_many_visits() -> None:
    # free on Monday from 18:00 until visiting hours end at 20:00; three one-hour wishes a walk
    # apart: one fits, two do not (60 + walk + 60 > 120)
    helper = make_person(
        "p1", skills=("水电维修",), home=near(0), availability=(WeeklyWindow(0, 18 * 60, 20 * 60),)
    )
    wishes = [
        make_wish(f"w{i}", first_day=0, last_day=0, location=near(300.0 * i)) for i in (1, 2, 3)
    ]
    problem = make_problem([helper], wishes)
    c = build_candidates(problem)
    flow_bound = solve_flow(c, load_tiers(c)).bound
    relaxed = relax(c, seconds=30.0)
    assert relaxed is not None and relaxed.bound is not None
    best = solve(problem)
    assert len(best.assignments) == 1 and best.status == "optimal"
    # the flow counts all three wishes; the relaxation one: each takes more than half the
    # evening, walk included, so at most one of them fits (``model.add_few_long_tasks``)
    head = 1000 * 3  # a wish's head: priority 3
    assert flow_bound > 2.5 * head
    assert best.objective <= relaxed.bound < 1.5 * head
    assert relaxed.share.sum() == pytest.approx(1.0)


def test_a_weekly_hours_cap_holds_only_so_many_posts() -> None:
    # four hours a week and three 90-minute posts on three days, no one else to take them: two
    # fit. The hours row alone would let the relaxation take 240 / 90 = 2.67 of them.
    member = make_person("p1", weekly_hours_cap=4.0)
    posts = [make_shift(f"s{day}", weekday=day, start="09:00", end="10:30") for day in (5, 6)]
    posts.append(make_shift("s0", weekday=0, start="19:00", end="20:30"))
    problem = make_problem([member], posts)
    c = build_candidates(problem)
    relaxed = relax(c, seconds=30.0)
    assert relaxed is not None and relaxed.bound is not None
    best = solve(problem)
    assert len(best.assignments) == 2 and best.status == "optimal"
    assert relaxed.share.sum() == pytest.approx(2.0)
    assert best.objective <= relaxed.bound < best.objective + 100


def test_a_large_week_is_led_by_its_relaxation(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = random_week(7, people=40, demands=60)
    problem = replace(problem, settings=Settings(time_limit_s=20.0))
    exact = solve(problem)  # small enough for the whole model: proven
    assert exact.status == "optimal"
    monkeypatch.setattr(solver, "FULL_MODEL_PAIRS", 0)  # as if it were a street
    led = solve(problem)
    assert "relaxation_bound" in led.stats and "reflow_rounds" not in led.stats
    assert led.bound >= exact.objective  # the bound holds
    assert led.bound <= int(led.stats["flow_bound"])
    assert led.objective <= exact.objective
    assert every_rule_broken(problem, led) == []


def test_with_coverage_only_the_led_relaxation_leads_and_its_bound_does_not_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = random_week(7, people=40, demands=60)
    coverage_only = Weights(walk_per_km=0, load_step=0, behind_quarter=0, preference=0)
    settings = Settings(time_limit_s=20.0, weights=coverage_only)
    problem = replace(problem, settings=settings)
    exact = solve(problem)
    assert exact.status == "optimal"
    monkeypatch.setattr(solver, "FULL_MODEL_PAIRS", 0)
    # its gap stays open (the flow's bound): the search uses the time given
    led = solve(replace(problem, settings=replace(settings, time_limit_s=3.0)))
    assert led.stats["relaxation_pairs"] and "relaxation_bound" not in led.stats
    assert led.bound >= exact.objective >= led.objective
    assert every_rule_broken(problem, led) == []


def test_a_neighbourhood_relaxation_leads_where_the_whole_would_not_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = random_week(7, people=40, demands=60)  # 1,233 pairs, a neighbourhood of 371
    exact = solve(replace(problem, settings=Settings(time_limit_s=20.0)))
    assert exact.status == "optimal"
    monkeypatch.setattr(solver, "FULL_MODEL_PAIRS", 0)
    # the whole week's relaxation would take far too long; a neighbourhood's, no time at all
    every_pair = len(build_candidates(problem))
    monkeypatch.setattr(
        relaxation,
        "seconds_for",
        lambda c, pairs=None: 10.0**6 if pairs is None or len(pairs) >= every_pair else 0.0,
    )
    seen: list[np.ndarray | None] = []
    real = relaxation.relax

    def recorded(c: Candidates, seconds: float, pairs: np.ndarray | None = None) -> object:
        seen.append(pairs)
        return real(c, seconds, pairs)

    monkeypatch.setattr(relaxation, "relax", recorded)
    led = solve(replace(problem, settings=Settings(time_limit_s=4.0)))
    (pairs,) = seen
    assert pairs is not None and 0 < len(pairs) < int(led.stats["pairs"])
    assert led.stats["relaxation_pairs"] and "relaxation_bound" not in led.stats
    assert led.bound >= exact.objective >= led.objective
    assert every_rule_broken(problem, led) == []


def test_a_neighbourhood_relaxation_bounds_nothing() -> None:
    problem = random_week(7, people=40, demands=60)
    c = build_candidates(problem)
    some = np.arange(0, len(c), 3)
    relaxed = relax(c, seconds=30.0, pairs=some)
    assert relaxed is not None and relaxed.bound is None
    assert set(relaxed.used()) <= set(some.tolist())


def test_a_relaxation_out_of_time_gives_nothing() -> None:
    c = build_candidates(random_week(7, people=40, demands=60))
    assert relax(c, seconds=0.0) is None
