"""Solve a whole city's week: its street-sized parts side by side on Dask, then the border pass.

``solve_city(problem)`` splits the city into parts of whole communities
(``matcher.split.split_problem``), each with its strip of neighbours, solves each part with
``matcher.solve`` — on a Dask cluster when one is given or Dask is installed, else one after
another in this process — then fills what only a neighbour across a part's line can serve (the
border pass), scores and explains each part's share of the week where the part was solved, and
returns one explained ``Solution`` with a bound proven for the whole city.

Dask is imported only when it is used: ``pip install 'tongxin[city]'``. On Dask each part (its
problem and its strip, never the whole city) is sent to a worker once (``Client.scatter``) and
stays there for its second task, the scoring and explaining; the parts' results stream back as
they finish (``as_completed``), largest parts first so that the last to finish is a small one.

The time limit is shared: ``PARTS_SHARE`` of it for the parts' stage, ``BORDER_SHARE`` for the
border pass, the rest for scoring and explaining. The parts' stage is given ``cores ×
PARTS_SHARE × limit`` seconds of solving, where *cores* is how many parts can really run at
once (``parallel_cores``: on each machine, its worker threads but no more than the cores the
workers may use and the machine's load leaves free); each part gets its share of that by size,
but never more than the stage's wall time. So parts that share cores do not each spend a
multiple of the time: two workers on one free core get the serial limits. Every part gets the same problem and seed whichever worker
runs it, and results are merged in part order, so for the same cores the answer does not
depend on where a part ran.
"""

from __future__ import annotations

import ctypes
import os
import platform
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from matcher.candidates import check_locks
from matcher.domain import Assignment, Problem, Solution
from matcher.solver import solve
from matcher.split import (
    PART_PEOPLE,
    Part,
    PartResult,
    border_problem,
    finish_part,
    from_border,
    merge_parts,
    solve_part,
    split_problem,
    unique_warnings,
    with_neighbours,
)

if TYPE_CHECKING:
    from distributed import Client, Future

#: share of the time limit for the parts, and for the border pass; the rest scores and explains
PARTS_SHARE = 0.7
BORDER_SHARE = 0.2
MIN_PART_SECONDS = 1.0
MIN_BORDER_SECONDS = 0.5
#: a local cluster only pays with two workers or more besides this process
MIN_LOCAL_WORKERS = 2
#: ``client=SERIAL`` runs the parts one after another in this process, Dask or not
SERIAL = "serial"
#: glibc's ``mallopt`` parameters, and the ceilings its own dynamic thresholds rise to on 64 bits
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
#: the workers of a local cluster: one thread each (CP-SAT runs one search per part), no
#: sampling profiler (it takes the interpreter from the part 100 times a second), and not
#: Dask's ``MALLOC_TRIM_THRESHOLD_`` (see ``plain_allocator``), which the nanny would also
#: leave in this process's environment for every process it starts later
LOCAL_WORKERS_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1,
        "MKL_NUM_THREADS": 1,
        "OPENBLAS_NUM_THREADS": 1,
    },
}


@dataclass(frozen=True, slots=True)
class Finishing:
    """What a part needs, besides itself, to score and explain its share of the week."""

    index: int
    #: every booking on the part's demands
    assignments: tuple[Assignment, ...]
    #: (start, end) of the tasks its people and neighbours have in other parts
    elsewhere: dict[str, tuple[tuple[int, int], ...]]
    bound: int


class Runner(Protocol):
    """Where the parts run: ``kind`` ("serial" or "dask") and ``cores`` (parts at once)."""

    kind: str
    cores: int

    def solve(self, parts: Sequence[Part], prove_bound: bool) -> Iterator[PartResult]:
        """Each part's result, as it finishes."""
        ...

    def finish(self, jobs: Sequence[Finishing]) -> list[Solution]:
        """Each part's share of the week, in the order of ``jobs``."""
        ...


