"""Small rows for database tests, with sensible defaults; each ``add_*`` adds and flushes.

The default week is the one of the bundled scenarios: Monday 2 March 2026 (学雷锋 month).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from matcher.domain import PersonKind
from models import (
    Activity,
    ActivityRole,
    Assignment,
    Community,
    Grid,
    Household,
    Person,
    Post,
    ScheduleRun,
    Shift,
    ShiftTemplate,
    Situation,
    Street,
    ThemeMonth,
    Wish,
)

T = TypeVar("T")

WEEK_START = date(2026, 3, 2)  # a Monday
LAT, LNG = 24.289, 116.122


def _add(session: Session, row: T) -> T:
    session.add(row)
    session.flush()
    return row


def add_street(session: Session, name: str = "江南街道") -> Street:
    return _add(session, Street(name=name, district="梅江区"))


def add_community(
    session: Session, name: str = "红光社区", street: Street | None = None
) -> Community:
    return _add(session, Community(street=street or add_street(session), name=name))


def add_grid(session: Session, community: Community, name: str = "第一网格") -> Grid:
    return _add(session, Grid(community=community, name=name, center_lat=LAT, center_lng=LNG))


def add_person(
    session: Session,
    community: Community,
    name: str = "张伟",
    kind: PersonKind = PersonKind.PARTY_MEMBER,
    **fields: Any,
) -> Person:
    fields.setdefault("home_lat", LAT)
    fields.setdefault("home_lng", LNG)
    return _add(session, Person(community=community, name=name, kind=kind, **fields))


def add_household(session: Session, community: Community, name: str = "李秀英") -> Household:
    household = Household(
        community=community, name=name, address="黄金花园3栋2单元501", phone="13812345678"
    )
    household.situations = {Situation.ELDERLY_ALONE}
    return _add(session, household)


def add_wish(session: Session, community: Community, **fields: Any) -> Wish:
    fields.setdefault("household", add_household(session, community))
    fields.setdefault("title", "更换漏水水龙头")
    fields.setdefault("category", "水电维修")
    fields.setdefault("duration_minutes", 45)
    fields.setdefault("earliest", WEEK_START)
    fields.setdefault("deadline", WEEK_START + timedelta(days=4))
    fields.setdefault("lat", LAT)
    fields.setdefault("lng", LNG)
    return _add(session, Wish(community=community, **fields))


def add_post(
    session: Session,
    community: Community,
    name: str = "党员先锋岗",
    templates: tuple[tuple[int, int, int], ...] = ((5, 8 * 60 + 30, 11 * 60 + 30),),
    **fields: Any,
) -> Post:
    """A post with weekly templates given as (weekday, start minute, end minute)."""
    fields.setdefault("lat", LAT)
    fields.setdefault("lng", LNG)
    post = Post(
        community=community,
        name=name,
        templates=[ShiftTemplate(weekday=d, start_minute=s, end_minute=e) for d, s, e in templates],
        **fields,
    )
    return _add(session, post)


def add_shift(session: Session, post: Post, day: date = WEEK_START) -> Shift:
    starts_at = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
    return _add(
        session,
        Shift(post=post, day=day, starts_at=starts_at, ends_at=starts_at + timedelta(hours=3)),
    )


def add_activity(session: Session, community: Community, day: date = date(2026, 3, 5)) -> Activity:
    month = _add(
        session,
        ThemeMonth(community=community, year=day.year, month=day.month, theme="学雷锋志愿服务月"),
    )
    return _add(
        session,
        Activity(
            community=community,
            theme_month=month,
            name="学雷锋便民服务集市",
            day=day,
            starts_at=community.local_datetime(day, 9 * 60),
            ends_at=community.local_datetime(day, 11 * 60 + 30),
            place="红光社区党群服务中心",
            lat=LAT,
            lng=LNG,
            responsible_unit="区人民医院",
            roles=[
                ActivityRole(position=0, skill="医疗卫生", headcount=2),
                ActivityRole(position=1, skill=None, headcount=4),
            ],
        ),
    )


def add_run(session: Session, community: Community, **fields: Any) -> ScheduleRun:
    fields.setdefault("week_start", WEEK_START)
    return _add(session, ScheduleRun(community=community, **fields))


def add_assignment(
    session: Session, run: ScheduleRun, person: Person, demand: Wish | Shift | Activity
) -> Assignment:
    starts_at = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    assignment = Assignment(
        run=run, person=person, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    assignment.demand = demand
    return _add(session, assignment)
