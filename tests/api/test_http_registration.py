"""报到, login and the login rate limit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from api.schemas.privacy import PRIVACY_NOTICE_VERSION
from api.services.security import LoginThrottle, needs_rehash, verify_password
from api.web.app import create_app
from models import Community, LoginFailure, Person, UserAccount
from models.crypto import blind_index
from tests.api.conftest import TEST_SETTINGS
from tests.support.http_world import PASSWORD, World, registration


def test_register_then_log_in_with_the_phone(client: TestClient, world: World, db: Session) -> None:
    response = client.post("/api/v1/registrations", json=registration(world))
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"person"}  # no username: the phone is the login
    person = body["person"]
    assert person["phone_masked"] == "138****5678"
    assert "13812345678" not in response.text
    # no grid given: the grid whose centre is nearest the home (A2 is 0.01° north)
    assert person["grid_id"] == world["grid_a2"]
    assert person["skills"] == sorted(["医疗卫生", "助老"])
    assert person["consent_version"] == PRIVACY_NOTICE_VERSION
    assert person["consent_at"] is not None
    assert [w["weekday"] for w in person["availability"]] == [2, 5]

    stored = db.scalars(select(Person).where(Person.id == person["id"])).one()
    assert stored.phone == "13812345678"
    account = db.scalars(select(UserAccount).where(UserAccount.person_id == stored.id)).one()
    assert account.password_hash.startswith("$argon2id$")
    # found by a keyed hash of the phone; the phone itself is nowhere in plain text
    assert account.login_phone_key == blind_index("13812345678")
    assert "13812345678" not in account.username
    raw = db.execute(
        text("SELECT phone FROM person WHERE id = :id"), {"id": stored.id}
    ).scalar_one()
    assert "13812345678" not in raw

    # the phone as it is written on a card, with spaces or dashes
    token = client.post(
        "/api/v1/auth/token", data={"username": "138-1234-5678", "password": "守望相助共建家园"}
    )
    assert token.status_code == 200, token.text
    assert token.json()["token_type"] == "bearer"
    me = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert me.json()["role"] == "member"
    assert me.json()["person"]["name"] == "张伟"


def test_register_with_a_grid(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/registrations", json=registration(world, grid_id=world["grid_a1"])
    )
    assert response.json()["person"]["grid_id"] == world["grid_a1"]


def test_a_phone_registered_by_someone_else_is_409(client: TestClient, world: World) -> None:
    assert client.post("/api/v1/registrations", json=registration(world)).status_code == 201
    someone_else = registration(world, name="张薇", password="另一个人的新密码")
    again = client.post("/api/v1/registrations", json=someone_else)
    assert again.status_code == 409
    assert again.json()["detail"] == "这个手机号已经报到过，请直接用手机号登录"
    # another phone is another person
    other = registration(world, name="张薇", phone="139 0000 2222")
    assert client.post("/api/v1/registrations", json=other).status_code == 201


def test_a_phone_is_required(client: TestClient, world: World) -> None:
    body = registration(world)
    del body["phone"]
    response = client.post("/api/v1/registrations", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "phone"


def test_older_accounts_still_log_in_with_their_username(client: TestClient, world: World) -> None:
    login = client.post("/api/v1/auth/token", data={"username": "member_a", "password": PASSWORD})
    assert login.status_code == 200


def test_a_wrong_password_with_a_phone_is_counted_without_the_phone(
    client: TestClient, world: World, db: Session
) -> None:
    assert client.post("/api/v1/registrations", json=registration(world)).status_code == 201
    wrong = client.post(
        "/api/v1/auth/token", data={"username": "13812345678", "password": "不是这个密码"}
    )
    assert wrong.status_code == 401
    (failure,) = db.scalars(select(LoginFailure.username)).all()
    assert "13812345678" not in failure
    assert failure == "tel:" + blind_index("13812345678")[:40]


@pytest.mark.parametrize(
    ("changes", "field", "zh", "en"),
    [
        (
            {"consent": {"version": PRIVACY_NOTICE_VERSION, "accepted": False}},
            "consent.accepted",
            "须同意隐私说明",
            "privacy notice must be accepted",
        ),
        (
            {"consent": {"version": "1999", "accepted": True}},
            "consent.version",
            "隐私说明",
            "current privacy notice",
        ),
        ({"consent": None}, "consent", "应为对象", "Must be an object"),
        ({"skills": ["飞行"]}, "skills.0", "未知的专长", "unknown skill"),
        ({"phone": "12345"}, "phone", "手机号", "mobile number"),
        ({"password": "short"}, "password", "至少 8 个字符", "At least 8 characters"),
        ({"kind": "social_worker"}, "kind", "应为以下之一", "Must be one of"),
        ({"home": {"lat": 91, "lng": 0}}, "home.lat", "应不大于 90", "at most 90"),
        (
            {"availability": [{"weekday": 7, "start": "08:00", "end": "09:00"}]},
            "availability.0.weekday",
            "应不大于 6",
            "at most 6",
        ),
        (
            {"availability": [{"weekday": 1, "start": "10:00", "end": "09:00"}]},
            "availability.0.end",
            "结束时间须晚于开始时间",
            "end must be after start",
        ),
        (
            {"availability": [{"weekday": 1, "start": "25:00", "end": "26:00"}]},
            "availability.0.start",
            "HH:MM",
            "08:30",
        ),
        (
            {
                "availability": [
                    {"weekday": 1, "start": "08:00", "end": "10:00"},
                    {"weekday": 1, "start": "09:00", "end": "11:00"},
                ]
            },
            "availability",
            "重叠",
            "overlap",
        ),
        ({"weekly_hours_cap": -1}, "weekly_hours_cap", "应不小于 0", "at least 0"),
        ({"community_id": 999999}, "community_id", "没有这个社区", "No such community"),
        ({"grid_id": 999999}, "grid_id", "没有这个网格", "No such grid"),
        ({"username": "zhangwei"}, "username", "不接受此字段", "Unknown field"),
        ({"name": "张\x00伟"}, "name", "控制字符", "control characters"),
        ({"surprise": 1}, "surprise", "不接受此字段", "Unknown field"),
    ],
)
def test_registration_errors_name_the_field(
    client: TestClient, world: World, changes: dict[str, Any], field: str, zh: str, en: str
) -> None:
    body = registration(world, **changes)
    chinese = client.post("/api/v1/registrations", json=body)
    english = client.post(
        "/api/v1/registrations", json=body, headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    assert chinese.status_code == english.status_code == 422
    errors = {e["field"]: e["msg"] for e in chinese.json()["detail"]}
    assert field in errors, errors
    assert zh in errors[field]
    english_errors = {e["field"]: e["msg"] for e in english.json()["detail"]}
    assert en in english_errors[field]
    # nothing half-written
    assert client.post("/api/v1/registrations", json=registration(world)).status_code == 201


def test_missing_field_is_named(client: TestClient, world: World) -> None:
    body = registration(world)
    del body["consent"]
    response = client.post("/api/v1/registrations", json=body)
    assert response.json()["detail"] == [
        {"loc": ["body", "consent"], "field": "consent", "type": "missing", "msg": "必填"}
    ]


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/v1/registrations",
        content=b"{not json",
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Not valid JSON"


def test_wrong_password_and_unknown_user_answer_alike(client: TestClient, world: World) -> None:
    wrong = client.post("/api/v1/auth/token", data={"username": "member_a", "password": "nope"})
    unknown = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "手机号（用户名）或密码错误"}


def test_a_password_hashed_with_older_parameters_still_logs_in_and_is_redone(
    client: TestClient, world: World, db: Session
) -> None:
    user = db.scalars(select(UserAccount).where(UserAccount.username == "member_a")).one()
    user.password_hash = PasswordHasher().hash(PASSWORD)  # the library's heavier default
    db.commit()
    assert needs_rehash(user.password_hash)
    login = client.post("/api/v1/auth/token", data={"username": "member_a", "password": PASSWORD})
    assert login.status_code == 200
    db.expire_all()
    redone = db.get(UserAccount, user.id)
    assert redone is not None and not needs_rehash(redone.password_hash)
    assert verify_password(PASSWORD, redone.password_hash)


def test_login_is_rate_limited(client: TestClient, world: World) -> None:
    for _ in range(5):
        response = client.post(
            "/api/v1/auth/token", data={"username": "member_a", "password": "wrong"}
        )
        assert response.status_code == 401
    blocked = client.post("/api/v1/auth/token", data={"username": "member_a", "password": PASSWORD})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 300
    # another username from the same address is not blocked
    other = client.post(
        "/api/v1/auth/token", data={"username": "street_admin", "password": PASSWORD}
    )
    assert other.status_code == 200


def test_throttle_window_slides(db: Session) -> None:
    throttle = LoginThrottle(per_username=2, per_address=3, window_seconds=60)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def at(seconds: int) -> datetime:
        return start + timedelta(seconds=seconds)

    def wait(username: str, address: str, seconds: int) -> int:
        return throttle.retry_after(db, username=username, address=address, now=at(seconds))

    throttle.failed(db, username="k", address="10.0.0.1", now=at(0))
    throttle.failed(db, username="k", address="10.0.0.1", now=at(30))
    assert wait("k", "10.0.0.9", 30) == 30  # per username: until the failure at 0 has left
    assert wait("other", "10.0.0.9", 30) == 0
    assert wait("k", "10.0.0.9", 61) == 0
    throttle.failed(db, username="k", address="10.0.0.1", now=at(61))
    assert wait("k", "10.0.0.9", 61) == 29  # until the failure at 30 leaves the window
    # the address has 3 failures in the window, whatever the username
    throttle.failed(db, username="k2", address="10.0.0.1", now=at(62))
    assert wait("someone-else", "10.0.0.1", 62) == 28
    throttle.succeeded(db, username="k")
    assert wait("k", "10.0.0.9", 62) == 0
    # a right password forgets that username's failures, in the address's count too; the
    # other usernames' failures from the address still count
    assert db.scalars(select(LoginFailure.username)).all() == ["k2"]


def test_public_listing_and_privacy_notice(client: TestClient, world: World) -> None:
    communities = client.get("/api/v1/communities").json()
    assert [c["name"] for c in communities] == ["红光社区", "路东社区", "凤凰社区"]
    assert communities[0]["grids"][0] == {"id": world["grid_a1"], "name": "第一网格"}
    notice = client.get("/api/v1/privacy-notice").json()
    assert notice["version"] == PRIVACY_NOTICE_VERSION


def test_listing_tells_each_community_its_time_zone(
    client: TestClient, world: World, db: Session
) -> None:
    # a community in Xinjiang keeps Ürümqi time; the others keep the default, China time
    luodong = db.get(Community, world["community_b"])
    assert luodong is not None
    luodong.timezone = "Asia/Urumqi"
    db.commit()
    zones = {c["name"]: c["timezone"] for c in client.get("/api/v1/communities").json()}
    assert zones == {
        "红光社区": "Asia/Shanghai",
        "路东社区": "Asia/Urumqi",
        "凤凰社区": "Asia/Shanghai",
    }


def test_an_address_trying_many_usernames_is_stopped(client: TestClient, world: World) -> None:
    for n in range(20):
        wrong = client.post("/api/v1/auth/token", data={"username": f"guess{n}", "password": "x"})
        assert wrong.status_code == 401
    # a username never tried before, with the right password: the address is stopped
    blocked = client.post(
        "/api/v1/auth/token", data={"username": "street_admin", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


def test_a_forwarded_for_header_does_not_reset_the_count(client: TestClient, world: World) -> None:
    for n in range(5):
        client.post(
            "/api/v1/auth/token",
            data={"username": "member_a", "password": "wrong"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )
    again = client.post(
        "/api/v1/auth/token",
        data={"username": "member_a", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert again.status_code == 429


def test_every_web_process_counts_the_same_failures(
    client: TestClient, world: World, db_engine: Engine
) -> None:
    for _ in range(5):
        client.post("/api/v1/auth/token", data={"username": "member_a", "password": "wrong"})
    # a second web process of the same deployment (another app on the same database)
    with TestClient(create_app(TEST_SETTINGS, engine=db_engine)) as other_process:
        refused = other_process.post(
            "/api/v1/auth/token", data={"username": "member_a", "password": PASSWORD}
        )
    assert refused.status_code == 429


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_control_character_in_the_login_form_is_422(
    client: TestClient, world: World, field: str
) -> None:
    form = {"username": "member_a", "password": PASSWORD, field: "member\x00a"}
    response = client.post("/api/v1/auth/token", data=form)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field


@pytest.mark.parametrize(
    ("password", "zh"),
    [
        ("12345678", "太常见"),
        ("password", "太常见"),
        ("        ", "不能全是空格"),
        ("13812345678", "不能与手机号相同"),
        ("aaaaaaaaaa", "太常见"),
        ("abc\x00defgh", "控制字符"),
    ],
)
def test_weak_passwords_are_refused(
    client: TestClient, world: World, password: str, zh: str
) -> None:
    response = client.post("/api/v1/registrations", json=registration(world, password=password))
    assert response.status_code == 422
    (error,) = [e for e in response.json()["detail"] if e["field"] == "password"]
    assert zh in error["msg"]


def test_sending_the_same_registration_again_makes_no_second_account(
    client: TestClient, world: World, db: Session
) -> None:
    people_before = len(db.scalars(select(Person)).all())
    db.rollback()  # read again after the requests, not from this snapshot
    first = client.post("/api/v1/registrations", json=registration(world))
    retry = client.post("/api/v1/registrations", json=registration(world))
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    # the phone written another way is the same phone
    again = client.post("/api/v1/registrations", json=registration(world, phone="13812345678"))
    assert again.status_code == 201
    assert again.json() == first.json()
    accounts = db.scalars(
        select(UserAccount).where(UserAccount.login_phone_key == blind_index("13812345678"))
    ).all()
    assert len(accounts) == 1
    assert len(db.scalars(select(Person)).all()) == people_before + 1
    # the same phone with another password is someone else
    other = client.post(
        "/api/v1/registrations", json=registration(world, password="另一个人的新密码")
    )
    assert other.status_code == 409


def test_a_registration_waits_for_the_coordinator(
    client: TestClient, world: World, db: Session, as_role: Callable[[str], dict[str, str]]
) -> None:
    registered = client.post("/api/v1/registrations", json=registration(world)).json()["person"]
    assert registered["pending"] is True
    coordinator = as_role("coordinator_a")
    waiting = client.get(
        f"/api/v1/communities/{world['community_a']}/registrations", headers=coordinator
    )
    assert [p["id"] for p in waiting.json()] == [registered["id"]]
    # a claimed party membership stands only when the coordinator confirms it
    approved = client.post(
        f"/api/v1/people/{registered['id']}/approve", json={}, headers=coordinator
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["pending"] is False
    assert approved.json()["kind"] == "volunteer"
    again = client.post(f"/api/v1/people/{registered['id']}/approve", json={}, headers=coordinator)
    assert again.status_code == 409
    assert (
        client.get(
            f"/api/v1/communities/{world['community_a']}/registrations", headers=coordinator
        ).json()
        == []
    )


def test_a_confirmed_party_member_and_a_rejected_registration(
    client: TestClient, world: World, db: Session, as_role: Callable[[str], dict[str, str]]
) -> None:
    coordinator = as_role("coordinator_a")
    member = client.post("/api/v1/registrations", json=registration(world)).json()["person"]
    confirmed = client.post(
        f"/api/v1/people/{member['id']}/approve", json={"party_member": True}, headers=coordinator
    )
    assert confirmed.json()["kind"] == "party_member"
    body = registration(world, name="李娜", phone="139 0000 1111")
    stranger = client.post("/api/v1/registrations", json=body).json()["person"]
    rejected = client.post(f"/api/v1/people/{stranger['id']}/reject", headers=coordinator)
    assert rejected.status_code == 200
    assert rejected.json()["active"] is False
    login = client.post(
        "/api/v1/auth/token", data={"username": "13900001111", "password": "守望相助共建家园"}
    )
    assert login.status_code == 401


def test_a_member_picks_their_work_unit_at_registration(
    client: TestClient, world: World, as_role: Callable[[str], dict[str, str]]
) -> None:
    made = client.post(
        "/api/v1/work-units", json={"name": "区财政局"}, headers=as_role("coordinator_a")
    ).json()
    offered = client.get("/api/v1/work-units").json()
    assert offered == [{"id": made["id"], "name": "区财政局"}]  # names only, for anyone
    body = registration(world, work_unit_id=made["id"], work_unit="")
    person = client.post("/api/v1/registrations", json=body).json()["person"]
    assert (person["work_unit_id"], person["work_unit_name"]) == (made["id"], "区财政局")
    assert person["work_unit"] == "区财政局"
    unknown = client.post(
        "/api/v1/registrations",
        json=registration(world, phone="13900002222", work_unit_id=999999),
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["field"] == "work_unit_id"


def test_the_community_registration_link_and_its_qr_code(client: TestClient, world: World) -> None:
    link = client.get(f"/api/v1/communities/{world['community_a']}/registration-link")
    assert link.status_code == 200
    assert link.json()["url"].endswith(f"/m/#/register?community={world['community_a']}")
    qr = client.get(link.json()["qr_url"])
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.lstrip().startswith("<?xml") or "<svg" in qr.text[:200]
    assert client.get("/api/v1/communities/999999/registration-link").status_code == 404
