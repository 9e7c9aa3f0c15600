"""The pages in a real browser, as people use them, against the real app and the demo community.

One story, in order (each test builds on the one before, and says so if it cannot):

1. a volunteer opens the community's registration link (its QR code), registers on a
   phone-size screen with their mobile number, logs in with it, sees the review pending and
   sets their free times;
2. the coordinator solves the week (progress, then the board), pins the volunteer on a slot
   from its ranked candidates, re-solves (and sees what moved), and publishes;
3. the volunteer sees the assignment on the phone, confirms it and, the demo week being past,
   logs the hours served, which the coordinator approves (no check-in); the phone and the
   console show times in the community's time zone;
4. the coordinator imports an Excel roster with one bad row (listed with its reason, nothing
   imported), then the corrected roster.

Also: the wish desk, the map (the street admin's, without wishes, and the coordinator's, with
them), the dashboard (ending with the published week), the year plan
(a month's theme, a recurring activity added and stopped), the messages at the bottom of the
screen (toasts), and the switch to English. Every page visited is saved to
``build/screenshots/<name>.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.support.chromium import (
    DESKTOP,
    PHONE,
    SKIP_REASON,
    browser_missing,
    log_in_console,
    shot,
)
from tests.support.live_server import DEMO_COORDINATOR, DEMO_USERNAME, LiveServer

# a skip for a missing program, never for a missing package: playwright is a dev dependency,
# but Chromium comes from the system's packages and is never downloaded
if browser_missing():
    pytest.skip(SKIP_REASON, allow_module_level=True)

WEEK = "2026-03-02"
SATURDAY = "2026-03-07"
SUNDAY = "2026-03-08"
#: the volunteer lives at the centre of 第一网格 (scenarios/hongguang.json)
HOME = {"latitude": 24.291561, "longitude": 116.119191}
VOLUNTEER = {"phone": "13911112222", "password": "tongxin-e2e-2026", "name": "李志远"}
#: Saturday morning and afternoon: whatever the first solve gives them, one half stays free
FREE_HOURS = {5: (8, 9, 10, 11, 14, 15, 16, 17)}
FREE_SUMMARY = "周六 08:00–12:00，周六 14:00–18:00"
SLOW_MS = 60_000
#: every button and form control on the phone is at least this tall (api/web/pages/static/css/mobile.css)
TAP_TARGET_PX = 44
#: the half-hour cells of the free-time grid are painted by dragging, not tapped one by one
TAP_TARGETS = (
    "main button:not([data-slot]), main select, main textarea,"
    " main input:not([type=checkbox]):not([type=radio]), .segment span, .chip span, label.check"
)


class Story:
    """What one step of the story leaves for the next."""

    #: the post the volunteer was pinned on, e.g. 第一网格党员责任区
    pinned_post = ""
    #: the whole title of its slot on the board, e.g. 第一网格党员责任区 周六 08:00–12:00
    pinned_title = ""
    published = False


@pytest.fixture(scope="module")
def story() -> Story:
    return Story()


def watch(page: Any) -> list[str]:
    """Uncaught errors of the page's scripts, collected so a test can insist there were none."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture(scope="module")
