"""Ranking the candidates for one seat: each hard rule on a hand-built week, built so that the
rule changes the answer, and on random weeks every ranked candidate keeps every hard rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

import pytest

from matcher import solve
from matcher.domain import Locks, PersonKind, Problem, WeeklyWindow
from matcher.ranking import Booked, RankedCandidate, rank_candidates
from tests.support.factories import (
    make_assignment,
    make_person,
    make_problem,
    make_role,
    make_shift,
    make_wish,
    near,
    wm,
)
from tests.support.hard_rules import broken_rules
from tests.support.weeks import random_week

#: no quarter bonus, so that scores show walks and load alone
DONE_FOR_THE_QUARTER: dict[str, Any] = {"services_this_quarter": 3}


def ranking(
    problem: Problem,
    demand_id: str = "s1",
    role: int = 0,
    booked: dict[str, list[Booked]] | None = None,
    keep_assigned: bool = False,
) -> list[RankedCandidate]:
    return rank_candidates(
        problem=problem,
        demand_id=demand_id,
        role=role,
        booked=booked or {},
        keep_assigned=keep_assigned,
    )


def who(problem: Problem, demand_id: str = "s1", **kwargs: object) -> list[str]:
    return [c.person_id for c in ranking(problem, demand_id, **kwargs)]  # type: ignore[arg-type]


def elsewhere(weekday: int = 0, start: str = "19:00", end: str = "20:00") -> Booked:
    """A task outside the problem (another community's, say)."""
    return Booked(wm(weekday, start), wm(weekday, end))


def test_nearer_first_and_a_further_task_costs_more() -> None:
    near_one = make_person("near", home=near(0), **DONE_FOR_THE_QUARTER)
    far_one = make_person("far", home=near(300), **DONE_FOR_THE_QUARTER)
    problem = make_problem([far_one, near_one], [make_shift("s1")])
    first, second = ranking(problem)
    assert (first.person_id, second.person_id) == ("near", "far")
    assert (first.score, second.score) == (0, -30)  # 100 points per km
    # a task already this week makes the next one cost 40 more: more than the 300 m walk
    busy = ranking(problem, booked={"near": [elsewhere()]})
    assert [c.person_id for c in busy] == ["far", "near"]
    assert busy[1].score == -40
    assert (busy[1].tasks_this_week, busy[1].minutes_this_week) == (1, 60)


def test_members_behind_on_their_quarter_first() -> None:
    behind = make_person("behind", home=near(300), services_this_quarter=0)
    done = make_person("done", home=near(0), **DONE_FOR_THE_QUARTER)
    first = ranking(make_problem([done, behind], [make_shift("s1")]))[0]
    assert first.person_id == "behind"
    assert first.score == 150 - 30
    assert any("本季度" in r.zh for r in first.reasons)


def test_ties_go_to_the_person_listed_first() -> None:
    people = [make_person(f"p{i}", home=near(0), **DONE_FOR_THE_QUARTER) for i in (2, 1, 3)]
    assert who(make_problem(people, [make_shift("s1")])) == ["p2", "p1", "p3"]


def test_missing_required_skill() -> None:
    plumber = make_person("plumber", skills=("水电维修",))
    carer = make_person("carer", skills=("助老",))
    problem = make_problem([carer, plumber], [make_wish("w1", skills=("水电维修",))])
    ranked = ranking(problem, "w1")
    assert [c.person_id for c in ranked] == ["plumber"]
    assert ranked[0].reasons[0].zh == "具备「水电维修」专长"
    assert ranked[-1].reasons[-1].en == "free at that time"


def test_party_members_only() -> None:
    member = make_person("member", kind=PersonKind.PARTY_MEMBER, home=near(300))
    volunteer = make_person("volunteer", kind=PersonKind.VOLUNTEER, home=near(0))
    post = make_shift("s1", party_members_only=True)
    assert who(make_problem([member, volunteer], [post])) == ["member"]
    assert set(who(make_problem([member, volunteer], [make_shift("s1")]))) == {
        "member",
        "volunteer",
    }


def test_walking_radius() -> None:
    close = make_person("close", home=near(1000))
    far = make_person("far", home=near(1500))
    assert who(make_problem([close, far], [make_shift("s1")])) == ["close"]
    narrow = make_shift("s1", radius_m=800.0)
    assert who(make_problem([close, far], [narrow])) == []


def test_free_time_and_unavailable_dates() -> None:
    evenings = tuple(WeeklyWindow(d, 18 * 60, 22 * 60) for d in range(7))
    evening_person = make_person("evenings", availability=evenings)
    anytime = make_person("anytime")
    morning = make_shift("s1", weekday=5, start="09:00", end="11:00")
    problem = make_problem([evening_person, anytime], [morning])
    assert who(problem) == ["anytime"]
    evening = make_shift("s1", weekday=5, start="18:00", end="20:00")
    assert set(who(make_problem([evening_person, anytime], [evening]))) == {
        "evenings",
        "anytime",
    }
    saturday = problem.week_start.replace(day=problem.week_start.day + 5)
    away = replace(anytime, unavailable_dates=frozenset({saturday}))
    assert who(make_problem([evening_person, away], [morning])) == []


def test_forbids_hold_and_pins_do_not_let_anyone_through() -> None:
    a, b = make_person("a", home=near(0)), make_person("b", skills=(), home=near(100))
    post = make_shift("s1")
    forbid = Locks(forbidden=frozenset({("a", "s1"), ("gone", "s1")}))  # "gone" left the roster
    assert who(make_problem([a, b], [post], locks=forbid)) == ["b"]
    wish = make_wish("w1", skills=("水电维修",))
    pinned = Locks(pinned=frozenset({("a", "w1")}))  # a has no plumbing skill
    assert who(make_problem([a, b], [wish], locks=pinned), "w1") == []


def test_weekly_task_cap() -> None:
    capped = make_person("capped", home=near(0), weekly_task_cap=1)
    other = make_person("other", home=near(500))
    problem = make_problem([capped, other], [make_shift("s1")])
    assert who(problem)[0] == "capped"
    assert who(problem, booked={"capped": [elsewhere()]}) == ["other"]


def test_weekly_hours_cap() -> None:
    capped = make_person("capped", home=near(0), weekly_hours_cap=2.5)
    other = make_person("other", home=near(500))
    problem = make_problem([capped, other], [make_shift("s1")])  # two hours
    assert "capped" in who(problem, booked={"capped": [elsewhere(end="19:30")]})
    assert who(problem, booked={"capped": [elsewhere(end="19:45")]}) == ["other"]


def test_a_clash_counts_the_walk_between_the_places() -> None:
    person = make_person("p1", home=near(0))
    post = make_shift("s1", start="09:00", end="11:00", location=near(500))
    before_far = make_shift("a", start="07:00", end="08:55", location=near(-500))
    before_here = make_shift("b", start="07:00", end="08:55", location=near(500))
    problem = make_problem([person], [post, before_far, before_here])
    # five minutes is too little for the 1 km walk (13 minutes)...
    far_task = Booked(wm(5, "07:00"), wm(5, "08:55"), "a", 0)
    assert who(problem, booked={"p1": [far_task]}) == []
    # ...enough when the earlier task is next door, or the place is unknown (no walk counted)
    assert who(problem, booked={"p1": [replace(far_task, demand_id="b")]}) == ["p1"]
    assert who(problem, booked={"p1": [replace(far_task, demand_id=None)]}) == ["p1"]
    assert who(problem, booked={"p1": [replace(far_task, demand_id="elsewhere-9")]}) == ["p1"]
    # and an overlap is a clash anywhere
    overlapping = Booked(wm(5, "10:00"), wm(5, "12:00"))
    assert who(problem, booked={"p1": [overlapping]}) == []


def test_a_wish_starts_after_what_the_person_already_does() -> None:
    plumber = make_person("plumber", skills=("水电维修",))
    wish = make_wish("w1", first_day=5, last_day=5, duration=60, location=near(0))
    problem = make_problem([plumber], [wish])
    assert ranking(problem, "w1")[0].start == wm(5, "08:00")
    morning = Booked(wm(5, "08:00"), wm(5, "09:30"))
    found = ranking(problem, "w1", booked={"plumber": [morning]})[0]
    # right after it: no walk is counted from a task outside the problem
    assert (found.start, found.end) == (wm(5, "09:30"), wm(5, "10:30"))
    # from a task of the problem 500 m away, after the 7-minute walk, on the 5-minute grid
    hall = make_shift("hall", weekday=5, start="08:00", end="09:30", location=near(-500))
    problem = make_problem([plumber], [wish, hall])
    there = Booked(wm(5, "08:00"), wm(5, "09:30"), "hall", 0)
    found = ranking(problem, "w1", booked={"plumber": [there]})[0]
    assert (found.start, found.end) == (wm(5, "09:40"), wm(5, "10:40"))


def test_people_already_on_the_demand() -> None:
    roles = (make_role(max_count=2), make_role(("助老",)))
    post = make_shift("s1", roles=roles)
    on_it = make_person("on_it", home=near(0), skills=("助老",), **DONE_FOR_THE_QUARTER)
    other_role = make_person("other_role", home=near(0), skills=("助老",))
    free = make_person("free", home=near(600), **DONE_FOR_THE_QUARTER)
    problem = make_problem([on_it, other_role, free], [post])
    booked = {
        "on_it": [Booked(wm(5, "09:00"), wm(5, "11:00"), "s1", 0), elsewhere()],
        "other_role": [Booked(wm(5, "09:00"), wm(5, "11:00"), "s1", 1)],
    }
    assert who(problem, booked=booked) == ["free"]
    kept = ranking(problem, booked=booked, keep_assigned=True)
    assert [(c.person_id, c.assigned) for c in kept] == [("on_it", True), ("free", False)]
    # measured without the task they would be ranked for: one other task, an hour
    assert (kept[0].tasks_this_week, kept[0].minutes_this_week) == (1, 60)
    assert (kept[0].start, kept[0].end) == (wm(5, "09:00"), wm(5, "11:00"))


def test_a_full_seat_still_gets_stand_ins() -> None:
    post = make_shift("s1", min_count=1, max_count=1)
    on_it, spare = make_person("on_it"), make_person("spare")
    booked = {"on_it": [Booked(wm(5, "09:00"), wm(5, "11:00"), "s1", 0)]}
    assert who(make_problem([on_it, spare], [post]), booked=booked) == ["spare"]


def test_an_unknown_seat_is_refused() -> None:
    problem = make_problem([make_person("p1")], [make_shift("s1")])
    with pytest.raises(ValueError, match="no demand"):
        ranking(problem, "nope")
    with pytest.raises(ValueError, match="no role"):
        ranking(problem, "s1", role=1)


def test_every_ranked_candidate_keeps_every_hard_rule() -> None:
    checked = 0
    for seed in range(12):
        problem = random_week(seed, people=6, demands=6)
        # the best week's tasks of every other demand are booked: seats open, people busy
        best = solve(problem)
        kept = {d.id for d in problem.demands[::2]}
        week = replace(best, assignments=tuple(a for a in best.assignments if a.demand_id in kept))
        booked: dict[str, list[Booked]] = defaultdict(list)
        filled: dict[tuple[str, int], int] = defaultdict(int)
        for a in week.assignments:
            booked[a.person_id].append(Booked(a.start, a.end, a.demand_id, a.role))
            filled[(a.demand_id, a.role)] += 1
        for demand in problem.demands:
            if demand.all_or_nothing:
                continue  # one more head would half-staff a group wish
            for r, role in enumerate(demand.roles):
                if filled[(demand.id, r)] >= role.max_count:
                    continue
                for c in ranking(problem, demand.id, role=r, booked=booked):
                    taken = make_assignment(c.person_id, demand.id, c.start, c.end, role=r)
                    more = replace(week, assignments=(*week.assignments, taken))
                    assert broken_rules(problem, more) == [], (seed, demand.id, c.person_id)
                    checked += 1
    assert checked > 30
