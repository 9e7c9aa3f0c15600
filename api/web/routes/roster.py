"""人员名单 The roster in Excel: download the template, upload it filled in (all or nothing).

Coordinators of the community and street admins of its street only; another community answers
404 as if it did not exist. The rules of the import (the phone is the key, blank cells keep
what is stored, every bad cell listed) are in ``api.services.roster`` and ``docs/roster.md``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response

from api.schemas.roster import RosterImportRejected, RosterImportResult
from api.services import roster as service
from api.services.exports import XLSX_MEDIA_TYPE, content_disposition
from api.services.places import list_places
from api.services.scope import grids_of
from api.web.deps import SessionDep
from api.web.permissions import ManagerDep
from api.web.scope import ManagedCommunity

router = APIRouter(tags=["roster 人员名单"])

XLSX_FILE: dict[str, Any] = {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}


@router.get(
    "/communities/{community_id}/roster/template.xlsx",
    response_class=Response,
    responses={200: {"content": XLSX_FILE, "description": "the template"}, **NOT_FOUND},
)
def roster_template(session: SessionDep, community: ManagedCommunity) -> Response:
    """The roster template: 「人员名单」 with its header and dropdowns, 「填写说明」 with an
    explanation of every column and an example row."""
    content = service.template_workbook(
        community=community,
        grids=grids_of(session, community.id),
        places=list_places(session=session, community_id=community.id),
    )
    return Response(
        content=content,
        media_type=XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": content_disposition(
                f"{community.name}人员名单模板.xlsx", f"roster-template-{community.id}.xlsx"
            )
        },
    )


@router.post(
    "/communities/{community_id}/roster/import",
    response_model=RosterImportResult,
    responses={
        **NOT_FOUND,
        413: {"description": "the file is larger than the body limit"},
        415: {"description": "not an .xlsx file"},
        422: {"model": RosterImportRejected, "description": "bad rows; nothing was imported"},
    },
)
def import_roster(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    file: Annotated[UploadFile, File(description="the filled-in template (.xlsx)")],
    dry_run: Annotated[bool, Query(description="check and count only; write nothing")] = False,
) -> RosterImportResult:
    """Import a filled-in roster: every row or none. A phone already in the community updates
    that person, a new phone adds one; with ``dry_run`` nothing is written; bad rows are a
    422 listing every bad cell (``RosterImportRejected``)."""
    outcome = service.import_roster(
        session=session,
        community=community,
        content=file.file.read(),
        actor=user,
        dry_run=dry_run,
    )
    return RosterImportResult(
        imported=outcome.imported,
        updated=outcome.updated,
        skipped=outcome.skipped,
        dry_run=outcome.dry_run,
    )
