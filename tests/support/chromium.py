"""Where the browser tests find Chromium, how they start it, and the screens they use.

Kept out of ``tests/e2e/conftest.py`` because test modules import them, and a ``conftest`` is
for fixtures, not for importing from.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.live_server import DEMO_PASSWORD, REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]
SKIP_REASON = (
    f"浏览器测试已跳过：未找到 {CHROMIUM}（apt-get install chromium chromium-driver 后即可运行）"
    f" · browser tests skipped: {CHROMIUM} not found "
    "(apt-get install chromium chromium-driver to run them)"
)
SCREENSHOTS = REPO / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def browser_missing() -> bool:
    return not CHROMIUM.exists()


def empty_screenshots() -> None:
    """Empty ``build/screenshots`` for a new run; once per run, by one process only."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def shot(page: Any, folder: Path, name: str, *, full_page: bool = False) -> None:
    """Save what the page shows as ``<folder>/<name>.png``, to look at after the run."""
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def log_in_console(page: Any, hash_route: str, username: str) -> None:
    """Open the console at ``#/<hash_route>``, which asks to log in, and log in as a demo
    account (every demo account has the demo password)."""
    page.goto(f"/console/#/{hash_route}")
    expect(page.locator("[data-page=login]")).to_be_visible()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-test=login-submit]")
