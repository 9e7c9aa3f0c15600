"""Each soft goal on a tiny week where turning it off (weight 0) or flipping its input changes
the answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from matcher import solve
from matcher.domain import Locks, Settings, Solution, Weights
from tests.support.factories import make_person, make_problem, make_shift, make_wish, near


def who(solution: Solution, demand_id: str) -> list[str]:
    return sorted(a.person_id for a in solution.assignments if a.demand_id == demand_id)


def settings(**weights: Any) -> Settings:
    return Settings(time_limit_s=5, weights=replace(Weights(), **weights))


def test_most_valuable_demand_is_filled_first() -> None:
    person = make_person("p1", skills=("助老",))
    low = make_wish("low", skills=("助老",), priority=1.0, household="h1", first_day=5, last_day=5)
    high = make_wish(
        "high", skills=("助老",), priority=3.0, household="h2", first_day=5, last_day=5
    )
    busy = replace(person, weekly_task_cap=1)
    assert who(solve(make_problem([busy], [low, high])), "high") == ["p1"]
    flipped = [replace(low, priority=5.0), high]
    assert who(solve(make_problem([busy], flipped)), "low") == ["p1"]


def test_posts_get_their_minimum_staff_before_extra_staff() -> None:
    people = [make_person(f"p{i}", home=near(10 * i), weekly_task_cap=1) for i in range(2)]
    near_post = make_shift("near", weekday=5, min_count=1, max_count=2, location=near(0))
    far_post = make_shift("far", weekday=6, min_count=1, max_count=2, location=near(1000))
    solution = solve(make_problem(people, [near_post, far_post]))
    assert len(who(solution, "near")) == 1 and len(who(solution, "far")) == 1
    # if extra staff were worth as much as essential staff, both would take the nearer post
    flat = solve(
        make_problem(people, [near_post, far_post], settings=settings(extra_staff_fraction=1.0))
    )
    assert len(who(flat, "near")) == 2


def test_fairness_spreads_work_over_the_pool() -> None:
    close = make_person("close", home=near(0), services_this_quarter=5)
    further = make_person("further", home=near(200), services_this_quarter=5)
    shifts = [make_shift("a", weekday=5), make_shift("b", weekday=6)]
    fair = solve(make_problem([close, further], shifts))
    assert sorted(a.person_id for a in fair.assignments) == ["close", "further"]
    unfair = solve(make_problem([close, further], shifts, settings=settings(load_step=0)))
    assert sorted(a.person_id for a in unfair.assignments) == ["close", "close"]


def test_members_behind_on_their_quarter_come_first() -> None:
    ahead = make_person("ahead", home=near(0), services_this_quarter=5)
    behind = make_person("behind", home=near(300), services_this_quarter=0)
    shift = make_shift("s1")
    assert who(solve(make_problem([ahead, behind], [shift])), "s1") == ["behind"]
    caught_up = replace(behind, services_this_quarter=5)
    assert who(solve(make_problem([ahead, caught_up], [shift])), "s1") == ["ahead"]


def test_short_walks() -> None:
    a, b = make_person("a", home=near(800)), make_person("b", home=near(-100))
    assert who(solve(make_problem([a, b], [make_shift("s1", location=near(0))])), "s1") == ["b"]
    assert who(solve(make_problem([a, b], [make_shift("s1", location=near(700))])), "s1") == ["a"]


def test_stated_preferences() -> None:
    plain = make_person("plain", skills=("助老",), home=near(0))
    keen = make_person(
        "keen", skills=("助老",), home=near(150), preferred_categories=frozenset({"助老"})
    )
    wish = make_wish("w1", skills=("助老",), location=near(0))
    assert who(solve(make_problem([plain, keen], [wish])), "w1") == ["keen"]
    assert who(
        solve(make_problem([plain, keen], [wish], settings=settings(preference=0))), "w1"
    ) == ["plain"]


def test_continuity_with_a_household_served_before() -> None:
    stranger = make_person("stranger", skills=("助老",), home=near(0))
    regular = make_person(
        "regular", skills=("助老",), home=near(300), served_households=frozenset({"h7"})
    )
    wish = make_wish("w1", skills=("助老",), household="h7", location=near(0))
    assert who(solve(make_problem([stranger, regular], [wish])), "w1") == ["regular"]
    other_household = replace(wish, household="h8")
    assert who(solve(make_problem([stranger, regular], [other_household])), "w1") == ["stranger"]


def test_stability_keeps_the_published_assignment() -> None:
    published = make_person("published", home=near(700))
    newcomer = make_person("newcomer", home=near(0))
    shift = make_shift("s1")
    kept = make_problem(
        [published, newcomer], [shift], locks=Locks(previous=frozenset({("published", "s1")}))
    )
    assert who(solve(kept), "s1") == ["published"]
    assert who(solve(replace(kept, locks=Locks())), "s1") == ["newcomer"]


def test_breakdown_adds_up_to_the_objective() -> None:
    people = [make_person(f"p{i}", skills=("助老",), home=near(100 * i)) for i in range(3)]
    demands = [make_wish("w1", skills=("助老",)), make_shift("s1", min_count=1, max_count=3)]
    solution = solve(make_problem(people, demands))
    assert sum(solution.breakdown.values()) == solution.objective
    assert solution.breakdown["coverage"] > 0 and solution.breakdown["walk"] < 0
