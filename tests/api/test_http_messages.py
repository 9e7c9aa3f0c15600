"""``/me/messages``: the inbox of every role, paged with an unread count, read one by one;
publishing a week writes the members' messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.web import clock
from models import Message, RunStatus, ScheduleRun
from tests.support.http_world import World

Headers = Callable[[str], dict[str, str]]
INBOX = "/api/v1/me/messages"


def add_messages(db: Session, person_id: int, count: int) -> None:
    for i in range(count):
        db.add(
            Message(
                dedupe_key=f"test:{person_id}:{i}",
                kind="notice",
                person_id=person_id,
                subject=f"第{i}条",
                body="正文",
                link="",
            )
        )
    db.commit()


def test_the_inbox_pages_newest_first_and_counts_the_unread(
    client: TestClient, world: World, as_role: Headers, db: Session
) -> None:
    add_messages(db, world["person_a1"], 3)
    member = as_role("member_a")
    page = client.get(INBOX, params={"limit": 2}, headers=member)
    assert page.status_code == 200, page.text
    body = page.json()
    assert (body["total"], body["unread"], body["limit"], body["offset"]) == (4, 4, 2, 0)
    assert [m["subject"] for m in body["items"]] == ["第2条", "第1条"]
    rest = client.get(INBOX, params={"limit": 2, "offset": 2}, headers=member).json()
    assert [m["subject"] for m in rest["items"]] == ["第0条", "你好"]

    first = world["message_member_a"]
    read = client.post(f"{INBOX}/{first}/read", headers=member)
    assert read.status_code == 200
    assert read.json()["unread"] is False
    at = read.json()["read_at"]
    # reading again keeps the first time
    assert client.post(f"{INBOX}/{first}/read", headers=member).json()["read_at"] == at
    after = client.get(INBOX, headers=member).json()
    assert (after["total"], after["unread"]) == (4, 3)
    unread = client.get(INBOX, params={"unread_only": True}, headers=member).json()
    assert first not in [m["id"] for m in unread["items"]] and unread["total"] == 3
    assert client.get(f"{INBOX}/settings", headers=member).json()["unread"] == 3


def test_each_role_sees_only_its_own_inbox(
    client: TestClient, world: World, as_role: Headers
) -> None:
    coordinator = client.get(INBOX, headers=as_role("coordinator_a")).json()
    assert [m["id"] for m in coordinator["items"]] == [world["message_coordinator_a"]]
    assert client.get(INBOX, headers=as_role("coordinator_b")).json()["items"] == []
    other = client.post(
        f"{INBOX}/{world['message_member_a']}/read", headers=as_role("coordinator_a")
    )
    assert other.status_code == 404
    unknown = client.post(f"{INBOX}/999999/read", headers=as_role("member_a"))
    assert unknown.status_code == 404
    assert client.get(INBOX).status_code == 401
    assert client.get(INBOX, params={"limit": 1000}, headers=as_role("member_a")).status_code == 422


def test_where_messages_also_go(client: TestClient, world: World, as_role: Headers) -> None:
    member = as_role("member_a")
    bad = client.put(f"{INBOX}/settings", json={"email": "not-an-address"}, headers=member)
    assert bad.status_code == 422
    assert "电子邮箱" in bad.text
    good = client.put(
        f"{INBOX}/settings",
        json={"email": "wangfang@example.com", "language": "en"},
        headers=member,
    )
    assert good.status_code == 200, good.text
    assert good.json()["email_masked"] == "w*******@example.com"
    assert good.json()["language"] == "en"
    assert "wangfang@" not in good.text
    # a member's name and phone are their profile's; staff set the name and phone to call
    refused = client.put(f"{INBOX}/settings", json={"display_name": "王"}, headers=member)
    assert refused.status_code == 422
    assert "个人资料" in refused.text
    staff = client.put(
        f"{INBOX}/settings",
        json={"display_name": "陈书记", "phone": "13900001111"},
        headers=as_role("coordinator_a"),
    )
    assert staff.status_code == 200, staff.text
    bad_phone = client.put(
        f"{INBOX}/settings", json={"phone": "12345"}, headers=as_role("coordinator_a")
    )
    assert bad_phone.status_code == 422
    cleared = client.put(f"{INBOX}/settings", json={"email": ""}, headers=member)
    assert cleared.json()["email_masked"] == ""


def test_publishing_a_week_puts_the_task_in_the_member_inbox(
    app: FastAPI, client: TestClient, world: World, as_role: Headers, db: Session
) -> None:
    app.dependency_overrides[clock.now] = lambda: datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    client.put(
        f"{INBOX}/settings",
        json={"display_name": "陈书记", "phone": "13900001111"},
        headers=as_role("coordinator_a"),
    )
    draft = db.scalars(sa.select(ScheduleRun.id).where(ScheduleRun.status == RunStatus.DRAFT)).one()
    published = client.post(f"/api/v1/runs/{draft}/publish", headers=as_role("coordinator_a"))
    assert published.status_code == 200, published.text
    items = client.get(INBOX, headers=as_role("member_a")).json()["items"]
    [task] = [m for m in items if m["kind"] == "task_assigned"]
    assert task["subject"].startswith("新的服务任务：党员先锋岗")
    # Tuesday 3 March 11:00 UTC is 19:00 in the community
    assert "时间：3月3日（周二）19:00–22:00" in task["body"]
    assert "联系：陈书记 13900001111" in task["body"]
    assert task["link"] == "#/assignments"
