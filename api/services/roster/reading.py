"""Reading an uploaded roster: the workbook opened safely, its header found, and every row
checked into a ``RosterEntry`` or the bad cells that keep it out. Nothing here touches the
database."""

from __future__ import annotations

import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import openpyxl

from api.services.errors import ServiceError
from api.services.people import haversine_m
from api.services.places import Directory, Unmatched
from api.services.roster.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    DAY_KEYS,
    FAR_FROM_COMMUNITY_M,
    MAX_COLUMNS_READ,
    MAX_HEADER_ROW,
    MAX_HOURS_CAP,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    MAX_SKILLS,
    MAX_TASK_CAP,
    MAX_UNZIPPED_BYTES,
    MAX_WINDOWS_PER_DAY,
    SHEET_ROSTER,
    Column,
)
from api.services.roster.errors import BadFile, NotSpreadsheet, RowProblem
from matcher.domain import SKILLS, PersonKind
from models.community import Grid
from models.crypto import mask_phone
from models.place import Place

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


def _label(text: object) -> str:
    """A header as compared: no spaces, ASCII brackets, case folded."""
    value = str(text or "").replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", value).casefold()


def _labels(column: Column) -> set[str]:
    names = {column.header, column.zh, column.en, f"{column.zh}({column.en})", *column.aliases}
    return {_label(name) for name in names}


_HEADER_KEYS = {label: column.key for column in COLUMNS for label in _labels(column)}


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
    #: the building (or estate) of the place directory the home is in, if named
    home_place_id: int | None = None
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
        raise BadFile(
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
        raise BadFile(*DAMAGED) from None


def first_sheet_rows(content: bytes) -> list[tuple[int, list[RawCell]]]:
    """Every row of the first sheet of an .xlsx file, read as the roster is read (the same
    refusals of files that are not .xlsx, too large, too long or damaged)."""
    workbook = open_workbook(content)
    try:
        if not workbook.worksheets:
            raise BadFile("文件中没有工作表", "The file has no worksheet")
        return list(sheet_rows(workbook.worksheets[0]))
    except ServiceError:
        raise
    except Exception:
        raise BadFile(*DAMAGED) from None
    finally:
        workbook.close()


def _roster_sheet(workbook: Any) -> Any:
    if SHEET_ROSTER in workbook.sheetnames:
        return workbook[SHEET_ROSTER]
    if not workbook.worksheets:
        raise BadFile("文件中没有工作表", "The file has no worksheet")
    # a roster copied into a new workbook keeps its data but not always the sheet's name
    return workbook.worksheets[0]


def sheet_rows(sheet: Any) -> Iterator[tuple[int, list[RawCell]]]:
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS_READ), start=1):
        if number > MAX_SCANNED_ROWS:
            raise BadFile(
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
            raise BadFile(
                f"表头中「{column.header}」出现了两次",
                f"The header has the column {column.header!r} twice",
            )
        positions[key] = index
    if "name" in positions and "phone" in positions:
        return positions
    return None


def _missing_columns(positions: dict[str, int]) -> None:
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if "home_estate" not in positions and not {"home_lat", "home_lng"} <= positions.keys():
        # a home is named by its estate (and building), or given by its coordinates
        missing.append(
            f"{COLUMN_BY_KEY['home_estate'].header}（或住址纬度、经度 or home lat, lng）"
        )
    if missing:
        raise BadFile(
            f"表头缺少必填列：{'、'.join(missing)}（请使用模板）",
            f"The header lacks required columns: {', '.join(missing)} (use the template)",
        )


def is_blank(cell: RawCell) -> bool:
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

    def __init__(
        self,
        number: int,
        cells: dict[str, RawCell],
        grids: dict[str, Grid],
        places: Directory,
    ):
        self.row_number = number
        self.cells = cells
        self.grids = grids
        self.places = places
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
        if cell is None or is_blank(cell):
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

    def home(self) -> tuple[float, float, Place | None] | None:
        """Where the home is: the estate and building named (matched forgivingly), and the
        coordinates, which win when given too."""
        estate = self.text("home_estate", max_length=100)
        building = self.text("home_building", max_length=100)
        lat = self.coordinate("home_lat", 90.0)
        lng = self.coordinate("home_lng", 180.0)
        failed = {p.column for p in self.problems}
        if (lat is None) != (lng is None):
            missing = "home_lat" if lat is None else "home_lng"
            if COLUMN_BY_KEY[missing].header not in failed:
                self.fail(
                    missing, "纬度和经度须同时填写", "Give the latitude and longitude together"
                )
            return None
        place: Place | None = None
        if estate is not None or building is not None:
            found = self.places.home(estate, building)
            if isinstance(found, Unmatched):
                key = "home_building" if found.column == "building" else "home_estate"
                self.fail(key, found.zh, found.en)
                return None
            place = found
        elif lat is None:
            if not failed & {COLUMN_BY_KEY[k].header for k in ("home_lat", "home_lng")}:
                self.fail(
                    "home_estate",
                    "请填写住在哪个小区、哪栋楼（或住址的纬度和经度）",
                    "Give the estate and building of the home (or its latitude and longitude)",
                )
            return None
        if lat is not None and lng is not None:
            return lat, lng, place
        assert place is not None
        place_lat, place_lng = place.location
        return place_lat, place_lng, place

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
        home = self.home()
        days = [self.windows(weekday) for weekday in range(7)]
        hours_cap = self.hours_cap()
        task_cap = self.task_cap()
        lat, lng, place = home if home is not None else (None, None, None)
        if lat is not None and lng is not None and place is None and centres:
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
            home_place_id=place.id if place is not None else None,
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
    *, content: bytes, grids: Sequence[Grid], places: Directory | None = None
) -> tuple[list[RosterEntry], list[RowProblem]]:
    """The rows of a roster file, checked one by one: the good entries and every bad cell.

    Raises ``NotSpreadsheet`` or ``Invalid`` when the file as a whole cannot be read (not an
    .xlsx, no header, too many rows).
    """
    workbook = open_workbook(content)
    try:
        return _read_sheet(_roster_sheet(workbook), grids, places or Directory([]))
    except ServiceError:
        raise
    except Exception:
        # a read-only workbook parses its sheet while it is read: damage shows up only here
        raise BadFile(*DAMAGED) from None
    finally:
        workbook.close()


