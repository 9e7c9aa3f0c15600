"""Solve a whole city's week: its street-sized parts side by side on Dask, then the border pass.

``solve_city(problem)`` splits the city into parts of whole communities
(``matcher.split.split_problem``), solves each part with ``matcher.solve`` — on a Dask cluster
when one is given or Dask is installed, else one after another in this process — then fills
what only a neighbour across a part's line can serve (the border pass) and returns one
explained ``Solution`` with a bound proven for the whole city.

Dask is imported only when it is used: ``pip install 'tongxin[city]'``.

The time limit is shared: ``PARTS_SHARE`` of it for the parts, in proportion to their size,
``BORDER_SHARE`` for the border pass, the rest for scoring and explaining the merged week. A
part's limit is the same whether the parts run one after another or many at once: workers that
share a machine's cores would otherwise each get a multiple of the time and spend it, and the
wall time would not fall. So on Dask the parts' stage takes about the longest path through the
parts, not the sum. Every part gets the same problem, time and seed whichever worker runs it,
and results are merged in part order, so the answer does not depend on where a part ran.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from matcher.candidates import check_locks
from matcher.domain import Problem, Solution
from matcher.solver import solve
from matcher.split import (
    PART_PEOPLE,
    Part,
    PartResult,
    border_problem,
    from_border,
    merge_week,
    solve_part,
    split_problem,
    unique_warnings,
    with_neighbours,
)

if TYPE_CHECKING:
    from distributed import Client

#: share of the time limit for the parts, and for the border pass; the rest scores and explains
PARTS_SHARE = 0.7
BORDER_SHARE = 0.2
MIN_PART_SECONDS = 1.0
MIN_BORDER_SECONDS = 0.5
#: ``client=SERIAL`` runs the parts one after another in this process, Dask or not
SERIAL = "serial"

#: runs every part and returns their results in part order
PartRunner = Callable[[Sequence[Part]], list[PartResult]]


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
    None for a local cluster of one process per core (serial when Dask is not installed).
    ``streets`` maps communities to streets when known: a street's communities form one part.
    ``prove_bound``: bound each part with its neighbours too (a second flow per part, about as
    long as the part's own preparation); without it the reported bound is the trivial one.
    """
    started = time.perf_counter()
    check_locks(
        problem,
        {p.id: i for i, p in enumerate(problem.people)},
        {d.id: i for i, d in enumerate(problem.demands)},
    )
    parts = split_problem(problem, part_people=part_people, streets=streets)
    if prove_bound:
        parts = with_neighbours(problem, parts)
    with parts_runner(client) as (run, concurrency, kind):
        parts = timed_parts(problem, parts)
        results = sorted(run(parts), key=lambda r: r.index)
    assignments = [a for r in results for a in r.solution.assignments]
    stats: dict[str, float | int | str] = {
        "people": len(problem.people),
        "demands": len(problem.demands),
        "parts": len(parts),
        "runner": kind,
        "concurrency": concurrency,
        "largest_part_people": max((len(p.problem.people) for p in parts), default=0),
        "part_seconds_max": max((r.seconds for r in results), default=0.0),
        "part_seconds_sum": round(sum(r.seconds for r in results), 3),
        "parts_objective": sum(r.solution.objective for r in results),
    }
    warnings = unique_warnings(r.solution for r in results)
    if border_pass:
        seconds = max(MIN_BORDER_SECONDS, problem.settings.time_limit_s * BORDER_SHARE)
        border = border_problem(problem, parts, assignments, time_limit_s=seconds)
        stats.update(
            border_people=len(border.problem.people), border_demands=len(border.problem.demands)
        )
        if border.problem.people and border.problem.demands:
            border_started = time.perf_counter()
            solution = solve(border.problem)
            found = from_border(border, solution)
            assignments += found
            stats.update(
                border_filled=len(found),
                border_seconds=round(time.perf_counter() - border_started, 3),
            )
    week = merge_week(
        problem,
        assignments,
        bound=sum(r.bound for r in results) if prove_bound else None,
        started=started,
        stats=stats,
        warnings=warnings,
    )
    if not border_pass:
        # nobody across a part's line was asked: the parts' own reasons are the true ones
        week = replace(week, gaps=tuple(g for r in results for g in r.solution.gaps))
    return week


def timed_parts(problem: Problem, parts: Sequence[Part]) -> list[Part]:
    """Each part with its share of the parts' time, by size; the same however many run at
    once."""
    size = {p.index: len(p.problem.people) + len(p.problem.demands) for p in parts}
    total = max(1, sum(size.values()))
    budget = problem.settings.time_limit_s * PARTS_SHARE
    return [
        replace(
            part,
            problem=replace(
                part.problem,
                settings=replace(
                    part.problem.settings,
                    time_limit_s=round(max(MIN_PART_SECONDS, budget * size[part.index] / total), 3),
                ),
            ),
        )
        for part in parts
    ]


@contextmanager
def parts_runner(client: Client | str | None) -> Iterator[tuple[PartRunner, int, str]]:
    """How the parts run: (runner, how many at once, "serial" or "dask")."""
    if client == SERIAL:
        yield run_serially, 1, SERIAL
        return
    if client is not None and not isinstance(client, str):
        yield dask_runner(client), dask_threads(client), "dask"
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        if client is not None:
            raise
        yield run_serially, 1, SERIAL
        return
    if isinstance(client, str):
        with Client(client) as connected:
            yield dask_runner(connected), dask_threads(connected), "dask"
        return
    cores = os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=cores,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as local,
    ):
        yield dask_runner(local), dask_threads(local), "dask"


def run_serially(parts: Sequence[Part]) -> list[PartResult]:
    return [solve_part(part) for part in parts]


def dask_runner(client: Client) -> PartRunner:
    def run(parts: Sequence[Part]) -> list[PartResult]:
        # largest first, so that the last part to finish is a small one
        order = sorted(parts, key=lambda p: -len(p.problem.people))
        futures = client.map(solve_part, order, pure=False)
        results: list[Any] = client.gather(futures)
        return sorted(results, key=lambda r: r.index)

    return run


def dask_threads(client: Client) -> int:
    return max(1, sum(client.nthreads().values()))
