"""The console as a daily tool, in Chromium at 1440×900 on the demo community (红光社区,
``demo-coordinator``): the week board worked by keyboard alone, the published week printed as
a grid's notice on A4 (to PDF) with nothing private on it, the map's legend, zoom and filters,
and a person's card with their pins of the week, one withdrawn there.

Screenshots go to ``build/screenshots/daily-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.chromium import DESKTOP, SKIP_REASON, browser_missing, shot
from tests.support.live_server import DEMO_COORDINATOR, DEMO_PASSWORD, LiveServer

# a skip for a missing program, never for a missing package (see test_browser_flows.py)
if browser_missing():
    pytest.skip(SKIP_REASON, allow_module_level=True)

WEEK = "2026-03-02"
SLOW_MS = 60_000
#: A4 in PostScript points (210 × 297 mm), and how far a PDF writer's rounding may stray
A4_POINTS = (595.28, 841.89)
ROUNDING_POINTS = 2.0
MOBILE_PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture(scope="module")
def desk(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.set_default_timeout(20_000)
    page.goto(f"/console/#/board?week={WEEK}")
    expect(page.locator("[data-page=login]")).to_be_visible()
    page.fill("input[name=username]", DEMO_COORDINATOR)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-test=login-submit]")
    expect(page.locator("[data-page=board]")).to_be_visible(timeout=SLOW_MS)
    yield page
    context.close()


def focused(page: Any, attribute: str) -> str | None:
    value: str | None = page.evaluate(
        "name => document.activeElement && document.activeElement.getAttribute(name)", attribute
    )
    return value


def test_the_week_is_solved_and_published(desk: Any) -> None:
    page = desk
    status = page.locator("[data-test=run-status]")
    expect(status).to_contain_text("本周尚未排班", timeout=SLOW_MS)
    page.select_option("[data-test=time-limit]", "3")
    page.click("[data-test=solve]")
    progress = page.locator("[data-test=solve-progress]")
    expect(progress).to_have_attribute("data-state", "done", timeout=SLOW_MS)
    page.click("[data-test=publish]")
    page.locator("[data-test=publish-dialog] [data-test=publish-confirm]").click()
    expect(status).to_contain_text("已发布", timeout=SLOW_MS)
    expect(status).not_to_contain_text("草稿")
    assert page.errors == []


def test_the_board_by_keyboard_alone(desk: Any, screenshots: Path) -> None:
    page = desk
    panel = page.locator("[data-test=slot-panel]")
    expect(page.locator(".slot").first).to_be_visible(timeout=SLOW_MS)
    expect(page.locator(".keys-hint")).to_contain_text("g 下一个缺口")
    shot(page, screenshots, "daily-board")
    page.locator("body").focus()

    # g: the first card with a gap; g again: the next one
    page.keyboard.press("g")
    first_gap = focused(page, "data-demand")
    assert first_gap is not None
    assert focused(page, "data-fill") in {"partial", "empty"}
    page.keyboard.press("g")
    second_gap = focused(page, "data-demand")
    assert second_gap is not None and second_gap != first_gap
    assert focused(page, "data-fill") in {"partial", "empty"}
    # the focus ring shows which card the keys are on
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"
    shot(page, screenshots, "daily-board-focus")

    # Enter opens the gap's panel, Esc closes it and the keys are back on the card
    title = focused(page, "data-title")
    page.keyboard.press("Enter")
    expect(panel).to_be_visible(timeout=SLOW_MS)
    expect(panel.locator("h2").first).to_have_text(title or "")
    expect(panel.locator("[data-test=candidates]")).to_have_attribute(
        "data-state", "ready", timeout=SLOW_MS
    )
    shot(page, screenshots, "daily-board-panel-by-keyboard")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert focused(page, "data-demand") == second_gap

    # arrows: down to the next card, right to another day
    day_of = "document.activeElement.closest('.day').dataset.day"
    day = page.evaluate(day_of)
    page.keyboard.press("ArrowDown")
    assert focused(page, "data-demand") not in {None, second_gap}
    page.keyboard.press("ArrowRight")
    assert page.evaluate(day_of) > day
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(day_of) < page.evaluate("document.querySelectorAll('.day')[6].dataset.day")

    # /: the search box, which narrows the cards; Esc there empties it
    page.keyboard.press("/")
    assert focused(page, "data-test") == "board-search"
    everything = page.locator(".slot").count()
    page.keyboard.type("巡逻")
    expect(page.locator(".slot").first).to_be_visible()
    assert 0 < page.locator(".slot").count() < everything
    page.keyboard.press("Escape")
    expect(page.locator(".slot")).to_have_count(everything)
    assert page.errors == []


def test_the_published_week_prints_as_a_grids_notice_on_a4(desk: Any, screenshots: Path) -> None:
    page = desk
    # the wishes' own titles often name the household: none may reach the notice
    wish_titles = page.locator(".slot[data-demand^='wish:']").evaluate_all(
        "els => els.map(e => e.dataset.title)"
    )
    assert wish_titles
    page.click("[data-test=print-notice]")
    sheet = page.locator("[data-test=notice-sheet]")
    expect(sheet).to_have_attribute("data-state", "ready", timeout=SLOW_MS)
    grid = page.locator("[data-test=notice-grid] option").nth(1)
    grid_name = grid.inner_text()
    page.select_option("[data-test=notice-grid]", grid.get_attribute("value"))
    expect(sheet.locator("h2")).to_contain_text(grid_name, timeout=SLOW_MS)
    expect(sheet).to_have_attribute("data-state", "ready")
    rows = sheet.locator("tr[data-kind]")
    expect(rows.first).to_be_visible()
    text = sheet.inner_text()
    # members by name: the cells of who serves are filled
    names = sheet.locator(".notice-people").all_inner_texts()
    assert any(name.strip() for name in names[1:])
    for title in wish_titles:
        assert title not in text
    assert not MOBILE_PHONE.search(text)
    if sheet.locator("tr[data-kind=wish]").count():
        expect(sheet.locator("tr[data-kind=wish]").first).to_contain_text("为一户居民上门服务")
        expect(sheet.locator("tr[data-kind=wish]").first).to_contain_text("入户")
    shot(page, screenshots, "daily-notice")

    page.emulate_media(media="print")
    shot(page, screenshots, "daily-notice-print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    (screenshots / "daily-notice.pdf").write_bytes(pdf)
    sizes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert sizes and len(sizes) >= pages
    for width, height in sizes:
        assert abs(float(width) - A4_POINTS[0]) < ROUNDING_POINTS
        assert abs(float(height) - A4_POINTS[1]) < ROUNDING_POINTS
    # a grid's week: a sheet or a few, never a page per line
    assert 1 <= pages <= 4, pages
    # the screen's menu and buttons stay off the paper
    assert page.locator(".console-header").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".console-header").is_visible()
    assert not page.locator("[data-test=notice-print]").is_visible()
    page.emulate_media(media="screen")

    # in English too, the house call in words of its own
    page.click("[data-test=lang-toggle]")
    expect(sheet.locator("h2")).to_contain_text("this week's volunteer services", timeout=SLOW_MS)
    if sheet.locator("tr[data-kind=wish]").count():
        expect(sheet.locator("tr[data-kind=wish]").first).to_contain_text("A house call")
    shot(page, screenshots, "daily-notice-en")
    page.click("[data-test=lang-toggle]")
    expect(sheet.locator("h2")).to_contain_text("本周志愿服务公示", timeout=SLOW_MS)
    page.click("[data-test=notice-back]")
    expect(page.locator("[data-page=board]")).to_be_visible()
    assert page.errors == []


def test_the_map_has_a_legend_zoom_and_filters(desk: Any, screenshots: Path) -> None:
    page = desk
    page.goto("/console/#/map")
    svg = page.locator("[data-test=map-svg]")
    expect(svg.locator(".wish-mark").first).to_be_visible(timeout=SLOW_MS)

    # a legend entry for every kind of mark drawn, and none for a kind not drawn
    marks = set(svg.locator("[data-mark]").evaluate_all("els => els.map(e => e.dataset.mark)"))
    legend = page.locator("[data-test=map-legend] [data-legend]")
    entries = set(legend.evaluate_all("els => els.map(e => e.dataset.legend)"))
    assert {"grid", "homes", "radius", "wish-open"} <= marks
    assert entries == marks
    # no grid's name lies under a mark: none covers a grid dot or another name, and every
    # name is drawn after (above) every wish pin
    labels = page.evaluate(
        """() => {
          const shown = [...document.querySelectorAll('.grid-label:not(.hidden-label)')];
          const box = (e) => e.getBoundingClientRect();
          const hit = (a, b) => a.left < b.right && b.left < a.right
            && a.top < b.bottom && b.top < a.bottom;
          const dots = [...document.querySelectorAll('.grid-mark circle')].map(box);
          const pins = [...document.querySelectorAll('[data-test=map-svg] .wish-mark')];
          const above = (label) => pins.every((pin) =>
            pin.compareDocumentPosition(label) & Node.DOCUMENT_POSITION_FOLLOWING);
          return {
            shown: shown.length,
            onDots: shown.filter((l) => dots.some((d) => hit(box(l), d))).length,
            onNames: shown.filter((l) => shown.some((o) => o !== l && hit(box(l), box(o)))).length,
            under: shown.filter((l) => !above(l)).length,
          };
        }"""
    )
    assert labels["shown"] >= 6, labels  # of the eight grids
    assert labels["onDots"] == labels["onNames"] == labels["under"] == 0, labels
    shot(page, screenshots, "daily-map")

    # zoom: the buttons and the wheel change the scale
    bar = page.locator("[data-test=scale-bar]")
    before = float(bar.get_attribute("data-metres") or 0)
    page.click("[data-test=zoom-in]")
    page.click("[data-test=zoom-in]")
    expect(svg).to_have_attribute("data-zoom", "2.25")
    assert float(bar.get_attribute("data-metres") or 0) < before
    box = svg.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -200)
    expect(svg).to_have_attribute("data-zoom", "3.38")
    shot(page, screenshots, "daily-map-zoomed")
    page.click("[data-test=zoom-reset]")
    expect(svg).to_have_attribute("data-zoom", "1")
    assert float(bar.get_attribute("data-metres") or 0) == before

    # the filters narrow the lists beside the map, and the marks with them
    items = page.locator("[data-test=map-wish-item]")
    everything = items.count()
    assert everything > 1
    first = items.first.locator("button").inner_text()
    page.fill("[data-test=map-search]", first)
    expect(items.first).to_contain_text(first)
    assert 0 < items.count() < everything
    assert svg.locator(".wish-mark").count() == items.count()
    page.fill("[data-test=map-search]", "")
    expect(items).to_have_count(everything)
    grid = page.locator("[data-test=map-filter-grid] option").nth(1)
    page.select_option("[data-test=map-filter-grid]", grid.get_attribute("value"))
    expect(page.locator("[data-test=map-grid-item]")).to_have_count(1)
    assert items.count() < everything
    shot(page, screenshots, "daily-map-filtered")
    assert page.errors == []


def test_a_persons_card_shows_their_pins_and_one_is_withdrawn(desk: Any, screenshots: Path) -> None:
    page = desk
    page.goto(f"/console/#/board?week={WEEK}")
    panel = page.locator("[data-test=slot-panel]")
    page.locator(".slot.partial, .slot.empty").first.click()
    expect(panel.locator("[data-test=candidates]")).to_have_attribute(
        "data-state", "ready", timeout=SLOW_MS
    )
    title = panel.locator("h2").first.inner_text()
    row = panel.locator("[data-test=candidates] tr[data-person]").first
    name = row.locator("td").nth(1).locator("div").first.inner_text()
    row.locator("[data-test=pin]").click()
    expect(page.locator(".toast").last).to_contain_text(f"已固定 {name}", timeout=SLOW_MS)

    page.goto("/console/#/people")
    page.fill("[data-test=people-search]", name)
    page.locator("[data-test=people-search]").press("Enter")
    person = page.locator("tr[data-person]", has_text=name).first
    person.locator("[data-test=person-open]").click()
    card = page.locator("[data-test=person-card]")
    expect(card.locator("h2")).to_contain_text(name)
    pins = card.locator("[data-test=person-overrides] li[data-kind=pin]")
    expect(pins).to_have_count(1, timeout=SLOW_MS)
    expect(pins.first).to_contain_text("固定")
    expect(pins.first).to_contain_text(title.split(" ")[0])
    expect(card.locator("[data-test=person-quarter]")).to_contain_text("已服务")
    shot(page, screenshots, "daily-person-pins")

    pins.first.locator("[data-test=override-withdraw]").click()
    expect(page.locator(".toast").last).to_contain_text("已撤销", timeout=SLOW_MS)
    expect(pins).to_have_count(0)
    expect(card.locator("[data-test=person-overrides]")).to_contain_text("这一周没有固定或排除")
    # the board's panel no longer lists it either
    page.goto(f"/console/#/board?week={WEEK}")
    page.locator(f".slot[data-title='{title}']").click()
    expect(panel.locator("h2").first).to_have_text(title)
    expect(panel.locator("[data-test=withdraw]")).to_have_count(0)
    assert page.errors == []
