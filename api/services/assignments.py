"""A member's assignments in published runs: read, confirm, decline, log hours."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from api.services.errors import Conflict
from api.services.scope import own_assignments
from models import audit
from models.base import utcnow
from models.schedule import (
    ASSIGNMENT_STATUS_ZH,
    Assignment,
    AssignmentStatus,
    ScheduleRun,
    StatusError,
)
from models.user import UserAccount


def list_own(
    *, session: Session, person_id: int, week_start: date | None = None
) -> list[Assignment]:
    """The person's published assignments, earliest first, of one week if given."""
    query = own_assignments(person_id)
    if week_start is not None:
        query = query.where(ScheduleRun.week_start == week_start)
    return list(session.scalars(query.order_by(Assignment.starts_at, Assignment.id)))


def _move(
    *,
    session: Session,
    assignment: Assignment,
    to: AssignmentStatus,
    actor: UserAccount,
    reason: str = "",
) -> None:
    before = audit.snapshot(assignment)
    try:
        assignment.advance(to)
    except StatusError:
        current = assignment.status
        raise Conflict(
            f"任务已是「{ASSIGNMENT_STATUS_ZH[current]}」，不能改为「{ASSIGNMENT_STATUS_ZH[to]}」",
            f"The assignment is {current.value} and cannot become {to.value}",
        ) from None
    audit.record(
        session,
        action=f"assignment.{to.value}",
        row=assignment,
        actor=actor,
        community_id=assignment.run.community_id,
        before=before,
        after={**audit.snapshot(assignment), **({"reason": reason} if reason else {})},
    )


def confirm(*, session: Session, assignment: Assignment, actor: UserAccount) -> Assignment:
    """The assignee accepts: proposed → confirmed."""
    _move(session=session, assignment=assignment, to=AssignmentStatus.CONFIRMED, actor=actor)
    return assignment


def decline(
    *, session: Session, assignment: Assignment, actor: UserAccount, reason: str = ""
) -> Assignment:
    """The assignee cannot come: proposed or confirmed → declined; the reason goes to the log."""
    _move(
        session=session,
        assignment=assignment,
        to=AssignmentStatus.DECLINED,
        actor=actor,
        reason=reason,
    )
    return assignment


def log_hours(
    *, session: Session, assignment: Assignment, hours: float, actor: UserAccount
) -> Assignment:
    """Record hours served on an assignment that has begun; it becomes done."""
    if assignment.starts_at > utcnow():
        raise Conflict(
            "任务尚未开始，不能登记服务时长", "The assignment has not started; log hours after it"
        )
    before = audit.snapshot(assignment)
    if assignment.status != AssignmentStatus.DONE:
        try:
            assignment.advance(AssignmentStatus.DONE)
        except StatusError:
            current = assignment.status
            raise Conflict(
                f"任务已是「{ASSIGNMENT_STATUS_ZH[current]}」，不能登记服务时长",
                f"The assignment is {current.value}; hours cannot be logged",
            ) from None
    assignment.hours_served = hours
    audit.record(
        session,
        action="assignment.hours",
        row=assignment,
        actor=actor,
        community_id=assignment.run.community_id,
        before=before,
    )
    return assignment
