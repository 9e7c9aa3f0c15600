"""Benchmark: a generated city in one piece vs split into parts, serially and on Dask.

Each run happens in a fresh process so that its peak memory is its own (on Dask, the workers'
peaks are added). Every method runs ``repeat`` times in one sitting and the table shows
medians. The gap is measured against the one-piece run's proven bound, which bounds every week
of the whole city.

    python -m bench.city [--communities 25] [--time-limit 20] [--repeat 3]
    python -m bench.city --preset guiyang --communities 3 --methods "split serial"
    python -m bench.run --city   (the same, with its defaults)

``--preset guiyang`` makes every community Guiyang-sized (about 5,700 people, see
``scenarios.generate.PRESETS``); ``--communities K`` runs the first K of its 93 communities, a
fraction of the city whose parts' times extrapolate to the whole (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

METHODS = ("one piece", "split serial", "split dask (2 workers)")
DEFAULT_COMMUNITIES = 25
DEFAULT_TIME_LIMIT = 20.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_once(path: str, method: str, time_limit: float) -> dict[str, float | str]:
    """Runs in a child process: load, solve, measure."""
    from matcher import solve
    from matcher.city import SERIAL, solve_city
    from scenarios.load import load_scenario

    problem = load_scenario(Path(path))
    problem = replace(problem, settings=replace(problem.settings, time_limit_s=time_limit, seed=0))
    workers_mb = 0.0
    started = time.perf_counter()
    if method == "one piece":
        solution = solve(problem)
    elif method == "split serial":
        solution = solve_city(problem, client=SERIAL)
    else:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            started = time.perf_counter()  # the cluster's start-up is not the solver's
            solution = solve_city(problem, client=client)
            workers_mb = sum(client.run(peak_mb).values())
    wall = time.perf_counter() - started
    return {
        "coverage": solution.weighted_coverage,
        "objective": solution.objective,
        "bound": solution.bound,
        "seconds": wall,
        "peak_mb": peak_mb() + workers_mb,
        "parts": str(solution.stats.get("parts", 1)),
    }


def report_once(conn: Connection, path: str, method: str, time_limit: float) -> None:
    conn.send(run_once(path, method, time_limit))
    conn.close()


def measure(path: str, method: str, time_limit: float, repeat: int) -> dict[str, float | str]:
    # a plain (non-daemonic) child, since the Dask run starts worker processes of its own
    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(repeat):
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=report_once, args=(send, path, method, time_limit))
        child.start()
        runs.append(receive.recv())
        child.join()
    out = dict(runs[0])
    for key in ("coverage", "objective", "bound", "seconds", "peak_mb"):
        out[key] = statistics.median(float(r[key]) for r in runs)
    return out


def table(rows: list[tuple[str, dict[str, float | str]]], city_bound: float | None) -> str:
    lines = [
        "| method | parts | wall s | weighted coverage | objective | gap to bound (one piece's if run) "
        "| own proven bound | peak MB |",
        "|" + "---|" * 8,
    ]
    for method, r in rows:
        bound = float(r["bound"]) if city_bound is None else city_bound
        gap = (bound - float(r["objective"])) / bound if bound > 0 else 0.0
        lines.append(
            f"| {method} | {r['parts']} | {float(r['seconds']):.1f} | {float(r['coverage']):,.1f} "
            f"| {int(float(r['objective'])):,} | {100 * gap:.2f}% | {int(float(r['bound'])):,} "
            f"| {float(r['peak_mb']):,.0f} |"
        )
    return "\n".join(lines)


def main(
    communities: int = DEFAULT_COMMUNITIES,
    time_limit: float = DEFAULT_TIME_LIMIT,
    repeat: int = 3,
    seed: int = 1,
    preset: str | None = None,
    methods: tuple[str, ...] = METHODS,
) -> None:
    from scenarios.generate import generate, generate_preset, write_scenario

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "city.json")
        started = time.perf_counter()
        if preset is not None:
            data = generate_preset(preset, seed, communities=communities)
        else:
            data = generate("city", seed, communities=communities)
        write_scenario(data, path)
        made = time.perf_counter() - started
        print(
            f"city: {communities} communities, {len(data['people'])} people, "
            f"generated and written in {made:.1f} s, "
            f"limit {time_limit:g} s, medians of {repeat} runs",
            flush=True,
        )
        del data
        rows = []
        for method in methods:
            result = measure(path, method, time_limit, repeat)
            rows.append((method, result))
            print(f"{method:24s} {float(result['seconds']):7.1f} s", flush=True)
    print()
    # the gap is measured against the one-piece bound when it ran, else against each run's own
    one_piece = [r for method, r in rows if method == "one piece"]
    print(table(rows, float(one_piece[0]["bound"]) if one_piece else None))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=DEFAULT_COMMUNITIES)
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--preset", choices=("guiyang",))
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help=f"comma-separated, of: {', '.join(METHODS)}",
    )
    args = parser.parse_args()
    chosen = tuple(m.strip() for m in args.methods.split(",") if m.strip())
    unknown = [m for m in chosen if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHODS)}")
    main(args.communities, args.time_limit, args.repeat, args.seed, args.preset, chosen)
