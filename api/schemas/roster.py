"""Answers of the roster import (人员名单导入): the counts of a good file, the bad rows of a bad one.

A refused file answers 422 with the project's ``detail`` list (a one-line summary in the
caller's language) and ``rows``: every bad cell, by Excel row number and column header, with
its reason in Chinese (``msg``) and English (``msg_en``), so a coordinator can fix them all in
one go.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class RosterImportResult(BaseModel):
    """A file whose every row is good: how many people it added, changed, or left as they were."""

    imported: int = Field(description="new people")
    updated: int = Field(description="people already in the community (by phone) now changed")
    skipped: int = Field(description="people already in the community with the same data")
    dry_run: bool = Field(description="true: checked only, nothing written")


class RosterRowError(BaseModel):
    """One bad cell (or row) of the file."""

    row: int = Field(description="the Excel row number, the header being row 1")
    column: str = Field(description="the column header, e.g. 手机号 (phone); empty for the row")
    value: str = Field(description="what the cell holds, as text (phones masked)")
    msg: str
    msg_en: str


class RosterImportRejected(BaseModel):
    """422: nothing was imported; ``rows`` lists every bad cell."""

    detail: list[dict[str, Any]]
    rows: list[RosterRowError]
