"""A member's assignments in published runs: read, confirm, decline, log hours."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from api.services.errors import Conflict, Invalid
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


#: hours a member may log beyond the task's own length (a visit that ran over); more needs a
#: coordinator (``approve_hours``)
HOURS_MARGIN = 1.0


def task_hours(assignment: Assignment) -> float:
    """The length of the task, in hours."""
    return (assignment.ends_at - assignment.starts_at).total_seconds() / 3600


def log_hours(
    *, session: Session, assignment: Assignment, hours: float, actor: UserAccount
) -> Assignment:
    """The assignee records the hours served on a confirmed task that has begun; it becomes
    done. At most the task's length plus ``HOURS_MARGIN``; a coordinator may record more."""
    if assignment.status not in (AssignmentStatus.CONFIRMED, AssignmentStatus.DONE):
        current = assignment.status
        raise Conflict(
            f"任务现为「{ASSIGNMENT_STATUS_ZH[current]}」，确认接单并服务后才能登记时长",
            f"The assignment is {current.value}; hours are logged on a confirmed task",
        )
    if assignment.starts_at > utcnow():
        raise Conflict(
            "任务尚未开始，不能登记服务时长", "The assignment has not started; log hours after it"
        )
    most = round(task_hours(assignment) + HOURS_MARGIN, 2)
    if hours > most:
        raise Invalid(
            f"这项任务最多可登记 {most:g} 小时；更长的服务请联系协调人登记",
            f"At most {most:g} hours can be logged for this task; ask the coordinator for more",
            "hours",
        )
    return _record_hours(session=session, assignment=assignment, hours=hours, actor=actor)


def approve_hours(
    *, session: Session, assignment: Assignment, hours: float, actor: UserAccount
) -> Assignment:
    """A coordinator records the hours served on a task that has begun, whatever its length
    (a visit that took the whole afternoon); it becomes done."""
    if assignment.starts_at > utcnow():
        raise Conflict(
            "任务尚未开始，不能登记服务时长", "The assignment has not started; log hours after it"
        )
    return _record_hours(session=session, assignment=assignment, hours=hours, actor=actor)


def _record_hours(
    *, session: Session, assignment: Assignment, hours: float, actor: UserAccount
) -> Assignment:
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
