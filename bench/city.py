"""Benchmark: a generated city in one piece vs split into parts, serially and on Dask.

Each run happens in a fresh process so that its peak memory is its own; a Dask run's workers
report their own peaks. A watchdog sums the resident memory of the run's process and all its
children and stops the run past ``--max-gb`` (6 by default). Every method runs ``repeat``
times in one sitting and the table shows medians. The gap is measured against the one-piece
run's proven bound, which bounds every week of the whole city, when it ran.

    python -m bench.city [--communities 25] [--time-limit 20] [--repeat 3]
    python -m bench.city --preset guiyang --communities 10 --repeat 1
    python -m bench.city --scenario city.json --methods "split serial"
    python -m bench.city --dask-address tcp://10.0.0.5:8786 --methods "split dask"
    python -m bench.city --scenario city.json --no-bound   (the split without its own bound)
    python -m bench.run --city   (the same, with its defaults)

``--preset guiyang`` makes every community Guiyang-sized (about 5,700 people, see
``scenarios.generate.PRESETS``); ``--communities K`` runs the first K of its 93 communities, a
fraction of the city whose parts' times extrapolate to the whole (docs/benchmarks.md).
The split's rows also show the parts' critical path (the longest part) and their sum against
the wall time, the processor time the parts' threads had (which other work on the machine
does not inflate), the critical path (the longest part, or the parts' sum shared out among
the worker threads, whichever is longer: the parts' stage with no overhead), and the border
pass and the scoring and explaining after it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import threading
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.memory import peak_mb

METHODS = ("one piece", "split serial", "split dask")
DEFAULT_COMMUNITIES = 25
DEFAULT_TIME_LIMIT = 20.0
DEFAULT_WORKERS = 2
DEFAULT_MAX_GB = 6.0
#: the split's timings, as ``solve_city`` reports them in ``Solution.stats``
SPLIT_STATS = (
    "part_seconds_max",
    "part_seconds_sum",
    "part_cpu_seconds_sum",
    "parts_wall_seconds",
    "border_seconds",
    "finish_seconds",
)


def run_once(
    path: str, method: str, time_limit: float, workers: int, address: str | None, bound: bool
) -> dict[str, Any]:
    """Runs in a child process: load, solve, measure."""
    from matcher import solve
    from matcher.city import SERIAL, solve_city
    from scenarios.load import load_scenario

    problem = load_scenario(Path(path))
    problem = replace(problem, settings=replace(problem.settings, time_limit_s=time_limit, seed=0))
    loaded_mb = peak_mb()
    workers_mb: list[float] = []
    threads = 1  # the parts that can run at once
    started = time.perf_counter()
    if method == "one piece":
        solution = solve(problem)
    elif method == "split serial":
        solution = solve_city(problem, client=SERIAL, prove_bound=bound)
    else:
        from distributed import Client

        from matcher.city import local_cluster

        with Client(address) if address is not None else local_cluster(workers) as client:
            started = time.perf_counter()  # the cluster's start-up is not the solver's
            solution = solve_city(problem, client=client, prove_bound=bound)
            workers_mb = list(client.run(peak_mb).values())
            threads = sum(int(w["nthreads"]) for w in client.scheduler_info()["workers"].values())
    wall = time.perf_counter() - started
    out: dict[str, Any] = {
        "coverage": solution.weighted_coverage,
        "objective": solution.objective,
        "bound": solution.bound,
        "seconds": wall,
        "loaded_mb": loaded_mb,
        "peak_mb": peak_mb(),
        "worker_mb": max(workers_mb, default=0.0),
        "parts": str(solution.stats.get("parts", 1)),
        "concurrency": str(solution.stats.get("concurrency", 1)),
    }
    for key in SPLIT_STATS:
        out[key] = float(solution.stats.get(key, 0.0))
    # what the parts' stage would take with no overhead: the longest part, or their sum shared
    # out among the worker threads
    out["critical_path"] = max(out["part_seconds_max"], out["part_seconds_sum"] / threads)
    return out


def report_once(conn: Connection, *args: Any) -> None:
    conn.send(run_once(*args))
    conn.close()


def tree_rss_gb(pid: int) -> float:
    """Resident memory of a process and all its children, in GB."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**30


def watch(pid: int, max_gb: float, stop: threading.Event, seen: dict[str, float]) -> None:
    """Stop the run (and its workers) once they hold more than ``max_gb`` together."""
    import psutil

    while not stop.wait(0.5):
        gb = tree_rss_gb(pid)
        seen["gb"] = max(seen.get("gb", 0.0), gb)
        if gb > max_gb:
            seen["killed"] = gb
            root = psutil.Process(pid)
            for proc in [*root.children(recursive=True), root]:
                proc.kill()
            return


