"""微心愿: a community's wish desk. Coordinators record and move wishes; grid leaders read
their grids' wishes. Only a coordinator of the wish's community sees the household's address
and phone (``WishWithContact``); everyone else gets ``WishPublic``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from api.schemas.common import Page
from api.schemas.wishes import (
    FollowUpCreate,
    WishAdvance,
    WishCreate,
    WishPublic,
    WishUpdate,
    WishWithContact,
)
from api.services import wishes as service
from api.services.scope import MAX_ID, coordinates
from api.web.clock import NowDep
from api.web.deps import PageDep, SessionDep
from api.web.permissions import ManagerDep, ReaderDep
from api.web.scope import ManagedCommunity, ManagedWish, ReadableCommunity, ReadableWish
from models.user import UserAccount
from models.wish import Wish, WishStatus

router = APIRouter(tags=["wishes 微心愿"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "not allowed in this status"}}
WishView = WishWithContact | WishPublic


def view(user: UserAccount, wish: Wish) -> WishWithContact | WishPublic:
    # only a coordinator of the wish's own community sees where and whom to visit
    return WishWithContact.of(wish) if coordinates(user, wish.community_id) else WishPublic.of(wish)


@router.get(
    "/communities/{community_id}/wishes", response_model=Page[WishPublic], responses=NOT_FOUND
)
def list_wishes(
    session: SessionDep,
    user: ReaderDep,
    community: ReadableCommunity,
    page: PageDep,
    status: WishStatus | None = None,
    grid_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Page[WishPublic]:
    """The community's wishes (a grid leader: their grids'), earliest deadline first."""
    rows, total = service.list_wishes(
        session=session,
        user=user,
        community_id=community.id,
        status=status,
        grid_id=grid_id,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[WishPublic.of(w) for w in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "/communities/{community_id}/wishes",
    response_model=WishView,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
def create_wish(
    session: SessionDep, user: ManagerDep, community: ManagedCommunity, data: WishCreate
) -> WishWithContact | WishPublic:
    """Record a wish met at the door (status ``recorded``)."""
    wish = service.create_wish(session=session, community=community, data=data, actor=user)
    return view(user, wish)


@router.get("/wishes/{wish_id}", response_model=WishView, responses=NOT_FOUND)
def read_wish(user: ReaderDep, wish: ReadableWish) -> WishWithContact | WishPublic:
    """One wish; with the household's contact for a coordinator of its community."""
    return view(user, wish)


@router.patch("/wishes/{wish_id}", response_model=WishView, responses={**NOT_FOUND, **CONFLICT})
def update_wish(
    session: SessionDep, user: ManagerDep, wish: ManagedWish, data: WishUpdate
) -> WishWithContact | WishPublic:
    """Correct a wish that is not yet done."""
    service.update_wish(session=session, wish=wish, data=data, actor=user)
    return view(user, wish)


@router.post(
    "/wishes/{wish_id}/advance", response_model=WishView, responses={**NOT_FOUND, **CONFLICT}
)
def advance_wish(
    session: SessionDep, user: ManagerDep, wish: ManagedWish, data: WishAdvance, now: NowDep
) -> WishWithContact | WishPublic:
    """Move the wish on: recorded → verified → open → assigned → done → followed_up. Done
    (办结) only once the published visit has begun (409 before)."""
    service.advance_wish(session=session, wish=wish, to=data.status, actor=user, now=now)
    return view(user, wish)


@router.post(
    "/wishes/{wish_id}/follow-up",
    response_model=WishView,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
)
def follow_up(
    session: SessionDep, user: ManagerDep, wish: ManagedWish, data: FollowUpCreate
) -> WishWithContact | WishPublic:
    """回访: record the resident's rating (1–5) of a done wish; the first visit closes it."""
    service.follow_up(session=session, wish=wish, data=data, actor=user)
    return view(user, wish)