def _read_sheet(
    sheet: Any, grids: Sequence[Grid], places: Directory
) -> tuple[list[RosterEntry], list[RowProblem]]:
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
    for number, cells in sheet_rows(sheet):
        if positions is None:
            positions = _header(cells)
            if positions is not None:
                _missing_columns(positions)
            elif number >= MAX_HEADER_ROW:
                break
            continue
        by_key = {key: cells[index] for key, index in positions.items() if index < len(cells)}
        if all(is_blank(cell) for cell in by_key.values()):
            continue
        people += 1
        if people > MAX_ROWS:
            raise BadFile(
                f"每个文件最多 {MAX_ROWS} 人，请分成几个文件上传",
                f"At most {MAX_ROWS} people per file; split it into several files",
            )
        reader = _RowReader(number, by_key, grids_by_name, places)
        entry = reader.entry(centres)
        if entry is not None:
            entries.append(entry)
        problems.extend(reader.problems)
    if positions is None:
        raise BadFile(
            f"找不到表头：第一行应为「{COLUMNS[0].header}」「{COLUMNS[1].header}」等列名（请使用模板）",
            f"No header found: the first row should name the columns, "
            f"{COLUMNS[0].header}, {COLUMNS[1].header} … (use the template)",
        )
    if not entries and not problems:
        raise BadFile("名单中没有任何人员", "The roster lists nobody")
    return entries, problems
