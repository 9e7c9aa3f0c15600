"""What every edit of a community's rows shares: checks on the fields given, and the write
with its audit record."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from api.services.errors import Invalid
from models import audit
from models.community import Grid
from models.team import Team
from models.user import UserAccount

T = TypeVar("T", Grid, Team)


def check_grid(session: Session, community_id: int, grid_id: int | None) -> Grid | None:
    """The grid named in a body, which must belong to the community (422 otherwise)."""
    return _of_community(session, Grid, community_id, grid_id, "网格", "grid", "grid_id")


def check_team(session: Session, community_id: int, team_id: int | None) -> Team | None:
    """The team named in a body, which must belong to the community (422 otherwise)."""
    return _of_community(session, Team, community_id, team_id, "团队", "team", "team_id")


def _of_community(
    session: Session,
    model: type[T],
    community_id: int,
    row_id: int | None,
    zh: str,
    en: str,
    field: str,
) -> T | None:
    if row_id is None:
        return None
    row = session.get(model, row_id)
    if row is None or getattr(row, "community_id", None) != community_id:
        raise Invalid(f"该社区没有这个{zh}", f"No such {en} in this community", field)
    return row


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
