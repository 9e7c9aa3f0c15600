"""The generator: deterministic, valid, realistic, and in step with the bundled files."""

from __future__ import annotations

import importlib
import json
import math
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from matcher.domain import DemandKind, PersonKind
from scenarios import generate, parse_scenario, write_scenario
from scenarios.generate import BUNDLED, PRESETS, _zh_number, dumps_scenario, generate_preset

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
#: the module (the package exports its function of the same name)
generator = importlib.import_module("scenarios.generate")
CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")


@pytest.fixture(scope="module")
def hongguang() -> dict[str, Any]:
    return generate("community", 1, name="红光社区")


SMALL_KINDS: list[dict[str, Any]] = [
    {"kind": "community"},
    {"kind": "community", "variant": "mixed"},
    {"kind": "street", "communities": 2},
    {"kind": "city", "communities": 2},
]


@pytest.mark.parametrize("arguments", SMALL_KINDS, ids=lambda a: "-".join(map(str, a.values())))
def test_same_seed_same_scenario_and_it_is_valid(arguments: dict[str, Any]) -> None:
    first = generate(seed=11, **arguments)

    assert generate(seed=11, **arguments) == first
    assert generate(seed=12, **arguments) != first
    problem = parse_scenario(first, "generated")
    assert {d.kind for d in problem.demands} == set(DemandKind)


@pytest.mark.parametrize("file_name", list(BUNDLED))
def test_bundled_file_matches_the_generator(file_name: str) -> None:
    on_disk = json.loads((SCENARIOS / file_name).read_text(encoding="utf-8"))
    assert on_disk == generate(**BUNDLED[file_name]), "run `python -m scenarios` to refresh"


def test_writing_round_trips(tmp_path: Path, hongguang: dict[str, Any]) -> None:
    for compact in (False, True):
        assert json.loads(dumps_scenario(hongguang, compact)) == hongguang
    path = write_scenario(hongguang, tmp_path / "hongguang.json")
    assert json.loads(path.read_text(encoding="utf-8")) == hongguang


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="Monday"):
        generate("community", 1, week_start="2026-03-03")
    with pytest.raises(ValueError, match="kind"):
        generate("province", 1)


def test_hongguang_follows_the_facts(hongguang: dict[str, Any]) -> None:
    problem = parse_scenario(hongguang)
    heads = sum(d.headcount for d in problem.demands)
    sorting_posts = [p for p in hongguang["posts"] if "-sorting-" in p["id"]]

    assert len(hongguang["grids"]) == 8  # sub-grids
    assert len(sorting_posts) == 21  # one per housing estate
    assert 300 <= len(problem.people) <= 400
    assert 250 <= heads <= 450
    assert {p.kind for p in problem.people} == set(PersonKind)
    assert all(CHINESE_NAME.match(p.name) for p in problem.people)
    themes = {a["theme"] for a in hongguang["activities"]}
    assert themes == {"学雷锋志愿服务月"}


def test_hongguang_has_the_deliberate_gaps(hongguang: dict[str, Any]) -> None:
    wednesday = (date(2026, 3, 2) + timedelta(days=2)).isoformat()
    legal_aid = [
        w
        for w in hongguang["wishes"]
        if w["category"] == "法律援助" and w["earliest"] == w["deadline"] == wednesday
    ]
    assert legal_aid
    lawyers = [p for p in hongguang["people"] if "法律援助" in p["skills"]]
    assert all(w["weekday"] != 3 for p in lawyers for w in p["availability"])
    weekday_post = next(p for p in hongguang["posts"] if p["id"] == "hg-hall-weekday")
    assert weekday_post["party_members_only"]
    party_daytime = [
        w
        for p in hongguang["people"]
        if p["kind"] == "party_member"
        for w in p["availability"]
        if w["weekday"] == 3 and w["start"] <= "09:00" and w["end"] >= "11:30"
    ]
    assert not party_daytime


def test_luodong_villages_lie_beyond_the_walking_radius() -> None:
    data = generate(**BUNDLED["luodong.json"])
    centres = [g["center"] for g in data["grids"]]
    core = centres[0]

    assert len(data["grids"]) == 13
    far = [c for c in centres if _distance_m(core, c) > data["settings"]["radius_m"]]
    assert len(far) >= 5
    assert "农技指导" in data["extra_skills"]


