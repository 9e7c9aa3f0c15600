"""The 结对 page in a real browser: the coordinator of the demo community sees its standing
pairs, proposes pairs for the households without one (each with its reasons), confirms one, and
opens a household's visit history. Saved to ``build/screenshots/console-pairs*.png``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from models import Community, PairStatus, StandingPair, generate_visits
from tests.support.chromium import DESKTOP, SKIP_REASON, browser_missing
from tests.support.live_server import DEMO_COORDINATOR, DEMO_PASSWORD, LiveServer

# a skip for a missing program, never for a missing package
if browser_missing():
    pytest.skip(SKIP_REASON, allow_module_level=True)

WEEK = date(2026, 3, 2)


def with_visits_due(live_server: LiveServer) -> str:
    """Let the demo's confirmed pairs owe this week's visits (as a week's solve would) and give
    the name of a household that has one."""
    with live_server.session() as session:
        community_id = session.scalar(sa.select(Community.id).where(Community.name == "红光社区"))
        assert community_id is not None
        visits = generate_visits(session, community_id, WEEK)
        session.commit()
        assert visits, "the demo's pairs owe visits in its week"
        name = visits[0].pair.household.name
    return name


def test_the_coordinator_proposes_confirms_and_reads_the_visits(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    visited = with_visits_due(live_server)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(15_000)
    page.goto("/console/#/pairs")
    page.fill("input[name=username]", DEMO_COORDINATOR)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-test=login-submit]")

    nav = page.locator("[data-nav=pairs]")
    expect(nav).to_have_text("结对")
    expect(nav).to_have_attribute("aria-current", "page")
    table = page.locator("[data-test=pairs-table]")
    expect(table).to_be_visible()
    # the pairs of the file stand, and households without one are listed
    confirmed = table.locator("tr[data-status=confirmed]")
    assert confirmed.count() > 0
    assert page.locator("[data-test=unpaired] li").count() > 0
    assert table.locator("tr[data-status=proposed]").count() == 0

    page.click("[data-test=propose]")
    expect(page.locator("[data-test=run-figures]")).to_contain_text("需结对")
    expect(page.locator("[data-test=pairs-summary]")).to_contain_text("最佳方案")
    proposed = table.locator("tr[data-status=proposed]")
    expect(proposed.first).to_be_visible()
    # each proposal says why, in a coordinator's words: how far, and what suits
    reasons = proposed.first.locator(".reasons li")
    expect(reasons.first).to_contain_text("住处相距")
    for word in ("bound", "objective", "solver", "flow"):
        assert word not in page.locator("[data-page=pairs]").inner_text()
    shot = screenshots / "console-pairs.png"
    page.screenshot(path=str(shot), full_page=False)

    before = proposed.count()
    first = proposed.first
    pair_id = first.get_attribute("data-pair")
    household = first.locator("td").first.inner_text().splitlines()[0]
    first.locator("[data-test=confirm]").click()
    expect(page.locator(".toast").last).to_contain_text(f"结对 {household}")
    row = table.locator(f"tr[data-pair='{pair_id}']")
    expect(row).to_have_attribute("data-status", "confirmed")
    expect(table.locator("tr[data-status=proposed]")).to_have_count(before - 1)

    # a household whose pair owes a visit this week: its history lists the visit
    table.locator("tr[data-status=confirmed]", has_text=visited).first.locator(
        "[data-test=history]"
    ).click()
    history = page.locator("[data-test=visit-history]")
    expect(history).to_contain_text(f"{visited} 的走访记录")
    expect(history.locator("tr[data-visit]").first).to_contain_text("待认领")
    page.screenshot(path=str(screenshots / "console-pairs-history.png"), full_page=False)
    assert errors == []
    context.close()

    with live_server.session() as session:
        pair = session.get(StandingPair, int(pair_id or 0))
        assert pair is not None and pair.status == PairStatus.CONFIRMED
