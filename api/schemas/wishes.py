"""Micro-wishes (微心愿): what anyone in scope sees, and the contact only some may see."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from api.schemas.assignments import BeneficiaryContact
from api.schemas.common import (
    Category,
    LongText,
    Name,
    Priority,
    Radius,
    RefId,
    ShortText,
    Skills,
    Strict,
    Title,
    UTCTime,
    fail,
)
from api.schemas.people import Phone
from api.schemas.places import Placed
from models.household import Situation
from models.wish import FollowUp, Wish, WishStatus

Duration = Annotated[int, Field(ge=5, le=1440, description="minutes")]
Headcount = Annotated[int, Field(ge=1, le=20)]


class BeneficiaryCreate(Strict):
    """A household met at the door: its address and phone are kept encrypted."""

    name: Name
    address: ShortText = ""
    phone: Phone | None = None
    situations: Annotated[list[Situation], Field(max_length=5)] = Field(default_factory=list)


class WishCreate(Placed):
    """A wish and its household: a new ``beneficiary``, or the ``household_id`` of a known one;
    where: a place of the directory (``place_id``: the household's building), or coordinates."""

    title: Title
    category: Category
    duration_minutes: Duration = 60
    earliest: date
    #: 限时办结: the last day it may be done
    deadline: date
    headcount: Headcount = 1
    #: helpers of a group wish may come at different times; by default they come together
    separate_visits: bool = False
    #: leave out to derive it from the household's situations
    priority: Priority | None = None
    radius_m: Radius | None = None
    #: left out with a place named: the grid whose centre is nearest to it
    grid_id: RefId | None = None
    skills: Skills = Field(default_factory=list)
    #: 说明 and 需携带 for the helpers: no address or phone here, those reach them once they
    #: confirm
    instructions: LongText = ""
    what_to_bring: LongText = ""
    household_id: RefId | None = None
    beneficiary: BeneficiaryCreate | None = None

    @field_validator("deadline")
    @classmethod
    def _after_earliest(cls, deadline: date, info: ValidationInfo) -> date:
        earliest = info.data.get("earliest")
        if earliest is not None and deadline < earliest:
            raise fail("deadline", "办结期限不能早于最早日期", "deadline is before earliest")
        return deadline


class WishUpdate(Strict):
    """Fields to change; ``null`` clears ``grid_id``, ``priority`` and ``radius_m`` only."""

    title: Title | None = None
    category: Category | None = None
    duration_minutes: Duration | None = None
    earliest: date | None = None
    deadline: date | None = None
    headcount: Headcount | None = None
    separate_visits: bool | None = None
    priority: Priority | None = None
    radius_m: Radius | None = None
    grid_id: RefId | None = None
    skills: Skills | None = None
    instructions: LongText | None = None
    what_to_bring: LongText | None = None
    #: another place of the directory: the wish takes its coordinates
    place_id: RefId | None = None


class WishAdvance(Strict):
    status: WishStatus


class FollowUpCreate(Strict):
    """回访: the resident's rating of the service, 1 to 5."""

    rating: int = Field(ge=1, le=5)
    comment: LongText = ""


class FollowUpPublic(BaseModel):
    id: int
    rating: int
    comment: str
    visited_at: UTCTime

    @classmethod
    def of(cls, row: FollowUp) -> FollowUpPublic:
        return cls(id=row.id, rating=row.rating, comment=row.comment, visited_at=row.visited_at)


class WishPublic(BaseModel):
    """A wish as everyone in scope sees it: the beneficiary's name and the wish, nothing more."""

    id: int
    community_id: int
    grid_id: int | None
    title: str
    category: str
    duration_minutes: int
    earliest: date
    deadline: date
    headcount: int
    separate_visits: bool
    #: the team that claimed it (帮帮团): every helper comes from this team
    team_id: int | None = None
    priority: float
    status: WishStatus
    status_changed_at: UTCTime
    skills: list[str]
    instructions: str
    what_to_bring: str
    beneficiary_name: str
    #: the latest follow-up rating, once visited
    rating: int | None

    @classmethod
    def of(cls, wish: Wish) -> WishPublic:
        return cls(**_public_fields(wish))


class WishWithContact(WishPublic):
    """Private: for the coordinators of the wish's community only — where and whom to visit."""

    lat: float
    lng: float
    #: the place of the directory it was recorded at, and its name (「阳光小区3号楼」)
    place_id: int | None
    place_name: str | None
    radius_m: float | None
    beneficiary: BeneficiaryContact
    situations: list[Situation]
    follow_ups: list[FollowUpPublic]

    @classmethod
    def of(cls, wish: Wish) -> WishWithContact:
        household = wish.household
        return cls(
            **_public_fields(wish),
            lat=wish.lat,
            lng=wish.lng,
            place_id=wish.place_id,
            place_name=wish.place.full_name if wish.place is not None else None,
            radius_m=wish.radius_m,
            beneficiary=BeneficiaryContact(
                name=household.name, address=household.address, phone=household.phone
            ),
            situations=sorted(household.situations),
            follow_ups=[FollowUpPublic.of(f) for f in wish.follow_ups],
        )


def _public_fields(wish: Wish) -> dict[str, Any]:
    return {
        "id": wish.id,
        "community_id": wish.community_id,
        "grid_id": wish.grid_id,
        "title": wish.title,
        "category": wish.category,
        "duration_minutes": wish.duration_minutes,
        "earliest": wish.earliest,
        "deadline": wish.deadline,
        "headcount": wish.headcount,
        "separate_visits": wish.separate_visits,
        "team_id": wish.team_id,
        "priority": wish.effective_priority,
        "status": wish.status,
        "status_changed_at": wish.status_changed_at,
        "skills": sorted(wish.skills),
        "instructions": wish.instructions,
        "what_to_bring": wish.what_to_bring,
        "beneficiary_name": wish.household.name,
        "rating": wish.follow_ups[-1].rating if wish.follow_ups else None,
    }
