"""People as a coordinator keeps them: found by name or by phone, corrected, deactivated and
taken back, with their history kept (test world: ``http_world.py``)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.services.problem import build_problem
from models import Assignment
from tests.support.http_world import PASSWORD, WEEK, World

API = "/api/v1"
Headers = Callable[[str], dict[str, str]]


def _found(client: TestClient, world: World, headers: dict[str, str], q: str) -> list[int]:
    answer = client.get(
        f"{API}/communities/{world['community_a']}/people", params={"q": q}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return [p["id"] for p in answer.json()["items"]]


def test_people_are_found_by_part_of_a_name_or_of_a_phone(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    a1 = client.get(f"{API}/people/{world['person_a1']}", headers=headers).json()
    part = a1["name"][1:]
    assert world["person_a1"] in _found(client, world, headers, part)
    assert _found(client, world, headers, "没有这个人") == []
    # four digits or more of the phone (13812345678); the phone itself never shows
    assert _found(client, world, headers, "5678") == [world["person_a1"]]
    assert _found(client, world, headers, "138-1234") == [world["person_a1"]]
    # another community's phone is not found here (person_b1: 13722223333)
    assert _found(client, world, headers, "2222") == []
    assert _found(client, world, headers, "%") == []
    listed = client.get(
        f"{API}/communities/{world['community_a']}/people", params={"q": "5678"}, headers=headers
    ).json()["items"][0]
    assert "5678" in listed["phone_masked"] and "1234" not in listed["phone_masked"]
    too_long = client.get(
        f"{API}/communities/{world['community_a']}/people", params={"q": "x" * 51}, headers=headers
    )
    assert too_long.status_code == 422


def test_a_person_is_corrected_and_the_matcher_reads_the_new_caps(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    url = f"{API}/people/{world['person_a1']}"
    changed = client.patch(
        url,
        json={"weekly_task_cap": 1, "weekly_hours_cap": 2.5, "skills": ["法律援助"]},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["weekly_task_cap"], changed.json()["skills"]) == (1, ["法律援助"])
    db.rollback()  # a new transaction: what the requests committed
    db.expire_all()
    problem, _ = build_problem(session=db, community_id=world["community_a"], week_start=WEEK)
    person = next(p for p in problem.people if p.id == str(world["person_a1"]))
    assert (person.weekly_task_cap, person.weekly_hours_cap) == (1, 2.5)
    assert person.skills == frozenset({"法律援助"})
    db.rollback()

    for body, field in (
        ({"name": None}, "name"),
        ({"grid_id": world["grid_b1"]}, "grid_id"),
        ({"weekly_task_cap": -1}, "weekly_task_cap"),
        ({"phone": "13800000000"}, "phone"),
    ):
        bad = client.patch(url, json=body, headers=headers)
        assert bad.status_code == 422, (body, bad.text)
        assert [e["field"] for e in bad.json()["detail"]] == [field]
    assert client.patch(url, json={}, headers=as_role("grid_leader_a")).status_code == 403
    assert client.patch(url, json={}, headers=as_role("coordinator_b")).status_code == 404


def test_a_deactivated_person_is_no_longer_planned_and_keeps_their_history(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    history = db.scalar(
        sa.select(sa.func.count())
        .select_from(Assignment)
        .where(Assignment.person_id == world["person_a1"])
    )
    assert history
    off = client.post(f"{API}/people/{world['person_a1']}/deactivate", headers=headers)
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False
    db.rollback()  # a new transaction: what the requests committed
    db.expire_all()
    problem, _ = build_problem(session=db, community_id=world["community_a"], week_start=WEEK)
    assert str(world["person_a1"]) not in {p.id for p in problem.people}
    db.rollback()
    # the account is closed with them; their assignments stay
    login = client.post(f"{API}/auth/token", data={"username": "member_a", "password": PASSWORD})
    assert login.status_code in (400, 401, 403), login.text
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Assignment)
            .where(Assignment.person_id == world["person_a1"])
        )
        == history
    )
    # still listed, marked inactive, and taken back on request
    found = _found(client, world, headers, "5678")
    assert found == [world["person_a1"]]
    back = client.post(f"{API}/people/{world['person_a1']}/activate", headers=headers)
    assert back.json()["active"] is True
    assert (
        client.post(
            f"{API}/auth/token", data={"username": "member_a", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_a_persons_pins_and_forbids_of_a_week_are_listed_and_one_is_withdrawn(
    client: TestClient, world: World, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    overrides = f"{API}/communities/{world['community_a']}/weeks/{WEEK.isoformat()}/overrides"

    def make(kind: str, person: str, demand_kind: str, demand: str) -> int:
        body = {
            "kind": kind,
            "person_id": world[person],
            "demand_kind": demand_kind,
            "demand_id": world[demand],
            "reason": "熟悉流程",
        }
        answer = client.post(overrides, json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        made: int = answer.json()["id"]
        return made

    pin = make("pin", "person_a1", "activity", "activity_a")
    make("forbid", "person_a1", "shift", "shift_a")
    make("pin", "person_a2", "activity", "activity_a")  # someone else's: not on a1's card
    mine = f"{API}/people/{world['person_a1']}/weeks/{WEEK.isoformat()}/overrides"

    listed = client.get(mine, headers=headers)

    assert listed.status_code == 200, listed.text
    assert [(o["kind"], o["title"], o["person_id"]) for o in listed.json()] == [
        ("pin", "学雷锋便民服务集市", world["person_a1"]),
        ("forbid", "党员先锋岗 周二 19:00–22:00", world["person_a1"]),
    ]
    # withdrawn from the card: gone from the list, still on the other person's
    assert client.delete(f"{API}/overrides/{pin}", headers=headers).status_code == 200
    assert [o["kind"] for o in client.get(mine, headers=headers).json()] == ["forbid"]
    theirs = client.get(
        f"{API}/people/{world['person_a2']}/weeks/{WEEK.isoformat()}/overrides", headers=headers
    )
    assert [o["kind"] for o in theirs.json()] == ["pin"]
    # another week has none; a date that is not a Monday is refused
    later = client.get(
        f"{API}/people/{world['person_a1']}/weeks/2026-03-09/overrides", headers=headers
    )
    assert later.json() == []
    tuesday = client.get(
        f"{API}/people/{world['person_a1']}/weeks/2026-03-03/overrides", headers=headers
    )
    assert tuesday.status_code == 422


def test_a_person_is_linked_to_a_work_unit_and_the_written_one_stays(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    made = client.post(
        f"{API}/work-units",
        json={"name": "区人民医院", "contact_email": "dangban@hospital.example.com"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["contact_email_masked"] == "d******@hospital.example.com"
    unit = made.json()["id"]
    url = f"{API}/people/{world['person_a1']}"
    before = client.get(url, headers=headers).json()
    linked = client.patch(url, json={"work_unit_id": unit}, headers=headers)
    assert linked.status_code == 200, linked.text
    assert (linked.json()["work_unit_id"], linked.json()["work_unit_name"]) == (unit, "区人民医院")
    assert linked.json()["work_unit"] == before["work_unit"]
    # a second unit of the same name is refused
    twice = client.post(f"{API}/work-units", json={"name": "区人民医院"}, headers=headers)
    assert twice.status_code == 409
    # a unit no longer offered cannot be picked; one that does not exist neither
    client.patch(f"{API}/work-units/{unit}", json={"active": False}, headers=headers)
    for bad_unit in (unit, 999999):
        refused = client.patch(url, json={"work_unit_id": bad_unit}, headers=headers)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["field"] == "work_unit_id"
    assert client.get(f"{API}/work-units").json() == []
    unlinked = client.patch(url, json={"work_unit_id": None}, headers=headers)
    assert unlinked.json()["work_unit_id"] is None