def measure(
    path: str,
    method: str,
    time_limit: float,
    repeat: int,
    workers: int,
    address: str | None,
    max_gb: float,
    bound: bool = True,
) -> dict[str, Any] | None:
    # a plain (non-daemonic) child, since the Dask run starts worker processes of its own
    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(repeat):
        receive, send = context.Pipe(duplex=False)
        child = context.Process(
            target=report_once, args=(send, path, method, time_limit, workers, address, bound)
        )
        child.start()
        send.close()
        stop, seen = threading.Event(), dict[str, float]()
        assert child.pid is not None
        watcher = threading.Thread(target=watch, args=(child.pid, max_gb, stop, seen))
        watcher.start()
        try:
            run = receive.recv()
        except EOFError:
            run = None
        stop.set()
        watcher.join()
        child.join()
        if run is None:
            print(f"{method}: stopped at {seen.get('killed', 0):.1f} GB (or failed)", flush=True)
            return None
        run["tree_gb"] = seen.get("gb", 0.0)
        runs.append(run)
    out = dict(runs[0])
    for key in ("coverage", "objective", "bound", "seconds", "peak_mb", "worker_mb", "tree_gb"):
        out[key] = statistics.median(float(r[key]) for r in runs)
    for key in (*SPLIT_STATS, "critical_path"):
        out[key] = statistics.median(float(r[key]) for r in runs)
    return out


def table(rows: list[tuple[str, dict[str, Any]]], city_bound: float | None) -> str:
    lines = [
        "| method | parts | cores | wall s | longest part s | parts' sum s | parts' CPU s "
        "| critical path s | parts' stage s "
        "| border s | scoring s | weighted coverage | objective | gap | own proven bound "
        "| client peak MB | worker peak MB | all processes GB |",
        "|" + "---|" * 18,
    ]
    for method, r in rows:
        bound = float(r["bound"]) if city_bound is None else city_bound
        gap = (bound - float(r["objective"])) / bound if bound > 0 else 0.0
        split = method != "one piece"

        def secs(key: str, r: dict[str, Any] = r, on: bool = split) -> str:
            return f"{float(r[key]):.1f}" if on else "–"

        worker = f"{float(r['worker_mb']):,.0f}" if float(r["worker_mb"]) else "–"
        lines.append(
            f"| {method} | {r['parts']} | {r['concurrency']} | {float(r['seconds']):.1f} "
            f"| {secs('part_seconds_max')} | {secs('part_seconds_sum')} "
            f"| {secs('part_cpu_seconds_sum')} | {secs('critical_path')} "
            f"| {secs('parts_wall_seconds')} | {secs('border_seconds')} "
            f"| {secs('finish_seconds')} | {float(r['coverage']):,.1f} "
            f"| {int(float(r['objective'])):,} | {100 * gap:.2f}% | {int(float(r['bound'])):,} "
            f"| {float(r['peak_mb']):,.0f} | {worker} | {float(r['tree_gb']):.2f} |"
        )
    return "\n".join(lines)


def main(
    communities: int = DEFAULT_COMMUNITIES,
    time_limit: float = DEFAULT_TIME_LIMIT,
    repeat: int = 3,
    seed: int = 1,
    preset: str | None = None,
    methods: tuple[str, ...] = METHODS,
    *,
    scenario: str | None = None,
    workers: int = DEFAULT_WORKERS,
    address: str | None = None,
    max_gb: float = DEFAULT_MAX_GB,
    bound: bool = True,
) -> None:
    from scenarios.generate import generate, generate_preset, write_scenario

    with tempfile.TemporaryDirectory() as folder:
        path = scenario or str(Path(folder) / "city.json")
        if scenario is None:
            started = time.perf_counter()
            if preset is not None:
                data = generate_preset(preset, seed, communities=communities)
            else:
                data = generate("city", seed, communities=communities)
            write_scenario(data, path)
            made = time.perf_counter() - started
            print(
                f"city: {communities} communities, {len(data['people'])} people, "
                f"generated and written in {made:.1f} s",
                flush=True,
            )
            del data
        where = f"at {address}" if address else f"{workers} local workers"
        print(f"{path}: limit {time_limit:g} s, medians of {repeat} runs, Dask on {where}")
        rows = []
        for method in methods:
            result = measure(path, method, time_limit, repeat, workers, address, max_gb, bound)
            if result is None:
                continue
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
    parser.add_argument("--scenario", help="a scenario file to run instead of generating one")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="local Dask workers")
    parser.add_argument("--dask-address", help="a running Dask scheduler, instead of local workers")
    parser.add_argument(
        "--max-gb", type=float, default=DEFAULT_MAX_GB, help="stop a run above this memory"
    )
    parser.add_argument(
        "--no-bound",
        action="store_true",
        help="split without the parts' second flow (prove_bound=False): the trivial bound",
    )
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
    main(
        args.communities,
        args.time_limit,
        args.repeat,
        args.seed,
        args.preset,
        chosen,
        scenario=args.scenario,
        workers=args.workers,
        address=args.dask_address,
        max_gb=args.max_gb,
        bound=not args.no_bound,
    )
