"""One assignment as its coordinator handles it: recording the hours served when the member
could not, or served longer than the task (members log their own on ``/me``); the hours
members logged without check-in, waiting for approval, approved, adjusted or refused."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.schemas.assignments import HoursCreate, HoursRejection, HoursWaiting, MyAssignment
from api.services import assignments as service
from api.services.messages import task_name
from api.web.deps import SessionDep
from api.web.permissions import ManagerDep
from api.web.scope import ManagedAssignment, ManagedCommunity

router = APIRouter(tags=["schedule 排班"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}


@router.post(
    "/assignments/{assignment_id}/hours",
    response_model=MyAssignment,
    responses={**NOT_FOUND, 409: {"description": "the task has not begun, or was declined"}},
)
def approve_hours(
    session: SessionDep, user: ManagerDep, assignment: ManagedAssignment, data: HoursCreate
) -> MyAssignment:
    """Record the hours served (0 < hours ≤ 24) on a task that has begun; it is then done.
    For any length: the coordinator vouches for it."""
    service.approve_hours(session=session, assignment=assignment, hours=data.hours, actor=user)
    return MyAssignment.of(assignment)


@router.get(
    "/communities/{community_id}/hours-waiting",
    response_model=list[HoursWaiting],
    responses=NOT_FOUND,
)
def hours_waiting(
    session: SessionDep, user: ManagerDep, community: ManagedCommunity
) -> list[HoursWaiting]:
    """Hours members logged without check-in that wait for approval, the oldest task first.
    Approve or adjust them with ``POST /assignments/{id}/hours``; refuse them with
    ``…/hours/reject``."""
    waiting = service.hours_waiting(session=session, community_id=community.id)
    return [HoursWaiting.of(a, task_name(a)) for a in waiting]


@router.post(
    "/assignments/{assignment_id}/hours/reject",
    response_model=MyAssignment,
    responses={**NOT_FOUND, 409: {"description": "no hours wait for approval"}},
)
def reject_hours(
    session: SessionDep, user: ManagerDep, assignment: ManagedAssignment, data: HoursRejection
) -> MyAssignment:
    """Refuse the hours logged without check-in; the task stays confirmed and the member is
    told, with the reason."""
    service.reject_hours(session=session, assignment=assignment, actor=user, reason=data.reason)
    return MyAssignment.of(assignment)
