"""The coordinator's console as a daily tool, in Chromium at 1440×900 on the demo community
(红光社区, ``demo-coordinator``): a gap filled by hand with a near miss assigned anyway and a
reason, the board updated at once without a re-solve, then the week published after a
confirmation that says who is told, the label changing at once.

Screenshots go to ``build/screenshots/console-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.chromium import DESKTOP, SKIP_REASON, browser_missing, log_in_console, shot
from tests.support.live_server import DEMO_COORDINATOR, LiveServer

# a skip for a missing program, never for a missing package (see test_browser_flows.py)
if browser_missing():
    pytest.skip(SKIP_REASON, allow_module_level=True)

WEEK = "2026-03-02"
SLOW_MS = 60_000
REASON = "本人熟悉这户人家，已电话确认能来"


@pytest.fixture(scope="module")
def desk(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.set_default_timeout(20_000)
    yield page
    context.close()


def open_gap_with_near_miss(page: Any) -> tuple[str, Any]:
    """The first unfilled slot whose panel offers someone to assign anyway: its title and the
    near miss's row."""
    panel = page.locator("[data-test=slot-panel]")
    gaps = page.locator(".slot.partial, .slot.empty")
    for index in range(min(gaps.count(), 25)):
        slot = gaps.nth(index)
        title = slot.get_attribute("data-title")
        slot.click()
        expect(panel.locator("h2").first).to_have_text(title)
        expect(panel.locator("[data-test=candidates]")).to_have_attribute(
            "data-state", "ready", timeout=SLOW_MS
        )
        section = panel.locator("[data-test=near-miss-section]")
        if section.get_attribute("open") is None:
            section.locator("summary").click()
        near = panel.locator("[data-test=near-misses]")
        expect(near).to_have_attribute("data-state", "ready", timeout=SLOW_MS)
        # the first group of near misses is open
        rows = near.locator("details[open] li[data-person]")
        if rows.count():
            return title, rows.first
    raise AssertionError("no unfilled slot has a near miss")


def test_a_near_miss_assigned_anyway_and_the_week_published_with_confirmation(
    desk: Any, screenshots: Path
) -> None:
    page = desk
    log_in_console(page, f"board?week={WEEK}", DEMO_COORDINATOR)
    expect(page.locator("[data-page=board]")).to_be_visible()
    status = page.locator("[data-test=run-status]")
    expect(status).to_contain_text("本周尚未排班")
    page.select_option("[data-test=time-limit]", "3")
    page.click("[data-test=solve]")
    progress = page.locator("[data-test=solve-progress]")
    expect(progress).to_have_attribute("data-state", "done", timeout=SLOW_MS)
    run = progress.get_attribute("data-run")
    expect(status).to_contain_text(f"草稿 #{run}")
    # no solver figures on the console: only how long planning took
    expect(status).not_to_contain_text("目标值")

    title, row = open_gap_with_near_miss(page)
    name = row.locator("strong").inner_text()
    group = row.locator("xpath=ancestor::details[1]")
    expect(group.locator("summary")).not_to_be_empty()
    expect(row.locator(".near-miss-why")).not_to_be_empty()
    row.scroll_into_view_if_needed()
    shot(page, screenshots, "console-near-misses")

    panel = page.locator("[data-test=slot-panel]")
    # without a reason the page asks for one, and nothing changes
    row.locator("[data-test=assign-anyway]").click()
    expect(page.locator(".toast.bad").last).to_contain_text("写明理由")
    panel.locator("[data-test=override-reason]").fill(REASON)
    row.locator("[data-test=assign-anyway]").click()
    expect(page.locator(".toast").last).to_contain_text(f"已破例指派 {name}", timeout=SLOW_MS)

    # the board shows them on the slot at once, marked as an override; no solve was started
    card = page.locator(f".slot[data-title='{title}']")
    expect(card.locator(".slot-people")).to_contain_text(name, timeout=SLOW_MS)
    on_it = panel.locator("[data-test=assigned-people] li", has_text=name)
    expect(on_it.locator("[data-test=override-mark]")).to_have_text("破例")
    expect(on_it).to_contain_text(REASON)
    expect(status).to_contain_text(f"草稿 #{run}")
    expect(progress).to_have_attribute("data-run", run)
    shot(page, screenshots, "console-assigned-anyway")

    # publishing asks first, saying who will be told of what
    page.click("[data-test=publish]")
    dialog = page.locator("[data-test=publish-dialog]")
    expect(dialog).to_be_visible(timeout=SLOW_MS)
    # the demo week is over by the real clock: its tasks are told to nobody, and the dialog
    # says so (who is told of a week still to come: tests/api/test_direct_edits.py)
    expect(dialog.locator("[data-test=publish-summary]")).to_contain_text("不会通知任何人")
    expect(dialog.locator(".told-list")).to_have_count(0)
    shot(page, screenshots, "console-publish-confirm")
    dialog.locator("[data-test=publish-cancel]").click()
    expect(dialog).to_have_count(0)
    expect(status).to_contain_text(f"草稿 #{run}")

    page.click("[data-test=publish]")
    page.locator("[data-test=publish-dialog] [data-test=publish-confirm]").click()
    expect(status).to_contain_text(f"已发布 #{run}", timeout=SLOW_MS)
    expect(status).not_to_contain_text("草稿")
    expect(page.locator("[data-test=publish]")).to_be_disabled()
    shot(page, screenshots, "console-published")
    assert page.errors == []


