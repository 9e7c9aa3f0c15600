"""A city in parts: split and merge keep every hard rule, the border pass serves across a part's
line, locks survive the split, Dask and the serial run agree, and ``tongxin solve --split``."""

from __future__ import annotations

import json
import os
import pickle
import pickletools
import platform
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

from matcher import city, solve
from matcher.city import SERIAL, solve_city
from matcher.domain import Locks, PersonKind, Problem, Settings, Solution
from matcher.split import Part, PartResult, solve_part, split_problem
from matcher.timetable import Booking
from tests.support.factories import make_person, make_problem, make_shift, make_wish, near
from tests.support.hard_rules import broken_rules

#: communities 1.5 km apart on a 2 × 2 block: within walking distance only near their edges
CORNERS = {"c1": (0, 0), "c2": (1500, 0), "c3": (0, 1500), "c4": (1500, 1500)}


def four_communities() -> Problem:
    """Four small communities with posts, an activity and wishes; people live spread out so
    that some can reach a neighbouring community's demands."""
    people, demands = [], []
    skills = ("水电维修", "助老", "法律援助")
    for c, (east, north) in CORNERS.items():
        for i in range(6):
            people.append(
                make_person(
                    f"{c}-p{i}",
                    kind=PersonKind.PARTY_MEMBER if i % 2 else PersonKind.VOLUNTEER,
                    skills=(skills[i % 3],),
                    home=near(east + 150 * (i - 2.5), north + 100 * (i % 3 - 1)),
                    community=c,
                    weekly_task_cap=2,
                )
            )
        demands += [
            make_shift(f"{c}-s1", start="09:00", end="11:00", location=near(east, north),
                       community=c, min_count=1, max_count=3),
            make_shift(f"{c}-s2", start="10:00", end="12:00", location=near(east + 200, north),
                       community=c, party_members_only=True),
            make_wish(f"{c}-w1", location=near(east - 300, north), community=c, household=f"{c}h1"),
            make_wish(f"{c}-w2", skills=("助老",), location=near(east, north + 300), community=c,
                      household=f"{c}h2", min_count=2),
        ]  # fmt: skip
    return make_problem(people, demands, settings=Settings(time_limit_s=4))


def who(solution: Solution, demand_id: str) -> list[str]:
    return sorted(a.person_id for a in solution.assignments if a.demand_id == demand_id)


def every_open_head_explained(problem: Problem, solution: Solution) -> bool:
    filled: dict[tuple[str, int], int] = defaultdict(int)
    for a in solution.assignments:
        filled[(a.demand_id, a.role)] += 1
    explained = {(g.demand_id, g.role) for g in solution.gaps if g.reason.zh and g.reason.en}
    return all(
        (d.id, r) in explained
        for d in problem.demands
        for r, role in enumerate(d.roles)
        if filled[(d.id, r)] < role.max_count
    )


def test_split_and_merge_give_a_valid_explained_week() -> None:
    problem = four_communities()
    parts = split_problem(problem, part_people=6)
    assert len(parts) == 4 and all(len(p.communities) == 1 for p in parts)
    week = solve_city(problem, client=SERIAL, part_people=6)
    assert week.stats["parts"] == 4
    # the parts' processor time is their thread's: never more than their wall time (each
    # rounded to the millisecond)
    cpu, wall = float(week.stats["part_cpu_seconds_sum"]), float(week.stats["part_seconds_sum"])
    assert 0 < cpu <= wall + 0.01
    assert week.assignments
    assert broken_rules(problem, week) == []
    assert every_open_head_explained(problem, week)
    assert all(a.reasons for a in week.assignments)
    assert sum(week.breakdown.values()) == week.objective
    # the merged bound is proven for the whole city: no week, one piece included, beats it
    assert week.objective <= solve(problem).objective <= week.bound


def border_week() -> Problem:
    """A wish near the edge of c1 needing legal aid; the only lawyer lives across the line in
    c2, 800 m away."""
    lawyer = make_person("c2-lawyer", skills=("法律援助",), home=near(1000), community="c2")
    neighbour = make_person("c2-helper", skills=("助老",), home=near(1300), community="c2")
    local = make_person("c1-helper", skills=("助老",), home=near(-300), community="c1")
    wish = make_wish("c1-legal", skills=("法律援助",), location=near(200), community="c1")
    post = make_shift("c2-post", location=near(1300), community="c2", skills=("助老",))
    return make_problem([local, lawyer, neighbour], [wish, post])


