"""地点表 The place directory as a sheet (.xlsx or .csv): one place a row, imported all or nothing.

Columns (found by header, in any order, with or without the bracketed English):
``小区 (estate)``, ``楼栋 (building)``, ``场所 (venue)``, ``纬度 (lat)``, ``经度 (lng)``.

- a row with 场所: a venue, which needs its coordinates;
- a row with 小区 only: an estate, which needs its coordinates;
- a row with 小区 and 楼栋: a building of that estate; without coordinates it stands at its
  estate's. An estate that only its buildings' rows name stands at the middle of them.

Names are matched as the rest of the directory matches them (``api.services.places``): a row
naming a place already in the directory updates its coordinates, else the place is added.
Like the roster, the sheet is imported all or nothing: one bad row and nothing is written, and
every bad cell is listed (``PlaceSheetRejected``).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.services.people import haversine_m
from api.services.places import Directory, directory, estate_key, key_of
from api.services.roster.columns import FAR_FROM_COMMUNITY_M, MAX_ROWS, MAX_SCANNED_ROWS
from api.services.roster.errors import BadFile, NotSpreadsheet, PlaceSheetRejected, RowProblem
from api.services.roster.reading import RawCell, first_sheet_rows, is_blank
from api.services.scope import grids_of
from models import audit
from models.community import Community
from models.place import Place, PlaceKind
from models.user import UserAccount

#: (key, header, other names people write)
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("estate", "小区 (estate)", ("小区", "estate", "小区名称", "小区名")),
    ("building", "楼栋 (building)", ("楼栋", "building", "楼号", "栋", "楼")),
    ("venue", "场所 (venue)", ("场所", "venue", "场所名称", "地点")),
    ("lat", "纬度 (lat)", ("纬度", "lat", "latitude")),
    ("lng", "经度 (lng)", ("经度", "lng", "lon", "longitude")),
)
HEADERS = {key: header for key, header, _ in COLUMNS}
MAX_HEADER_ROW = 5


def _label(text: object) -> str:
    value = str(text or "").replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", value).casefold()


_HEADER_KEYS = {
    _label(name): key for key, header, aliases in COLUMNS for name in (header, key, *aliases)
}


def _csv_rows(content: bytes) -> list[tuple[int, list[RawCell]]]:
    if b"\x00" in content[:4096]:
        raise NotSpreadsheet(
            "只接受 Excel .xlsx 或 .csv 文件", "Only Excel .xlsx or .csv files are accepted"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise BadFile("无法识别文件的编码", "The file's text encoding is not recognised")
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number > MAX_SCANNED_ROWS:
            raise BadFile(
                f"表格超过 {MAX_SCANNED_ROWS} 行",
                f"The sheet has more than {MAX_SCANNED_ROWS} rows",
            )
        rows.append((number, [RawCell(value, False) for value in cells]))
    return rows


def sheet_rows(content: bytes) -> list[tuple[int, list[RawCell]]]:
    """The rows of an .xlsx file (read as the roster is) or of a CSV file (UTF-8 or GBK, as
    Excel saves it in China)."""
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return first_sheet_rows(content)
    return _csv_rows(content)


@dataclass(slots=True)
class _Row:
    number: int
    kind: PlaceKind
    name: str
    estate: str | None
    lat: float | None
    lng: float | None


@dataclass
class PlaceSheetOutcome:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    dry_run: bool = False


class _Reader:
    def __init__(self, number: int, cells: dict[str, RawCell]):
        self.number = number
        self.cells = cells
        self.problems: list[RowProblem] = []

    def fail(self, key: str, zh: str, en: str) -> None:
        cell = self.cells.get(key)
        value = "" if cell is None or cell.value is None else str(cell.value).strip()[:100]
        self.problems.append(RowProblem(self.number, HEADERS.get(key, ""), value, zh, en))

    def text(self, key: str) -> str | None:
        cell = self.cells.get(key)
        if cell is None or is_blank(cell):
            return None
        if cell.is_formula or (isinstance(cell.value, str) and cell.value.strip().startswith("=")):
            self.fail(key, "不接受公式：请填写文字", "Formulas are not accepted: write the text")
            return None
        value = cell.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if any(ord(c) < 32 for c in text) or len(text) > 100:
            self.fail(key, "最多 100 个字符，不能换行", "At most 100 characters, on one line")
            return None
        return text

    def coordinate(self, key: str, limit: float) -> float | None:
        text = self.text(key)
        if text is None:
            return None
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not -limit <= value <= limit:
            self.fail(
                key,
                f"应填写 -{limit:g} 到 {limit:g} 之间的数字",
                f"Must be a number between -{limit:g} and {limit:g}",
            )
            return None
        return value

    def row(self, centres: list[tuple[float, float]]) -> _Row | None:
        estate, building, venue = self.text("estate"), self.text("building"), self.text("venue")
        lat, lng = self.coordinate("lat", 90.0), self.coordinate("lng", 180.0)
        if (lat is None) != (lng is None):
            missing = "lat" if lat is None else "lng"
            if not any(p.column == HEADERS[missing] for p in self.problems):
                self.fail(missing, "纬度和经度须同时填写", "Give lat and lng together")
        if venue and (estate or building):
            self.fail(
                "venue", "一行只填场所，或只填小区（和楼栋）", "A row is a venue or an estate"
            )
        if building and not estate:
            self.fail("estate", "填写楼栋时须同时填写小区", "A building needs its estate")
        if not (venue or estate or building):
            self.fail("estate", "请填写小区或场所", "Give an estate or a venue")
        far = (
            lat is not None
            and lng is not None
            and centres
            and min(haversine_m(lat, lng, a, b) for a, b in centres) > FAR_FROM_COMMUNITY_M
        )
        if far:
            self.fail(
                "lat",
                f"离本社区各网格都超过 {FAR_FROM_COMMUNITY_M / 1000:g} 公里："
                "请检查纬度、经度是否填错或填反",
                f"More than {FAR_FROM_COMMUNITY_M / 1000:g} km from every grid of the "
                "community: check the latitude and longitude (swapped?)",
            )
        if self.problems:
            return None
        if venue:
            return _Row(self.number, PlaceKind.VENUE, venue, None, lat, lng)
        assert estate is not None
        if building:
            return _Row(self.number, PlaceKind.BUILDING, building, estate, lat, lng)
        return _Row(self.number, PlaceKind.ESTATE, estate, None, lat, lng)


def _header(cells: list[RawCell]) -> dict[str, int] | None:
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _HEADER_KEYS.get(_label(cell.value)) if isinstance(cell.value, str) else None
        if key is not None:
            if key in positions:
                raise BadFile(
                    f"表头中「{HEADERS[key]}」出现了两次", f"The header has {HEADERS[key]!r} twice"
                )
            positions[key] = index
    wanted = {"lat", "lng"} <= positions.keys() and ({"estate", "venue"} & positions.keys())
    return positions if wanted else None


def read_sheet(content: bytes, centres: list[tuple[float, float]]) -> list[_Row | RowProblem]:
    """The sheet's rows, each read into a place or the problems that keep it out."""
    positions: dict[str, int] | None = None
    read: list[_Row | RowProblem] = []
    count = 0
    for number, cells in sheet_rows(content):
        if positions is None:
            positions = _header(cells)
            if positions is None and number >= MAX_HEADER_ROW:
                break
            continue
        by_key = {key: cells[i] for key, i in positions.items() if i < len(cells)}
        if all(is_blank(cell) for cell in by_key.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            raise BadFile(f"每个文件最多 {MAX_ROWS} 行", f"At most {MAX_ROWS} rows per file")
        reader = _Reader(number, by_key)
        row = reader.row(centres)
        read.extend(reader.problems if row is None else [row])
    if positions is None:
        raise BadFile(
            "找不到表头：第一行应为「小区 (estate)」「楼栋 (building)」「场所 (venue)」"
            "「纬度 (lat)」「经度 (lng)」等列名",
            "No header found: the first row should name the columns estate, building, venue, "
            "lat, lng",
        )
    if not read:
        raise BadFile("表中没有任何地点", "The sheet lists no place")
    return read


def _problem(row: _Row, key: str, zh: str, en: str) -> RowProblem:
    value = row.estate if key == "estate" and row.estate else row.name
    return RowProblem(row.number, HEADERS[key], value, zh, en)


def import_places(
    *,
    session: Session,
    community: Community,
    content: bytes,
    actor: UserAccount | None,
    dry_run: bool = False,
) -> PlaceSheetOutcome:
    """Import a place sheet into the community's directory: every row or none."""
    centres = [
        (g.center_lat, g.center_lng)
        for g in grids_of(session, community.id)
        if g.center_lat is not None and g.center_lng is not None
    ]
    read = read_sheet(content, centres)
    problems = [item for item in read if isinstance(item, RowProblem)]
    rows = [item for item in read if isinstance(item, _Row)]
    known = directory(session, community.id)

    # the same place twice in the file
    seen: dict[tuple[PlaceKind, str, str], int] = {}
    for row in rows:
        key = (row.kind, estate_key(row.estate or ""), key_of(row.kind, row.name))
        if key in seen:
            problems.append(
                _problem(
                    row,
                    "venue"
                    if row.kind == PlaceKind.VENUE
                    else "building"
                    if row.estate
                    else "estate",
                    f"与第 {seen[key]} 行是同一个地点",
                    f"The same place as row {seen[key]}",
                )
            )
        else:
            seen[key] = row.number

    # estates: in the directory, in the file, or only named by their buildings' rows
    estate_rows = {estate_key(r.name): r for r in rows if r.kind == PlaceKind.ESTATE}
    implied: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.kind == PlaceKind.BUILDING and row.estate is not None:
            ekey = estate_key(row.estate)
            if not known.find(PlaceKind.ESTATE, row.estate) and ekey not in estate_rows:
                implied[ekey].append(row)
    for row in rows:
        if (
            row.kind != PlaceKind.BUILDING
            and row.lat is None
            and not known.find(row.kind, row.name)
        ):
            problems.append(
                _problem(
                    row,
                    "lat",
                    "新的小区或场所须填写纬度和经度",
                    "A new estate or venue needs its lat and lng",
                )
            )
    for buildings in implied.values():
        if any(b.lat is None for b in buildings):
            first = buildings[0]
            problems.append(
                _problem(
                    first,
                    "estate",
                    f"小区「{first.estate}」还不在地点库中，且有楼栋没有坐标："
                    "请加一行只填这个小区和它的纬度、经度",
                    f"The estate {first.estate!r} is new and some of its buildings have no "
                    "coordinates: add a row with the estate alone and its lat and lng",
                )
            )
    if problems:
        problems.sort(key=lambda p: p.row)
        raise PlaceSheetRejected(problems)

    outcome = PlaceSheetOutcome(dry_run=dry_run)
    estates: dict[str, Place] = {}
    for row in rows:
        if row.kind != PlaceKind.BUILDING:
            place = _upsert(session, community, known, row, None, outcome, actor, dry_run)
            if row.kind == PlaceKind.ESTATE and place is not None:
                estates[estate_key(row.name)] = place
    for ekey, buildings in implied.items():
        lat = sum(b.lat or 0.0 for b in buildings) / len(buildings)
        lng = sum(b.lng or 0.0 for b in buildings) / len(buildings)
        name = buildings[0].estate or ekey
        middle = _Row(buildings[0].number, PlaceKind.ESTATE, name, None, lat, lng)
        place = _upsert(session, community, known, middle, None, outcome, actor, dry_run)
        if place is not None:
            estates[ekey] = place
    for row in rows:
        if row.kind == PlaceKind.BUILDING and row.estate is not None:
            found = known.find(PlaceKind.ESTATE, row.estate)
            estate = found[0] if found else estates.get(estate_key(row.estate))
            _upsert(session, community, known, row, estate, outcome, actor, dry_run)
    if not dry_run:
        session.flush()
        audit.record(
            session,
            action="places.import",
            row=community,
            actor=actor,
            community_id=community.id,
            after={
                "created": outcome.created,
                "updated": outcome.updated,
                "skipped": outcome.skipped,
            },
        )
    return outcome


def _same_spot(place: Place, row: _Row) -> bool:
    """Within a centimetre: Excel keeps 15 significant digits, so a coordinate read back from
    a saved sheet may differ in its last digits."""
    if place.lat is None or place.lng is None or row.lat is None or row.lng is None:
        return False
    return math.isclose(place.lat, row.lat, abs_tol=1e-7) and math.isclose(
        place.lng, row.lng, abs_tol=1e-7
    )


def _upsert(
    session: Session,
    community: Community,
    known: Directory,
    row: _Row,
    estate: Place | None,
    outcome: PlaceSheetOutcome,
    actor: UserAccount | None,
    dry_run: bool,
) -> Place | None:
    """Add the row's place, or move the one the directory has; None on a dry run's new place
    (its buildings are only counted)."""
    found: list[Place] = []
    if row.kind != PlaceKind.BUILDING or estate is not None:
        found = known.find(row.kind, row.name, estate)
    if found:
        place = found[0]
        moved = row.lat is not None and not _same_spot(place, row)
        if not moved:
            outcome.skipped += 1
            return place
        outcome.updated += 1
        if not dry_run:
            before = audit.snapshot(place)
            place.lat, place.lng = row.lat, row.lng
            audit.record(
                session,
                action="place.update",
                row=place,
                actor=actor,
                community_id=community.id,
                before=before,
            )
        return place
    outcome.created += 1
    if dry_run:
        return None
    place = Place(
        community_id=community.id,
        kind=row.kind,
        name=row.name,
        estate=estate,
        lat=row.lat,
        lng=row.lng,
    )
    session.add(place)
    return place