def solve_city(
    problem: Problem,
    *,
    client: Client | str | None = None,
    part_people: int = PART_PEOPLE,
    streets: Mapping[str, str] | None = None,
    border_pass: bool = True,
    prove_bound: bool = True,
) -> Solution:
    """Schedule a city's week in parts of whole communities, then across the parts' borders.

    ``client``: a ``distributed.Client``; a scheduler address to connect to; ``"serial"``; or
    None for a local cluster of one process per core but one, which is left to this process
    (serial when Dask is not installed or that would leave fewer than two workers).
    ``streets`` maps communities to streets when known: a street's communities form one part.
    ``prove_bound``: bound each part with its neighbours too (a second flow per part, about as
    long as the part's own preparation); without it the reported bound is the trivial one.
    """
    started = time.perf_counter()
    check_city_locks(problem)
    parts = split_problem(problem, part_people=part_people, streets=streets)
    if prove_bound or border_pass:
        parts = with_neighbours(parts, problem.locks)
    with parts_runner(client) as runner:
        parts = timed_parts(problem, parts, runner.cores)
        stage_started = time.perf_counter()
        results = sorted(runner.solve(parts, prove_bound), key=lambda r: r.index)
        stage_seconds = time.perf_counter() - stage_started
        stats: dict[str, float | int | str] = {
            "people": len(problem.people),
            "demands": len(problem.demands),
            "parts": len(parts),
            "runner": runner.kind,
            "concurrency": runner.cores,
            "largest_part_people": max((len(p.problem.people) for p in parts), default=0),
            "largest_strip_people": max((len(p.neighbours) for p in parts), default=0),
            "part_seconds_max": max((r.seconds for r in results), default=0.0),
            "part_seconds_sum": round(sum(r.seconds for r in results), 3),
            "part_cpu_seconds_sum": round(sum(r.cpu_seconds for r in results), 3),
            "parts_wall_seconds": round(stage_seconds, 3),
            "parts_objective": sum(r.solution.objective for r in results),
        }
        warnings = unique_warnings(r.solution for r in results)
        if not border_pass:
            # nobody across a part's line was asked: the parts' own weeks are the city's
            weeks = [r.solution for r in results]
        else:
            found = border_assignments(problem, parts, results, stats)
            finish_started = time.perf_counter()
            weeks = runner.finish(finishing_jobs(parts, results, found))
            stats["finish_seconds"] = round(time.perf_counter() - finish_started, 3)
    return merge_parts(
        weeks,
        problem.settings,
        bound=sum(r.bound for r in results),
        started=started,
        stats=stats,
        warnings=warnings,
    )


def check_city_locks(problem: Problem) -> None:
    """Lock conflicts are the coordinator's to fix, whatever part they fall in: checked on the
    city, indexing only the people and demands the locks name."""
    locks = problem.locks.pinned | problem.locks.forbidden
    named_people = {p for p, _ in locks}
    named_demands = {d for _, d in locks}
    check_locks(
        problem,
        {p.id: i for i, p in enumerate(problem.people) if p.id in named_people},
        {d.id: i for i, d in enumerate(problem.demands) if d.id in named_demands},
    )


def border_assignments(
    problem: Problem,
    parts: Sequence[Part],
    results: Sequence[PartResult],
    stats: dict[str, float | int | str],
) -> list[Assignment]:
    """The border pass, solved here: it is small (open heads and the strips' people)."""
    seconds = max(MIN_BORDER_SECONDS, problem.settings.time_limit_s * BORDER_SHARE)
    border_started = time.perf_counter()
    border = border_problem(parts, results, time_limit_s=seconds)
    stats.update(
        border_people=len(border.problem.people), border_demands=len(border.problem.demands)
    )
    if not (border.problem.people and border.problem.demands):
        return []
    found = from_border(border, solve(border.problem))
    stats.update(
        border_filled=len(found), border_seconds=round(time.perf_counter() - border_started, 3)
    )
    return found


def finishing_jobs(
    parts: Sequence[Part], results: Sequence[PartResult], border: Sequence[Assignment]
) -> list[Finishing]:
    """Per part: the bookings on its demands, and the tasks its people and neighbours have in
    other parts."""
    part_of_demand = {d.id: part.index for part in parts for d in part.problem.demands}
    on_part: dict[int, list[Assignment]] = defaultdict(list)
    by_person: dict[str, list[Assignment]] = defaultdict(list)
    for a in [a for r in results for a in r.solution.assignments] + list(border):
        on_part[part_of_demand[a.demand_id]].append(a)
        by_person[a.person_id].append(a)
    bound = {r.index: r.bound for r in results}
    jobs = []
    for part in parts:
        elsewhere = {
            p.id: tuple(
                (a.start, a.end)
                for a in by_person[p.id]
                if part_of_demand[a.demand_id] != part.index
            )
            for p in part.problem.people + part.neighbours
            if p.id in by_person
        }
        jobs.append(
            Finishing(
                index=part.index,
                assignments=tuple(on_part[part.index]),
                elsewhere={pid: tasks for pid, tasks in elsewhere.items() if tasks},
                bound=bound[part.index],
            )
        )
    return jobs


def finish_job(part: Part, job: Finishing) -> Solution:
    return finish_part(part, job.assignments, job.elsewhere, bound=job.bound)