def phone(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """The volunteer's phone: 390×844, touch, and a location to register with."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation=HOME,
        permissions=["geolocation"],
        locale="zh-CN",
    )
    page = context.new_page()
    page.errors = watch(page)
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def desk(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """The coordinator's desktop browser."""
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.errors = watch(page)
    page.set_default_timeout(15_000)
    yield page
    context.close()


def short_tap_targets(page: Any) -> list[str]:
    """The visible buttons and form controls less than ``TAP_TARGET_PX`` tall."""
    found: list[str] = page.evaluate(
        """([selector, least]) => [...document.querySelectorAll(selector)]
            .filter((element) => element.getClientRects().length)
            .filter((element) => element.getBoundingClientRect().height < least)
            .map((element) => `${element.tagName} ${element.textContent || element.name}`)""",
        [TAP_TARGETS, TAP_TARGET_PX],
    )
    return found


# 1 -------------------------------------------------------------------------------------------


def page_height(page: Any) -> int:
    height: int = page.evaluate("document.documentElement.scrollHeight")
    return height


def test_volunteer_registers_logs_in_and_sets_free_times(
    phone: Any, screenshots: Path, live_server: LiveServer
) -> None:
    page = phone
    page.goto("/m/")
    expect(page.locator("[data-page=login]")).to_be_visible()
    shot(page, screenshots, "m-login")

    # the community's QR code opens its registration page with the community chosen
    (demo,) = [c for c in page.request.get("/api/v1/communities").json() if c["name"] == "红光社区"]
    link = page.request.get(f"/api/v1/communities/{demo['id']}/registration-link").json()
    assert link["url"] == f"{live_server.url}/m/#/register?community={demo['id']}"
    page.goto(link["url"])
    expect(page.locator("[data-page=register] h1")).to_have_text("到社区报到")
    expect(page.locator("select[name=community_id]")).to_have_value(str(demo["id"]))
    # what scheduling needs comes first; the rest is folded away
    expect(page.locator("select[name=grid_id]")).to_be_hidden()
    expect(page.locator("input[name=username]")).to_have_count(0)
    shot(page, screenshots, "m-register")
    folded = page_height(page)
    page.fill("input[name=name]", VOLUNTEER["name"])
    page.fill("input[name=phone]", "139 1111 2222")
    page.fill("input[name=password]", VOLUNTEER["password"])
    page.locator(".segment", has_text="在职党员").click()
    page.click("[data-test=use-location]")
    expect(page.locator("input[name=lat]")).to_have_value(str(HOME["latitude"]))
    expect(page.locator("input[name=lng]")).to_have_value(str(HOME["longitude"]))
    page.locator(".chip", has_text="助老").click()
    page.locator(".chip", has_text="周六上午").click()
    assert short_tap_targets(page) == []
    page.locator("[data-test=more] summary").click()
    page.select_option("select[name=grid_id]", label="第一网格")
    print(f"registration page: {folded} px folded, {page_height(page)} px with more open")
    page.locator("[data-test=more] summary").click()
    expect(page.locator("select[name=grid_id]")).to_be_hidden()
    page.locator(".notice-fold summary").click()
    expect(page.locator(".notice-text")).to_contain_text("服务登记卡")
    page.locator(".notice-fold summary").click()

    # without consent the API refuses, in Chinese, and the form names the field
    page.click("[data-page=register] button[type=submit]")
    refusal = page.locator("[data-page=register] .error")
    expect(refusal).to_have_text("隐私说明：须同意隐私说明才能报到")
    shot(page, screenshots, "m-register-refused")

    page.check("input[name=consent]")
    page.click("[data-page=register] button[type=submit]")
    expect(page.locator(".success")).to_contain_text("报到成功，请用手机号登录")
    # the login is the phone, filled in as it was typed
    login = page.locator("input[name=username]")
    expect(login).to_have_value("139 1111 2222")
    expect(page.locator("[data-page=login] label").first).to_contain_text("手机号")
    login.fill(VOLUNTEER["phone"])
    page.fill("input[name=password]", VOLUNTEER["password"])
    shot(page, screenshots, "m-login-after-register")
    page.click("[data-test=login-submit]")

    expect(page.locator("[data-page=assignments] h1")).to_have_text("我的任务")
    expect(page.locator(".greeting")).to_contain_text(VOLUNTEER["name"])
    expect(page.locator("[data-page=assignments] .notice")).to_contain_text("暂时没有")
    # 报到审核: the page says why no task comes yet
    expect(page.locator("[data-test=pending]")).to_contain_text("社区正在审核你的报到")
    shot(page, screenshots, "m-assignments-none")

    page.locator(".tab-bar .tab", has_text="空闲时间").click()
    summary = page.locator("[data-test=availability-summary]")
    # Saturday morning, chosen at registration
    expect(summary).to_have_text("周六 08:30–12:00")
    # cleared half hour by half hour (08:30 is slot 17, 11:30 slot 23) ...
    for slot in range(17, 24):
        page.click(f"[data-day='5'][data-slot='{slot}']")
    expect(summary).to_have_text("尚未登记空闲时间")
    # ... and set hour by hour, two half hours each
    assert short_tap_targets(page) == []
    for weekday, hours in FREE_HOURS.items():
        for hour in hours:
            for slot in (2 * hour, 2 * hour + 1):
                page.click(f"[data-day='{weekday}'][data-slot='{slot}']")
    expect(summary).to_have_text(FREE_SUMMARY)
    page.click("[data-test=save-availability]")
    expect(page.locator(".toast").last).to_have_text("空闲时间已保存")

    # what the page shows after a reload comes from the API, so it was saved
    page.reload()
    expect(summary).to_have_text(FREE_SUMMARY)
    expect(page.locator("[data-day='5'][data-slot='18']")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-day='4'][data-slot='18']")).to_have_attribute(
        "aria-pressed", "false"
    )
    shot(page, screenshots, "m-availability")
    assert page.errors == []


# 2 -------------------------------------------------------------------------------------------


def solved(page: Any, previous_run: str | None) -> str:
    """Wait until the solve started after ``previous_run`` is done; its run id."""
    progress = page.locator("[data-test=solve-progress]")
    expect(progress).to_be_visible()
    expect(progress.locator("[role=progressbar]")).to_be_visible()
    if previous_run is not None:
        expect(progress).not_to_have_attribute("data-run", previous_run, timeout=SLOW_MS)
    expect(progress).to_have_attribute("data-state", "done", timeout=SLOW_MS)
    expect(progress.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "100")
    run: str = progress.get_attribute("data-run")
    return run


def open_slot_with_free_volunteer(page: Any) -> tuple[Any, str]:
    """The first of the Saturday party-member slots where the volunteer is a candidate and not
    yet on it; its candidate row and the slot's title."""
    slots = page.locator(f".day[data-day='{SATURDAY}'] .slot", has_text="党员")
    panel = page.locator("[data-test=slot-panel]")
    for index in range(slots.count()):
        slot = slots.nth(index)
        title = slot.get_attribute("data-title")
        slot.click()
        expect(panel.locator("h2").first).to_have_text(title)
        expect(panel.locator("[data-test=candidates]")).to_have_attribute("data-state", "ready")
        panel.locator("[data-test=candidate-filter]").fill(VOLUNTEER["name"])
        row = panel.locator(".candidate-table tbody tr", has_text=VOLUNTEER["name"])
        if row.count() == 1 and "assigned" not in (row.get_attribute("class") or ""):
            return row, title
    raise AssertionError("the volunteer is a free candidate on no Saturday party-member slot")


