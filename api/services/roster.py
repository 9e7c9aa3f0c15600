"""人员名单 The roster in Excel: the template coordinators fill in, and its all-or-nothing import.

Coordinators keep their people in Excel. ``template_workbook`` gives them a sheet 「人员名单」
with one column per fact Tongxin needs (``COLUMNS``), dropdowns for the type and the grid, and
a sheet 「填写说明」 explaining every column with an example row. ``import_roster`` reads such a
file back:

- **All or nothing.** Every row is checked before anything is written; one bad cell and the
  whole file is refused (``RosterRejected``) with every bad cell listed by Excel row and column.
- **The phone is the key.** A phone already used by a person of the community updates that
  person; a new phone adds a person. The same phone twice in the file is an error, and so is a
  phone two people of the community already share: the import never guesses and never makes a
  duplicate.
- **A blank optional cell keeps what is stored** (for a new person: the default). The week's
  free times are replaced as a whole once any day column of the row is filled.
- A person whose data is already exactly what the row says is ``skipped`` (no write, no audit
  entry), so importing the same file twice changes nothing the second time.
- Phones are stored as registration stores them (encrypted at rest by the ``Person.phone``
  column); they appear masked in errors and in the audit log. People who left (inactive) are
  active again once a roster lists them; people the file does not list are not touched.

A file is refused as a whole when it is not ``.xlsx`` at all (``NotSpreadsheet``), when it
would unzip to more than ``MAX_UNZIPPED_BYTES`` (checked before parsing) or when it holds more
than ``MAX_ROWS`` people. Formula cells are refused rather than evaluated.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import openpyxl
import sqlalchemy as sa
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session, selectinload

from api.services import Invalid, ServiceError
from api.services.people import haversine_m
from matcher.domain import SKILLS, WEEKDAYS_EN, WEEKDAYS_ZH, PersonKind
from models import audit
from models.community import Community, Grid
from models.crypto import mask_phone
from models.person import DEFAULT_WEEKLY_HOURS_CAP, DEFAULT_WEEKLY_TASK_CAP, Availability, Person
from models.user import UserAccount

SHEET_ROSTER = "人员名单"
SHEET_HELP = "填写说明"
SHEET_OPTIONS = "选项"

#: people per file: a large community's whole roster, far below what would strain a request
MAX_ROWS = 5000
#: rows scanned, blank ones included; a sheet longer than this is not a roster
MAX_SCANNED_ROWS = 20_000
#: the header may sit below a few title rows
MAX_HEADER_ROW = 5
#: a real roster unzips to a few MB; far more is a zip bomb, refused before parsing
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024
#: at most this many bad cells are listed; the summary still counts them all
MAX_REPORTED_PROBLEMS = 1000
#: a home this far from every grid centre of the community is a typing error (or lat/lng swapped)
FAR_FROM_COMMUNITY_M = 30_000.0
#: columns read per row: the roster's own, and room for a coordinator's extra ones before them
MAX_COLUMNS_READ = 40
MAX_WINDOWS_PER_DAY = 6
MAX_HOURS_CAP = 40.0
MAX_TASK_CAP = 21
MAX_SKILLS = 20

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_SKILL_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_WINDOW_SEPARATORS = re.compile(r"[,，、;；\s]+")
_DASHES = re.compile(r"\s*(?:-|－|–|—|~|～|至|到)\s*")
#: a day cell meaning "not free that day"
_NO_TIME = frozenset({"无", "none", "-", "—", "/"})
_KINDS = {
    "党员": PersonKind.PARTY_MEMBER,
    "在职党员": PersonKind.PARTY_MEMBER,
    "party_member": PersonKind.PARTY_MEMBER,
    "member": PersonKind.PARTY_MEMBER,
    "志愿者": PersonKind.VOLUNTEER,
    "volunteer": PersonKind.VOLUNTEER,
}
_SKILLS_BY_ENGLISH = {english.casefold(): chinese for chinese, english in SKILLS.items()}


# errors --------------------------------------------------------------------------------------


class NotSpreadsheet(ServiceError):
    """The upload is not an .xlsx workbook at all (an old .xls, a CSV, a Word file …)."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad cell of the file (``column`` empty when the whole row is at fault)."""

    row: int
    column: str
    value: str
    zh: str
    en: str


class RosterRejected(ServiceError):
    """Some rows are bad; nothing was written. ``problems`` lists every bad cell, row by row."""

    def __init__(self, problems: Sequence[RowProblem]):
        self.problems = list(problems)
        rows = sorted({p.row for p in self.problems})
        shown = "、".join(str(r) for r in rows[:10]) + ("…" if len(rows) > 10 else "")
        shown_en = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
        super().__init__(
            f"名单有 {len(rows)} 行有误（第 {shown} 行），未导入任何人员；请改正后重新上传",
            f"{len(rows)} rows have errors (rows {shown_en}); nothing was imported. "
            "Correct them and upload again",
        )


