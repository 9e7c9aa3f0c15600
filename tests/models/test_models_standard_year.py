"""One standard year: a loaded community's fixed year makes the generator's calendar.

``models.seed.add_standard_year`` and ``scenarios.generate`` both read
``scenarios.standard_year``; a week's activities from the database's fixed year must be those
a generated scenario lists for the same week.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Community, Grid, RecurringActivity, Street, YearlyTheme, generate_activities
from models.seed import STANDARD_THEMES, add_standard_year
from scenarios import generate
from scenarios.standard_year import PARTY_SERVICE_DAY, THEME_MONTHS, THEMES

#: a key per activity: what the matcher and the coordinator see of it
Entry = tuple[date, str, str, str, tuple[tuple[str | None, int], ...], bool, str]


def community_with_year(session: Session) -> Community:
    community = Community(street=Street(name="测试街道"), name="测试社区")
    session.add(Grid(community=community, name="第一网格", center_lat=24.289, center_lng=116.122))
    session.flush()
    add_standard_year(session, community)
    return community


def file_entry(activity: dict[str, Any]) -> Entry:
    # a scenario names the service day with its month's theme (党员服务日·学雷锋志愿服务月); the
    # database keeps the theme on the month
    name = activity["name"].split("·")[0] if activity["id"].endswith("-party-day") else None
    return (
        date.fromisoformat(activity["date"]),
        name or activity["name"],
        activity["start"],
        activity["end"],
        tuple((role.get("skill"), role["headcount"]) for role in activity["roles"]),
        activity.get("party_members_only", False),
        activity.get("category", ""),
    )


def test_the_year_has_the_tables_themes_and_service_day(session: Session) -> None:
    community = community_with_year(session)

    months = session.scalars(
        sa.select(YearlyTheme).where(YearlyTheme.community_id == community.id)
    ).all()
    assert sorted((m.month, m.theme, m.service_day) for m in months) == [
        (month, theme, PARTY_SERVICE_DAY.day) for month, theme in enumerate(THEMES, start=1)
    ]
    assert STANDARD_THEMES == THEMES
    assert THEMES[2] == "学雷锋志愿服务月"
    rules = session.scalars(sa.select(RecurringActivity)).all()
    assert len(rules) == 1 + sum(len(activities) for _, activities in THEME_MONTHS.values())
    assert len({(rule.month, rule.name) for rule in rules}) == len(rules)
    # a second call leaves a year alone
    add_standard_year(session, community)
    assert len(session.scalars(sa.select(RecurringActivity)).all()) == len(rules)


@pytest.mark.parametrize(
    "monday",
    [
        date(2026, 2, 2),  # the service day on a Thursday, an evening check on Sunday
        date(2026, 3, 2),  # the 学雷锋 market and the service day both on Thursday the 5th
        date(2026, 7, 6),  # a party members' own activity at an estate
        date(2026, 10, 5),  # the service day on a Monday, the 重阳 feast on Sunday
        date(2027, 1, 4),  # the next year is the same year again
    ],
)
def test_a_week_of_the_year_is_the_generated_weeks_calendar(session: Session, monday: date) -> None:
    community = community_with_year(session)
    sunday = monday + timedelta(days=6)

    made = generate_activities(session, community.id, monday)
    generated = generate("community", seed=1, week_start=monday)["activities"]

    database = sorted(
        (
            a.day,
            a.name,
            f"{a.starts_at.astimezone(community.zone):%H:%M}",
            f"{a.ends_at.astimezone(community.zone):%H:%M}",
            tuple((role.skill, role.headcount) for role in a.roles),
            a.party_members_only,
            a.category,
        )
        for a in made
    )
    in_week = [a for a in generated if monday <= date.fromisoformat(a["date"]) <= sunday]
    assert database == sorted(file_entry(a) for a in in_week)
    assert database  # every chosen week has some


def test_a_weekend_service_day_keeps_the_workday_time(session: Session) -> None:
    """A fixed-year rule has one time: the evening, where a generated week has the morning."""
    community = community_with_year(session)
    monday = date(2026, 3, 30)  # Sunday 5 April is April's service day

    [made] = generate_activities(session, community.id, monday)
    [generated] = [
        a
        for a in generate("community", seed=1, week_start=monday)["activities"]
        if a["date"] == "2026-04-05"
    ]

    assert made.name == PARTY_SERVICE_DAY.name
    assert made.theme_month is not None and made.theme_month.theme == THEMES[3]
    start = f"{made.starts_at.astimezone(community.zone):%H:%M}"
    assert (start, generated["start"]) == (
        PARTY_SERVICE_DAY.workday_time[0],
        PARTY_SERVICE_DAY.weekend_time[0],
    )
