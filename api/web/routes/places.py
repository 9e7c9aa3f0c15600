"""地点库 A community's place directory: estates, their buildings, and venues, each with its
coordinates entered once; listed for everyone who reads the community (the wish, post and
activity forms pick from it), kept by its coordinators and street admins, and importable as a
sheet (.xlsx or .csv, all or nothing, as the roster is)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile, status

from api.schemas.places import PlaceCreate, PlaceImportResult, PlacePublic, PlaceUpdate
from api.schemas.roster import RosterImportRejected
from api.services import place_sheet
from api.services import places as service
from api.web.deps import SessionDep
from api.web.permissions import ManagerDep, ReaderDep
from api.web.scope import ManagedCommunity, ManagedPlace, ReadableCommunity

router = APIRouter(tags=["places 地点库"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}


@router.get(
    "/communities/{community_id}/places", response_model=list[PlacePublic], responses=NOT_FOUND
)
def list_places(
    session: SessionDep, user: ReaderDep, community: ReadableCommunity
) -> list[PlacePublic]:
    """The directory: each estate followed by its buildings (in number order), then venues."""
    return [
        PlacePublic.of(p) for p in service.list_places(session=session, community_id=community.id)
    ]


@router.post(
    "/communities/{community_id}/places",
    response_model=PlacePublic,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, 409: {"description": "the directory already has that place"}},
)
def create_place(
    session: SessionDep, user: ManagerDep, community: ManagedCommunity, data: PlaceCreate
) -> PlacePublic:
    """Add an estate, a building of one of its estates, or a venue."""
    return PlacePublic.of(
        service.create_place(session=session, community=community, data=data, actor=user)
    )


@router.patch(
    "/places/{place_id}",
    response_model=PlacePublic,
    responses={**NOT_FOUND, 409: {"description": "the directory already has that name"}},
)
def update_place(
    session: SessionDep, user: ManagerDep, place: ManagedPlace, data: PlaceUpdate
) -> PlacePublic:
    """Rename or move a place; what was recorded at it keeps its coordinates."""
    return PlacePublic.of(service.update_place(session=session, place=place, data=data, actor=user))


@router.post(
    "/communities/{community_id}/places/import",
    response_model=PlaceImportResult,
    responses={
        **NOT_FOUND,
        413: {"description": "the file is larger than the body limit"},
        415: {"description": "neither .xlsx nor .csv"},
        422: {"model": RosterImportRejected, "description": "bad rows; nothing was imported"},
    },
)
def import_places(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    file: Annotated[UploadFile, File(description="the place sheet (.xlsx or .csv)")],
    dry_run: Annotated[bool, Query(description="check and count only; write nothing")] = False,
) -> PlaceImportResult:
    """Import a place sheet (columns 小区, 楼栋, 场所, 纬度, 经度): every row or none; a place
    the directory has (matched forgivingly by name) is moved, a new one added."""
    outcome = place_sheet.import_places(
        session=session,
        community=community,
        content=file.file.read(),
        actor=user,
        dry_run=dry_run,
    )
    return PlaceImportResult(
        created=outcome.created,
        updated=outcome.updated,
        skipped=outcome.skipped,
        dry_run=outcome.dry_run,
    )
