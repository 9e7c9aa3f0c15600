"""服务岗位: a community's posts and their weekly shift templates (coordinators only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from api.schemas.common import TimeWindow
from api.schemas.posts import PostCreate, PostPublic, PostUpdate, TemplatePublic
from api.services import posts as service
from api.web.deps import SessionDep
from api.web.permissions import ManagerDep
from api.web.scope import ManagedCommunity, ManagedPost

router = APIRouter(tags=["posts 服务岗位"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}


@router.get(
    "/communities/{community_id}/posts", response_model=list[PostPublic], responses=NOT_FOUND
)
def list_posts(session: SessionDep, community: ManagedCommunity) -> list[PostPublic]:
    """The community's posts with their templates."""
    return [
        PostPublic.of(p) for p in service.list_posts(session=session, community_id=community.id)
    ]


@router.post(
    "/communities/{community_id}/posts",
    response_model=PostPublic,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
def create_post(
    session: SessionDep, user: ManagerDep, community: ManagedCommunity, data: PostCreate
) -> PostPublic:
    """Add a post (党员先锋岗, 治安巡逻 …) with its weekly shift templates."""
    return PostPublic.of(
        service.create_post(session=session, community=community, data=data, actor=user)
    )


@router.get("/posts/{post_id}", response_model=PostPublic, responses=NOT_FOUND)
def read_post(post: ManagedPost) -> PostPublic:
    return PostPublic.of(post)


@router.patch("/posts/{post_id}", response_model=PostPublic, responses=NOT_FOUND)
def update_post(
    session: SessionDep, user: ManagerDep, post: ManagedPost, data: PostUpdate
) -> PostPublic:
    """Change a post; ``active: false`` stops new shifts and keeps its history."""
    return PostPublic.of(service.update_post(session=session, post=post, data=data, actor=user))


@router.post(
    "/posts/{post_id}/templates",
    response_model=TemplatePublic,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, 409: {"description": "a template already starts then"}},
)
def add_template(
    session: SessionDep, user: ManagerDep, post: ManagedPost, data: TimeWindow
) -> TemplatePublic:
    """Add a weekly recurrence of the post: ``{"weekday": 5, "start": "08:30", "end": "11:30"}``."""
    return TemplatePublic.of(
        service.add_template(session=session, post=post, window=data, actor=user)
    )
