"""Standing pairs (结对帮扶): which party member looks after which household in need.

The must-visit households (六必访 / 四必访: hardship, a dispute, an unemployed member, serious
illness, a released prisoner or person under community correction, an elderly person living
alone, new arrivals, empty nests …) are each linked to one party member who lives within the
walking radius; each member keeps at most ``max_households_per_member`` households. This is an
assignment with capacities, solved exactly as a min-cost flow:

    source ─1→ household ─1→ member ─(k-th pair, rising cost)→ sink
                        └─1→ unpaired ───────────────────────→ sink

A household → member arc exists only where every hard rule of a pair holds (a party member,
within the radius, not forbidden); its cost is what the pair is worth less than the best a
pair can be, so that all costs are non-negative. The member → sink arcs cost a little more for
each further household (balance), and there are only as many as the member's limit (the
limit is a capacity, so it always holds). Min-cost flow with integral capacities is exact: the
flow found is optimal and its cost is the proven bound; ``PairingSolution.bound`` equals the
objective and ``gap`` is 0.

Like ``rules.py``, each hard rule and soft goal is one named function; like ``explain.py``,
each pair and each household left unpaired gets reasons in Chinese and English. Nothing here
knows of files, databases or HTTP.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.domain import (
    SITUATIONS_ZH,
    Location,
    Person,
    PersonKind,
    Reason,
)
from matcher.rules import haversine_m, walk_minutes

#: The skills that help a household in each situation: a member with one of them suits it.
SITUATION_SKILLS: dict[str, frozenset[str]] = {
    "elderly_alone": frozenset({"助老", "医疗卫生"}),
    "disabled": frozenset({"帮困助弱", "助老"}),
    "seriously_ill": frozenset({"医疗卫生", "心理疏导"}),
    "poor_family": frozenset({"帮困助弱"}),
    "left_behind_child": frozenset({"辅导功课", "心理疏导"}),
    "dispute": frozenset({"纠纷调解", "法律援助"}),
    "unemployed": frozenset({"帮困助弱", "电脑手机"}),
    "under_correction": frozenset({"心理疏导", "法律援助"}),
    "new_arrival": frozenset({"宣传教育"}),
    "empty_nest": frozenset({"助老", "心理疏导"}),
}

#: The must-visit situations of the seeds (六必访 and 四必访), the default pairing rule.
MUST_PAIR_DEFAULT: frozenset[str] = frozenset(SITUATION_SKILLS)


@dataclass(frozen=True, slots=True)
class SituationSince:
    """One situation of a household and the day it was recorded (a new situation asks for a
    visit within ``PairingRules.new_situation_visit_days``)."""

    situation: str
    since: date | None = None


@dataclass(frozen=True, slots=True)
class Household:
    id: str
    name: str
    location: Location
    situations: tuple[SituationSince, ...]
    grid: str = ""
    #: the community it belongs to; members pair only in the community they reported to
    community: str = ""

    @property
    def situation_keys(self) -> frozenset[str]:
        return frozenset(s.situation for s in self.situations)

    @property
    def needs(self) -> frozenset[str]:
        """The skills that would help, from the situations."""
        return frozenset().union(
            *(SITUATION_SKILLS.get(s, frozenset()) for s in self.situation_keys)
        )


@dataclass(frozen=True, slots=True)
class PairingRules:
    """A community's pairing rules (结对规则)."""

    max_households_per_member: int = 8
    must_pair: frozenset[str] = MUST_PAIR_DEFAULT
    visit_every_weeks: int = 4
    new_situation_visit_days: int = 7
    radius_m: float = 1200.0


@dataclass(frozen=True, slots=True)
class PairingWeights:
    """Points of a pairing. Pairing a household dominates; the rest choose among pairings.

    A paired household is worth 1000; each kilometre of walk costs 200; a member whose skills
    suit the household gains 80; keeping an existing pair gains 300 (a standing pair is not
    moved for a slightly shorter walk); a member's k-th household costs ``balance_step`` × k
    more, so households spread over the members instead of filling the nearest first.
    """

    paired: int = 1000
    walk_per_km: int = 200
    skill_match: int = 80
    continuity: int = 300
    balance_step: int = 40