def test_coordinator_solves_pins_resolves_and_publishes(
    desk: Any, screenshots: Path, story: Story
) -> None:
    page = desk
    # 报到审核 first: the registration waits for the coordinator, who confirms the membership
    log_in_console(page, "people", DEMO_USERNAME)
    waiting = page.locator("[data-test=registrations]")
    expect(waiting).to_be_visible()
    applicant = waiting.locator(".registration", has_text=VOLUNTEER["name"])
    expect(applicant).to_contain_text("自报在职党员")
    shot(page, screenshots, "console-registrations")
    applicant.locator("[data-test=approve-member]").click()
    expect(page.locator(".toast").last).to_contain_text(f"已通过：{VOLUNTEER['name']}")
    expect(waiting).to_be_hidden()

    page.goto(f"/console/#/board?week={WEEK}")
    shot(page, screenshots, "console-login")
    expect(page.locator("[data-page=board]")).to_be_visible()
    expect(page.locator("[data-test=week]")).to_have_value(WEEK)
    status = page.locator("[data-test=run-status]")
    expect(status).to_contain_text("本周尚未排班", timeout=SLOW_MS)
    expect(page.locator(".slot").first).to_be_visible()
    shot(page, screenshots, "console-board-unsolved")

    page.select_option("[data-test=time-limit]", "3")
    page.click("[data-test=solve]")
    first_run = solved(page, None)
    expect(status).to_contain_text(f"草稿 #{first_run}")
    expect(page.locator("[data-test=moves]")).to_contain_text("本周第一份草稿")
    expect(page.locator(".slot.full").first).to_be_visible()
    # every slot not full says why
    for gap in page.locator(".slot.partial, .slot.empty").all()[:5]:
        expect(gap.locator(".slot-gap")).not_to_be_empty()
    shot(page, screenshots, "console-board-draft")

    row, title = open_slot_with_free_volunteer(page)
    panel = page.locator("[data-test=slot-panel]")
    page.locator("[data-test=candidate-filter]").fill("")
    ranks = panel.locator(".candidate-table tbody tr td:first-child").all_inner_texts()
    assert ranks == [str(rank) for rank in range(1, len(ranks) + 1)], ranks
    panel.locator("[data-test=candidate-filter]").fill(VOLUNTEER["name"])
    expect(row.locator(".reasons li").first).to_be_visible()
    panel.locator("[data-test=override-reason]").fill("熟悉本网格")
    row.locator("[data-test=pin]").click()
    expect(page.locator(".toast").last).to_contain_text(f"已固定 {VOLUNTEER['name']}")
    pending = page.locator("[data-test=pending]")
    expect(pending).to_have_text("1 项调整待重新排班")
    expect(panel.locator(".people-list li", has_text=VOLUNTEER["name"])).to_contain_text("固定")
    # withdrawing the pin is a change for the next solve too; then the volunteer is pinned again
    panel.locator("[data-test=withdraw]").click()
    expect(page.locator(".toast").last).to_contain_text("已撤销")
    expect(pending).to_have_text("2 项调整待重新排班")
    expect(panel.locator("[data-test=withdraw]")).to_have_count(0)
    expect(panel.locator("[data-test=candidates]")).to_have_attribute("data-state", "ready")
    panel.locator("[data-test=candidate-filter]").fill(VOLUNTEER["name"])
    panel.locator("[data-test=override-reason]").fill("熟悉本网格")
    row.locator("[data-test=pin]").click()
    expect(pending).to_have_text("3 项调整待重新排班")
    expect(panel.locator(".people-list li", has_text=VOLUNTEER["name"])).to_contain_text("固定")
    shot(page, screenshots, "console-slot-panel")

    expect(page.locator("[data-test=solve]")).to_have_text("重新排班")
    page.click("[data-test=solve]")
    second_run = solved(page, first_run)
    moves = page.locator("[data-test=moves]")
    expect(moves).to_contain_text(f"与排班 #{first_run} 相比")
    added = moves.locator("li.added", has_text=VOLUNTEER["name"])
    expect(added).to_contain_text(title)
    expect(pending).to_be_hidden(timeout=SLOW_MS)
    pinned_card = page.locator(f".slot[data-title='{title}']")
    expect(pinned_card.locator(".person.pinned")).to_have_text(VOLUNTEER["name"])
    shot(page, screenshots, "console-moves")

    page.click("[data-test=publish]")
    page.locator("[data-test=publish-dialog] [data-test=publish-confirm]").click()
    expect(page.locator(".toast").last).to_contain_text(f"已发布排班 #{second_run}")
    expect(status).to_contain_text(f"已发布 #{second_run}")
    expect(page.locator("[data-test=publish]")).to_be_disabled()
    shot(page, screenshots, "console-board-published")
    assert page.errors == []
    # a board title is the post and its time; the member's list names the post only
    story.pinned_post = title.split(" ")[0]
    story.pinned_title = title
    story.published = True


# 3 -------------------------------------------------------------------------------------------


