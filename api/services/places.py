"""The place directory (地点库): a community's estates, buildings and venues, entered once with
their coordinates, and the one way a wish, post, activity or home takes its location from a
place.

Names are matched forgivingly, as people write them on paper lists: spaces, full-width and
half-width characters, letter case, a missing 「小区」, and 「3号楼」「3栋」「3幢」「三号楼」 for the
same building all match (``estate_key``, ``building_key``). ``Directory.home`` finds a home's
building from an estate cell and a building cell, or from one cell holding both
(「阳光小区3号楼」), and says why when it cannot.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.schemas.places import PlaceCreate, PlaceUpdate
from api.services.errors import Conflict, Invalid
from models import audit
from models.community import Community
from models.place import PLACE_KIND_ZH, Place, PlaceKind
from models.user import UserAccount

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2, "〇": 0}
_CHINESE_NUMBER = re.compile(r"[零〇一二两三四五六七八九十]+")
_NOISE = re.compile(r"[\s·•\-_#/\\,，.。()（）【】\[\]]+")
_ESTATE_SUFFIX = re.compile(r"小区$")
_BUILDING_SUFFIX = re.compile(r"(号楼|号栋|号幢|号座|栋楼|栋|幢|座|号|楼)$")


def _chinese_to_digits(match: re.Match[str]) -> str:
    """「三」→ 3, 「十二」→ 12, 「二十一」→ 21, 「一〇五」→ 105."""
    text = match.group(0)
    if "十" not in text:
        return "".join(str(_DIGITS[c]) for c in text)
    tens, _, ones = text.partition("十")
    if "十" in ones:
        return text  # not a number people write on a building
    value = (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    return str(value)


def plain(text: str) -> str:
    """A name as compared: full-width folded to half-width (NFKC), case folded, no spaces or
    punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def estate_key(name: str) -> str:
    """「阳光小区」, 「 阳光 」 and 「阳光小区 」 all give 「阳光」."""
    text = plain(name)
    return _ESTATE_SUFFIX.sub("", text) or text


def building_key(name: str) -> str:
    """「3号楼」, 「3栋」, 「3幢」, 「３号」, 「三号楼」 all give 「3」; 「A座」 gives 「a」."""
    text = _CHINESE_NUMBER.sub(_chinese_to_digits, plain(name))
    stripped = _BUILDING_SUFFIX.sub("", text) or text
    return stripped.lstrip("0") or stripped


def venue_key(name: str) -> str:
    return plain(name)


