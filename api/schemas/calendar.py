"""The themed-month calendar (主题服务月) and its activities."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from api.schemas.common import (
    Category,
    Clock,
    LongText,
    Priority,
    Radius,
    RefId,
    ShortText,
    Skill,
    Strict,
    Title,
    UTCTime,
    Weekday,
    clock,
    fail,
    minutes,
)
from api.schemas.places import Placed
from models.calendar import Activity, DayRule, RecurringActivity, ThemeMonth


class ThemeMonthUpdate(Strict):
    """The month's theme (三月：学雷锋志愿服务月) and its party-member service day (1–28)."""

    theme: Title
    service_day: Annotated[int, Field(ge=1, le=28)] | None = None


class RoleCreate(Strict):
    """How many helpers of one skill; no skill means anyone."""

    skill: Skill | None = None
    headcount: Annotated[int, Field(ge=1, le=200)] = 1
    #: only this team's members take the role (a team-only role)
    team_id: RefId | None = None


class ActivityFields(Placed):
    """What an activity is, wherever it is dated: once, or by a rule of the fixed year; where:
    a place of the directory (``place_id``) or coordinates. ``place``, the words shown,
    defaults to the directory place's name."""

    name: Title
    start: Clock
    end: Clock
    place: ShortText = ""
    category: Category = ""
    #: the co-building unit (共建单位) in charge
    responsible_unit: ShortText = ""
    priority: Priority = 1.0
    party_members_only: bool = False
    radius_m: Radius | None = None
    grid_id: RefId | None = None
    #: 说明 and 需携带, on the helpers' task cards and calendars
    instructions: LongText = ""
    what_to_bring: LongText = ""
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


class ActivityCreate(ActivityFields):
    day: date


class ActivityUpdate(Strict):
    """The words of an activity; its day, times, place on the map and roles stay as made."""

    name: Title | None = None
    place: ShortText | None = None
    category: Category | None = None
    responsible_unit: ShortText | None = None
    instructions: LongText | None = None
    what_to_bring: LongText | None = None


class RecurringActivityCreate(ActivityFields):
    """An activity of the fixed year: in ``month`` (or every month), on the day ``day_rule`` says.

    ``service_day``: the month's 党员服务日; ``day_of_month``: that day (months without it have
    none); ``weekday``: that weekday, every week or only the ``week_of_month``-th of the month.
    """

    month: Annotated[int, Field(ge=1, le=12)] | None = None
    day_rule: DayRule
    day_of_month: Annotated[int, Field(ge=1, le=31)] | None = None
    weekday: Weekday | None = None
    week_of_month: Annotated[int, Field(ge=1, le=5)] | None = None

    @model_validator(mode="after")
    def _rule_fields(self) -> Self:
        given = {name for name in RULE_FIELDS_ZH if getattr(self, name) is not None}
        required, optional = RULE_FIELDS[self.day_rule]
        rule_zh = DAY_RULES_ZH[self.day_rule]
        if missing := sorted(required - given):
            raise fail(
                "day_rule",
                f"「{rule_zh}」须填写{'、'.join(RULE_FIELDS_ZH[f] for f in missing)}",
                f"day_rule {self.day_rule.value} needs {', '.join(missing)}",
            )
        if extra := sorted(given - required - optional):
            raise fail(
                "day_rule",
                f"「{rule_zh}」不能填写{'、'.join(RULE_FIELDS_ZH[f] for f in extra)}",
                f"day_rule {self.day_rule.value} takes no {', '.join(extra)}",
            )
        return self


DAY_RULES_ZH = {
    DayRule.SERVICE_DAY: "每月党员服务日",
    DayRule.DAY_OF_MONTH: "每月固定日期",
    DayRule.WEEKDAY: "固定星期",
}
RULE_FIELDS_ZH = {"day_of_month": "日期", "weekday": "星期", "week_of_month": "第几周"}
#: per day rule: the fields it needs, and those it may have
RULE_FIELDS: dict[DayRule, tuple[set[str], set[str]]] = {
    DayRule.SERVICE_DAY: (set(), set()),
    DayRule.DAY_OF_MONTH: ({"day_of_month"}, set()),
    DayRule.WEEKDAY: ({"weekday"}, {"week_of_month"}),
}


class RolePublic(BaseModel):
    skill: str | None
    headcount: int
    team_id: int | None = None


class ActivityDetailsPublic(BaseModel):
    """An activity's details, dated once or by a rule (``models.calendar.ActivityDetails``)."""

    place: str
    lat: float
    lng: float
    category: str
    responsible_unit: str
    priority: float
    party_members_only: bool
    radius_m: float | None
    instructions: str
    what_to_bring: str


class ActivityPublic(ActivityDetailsPublic):
    id: int
    community_id: int
    grid_id: int | None
    name: str
    day: date
    starts_at: UTCTime
    ends_at: UTCTime
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
            roles=[
                RolePublic(skill=r.skill, headcount=r.headcount, team_id=r.team_id)
                for r in activity.roles
            ],
            headcount=activity.headcount,
            **activity.details(),
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


class RecurringActivityPublic(ActivityDetailsPublic):
    id: int
    community_id: int
    grid_id: int | None
    name: str
    month: int | None
    day_rule: DayRule
    day_of_month: int | None
    weekday: int | None
    week_of_month: int | None
    start: str
    end: str
    roles: list[RolePublic]
    active: bool

    @classmethod
    def of(cls, rule: RecurringActivity) -> RecurringActivityPublic:
        return cls(
            id=rule.id,
            community_id=rule.community_id,
            grid_id=rule.grid_id,
            name=rule.name,
            month=rule.month,
            day_rule=rule.day_rule,
            day_of_month=rule.day_of_month,
            weekday=rule.weekday,
            week_of_month=rule.week_of_month,
            start=clock(rule.start_minute),
            end=clock(rule.end_minute),
            roles=[
                RolePublic(skill=r.get("skill"), headcount=r["headcount"], team_id=r.get("team_id"))
                for r in rule.roles
            ],
            active=rule.active,
            **rule.details(),
        )


class YearMonthPublic(BaseModel):
    month: int
    #: None until the month's theme is set
    theme: str | None
    service_day: int | None


class YearlyCalendarPublic(BaseModel):
    """The fixed year: a theme and service day per month, and the recurring activities."""

    community_id: int
    months: list[YearMonthPublic]
    recurring: list[RecurringActivityPublic]