def timed_parts(problem: Problem, parts: Sequence[Part], cores: int = 1) -> list[Part]:
    """Each part with its share, by size, of ``cores`` times the parts' stage; never more than
    the stage itself. With one core the shares add up to the stage: parts that share a core
    do not each spend a multiple of the time."""
    size = {p.index: len(p.problem.people) + len(p.problem.demands) for p in parts}
    total = max(1, sum(size.values()))
    stage = problem.settings.time_limit_s * PARTS_SHARE
    return [
        replace(
            part,
            problem=replace(
                part.problem,
                settings=replace(
                    part.problem.settings,
                    time_limit_s=round(
                        max(MIN_PART_SECONDS, min(stage, stage * cores * size[part.index] / total)),
                        3,
                    ),
                ),
            ),
        )
        for part in parts
    ]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cores_here() -> tuple[int, float]:
    """On a worker: the cores it may use, and the machine's load (1-minute average) now."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # not reported on this system
        load = 0.0
    return usable_cores(), load


def plain_allocator() -> bool:
    """On a worker: memory allocated as in a plain process, whatever the worker was started with.

    A Dask nanny starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``. Setting it switches
    off glibc's dynamic thresholds, so every array above 128 KB is mapped afresh and unmapped
    when freed: preparing a Guiyang-size part then takes 14–21 times the page faults and about
    four times the system time of the same call in a plain process (docs/benchmarks.md).
    This puts the thresholds where glibc's own would rise to. True when they were changed.
    """
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(None)
    return bool(
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


def parallel_cores(workers: Mapping[str, tuple[str, int, int, float]]) -> int:
    """How many parts can really run at once: per machine, its workers' threads, but no more
    than its cores left free by the load already on it (at least one).

    ``workers``: address → (host, threads, cores its workers may use, the machine's load).
    Asked when the parts are about to start, so the workers are idle and the load is others'
    work (and the calling process's, which has just read the city).
    """
    threads: dict[str, int] = defaultdict(int)
    free: dict[str, int] = {}
    for host, n, cores, load in workers.values():
        threads[host] += n
        free[host] = max(1, min(cores, round(cores - load)))
    return max(1, sum(min(n, free[host]) for host, n in threads.items()))


@dataclass
class SerialRunner:
    kind: str = SERIAL
    cores: int = 1
    parts: dict[int, Part] = field(default_factory=dict)

    def solve(self, parts: Sequence[Part], prove_bound: bool) -> Iterator[PartResult]:
        for part in parts:
            self.parts[part.index] = part
            yield solve_part(part, prove_bound)

    def finish(self, jobs: Sequence[Finishing]) -> list[Solution]:
        return [finish_job(self.parts[job.index], job) for job in jobs]


@dataclass
class DaskRunner:
    """Parts scattered to the workers once; solved, then scored and explained, where they are."""

    client: Client
    kind: str = "dask"
    cores: int = 1
    scattered: dict[int, Future] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client.run(plain_allocator)
        info = self.client.scheduler_info()["workers"]
        here = self.client.run(cores_here)
        self.cores = parallel_cores(
            {
                address: (w["host"], int(w["nthreads"]), *here.get(address, (1, 0.0)))
                for address, w in info.items()
            }
        )

    def solve(self, parts: Sequence[Part], prove_bound: bool) -> Iterator[PartResult]:
        from distributed import as_completed

        # largest first, so that the last part to finish is a small one
        order = sorted(parts, key=lambda p: (-len(p.problem.people), p.index))
        futures = []
        for rank, part in enumerate(order):
            [self.scattered[part.index]] = self.client.scatter([part], hash=False)
            futures.append(
                self.client.submit(
                    solve_part,
                    self.scattered[part.index],
                    prove_bound,
                    pure=False,
                    priority=len(order) - rank,
                )
            )
        for future in as_completed(futures):
            result: PartResult = future.result()
            future.release()
            yield result

    def finish(self, jobs: Sequence[Finishing]) -> list[Solution]:
        futures = [
            self.client.submit(finish_job, self.scattered[job.index], job, pure=False)
            for job in jobs
        ]
        weeks: list[Any] = self.client.gather(futures)
        self.scattered.clear()  # the parts leave the workers
        return weeks


@contextmanager
def local_cluster(workers: int) -> Iterator[Client]:
    """A client of ``workers`` worker processes on this machine, set up for the parts."""
    import dask
    from distributed import Client, LocalCluster

    with (
        dask.config.set(LOCAL_WORKERS_CONFIG),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@contextmanager
def parts_runner(client: Client | str | None) -> Iterator[Runner]:
    """How the parts run: serially here, or on a Dask cluster (given, at an address, or local
    with a core left to this process, when that leaves two workers or more: one worker would
    run the parts one after another like this process, with a worker's costs on top)."""
    if client == SERIAL:
        yield SerialRunner()
        return
    if client is not None and not isinstance(client, str):
        yield DaskRunner(client)
        return
    try:
        from distributed import Client
    except ImportError:
        if client is not None:
            raise
        yield SerialRunner()
        return
    if isinstance(client, str):
        with Client(client) as connected:
            yield DaskRunner(connected)
        return
    workers = usable_cores() - 1  # this process reads, splits, passes the border and adds up
    if workers < MIN_LOCAL_WORKERS:
        yield SerialRunner()
        return
    with local_cluster(workers) as local:
        yield DaskRunner(local)
