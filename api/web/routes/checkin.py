"""A task's check-in code for its coordinator: read out, or printed as a QR code that opens
the phone's check-in page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.schemas.claims import CheckInCode
from api.services import checkin
from api.web.deps import SettingsDep
from api.web.permissions import ManagerDep
from api.web.qr import page_url, svg_response
from api.web.scope import ManagedAssignment

router = APIRouter(tags=["schedule 排班"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}

#: the phone page a QR code opens, followed by the code
PHONE_PAGE = "/m/#/check-in?code="


def _phone_url(request: Request, code: str) -> str:
    return page_url(request, PHONE_PAGE + code)


@router.get(
    "/assignments/{assignment_id}/check-in-code", response_model=CheckInCode, responses=NOT_FOUND
)
def read_code(
    request: Request, settings: SettingsDep, user: ManagerDep, assignment: ManagedAssignment
) -> CheckInCode:
    """The check-in code of the assignment's task (the same for everyone on it)."""
    code = checkin.managed_code(assignment, settings.secret_key)
    return CheckInCode(
        code=code,
        url=_phone_url(request, code),
        qr_url=str(
            request.url_for("read_code_qr", assignment_id=assignment.id).path,
        ),
    )


@router.get(
    "/assignments/{assignment_id}/check-in-qr.svg",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"image/svg+xml": {}}}},
)
def read_code_qr(
    request: Request, settings: SettingsDep, user: ManagerDep, assignment: ManagedAssignment
) -> Response:
    """The check-in code as a printable QR code (SVG) of the phone's check-in page."""
    code = checkin.managed_code(assignment, settings.secret_key)
    return svg_response(_phone_url(request, code), f"签到码 Check-in code {code}")