@dataclass(frozen=True, slots=True)
class PairingProblem:
    people: tuple[Person, ...]
    households: tuple[Household, ...]
    rules: PairingRules = field(default_factory=PairingRules)
    weights: PairingWeights = field(default_factory=PairingWeights)
    #: the pairs that stand now, ``(person_id, household_id)``
    existing: frozenset[tuple[str, str]] = frozenset()
    #: coordinator overrides, ``(person_id, household_id)``
    pinned: frozenset[tuple[str, str]] = frozenset()
    forbidden: frozenset[tuple[str, str]] = frozenset()
    name: str = ""


@dataclass(frozen=True, slots=True)
class Pair:
    person_id: str
    household_id: str
    distance_m: float
    kept: bool = False
    pinned: bool = False
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Unpaired:
    household_id: str
    reason: Reason


@dataclass(frozen=True, slots=True)
class PairingSolution:
    status: str  # "optimal" | "empty"
    pairs: tuple[Pair, ...]
    unpaired: tuple[Unpaired, ...]
    objective: int
    bound: int
    breakdown: dict[str, int]
    wall_time_s: float
    #: households that need a pair under the rules (those with a must-pair situation)
    needing: int = 0

    @property
    def gap(self) -> float:
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)


class PairingLockConflict(ValueError):
    """Pins that cannot all hold (a member pinned to more households than the limit)."""

    def __init__(self, reasons: list[Reason]):
        self.reasons = reasons
        super().__init__("; ".join(r.en for r in reasons))


# hard ---------------------------------------------------------------------------------------


def needs_a_pair(household: Household, rules: PairingRules) -> bool:
    """Must-visit households: one of their situations is on the community's must-pair list."""
    return bool(household.situation_keys & rules.must_pair)


def may_pair(person: Person) -> bool:
    """Standing pairs are a party member's duty (党员结对帮扶)."""
    return person.kind == PersonKind.PARTY_MEMBER


def beyond_walking_radius(distance_m: np.ndarray, rules: PairingRules) -> np.ndarray:
    """True where the member lives farther from the household than the walking radius."""
    return distance_m > rules.radius_m


def visit_due(
    *,
    rules: PairingRules,
    paired_since: date,
    last_visit: date | None,
    situations: tuple[SituationSince, ...],
) -> date:
    """When a pair's next visit is due: every N weeks from the last one (or from the day the pair
    began), and within D days of a situation recorded after the last visit, whichever is first."""
    base = last_visit or paired_since
    due = base + timedelta(weeks=rules.visit_every_weeks)
    for s in situations:
        if s.since is not None and s.since > base:
            due = min(due, s.since + timedelta(days=rules.new_situation_visit_days))
    if last_visit is None:
        # a new pair's first visit comes soon, not a whole period later
        due = min(due, paired_since + timedelta(days=rules.new_situation_visit_days))
    return due


# soft ---------------------------------------------------------------------------------------


def walk_cost(distance_m: np.ndarray, weights: PairingWeights) -> np.ndarray:
    """Near home: points lost per kilometre between the member's home and the household."""
    return np.rint(distance_m * (weights.walk_per_km / 1000.0)).astype(np.int64)


def skill_bonus(person: Person, household: Household, weights: PairingWeights) -> int:
    """Skills that match the household's needs."""
    return weights.skill_match if person.skills & household.needs else 0


def continuity_bonus(is_existing: bool, weights: PairingWeights) -> int:
    """Continuity: a standing pair stays unless something much better is on offer."""
    return weights.continuity if is_existing else 0


def balance_cost(kth: int, weights: PairingWeights) -> int:
    """Balance: a member's k-th household (from 0) costs ``balance_step`` × k."""
    return weights.balance_step * kth


# solve --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Arc:
    """A chosen household → member arc."""

    household: int
    person: int
    distance_m: float
    skill: int
    kept: bool


@dataclass(slots=True)
class _Options:
    """The members a household may pair with (every hard rule holds), as parallel arrays."""

    people: np.ndarray  # int64 indices into problem.people
    distance_m: np.ndarray
    value: np.ndarray  # points of the pair before balance
    skill: np.ndarray
    kept: np.ndarray  # bool


