"""Every bundled scenario solves to a week that keeps every hard rule, checked from the
scenario's own terms (``tests/support/hard_rules.py``) — independently of the matcher's rule
code."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from matcher import solve
from scenarios.load import load_scenario
from tests.matcher.group_rules import every_rule_broken
from tests.support.hard_rules import broken_rules, metres

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize(("name", "seconds"), [("hongguang", 3), ("luodong", 3), ("fenghuang", 6)])
def test_bundled_scenarios_solve_within_every_hard_rule(name: str, seconds: float) -> None:
    problem = load_scenario(SCENARIOS / f"{name}.json")
    problem = replace(problem, settings=replace(problem.settings, time_limit_s=seconds))
    solution = solve(problem)
    assert solution.assignments
    assert every_rule_broken(problem, solution) == []
    assert solution.objective <= solution.bound
    assert sum(solution.breakdown.values()) == solution.objective
    gap_ids = {g.demand_id for g in solution.gaps}
    assert all(g.reason.zh and g.reason.en for g in solution.gaps)
    filled: defaultdict[tuple[str, int], int] = defaultdict(int)
    for a in solution.assignments:
        filled[(a.demand_id, a.role)] += 1
    for d in problem.demands:
        for r, role in enumerate(d.roles):
            if filled[(d.id, r)] < role.max_count:
                assert d.id in gap_ids  # every head left open is explained


def test_the_checker_catches_a_broken_week() -> None:
    problem = load_scenario(SCENARIOS / "luodong.json")  # spread out: some live far away
    problem = replace(problem, settings=replace(problem.settings, time_limit_s=3))
    solution = solve(problem)
    first = solution.assignments[0]
    place = next(d.location for d in problem.demands if d.id == first.demand_id)
    far = max(problem.people, key=lambda p: metres(p.home, place))
    tampered = (
        replace(first, start=first.start - 7 * 60, end=first.end - 7 * 60),  # off the clock
        replace(first, person_id=far.id),  # someone else, far away
        *solution.assignments[1:],
        solution.assignments[1],  # the same task twice
    )
    broken = broken_rules(problem, replace(solution, assignments=tampered))
    assert any(b.startswith("not free") or b.startswith("time outside") for b in broken)
    assert any(b.startswith("radius") for b in broken)
    assert any(b.startswith("twice on one demand") for b in broken)
