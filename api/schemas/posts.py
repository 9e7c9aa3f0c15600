"""Service posts (服务岗位) and their weekly shift templates."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from api.schemas.common import (
    Category,
    Latitude,
    Longitude,
    LongText,
    Priority,
    Radius,
    RefId,
    ShortText,
    Skills,
    Strict,
    TimeWindow,
    Title,
    clock,
    fail,
    minutes,
)
from api.schemas.places import Placed
from models.post import TAKE_MODE_ZH, Post, ShiftTemplate, TakeMode

Staff = Annotated[int, Field(ge=0, le=50)]
MaxStaff = Annotated[int, Field(ge=1, le=50)]


def _distinct_starts(windows: list[TimeWindow]) -> list[TimeWindow]:
    starts = [(w.weekday, minutes(w.start)) for w in windows]
    if len(set(starts)) != len(starts):
        raise fail("template_twice", "同一时间的班次重复", "Two templates start at the same time")
    return windows


class PostCreate(Placed):
    """A post at a place of the directory (``place_id``) or at coordinates; ``place``, the
    words shown, defaults to the directory place's name."""

    name: Title
    category: Category = ""
    place: ShortText = ""
    #: 说明 and 需携带, on the task cards and calendars of the people on shift
    instructions: LongText = ""
    what_to_bring: LongText = ""
    party_members_only: bool = False
    #: 定点定时定人: keep the same people on each weekly shift
    regular_crew: bool = False
    min_staff: Staff = 1
    max_staff: MaxStaff = 1
    priority: Priority = 1.0
    radius_m: Radius | None = None
    grid_id: RefId | None = None
    #: only this team's members staff it (a team-only post)
    team_id: RefId | None = None
    required_skills: Skills = Field(default_factory=list)
    #: who fills its shifts: the weekly plan and members' claims (both), or only one of them
    take_mode: TakeMode = TakeMode.BOTH
    #: weekly recurrences: ``{"weekday": 5, "start": "08:30", "end": "11:30"}``
    templates: Annotated[list[TimeWindow], Field(max_length=42)] = Field(default_factory=list)

    @field_validator("max_staff")
    @classmethod
    def _not_below_min(cls, max_staff: int, info: ValidationInfo) -> int:
        min_staff = info.data.get("min_staff")
        if min_staff is not None and max_staff < min_staff:
            raise fail("staff", "最多人数不能少于最少人数", "max_staff is below min_staff")
        return max_staff

    @field_validator("templates")
    @classmethod
    def _distinct(cls, templates: list[TimeWindow]) -> list[TimeWindow]:
        return _distinct_starts(templates)


class PostUpdate(Strict):
    """Fields to change; ``null`` clears ``grid_id``, ``radius_m`` and ``team_id`` only."""

    name: Title | None = None
    category: Category | None = None
    place: ShortText | None = None
    instructions: LongText | None = None
    what_to_bring: LongText | None = None
    #: another place of the directory: the post takes its coordinates (lat, lng given win)
    place_id: RefId | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    party_members_only: bool | None = None
    regular_crew: bool | None = None
    min_staff: Staff | None = None
    max_staff: MaxStaff | None = None
    priority: Priority | None = None
    radius_m: Radius | None = None
    grid_id: RefId | None = None
    #: only this team's members staff it; ``null``: anyone
    team_id: RefId | None = None
    required_skills: Skills | None = None
    take_mode: TakeMode | None = None
    #: an inactive post keeps its history and gets no new shifts
    active: bool | None = None


class TemplatePublic(BaseModel):
    id: int
    weekday: int
    start: str
    end: str

    @classmethod
    def of(cls, row: ShiftTemplate) -> TemplatePublic:
        return cls(
            id=row.id,
            weekday=row.weekday,
            start=clock(row.start_minute),
            end=clock(row.end_minute),
        )


class PostPublic(BaseModel):
    id: int
    community_id: int
    grid_id: int | None
    team_id: int | None
    name: str
    category: str
    place: str
    instructions: str
    what_to_bring: str
    lat: float
    lng: float
    party_members_only: bool
    regular_crew: bool
    min_staff: int
    max_staff: int
    priority: float
    radius_m: float | None
    required_skills: list[str]
    active: bool
    take_mode: TakeMode
    #: 排班与认领 / 仅由排班安排 / 仅由党员认领
    take_mode_zh: str
    templates: list[TemplatePublic]

    @classmethod
    def of(cls, post: Post) -> PostPublic:
        return cls(
            id=post.id,
            community_id=post.community_id,
            grid_id=post.grid_id,
            team_id=post.team_id,
            name=post.name,
            category=post.category,
            place=post.place,
            instructions=post.instructions,
            what_to_bring=post.what_to_bring,
            lat=post.lat,
            lng=post.lng,
            party_members_only=post.party_members_only,
            regular_crew=post.regular_crew,
            min_staff=post.min_staff,
            max_staff=post.max_staff,
            priority=post.priority,
            radius_m=post.radius_m,
            required_skills=sorted(post.required_skills),
            active=post.active,
            take_mode=post.take_mode,
            take_mode_zh=TAKE_MODE_ZH[post.take_mode],
            templates=[TemplatePublic.of(t) for t in post.templates],
        )
