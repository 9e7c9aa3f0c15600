"""Regular crews (定点定时定人): a regular-crew shift keeps last week's people where a plain
shift rotates them toward members behind on the quarter, and never at the cost of a seat."""

from __future__ import annotations

from dataclasses import replace

import matcher
from matcher.domain import Problem, WeeklyWindow
from tests.support.factories import make_person, make_problem, make_shift, near

SATURDAY = (WeeklyWindow(weekday=5, start_minute=8 * 60, end_minute=12 * 60),)


def week(regulars: frozenset[str], *, regular_free: bool = True) -> Problem:
    """One Saturday seat; 老李 held it last week and has done his quarter, 小王 is behind."""
    regular = make_person(
        "regular",
        "老李",
        home=near(200),
        availability=SATURDAY if regular_free else (),
        services_this_quarter=3,
    )
    behind = make_person("behind", "小王", home=near(200), services_this_quarter=0)
    return make_problem(people=(regular, behind), demands=(make_shift("s1", regulars=regulars),))


def who(problem: Problem) -> list[str]:
    return [a.person_id for a in matcher.solve(problem).assignments]


def test_a_regular_crew_shift_keeps_its_people_where_a_plain_shift_rotates() -> None:
    assert who(week(frozenset())) == ["behind"]  # plain: the quarter rotates the seat
    kept = matcher.solve(week(frozenset({"regular"})))
    assert [a.person_id for a in kept.assignments] == ["regular"]
    assert any("固定班组" in r.zh for r in kept.assignments[0].reasons)
    assert kept.breakdown["continuity"] == 250


def test_a_regular_who_cannot_come_leaves_no_seat_empty() -> None:
    assert who(week(frozenset({"regular"}), regular_free=False)) == ["behind"]


def test_the_regular_crew_weight_is_what_trades_against_the_quarter() -> None:
    problem = week(frozenset({"regular"}))
    weights = replace(problem.settings.weights, regular_crew=100)
    light = replace(problem, settings=replace(problem.settings, weights=weights))
    assert who(light) == ["behind"]


def test_a_reserved_visit_goes_to_the_paired_member_while_they_can_come() -> None:
    from tests.support.factories import make_wish

    paired = make_person("paired", "结对党员", home=near(900))
    neighbour = make_person("neighbour", "近邻", home=near(50))
    visit = make_wish("v1", skills=(), location=near(0), reserved_for=("paired",))
    problem = make_problem(people=(paired, neighbour), demands=(visit,))
    assert who(problem) == ["paired"]
    assert who(replace(problem, demands=(replace(visit, reserved_for=()),))) == ["neighbour"]
    busy = replace(paired, availability=())
    assert who(replace(problem, people=(busy, neighbour))) == ["neighbour"]


def test_a_team_only_role_takes_only_team_members() -> None:
    from matcher.domain import Role
    from tests.support.factories import make_activity

    lawyer = make_person("lawyer", "王律师", home=near(900), teams=frozenset({"法律援助队"}))
    neighbour = make_person("neighbour", "近邻", home=near(50))
    open_role = Role(frozenset(), 1, 1, name="不限")
    activity = make_activity("a1", roles=(open_role,))
    problem = make_problem(people=(lawyer, neighbour), demands=(activity,))
    assert who(problem) == ["neighbour"]
    team_only = replace(activity, roles=(replace(open_role, team="法律援助队"),))
    assert who(replace(problem, demands=(team_only,))) == ["lawyer"]
    nobody = matcher.solve(replace(problem, people=(neighbour,), demands=(team_only,)))
    assert nobody.assignments == () and "属于指定的团队" in nobody.gaps[0].reason.zh
