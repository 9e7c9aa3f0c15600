"""The fixed year into weeks: themed activities and the monthly 党员服务日 in each draft."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from api.worker import jobs
from matcher.domain import PersonKind
from models import (
    Activity,
    Assignment,
    Community,
    DayRule,
    Person,
    RecurringActivity,
    ThemeMonth,
    generate_activities,
)
from models.seed import STANDARD_THEMES, add_standard_year
from tests.support.jobs_helpers import TIME_LIMIT_S, World, local, runs

MARCH_FRIDAYS = [local(2026, 2, 27, 20), local(2026, 3, 6, 20), local(2026, 3, 13, 20)]
MARCH_MONDAYS = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]


def rule(**fields: object) -> RecurringActivity:
    base: dict[str, object] = {
        "community_id": 1,
        "name": "r",
        "start_minute": 540,
        "end_minute": 600,
        "lat": 0.0,
        "lng": 0.0,
    }
    return RecurringActivity(**(base | fields))


@pytest.mark.parametrize(
    ("fields", "day", "service_day", "falls"),
    [
        ({"day_rule": DayRule.SERVICE_DAY}, date(2026, 3, 5), 5, True),
        ({"day_rule": DayRule.SERVICE_DAY}, date(2026, 3, 5), 12, False),
        ({"day_rule": DayRule.SERVICE_DAY}, date(2026, 3, 5), None, False),
        ({"day_rule": DayRule.DAY_OF_MONTH, "day_of_month": 31}, date(2026, 3, 31), None, True),
        # February has no 31st, so a rule on the 31st skips it rather than moving
        ({"day_rule": DayRule.DAY_OF_MONTH, "day_of_month": 31}, date(2026, 2, 28), None, False),
        ({"day_rule": DayRule.WEEKDAY, "weekday": 5}, date(2026, 3, 7), None, True),
        ({"day_rule": DayRule.WEEKDAY, "weekday": 5}, date(2026, 3, 8), None, False),
        # the second Saturday of March 2026 is the 14th, not the 7th
        (
            {"day_rule": DayRule.WEEKDAY, "weekday": 5, "week_of_month": 2},
            date(2026, 3, 14),
            None,
            True,
        ),
        (
            {"day_rule": DayRule.WEEKDAY, "weekday": 5, "week_of_month": 2},
            date(2026, 3, 7),
            None,
            False,
        ),
        ({"day_rule": DayRule.WEEKDAY, "weekday": 5, "month": 3}, date(2026, 4, 4), None, False),
    ],
)
def test_day_rules(
    fields: dict[str, object], day: date, service_day: int | None, falls: bool
) -> None:
    assert rule(**fields).falls_on(day, service_day) is falls


def with_standard_year(world: World) -> None:
    with world.factory() as session:
        community = session.get(Community, world.community_id)
        assert community is not None
        add_standard_year(session, community)
        session.commit()


def week_activities(world: World, monday: date) -> list[Activity]:
    with world.factory() as session:
        return list(
            session.scalars(
                sa.select(Activity)
                .where(
                    Activity.community_id == world.community_id,
                    Activity.day >= monday,
                    Activity.day <= monday + timedelta(days=6),
                    Activity.external_id.like("rule-%"),
                )
                .order_by(Activity.day, Activity.name)
            )
        )


def names_by_day(activities: list[Activity]) -> list[tuple[date, str]]:
    return [(a.day, a.name) for a in activities]


def test_without_a_fixed_year_no_activity_is_made(world: World) -> None:
    jobs.draft_next_week(
        session_factory=world.factory,
        community_id=world.community_id,
        now=MARCH_FRIDAYS[0],
        time_limit_s=TIME_LIMIT_S,
    )
    assert week_activities(world, MARCH_MONDAYS[0]) == []


def without_imported_activities(world: World) -> None:
    """The community keeps its calendar in the fixed year only: the scenario's dated
    activities are taken out."""
    with world.factory() as session:
        for activity in session.scalars(sa.select(Activity)):
            session.delete(activity)
        session.commit()


def test_a_month_of_drafts_carries_the_service_day_and_the_themed_activities(
    world: World,
) -> None:
    with_standard_year(world)
    without_imported_activities(world)
    for friday in MARCH_FRIDAYS:
        for _ in range(2):  # the second run drafts nothing and makes nothing twice
            jobs.draft_next_week(
                session_factory=world.factory,
                community_id=world.community_id,
                now=friday,
                time_limit_s=TIME_LIMIT_S,
            )
    # the standard year (scenarios/standard_year.py): March's activities on their days, the
    # 学雷锋 market on the 5th with the service day; sorted here, as databases order names apart
    assert sorted(names_by_day(week_activities(world, MARCH_MONDAYS[0]))) == [
        (date(2026, 3, 5), "党员服务日"),
        (date(2026, 3, 5), "学雷锋便民服务集市"),
        (date(2026, 3, 7), "关爱空巢老人上门服务"),
        (date(2026, 3, 8), "巾帼志愿清洁家园"),
    ]
    assert names_by_day(week_activities(world, MARCH_MONDAYS[1])) == [
        (date(2026, 3, 12), "植树护绿"),
        (date(2026, 3, 15), "消费维权咨询"),
    ]
    assert names_by_day(week_activities(world, MARCH_MONDAYS[2])) == [
        (date(2026, 3, 22), "文明交通劝导")
    ]
    with world.factory() as session:
        service_day = session.scalars(
            sa.select(Activity).where(Activity.name == "党员服务日")
        ).one()
        assert service_day.party_members_only
        assert service_day.theme_month is not None
        # the scenario had named March's theme already; the year's service day still applies
        assert service_day.theme_month.month == 3
        assert [(r.skill, r.headcount) for r in service_day.roles] == [(None, 6), ("宣传教育", 2)]
        served = session.scalars(
            sa.select(Person.kind)
            .join(Assignment, Assignment.person_id == Person.id)
            .where(Assignment.activity_id == service_day.id)
        ).all()
    # the activity was in the week the solver saw, and only party members serve it
    assert served and set(served) == {PersonKind.PARTY_MEMBER}
    assert len(runs(world)) == len(MARCH_MONDAYS)


def test_a_year_that_moves_its_service_day_gets_it_on_the_new_day(world: World) -> None:
    with_standard_year(world)
    with world.factory() as session:
        march = session.scalars(
            sa.select(ThemeMonth).where(
                ThemeMonth.community_id == world.community_id,
                ThemeMonth.year == 2026,
                ThemeMonth.month == 3,
            )
        ).one_or_none()
        if march is None:
            march = ThemeMonth(community_id=world.community_id, year=2026, month=3, theme="三月")
            session.add(march)
        march.service_day = 12
        session.commit()
        generate_activities(session, world.community_id, MARCH_MONDAYS[0])
        generate_activities(session, world.community_id, MARCH_MONDAYS[1])
        session.commit()
    assert (date(2026, 3, 5), "党员服务日") not in names_by_day(
        week_activities(world, MARCH_MONDAYS[0])
    )
    assert (date(2026, 3, 12), "党员服务日") in names_by_day(
        week_activities(world, MARCH_MONDAYS[1])
    )


def test_a_week_across_two_months_takes_each_day_from_its_own_month(world: World) -> None:
    with_standard_year(world)
    monday = date(2026, 3, 30)  # to Sunday 5 April
    with world.factory() as session:
        made = generate_activities(session, world.community_id, monday)
        session.commit()
        # April's Saturday is not a March 学雷锋 market; April's service day is the 5th
        assert [(a.day, a.name, a.theme_month.theme) for a in made if a.theme_month] == [
            (date(2026, 4, 5), "党员服务日", STANDARD_THEMES[3])
        ]
        # nothing more the second time
        assert generate_activities(session, world.community_id, monday) == []


def test_a_stopped_rule_makes_no_more_activities(world: World) -> None:
    with_standard_year(world)
    without_imported_activities(world)
    with world.factory() as session:
        session.execute(
            sa.update(RecurringActivity)
            .where(RecurringActivity.name == "学雷锋便民服务集市")
            .values(active=False)
        )
        session.commit()
        made = generate_activities(session, world.community_id, MARCH_MONDAYS[0])
        session.commit()
    # the week of the 5th has no market now; the other rules still make theirs
    assert "学雷锋便民服务集市" not in {a.name for a in made}
    assert "党员服务日" in {a.name for a in made}


def test_a_day_that_already_holds_the_activity_gets_no_second_one(world: World) -> None:
    # the scenario imported March's dated activities, among them "党员服务日·学雷锋志愿服务月"
    # and the 学雷锋 market on the 5th
    with_standard_year(world)
    with world.factory() as session:
        made = generate_activities(session, world.community_id, MARCH_MONDAYS[0])
        session.commit()
        on_the_5th = sorted(
            session.scalars(sa.select(Activity.name).where(Activity.day == date(2026, 3, 5)))
        )
    assert made == []
    assert on_the_5th == ["党员服务日·学雷锋志愿服务月", "学雷锋便民服务集市"]
