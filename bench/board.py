"""Benchmark: the console's week board and a slot's candidates for one large community.

Generates one community of the Guiyang preset (about 5,700 people; ``--people`` to change it),
loads it into a fresh SQLite file with ``tongxin load``'s bulk import (people per second are
printed), drafts the week with the greedy baseline so that the board has people on it, then
times, through the service functions the routes call (and the JSON the routes send):

- the first board after a change (the week is read and indexed: the cache is cold),
- the board again (from the cached week),
- a slot's candidates for many seats (cached week, ranked on the people within reach),
- the first board after an override (the counter moved: the week is read again).

    python -m bench.board [--people 5700] [--requests 40] [--seed 1]

Prints p50 and p95 per kind of request.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

TARGET_P95_S = 0.5


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(people: int = 5_700, requests: int = 40, seed: int = 1) -> None:
    from api.schemas.board import SlotCandidate
    from api.services.board import slot_candidates, week_board, week_board_json
    from api.services.board_cache import cached_week, forget_weeks
    from api.services.problem import store_solution
    from api.services.scheduling import add_override
    from matcher.domain import DemandKind
    from matcher.solver import solve_greedy
    from models import Community, RunStatus, ScheduleRun
    from models.db import make_engine, make_session_factory, upgrade
    from models.seed import import_scenario
    from scenarios.generate import PRESETS, generate
    from scenarios.load import validate_scenario

    preset = PRESETS["guiyang"]
    data = generate(
        "community",
        seed,
        name="黔灵社区",
        people_per_community=people,
        residents_per_community=round(
            preset["residents_per_community"] * people / preset["people_per_community"]
        ),
    )
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'board.db'}"
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        started = time.perf_counter()
        validate_scenario(data, "guiyang")
        check_s = time.perf_counter() - started
        started = time.perf_counter()
        with factory() as session:
            community = import_scenario(session, data, checked=True)
            session.commit()
            community_id = community.id
        load_s = time.perf_counter() - started
        print(
            f"community: {len(data['people'])} people, checked in {check_s:.1f} s, "
            f"imported in {load_s:.1f} s ({len(data['people']) / load_s:,.0f} people/s)",
            flush=True,
        )
        with factory() as session:
            community = session.get(Community, community_id)
            assert community is not None
            week_start = date.fromisoformat(data["week_start"])
            cached = cached_week(session=session, community_id=community_id, week_start=week_start)
            solution = solve_greedy(cached.problem)
            run = ScheduleRun(
                community_id=community_id,
                week_start=week_start,
                status=RunStatus.DRAFT,
                progress=1.0,
                time_limit_s=1,
            )
            session.add(run)
            session.flush()
            store_solution(session=session, run=run, solution=solution, refs=cached.refs)
            session.commit()
            heads = sum(d.headcount for d in cached.problem.demands)
            print(
                f"week: {len(cached.problem.demands)} demands, {heads} heads, "
                f"{len(solution.assignments)} assigned by the greedy draft",
                flush=True,
            )

        def board() -> tuple[float, int]:
            with factory() as session:
                t = time.perf_counter()
                sent = week_board_json(
                    session=session, community_id=community_id, week_start=week_start
                )
                return time.perf_counter() - t, len(sent)

        timings: dict[str, list[float]] = {"board, cold": [], "board": [], "candidates": []}
        sizes: list[int] = []
        for _ in range(3):
            with factory() as session:
                forget_weeks(session)
            seconds, size = board()
            timings["board, cold"].append(seconds)
        for _ in range(requests):
            seconds, size = board()
            timings["board"].append(seconds)
            sizes.append(size)
        with factory() as session:
            shown = week_board(session=session, community_id=community_id, week_start=week_start)
        seats = [(s.demand_kind, s.demand_id) for s in shown.demands]
        step = max(1, len(seats) // requests)
        with_candidates: dict[tuple[DemandKind, int], list[SlotCandidate]] = {}
        for kind, demand_id in seats[::step][:requests]:
            with factory() as session:
                t = time.perf_counter()
                found = slot_candidates(
                    session=session,
                    community_id=community_id,
                    week_start=week_start,
                    demand_kind=kind,
                    demand_id=demand_id,
                    role=0,
                    limit=20,
                )
                _ = [c.model_dump_json() for c in found]
                timings["candidates"].append(time.perf_counter() - t)
                if len(found) >= 3:
                    with_candidates.setdefault((kind, demand_id), found)
        # an override moves the counter: the next board reads the week again; the seat is the
        # first timed one with three candidates to forbid
        after_override: list[float] = []
        seat, candidates = next(iter(with_candidates.items()), (seats[0], []))
        for candidate in candidates[:3]:
            with factory() as session:
                add_override(
                    session=session,
                    community_id=community_id,
                    week_start=week_start,
                    kind="forbid",
                    person_id=candidate.person_id,
                    demand_kind=seat[0],
                    demand_id=seat[1],
                    author=None,
                )
                session.commit()
            after_override.append(board()[0])
        timings["board after an override"] = after_override

    print()
    print(f"| request | n | p50 s | p95 s | target p95 ≤ {TARGET_P95_S} s |")
    print("|---|---|---|---|---|")
    for label, values in timings.items():
        if not values:
            print(f"| {label} | 0 | – | – | not measured |")
            continue
        p95 = percentile(values, 0.95)
        mark = "met" if p95 <= TARGET_P95_S else "missed"
        print(f"| {label} | {len(values)} | {statistics.median(values):.3f} | {p95:.3f} | {mark} |")
    print(f"\nboard JSON: {statistics.median(sizes) / 1e6:.2f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=5_700)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    main(args.people, args.requests, args.seed)
