"""Places instead of coordinates, in Chromium: the coordinator keeps the place directory at
1440×900 (the demo's estates and buildings listed, an estate and a building added with their
coordinates, once), then records a wish by picking that estate and building — no coordinate is
typed — and the wish is saved with the building's coordinates. On a phone, a volunteer
registers by picking the estate and building of home.

Screenshots go to ``build/screenshots/places-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.support.chromium import (
    DESKTOP,
    PHONE,
    SKIP_REASON,
    browser_missing,
    log_in_console,
    shot,
)
from tests.support.live_server import DEMO_COORDINATOR, LiveServer

# a skip for a missing program, never for a missing package (see test_browser_flows.py)
if browser_missing():
    pytest.skip(SKIP_REASON, allow_module_level=True)

SLOW_MS = 60_000
#: where the coordinator says 阳光小区 and its 3号楼 stand (near the demo's grids)
ESTATE_LAT, ESTATE_LNG = "24.2900", "116.1230"
BUILDING_LAT, BUILDING_LNG = 24.2907, 116.1236


@pytest.fixture(scope="module")
def desk(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.set_default_timeout(30_000)
    yield page
    context.close()


def stored(live_server: LiveServer, sql: str, **values: Any) -> Any:
    engine = sa.create_engine(live_server.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(sql), values).one()
    finally:
        engine.dispose()


def test_a_wish_recorded_by_picking_an_estate_and_building(
    desk: Any, live_server: LiveServer, screenshots: Path
) -> None:
    page = desk
    log_in_console(page, "places", DEMO_COORDINATOR)
    places = page.locator("[data-test=places]")
    expect(places).to_have_attribute("data-state", "ready", timeout=SLOW_MS)
    # the demo's directory: its estates with their buildings, and the service hall
    expect(places.locator("tr.place-estate", has_text="黄金花园")).to_be_visible()
    expect(places.locator("tr.place-venue", has_text="红光社区党群服务中心")).to_be_visible()
    expect(places).to_contain_text("小区 21 个")

    # an estate and one of its buildings, with their coordinates, entered once
    form = page.locator("[data-test=place-form]")
    form.locator("[data-test=new-place-kind]").select_option("estate")
    form.locator("[data-test=new-place-name]").fill("阳光小区")
    form.locator("[data-test=new-place-lat]").fill(ESTATE_LAT)
    form.locator("[data-test=new-place-lng]").fill(ESTATE_LNG)
    form.locator("[data-test=add-place]").click()
    expect(places.locator("tr.place-estate", has_text="阳光小区")).to_be_visible(timeout=SLOW_MS)
    form.locator("[data-test=new-place-kind]").select_option("building")
    form.locator("[data-test=new-place-estate]").select_option(label="阳光小区")
    form.locator("[data-test=new-place-name]").fill("3号楼")
    form.locator("[data-test=new-place-lat]").fill(str(BUILDING_LAT))
    form.locator("[data-test=new-place-lng]").fill(str(BUILDING_LNG))
    form.locator("[data-test=add-place]").click()
    expect(places.locator("tr.place-building", has_text="3号楼")).to_be_visible(timeout=SLOW_MS)
    # the same building written another way is refused, with the reason
    form.locator("[data-test=new-place-kind]").select_option("building")
    form.locator("[data-test=new-place-estate]").select_option(label="阳光小区")
    form.locator("[data-test=new-place-name]").fill("3栋")
    form.locator("[data-test=add-place]").click()
    expect(form.locator(".error")).to_contain_text("已有楼栋「3号楼」")
    shot(page, screenshots, "places-directory")

    # the wish desk: a wish recorded at 阳光小区 3号楼, no coordinates typed
    page.click("[data-nav=wishes]")
    page.click("[data-test=new-wish]")
    wish_form = page.locator("[data-test=wish-form]")
    wish_form.locator("input[name=title]").fill("更换楼道灯泡")
    wish_form.locator("input[name=category]").fill("家电维修")
    wish_form.locator("input[name=beneficiary_name]").fill("王奶奶")
    wish_form.locator("input[name=address]").fill("3号楼2单元501")
    picker = wish_form.locator("[data-test=wish-place]")
    building = picker.locator("[data-test=place-building]")
    expect(building).to_be_hidden()  # no estate chosen yet: no buildings offered
    picker.locator("[data-test=place-estate]").select_option(label="阳光小区")
    expect(building).to_be_visible()
    building.select_option(label="3号楼")
    expect(wish_form.locator("input[name=lat]")).to_have_value("")
    expect(wish_form.locator("input[name=lat]")).to_be_hidden()  # exact coordinates stay folded
    wish_form.locator("[data-test=save-wish]").scroll_into_view_if_needed()
    shot(page, screenshots, "places-wish-form")
    wish_form.locator("[data-test=save-wish]").click()
    row = page.locator("tr[data-wish]", has_text="更换楼道灯泡")
    expect(row).to_be_visible(timeout=SLOW_MS)

    wish_id = int(row.get_attribute("data-wish"))
    lat, lng, place = stored(
        live_server,
        "SELECT wish.lat, wish.lng, place.name FROM wish JOIN place ON place.id = wish.place_id"
        " WHERE wish.id = :id",
        id=wish_id,
    )
    assert (lat, lng, place) == (BUILDING_LAT, BUILDING_LNG, "3号楼")

    row.locator("button.link").click()
    panel = page.locator("[data-test=wish-panel]")
    expect(panel).to_contain_text("阳光小区3号楼")
    shot(page, screenshots, "places-wish-detail")

    # in English too: the page's words and the API's refusals
    page.click("[data-nav=places]")
    expect(places).to_have_attribute("data-state", "ready", timeout=SLOW_MS)
    page.click("[data-test=lang-toggle]")
    expect(page.locator("[data-nav=places]")).to_have_text("Places")
    expect(places).to_contain_text("22 estates")
    form.locator("[data-test=new-place-kind]").select_option("venue")
    form.locator("[data-test=new-place-name]").fill("广场")
    form.locator("[data-test=add-place]").click()
    expect(form.locator(".error")).to_contain_text("A venue needs lat and lng")
    shot(page, screenshots, "places-directory-en")
    page.click("[data-test=lang-toggle]")
    expect(page.locator("[data-nav=places]")).to_have_text("地点库")
    assert page.errors == []


def test_a_volunteer_registers_by_the_estate_and_building_of_home(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(30_000)
    try:
        page.goto("/m/#/register")
        expect(page.locator("[data-page=register] form")).to_be_visible(timeout=SLOW_MS)
        page.fill("input[name=phone]", "13912345678")
        page.fill("input[name=password]", "守望相助共建家园")
        page.fill("input[name=name]", "李明")
        homes = page.locator("[data-test=home-places]")
        homes.locator("[data-test=home-estate]").select_option(label="黄金花园")
        homes.locator("[data-test=home-building]").select_option(label="3栋")
        homes.scroll_into_view_if_needed()
        shot(page, screenshots, "places-register-phone")
        page.check("input[name=consent]")
        page.click("button[type=submit]")
        expect(page.locator("[data-page=login]")).to_be_visible(timeout=SLOW_MS)
        assert errors == []
    finally:
        context.close()

    lat, lng, building = stored(
        live_server,
        "SELECT person.home_lat, person.home_lng, place.name FROM person"
        " JOIN place ON place.id = person.home_place_id WHERE person.name = :name",
        name="李明",
    )
    place_lat, place_lng = stored(
        live_server,
        "SELECT b.lat, b.lng FROM place b JOIN place e ON e.id = b.estate_id"
        " WHERE e.name = '黄金花园' AND b.name = '3栋'",
    )
    assert (lat, lng, building) == (place_lat, place_lng, "3栋")
