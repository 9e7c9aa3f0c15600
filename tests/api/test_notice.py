"""公示栏 The week's notice over HTTP: a grid's published services by day, with names of the
members serving and nothing private.

The world (``http_world.py``) has a published run of 红光社区 (A) for the week of 2026-03-02:
``person_a1`` (党员a1) on a wish of 李秀英 in 第一网格, whose address and phone must never
appear, and ``person_a2`` (党员a2) on a 党员先锋岗 shift of no grid; a draft puts 党员a1 on
that shift too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from models import Activity, Assignment, AssignmentStatus, Person, Post, ScheduleRun
from tests.support.http_world import HOUSEHOLD_ADDRESS, HOUSEHOLD_PHONE, PHONES, World

API = "/api/v1"
WEEK = "2026-03-02"
Headers = Callable[[str], dict[str, str]]


def _notice(
    client: TestClient, world: World, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    response = client.get(
        f"{API}/communities/{world['community_a']}/weeks/{WEEK}/notice",
        headers=headers,
        params=params,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _lines(notice: dict[str, Any]) -> list[tuple[str, str, str, str, list[str]]]:
    return [
        (day["day"], item["demand_kind"], item["title"], item["place"], item["people"])
        for day in notice["days"]
        for item in day["items"]
    ]


def _activity_in_grid_a2(db: Session, world: World) -> None:
    """The market activity in 第二网格, 党员a2 on it in the published run."""
    activity = db.get(Activity, world["activity_a"])
    run = db.get(ScheduleRun, world["run_a"])
    assert activity is not None and run is not None
    activity.grid_id = world["grid_a2"]
    helper = Assignment(
        run=run,
        person_id=world["person_a2"],
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
    )
    helper.demand = activity
    db.add(helper)
    db.commit()


def test_a_grids_notice_names_the_members_and_never_the_resident(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    _activity_in_grid_a2(db, world)

    response = client.get(
        f"{API}/communities/{world['community_a']}/weeks/{WEEK}/notice",
        headers=as_role("coordinator_a"),
        params={"grid_id": world["grid_a1"]},
    )

    assert response.status_code == 200, response.text
    notice = response.json()
    assert notice["grid_name"] == "第一网格"
    assert notice["published_run_id"] == world["run_a"]
    assert [day["day"] for day in notice["days"]] == [
        f"2026-03-0{d}" for d in range(2, 9)
    ]  # every day of the week, empty ones too
    # the wish as a house call with its category, and the community's shift; not 第二网格's
    assert _lines(notice) == [
        ("2026-03-03", "wish", "为一户居民上门服务（水电维修）", "", ["党员a1"]),
        ("2026-03-03", "shift", "党员先锋岗", "红光社区党群服务中心", ["党员a2"]),
    ]
    wish_line = notice["days"][1]["items"][0]
    assert wish_line["starts_at"] == "2026-03-03T19:00:00+08:00"  # the community's clock
    text = response.text
    # the resident: not their name, address, phone, nor the wish's own title
    for secret in [
        "李秀英",
        HOUSEHOLD_ADDRESS,
        HOUSEHOLD_PHONE,
        "更换漏水水龙头",
        *PHONES.values(),
    ]:
        assert secret not in text
    assert not re.search(r"1[3-9]\d{9}", text)
    assert "党员a1" in text


def test_the_notice_shows_the_published_plan_only_and_standing_assignments(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    _activity_in_grid_a2(db, world)
    own = db.get(Assignment, world["assignment_own"])
    assert own is not None
    own.status = AssignmentStatus.DECLINED
    db.commit()

    notice = _notice(client, world, as_role("coordinator_a"), grid_id=world["grid_a2"])

    # 第二网格: its activity and the community's shift; the draft's 党员a1 on the shift is not
    # published, and the declined wish is gone
    assert _lines(notice) == [
        ("2026-03-03", "shift", "党员先锋岗", "红光社区党群服务中心", ["党员a2"]),
        ("2026-03-05", "activity", "学雷锋便民服务集市", "广场", ["党员a2"]),
    ]
    whole = _notice(client, world, as_role("street_admin"))
    assert whole["grid_id"] is None
    assert [line[2] for line in _lines(whole)] == ["党员先锋岗", "学雷锋便民服务集市"]


def test_one_line_per_service_with_every_helper(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    other = db.get(Assignment, world["assignment_other"])
    person = db.get(Person, world["person_a1"])
    assert other is not None and other.shift is not None and person is not None
    second = Assignment(
        run_id=other.run_id,
        person=person,
        starts_at=other.starts_at + timedelta(hours=1),
        ends_at=other.ends_at + timedelta(hours=1),
    )
    second.demand = other.shift
    db.add(second)
    db.commit()

    notice = _notice(client, world, as_role("coordinator_a"), grid_id=world["grid_a1"])

    shift = next(i for d in notice["days"] for i in d["items"] if i["demand_kind"] == "shift")
    assert shift["people"] == ["党员a2", "党员a1"]
    assert shift["starts_at"] == "2026-03-03T19:00:00+08:00"
    assert shift["ends_at"] == "2026-03-03T23:00:00+08:00"


def test_a_week_without_a_published_plan_is_an_empty_notice(
    client: TestClient, world: World, as_role: Headers
) -> None:
    response = client.get(
        f"{API}/communities/{world['community_a']}/weeks/2026-03-09/notice",
        headers=as_role("coordinator_a"),
    )

    assert response.status_code == 200
    notice = response.json()
    assert notice["published_run_id"] is None
    assert len(notice["days"]) == 7 and all(not day["items"] for day in notice["days"])


def test_the_grid_must_be_the_communitys_and_the_readers(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    _activity_in_grid_a2(db, world)
    url = f"{API}/communities/{world['community_a']}/weeks/{WEEK}/notice"

    # another community's grid, or a grid leader's neighbour grid: as if unknown
    other = client.get(url, headers=as_role("coordinator_a"), params={"grid_id": world["grid_b1"]})
    assert other.status_code == 404
    assert "网格" in other.json()["detail"]
    leader = client.get(url, headers=as_role("grid_leader_a"), params={"grid_id": world["grid_a2"]})
    assert leader.status_code == 404
    # without a grid named, a grid leader gets their grid's services and the community's
    own = client.get(url, headers=as_role("grid_leader_a"))
    assert own.status_code == 200
    assert [line[2] for line in _lines(own.json())] == [
        "为一户居民上门服务（水电维修）",
        "党员先锋岗",
    ]
    # bad input: a clear 422 naming the field, never a 500
    bad_grid = client.get(url, headers=as_role("coordinator_a"), params={"grid_id": "first"})
    assert bad_grid.status_code == 422
    not_monday = client.get(
        f"{API}/communities/{world['community_a']}/weeks/2026-03-03/notice",
        headers=as_role("coordinator_a"),
    )
    assert not_monday.status_code == 422


def test_a_post_without_a_place_is_said_to_be_in_its_grid_else_the_community(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    post = db.get(Post, world["post_a"])
    assert post is not None
    post.place = ""
    db.commit()
    headers = as_role("coordinator_a")

    community_wide = _notice(client, world, headers, grid_id=world["grid_a1"])
    post.grid_id = world["grid_a1"]
    db.commit()
    in_grid = _notice(client, world, headers, grid_id=world["grid_a1"])

    assert [line[3] for line in _lines(community_wide) if line[1] == "shift"] == ["红光社区"]
    assert [line[3] for line in _lines(in_grid) if line[1] == "shift"] == ["第一网格"]
