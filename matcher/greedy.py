"""Greedy scheduling: the coordinator's by-hand baseline, and the repair of a relaxed answer.

``greedy_schedule`` is what a coordinator does with a spreadsheet: demands first come first
served, each head to the nearest eligible person who is still free, a group wish to the nearest
who can all come at one time. It is the measuring stick in the benchmark. ``repair`` turns the
flow's relaxed answer (which may book one person twice at once) into a valid week, then fills
what it freed.
"""

from __future__ import annotations

import numpy as np

from matcher import rules
from matcher.candidates import Candidates
from matcher.timetable import Booking, Timetable, marginal_load


def pairs_by_role(c: Candidates) -> dict[tuple[int, int], np.ndarray]:
    order = np.lexsort((c.distance_m, c.role, c.demand))
    keys = c.demand[order].astype(np.int64) * 1024 + c.role[order]
    bounds = np.flatnonzero(np.diff(keys)) + 1
    out = {}
    for chunk in np.split(order, bounds):
        if chunk.size:
            out[(int(c.demand[chunk[0]]), int(c.role[chunk[0]]))] = chunk
    return out


def book_pins(c: Candidates, table: Timetable) -> None:
    for i in np.flatnonzero(c.pinned):
        start = table.first_fitting_start(int(i))
        if start is None:
            # a pin holds even past a cap: the coordinator decided, and check_locks caught
            # conflicts
            start = c.segments(int(c.person[i]), int(c.demand[i]))[0].start
        table.book(int(i), start)


def greedy_schedule(c: Candidates) -> list[Booking]:
    """First come, first served; each head to the nearest eligible person still free (a group
    wish's heads all at one start)."""
    table = Timetable(c)
    book_pins(c, table)
    by_role = pairs_by_role(c)
    for d in range(len(c.problem.demands)):
        demand = c.problem.demands[d]
        if demand.together:
            # one visit: the nearest helpers who can all come at one time
            nearest = sorted(
                (int(i) for r in range(len(demand.roles)) for i in by_role.get((d, r), ())),
                key=lambda i: (c.distance_m[i], i),
            )
            table.try_book_together(d, nearest)
            continue
        for r, role in enumerate(demand.roles):
            for pair in by_role.get((d, r), ()):
                if table.role_count.get((d, r), 0) >= role.max_count:
                    break
                table.try_book(int(pair))
        table.drop_incomplete_group_wishes()
    return table.bookings()


def pair_value(c: Candidates, pair: int, table: Timetable) -> int:
    """What booking this pair adds now: its head's value minus its costs and the added load."""
    d, r, p = int(c.demand[pair]), int(c.role[pair]), int(c.person[pair])
    demand = c.problem.demands[d]
    role = demand.roles[r]
    essential, extra = rules.head_values(demand, role, c.problem.settings.weights)
    head = essential if table.role_count.get((d, r), 0) < role.min_count else extra
    tasks = len(table.by_person.get(p, []))
    return head - int(c.cost[pair]) - marginal_load(c, p, tasks)


def repair(c: Candidates, relaxed: np.ndarray) -> list[Booking]:
    """Make the flow's answer valid: keep the most valuable bookings, then fill the gaps."""
    table = Timetable(c)
    book_pins(c, table)
    weights = c.problem.settings.weights
    demands = c.problem.demands
    # fixed-time tasks first (they cannot move), wishes after (they can fit around them)
    ordered = sorted(
        (int(i) for i in relaxed if not c.pinned[i]),
        key=lambda i: (
            demands[int(c.demand[i])].flexible,
            -round(weights.coverage * demands[int(c.demand[i])].priority) + int(c.cost[i]),
            i,
        ),
    )
    # a group wish's relaxed helpers are booked together, in the place of the first of them
    helpers: dict[int, list[int]] = {}
    for pair in ordered:
        if demands[int(c.demand[pair])].together:
            helpers.setdefault(int(c.demand[pair]), []).append(pair)
    by_role = pairs_by_role(c)
    for pair in ordered:
        d = int(c.demand[pair])
        if d not in helpers:
            table.try_book(pair)
        elif helpers[d][0] == pair and not table.try_book_together(d, helpers[d]):
            fill_together(c, table, d, by_role)  # they cannot meet: the best who can
    table.drop_incomplete_group_wishes()
    fill(c, table)
    return table.bookings()


def fill(c: Candidates, table: Timetable) -> None:
    """Give every head still open to the best free candidate, most valuable heads first."""
    by_role = pairs_by_role(c)
    demands = c.problem.demands
    roles = sorted(by_role, key=lambda k: (-demands[k[0]].priority, k))
    for d, r in roles:
        role = demands[d].roles[r]
        if demands[d].together and table.meeting_of(d) is None:
            fill_together(c, table, d, by_role)
            continue
        while table.role_count.get((d, r), 0) < role.max_count:
            options = [int(i) for i in by_role[(d, r)] if (int(c.person[i]), d) not in table.taken]
            ranked = sorted(options, key=lambda i: (-pair_value(c, i, table), i))
            if not ranked or pair_value(c, ranked[0], table) <= 0:
                break
            if not any(table.try_book(i) for i in ranked[:50]):
                break
    table.drop_incomplete_group_wishes()


def fill_together(
    c: Candidates, table: Timetable, d: int, by_role: dict[tuple[int, int], np.ndarray]
) -> None:
    """A group wish nobody is on yet: the best helpers who can all come at one time."""
    demand = c.problem.demands[d]
    options = [
        int(i)
        for r in range(len(demand.roles))
        for i in by_role.get((d, r), ())
        if (int(c.person[i]), d) not in table.taken
    ]
    worth = {i: pair_value(c, i, table) for i in options}
    ranked = sorted((i for i in options if worth[i] > 0), key=lambda i: (-worth[i], i))
    table.try_book_together(d, ranked[:50])
