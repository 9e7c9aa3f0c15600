"""Done wishes stay done: a re-solve never takes away a service that happened (hours logged,
or a wish already closed), and a wish is closed (办结) only once its visit has begun.

On the test world (``http_world.py``): A's published plan has ``person_a1`` visiting
``wish_a1_assigned`` on Tuesday 3 March at 11:00 UTC and ``person_a2`` on a shift.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.web import clock
from models import Assignment, AssignmentStatus, Wish, WishStatus
from tests.support.http_world import WEEK, World
from tests.support.solve_queue import solve_queued

API = "/api/v1"
MONDAY = WEEK.isoformat()
Headers = Callable[[str], dict[str, str]]
#: the visit of ``wish_a1_assigned``
VISIT = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)


def _at(app: FastAPI, moment: datetime) -> None:
    app.dependency_overrides[clock.now] = lambda: moment


def _status(db: Session, world: World) -> WishStatus | None:
    """The wish's status as the requests committed it (a new transaction, read afresh)."""
    db.rollback()
    return db.scalar(sa.select(Wish.status).where(Wish.id == world["wish_a1_assigned"]))


def _close(client: TestClient, world: World, headers: dict[str, str]) -> Any:
    return client.post(
        f"{API}/wishes/{world['wish_a1_assigned']}/advance",
        json={"status": "done"},
        headers=headers,
    )


def test_a_wish_is_closed_only_once_its_visit_has_begun(
    app: FastAPI, client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    _at(app, datetime(2026, 3, 3, 10, 59, tzinfo=UTC))
    early = _close(client, world, headers)
    assert early.status_code == 409, early.text
    assert "开始前不能办结" in early.json()["detail"]
    assert _status(db, world) == WishStatus.ASSIGNED

    _at(app, VISIT)
    assert _close(client, world, headers).status_code == 200
    assert _status(db, world) == WishStatus.DONE


def _solve(client: TestClient, world: World, headers: dict[str, str]) -> dict[str, Any]:
    base = f"{API}/communities/{world['community_a']}/weeks/{MONDAY}"
    started = client.post(f"{base}/solve", params={"time_limit_s": 2}, headers=headers)
    assert started.status_code == 202, started.text
    solve_queued(client, started.json()["run_id"])
    run: dict[str, Any] = client.get(
        f"{API}/runs/{started.json()['run_id']}", headers=headers
    ).json()
    assert run["status"] == "draft", run
    return run


def test_a_re_solve_keeps_services_that_happened(
    app: FastAPI, client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    headers = as_role("coordinator_a")
    _at(app, VISIT)
    # the wish was visited, closed and followed up; the shift's hours were logged
    assert _close(client, world, headers).status_code == 200
    follow = client.post(
        f"{API}/wishes/{world['wish_a1_assigned']}/follow-up",
        json={"rating": 5, "comment": "很满意"},
        headers=headers,
    )
    assert follow.status_code == 201, follow.text
    shift = db.get(Assignment, world["assignment_other"])
    assert shift is not None
    shift.status, shift.hours_served = AssignmentStatus.DONE, 3.0
    db.commit()

    run = _solve(client, world, headers)
    kept = {(a["person_id"], a["demand_kind"], a["demand_id"]): a for a in run["assignments"]}
    visit = kept.get((world["person_a1"], "wish", world["wish_a1_assigned"]))
    assert visit is not None, "the followed-up wish lost its helper"
    assert visit["starts_at"].startswith("2026-03-03T11:00")
    served = kept.get((world["person_a2"], "shift", shift.shift_id))
    assert served is not None and served["status"] == "done"

    # published, the week still has both, and the wish stays followed up
    assert client.post(f"{API}/runs/{run['id']}/publish", headers=headers).status_code == 200
    again = _solve(client, world, headers)
    assert {(a["person_id"], a["demand_id"]) for a in again["assignments"]} >= {
        (world["person_a1"], world["wish_a1_assigned"]),
        (world["person_a2"], shift.shift_id),
    }
    assert _status(db, world) == WishStatus.FOLLOWED_UP
