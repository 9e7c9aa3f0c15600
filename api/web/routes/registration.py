"""报到 without an account: the privacy notice, the communities, and self-registration."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request, status
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import selectinload

from api.schemas.people import PersonSelf, RegistrationCreate
from api.schemas.places import HomePlace
from api.schemas.privacy import PRIVACY_NOTICE, PRIVACY_NOTICE_VERSION
from api.services import people as service
from api.services import places
from api.services.errors import NotFound
from api.web.deps import IdPath, SessionDep
from api.web.qr import page_url, svg_response
from models.community import Community

router = APIRouter(tags=["registration 报到"])

#: the phone page a community's QR code opens, followed by the community's id
REGISTER_PAGE = "/m/#/register?community="


class PrivacyNotice(BaseModel):
    version: str
    zh: str
    en: str


class GridName(BaseModel):
    id: int
    name: str


class CommunityListing(BaseModel):
    """What anyone may know of a community: enough to register with it."""

    id: int
    name: str
    street: str
    #: the IANA zone its times are told in, e.g. "Asia/Shanghai"
    timezone: str
    grids: list[GridName]


class Registered(BaseModel):
    """The login is the phone the member gave (``person.phone_masked`` shows it masked)."""

    person: PersonSelf


@router.get("/privacy-notice", response_model=PrivacyNotice)
def privacy_notice() -> PrivacyNotice:
    """The privacy notice a registration must accept, by version."""
    return PrivacyNotice(version=PRIVACY_NOTICE_VERSION, **PRIVACY_NOTICE)


@router.get("/communities", response_model=list[CommunityListing])
def list_communities(session: SessionDep) -> list[CommunityListing]:
    """Every community and its grids, by name only: where one can register."""
    communities = session.scalars(
        sa.select(Community)
        .options(selectinload(Community.grids), selectinload(Community.street))
        .order_by(Community.id)
    ).all()
    return [
        CommunityListing(
            id=c.id,
            name=c.name,
            street=c.street.name,
            timezone=c.zone.key,
            grids=[GridName(id=g.id, name=g.name) for g in c.grids],
        )
        for c in communities
    ]


@router.get(
    "/communities/{community_id}/home-places",
    response_model=list[HomePlace],
    responses={404: {"description": "no such community"}},
)
def list_home_places(session: SessionDep, community_id: IdPath) -> list[HomePlace]:
    """The community's estates and their buildings, by name only: where one may live, to
    register with (``home_place_id``)."""
    if session.get(Community, community_id) is None:
        raise NotFound()
    return [
        HomePlace(id=p.id, kind=p.kind, name=p.name, estate_id=p.estate_id)
        for p in places.home_places(session=session, community_id=community_id)
    ]


@router.post(
    "/registrations",
    response_model=Registered,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "the phone has an account already"}},
)
def register(session: SessionDep, data: RegistrationCreate) -> Registered:
    """报到: a party member or volunteer registers with the community where they live; the
    mobile number is their login.

    The grid is the one given, or the grid whose centre is nearest to the home. Consent to
    the current privacy notice is required and recorded with its version and time.
    """
    account = service.register(session=session, data=data)
    assert account.person is not None
    return Registered(person=PersonSelf.of(account.person))


class RegistrationLink(BaseModel):
    community_id: int
    community: str
    #: the phone page, with the community chosen
    url: str
    #: the printable QR code of ``url``
    qr_url: str


def _community(session: SessionDep, community_id: int) -> Community:
    community = session.get(Community, community_id)
    if community is None:
        raise NotFound()
    return community


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such community"}}


@router.get(
    "/communities/{community_id}/registration-link",
    response_model=RegistrationLink,
    responses=NOT_FOUND,
)
def registration_link(
    request: Request, session: SessionDep, community_id: IdPath
) -> RegistrationLink:
    """The address of the community's registration page (报到), for a poster or a chat group."""
    community = _community(session, community_id)
    return RegistrationLink(
        community_id=community.id,
        community=community.name,
        url=page_url(request, REGISTER_PAGE + str(community.id)),
        qr_url=str(request.url_for("registration_qr", community_id=community.id).path),
    )


@router.get(
    "/communities/{community_id}/registration-qr.svg",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"image/svg+xml": {}}}},
)
def registration_qr(request: Request, session: SessionDep, community_id: IdPath) -> Response:
    """The community's registration page as a printable QR code (SVG): scanned, it opens the
    page with the community chosen. Anyone may fetch it, like the list of communities."""
    community = _community(session, community_id)
    return svg_response(
        page_url(request, REGISTER_PAGE + str(community.id)), f"{community.name} 报到 Register"
    )
