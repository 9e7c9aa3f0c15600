"""One assignment as its coordinator handles it: recording the hours served when the member
could not, or served longer than the task (members log their own on ``/me``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.schemas.assignments import HoursCreate, MyAssignment
from api.services import assignments as service
from api.web.deps import SessionDep
from api.web.permissions import ManagerDep
from api.web.scope import ManagedAssignment

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
