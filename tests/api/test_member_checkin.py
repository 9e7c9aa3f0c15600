"""签到 / 签退 over HTTP: the place's code (and its printable QR code) for the coordinator, the
member checking in and out, the hours and the wish that closes itself; hours without check-in
wait for the coordinator.

Runs on SQLite, and on PostgreSQL too when ``TONGXIN_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.services.checkin import code_for
from api.web.clock import now
from models import Message, Wish, WishStatus
from tests.api.conftest import TEST_SETTINGS, password_hash
from tests.support.member_loop import LoopWorld, build
from tests.support.rows import LAT, LNG

API = "/api/v1"
TUESDAY = date(2026, 3, 3)
#: about a kilometre north of the wish's household
KM_NORTH = LAT + 0.009

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def loop(db: Session) -> LoopWorld:
    return build(db, password_hash())


@pytest.fixture
def as_member(loop: LoopWorld, auth_headers: Any) -> Headers:
    def headers(name: str) -> dict[str, str]:
        user = loop.coordinator if name == "coordinator" else loop.users[name]
        return dict(auth_headers(user))

    return headers


@pytest.fixture
def at(app: FastAPI, loop: LoopWorld) -> Callable[[int], None]:
    """Set the requests' clock to a minute of Tuesday 3 March, local time."""

    def set_clock(minute_of_day: int) -> None:
        moment: datetime = loop.community.local_datetime(TUESDAY, minute_of_day)
        app.dependency_overrides[now] = lambda: moment

    return set_clock


def _fresh(db: Session) -> None:
    db.rollback()
    db.expire_all()


def test_the_coordinator_prints_the_code_as_a_qr_code(
    client: TestClient, loop: LoopWorld, as_member: Headers
) -> None:
    url = f"{API}/assignments/{loop.ids['on_wish']}/check-in-code"
    read = client.get(url, headers=as_member("coordinator"))
    assert read.status_code == 200, read.text
    code = read.json()["code"]
    assert len(code) == 6 and code == code.upper()
    assert code == code_for(
        demand_kind="wish", demand_id=loop.wish.id, secret_key=TEST_SETTINGS.secret_key
    )
    assert read.json()["url"].endswith(f"/m/#/check-in?code={code}")
    # one code per task, a different one for another task
    other = client.get(
        f"{API}/assignments/{loop.ids['on_vanguard']}/check-in-code",
        headers=as_member("coordinator"),
    ).json()["code"]
    assert other != code
    qr = client.get(read.json()["qr_url"], headers=as_member("coordinator"))
    assert qr.status_code == 200
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in qr.content and code.encode() in qr.content
    # a member reads no codes
    assert client.get(url, headers=as_member("张伟")).status_code == 403