def test_fenghuang_has_86_grids_in_nine_communities() -> None:
    data = json.loads((SCENARIOS / "fenghuang.json").read_text(encoding="utf-8"))

    assert len(data["grids"]) == 86
    assert len({g["community"] for g in data["grids"]}) == 9
    assert 2500 <= len(data["people"]) <= 3500


# teams and 双报到 ------------------------------------------------------------------------------


def test_each_grid_has_a_party_group_of_its_party_members(hongguang: dict[str, Any]) -> None:
    names = {g["id"]: g["name"] for g in hongguang["grids"]}
    for grid, name in names.items():
        members = {p["id"] for p in hongguang["people"] if f"{name}党小组" in p.get("teams", [])}
        party = {
            p["id"]
            for p in hongguang["people"]
            if p["grid"] == grid and p["kind"] == "party_member"
        }
        assert members == party and members


def test_specialist_teams_hold_some_of_the_people_with_their_skill(
    hongguang: dict[str, Any],
) -> None:
    for skill in ("法律援助", "医疗卫生", "纠纷调解"):
        team = f"{skill}服务队"
        able = [p for p in hongguang["people"] if skill in p["skills"]]
        joined = [p for p in able if team in p.get("teams", [])]
        assert all(team not in p.get("teams", []) for p in hongguang["people"] if p not in able)
        assert 0 < len(joined) < len(able)


def test_co_building_units_hold_the_staff_they_send(hongguang: dict[str, Any]) -> None:
    people = hongguang["people"]
    firm_staff = [p for p in people if p["kind"] == "volunteer" and p.get("work_unit")]
    assert firm_staff
    assert all(f"{p['work_unit']}（共建单位）" in p["teams"] for p in firm_staff)
    units = {t for p in people for t in p.get("teams", []) if t.endswith("（共建单位）")}
    for unit in units:
        members = [p for p in people if unit in p.get("teams", [])]
        assert all(f"{p['work_unit']}（共建单位）" == unit for p in members)
        assert len(members) >= 3 or members[0]["kind"] == "volunteer"


def test_a_street_member_reports_to_the_community_of_their_work_unit_in_the_street() -> None:
    data = generate("street", 5, communities=3)
    communities = {g["community"] for g in data["grids"]}
    dual = [p for p in data["people"] if "second_community" in p]

    assert dual and all(p["kind"] == "party_member" for p in dual)
    assert all(p["second_community"]["community"] in communities - {p["community"]} for p in dual)
    # one unit, one place: its members set out from the same door
    places: dict[str, set[str]] = {}
    for p in dual:
        places.setdefault(p["work_unit"], set()).add(json.dumps(p["second_community"]["place"]))
    assert all(len(found) == 1 for found in places.values())
    party = sum(p["kind"] == "party_member" for p in data["people"])
    assert 0.05 * party < len(dual) < 0.35 * party


def test_beside_one_community_the_work_community_lies_outside_the_file(
    hongguang: dict[str, Any],
) -> None:
    dual = [p for p in hongguang["people"] if "second_community" in p]
    assert dual
    assert {p["second_community"]["community"] for p in dual} <= {
        "向阳社区",
        "新华社区",
        "东风社区",
    }
    centre = hongguang["grids"][0]["center"]
    assert all(_distance_m(centre, p["second_community"]["place"]) > 1000 for p in dual)
    # a record only: the file's week is measured from home, as before
    problem = parse_scenario(hongguang, "hongguang")
    homes = {p.id: (p.home.lat, p.home.lng) for p in problem.people}
    assert all(homes[p["id"]] == (p["home"]["lat"], p["home"]["lng"]) for p in dual)


def test_teams_and_dual_reporting_leave_the_rest_of_the_file_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_them = generate("street", 6, communities=2)
    monkeypatch.setattr(generator, "_add_teams", lambda built, seed: None)
    monkeypatch.setattr(generator, "_add_dual_reporting", lambda built, seed: None)
    without = generate("street", 6, communities=2)
    people = with_them["people"]
    assert any("teams" in p for p in people) and any("second_community" in p for p in people)
    for p in people:
        p.pop("teams", None)
        p.pop("second_community", None)
    assert with_them == without


