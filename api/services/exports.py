"""Exports for coordinators' spreadsheets: a week's schedule and a quarter's service records.

Both come as a ``Table`` (a bilingual header row and plain rows) written either as .xlsx or as
CSV. What a table never holds, by construction:

- **no resident's address or phone**: a wish's place is its grid and "入户" (a house call); the
  address reaches the assignee through ``GET /me/assignments`` only;
- **no phone at all**, members' included: a coordinator already sees them masked in the app;
- **no live formula**: a text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
  return, which some spreadsheet programs skip before reading one) gets a leading ``'``, so
  a name like ``=HYPERLINK(…)`` is shown, never evaluated (spreadsheet formula injection).

CSV is UTF-8 with a byte-order mark, which is what makes Excel read Chinese correctly.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import quote

import openpyxl
import sqlalchemy as sa
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session, selectinload

from api.services.errors import NotFound
from api.services.problem import ANY_SKILL_ROLE_NAME, role_name
from api.services.reports import NO_GRID, service_record
from api.services.scheduling import week_run
from matcher.domain import DEMAND_KIND_ZH, PERSON_KIND_ZH, DemandKind
from models.calendar import Activity
from models.community import Community
from models.person import Person
from models.post import Post, Shift
from models.schedule import ASSIGNMENT_STATUS_ZH, Assignment, RunStatus, ScheduleRun
from models.wish import Wish

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
#: first characters that make a spreadsheet program read a text cell as a formula
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOUSE_CALL = "入户"

Cell = str | int | float | date | None


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet to export: ``filename`` in Chinese, ``fallback`` in ASCII, both without extension."""

    sheet: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    filename: str = "导出"
    fallback: str = "export"


# formats -------------------------------------------------------------------------------------