class _Pool:
    """What the rules read about the members, once, as arrays."""

    def __init__(self, problem: PairingProblem):
        self.members = np.array(
            [i for i, p in enumerate(problem.people) if may_pair(p)], dtype=np.int64
        )
        people = [problem.people[i] for i in self.members]
        self.lat = np.array([p.home.lat for p in people], dtype=np.float64)
        self.lng = np.array([p.home.lng for p in people], dtype=np.float64)
        communities: dict[str, list[int]] = {}
        for row, p in enumerate(people):
            communities.setdefault(p.community, []).append(row)
        self.anywhere = np.array(communities.pop("", []), dtype=np.int64)
        self.by_community = {c: np.array(rows, dtype=np.int64) for c, rows in communities.items()}
        skills = sorted({s for p in people for s in p.skills})
        self.bits = {s: n for n, s in enumerate(skills)}
        self.skill_masks = np.array(
            [sum(1 << self.bits[s] for s in p.skills) for p in people], dtype=object
        )
        index = {p.id: i for i, p in enumerate(problem.people)}
        self.existing: dict[str, set[int]] = {}
        for person_id, household_id in problem.existing:
            if person_id in index:
                self.existing.setdefault(household_id, set()).add(index[person_id])
        self.forbidden: dict[str, set[int]] = {}
        for person_id, household_id in problem.forbidden:
            if person_id in index:
                self.forbidden.setdefault(household_id, set()).add(index[person_id])

    def rows_of(self, community: str) -> np.ndarray:
        own = self.by_community.get(community, np.zeros(0, dtype=np.int64))
        return np.sort(np.concatenate([own, self.anywhere])) if self.anywhere.size else own

    def needs_mask(self, household: Household) -> int:
        return sum(1 << self.bits[s] for s in household.needs if s in self.bits)


def same_community_rows(pool: _Pool, household: Household) -> np.ndarray:
    """The members (rows of the pool) who may pair in the household's community: a member
    pairs only in the community they reported to (报到); one without a community anywhere."""
    if not household.community:
        return np.arange(pool.members.size)
    return pool.rows_of(household.community)


def _options(
    pool: _Pool, household: Household, rules: PairingRules, weights: PairingWeights
) -> tuple[_Options, int]:
    """The household's options, and how many members of its community live within the radius."""
    rows = same_community_rows(pool, household)
    distance = haversine_m(
        pool.lat[rows], pool.lng[rows], household.location.lat, household.location.lng
    )
    near = ~beyond_walking_radius(distance, rules)
    in_reach = int(near.sum())
    rows, distance = rows[near], distance[near]
    people = pool.members[rows]
    forbidden = pool.forbidden.get(household.id)
    if forbidden:
        keep = ~np.isin(people, list(forbidden))
        rows, people, distance = rows[keep], people[keep], distance[keep]
    needs = pool.needs_mask(household)
    suits = np.array([bool(m & needs) for m in pool.skill_masks[rows]], dtype=bool)
    skill = np.where(suits, weights.skill_match, 0).astype(np.int64)
    kept = np.isin(people, list(pool.existing.get(household.id, ())))
    value = (
        weights.paired
        + skill
        + np.where(kept, continuity_bonus(True, weights), 0)
        - walk_cost(distance, weights)
    )
    return _Options(people, distance, value.astype(np.int64), skill, kept), in_reach


