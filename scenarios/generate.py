"""Realistic, reproducible scenario files for demos, tests and benchmarks.

``generate(kind, seed)`` returns a scenario dict that validates against ``schema.json``. The
numbers follow the facts in the source articles (see docs/scenarios.md): 红光社区 has 8
sub-grids and 21 housing estates on 0.65 km² with about 10,000 residents; 路东社区 is mixed
urban-rural with 13 grids; 凤凰街道 has 86 grid party branches; 贵阳 has 93 communities. Every
random choice comes from one ``random.Random`` per community, seeded from the seed and the
community's code, so a seed always gives the same file and communities do not disturb each other.

Run ``python -m scenarios.generate`` to rewrite the bundled scenarios.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from matcher.candidates import METRES_PER_DEGREE
from scenarios.load import load_scenario
from scenarios.standard_year import PARTY_SERVICE_DAY, THEME_MONTHS, ActivityTemplate
from scenarios.vocabulary import (
    ANCHORS,
    CO_BUILDING_TEAM,
    DUTY_POST,
    ESTATE_PREFIXES,
    ESTATE_SUFFIXES,
    FENGHUANG_COMMUNITIES,
    FIRMS,
    GIVEN_CHARS,
    GUIYANG_DISTRICTS,
    GUIYANG_ENDINGS,
    GUIYANG_WORDS,
    HALL_POSTS,
    HARD_CASE_POST,
    HARD_CASE_WISH,
    KIND_OF_PROFILE,
    NEIGHBOUR_COMMUNITIES,
    NUMERALS,
    OLD_ESTATE,
    OLD_ESTATE_COMMUNITY,
    PARTY_GROUP,
    PATROL_POST,
    RIVER_POST,
    RURAL_PLACES,
    RURAL_SKILL,
    RURAL_SURNAMES,
    SITUATION_WEIGHTS_RURAL,
    SITUATION_WEIGHTS_URBAN,
    SKILL_WEIGHTS,
    SORTING_POST,
    SPECIALIST_SKILLS,
    SPECIALIST_TEAM,
    SURNAMES,
    UNITS,
    VILLAGE_SKILLS,
    WEEKLY_CAPS,
    WISHES,
    Window,
    WishTemplate,
)

Json = dict[str, Any]

KINDS = ("community", "street", "city")
VARIANTS = ("urban", "mixed")
DEFAULT_WEEK_START = date(2026, 3, 2)  # a Monday in March, the 学雷锋 month
HOUSEHOLD_SIZE = 2.8
RURAL_SHARE = 0.25  # of a mixed community's households, living in the villages
WISHES_PER_HOUSEHOLD_WEEK = 1 / 90  # door-to-door collection yields about one wish per 90 homes
BENEFICIARIES_PER_HOUSEHOLD = 1 / 25  # the registry of hardship households (困难户、独居老人…)
BUNDLED_DIR = Path(__file__).parent

#: named sizes for ``generate(preset=...)``: people and residents per community.
#: 贵阳 (seed 001): 67,000 members and 460,000 volunteers over 93 communities, about 5,700
#: people each; about six million residents, about 64,500 each.
PRESETS: dict[str, Json] = {
    "guiyang": {
        "kind": "city",
        "communities": 93,
        "people_per_community": 5_700,
        "residents_per_community": 64_500,
    },
}


# plans -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommunityPlan:
    code: str  # prefix of every id in the community
    name: str
    district: str
    lat: float
    lng: float
    urban_grids: int
    estates: int
    urban_area_km2: float
    people: int
    residents: int
    rural_grids: int = 0
    hard_cases: bool = False  # add the demands that no one can fill, so gaps show


@dataclass(frozen=True, slots=True)
class Scale:
    """How much larger than the article-sized communities: people, and residents with them.

    Residents decide the week: households in need and wishes grow with them, and so do the
    grids, the estates and the built-up area (the density stays that of 红光社区), so posts
    and shifts grow with grids and estates. Without ``residents`` they grow as people do.
    """

    people: float = 1.0
    residents: float = 1.0

    @property
    def spacing(self) -> float:
        """How much farther apart communities lie, since each covers more ground."""
        return math.sqrt(max(self.residents, 1.0))


def _scale_of(plans: list[CommunityPlan], people: int | None, residents: int | None) -> Scale:
    if people is None and residents is None:
        return Scale()
    mean_people = sum(p.people for p in plans) / len(plans)
    mean_residents = sum(p.residents for p in plans) / len(plans)
    people_factor = people / mean_people if people else 1.0
    residents_factor = residents / mean_residents if residents else people_factor
    return Scale(people_factor, residents_factor)


def _scaled(plan: CommunityPlan, scale: Scale) -> CommunityPlan:
    if scale == Scale():
        return plan
    grow = scale.residents
    return replace(
        plan,
        people=max(10, round(plan.people * scale.people)),
        residents=max(500, round(plan.residents * grow)),
        urban_grids=max(1, round(plan.urban_grids * grow)),
        rural_grids=round(plan.rural_grids * grow),
        estates=max(1, round(plan.estates * grow)),
        urban_area_km2=plan.urban_area_km2 * grow,
    )


def _plans(
    kind: str,
    seed: int,
    name: str,
    variant: str,
    communities: int | None,
    people: int | None = None,
    residents: int | None = None,
) -> list[CommunityPlan]:
    if kind == "community":
        plans = [_single_plan(name, variant)]
        return [_scaled(plans[0], _scale_of(plans, people, residents))]
    count = communities or (len(FENGHUANG_COMMUNITIES) if kind == "street" else 93)
    # the scale is known before the layout: larger communities lie farther apart
    plain = _street_plans(name, count, seed) if kind == "street" else _city_plans(count, seed)
    scale = _scale_of(plain, people, residents)
    if scale == Scale():
        return plain
    placed = (
        _street_plans(name, count, seed, scale.spacing)
        if kind == "street"
        else _city_plans(count, seed, scale.spacing)
    )
    return [_scaled(plan, scale) for plan in placed]


def _single_plan(name: str, variant: str) -> CommunityPlan:
    if variant == "mixed":
        lat, lng, district = ANCHORS["黔江"]
        # 13 grids: a compact new-town core and villages 1.5-3 km out (seed 002)
        return CommunityPlan(
            code="ld" if name == "路东社区" else "c01",
            name=name, district=district, lat=lat, lng=lng,
            urban_grids=6, rural_grids=7, estates=12, urban_area_km2=0.5,
            people=300, residents=9_000, hard_cases=True,
        )  # fmt: skip
    lat, lng, district = ANCHORS["梅州"]
    # 8 sub-grids, 21 estates, 0.65 km², about 10,000 residents (seed 004)
    return CommunityPlan(
        code="hg" if name == "红光社区" else "c01",
        name=name, district=district, lat=lat, lng=lng,
        urban_grids=8, estates=21, urban_area_km2=0.65, people=360, residents=10_000,
        hard_cases=True,
    )  # fmt: skip


def _street_plans(street: str, count: int, seed: int, spacing: float = 1.0) -> list[CommunityPlan]:
    """Communities of about 0.85 km² side by side; 凤凰街道 has 86 grids over its nine."""
    lat, lng, district = ANCHORS["鄂州"]
    rng = random.Random(f"{seed}:street")
    prefix = "fh" if street == "凤凰街道" else "s"
    grids = _split(86 if count == len(FENGHUANG_COMMUNITIES) else count * 9, count)
    plans = []
    for index, (east, north) in enumerate(_layout(count, 950.0 * spacing)):
        c_lat, c_lng = _offset(lat, lng, east + rng.uniform(-80, 80), north + rng.uniform(-80, 80))
        names = FENGHUANG_COMMUNITIES
        name = (
            f"{names[index]}社区"
            if index < len(names)
            else f"{street}第{_zh_number(index + 1)}社区"
        )
        plans.append(
            CommunityPlan(
                code=f"{prefix}{index + 1:02d}", name=name, district=district,
                lat=c_lat, lng=c_lng, urban_grids=grids[index],
                estates=round(grids[index] * rng.uniform(2.2, 2.8)), urban_area_km2=0.85,
                people=rng.randint(300, 360), residents=rng.randint(8_500, 10_500),
                hard_cases=index == 0,
            )
        )  # fmt: skip
    return plans


def _city_plans(count: int, seed: int, spacing: float = 1.0) -> list[CommunityPlan]:
    """贵阳 has no streets since 2012: the city runs its communities directly (seed 001)."""
    lat, lng, _ = ANCHORS["贵阳"]
    rng = random.Random(f"{seed}:city")
    names = [f"{word}{end}社区" for end in GUIYANG_ENDINGS for word in GUIYANG_WORDS]
    names += [f"贵阳第{_zh_number(n)}社区" for n in range(len(names) + 1, count + 1)]
    plans = []
    for index, (east, north) in enumerate(_layout(count, 1100.0 * spacing)):
        c_lat, c_lng = _offset(lat, lng, east, north)
        grids = rng.randint(6, 11)
        plans.append(
            CommunityPlan(
                code=f"c{index + 1:03d}", name=names[index],
                district=GUIYANG_DISTRICTS[index * len(GUIYANG_DISTRICTS) // count],
                lat=c_lat, lng=c_lng, urban_grids=grids, estates=round(grids * 2.5),
                urban_area_km2=1.0, people=rng.randint(290, 350),
                residents=rng.randint(8_000, 11_000), hard_cases=index == 0,
            )
        )  # fmt: skip
    return plans


def _split(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal whole numbers, larger first."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _layout(count: int, spacing_m: float) -> list[tuple[float, float]]:
    """(east, north) offsets in metres of ``count`` cells in a near-square block, centred."""
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    return [
        ((i % columns - (columns - 1) / 2) * spacing_m, ((rows - 1) / 2 - i // columns) * spacing_m)
        for i in range(count)
    ]


def _offset(lat: float, lng: float, east_m: float, north_m: float) -> tuple[float, float]:
    """A point some metres east and north (flat earth: fine within a city)."""
    d_lat = north_m / METRES_PER_DEGREE
    d_lng = east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return lat + d_lat, lng + d_lng


def _point(lat: float, lng: float) -> Json:
    return {"lat": round(lat, 6), "lng": round(lng, 6)}


def _zh_number(n: int) -> str:
    """Chinese numeral for 1..9999: 三, 十二, 二十一, 一百零五, 一百一十, 二千零三十."""
    if n >= 100:
        unit, size = ("千", 1000) if n >= 1000 else ("百", 100)
        head, rest = divmod(n, size)
        text = NUMERALS[head] + unit
        if rest == 0:
            return text
        if rest < size // 10:
            text += "零"  # 一百零五, 二千零三十
        return text + ("一" if 10 <= rest < 20 else "") + _zh_number(rest)
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else NUMERALS[tens]) + "十" if tens else ""
    return text + (NUMERALS[ones] if ones else "")


# one community -------------------------------------------------------------------------------


@dataclass(slots=True)
class Grid:
    id: str
    name: str
    lat: float
    lng: float
    half_side_m: float
    rural: bool


@dataclass(slots=True)
class Estate:
    name: str
    grid: Grid
    lat: float
    lng: float
    buildings: int
    floors: int
    households: int

    def address(self, rng: random.Random) -> str:
        if self.grid.rural:
            return f"{self.name}{rng.randint(1, self.buildings)}号"
        building, unit = rng.randint(1, self.buildings), rng.randint(1, 3)
        room = rng.randint(1, self.floors) * 100 + rng.randint(1, 4)
        return f"{self.name}{building}栋{unit}单元{room}"

    def near(self, rng: random.Random, metres: float) -> Json:
        east, north = rng.uniform(-metres, metres), rng.uniform(-metres, metres)
        return _point(*_offset(self.lat, self.lng, east, north))


@dataclass(slots=True)
class Household:
    id: str
    name: str
    situations: list[str]
    estate: Estate
    address: str


@dataclass(slots=True)
class Community:
    plan: CommunityPlan
    rng: random.Random
    week: date
    hall: Json  # location of the 党群服务中心
    grids: list[Grid] = field(default_factory=list)
    estates: list[Estate] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    people: list[Json] = field(default_factory=list)
    wishes: list[Json] = field(default_factory=list)
    posts: list[Json] = field(default_factory=list)
    activities: list[Json] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.plan.code


def build_community(plan: CommunityPlan, seed: int, week: date) -> Community:
    """Grids, estates, people and a week of demands of one community."""
    rng = random.Random(f"{seed}:{plan.code}")
    community = Community(plan, rng, week, _point(plan.lat, plan.lng))
    _add_grids(community)
    _add_estates(community)
    _add_households(community)
    _add_people(community)
    _add_wishes(community)
    _add_posts(community)
    _add_activities(community)
    if plan.hard_cases:
        _add_hard_cases(community)
    _link_served_households(community)
    return community


def _add_grids(c: Community) -> None:
    plan = c.plan
    side = math.sqrt(plan.urban_area_km2 * 1e6 / plan.urban_grids)
    for index, (east, north) in enumerate(_layout(plan.urban_grids, side)):
        c.grids.append(_grid(c, index, *_offset(plan.lat, plan.lng, east, north), side / 2, False))
    for k in range(plan.rural_grids):
        # villages on a ring 1.5-3 km out, so the walking radius keeps them apart
        angle = 2 * math.pi * k / plan.rural_grids + c.rng.uniform(-0.3, 0.3)
        distance = c.rng.uniform(1500, 3000)
        lat, lng = _offset(
            plan.lat, plan.lng, distance * math.cos(angle), distance * math.sin(angle)
        )
        c.grids.append(_grid(c, plan.urban_grids + k, lat, lng, 300.0, True))


def _grid(c: Community, index: int, lat: float, lng: float, half: float, rural: bool) -> Grid:
    grid_id = f"{c.code}-g{index + 1:02d}"
    return Grid(grid_id, f"第{_zh_number(index + 1)}网格", lat, lng, half, rural)


def _add_estates(c: Community) -> None:
    urban = [g for g in c.grids if not g.rural]
    names = _estate_names(c.rng, c.plan.estates, c.plan.name)
    for index, name in enumerate(names):
        grid = urban[index % len(urban)]
        lat, lng = _offset(grid.lat, grid.lng, *_jitter(c.rng, grid.half_side_m * 0.7))
        old = name == OLD_ESTATE or c.rng.random() < 0.35  # built in the 1990s: no lifts
        buildings, floors = (c.rng.randint(4, 10), 7) if old else (c.rng.randint(6, 18), 18)
        c.estates.append(Estate(name, grid, lat, lng, buildings, floors, 0))
    for grid in (g for g in c.grids if g.rural):
        for name in _village_group_names(c.rng, c.rng.randint(2, 4)):
            lat, lng = _offset(grid.lat, grid.lng, *_jitter(c.rng, grid.half_side_m))
            c.estates.append(Estate(f"{c.plan.name}{name}", grid, lat, lng, 40, 1, 0))
    _share_households(c)


def _share_households(c: Community) -> None:
    """Residents into households: villages hold a quarter, estates the rest by size."""
    households = round(c.plan.residents / HOUSEHOLD_SIZE)
    villages = [e for e in c.estates if e.grid.rural]
    estates = [e for e in c.estates if not e.grid.rural]
    in_villages = round(households * RURAL_SHARE) if villages else 0
    for village in villages:
        village.households = in_villages // len(villages)
    total_size = sum(e.buildings * e.floors for e in estates)
    for estate in estates:
        share = estate.buildings * estate.floors / total_size
        estate.households = max(10, round((households - in_villages) * share))


def _jitter(rng: random.Random, metres: float) -> tuple[float, float]:
    return rng.uniform(-metres, metres), rng.uniform(-metres, metres)


def _estate_names(rng: random.Random, count: int, community: str) -> list[str]:
    known = [OLD_ESTATE] if community == OLD_ESTATE_COMMUNITY else []
    pool = [p + s for p in ESTATE_PREFIXES for s in ESTATE_SUFFIXES if p + s not in known]
    wanted = count - len(known)
    if wanted <= len(pool):
        return known + rng.sample(pool, wanted)
    # a very large community: the names come round again as later phases (二期, 三期…)
    rounds = [rng.sample(pool, len(pool)) for _ in range(math.ceil(wanted / len(pool)))]
    phased = [
        name if phase == 0 else f"{name}{_zh_number(phase + 1)}期"
        for phase, names in enumerate(rounds)
        for name in names
    ]
    return known + phased[:wanted]


def _village_group_names(rng: random.Random, count: int) -> list[str]:
    pool = [f"{s}家{p}组" for s in RURAL_SURNAMES for p in RURAL_PLACES]
    return rng.sample(pool, min(count, len(pool)))


def person_name(rng: random.Random) -> str:
    surnames, weights = zip(*SURNAMES, strict=True)
    surname = rng.choices(surnames, weights)[0]
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN_CHARS) for _ in range(length))


def _add_households(c: Community) -> None:
    """The registry of households in need, from which wishes come."""
    count = max(8, round(c.plan.residents / HOUSEHOLD_SIZE * BENEFICIARIES_PER_HOUSEHOLD))
    weights = [e.households * (3 if e.grid.rural else 1) for e in c.estates]
    for n in range(1, count + 1):
        estate = c.rng.choices(c.estates, weights)[0]
        table = SITUATION_WEIGHTS_RURAL if estate.grid.rural else SITUATION_WEIGHTS_URBAN
        situations = _weighted_sample(c.rng, table, 2 if c.rng.random() < 0.2 else 1)
        c.households.append(
            Household(
                f"{c.code}-h{n:04d}", person_name(c.rng), situations, estate, estate.address(c.rng)
            )
        )


def _weighted_sample(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    """``count`` distinct keys drawn by weight, in table order (so output is stable)."""
    chosen: set[str] = set()
    keys = list(weights)
    while len(chosen) < min(count, len(keys)):
        chosen.add(rng.choices(keys, [weights[k] for k in keys])[0])
    return [k for k in keys if k in chosen]


# people --------------------------------------------------------------------------------------


def _add_people(c: Community) -> None:
    plan = c.plan
    social_workers = max(3, plan.people // 40)
    party = round((plan.people - social_workers) * 0.48)
    firm_staff = round(plan.people * 0.11)
    volunteers = plan.people - social_workers - party - firm_staff
    profiles = (
        ["social_worker"] * social_workers
        + ["in_service"] * party
        + ["firm"] * firm_staff
        + [c.rng.choice(("retired", "retired", "young")) for _ in range(volunteers)]
    )
    c.rng.shuffle(profiles)  # so that an id says nothing of the person's kind
    weights = [e.households for e in c.estates]
    for n, profile in enumerate(profiles, start=1):
        estate = c.rng.choices(c.estates, weights)[0]
        c.people.append(_person(c, f"{c.code}-p{n:04d}", profile, estate))


def _person(c: Community, person_id: str, profile: str, estate: Estate) -> Json:
    rng = c.rng
    unit_name, unit_skill = _work_unit(c, profile)
    skills = _skills(rng, profile, unit_skill, estate.grid.rural)
    hours, tasks = _caps(rng, profile)
    person: Json = {
        "id": person_id,
        "name": person_name(rng),
        "kind": KIND_OF_PROFILE[profile],
        "skills": skills,
        "home": estate.near(rng, 40.0),
        "grid": estate.grid.id,
        "community": c.plan.name,
        "work_unit": unit_name,
        "availability": [_window_json(w) for w in _times(rng, profile, estate.grid.rural)],
        "weekly_hours_cap": hours,
        "weekly_task_cap": tasks,
        "services_this_quarter": int(rng.triangular(0, 9, 2)),
    }
    if rng.random() < 0.1:
        day = c.week + timedelta(days=rng.randrange(7))
        person["unavailable_dates"] = [day.isoformat()]
    if rng.random() < 0.35:
        pool = sorted({*skills, "助老", "帮困助弱", "环保监督"})
        person["preferred_categories"] = sorted(rng.sample(pool, rng.randint(1, 2)))
    return {k: v for k, v in person.items() if v != ""}


def _work_unit(c: Community, profile: str) -> tuple[str, str | None]:
    if profile == "in_service":
        unit, skill = c.rng.choice(UNITS)
        # only some employees bring their trade: a hospital also has accountants
        return unit.format(d=c.plan.district), skill if c.rng.random() < 0.5 else None
    if profile == "firm":
        return c.rng.choice(FIRMS)
    if profile == "social_worker":
        return f"{c.plan.name}社工站", None
    return "", None


def _skills(rng: random.Random, profile: str, unit_skill: str | None, rural: bool) -> list[str]:
    table = SKILL_WEIGHTS[profile]
    count = rng.choices((1, 2, 3), (4, 4, 2))[0]
    skills = set(_weighted_sample(rng, table, count))
    if unit_skill:
        skills.add(unit_skill)
    if rural:
        # villagers keep their own patrols and river watch (护村队、河道巡查) and farm
        for skill, chance in VILLAGE_SKILLS:
            if rng.random() < chance:
                skills.add(skill)
    return sorted(skills)


def _times(rng: random.Random, profile: str, rural: bool) -> list[Window]:
    windows = AVAILABILITY[profile](rng)
    if rural and profile != "firm" and rng.random() < 0.5:
        # in the villages evenings are free: the day's farm work ends at dusk
        busy_evenings = {d for d, _, end in windows if end > "18:00"}
        free_days = [d for d in range(1, 8) if d not in busy_evenings]
        picked = rng.sample(free_days, min(len(free_days), rng.randint(2, 4)))
        windows = sorted(windows + [(d, "19:00", "21:00") for d in picked])
    return windows


def _caps(rng: random.Random, profile: str) -> tuple[float, int]:
    hours, tasks = WEEKLY_CAPS[profile]
    return rng.choice(hours), rng.choice(tasks)


def _window_json(window: Window) -> Json:
    weekday, start, end = window
    return {"weekday": weekday, "start": start, "end": end}


def _evenings(rng: random.Random, low: int, high: int) -> list[Window]:
    start, end = rng.choice((("19:00", "21:00"), ("19:00", "21:00"), ("18:30", "21:30")))
    return [(d, start, end) for d in sorted(rng.sample(range(1, 8), rng.randint(low, high)))]


def _weekend(rng: random.Random, chance: float) -> list[Window]:
    blocks = (("08:30", "12:00"), ("14:00", "17:30"), ("08:30", "17:30"))
    return [(d, *rng.choice(blocks)) for d in (6, 7) if rng.random() < chance]


def _in_service_times(rng: random.Random) -> list[Window]:
    """Jobs take the weekday: evenings, weekends, and for some an hour before work."""
    windows = _evenings(rng, 1, 3) + _weekend(rng, 0.55)
    if rng.random() < 0.2:
        windows += [(d, "07:00", "08:30") for d in sorted(rng.sample(range(1, 6), 2))]
    return sorted(windows)


def _retired_times(rng: random.Random) -> list[Window]:
    """Retired volunteers serve in the daytime, mornings above all."""
    windows: list[Window] = []
    for day in sorted(rng.sample(range(1, 8), rng.randint(2, 5))):
        if rng.random() < 0.8:
            windows.append((day, rng.choice(("07:00", "08:00", "08:30")), "11:30"))
        if rng.random() < 0.5:
            windows.append((day, "14:30", "17:30"))
    if rng.random() < 0.25:
        windows.append((rng.randint(1, 7), "18:30", "20:30"))
    return sorted(windows) or [(rng.randint(1, 7), "08:30", "11:30")]


def _young_times(rng: random.Random) -> list[Window]:
    return sorted(_evenings(rng, 1, 2) + _weekend(rng, 0.7)) or [(6, "09:00", "12:00")]


def _firm_times(rng: random.Random) -> list[Window]:
    """Firms lend staff on a weekday or two, in working hours."""
    return [(d, "09:00", "17:00") for d in sorted(rng.sample(range(1, 6), rng.randint(1, 2)))]


def _social_worker_times(rng: random.Random) -> list[Window]:
    start, end = rng.choice((("08:30", "17:30"), ("09:00", "17:00")))
    return [(d, start, end) for d in range(1, 6)]


AVAILABILITY: dict[str, Callable[[random.Random], list[Window]]] = {
    "in_service": _in_service_times,
    "retired": _retired_times,
    "young": _young_times,
    "firm": _firm_times,
    "social_worker": _social_worker_times,
}


def _link_served_households(c: Community) -> None:
    """Half the households in need were helped before by one or two neighbours (continuity)."""
    by_grid: dict[str, list[Json]] = {}
    for person in c.people:
        by_grid.setdefault(person["grid"], []).append(person)
    for household in c.households:
        neighbours = by_grid.get(household.estate.grid.id, [])
        if not neighbours or c.rng.random() < 0.5:
            continue
        for person in c.rng.sample(neighbours, min(len(neighbours), c.rng.randint(1, 2))):
            served = person.setdefault("served_households", [])
            served.append(household.id)
            served.sort()


# demands -------------------------------------------------------------------------------------


def _add_wishes(c: Community) -> None:
    count = max(4, round(c.plan.residents / HOUSEHOLD_SIZE * WISHES_PER_HOUSEHOLD_WEEK))
    rural = any(g.rural for g in c.grids)
    templates = [t for t in WISHES if rural or not t.rural_only]
    for _ in range(count):
        template = c.rng.choices(templates, [t.weight for t in templates])[0]
        household = _household_for(c, template)
        c.wishes.append(_wish(c, template, household, *_wish_dates(c.rng, c.week)))


def _household_for(c: Community, template: WishTemplate) -> Household:
    fitting = [
        h
        for h in c.households
        if set(h.situations) & set(template.situations)
        and (h.estate.grid.rural or not template.rural_only)
    ]
    return c.rng.choice(fitting or c.households)


def _wish_dates(rng: random.Random, week: date) -> tuple[date, date]:
    """Recorded in the last few days or during the week; 限时办结 within 1-10 days."""
    earliest = week + timedelta(days=rng.randint(-4, 5))
    deadline = earliest + timedelta(days=rng.randint(1, 10))
    if deadline < week:
        deadline = week + timedelta(days=rng.randint(0, 3))
    return earliest, deadline


def _wish(
    c: Community, template: WishTemplate, household: Household, earliest: date, deadline: date
) -> Json:
    wish: Json = {
        "id": f"{c.code}-w{len(c.wishes) + 1:03d}",
        "title": template.title,
        "category": template.category,
        "beneficiary": {
            "id": household.id,
            "name": household.name,
            "situations": household.situations,
            "address": household.address,
        },
        "location": household.estate.near(c.rng, 30.0),
        "grid": household.estate.grid.id,
        "community": c.plan.name,
        "duration_minutes": c.rng.choice(template.minutes),
        "earliest": earliest.isoformat(),
        "deadline": deadline.isoformat(),
        "headcount": c.rng.choice(template.headcounts),
    }
    if template.skills is not None:
        wish["skills"] = list(template.skills)
    return wish


def _post(
    c: Community, suffix: str, name: str, location: Json, shifts: Sequence[Window], **extra: Any
) -> None:
    post: Json = {"id": f"{c.code}-{suffix}", "name": name, "location": location}
    post.update(grid=extra.pop("grid", None), community=c.plan.name, **extra)
    post["shifts"] = [_window_json(s) for s in sorted(shifts)]
    post = {k: v for k, v in post.items() if v is not None}
    c.posts.append(post)


def _add_posts(c: Community) -> None:
    _add_hall_posts(c)
    for index, grid in enumerate(c.grids):
        _add_grid_posts(c, index, grid)
    for index, estate in enumerate(e for e in c.estates if not e.grid.rural):
        mornings = ("07:00", "09:00")
        evenings = ("18:30", "20:30")
        day_a, day_b = 1 + index % 7, 1 + (index + 3) % 7
        _post(
            c, f"sorting-e{index + 1:02d}", f"{estate.name}{SORTING_POST}",
            estate.near(c.rng, 20.0), [(day_a, *mornings), (day_b, *evenings)],
            category="垃圾分类", grid=estate.grid.id, min_staff=1, max_staff=2,
        )  # fmt: skip


def _add_hall_posts(c: Community) -> None:
    """The service hall (党群服务中心): vanguard post, mediation desk and health cabin."""
    for suffix, name, shifts, fields in HALL_POSTS:
        _post(c, suffix, name, c.hall, shifts, **fields)


def _add_grid_posts(c: Community, index: int, grid: Grid) -> None:
    centre = _point(grid.lat, grid.lng)
    if grid.rural:
        patrol = [(2 + index % 3, "19:00", "20:30"), (5 + index % 2, "19:00", "20:30")]
        staff = (1, 2)  # a village patrol walks in pairs only where people allow
        _post(
            c, f"river-{grid.id[-3:]}", f"{grid.name}{RIVER_POST}", centre, [(7, "08:30", "10:30")],
            category="环保监督", grid=grid.id, required_skills=["环保监督"], min_staff=1,
            max_staff=2,
        )  # fmt: skip
    else:
        patrol = [(1 + (index + k * 2) % 7, "19:30", "21:00") for k in range(3)]
        staff = (2, 3)
    _post(
        c, f"patrol-{grid.id[-3:]}", f"{grid.name}{PATROL_POST}", centre, patrol,
        category="治安巡逻", grid=grid.id, required_skills=["治安巡逻"], min_staff=staff[0],
        max_staff=staff[1],
    )  # fmt: skip
    _post(
        c, f"duty-{grid.id[-3:]}", f"{grid.name}{DUTY_POST}", centre,
        [(6 + index % 2, "09:00", "11:00")],
        category="环保监督", grid=grid.id, party_members_only=True, min_staff=1, max_staff=2,
    )  # fmt: skip


def _add_activities(c: Community) -> None:
    """The themed-month calendar for every month the week touches, all of the month.

    Whole months are listed, as a coordinator keeps them; the loader skips the dates outside
    the week.
    """
    week_days = [c.week + timedelta(days=k) for k in range(7)]
    months = sorted({(d.year, d.month) for d in week_days})
    for year, month in months:
        theme, templates = THEME_MONTHS[month]
        for template in templates:
            _activity(c, theme, template, date(year, month, template.day))
        _party_service_day(c, theme, date(year, month, PARTY_SERVICE_DAY.day))


def _activity(c: Community, theme: str, template: ActivityTemplate, day: date) -> None:
    skills = {skill for skill, _ in template.roles if skill}
    partners = UNITS + FIRMS  # co-building units (共建单位): public bodies and firms
    units = [u for u, s in partners if s in skills] or [u for u, _ in partners]
    if template.at_estate:
        estate = c.rng.choice([e for e in c.estates if not e.grid.rural] or c.estates)
        place, location, grid = estate.name, estate.near(c.rng, 20.0), estate.grid.id
    else:
        place, location, grid = f"{c.plan.name}党群服务中心", c.hall, ""
    activity: Json = {
        "id": f"{c.code}-{day:%m%d}-{template.slug}",
        "name": template.name,
        "theme": theme,
        "date": day.isoformat(),
        "start": template.start,
        "end": template.end,
        "location": location,
        "place": place,
        "grid": grid,
        "community": c.plan.name,
        "responsible_unit": c.rng.choice(units).format(d=c.plan.district),
        "category": template.category,
        "party_members_only": template.party_members_only,
        "roles": [{"skill": skill, "headcount": n} for skill, n in template.roles],
    }
    c.activities.append({k: v for k, v in activity.items() if v not in ("", False)})


def _party_service_day(c: Community, theme: str, day: date) -> None:
    """党员服务日, named with the month's theme: evenings on workdays, mornings at weekends."""
    service_day = PARTY_SERVICE_DAY
    start, end = service_day.workday_time if day.weekday() < 5 else service_day.weekend_time
    template = ActivityTemplate(
        day.day, service_day.slug, f"{service_day.name}·{theme}", start, end, service_day.roles,
        party_members_only=service_day.party_members_only,
    )  # fmt: skip
    _activity(c, theme, template, day)


