"""导出 Exports as Excel (.xlsx) or CSV: a week's schedule and a quarter's service records.

For readers of the community: its coordinators and street admins, and its grid leaders, who
get only their grids' people (and only published schedules). Another community answers 404.
What an export never holds (addresses, phones, live formulas) is in ``api.services.exports``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.services import exports as service
from api.services.scope import MAX_ID, grid_scope
from api.web.deps import SessionDep, WeekStart
from api.web.permissions import ReaderDep
from api.web.scope import ReadableCommunity
from models.community import Community
from models.user import UserAccount, UserRole

router = APIRouter(tags=["exports 导出"])

Year = Annotated[int, Path(ge=2000, le=2100)]
Quarter = Annotated[int, Path(ge=1, le=4)]
RunId = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="a run of that week; default: the published")
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}


def _file(media_type: str) -> dict[int | str, dict[str, Any]]:
    schema = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"content": {media_type: schema}, "description": "the file"}, **NOT_FOUND}


def _download(table: service.Table, extension: str) -> Response:
    if extension == "xlsx":
        content, media_type = service.to_xlsx(table), service.XLSX_MEDIA_TYPE
    else:
        content, media_type = service.to_csv(table), service.CSV_MEDIA_TYPE
    disposition = service.content_disposition(
        f"{table.filename}.{extension}", f"{table.fallback}.{extension}"
    )
    return Response(
        content=content, media_type=media_type, headers={"Content-Disposition": disposition}
    )


def _schedule(
    session: Session,
    user: UserAccount,
    community: Community,
    week_start: date,
    run_id: int | None,
) -> service.Table:
    return service.schedule_table(
        session=session,
        community=community,
        week_start=week_start,
        run_id=run_id,
        grid_ids=grid_scope(user),
        any_status=user.role != UserRole.GRID_LEADER,
    )


@router.get(
    "/communities/{community_id}/weeks/{week_start}/schedule.xlsx",
    response_class=Response,
    responses=_file(service.XLSX_MEDIA_TYPE),
)
def schedule_xlsx(
    session: SessionDep,
    user: ReaderDep,
    community: ReadableCommunity,
    week_start: WeekStart,
    run_id: RunId = None,
) -> Response:
    """The week's published schedule (or run ``run_id`` of the week) as .xlsx, one row per
    assignment: 日期, 时间, 类型, 事项, 地点, 角色/专长, 姓名, 状态, 距离(米)."""
    return _download(_schedule(session, user, community, week_start, run_id), "xlsx")


@router.get(
    "/communities/{community_id}/weeks/{week_start}/schedule.csv",
    response_class=Response,
    responses=_file(service.CSV_MEDIA_TYPE),
)
def schedule_csv(
    session: SessionDep,
    user: ReaderDep,
    community: ReadableCommunity,
    week_start: WeekStart,
    run_id: RunId = None,
) -> Response:
    """The same as ``schedule.xlsx``, as CSV (UTF-8 with a byte-order mark)."""
    return _download(_schedule(session, user, community, week_start, run_id), "csv")


def _service_records(
    session: Session, user: UserAccount, community: Community, year: int, quarter: int
) -> service.Table:
    return service.service_records_table(
        session=session,
        community=community,
        year=year,
        quarter=quarter,
        grid_ids=grid_scope(user),
    )


@router.get(
    "/communities/{community_id}/service-records/{year}/q{quarter}.xlsx",
    response_class=Response,
    responses=_file(service.XLSX_MEDIA_TYPE),
)
def service_records_xlsx(
    session: SessionDep, user: ReaderDep, community: ReadableCommunity, year: Year, quarter: Quarter
) -> Response:
    """One row per person: services and hours this quarter (published, done), and whether
    they reach the community's quarterly minimum."""
    return _download(_service_records(session, user, community, year, quarter), "xlsx")


@router.get(
    "/communities/{community_id}/service-records/{year}/q{quarter}.csv",
    response_class=Response,
    responses=_file(service.CSV_MEDIA_TYPE),
)
def service_records_csv(
    session: SessionDep, user: ReaderDep, community: ReadableCommunity, year: Year, quarter: Quarter
) -> Response:
    """The same as ``q{quarter}.xlsx``, as CSV (UTF-8 with a byte-order mark)."""
    return _download(_service_records(session, user, community, year, quarter), "csv")
