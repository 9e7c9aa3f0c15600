"""People and grids as coordinators see them; grid leaders see their own grids only.

Phones are masked for everyone here (``138****5678``): coordinators arrange service through
Tongxin, and a member's number is theirs to give. Home locations are not shown. The list gives
each person's services this quarter (as the matcher counts them for the current week) and
filters by it, to find who is behind on the quarter's minimum.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.schemas.common import Page, Skill
from api.schemas.people import Approval, PersonListed, PersonPublic, PersonUpdate
from api.services import people as service
from api.services.errors import Invalid
from api.services.scope import MAX_ID, grid_scope, grids_of
from api.web.clock import NowDep
from api.web.deps import PageDep, SessionDep
from api.web.permissions import ManagerDep, ReaderDep
from api.web.scope import ManagedCommunity, ManagedPerson, ReadableCommunity, ReadablePerson
from matcher.domain import PersonKind
from models.community import monday_of
from models.person import Person

router = APIRouter(tags=["people 人员"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}
#: far above any quarter's services; keeps the filter a small number
MAX_SERVICES_FILTER = 1000
Services = Annotated[
    int | None,
    Query(ge=0, le=MAX_SERVICES_FILTER, description="services this quarter (done or confirmed)"),
]


class GridPublic(BaseModel):
    id: int
    community_id: int
    name: str
    center_lat: float | None
    center_lng: float | None
    #: active people registered in the grid
    people: int


@router.get(
    "/communities/{community_id}/people", response_model=Page[PersonListed], responses=NOT_FOUND
)
def list_people(
    session: SessionDep,
    user: ReaderDep,
    now: NowDep,
    community: ReadableCommunity,
    page: PageDep,
    grid_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    skill: Annotated[Skill | None, Query()] = None,
    kind: PersonKind | None = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=50, description="part of a name, or 4+ digits of a phone"),
    ] = None,
    min_services: Services = None,
    max_services: Services = None,
) -> Page[PersonListed]:
    """The community's people (a grid leader: their grids'), filtered, one page at a time,
    each with their services this quarter; ``min_services`` / ``max_services`` find who is
    behind or ahead."""
    if min_services is not None and max_services is not None and min_services > max_services:
        raise Invalid(
            "max_services 不能小于 min_services",
            "max_services must not be below min_services",
            "max_services",
            location="query",
        )
    today = now.astimezone(community.zone).date()
    rows, total = service.list_people(
        session=session,
        user=user,
        community=community,
        week_start=monday_of(today),
        q=q.strip() if q else None,
        grid_id=grid_id,
        skill=skill,
        kind=kind,
        min_services=min_services,
        max_services=max_services,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[PersonListed.listed(person, services) for person, services in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.patch("/people/{person_id}", response_model=PersonPublic, responses=NOT_FOUND)
def update_person(
    session: SessionDep, user: ManagerDep, person: ManagedPerson, data: PersonUpdate
) -> PersonPublic:
    """Correct a person: name, grid, work unit, skills, weekly caps (a field left out stays)."""
    service.update_person(session=session, person=person, data=data, actor=user)
    return PersonPublic.of(person)


@router.post(
    "/people/{person_id}/deactivate",
    response_model=PersonPublic,
    responses={**NOT_FOUND, 409: {"description": "a registration waiting for review"}},
)
def deactivate_person(session: SessionDep, user: ManagerDep, person: ManagedPerson) -> PersonPublic:
    """停用: no longer scheduled, their account closed; their history stays."""
    service.set_active(session=session, person=person, active=False, actor=user)
    return PersonPublic.of(person)


@router.post(
    "/people/{person_id}/activate",
    response_model=PersonPublic,
    responses={**NOT_FOUND, 409: {"description": "a registration waiting for review"}},
)
def activate_person(session: SessionDep, user: ManagerDep, person: ManagedPerson) -> PersonPublic:
    """恢复: a deactivated person is scheduled again."""
    service.set_active(session=session, person=person, active=True, actor=user)
    return PersonPublic.of(person)


@router.get("/people/{person_id}", response_model=PersonPublic, responses=NOT_FOUND)
def read_person(person: ReadablePerson) -> PersonPublic:
    """One person, phone masked."""
    return PersonPublic.of(person)


@router.get(
    "/communities/{community_id}/registrations",
    response_model=list[PersonPublic],
    responses=NOT_FOUND,
)
def list_registrations(session: SessionDep, community: ManagedCommunity) -> list[PersonPublic]:
    """报到审核: who registered with the community and waits for approval, oldest first."""
    return [
        PersonPublic.of(p)
        for p in service.pending_people(session=session, community_id=community.id)
    ]


@router.post(
    "/people/{person_id}/approve",
    response_model=PersonPublic,
    responses={**NOT_FOUND, 409: {"description": "approved already"}},
)
def approve_registration(
    session: SessionDep, user: ManagerDep, person: ManagedPerson, data: Approval
) -> PersonPublic:
    """Approve a registration; ``party_member: true`` confirms a claimed party membership."""
    service.approve(session=session, person=person, party_member=data.party_member, actor=user)
    return PersonPublic.of(person)


@router.post(
    "/people/{person_id}/reject",
    response_model=PersonPublic,
    responses={**NOT_FOUND, 409: {"description": "approved already"}},
)
def reject_registration(
    session: SessionDep, user: ManagerDep, person: ManagedPerson
) -> PersonPublic:
    """Turn a registration down: the person and their account are closed."""
    service.reject(session=session, person=person, actor=user)
    return PersonPublic.of(person)


@router.get(
    "/communities/{community_id}/grids", response_model=list[GridPublic], responses=NOT_FOUND
)
def list_grids(
    session: SessionDep, user: ReaderDep, community: ReadableCommunity
) -> list[GridPublic]:
    """The community's grids with their head count (a grid leader: their own grids)."""
    own = grid_scope(user)
    grids = [g for g in grids_of(session, community.id) if own is None or g.id in own]
    counted = session.execute(
        sa.select(Person.grid_id, sa.func.count())
        .where(Person.community_id == community.id, Person.active.is_(True))
        .group_by(Person.grid_id)
    )
    counts: dict[int | None, int] = {grid_id: n for grid_id, n in counted}
    return [
        GridPublic(
            id=g.id,
            community_id=g.community_id,
            name=g.name,
            center_lat=g.center_lat,
            center_lng=g.center_lng,
            people=counts.get(g.id, 0),
        )
        for g in grids
    ]
