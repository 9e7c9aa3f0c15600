"""服务岗位: a community's posts and their weekly shift templates (coordinators only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from api.schemas.common import TimeWindow
from api.schemas.posts import PostCreate, PostPublic, PostUpdate, TemplatePublic
from api.services import posts as crud
from api.web.deps import IdPath, SessionDep, require_coordinator
from api.web.permissions import ManagerDep

router = APIRouter(tags=["posts 服务岗位"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}


@router.get(
    "/communities/{community_id}/posts", response_model=list[PostPublic], responses=NOT_FOUND
)
def list_posts(session: SessionDep, user: ManagerDep, community_id: IdPath) -> list[PostPublic]:
    """The community's posts with their templates."""
    require_coordinator(session, user, community_id)
    return [
        PostPublic.of(p)
        for p in crud.list_posts(session=session, user=user, community_id=community_id)
    ]


@router.post(
    "/communities/{community_id}/posts",
    response_model=PostPublic,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
def create_post(
    session: SessionDep, user: ManagerDep, community_id: IdPath, data: PostCreate
) -> PostPublic:
    """Add a post (党员先锋岗, 治安巡逻 …) with its weekly shift templates."""
    community = require_coordinator(session, user, community_id)
    return PostPublic.of(
        crud.create_post(session=session, community=community, data=data, actor=user)
    )


@router.get("/posts/{post_id}", response_model=PostPublic, responses=NOT_FOUND)
def read_post(session: SessionDep, user: ManagerDep, post_id: IdPath) -> PostPublic:
    return PostPublic.of(crud.get_post(session=session, user=user, post_id=post_id))


@router.patch("/posts/{post_id}", response_model=PostPublic, responses=NOT_FOUND)
def update_post(
    session: SessionDep, user: ManagerDep, post_id: IdPath, data: PostUpdate
) -> PostPublic:
    """Change a post; ``active: false`` stops new shifts and keeps its history."""
    post = crud.get_post(session=session, user=user, post_id=post_id)
    return PostPublic.of(crud.update_post(session=session, post=post, data=data, actor=user))


@router.post(
    "/posts/{post_id}/templates",
    response_model=TemplatePublic,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, 409: {"description": "a template already starts then"}},
)
def add_template(
    session: SessionDep, user: ManagerDep, post_id: IdPath, data: TimeWindow
) -> TemplatePublic:
    """Add a weekly recurrence of the post: ``{"weekday": 5, "start": "08:30", "end": "11:30"}``."""
    post = crud.get_post(session=session, user=user, post_id=post_id)
    return TemplatePublic.of(crud.add_template(session=session, post=post, window=data, actor=user))
