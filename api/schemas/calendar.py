"""The themed-month calendar (主题服务月) and its activities."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from api.schemas.common import (
    Category,
    Clock,
    Latitude,
    Longitude,
    Priority,
    Radius,
    RefId,
    ShortText,
    Skill,
    Strict,
    Title,
    UTCTime,
    fail,
    minutes,
)
from models.calendar import Activity, ThemeMonth


class ThemeMonthUpdate(Strict):
    """The month's theme (三月：学雷锋志愿服务月) and its party-member service day (1–28)."""

    theme: Title
    service_day: Annotated[int, Field(ge=1, le=28)] | None = None


class RoleCreate(Strict):
    """How many helpers of one skill; no skill means anyone."""

    skill: Skill | None = None
    headcount: Annotated[int, Field(ge=1, le=200)] = 1


class ActivityCreate(Strict):
    name: Title
    day: date
    start: Clock
    end: Clock
    place: ShortText = ""
    lat: Latitude
    lng: Longitude
    category: Category = ""
    #: the co-building unit (共建单位) in charge
    responsible_unit: ShortText = ""
    priority: Priority = 1.0
    party_members_only: bool = False
    radius_m: Radius | None = None
    grid_id: RefId | None = None
    roles: Annotated[list[RoleCreate], Field(min_length=1, max_length=10)] = Field(
        default_factory=lambda: [RoleCreate()]
    )

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and minutes(start) >= minutes(end):
            raise fail("window", "结束时间须晚于开始时间", "end must be after start")
        return end


class RolePublic(BaseModel):
    skill: str | None
    headcount: int


class ActivityPublic(BaseModel):
    id: int
    community_id: int
    grid_id: int | None
    name: str
    day: date
    starts_at: UTCTime
    ends_at: UTCTime
    place: str
    lat: float
    lng: float
    category: str
    responsible_unit: str
    priority: float
    party_members_only: bool
    radius_m: float | None
    roles: list[RolePublic]
    headcount: int

    @classmethod
    def of(cls, activity: Activity) -> ActivityPublic:
        return cls(
            id=activity.id,
            community_id=activity.community_id,
            grid_id=activity.grid_id,
            name=activity.name,
            day=activity.day,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            place=activity.place,
            lat=activity.lat,
            lng=activity.lng,
            category=activity.category,
            responsible_unit=activity.responsible_unit,
            priority=activity.priority,
            party_members_only=activity.party_members_only,
            radius_m=activity.radius_m,
            roles=[RolePublic(skill=r.skill, headcount=r.headcount) for r in activity.roles],
            headcount=activity.headcount,
        )


class CalendarMonthPublic(BaseModel):
    community_id: int
    year: int
    month: int
    #: None until the month's theme is set
    theme: str | None
    service_day: int | None
    activities: list[ActivityPublic]

    @classmethod
    def of(
        cls,
        community_id: int,
        year: int,
        month: int,
        theme: ThemeMonth | None,
        activities: list[Activity],
    ) -> CalendarMonthPublic:
        return cls(
            community_id=community_id,
            year=year,
            month=month,
            theme=theme.theme if theme else None,
            service_day=theme.service_day if theme else None,
            activities=[ActivityPublic.of(a) for a in activities],
        )