def test_a_setting_changed_and_the_audit_page_shows_the_override(
    desk: Any, screenshots: Path
) -> None:
    page = desk
    page.goto("/console/#/settings")
    form = page.locator("[data-test=settings]")
    expect(form).to_have_attribute("data-state", "ready")
    expect(page.locator("[data-test=radius]")).to_have_value("1200")
    page.fill("[data-test=radius]", "900")
    page.fill("[data-test=visit-end]", "19:00")
    # visiting hours that end before they start are refused by the API, shown by the form
    page.fill("[data-test=visit-start]", "19:30")
    page.click("[data-test=save-settings]")
    expect(page.locator("[data-test=settings-error]")).to_contain_text("上门时段的结束须晚于开始")
    page.fill("[data-test=visit-start]", "08:30")
    page.click("[data-test=save-settings]")
    expect(page.locator(".toast").last).to_contain_text("设置已保存")
    shot(page, screenshots, "console-settings")
    page.reload()
    expect(form).to_have_attribute("data-state", "ready")
    expect(page.locator("[data-test=radius]")).to_have_value("900")
    expect(page.locator("[data-test=visit-start]")).to_have_value("08:30")

    page.goto("/console/#/audit")
    log = page.locator("[data-test=audit]")
    expect(log).to_have_attribute("data-state", "ready")
    expect(log.locator("tr[data-action='community.settings']")).to_contain_text(DEMO_COORDINATOR)
    page.select_option("[data-test=audit-kind]", "override")
    expect(log.locator("tr[data-action='community.settings']")).to_have_count(0)
    anyway = log.locator("tr[data-action='assignment.assign_anyway']")
    expect(anyway).to_contain_text("破例指派")
    expect(anyway).to_contain_text(REASON)
    expect(anyway).to_contain_text(DEMO_COORDINATOR)
    shot(page, screenshots, "console-audit")
    assert page.errors == []


def test_a_person_found_by_name_and_deactivated(desk: Any, screenshots: Path) -> None:
    page = desk
    page.goto("/console/#/people")
    first = page.locator("[data-test=person-open]").first
    expect(first).to_be_visible()
    name = first.inner_text()
    page.fill("[data-test=people-search]", name[1:])
    page.locator("[data-test=people-search]").press("Enter")
    expect(page.locator("[data-test=people-total]")).not_to_have_text("共 0 条")
    row = page.locator("tr[data-person]", has_text=name).first
    expect(row).to_be_visible()
    row.locator("[data-test=person-open]").click()
    card = page.locator("[data-test=person-card]")
    expect(card.locator("h2")).to_contain_text(name)
    expect(card.locator("[data-test=person-quarter]")).to_contain_text("已服务")
    page.once("dialog", lambda dialog: dialog.accept())
    card.locator("[data-test=deactivate]").click()
    expect(page.locator(".toast").last).to_contain_text(f"已停用 {name}", timeout=SLOW_MS)
    expect(card.locator("[data-test=person-inactive]")).to_have_text("已停用")
    expect(row).to_contain_text("已停用")
    shot(page, screenshots, "console-person-deactivated")
    assert page.errors == []


def test_the_board_filters_by_grid_kind_and_gaps_and_its_counts_filter_when_clicked(
    desk: Any, screenshots: Path
) -> None:
    page = desk
    page.goto(f"/console/#/board?week={WEEK}")
    expect(page.locator("[data-test=run-status]")).to_contain_text("已发布", timeout=SLOW_MS)
    slots = page.locator(".slot")
    expect(slots.first).to_be_visible()
    everything = slots.count()
    partial = page.locator("[data-test=summary] [data-fill=partial]")
    count = int(partial.inner_text().split()[-1])
    assert 0 < count < everything
    partial.click()
    expect(slots).to_have_count(count)
    assert set(page.locator(".slot").evaluate_all("els => els.map(e => e.dataset.fill)")) == {
        "partial"
    }
    partial.click()
    expect(slots).to_have_count(everything)

    page.check("[data-test=filter-gaps]")
    expect(page.locator(".slot.full")).to_have_count(0)
    page.select_option("[data-test=filter-kind]", "wish")
    expect(page.locator(".slot .slot-kind").first).to_have_text("微心愿")
    kinds = page.locator(".slot .slot-kind").evaluate_all("els => els.map(e => e.textContent)")
    assert set(kinds) <= {"微心愿"}
    page.select_option("[data-test=filter-kind]", "")
    page.uncheck("[data-test=filter-gaps]")
    grid = page.locator("[data-test=filter-grid] option").nth(1)
    page.select_option("[data-test=filter-grid]", grid.get_attribute("value"))
    expect(slots.first).to_be_visible()
    assert 0 < slots.count() < everything
    page.select_option("[data-test=view]", "list")
    expect(page.locator("[data-test=days].list")).to_be_visible()
    shot(page, screenshots, "console-board-list")
    page.select_option("[data-test=view]", "columns")
    page.select_option("[data-test=filter-grid]", "")
    expect(slots).to_have_count(everything)
    assert page.errors == []