def test_volunteer_sees_and_confirms_the_assignment(
    phone: Any, screenshots: Path, story: Story, tmp_path: Path
) -> None:
    if not story.published:
        pytest.skip("the coordinator's flow did not publish a schedule")
    page = phone
    page.goto("/m/#/assignments")
    card = page.locator(".assignment", has_text=story.pinned_post)
    expect(card).to_have_count(1)
    expect(card.locator("[data-test=status]")).to_have_text("待确认")
    expect(card.locator(".when")).to_contain_text("周六")
    # approved by the coordinator meanwhile: the page no longer says the review is pending
    expect(page.locator("[data-test=pending]")).to_have_count(0)
    # the demo week is over: its task is folded under 已结束, with nothing to confirm or decline
    page.click("[data-test=past] > summary")
    expect(card).to_be_visible()
    expect(card.locator("[data-test=confirm]")).to_have_count(0)
    expect(card.locator("[data-test=decline]")).to_have_count(0)
    shot(page, screenshots, "m-assignments")

    # confirmed as it would have been in time, so that the hours can be logged
    confirmed = page.evaluate(
        """async (id) => (await fetch(`/api/v1/me/assignments/${id}/confirm`, {
            method: "POST",
            headers: {Authorization: `Bearer ${sessionStorage.getItem("tongxin.token")}`},
        })).status""",
        int(card.get_attribute("data-assignment") or 0),
    )
    assert confirmed == 200
    page.reload()
    page.click("[data-test=past] > summary")
    card = page.locator(".assignment", has_text=story.pinned_post)
    expect(card.locator("[data-test=status]")).to_have_text("已确认")
    expect(card.locator("[data-test=confirm]")).to_have_count(0)

    with page.expect_download() as download_info:
        page.click("[data-test=add-to-calendar]")
    calendar = tmp_path / "tongxin.ics"
    download_info.value.save_as(calendar)
    # unfold the long lines of iCalendar before looking for the title
    text = calendar.read_text(encoding="utf-8").replace("\r\n ", "")
    assert text.startswith("BEGIN:VCALENDAR")
    assert f"SUMMARY:{story.pinned_post}" in text
    shot(page, screenshots, "m-assignments-confirmed")

    # the demo week is past, so the confirmed assignment asks for the hours served, first
    # guessing its planned length
    start, end = clock_span(card.locator(".when").inner_text())
    hours = card.locator("[data-test=hours-form] input[name=hours]")
    expect(hours).to_have_value(f"{(end - start) / 60:g}")
    expect(hours).to_have_attribute("max", "24")
    expect(hours).to_have_attribute("step", "0.5")
    expect(card.locator("[data-test=decline]")).to_have_count(0)
    hours.fill("2.5")
    card.locator("[data-test=log-hours]").click()
    # no check-in at the place: the hours wait for the coordinator's approval
    expect(page.locator(".toast").last).to_have_text(
        "已提交服务时长 2.5 小时，没有签到记录，待协调员确认"
    )
    card = page.locator(".assignment", has_text=story.pinned_post)
    expect(card.locator("[data-test=status]")).to_have_text("已确认")
    expect(card.locator("[data-test=hours-requested]")).to_have_text(
        "已提交 2.5 小时，待协调员确认"
    )
    expect(card.locator("[data-test=hours-form]")).to_be_hidden()
    # what shows after a reload comes from the API, so it was saved
    page.reload()
    page.click("[data-test=past] > summary")
    expect(card.locator("[data-test=hours-requested]")).to_have_text(
        "已提交 2.5 小时，待协调员确认"
    )
    card.scroll_into_view_if_needed()
    shot(page, screenshots, "m-assignments-hours")
    assert page.errors == []


def clock_span(text: str) -> tuple[int, int]:
    """Start and end, in minutes of the day, of a text such as "3月7日 周六 08:00–12:00"."""
    match = re.search(r"(\d{2}):(\d{2})–(\d{2}):(\d{2})", text)
    assert match, text
    hour, minute, end_hour, end_minute = (int(part) for part in match.groups())
    return hour * 60 + minute, end_hour * 60 + end_minute


def set_community_zone(live_server: LiveServer, zone: str) -> None:
    """Every community's clock set to ``zone``, as an edit through the models would (so the
    change counter moves and the console's cached week is read again)."""
    from sqlalchemy import select

    from models import Community

    with live_server.session() as session:
        for community in session.scalars(select(Community)):
            community.timezone = zone
        session.commit()


def test_the_coordinator_approves_the_hours_logged_without_check_in(
    desk: Any, phone: Any, screenshots: Path, story: Story
) -> None:
    if not story.published:
        pytest.skip("the coordinator's flow did not publish a schedule")
    page = desk
    page.goto("/console/#/hours")
    if page.locator("[data-page=login]").is_visible():
        log_in_console(page, "hours", DEMO_USERNAME)
    waiting = page.locator("[data-test=hours-waiting]")
    expect(waiting).to_have_attribute("data-state", "ready", timeout=SLOW_MS)
    row = waiting.locator("tr", has_text=VOLUNTEER["name"])
    expect(row).to_contain_text(story.pinned_post)
    expect(row.locator("[data-test=hours-requested]")).to_have_text("2.5 小时")
    expect(row.locator("[data-test=approve-hours]")).to_have_value("2.5")
    shot(page, screenshots, "console-hours-waiting")
    # the coordinator knows it was two hours: adjusted, then approved
    row.locator("[data-test=approve-hours]").fill("2")
    row.locator("[data-test=approve]").click()
    expect(page.locator(".toast").last).to_have_text(f"已按 2 小时认可{VOLUNTEER['name']}的服务")
    expect(waiting.locator("tr", has_text=VOLUNTEER["name"])).to_have_count(0)
    shot(page, screenshots, "console-hours-approved")

    # the member's card: done, with the hours approved
    phone.goto("/m/#/assignments")
    phone.reload()
    card = phone.locator(".assignment", has_text=story.pinned_post)
    expect(card.locator("[data-test=status]")).to_have_text("已完成", timeout=SLOW_MS)
    expect(card.locator("[data-test=hours-requested]")).to_have_count(0)
    expect(card).to_contain_text("2 小时")
    phone.goto("/m/#/messages")
    expect(phone.locator("body")).to_contain_text("你登记的服务时长已被认可", timeout=SLOW_MS)
    shot(phone, screenshots, "m-hours-approved")
    assert page.errors == [] and phone.errors == []


