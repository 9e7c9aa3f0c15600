"""The 团队 page in a real browser: the coordinator of the demo community adds a specialist
team, finds a member by name and puts them in it, sees the team's services and hours for a
period, and takes the member out again. Saved to ``build/screenshots/console-teams.png``.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from matcher.domain import PersonKind
from models import (
    Assignment,
    AssignmentStatus,
    Community,
    Person,
    RunStatus,
    ScheduleRun,
    Team,
    TeamMember,
    Wish,
    WishStatus,
)
from tests.support.chromium import DESKTOP, SKIP_REASON, browser_missing
from tests.support.live_server import DEMO_COORDINATOR, DEMO_PASSWORD, LiveServer

# a skip for a missing program, never for a missing package
if browser_missing():
    pytest.skip(SKIP_REASON, allow_module_level=True)

#: a week before the demo's, where nothing else is published
PAST_WEEK = date(2026, 2, 9)


def a_member(live_server: LiveServer) -> tuple[int, str]:
    """A party member of the demo community whose name nobody else shares."""
    with live_server.session() as session:
        community_id = session.scalar(sa.select(Community.id).where(Community.name == "红光社区"))
        people = session.scalars(
            sa.select(Person).where(
                Person.community_id == community_id, Person.kind == PersonKind.PARTY_MEMBER
            )
        ).all()
        names = [p.name for p in people]
        person = next(p for p in people if names.count(p.name) == 1)
        found = (person.id, person.name)
    return found


def an_open_wish(live_server: LiveServer) -> int:
    """An open wish of the demo community that one helper can do."""
    with live_server.session() as session:
        found = session.scalars(
            sa.select(Wish.id)
            .join(Community, Community.id == Wish.community_id)
            .where(
                Community.name == "红光社区",
                Wish.status == WishStatus.OPEN,
                Wish.headcount == 1,
            )
            .order_by(Wish.id)
        ).first()
    assert found is not None
    return found


def served(live_server: LiveServer, person_id: int, hours: float) -> None:
    """A published week in which the member did one service of ``hours`` hours."""
    with live_server.session() as session:
        person = session.get(Person, person_id)
        assert person is not None
        community = person.community
        wish = session.scalars(sa.select(Wish).where(Wish.community_id == community.id)).first()
        assert wish is not None
        run = ScheduleRun(community=community, week_start=PAST_WEEK, status=RunStatus.PUBLISHED)
        starts = community.local_datetime(PAST_WEEK + timedelta(days=5), 9 * 60)
        row = Assignment(
            run=run,
            person=person,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            status=AssignmentStatus.DONE,
        )
        row.demand = wish
        session.add_all([run, row])
        session.commit()


def test_the_coordinator_builds_a_team_and_reads_its_hours(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    person_id, name = a_member(live_server)
    served(live_server, person_id, 2.5)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(15_000)
    page.goto("/console/#/teams")
    page.fill("input[name=username]", DEMO_COORDINATOR)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-test=login-submit]")

    nav = page.locator("[data-nav=teams]")
    expect(nav).to_have_text("团队")
    expect(nav).to_have_attribute("aria-current", "page")
    page.fill("[data-test=team-name]", "法律援助队")
    page.select_option("[data-test=team-kind]", "specialist")
    page.click("[data-test=team-add]")
    expect(page.locator(".toast").last).to_contain_text("已新建团队「法律援助队」")
    card = page.locator("[data-test=teams-list] [data-team]", has_text="法律援助队")
    expect(card).to_contain_text("专业服务队")
    expect(card).to_contain_text("还没有成员")

    card.locator("[data-test=member-search]").fill(name)
    card.locator("[data-test=member-find]").click()
    card.locator(f"[data-person='{person_id}'] [data-test=member-add]").click()
    expect(page.locator(".toast").last).to_contain_text(f"{name} 已加入 法律援助队")
    card = page.locator("[data-test=teams-list] [data-team]", has_text="法律援助队")
    expect(card.locator(f"[data-member='{person_id}']")).to_contain_text(name)

    # 帮帮团: on the wish desk, the team claims an open wish
    wish_id = an_open_wish(live_server)
    page.goto("/console/#/wishes")
    page.locator(f"[data-wish='{wish_id}'] button.link").click()
    claim = page.locator("[data-test=team-claim]")
    claim.locator("[data-test=team-choice]").select_option(label="法律援助队（1）")
    claim.locator("[data-test=team-claim-button]").click()
    expect(page.locator(".toast").last).to_contain_text("已由团队认领")
    expect(page.locator("[data-test=claimed-by]")).to_contain_text("已由「法律援助队」认领")
    page.goto("/console/#/teams")
    card = page.locator("[data-test=teams-list] [data-team]", has_text="法律援助队")
    expect(card.locator(f"[data-member='{person_id}']")).to_contain_text(name)

    page.fill("[data-test=report-first]", "2026-02-01")
    page.fill("[data-test=report-last]", "2026-02-28")
    page.click("[data-test=report-show]")
    line = page.locator("[data-test=team-report-table] tbody tr", has_text="法律援助队")
    expect(line).to_contain_text("2.5")
    cells = line.locator("td")
    expect(cells.nth(2)).to_have_text("1")  # members
    expect(cells.nth(3)).to_have_text("1")  # services
    page.screenshot(path=str(screenshots / "console-teams.png"), full_page=False)

    card.locator(f"[data-member='{person_id}'] [data-test=member-remove]").click()
    expect(page.locator(".toast").last).to_contain_text(f"{name} 已移出 法律援助队")
    expect(
        page.locator("[data-test=teams-list] [data-team]", has_text="法律援助队")
    ).to_contain_text("还没有成员")
    assert errors == []
    context.close()

    with live_server.session() as session:
        team = session.scalars(sa.select(Team).where(Team.name == "法律援助队")).one()
        assert (
            session.scalars(sa.select(TeamMember).where(TeamMember.team_id == team.id)).all() == []
        )
