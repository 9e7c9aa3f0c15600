"""Where the browser tests find Chromium, how they start it, and the screens they use.

Kept out of ``tests/e2e/conftest.py`` because test modules import them, and a ``conftest`` is
for fixtures, not for importing from.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.live_server import REPO

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
