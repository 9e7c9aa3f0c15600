"""Which CP-SAT parameters suit Tongxin's models on this machine's 2 cores?

Builds the exact model Tongxin's solver builds (hongguang: every pair; fenghuang: the pruned
neighbourhood of the first round), hints it with the repaired flow answer, and solves it under
each parameter set. Prints medians of ``repeat`` runs in one sitting.

    python -m bench.cp_sat_params [--repeat N] [--time-limit S]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import numpy as np
from ortools.sat.python import cp_model

from matcher.candidates import build_candidates
from matcher.flow import solve_flow
from matcher.greedy import repair
from matcher.model import add_hint, build_model
from matcher.solver import PRUNED_PER_HEAD, load_tiers, pruned_pairs
from scenarios.load import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
CONFIGS: dict[str, dict[str, int | bool]] = {
    "default (2 workers)": {},
    "2 workers, linearization 2": {"num_workers": 2, "linearization_level": 2},
    "1 worker, default": {"num_workers": 1},
    "1 worker, linearization 2": {"num_workers": 1, "linearization_level": 2},
    "1 worker, lin 2, no probing": {
        "num_workers": 1,
        "linearization_level": 2,
        "cp_model_probing_level": 0,
    },
    "1 worker, lin 2, no probing, 1 presolve pass (Tongxin)": {
        "num_workers": 1,
        "linearization_level": 2,
        "cp_model_probing_level": 0,
        "max_presolve_iterations": 1,
    },
}


def measure(
    scenario: str, repeat: int, time_limit: float
) -> list[tuple[str, str, float, float, float]]:
    problem = load_scenario(SCENARIOS / f"{scenario}.json")
    c = build_candidates(problem)
    flow = solve_flow(c, load_tiers(c))
    hint = repair(c, flow.chosen)
    used = np.union1d(flow.chosen, np.array([b.pair for b in hint], dtype=np.int64))
    pairs = np.arange(len(c)) if len(c) <= 40_000 else pruned_pairs(c, used, PRUNED_PER_HEAD)
    rows = []
    for name, params in CONFIGS.items():
        seconds, objectives, bounds, statuses = [], [], [], []
        for _ in range(repeat):
            built = build_model(c, pairs)
            add_hint(built, c, hint)
            solver = cp_model.CpSolver()
            for key, value in params.items():
                setattr(solver.parameters, key, value)
            solver.parameters.max_time_in_seconds = time_limit
            status = solver.solve(built.model)
            statuses.append(solver.status_name(status))
            seconds.append(solver.wall_time)
            objectives.append(solver.objective_value)
            bounds.append(solver.best_objective_bound)
        rows.append(
            (
                name,
                "/".join(sorted(set(statuses))),
                statistics.median(seconds),
                statistics.median(objectives),
                statistics.median(bounds),
            )
        )
    return rows


def main(repeat: int = 3, time_limit: float = 20.0) -> None:
    print(f"medians of {repeat} runs, {time_limit:g} s limit each")
    print("| model | parameters | status | wall s | objective | bound |")
    print("|---|---|---|---|---|---|")
    for scenario in ("hongguang", "fenghuang"):
        for name, status, seconds, objective, bound in measure(scenario, repeat, time_limit):
            print(
                f"| {scenario} | {name} | {status} | {seconds:.2f} | {objective:,.0f} | {bound:,.0f} |"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=20.0)
    args = parser.parse_args()
    main(args.repeat, args.time_limit)
