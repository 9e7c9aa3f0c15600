"""``/me/check-in`` and ``/me/check-out``: 签到 and 签退 with the code shown at the place."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.schemas.assignments import MyAssignment
from api.schemas.claims import CheckInCreate
from api.services import checkin
from api.web.clock import NowDep
from api.web.deps import CurrentUser, SessionDep, SettingsDep
from api.web.scope import MemberPerson

router = APIRouter(prefix="/me", tags=["me 我的"])

ANSWERS: dict[int | str, dict[str, Any]] = {
    409: {"description": "too early or too late, or already checked in or out"},
    422: {"description": "the code matches none of the member's tasks"},
}


@router.post("/check-in", response_model=MyAssignment, responses=ANSWERS)
def check_in(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    person: MemberPerson,
    data: CheckInCreate,
    now: NowDep,
) -> MyAssignment:
    """Check in (签到) to the member's task with the place's code, from an hour before it
    starts; the phone's location, if given, is compared with the place."""
    done = checkin.check_in(
        session=session,
        person=person,
        code=data.code,
        secret_key=settings.secret_key,
        actor=user,
        now=now,
        lat=data.lat,
        lng=data.lng,
    )
    return MyAssignment.of(done)


@router.post("/check-out", response_model=MyAssignment, responses=ANSWERS)
def check_out(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    person: MemberPerson,
    data: CheckInCreate,
    now: NowDep,
) -> MyAssignment:
    """Check out (签退): the hours since check-in are recorded and the task is done; a wish
    visit's wish is done and due for its follow-up visit (回访)."""
    done = checkin.check_out(
        session=session,
        person=person,
        code=data.code,
        secret_key=settings.secret_key,
        actor=user,
        now=now,
        lat=data.lat,
        lng=data.lng,
    )
    return MyAssignment.of(done)