def _add_hard_cases(c: Community) -> None:
    """Two demands nobody can fill, so the demo shows gaps and their reasons.

    A legal-aid wish that must be done on Wednesday while the legal-aid members are all busy
    on Wednesdays, and a party-members-only post on a weekday morning, when in-service members
    are at work.
    """
    wednesday = c.week + timedelta(days=2)
    household = next((h for h in c.households if "elderly_alone" in h.situations), c.households[0])
    c.wishes.append(_wish(c, HARD_CASE_WISH, household, wednesday, wednesday))
    for person in c.people:
        if "法律援助" in person["skills"]:
            kept = [w for w in person["availability"] if w["weekday"] != 3]
            person["availability"] = kept or [{"weekday": 6, "start": "09:00", "end": "11:30"}]
    _post(
        c, "hall-weekday", HARD_CASE_POST, c.hall, [(3, "09:00", "11:30")],
        party_members_only=True, min_staff=1, max_staff=1,
    )  # fmt: skip


# the whole scenario --------------------------------------------------------------------------


def generate(
    kind: str = "community",
    seed: int = 0,
    name: str | None = None,
    *,
    week_start: date | str = DEFAULT_WEEK_START,
    variant: str = "urban",
    communities: int | None = None,
    people_per_community: int | None = None,
    residents_per_community: int | None = None,
) -> Json:
    """A scenario dict that validates against ``schema.json``; the same arguments, the same dict.

    ``kind``: "community" (红光-like; ``variant="mixed"`` gives a 路东-like urban-rural one with
    13 grids), "street" (凤凰-like, 9 communities and 86 grids) or "city" (贵阳-like, 93
    communities). ``communities`` overrides the number of communities of a street or city.
    ``people_per_community`` and ``residents_per_community`` scale every community (see
    ``Scale``); ``PRESETS`` names the sizes of real places.
    """
    for label, value in (
        ("communities", communities),
        ("people_per_community", people_per_community),
        ("residents_per_community", residents_per_community),
    ):
        if value is not None and value < 1:
            raise ValueError(f"{label} must be at least 1, got {value}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    week = date.fromisoformat(week_start) if isinstance(week_start, str) else week_start
    if week.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, got {week} ({week:%A})")
    title = name or _default_name(kind, variant)
    plans = _plans(
        kind, seed, title, variant, communities, people_per_community, residents_per_community
    )
    built = [build_community(plan, seed, week) for plan in plans]
    return _scenario(kind, seed, title, week, built)


def generate_preset(preset: str, seed: int = 0, *, communities: int | None = None) -> Json:
    """The scenario of a named size (``PRESETS``); ``communities`` takes only the first few."""
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {preset!r}")
    arguments = dict(PRESETS[preset])
    if communities is not None:
        arguments["communities"] = communities
    return generate(seed=seed, **arguments)


def _default_name(kind: str, variant: str) -> str:
    if kind == "community":
        return "路东社区" if variant == "mixed" else "红光社区"
    return "凤凰街道" if kind == "street" else "贵阳市"


def _scenario(kind: str, seed: int, name: str, week: date, built: list[Community]) -> Json:
    scenario: Json = {
        "format_version": 1,
        "name": name,
        "description": (
            f"由 scenarios.generate 生成：kind={kind}, seed={seed}。虚构数据，仅供演示与测试。"
            f" Generated by scenarios.generate; fictitious data for demos and tests."
        ),
        "week_start": week.isoformat(),
        "settings": {"radius_m": 1200, "time_limit_s": {"community": 10, "street": 30}.get(
            kind, 120), "seed": 0, "quarter_minimum": 3},
    }  # fmt: skip
    if any(g.rural for c in built for g in c.grids):
        scenario["extra_skills"] = dict([RURAL_SKILL])
    scenario["grids"] = [_grid_json(c, g) for c in built for g in c.grids]
    _add_teams(built, seed)
    _add_dual_reporting(built, seed)
    for key in ("people", "wishes", "posts", "activities"):
        scenario[key] = sorted((item for c in built for item in getattr(c, key)), key=_by_id)
    scenario["households"] = sorted(
        (item for c in built for item in _household_registry(c, seed)), key=_by_id
    )
    scenario["pairing"] = _pairing(built, seed)
    scenario["places"] = [item for c in built for item in _places(c)]
    if len(built) == 1:
        scenario["locks"] = _example_locks(built[0])
    return scenario


# standing pairs (结对帮扶) ----------------------------------------------------------------------

#: of the households in need, the share already paired with a member of their grid
PAIRED_SHARE = 0.4
#: of the households' situations, the share recorded in the last three weeks (a visit is due)
RECENT_SHARE = 0.1


def _pairs_rng(c: Community, seed: int) -> random.Random:
    """A generator of its own, so the pairs data leaves every other part of the file as it was."""
    return random.Random(f"{seed}:{c.code}:pairs")


def _household_registry(c: Community, seed: int) -> list[Json]:
    """The registry of households in need with where they live and since when."""
    rng = _pairs_rng(c, seed)
    items = []
    for household in c.households:
        situations = []
        for situation in household.situations:
            recent = rng.random() < RECENT_SHARE
            days = rng.randint(1, 20) if recent else rng.randint(30, 720)
            situations.append(
                {"situation": situation, "since": (c.week - timedelta(days=days)).isoformat()}
            )
        items.append(
            {
                "id": household.id,
                "name": household.name,
                "grid": household.estate.grid.id,
                "location": household.estate.near(rng, 30.0),
                "address": household.address,
                "situations": situations,
            }
        )
    return items


def _pairing(built: list[Community], seed: int) -> Json:
    """The seeds' rules (each member 5–10 households: at most 8 here) and the pairs that stand:
    some households are already paired with a party member of their grid."""
    pairs = []
    for c in built:
        rng = _pairs_rng(c, seed)
        rng.random()  # apart from the registry's draws
        members: dict[str, list[Json]] = {}
        for person in c.people:
            if person["kind"] == "party_member":
                members.setdefault(person["grid"], []).append(person)
        load: dict[str, int] = {}
        for household in c.households:
            near = [
                m for m in members.get(household.estate.grid.id, []) if load.get(m["id"], 0) < 4
            ]
            if not near or rng.random() >= PAIRED_SHARE:
                continue
            member = rng.choice(near)
            load[member["id"]] = load.get(member["id"], 0) + 1
            since = c.week - timedelta(days=rng.randint(60, 400))
            # visits every four weeks: about one pair in five owes one in the generated week
            last_visit = c.week - timedelta(days=rng.randint(1, 34))
            pairs.append(
                {
                    "person": member["id"],
                    "household": household.id,
                    "since": since.isoformat(),
                    "last_visit": last_visit.isoformat(),
                }
            )
    return {
        "max_households_per_member": 8,
        "visit_every_weeks": 4,
        "new_situation_visit_days": 7,
        "pairs": sorted(pairs, key=lambda p: p["household"]),
    }


# teams and 双报到 -----------------------------------------------------------------------------

#: of the people with a specialist team's skill, the share in the team (the rest serve alone)
SPECIALIST_SHARE = 0.6
#: a work unit with at least this many members living in a community has signed a co-building
#: agreement with it (共建单位); a firm that lends staff to the grids always has
CO_BUILDING_MIN_MEMBERS = 3
#: of the in-service members whose work unit lies in another community, the share who report
#: there too (双报到, seed 001: 工作地或居住地)
DUAL_SHARE = 0.3
#: a work unit stands this far (metres, at most, east and north) from its community's centre
UNIT_SPREAD_M = 400.0


def _add_teams(built: list[Community], seed: int) -> None:
    """Each grid's party group holds the grid's party members (一网格 + 一党小组); the
    specialist teams of seed 000 hold some of the people with their skill; a co-building unit
    holds the staff it lends (firms) and its members living in the community (units with a few
    of them)."""
    for c in built:
        # generators of their own (here and for 双报到), so the rest of the file is as it was
        rng = random.Random(f"{seed}:{c.code}:teams")
        grid_names = {g.id: g.name for g in c.grids}
        staff: dict[str, int] = {}
        for person in c.people:
            if person["kind"] == "party_member" and person.get("work_unit"):
                staff[person["work_unit"]] = staff.get(person["work_unit"], 0) + 1
        firms = {name for name, _ in FIRMS}
        for person in c.people:
            teams = []
            if person["kind"] == "party_member":
                teams.append(PARTY_GROUP.format(grid=grid_names[person["grid"]]))
            for skill in SPECIALIST_SKILLS:
                if skill in person["skills"] and rng.random() < SPECIALIST_SHARE:
                    teams.append(SPECIALIST_TEAM.format(skill=skill))
            unit = person.get("work_unit", "")
            if unit in firms or staff.get(unit, 0) >= CO_BUILDING_MIN_MEMBERS:
                teams.append(CO_BUILDING_TEAM.format(unit=unit))
            if teams:
                person["teams"] = sorted(teams)


def _add_dual_reporting(built: list[Community], seed: int) -> None:
    """Some in-service members also report to the community their work unit lies in.

    Each unit lies in one community: in a street or city one of the file's (its own one
    included, where nobody needs a second); beside a one-community file, the community itself
    or a neighbour outside the file (``NEIGHBOUR_COMMUNITIES``), which the file names but does
    not hold.
    """
    units = sorted({p["work_unit"] for c in built for p in c.people if p["kind"] == "party_member"})
    rng = random.Random(f"{seed}:units")
    where: dict[str, tuple[str, Json]] = {}
    if len(built) > 1:
        for unit in units:
            c = rng.choice(built)
            east, north = _jitter(rng, UNIT_SPREAD_M)
            where[unit] = (c.plan.name, _point(*_offset(c.plan.lat, c.plan.lng, east, north)))
    else:
        plan = built[0].plan
        names = [n for n in NEIGHBOUR_COMMUNITIES if n != plan.name][:3]
        for unit in units:
            k = rng.randrange(len(names) + 1)
            if k == len(names):
                where[unit] = (plan.name, _point(plan.lat, plan.lng))
                continue
            # the neighbours lie around the community, 1.5-3 km from its centre
            angle, distance = 2 * math.pi * k / len(names), rng.uniform(1500, 3000)
            east, north = distance * math.sin(angle), distance * math.cos(angle)
            where[unit] = (names[k], _point(*_offset(plan.lat, plan.lng, east, north)))
    for c in built:
        rng = random.Random(f"{seed}:{c.code}:dual")
        for person in c.people:
            if person["kind"] != "party_member":
                continue
            community, place = where[person["work_unit"]]
            if community != c.plan.name and rng.random() < DUAL_SHARE:
                person["second_community"] = {
                    "community": community,
                    "role": "work",
                    "place": place,
                }


def _by_id(item: Json) -> str:
    return str(item["id"])


#: buildings of an estate stand in rows of this many, this far apart (metres)
BUILDINGS_PER_ROW = 4
BUILDING_SPACING_M = 35.0


def _places(c: Community) -> list[Json]:
    """The community's place directory: each estate with its buildings (1栋, 2栋 … as the
    households' addresses name them), each village group, and the service hall. Positions
    come from the estates' and need no draws, so the rest of the file is as it was."""
    items: list[Json] = []
    for index, estate in enumerate(c.estates, start=1):
        estate_id = f"{c.code}-e{index:02d}"
        items.append(
            {
                "id": estate_id,
                "kind": "estate",
                "name": estate.name,
                "grid": estate.grid.id,
                "location": _point(estate.lat, estate.lng),
            }
        )
        if estate.grid.rural:
            continue  # a village group's houses are numbered, not built in blocks
        rows = math.ceil(estate.buildings / BUILDINGS_PER_ROW)
        for number in range(1, estate.buildings + 1):
            row, column = divmod(number - 1, BUILDINGS_PER_ROW)
            east = (column - (BUILDINGS_PER_ROW - 1) / 2) * BUILDING_SPACING_M
            north = ((rows - 1) / 2 - row) * BUILDING_SPACING_M
            items.append(
                {
                    "id": f"{estate_id}-b{number:02d}",
                    "kind": "building",
                    "name": f"{number}栋",
                    "estate": estate_id,
                    "grid": estate.grid.id,
                    "location": _point(*_offset(estate.lat, estate.lng, east, north)),
                }
            )
    items.append(
        {
            "id": f"{c.code}-hall",
            "kind": "venue",
            "name": f"{c.plan.name}党群服务中心",
            "grid": c.grids[0].id,
            "location": c.hall,
        }
    )
    return items


def _grid_json(c: Community, grid: Grid) -> Json:
    return {
        "id": grid.id,
        "name": grid.name,
        "community": c.plan.name,
        "center": _point(grid.lat, grid.lng),
    }


def _example_locks(c: Community) -> Json:
    """A coordinator's overrides, to show them: one pin and one forbidden pair.

    The pin puts a mediator who is free then on a mediation shift; the ban keeps the first
    wish's past helper away from it (the family asked for someone else).
    """
    locks: Json = {}
    pin = _mediation_pin(c)
    if pin:
        locks["pinned"] = [pin]
    for wish in c.wishes:
        household = wish["beneficiary"]["id"]
        helper = next((p for p in c.people if household in p.get("served_households", [])), None)
        if helper:
            locks["forbidden"] = [{"person": helper["id"], "demand": wish["id"]}]
            break
    return locks


def _mediation_pin(c: Community) -> Json | None:
    mediation = next(p for p in c.posts if p["id"] == f"{c.code}-mediation")
    for shift in mediation["shifts"]:
        for person in c.people:
            if "纠纷调解" in person["skills"] and _free_for(person, shift):
                demand = f"{mediation['id']}@{shift['weekday']}-{shift['start']}"
                return {"person": person["id"], "demand": demand}
    return None


def _free_for(person: Json, shift: Json) -> bool:
    return any(
        w["weekday"] == shift["weekday"]
        and w["start"] <= shift["start"]
        and shift["end"] <= w["end"]
        for w in person["availability"]
    )


# writing -------------------------------------------------------------------------------------


def dumps_scenario(data: Json, compact: bool = False) -> str:
    """JSON text with one list item per line: readable, small and kind to line-based diffs."""
    item_separators = (",", ":") if compact else (", ", ": ")
    indent, item_indent = ("", "") if compact else ("  ", "    ")

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=item_separators)

    lines = []
    for key, value in data.items():
        head = f"{indent}{dump(key)}{item_separators[1]}"
        if isinstance(value, list) and value:
            items = ",\n".join(item_indent + dump(item) for item in value)
            lines.append(f"{head}[\n{items}\n{indent}]")
        else:
            lines.append(head + dump(value))
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_scenario(data: Json, path: str | Path, compact: bool | None = None) -> Path:
    """Write a scenario file; large ones (over 1,000 people) compactly unless told."""
    target = Path(path)
    if compact is None:
        compact = len(data.get("people", [])) > 1000
    target.write_text(dumps_scenario(data, compact), encoding="utf-8")
    return target


