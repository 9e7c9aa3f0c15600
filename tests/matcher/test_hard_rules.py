"""Each hard rule on a tiny hand-built week, built so that the rule changes the answer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matcher import solve
from matcher.domain import LockConflict, Locks, PersonKind, Settings, Solution, WeeklyWindow
from tests.support.factories import (
    make_person,
    make_problem,
    make_shift,
    make_wish,
    near,
    wm,
)


def who(solution: Solution, demand_id: str) -> list[str]:
    return sorted(a.person_id for a in solution.assignments if a.demand_id == demand_id)


def test_missing_required_skill() -> None:
    near_no_skill = make_person("near", skills=("助老",), home=near(0))
    far_skilled = make_person("far", skills=("水电维修",), home=near(900))
    wish = make_wish("w1", skills=("水电维修",), location=near(100))
    assert who(solve(make_problem([near_no_skill, far_skilled], [wish])), "w1") == ["far"]
    # without the requirement the nearer person would go
    anyone = replace(wish, roles=(replace(wish.roles[0], skills=frozenset()),))
    assert who(solve(make_problem([near_no_skill, far_skilled], [anyone])), "w1") == ["near"]


def test_availability_windows() -> None:
    saturday_morning = make_shift("s1", weekday=5, start="09:00", end="11:00")
    evenings_only = tuple(WeeklyWindow(d, 18 * 60, 22 * 60) for d in range(7))
    near_busy = make_person("near", home=near(0), availability=evenings_only)
    far_free = make_person("far", home=near(800))
    assert who(solve(make_problem([near_busy, far_free], [saturday_morning])), "s1") == ["far"]
    evening = make_shift("s1", weekday=5, start="19:00", end="21:00")
    assert who(solve(make_problem([near_busy, far_free], [evening])), "s1") == ["near"]


def test_unavailable_dates() -> None:
    shift = make_shift("s1", weekday=5)
    problem = make_problem(
        [make_person("near", home=near(0)), make_person("far", home=near(800))], [shift]
    )
    saturday = problem.week_start.replace(day=problem.week_start.day + 5)
    away = replace(problem.people[0], unavailable_dates=frozenset({saturday}))
    assert who(solve(problem), "s1") == ["near"]
    assert who(solve(replace(problem, people=(away, problem.people[1]))), "s1") == ["far"]


def test_no_two_tasks_overlap() -> None:
    person = make_person("p1")
    a = make_shift("a", start="09:00", end="11:00")
    b = make_shift("b", start="10:00", end="12:00")
    solution = solve(make_problem([person], [a, b]))
    assert len(solution.assignments) == 1
    later = make_shift("b", start="11:00", end="12:00")
    assert len(solve(make_problem([person], [a, later])).assignments) == 2


def test_walk_between_tasks_counts() -> None:
    person = make_person("p1", home=near(0))
    a = make_shift("a", start="09:00", end="10:00", location=near(-500))
    b_far = make_shift(
        "b", start="10:05", end="11:00", location=near(500)
    )  # 1 km: a 13-minute walk
    assert len(solve(make_problem([person], [a, b_far])).assignments) == 1
    b_same_place = make_shift("b", start="10:05", end="11:00", location=near(-500))
    assert len(solve(make_problem([person], [a, b_same_place])).assignments) == 2


def test_weekly_hours_cap() -> None:
    person = make_person("p1", skills=("水电维修",), weekly_hours_cap=2.0)
    wishes = [
        make_wish("w1", duration=90, household="h1"),
        make_wish("w2", duration=90, household="h2"),
    ]
    assert len(solve(make_problem([person], wishes)).assignments) == 1
    roomy = replace(person, weekly_hours_cap=4.0)
    assert len(solve(make_problem([roomy], wishes)).assignments) == 2


def test_weekly_task_cap() -> None:
    person = make_person("p1", weekly_task_cap=1)
    shifts = [make_shift("a", weekday=5), make_shift("b", weekday=6)]
    assert len(solve(make_problem([person], shifts)).assignments) == 1
    assert len(solve(make_problem([replace(person, weekly_task_cap=2)], shifts)).assignments) == 2


def test_service_radius() -> None:
    far = make_person("far", home=near(1500))
    shift = make_shift("s1", location=near(0))
    solution = solve(make_problem([far], [shift]))
    assert solution.assignments == ()
    assert "1.2公里内" in solution.gaps[0].reason.zh
    wider = replace(shift, radius_m=2000.0)
    assert who(solve(make_problem([far], [wider])), "s1") == ["far"]


def test_party_members_only_post() -> None:
    volunteer = make_person("vol", kind=PersonKind.VOLUNTEER, home=near(0))
    member = make_person("mem", kind=PersonKind.PARTY_MEMBER, home=near(900))
    post = make_shift("s1", party_members_only=True)
    assert who(solve(make_problem([volunteer, member], [post])), "s1") == ["mem"]
    open_post = replace(post, party_members_only=False)
    assert who(solve(make_problem([volunteer, member], [open_post])), "s1") == ["vol"]
    only_volunteers = solve(make_problem([volunteer], [post]))
    assert "党员" in only_volunteers.gaps[0].reason.zh


def test_max_staff() -> None:
    people = [make_person(f"p{i}", home=near(100 * i)) for i in range(4)]
    post = make_shift("s1", min_count=1, max_count=2)
    assert len(solve(make_problem(people, [post])).assignments) == 2
    bigger = make_shift("s1", min_count=1, max_count=3)
    assert len(solve(make_problem(people, [bigger])).assignments) == 3


def test_pin_holds_even_when_another_is_better() -> None:
    near_person, far_person = make_person("near", home=near(0)), make_person("far", home=near(900))
    shift = make_shift("s1")
    assert who(solve(make_problem([near_person, far_person], [shift])), "s1") == ["near"]
    pinned = make_problem(
        [near_person, far_person], [shift], locks=Locks(pinned=frozenset({("far", "s1")}))
    )
    solution = solve(pinned)
    assert who(solution, "s1") == ["far"]
    assert solution.assignments[0].pinned


def test_pin_of_an_ineligible_person_holds_with_a_warning() -> None:
    unskilled = make_person("p1", skills=())
    wish = make_wish("w1", skills=("法律援助",))
    assert solve(make_problem([unskilled], [wish])).assignments == ()
    pinned = solve(make_problem([unskilled], [wish], locks=Locks(pinned=frozenset({("p1", "w1")}))))
    assert who(pinned, "w1") == ["p1"]
    assert pinned.warnings


def test_forbid() -> None:
    near_person, far_person = make_person("near", home=near(0)), make_person("far", home=near(900))
    shift = make_shift("s1")
    forbidden = make_problem(
        [near_person, far_person], [shift], locks=Locks(forbidden=frozenset({("near", "s1")}))
    )
    assert who(solve(forbidden), "s1") == ["far"]


def test_group_wish_needs_all_heads_or_none() -> None:
    helper = make_person("p1", skills=("助老",))
    group = make_wish("w1", skills=("助老",), min_count=2)
    solution = solve(make_problem([helper], [group]))
    assert solution.assignments == ()
    assert "2人" in solution.gaps[0].reason.zh
    two = make_person("p2", skills=("助老",), home=near(50))
    assert who(solve(make_problem([helper, two], [group])), "w1") == ["p1", "p2"]


def test_contradictory_locks_are_refused_with_reasons() -> None:
    person = make_person("p1")
    a = make_shift("a", start="09:00", end="11:00")
    b = make_shift("b", start="10:00", end="12:00")
    locks = Locks(pinned=frozenset({("p1", "a"), ("p1", "b")}))
    with pytest.raises(LockConflict) as caught:
        solve(make_problem([person], [a, b], locks=locks))
    assert "重叠" in caught.value.reasons[0].zh
    with pytest.raises(LockConflict):
        solve(
            make_problem(
                [person],
                [a],
                locks=Locks(pinned=frozenset({("p1", "a")}), forbidden=frozenset({("p1", "a")})),
            )
        )
    with pytest.raises(LockConflict):
        solve(make_problem([person], [a], locks=Locks(pinned=frozenset({("ghost", "a")}))))


def test_wish_time_is_chosen_inside_the_deadline_and_free_time() -> None:
    person = make_person("p1", skills=("水电维修",))
    wish = make_wish("w1", first_day=2, last_day=3, duration=60)  # Wednesday or Thursday
    solution = solve(make_problem([person], [wish], settings=Settings(time_limit_s=2)))
    (a,) = solution.assignments
    assert wm(2, "00:00") <= a.start and a.end <= wm(4, "00:00")
    assert a.start % 1440 >= 18 * 60  # weekday evenings only


def test_house_calls_only_in_visiting_hours() -> None:
    late = tuple(WeeklyWindow(d, 20 * 60, 22 * 60) for d in range(7))
    night_owl = make_person("p1", skills=("水电维修",), availability=late)
    wish = make_wish("w1")
    solution = solve(make_problem([night_owl], [wish]))
    assert solution.assignments == ()
    assert "探访时间（08:00–20:00）" in solution.gaps[0].reason.zh
    evenings = Settings(time_limit_s=5, visit_hours=(8 * 60, 22 * 60))
    (a,) = solve(make_problem([night_owl], [wish], settings=evenings)).assignments
    assert a.start % 1440 >= 20 * 60 and a.end % 1440 <= 22 * 60