def test_the_registration_poster_and_the_work_units(desk: Any, screenshots: Path) -> None:
    page = desk
    page.goto("/console/#/settings")
    if page.locator("[data-page=login]").is_visible():
        log_in_console(page, "settings", DEMO_USERNAME)
    poster = page.locator("[data-test=registration-poster]")
    expect(poster).to_contain_text("红光社区 党员志愿者报到")
    expect(poster.locator("[data-test=registration-url]")).to_contain_text(
        "/m/#/register?community="
    )
    qr = poster.locator("[data-test=registration-qr]")
    qr.scroll_into_view_if_needed()
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("image => image.naturalWidth") > 100  # the SVG loaded and drew
    shot(page, screenshots, "console-registration-poster")
    page.emulate_media(media="print")
    shot(page, screenshots, "console-registration-poster-print")
    page.emulate_media(media="screen")

    page.goto("/console/#/units")
    expect(page.locator("[data-test=units]")).to_have_attribute("data-state", "ready")
    page.fill("[data-test=unit-name]", "区人民医院")
    page.fill("[data-test=unit-contact]", "刘主任")
    page.fill("[data-test=unit-email]", "dangban@hospital.example.com")
    page.click("[data-test=save-unit]")
    expect(page.locator(".toast").last).to_have_text("已保存「区人民医院」")
    row = page.locator("[data-test=units] tr", has_text="区人民医院")
    expect(row).to_contain_text("d******@hospital.example.com")
    shot(page, screenshots, "console-work-units")
    assert page.errors == []


def test_times_are_shown_in_the_community_time_zone(
    phone: Any, desk: Any, live_server: LiveServer, story: Story
) -> None:
    if not story.published:
        pytest.skip("the coordinator's flow did not publish a schedule")
    phone.goto("/m/#/assignments")
    when = phone.locator(".assignment", has_text=story.pinned_post).locator(".when")
    expect(when).to_contain_text("周六")
    # the demo week is past: its card may sit in the folded 已结束 list, so its words are read
    # as text, not as shown
    china = clock_span(when.text_content() or "")
    slot_time = desk.locator(f".slot[data-title='{story.pinned_title}'] .slot-time")
    desk.goto(f"/console/#/board?week={WEEK}")
    expect(slot_time).to_have_text(re.compile(r"\d{2}:\d{2}–"))
    assert clock_span(slot_time.inner_text()) == china
    # Ürümqi's clock is two hours behind Beijing's: the assignment, a moment already fixed,
    # reads two hours earlier; the post's shift, a time of day in the community's own clock,
    # still reads as its title says (in Beijing time it would read two hours later)
    set_community_zone(live_server, "Asia/Urumqi")
    try:
        earlier = f"{(china[0] - 120) // 60:02d}:{china[0] % 60:02d}–"
        phone.reload()
        expect(when).to_contain_text(earlier)
        desk.reload()
        expect(slot_time).to_have_text(re.compile(r"\d{2}:\d{2}–"))
        assert clock_span(slot_time.inner_text()) == clock_span(story.pinned_title) == china
    finally:
        set_community_zone(live_server, "Asia/Shanghai")
        phone.reload()
        desk.reload()
    expect(when).to_contain_text(f"{china[0] // 60:02d}:{china[0] % 60:02d}–")
    assert phone.errors == [] and desk.errors == []


# 4 -------------------------------------------------------------------------------------------


def stored_rows(live_server: LiveServer, sql: str) -> list[tuple[Any, ...]]:
    """Rows read straight from the live server's database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(live_server.database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def roster_file(template: Path, target: Path, rows: list[dict[str, str]]) -> Path:
    """The downloaded template filled in with ``rows`` (by the Chinese column name)."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.worksheets[0]
    headers = [str(cell.value or "") for cell in sheet[1]]
    position = {header.split(" (")[0]: index for index, header in enumerate(headers)}
    for row in rows:
        values: list[str | None] = [None] * len(headers)
        for name, value in row.items():
            values[position[name]] = value
        sheet.append(values)
    workbook.save(target)
    return target


def people_total(page: Any) -> int:
    text = page.locator("[data-test=people-total]").inner_text()
    match = re.search(r"\d+", text)
    assert match, text
    return int(match.group())


