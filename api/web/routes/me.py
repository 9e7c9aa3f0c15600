"""``/me``: the caller's own account, and for a member their availability and assignments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.schemas.assignments import DeclineCreate, HoursCreate, MyAssignment
from api.schemas.people import AccountPublic, AvailabilityUpdate, PersonSelf
from api.services import assignments as crud
from api.services import ics
from api.services import people as people_crud
from api.web.deps import (
    CurrentUser,
    IdPath,
    SessionDep,
    community_ids_for,
    grid_ids_for,
    require_member,
)
from models.base import utcnow
from models.user import UserRole

router = APIRouter(prefix="/me", tags=["me 我的"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "not the caller's, or no such assignment"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "the assignment's status does not allow it"}
}


@router.get("", response_model=AccountPublic)
def read_me(user: CurrentUser) -> AccountPublic:
    """The caller's account and reach; a member's profile with the phone masked."""
    return AccountPublic(
        id=user.id,
        username=user.username,
        role=user.role.value,
        community_ids=sorted(community_ids_for(user) or ()),
        grid_ids=sorted(grid_ids_for(user)),
        person=PersonSelf.of(user.person) if user.role == UserRole.MEMBER and user.person else None,
    )


@router.put("/availability", response_model=PersonSelf)
def update_availability(
    session: SessionDep, user: CurrentUser, data: AvailabilityUpdate
) -> PersonSelf:
    """Replace the member's weekly free times (and dates they cannot serve)."""
    person = require_member(user)
    people_crud.set_availability(
        session=session,
        person=person,
        windows=data.availability,
        unavailable=data.unavailable_dates,
    )
    return PersonSelf.of(person)


@router.get("/assignments", response_model=list[MyAssignment])
def list_assignments(
    session: SessionDep,
    user: CurrentUser,
    week_start: Annotated[date | None, Query(description="a Monday")] = None,
) -> list[MyAssignment]:
    """The member's assignments in published schedules, earliest first."""
    person = require_member(user)
    rows = crud.list_own(session=session, person_id=person.id, week_start=week_start)
    return [MyAssignment.of(a) for a in rows]


@router.get(
    "/assignments.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def assignments_calendar(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The member's assignments as an iCalendar feed."""
    person = require_member(user)
    rows = crud.list_own(session=session, person_id=person.id)
    body = ics.calendar(
        (MyAssignment.of(a) for a in rows), host=request.url.hostname or "tongxin", now=utcnow()
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tongxin.ics"'},
    )


@router.post(
    "/assignments/{assignment_id}/confirm",
    response_model=MyAssignment,
    responses={**NOT_FOUND, **CONFLICT},
)
def confirm_assignment(
    session: SessionDep, user: CurrentUser, assignment_id: IdPath
) -> MyAssignment:
    """Accept an assignment."""
    person = require_member(user)
    assignment = crud.get_own(session=session, person_id=person.id, assignment_id=assignment_id)
    crud.confirm(session=session, assignment=assignment, actor=user)
    return MyAssignment.of(assignment)


@router.post(
    "/assignments/{assignment_id}/decline",
    response_model=MyAssignment,
    responses={**NOT_FOUND, **CONFLICT},
)
def decline_assignment(
    session: SessionDep,
    user: CurrentUser,
    assignment_id: IdPath,
    data: DeclineCreate | None = None,
) -> MyAssignment:
    """Decline an assignment; the coordinator then looks for a replacement."""
    person = require_member(user)
    assignment = crud.get_own(session=session, person_id=person.id, assignment_id=assignment_id)
    crud.decline(
        session=session, assignment=assignment, actor=user, reason=data.reason if data else ""
    )
    return MyAssignment.of(assignment)


@router.post(
    "/assignments/{assignment_id}/hours",
    response_model=MyAssignment,
    responses={**NOT_FOUND, **CONFLICT},
)
def log_hours(
    session: SessionDep, user: CurrentUser, assignment_id: IdPath, data: HoursCreate
) -> MyAssignment:
    """Log the hours served (0 < hours ≤ 24); the assignment is then done."""
    person = require_member(user)
    assignment = crud.get_own(session=session, person_id=person.id, assignment_id=assignment_id)
    crud.log_hours(session=session, assignment=assignment, hours=data.hours, actor=user)
    return MyAssignment.of(assignment)
