"""A member's own data: profile, availability, assignments, hours (the task card and the
calendar feed: ``test_task_card_and_calendar.py``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.schemas.people import AccountPublic, PersonSelf
from models import Assignment, AssignmentStatus
from models.base import utcnow
from models.person import Person
from models.work_unit import WorkUnit
from tests.support.http_world import HOUSEHOLD_ADDRESS, HOUSEHOLD_PHONE, World

Headers = Callable[[str], dict[str, str]]


def test_profile_masks_the_phone(client: TestClient, world: World, as_role: Headers) -> None:
    response = client.get("/api/v1/me", headers=as_role("member_a"))
    assert response.status_code == 200
    person = response.json()["person"]
    assert person["phone_masked"] == "138****5678"
    assert "13812345678" not in response.text
    assert "110101199003071234" not in response.text
    coordinator = client.get("/api/v1/me", headers=as_role("coordinator_a")).json()
    assert coordinator["person"] is None
    assert coordinator["community_ids"] == [world["community_a"]]
    admin = client.get("/api/v1/me", headers=as_role("street_admin")).json()
    assert admin["community_ids"] == sorted([world["community_a"], world["community_b"]])


def test_replace_availability(client: TestClient, world: World, as_role: Headers) -> None:
    body = {
        "availability": [{"weekday": 6, "start": "09:00", "end": "24:00"}],
        "unavailable_dates": ["2026-03-07", "2026-03-08"],
    }
    response = client.put("/api/v1/me/availability", json=body, headers=as_role("member_a"))
    assert response.status_code == 200, response.text
    assert response.json()["availability"] == [{"weekday": 6, "start": "09:00", "end": "24:00"}]
    # the same days again: rows are replaced, not duplicated
    again = client.put("/api/v1/me/availability", json=body, headers=as_role("member_a"))
    assert again.json()["unavailable_dates"] == ["2026-03-07", "2026-03-08"]
    bad = client.put(
        "/api/v1/me/availability",
        json={"availability": [{"weekday": 1, "start": "9", "end": "10:00"}]},
        headers={**as_role("member_a"), "Accept-Language": "en"},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "availability.0.start"


def test_profile_read_in_one_query_shows_what_the_person_holds(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    """``GET /me`` reads a member's lists in one query of its own; it shows the same profile as
    an answer made from the loaded person, every list and name included."""
    person = db.get(Person, world["person_a1"])
    assert person is not None
    unit = WorkUnit(name="区财政局")
    db.add(unit)
    person.unit = unit
    person.skills = {"水电维修", "理发"}
    person.preferred_categories = {"助老"}
    db.commit()
    body = {
        "availability": [
            {"weekday": 6, "start": "14:00", "end": "17:30"},
            {"weekday": 2, "start": "18:00", "end": "21:00"},
        ],
        "unavailable_dates": ["2026-03-08", "2026-03-07"],
    }
    written = client.put("/api/v1/me/availability", json=body, headers=as_role("member_a"))
    assert written.status_code == 200, written.text
    read = client.get("/api/v1/me", headers=as_role("member_a")).json()["person"]
    assert read == written.json()
    assert read["skills"] == ["水电维修", "理发"]
    assert read["service_categories"] == ["助老"]
    assert [w["weekday"] for w in read["availability"]] == [2, 6]
    assert read["unavailable_dates"] == ["2026-03-07", "2026-03-08"]
    assert (read["work_unit_name"], read["grid_name"]) == ("区财政局", "第一网格")
    assert read["community_name"] == person.community.name


def test_profile_is_the_schema_field_for_field(
    client: TestClient, app: FastAPI, db: Session, world: World, as_role: Headers
) -> None:
    """``GET /me`` makes its JSON itself: the body is what the documented schema gives, with
    every field, for a member with each field filled and for staff."""
    person = db.get(Person, world["person_a1"])
    assert person is not None
    person.consent_version, person.consent_at = "2026-01", datetime(2026, 2, 1, 8, 30, tzinfo=UTC)
    person.skills = {"理发"}
    db.commit()
    for name in ("member_a", "coordinator_a", "street_admin"):
        response = client.get("/api/v1/me", headers=as_role(name))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body == AccountPublic.model_validate(body).model_dump(mode="json")
        assert list(body) == list(AccountPublic.model_fields)
        assert (body["person"] is None) == (name != "member_a")
    member = client.get("/api/v1/me", headers=as_role("member_a")).json()
    assert list(member["person"]) == list(PersonSelf.model_fields)
    assert member["person"]["consent_at"] == "2026-02-01T08:30:00Z"
    assert member["person"]["skills"] == ["理发"]
    # the documents still describe it
    ok = app.openapi()["paths"]["/api/v1/me"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AccountPublic"
    }


def test_profile_goes_to_a_request_thread_once(
    client: TestClient, db: Session, world: World, as_role: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller, the profile and the JSON of ``GET /me`` are made in one request thread: each
    hop from the event loop to a thread costs a share of the request."""
    hops: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(function, "__qualname__", repr(function)))
        return await run_sync(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    assert client.get("/api/v1/me", headers=as_role("member_a")).status_code == 200
    assert len(hops) == 1, hops
    # the caller is checked as on every route: no token, or a closed account, is a 401
    assert client.get("/api/v1/me").status_code == 401
    headers = as_role("member_a")
    account = db.merge(world.users["member_a"])
    account.active = False
    db.commit()
    closed = client.get("/api/v1/me", headers=headers)
    assert closed.status_code == 401
    assert closed.headers["www-authenticate"] == "Bearer"


def test_assignments_come_from_published_runs_only(
    client: TestClient, world: World, as_role: Headers
) -> None:
    response = client.get("/api/v1/me/assignments", headers=as_role("member_a"))
    assert response.status_code == 200
    items = response.json()
    assert [a["id"] for a in items] == [world["assignment_own"]]
    # proposed only: the household's address and phone wait for the assignee's yes
    assert items[0]["beneficiary"] is None
    assert HOUSEHOLD_ADDRESS not in response.text
    url = f"/api/v1/me/assignments/{world['assignment_own']}"
    client.post(f"{url}/confirm", headers=as_role("member_a"))
    confirmed = client.get("/api/v1/me/assignments", headers=as_role("member_a")).json()
    # the assignee who said yes sees whom to visit
    assert confirmed[0]["beneficiary"] == {
        "name": "李秀英",
        "address": HOUSEHOLD_ADDRESS,
        "phone": HOUSEHOLD_PHONE,
    }
    # hours logged without check-in wait for the coordinator: the task is not done yet
    client.post(f"{url}/hours", json={"hours": 1}, headers=as_role("member_a"))
    waiting = client.get("/api/v1/me/assignments", headers=as_role("member_a")).json()
    assert waiting[0]["status"] == "confirmed" and waiting[0]["hours_requested"] == 1
    # and the contact goes once the service is done
    approved = client.post(
        f"/api/v1/assignments/{world['assignment_own']}/hours",
        json={"hours": 1},
        headers=as_role("coordinator_a"),
    )
    assert approved.status_code == 200, approved.text
    done = client.get("/api/v1/me/assignments", headers=as_role("member_a")).json()
    assert done[0]["status"] == "done"
    assert done[0]["beneficiary"] is None
    none = client.get("/api/v1/me/assignments?week_start=2026-03-09", headers=as_role("member_a"))
    assert none.json() == []


def test_confirm_decline_and_the_contact_goes(
    client: TestClient, world: World, as_role: Headers
) -> None:
    headers = as_role("member_a")
    base = f"/api/v1/me/assignments/{world['assignment_own']}"
    confirmed = client.post(f"{base}/confirm", headers=headers)
    assert confirmed.json()["status"] == "confirmed"
    twice = client.post(f"{base}/confirm", headers=headers)
    assert twice.status_code == 409
    assert twice.json()["detail"] == "任务已是「已确认」，不能改为「已确认」"
    declined = client.post(f"{base}/decline", json={"reason": "出差"}, headers=headers)
    assert declined.json()["status"] == "declined"
    # a declined helper no longer sees the household's address or phone
    assert declined.json()["beneficiary"] is None
    assert HOUSEHOLD_ADDRESS not in client.get("/api/v1/me/assignments", headers=headers).text
    english = client.post(
        f"{base}/hours", json={"hours": 1}, headers={**headers, "Accept-Language": "en"}
    )
    assert english.status_code == 409
    assert english.json()["detail"] == (
        "The assignment is declined; hours are logged on a confirmed task"
    )


def test_log_hours(client: TestClient, world: World, as_role: Headers) -> None:
    headers = as_role("member_a")
    url = f"/api/v1/me/assignments/{world['assignment_own']}/hours"
    # only on a task the member confirmed
    unconfirmed = client.post(url, json={"hours": 1}, headers=headers)
    assert unconfirmed.status_code == 409
    assert "确认接单" in unconfirmed.json()["detail"]
    client.post(f"/api/v1/me/assignments/{world['assignment_own']}/confirm", headers=headers)
    for hours in (0, -1, 24.5, "many"):
        response = client.post(url, json={"hours": hours}, headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "hours"
    # not checked in: the hours wait for the coordinator's approval
    waiting = client.post(url, json={"hours": 1.5}, headers=headers)
    assert waiting.status_code == 200
    assert waiting.json()["status"] == "confirmed"
    assert waiting.json()["hours_requested"] == 1.5
    assert waiting.json()["hours_served"] is None
    corrected = client.post(url, json={"hours": 2}, headers=headers)
    assert corrected.json()["hours_requested"] == 2
    # the task is an hour long: at most an hour more, unless the coordinator records it
    too_long = client.post(url, json={"hours": 8}, headers=headers)
    assert too_long.status_code == 422
    assert "最多可登记 2 小时" in too_long.json()["detail"][0]["msg"]
    vouched = client.post(
        f"/api/v1/assignments/{world['assignment_own']}/hours",
        json={"hours": 8},
        headers=as_role("coordinator_a"),
    )
    assert vouched.status_code == 200, vouched.text
    assert vouched.json()["status"] == "done"
    assert vouched.json()["hours_served"] == 8
    assert vouched.json()["hours_requested"] is None


def test_hours_wait_for_the_task_to_begin(
    client: TestClient, world: World, as_role: Headers, db: Session
) -> None:
    assignment = db.get(Assignment, world["assignment_own"])
    assert assignment is not None
    assignment.starts_at = utcnow() + timedelta(days=1)
    assignment.ends_at = assignment.starts_at + timedelta(hours=1)
    assignment.status = AssignmentStatus.CONFIRMED
    db.commit()
    url = f"/api/v1/me/assignments/{world['assignment_own']}/hours"
    early = client.post(url, json={"hours": 1}, headers=as_role("member_a"))
    assert early.status_code == 409
    assert "尚未开始" in early.json()["detail"]
