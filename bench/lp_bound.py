"""Benchmark: how much of a week's gap is the bound's? The flow bound against the linear
relaxation of the whole CP-SAT model (``matcher.relaxation``), and the best week known.

The relaxation holds every rule of a valid week that a linear model can (a group wish's
helpers in one span of starts, a free stretch's packing, the caps), so where the best week lies
far below it, that distance is the search's or the integers', not the flow's.

    python -m bench.lp_bound [--weeks community:1 community:2 street:4:1] [--best 872394 …]

The weeks are ``bench.flexible``'s. ``--best`` (one per week) adds each bound's gap to the best
week known.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence


def measure(week: str) -> dict[str, float]:
    from bench.flexible import flexible_week
    from matcher.candidates import build_candidates
    from matcher.flow import solve_flow
    from matcher.relaxation import relax
    from matcher.solver import load_tiers
    from scenarios.load import parse_scenario

    problem = parse_scenario(flexible_week(week), week)
    c = build_candidates(problem)
    started = time.perf_counter()
    flow = solve_flow(c, load_tiers(c))
    flow_s = time.perf_counter() - started
    relaxed = relax(c, seconds=3600.0)
    if relaxed is None:
        raise RuntimeError("the relaxation was not solved")
    return {
        "pairs": len(c),
        "flow": flow.bound,
        "flow_s": flow_s,
        "relaxation": relaxed.bound,
        "relaxation_s": relaxed.seconds,
        "used": len(relaxed.used()),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", nargs="+", default=["community:1", "community:2", "street:4:1"])
    parser.add_argument("--best", nargs="+", type=int, default=[], help="best week known, per week")
    args = parser.parse_args(argv)
    print(
        "| week | pairs | flow bound | flow s | relaxation bound | relaxation s | pairs it uses "
        "| best week | gap to the flow bound | gap to the relaxation bound |"
    )
    print("|" + "---|" * 10)
    for i, week in enumerate(args.weeks):
        r = measure(week)
        best = args.best[i] if i < len(args.best) else None
        gaps = ["–", "–"]
        if best:
            gaps = [f"{(bound - best) / bound:.2%}" for bound in (r["flow"], r["relaxation"])]
        print(
            f"| {week} | {r['pairs']:,} | {r['flow']:,} | {r['flow_s']:.1f} | {r['relaxation']:,} "
            f"| {r['relaxation_s']:.1f} | {r['used']:,} | {f'{best:,}' if best else '–'} "
            f"| {gaps[0]} | {gaps[1]} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
