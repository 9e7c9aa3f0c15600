"""Where the browser tests find Chromium, how they start it, and the screens they use.

Kept out of ``conftest.py`` so that test modules import them by name: two test folders each
have a ``conftest``, and importing from it picks whichever was loaded first.
"""

from __future__ import annotations

from pathlib import Path

from live_server import REPO

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
