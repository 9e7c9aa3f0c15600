"""报表 Reports: a community's month, and a member's quarterly service record (服务登记卡) for
their work unit. Coordinators of the community and street admins of its street only."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from api.services import reports as service
from api.web.deps import SessionDep
from api.web.scope import ManagedCommunity, ManagedPerson

router = APIRouter(tags=["reports 报表"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}
Year = Annotated[int, Path(ge=2000, le=2100)]


class PersonHoursView(BaseModel):
    person_id: int
    name: str
    grid: str
    services: int
    hours: float


class GridHoursView(BaseModel):
    grid_id: int | None
    grid: str
    services: int
    hours: float


class MonthReportView(BaseModel):
    community_id: int
    community: str
    year: int
    month: int
    heads_needed: int
    heads_filled: int
    fill_rate: float | None
    wishes_due: int
    wishes_fulfilled: int
    follow_ups: int
    mean_rating: float | None
    services: int
    hours: float
    people: list[PersonHoursView]
    grids: list[GridHoursView]


class MonthLineView(BaseModel):
    month: int
    services: int
    hours: float


class ServiceEntryView(BaseModel):
    day: date
    kind: str
    title: str
    hours: float


class ServiceRecordView(BaseModel):
    person_id: int
    name: str
    kind: str
    work_unit: str
    community: str
    year: int
    quarter: int
    services: int
    hours: float
    quarter_minimum: int
    meets_minimum: bool
    months: list[MonthLineView]
    entries: list[ServiceEntryView]


@router.get(
    "/communities/{community_id}/reports/{year}/{month}",
    response_model=MonthReportView,
    responses=NOT_FOUND,
)
def month_report(
    session: SessionDep,
    community: ManagedCommunity,
    year: Year,
    month: Annotated[int, Path(ge=1, le=12)],
) -> MonthReportView:
    """Demand filled (heads), wishes fulfilled, hours per person and per grid, for one month."""
    report = service.month_report(
        session=session, community_id=community.id, year=year, month=month
    )
    return MonthReportView(
        community_id=report.community_id,
        community=report.community,
        year=report.year,
        month=report.month,
        heads_needed=report.heads_needed,
        heads_filled=report.heads_filled,
        fill_rate=report.fill_rate,
        wishes_due=report.wishes_due,
        wishes_fulfilled=report.wishes_fulfilled,
        follow_ups=report.follow_ups,
        mean_rating=report.mean_rating,
        services=report.services,
        hours=report.hours,
        people=[PersonHoursView(**vars_of(p)) for p in report.people],
        grids=[GridHoursView(**vars_of(g)) for g in report.grids],
    )


@router.get(
    "/people/{person_id}/service-record/{year}/q{quarter}",
    response_model=ServiceRecordView,
    responses=NOT_FOUND,
)
def service_record(
    session: SessionDep,
    person: ManagedPerson,
    year: Year,
    quarter: Annotated[int, Path(ge=1, le=4)],
) -> ServiceRecordView:
    """服务登记卡: a member's done services in a quarter, per month, for their work unit."""
    card = service.service_record(session=session, person_id=person.id, year=year, quarter=quarter)
    return ServiceRecordView(
        person_id=card.person_id,
        name=card.name,
        kind=card.kind,
        work_unit=card.work_unit,
        community=card.community,
        year=card.year,
        quarter=card.quarter,
        services=card.services,
        hours=card.hours,
        quarter_minimum=card.quarter_minimum,
        meets_minimum=card.meets_minimum,
        months=[MonthLineView(**vars_of(m)) for m in card.months],
        entries=[ServiceEntryView(**vars_of(e)) for e in card.entries],
    )


def vars_of(item: Any) -> dict[str, Any]:
    """A slotted dataclass's fields as a dict (``vars`` needs a ``__dict__``)."""
    return {name: getattr(item, name) for name in item.__slots__}
