"""Reports on a hand-built month: every figure is counted here by hand.

March 2026 in 红光社区: one post with two March shifts (2 heads each) and one in April, one
activity needing 3, two published weeks and a draft that must not count.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.orm import Session

from api.services.errors import Invalid
from api.services.reports import NO_GRID, month_report, service_record
from matcher.domain import PersonKind
from models import (
    Activity,
    ActivityRole,
    Assignment,
    AssignmentStatus,
    Community,
    Grid,
    Household,
    Person,
    Post,
    RunStatus,
    ScheduleRun,
    Shift,
    Street,
    Wish,
    WishStatus,
)
from models.db import create_all, make_session_factory
from tests.support.isolated_databases import Backend, backends

LAT, LNG = 24.289, 116.122


@pytest.fixture(scope="module", params=backends())
def session(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Session]:
    backend = Backend(request.param, tmp_path_factory.mktemp(f"reports-{request.param}"))
    engine = backend.new_engine()
    create_all(engine)
    with make_session_factory(engine)() as db:
        yield db
    backend.close()


@pytest.fixture(scope="module")
def month(session: Session) -> dict[str, int]:
    community = Community(street=Street(name="报表街道"), name="红光社区")
    g1 = Grid(community=community, name="第一网格")
    g2 = Grid(community=community, name="第二网格")

    def person(name: str, grid: Grid | None) -> Person:
        return Person(
            community=community,
            grid=grid,
            name=name,
            kind=PersonKind.PARTY_MEMBER,
            work_unit="区人民医院",
            home_lat=LAT,
            home_lng=LNG,
        )

    a, b, c = person("张伟", g1), person("王芳", g2), person("李强", None)
    post = Post(community=community, name="党员先锋岗", lat=LAT, lng=LNG, min_staff=1, max_staff=2)

    def shift(day: date) -> Shift:
        return Shift(
            post=post,
            day=day,
            starts_at=community.local_datetime(day, 8 * 60 + 30),
            ends_at=community.local_datetime(day, 11 * 60 + 30),
        )

    shift1, shift2, april = (
        shift(date(2026, 3, 7)),
        shift(date(2026, 3, 14)),
        shift(date(2026, 4, 4)),
    )
    day = date(2026, 3, 5)
    activity = Activity(
        community=community,
        name="学雷锋便民服务集市",
        day=day,
        starts_at=community.local_datetime(day, 9 * 60),
        ends_at=community.local_datetime(day, 11 * 60),
        lat=LAT,
        lng=LNG,
        roles=[
            ActivityRole(position=0, skill="医疗卫生", headcount=2),
            ActivityRole(position=1, skill=None, headcount=1),
        ],
    )
    household = Household(community=community, name="李秀英")

    def wish(title: str, deadline: date, status: WishStatus) -> Wish:
        return Wish(
            community=community,
            household=household,
            title=title,
            category="水电维修",
            duration_minutes=60,
            earliest=date(2026, 3, 1),
            deadline=deadline,
            lat=LAT,
            lng=LNG,
            status=status,
        )

    w1 = wish("更换漏水水龙头", date(2026, 3, 10), WishStatus.DONE)
    w2 = wish("代购降压药", date(2026, 3, 20), WishStatus.OPEN)
    w3 = wish("修理台灯", date(2026, 4, 5), WishStatus.DONE)
    week1 = ScheduleRun(community=community, week_start=date(2026, 3, 2))
    week2 = ScheduleRun(community=community, week_start=date(2026, 3, 9))
    february = ScheduleRun(community=community, week_start=date(2026, 2, 23))
    draft = ScheduleRun(community=community, week_start=date(2026, 3, 16))
    session.add_all([g1, g2, a, b, c, shift1, shift2, april, activity, w1, w2, w3])
    session.add_all([week1, week2, february, draft])
    session.flush()
    for run in (week1, week2, february):
        run.advance(RunStatus.PUBLISHED)

    def assign(
        run: ScheduleRun,
        who: Person,
        demand: Shift | Activity | Wish,
        status: AssignmentStatus,
        when: tuple[date, int, int],
        hours: float | None = None,
    ) -> None:
        on, start, end = when
        row = Assignment(
            run=run,
            person=who,
            starts_at=community.local_datetime(on, start),
            ends_at=community.local_datetime(on, end),
            status=status,
            hours_served=hours,
        )
        row.demand = demand
        session.add(row)

    done, declined = AssignmentStatus.DONE, AssignmentStatus.DECLINED
    assign(week1, a, shift1, done, (shift1.day, 510, 690), hours=3.5)
    assign(week1, b, shift1, declined, (shift1.day, 510, 690))
    assign(week1, c, activity, done, (day, 540, 660))  # no hours logged: its length, 2 h
    assign(week1, b, activity, AssignmentStatus.PROPOSED, (day, 540, 660))
    assign(week1, a, w1, done, (date(2026, 3, 3), 19 * 60, 20 * 60), hours=1.0)
    assign(week2, a, shift2, AssignmentStatus.CONFIRMED, (shift2.day, 510, 690))
    assign(february, a, shift(date(2026, 2, 28)), done, (date(2026, 2, 28), 510, 690), hours=2)
    assign(draft, b, shift2, done, (shift2.day, 510, 690), hours=9)  # a draft: never counts
    session.flush()
    w1.follow_up(rating=4, visited_at=community.local_datetime(date(2026, 3, 12), 600))
    session.commit()
    return {"community": community.id, "a": a.id, "c": c.id, "g1": g1.id}


def test_month_report_counts_by_hand(session: Session, month: dict[str, int]) -> None:
    report = month_report(session=session, community_id=month["community"], year=2026, month=3)
    # shifts 2 + 2 and the activity 3; filled: shift1 张伟 (王芳 declined), shift2 张伟,
    # the activity 李强 and 王芳 (proposed still stands)
    assert (report.heads_needed, report.heads_filled) == (7, 4)
    assert report.fill_rate == pytest.approx(4 / 7)
    # due in March: the tap (done, then followed up) and the medicine (open)
    assert (report.wishes_due, report.wishes_fulfilled) == (2, 1)
    assert (report.follow_ups, report.mean_rating) == (1, 4.0)
    assert (report.services, report.hours) == (3, 6.5)
    assert [(p.person_id, p.services, p.hours) for p in report.people] == [
        (month["a"], 2, 4.5),
        (month["c"], 1, 2.0),
    ]
    assert [(g.grid_id, g.grid, g.hours) for g in report.grids] == [
        (month["g1"], "第一网格", 4.5),
        (None, NO_GRID, 2.0),
    ]


def test_an_empty_month_and_a_bad_one(session: Session, month: dict[str, int]) -> None:
    june = month_report(session=session, community_id=month["community"], year=2026, month=6)
    assert (june.heads_needed, june.services, june.fill_rate, june.mean_rating) == (
        0,
        0,
        None,
        None,
    )
    with pytest.raises(Invalid):
        month_report(session=session, community_id=month["community"], year=2026, month=13)


def test_service_record_for_the_work_unit(session: Session, month: dict[str, int]) -> None:
    card = service_record(session=session, person_id=month["a"], year=2026, quarter=1)
    assert (card.services, card.hours, card.work_unit) == (3, 6.5, "区人民医院")
    assert [(m.month, m.services, m.hours) for m in card.months] == [
        (1, 0, 0),
        (2, 1, 2.0),
        (3, 2, 4.5),
    ]
    # the card goes to the member's employer: a wish says what kind of help, never its title,
    # which may name the household
    assert [e.title for e in card.entries] == [
        "党员先锋岗",
        "为一户居民上门服务（水电维修）",
        "党员先锋岗",
    ]
    assert card.meets_minimum  # three services, the community asks for three
    spring = service_record(session=session, person_id=month["a"], year=2026, quarter=2)
    assert (spring.services, spring.meets_minimum) == (0, False)
