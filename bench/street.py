"""Benchmark: a street week of about 300,000 eligible pairs, step by step.

The week is a generated street (``scenarios.generate``, kind "street") of 16 communities,
seed 1: 5,150 people, 2,196 demands, 292,008 eligible pairs. ``--fixed-only`` drops its wishes,
leaving the posts and activities (fixed times). The script times each step of the solver on its
own (candidates, the flow network, the flow, the repair, pricing), then one whole ``solve``,
all in one process, and prints both the wall clock and the CPU time of this process: on a
shared machine the wall clock also counts the time other work held the cores.

    python -m bench.street [--communities 16] [--seed 1] [--time-limit 30] [--fixed-only]
                           [--equal-length MINUTES]

``--equal-length 120`` makes every post's shift and activity two hours long, as on the weeks
of equal-length posts where the flow alone is exact (no hour cap then binds more than the task
cap); with ``--fixed-only --communities 36`` that is a street of about 300,000 such pairs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from matcher.domain import Problem


def street_week(
    communities: int, seed: int, fixed_only: bool, equal_length: int | None = None
) -> Problem:
    """The generated street, read as a ``Problem`` (through the scenario loader).
    ``equal_length``: every post's shift and activity takes that many minutes from its start."""
    from matcher.domain import Window
    from scenarios.generate import generate
    from scenarios.load import parse_scenario

    data = generate(kind="street", seed=seed, communities=communities)
    if fixed_only:
        data["wishes"] = []
    problem = parse_scenario(data)
    if equal_length is None:
        return problem
    demands = tuple(
        d
        if d.flexible
        else replace(
            d, window=Window(d.window.start, d.window.start + equal_length), duration=equal_length
        )
        for d in problem.demands
    )
    return replace(problem, demands=demands)


def timed(label: str, rows: list[tuple[str, float, float]], work: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    rows.append((label, time.perf_counter() - wall, time.process_time() - cpu))
    return out


def steps(problem: Problem) -> list[tuple[str, float, float]]:
    """Each step of the pipeline on its own, in order (the same calls ``solve`` makes)."""
    from matcher.candidates import build_candidates
    from matcher.flow import build_flow, lagrangian_bound
    from matcher.greedy import repair
    from matcher.solver import load_tiers
    from matcher.timetable import evaluate

    rows: list[tuple[str, float, float]] = []
    c = timed("candidates", rows, lambda: build_candidates(problem))
    graph = timed("flow network", rows, lambda: build_flow(c, load_tiers(c)))
    flow = timed("flow solve", rows, graph.solve)
    best = timed("repair", rows, lambda: repair(c, flow.chosen))
    value = sum(evaluate(c, best).values())
    if value < flow.bound:
        timed(
            "pricing",
            rows,
            lambda: lagrangian_bound(c, graph, flow, value, problem.settings.time_limit_s / 4),
        )
    return rows


def whole(problem: Problem) -> tuple[float, float, Any]:
    from matcher.solver import solve

    wall, cpu = time.perf_counter(), time.process_time()
    solution = solve(problem)
    return time.perf_counter() - wall, time.process_time() - cpu, solution


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--fixed-only", action="store_true")
    parser.add_argument("--equal-length", type=int, default=None, metavar="MINUTES")
    args = parser.parse_args(argv)
    problem = street_week(args.communities, args.seed, args.fixed_only, args.equal_length)
    problem = replace(
        problem, settings=replace(problem.settings, time_limit_s=args.time_limit, seed=0)
    )
    print(f"people {len(problem.people)}, demands {len(problem.demands)}")
    print("| step | wall s | cpu s |\n|---|---|---|")
    for label, wall, cpu in steps(problem):
        print(f"| {label} | {wall:.2f} | {cpu:.2f} |")
    wall, cpu, solution = whole(problem)
    print(f"| whole solve | {wall:.2f} | {cpu:.2f} |")
    print(
        f"pairs {solution.stats.get('pairs')}, status {solution.status}, objective "
        f"{solution.objective:,}, bound {solution.bound:,}, gap {solution.gap:.2%}"
    )
    print({k: v for k, v in solution.stats.items() if k.endswith("seconds") or k == "method"})


if __name__ == "__main__":
    main()