# columns -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the roster: its header, whether it must be filled, and how to fill it."""

    key: str
    zh: str
    en: str
    required: bool
    explain_zh: str
    explain_en: str
    example: str
    width: int = 14
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        return f"{self.zh} ({self.en})"


DAY_KEYS = tuple(f"day_{weekday}" for weekday in range(7))
_TIMES_ZH = "空闲时间段，如 08:00-12:00, 19:00-21:00；多个时间段用逗号隔开，没空就留空"
_TIMES_EN = (
    "free times, e.g. 08:00-12:00, 19:00-21:00; separate several with commas; blank: not free"
)
_DAY_EXAMPLES = ("19:00-21:00", "", "19:00-21:00", "", "", "08:30-12:00, 14:00-17:00", "")

COLUMNS: tuple[Column, ...] = (
    Column(
        key="name",
        zh="姓名",
        en="name",
        required=True,
        explain_zh="真实姓名",
        explain_en="full name",
        example="张伟",
        width=10,
    ),
    Column(
        key="phone",
        zh="手机号",
        en="phone",
        required=True,
        explain_zh="11 位手机号，用来识别同一个人：社区里已有这个手机号的人会被更新，而不会重复添加",
        explain_en="11-digit mobile number; it identifies the person: a phone already in the "
        "community updates that person instead of adding another",
        example="13812345678",
        aliases=("手机", "电话", "联系电话", "mobile"),
    ),
    Column(
        key="kind",
        zh="类型",
        en="kind",
        required=True,
        explain_zh="党员 或 志愿者（可从下拉框选择）",
        explain_en="党员 (party member) or 志愿者 (volunteer); pick from the dropdown",
        example="党员",
        width=8,
        aliases=("人员类型", "身份"),
    ),
    Column(
        key="grid",
        zh="网格",
        en="grid",
        required=False,
        explain_zh="所在网格的名称，须与系统中的网格名一致（可从下拉框选择）；留空则按住址分到最近的网格",
        explain_en="the grid's name as Tongxin knows it (dropdown); blank: the grid nearest to "
        "the home",
        example="第一网格",
        width=12,
    ),
    Column(
        key="skills",
        zh="专长",
        en="skills",
        required=False,
        explain_zh="专长名称，多个用顿号或逗号隔开；只能填系统已有的专长（见下方列表）",
        explain_en="skills by their Chinese names, separated by 、 or commas; only the skills "
        "listed below",
        example="水电维修、助老",
        width=18,
        aliases=("技能",),
    ),
    Column(
        key="work_unit",
        zh="工作单位",
        en="work unit",
        required=False,
        explain_zh="在职党员的工作单位，季度服务登记卡会寄给这个单位",
        explain_en="where the member works; the quarterly service record goes to this unit",
        example="区人民医院",
        width=16,
        aliases=("单位",),
    ),
    Column(
        key="home_lat",
        zh="住址纬度",
        en="home lat",
        required=True,
        explain_zh="住址的纬度（-90 到 90 之间的小数），可在地图软件中查到；用于就近派单",
        explain_en="latitude of the home (a decimal between -90 and 90), from any map; used to "
        "serve nearby",
        example="24.2895",
        width=12,
        aliases=("纬度", "lat", "latitude"),
    ),
    Column(
        key="home_lng",
        zh="住址经度",
        en="home lng",
        required=True,
        explain_zh="住址的经度（-180 到 180 之间的小数）",
        explain_en="longitude of the home (a decimal between -180 and 180)",
        example="116.1225",
        width=12,
        aliases=("经度", "lng", "lon", "longitude"),
    ),
    *(
        Column(
            key=DAY_KEYS[weekday],
            zh=WEEKDAYS_ZH[weekday],
            en=WEEKDAYS_EN[weekday][:3],
            required=False,
            explain_zh=f"{WEEKDAYS_ZH[weekday]}的{_TIMES_ZH}",
            explain_en=f"{WEEKDAYS_EN[weekday]}: {_TIMES_EN}",
            example=_DAY_EXAMPLES[weekday],
            width=16,
            aliases=(f"星期{'一二三四五六日'[weekday]}", WEEKDAYS_EN[weekday]),
        )
        for weekday in range(7)
    ),
    Column(
        key="weekly_hours_cap",
        zh="每周最多小时",
        en="max hours/week",
        required=False,
        explain_zh=f"每周最多服务几小时（大于 0，不超过 {MAX_HOURS_CAP:g}）；"
        f"留空为 {DEFAULT_WEEKLY_HOURS_CAP:g}",
        explain_en=f"most hours of service a week (above 0, at most {MAX_HOURS_CAP:g}); "
        f"blank: {DEFAULT_WEEKLY_HOURS_CAP:g}",
        example="6",
    ),
    Column(
        key="weekly_task_cap",
        zh="每周最多次数",
        en="max tasks/week",
        required=False,
        explain_zh=f"每周最多接几次任务（1 到 {MAX_TASK_CAP} 的整数）；留空为 {DEFAULT_WEEKLY_TASK_CAP}",
        explain_en=f"most tasks a week (a whole number from 1 to {MAX_TASK_CAP}); "
        f"blank: {DEFAULT_WEEKLY_TASK_CAP}",
        example="3",
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


def _label(text: object) -> str:
    """A header as compared: no spaces, ASCII brackets, case folded."""
    value = str(text or "").replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", value).casefold()


def _labels(column: Column) -> set[str]:
    names = {column.header, column.zh, column.en, f"{column.zh}({column.en})", *column.aliases}
    return {_label(name) for name in names}


_HEADER_KEYS = {label: column.key for column in COLUMNS for label in _labels(column)}


# the template --------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_OPTIONAL_FILL = PatternFill("solid", fgColor="E2EFDA")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _example_values(grids: Sequence[Grid]) -> dict[str, str]:
    values = {column.key: column.example for column in COLUMNS}
    centred = next((g for g in grids if g.center_lat is not None), None)
    # an example grid only if the community has one: any other name would be refused
    values["grid"] = grids[0].name if grids else ""
    if centred is not None:
        values["home_lat"] = f"{centred.center_lat:.4f}"
        values["home_lng"] = f"{centred.center_lng:.4f}"
    return values


def template_workbook(*, community: Community, grids: Sequence[Grid]) -> bytes:
    """The roster template of a community as .xlsx bytes: 「人员名单」, 「填写说明」, and the lists
    its dropdowns read (a hidden sheet 「选项」)."""
    workbook = openpyxl.Workbook()
    roster = workbook.active
    roster.title = SHEET_ROSTER
    roster.append([column.header for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = roster.cell(row=1, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        letter = get_column_letter(index)
        roster.column_dimensions[letter].width = max(column.width, len(column.header) + 2)
        if column.key == "phone":
            # stored as text, so Excel neither rounds nor shows 1.38E+10
            roster.column_dimensions[letter].number_format = "@"
    roster.freeze_panes = "A2"

    _write_help(workbook.create_sheet(SHEET_HELP), community=community, grids=grids)
    options = workbook.create_sheet(SHEET_OPTIONS)
    options.append(["类型 (kind)", "网格 (grid)", "专长 (skills)"])
    kinds = ["党员", "志愿者"]
    skills = list(SKILLS)
    for position in range(max(len(kinds), len(grids), len(skills))):
        options.append(
            [
                kinds[position] if position < len(kinds) else None,
                grids[position].name if position < len(grids) else None,
                skills[position] if position < len(skills) else None,
            ]
        )
    options.sheet_state = "hidden"
    _add_validations(roster, grid_count=len(grids))
    for sheet in workbook.worksheets:
        _no_formulas(sheet)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _no_formulas(sheet: Any) -> None:
    """Keep every cell literal text: openpyxl makes any text starting with ``=`` a formula, and
    grid and community names are typed by people."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _column_range(key: str) -> str:
    letter = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
    return f"{letter}2:{letter}{MAX_ROWS + 1}"


def _add_validations(roster: Any, *, grid_count: int) -> None:
    def validation(key: str, **options: Any) -> None:
        column = COLUMN_BY_KEY[key]
        rule = DataValidation(
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle="输入有误 (invalid)",
            error=f"{column.explain_zh}\n{column.explain_en}"[:255],
            showInputMessage=True,
            promptTitle=column.header[:32],
            prompt=column.explain_zh[:255],
            **options,
        )
        rule.add(_column_range(key))
        roster.add_data_validation(rule)

    validation("kind", type="list", formula1=f"'{SHEET_OPTIONS}'!$A$2:$A$3")
    if grid_count:
        validation("grid", type="list", formula1=f"'{SHEET_OPTIONS}'!$B$2:$B${grid_count + 1}")
    validation("home_lat", type="decimal", operator="between", formula1="-90", formula2="90")
    validation("home_lng", type="decimal", operator="between", formula1="-180", formula2="180")
    validation(
        "weekly_hours_cap",
        type="decimal",
        operator="between",
        formula1="0.01",
        formula2=f"{MAX_HOURS_CAP:g}",
    )
    validation(
        "weekly_task_cap",
        type="whole",
        operator="between",
        formula1="1",
        formula2=str(MAX_TASK_CAP),
    )


def _write_help(sheet: Any, *, community: Community, grids: Sequence[Grid]) -> None:
    sheet.append([f"{community.name}人员名单填写说明 (how to fill in the roster)"])
    sheet["A1"].font = Font(bold=True, size=14)
    notes = (
        f"在「{SHEET_ROSTER}」表中每行填一个人，第一行是表头，不要改动表头。"
        "(One person per row of the roster sheet; keep the header row as it is.)",
        "手机号用来识别同一个人：社区里已有这个手机号的人会被更新，新的手机号会新增一人；同一手机号在表中只能出现一次。"
        "(The phone identifies a person: a known phone updates them, a new one adds a person; "
        "each phone once per file.)",
        "选填的格子留空时保留系统里原有的信息（新人员用默认值）；只要填了任何一天的时间，这个人一周的空闲时间就整体替换。"
        "(A blank optional cell keeps what is stored; filling any day replaces the whole week.)",
        f"只要有一行有误，整个文件都不会导入，并会列出每个有误的格子。每个文件最多 {MAX_ROWS} 人。"
        f"(One bad row and nothing is imported; every bad cell is listed. At most {MAX_ROWS} "
        "people per file.)",
        "请直接填写数值或文字，不要使用公式。(Type values, not formulas.)",
    )
    for note in notes:
        sheet.append([note])
    sheet.append([])
    start = sheet.max_row + 1
    sheet.append(
        ["列名 (column)", "必填 (required)", "填写说明", "how to fill in", "示例 (example)"]
    )
    examples = _example_values(grids)
    for column in COLUMNS:
        sheet.append(
            [
                column.header,
                "必填 (required)" if column.required else "选填 (optional)",
                column.explain_zh,
                column.explain_en,
                examples[column.key],
            ]
        )
    for cell in sheet[start]:
        cell.font = _HEADER_FONT
    sheet.append([])
    sheet.append(
        ["示例行 (example row)：复制到「人员名单」时请换成真实的人 (replace with real people)"]
    )
    sheet.cell(row=sheet.max_row, column=1).font = _HEADER_FONT
    sheet.append([column.header for column in COLUMNS])
    sheet.append([examples[column.key] for column in COLUMNS])
    sheet.append([])
    sheet.append(["可填的专长 (skills)", "、".join(SKILLS)])
    sheet.append(
        ["本社区的网格 (grids)", "、".join(g.name for g in grids) or "（尚未设网格 none yet）"]
    )
    for letter, width in zip("ABCDE", (22, 16, 60, 60, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP


# reading the file ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawCell:
    value: Any
    is_formula: bool


@dataclass(slots=True)
class RosterEntry:
    """One good row, read and checked; ``None`` is a blank optional cell (keep what is stored)."""

    row: int
    name: str
    phone: str
    kind: PersonKind
    home_lat: float
    home_lng: float
    grid: Grid | None = None
    skills: frozenset[str] | None = None
    work_unit: str | None = None
    availability: tuple[tuple[int, int, int], ...] | None = None
    weekly_hours_cap: float | None = None
    weekly_task_cap: int | None = None


def _refuse_non_xlsx(content: bytes) -> None:
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise NotSpreadsheet(
            "这是旧版 .xls 文件或设了密码的文件：请在 Excel 中取消密码，并“另存为” .xlsx 格式后再上传",
            "This is an old .xls file or a password-protected one: remove the password and "
            "save it as .xlsx in Excel, then upload again",
        )
    if not content.startswith(b"PK\x03\x04"):
        raise NotSpreadsheet(
            "只接受 Excel .xlsx 文件（可先下载模板再填写）",
            "Only Excel .xlsx files are accepted (download the template to start from)",
        )


DAMAGED = (
    "文件已损坏或无法读取，请在 Excel 中重新保存为 .xlsx 后再上传",
    "The file is damaged or cannot be read; save it again as .xlsx in Excel and retry",
)


def open_workbook(content: bytes) -> Any:
    """The workbook in ``content``, read-only; ``NotSpreadsheet`` or ``Invalid`` says why not."""
    _refuse_non_xlsx(content)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise NotSpreadsheet(
            "文件不是有效的 .xlsx 文件", "The file is not a valid .xlsx file"
        ) from None
    if sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
        raise Invalid(
            "文件内容过大，请只保留人员名单",
            "The file's content is too large; keep only the roster",
        )
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise NotSpreadsheet(
            "文件不是 Excel 表格（可能是 Word 等其他文档），只接受 .xlsx 文件",
            "The file is not an Excel workbook (a Word document?); only .xlsx files are accepted",
        )
    try:
        return openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except Exception:
        # openpyxl reports a damaged package with many kinds of error (KeyError, XML parse
        # errors, TypeError …); to the coordinator they all mean the same
        raise Invalid(*DAMAGED) from None


def _roster_sheet(workbook: Any) -> Any:
    if SHEET_ROSTER in workbook.sheetnames:
        return workbook[SHEET_ROSTER]
    if not workbook.worksheets:
        raise Invalid("文件中没有工作表", "The file has no worksheet")
    # a roster copied into a new workbook keeps its data but not always the sheet's name
    return workbook.worksheets[0]


def _rows(sheet: Any) -> Iterator[tuple[int, list[RawCell]]]:
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS_READ), start=1):
        if number > MAX_SCANNED_ROWS:
            raise Invalid(
                f"表格超过 {MAX_SCANNED_ROWS} 行，请只保留人员所在的行（最多 {MAX_ROWS} 人）",
                f"The sheet has more than {MAX_SCANNED_ROWS} rows; keep only the people "
                f"(at most {MAX_ROWS})",
            )
        yield (
            number,
            [RawCell(cell.value, getattr(cell, "data_type", None) == "f") for cell in cells],
        )


def _header(cells: list[RawCell]) -> dict[str, int] | None:
    """Column positions by key, if this row is the header (it names 姓名 and 手机号)."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _HEADER_KEYS.get(_label(cell.value)) if isinstance(cell.value, str) else None
        if key is None:
            continue  # extra columns (备注 …) are the coordinator's own
        if key in positions:
            column = COLUMN_BY_KEY[key]
            raise Invalid(
                f"表头中「{column.header}」出现了两次",
                f"The header has the column {column.header!r} twice",
            )
        positions[key] = index
    if "name" in positions and "phone" in positions:
        return positions
    return None


def _missing_columns(positions: dict[str, int]) -> None:
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise Invalid(
            f"表头缺少必填列：{'、'.join(missing)}（请使用模板）",
            f"The header lacks required columns: {', '.join(missing)} (use the template)",
        )


def _is_blank(cell: RawCell) -> bool:
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def _shown(value: Any, key: str) -> str:
    """A cell's value as an error shows it: text, at most 100 characters, phones masked."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if key == "phone":
        return mask_phone(text)
    return text[:100]


class _RowReader:
    """Reads one row's cells into a ``RosterEntry``, noting every bad cell on the way."""

    def __init__(self, number: int, cells: dict[str, RawCell], grids: dict[str, Grid]):
        self.row_number = number
        self.cells = cells
        self.grids = grids
        self.problems: list[RowProblem] = []

    def fail(self, key: str, zh: str, en: str) -> None:
        cell = self.cells.get(key)
        self.problems.append(
            RowProblem(
                row=self.row_number,
                column=COLUMN_BY_KEY[key].header,
                value=_shown(cell.value if cell else None, key),
                zh=zh,
                en=en,
            )
        )

    def raw(self, key: str) -> Any:
        """The cell's value, ``None`` when blank or a formula (a formula is noted as a problem)."""
        cell = self.cells.get(key)
        if cell is None or _is_blank(cell):
            return None
        formula_like = isinstance(cell.value, str) and cell.value.strip().startswith("=")
        if cell.is_formula or formula_like:
            self.fail(
                key,
                "不接受公式：请把公式换成它算出的数值或文字",
                "Formulas are not accepted: replace the formula with its value",
            )
            return None
        return cell.value

    def text(self, key: str, *, max_length: int) -> str | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, bool | datetime | date | time):
            self.fail(key, "应填写文字", "Must be text")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if any(ord(c) < 32 for c in text):
            self.fail(
                key, "含有换行或不可见的控制字符", "Contains line breaks or control characters"
            )
            return None
        if len(text) > max_length:
            self.fail(key, f"最多 {max_length} 个字符", f"At most {max_length} characters")
            return None
        return text

    def required(self, key: str, value: Any) -> Any:
        if value is None and not any(p.column == COLUMN_BY_KEY[key].header for p in self.problems):
            self.fail(key, "必填，不能为空", "Required; cannot be blank")
        return value

    def number(self, key: str) -> float | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                value = None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.fail(key, "应填写数字", "Must be a number")
            return None
        return float(value)

    def phone(self) -> str | None:
        value = self.raw("phone")
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = re.sub(r"[\s\-－()（）]", "", str(value))
        if text.startswith("+86"):
            text = text[3:]
        elif len(text) == 13 and text.startswith("86"):
            text = text[2:]
        if isinstance(value, bool) or not _PHONE.match(text):
            self.fail(
                "phone",
                "手机号须为以 1 开头的 11 位数字，如 13812345678",
                "The phone must be an 11-digit mobile number starting with 1, e.g. 13812345678",
            )
            return None
        return text

    def kind(self) -> PersonKind | None:
        text = self.text("kind", max_length=32)
        if text is None:
            return None
        kind = _KINDS.get(text.casefold().replace(" ", "_"))
        if kind is None:
            self.fail(
                "kind",
                "类型须为 党员 或 志愿者",
                "The kind must be 党员 (party member) or 志愿者 (volunteer)",
            )
        return kind

    def grid(self) -> Grid | None:
        name = self.text("grid", max_length=100)
        if name is None:
            return None
        grid = self.grids.get(name)
        if grid is None:
            known = "、".join(list(self.grids)[:20]) or "（本社区尚未设网格）"
            known_en = ", ".join(list(self.grids)[:20]) or "(the community has no grids yet)"
            self.fail(
                "grid",
                f"本社区没有名为「{name}」的网格，可选：{known}",
                f"No grid named {name!r} in this community; known: {known_en}",
            )
        return grid

    def skills(self) -> frozenset[str] | None:
        text = self.text("skills", max_length=400)
        if text is None:
            return None
        found: list[str] = []
        unknown: list[str] = []
        for part in _SKILL_SEPARATORS.split(text):
            if not part:
                continue
            skill = part if part in SKILLS else _SKILLS_BY_ENGLISH.get(part.casefold())
            if skill is None:
                unknown.append(part)
            elif skill not in found:
                found.append(skill)
        if unknown:
            self.fail(
                "skills",
                f"未知的专长：{'、'.join(unknown)}；可选：{'、'.join(SKILLS)}",
                f"Unknown skills: {', '.join(unknown)}; known: {', '.join(SKILLS)}",
            )
            return None
        if len(found) > MAX_SKILLS:
            self.fail("skills", f"最多 {MAX_SKILLS} 项专长", f"At most {MAX_SKILLS} skills")
            return None
        return frozenset(found)

    def coordinate(self, key: str, limit: float) -> float | None:
        value = self.number(key)
        if value is not None and not -limit <= value <= limit:
            self.fail(
                key,
                f"应在 -{limit:g} 到 {limit:g} 之间",
                f"Must lie between -{limit:g} and {limit:g}",
            )
            return None
        return value

    def windows(self, weekday: int) -> list[tuple[int, int, int]] | None:
        key = DAY_KEYS[weekday]
        value = self.raw(key)
        if value is None:
            return None
        bad = (
            "应填写时间段，如 08:00-12:00, 19:00-21:00",
            "Must be times like 08:00-12:00, 19:00-21:00",
        )
        if not isinstance(value, str):
            # a lone time typed into Excel becomes a time value, not a span
            self.fail(key, *bad)
            return None
        text = value.strip().replace("：", ":")
        if text.casefold() in _NO_TIME:
            return []
        spans: list[tuple[int, int, int]] = []
        for part in _WINDOW_SEPARATORS.split(_DASHES.sub("-", text)):
            if not part:
                continue
            match = _WINDOW.match(part)
            if match is None:
                self.fail(key, *bad)
                return None
            start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
            start, end = start_h * 60 + start_m, end_h * 60 + end_m
            if start_m > 59 or end_m > 59 or start > 1440 or end > 1440 or start >= end:
                self.fail(
                    key,
                    f"时间段「{part}」无效：时间应在 00:00 到 24:00 之间，且结束晚于开始",
                    f"The span {part!r} is invalid: times lie in 00:00–24:00, end after start",
                )
                return None
            spans.append((weekday, start, end))
        spans.sort()
        if any(later[1] < earlier[2] for earlier, later in itertools.pairwise(spans)):
            self.fail(key, "时间段有重叠", "The times overlap")
            return None
        if len(spans) > MAX_WINDOWS_PER_DAY:
            self.fail(
                key,
                f"每天最多 {MAX_WINDOWS_PER_DAY} 个时间段",
                f"At most {MAX_WINDOWS_PER_DAY} spans a day",
            )
            return None
        return spans

    def hours_cap(self) -> float | None:
        value = self.number("weekly_hours_cap")
        if value is not None and not 0 < value <= MAX_HOURS_CAP:
            self.fail(
                "weekly_hours_cap",
                f"每周最多小时须大于 0、不超过 {MAX_HOURS_CAP:g}",
                f"Hours a week must be above 0 and at most {MAX_HOURS_CAP:g}",
            )
            return None
        return value

    def task_cap(self) -> int | None:
        value = self.number("weekly_task_cap")
        if value is not None and (not value.is_integer() or not 1 <= value <= MAX_TASK_CAP):
            self.fail(
                "weekly_task_cap",
                f"每周最多次数须为 1 到 {MAX_TASK_CAP} 的整数",
                f"Tasks a week must be a whole number from 1 to {MAX_TASK_CAP}",
            )
            return None
        return None if value is None else int(value)

    def entry(self, centres: Sequence[tuple[float, float]]) -> RosterEntry | None:
        name = self.required("name", self.text("name", max_length=100))
        phone = self.required("phone", self.phone())
        kind = self.required("kind", self.kind())
        grid = self.grid()
        skills = self.skills()
        work_unit = self.text("work_unit", max_length=200)
        lat = self.required("home_lat", self.coordinate("home_lat", 90.0))
        lng = self.required("home_lng", self.coordinate("home_lng", 180.0))
        days = [self.windows(weekday) for weekday in range(7)]
        hours_cap = self.hours_cap()
        task_cap = self.task_cap()
        if lat is not None and lng is not None and centres:
            nearest = min(haversine_m(lat, lng, c_lat, c_lng) for c_lat, c_lng in centres)
            if nearest > FAR_FROM_COMMUNITY_M:
                self.fail(
                    "home_lat",
                    f"住址离本社区各网格都超过 {FAR_FROM_COMMUNITY_M / 1000:g} 公里："
                    "请检查纬度、经度是否填错或填反",
                    f"The home is more than {FAR_FROM_COMMUNITY_M / 1000:g} km from every grid "
                    "of the community: check the latitude and longitude (swapped?)",
                )
        if self.problems:
            return None
        assert name is not None and phone is not None and kind is not None
        assert lat is not None and lng is not None
        filled_days = [d for d in days if d is not None]
        return RosterEntry(
            row=self.row_number,
            name=name,
            phone=phone,
            kind=kind,
            home_lat=lat,
            home_lng=lng,
            grid=grid,
            skills=skills,
            work_unit=work_unit,
            availability=(
                tuple(span for day in filled_days for span in day) if filled_days else None
            ),
            weekly_hours_cap=hours_cap,
            weekly_task_cap=task_cap,
        )


def read_roster(
    *, content: bytes, grids: Sequence[Grid]
) -> tuple[list[RosterEntry], list[RowProblem]]:
    """The rows of a roster file, checked one by one: the good entries and every bad cell.

    Raises ``NotSpreadsheet`` or ``Invalid`` when the file as a whole cannot be read (not an
    .xlsx, no header, too many rows).
    """
    workbook = open_workbook(content)
    try:
        return _read_sheet(_roster_sheet(workbook), grids)
    except ServiceError:
        raise
    except Exception:
        # a read-only workbook parses its sheet while it is read: damage shows up only here
        raise Invalid(*DAMAGED) from None
    finally:
        workbook.close()


def _read_sheet(sheet: Any, grids: Sequence[Grid]) -> tuple[list[RosterEntry], list[RowProblem]]:
    grids_by_name = {grid.name: grid for grid in grids}
    centres = [
        (g.center_lat, g.center_lng)
        for g in grids
        if g.center_lat is not None and g.center_lng is not None
    ]
    positions: dict[str, int] | None = None
    entries: list[RosterEntry] = []
    problems: list[RowProblem] = []
    people = 0
    for number, cells in _rows(sheet):
        if positions is None:
            positions = _header(cells)
            if positions is not None:
                _missing_columns(positions)
            elif number >= MAX_HEADER_ROW:
                break
            continue
        by_key = {key: cells[index] for key, index in positions.items() if index < len(cells)}
        if all(_is_blank(cell) for cell in by_key.values()):
            continue
        people += 1
        if people > MAX_ROWS:
            raise Invalid(
                f"每个文件最多 {MAX_ROWS} 人，请分成几个文件上传",
                f"At most {MAX_ROWS} people per file; split it into several files",
            )
        reader = _RowReader(number, by_key, grids_by_name)
        entry = reader.entry(centres)
        if entry is not None:
            entries.append(entry)
        problems.extend(reader.problems)
    if positions is None:
        raise Invalid(
            f"找不到表头：第一行应为「{COLUMNS[0].header}」「{COLUMNS[1].header}」等列名（请使用模板）",
            f"No header found: the first row should name the columns, "
            f"{COLUMNS[0].header}, {COLUMNS[1].header} … (use the template)",
        )
    if not entries and not problems:
        raise Invalid("名单中没有任何人员", "The roster lists nobody")
    return entries, problems


# matching and writing ------------------------------------------------------------------------


@dataclass
class RosterOutcome:
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    dry_run: bool = False


def _duplicate_phones(entries: Iterable[RosterEntry]) -> list[RowProblem]:
    first_row: dict[str, int] = {}
    problems = []
    for entry in entries:
        if entry.phone in first_row:
            problems.append(
                RowProblem(
                    row=entry.row,
                    column=COLUMN_BY_KEY["phone"].header,
                    value=mask_phone(entry.phone),
                    zh=f"手机号与第 {first_row[entry.phone]} 行重复：每人只能占一行",
                    en=f"The same phone as row {first_row[entry.phone]}: one row per person",
                )
            )
        else:
            first_row[entry.phone] = entry.row
    return problems


def _people_by_phone(session: Session, community_id: int) -> dict[str, list[Person]]:
    # phones are encrypted with a fresh IV each time, so they cannot be matched in SQL: the
    # community's people are read once and compared in memory
    people = session.scalars(
        sa.select(Person)
        .where(Person.community_id == community_id, Person.phone.is_not(None))
        .options(selectinload(Person.availability), selectinload(Person.skill_rows))
        .order_by(Person.id)
    ).all()
    found: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        if person.phone:
            found[person.phone].append(person)
    return found


def _shared_phones(
    entries: Iterable[RosterEntry], known: dict[str, list[Person]]
) -> list[RowProblem]:
    return [
        RowProblem(
            row=entry.row,
            column=COLUMN_BY_KEY["phone"].header,
            value=mask_phone(entry.phone),
            zh=f"社区里已有 {len(known[entry.phone])} 人使用这个手机号，无法确定更新哪一位："
            "请先在系统中处理重复的人员",
            en=f"{len(known[entry.phone])} people of the community already share this phone, "
            "so it is unclear whom to update: resolve the duplicates first",
        )
        for entry in entries
        if len(known.get(entry.phone, ())) > 1
    ]


def _nearest(grids: Sequence[Grid], lat: float, lng: float) -> Grid | None:
    """The grid whose centre is nearest to a home, as registration chooses it."""
    centred = [g for g in grids if g.center_lat is not None and g.center_lng is not None]
    return min(
        centred,
        key=lambda g: (haversine_m(lat, lng, g.center_lat or 0.0, g.center_lng or 0.0), g.id),
        default=None,
    )


def _windows_of(person: Person) -> tuple[tuple[int, int, int], ...]:
    return tuple(sorted((a.weekday, a.start_minute, a.end_minute) for a in person.availability))


def _desired(entry: RosterEntry, person: Person | None, grids: Sequence[Grid]) -> dict[str, Any]:
    """The values the person should have after the import; blank cells keep ``person``'s."""

    def keep(value: Any, attribute: str, default: Any) -> Any:
        if value is not None:
            return value
        return getattr(person, attribute) if person is not None else default

    if entry.grid is not None:
        grid_id: int | None = entry.grid.id
    elif person is not None:
        grid_id = person.grid_id
    else:
        nearest = _nearest(grids, entry.home_lat, entry.home_lng)
        grid_id = nearest.id if nearest is not None else None
    return {
        "name": entry.name,
        "kind": entry.kind,
        "grid_id": grid_id,
        "home_lat": entry.home_lat,
        "home_lng": entry.home_lng,
        "work_unit": keep(entry.work_unit, "work_unit", ""),
        "weekly_hours_cap": keep(
            entry.weekly_hours_cap, "weekly_hours_cap", DEFAULT_WEEKLY_HOURS_CAP
        ),
        "weekly_task_cap": keep(entry.weekly_task_cap, "weekly_task_cap", DEFAULT_WEEKLY_TASK_CAP),
        "active": True,
        "skills": entry.skills
        if entry.skills is not None
        else frozenset(person.skills if person is not None else ()),
        "availability": tuple(sorted(entry.availability))
        if entry.availability is not None
        else (_windows_of(person) if person is not None else ()),
    }


def _current(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "kind": person.kind,
        "grid_id": person.grid_id,
        "home_lat": person.home_lat,
        "home_lng": person.home_lng,
        "work_unit": person.work_unit,
        "weekly_hours_cap": person.weekly_hours_cap,
        "weekly_task_cap": person.weekly_task_cap,
        "active": person.active,
        "skills": frozenset(person.skills),
        "availability": _windows_of(person),
    }


def _audited(person: Person) -> dict[str, Any]:
    """The person as the audit log keeps them: columns (phone masked), skills, free times."""
    return {
        **audit.snapshot(person),
        "skills": sorted(person.skills),
        "availability": [
            {"weekday": weekday, "start_minute": start, "end_minute": end}
            for weekday, start, end in _windows_of(person)
        ],
    }


def _write(person: Person, values: dict[str, Any]) -> None:
    for key in (
        "name",
        "kind",
        "grid_id",
        "home_lat",
        "home_lng",
        "work_unit",
        "weekly_hours_cap",
        "weekly_task_cap",
        "active",
    ):
        setattr(person, key, values[key])
    wanted_skills: frozenset[str] = values["skills"]
    stored_skills = set(person.skills)
    # the skill rows' key is (person, skill): remove and add only what differs, so a kept
    # skill is never deleted and inserted again in the same flush
    for skill in stored_skills - wanted_skills:
        person.skills.discard(skill)
    for skill in sorted(wanted_skills - stored_skills):
        person.skills.add(skill)
    if _windows_of(person) != values["availability"]:
        person.availability = [
            Availability(weekday=weekday, start_minute=start, end_minute=end)
            for weekday, start, end in values["availability"]
        ]


def import_roster(
    *,
    session: Session,
    community: Community,
    content: bytes,
    actor: UserAccount | None,
    dry_run: bool = False,
) -> RosterOutcome:
    """Import a roster file into ``community``: every row or none (``RosterRejected``).

    With ``dry_run`` the file is checked and counted but nothing is written.
    """
    grids = list(
        session.scalars(sa.select(Grid).where(Grid.community_id == community.id).order_by(Grid.id))
    )
    entries, problems = read_roster(content=content, grids=grids)
    problems += _duplicate_phones(entries)
    known = _people_by_phone(session, community.id)
    problems += _shared_phones(entries, known)
    if problems:
        order = {column.header: position for position, column in enumerate(COLUMNS)}
        problems.sort(key=lambda p: (p.row, order.get(p.column, -1)))
        raise RosterRejected(problems)

    outcome = RosterOutcome(dry_run=dry_run)
    # (person, what it was before; None for a new person), written below in one flush
    changes: list[tuple[Person, dict[str, Any] | None]] = []
    for entry in entries:
        matches = known.get(entry.phone)
        person = matches[0] if matches else None
        values = _desired(entry, person, grids)
        if person is not None and values == _current(person):
            outcome.skipped += 1
            continue
        if person is None:
            outcome.imported += 1
        else:
            outcome.updated += 1
        if dry_run:
            continue
        before = _audited(person) if person is not None else None
        if person is None:
            person = Person(community_id=community.id, phone=entry.phone)
            _write(person, values)
            # added once complete: each change to a person in the session cascades through it
            session.add(person)
        else:
            _write(person, values)
        changes.append((person, before))
    if dry_run:
        return outcome

    session.flush()
    for person, before in changes:
        audit.record(
            session,
            action="person.import" if before is None else "person.update",
            row=person,
            actor=actor,
            community_id=community.id,
            before=before,
            after=_audited(person),
        )
    audit.record(
        session,
        action="roster.import",
        row=community,
        actor=actor,
        community_id=community.id,
        after={
            "imported": outcome.imported,
            "updated": outcome.updated,
            "skipped": outcome.skipped,
        },
    )
    return outcome
