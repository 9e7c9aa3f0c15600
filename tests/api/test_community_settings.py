"""A community's settings over HTTP (auto-publish, the drafting day and time, the radius, the
visiting hours, the quarter's minimum), the matcher reading them, and the audit log listing
overrides, publishes and edits, filterable."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.services.problem import build_problem
from api.web.app import create_app
from matcher.domain import DemandKind
from tests.api.conftest import TEST_SETTINGS
from tests.support.http_world import WEEK, World

API = "/api/v1"
Headers = Callable[[str], dict[str, str]]


def test_settings_are_read_and_changed_and_the_matcher_uses_them(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    url = f"{API}/communities/{world['community_a']}/settings"
    headers = as_role("coordinator_a")
    before = client.get(url, headers=headers)
    assert before.status_code == 200, before.text
    assert before.json()["visit_start"] == "08:00" and before.json()["visit_end"] == "20:00"
    assert before.json()["auto_publish"] is False

    changed = client.patch(
        url,
        json={
            "auto_publish": True,
            "draft_weekday": 3,
            "draft_time": "19:30",
            "radius_m": 800,
            "visit_start": "09:00",
            "visit_end": "18:00",
            "quarter_minimum": 4,
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    after = client.get(url, headers=headers).json()
    assert {k: after[k] for k in changed.json()} == changed.json()
    assert (after["draft_weekday"], after["draft_time"], after["radius_m"]) == (3, "19:30", 800)

    db.rollback()  # a fresh read of what the request committed
    db.expire_all()
    problem, _ = build_problem(session=db, community_id=world["community_a"], week_start=WEEK)
    assert problem.settings.visit_hours == (9 * 60, 18 * 60)
    assert (problem.settings.radius_m, problem.settings.quarter_minimum) == (800, 4)
    db.rollback()  # reading a week may write its shifts: let the requests write again

    # a field left out stays; a bad one is refused with its name
    assert client.patch(url, json={"quarter_minimum": 2}, headers=headers).json()["radius_m"] == 800
    for body, field in (
        ({"visit_end": "08:00"}, "visit_end"),
        ({"visit_start": "18:30"}, "visit_start"),
        ({"radius_m": 50}, "radius_m"),
        ({"draft_time": "24:00"}, "draft_time"),
        ({"draft_time": "7pm"}, "draft_time"),
        ({"draft_weekday": 7}, "draft_weekday"),
        ({"auto_publish": None}, "auto_publish"),
        ({"objective": 1}, "objective"),
    ):
        bad = client.patch(url, json=body, headers=headers)
        assert bad.status_code == 422, (body, bad.text)
        assert [e["field"] for e in bad.json()["detail"]] == [field], (body, bad.text)

    assert client.get(url, headers=as_role("coordinator_b")).status_code == 404
    assert client.patch(url, json={}, headers=as_role("grid_leader_a")).status_code == 403


def test_the_audit_log_lists_overrides_publishes_and_edits_by_whom(
    client: TestClient, world: World, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    base = f"{API}/communities/{world['community_a']}"
    pinned = client.post(
        f"{base}/weeks/{WEEK.isoformat()}/overrides",
        json={
            "kind": "pin",
            "person_id": world["person_a1"],
            "demand_kind": DemandKind.ACTIVITY.value,
            "demand_id": world["activity_a"],
            "reason": "熟悉流程",
        },
        headers=headers,
    )
    assert pinned.status_code == 201, pinned.text
    assert (
        client.patch(
            f"{base}/settings", json={"quarter_minimum": 5}, headers=as_role("street_admin")
        ).status_code
        == 200
    )

    everything = client.get(f"{base}/audit", headers=headers).json()
    actions = [e["action"] for e in everything["items"]]
    assert actions[:2] == ["community.settings", "override.pin"]  # newest first
    overrides = client.get(f"{base}/audit", params={"kind": "override"}, headers=headers).json()
    assert [(e["action"], e["actor"], e["reason"]) for e in overrides["items"]] == [
        ("override.pin", "coordinator_a", "熟悉流程")
    ]
    edits = client.get(f"{base}/audit", params={"kind": "edit"}, headers=headers).json()
    assert [e["actor"] for e in edits["items"]] == ["street_admin"]
    by_admin = client.get(f"{base}/audit", params={"actor": "street"}, headers=headers).json()
    assert by_admin["total"] == 1
    assert client.get(f"{base}/audit", params={"kind": "x"}, headers=headers).status_code == 422
    # another community's log is not reachable; a member may not read any
    other = f"{API}/communities/{world['community_b']}/audit"
    assert client.get(other, headers=headers).status_code == 404
    assert client.get(f"{base}/audit", headers=as_role("member_a")).status_code == 403


def test_the_settings_say_which_channels_reach_the_community(
    db_engine: Engine, world: World, as_role: Headers
) -> None:
    """The inbox always; a community's group robot only where the deployment set one up for
    it; e-mail once a mail server is given."""
    robots = TEST_SETTINGS.model_copy(
        update={
            "wecom_robots": {world["community_a"]: "key-a"},
            "smtp_host": "127.0.0.1",
            "smtp_sender": "tongxin@example.org",
        }
    )
    headers = as_role("coordinator_a")
    for settings, expected in (
        (TEST_SETTINGS, {"inbox": True, "email": False, "sms": False, "wecom": False}),
        (robots, {"inbox": True, "email": True, "sms": False, "wecom": True}),
    ):
        with TestClient(create_app(settings, engine=db_engine)) as client:
            channels = client.get(
                f"{API}/communities/{world['community_a']}/settings", headers=headers
            ).json()["channels"]
        assert {k: channels[k] for k in expected} == expected
        assert channels["dingtalk"] is False
    # another community's robot is not this one's
    assert robots.channels_of(world["community_b"])["wecom"] is False
