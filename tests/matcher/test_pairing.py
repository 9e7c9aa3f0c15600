"""Standing pairs (结对帮扶): each rule of the pairing binds, and the optimum is exact."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from matcher.domain import Location, Person, PersonKind
from matcher.pairing import (
    Household,
    PairingLockConflict,
    PairingProblem,
    PairingRules,
    PairingWeights,
    SituationSince,
    balance_cost,
    continuity_bonus,
    skill_bonus,
    solve_pairing,
    visit_due,
    walk_cost,
)

ORIGIN = Location(30.0, 114.0)
METRES_PER_DEGREE = 111_195.0


def east(metres: float) -> Location:
    """A point ``metres`` east of the origin (a degree of longitude is shorter at 30°N)."""
    return Location(ORIGIN.lat, ORIGIN.lng + metres / (METRES_PER_DEGREE * np.cos(np.radians(30))))


def member(person_id: str, metres: float, skills: tuple[str, ...] = ()) -> Person:
    return Person(
        id=person_id,
        name=f"党员{person_id}",
        kind=PersonKind.PARTY_MEMBER,
        skills=frozenset(skills),
        home=east(metres),
    )


def household(
    household_id: str, metres: float = 0.0, situation: str = "elderly_alone"
) -> Household:
    return Household(
        id=household_id,
        name=f"住户{household_id}",
        location=east(metres),
        situations=(SituationSince(situation, date(2026, 3, 1)),),
    )


def pairs_of(problem: PairingProblem) -> set[tuple[str, str]]:
    return {(p.person_id, p.household_id) for p in solve_pairing(problem).pairs}


def test_a_pair_beyond_the_walking_radius_is_never_proposed() -> None:
    problem = PairingProblem(
        people=(member("far", 1300),), households=(household("h1"),), rules=PairingRules()
    )
    solution = solve_pairing(problem)
    assert solution.pairs == ()
    assert [u.household_id for u in solution.unpaired] == ["h1"]
    assert "1.2公里内没有可结对的本社区党员" in solution.unpaired[0].reason.zh
    wider = replace(problem, rules=PairingRules(radius_m=1500))
    assert pairs_of(wider) == {("far", "h1")}


def test_a_members_pair_limit_holds() -> None:
    households = tuple(household(f"h{k}", 10 * k) for k in range(5))
    problem = PairingProblem(
        people=(member("a", 0),),
        households=households,
        rules=PairingRules(max_households_per_member=3),
    )
    solution = solve_pairing(problem)
    assert len(solution.pairs) == 3
    assert len(solution.unpaired) == 2
    assert all("都已结满3户" in u.reason.zh for u in solution.unpaired)
    roomier = replace(problem, rules=PairingRules(max_households_per_member=5))
    assert len(pairs_of(roomier)) == 5


def test_balance_spreads_households_over_members() -> None:
    households = tuple(household(f"h{k}") for k in range(4))
    people = (member("near", 100), member("farther", 300))
    balanced = PairingProblem(people=people, households=households)
    counts = [p.person_id for p in solve_pairing(balanced).pairs]
    assert counts.count("near") == 2 and counts.count("farther") == 2
    unbalanced = replace(balanced, weights=PairingWeights(balance_step=0))
    assert {p for p, _ in pairs_of(unbalanced)} == {"near"}


def test_continuity_keeps_an_existing_pair() -> None:
    people = (member("near", 100), member("standing", 600))
    fresh = PairingProblem(people=people, households=(household("h1"),))
    assert pairs_of(fresh) == {("near", "h1")}
    standing = replace(fresh, existing=frozenset({("standing", "h1")}))
    solution = solve_pairing(standing)
    assert pairs_of(standing) == {("standing", "h1")}
    assert solution.pairs[0].kept
    assert any("原有结对" in r.zh for r in solution.pairs[0].reasons)


def test_skills_that_suit_the_household_win_over_a_slightly_shorter_walk() -> None:
    people = (member("near", 100), member("carer", 300, ("助老",)))
    problem = PairingProblem(
        people=people, households=(household("h1", situation="elderly_alone"),)
    )
    assert pairs_of(problem) == {("carer", "h1")}
    reasons = solve_pairing(problem).pairs[0].reasons
    assert any("「助老」" in r.zh for r in reasons)
    dispute = replace(problem, households=(household("h1", situation="dispute"),))
    assert pairs_of(dispute) == {("near", "h1")}


def test_only_party_members_pair_and_only_must_visit_households_need_one() -> None:
    volunteer = replace(member("v", 0), kind=PersonKind.VOLUNTEER)
    problem = PairingProblem(people=(volunteer,), households=(household("h1"),))
    assert solve_pairing(problem).pairs == ()
    narrow = PairingProblem(
        people=(member("a", 0),),
        households=(household("h1", situation="new_arrival"),),
        rules=PairingRules(must_pair=frozenset({"elderly_alone"})),
    )
    solution = solve_pairing(narrow)
    assert solution.needing == 0 and solution.pairs == () and solution.unpaired == ()


def test_forbid_and_pin() -> None:
    people = (member("near", 100), member("other", 500))
    problem = PairingProblem(people=people, households=(household("h1"),))
    assert pairs_of(replace(problem, forbidden=frozenset({("near", "h1")}))) == {("other", "h1")}
    everyone = replace(problem, forbidden=frozenset({("near", "h1"), ("other", "h1")}))
    assert "被协调员排除" in solve_pairing(everyone).unpaired[0].reason.zh
    pinned = solve_pairing(replace(problem, pinned=frozenset({("other", "h1")})))
    assert [(p.person_id, p.pinned) for p in pinned.pairs] == [("other", True)]


def test_pins_count_toward_the_limit_and_too_many_pins_conflict() -> None:
    households = (household("h1"), household("h2"), household("h3"))
    rules = PairingRules(max_households_per_member=2)
    problem = PairingProblem(
        people=(member("a", 0),),
        households=households,
        rules=rules,
        pinned=frozenset({("a", "h1"), ("a", "h2")}),
    )
    assert pairs_of(problem) == {("a", "h1"), ("a", "h2")}
    with pytest.raises(PairingLockConflict):
        solve_pairing(replace(problem, pinned=frozenset({("a", "h1"), ("a", "h2"), ("a", "h3")})))


def test_the_next_visit_comes_every_n_weeks_and_soon_after_a_new_situation() -> None:
    rules = PairingRules(visit_every_weeks=4, new_situation_visit_days=7)
    old = (SituationSince("elderly_alone", date(2025, 1, 1)),)
    assert visit_due(
        rules=rules, paired_since=date(2026, 1, 1), last_visit=date(2026, 3, 2), situations=old
    ) == date(2026, 3, 30)
    new = (*old, SituationSince("seriously_ill", date(2026, 3, 10)))
    assert visit_due(
        rules=rules, paired_since=date(2026, 1, 1), last_visit=date(2026, 3, 2), situations=new
    ) == date(2026, 3, 17)
    assert visit_due(
        rules=rules, paired_since=date(2026, 3, 2), last_visit=None, situations=old
    ) == date(2026, 3, 9)


def brute_force_points(problem: PairingProblem) -> int:
    """The best points by trying every assignment (tiny instances only)."""
    rules, weights = problem.rules, problem.weights
    best = 0
    people = problem.people
    for choice in itertools.product([None, *range(len(people))], repeat=len(problem.households)):
        load = [0] * len(people)
        points = 0
        feasible = True
        for k, i in enumerate(choice):
            if i is None:
                continue
            person, home = people[i], problem.households[k]
            distance = float(
                np.asarray(
                    __import__("matcher.rules", fromlist=["haversine_m"]).haversine_m(
                        np.array([person.home.lat]),
                        np.array([person.home.lng]),
                        home.location.lat,
                        home.location.lng,
                    )
                )[0]
            )
            if distance > rules.radius_m or (person.id, home.id) in problem.forbidden:
                feasible = False
                break
            points += weights.paired - int(walk_cost(np.array([distance]), weights)[0])
            points += skill_bonus(person, home, weights)
            points += continuity_bonus((person.id, home.id) in problem.existing, weights)
            points -= balance_cost(load[i], weights)
            load[i] += 1
        if feasible and max(load) <= rules.max_households_per_member:
            best = max(best, points)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_the_flow_finds_the_proven_optimum(seed: int) -> None:
    rng = random.Random(seed)
    skills = ("助老", "纠纷调解", "辅导功课", "")
    situations = ("elderly_alone", "dispute", "left_behind_child", "poor_family")
    people = tuple(
        member(f"p{i}", rng.uniform(0, 1500), tuple(s for s in (rng.choice(skills),) if s))
        for i in range(3)
    )
    households = tuple(
        household(f"h{k}", rng.uniform(0, 1500), rng.choice(situations)) for k in range(5)
    )
    existing = frozenset({(people[0].id, households[0].id)})
    problem = PairingProblem(
        people=people,
        households=households,
        rules=PairingRules(max_households_per_member=2),
        existing=existing,
    )
    solution = solve_pairing(problem)
    assert solution.objective == brute_force_points(problem)
    assert solution.bound == solution.objective and solution.gap == 0.0
    assert sum(solution.breakdown.values()) == solution.objective
    assert len(solution.pairs) + len(solution.unpaired) == solution.needing


def test_members_pair_only_in_the_community_they_reported_to() -> None:
    neighbour = replace(member("next-door", 100), community="路东社区")
    own = replace(member("own", 900), community="红光社区")
    home = replace(household("h1"), community="红光社区")
    problem = PairingProblem(people=(neighbour, own), households=(home,))
    assert pairs_of(problem) == {("own", "h1")}
    alone = replace(problem, people=(neighbour,))
    assert "没有可结对的本社区党员" in solve_pairing(alone).unpaired[0].reason.zh
