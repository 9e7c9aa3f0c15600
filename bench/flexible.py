"""Benchmark: weeks with many flexible wishes, at 20 s and at 60 s.

Each week is a generated community or street (``scenarios.generate``) with three more wishes for
each of its own (``bench.wishes.with_more_wishes``: due on one to three days, mostly on
weekdays when in-service members are free only in the evening and house calls end at 20:00; 30
to 120 minutes; a third of them for two or three helpers, who come at one time). Each run is
one solve in a fresh process; the machine is shared, so a run's wall time also counts the time
other work held the cores (CPU-heavy steps are bounded by CP-SAT's deterministic limit, so the
answers move less than the wall time).

    python -m bench.flexible [--limits 20 60] [--weeks community:1 community:2 street:4:1]
    python -m bench.flexible --coverage-only   (every weight but coverage set to 0)

*Together* is the share of the staffed group wishes whose helpers all start at one time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

DEFAULT_WEEKS = ("community:1", "community:2", "street:4:1")


def flexible_week(week: str) -> dict[str, Any]:
    """``community:SEED`` or ``street:COMMUNITIES:SEED``, with the extra wishes."""
    from bench.wishes import with_more_wishes
    from scenarios.generate import generate

    kind, *numbers = week.split(":")
    if kind == "community":
        (seed,) = map(int, numbers)
        data = generate(kind="community", seed=seed)
    else:
        communities, seed = map(int, numbers)
        data = generate(kind="street", seed=seed, communities=communities)
    return with_more_wishes(data, seed, separate_visits=False)


def run_once(week: str, time_limit: float, coverage_only: bool) -> dict[str, Any]:
    """Runs in a child process: build the week, solve, measure."""
    from matcher import solve
    from matcher.domain import Weights
    from scenarios.load import parse_scenario

    problem = parse_scenario(flexible_week(week), week)
    weights = problem.settings.weights
    if coverage_only:
        weights = Weights(
            coverage=weights.coverage,
            extra_staff_fraction=weights.extra_staff_fraction,
            walk_per_km=0,
            load_step=0,
            behind_quarter=0,
            preference=0,
            continuity=0,
            stability=0,
        )
    settings = replace(problem.settings, time_limit_s=time_limit, seed=0, weights=weights)
    problem = replace(problem, settings=settings)
    cpu = time.process_time()
    solution = solve(problem)
    cpu = time.process_time() - cpu
    starts: dict[str, set[int]] = {}
    for a in solution.assignments:
        starts.setdefault(a.demand_id, set()).add(a.start)
    groups = [d for d in problem.demands if d.flexible and d.together]
    staffed = [d for d in groups if d.id in starts]
    return {
        "people": len(problem.people),
        "pairs": solution.stats.get("pairs", 0),
        "wishes": sum(d.flexible for d in problem.demands),
        "groups": len(groups),
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "coverage": solution.weighted_coverage,
        "seconds": solution.wall_time_s,
        "cpu": cpu,
        "staffed": len(staffed),
        "together": sum(len(starts[d.id]) == 1 for d in staffed),
        "rounds": solution.stats.get("cp_sat_rounds", 0),
    }


def measure(week: str, time_limit: float, coverage_only: bool) -> dict[str, Any]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return dict(pool.apply(run_once, (week, time_limit, coverage_only)))


def row(week: str, limit: float, r: dict[str, Any]) -> str:
    together = r["together"] / r["staffed"] if r["staffed"] else 1.0
    return (
        f"| {week} | {r['people']:,} | {r['pairs']:,} | {r['wishes']} | {r['groups']} | {limit:g} "
        f"| {r['status']} | {r['objective']:,} | {r['bound']:,} | {100 * r['gap']:.2f}% "
        f"| {r['coverage']:,.1f} | {r['seconds']:.1f} | {r['cpu']:.1f} | {r['rounds']} "
        f"| {r['together']}/{r['staffed']} ({100 * together:.0f}%) |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", nargs="+", default=list(DEFAULT_WEEKS))
    parser.add_argument("--limits", nargs="+", type=float, default=[20.0, 60.0])
    parser.add_argument("--coverage-only", action="store_true")
    args = parser.parse_args(argv)
    print(
        "| week | people | pairs | wishes | group wishes | limit s | status | objective "
        "| proven bound | gap | weighted coverage | wall s | cpu s | CP-SAT rounds | together |"
    )
    print("|" + "---|" * 15)
    for week in args.weeks:
        for limit in args.limits:
            print(row(week, limit, measure(week, limit, args.coverage_only)), flush=True)


if __name__ == "__main__":
    main()