def solve_pairing(problem: PairingProblem) -> PairingSolution:
    """The best pairing under the rules, proven optimal, with reasons."""
    began = time.perf_counter()
    rules, weights = problem.rules, problem.weights
    person_index = {p.id: i for i, p in enumerate(problem.people)}
    household_index = {h.id: k for k, h in enumerate(problem.households)}
    needing = [k for k, h in enumerate(problem.households) if needs_a_pair(h, rules)]
    _check_pins(problem, person_index, household_index)
    pinned_by_household = {
        household_index[h]: person_index[p]
        for p, h in problem.pinned
        if h in household_index and p in person_index
    }
    pool = _Pool(problem)
    options: dict[int, _Options] = {}
    in_reach: dict[int, int] = {}
    for k in needing:
        if k not in pinned_by_household:
            options[k], in_reach[k] = _options(pool, problem.households[k], rules, weights)

    pins_per_person: dict[int, int] = {}
    for pinned_person in pinned_by_household.values():
        pins_per_person[pinned_person] = pins_per_person.get(pinned_person, 0) + 1

    chosen = _min_cost_flow(problem, options, pins_per_person)

    # the pairs: pins first, then the flow's
    pairs: list[Pair] = []
    load: dict[int, int] = dict(pins_per_person)
    breakdown = {"paired": 0, "walk": 0, "skill": 0, "continuity": 0, "balance": 0}
    for k, i in sorted(pinned_by_household.items()):
        household, person = problem.households[k], problem.people[i]
        metres = float(
            haversine_m(
                np.array([person.home.lat]),
                np.array([person.home.lng]),
                household.location.lat,
                household.location.lng,
            )[0]
        )
        kept = (person.id, household.id) in problem.existing
        skill = skill_bonus(person, household, weights)
        _add_points(breakdown, weights, metres, skill, kept)
        pairs.append(
            Pair(
                person.id,
                household.id,
                metres,
                kept=kept,
                pinned=True,
                reasons=pair_reasons(person, household, metres, skill, kept, pinned=True),
            )
        )
    for arc in chosen:
        household, person = problem.households[arc.household], problem.people[arc.person]
        load[arc.person] = load.get(arc.person, 0) + 1
        _add_points(breakdown, weights, arc.distance_m, arc.skill, arc.kept)
        pairs.append(
            Pair(
                person.id,
                household.id,
                arc.distance_m,
                kept=arc.kept,
                reasons=pair_reasons(person, household, arc.distance_m, arc.skill, arc.kept),
            )
        )
    breakdown["balance"] = -sum(
        balance_cost(kth, weights) for count in load.values() for kth in range(count)
    )
    objective = sum(breakdown.values())

    paired = {household_index[p.household_id] for p in pairs}
    unpaired = tuple(
        Unpaired(
            problem.households[k].id,
            unpaired_reason(problem, in_reach.get(k, 0), options[k].people.tolist(), load),
        )
        for k in needing
        if k not in paired
    )
    return PairingSolution(
        status="optimal" if needing else "empty",
        pairs=tuple(sorted(pairs, key=lambda p: (p.household_id, p.person_id))),
        unpaired=unpaired,
        objective=objective,
        bound=objective,  # min-cost flow is exact: the optimum is its own bound
        breakdown=breakdown,
        wall_time_s=time.perf_counter() - began,
        needing=len(needing),
    )


def _add_points(
    breakdown: dict[str, int], weights: PairingWeights, distance: float, skill: int, kept: bool
) -> None:
    breakdown["paired"] += weights.paired
    breakdown["walk"] -= int(walk_cost(np.array([distance]), weights)[0])
    breakdown["skill"] += skill
    breakdown["continuity"] += continuity_bonus(kept, weights)


