"""Benchmark: standing pairs (结对帮扶) on the bundled street and on a generated city.

For each scenario: the households that need a pair (the must-visit registry), how many are
paired, the mean walk from the member's home, pairs per member (max / mean over members with
at least one), the proven gap (0: the min-cost flow's optimum is its own bound) and the wall
time of the pairing alone (reading the file is not counted). Medians of ``repeat`` runs.

    python -m bench.pairing [--repeat 3] [--city 93]   (--city 0 leaves the city out)
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from matcher.pairing import PairingProblem, PairingSolution, solve_pairing

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def measure(problem: PairingProblem, repeat: int) -> tuple[PairingSolution, float]:
    """The last solution and the median wall time of ``repeat`` solves."""
    times = []
    solution = solve_pairing(problem)
    times.append(solution.wall_time_s)
    for _ in range(repeat - 1):
        solution = solve_pairing(problem)
        times.append(solution.wall_time_s)
    return solution, statistics.median(times)


def row(name: str, problem: PairingProblem, solution: PairingSolution, seconds: float) -> str:
    per_member = Counter(p.person_id for p in solution.pairs)
    walks = [p.distance_m for p in solution.pairs]
    mean_walk = statistics.fmean(walks) if walks else 0.0
    most = max(per_member.values(), default=0)
    mean = statistics.fmean(per_member.values()) if per_member else 0.0
    members = sum(1 for p in problem.people if p.kind == "party_member")
    return (
        f"| {name} | {members} | {solution.needing} | {len(solution.pairs)} "
        f"| {mean_walk:.0f} m | {most} / {mean:.2f} | {solution.gap:.2%} | {seconds:.2f} s |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    from scenarios.generate import generate
    from scenarios.load import load_scenario_data, parse_pairing

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--city", type=int, default=93, help="communities of the city; 0: none")
    args = parser.parse_args(argv)

    cases = [
        ("红光社区 hongguang", load_scenario_data(SCENARIOS / "hongguang.json")),
        ("凤凰街道 fenghuang (86 grids)", load_scenario_data(SCENARIOS / "fenghuang.json")),
    ]
    if args.city:
        cases.append(
            (f"city ({args.city} communities)", generate("city", 5, communities=args.city))
        )
    print(
        "| scenario | party members | households needing a pair | paired | mean walk "
        "| pairs per member max / mean | proven gap | wall time |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, data in cases:
        problem = parse_pairing(data, name)
        solution, seconds = measure(problem, args.repeat)
        print(row(name, problem, solution, seconds), flush=True)


if __name__ == "__main__":
    main()
