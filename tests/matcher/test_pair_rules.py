"""The table of pairwise hard rules: one new row binds everywhere, and a row's two forms agree."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matcher import explain, rules, solve
from matcher.candidates import build_candidates
from matcher.domain import Demand, Person, Reason, Role
from matcher.ranking import rank_candidates
from matcher.split import could_take
from tests.support.factories import make_person, make_problem, make_shift, near
from tests.support.weeks import random_week


def other_grid(person: Person, demand: Demand, role: Role) -> bool:
    return person.grid != demand.grid


def refused_for_other_grid(shortlist: rules.Shortlist, role: Role) -> np.ndarray:
    people = shortlist.pool.problem.people
    return np.array(
        [other_grid(people[int(i)], shortlist.demand, role) for i in shortlist.rows], dtype=bool
    )


SAME_GRID = rules.PairRule(
    key="grid",
    label=Reason(zh="住在本网格", en="living in the grid"),
    applies=rules.always,
    refused=refused_for_other_grid,
    refuses=other_grid,
)


@pytest.fixture
def same_grid_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table with one more row, before the coordinator's forbids."""
    table = (*rules.PAIR_RULES[:-1], SAME_GRID, rules.PAIR_RULES[-1])
    monkeypatch.setattr(rules, "PAIR_RULES", table)
    monkeypatch.setattr(rules, "RULE_BY_KEY", {rule.key: rule for rule in table})


def test_the_funnel_asks_in_the_tables_order() -> None:
    # a standing pair's visit: every row of the table applies
    post = make_shift("s1", skills=("助老",), party_members_only=True, reserved_for=("p1",))
    post = replace(post, roles=(replace(post.roles[0], team="助老服务队"),))
    problem = make_problem([make_person("p1")], [post])
    steps, left = explain.funnel(build_candidates(problem), 0, 0)
    assert [key for key, _ in steps] == [rule.key for rule in rules.PAIR_RULES]
    assert steps[0] == ("skill", 0) and left.size == 0


def test_a_new_row_binds_in_every_consumer(same_grid_rule: None) -> None:
    here = make_person("here", home=near(300), grid="g1")
    next_door = make_person("next_door", home=near(0), grid="g2")
    post = make_shift("s1", grid="g1")
    problem = make_problem([here, next_door], [post])
    # candidate pairs, hence the solver
    assert [a.person_id for a in solve(problem).assignments] == ["here"]
    # ranking for one seat
    ranked = rank_candidates(problem=problem, demand_id="s1", role=0, booked={})
    assert [c.person_id for c in ranked] == ["here"]
    # the border pass's choice of helpers
    assert could_take(here, post, post.roles)
    assert not could_take(next_door, post, post.roles)
    # the gap funnel, and the gap's reason in the row's own words
    only_next_door = make_problem([next_door], [post])
    steps, _ = explain.funnel(build_candidates(only_next_door), 0, 0)
    assert [key for key, _ in steps] == ["radius", "time", "grid", "forbidden"]
    gap = solve(only_next_door).gaps[0]
    assert gap.reason.zh == "1.2公里内没有周六09:00–11:00有空且住在本网格的人员"
    assert (
        gap.reason.en == "nobody within 1.2 km free on Saturday 09:00–11:00 and living in the grid"
    )


@pytest.mark.parametrize("seed", range(20))
def test_a_rows_one_person_form_agrees_with_its_array_form(seed: int) -> None:
    problem = random_week(seed, people=8, demands=8)
    pool = build_candidates(problem).pool
    everyone = np.arange(len(problem.people))
    for rule in rules.PAIR_RULES:
        if rule.refuses is None:
            continue
        for demand in problem.demands:
            shortlist = rules.Shortlist(pool, demand, everyone)
            for role in demand.roles:
                if not rule.applies(demand, role):
                    assert not any(rule.refuses(p, demand, role) for p in problem.people)
                    continue
                refused = rule.refused(shortlist, role)
                assert refused.tolist() == [rule.refuses(p, demand, role) for p in problem.people]