def _min_cost_flow(
    problem: PairingProblem, options: dict[int, _Options], pins: dict[int, int]
) -> list[_Arc]:
    """The exact optimum: the household → member arcs that carry flow."""
    households = [k for k, o in options.items() if o.people.size]
    if not households:
        return []
    rules, weights = problem.rules, problem.weights
    arc_household = np.concatenate(
        [np.full(options[k].people.size, k, dtype=np.int64) for k in households]
    )
    arc_person = np.concatenate([options[k].people for k in households])
    arc_value = np.concatenate([options[k].value for k in households])
    top = int(arc_value.max())
    people = np.unique(arc_person)
    h_count, p_count = len(households), people.size
    source, sink, unpaired = 0, 1, 2
    household_node = np.full(len(problem.households), -1, dtype=np.int64)
    household_node[households] = 3 + np.arange(h_count)
    person_node = np.full(len(problem.people), -1, dtype=np.int64)
    person_node[people] = 3 + h_count + np.arange(p_count)
    flow = min_cost_flow.SimpleMinCostFlow()
    first = flow.add_arcs_with_capacity_and_unit_cost(
        household_node[arc_household],
        person_node[arc_person],
        np.ones(arc_household.size, dtype=np.int64),
        top - arc_value,
    )
    nodes = household_node[households]
    ones = np.ones(h_count, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(np.full(h_count, source), nodes, ones, 0 * ones)
    flow.add_arcs_with_capacity_and_unit_cost(nodes, np.full(h_count, unpaired), ones, top * ones)
    flow.add_arc_with_capacity_and_unit_cost(unpaired, sink, h_count, 0)
    tails, costs = [], []
    for i in people.tolist():
        for kth in range(pins.get(i, 0), rules.max_households_per_member):
            tails.append(person_node[i])
            costs.append(balance_cost(kth, weights))
    if tails:
        flow.add_arcs_with_capacity_and_unit_cost(
            np.array(tails, dtype=np.int64),
            np.full(len(tails), sink, dtype=np.int64),
            np.ones(len(tails), dtype=np.int64),
            np.array(costs, dtype=np.int64),
        )
    flow.set_node_supply(source, h_count)
    flow.set_node_supply(sink, -h_count)
    status = flow.solve()
    if status != flow.OPTIMAL:  # cannot happen: every household may stay unpaired
        raise RuntimeError(f"min-cost flow ended with status {status}")
    arc_ids = np.asarray(first) if np.ndim(first) else first + np.arange(arc_household.size)
    carried = np.nonzero(flow.flows(arc_ids) > 0)[0]
    arc_distance = np.concatenate([options[k].distance_m for k in households])
    arc_skill = np.concatenate([options[k].skill for k in households])
    arc_kept = np.concatenate([options[k].kept for k in households])
    return [
        _Arc(
            int(arc_household[a]),
            int(arc_person[a]),
            float(arc_distance[a]),
            int(arc_skill[a]),
            bool(arc_kept[a]),
        )
        for a in carried.tolist()
    ]


def _check_pins(
    problem: PairingProblem, person_index: dict[str, int], household_index: dict[str, int]
) -> None:
    reasons: list[Reason] = []
    per_household: dict[str, list[str]] = {}
    per_person: dict[str, int] = {}
    for person_id, household_id in problem.pinned:
        if person_id not in person_index or household_id not in household_index:
            continue
        per_household.setdefault(household_id, []).append(person_id)
        per_person[person_id] = per_person.get(person_id, 0) + 1
    for household_id, people in sorted(per_household.items()):
        if len(people) > 1:
            reasons.append(
                Reason(
                    zh=f"一户只能结对一名党员，户 {household_id} 被指定了 {len(people)} 人",
                    en=f"a household has one standing pair; {household_id} has {len(people)} pinned",
                )
            )
    limit = problem.rules.max_households_per_member
    for person_id, count in sorted(per_person.items()):
        if count > limit:
            name = problem.people[person_index[person_id]].name
            reasons.append(
                Reason(
                    zh=f"{name}被指定结对 {count} 户，超过每人最多 {limit} 户",
                    en=f"{name} is pinned to {count} households, above the limit of {limit}",
                )
            )
    if reasons:
        raise PairingLockConflict(reasons)


# explain ------------------------------------------------------------------------------------


def situations_zh(household: Household) -> str:
    return "、".join(SITUATIONS_ZH.get(s, s) for s in sorted(household.situation_keys))


def pair_reasons(
    person: Person,
    household: Household,
    distance_m: float,
    skill: int,
    kept: bool,
    *,
    pinned: bool = False,
) -> tuple[Reason, ...]:
    """Why this member for this household, as a coordinator would read it."""
    reasons = []
    if pinned:
        reasons.append(Reason(zh="协调员指定", en="pinned by the coordinator"))
    if kept:
        reasons.append(
            Reason(zh="原有结对，保持帮扶连续", en="an existing pair, kept for continuity")
        )
    minutes = walk_minutes(distance_m)
    reasons.append(
        Reason(
            zh=f"住处相距{distance_m:.0f}米，步行约{minutes}分钟",
            en=f"lives {distance_m:.0f} m away, about {minutes} minutes' walk",
        )
    )
    if skill:
        matched = sorted(person.skills & household.needs)
        reasons.append(
            Reason(
                zh=f"具备「{'」「'.join(matched)}」专长，适合{situations_zh(household)}",
                en=f"skills suit the household: {', '.join(matched)}",
            )
        )
    return tuple(reasons)


def unpaired_reason(
    problem: PairingProblem, in_reach: int, options: list[int], load: dict[int, int]
) -> Reason:
    """Why a household that needs a pair has none: the binding rule, named."""
    radius_km = problem.rules.radius_m / 1000
    limit = problem.rules.max_households_per_member
    if in_reach == 0:
        return Reason(
            zh=f"{radius_km:g}公里内没有可结对的本社区党员",
            en=f"no party member of the community lives within {radius_km:g} km",
        )
    if not options:
        return Reason(
            zh=f"{radius_km:g}公里内的{in_reach}名党员都已被协调员排除",
            en=f"all {in_reach} party members within {radius_km:g} km were forbidden by the coordinator",
        )
    full = sum(1 for person in options if load.get(person, 0) >= limit)
    if full == len(options):
        return Reason(
            zh=f"{radius_km:g}公里内的{full}名党员都已结满{limit}户",
            en=f"all {full} party members within {radius_km:g} km already have {limit} households",
        )
    return Reason(
        zh="附近党员结对负担已重，再加一户得不偿失（均衡优先）",
        en="the members nearby already carry more; one more household costs more than it gains (balance)",
    )
