"""Fixtures for the browser tests: the real app on a free port over a temporary SQLite file
with the demo community, Debian's Chromium driven by Playwright, and screenshots of every page
visited (``build/screenshots/<name>.png``).

Chromium is never downloaded: the tests use ``/usr/bin/chromium`` from the system packages
(``apt-get install chromium chromium-driver``) and are skipped when it is not there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.support.chromium import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    SKIP_REASON,
    browser_missing,
    empty_screenshots,
)
from tests.support.live_server import LiveServer, load_demo, serve

# an expectation waits up to 20 s for the page to reach its state (Playwright's default is
# 5 s): the tests share two cores with the server, Chromium and the other tests
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with the demo community (红光社区, account ``demo``), for one test module."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'tongxin.db'}"
    load_demo(database_url)
    with serve(database_url) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium from the system, headless."""
    # a skip for a missing program, never for a missing package: playwright is a dev
    # dependency, but Chromium comes from the system's packages and is never downloaded
    if browser_missing():
        pytest.skip(SKIP_REASON)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the tests save what each page looked like; emptied once per run. Under
    pytest-xdist the workers share it, so the controller empties it before they start
    (``tests/conftest.py``) and a worker only makes sure it is there."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    else:
        empty_screenshots()
    return SCREENSHOTS