def test_roster_with_a_bad_row_imports_nothing_until_fixed(
    desk: Any, screenshots: Path, tmp_path: Path, live_server: LiveServer
) -> None:
    page = desk
    page.goto("/console/#/people")
    if page.locator("[data-page=login]").is_visible():
        log_in_console(page, "people", DEMO_USERNAME)
    expect(page.locator("[data-page=people]")).to_be_visible()
    expect(page.locator("[data-test=people-total]")).to_be_visible()
    before = people_total(page)
    shot(page, screenshots, "console-people")

    with page.expect_download() as download_info:
        page.click("[data-test=roster-template]")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    good = {
        "姓名": "赵红梅",
        "手机号": "13700001111",
        "类型": "志愿者",
        "网格": "第二网格",
        "专长": "助老、宣传教育",
        # the home by estate and building of the place directory, no coordinates
        "小区": "黄金花园",
        "楼栋": "3号楼",
        "周六": "08:30-12:00",
    }
    # estate and building in one cell, written the way a paper list has it
    second = {
        **good,
        "姓名": "钱建国",
        "手机号": "13700002222",
        "类型": "党员",
        "小区": "黄金花园 3栋",
        "楼栋": "",
    }
    bad_file = roster_file(template, tmp_path / "bad.xlsx", [good, {**second, "手机号": "1370000"}])
    page.set_input_files("[data-test=roster-file]", str(bad_file))
    page.click("[data-test=roster-import]")
    result = page.locator("[data-test=roster-result]")
    expect(result.locator("[data-outcome=refused]")).to_be_visible()
    bad_row = result.locator("[data-test=bad-rows] tr[data-row='3']")
    expect(bad_row).to_contain_text("手机号")
    expect(result.locator("[data-test=bad-rows] tbody tr")).to_have_count(1)
    shot(page, screenshots, "console-roster-refused")
    page.click("button[type=submit]:has-text('筛选')")
    expect(page.locator("[data-test=people-total]")).to_have_text(f"共 {before} 条")

    fixed_file = roster_file(template, tmp_path / "fixed.xlsx", [good, second])
    page.set_input_files("[data-test=roster-file]", str(fixed_file))
    page.click("[data-test=roster-check]")
    expect(result.locator("[data-outcome=checked]")).to_contain_text("可新增 2 人")
    expect(page.locator("[data-test=people-total]")).to_have_text(f"共 {before} 条")
    page.click("[data-test=roster-import]")
    expect(result.locator("[data-outcome=imported]")).to_contain_text("新增 2 人")
    expect(page.locator("[data-test=people-total]")).to_have_text(f"共 {before + 2} 条")
    shot(page, screenshots, "console-roster-imported")
    assert page.errors == []
    # both live where the directory puts 黄金花园 3栋
    homes = stored_rows(
        live_server,
        "SELECT person.name, place.name FROM person JOIN place ON place.id = person.home_place_id"
        " WHERE person.name IN ('赵红梅', '钱建国') ORDER BY person.name",
    )
    assert homes == [("赵红梅", "3栋"), ("钱建国", "3栋")]


# the other console pages ---------------------------------------------------------------------


def test_wish_desk_records_and_verifies_a_wish(desk: Any, screenshots: Path) -> None:
    page = desk
    page.goto("/console/#/wishes")
    expect(page.locator("[data-page=wishes]")).to_be_visible()
    expect(page.locator(".wish-table tbody tr").first).to_be_visible()
    shot(page, screenshots, "console-wishes")

    page.click("[data-test=new-wish]")
    form = page.locator("[data-test=wish-form]")
    form.locator("input[name=title]").fill("帮忙修理阳台晾衣架")
    form.locator("input[name=category]").fill("家电维修")
    form.locator("select[name=grid_id]").select_option(label="第一网格")
    form.locator("input[name=beneficiary_name]").fill("孙奶奶")
    form.locator("input[name=address]").fill("黄金花园2栋1单元302")
    form.locator(".chip", has_text="独居老人").click()
    # the place from the directory: the estate, then its building; no coordinates typed
    form.locator("[data-test=place-estate]").select_option(label="黄金花园")
    form.locator("[data-test=place-building]").select_option(label="2栋")
    expect(form.locator("input[name=lat]")).to_have_value("")
    shot(page, screenshots, "console-wish-form")
    form.locator("[data-test=save-wish]").click()
    expect(page.locator(".toast").last).to_have_text("心愿已记录")

    page.select_option("[data-test=status-filter]", "recorded")
    row = page.locator(".wish-table tbody tr", has_text="帮忙修理阳台晾衣架")
    expect(row).to_contain_text("已录入")
    row.locator("[data-test=advance-verified]").click()
    expect(page.locator(".toast").last).to_contain_text("已核实")
    page.select_option("[data-test=status-filter]", "verified")
    expect(page.locator(".wish-table tbody tr", has_text="帮忙修理阳台晾衣架")).to_contain_text(
        "已核实"
    )
    shot(page, screenshots, "console-wishes-verified")
    assert page.errors == []


def test_map_draws_grids_and_homes_without_tiles(desk: Any, screenshots: Path) -> None:
    page = desk
    page.goto("/console/#/map")
    svg = page.locator("[data-test=map-svg]")
    expect(svg).to_be_visible()
    expect(svg.locator(".grid-mark")).to_have_count(8)
    expect(svg.locator(".home-cell").first).to_be_attached()
    expect(svg.locator("circle.radius").first).to_be_attached()
    expect(svg.locator(".grid-mark", has_text="第一网格")).to_be_visible()
    # the street admin is no coordinator of the community: no wish is placed on the map
    expect(svg.locator(".wish-mark")).to_have_count(0)
    expect(page.locator(".map-side")).to_contain_text("只对本社区协调人显示")
    shot(page, screenshots, "console-map")
    assert page.errors == []


