"""公示栏 The week's notice: what a grid's notice board shows of a published week.

A notice is put up where anyone passes, so its shapes have no field for anything private: no
resident's name, address or phone (a wish is "a house call for one household" with its
category), no member's phone, no coordinates. Members appear by name only.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from matcher.domain import DemandKind


class NoticeItem(BaseModel):
    """One service of the week: what, where, when and who."""

    demand_kind: DemandKind
    #: a post's or an activity's name; a wish: 为一户居民上门服务（category）, never its title
    title: str
    #: a wish's category (the page words the house call in the reader's language); else ""
    category: str
    #: a post's place or an activity's venue; a wish: "" (a house call has no public place)
    place: str
    starts_at: datetime
    ends_at: datetime
    #: the names of the members and volunteers serving
    people: list[str]


class NoticeDay(BaseModel):
    day: date
    items: list[NoticeItem]


class WeekNotice(BaseModel):
    community_id: int
    community_name: str
    week_start: date
    #: the grid the notice is for, or null for the whole community
    grid_id: int | None
    grid_name: str | None
    #: the published plan it shows; null while the week has none (then ``days`` are empty)
    published_run_id: int | None
    published_at: datetime | None
    days: list[NoticeDay]
