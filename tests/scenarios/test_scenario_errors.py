"""Every way a scenario file is rejected: one ScenarioError naming file, item id and field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest

from scenarios import ScenarioError, load_scenario
from scenarios.load import MAX_ERRORS, _fast_check, _validator

HERE = {"lat": 30.39, "lng": 114.89}


def scenario() -> dict[str, Any]:
    """A valid file: two people, a wish, a post and an activity."""
    person = {
        "name": "张伟",
        "kind": "volunteer",
        "skills": ["助老"],
        "home": HERE,
        "availability": [{"weekday": 1, "start": "19:00", "end": "21:00"}],
    }
    return {
        "name": "凤凰台社区",
        "week_start": "2026-03-02",
        "grids": [{"id": "g1", "name": "第一网格"}],
        "people": [{"id": "p-0001", **person}, {"id": "p-0002", **person, "grid": "g1"}],
        "wishes": [
            {
                "id": "w-1",
                "title": "上门陪伴聊天",
                "category": "助老",
                "beneficiary": {"id": "h-1", "name": "李秀英"},
                "location": HERE,
                "duration_minutes": 60,
                "earliest": "2026-03-02",
                "deadline": "2026-03-04",
            }
        ],
        "posts": [
            {
                "id": "patrol",
                "name": "治安巡逻",
                "location": HERE,
                "min_staff": 1,
                "max_staff": 2,
                "shifts": [{"weekday": 1, "start": "19:30", "end": "21:00"}],
            }
        ],
        "activities": [
            {
                "id": "a-1",
                "name": "社区义诊",
                "date": "2026-03-05",
                "start": "09:00",
                "end": "11:00",
                "location": HERE,
                "roles": [{"skill": "医疗卫生", "headcount": 2}],
            }
        ],
        "locks": {"pinned": [{"person": "p-0001", "demand": "patrol@1-19:30"}]},
    }


def rejection(tmp_path: Path, change: Callable[[dict[str, Any]], object]) -> ScenarioError:
    data = scenario()
    change(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value


def assert_names(error: ScenarioError, item: str, field: str) -> None:
    message = str(error)
    assert "bad.json" in message
    assert item in message
    assert f'field "{field}"' in message


def test_the_base_scenario_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(scenario(), ensure_ascii=False), encoding="utf-8")
    assert len(load_scenario(path).demands) == 3


def test_unknown_skill(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["people"][1]["skills"].append("法律"))
    assert_names(error, 'people[1] (id "p-0002")', "skills")
    assert '未知专长「法律」 (unknown skill "法律")' in str(error)


def test_unknown_skill_in_an_activity_role(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["activities"][0]["roles"][0].update(skill="舞龙"))
    assert_names(error, 'activities[0] (id "a-1")', "roles[0].skill")


def test_latitude_out_of_range(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["people"][0].update(home={"lat": 95, "lng": 114.9}))
    assert_names(error, 'people[0] (id "p-0001")', "home.lat")
    assert "95" in str(error)


def test_longitude_out_of_range(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["wishes"][0].update(location={"lat": 30, "lng": 200}))
    assert_names(error, 'wishes[0] (id "w-1")', "location.lng")


def test_end_before_start_in_availability(tmp_path: Path) -> None:
    window = {"weekday": 2, "start": "21:00", "end": "19:00"}
    error = rejection(tmp_path, lambda d: d["people"][0]["availability"].append(window))
    assert_names(error, 'people[0] (id "p-0001")', "availability[1].end")
    assert "not after start" in str(error)


def test_end_before_start_in_an_activity(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["activities"][0].update(end="08:00"))
    assert_names(error, 'activities[0] (id "a-1")', "end")


def test_deadline_before_earliest(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["wishes"][0].update(deadline="2026-03-01"))
    assert_names(error, 'wishes[0] (id "w-1")', "deadline")


@pytest.mark.parametrize("headcount", [0, -1])
def test_headcount_below_one(tmp_path: Path, headcount: int) -> None:
    error = rejection(tmp_path, lambda d: d["wishes"][0].update(headcount=headcount))
    assert_names(error, 'wishes[0] (id "w-1")', "headcount")
    assert "must be at least 1" in str(error)


def test_min_staff_above_max_staff(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["posts"][0].update(min_staff=3))
    assert_names(error, 'posts[0] (id "patrol")', "min_staff")


def test_duplicate_person_id(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["people"][1].update(id="p-0001"))
    assert_names(error, 'people[1] (id "p-0001")', "id")
    assert "people[0]" in str(error)


def test_duplicate_id_across_demand_kinds(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["activities"][0].update(id="w-1"))
    assert_names(error, 'activities[0] (id "w-1")', "id")
    assert "wishes[0]" in str(error)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["people"][0].update(weekly_hours_cap=-1),
            'people[0] (id "p-0001") field "weekly_hours_cap": '
            "不能小于 0，实际为 -1 (must be at least 0, got -1)",
        ),
        (
            lambda d: d["people"][1].pop("kind"),
            'people[1] (id "p-0002") field "kind": 缺少必填字段 (required field is missing)',
        ),
    ],
    ids=["negative weekly_hours_cap", "missing kind"],
)
def test_the_fast_check_and_the_detailed_one_agree(
    tmp_path: Path, change: Callable[[dict[str, Any]], object], expected: str
) -> None:
    good = scenario()
    _fast_check()(good)
    assert not list(_validator().iter_errors(good))
    bad = scenario()
    change(bad)
    with pytest.raises(fastjsonschema.JsonSchemaException):
        _fast_check()(bad)
    # the fast check does not swallow the mistake: the message is jsonschema's, worded as before
    error = rejection(tmp_path, change)
    assert error.errors == [f"{tmp_path / 'bad.json'}: {expected}"]


def test_bad_json_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "name": "x",\n  "week_start" "2026-03-02"\n}', encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "bad.json" in message
    assert "line 3 column 16" in message and "第 3 行第 16 列" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"missing\.json"):
        load_scenario(tmp_path / "missing.json")


def test_unknown_person_in_locks(tmp_path: Path) -> None:
    pair = {"person": "p-9999", "demand": "w-1"}
    error = rejection(tmp_path, lambda d: d["locks"].update(forbidden=[pair]))
    assert_names(error, "locks.forbidden[0]", "person")
    assert "p-9999" in str(error)


def test_unknown_demand_in_locks(tmp_path: Path) -> None:
    pair = {"person": "p-0001", "demand": "patrol@2-19:30"}
    error = rejection(tmp_path, lambda d: d["locks"].update(previous=[pair]))
    assert_names(error, "locks.previous[0]", "demand")


def test_week_start_not_a_monday(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d.update(week_start="2026-03-04"))
    assert_names(error, "bad.json: ", "week_start")
    assert "周三" in str(error) and "Wednesday" in str(error)


def test_invalid_date(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["wishes"][0].update(earliest="2026-02-30"))
    assert_names(error, 'wishes[0] (id "w-1")', "earliest")


def test_unknown_grid(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["posts"][0].update(grid="g9"))
    assert_names(error, 'posts[0] (id "patrol")', "grid")


def test_misspelt_field(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["people"][0].update(skils=["助老"]))
    assert_names(error, 'people[0] (id "p-0001")', "skils")


def test_missing_required_field(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["wishes"][0].pop("deadline"))
    assert_names(error, 'wishes[0] (id "w-1")', "deadline")


def test_malformed_time(tmp_path: Path) -> None:
    error = rejection(tmp_path, lambda d: d["posts"][0]["shifts"][0].update(start="7:30"))
    assert_names(error, 'posts[0] (id "patrol")', "shifts[0].start")


def test_extension_fields_are_allowed(tmp_path: Path) -> None:
    data = scenario()
    data["x-source"] = "hand-written"
    data["people"][0]["x-note"] = "team leader"
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_scenario(path).people[0].id == "p-0001"


def test_many_errors_are_collected_up_to_a_limit(tmp_path: Path) -> None:
    def break_everyone(data: dict[str, Any]) -> None:
        person = data["people"][0]
        data["people"] = [{**person, "id": f"p{n}", "skills": ["法律"]} for n in range(30)]
        data["locks"] = {}

    error = rejection(tmp_path, break_everyone)

    assert len(error.errors) == MAX_ERRORS
    assert error.total == 30
    assert str(error).startswith("30 处错误 (30 errors)")
    assert all("bad.json: people[" in line for line in error.errors)


def test_a_scenario_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.json"):
        load_scenario(path)


def test_scenario_error_is_a_value_error() -> None:
    assert issubclass(ScenarioError, ValueError)


def test_visiting_hours_end_before_start(tmp_path: Path) -> None:
    hours = {"start": "20:00", "end": "08:00"}
    error = rejection(tmp_path, lambda d: d.setdefault("settings", {}).update(visit_hours=hours))
    assert 'field "settings.visit_hours.end"' in str(error)


def test_visiting_hours_are_read(tmp_path: Path) -> None:
    data = scenario()
    data["settings"] = {"visit_hours": {"start": "09:00", "end": "18:30"}}
    path = tmp_path / "hours.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_scenario(path).settings.visit_hours == (9 * 60, 18 * 60 + 30)