def test_check_in_and_out_record_the_hours_and_the_wish_is_done_for_its_follow_up(
    client: TestClient,
    db: Session,
    loop: LoopWorld,
    as_member: Headers,
    at: Callable[[int], None],
) -> None:
    code = code_for(demand_kind="wish", demand_id=loop.wish.id, secret_key=TEST_SETTINGS.secret_key)
    me = as_member("张伟")
    at(8 * 60 + 30)  # 90 minutes before 10:00
    early = client.post(f"{API}/me/check-in", json={"code": code}, headers=me)
    assert early.status_code == 409
    assert "还没到签到时间" in early.json()["detail"]
    at(9 * 60 + 55)
    wrong = client.post(f"{API}/me/check-in", json={"code": "AAAAAA"}, headers=me)
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["field"] == "code"
    # another member cannot check in with a code of a task that is not theirs
    stranger = client.post(f"{API}/me/check-in", json={"code": code}, headers=as_member("李强"))
    assert stranger.status_code == 422
    checked_in = client.post(
        f"{API}/me/check-in",
        json={"code": code.lower(), "lat": KM_NORTH, "lng": LNG},
        headers=me,
    )
    assert checked_in.status_code == 200, checked_in.text
    body = checked_in.json()
    # arriving is saying yes: the proposed task is confirmed, and the household is shown
    assert body["status"] == "confirmed" and body["checked_in_at"]
    assert 950 < body["check_in_distance_m"] < 1050
    assert body["beneficiary"]["address"]
    twice = client.post(f"{API}/me/check-in", json={"code": code}, headers=me)
    assert twice.status_code == 409
    at(10 * 60 + 50)
    out = client.post(f"{API}/me/check-out", json={"code": code}, headers=me)
    assert out.status_code == 200, out.text
    # 10:00 to 10:50 (arriving early counts from the start), in quarters of an hour
    assert out.json()["status"] == "done"
    assert out.json()["hours_served"] == 0.75
    assert out.json()["beneficiary"] is None
    _fresh(db)
    wish = db.get(Wish, loop.wish.id)
    assert wish is not None and wish.status == WishStatus.DONE
    told = [m.recipient for m in db.scalars(sa.select(Message).where(Message.kind == "wish_done"))]
    assert told == [f"user:{loop.coordinator.id}"]
    # the 回访 is due: the coordinator records it at once
    visited = client.post(
        f"{API}/wishes/{loop.wish.id}/follow-up",
        json={"rating": 5},
        headers=as_member("coordinator"),
    )
    assert visited.status_code == 201, visited.text
    assert visited.json()["status"] == "followed_up"


def test_check_out_needs_a_check_in_and_time_runs_out(
    client: TestClient, loop: LoopWorld, as_member: Headers, at: Callable[[int], None]
) -> None:
    code = code_for(demand_kind="wish", demand_id=loop.wish.id, secret_key=TEST_SETTINGS.secret_key)
    me = as_member("张伟")
    at(10 * 60 + 10)
    first = client.post(f"{API}/me/check-out", json={"code": code}, headers=me)
    assert first.status_code == 409  # not checked in (the task is not even confirmed)
    at(11 * 60)
    over = client.post(f"{API}/me/check-in", json={"code": code}, headers=me)
    assert over.status_code == 409
    assert "任务已结束" in over.json()["detail"]


def test_hours_without_check_in_wait_for_the_coordinator_then_the_wish_is_done(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers
) -> None:
    me = as_member("张伟")
    base = f"{API}/me/assignments/{loop.ids['on_wish']}"
    assert client.post(f"{base}/confirm", headers=me).status_code == 200
    waiting = client.post(f"{base}/hours", json={"hours": 1}, headers=me)
    assert waiting.status_code == 200, waiting.text
    assert waiting.json()["status"] == "confirmed"
    assert waiting.json()["hours_requested"] == 1
    _fresh(db)
    wish = db.get(Wish, loop.wish.id)
    assert wish is not None and wish.status == WishStatus.ASSIGNED
    approved = client.post(
        f"{API}/assignments/{loop.ids['on_wish']}/hours",
        json={"hours": 1},
        headers=as_member("coordinator"),
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "done"
    _fresh(db)
    wish = db.get(Wish, loop.wish.id)
    assert wish is not None and wish.status == WishStatus.DONE


def test_hours_after_a_check_in_need_no_approval(
    client: TestClient,
    db: Session,
    loop: LoopWorld,
    as_member: Headers,
    at: Callable[[int], None],
) -> None:
    code = code_for(demand_kind="wish", demand_id=loop.wish.id, secret_key=TEST_SETTINGS.secret_key)
    me = as_member("张伟")
    at(10 * 60)
    client.post(f"{API}/me/check-in", json={"code": code}, headers=me).raise_for_status()
    logged = client.post(
        f"{API}/me/assignments/{loop.ids['on_wish']}/hours", json={"hours": 1}, headers=me
    )
    assert logged.status_code == 200, logged.text
    assert logged.json()["status"] == "done" and logged.json()["hours_served"] == 1
