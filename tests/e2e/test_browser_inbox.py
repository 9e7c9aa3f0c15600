"""The inbox on the phone: the unread count on the tab, each message once, opened and read.

A member of the demo community has three messages written by ``messages.tell`` (two tasks of
a published week and a notice, the notice told twice); the tab shows 3, the inbox lists three,
opening one marks it read and the count drops to 2, and stays so after a reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from api.services import messages
from api.services.security import hash_password
from models import Assignment, Person, Post, RunStatus, ScheduleRun, Shift, UserAccount, UserRole
from tests.support.chromium import PHONE, SKIP_REASON, browser_missing
from tests.support.live_server import LiveServer

if browser_missing():
    pytest.skip(SKIP_REASON, allow_module_level=True)

MEMBER = {"username": "inbox.member", "password": "tongxin-inbox-2026"}
TOLD_AT = datetime(2026, 2, 27, 13, 0, tzinfo=UTC)


def write_inbox(live_server: LiveServer) -> str:
    """A member account for a person of the demo with tasks; their messages. Their name."""
    with live_server.session() as session:
        run = ScheduleRun(
            community_id=session.scalars(sa.select(Person.community_id).limit(1)).one(),
            week_start=datetime(2026, 3, 2).date(),
            status=RunStatus.PUBLISHED,
        )
        person = session.scalars(sa.select(Person).order_by(Person.id).limit(1)).one()
        post = session.scalars(sa.select(Post).order_by(Post.id).limit(1)).one()
        session.add(run)
        session.flush()
        for day in (3, 5):
            start = datetime(2026, 3, day, 11, 0, tzinfo=UTC)
            shift = Shift(
                post=post, day=start.date(), starts_at=start, ends_at=start.replace(hour=13)
            )
            task = Assignment(
                run=run, person=person, starts_at=start, ends_at=start.replace(hour=13)
            )
            with session.no_autoflush:
                task.demand = shift
            session.add_all([shift, task])
            session.flush()
            messages.tell(
                session=session, event=messages.TaskAssigned(assignment_id=task.id), now=TOLD_AT
            )
        notice = messages.Notice(
            key="welcome",
            recipients=(f"person:{person.id}",),
            subject_zh="欢迎使用同心",
            subject_en="Welcome to Tongxin",
            body_zh="有新的服务任务、变动或提醒时，会在这里告诉您。",
            body_en="New tasks, changes and reminders appear here.",
        )
        for _ in range(2):  # the same notice twice: one message
            messages.tell(session=session, event=notice, now=TOLD_AT)
        session.add(
            UserAccount(
                username=MEMBER["username"],
                password_hash=hash_password(MEMBER["password"]),
                role=UserRole.MEMBER,
                person=person,
            )
        )
        session.commit()
        return person.name


@pytest.fixture(scope="module")
def member_phone(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_inbox_shows_each_message_once_and_counts_the_unread(
    live_server: LiveServer, member_phone: Any, screenshots: Path
) -> None:
    write_inbox(live_server)
    page = member_phone
    page.goto("/m/#/login")
    page.fill("input[name=username]", MEMBER["username"])
    page.fill("input[name=password]", MEMBER["password"])
    page.click("[data-test=login-submit]")
    badge = page.locator("[data-test=unread-count]")
    expect(badge).to_have_text("3")

    page.click("a.tab[href='#/messages']")
    cards = page.locator("[data-test=message]")
    expect(cards).to_have_count(3)
    expect(page.locator("[data-test=message][data-kind=notice]")).to_have_count(1)
    expect(page.locator("[data-test=unread-line]")).to_have_text("3 条未读")
    page.screenshot(path=str(screenshots / "phone-inbox.png"))

    first = cards.first
    first.locator(".message-head").click()
    expect(first.locator(".message-body")).to_be_visible()
    expect(badge).to_have_text("2")
    expect(page.locator("[data-test=unread-line]")).to_have_text("2 条未读")
    page.screenshot(path=str(screenshots / "phone-inbox-opened.png"))
    task = page.locator("[data-test=message][data-kind=task_assigned]").first
    task.locator(".message-head").click()
    # the task's time in the community's clock (11:00 UTC is 19:00 in 红光社区)
    expect(task.locator(".message-body")).to_contain_text("19:00–21:00")
    expect(badge).to_have_text("1")

    page.reload()
    expect(page.locator("[data-test=unread-count]")).to_have_text("1")
    expect(page.locator("[data-test=message]")).to_have_count(3)
    assert page.errors == []
