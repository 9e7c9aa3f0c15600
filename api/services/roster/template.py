"""The roster template as .xlsx: the sheet to fill in, the dropdowns its cells offer, and a sheet
explaining every column with an example row."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from api.services.roster.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    MAX_HOURS_CAP,
    MAX_ROWS,
    MAX_TASK_CAP,
    SHEET_HELP,
    SHEET_OPTIONS,
    SHEET_ROSTER,
)
from matcher.domain import SKILLS
from models.community import Community, Grid
from models.place import Place, PlaceKind

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_OPTIONAL_FILL = PatternFill("solid", fgColor="E2EFDA")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _example_values(grids: Sequence[Grid], places: Sequence[Place]) -> dict[str, str]:
    values = {column.key: column.example for column in COLUMNS}
    centred = next((g for g in grids if g.center_lat is not None), None)
    # an example grid, estate or building only if the community has one: any other name
    # would be refused
    values["grid"] = grids[0].name if grids else ""
    estate = next((p for p in places if p.kind == PlaceKind.ESTATE), None)
    building = next((p for p in places if estate and p.estate_id == estate.id), None)
    values["home_estate"] = estate.name if estate else ""
    values["home_building"] = building.name if building else ""
    if estate is None and centred is not None:
        values["home_lat"] = f"{centred.center_lat:.4f}"
        values["home_lng"] = f"{centred.center_lng:.4f}"
    return values


def template_workbook(
    *, community: Community, grids: Sequence[Grid], places: Sequence[Place] = ()
) -> bytes:
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

    _write_help(workbook.create_sheet(SHEET_HELP), community=community, grids=grids, places=places)
    options = workbook.create_sheet(SHEET_OPTIONS)
    options.append(["类型 (kind)", "网格 (grid)", "专长 (skills)", "小区 (estate)"])
    kinds = ["党员", "志愿者"]
    skills = list(SKILLS)
    estates = [p.name for p in places if p.kind == PlaceKind.ESTATE]
    for position in range(max(len(kinds), len(grids), len(skills), len(estates))):
        options.append(
            [
                kinds[position] if position < len(kinds) else None,
                grids[position].name if position < len(grids) else None,
                skills[position] if position < len(skills) else None,
                estates[position] if position < len(estates) else None,
            ]
        )
    options.sheet_state = "hidden"
    _add_validations(roster, grid_count=len(grids), estate_count=len(estates))
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


def _add_validations(roster: Any, *, grid_count: int, estate_count: int) -> None:
    def validation(key: str, **options: Any) -> None:
        column = COLUMN_BY_KEY[key]
        options.setdefault("showErrorMessage", True)
        rule = DataValidation(
            allow_blank=not column.required,
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
    if estate_count:
        # a dropdown, yet other text is allowed: 「阳光小区3号楼」 in one cell is matched too
        validation(
            "home_estate",
            type="list",
            formula1=f"'{SHEET_OPTIONS}'!$D$2:$D${estate_count + 1}",
            showErrorMessage=False,
        )
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


def _write_help(
    sheet: Any, *, community: Community, grids: Sequence[Grid], places: Sequence[Place]
) -> None:
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
    examples = _example_values(grids, places)
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
    estates = [p for p in places if p.kind == PlaceKind.ESTATE]
    sheet.append(
        [
            "本社区的小区和楼栋 (estates and buildings)",
            "；".join(
                f"{e.name}（{'、'.join(p.name for p in places if p.estate_id == e.id) or '—'}）"
                for e in estates
            )
            or "（地点库中尚无小区 none yet: 请先在「地点库」页面添加，或填写纬度、经度）",
        ]
    )
    for letter, width in zip("ABCDE", (22, 16, 60, 60, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP
