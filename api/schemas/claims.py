"""Open work a member may take (认领), the seats offered to them after a decline, check-in."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import RefId, Strict, UTCTime
from matcher.domain import DEMAND_KIND_ZH, DemandKind
from models.schedule import OFFER_STATUS_ZH, OfferStatus, SeatOffer


class OpenSeatPublic(BaseModel):
    """A place on a shift, an activity role or a wish the member may take now."""

    run_id: int
    demand_kind: DemandKind
    #: 服务岗位 / 主题活动 / 微心愿
    kind_zh: str
    demand_id: int
    role: int
    title: str
    role_name: str
    starts_at: UTCTime
    ends_at: UTCTime
    #: metres from the member's home
    distance_m: float
    places_left: int
    #: where, coarsely: the centre of a fixed cell of about 100 m (a wish's household is never
    #: shown more closely)
    lat: float
    lng: float
    #: set when the seat was offered to this member after someone declined it
    offer_id: int | None


class ClaimCreate(Strict):
    """One place of an open seat: the run and demand of ``GET /me/open-work``."""

    run_id: RefId
    demand_kind: DemandKind
    demand_id: RefId
    role: int = Field(0, ge=0, le=50)


class OfferPublic(BaseModel):
    """A seat offered to the member because its assignee declined it."""

    id: int
    status: OfferStatus
    status_zh: str
    rank: int
    demand_kind: DemandKind
    demand_id: int
    title: str
    starts_at: UTCTime
    ends_at: UTCTime
    #: the member's assignment, once they accepted
    assignment_id: int | None

    @classmethod
    def of(cls, offer: SeatOffer, title: str) -> OfferPublic:
        declined = offer.declined
        return cls(
            id=offer.id,
            status=offer.status,
            status_zh=OFFER_STATUS_ZH[offer.status],
            rank=offer.rank,
            demand_kind=declined.demand_kind,
            demand_id=declined.demand_id or 0,
            title=title,
            starts_at=declined.starts_at,
            ends_at=declined.ends_at,
            assignment_id=offer.accepted_assignment_id,
        )


def kind_zh(kind: DemandKind) -> str:
    return DEMAND_KIND_ZH[kind]


class CheckInCreate(Strict):
    """The check-in code shown at the place (or in its QR code), and where the phone is, if
    the member lets it tell."""

    code: str = Field(min_length=4, max_length=12, pattern=r"^[0-9A-Za-z ]+$")
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)


class CheckInCode(BaseModel):
    """The code of a task's place, for the coordinator to print or read out."""

    code: str
    #: the phone page that checks in with this code (what the QR code opens)
    url: str
    #: the printable QR code (SVG)
    qr_url: str
