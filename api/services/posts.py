"""Service posts and their weekly shift templates."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.schemas.common import TimeWindow, minutes
from api.schemas.posts import PostCreate, PostUpdate
from api.services.changes import apply_changes, check_grid, check_team, refuse_nulls
from api.services.errors import Conflict, Invalid
from api.services.places import locate, placed_fields
from models import audit
from models.community import Community
from models.post import Post, ShiftTemplate
from models.user import UserAccount

NULLABLE = frozenset({"grid_id", "radius_m", "team_id"})


def list_posts(*, session: Session, community_id: int) -> list[Post]:
    """A community's posts, in the order they were made."""
    query = (
        sa.select(Post)
        .options(selectinload(Post.templates), selectinload(Post.skill_rows))
        .where(Post.community_id == community_id)
        .order_by(Post.id)
    )
    return list(session.scalars(query))


def _template(window: TimeWindow) -> ShiftTemplate:
    return ShiftTemplate(
        weekday=window.weekday, start_minute=minutes(window.start), end_minute=minutes(window.end)
    )


def create_post(
    *, session: Session, community: Community, data: PostCreate, actor: UserAccount
) -> Post:
    """Add a post with its weekly templates."""
    check_grid(session, community.id, data.grid_id)
    check_team(session, community.id, data.team_id)
    fields = data.model_dump(exclude={"required_skills", "templates"})
    fields |= placed_fields(session, community.id, data.place_id, data.lat, data.lng, data.place)
    post = Post(community=community, **fields, templates=[_template(t) for t in data.templates])
    post.required_skills = set(data.required_skills)
    session.add(post)
    audit.record(session, action="post.create", row=post, actor=actor, community_id=community.id)
    return post


def update_post(*, session: Session, post: Post, data: PostUpdate, actor: UserAccount) -> Post:
    """Change the fields given."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    refuse_nulls(changes, NULLABLE)
    if "grid_id" in changes:
        check_grid(session, post.community_id, changes["grid_id"])
    if "team_id" in changes:
        check_team(session, post.community_id, changes["team_id"])
    if changes.get("place_id") is not None:
        located = locate(
            session, post.community_id, changes["place_id"], changes.get("lat"), changes.get("lng")
        )
        changes["lat"], changes["lng"] = located.lat, located.lng
    if changes.get("max_staff", post.max_staff) < changes.get("min_staff", post.min_staff):
        raise Invalid("最多人数不能少于最少人数", "max_staff is below min_staff", "max_staff")
    apply_changes(
        session=session,
        row=post,
        changes=changes,
        set_fields=frozenset({"required_skills"}),
        action="post.update",
        actor=actor,
        community_id=post.community_id,
    )
    return post


def add_template(
    *, session: Session, post: Post, window: TimeWindow, actor: UserAccount
) -> ShiftTemplate:
    """Add a weekly recurrence; one already starting at that time is a 409."""
    start = minutes(window.start)
    if any(t.weekday == window.weekday and t.start_minute == start for t in post.templates):
        raise Conflict("这个时间已有班次", "A template already starts at that time")
    template = _template(window)
    post.templates.append(template)
    session.flush()
    audit.record(
        session, action="post.template", row=template, actor=actor, community_id=post.community_id
    )
    return template