def neutralise(value: Cell) -> Cell:
    """A text cell as it is safe to export: a leading ``'`` when it would start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def to_xlsx(table: Table) -> bytes:
    """The table as an .xlsx workbook of one sheet, header in bold and frozen."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = table.sheet[:31]
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values: list[Cell] = []
        for value in row:
            if isinstance(value, str):
                # characters XML cannot carry would make openpyxl refuse the whole file
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            values.append(neutralise(value))
        sheet.append(values)
        for cell, value in zip(sheet[sheet.max_row], values, strict=False):
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, header in enumerate(table.headers, start=1):
        widest = max([len(header), *(len(str(row[index - 1] or "")) for row in table.rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(40, widest + 4)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(neutralise(value))


def to_csv(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark, CRLF line ends, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with the Chinese name (RFC 5987 ``filename*``) and an ASCII fallback."""
    ascii_name = "".join(
        c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in fallback
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


# the week's schedule -------------------------------------------------------------------------

SCHEDULE_HEADERS = (
    "日期 (date)",
    "时间 (time)",
    "类型 (kind)",
    "事项 (task)",
    "地点 (place)",
    "角色/专长 (role/skill)",
    "姓名 (name)",
    "状态 (status)",
    "距离(米) (distance m)",
)


def _clock(moment: datetime, community: Community, day: date) -> str:
    local = moment.astimezone(community.zone)
    if local.date() > day and local.hour == 0 and local.minute == 0:
        return "24:00"
    return f"{local.hour:02d}:{local.minute:02d}"


def _schedule_row(assignment: Assignment, community: Community) -> tuple[Cell, ...]:
    day = assignment.starts_at.astimezone(community.zone).date()
    span = (
        f"{_clock(assignment.starts_at, community, day)}-"
        f"{_clock(assignment.ends_at, community, day)}"
    )
    title, place, role = "", "", ANY_SKILL_ROLE_NAME
    wish, shift, activity = assignment.wish, assignment.shift, assignment.activity
    if assignment.demand_kind == DemandKind.WISH and wish is not None:
        title = wish.title
        # never the household's address: the grid and "house call" are all a sheet may say
        place = f"{wish.grid.name} · {HOUSE_CALL}" if wish.grid is not None else HOUSE_CALL
        role = role_name(wish.skills)
    elif assignment.demand_kind == DemandKind.SHIFT and shift is not None:
        title = shift.post.name
        place = shift.post.place
        role = role_name(shift.post.required_skills)
    elif activity is not None:
        title = activity.name
        place = activity.place
        skill = next((r.skill for r in activity.roles if r.position == assignment.role), None)
        role = skill or ANY_SKILL_ROLE_NAME
    distance = round(assignment.distance_m) if assignment.distance_m is not None else None
    return (
        day,
        span,
        DEMAND_KIND_ZH[assignment.demand_kind],
        title,
        place,
        role,
        assignment.person.name,
        ASSIGNMENT_STATUS_ZH[assignment.status],
        distance,
    )


def _week_run(
    session: Session, community: Community, week_start: date, run_id: int | None, any_status: bool
) -> ScheduleRun:
    if run_id is None:
        run = week_run(
            session=session,
            community_id=community.id,
            week_start=week_start,
            status=RunStatus.PUBLISHED,
        )
        if run is None:
            raise NotFound(
                f"{week_start} 这一周还没有发布的排班", f"No published schedule for {week_start}"
            )
        return run
    found = session.get(ScheduleRun, run_id)
    if (
        found is None
        or found.community_id != community.id
        or found.week_start != week_start
        or not (any_status or found.status == RunStatus.PUBLISHED)
    ):
        raise NotFound(f"这一周没有编号为 {run_id} 的排班", f"No run {run_id} in this week")
    return found


def schedule_table(
    *,
    session: Session,
    community: Community,
    week_start: date,
    run_id: int | None = None,
    grid_ids: set[int] | None = None,
    any_status: bool = True,
) -> Table:
    """One row per assignment of the week's published run (or of run ``run_id`` of the week).

    ``grid_ids``: only people of these grids (a grid leader's). ``any_status`` false: only a
    published run may be named (drafts are the coordinators' working copies).
    """
    run = _week_run(session, community, week_start, run_id, any_status)
    query = (
        sa.select(Assignment)
        .join(Assignment.person)
        .where(Assignment.run_id == run.id)
        .options(
            selectinload(Assignment.person),
            selectinload(Assignment.wish).options(
                selectinload(Wish.grid), selectinload(Wish.skill_rows)
            ),
            selectinload(Assignment.shift).selectinload(Shift.post).selectinload(Post.skill_rows),
            selectinload(Assignment.activity).selectinload(Activity.roles),
        )
    )
    if grid_ids is not None:
        query = query.where(Person.grid_id.in_(grid_ids))
    # sorted here rather than in SQL: the order of enums and of Chinese text differs between
    # databases, and a sheet should read the same wherever it comes from
    kinds = list(DemandKind)
    assignments = sorted(
        session.scalars(query),
        key=lambda a: (a.starts_at, kinds.index(a.demand_kind), a.person.name, a.id),
    )
    rows = [_schedule_row(a, community) for a in assignments]
    status = "" if run.status == RunStatus.PUBLISHED else f"_{run.status.value}"
    return Table(
        sheet=f"排班 {week_start.isoformat()}",
        headers=SCHEDULE_HEADERS,
        rows=rows,
        filename=f"{community.name}排班_{week_start.isoformat()}{status}",
        fallback=f"schedule-community-{community.id}-{week_start.isoformat()}{status}",
    )


# the quarter's service records ---------------------------------------------------------------

SERVICE_RECORD_HEADERS = (
    "姓名 (name)",
    "类型 (kind)",
    "网格 (grid)",
    "工作单位 (work unit)",
    "本季度服务次数 (services this quarter)",
    "本季度服务小时 (hours this quarter)",
    "达到季度最低要求 (meets quarterly minimum)",
)


def service_records_table(
    *,
    session: Session,
    community: Community,
    year: int,
    quarter: int,
    grid_ids: set[int] | None = None,
) -> Table:
    """One row per person of the community (``grid_ids``: of these grids): services and hours
    of the quarter as the 服务登记卡 counts them, and whether they reach the community's
    ``quarter_minimum``. People who left appear only if they served in the quarter."""
    query = (
        sa.select(Person)
        .where(Person.community_id == community.id)
        .options(selectinload(Person.grid))
    )
    if grid_ids is not None:
        query = query.where(Person.grid_id.in_(grid_ids))
    people = sorted(
        session.scalars(query),
        key=lambda p: (p.grid is None, p.grid.name if p.grid else "", p.name, p.id),
    )
    rows: list[tuple[Cell, ...]] = []
    for person in people:
        # the same count as the person's own service record card, so the two never disagree
        card = service_record(session=session, person_id=person.id, year=year, quarter=quarter)
        if not person.active and card.services == 0:
            continue
        rows.append(
            (
                person.name,
                PERSON_KIND_ZH[person.kind],
                person.grid.name if person.grid is not None else NO_GRID,
                person.work_unit,
                card.services,
                card.hours,
                "是" if card.meets_minimum else "否",
            )
        )
    return Table(
        sheet=f"{year}年第{quarter}季度",
        headers=SERVICE_RECORD_HEADERS,
        rows=rows,
        filename=f"{community.name}服务登记_{year}年第{quarter}季度",
        fallback=f"service-records-community-{community.id}-{year}-q{quarter}",
    )
