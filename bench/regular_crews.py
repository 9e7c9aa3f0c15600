"""Benchmark: regular crews (定点定时定人) over four drafted weeks, with and without the goal.

The bundled week of 红光社区 is drafted four times in a row. After each week, everyone's
``services_this_quarter`` grows by the tasks they got (so the quarter bonus pushes toward
rotation, as in a real quarter); with the goal on, every post is a regular-crew post and each
shift's ``regulars`` are the people who held it the week before. The table gives, for weeks
2–4, the share of shift seats held by the same person as the week before, and the weighted
coverage of the whole week (and its loss against the plain drafts).

    python -m bench.regular_crews [--time-limit S] [--weeks 4] [--scenario scenarios/hongguang.json]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import matcher
from matcher.domain import DemandKind, Problem, Solution

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def seats(problem: Problem, solution: Solution) -> set[tuple[str, str]]:
    """The shift seats of a week: (person, shift) pairs."""
    shifts = {d.id for d in problem.demands if d.kind == DemandKind.SHIFT}
    return {(a.person_id, a.demand_id) for a in solution.assignments if a.demand_id in shifts}


def next_week(problem: Problem, solution: Solution, regular: bool) -> Problem:
    """The week after: the quarter counts grown; with ``regular``, each shift's regulars."""
    tasks = Counter(a.person_id for a in solution.assignments)
    people = tuple(
        replace(p, services_this_quarter=p.services_this_quarter + tasks[p.id])
        for p in problem.people
    )
    held: dict[str, set[str]] = {}
    for person_id, demand_id in seats(problem, solution):
        held.setdefault(demand_id, set()).add(person_id)
    demands = tuple(
        replace(d, regulars=frozenset(held.get(d.id, ())) if regular else frozenset())
        for d in problem.demands
    )
    return replace(problem, people=people, demands=demands)


def drafts(base: Problem, weeks: int, regular: bool) -> list[tuple[Problem, Solution]]:
    out = []
    problem = base
    for _ in range(weeks):
        solution = matcher.solve(problem)
        out.append((problem, solution))
        problem = next_week(problem, solution, regular)
    return out


def kept_share(weeks: list[tuple[Problem, Solution]]) -> float:
    kept = total = 0
    for (p0, s0), (p1, s1) in itertools.pairwise(weeks):
        before, now = seats(p0, s0), seats(p1, s1)
        kept += len(before & now)
        total += len(now)
    return kept / total if total else 0.0


def main(argv: Sequence[str] | None = None) -> None:
    from scenarios.load import load_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--scenario", default=str(SCENARIOS / "hongguang.json"))
    args = parser.parse_args(argv)

    base = load_scenario(args.scenario)
    base = replace(base, settings=replace(base.settings, time_limit_s=args.time_limit))
    results = {}
    for name, regular in (("plain", False), ("regular crews", True)):
        weeks = drafts(base, args.weeks, regular)
        coverage = statistics.fmean(s.weighted_coverage for _, s in weeks[1:])
        gaps = max(s.gap for _, s in weeks)
        results[name] = (kept_share(weeks), coverage, gaps)
    plain_coverage = results["plain"][1]
    print(f"{base.name}: {args.weeks} drafted weeks, {args.time_limit:g} s each")
    print(
        "| drafts | seats kept week to week | weighted coverage (heads) | coverage lost | worst gap |"
    )
    print("|---|---|---|---|---|")
    for name, (kept, coverage, gap) in results.items():
        lost = (plain_coverage - coverage) / plain_coverage if plain_coverage else 0.0
        print(f"| {name} | {kept:.1%} | {coverage:.1f} | {lost:.2%} | {gap:.2%} |")


if __name__ == "__main__":
    main()
