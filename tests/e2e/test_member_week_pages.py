"""The member's week on the phone, in Chromium: the task cards (soonest first; where, what to
do and bring, with whom, whom to call; past tasks folded and read-only; a wish's address only
once confirmed), the private calendar address and its renewal, and free times set with one tap
plus a day away or painted by dragging over the week grid, saved and read back. Screenshots go
to ``build/screenshots/week-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from api.services.security import hash_password
from models import Assignment, RunStatus, ScheduleRun, generate_shifts
from models.db import create_all, make_engine, make_session_factory
from tests.support.chromium import DESKTOP, PHONE, SKIP_REASON, browser_missing, shot
from tests.support.http_world import PASSWORD
from tests.support.live_server import LiveServer, serve
from tests.support.member_loop import LoopWorld, build, next_monday

if browser_missing():
    pytest.skip(SKIP_REASON, allow_module_level=True)

ADDRESS = "黄金花园3栋2单元501"  # the household of the loop's wish (tests/support/rows.py)
INSTRUCTIONS = "穿红马甲，在大厅门口引导办事群众"
BRING = "党员徽章、水杯"


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LoopWorld]]:
    """The loop's world next week, with the vanguard post's instructions, a coordinator to call,
    王芳 on 张伟's wish, and a task of two weeks ago 张伟 never answered."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('week') / 'tongxin.db'}"
    engine = make_engine(database_url)
    create_all(engine)
    monday = next_monday()
    with make_session_factory(engine)() as session:
        world = build(session, hash_password(PASSWORD), week_start=monday)
        world.vanguard.post.place = "红光社区党群服务中心"
        world.vanguard.post.instructions = INSTRUCTIONS
        world.vanguard.post.what_to_bring = BRING
        world.coordinator.display_name, world.coordinator.phone = "王书记", "13900001111"
        mate = Assignment(
            run=world.run,
            person=world.people["王芳"],
            starts_at=world.on_wish.starts_at,
            ends_at=world.on_wish.ends_at,
        )
        mate.demand = world.wish
        session.add(mate)
        earlier = monday - timedelta(days=14)
        old_shift = next(
            s
            for s in generate_shifts(session, world.community.id, earlier)
            if s.post_id == world.vanguard.post_id
        )
        old_run = ScheduleRun(
            community=world.community, week_start=earlier, status=RunStatus.PUBLISHED
        )
        old = Assignment(
            run=old_run,
            person=world.people["张伟"],
            starts_at=old_shift.starts_at,
            ends_at=old_shift.ends_at,
        )
        old.demand = old_shift
        session.add_all([old_run, old])
        session.commit()
        world.ids["old"] = old.id
    engine.dispose()
    with serve(database_url) as server:
        yield server, world


