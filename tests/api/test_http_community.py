"""Coordinators' resources: people, grids, wishes and their life, posts, the calendar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.services.problem import build_problem
from matcher.domain import Demand, DemandKind
from models import AuditLog, Community
from tests.support.http_world import HOUSEHOLD_ADDRESS, HOUSEHOLD_PHONE, WEEK, World

Headers = Callable[[str], dict[str, str]]
API = "/api/v1"


def test_people_filters_and_pages(client: TestClient, world: World, as_role: Headers) -> None:
    url = f"{API}/communities/{world['community_a']}/people"
    headers = as_role("coordinator_a")
    everyone = client.get(url, headers=headers).json()
    assert everyone["total"] == 2
    assert {p["phone_masked"] for p in everyone["items"]} == {"138****5678", "139****1111"}
    by_grid = client.get(url, params={"grid_id": world["grid_a2"]}, headers=headers).json()
    assert [p["id"] for p in by_grid["items"]] == [world["person_a2"]]
    assert client.get(url, params={"skill": "法律援助"}, headers=headers).json()["total"] == 0
    assert client.get(url, params={"skill": "水电维修"}, headers=headers).json()["total"] == 2
    assert client.get(url, params={"kind": "volunteer"}, headers=headers).json()["total"] == 0
    page = client.get(url, params={"limit": 1, "offset": 1}, headers=headers).json()
    assert (len(page["items"]), page["total"], page["offset"]) == (1, 2, 1)


def test_page_size_is_capped(client: TestClient, world: World, as_role: Headers) -> None:
    url = f"{API}/communities/{world['community_a']}/people"
    response = client.get(url, params={"limit": 101}, headers=as_role("coordinator_a"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "limit"
    assert response.json()["detail"][0]["msg"] == "每页最多 100 条"
    for params in ({"limit": 0}, {"offset": -1}, {"skill": "飞行"}, {"kind": "alien"}):
        bad = client.get(url, params=params, headers=as_role("coordinator_a"))
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["field"] == next(iter(params))


def test_grids(client: TestClient, world: World, as_role: Headers) -> None:
    grids = client.get(
        f"{API}/communities/{world['community_a']}/grids", headers=as_role("coordinator_a")
    ).json()
    assert [(g["name"], g["people"]) for g in grids] == [("第一网格", 1), ("第二网格", 1)]


WISH: dict[str, Any] = {
    "title": "陪同就医",
    "category": "助老",
    "duration_minutes": 120,
    "earliest": "2026-03-02",
    "deadline": "2026-03-06",
    "lat": 24.289,
    "lng": 116.122,
    "skills": ["助老"],
    "beneficiary": {
        "name": "王奶奶",
        "address": "幸福里5栋101",
        "phone": "13600001234",
        "situations": ["elderly_alone", "disabled"],
    },
}


def test_wish_life(client: TestClient, world: World, as_role: Headers, db: Session) -> None:
    headers = as_role("coordinator_a")
    created = client.post(
        f"{API}/communities/{world['community_a']}/wishes", json=WISH, headers=headers
    )
    assert created.status_code == 201, created.text
    wish = created.json()
    assert wish["status"] == "recorded"
    assert wish["beneficiary"]["address"] == "幸福里5栋101"
    assert wish["priority"] > 1  # from the situations
    url = f"{API}/wishes/{wish['id']}"

    for step in ("verified", "open", "assigned", "done"):
        moved = client.post(f"{url}/advance", json={"status": step}, headers=headers)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == step
    edited = client.patch(url, json={"title": "x"}, headers=headers)
    assert edited.status_code == 409
    rated = client.post(
        f"{url}/follow-up", json={"rating": 5, "comment": "很满意"}, headers=headers
    )
    assert rated.status_code == 201
    assert rated.json()["status"] == "followed_up"
    assert rated.json()["rating"] == 5
    assert rated.json()["follow_ups"][0]["comment"] == "很满意"
    actions = db.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[0] == "wish.create"
    assert actions.count("wish.advance") == 4
    assert "wish.follow_up" in actions
    # the log masks the household's private fields
    assert "幸福里5栋101" not in str(db.scalars(select(AuditLog.after)).all())


def test_invalid_advance_is_409_in_both_languages(
    client: TestClient, world: World, as_role: Headers
) -> None:
    url = f"{API}/wishes/{world['wish_a1']}/advance"
    zh = client.post(url, json={"status": "done"}, headers=as_role("coordinator_a"))
    assert zh.status_code == 409
    assert zh.json()["detail"] == "心愿不能从「已录入」变为「已办结」，可变为：已核实"
    en = client.post(
        url, json={"status": "done"}, headers={**as_role("coordinator_a"), "Accept-Language": "en"}
    )
    assert en.json()["detail"] == "A wish cannot go from recorded to done; allowed: verified"
    bad = client.post(url, json={"status": "finished"}, headers=as_role("coordinator_a"))
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "status"
    early = client.post(
        f"{API}/wishes/{world['wish_a1']}/follow-up",
        json={"rating": 4},
        headers=as_role("coordinator_a"),
    )
    assert early.status_code == 409
    for rating in (0, 6):
        out_of_range = client.post(
            f"{API}/wishes/{world['wish_a1']}/follow-up",
            json={"rating": rating},
            headers=as_role("coordinator_a"),
        )
        assert out_of_range.status_code == 422


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deadline": "2026-03-01"}, "deadline"),
        ({"duration_minutes": 2}, "duration_minutes"),
        ({"beneficiary": None}, "beneficiary"),
        ({"household_id": 1}, "beneficiary"),
        ({"grid_id": 999999}, "grid_id"),
        ({"lat": "NaN"}, "lat"),
        ({"title": ""}, "title"),
        ({"skills": ["不存在"]}, "skills.0"),
    ],
)
def test_wish_errors_name_the_field(
    client: TestClient, world: World, as_role: Headers, changes: dict[str, Any], field: str
) -> None:
    response = client.post(
        f"{API}/communities/{world['community_a']}/wishes",
        json={**WISH, **changes},
        headers=as_role("coordinator_a"),
    )
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["detail"]}


def test_patch_wish(client: TestClient, world: World, as_role: Headers) -> None:
    url = f"{API}/wishes/{world['wish_a1']}"
    headers = as_role("coordinator_a")
    changed = client.patch(url, json={"headcount": 2, "skills": ["助老"]}, headers=headers)
    assert changed.status_code == 200
    assert (changed.json()["headcount"], changed.json()["skills"]) == (2, ["助老"])
    assert client.patch(url, json={"title": None}, headers=headers).status_code == 422
    assert client.patch(url, json={"priority": None}, headers=headers).status_code == 200
    late = client.patch(url, json={"earliest": "2026-04-01"}, headers=headers)
    assert late.status_code == 422
    assert late.json()["detail"][0]["field"] == "deadline"


def test_a_group_wish_may_allow_separate_visits(
    client: TestClient, world: World, as_role: Headers, db: Session
) -> None:
    """The flag reaches the week the matcher sees: together by default, apart when asked."""
    url = f"{API}/wishes/{world['wish_a1']}"
    headers = as_role("coordinator_a")

    def demand() -> Demand:
        db.expire_all()
        problem, _ = build_problem(
            session=db, community_id=world["community_a"], week_start=WEEK, previous_run_id=None
        )
        (found,) = [d for d in problem.demands if d.kind is DemandKind.WISH and d.headcount == 2]
        db.rollback()  # let the next request write
        return found

    for step in ("verified", "open"):
        client.post(f"{url}/advance", json={"status": step}, headers=headers)
    grouped = client.patch(url, json={"headcount": 2}, headers=headers)
    assert grouped.json()["separate_visits"] is False
    assert demand().together
    apart = client.patch(url, json={"separate_visits": True}, headers=headers)
    assert apart.status_code == 200, apart.text
    assert apart.json()["separate_visits"] is True
    assert demand().separate_visits and not demand().together
    assert client.patch(url, json={"separate_visits": None}, headers=headers).status_code == 422


def test_wish_contact_only_for_its_coordinator(
    client: TestClient, world: World, as_role: Headers
) -> None:
    url = f"{API}/wishes/{world['wish_a1']}"
    coordinator = client.get(url, headers=as_role("coordinator_a"))
    assert coordinator.json()["beneficiary"]["phone"] == HOUSEHOLD_PHONE
    for role in ("street_admin", "grid_leader_a"):
        response = client.get(url, headers=as_role(role))
        assert response.status_code == 200
        assert "beneficiary" not in response.json()
        assert HOUSEHOLD_ADDRESS not in response.text
        assert HOUSEHOLD_PHONE[3:7] not in response.text
        assert "lat" not in response.json()
    listing = client.get(
        f"{API}/communities/{world['community_a']}/wishes", headers=as_role("coordinator_a")
    )
    assert HOUSEHOLD_ADDRESS not in listing.text
    assert listing.json()["total"] == 3


def test_posts_and_templates(client: TestClient, world: World, as_role: Headers) -> None:
    headers = as_role("coordinator_a")
    body: dict[str, Any] = {
        "name": "垃圾分类督导",
        "category": "垃圾分类",
        "place": "3号垃圾分类亭",
        "lat": 24.29,
        "lng": 116.12,
        "min_staff": 1,
        "max_staff": 2,
        "required_skills": ["垃圾分类"],
        "templates": [{"weekday": 0, "start": "07:00", "end": "08:30"}],
    }
    created = client.post(
        f"{API}/communities/{world['community_a']}/posts", json=body, headers=headers
    )
    assert created.status_code == 201, created.text
    post = created.json()
    assert post["templates"][0]["start"] == "07:00"
    url = f"{API}/posts/{post['id']}"
    added = client.post(
        f"{url}/templates", json={"weekday": 2, "start": "18:00", "end": "19:30"}, headers=headers
    )
    assert added.status_code == 201
    again = client.post(
        f"{url}/templates", json={"weekday": 2, "start": "18:00", "end": "19:00"}, headers=headers
    )
    assert again.status_code == 409
    assert len(client.get(url, headers=headers).json()["templates"]) == 2
    off = client.patch(url, json={"active": False, "max_staff": 3}, headers=headers)
    assert (off.json()["active"], off.json()["max_staff"]) == (False, 3)
    below = client.patch(url, json={"max_staff": 0}, headers=headers)
    assert below.status_code == 422
    below_min = client.patch(url, json={"min_staff": 5}, headers=headers)
    assert below_min.status_code == 422
    assert below_min.json()["detail"][0]["field"] == "max_staff"
    listed = client.get(f"{API}/communities/{world['community_a']}/posts", headers=headers).json()
    assert [p["name"] for p in listed] == ["党员先锋岗", "垃圾分类督导"]
    twice = client.post(
        f"{API}/communities/{world['community_a']}/posts",
        json={**body, "templates": [body["templates"][0]] * 2},
        headers=headers,
    )
    assert twice.status_code == 422
    assert twice.json()["detail"][0]["field"] == "templates"


def test_calendar_month(client: TestClient, world: World, as_role: Headers) -> None:
    headers = as_role("coordinator_a")
    url = f"{API}/communities/{world['community_a']}/calendar/2026/3"
    before = client.get(url, headers=headers).json()
    assert before["theme"] is None
    assert [a["name"] for a in before["activities"]] == ["学雷锋便民服务集市"]
    themed = client.put(url, json={"theme": "学雷锋志愿服务月", "service_day": 5}, headers=headers)
    assert themed.json()["theme"] == "学雷锋志愿服务月"
    activity = {
        "name": "义诊",
        "day": "2026-03-12",
        "start": "09:00",
        "end": "11:30",
        "place": "社区卫生站",
        "lat": 24.29,
        "lng": 116.12,
        "responsible_unit": "区人民医院",
        "roles": [{"skill": "医疗卫生", "headcount": 2}, {"headcount": 3}],
    }
    created = client.post(f"{url}/activities", json=activity, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["starts_at"] == "2026-03-12T01:00:00Z"  # 09:00 in Shanghai
    assert created.json()["headcount"] == 5
    after = client.get(url, headers=headers).json()
    assert len(after["activities"]) == 2
    wrong_month = client.post(
        f"{url}/activities", json={**activity, "day": "2026-04-01"}, headers=headers
    )
    assert wrong_month.status_code == 422
    assert wrong_month.json()["detail"][0]["field"] == "day"
    for path in ("calendar/2026/13", "calendar/1999/3", "calendar/2026/x"):
        response = client.get(f"{API}/communities/{world['community_a']}/{path}", headers=headers)
        assert response.status_code == 422
    bad_day = client.put(url, json={"theme": "x", "service_day": 31}, headers=headers)
    assert bad_day.json()["detail"][0]["field"] == "service_day"


def test_demo_community_lists(
    client: TestClient,
    demo_community: Community,
    make_user: Callable[..., Any],
    auth_headers: Callable[..., dict[str, str]],
) -> None:
    coordinator = make_user("coordinator", community=demo_community)
    headers = auth_headers(coordinator)
    people = client.get(
        f"{API}/communities/{demo_community.id}/people", params={"limit": 100}, headers=headers
    )
    assert people.status_code == 200
    assert people.json()["total"] > 100
    wishes = client.get(f"{API}/communities/{demo_community.id}/wishes", headers=headers)
    assert wishes.json()["total"] > 0
    assert all(w["status"] == "open" for w in wishes.json()["items"])


def test_yearly_calendar(client: TestClient, world: World, as_role: Headers) -> None:
    headers = as_role("coordinator_a")
    url = f"{API}/communities/{world['community_a']}/yearly-calendar"
    empty = client.get(url, headers=headers).json()
    assert [m["theme"] for m in empty["months"]] == [None] * 12
    assert empty["recurring"] == []
    march = client.put(
        f"{url}/months/3", json={"theme": "学雷锋志愿服务月", "service_day": 5}, headers=headers
    )
    assert march.status_code == 200, march.text
    assert march.json()["months"][2] == {"month": 3, "theme": "学雷锋志愿服务月", "service_day": 5}
    rule = {
        "name": "学雷锋便民服务集市",
        "month": 3,
        "day_rule": "weekday",
        "weekday": 5,
        "week_of_month": 2,
        "start": "09:00",
        "end": "11:00",
        "lat": 24.29,
        "lng": 116.12,
        "roles": [{"skill": "理发", "headcount": 2}],
    }
    created = client.post(f"{url}/activities", json=rule, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["start"] == "09:00"
    assert created.json()["roles"] == [{"skill": "理发", "headcount": 2, "team_id": None}]
    # a rule's fields must fit its kind: a weekday rule needs its weekday, a service day none
    for bad, field in (
        ({"weekday": None}, "body"),
        ({"day_rule": "service_day"}, "body"),
        ({"day_rule": "day_of_month", "weekday": None, "week_of_month": None}, "body"),
        ({"week_of_month": 6}, "week_of_month"),
        ({"end": "08:00"}, "end"),
    ):
        refused = client.post(f"{url}/activities", json={**rule, **bad}, headers=headers)
        assert refused.status_code == 422, bad
        assert refused.json()["detail"][0]["field"] == field, refused.json()
    missing = client.post(f"{url}/activities", json={**rule, "weekday": None}, headers=headers)
    assert missing.json()["detail"][0]["msg"] == "「固定星期」须填写星期"
    listed = client.get(url, headers=headers).json()["recurring"]
    assert [r["name"] for r in listed] == ["学雷锋便民服务集市"]
    stopped = client.delete(f"{API}/recurring-activities/{listed[0]['id']}", headers=headers)
    assert stopped.status_code == 204
    assert client.get(url, headers=headers).json()["recurring"][0]["active"] is False
    # another community's coordinator cannot see or stop it
    other = as_role("coordinator_b")
    gone = client.delete(f"{API}/recurring-activities/{listed[0]['id']}", headers=other)
    assert gone.status_code == 404
