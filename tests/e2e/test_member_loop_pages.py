"""The member's loop on the phone, in Chromium: a member claims an open shift, another declines
a shift, a replacement accepts it and a third finds it taken; the check-in page answers with
the server's words. Against the real app over a week that has not begun (next week), so the
places are still open. Screenshots go to ``build/screenshots/loop-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from api.services.checkin import code_for
from api.services.security import hash_password
from api.settings import Settings
from models.db import create_all, make_engine, make_session_factory
from tests.support.chromium import PHONE, SKIP_REASON, browser_missing, shot
from tests.support.http_world import PASSWORD
from tests.support.live_server import LiveServer, serve
from tests.support.member_loop import LoopWorld, build, next_monday

if browser_missing():
    pytest.skip(SKIP_REASON, allow_module_level=True)


@pytest.fixture(scope="module")
def loop_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LoopWorld]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('loop') / 'tongxin.db'}"
    engine = make_engine(database_url)
    create_all(engine)
    with make_session_factory(engine)() as session:
        world = build(session, hash_password(PASSWORD), week_start=next_monday())
    engine.dispose()
    with serve(database_url) as server:
        yield server, world


@pytest.fixture
def phone_of(browser: Any, loop_world: tuple[LiveServer, LoopWorld]) -> Iterator[Any]:
    """``phone_of(name)``: a phone of its own, logged in as that member."""
    server, world = loop_world
    contexts: list[Any] = []

    def open_phone(name: str) -> Any:
        context = browser.new_context(
            base_url=server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        page.goto("/m/#/login")
        page.fill("input[name=username]", world.users[name].username)
        page.fill("input[name=password]", PASSWORD)
        page.click("[data-test=login-submit]")
        expect(page.locator("[data-page=assignments]")).to_be_visible()
        return page

    yield open_phone
    for context in contexts:
        context.close()


def test_claim_decline_and_a_replacement_accepts(
    phone_of: Any, loop_world: tuple[LiveServer, LoopWorld], screenshots: Path
) -> None:
    _, world = loop_world
    # 王芳 claims the evening patrol from the places near her
    wang = phone_of("王芳")
    wang.goto("/m/#/work")
    patrol = wang.locator(f'[data-seat="shift-{world.patrol.id}-0"]')
    expect(patrol).to_contain_text("治安巡逻")
    expect(patrol).to_contain_text("还差 2 人")
    # the shift the weekly plan fills alone is not offered to claim
    expect(wang.locator(f'[data-seat="shift-{world.desk.id}-0"]')).to_have_count(0)
    shot(wang, screenshots, "loop-open-work")
    patrol.locator("[data-test=claim]").click()
    expect(wang.locator(".toast").last).to_contain_text("已接下")
    expect(wang.locator(f'[data-seat="shift-{world.patrol.id}-0"]')).to_have_count(0)
    wang.goto("/m/#/assignments")
    mine = wang.locator(".assignment", has_text="治安巡逻")
    expect(mine.locator("[data-test=status]")).to_have_text("已确认")

    # 张伟 cannot come on Saturday and declines, with a reason
    zhang = phone_of("张伟")
    card = zhang.locator(f'[data-assignment="{world.on_vanguard.id}"]')
    card.locator("[data-test=decline]").click()
    card.locator("textarea[name=reason]").fill("周六单位加班")
    card.locator("button[type=submit]").click()
    expect(zhang.locator(".toast").last).to_contain_text("已谢绝")
    expect(card.locator("[data-test=status]")).to_have_text("已谢绝")

    # 李强 is asked to take it over and accepts
    li = phone_of("李强")
    li.goto("/m/#/work")
    offer = li.locator(".offer", has_text="党员先锋岗")
    expect(offer).to_have_count(1)
    shot(li, screenshots, "loop-offer")
    offer.locator("[data-test=accept-offer]").click()
    expect(li.locator(".toast").last).to_contain_text("已接下")
    li.goto("/m/#/assignments")
    expect(
        li.locator(".assignment", has_text="党员先锋岗").locator("[data-test=status]")
    ).to_have_text("已确认")

    # 刘洋 was asked too: the offer is gone, the shift is full, and the decliner is never asked
    liu = phone_of("刘洋")
    liu.goto("/m/#/work")
    expect(liu.locator("[data-page=work] h2").first).to_be_visible()
    expect(liu.locator(".offer")).to_have_count(0)
    expect(liu.locator(f'[data-seat="shift-{world.vanguard.id}-0"]')).to_have_count(0)
    zhang.goto("/m/#/work")
    expect(zhang.locator("[data-page=work] h2").first).to_be_visible()
    expect(zhang.locator(".offer")).to_have_count(0)
    for page in (wang, zhang, li, liu):
        assert page.errors == []


def test_the_check_in_page_answers_with_the_servers_words(
    phone_of: Any, loop_world: tuple[LiveServer, LoopWorld], screenshots: Path
) -> None:
    _, world = loop_world
    zhang = phone_of("张伟")
    zhang.goto("/m/#/check-in?code=AAAAAA")
    expect(zhang.locator("input[name=code]")).to_have_value("AAAAAA")
    zhang.click("[data-test=check-in]")
    expect(zhang.locator("[data-test=checkin-result]")).to_contain_text("签到码不对")
    # his own wish visit's code (its QR code opens this page with it): too early for now
    # the server's secret, as its settings read it in this process
    secret = Settings(env="test", database_url="sqlite://").secret_key
    code = code_for(demand_kind="wish", demand_id=world.wish.id, secret_key=secret)
    zhang.goto(f"/m/#/check-in?code={code}")
    zhang.click("[data-test=check-in]")
    expect(zhang.locator("[data-test=checkin-result]")).to_contain_text("还没到签到时间")
    shot(zhang, screenshots, "loop-check-in")
    assert zhang.errors == []