@pytest.fixture
def zhang(browser: Any, week: tuple[LiveServer, LoopWorld]) -> Iterator[Any]:
    """张伟's phone, logged in."""
    server, world = week
    context = browser.new_context(
        base_url=server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto("/m/#/login")
    page.fill("input[name=username]", world.users["张伟"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-test=login-submit]")
    expect(page.locator("[data-page=assignments]")).to_be_visible()
    yield page
    context.close()


def test_the_task_cards(zhang: Any, week: tuple[LiveServer, LoopWorld], screenshots: Path) -> None:
    _, world = week
    page = zhang
    upcoming = page.locator("[data-test=upcoming] > .assignment")
    # soonest first: the Tuesday wish, then the Saturday shift
    expect(upcoming).to_have_count(2)
    expect(upcoming.nth(0)).to_have_attribute("data-assignment", str(world.on_wish.id))
    expect(upcoming.nth(1)).to_have_attribute("data-assignment", str(world.on_vanguard.id))

    shift = page.locator(f'[data-assignment="{world.on_vanguard.id}"]')
    expect(shift.locator("[data-test=place]")).to_contain_text("党群服务中心")
    expect(shift.locator("[data-test=instructions]")).to_contain_text(INSTRUCTIONS)
    expect(shift.locator("[data-test=bring]")).to_contain_text(BRING)
    expect(shift.locator("[data-test=coordinator]")).to_contain_text("王书记 139****1111")
    expect(shift.locator("[data-test=coordinator] a")).to_have_attribute("href", "tel:13900001111")

    wish = page.locator(f'[data-assignment="{world.on_wish.id}"]')
    expect(wish.locator("[data-test=teammates]")).to_contain_text("王芳")
    # not confirmed yet: no address, only the promise of it
    expect(wish.locator("[data-test=contact-after-confirm]")).to_be_visible()
    expect(wish.locator("[data-test=place]")).to_have_count(0)
    expect(page.locator("[data-page=assignments]")).not_to_contain_text(ADDRESS)

    # two weeks ago, never answered: folded under 已结束, and nothing to confirm or decline
    past = page.locator("[data-test=past]")
    expect(past.locator("summary")).to_contain_text("已结束（1 项）")
    old = past.locator(f'[data-assignment="{world.ids["old"]}"]')
    expect(old).to_be_hidden()
    past.locator("summary").click()
    expect(old).to_be_visible()
    expect(old.locator("[data-test=status]")).to_have_text("待确认")
    expect(old.locator("[data-test=confirm]")).to_have_count(0)
    expect(old.locator("[data-test=decline]")).to_have_count(0)
    shot(page, screenshots, "week-cards", full_page=True)

    wish.locator("[data-test=confirm]").click()
    expect(page.locator(".toast").last).to_contain_text("已确认")
    expect(wish.locator("[data-test=place]")).to_contain_text(ADDRESS)
    expect(wish.locator("[data-test=beneficiary]")).to_contain_text("李秀英")
    wish.scroll_into_view_if_needed()
    shot(page, screenshots, "week-wish-confirmed", full_page=True)
    assert page.errors == []


def test_the_calendar_address(
    zhang: Any, week: tuple[LiveServer, LoopWorld], screenshots: Path
) -> None:
    server, world = week
    page = zhang
    page.click("[data-test=feed-on]")
    expect(page.locator(".toast").last).to_contain_text("日历订阅已开启")
    address = page.locator("[data-test=feed-url]")
    expect(address).to_have_value(re.compile(r"^webcal://.+/api/v1/calendar/[\w-]+\.ics$"))
    webcal = address.input_value()
    assert webcal.startswith("webcal://" + server.url.split("://", 1)[1])
    expect(page.locator("[data-test=feed-subscribe]")).to_have_attribute("href", webcal)
    url = "http://" + webcal.removeprefix("webcal://")
    # no login: the address is the key; the confirmed wish has its address in the feed
    answer = page.request.get(url)
    assert answer.status == 200
    events = {
        str(e["UID"]).split("@")[0]: e for e in Calendar.from_ical(answer.body()).walk("VEVENT")
    }
    wish = events[f"assignment-{world.on_wish.id}"]
    assert str(wish["LOCATION"]) == ADDRESS
    assert "同组：王芳" in str(wish["DESCRIPTION"])
    assert wish.walk("VALARM")
    page.locator("[data-test=calendar]").scroll_into_view_if_needed()
    shot(page, screenshots, "week-calendar", full_page=True)

    page.click("[data-test=feed-renew]")
    page.click("[data-test=feed-renew-sure]")
    expect(page.locator(".toast").last).to_contain_text("已换新地址")
    expect(address).not_to_have_value(webcal)
    assert page.request.get(url).status == 404
    renewed = "http://" + address.input_value().removeprefix("webcal://")
    assert page.request.get(renewed).status == 200
    assert page.errors == []


def test_free_times_with_one_tap_and_a_day_away(
    zhang: Any, week: tuple[LiveServer, LoopWorld], screenshots: Path
) -> None:
    page = zhang
    page.goto("/m/#/availability")
    page.click("[data-test=clear-week]")
    summary = page.locator("[data-test=availability-summary]")
    expect(summary).to_have_text("尚未登记空闲时间")
    page.click("[data-test=preset-weekdayEvenings]")
    expect(summary).to_have_text(
        "周一 18:00–21:00，周二 18:00–21:00，周三 18:00–21:00，周四 18:00–21:00，周五 18:00–21:00"
    )
    # Monday a little longer (two taps on half hours), then every weekday like Monday
    page.click("[data-day='0'][data-slot='42']")
    page.click("[data-day='0'][data-slot='43']")
    page.click("[data-test=copy-monday]")
    expect(summary).to_contain_text("周五 18:00–22:00")
    away = (next_monday() + timedelta(days=5)).isoformat()
    page.fill("input[name=day_off]", away)
    page.click("[data-test=add-day-off]")
    expect(page.locator(f".day-off[data-day='{away}']")).to_be_visible()
    shot(page, screenshots, "week-free-times", full_page=True)
    page.click("[data-test=save-availability]")
    expect(page.locator(".toast").last).to_contain_text("空闲时间已保存")

    page.reload()
    expect(page.locator("[data-day='2'][data-slot='38']")).to_have_class("cell on")
    expect(page.locator("[data-day='2'][data-slot='34']")).to_have_class("cell off")
    expect(page.locator("[data-day='5'][data-slot='20']")).to_have_class("cell off")
    expect(summary).to_contain_text("周三 18:00–22:00")
    expect(page.locator(f".day-off[data-day='{away}']")).to_contain_text("周六")
    # the same page in English
    page.click(".lang-toggle")
    expect(page.locator("[data-test=preset-weekdayEvenings]")).to_contain_text("Weekday evenings")
    expect(page.locator("[data-test=copy-monday]")).to_contain_text("Every weekday like Monday")
    expect(page.locator(f".day-off[data-day='{away}']")).to_contain_text("Sat")
    # nothing wider than the phone, in the longer language
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, screenshots, "week-free-times-en", full_page=True)
    page.goto("/m/#/assignments")
    expect(page.locator("[data-test=past] > summary")).to_contain_text("Over (1)")
    expect(page.locator("[data-test=feed-renew]")).to_have_text("Get a new address")
    shot(page, screenshots, "week-cards-en", full_page=True)
    assert page.errors == []


def drag(page: Any, day: int, first: int, last: int) -> None:
    """Press on one half-hour cell and drag with the mouse to another of the same day."""

    def middle(slot: int) -> tuple[float, float]:
        cell = page.locator(f"[data-day='{day}'][data-slot='{slot}']")
        cell.scroll_into_view_if_needed()
        box = cell.bounding_box()
        assert box is not None
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    start, end = middle(first), middle(last)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=12)
    page.mouse.up()