#: the scenarios shipped in this folder: file name → generate() arguments
BUNDLED: dict[str, Json] = {
    "hongguang.json": {"kind": "community", "seed": 1, "name": "红光社区"},
    "luodong.json": {"kind": "community", "seed": 2, "name": "路东社区", "variant": "mixed"},
    "fenghuang.json": {"kind": "street", "seed": 3, "name": "凤凰街道"},
}


def write_bundled(directory: Path = BUNDLED_DIR) -> list[Path]:
    """Regenerate the bundled scenarios and print their sizes."""
    written = []
    for file_name, arguments in BUNDLED.items():
        path = write_scenario(generate(**arguments), directory / file_name)
        print(describe_file(path))
        written.append(path)
    return written


def describe_file(path: Path) -> str:
    """``hongguang.json: 360 people, 310 demands (355 heads) this week, 412 KB``."""
    problem = load_scenario(path)
    heads = sum(d.headcount for d in problem.demands)
    kilobytes = path.stat().st_size // 1024
    return (
        f"{path.name}: {len(problem.people)} people, {len(problem.demands)} demands "
        f"({heads} heads) this week, {kilobytes} KB"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m scenarios",
        description="生成场景文件。Generate scenario files; without -o, rewrite the bundled ones.",
    )
    parser.add_argument("--kind", choices=KINDS, default="community")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name")
    parser.add_argument("--variant", choices=VARIANTS, default="urban")
    parser.add_argument("--week-start", default=DEFAULT_WEEK_START.isoformat())
    parser.add_argument("--communities", type=int)
    parser.add_argument("--people-per-community", type=int)
    parser.add_argument("--residents-per-community", type=int)
    parser.add_argument("--preset", choices=sorted(PRESETS))
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    if args.output is None:
        write_bundled()
        return
    if args.preset:
        data = generate_preset(args.preset, args.seed, communities=args.communities)
    else:
        data = generate(
            args.kind, args.seed, args.name, week_start=args.week_start, variant=args.variant,
            communities=args.communities, people_per_community=args.people_per_community,
            residents_per_community=args.residents_per_community,
        )  # fmt: skip
    print(describe_file(write_scenario(data, args.output)))


if __name__ == "__main__":
    main()
