"""The HTTP API: ``create_app`` builds it; ``tongxin serve`` runs it with uvicorn.

Every module of ``api.web.routes`` that defines ``router`` is mounted under ``/api/v1``, in order
of module name, so a new resource is one new file. OpenAPI is at ``/docs``. The browser
pages (``api.web.pages``) are served beside it: ``/console/`` and ``/m/``.

    uvicorn --factory api.web.app:create_app
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

import api.web.routes
from api.services.security import LoginThrottle
from api.settings import Settings
from api.web import errors, pages
from models.db import make_engine, make_session_factory, pool_options

API_PREFIX = "/api/v1"


def route_modules() -> list[Any]:
    """The modules of ``api.web.routes`` that define a ``router``, sorted by name."""
    found = []
    for info in sorted(pkgutil.iter_modules(api.web.routes.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{api.web.routes.__name__}.{info.name}")
        if isinstance(getattr(module, "router", None), APIRouter):
            found.append(module)
    return found


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The API on ``settings.database_url`` (or on ``engine``, which tests pass).

    Making the engine opens no connection; the first request does.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # an admitted request holds one thread and one connection: as many of each as may enter
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="同心 Tongxin",
        description=(
            "社区服务排班：报到、微心愿、服务岗位、主题服务月、排班。"
            "Community service scheduling: registration, wishes, posts, themed months, schedules."
        ),
        version="0.1.0",
        docs_url="/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.settings = settings
    use_database(
        app,
        engine
        or make_engine(
            settings.database_url,
            **pool_options(settings.database_url, settings.web_threads, settings.db_wait_seconds),
        ),
    )
    app.state.login_throttle = LoginThrottle(
        per_username=settings.login_attempts,
        per_address=settings.login_attempts_per_address,
        window_seconds=settings.login_window_seconds,
    )
    errors.install(app)
    app.add_middleware(errors.BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        errors.Admission,
        inside=settings.web_threads,
        max_waiting=settings.max_waiting_requests,
        wait_seconds=settings.queue_wait_seconds,
    )
    for module in route_modules():
        app.include_router(module.router, prefix=API_PREFIX)
    # the browser pages (/console/, /m/, /static) call the API above; see docs/pages.md
    pages.install(app)
    return app


def use_database(app: FastAPI, engine: Engine) -> None:
    """Serve ``app`` from the database of ``engine``: every request's session comes from it.

    ``create_app`` calls it once. The tests call it again to serve one app over a new database
    per test: FastAPI prepares a route the first time a request reaches it in an app, about half
    a second for the routes of a first request, which a new app per test would pay every time.
    """
    app.state.engine = engine
    # a request that may write takes SQLite's write lock at BEGIN; one that only reads never does
    app.state.session_factory = make_session_factory(engine, write_lock_at_begin=True)
    app.state.read_session_factory = make_session_factory(engine, reading=True)
