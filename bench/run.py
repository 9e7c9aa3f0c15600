"""Benchmark: greedy vs plain CP-SAT vs Tongxin's solver on the bundled scenarios.

Each run happens in a fresh process so its peak memory is its own. Every method is run
``repeat`` times in one sitting and the table shows medians, because this machine is shared and
noisy: compare the rows with each other, not with another day's table.

    python -m bench.run [--time-limit S] [--repeat N] [--scenario hongguang ...]
    python -m bench.run --city     (a generated city in one piece vs in parts: bench/city.py)
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bench.memory import peak_mb

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_LIMITS = {"hongguang": 2.0, "luodong": 2.0, "fenghuang": 30.0}
METHODS = ("greedy", "cp-sat default", "tongxin")


def run_once(scenario: str, method: str, time_limit: float) -> dict[str, float | int | str]:
    """Runs in a child process: load, solve, measure."""
    from matcher.solver import solve, solve_greedy, solve_plain_cp_sat
    from scenarios.load import load_scenario

    problem = load_scenario(SCENARIOS / f"{scenario}.json")
    problem = replace(problem, settings=replace(problem.settings, time_limit_s=time_limit, seed=0))
    solver = {"greedy": solve_greedy, "cp-sat default": solve_plain_cp_sat, "tongxin": solve}[
        method
    ]
    solution = solver(problem)
    tasks: dict[str, int] = {}
    for a in solution.assignments:
        tasks[a.person_id] = tasks.get(a.person_id, 0) + 1
    heads = sum(r.max_count for d in problem.demands for r in d.roles)
    return {
        "coverage": solution.weighted_coverage,
        "filled": len(solution.assignments),
        "heads": heads,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "walk_km": sum(a.distance_m for a in solution.assignments) / 1000,
        "max_tasks": max(tasks.values(), default=0),
        "mean_tasks": statistics.fmean(tasks.values()) if tasks else 0.0,
        "seconds": solution.wall_time_s,
        "peak_mb": peak_mb(),
        "status": solution.status,
    }


def measure(
    scenario: str, method: str, time_limit: float, repeat: int
) -> dict[str, float | int | str]:
    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(repeat):
        with context.Pool(1) as pool:
            runs.append(pool.apply(run_once, (scenario, method, time_limit)))
    out = dict(runs[0])
    for key in (
        "coverage",
        "objective",
        "bound",
        "gap",
        "walk_km",
        "seconds",
        "peak_mb",
        "mean_tasks",
        "max_tasks",
        "filled",
    ):
        out[key] = statistics.median(float(r[key]) for r in runs)
    return out


def table(rows: list[tuple[str, str, float, dict[str, float | int | str]]]) -> str:
    head = (
        "| scenario | method | limit s | weighted coverage | filled / heads | objective | proven bound "
        "| gap | walk km | tasks max / mean | wall s | peak MB |"
    )
    lines = [head, "|" + "---|" * 12]
    for scenario, method, limit, r in rows:
        lines.append(
            f"| {scenario} | {method} | {limit:g} | {float(r['coverage']):,.1f} | {int(float(r['filled']))} / {r['heads']} "
            f"| {int(float(r['objective'])):,} | {int(float(r['bound'])):,} | {100 * float(r['gap']):.2f}% "
            f"| {float(r['walk_km']):,.1f} | {int(float(r['max_tasks']))} / {float(r['mean_tasks']):.2f} "
            f"| {float(r['seconds']):.2f} | {float(r['peak_mb']):,.0f} |"
        )
    return "\n".join(lines)


def main(
    time_limit: float | None = None, scenarios: Sequence[str] | None = None, repeat: int = 3
) -> None:
    rows = []
    for scenario in scenarios or ("hongguang", "fenghuang"):
        limit = time_limit if time_limit is not None else DEFAULT_LIMITS.get(scenario, 10.0)
        for method in METHODS:
            result = measure(scenario, method, limit, repeat)
            rows.append((scenario, method, limit, result))
            print(
                f"{scenario:10s} {method:15s} gap {100 * float(result['gap']):6.2f}%  {float(result['seconds']):6.2f} s",
                flush=True,
            )
    print()
    print(f"medians of {repeat} runs each")
    print(table(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", action="append")
    parser.add_argument("--city", action="store_true", help="the city benchmark (bench/city.py)")
    args = parser.parse_args()
    if args.city:
        from bench import city

        city.main(time_limit=args.time_limit or city.DEFAULT_TIME_LIMIT, repeat=args.repeat)
    else:
        main(args.time_limit, args.scenario, args.repeat)
