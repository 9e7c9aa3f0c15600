"""Loading scenario files: the bundled ones, and how each part becomes matcher input."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from matcher.domain import (
    MINUTES_PER_DAY,
    SITUATION_WEIGHTS,
    DemandKind,
    Problem,
    Settings,
    Weights,
)
from scenarios import load_scenario, load_scenario_data, load_scenario_with_data, parse_scenario
from scenarios.load import scenario_schema, shift_id

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BUNDLED = ("hongguang", "luodong", "fenghuang")
MONDAY = "2026-03-02"
HERE = {"lat": 24.289, "lng": 116.122}


def small_scenario() -> dict[str, Any]:
    """One person, and one demand of each kind, in one grid."""
    return {
        "name": "测试社区",
        "week_start": MONDAY,
        "grids": [{"id": "g1", "name": "第一网格", "community": "测试社区"}],
        "people": [
            {
                "id": "p1",
                "name": "张伟",
                "kind": "party_member",
                "skills": ["水电维修"],
                "home": HERE,
                "grid": "g1",
                "availability": [{"weekday": 7, "start": "19:00", "end": "24:00"}],
            }
        ],
        "wishes": [
            {
                "id": "w1",
                "title": "更换漏水水龙头",
                "category": "水电维修",
                "beneficiary": {"id": "h1", "name": "李秀英", "situations": ["elderly_alone"]},
                "location": HERE,
                "grid": "g1",
                "duration_minutes": 45,
                "earliest": "2026-02-27",
                "deadline": "2026-03-03",
            }
        ],
        "posts": [
            {
                "id": "hall",
                "name": "党员先锋岗",
                "location": HERE,
                "min_staff": 2,
                "shifts": [{"weekday": 6, "start": "08:30", "end": "11:30"}],
            }
        ],
        "activities": [
            {
                "id": "a1",
                "name": "学雷锋便民服务集市",
                "theme": "学雷锋志愿服务月",
                "date": "2026-03-05",
                "start": "09:00",
                "end": "11:30",
                "location": HERE,
                "responsible_unit": "区人民医院",
                "roles": [{"skill": "医疗卫生", "headcount": 2}, {"skill": None, "headcount": 3}],
            }
        ],
    }


def demand(problem: Problem, demand_id: str) -> Any:
    return next(d for d in problem.demands if d.id == demand_id)


# the bundled scenarios ---------------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenario_loads(name: str) -> None:
    problem = load_scenario(SCENARIOS / f"{name}.json")

    assert problem.week_start.weekday() == 0
    assert problem.people and problem.demands
    assert {d.kind for d in problem.demands} == set(DemandKind)
    assert len({d.id for d in problem.demands}) == len(problem.demands)
    assert len({p.id for p in problem.people}) == len(problem.people)
    ids = {p.id for p in problem.people}, {d.id for d in problem.demands}
    locks = problem.locks
    for person, demand_id in locks.pinned | locks.forbidden | locks.previous:
        assert person in ids[0] and demand_id in ids[1]


def test_load_scenario_data_keeps_display_fields() -> None:
    data = load_scenario_data(SCENARIOS / "hongguang.json")

    assert data["name"] == "红光社区"
    assert all("address" in wish["beneficiary"] for wish in data["wishes"])


def test_load_scenario_with_data_gives_both() -> None:
    problem, data = load_scenario_with_data(SCENARIOS / "luodong.json")

    assert problem.name == data["name"] == "路东社区"
    assert len(problem.people) == len(data["people"])


# conversion --------------------------------------------------------------------------------


def test_person_weekdays_become_monday_zero_and_community_comes_from_grid() -> None:
    person = parse_scenario(small_scenario()).people[0]

    (window,) = person.availability
    assert (window.weekday, window.start_minute, window.end_minute) == (6, 19 * 60, 24 * 60)
    assert person.community == "测试社区"
    assert person.skills == frozenset({"水电维修"})


def test_shift_is_one_demand_per_weekly_shift() -> None:
    problem = parse_scenario(small_scenario())

    shift = demand(problem, "hall@6-08:30")
    assert shift.id == shift_id("hall", 6, "08:30")
    assert shift.kind == DemandKind.SHIFT
    assert shift.title == "党员先锋岗 周六 08:30–11:30"
    saturday = 5 * MINUTES_PER_DAY
    assert (shift.window.start, shift.window.end) == (saturday + 510, saturday + 690)
    assert shift.duration == 180
    # max_staff defaults to min_staff
    assert (shift.roles[0].min_count, shift.roles[0].max_count) == (2, 2)


def test_wish_window_is_whole_days_clipped_to_the_week() -> None:
    problem = parse_scenario(small_scenario())

    wish = demand(problem, "w1")
    # earliest is the Friday before: the window starts on Monday; deadline Tuesday inclusive
    assert (wish.window.start, wish.window.end) == (0, 2 * MINUTES_PER_DAY)
    assert wish.duration == 45
    assert wish.roles[0].skills == frozenset({"水电维修"})
    assert wish.household == "h1"
    assert wish.priority == 3.0
    assert wish.note == "独居老人"
    assert not wish.all_or_nothing


def test_group_wish_is_all_or_nothing_and_empty_skills_mean_anyone() -> None:
    data = small_scenario()
    data["wishes"][0].update(headcount=3, skills=[], priority=4.5)

    wish = demand(parse_scenario(data), "w1")

    assert wish.all_or_nothing
    assert wish.roles[0].skills == frozenset()
    assert (wish.roles[0].min_count, wish.roles[0].max_count) == (3, 3)
    assert wish.priority == 4.5


def test_activity_roles_and_note() -> None:
    activity = demand(parse_scenario(small_scenario()), "a1")

    assert [(r.skills, r.min_count, r.max_count) for r in activity.roles] == [
        (frozenset({"医疗卫生"}), 2, 2),
        (frozenset(), 3, 3),
    ]
    thursday = 3 * MINUTES_PER_DAY
    assert (activity.window.start, activity.window.end) == (thursday + 540, thursday + 690)
    assert "学雷锋志愿服务月" in activity.note and "区人民医院" in activity.note


def test_demands_outside_the_week_are_skipped_with_their_locks() -> None:
    data = small_scenario()
    data["activities"][0]["date"] = "2026-03-12"
    data["wishes"][0].update(earliest="2026-02-20", deadline="2026-02-28")
    data["locks"] = {"forbidden": [{"person": "p1", "demand": "a1"}]}

    problem = parse_scenario(data)

    assert [d.id for d in problem.demands] == ["hall@6-08:30"]
    assert problem.locks.forbidden == frozenset()


def test_lock_on_a_post_stands_for_all_its_shifts() -> None:
    data = small_scenario()
    data["posts"][0]["shifts"].append({"weekday": 7, "start": "08:30", "end": "11:30"})
    data["locks"] = {"forbidden": [{"person": "p1", "demand": "hall"}]}

    problem = parse_scenario(data)

    assert problem.locks.forbidden == {("p1", "hall@6-08:30"), ("p1", "hall@7-08:30")}


def test_settings_override_defaults() -> None:
    data = small_scenario()
    data["settings"] = {"radius_m": 800, "weights": {"walk_per_km": 250}}

    settings = parse_scenario(data).settings

    assert settings.radius_m == 800
    assert settings.weights.walk_per_km == 250
    assert settings.weights.coverage == Weights().coverage
    assert settings.time_limit_s == Settings().time_limit_s


def test_extra_skills_are_accepted() -> None:
    data = small_scenario()
    data["extra_skills"] = {"舞龙": "dragon dance"}
    data["people"][0]["skills"].append("舞龙")

    assert "舞龙" in parse_scenario(data).people[0].skills


def test_parse_does_not_change_its_input() -> None:
    data = small_scenario()
    before = copy.deepcopy(data)

    parse_scenario(data)

    assert data == before


def test_week_start_is_a_date() -> None:
    assert parse_scenario(small_scenario()).week_start == date(2026, 3, 2)


# the schema agrees with the matcher ------------------------------------------------------------


def test_schema_situations_are_the_matchers() -> None:
    beneficiary = scenario_schema()["$defs"]["beneficiary"]
    assert set(beneficiary["properties"]["situations"]["items"]["enum"]) == set(SITUATION_WEIGHTS)


def test_schema_settings_defaults_are_the_matchers() -> None:
    settings = scenario_schema()["$defs"]["settings"]["properties"]
    weights = settings["weights"]["properties"]

    assert {name: spec["default"] for name, spec in weights.items()} == dataclasses.asdict(
        Weights()
    )
    for name in ("radius_m", "time_limit_s", "seed", "quarter_minimum"):
        assert settings[name]["default"] == getattr(Settings(), name)


def test_schema_refs_carry_only_annotations() -> None:
    """The loader inlines "$ref"s by merging, which is only safe if siblings are annotations."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                assert set(node) - {"$ref"} <= {"description", "default", "title"}
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(scenario_schema())
