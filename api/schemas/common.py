"""Field types shared by the schemas: bounded text, coordinates, times of day, pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from matcher.domain import SKILLS

T = TypeVar("T")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


#: a moment, always shown in UTC (``2026-03-12T01:00:00Z``), however it was made
UTCTime = Annotated[datetime, AfterValidator(_utc)]


def fail(kind: str, zh: str, en: str) -> PydanticCustomError:
    """A validation error with a message in both languages (see ``api.web.errors.translate``)."""
    return PydanticCustomError(f"tongxin_{kind}", "{error}", {"error": f"{zh} | {en}"})


def has_control_characters(value: str, allowed: str = "") -> bool:
    """Whether ``value`` holds a control character other than those ``allowed`` (NUL above
    all: PostgreSQL refuses it in text)."""
    return any((ord(c) < 32 or ord(c) == 127) and c not in allowed for c in value)


def _printable(value: str) -> str:
    # control characters never get stored; free text may keep its tabs and line breaks
    if has_control_characters(value, allowed="\t\n\r"):
        raise fail("control_character", "含有不可见的控制字符", "Contains control characters")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_printable),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_printable),
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_printable)
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_printable)
]
Category = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(_printable)
]

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Radius = Annotated[float, Field(gt=0, le=50_000, allow_inf_nan=False)]
Priority = Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)]
Weekday = Annotated[int, Field(ge=0, le=6, description="Monday = 0")]
RefId = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _known_skill(value: str) -> str:
    value = value.strip()
    if value not in SKILLS:
        raise fail(
            "unknown_skill",
            f"未知的专长「{value}」，可选：{'、'.join(SKILLS)}",
            f"unknown skill {value!r}; known: {', '.join(SKILLS)}",
        )
    return value


Skill = Annotated[str, StringConstraints(max_length=32), AfterValidator(_known_skill)]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


Skills = Annotated[list[Skill], Field(max_length=20), AfterValidator(_unique)]

_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def _minute_of_day(value: str) -> str:
    match = _CLOCK.match(value)
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise fail("clock", "应为 HH:MM 格式的时间，如 08:30", "Must be a time like 08:30")
    return value


Clock = Annotated[
    str,
    StringConstraints(max_length=5),
    AfterValidator(_minute_of_day),
    Field(examples=["08:30"], description="HH:MM, 00:00–24:00"),
]


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def clock(minute_of_day: int) -> str:
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, so a typo does not pass silently."""

    model_config = ConfigDict(extra="forbid")


class TimeWindow(Strict):
    """A weekly time: ``{"weekday": 5, "start": "08:30", "end": "11:30"}``."""

    weekday: Weekday
    start: Clock
    end: Clock

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and minutes(start) >= minutes(end):
            raise fail("window", "结束时间须晚于开始时间", "end must be after start")
        return end


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
