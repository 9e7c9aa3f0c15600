"""The browser pages: the coordinator console (``/console/``) and the volunteer phone pages
(``/m/``), served by the same app as the JSON API they call.

Each page is a small HTML shell plus plain ES modules and CSS under ``static/`` (mounted at
``/static``): no build step, no third-party script, no web font, nothing fetched from another
origin, so the pages work on a community office's offline network. The shells carry a Content
Security Policy that holds the pages to that: scripts, styles, images and API calls from this
origin only.

    install(app)   # in ``api.web.app.create_app``
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

PAGES = Path(__file__).resolve().parent
STATIC = PAGES / "static"
SHELLS = PAGES / "shells"

#: Every page loads from its own origin only. ``blob:`` lets a page hand the browser a file it
#: fetched with the login token (an Excel export, the calendar feed); ``data:`` lets SVG
#: drawings use inline images. Inline scripts and styles are refused.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

SHELL_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # a shell is tiny; always asking again means a new release is picked up at once
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

router = APIRouter(include_in_schema=False)


def _shell(name: str) -> FileResponse:
    return FileResponse(SHELLS / name, media_type="text/html; charset=utf-8", headers=SHELL_HEADERS)


@router.get("/")
def home() -> RedirectResponse:
    """The root opens the coordinator console (``/console`` and ``/m`` without the slash are
    redirected by the router itself)."""
    return RedirectResponse("/console/", status_code=307)


@router.get("/console/")
def console() -> FileResponse:
    """协调人工作台 The coordinator console: week board, wishes, map, people, dashboard."""
    return _shell("console.html")


@router.get("/m/")
def mobile() -> FileResponse:
    """志愿者手机页 The volunteer pages: register, log in, free times, assignments."""
    return _shell("mobile.html")


def install(app: FastAPI) -> None:
    """Serve the page shells and mount ``static/`` at ``/static`` on ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