def test_border_pass_serves_a_demand_only_a_neighbour_can() -> None:
    problem = border_week()
    assert len(split_problem(problem, part_people=1)) == 2
    served = solve_city(problem, client=SERIAL, part_people=1)
    assert who(served, "c1-legal") == ["c2-lawyer"]
    assert served.stats["border_filled"] == 1
    assert broken_rules(problem, served) == []
    alone = solve_city(problem, client=SERIAL, part_people=1, border_pass=False)
    assert who(alone, "c1-legal") == []
    reason = next(g.reason for g in alone.gaps if g.demand_id == "c1-legal")
    assert "法律援助" in reason.zh and "legal aid" in reason.en


def test_border_pass_respects_what_the_neighbour_already_does() -> None:
    problem = border_week()
    lawyer = replace(problem.people[1], weekly_task_cap=1)
    busy = make_shift("c2-desk", location=near(1000), community="c2", skills=("法律援助",))
    problem = replace(
        problem, people=(problem.people[0], lawyer, problem.people[2]),
        demands=(*problem.demands, busy),
    )  # fmt: skip
    week = solve_city(problem, client=SERIAL, part_people=1)
    assert who(week, "c2-desk") == ["c2-lawyer"] and who(week, "c1-legal") == []
    assert broken_rules(problem, week) == []
    reason = next(g.reason for g in week.gaps if g.demand_id == "c1-legal")
    assert "每周任务上限" in reason.zh  # seen across the line: the lawyer is at the cap


def test_locks_and_pins_survive_the_split() -> None:
    problem = four_communities()
    unpinned = solve_city(problem, client=SERIAL, part_people=6)
    # someone from c3 who is not on c1's first post, pinned there; c1's own pick forbidden
    outsider = next(
        p.id for p in problem.people if p.community == "c3" and p.id not in who(unpinned, "c1-s1")
    )
    chosen = who(unpinned, "c1-s1")[0]
    locks = Locks(pinned=frozenset({(outsider, "c1-s1")}), forbidden=frozenset({(chosen, "c1-s1")}))
    pinned = replace(problem, locks=locks)
    parts = split_problem(pinned, part_people=6)
    assert any({"c1", "c3"} <= set(p.communities) for p in parts)  # the pin keeps them together
    week = solve_city(pinned, client=SERIAL, part_people=6)
    assert outsider in who(week, "c1-s1")
    assert chosen not in who(week, "c1-s1")
    assert any(a.pinned and a.person_id == outsider for a in week.assignments)
    assert broken_rules(pinned, week) == []


def test_serial_and_dask_give_the_same_week() -> None:
    """On one worker thread: the same limits, so the same week; each part is sent once."""
    problem = four_communities()
    serial = solve_city(problem, client=SERIAL, part_people=6)
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        sent: list[Any] = []
        scatter = client.scatter

        def counted_scatter(data: Any, **kwargs: Any) -> Any:
            sent.extend(data)
            return scatter(data, **kwargs)

        client.scatter = counted_scatter
        on_dask = solve_city(problem, client=client, part_people=6)
    # each part goes to a worker once, with its own people and its strip, not the city's
    assert sorted(p.index for p in sent) == [0, 1, 2, 3]
    assert all(isinstance(p, Part) for p in sent)
    assert all(len(p.problem.people) + len(p.neighbours) < len(problem.people) for p in sent)
    assert on_dask.stats["runner"] == "dask"
    assert on_dask.assignments == serial.assignments
    assert on_dask.gaps == serial.gaps
    assert on_dask.bound == serial.bound


#: the part limits seen, by runner (module-level, so that Dask's in-process workers, which
#: pickle functions by reference, record here)
SEEN_LIMITS: dict[str, list[float]] = defaultdict(list)
RUNNER = {"now": SERIAL}
CORES = {"usable": 1}


def recording_solve_part(part: Part, prove_bound: bool = True) -> PartResult:
    SEEN_LIMITS[RUNNER["now"]].append(part.problem.settings.time_limit_s)
    return solve_part(part, prove_bound)


def pretended_cores() -> tuple[int, float]:
    return CORES["usable"], 0.0


