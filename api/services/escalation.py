"""Wish deadlines (限时办结): when a wish is at risk, and who answers for it.

A wish is at risk when it has no helper in the published plan, or a helper who has not
confirmed, or a visit after its deadline; a wish whose helpers confirmed a visit in time never
escalates. At risk, it goes up one level a day as its deadline nears and passes (seed 000):
its grid's leader, the community, the street, civil affairs (民政). Each step is an audit
entry (``wish.escalate``); the worker's job (``api.worker.jobs.escalate_wishes``) takes the
steps and tells each level, and every level reads its queue here (``queue``).
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.services.errors import Forbidden
from models.audit import AuditLog
from models.community import Community
from models.schedule import Assignment, AssignmentStatus, RunStatus, ScheduleRun
from models.user import UserAccount, UserRole
from models.wish import Wish, WishStatus

#: a wish at risk this many days or fewer before its deadline goes to its grid leader
NEAR_DEADLINE_DAYS = 2
#: … and this many days or fewer before it, up to the community
COMMUNITY_DAYS = 1
#: a wish this many days past its deadline goes up to civil affairs
CIVIL_AFFAIRS_AFTER_DAYS = 7
#: wishes whose deadline matters: not yet done
LATE_WISH_STATUSES = (WishStatus.OPEN, WishStatus.ASSIGNED)


class Level(IntEnum):
    """Who answers for a wish at risk (seed 000): grid → community → street → civil affairs.
    ``NONE``: not escalated (the helpers are on it, or the deadline is far)."""

    NONE = -1
    GRID = 0
    COMMUNITY = 1
    STREET = 2
    CIVIL_AFFAIRS = 3


LEVEL_NAMES = {
    Level.NONE: "none",
    Level.GRID: "grid",
    Level.COMMUNITY: "community",
    Level.STREET: "street",
    Level.CIVIL_AFFAIRS: "civil_affairs",
}
LEVEL_ZH = {
    Level.NONE: "未上报",
    Level.GRID: "网格",
    Level.COMMUNITY: "社区",
    Level.STREET: "街道",
    Level.CIVIL_AFFAIRS: "民政",
}


def target_level(deadline: date, today: date) -> Level:
    """Where a wish at risk belongs: two days before its deadline its grid leader, the day
    before the community, past it the street, a week past it civil affairs."""
    days_left = (deadline - today).days
    if days_left <= -CIVIL_AFFAIRS_AFTER_DAYS:
        return Level.CIVIL_AFFAIRS
    if days_left < 0:
        return Level.STREET
    if days_left <= COMMUNITY_DAYS:
        return Level.COMMUNITY
    if days_left <= NEAR_DEADLINE_DAYS:
        return Level.GRID
    return Level.NONE


def on_time(session: Session, wish: Wish, zone: ZoneInfo) -> bool:
    """The wish is in hand: the published plan holds helpers for it, every one of them has
    confirmed (or already served), and the visit is on or before the deadline."""
    if wish.status != WishStatus.ASSIGNED:
        return False
    helpers = list(
        session.scalars(
            sa.select(Assignment)
            .join(Assignment.run)
            .where(
                Assignment.wish_id == wish.id,
                ScheduleRun.status == RunStatus.PUBLISHED,
                Assignment.status.in_(
                    (
                        AssignmentStatus.PROPOSED,
                        AssignmentStatus.CONFIRMED,
                        AssignmentStatus.DONE,
                    )
                ),
            )
        )
    )
    return bool(helpers) and all(
        a.status in (AssignmentStatus.CONFIRMED, AssignmentStatus.DONE)
        and a.starts_at.astimezone(zone).date() <= wish.deadline
        for a in helpers
    )


def escalations(session: Session, wish_id: int) -> list[AuditLog]:
    """The wish's escalations, oldest first (kept in the audit log)."""
    return list(
        session.scalars(
            sa.select(AuditLog)
            .where(
                AuditLog.action == "wish.escalate",
                AuditLog.object_type == Wish.__tablename__,
                AuditLog.object_id == str(wish_id),
            )
            .order_by(AuditLog.at, AuditLog.id)
        )
    )


def wish_level(session: Session, wish_id: int) -> Level:
    """The level a wish has reached; none until it was escalated."""
    return level_of(escalations(session, wish_id))


def level_of(found: list[AuditLog]) -> Level:
    return Level((found[-1].after or {}).get("level_rank", Level.NONE)) if found else Level.NONE


#: the level each role answers for
ROLE_LEVEL = {
    UserRole.GRID_LEADER: Level.GRID,
    UserRole.COORDINATOR: Level.COMMUNITY,
    UserRole.STREET_ADMIN: Level.STREET,
    UserRole.CIVIL_AFFAIRS: Level.CIVIL_AFFAIRS,
}


def _reach(user: UserAccount) -> sa.ColumnElement[bool]:
    if user.role == UserRole.GRID_LEADER:
        return Wish.grid_id.in_([g.id for g in user.grids])
    if user.role == UserRole.COORDINATOR:
        return Wish.community_id.in_([c.id for c in user.communities])
    # a street's admins and its civil affairs office: the communities of the street
    return Wish.community_id.in_(
        sa.select(Community.id).where(Community.street_id == user.street_id)
    )


def queue(*, session: Session, user: UserAccount) -> list[tuple[Wish, AuditLog]]:
    """The wishes at the caller's level now, in their reach, nearest deadline first, each with
    the step that brought it there. Members have no queue (403)."""
    level = ROLE_LEVEL.get(user.role)
    if level is None:
        raise Forbidden()
    found = []
    wishes = session.scalars(
        sa.select(Wish)
        .where(_reach(user), Wish.status.in_(LATE_WISH_STATUSES))
        .order_by(Wish.deadline, Wish.id)
    )
    for wish in wishes:
        steps = escalations(session, wish.id)
        if steps and level_of(steps) == level:
            found.append((wish, steps[-1]))
    return found
