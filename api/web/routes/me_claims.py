"""``/me`` for the member's loop: open work they may take (认领), the seats offered to them
after someone declined, and taking one (the first to accept gets it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from api.schemas.assignments import MyAssignment
from api.schemas.claims import ClaimCreate, OfferPublic, OpenSeatPublic, kind_zh
from api.services import claims
from api.services.problem import demand_title
from api.web.clock import NowDep
from api.web.deps import CurrentUser, IdPath, SessionDep
from api.web.scope import MemberPerson

router = APIRouter(prefix="/me", tags=["me 我的"])

TAKEN: dict[int | str, dict[str, Any]] = {
    409: {"description": "already taken by someone else, or the member cannot take it"}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "not the caller's"}}


@router.get("/open-work", response_model=list[OpenSeatPublic])
def list_open_work(session: SessionDep, person: MemberPerson, now: NowDep) -> list[OpenSeatPublic]:
    """Shifts, activity roles and wishes of the published weeks the member may take now, nearest
    first: every rule (skill, party membership, distance, free time, clashes, weekly limits)
    is already checked for them."""
    return [
        OpenSeatPublic(
            run_id=seat.run_id,
            demand_kind=seat.demand_kind,
            kind_zh=kind_zh(seat.demand_kind),
            demand_id=seat.demand_id,
            role=seat.role,
            title=seat.title,
            role_name=seat.role_name,
            starts_at=seat.starts_at,
            ends_at=seat.ends_at,
            distance_m=seat.distance_m,
            places_left=seat.places_left,
            lat=seat.lat,
            lng=seat.lng,
            offer_id=seat.offer_id,
        )
        for seat in claims.open_work(session=session, person=person, now=now)
    ]


@router.post(
    "/claims",
    response_model=MyAssignment,
    status_code=status.HTTP_201_CREATED,
    responses={
        **TAKEN,
        403: {"description": "the post is filled by the weekly plan only"},
        404: {"description": "no such published week in the member's community"},
    },
)
def claim(
    session: SessionDep, user: CurrentUser, person: MemberPerson, data: ClaimCreate, now: NowDep
) -> MyAssignment:
    """Claim (认领) one place of an open seat; it is the member's, confirmed, and the next
    plan of the week keeps it."""
    taken = claims.claim(
        session=session,
        person=person,
        actor=user,
        run_id=data.run_id,
        demand_kind=data.demand_kind,
        demand_id=data.demand_id,
        role=data.role,
        now=now,
    )
    return MyAssignment.of(taken)


@router.get("/offers", response_model=list[OfferPublic])
def list_offers(session: SessionDep, person: MemberPerson) -> list[OfferPublic]:
    """Seats offered to the member after their assignee declined, newest first."""
    return [
        OfferPublic.of(offer, demand_title(offer.declined))
        for offer in claims.own_offers(session=session, person=person)
    ]


@router.post(
    "/offers/{offer_id}/accept",
    response_model=MyAssignment,
    responses={**NOT_FOUND, **TAKEN},
)
def accept_offer(
    session: SessionDep, user: CurrentUser, person: MemberPerson, offer_id: IdPath, now: NowDep
) -> MyAssignment:
    """Take the seat offered; if someone else took it first: 409 "已被他人接下"."""
    taken = claims.accept_offer(
        session=session, person=person, offer_id=offer_id, actor=user, now=now
    )
    return MyAssignment.of(taken)
