"""A member's assignments in published runs: read, confirm, log hours (declining is in
``claims``: it hands the seat on)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.schemas.assignments import Contact, MyAssignment
from api.services import loop_events, messages
from api.services.errors import Conflict, Invalid
from api.services.problem import LIVE_STATUSES
from api.services.scope import own_assignments
from models import audit
from models.base import utcnow
from models.schedule import (
    ASSIGNMENT_STATUS_ZH,
    Assignment,
    AssignmentStatus,
    RunStatus,
    ScheduleRun,
    StatusError,
)
from models.user import UserAccount
from models.wish import WishStatus


def list_own(
    *, session: Session, person_id: int, week_start: date | None = None
) -> list[Assignment]:
    """The person's published assignments, earliest first, of one week if given."""
    query = own_assignments(person_id)
    if week_start is not None:
        query = query.where(ScheduleRun.week_start == week_start)
    return list(session.scalars(query.order_by(Assignment.starts_at, Assignment.id)))


def teammates(assignment: Assignment) -> list[str]:
    """The names of the others on the same shift, activity or wish of the same plan."""
    return sorted(
        {
            other.person.name
            for other in assignment.run.assignments
            if other.person_id != assignment.person_id
            and other.demand_kind == assignment.demand_kind
            and other.demand_id == assignment.demand_id
            and other.status in LIVE_STATUSES
        }
    )


def task_cards(*, session: Session, rows: Sequence[Assignment]) -> list[MyAssignment]:
    """The member's tasks as their cards and calendar show them: with who else is on each and
    whom to call (the community's coordinators)."""
    contacts: dict[int, list[Contact]] = {}
    cards = []
    for row in rows:
        community_id = row.run.community_id
        if community_id not in contacts:
            contacts[community_id] = [
                Contact(name=messages.name_of(c), phone=c.phone)
                for c in messages.coordinators(session, community_id)
            ]
        cards.append(
            MyAssignment.of(row, teammates=teammates(row), coordinators=contacts[community_id])
        )
    return cards


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


#: hours a member may log beyond the task's own length (a visit that ran over); more needs a
#: coordinator (``approve_hours``)
HOURS_MARGIN = 1.0


def task_hours(assignment: Assignment) -> float:
    """The length of the task, in hours."""
    return (assignment.ends_at - assignment.starts_at).total_seconds() / 3600


def log_hours(
    *, session: Session, assignment: Assignment, hours: float, actor: UserAccount
) -> Assignment:
    """The assignee records the hours served on a confirmed task that has begun. Checked in
    (签到), the task is done at once; without check-in the hours wait for a coordinator's
    approval (``approve_hours``). At most the task's length plus ``HOURS_MARGIN``."""
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
    if assignment.checked_in_at is None and assignment.status != AssignmentStatus.DONE:
        _set_requested(session, assignment, hours, actor, "assignment.hours_requested")
        return assignment
    return record_hours(session=session, assignment=assignment, hours=hours, actor=actor)


def approve_hours(
    *, session: Session, assignment: Assignment, hours: float, actor: UserAccount
) -> Assignment:
    """A coordinator records the hours served on a task that has begun, whatever its length
    (a visit that took the whole afternoon, hours a member logged without checking in); it
    becomes done. Hours the member asked for may be approved as asked or adjusted; the member
    is told what was approved."""
    if assignment.starts_at > utcnow():
        raise Conflict(
            "任务尚未开始，不能登记服务时长", "The assignment has not started; log hours after it"
        )
    asked = assignment.hours_requested
    record_hours(session=session, assignment=assignment, hours=hours, actor=actor)
    if asked is not None:
        # an adjusted figure says what the member had logged, so that they see the change
        _tell_member(
            session,
            assignment,
            "hours_approved",
            hours=hours,
            asked=asked if asked != hours else None,
        )
    return assignment