def test_the_coordinator_sees_the_open_wishes_on_the_map(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors = watch(page)
    log_in_console(page, "map", DEMO_COORDINATOR)
    svg = page.locator("[data-test=map-svg]")
    expect(svg).to_be_visible()
    expect(page.locator(".console-header .who")).to_have_text(DEMO_COORDINATOR)
    # a coordinator of 红光社区: the wishes are placed, each listed beside the map
    expect(svg.locator(".wish-mark").first).to_be_visible()
    listed = page.locator(".map-side .wish-links").first.locator("button")
    assert svg.locator(".wish-mark").count() == listed.count() > 0
    expect(page.locator(".map-side")).not_to_contain_text("只对本社区协调人显示")
    # a wish chosen in the list gets the walking radius drawn around it
    title = listed.first.inner_text()
    listed.first.click()
    expect(svg.locator(".radius-label")).to_have_text(title)
    shot(page, screenshots, "console-map-coordinator")
    assert errors == []
    context.close()


def coverage_bars(page: Any) -> list[str]:
    """The coverage chart's bars as their titles say them: "3月2日 · 覆盖率: 85%"."""
    bars = page.locator("figure[data-chart=coverage] svg rect.bar")
    expect(bars).to_have_count(8)
    return [title.strip() for title in bars.locator("title").all_text_contents()]


def test_dashboard_ends_with_the_week_picked_on_the_board(
    desk: Any, screenshots: Path, story: Story
) -> None:
    if not story.published:
        pytest.skip("the coordinator's flow did not publish a schedule")
    page = desk
    page.goto("/console/#/dashboard")
    until = page.locator("[data-test=until]")
    charts = page.locator("[data-page=dashboard] .chart-grid")
    # the board was last on the demo week: the charts end with its Sunday
    expect(until).to_have_value(SUNDAY)
    expect(charts).to_have_attribute("data-until", SUNDAY)

    # a day before any plan: eight empty weeks
    until.fill("2026-01-31")
    expect(charts).to_have_attribute("data-until", "2026-01-31")
    expect(page.locator("figure[data-chart=coverage] .chart-empty")).to_be_visible()
    assert all(bar.endswith(": 0%") for bar in coverage_bars(page))

    until.fill(SUNDAY)
    expect(charts).to_have_attribute("data-until", SUNDAY)
    expect(page.locator("[data-page=dashboard] figure[data-chart]")).to_have_count(4)
    for chart in ("coverage", "wishes", "hours", "load"):
        expect(page.locator(f"figure[data-chart={chart}]")).to_be_visible()
    expect(page.locator("figure[data-chart=coverage] .chart-empty")).to_have_count(0)
    bars = coverage_bars(page)
    # the last week shown is the published demo week, and it is mostly covered
    assert bars[-1].startswith("3月2日"), bars
    covered = re.search(r"(\d+)%$", bars[-1])
    assert covered and int(covered.group(1)) >= 50, bars
    # received, due and fulfilled in six months; the demo's wishes are all due in March
    expect(page.locator("figure[data-chart=wishes] svg rect.bar")).to_have_count(18)
    expect(page.locator("figure[data-chart=wishes] .tick-label").last).to_have_text("2026-03")
    due = page.locator("figure[data-chart=wishes] rect.bar.due title").last
    expect(due).to_have_text(re.compile(r"^2026-03 · 到期: [1-9]\d*$"))
    # the spread in a community worker's words: no Gini on the page
    expect(page.locator("figure[data-chart=load]")).to_contain_text("平均每人")
    expect(page.locator("figure[data-chart=load]")).not_to_contain_text("基尼")
    # people with one task or more: the published week's plan is counted
    expect(page.locator("figure[data-chart=load] .tick-label")).not_to_have_count(1)
    shot(page, screenshots, "console-dashboard")
    assert page.errors == []


def test_year_plan_sets_a_theme_and_adds_a_recurring_activity(desk: Any, screenshots: Path) -> None:
    page = desk
    page.goto("/console/#/dashboard")
    if page.locator("[data-page=login]").is_visible():
        log_in_console(page, "dashboard", DEMO_USERNAME)
    # the street admin is offered the tab
    page.click("[data-nav=year]")
    expect(page.locator("[data-nav=year]")).to_have_text("全年日历")
    months = page.locator("[data-test=months] .month-row")
    expect(months).to_have_count(12)
    expect(months.nth(2).locator("input[name=theme]")).to_have_value(re.compile("学雷锋"))
    recurring = page.locator("[data-test=recurring] tbody tr")
    service_day = recurring.filter(has_text="党员服务日").first
    expect(service_day.locator(".rule-text")).to_have_text("每月党员服务日")
    expect(service_day).to_contain_text("宣传教育 ×2")
    expect(service_day).to_contain_text("仅限党员")
    expect(recurring.filter(has_text="学雷锋便民服务集市").locator(".rule-text")).to_have_text(
        "3月 每月5日"
    )

    # July's theme, in place; what shows after a reload comes from the API
    july = page.locator("[data-test=months] [data-month='7']")
    july.locator("input[name=theme]").fill("暑期青少年关爱服务月")
    july.locator("input[name=service_day]").fill("12")
    july.locator("[data-test=save-month]").click()
    expect(page.locator(".toast").last).to_have_text("7月已保存")
    # an empty theme is refused, in Chinese, and the error can be closed
    august = page.locator("[data-test=months] [data-month='8']")
    august.locator("input[name=theme]").fill("")
    august.locator("[data-test=save-month]").click()
    refused = page.locator(".toast.bad")
    expect(refused.locator(".toast-text")).to_contain_text("theme")
    refused.locator("[data-test=toast-close]").click()
    # closed at once, well before it would leave by itself
    expect(refused).to_have_count(0, timeout=2_000)
    page.reload()
    july = page.locator("[data-test=months] [data-month='7']")
    expect(july.locator("input[name=theme]")).to_have_value("暑期青少年关爱服务月")
    expect(july.locator("input[name=service_day]")).to_have_value("12")
    expect(august.locator("input[name=theme]")).not_to_have_value("")

    # a recurring activity on the second Saturday of March, at the community's centre
    form = page.locator("[data-test=recurring-form]")
    form.locator("input[name=name]").fill("法律咨询进社区")
    form.locator("select[name=month]").select_option("3")
    form.locator("select[name=day_rule]").select_option("weekday")
    expect(form.locator("input[name=day_of_month]")).to_be_hidden()
    form.locator("select[name=weekday]").select_option("5")
    form.locator("select[name=week_of_month]").select_option("2")
    form.locator("input[name=start]").fill("09:00")
    form.locator("input[name=end]").fill("11:30")
    form.locator("input[name=responsible_unit]").fill("共建律师事务所")
    # held at the service hall of the place directory unless another place is picked; no
    # coordinates typed
    expect(form.locator("[data-test=place-estate] option:checked")).to_have_text(
        "红光社区党群服务中心"
    )
    expect(form.locator("input[name=lat]")).to_have_value("")
    form.locator("select[name=skill]").select_option("法律援助")
    form.locator("input[name=headcount]").fill("2")
    form.locator("[data-test=add-role]").click()
    expect(form.locator(".role-row")).to_have_count(2)
    form.locator("[data-test=add-recurring]").click()
    expect(page.locator(".toast").last).to_have_text("已添加常设活动「法律咨询进社区」")
    # the standard year has an August 法律咨询进社区 of its own: this one is the lawyers'
    added = recurring.filter(has_text="法律咨询进社区").filter(has_text="共建律师事务所")
    expect(added.locator(".rule-text")).to_have_text("3月 每月第2个周六")
    expect(added).to_contain_text("09:00–11:30")
    expect(added).to_contain_text("法律援助 ×2")
    expect(added).to_contain_text("不限专长 ×1")
    expect(added).to_contain_text("共建律师事务所")
    expect(added).to_contain_text(
        "红光社区党群服务中心"
    )  # the place's name, as no words were given
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, screenshots, "console-year")

    # stopping asks once more; the activity stays listed, stopped
    added.locator("[data-test=stop]").click()
    expect(added.locator("[data-test=stop]")).to_have_text("确认停止？")
    added.locator("[data-test=stop]").click()
    expect(page.locator(".toast").last).to_contain_text("「法律咨询进社区」已停止")
    expect(added).to_contain_text("已停止")
    expect(added.locator("[data-test=stop]")).to_have_count(0)

    # the page's messages stay with it: gone as soon as the next page shows, not seconds later
    assert page.locator(".toast").count() > 0
    page.click("[data-nav=map]")
    expect(page.locator("[data-page=map]")).to_be_visible()
    assert page.locator(".toast").count() == 0
    assert page.errors == []


