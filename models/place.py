"""A community's place directory (地点库): its estates (小区), the buildings (楼栋) of each
estate, and its venues (the service hall 党群服务中心, a square, a school …).

The coordinator enters each place's coordinates once; a wish, a post, an activity or a
member's home then names a place and takes its coordinates from it, so nobody types a latitude
again. A building without coordinates of its own stands at its estate's.
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamped, check, enum_type
from models.community import Community


class PlaceKind(StrEnum):
    ESTATE = "estate"
    BUILDING = "building"
    VENUE = "venue"


PLACE_KIND_ZH = {PlaceKind.ESTATE: "小区", PlaceKind.BUILDING: "楼栋", PlaceKind.VENUE: "场所"}


class Place(Timestamped, Base):
    """An estate, a building of an estate, or a venue of a community, with where it stands."""

    __tablename__ = "place"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "external_id"),
        check("(kind = 'building') = (estate_id IS NOT NULL)", "building_has_estate"),
        check("(lat IS NULL) = (lng IS NULL)", "lat_lng_together"),
        check("kind = 'building' OR lat IS NOT NULL", "located"),
        sa.Index(None, "community_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id", ondelete="CASCADE"))
    kind: Mapped[PlaceKind] = mapped_column(enum_type(PlaceKind, "place_kind"))
    #: 阳光小区 · 3号楼 · 红光社区党群服务中心
    name: Mapped[str] = mapped_column(sa.String(100))
    #: the estate a building belongs to; None for estates and venues
    estate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("place.id", ondelete="CASCADE"), index=True
    )
    #: None only for a building, which then stands at its estate's coordinates
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    external_id: Mapped[str | None] = mapped_column(sa.String(64))

    community: Mapped[Community] = relationship()
    estate: Mapped[Place | None] = relationship(remote_side=[id])

    @property
    def location(self) -> tuple[float, float]:
        """Where it stands: its own coordinates, else (a building) its estate's."""
        if self.lat is not None and self.lng is not None:
            return self.lat, self.lng
        assert self.estate is not None and self.estate.lat is not None
        assert self.estate.lng is not None
        return self.estate.lat, self.estate.lng

    @property
    def full_name(self) -> str:
        """How people say it: 「阳光小区3号楼」 for a building, the name otherwise."""
        if self.estate is not None:
            return f"{self.estate.name}{self.name}"
        return self.name

    def __repr__(self) -> str:
        return f"Place(id={self.id!r}, kind={self.kind.value!r}, name={self.name!r})"
