"""Every hard rule of a solved week, checked from the problem's own terms — independently of
the matcher's rule code, so that a mistake there cannot hide itself here."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

from matcher.domain import (
    MINUTES_PER_DAY,
    WALK_METRES_PER_MINUTE,
    Assignment,
    Location,
    Person,
    PersonKind,
    Problem,
    Solution,
)


def metres(a: Location, b: Location) -> float:
    """Equirectangular distance: within a few metres of great-circle at community scale."""
    x = math.radians(b.lng - a.lng) * math.cos(math.radians((a.lat + b.lat) / 2))
    y = math.radians(b.lat - a.lat)
    return 6_371_000 * math.hypot(x, y)


def free(person: Person, start: int, end: int, week_start: date) -> bool:
    day = start // MINUTES_PER_DAY
    if end > (day + 1) * MINUTES_PER_DAY:
        return False
    if any((d - week_start).days == day for d in person.unavailable_dates):
        return False
    begin, finish = start - day * MINUTES_PER_DAY, end - day * MINUTES_PER_DAY
    return any(
        w.weekday == day and w.start_minute <= begin and finish <= w.end_minute
        for w in person.availability
    )


def broken_rules(problem: Problem, solution: Solution) -> list[str]:
    people = {p.id: p for p in problem.people}
    demands = {d.id: d for d in problem.demands}
    settings = problem.settings
    broken: list[str] = []
    by_person: defaultdict[str, list[Assignment]] = defaultdict(list)
    heads: defaultdict[tuple[str, int], int] = defaultdict(int)
    pinned = problem.locks.pinned
    for a in solution.assignments:
        p, d = people[a.person_id], demands[a.demand_id]
        role = d.roles[a.role]
        by_person[p.id].append(a)
        heads[(d.id, a.role)] += 1
        if (p.id, d.id) in problem.locks.forbidden:
            broken.append(f"forbidden {p.id} on {d.id}")
        if (p.id, d.id) in pinned:
            continue  # a pin holds whatever the pairwise rules say
        if not role.skills <= p.skills:
            broken.append(f"skill: {p.id} on {d.id}")
        if d.party_members_only and p.kind != PersonKind.PARTY_MEMBER:
            broken.append(f"party members only: {p.id} on {d.id}")
        radius = d.radius_m if d.radius_m is not None else settings.radius_m
        if metres(p.home, d.location) > radius + 5:
            broken.append(f"radius: {p.id} on {d.id}")
        if a.end - a.start != d.duration or not (
            d.window.start <= a.start and a.end <= d.window.end
        ):
            broken.append(f"time outside the demand's window: {p.id} on {d.id}")
        if d.flexible:
            day = a.start // MINUTES_PER_DAY * MINUTES_PER_DAY
            opens, closes = settings.visit_hours
            if not (day + opens <= a.start and a.end <= day + closes):
                broken.append(f"outside visiting hours: {p.id} on {d.id}")
        if not free(p, a.start, a.end, problem.week_start):
            broken.append(f"not free: {p.id} on {d.id}")
        for t in p.tasks_elsewhere:  # 双报到: a task in their other community, and the walk
            walk = math.ceil(metres(t.location, d.location) / WALK_METRES_PER_MINUTE)
            slack = max(0, walk - 1)  # a minute of rounding slack
            if a.start < t.end + slack and t.start < a.end + slack:
                broken.append(f"no time to walk to or from the other community: {p.id} on {d.id}")
    for (demand_id, position), count in heads.items():
        d = demands[demand_id]
        if count > d.roles[position].max_count:
            broken.append(f"over max staff: {demand_id}")
        if (
            d.all_or_nothing
            and sum(heads[(demand_id, r)] for r in range(len(d.roles))) != d.headcount
        ):
            broken.append(f"group wish half staffed: {demand_id}")
    for person_id, tasks in by_person.items():
        p = people[person_id]
        if len(tasks) > p.weekly_task_cap:
            broken.append(f"task cap: {person_id}")
        if sum(t.end - t.start for t in tasks) > round(p.weekly_hours_cap * 60):
            broken.append(f"hours cap: {person_id}")
        if len({t.demand_id for t in tasks}) != len(tasks):
            broken.append(f"twice on one demand: {person_id}")
        tasks = sorted(tasks, key=lambda t: t.start)
        for i, a in enumerate(tasks):
            for b in tasks[i + 1 :]:
                walk = math.ceil(
                    metres(demands[a.demand_id].location, demands[b.demand_id].location)
                    / WALK_METRES_PER_MINUTE
                )
                gap_needed = 0 if a.demand_id == b.demand_id else walk
                if b.start < a.end + max(0, gap_needed - 1):  # a minute of rounding slack
                    broken.append(
                        f"overlap or no time to walk: {person_id} {a.demand_id} {b.demand_id}"
                    )
    return broken