def _distance_m(a: dict[str, float], b: dict[str, float]) -> float:
    north = (a["lat"] - b["lat"]) * 111_320
    east = (a["lng"] - b["lng"]) * 111_320 * math.cos(math.radians(a["lat"]))
    return math.hypot(north, east)


# scale -----------------------------------------------------------------------------------


def _heads(problem: Any) -> int:
    return sum(d.headcount for d in problem.demands)


def test_people_per_community_sets_the_people_and_more_residents_a_larger_week() -> None:
    plain = parse_scenario(generate("community", 4), "plain")
    more_people = generate("community", 4, people_per_community=900)
    more_both = generate("community", 4, people_per_community=900, residents_per_community=30_000)

    assert len(more_people["people"]) == 900
    assert len(more_both["people"]) == 900
    # residents grow with people unless told: grids, estates and the week grow with them
    grown = parse_scenario(more_people, "people")
    assert len(more_people["grids"]) > len(generate("community", 4)["grids"])
    assert _heads(grown) > 2 * _heads(plain)
    # 30,000 residents is fewer than 900 people would bring (900/360 × 10,000 = 25,000 is
    # less, so this one is more): the week follows the residents, not the people
    assert len(more_both["wishes"]) > len(more_people["wishes"])
    assert _heads(parse_scenario(more_both, "both")) > _heads(grown)


def test_a_large_community_never_runs_out_of_names() -> None:
    data = generate("community", 6, people_per_community=400, residents_per_community=200_000)
    sorting = [p["name"] for p in data["posts"] if p["id"].split("-")[1].startswith("sorting")]
    grids = [g["name"] for g in data["grids"]]

    # 21 estates × 20 = 420 estates: more than the 320 names of the vocabulary
    assert len(sorting) > 320
    assert len(set(sorting)) == len(sorting)
    assert len(set(grids)) == len(grids) > 100
    assert "第一百零一网格" in grids
    for key in ("people", "wishes", "posts", "activities", "grids"):
        ids = [item["id"] for item in data[key]]
        assert len(set(ids)) == len(ids), key
    parse_scenario(data, "large")


def test_scaled_city_communities_lie_apart_and_keep_their_size() -> None:
    data = generate("city", 8, communities=4, people_per_community=1_200)
    by_community: dict[str, list[dict[str, float]]] = {}
    for grid in data["grids"]:
        by_community.setdefault(grid["community"], []).append(grid["center"])
    people: dict[str, int] = {}
    for person in data["people"]:
        people[person["community"]] = people.get(person["community"], 0) + 1

    assert len(by_community) == 4
    assert 4 * 1_150 <= len(data["people"]) <= 4 * 1_250
    assert all(900 <= n <= 1_500 for n in people.values())
    # larger communities lie farther apart: the boxes round their grids never overlap
    boxes = {
        name: (
            min(c["lat"] for c in centres), max(c["lat"] for c in centres),
            min(c["lng"] for c in centres), max(c["lng"] for c in centres),
        )
        for name, centres in by_community.items()
    }  # fmt: skip
    for name, (south, north, west, east) in boxes.items():
        for other, (s2, n2, w2, e2) in boxes.items():
            if other != name:
                assert north < s2 or n2 < south or east < w2 or e2 < west, (name, other)


def test_the_guiyang_preset() -> None:
    data = generate_preset("guiyang", 1, communities=1)

    assert PRESETS["guiyang"]["communities"] == 93
    assert 5_000 <= len(data["people"]) <= 6_500
    assert len(data["grids"]) >= 40
    with pytest.raises(ValueError, match="preset"):
        generate_preset("chengdu")
    with pytest.raises(ValueError, match="people_per_community"):
        generate("city", 1, communities=2, people_per_community=0)


@pytest.mark.parametrize(
    ("number", "text"),
    [(9, "九"), (10, "十"), (21, "二十一"), (100, "一百"), (105, "一百零五"),
     (110, "一百一十"), (215, "二百一十五"), (1_000, "一千"), (1_010, "一千零一十"),
     (2_300, "二千三百")],
)  # fmt: skip
def test_chinese_numerals(number: int, text: str) -> None:
    assert _zh_number(number) == text