def hours_waiting(*, session: Session, community_id: int) -> list[Assignment]:
    """The community's tasks whose hours were logged without check-in and wait for a
    coordinator, in published weeks, the oldest task first."""
    return list(
        session.scalars(
            sa.select(Assignment)
            .join(Assignment.run)
            .where(
                ScheduleRun.community_id == community_id,
                ScheduleRun.status == RunStatus.PUBLISHED,
                Assignment.status == AssignmentStatus.CONFIRMED,
                Assignment.hours_requested.is_not(None),
            )
            .options(selectinload(Assignment.person))
            .order_by(Assignment.starts_at, Assignment.id)
        )
    )


def reject_hours(
    *, session: Session, assignment: Assignment, actor: UserAccount, reason: str = ""
) -> Assignment:
    """A coordinator does not vouch for hours logged without check-in: they are struck off
    and the task stays confirmed (the member may log again, or the coordinator record the
    right hours). The member is told, with the reason given."""
    if assignment.hours_requested is None:
        raise Conflict("这项任务没有待认可的服务时长", "No hours wait for approval on this task")
    asked = assignment.hours_requested
    _set_requested(session, assignment, None, actor, "assignment.hours_rejected", reason)
    _tell_member(session, assignment, "hours_rejected", hours=asked, reason=reason)
    return assignment


def _set_requested(
    session: Session,
    assignment: Assignment,
    hours: float | None,
    actor: UserAccount,
    action: str,
    reason: str = "",
) -> None:
    """The hours waiting for approval set (or struck off), in the audit log with the reason."""
    before = audit.snapshot(assignment)
    assignment.hours_requested = hours
    audit.record(
        session,
        action=action,
        row=assignment,
        actor=actor,
        community_id=assignment.run.community_id,
        before=before,
        after={**audit.snapshot(assignment), **({"reason": reason} if reason else {})},
    )


def _tell_member(session: Session, assignment: Assignment, kind: str, **facts: Any) -> None:
    # one message per answer: the key is the answer's audit entry, so hours logged again
    # after a refusal, and answered again, are told again
    answered = session.scalar(
        sa.select(sa.func.max(audit.AuditLog.id)).where(
            audit.AuditLog.object_type == Assignment.__tablename__,
            audit.AuditLog.object_id == str(assignment.id),
        )
    )
    loop_events.notify(
        session,
        kind,
        [assignment.person_id],
        key=f"assignment:{assignment.id}:{answered}",
        community_id=assignment.run.community_id,
        title=messages.task_name(assignment),
        starts_at=assignment.starts_at,
        **facts,
    )


def record_hours(
    *, session: Session, assignment: Assignment, hours: float, actor: UserAccount
) -> Assignment:
    """The hours served are recorded and the task is done; a wish whose helpers are all done
    is done too, and due for its follow-up visit (回访)."""
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
    assignment.hours_requested = None
    audit.record(
        session,
        action="assignment.hours",
        row=assignment,
        actor=actor,
        community_id=assignment.run.community_id,
        before=before,
    )
    _finish_wish(session, assignment, actor)
    return assignment


def _finish_wish(session: Session, assignment: Assignment, actor: UserAccount) -> None:
    wish = assignment.wish
    if wish is None or wish.status != WishStatus.ASSIGNED:
        return
    helpers = [
        a for a in assignment.run.assignments if a.wish_id == wish.id and a.status in LIVE_STATUSES
    ]
    if any(a.status != AssignmentStatus.DONE for a in helpers):
        return  # a helper of a group visit has not finished yet
    before = audit.snapshot(wish)
    wish.advance(WishStatus.DONE)
    audit.record(
        session,
        action="wish.done",
        row=wish,
        actor=actor,
        community_id=wish.community_id,
        before=before,
    )
    loop_events.notify(
        session,
        "wish_done",
        key=f"wish:{wish.id}",
        community_id=wish.community_id,
        users=loop_events.coordinator_ids(session, wish.community_id),
        wish_id=wish.id,
        title=wish.title,
    )
