"""Small random weeks and an exhaustive solver to check the real one against."""

from __future__ import annotations

import random
from dataclasses import replace

from matcher.candidates import build_candidates
from matcher.domain import Location, PersonKind, Problem, Settings, WeeklyWindow
from matcher.timetable import Timetable, evaluate
from tests.support.factories import make_person, make_problem, make_shift, make_wish, near


def random_week(seed: int, people: int = 3, demands: int = 4) -> Problem:
    rng = random.Random(seed)
    skills = ("助老", "水电维修")
    persons = [
        make_person(
            f"p{i}",
            kind=rng.choice(list(PersonKind)),
            skills=rng.sample(skills, rng.randint(0, 2)),
            home=near(rng.uniform(-600, 600), rng.uniform(-600, 600)),
            availability=(WeeklyWindow(5, 8 * 60, 12 * 60), WeeklyWindow(6, 9 * 60, 11 * 60)),
            weekly_task_cap=rng.randint(1, 3),
            weekly_hours_cap=rng.choice([2.0, 3.0, 6.0]),
            services_this_quarter=rng.randint(0, 4),
            preferred_categories=frozenset(rng.sample(skills, 1)),
        )
        for i in range(people)
    ]
    items = []
    for j in range(demands):
        location = near(rng.uniform(-600, 600), rng.uniform(-600, 600))
        if rng.random() < 0.5:
            start = rng.choice(["08:00", "09:00", "10:00"])
            end = {"08:00": "09:30", "09:00": "10:30", "10:00": "11:00"}[start]
            items.append(
                make_shift(
                    f"s{j}",
                    weekday=rng.choice([5, 6]),
                    start=start,
                    end=end,
                    location=location,
                    min_count=1,
                    max_count=rng.randint(1, 2),
                    party_members_only=rng.random() < 0.3,
                )
            )
        else:
            items.append(
                make_wish(
                    f"w{j}",
                    skills=rng.sample(skills, 1),
                    first_day=6,
                    last_day=6,
                    location=location,
                    duration=rng.choice([30, 60, 90]),
                    min_count=rng.choice([1, 1, 2]),
                    household=f"h{j}",
                    priority=rng.choice([1.0, 3.0]),
                )
            )
    return make_problem(persons, items, settings=Settings(time_limit_s=5))


def brute_force_best(problem: Problem) -> int:
    """The best objective over every valid week, by exhaustive search."""
    c = build_candidates(problem)
    best = -(10**18)
    table = Timetable(c)

    def search(i: int) -> None:
        nonlocal best
        if i == len(c):
            demands = c.problem.demands
            for (d, _), n in table.role_count.items():
                if demands[d].all_or_nothing and 0 < n < demands[d].headcount:
                    return
            best = max(best, sum(evaluate(c, table.bookings()).values()))
            return
        search(i + 1)
        for start in c.starts(int(c.person[i]), int(c.demand[i])):
            if table.fits(i, start):
                snapshot = (
                    {p: list(b) for p, b in table.by_person.items()},
                    dict(table.minutes),
                    dict(table.role_count),
                    set(table.taken),
                )
                table.book(i, start)
                search(i + 1)
                table.by_person, table.minutes, table.role_count, table.taken = snapshot

    search(0)
    return best


def shifted(problem: Problem, tag: str, km_north: float) -> Problem:
    """The same week again, in a community km_north away, with its own ids."""
    move = km_north * 1000 / 111_320

    def place(loc: Location) -> Location:
        return replace(loc, lat=loc.lat + move)

    people = tuple(replace(p, id=p.id + tag, home=place(p.home)) for p in problem.people)
    demands = tuple(replace(d, id=d.id + tag, location=place(d.location)) for d in problem.demands)
    return replace(problem, people=people, demands=demands)
