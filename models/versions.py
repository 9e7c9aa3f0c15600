"""A counter per community that moves whenever anything its weeks are built from changes.

Caches of a community's week (the console's board and candidates) keep the counter they were
built at and are good as long as it has not moved. Every flush that writes a person (and their
times, skills, categories, dates off), a household, a wish, a post or shift, an activity, an
override, a run or an assignment bumps the counter of the communities those rows belong to, at
the commit of the same transaction: another process sees the new counter exactly when it sees
the new rows.
Writes that bypass the ORM (bulk inserts) call ``bump_versions`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from models.base import Base

#: tables whose rows a week is built from; writes elsewhere (audit, outbox, logins) do not count
WEEK_TABLES = frozenset(
    {
        "community",
        "grid",
        "person",
        "person_availability",
        "person_skill",
        "person_category",
        "person_unavailable_date",
        "household",
        "household_situation",
        "wish",
        "wish_skill",
        "post",
        "post_skill",
        "shift_template",
        "shift",
        "activity",
        "activity_role",
        "override",
        "schedule_run",
        "assignment",
        "team",
        "team_member",
        "community_membership",
    }
)
#: how a row without ``community_id`` reaches its community: its parent, by relationship name
PARENTS = ("community", "team", "person", "household", "wish", "post", "activity", "run", "shift")


class CommunityVersion(Base):
    """How many times a community's week data has changed (a row appears at the first change)."""

    __tablename__ = "community_version"

    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(default=0)


def community_version(session: Session, community_id: int) -> int:
    """The community's counter; 0 before its first change."""
    found = session.scalar(
        sa.select(CommunityVersion.version).where(CommunityVersion.community_id == community_id)
    )
    return int(found or 0)


def bump_versions(session: Session, community_ids: Iterable[int]) -> None:
    """Move the counters of these communities on by one, in id order (so that two writers
    always lock them in the same order)."""
    ids = sorted(set(community_ids))
    if not ids:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:
        raise NotImplementedError(f"Tongxin runs on SQLite or PostgreSQL, not {dialect}")
    for community_id in ids:
        statement = insert(CommunityVersion).values(community_id=community_id, version=1)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[CommunityVersion.community_id],
                set_={"version": CommunityVersion.version + 1},
            )
        )


def _community_of(session: Session, row: Any, depth: int = 0) -> int | None:
    table = getattr(row, "__tablename__", None)
    if table == "community":
        return int(row.id) if row.id is not None else None
    found = getattr(row, "community_id", None)
    if found is not None or depth > 3:
        return int(found) if found is not None else None
    for name in PARENTS:
        parent = getattr(row, name, None) if hasattr(row, name) else None
        if parent is not None:
            return _community_of(session, parent, depth + 1)
    return None


@event.listens_for(Session, "before_flush")
def _note_changed_communities(session: Session, _context: Any, _instances: Any) -> None:
    # afresh for each flush: a flush that fails must not leave its communities behind
    changed: set[int] = set()
    gone: set[int] = set()
    session.info["flushing_communities"] = (changed, gone)
    with session.no_autoflush:
        for row in session.deleted:
            if getattr(row, "__tablename__", None) == "community" and row.id is not None:
                gone.add(int(row.id))
        for row in (*session.new, *session.dirty, *session.deleted):
            if getattr(row, "__tablename__", None) not in WEEK_TABLES:
                continue
            if row in session.dirty and not session.is_modified(row):
                continue
            community_id = _community_of(session, row)
            if community_id is not None:
                changed.add(community_id)


@event.listens_for(Session, "after_flush")
def _keep_changed_communities(session: Session, _context: Any) -> None:
    changed, gone = session.info.pop("flushing_communities", (set(), set()))
    # a new community's id is known only now; its first counter row comes with its first change
    pending: set[int] = session.info.setdefault("changed_communities", set())
    pending |= changed
    pending -= gone


@event.listens_for(Session, "before_commit")
def _bump_changed_communities(session: Session) -> None:
    """The counters move at commit, after the last flush: a transaction holds a counter's row
    lock only while it commits, so two writers of one community never wait for each other
    while each holds what the other needs. A savepoint's release is not the commit."""
    if session.in_nested_transaction():
        return
    session.flush()
    bump_versions(session, session.info.pop("changed_communities", set()))


@event.listens_for(Session, "after_soft_rollback")
def _forget_changed_communities(session: Session, previous: SessionTransaction) -> None:
    # only the whole transaction's end: a savepoint rolled back leaves the others' changes (and
    # counting its own as well moves a counter once too often, which costs a cache rebuild)
    if previous.parent is None:
        session.info.pop("changed_communities", None)
