"""Benchmark: wish-heavy weeks — tight evenings, 30–120 minute visits, group wishes.

Each week is a generated community (``scenarios.generate``, kind "community") with three more
wishes for every one it has: due on one to three days, mostly on weekdays (when in-service
members are free only in the evening, and house calls end at 20:00), of 30 to 120 minutes, a
third of them for two or three helpers. Each week is solved in a fresh process; the table
shows medians of ``repeat`` runs.

    python -m bench.wishes [--time-limit S] [--repeat N] [--seeds 1 2 3] [--separate-visits]

*Of them together* counts the staffed group wishes whose helpers all start at one time. With
``--separate-visits`` every group wish allows its helpers to come at different times (the rule
before group wishes came at once).
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import random
import statistics
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

DURATIONS = (30, 45, 60, 75, 90, 120)
HEADCOUNTS = (1, 1, 1, 1, 2, 2, 3)
EXTRA_WISHES = 3  # per wish of the generated week


def wish_heavy_week(seed: int, separate_visits: bool = False) -> dict[str, Any]:
    """A generated community with three more wishes for each of its own (see the module)."""
    from scenarios.generate import generate

    return with_more_wishes(generate(kind="community", seed=seed), seed, separate_visits)


def with_more_wishes(data: dict[str, Any], seed: int, separate_visits: bool) -> dict[str, Any]:
    """Three more wishes for each wish of a generated week (see the module)."""
    rng = random.Random(seed)
    monday = date.fromisoformat(data["week_start"])
    wishes = list(data["wishes"])
    for copy_no in range(EXTRA_WISHES):
        for wish in data["wishes"]:
            extra = copy.deepcopy(wish)
            extra["id"] = f"{wish['id']}-x{copy_no}"
            extra["beneficiary"]["id"] = f"{wish['beneficiary']['id']}-x{copy_no}"
            extra["location"] = {
                "lat": round(wish["location"]["lat"] + rng.uniform(-0.003, 0.003), 6),
                "lng": round(wish["location"]["lng"] + rng.uniform(-0.003, 0.003), 6),
            }
            first = rng.choice([0, 0, 1, 2, 3, 4, 5])  # weekdays mostly
            extra["earliest"] = (monday + timedelta(days=first)).isoformat()
            last = min(6, first + rng.randint(0, 2))
            extra["deadline"] = (monday + timedelta(days=last)).isoformat()
            extra["duration_minutes"] = rng.choice(DURATIONS)
            extra["headcount"] = rng.choice(HEADCOUNTS)
            wishes.append(extra)
    if separate_visits:
        for wish in wishes:
            if wish.get("headcount", 1) > 1:
                wish["separate_visits"] = True
    data["wishes"] = wishes
    return data


def run_once(
    seed: int, time_limit: float, separate_visits: bool = False
) -> dict[str, float | int | str]:
    """Runs in a child process: build the week, solve, measure."""
    from dataclasses import replace

    from matcher import solve
    from scenarios.load import parse_scenario

    problem = parse_scenario(wish_heavy_week(seed, separate_visits), f"wish-heavy {seed}")
    problem = replace(problem, settings=replace(problem.settings, time_limit_s=time_limit))
    solution = solve(problem)
    starts: dict[str, set[int]] = {}
    for a in solution.assignments:
        starts.setdefault(a.demand_id, set()).add(a.start)
    wishes = [d for d in problem.demands if d.flexible]
    groups = [d for d in wishes if d.headcount > 1]
    staffed = [d for d in groups if d.id in starts]
    filled = sum(1 for a in solution.assignments if a.demand_id in {d.id for d in wishes})
    return {
        "wishes": len(wishes),
        "wish_heads": sum(d.headcount for d in wishes),
        "groups": len(groups),
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "seconds": solution.wall_time_s,
        "filled": filled,
        "staffed": len(staffed),
        "together": sum(len(starts[d.id]) == 1 for d in staffed),
    }


def measure(
    seed: int, time_limit: float, repeat: int, separate_visits: bool = False
) -> dict[str, float | int | str]:
    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(repeat):
        with context.Pool(1) as pool:
            runs.append(pool.apply(run_once, (seed, time_limit, separate_visits)))
    out = dict(runs[0])
    for key in ("objective", "bound", "gap", "seconds", "filled", "staffed", "together"):
        out[key] = statistics.median(float(r[key]) for r in runs)
    out["status"] = "/".join(sorted({str(r["status"]) for r in runs}))
    return out


def table(rows: Sequence[tuple[int, dict[str, float | int | str]]]) -> str:
    lines = [
        "| week (seed) | wishes (heads) | group wishes | status | objective | proven bound | gap "
        "| wall s | wish heads filled | group wishes staffed | of them together |",
        "|" + "---|" * 11,
    ]
    for seed, r in rows:
        lines.append(
            f"| {seed} | {r['wishes']} ({r['wish_heads']}) | {r['groups']} | {r['status']} "
            f"| {int(float(r['objective'])):,} | {int(float(r['bound'])):,} "
            f"| {100 * float(r['gap']):.2f}% | {float(r['seconds']):.1f} "
            f"| {int(float(r['filled']))} | {int(float(r['staffed']))} "
            f"| {int(float(r['together']))} |"
        )
    return "\n".join(lines)


def main(
    time_limit: float = 20.0,
    repeat: int = 3,
    seeds: Sequence[int] = (1, 2, 3),
    separate_visits: bool = False,
) -> None:
    rows = []
    for seed in seeds:
        result = measure(seed, time_limit, repeat, separate_visits)
        rows.append((seed, result))
        print(f"seed {seed}: {result['status']}, gap {100 * float(result['gap']):.2f}%", flush=True)
    print()
    apart = ", group wishes with separate visits" if separate_visits else ""
    print(f"medians of {repeat} runs each, {time_limit:g} s limit{apart}")
    print(table(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--separate-visits", action="store_true")
    args = parser.parse_args()
    main(args.time_limit, args.repeat, args.seeds, args.separate_visits)
