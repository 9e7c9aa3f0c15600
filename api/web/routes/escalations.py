"""``/escalations``: the wishes at risk waiting at the caller's level — a grid leader's grid,
a coordinator's community, a street admin's street, civil affairs (民政) of its street."""

from __future__ import annotations

from fastapi import APIRouter

from api.schemas.escalation import EscalatedWish
from api.services import escalation
from api.web.deps import CurrentUser, SessionDep

router = APIRouter(tags=["wishes 微心愿"])


@router.get(
    "/escalations",
    response_model=list[EscalatedWish],
    responses={403: {"description": "members have no queue"}},
)
def list_escalations(session: SessionDep, user: CurrentUser) -> list[EscalatedWish]:
    """Wishes escalated to the caller's level and not yet passed on, nearest deadline first."""
    return [
        EscalatedWish.of(wish, step, escalation.LEVEL_ZH[escalation.level_of([step])])
        for wish, step in escalation.queue(session=session, user=user)
    ]
