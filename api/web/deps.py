"""Request dependencies: the settings, the database session, the caller, ids in paths, the
Monday of a week, and pages of a list.

Which objects the caller reaches is ``api.web.scope``; which roles may use a route at all is
``api.web.permissions``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.orm import Session, joinedload
from starlette.concurrency import run_in_threadpool

from api.services.errors import Busy, Invalid, NotAuthenticated
from api.services.scope import MAX_ID
from api.services.security import read_access_token
from api.settings import Settings
from api.web import errors
from models.user import UserAccount

T = TypeVar("T")


async def get_settings(request: Request) -> Settings:
    """The app's settings (``async``: it never blocks, so it needs no worker thread)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


#: methods that only read: their sessions never take SQLite's write lock
READING = frozenset({"GET", "HEAD", "OPTIONS"})


@contextmanager
def request_session(request: Request) -> Iterator[Session]:
    """One session per request: committed if the handler succeeds, rolled back if it raises.

    A request that may write (POST, PUT, PATCH, DELETE) begins with SQLite's write lock, so
    writers wait their turn instead of failing; a request that only reads never takes it."""
    state = request.app.state
    reading = request.method in READING
    factory = state.read_session_factory if reading else state.session_factory
    session: Session = factory()
    try:
        yield session
        if not reading:
            _before_the_deadline(request, state.settings.request_deadline_seconds)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_session(request: Request) -> Iterator[Session]:
    """The request's session (``request_session``) as a dependency."""
    with request_session(request) as session:
        yield session


async def in_request_thread(request: Request, work: Callable[[Session], T]) -> T:
    """``work`` with the request's session, as ``SessionDep`` gives it, in one request thread.

    For a hot route: a route with ``SessionDep``, ``CurrentUser`` and a plain ``def`` goes
    from the event loop to a thread and back four times (the session's start and end, the
    caller, the handler); this goes once."""

    def in_thread() -> T:
        with request_session(request) as session:
            return work(session)

    return await run_in_threadpool(in_thread)


def _before_the_deadline(request: Request, deadline_seconds: float) -> None:
    """Refuse to commit a write its client has probably stopped waiting for."""
    arrived = getattr(request.state, errors.ARRIVED, None)
    if arrived is not None and time.monotonic() - arrived > deadline_seconds:
        raise Busy(**{"Retry-After": str(errors.RETRY_AFTER_S)})


#: ``scope="function"``: the session commits before the response is sent, so a client that
#: reads right after a write sees it (by default the teardown of a ``yield`` dependency runs
#: after the response has gone out)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


@cache
def _account_query() -> Select[UserAccount]:
    """An account by id, with a member's person in the same query (nearly every member
    request reads it); built once, as every authenticated request runs it."""
    return (
        select(UserAccount)
        .options(joinedload(UserAccount.person))
        .where(UserAccount.id == bindparam("user_id", type_=Integer))
    )


#: the bearer token of the request, if any (and the scheme in the OpenAPI document)
BearerToken = Annotated[str | None, Depends(oauth2_scheme)]


def authenticate(*, session: Session, settings: Settings, token: str | None) -> UserAccount:
    """The account of a valid bearer token; 401 for none, an expired one or a closed account."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if not token:
        raise NotAuthenticated(**challenge)
    user_id = read_access_token(token, secret_key=settings.secret_key)
    user = (
        session.scalars(_account_query(), {"user_id": user_id}).unique().one_or_none()
        if user_id is not None
        else None
    )
    if user is None or not user.active:
        raise NotAuthenticated(
            "登录已失效，请重新登录", "Invalid or expired token; log in again", **challenge
        )
    return user


def current_user(session: SessionDep, settings: SettingsDep, token: BearerToken) -> UserAccount:
    """The caller's account (``authenticate``)."""
    return authenticate(session=session, settings=settings, token=token)


CurrentUser = Annotated[UserAccount, Depends(current_user)]

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


# weeks ---------------------------------------------------------------------------------------

#: weeks Tongxin plans: wide enough for any real calendar, narrow enough that date arithmetic
#: on a week (its Sunday, its quarter) never leaves Python's calendar
FIRST_WEEK, LAST_WEEK = date(2000, 1, 3), date(2199, 12, 30)


def week_start_monday(
    week_start: Annotated[date, Path(description="the Monday of the week, e.g. 2026-03-02")],
) -> date:
    """The week named in the path: a Monday within the weeks Tongxin plans (422 otherwise)."""
    if not FIRST_WEEK <= week_start <= LAST_WEEK:
        raise Invalid(
            f"周一须在 {FIRST_WEEK} 到 {LAST_WEEK} 之间",
            f"the Monday must lie between {FIRST_WEEK} and {LAST_WEEK}",
            "week_start",
            location="path",
        )
    if week_start.weekday() != 0:
        raise Invalid(
            f"一周须从周一开始，{week_start} 不是周一",
            f"a week starts on a Monday; {week_start} is not one",
            "week_start",
            location="path",
        )
    return week_start


WeekStart = Annotated[date, Depends(week_start_monday)]


# pages ---------------------------------------------------------------------------------------


class Pagination:
    """``limit`` and ``offset`` from the query; ``limit`` above ``max_page_size`` is a 422."""

    def __init__(
        self,
        settings: SettingsDep,
        limit: Annotated[int, Query(ge=1, le=MAX_ID, description="≤ max_page_size")] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    ):
        if limit > settings.max_page_size:
            raise RequestValidationError(
                [
                    {
                        "type": "page_too_large",
                        "loc": ("query", "limit"),
                        "msg": f"at most {settings.max_page_size}",
                        "input": limit,
                        "ctx": {"le": settings.max_page_size},
                    }
                ]
            )
        self.limit = limit
        self.offset = offset


PageDep = Annotated[Pagination, Depends()]
