"""双报到: a member's task in their other community keeps their time here clear by the walk
between the two places, as two tasks of one week do. Each case is built so that the walk
changes the answer: the same week without the task elsewhere, or with it at the same place,
comes out otherwise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from matcher import rules, solve, solve_greedy
from matcher.domain import (
    Demand,
    Location,
    Person,
    Problem,
    Solution,
    TaskElsewhere,
    WeeklyWindow,
)
from tests.support.factories import hm, make_person, make_problem, make_shift, make_wish, near, wm
from tests.support.hard_rules import broken_rules

SATURDAY = 5
#: the work unit in the other community: 1.6 km off, a walk of about 20 minutes
WORK_UNIT = near(0, 1600)
WALK = rules.walk_between(WORK_UNIT, near(0))

Solver = Callable[[Problem], Solution]
SOLVERS = pytest.mark.parametrize("solver", [solve, solve_greedy], ids=["solve", "greedy"])


def at_work(start: str, end: str, place: Location = WORK_UNIT) -> TaskElsewhere:
    """A task on Saturday in the member's other community."""
    return TaskElsewhere(wm(SATURDAY, start), wm(SATURDAY, end), place)


def member(*tasks: TaskElsewhere, free: tuple[str, str] = ("08:00", "20:00")) -> Person:
    """Free on Saturday only, from home next to the demands here."""
    window = WeeklyWindow(SATURDAY, hm(free[0]), hm(free[1]))
    return make_person("dual", home=near(0), availability=(window,), tasks_elsewhere=tasks)


def who(solution: Solution, demand_id: str) -> list[str]:
    return sorted(a.person_id for a in solution.assignments if a.demand_id == demand_id)


def solved(solver: Solver, person: Person, demand: Demand) -> Solution:
    """The week of one person and one demand, checked by the independent rule checker."""
    problem = make_problem([person], [demand])
    solution = solver(problem)
    assert broken_rules(problem, solution) == []
    return solution


def test_the_work_unit_is_a_twenty_minute_walk_away() -> None:
    assert 19 <= WALK <= 21


@SOLVERS
def test_a_shift_just_after_a_task_elsewhere_waits_for_the_walk(solver: Solver) -> None:
    shift = make_shift("here", weekday=SATURDAY, start="10:05", end="11:00", location=near(0))
    busy_there = member(at_work("09:00", "10:00"))
    assert who(solved(solver, busy_there, shift), "here") == []
    # the same task at the shift's own door leaves time enough; so does no task at all
    next_door = member(at_work("09:00", "10:00", near(0)))
    assert who(solved(solver, next_door, shift), "here") == ["dual"]
    assert who(solved(solver, member(), shift), "here") == ["dual"]
    # once the walk fits, the shift is theirs
    later = replace(shift, window=replace(shift.window, start=wm(SATURDAY, "10:25")))
    later = replace(later, duration=later.window.minutes)
    assert who(solved(solver, busy_there, later), "here") == ["dual"]


@SOLVERS
def test_a_shift_just_before_a_task_elsewhere_leaves_time_to_walk_there(solver: Solver) -> None:
    shift = make_shift("here", weekday=SATURDAY, start="09:00", end="10:00", location=near(0))
    busy_there = member(at_work("10:10", "12:00"))
    assert who(solved(solver, busy_there, shift), "here") == []
    walk_fits = member(at_work("10:25", "12:00"))
    assert who(solved(solver, walk_fits, shift), "here") == ["dual"]


@SOLVERS
def test_a_wish_starts_once_the_walk_from_the_other_community_is_made(solver: Solver) -> None:
    # free from 10:00, as the other community's task leaves them; the wish fits from then on
    person = member(at_work("09:00", "10:00"), free=("10:00", "12:00"))
    wish = make_wish("w", first_day=SATURDAY, last_day=SATURDAY, skills=(), location=near(0))
    (booked,) = solved(solver, person, wish).assignments
    assert booked.start == rules.on_grid(wm(SATURDAY, "10:00") + WALK)
    (unhindered,) = solved(solver, member(free=("10:00", "12:00")), wish).assignments
    assert unhindered.start == wm(SATURDAY, "10:00")


def test_a_wish_with_no_time_left_after_the_walk_is_a_gap_of_free_time() -> None:
    person = member(at_work("09:00", "10:00"), free=("10:00", "11:00"))
    wish = make_wish("w", first_day=SATURDAY, last_day=SATURDAY, skills=(), location=near(0))
    solution = solve(make_problem([person], [wish]))
    assert solution.assignments == ()
    (gap,) = solution.gaps
    assert "空闲" in gap.reason.zh and "free" in gap.reason.en
    unhindered = solve(make_problem([member(free=("10:00", "11:00"))], [wish]))
    assert who(unhindered, "w") == ["dual"]


def test_the_walk_counts_only_on_the_day_of_the_task_elsewhere() -> None:
    friday_evening = TaskElsewhere(wm(4, "19:00"), wm(4, "21:00"), WORK_UNIT)
    shift = make_shift("here", weekday=SATURDAY, start="09:00", end="10:00", location=near(0))
    assert who(solve(make_problem([member(friday_evening)], [shift])), "here") == ["dual"]


def test_the_rule_checker_sees_a_task_too_close_to_one_elsewhere() -> None:
    shift = make_shift("here", weekday=SATURDAY, start="10:05", end="11:00", location=near(0))
    problem = make_problem([member(at_work("09:00", "10:00"))], [shift])
    free_of_it = make_problem([member()], [shift])
    week = solve(free_of_it)  # the shift, taken by someone with nothing elsewhere …
    assert who(week, "here") == ["dual"]
    assert broken_rules(free_of_it, week) == []
    assert broken_rules(problem, week) == [  # … is a rule broken by someone busy elsewhere
        "no time to walk to or from the other community: dual on here"
    ]
