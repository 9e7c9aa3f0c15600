"""Request dependencies: the database session, the caller, and the caller's scope.

Scope is decided from the account (``models.user``):

| role | reads | changes |
|---|---|---|
| street admin | every community of their street | the same |
| coordinator | their communities | the same |
| grid leader | people and wishes of their grids | nothing |
| member | themselves and their own assignments | their availability and assignments |

An object outside the caller's scope answers 404, exactly as an unknown id does. A role that
may never use a route at all (a member on a coordinator's list) answers 403, whatever the id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from api.services.security import read_access_token
from api.settings import Settings
from api.web.errors import Forbidden, NotAuthenticated, NotFound
from models.community import Community, Grid
from models.person import Person
from models.user import UserAccount, UserRole

#: ids in paths: positive and within a 32-bit integer column, so no id reaches the database
#: as a value it cannot hold
MAX_ID = 2**31 - 1


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed if the handler succeeds, rolled back if it raises."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


#: ``scope="function"``: the session commits before the response is sent, so a client that
#: reads right after a write sees it (by default the teardown of a ``yield`` dependency runs
#: after the response has gone out)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def current_user(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> UserAccount:
    """The account of a valid bearer token; 401 for none, an expired one or a closed account."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if not token:
        raise NotAuthenticated(**challenge)
    user_id = read_access_token(token, secret_key=settings.secret_key)
    user = session.get(UserAccount, user_id) if user_id is not None else None
    if user is None or not user.active:
        raise NotAuthenticated(
            "登录已失效，请重新登录", "Invalid or expired token; log in again", **challenge
        )
    return user


CurrentUser = Annotated[UserAccount, Depends(current_user)]

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


# scope ---------------------------------------------------------------------------------------


def community_ids_for(user: UserAccount) -> set[int] | None:
    """The communities whose data the account may read and change as a coordinator.

    A street admin gets the communities of their street, a coordinator their own; a grid
    leader or member gets an empty set (they reach single grids or themselves, see
    ``grid_ids_for`` and ``require_member``). ``None`` would mean every community; no role has
    that reach today, but callers should treat it so.
    """
    if user.role == UserRole.STREET_ADMIN:
        return {c.id for c in user.street.communities} if user.street is not None else set()
    if user.role == UserRole.COORDINATOR:
        return {c.id for c in user.communities}
    return set()


def grid_ids_for(user: UserAccount) -> set[int]:
    """The grids a grid leader reads; empty for every other role."""
    if user.role == UserRole.GRID_LEADER:
        return {g.id for g in user.grids}
    return set()


def readable_community_ids(user: UserAccount) -> set[int]:
    """Communities where the account reads something: its own, or those of its grids."""
    ids = community_ids_for(user) or set()
    if user.role == UserRole.GRID_LEADER:
        ids |= {g.community_id for g in user.grids}
    return ids


def in_scope(user: UserAccount, community_id: int) -> bool:
    scope = community_ids_for(user)
    return scope is None or community_id in scope


def require_coordinator(session: Session, user: UserAccount, community_id: int) -> Community:
    """The community if ``user`` coordinates it (or administers its street), else 404."""
    community = session.get(Community, community_id) if 0 < community_id <= MAX_ID else None
    if community is None or not in_scope(user, community.id):
        raise NotFound()
    return community


def require_reader(session: Session, user: UserAccount, community_id: int) -> Community:
    """The community if ``user`` reads anything in it (coordinators and its grid leaders)."""
    community = session.get(Community, community_id) if 0 < community_id <= MAX_ID else None
    if community is None or community.id not in readable_community_ids(user):
        raise NotFound()
    return community


def require_member(user: UserAccount) -> Person:
    """The person behind a member's account; 403 for the other roles."""
    if user.role != UserRole.MEMBER or user.person is None:
        raise Forbidden("只有报到的党员和志愿者可以使用", "Only registered members may do this")
    return user.person


def grids_of(session: Session, community_id: int) -> list[Grid]:
    return list(
        session.scalars(sa.select(Grid).where(Grid.community_id == community_id).order_by(Grid.id))
    )


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
