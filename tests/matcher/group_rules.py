"""The group-wish rule, checked from the problem's own terms like tests/support/hard_rules.py:
a wish with several heads comes at one start unless it allows separate visits."""

from __future__ import annotations

from collections import defaultdict

from matcher.domain import Problem, Solution
from tests.support.hard_rules import broken_rules


def apart(problem: Problem, solution: Solution) -> list[str]:
    """Group wishes whose helpers do not all come at one start."""
    starts: dict[str, set[int]] = defaultdict(set)
    for a in solution.assignments:
        starts[a.demand_id].add(a.start)
    return [
        f"group wish apart: {d.id}"
        for d in problem.demands
        if d.flexible and d.headcount > 1 and not d.separate_visits and len(starts[d.id]) > 1
    ]


def every_rule_broken(problem: Problem, solution: Solution) -> list[str]:
    """``broken_rules`` and the group-wish rule."""
    return broken_rules(problem, solution) + apart(problem, solution)
