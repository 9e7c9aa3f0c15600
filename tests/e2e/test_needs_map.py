"""服务分布图 on the phone, in Chromium: a member's 接任务 page draws the open work near their
home as marks (one per cell of about 100 m, with how many tasks are there) above the list;
tapping a mark shows its work, and 认领 there claims it. Against the real app over a week that
has not begun. Screenshot: ``build/screenshots/needs-map.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from api.services.security import hash_password
from models import WishStatus
from models.db import create_all, make_engine, make_session_factory
from tests.support.chromium import PHONE, SKIP_REASON, browser_missing
from tests.support.http_world import PASSWORD
from tests.support.live_server import LiveServer, serve
from tests.support.member_loop import LoopWorld, build, next_monday
from tests.support.rows import LAT, LNG, add_wish

if browser_missing():
    pytest.skip(SKIP_REASON, allow_module_level=True)

ADDRESS = "幸福里9栋3单元402"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LoopWorld, int]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('needs') / 'tongxin.db'}"
    engine = make_engine(database_url)
    create_all(engine)
    with make_session_factory(engine)() as session:
        monday = next_monday()
        loop = build(session, hash_password(PASSWORD), week_start=monday)
        # an open wish about 400 m north of the hall, at a household's door
        wish = add_wish(
            session,
            loop.community,
            title="帮忙买菜",
            status=WishStatus.OPEN,
            lat=LAT + 0.0036,
            lng=LNG + 0.0004,
            earliest=monday,
            deadline=monday + timedelta(days=6),
        )
        wish.household.address = ADDRESS
        session.commit()
        wish_id = wish.id
    engine.dispose()
    with serve(database_url) as server:
        yield server, loop, wish_id


def test_the_map_shows_open_work_and_a_tap_leads_to_its_claim(
    browser: Any, world: tuple[LiveServer, LoopWorld, int], screenshots: Path
) -> None:
    server, loop, wish_id = world
    context = browser.new_context(
        base_url=server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/m/#/login")
    page.fill("input[name=username]", loop.users["王芳"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-test=login-submit]")
    expect(page.locator("[data-page=assignments]")).to_be_visible()
    page.goto("/m/#/work")

    drawing = page.locator("[data-test=needs-map]")
    expect(drawing).to_be_visible()
    expect(drawing.locator("[data-test=home-mark]")).to_have_count(1)
    marks = drawing.locator("[data-test=need-mark]")
    listed = page.locator("[data-seat]")
    expect(listed.first).to_be_visible()
    cards = {listed.nth(i).get_attribute("data-seat") for i in range(listed.count())}
    shown: set[str] = set()
    for i in range(marks.count()):
        shown |= set((marks.nth(i).get_attribute("data-seats") or "").split())
    # every task of the list is on the map, and the map has nothing the list lacks
    assert shown == cards and f"wish-{wish_id}-0" in cards
    # the hall's tasks share one mark; the wish 400 m away has its own
    assert marks.count() == 2
    wish_mark = drawing.locator(f'[data-test=need-mark][data-seats~="wish-{wish_id}-0"]')
    expect(wish_mark).to_have_count(1)
    # no private data: the household's address is nowhere on the page
    assert ADDRESS not in page.content()

    wish_mark.click()
    detail = page.locator("[data-test=need-detail]")
    expect(detail).to_contain_text("帮忙买菜")
    expect(detail).to_contain_text("离家")
    page.screenshot(path=str(screenshots / "needs-map.png"), full_page=True)
    detail.locator(f'[data-need="wish-{wish_id}-0"] [data-test=claim-from-map]').click()
    expect(page.locator(".toast").last).to_contain_text("已接下")
    expect(page.locator(f'[data-seat="wish-{wish_id}-0"]')).to_have_count(0)
    expect(page.locator(f'[data-test=need-mark][data-seats~="wish-{wish_id}-0"]')).to_have_count(0)
    page.goto("/m/#/assignments")
    expect(page.locator(".assignment", has_text="帮忙买菜")).to_have_count(1)
    assert errors == []
    context.close()
