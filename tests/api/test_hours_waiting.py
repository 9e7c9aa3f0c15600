"""Hours logged without check-in wait for a coordinator: listed for the community, approved
as asked or adjusted (then they count in the dashboard), or refused (the member is told)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.web import clock
from models import Assignment, Message
from tests.support.http_world import World

Headers = Callable[[str], dict[str, str]]
API = "/api/v1"


@pytest.fixture
def logged(client: TestClient, world: World, as_role: Headers, app: FastAPI) -> str:
    """member_a confirmed their one-hour wish visit and logged 1.5 hours without check-in."""
    app.dependency_overrides[clock.now] = lambda: datetime(2026, 3, 12, 4, 0, tzinfo=UTC)
    mine = f"{API}/me/assignments/{world['assignment_own']}"
    assert client.post(f"{mine}/confirm", headers=as_role("member_a")).status_code == 200
    asked = client.post(f"{mine}/hours", json={"hours": 1.5}, headers=as_role("member_a"))
    assert asked.json()["hours_requested"] == 1.5
    return f"{API}/communities/{world['community_a']}/hours-waiting"


def _grid_hours(client: TestClient, world: World, as_role: Headers) -> dict[int, float]:
    body = client.get(
        f"{API}/communities/{world['community_a']}/dashboard",
        params={"weeks": 2, "months": 2},
        headers=as_role("coordinator_a"),
    ).json()
    return {g["grid_id"]: g["hours"] for g in body["hours_per_grid"]}


def test_the_waiting_hours_are_listed_with_the_task_length(
    client: TestClient, world: World, as_role: Headers, logged: str
) -> None:
    waiting = client.get(logged, headers=as_role("coordinator_a"))
    assert waiting.status_code == 200, waiting.text
    (item,) = waiting.json()
    assert item["assignment_id"] == world["assignment_own"]
    assert item["person_id"] == world["person_a1"]
    assert item["person_name"]
    assert item["title"]
    assert (item["hours_requested"], item["task_hours"]) == (1.5, 1.0)
    # another community's coordinator finds nothing there
    assert client.get(logged, headers=as_role("coordinator_b")).status_code == 404


def test_approving_adjusted_hours_makes_them_count(
    client: TestClient, world: World, as_role: Headers, logged: str, db: Session
) -> None:
    before = _grid_hours(client, world, as_role).get(world["grid_a1"], 0.0)
    approved = client.post(
        f"{API}/assignments/{world['assignment_own']}/hours",
        json={"hours": 1.25},
        headers=as_role("coordinator_a"),
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "done" and approved.json()["hours_served"] == 1.25
    assert client.get(logged, headers=as_role("coordinator_a")).json() == []
    assert _grid_hours(client, world, as_role)[world["grid_a1"]] == before + 1.25
    told = db.scalars(select(Message).where(Message.kind == "hours_approved")).one()
    assert told.person_id == world["person_a1"]
    # adjusted: the member reads what was approved beside what they logged
    assert "1.25 小时（你登记的是 1.5 小时）" in told.body


def test_hours_approved_as_logged_are_told_once(
    client: TestClient, world: World, as_role: Headers, logged: str, db: Session
) -> None:
    approved = client.post(
        f"{API}/assignments/{world['assignment_own']}/hours",
        json={"hours": 1.5},
        headers=as_role("coordinator_a"),
    )
    assert approved.status_code == 200, approved.text
    told = db.scalars(select(Message).where(Message.kind == "hours_approved")).one()
    assert "1.5 小时。" in told.body and "你登记的是" not in told.body


def test_refused_hours_do_not_count_and_the_member_is_told_why(
    client: TestClient, world: World, as_role: Headers, logged: str, db: Session
) -> None:
    before = _grid_hours(client, world, as_role).get(world["grid_a1"], 0.0)
    url = f"{API}/assignments/{world['assignment_own']}/hours/reject"
    refused = client.post(url, json={"reason": "当天未见到人"}, headers=as_role("coordinator_a"))
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "confirmed"
    assert refused.json()["hours_requested"] is None
    assert client.get(logged, headers=as_role("coordinator_a")).json() == []
    assert _grid_hours(client, world, as_role).get(world["grid_a1"], 0.0) == before
    told = db.scalars(select(Message).where(Message.kind == "hours_rejected")).one()
    assert told.person_id == world["person_a1"]
    assert "原因：当天未见到人" in told.body and "1.5 小时" in told.body
    again = client.post(url, json={}, headers=as_role("coordinator_a"))
    assert again.status_code == 409
    stored = db.get(Assignment, world["assignment_own"])
    assert stored is not None and stored.hours_served is None
