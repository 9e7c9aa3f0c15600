"""The scheduling and report routes over HTTP: the happy path, scope, and bad input."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.services.scheduling import decline
from models import Community, UserRole
from tests.support.solve_queue import solve_queued

API = "/api/v1"
WEEK = "2026-03-02"
QUICK = {"time_limit_s": 2}


def test_solve_override_publish_replace_and_report(
    client: TestClient, db: Session, make_user: Any, auth_headers: Any, demo_community: Community
) -> None:
    coordinator = auth_headers(make_user(UserRole.COORDINATOR, community=demo_community))
    base = f"{API}/communities/{demo_community.id}"

    started = client.post(f"{base}/weeks/{WEEK}/solve", params=QUICK, headers=coordinator)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    assert started.json()["poll"] == f"{API}/runs/{run_id}"
    solve_queued(client, run_id)

    run = client.get(f"{API}/runs/{run_id}", headers=coordinator).json()
    assert run["status"] == "draft" and run["progress"] == 1.0
    assert run["assignments"] and run["assignments"][0]["reasons"][0]["zh"]
    assert all("phone" not in a and "address" not in a for a in run["assignments"])
    shift = next(a for a in run["assignments"] if a["demand_kind"] == "shift")

    override = client.post(
        f"{base}/weeks/{WEEK}/overrides",
        json={
            "kind": "unassign",
            "person_id": shift["person_id"],
            "demand_kind": "shift",
            "demand_id": shift["demand_id"],
            "reason": "本周出差",
        },
        headers=coordinator,
    )
    assert override.status_code == 201, override.text
    assert override.json()["kind"] == "forbid"

    again = client.post(f"{base}/weeks/{WEEK}/solve", params=QUICK, headers=coordinator)
    assert again.status_code == 202
    second_id = again.json()["run_id"]
    solve_queued(client, second_id)
    second = client.get(f"{API}/runs/{second_id}", headers=coordinator).json()
    assert second["status"] == "draft"
    assert not any(
        (a["person_id"], a["demand_id"]) == (shift["person_id"], shift["demand_id"])
        for a in second["assignments"]
        if a["demand_kind"] == "shift"
    )
    assert [o["id"] for o in second["overrides"]][-1] == override.json()["id"]

    published = client.post(f"{API}/runs/{second_id}/publish", headers=coordinator)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert client.post(f"{API}/runs/{second_id}/publish", headers=coordinator).status_code == 409

    # a member declines (through the service, as the member's own route would)
    gone = next(a for a in second["assignments"] if not a["pinned"])
    decline(session=db, assignment_id=gone["id"], actor=None)
    db.commit()
    ranked = client.get(f"{API}/assignments/{gone['id']}/replacements", headers=coordinator)
    assert ranked.status_code == 200, ranked.text
    best = ranked.json()[0]
    assert best["reasons"] and best["person_id"] != gone["person_id"]
    accepted = client.post(
        f"{API}/assignments/{gone['id']}/replacements/{best['person_id']}/accept",
        headers=coordinator,
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["person_id"] == best["person_id"]

    withdrawn = client.delete(f"{API}/overrides/{override.json()['id']}", headers=coordinator)
    assert withdrawn.status_code == 200 and withdrawn.json()["active"] is False

    report = client.get(f"{base}/reports/2026/3", headers=coordinator)
    assert report.status_code == 200, report.text
    assert report.json()["heads_filled"] > 0
    card = client.get(
        f"{API}/people/{best['person_id']}/service-record/2026/q1", headers=coordinator
    )
    assert card.status_code == 200, card.text
    assert len(card.json()["months"]) == 3


def test_scope_and_bad_input(
    client: TestClient, make_user: Any, auth_headers: Any, demo_community: Community
) -> None:
    stranger = auth_headers(make_user(UserRole.COORDINATOR))  # coordinates another community
    member = auth_headers(make_user(UserRole.MEMBER, community=demo_community))
    coordinator = auth_headers(make_user(UserRole.COORDINATOR, community=demo_community))
    base = f"{API}/communities/{demo_community.id}"

    assert client.post(f"{base}/weeks/{WEEK}/solve", headers=stranger).status_code == 404
    assert client.get(f"{base}/reports/2026/3", headers=stranger).status_code == 404
    assert client.post(f"{base}/weeks/{WEEK}/solve", headers=member).status_code == 403
    assert client.get(f"{API}/runs/999999", headers=coordinator).status_code == 404
    assert client.post(f"{base}/weeks/{WEEK}/solve").status_code == 401

    tuesday = client.post(f"{base}/weeks/2026-03-03/solve", headers=coordinator)
    assert tuesday.status_code == 422
    assert tuesday.json()["detail"][0]["field"] == "week_start"
    bad_kind = client.post(
        f"{base}/weeks/{WEEK}/overrides",
        json={"kind": "promote", "person_id": 1, "demand_kind": "shift", "demand_id": 1},
        headers=coordinator,
    )
    assert bad_kind.status_code == 422
    nobody = client.post(
        f"{base}/weeks/{WEEK}/overrides",
        json={"kind": "pin", "person_id": 2**31 - 1, "demand_kind": "shift", "demand_id": 1},
        headers=coordinator,
    )
    assert nobody.status_code == 422
    assert nobody.json()["detail"][0]["field"] == "person_id"
    assert client.get(f"{base}/reports/2026/13", headers=coordinator).status_code == 422
    assert (
        client.get(f"{API}/people/1/service-record/2026/q5", headers=coordinator).status_code == 422
    )
