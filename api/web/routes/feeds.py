"""``/calendar/{token}.ics``: a member's tasks for a calendar app that subscribed to them.

No login: the token in the address is the key (``api.services.ics``). An unknown or replaced
token answers 404, like any object that is not there.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.services import ics
from api.web.deps import SessionDep
from models.base import utcnow

router = APIRouter(tags=["me 我的"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no feed has this address"}}


@router.get(
    "/calendar/{token}.ics",
    name="calendar_feed",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **NOT_FOUND},
)
def calendar_feed(
    request: Request,
    session: SessionDep,
    token: str,
) -> Response:
    """The member's current tasks (proposed, confirmed and done) as an iCalendar feed."""
    user = ics.feed_owner(session=session, token=token)
    person = user.person
    assert person is not None  # feed_owner finds members only
    body = ics.member_calendar(
        session=session, person=person, host=request.url.hostname or "tongxin", now=utcnow()
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        # calendar apps poll it; nothing in between should keep a copy
        headers={"Cache-Control": "private, no-store"},
    )
