"""Group wishes: all helpers of a wish with several heads come at one start (each walking to
it), or none come; a wish marked ``separate_visits`` may have them at different times. The
solver, the greedy baseline, the ranking for one seat and the explanations keep to it."""

from __future__ import annotations

import copy
from dataclasses import replace

from matcher import solve, solve_greedy
from matcher.candidates import build_candidates
from matcher.domain import Demand, Problem, WeeklyWindow
from matcher.flow import solve_flow
from matcher.ranking import Booked, rank_candidates
from matcher.solver import load_tiers
from matcher.timing import could_meet
from scenarios import parse_scenario
from tests.matcher.group_rules import every_rule_broken
from tests.support.factories import make_person, make_problem, make_wish, near, wm
from tests.support.scenario_docs import minimal_example

CARRY = ("搬运",)  # moving furniture


def evening(weekday: int, start: str) -> tuple[WeeklyWindow, ...]:
    hours, minutes = map(int, start.split(":"))
    return (WeeklyWindow(weekday, hours * 60 + minutes, 20 * 60),)


def wardrobe_week(separate_visits: bool = False) -> Problem:
    """Three helpers, free on Monday from 18:00, Tuesday from 18:30 and Wednesday from 18:45; a
    wardrobe to move (90 minutes, three people) any day from Monday to Wednesday."""
    helpers = [
        make_person("mon", skills=CARRY, home=near(0), availability=evening(0, "18:00")),
        make_person("tue", skills=CARRY, home=near(100), availability=evening(1, "18:30")),
        make_person("wed", skills=CARRY, home=near(200), availability=evening(2, "18:45")),
    ]
    wardrobe = make_wish("w1", skills=CARRY, first_day=0, last_day=2, duration=60, min_count=3)
    wardrobe = replace(wardrobe, separate_visits=separate_visits)
    return make_problem(helpers, [wardrobe])


def test_a_group_wish_is_staffed_at_one_time_or_not_at_all() -> None:
    problem = wardrobe_week()
    solution = solve(problem)
    assert solution.assignments == ()
    (gap,) = solution.gaps
    assert gap.reason.zh == "需要3人同一时间上门，任何时候最多只有1人能同时到场（共3人符合条件）"
    assert gap.reason.en == "needs 3 people at one time; at most 1 can come at once (3 eligible)"
    assert solution.status == "optimal"
    # all three free on Tuesday evening: one visit, all at one start
    tuesday = tuple(replace(p, availability=evening(1, "18:30")) for p in problem.people)
    together = replace(problem, people=tuesday)
    solution = solve(together)
    assert {a.start for a in solution.assignments} == {wm(1, "18:30")}
    assert len(solution.assignments) == 3
    assert every_rule_broken(together, solution) == []
    assert all(
        any(r.zh == "与另外2人同一时间上门" for r in a.reasons) for a in solution.assignments
    )


def test_separate_visits_may_come_at_different_times() -> None:
    problem = wardrobe_week(separate_visits=True)
    solution = solve(problem)
    assert sorted(a.start for a in solution.assignments) == [
        wm(0, "18:00"),
        wm(1, "18:30"),
        wm(2, "18:45"),
    ]
    assert every_rule_broken(problem, solution) == []


def test_the_group_waits_for_its_last_helper() -> None:
    """Two helpers free all Saturday and one only from 15:00: the visit is at 15:00, not at
    the first two's earliest."""
    early = [make_person(f"p{i}", skills=CARRY, home=near(100 * i)) for i in range(2)]
    late = make_person("late", skills=CARRY, home=near(300), availability=evening(5, "15:00"))
    wish = make_wish("w1", skills=CARRY, first_day=5, last_day=5, duration=90, min_count=3)
    problem = make_problem([*early, late], [wish])
    for solver in (solve, solve_greedy):
        solution = solver(problem)
        assert {a.start for a in solution.assignments} == {wm(5, "15:00")}, solver
        assert every_rule_broken(problem, solution) == []


def test_the_greedy_baseline_keeps_the_group_together() -> None:
    assert solve_greedy(wardrobe_week()).assignments == ()
    separate = wardrobe_week(separate_visits=True)
    assert len(solve_greedy(separate).assignments) == 3


def test_ranking_for_a_partly_staffed_group_wish_offers_only_people_free_then() -> None:
    saturday_morning = (WeeklyWindow(5, 8 * 60, 12 * 60),)
    saturday_afternoon = (WeeklyWindow(5, 14 * 60, 18 * 60),)
    on_it = make_person("on_it", skills=CARRY, home=near(0))
    morning = make_person("morning", skills=CARRY, home=near(300), availability=saturday_morning)
    afternoon = make_person(
        "afternoon", skills=CARRY, home=near(100), availability=saturday_afternoon
    )
    wish = make_wish("w1", skills=CARRY, first_day=5, last_day=5, duration=60, min_count=2)
    problem = make_problem([on_it, morning, afternoon], [wish])
    booked = {"on_it": [Booked(wm(5, "10:00"), wm(5, "11:00"), "w1", 0)]}
    ranked = rank_candidates(problem=problem, demand_id="w1", role=0, booked=booked)
    assert [(c.person_id, c.start) for c in ranked] == [("morning", wm(5, "10:00"))]
    # with nobody on it yet, either could start it, each at their own earliest
    ranked = rank_candidates(problem=problem, demand_id="w1", role=0, booked={})
    assert {c.person_id: c.start for c in ranked} == {
        "on_it": wm(5, "08:00"),
        "morning": wm(5, "08:00"),
        "afternoon": wm(5, "14:00"),
    }
    # separate visits: anyone free at any time
    apart_wish = replace(wish, separate_visits=True)
    ranked = rank_candidates(
        problem=replace(problem, demands=(apart_wish,)), demand_id="w1", role=0, booked=booked
    )
    assert {c.person_id for c in ranked} == {"morning", "afternoon"}


def test_the_scenario_flag_separate_visits() -> None:
    data = copy.deepcopy(minimal_example())
    wish = data["wishes"][0]
    wish["headcount"] = 2

    def loaded() -> Demand:
        (demand,) = [d for d in parse_scenario(data, "test").demands if d.id == wish["id"]]
        return demand

    assert loaded().together and not loaded().separate_visits  # old files: one visit
    wish["separate_visits"] = True
    assert loaded().separate_visits and loaded().all_or_nothing and not loaded().together


def test_the_flow_bound_leaves_out_helpers_who_cannot_meet() -> None:
    # Monday's and Tuesday's helpers could each come, but never with two others: the flow's
    # bound counted the wardrobe's three heads; now it gives those helpers nothing
    problem = wardrobe_week()
    c = build_candidates(problem)
    assert could_meet(c).tolist() == [False, False, False]
    assert solve_flow(c, load_tiers(c)).bound == 0
    # two more helpers free on Tuesday from 18:00: with Tuesday's first, three can meet from
    # 18:30; Monday's and Wednesday's helpers still carry nothing
    more_people = [
        make_person(f"tue{n}", skills=CARRY, home=near(50 * n), availability=evening(1, "18:00"))
        for n in (2, 3)
    ]
    more = replace(problem, people=(*problem.people, *more_people))
    c = build_candidates(more)
    meets = {more.people[int(p)].id: bool(m) for p, m in zip(c.person, could_meet(c), strict=True)}
    assert meets == {"mon": False, "tue": True, "wed": False, "tue2": True, "tue3": True}
    assert solve_flow(c, load_tiers(c)).bound == solve(more).objective > 0
