"""Benchmark: what one part's preparation costs in a Dask worker against a plain process.

The work is fixed, not bounded by a time limit: the candidate pairs and the flow over the
first part of a city and its strip (``build_candidates`` and ``solve_flow``, as ``solve_part``
does for the part's bound), done twice. It runs in this process, then as a task on a worker as a
nanny starts it (``LocalCluster``'s defaults: ``MALLOC_TRIM_THRESHOLD_``, the sampling
profiler), on such a worker after ``city.plain_allocator`` (as ``solve_city`` sets every
worker), and on a worker of ``city.local_cluster`` (no profiler) after it too, each worker in
a fresh one-worker cluster, in turns, ``repeat`` times.
The task thread's own processor time (user and system), page faults and voluntary switches
(waits: for the interpreter, among others) are measured where it runs, so they hold whatever
else the machine does; the wall time does not.

    python -m bench.dask_part [--communities 3] [--repeat 3]
    python -m bench.dask_part --scenario city.json
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WHERE = (
    "this process",
    "nanny's worker",
    "nanny's worker, plain_allocator",
    "local_cluster, plain_allocator",
)


def prepare_twice(part: Any) -> dict[str, float]:
    """The part's candidates and flow, twice, measured on the thread that runs them."""
    from matcher.candidates import build_candidates
    from matcher.flow import solve_flow
    from matcher.solver import load_tiers

    thread, process = (
        resource.getrusage(resource.RUSAGE_THREAD),
        resource.getrusage(resource.RUSAGE_SELF),
    )
    started = time.perf_counter()
    for _ in range(2):
        c = build_candidates(part.extended())
        solve_flow(c, load_tiers(c))
    wall = time.perf_counter() - started
    t, p = resource.getrusage(resource.RUSAGE_THREAD), resource.getrusage(resource.RUSAGE_SELF)
    own = t.ru_utime - thread.ru_utime + t.ru_stime - thread.ru_stime
    return {
        "wall": wall,
        "user": t.ru_utime - thread.ru_utime,
        "system": t.ru_stime - thread.ru_stime,
        "faults": t.ru_minflt - thread.ru_minflt,
        "waits": t.ru_nvcsw - thread.ru_nvcsw,
        "others": max(0.0, p.ru_utime - process.ru_utime + p.ru_stime - process.ru_stime - own),
    }


@contextmanager
def nanny_worker() -> Iterator[Any]:
    """One worker as a nanny starts it, with Dask's defaults."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        yield client


def on_worker(part: Any, where: str) -> dict[str, float]:
    from matcher.city import local_cluster, plain_allocator

    trim = os.environ.get("MALLOC_TRIM_THRESHOLD_")
    try:
        with local_cluster(1) if where == WHERE[3] else nanny_worker() as client:
            if where != WHERE[1]:
                client.run(plain_allocator)  # as solve_city does on every worker
            [scattered] = client.scatter([part])
            return dict(client.submit(prepare_twice, scattered, pure=False).result())
    finally:
        # a nanny leaves its workers' variable in this process's environment, and every
        # worker started after would inherit it
        if trim is None:
            os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)


def main(path: str, repeat: int) -> None:
    from matcher.split import split_problem, with_neighbours
    from scenarios.load import load_scenario

    problem = load_scenario(Path(path))
    part = with_neighbours(split_problem(problem), problem.locks)[0]
    del problem
    print(
        f"part 0: {len(part.problem.people):,} people, {len(part.neighbours):,} in its strip, "
        f"{len(part.problem.demands):,} demands; {repeat} turns"
    )
    runs: dict[str, list[dict[str, float]]] = {where: [] for where in WHERE}
    for turn in range(repeat):
        for where in WHERE:
            load = os.getloadavg()[0]
            run = prepare_twice(part) if where == WHERE[0] else on_worker(part, where)
            runs[where].append(run)
            print(
                f"turn {turn + 1} {time.strftime('%H:%M:%S')} load {load:.1f} {where:32s} "
                + " ".join(f"{k} {v:,.2f}" for k, v in run.items()),
                flush=True,
            )
    print()
    print(
        "| where | wall s | user s | system s | page faults | voluntary switches "
        "| other threads s |"
    )
    print("|" + "---|" * 7)
    for where, rs in runs.items():

        def median(key: str, rs: list[dict[str, float]] = rs) -> float:
            return statistics.median(r[key] for r in rs)

        print(
            f"| {where} | {median('wall'):.1f} | {median('user'):.2f} | {median('system'):.2f} "
            f"| {median('faults'):,.0f} | {median('waits'):,.0f} | {median('others'):.2f} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=3, help="of the Guiyang preset")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", help="a scenario file to run instead of generating one")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.scenario
        if path is None:
            from scenarios.generate import generate_preset, write_scenario

            path = str(Path(folder) / "city.json")
            write_scenario(
                generate_preset("guiyang", args.seed, communities=args.communities), path
            )
        main(path, args.repeat)
