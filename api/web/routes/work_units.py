"""Work units (工作单位): the list members pick from at registration, and the records
coordinators and street admins keep, with the contact the quarterly service card goes to.

A unit is one record for every community (a hospital's staff live in many), so any
coordinator or street admin reads and corrects any unit; every change is audited. The
contact's e-mail is only ever shown masked.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from api.schemas.work_units import (
    WorkUnitCreate,
    WorkUnitListing,
    WorkUnitPublic,
    WorkUnitUpdate,
)
from api.services import work_units as service
from api.web.deps import IdPath, SessionDep
from api.web.permissions import ManagerDep

router = APIRouter(tags=["work units 工作单位"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown"}}


@router.get("/work-units", response_model=list[WorkUnitListing])
def list_offered(session: SessionDep) -> list[WorkUnitListing]:
    """The units offered at registration, by name (anyone: names only)."""
    return [WorkUnitListing(id=u.id, name=u.name) for u in service.list_units(session=session)]


@router.get("/work-units/records", response_model=list[WorkUnitPublic])
def list_records(session: SessionDep, user: ManagerDep) -> list[WorkUnitPublic]:
    """Every unit with its contact (the e-mail masked), those no longer offered too."""
    units = service.list_units(session=session, include_inactive=True)
    return [WorkUnitPublic.of(u) for u in units]


@router.post(
    "/work-units",
    response_model=WorkUnitPublic,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "a unit of that name exists"}},
)
def create_unit(session: SessionDep, user: ManagerDep, data: WorkUnitCreate) -> WorkUnitPublic:
    """Add a unit; its name must be new."""
    return WorkUnitPublic.of(service.create_unit(session=session, data=data, actor=user))


@router.patch(
    "/work-units/{unit_id}",
    response_model=WorkUnitPublic,
    responses={**NOT_FOUND, 409: {"description": "a unit of that name exists"}},
)
def update_unit(
    session: SessionDep, user: ManagerDep, unit_id: IdPath, data: WorkUnitUpdate
) -> WorkUnitPublic:
    """Correct a unit's name or contact, or stop offering it; a field left out stays."""
    unit = service.get_unit(session=session, unit_id=unit_id)
    return WorkUnitPublic.of(service.update_unit(session=session, unit=unit, data=data, actor=user))
