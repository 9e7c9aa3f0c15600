"""What every edit of a community's rows shares: checks on the fields given, and the write
with its audit record."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.services.errors import Invalid
from models import audit
from models.community import Grid
from models.user import UserAccount


def check_grid(session: Session, community_id: int, grid_id: int | None) -> Grid | None:
    """The grid named in a body, which must belong to the community (422 otherwise)."""
    if grid_id is None:
        return None
    grid = session.get(Grid, grid_id)
    if grid is None or grid.community_id != community_id:
        raise Invalid("该社区没有这个网格", "No such grid in this community", "grid_id")
    return grid


def refuse_nulls(changes: dict[str, Any], nullable: frozenset[str]) -> None:
    """Only the fields that may be empty may be set to null (422 otherwise)."""
    for key, value in changes.items():
        if value is None and key not in nullable:
            raise Invalid("不能为空", "Cannot be null", key)


def apply_changes(
    *,
    session: Session,
    row: Any,
    changes: dict[str, Any],
    set_fields: frozenset[str],
    action: str,
    actor: UserAccount,
    community_id: int | None,
) -> None:
    """Write the checked changes (``set_fields`` are stored as sets) and audit them."""
    before = audit.snapshot(row)
    for key, value in changes.items():
        setattr(row, key, set(value) if key in set_fields else value)
    audit.record(
        session, action=action, row=row, actor=actor, community_id=community_id, before=before
    )
