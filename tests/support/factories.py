"""Small hand-built matcher objects for tests, with sensible defaults.

Week minutes are written as (weekday, "HH:MM") so a test reads like a timetable: Monday is 0.
The default week starts on Monday 3 March 2025 (学雷锋 month). The default place is a point in
a small community; ``near(metres_east)`` gives a point that many metres away.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from matcher.domain import (
    MINUTES_PER_DAY,
    Assignment,
    Demand,
    DemandKind,
    Gap,
    Location,
    Locks,
    Person,
    PersonKind,
    Problem,
    Reason,
    Role,
    Settings,
    Solution,
    WeeklyWindow,
    Window,
)

WEEK_START = date(2025, 3, 3)  # a Monday
CENTRE = Location(lat=30.6600, lng=104.0600)

#: evenings on weekdays and daytime at weekends: when in-service members are free
EVENINGS_AND_WEEKENDS: tuple[WeeklyWindow, ...] = tuple(
    WeeklyWindow(weekday=d, start_minute=18 * 60, end_minute=22 * 60) for d in range(5)
) + tuple(WeeklyWindow(weekday=d, start_minute=8 * 60, end_minute=20 * 60) for d in (5, 6))


def hm(text: str) -> int:
    """Minutes of the day from ``"HH:MM"``."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def wm(weekday: int, text: str) -> int:
    """Week minutes of a weekday (Monday = 0) and a time of day ``"HH:MM"``."""
    return weekday * MINUTES_PER_DAY + hm(text)


def near(metres_east: float = 0.0, metres_north: float = 0.0) -> Location:
    """A point the given distance from ``CENTRE`` (flat-earth, fine at community scale)."""
    lat = CENTRE.lat + metres_north / 111_320.0
    lng = CENTRE.lng + metres_east / (111_320.0 * math.cos(math.radians(CENTRE.lat)))
    return Location(lat=lat, lng=lng)


def make_person(
    id: str = "p1",
    name: str = "张伟",
    kind: PersonKind = PersonKind.PARTY_MEMBER,
    skills: Iterable[str] = (),
    home: Location | None = None,
    grid: str = "g1",
    community: str = "c1",
    availability: tuple[WeeklyWindow, ...] = EVENINGS_AND_WEEKENDS,
    **extra: object,
) -> Person:
    return Person(
        id=id,
        name=name,
        kind=kind,
        skills=frozenset(skills),
        home=home or CENTRE,
        grid=grid,
        community=community,
        availability=availability,
        **extra,  # type: ignore[arg-type]
    )


def make_role(
    skills: Iterable[str] = (), min_count: int = 1, max_count: int | None = None, name: str = ""
) -> Role:
    return Role(
        skills=frozenset(skills),
        min_count=min_count,
        max_count=min_count if max_count is None else max_count,
        name=name,
    )


def make_shift(
    id: str = "s1",
    title: str = "党员先锋岗 便民服务大厅",
    weekday: int = 5,
    start: str = "09:00",
    end: str = "11:00",
    min_count: int = 1,
    max_count: int | None = None,
    skills: Iterable[str] = (),
    location: Location | None = None,
    grid: str = "g1",
    community: str = "c1",
    roles: tuple[Role, ...] | None = None,
    **extra: object,
) -> Demand:
    window = Window(wm(weekday, start), wm(weekday, end))
    return Demand(
        id=id,
        kind=DemandKind.SHIFT,
        title=title,
        location=location or CENTRE,
        roles=roles or (make_role(skills, min_count, max_count),),
        window=window,
        duration=window.minutes,
        grid=grid,
        community=community,
        **extra,  # type: ignore[arg-type]
    )


def make_activity(
    id: str = "a1",
    title: str = "学雷锋志愿服务集中活动",
    weekday: int = 6,
    start: str = "09:00",
    end: str = "11:30",
    min_count: int = 2,
    max_count: int | None = 4,
    skills: Iterable[str] = (),
    location: Location | None = None,
    grid: str = "g1",
    community: str = "c1",
    **extra: object,
) -> Demand:
    demand = make_shift(
        id=id,
        title=title,
        weekday=weekday,
        start=start,
        end=end,
        min_count=min_count,
        max_count=max_count,
        skills=skills,
        location=location,
        grid=grid,
        community=community,
        **extra,  # type: ignore[arg-type]
    )
    return replace(demand, kind=DemandKind.ACTIVITY)


def make_wish(
    id: str = "w1",
    title: str = "李奶奶：修理漏水的水管",
    first_day: int = 0,
    last_day: int = 6,
    duration: int = 60,
    skills: Iterable[str] = ("水电维修",),
    min_count: int = 1,
    location: Location | None = None,
    grid: str = "g1",
    community: str = "c1",
    household: str = "h1",
    priority: float = 3.0,
    **extra: object,
) -> Demand:
    return Demand(
        id=id,
        kind=DemandKind.WISH,
        title=title,
        location=location or near(300.0),
        roles=(make_role(skills, min_count),),
        window=Window(first_day * MINUTES_PER_DAY, (last_day + 1) * MINUTES_PER_DAY),
        duration=duration,
        category=next(iter(skills), ""),
        grid=grid,
        community=community,
        priority=priority,
        household=household,
        all_or_nothing=min_count > 1,
        **extra,  # type: ignore[arg-type]
    )


def make_problem(
    people: Iterable[Person] = (),
    demands: Iterable[Demand] = (),
    name: str = "测试社区 Test community",
    week_start: date = WEEK_START,
    locks: Locks | None = None,
    settings: Settings | None = None,
) -> Problem:
    return Problem(
        week_start=week_start,
        people=tuple(people),
        demands=tuple(demands),
        locks=locks or Locks(),
        settings=settings or Settings(time_limit_s=5.0),
        name=name,
    )


def make_assignment(
    person_id: str = "p1",
    demand_id: str = "s1",
    start: int = wm(5, "09:00"),
    end: int = wm(5, "11:00"),
    role: int = 0,
    distance_m: float = 0.0,
    reasons: tuple[Reason, ...] = (),
    pinned: bool = False,
) -> Assignment:
    return Assignment(
        person_id=person_id,
        demand_id=demand_id,
        role=role,
        start=start,
        end=end,
        distance_m=distance_m,
        pinned=pinned,
        reasons=reasons,
    )


def make_gap(
    demand_id: str = "w1",
    role: int = 0,
    missing: int = 1,
    essential_missing: int = 1,
    reason: Reason | None = None,
) -> Gap:
    return Gap(
        demand_id=demand_id,
        role=role,
        missing=missing,
        essential_missing=essential_missing,
        reason=reason or Reason(zh="没有具备所需专长的人", en="nobody has the required skill"),
    )


def make_solution(
    assignments: Iterable[Assignment] = (),
    gaps: Iterable[Gap] = (),
    status: str = "optimal",
    objective: int = 1000,
    bound: int = 1000,
    breakdown: dict[str, int] | None = None,
    weighted_coverage: float = 1.0,
    wall_time_s: float = 0.05,
    stats: dict[str, float | int | str] | None = None,
    warnings: tuple[Reason, ...] = (),
) -> Solution:
    return Solution(
        status=status,
        assignments=tuple(assignments),
        gaps=tuple(gaps),
        objective=objective,
        bound=bound,
        breakdown=breakdown if breakdown is not None else {"coverage": objective},
        weighted_coverage=weighted_coverage,
        wall_time_s=wall_time_s,
        stats=stats or {},
        warnings=warnings,
    )