def test_toasts_leave_by_themselves_and_never_pile_up(
    browser: Any, live_server: LiveServer
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors = watch(page)
    # the page's clock, moved on by the test rather than waited for
    page.clock.install()
    page.goto("/console/")
    expect(page.locator("[data-page=login]")).to_be_visible()
    say = """async ([message, bad]) => {
        const { toast } = await import("/static/js/dom.js");
        toast(message, { bad });
    }"""
    for number in range(1, 5):
        page.evaluate(say, [f"消息 {number}", False])
    notes = page.locator(".toast .toast-text")
    # the oldest makes way: three at most
    expect(notes).to_have_text(["消息 2", "消息 3", "消息 4"])
    page.evaluate(say, ["出错了", True])
    expect(notes).to_have_text(["消息 3", "消息 4", "出错了"])
    expect(page.locator(".toast.bad [data-test=toast-close]")).to_be_visible()
    page.clock.run_for(4_500)
    expect(notes).to_have_text(["出错了"])
    page.clock.run_for(6_000)
    expect(notes).to_have_count(0)
    assert errors == []
    context.close()


def test_english_is_one_tap_away_and_remembered(desk: Any, screenshots: Path) -> None:
    page = desk
    page.goto("/console/#/board?week=2026-03-02")
    menu = page.locator("[data-nav=board]")
    expect(menu).to_have_text("排班周表")
    page.click("[data-test=lang-toggle]")
    expect(menu).to_have_text("Week board")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-test=solve]")).to_have_text("Re-solve")
    expect(page.locator("[data-nav=year]")).to_have_text("Year plan")
    shot(page, screenshots, "console-board-english")

    # the choice survives a reload, and the API answers in it (Accept-Language)
    page.click("[data-test=logout]")
    page.reload()
    expect(page.locator("[data-test=login-submit]")).to_have_text("Log in")
    page.fill("input[name=username]", DEMO_USERNAME)
    page.fill("input[name=password]", "not-the-password")
    page.click("[data-test=login-submit]")
    expect(page.locator("[data-page=login] .error")).to_have_text(
        "Wrong mobile number (username) or password"
    )
    shot(page, screenshots, "console-login-english")

    page.click("[data-test=lang-toggle]")
    expect(page.locator("[data-test=login-submit]")).to_have_text("登录")
    assert page.errors == []
