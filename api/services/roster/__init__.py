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

The package in parts: ``columns`` (what each column holds, and the limits of a file),
``template`` (the .xlsx to fill in), ``reading`` (a file read and checked row by row, nothing
stored) and ``importing`` (the checked rows matched by phone and written), with the refusals in
``errors``.
"""

from api.services.roster.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    MAX_REPORTED_PROBLEMS,
    SHEET_HELP,
    SHEET_OPTIONS,
    SHEET_ROSTER,
)
from api.services.roster.errors import NotSpreadsheet, RosterRejected
from api.services.roster.importing import import_roster
from api.services.roster.template import template_workbook

__all__ = [
    "COLUMNS",
    "COLUMN_BY_KEY",
    "MAX_REPORTED_PROBLEMS",
    "SHEET_HELP",
    "SHEET_OPTIONS",
    "SHEET_ROSTER",
    "NotSpreadsheet",
    "RosterRejected",
    "import_roster",
    "template_workbook",
]
