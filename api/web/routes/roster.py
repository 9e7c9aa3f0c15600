"""人员名单 The roster in Excel: download the template, upload it filled in (all or nothing).

Coordinators of the community and street admins of its street only; another community answers
404 as if it did not exist. The rules of the import (the phone is the key, blank cells keep
what is stored, every bad cell listed) are in ``api.services.roster`` and ``docs/roster.md``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from api.schemas.roster import RosterImportRejected, RosterImportResult, RosterRowError
from api.services import Invalid
from api.services import roster as service
from api.services.exports import XLSX_MEDIA_TYPE, content_disposition
from api.web import errors
from api.web.deps import IdPath, SessionDep, grids_of, require_coordinator
from api.web.permissions import ManagerDep

router = APIRouter(tags=["roster 人员名单"])

XLSX_FILE: dict[str, Any] = {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}


class UnsupportedFile(errors.AppError):
    status_code = 415
    zh = "只接受 Excel .xlsx 文件"
    en = "Only Excel .xlsx files are accepted"


@router.get(
    "/communities/{community_id}/roster/template.xlsx",
    response_class=Response,
    responses={200: {"content": XLSX_FILE, "description": "the template"}, **NOT_FOUND},
)
def roster_template(session: SessionDep, user: ManagerDep, community_id: IdPath) -> Response:
    """The roster template: 「人员名单」 with its header and dropdowns, 「填写说明」 with an
    explanation of every column and an example row."""
    community = require_coordinator(session, user, community_id)
    content = service.template_workbook(community=community, grids=grids_of(session, community.id))
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
    request: Request,
    session: SessionDep,
    user: ManagerDep,
    community_id: IdPath,
    file: Annotated[UploadFile, File(description="the filled-in template (.xlsx)")],
    dry_run: Annotated[bool, Query(description="check and count only; write nothing")] = False,
) -> RosterImportResult | JSONResponse:
    """Import a filled-in roster: every row or none. A phone already in the community updates
    that person, a new phone adds one; with ``dry_run`` nothing is written."""
    community = require_coordinator(session, user, community_id)
    content = file.file.read()
    try:
        outcome = service.import_roster(
            session=session, community=community, content=content, actor=user, dry_run=dry_run
        )
    except service.NotSpreadsheet as error:
        raise UnsupportedFile(error.zh, error.en) from None
    except Invalid as error:
        raise errors.validation_error(("body", "file"), error.zh, error.en) from None
    except service.RosterRejected as error:
        # nothing was written before the rows were judged; roll back all the same, since a
        # returned answer (unlike a raised one) lets the request's session commit
        session.rollback()
        return _rejected(request, error)
    return RosterImportResult(
        imported=outcome.imported,
        updated=outcome.updated,
        skipped=outcome.skipped,
        dry_run=outcome.dry_run,
    )


def _rejected(request: Request, error: service.RosterRejected) -> JSONResponse:
    """422 in the project's shape (``detail``), with every bad cell under ``rows``."""
    language = errors.request_language(request)
    listed = error.problems[: service.MAX_REPORTED_PROBLEMS]
    summary = error.zh if language == "zh" else error.en
    if len(listed) < len(error.problems):
        summary += (
            f"（仅列出前 {len(listed)} 处）"
            if language == "zh"
            else f" (the first {len(listed)} listed)"
        )
    body = RosterImportRejected(
        detail=[
            {"loc": ["body", "file"], "field": "file", "type": "tongxin_roster", "msg": summary}
        ],
        rows=[
            RosterRowError(row=p.row, column=p.column, value=p.value, msg=p.zh, msg_en=p.en)
            for p in listed
        ],
    )
    return JSONResponse(body.model_dump(), status_code=422)
