"""``/me``: the caller's own account, and for a member their availability and assignments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.schemas.assignments import CalendarFeed, DeclineCreate, HoursCreate, MyAssignment
from api.schemas.people import AccountPublic, AvailabilityUpdate, PersonSelf
from api.services import assignments, claims, ics, people
from api.services.scope import community_ids_for, grid_ids_for
from api.web.clock import NowDep
from api.web.deps import (
    BearerToken,
    CurrentUser,
    SessionDep,
    SettingsDep,
    authenticate,
    in_request_thread,
)
from api.web.scope import MemberPerson, OwnAssignment
from models.base import utcnow
from models.user import UserAccount, UserRole

router = APIRouter(prefix="/me", tags=["me 我的"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "not the caller's, or no such assignment"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "the assignment's status does not allow it"}
}


@router.get("", response_model=AccountPublic)
async def read_me(request: Request, settings: SettingsDep, token: BearerToken) -> Response:
    """The caller's account and reach; a member's profile with the phone masked."""

    # every member's page opens with it: the caller, their profile and the JSON in one request
    # thread (``in_request_thread``), and the JSON made here, as the schema above describes it
    def answer(session: Session) -> str:
        user = authenticate(session=session, settings=settings, token=token)
        return own_account(session, user).model_dump_json()

    return Response(await in_request_thread(request, answer), media_type="application/json")


def own_account(session: Session, user: UserAccount) -> AccountPublic:
    """The account and its reach; a member's profile with the phone masked."""
    # a member's person came with the account (``authenticate``); only its lists are read here
    person = user.person if user.role == UserRole.MEMBER else None
    return AccountPublic(
        id=user.id,
        username=user.username,
        role=user.role.value,
        community_ids=sorted(community_ids_for(user) or ()),
        grid_ids=sorted(grid_ids_for(user)),
        person=(
            PersonSelf.of(person, people.own_rows(session=session, person_id=person.id))
            if person is not None
            else None
        ),
    )


@router.put("/availability", response_model=PersonSelf)
def update_availability(
    session: SessionDep, person: MemberPerson, data: AvailabilityUpdate
) -> PersonSelf:
    """Replace the member's weekly free times (and dates they cannot serve)."""
    people.set_availability(
        session=session,
        person=person,
        windows=data.availability,
        unavailable=data.unavailable_dates,
    )
    return PersonSelf.of(person)


@router.get("/assignments", response_model=list[MyAssignment])
def list_assignments(
    session: SessionDep,
    person: MemberPerson,
    week_start: Annotated[date | None, Query(description="a Monday")] = None,
) -> list[MyAssignment]:
    """The member's assignments in published schedules, earliest first, each with who else is
    on it and whom to call."""
    rows = assignments.list_own(session=session, person_id=person.id, week_start=week_start)
    return assignments.task_cards(session=session, rows=rows)


@router.get(
    "/assignments.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def assignments_calendar(request: Request, session: SessionDep, person: MemberPerson) -> Response:
    """The member's assignments as an iCalendar file."""
    body = ics.member_calendar(
        session=session, person=person, host=request.url.hostname or "tongxin", now=utcnow()
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tongxin.ics"'},
    )


def _feed(request: Request, token: str | None) -> CalendarFeed:
    if token is None:
        return CalendarFeed(url=None, webcal_url=None)
    url = str(request.url_for("calendar_feed", token=token))
    return CalendarFeed(url=url, webcal_url="webcal://" + url.split("://", 1)[1])


@router.get("/calendar-feed", response_model=CalendarFeed)
def read_calendar_feed(request: Request, user: CurrentUser, person: MemberPerson) -> CalendarFeed:
    """The address of the member's private calendar feed (null until turned on)."""
    return _feed(request, user.calendar_token)


@router.post("/calendar-feed", response_model=CalendarFeed)
def reset_calendar_feed(
    request: Request, session: SessionDep, user: CurrentUser, person: MemberPerson
) -> CalendarFeed:
    """Turn the feed on, or give it a new address: the old one answers 404 from now on."""
    return _feed(request, ics.reset_feed(session=session, user=user))


@router.post(
    "/assignments/{assignment_id}/confirm",
    response_model=MyAssignment,
    responses={**NOT_FOUND, **CONFLICT},
)
def confirm_assignment(
    session: SessionDep, user: CurrentUser, assignment: OwnAssignment
) -> MyAssignment:
    """Accept an assignment."""
    assignments.confirm(session=session, assignment=assignment, actor=user)
    return MyAssignment.of(assignment)


@router.post(
    "/assignments/{assignment_id}/decline",
    response_model=MyAssignment,
    responses={**NOT_FOUND, **CONFLICT},
)
def decline_assignment(
    session: SessionDep,
    user: CurrentUser,
    assignment: OwnAssignment,
    now: NowDep,
    data: DeclineCreate | None = None,
) -> MyAssignment:
    """Decline an assignment: the member is kept off it, and the place is offered to the
    best-ranked replacements (the first to accept gets it) and open to claims."""
    claims.decline(
        session=session,
        assignment=assignment,
        actor=user,
        reason=data.reason if data else "",
        now=now,
    )
    return MyAssignment.of(assignment)


@router.post(
    "/assignments/{assignment_id}/hours",
    response_model=MyAssignment,
    responses={**NOT_FOUND, **CONFLICT},
)
def log_hours(
    session: SessionDep, user: CurrentUser, assignment: OwnAssignment, data: HoursCreate
) -> MyAssignment:
    """Log the hours served (0 < hours ≤ 24): after a check-in the assignment is done; without
    one the hours wait for the coordinator's approval (``hours_requested``)."""
    assignments.log_hours(session=session, assignment=assignment, hours=data.hours, actor=user)
    return MyAssignment.of(assignment)