def saved_windows(page: Any) -> Any:
    """The member's weekly free times as the API has them (GET /me with the page's token)."""
    return page.evaluate(
        """async () => {
          const token = sessionStorage.getItem("tongxin.token");
          const answer = await fetch("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
          return (await answer.json()).person.availability;
        }"""
    )


def test_free_times_painted_by_dragging(
    zhang: Any, week: tuple[LiveServer, LoopWorld], screenshots: Path
) -> None:
    page = zhang
    page.goto("/m/#/availability")
    page.click("[data-test=clear-week]")
    summary = page.locator("[data-test=availability-summary]")
    expect(summary).to_have_text("尚未登记空闲时间")
    expect(page.locator("[data-test=week-grid]")).to_have_css("touch-action", "none")
    # Tuesday 19:00–21:00: from the 19:00 cell down to the 20:30 one
    drag(page, 1, 38, 41)
    expect(summary).to_have_text("周二 19:00–21:00")
    expect(page.locator(".week-grid .cell.on")).to_have_count(4)
    shot(page, screenshots, "week-free-times-painted", full_page=True)
    page.click("[data-test=save-availability]")
    expect(page.locator(".toast").last).to_contain_text("空闲时间已保存")

    page.reload()
    expect(page.locator("[data-day='1'][data-slot='38']")).to_have_class("cell on", timeout=30_000)
    expect(summary).to_have_text("周二 19:00–21:00")
    assert saved_windows(page) == [{"weekday": 1, "start": "19:00", "end": "21:00"}]

    # starting on a painted cell clears: 20:00–21:00 goes, 19:00–20:00 stays
    drag(page, 1, 40, 41)
    expect(summary).to_have_text("周二 19:00–20:00")
    expect(page.locator("[data-day='1'][data-slot='40']")).to_have_class("cell off")
    page.click("[data-test=save-availability]")
    expect(page.locator(".toast").last).to_contain_text("空闲时间已保存")
    assert saved_windows(page) == [{"weekday": 1, "start": "19:00", "end": "20:00"}]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("[data-test=week-grid]").scroll_into_view_if_needed()
    shot(page, screenshots, "week-free-times-cleared", full_page=True)
    assert page.errors == []


def test_the_coordinator_writes_what_the_helper_reads(
    browser: Any, zhang: Any, week: tuple[LiveServer, LoopWorld], screenshots: Path
) -> None:
    server, world = week
    context = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="zh-CN")
    desk = context.new_page()
    desk.set_default_timeout(20_000)
    desk.goto("/console/#/login")
    desk.fill("input[name=username]", world.coordinator.username)
    desk.fill("input[name=password]", PASSWORD)
    desk.click("[data-test=login-submit]")
    desk.goto("/console/#/wishes")
    row = desk.locator(".wish-table tbody tr", has_text=world.wish.title)
    expect(row).to_have_count(1)
    row.locator("[data-test=edit-wish]").click()
    form = desk.locator("[data-test=wish-form]")
    form.locator("textarea[name=instructions]").fill("老人耳背，请多敲几下门\n修好后试水五分钟")
    form.locator("input[name=what_to_bring]").fill("扳手、生料带")
    shot(desk, screenshots, "week-console-wish-instructions", full_page=True)
    form.locator("[data-test=save-wish]").click()
    expect(desk.locator(".toast").last).to_have_text("已保存")
    context.close()

    zhang.reload()
    card = zhang.locator(f'[data-assignment="{world.on_wish.id}"]')
    expect(card.locator("[data-test=instructions]")).to_contain_text("请多敲几下门")
    expect(card.locator("[data-test=instructions]")).to_contain_text("修好后试水五分钟")
    expect(card.locator("[data-test=bring]")).to_contain_text("扳手、生料带")
    card.scroll_into_view_if_needed()
    shot(zhang, screenshots, "week-wish-instructions", full_page=True)
    assert zhang.errors == []
