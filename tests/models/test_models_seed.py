"""Importing scenario files into the database: the demo community and small hand-made ones."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from matcher.domain import DemandKind, PersonKind
from models import (
    Activity,
    ActivityRole,
    Availability,
    Community,
    Grid,
    Household,
    Override,
    OverrideKind,
    Person,
    Place,
    PlaceKind,
    Post,
    RecurringActivity,
    Shift,
    ShiftTemplate,
    Street,
    ThemeMonth,
    Wish,
    WishStatus,
)
from models.post import week_shifts
from models.seed import (
    DEFAULT_STREET_NAME,
    SeedError,
    add_standard_year,
    import_scenario,
    import_street_scenario,
)
from scenarios import ScenarioError, load_scenario_with_data

HONGGUANG = Path(__file__).resolve().parents[2] / "scenarios" / "hongguang.json"
MONDAY = "2026-03-02"
HERE = {"lat": 24.289, "lng": 116.122}


def count(session: Session, model: type[Any]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_hongguang_rows_match_the_file(session: Session) -> None:
    problem, data = load_scenario_with_data(HONGGUANG)

    community = import_scenario(session, data)

    assert community.name == "红光社区"
    assert community.street.name == DEFAULT_STREET_NAME
    assert (community.radius_m, community.quarter_minimum) == (1200.0, 3)
    households = {w["beneficiary"]["id"] for w in data["wishes"]}
    households |= {h["id"] for h in data.get("households", [])}  # the registry (结对帮扶)
    expected = {
        Grid: len(data["grids"]),
        Person: len(data["people"]),
        Availability: sum(len(p.get("availability", [])) for p in data["people"]),
        Household: len(households),
        Wish: len(data["wishes"]),
        Post: len(data["posts"]),
        ShiftTemplate: sum(len(p["shifts"]) for p in data["posts"]),
        Shift: sum(len(p["shifts"]) for p in data["posts"]),
        ThemeMonth: 1,
        Activity: len(data["activities"]),
        ActivityRole: sum(len(a["roles"]) for a in data["activities"]),
        Override: 2,
    }
    assert {model: count(session, model) for model in expected} == expected
    assert expected[Person] == 360  # as docs/scenarios.md says

    # the database's week holds the demands the matcher sees for it
    kinds = Counter(d.kind for d in problem.demands)
    assert len(week_shifts(session, community.id, problem.week_start)) == kinds[DemandKind.SHIFT]
    week_end = problem.week_start + timedelta(days=6)
    in_week = session.scalars(
        sa.select(Activity).where(Activity.day >= problem.week_start, Activity.day <= week_end)
    ).all()
    assert len(in_week) == kinds[DemandKind.ACTIVITY]
    assert {p.kind for p in session.scalars(sa.select(Person))} == set(PersonKind)


def test_hongguang_details(session: Session) -> None:
    _, data = load_scenario_with_data(HONGGUANG)
    import_scenario(session, data)
    session.expunge_all()

    first = data["people"][0]
    person = session.scalars(sa.select(Person).where(Person.external_id == first["id"])).one()
    assert person.name == first["name"]
    assert set(person.skills) == set(first["skills"])
    assert person.grid is not None and person.grid.external_id == first["grid"]
    window = first["availability"][0]
    assert (person.availability[0].weekday, person.availability[0].start_minute) == (
        window["weekday"] - 1,
        int(window["start"][:2]) * 60 + int(window["start"][3:]),
    )

    item = data["wishes"][0]
    wish = session.scalars(sa.select(Wish).where(Wish.external_id == item["id"])).one()
    assert wish.status == WishStatus.OPEN
    assert set(wish.skills) == {item["category"]}
    assert wish.household.address == item["beneficiary"]["address"]
    raw = session.execute(
        sa.text("SELECT address FROM household WHERE id = :id"), {"id": wish.household_id}
    ).scalar_one()
    assert item["beneficiary"]["address"] not in raw

    overrides = {o.kind: o for o in session.scalars(sa.select(Override))}
    pin, forbid = overrides[OverrideKind.PIN], overrides[OverrideKind.FORBID]
    assert (pin.person.external_id, pin.demand_kind) == ("hg-p0051", DemandKind.SHIFT)
    assert pin.shift is not None and pin.shift.post.external_id == "hg-mediation"
    assert pin.shift.day == date(2026, 3, 4)  # weekday 3 of the file: Wednesday
    assert (forbid.person.external_id, forbid.wish_id) == ("hg-p0298", wish.id)
    assert pin.week_start == date(2026, 3, 2)


def test_importing_a_community_twice_is_refused(session: Session) -> None:
    data = small_scenario()
    import_scenario(session, data)
    people = count(session, Person)

    with pytest.raises(SeedError, match="already has 测试社区"):
        import_scenario(session, data)
    assert count(session, Person) == people
    # the same community under another street is another community
    import_scenario(session, data, street_name="另一个街道")
    assert count(session, Community) == 2


def test_a_bad_scenario_is_refused_before_writing(session: Session) -> None:
    data = small_scenario()
    data["people"][0]["skills"] = ["法律"]
    with pytest.raises(ScenarioError, match="未知专长"):
        import_scenario(session, data)
    assert count(session, Street) == 0


def test_a_street_scenario(session: Session) -> None:
    data = small_scenario()
    data["name"] = "测试街道"
    data["grids"].append({"id": "g2", "name": "第一网格", "community": "第二社区", "center": HERE})
    second = copy.deepcopy(data["people"][0])
    second.update(id="p2", grid="g2")
    data["people"].append(second)

    with pytest.raises(SeedError, match="2 communities"):
        import_scenario(session, data)
    street = import_street_scenario(session, data)

    assert street.name == "测试街道"
    assert [c.name for c in street.communities] == ["测试社区", "第二社区"]
    people = session.scalars(sa.select(Person).order_by(Person.external_id)).all()
    assert [p.community.name for p in people] == ["测试社区", "第二社区"]


def test_items_without_a_community_belong_to_the_scenario(session: Session) -> None:
    data = small_scenario()
    del data["grids"]
    for collection in ("people", "wishes", "posts", "activities"):
        for item in data[collection]:
            item.pop("grid", None)
    data["x-street"] = "文件里的街道"

    community = import_scenario(session, data)

    assert community.name == "测试社区"
    assert community.street.name == "文件里的街道"
    assert count(session, Person) == 1


def test_locks_on_other_weeks_are_dropped(session: Session) -> None:
    data = small_scenario()
    data["activities"][0]["date"] = "2026-03-20"  # the calendar lists the whole month
    data["locks"] = {
        "pinned": [{"person": "p1", "demand": "a1"}],
        "forbidden": [{"person": "p1", "demand": "hall"}],
    }
    import_scenario(session, data)
    overrides = session.scalars(sa.select(Override)).all()
    assert [(o.kind, o.demand_kind) for o in overrides] == [(OverrideKind.FORBID, DemandKind.SHIFT)]


def small_scenario() -> dict[str, Any]:
    """One person and one demand of each kind, in one grid (docs/scenarios.md's example)."""
    return {
        "name": "测试社区",
        "week_start": MONDAY,
        "grids": [{"id": "g1", "name": "第一网格", "community": "测试社区", "center": HERE}],
        "people": [
            {
                "id": "p1",
                "name": "张伟",
                "kind": "party_member",
                "skills": ["水电维修"],
                "home": HERE,
                "grid": "g1",
                "availability": [{"weekday": 6, "start": "08:30", "end": "12:00"}],
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
                "earliest": MONDAY,
                "deadline": "2026-03-06",
            }
        ],
        "posts": [
            {
                "id": "hall",
                "name": "党员先锋岗",
                "location": HERE,
                "grid": "g1",
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
                "grid": "g1",
                "roles": [{"skill": None, "headcount": 2}],
            }
        ],
    }


def test_instructions_and_what_to_bring_are_carried_over(session: Session) -> None:
    data = small_scenario()
    told = {"instructions": "到服务站集合", "what_to_bring": "工作证"}
    for collection in ("wishes", "posts", "activities"):
        data[collection][0].update(told)
    import_scenario(session, data)
    rows: list[Wish | Post | Activity] = [
        session.scalars(sa.select(Wish)).one(),
        session.scalars(sa.select(Post)).one(),
        session.scalars(sa.select(Activity)).one(),
    ]
    assert [(r.instructions, r.what_to_bring) for r in rows] == [("到服务站集合", "工作证")] * 3
    # both optional: a file without them gives empty words
    data = small_scenario()
    import_scenario(session, data, street_name="另一个街道")
    posts = session.scalars(sa.select(Post).order_by(Post.id)).all()
    assert [(p.instructions, p.what_to_bring) for p in posts][-1] == ("", "")


def test_hongguang_fills_the_place_directory(session: Session) -> None:
    _, data = load_scenario_with_data(HONGGUANG)
    community = import_scenario(session, data)
    add_standard_year(session, community)

    places = session.scalars(sa.select(Place).where(Place.community_id == community.id)).all()
    kinds = Counter(p.kind for p in places)
    assert kinds[PlaceKind.ESTATE] == 21  # the 21 housing estates of seed 004
    assert kinds[PlaceKind.VENUE] == 1
    assert kinds[PlaceKind.BUILDING] == sum(1 for p in data["places"] if p["kind"] == "building")
    golden = next(p for p in places if p.name == "黄金花园")
    buildings = [p for p in places if p.estate_id == golden.id]
    assert buildings and all(p.lat is not None for p in buildings)
    # the households' addresses name buildings the directory has (「黄金花园3栋2单元501」)
    names = {b.name for b in buildings}
    addresses = [h["address"] for h in data["households"] if h["address"].startswith("黄金花园")]
    assert addresses and all(a[4:].split("单元")[0][:-1] in names for a in addresses)

    hall = next(p for p in places if p.kind == PlaceKind.VENUE)
    assert hall.name == "红光社区党群服务中心"
    at_hall = session.scalars(sa.select(Activity).where(Activity.place_id == hall.id)).all()
    assert at_hall and all((a.lat, a.lng) == (hall.lat, hall.lng) for a in at_hall)
    # the fixed year's activities are held at the hall of the directory
    rules = session.scalars(sa.select(RecurringActivity)).all()
    assert rules and {(r.place_id, r.lat, r.lng) for r in rules} == {(hall.id, hall.lat, hall.lng)}


def test_a_building_names_an_estate_listed_before_it(session: Session) -> None:
    data = small_scenario()
    data["places"] = [
        {"id": "b1", "kind": "building", "name": "1栋", "estate": "e1"},
        {"id": "e1", "kind": "estate", "name": "阳光小区", "location": HERE},
        {"id": "v1", "kind": "venue", "name": "广场"},
    ]
    with pytest.raises(ScenarioError) as caught:
        import_scenario(session, data)
    assert "楼栋须写明所属小区" in str(caught.value)
    assert "小区和场所须有坐标" in str(caught.value)
    assert count(session, Place) == 0

    data["places"] = [data["places"][1], data["places"][0]]
    import_scenario(session, data)
    building = session.scalars(sa.select(Place).where(Place.kind == PlaceKind.BUILDING)).one()
    assert building.estate is not None and building.location == (HERE["lat"], HERE["lng"])
