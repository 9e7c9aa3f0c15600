"""Work units (工作单位): the record the quarterly service card goes to."""

from __future__ import annotations

from pydantic import BaseModel

from api.schemas.common import Name, Strict, Title
from api.schemas.messages import Email, mask_email
from models.work_unit import WorkUnit


class WorkUnitCreate(Strict):
    name: Title
    #: who at the unit reads the cards
    contact_name: Name | None = None
    #: where the cards go; empty: none is sent until one is given
    contact_email: Email = ""


class WorkUnitUpdate(Strict):
    """A field left out stays; ``contact_email`` may be cleared with ``null`` or ``""``."""

    name: Title | None = None
    contact_name: Name | None = None
    contact_email: Email | None = None
    #: false: no longer offered at registration (its members stay linked)
    active: bool | None = None


class WorkUnitListing(BaseModel):
    """What anyone may know of a unit: enough to pick it at registration."""

    id: int
    name: str


class WorkUnitPublic(WorkUnitListing):
    """A unit as coordinators see it: the contact's e-mail masked."""

    contact_name: str
    contact_email_masked: str
    active: bool

    @classmethod
    def of(cls, unit: WorkUnit) -> WorkUnitPublic:
        return cls(
            id=unit.id,
            name=unit.name,
            contact_name=unit.contact_name,
            contact_email_masked=mask_email(unit.contact_email),
            active=unit.active,
        )
