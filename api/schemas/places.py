"""The place directory (地点库): a community's estates, their buildings and its venues.

A wish, a post, an activity or a registration names a place (``place_id``: a building, an
estate or a venue) and takes its coordinates from it. Coordinates typed as well (``lat``,
``lng``) are kept as given: they are the more exact, and the place still names where it is.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import Latitude, Longitude, Name, RefId, Strict
from models.place import Place, PlaceKind


class Placed(Strict):
    """Where a demand is: a place of the directory, coordinates, or both (coordinates win).
    ``api.services.places.locate`` refuses neither, naming the field at fault."""

    #: a building, an estate or a venue of the community's place directory
    place_id: RefId | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None


class PlaceCreate(Strict):
    """An estate, a building (of ``estate_id``) or a venue; a building may leave out its
    coordinates and stand at its estate's (``api.services.places.create_place`` checks the
    fields together, naming the one at fault)."""

    kind: PlaceKind
    name: Name
    estate_id: RefId | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None


class PlaceUpdate(Strict):
    """A new name or new coordinates; ``null`` coordinates put a building at its estate's."""

    name: Name | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None


class PlacePublic(BaseModel):
    id: int
    kind: PlaceKind
    name: str
    #: 「阳光小区3号楼」 for a building, the name otherwise
    full_name: str
    estate_id: int | None
    #: its own coordinates (None: a building at its estate's)
    lat: float | None
    lng: float | None
    #: where it stands: its own coordinates, else its estate's
    location_lat: float
    location_lng: float

    @classmethod
    def of(cls, place: Place) -> PlacePublic:
        lat, lng = place.location
        return cls(
            id=place.id,
            kind=place.kind,
            name=place.name,
            full_name=place.full_name,
            estate_id=place.estate_id,
            lat=place.lat,
            lng=place.lng,
            location_lat=lat,
            location_lng=lng,
        )


class HomePlace(BaseModel):
    """An estate or building one may live in, by name only (for registration)."""

    id: int
    kind: PlaceKind
    name: str
    estate_id: int | None


class PlaceImportResult(BaseModel):
    created: int = Field(description="places new to the directory")
    updated: int = Field(description="places already in the directory (by name) now changed")
    skipped: int = Field(description="places already in the directory as the row says")
    dry_run: bool = Field(description="true: checked only, nothing written")
