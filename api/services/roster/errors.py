"""Why a roster file is refused: not a workbook at all, unreadable as a whole, or bad in some
cells (every one listed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.services.errors import Invalid, Unsupported


class NotSpreadsheet(Unsupported):
    """The upload is not an .xlsx workbook at all (an old .xls, a CSV, a Word file …)."""


class BadFile(Invalid):
    """The file as a whole cannot be read as a roster (damaged, no header, too many rows)."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh, en, "file")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad cell of the file (``column`` empty when the whole row is at fault)."""

    row: int
    column: str
    value: str
    zh: str
    en: str


class RosterRejected(Invalid):
    """Some rows are bad; nothing was written. ``problems`` lists every bad cell, row by row."""

    #: what the file is and what was not imported, in the summary
    sheet_zh = "名单"
    nothing_zh = "未导入任何人员"

    def __init__(self, problems: Sequence[RowProblem]):
        self.problems = list(problems)
        rows = sorted({p.row for p in self.problems})
        shown = "、".join(str(r) for r in rows[:10]) + ("…" if len(rows) > 10 else "")
        shown_en = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
        super().__init__(
            f"{self.sheet_zh}有 {len(rows)} 行有误（第 {shown} 行），{self.nothing_zh}；"
            "请改正后重新上传",
            f"{len(rows)} rows have errors (rows {shown_en}); nothing was imported. "
            "Correct them and upload again",
            "file",
        )


class PlaceSheetRejected(RosterRejected):
    """A place directory sheet with bad rows; nothing was written (listed as a roster's are)."""

    sheet_zh = "地点表"
    nothing_zh = "未导入任何地点"