def key_of(kind: PlaceKind, name: str) -> str:
    if kind == PlaceKind.ESTATE:
        return estate_key(name)
    if kind == PlaceKind.BUILDING:
        return building_key(name)
    return venue_key(name)


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Why a home's place was not found, in both languages, and which name is at fault
    (``estate`` or ``building``)."""

    zh: str
    en: str
    column: str = "estate"


def _listed(names: Sequence[str], limit: int = 12) -> str:
    shown = "、".join(names[:limit])
    return shown + ("…" if len(names) > limit else "") if shown else "（无）"


class Directory:
    """A community's places, indexed by their forgiving keys, to find a place by its name."""

    def __init__(self, places: Sequence[Place]):
        self.places = list(places)
        self.estates: dict[str, list[Place]] = defaultdict(list)
        self.venues: dict[str, list[Place]] = defaultdict(list)
        self.buildings: dict[int, dict[str, list[Place]]] = defaultdict(lambda: defaultdict(list))
        for place in self.places:
            if place.kind == PlaceKind.ESTATE:
                self.estates[estate_key(place.name)].append(place)
            elif place.kind == PlaceKind.VENUE:
                self.venues[venue_key(place.name)].append(place)
            else:
                assert place.estate_id is not None
                self.buildings[place.estate_id][building_key(place.name)].append(place)

    def estate_names(self) -> list[str]:
        return [p.name for p in self.places if p.kind == PlaceKind.ESTATE]

    def building_names(self, estate: Place) -> list[str]:
        return [p.name for found in self.buildings[estate.id].values() for p in found]

    def find(self, kind: PlaceKind, name: str, estate: Place | None = None) -> list[Place]:
        """Places of ``kind`` whose key matches ``name`` (buildings: of ``estate``)."""
        if kind == PlaceKind.ESTATE:
            return list(self.estates.get(estate_key(name), ()))
        if kind == PlaceKind.VENUE:
            return list(self.venues.get(venue_key(name), ()))
        assert estate is not None
        return list(self.buildings[estate.id].get(building_key(name), ()))

    def _estate(self, text: str) -> Place | Unmatched:
        found = self.find(PlaceKind.ESTATE, text)
        if len(found) == 1:
            return found[0]
        if found:
            names = "、".join(p.name for p in found)
            return Unmatched(
                f"有多个小区都像「{text}」（{names}）：请写小区全名",
                f"Several estates look like {text!r} ({', '.join(p.name for p in found)}): "
                "write the estate's full name",
            )
        return Unmatched(
            f"地点库中没有小区「{text}」；已有小区：{_listed(self.estate_names())}",
            f"No estate {text!r} in the place directory; known: "
            f"{', '.join(self.estate_names()[:12]) or '(none)'}",
        )

    def _building(self, estate: Place, text: str) -> Place | Unmatched:
        found = self.find(PlaceKind.BUILDING, text, estate)
        if len(found) == 1:
            return found[0]
        names = self.building_names(estate)
        if found:
            return Unmatched(
                f"「{estate.name}」有多个楼栋都像「{text}」：请写楼栋全名",
                f"Several buildings of {estate.name} look like {text!r}: write its full name",
                "building",
            )
        return Unmatched(
            f"「{estate.name}」没有楼栋「{text}」；已有楼栋：{_listed(names)}",
            f"{estate.name} has no building {text!r}; known: {', '.join(names[:12]) or '(none)'}",
            "building",
        )

    def _split(self, text: str) -> tuple[Place, str] | None:
        """One cell holding an estate and a building (「阳光小区3号楼」, 「阳光 3栋」)."""
        whole = plain(text)
        best: tuple[int, Place, str] | None = None
        for found in self.estates.values():
            for estate in found:
                for prefix in {plain(estate.name), estate_key(estate.name)}:
                    rest = whole[len(prefix) :]
                    longer = best is None or len(prefix) > best[0]
                    if prefix and whole.startswith(prefix) and rest and longer:
                        best = (len(prefix), estate, rest)
        return None if best is None else (best[1], best[2])

    def home(self, estate_text: str | None, building_text: str | None) -> Place | Unmatched:
        """The building (or, without a building, the estate) a home is in."""
        if not estate_text:
            if building_text:
                return Unmatched(
                    "填写楼栋时须同时填写小区", "A building is given without its estate", "estate"
                )
            return Unmatched("未填写小区", "No estate given")
        estate = self._estate(estate_text)
        if isinstance(estate, Unmatched) and not building_text:
            split = self._split(estate_text)
            if split is not None:
                building = self._building(split[0], split[1])
                if isinstance(building, Place):
                    return building
        if isinstance(estate, Unmatched) or not building_text:
            return estate
        return self._building(estate, building_text)


def directory(session: Session, community_id: int) -> Directory:
    """The community's place directory, to match names against."""
    return Directory(list_places(session=session, community_id=community_id))


def list_places(*, session: Session, community_id: int) -> list[Place]:
    """A community's places: estates, each followed by its buildings, then venues."""
    rows = session.scalars(
        sa.select(Place)
        .options(selectinload(Place.estate))
        .where(Place.community_id == community_id)
        .order_by(Place.id)
    ).all()
    estates = [p for p in rows if p.kind == PlaceKind.ESTATE]
    buildings: dict[int | None, list[Place]] = defaultdict(list)
    for place in rows:
        if place.kind == PlaceKind.BUILDING:
            buildings[place.estate_id].append(place)
    ordered: list[Place] = []
    for estate in estates:
        ordered.append(estate)
        ordered.extend(sorted(buildings[estate.id], key=_building_order))
    ordered.extend(p for p in rows if p.kind == PlaceKind.VENUE)
    return ordered


def _building_order(place: Place) -> tuple[int, str]:
    key = building_key(place.name)
    return (int(key), "") if key.isdigit() else (10**9, key)


def _refuse_duplicate(
    session: Session, community_id: int, kind: PlaceKind, name: str, estate: Place | None, own: int
) -> None:
    found = directory(session, community_id).find(kind, name, estate)
    if any(p.id != own for p in found):
        where = f"「{estate.name}」已有" if estate is not None else "地点库中已有"
        raise Conflict(
            f"{where}{PLACE_KIND_ZH[kind]}「{found[0].name}」，与「{name}」是同一个",
            f"The directory already has the {kind.value} {found[0].name!r}, the same as {name!r}",
        )