@pytest.mark.parametrize("cores", [1, 2])
def test_part_time_limits_follow_the_cores_the_workers_really_have(
    monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    """Two worker threads on a machine with one free core get the serial limits (they would
    otherwise each spend a multiple of the time); on two free cores, twice the serial share,
    never more than the parts' stage."""
    SEEN_LIMITS.clear()
    CORES["usable"] = cores
    monkeypatch.setattr(city, "solve_part", recording_solve_part)
    monkeypatch.setattr(city, "cores_here", pretended_cores)
    problem = replace(four_communities(), settings=Settings(time_limit_s=20.0))
    RUNNER["now"] = SERIAL
    solve_city(problem, client=SERIAL, part_people=6, border_pass=False)
    RUNNER["now"] = "dask"
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        on_dask = solve_city(problem, client=client, part_people=6, border_pass=False)
    assert on_dask.stats["concurrency"] == cores
    stage = 20.0 * city.PARTS_SHARE
    serial, dask = sorted(SEEN_LIMITS[SERIAL]), sorted(SEEN_LIMITS["dask"])
    assert len(dask) == len(serial) == 4
    assert sum(serial) == pytest.approx(stage, abs=0.01)
    assert dask == pytest.approx([min(stage, cores * s) for s in serial], abs=0.01)


def test_parts_at_once_are_capped_by_each_machines_free_cores() -> None:
    # four single-thread workers on an idle 2-core machine run two parts at once, not four
    assert city.parallel_cores({f"w{i}": ("a", 1, 2, 0.0) for i in range(4)}) == 2
    # and a second machine with 8 cores and 3 threads adds 3
    workers = {**{f"w{i}": ("a", 1, 2, 0.0) for i in range(4)}, "big": ("b", 3, 8, 0.2)}
    assert city.parallel_cores(workers) == 5
    # a machine whose cores are busy with other work runs one part at a time
    assert city.parallel_cores({"w0": ("a", 1, 2, 11.0), "w1": ("a", 1, 2, 11.0)}) == 1
    # an 8-core machine with three cores' worth of load leaves five
    assert city.parallel_cores({f"w{i}": ("a", 1, 8, 3.0) for i in range(8)}) == 5
    assert city.parallel_cores({}) == 1


def test_a_part_travels_as_constructor_calls() -> None:
    """A part goes to a Dask worker pickled: its people, demands and settings, and the week
    that comes back, as the calls that make them (no field-by-field state, which cost twice
    the time), and they come back equal."""
    problem = four_communities()
    part = city.with_neighbours(split_problem(problem, part_people=6), problem.locks)[0]
    week = solve_city(problem, client=SERIAL, part_people=6)
    assert part.neighbours
    for thing in (part.problem, part.neighbours, week):
        data = pickle.dumps(thing, protocol=pickle.HIGHEST_PROTOCOL)
        assert pickle.loads(data) == thing
        assert not any(op.name == "BUILD" for op, _, _ in pickletools.genops(data))


glibc_only = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="glibc's allocator thresholds"
)


def page_faults_of_freed_arrays() -> int:
    """Page faults while a hundred 2 MB arrays are made and freed one after another: none
    once the first is freed, where freed memory is kept for the next; 512 each where every
    array is mapped afresh."""
    import resource

    import numpy as np

    np.ones(2**18)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(100):
        np.ones(2**18)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@glibc_only
def test_dask_workers_allocate_like_a_plain_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A nanny's worker starts with MALLOC_TRIM_THRESHOLD_, which maps every large array
    afresh; the runner puts the thresholds back on every worker before the parts."""
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)  # the nanny leaves it here
    problem = four_communities()
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        [(trim, before)] = client.run(
            lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), page_faults_of_freed_arrays())
        ).values()
        solve_city(problem, client=client, part_people=6, border_pass=False)
        [after] = client.run(page_faults_of_freed_arrays).values()
    assert trim is not None and before > 100 * 256
    assert after < 100 * 16


def test_the_local_cluster_is_set_up_for_the_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """No sampling profiler on its workers, and no MALLOC_TRIM_THRESHOLD_ in their
    environment nor left in this process's."""
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with city.local_cluster(1) as client:
        [(profiled, trim)] = client.run(
            lambda dask_worker: (
                "profile" in dask_worker.periodic_callbacks,
                os.environ.get("MALLOC_TRIM_THRESHOLD_"),
            )
        ).values()
    assert not profiled and trim is None
    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ


