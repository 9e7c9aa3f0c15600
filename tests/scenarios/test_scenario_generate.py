"""The generator: deterministic, valid, realistic, and in step with the bundled files."""

from __future__ import annotations

import json
import math
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from matcher.domain import DemandKind, PersonKind
from scenarios import generate, parse_scenario, write_scenario
from scenarios.generate import BUNDLED, dumps_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
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


def _distance_m(a: dict[str, float], b: dict[str, float]) -> float:
    north = (a["lat"] - b["lat"]) * 111_320
    east = (a["lng"] - b["lng"]) * 111_320 * math.cos(math.radians(a["lat"]))
    return math.hypot(north, east)
