"""社区设置与操作记录 A community's settings (auto-publish, when the weekly draft is made,
the walking radius, visiting hours, the quarter's minimum) and its audit log.

Managers of the community only (its coordinators, street admins of its street); anyone else
in scope gets 403, out of scope 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.schemas.common import Page
from api.schemas.settings import AuditEntry, CommunitySettings, CommunitySettingsUpdate
from api.services import audit_trail, community_settings
from api.web.deps import PageDep, SessionDep, SettingsDep
from api.web.permissions import ManagerDep
from api.web.scope import ManagedCommunity

router = APIRouter(tags=["community 社区"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}
AuditKind = Literal["override", "by_hand", "publish", "edit"]


@router.get(
    "/communities/{community_id}/settings", response_model=CommunitySettings, responses=NOT_FOUND
)
def read_settings(
    user: ManagerDep, community: ManagedCommunity, settings: SettingsDep
) -> CommunitySettings:
    """The community's settings; times are HH:MM in its own clock."""
    return community_settings.read(community, settings)


@router.patch(
    "/communities/{community_id}/settings", response_model=CommunitySettings, responses=NOT_FOUND
)
def update_settings(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    data: CommunitySettingsUpdate,
    settings: SettingsDep,
) -> CommunitySettings:
    """Change some settings; a field left out stays. The change is in the audit log."""
    return community_settings.update(
        session=session, community=community, data=data, actor=user, settings=settings
    )


@router.get(
    "/communities/{community_id}/audit", response_model=Page[AuditEntry], responses=NOT_FOUND
)
def read_audit(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    page: PageDep,
    kind: Annotated[
        AuditKind | None, Query(description="overrides, by hand, publishes, edits")
    ] = None,
    actor: Annotated[str | None, Query(max_length=64, description="part of a username")] = None,
) -> Page[AuditEntry]:
    """The community's audit log, newest first: who did what, when, and the reason given."""
    items, total = audit_trail.entries(
        session=session,
        community_id=community.id,
        kind=kind,
        actor=actor,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