@pytest.mark.parametrize(("cores", "runner"), [(2, SERIAL), (3, "dask")])
def test_a_local_cluster_only_with_two_workers_or_more(
    monkeypatch: pytest.MonkeyPatch, cores: int, runner: str
) -> None:
    """A core is left to this process; one worker would only run the parts one after another
    like this process does, so two cores solve serially and three start two workers."""
    started: list[int] = []

    @contextmanager
    def in_process_cluster(workers: int) -> Iterator[Client]:
        started.append(workers)
        with (
            LocalCluster(
                n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client

    monkeypatch.setattr(city, "usable_cores", lambda: cores)
    monkeypatch.setattr(city, "local_cluster", in_process_cluster)
    week = solve_city(four_communities(), part_people=6, border_pass=False)
    assert week.stats["runner"] == runner
    assert started == ([] if runner == SERIAL else [cores - 1])


def fixed_time_border_week() -> Problem:
    """A legal-aid post in c1 on Saturday morning; the one lawyer within reach lives across the
    line in c2 and stands at c2's own legal-aid desk at that very time."""
    lawyer = make_person("c2-lawyer", skills=("法律援助",), home=near(1000), community="c2")
    local = make_person("c1-helper", skills=("助老",), home=near(-300), community="c1")
    far = make_person("c3-lawyer", skills=("法律援助",), home=near(6000), community="c3")
    post = make_shift("c1-legal", location=near(200), community="c1", skills=("法律援助",))
    desk = make_shift("c2-desk", location=near(1000), community="c2", skills=("法律援助",))
    far_desk = make_shift("c3-desk", location=near(6000), community="c3", skills=("助老",))
    return make_problem([local, lawyer, far], [post, desk, far_desk])


def test_a_gap_is_explained_by_the_week_of_the_neighbour_across_the_line() -> None:
    problem = fixed_time_border_week()
    parts = city.with_neighbours(split_problem(problem, part_people=1), problem.locks)
    c1 = next(p for p in parts if p.communities == ("c1",))
    # the strip holds whoever lives within reach of c1's demands, and nobody farther
    assert [p.id for p in c1.neighbours] == ["c2-lawyer"]
    week = solve_city(problem, client=SERIAL, part_people=1)
    assert who(week, "c2-desk") == ["c2-lawyer"] and who(week, "c1-legal") == []
    assert broken_rules(problem, week) == []
    reason = next(g.reason for g in week.gaps if g.demand_id == "c1-legal")
    # the lawyer's task in c2 is held in c1's explanation: busy then, not "nobody"
    assert "同时段另有更重要的任务" in reason.zh and "busy" in reason.en
    # without the border pass, the parts' own reasons: nobody in c1 has the skill
    alone = solve_city(problem, client=SERIAL, part_people=1, border_pass=False)
    reason = next(g.reason for g in alone.gaps if g.demand_id == "c1-legal")
    assert "没有具备「法律援助」专长" in reason.zh


#: the people of each problem whose free-time table was built
TABLES: list[int] = []


def test_nothing_the_size_of_the_city_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every free-time table (candidates, scoring, explaining) is a part's or a part's with
    its strip."""
    from matcher import candidates, split

    def recording_free_time(problem: Problem) -> Any:
        TABLES.append(len(problem.people))
        return real_free_time(problem)

    real_free_time = candidates.free_time
    problem = four_communities()
    parts = city.with_neighbours(split_problem(problem, part_people=6), problem.locks)
    largest = max(len(p.problem.people) + len(p.neighbours) for p in parts)
    assert largest < len(problem.people)
    TABLES.clear()
    monkeypatch.setattr(candidates, "free_time", recording_free_time)
    monkeypatch.setattr(split, "free_time", recording_free_time)
    week = solve_city(problem, client=SERIAL, part_people=6)
    assert TABLES and max(TABLES) <= largest
    assert broken_rules(problem, week) == []
    assert every_open_head_explained(problem, week)


def scored_in_one_piece(problem: Problem, week: Solution) -> dict[str, int]:
    from matcher.split import booked_pairs
    from matcher.timetable import evaluate

    whole = booked_pairs(problem, week.assignments, ())
    return evaluate(whole, [Booking(i, a.start) for i, a in enumerate(week.assignments)])


def test_the_parts_shares_add_up_to_the_citys_objective() -> None:
    """A lawyer with a task at home and one across the line: their load is counted once, over
    both tasks, and the quarter bonus once."""
    problem = border_week()
    desk = make_shift("c2-desk", weekday=6, location=near(1000), community="c2",
                      skills=("法律援助",))  # fmt: skip
    behind = replace(problem.people[1], services_this_quarter=0)
    problem = replace(
        problem,
        people=(problem.people[0], behind, problem.people[2]),
        demands=(*problem.demands, desk),
        settings=replace(problem.settings, quarter_minimum=2),
    )
    week = solve_city(problem, client=SERIAL, part_people=1)
    assert sorted(a.demand_id for a in week.assignments if a.person_id == "c2-lawyer") == [
        "c1-legal",
        "c2-desk",
    ]
    assert week.stats["border_filled"] == 1
    assert broken_rules(problem, week) == []
    assert week.breakdown["fairness"] < 0 and week.breakdown["quarter"] > 0
    assert scored_in_one_piece(problem, week) == week.breakdown
    assert sum(week.breakdown.values()) == week.objective
    on_c1 = next(a for a in week.assignments if a.demand_id == "c1-legal")
    assert any("本周共2项任务" in r.zh for r in on_c1.reasons)


def test_cli_solve_split(tmp_path: Path) -> None:
    from api.cli.commands import app
    from scenarios.generate import generate, write_scenario

    path = tmp_path / "street.json"
    write_scenario(generate("street", 2, communities=2), path)
    result = CliRunner().invoke(app, ["solve", str(path), "--split", "--time-limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["stats"]["method"] == "split" and out["stats"]["runner"] == "serial"
    assert out["filled_heads"] > 0
    refused = CliRunner().invoke(app, ["solve", str(path), "--split", "--greedy"])
    assert refused.exit_code == 2