def create_place(
    *, session: Session, community: Community, data: PlaceCreate, actor: UserAccount
) -> Place:
    """Add an estate, a building of an estate of the community, or a venue; a name the
    directory already has (forgivingly matched) is a 409."""
    _together(data.lat, data.lng)
    if (data.kind == PlaceKind.BUILDING) != (data.estate_id is not None):
        raise Invalid(
            "楼栋须属于一个小区（只有楼栋属于小区）",
            "A building belongs to an estate, and only a building does",
            "estate_id",
        )
    if data.kind != PlaceKind.BUILDING and data.lat is None:
        raise Invalid(
            f"{PLACE_KIND_ZH[data.kind]}须填写纬度和经度",
            f"A {data.kind.value} needs lat and lng",
            "lat",
        )
    estate = None
    if data.estate_id is not None:
        estate = session.get(Place, data.estate_id)
        if estate is None or estate.community_id != community.id or estate.kind != PlaceKind.ESTATE:
            raise Invalid("该社区没有这个小区", "No such estate in this community", "estate_id")
    _refuse_duplicate(session, community.id, data.kind, data.name, estate, 0)
    place = Place(
        community_id=community.id,
        kind=data.kind,
        name=data.name,
        estate=estate,
        lat=data.lat,
        lng=data.lng,
    )
    session.add(place)
    session.flush()
    audit.record(session, action="place.create", row=place, actor=actor, community_id=community.id)
    return place


def update_place(*, session: Session, place: Place, data: PlaceUpdate, actor: UserAccount) -> Place:
    """Rename a place or move it. Rows that named it keep the coordinates they were recorded
    with."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    lat = changes.get("lat", place.lat)
    lng = changes.get("lng", place.lng)
    _together(lat, lng)
    if lat is None and place.kind != PlaceKind.BUILDING:
        raise Invalid(
            f"{PLACE_KIND_ZH[place.kind]}须有纬度和经度",
            f"A {place.kind.value} needs lat and lng",
            "lat",
        )
    if changes.get("name") is None:
        changes.pop("name", None)
    else:
        _refuse_duplicate(
            session, place.community_id, place.kind, changes["name"], place.estate, place.id
        )
    before = audit.snapshot(place)
    for key, value in changes.items():
        setattr(place, key, value)
    audit.record(
        session,
        action="place.update",
        row=place,
        actor=actor,
        community_id=place.community_id,
        before=before,
    )
    return place


def _together(lat: float | None, lng: float | None) -> None:
    if (lat is None) != (lng is None):
        missing = "lat" if lat is None else "lng"
        raise Invalid("纬度和经度须同时填写", "Give lat and lng together", missing)


@dataclass(frozen=True, slots=True)
class Located:
    """Where a row is: the place it names (if any) and its coordinates."""

    place: Place | None
    lat: float
    lng: float


def locate(
    session: Session,
    community_id: int,
    place_id: int | None,
    lat: float | None,
    lng: float | None,
    field: str = "place_id",
) -> Located:
    """The place a body names, with its coordinates; coordinates given as well win (they are
    the more exact), and the place still names where it is. A place of another community is
    refused (422)."""
    _together(lat, lng)
    place = None
    if place_id is not None:
        place = session.get(Place, place_id)
        if place is None or place.community_id != community_id:
            raise Invalid("地点库中没有这个地点", "No such place in the directory", field)
    if lat is not None and lng is not None:
        return Located(place, lat, lng)
    if place is None:
        raise Invalid(
            "请选择地点（小区和楼栋，或场所）", "Choose a place, or give lat and lng", field
        )
    place_lat, place_lng = place.location
    return Located(place, place_lat, place_lng)


def home_places(*, session: Session, community_id: int) -> list[Place]:
    """The estates and buildings one may live in, in directory order."""
    return [
        p
        for p in list_places(session=session, community_id=community_id)
        if p.kind != PlaceKind.VENUE
    ]


def placed_fields(
    session: Session,
    community_id: int,
    place_id: int | None,
    lat: float | None,
    lng: float | None,
    words: str,
) -> dict[str, Any]:
    """The columns of a post or an activity that say where it is: the directory place, its
    coordinates, and the words shown (by default the place's name)."""
    located = locate(session, community_id, place_id, lat, lng)
    if not words and located.place is not None:
        words = located.place.full_name
    return {"place_id": place_id, "lat": located.lat, "lng": located.lng, "place": words}
