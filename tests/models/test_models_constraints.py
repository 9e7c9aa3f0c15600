"""The rules the database itself keeps, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher.domain import DemandKind
from models import (
    Assignment,
    Availability,
    Community,
    FollowUp,
    Person,
    RunStatus,
    ScheduleRun,
    Shift,
    ThemeMonth,
    UserAccount,
    UserRole,
    generate_shifts,
    publish_run,
)
from models.post import week_shifts
from models.schedule import StatusError
from tests.support.rows import (
    WEEK_START,
    add_activity,
    add_assignment,
    add_community,
    add_person,
    add_post,
    add_run,
    add_shift,
    add_wish,
)


def rejected(session: Session, change: Callable[[], object]) -> None:
    """``change`` must be refused by the database; the session stays usable afterwards."""
    savepoint = session.begin_nested()
    with pytest.raises(IntegrityError):
        change()
        session.flush()
    savepoint.rollback()


# shifts ------------------------------------------------------------------------------------


def test_generate_shifts_makes_the_week_from_templates(session: Session) -> None:
    community = add_community(session)
    add_post(session, community, templates=((5, 8 * 60 + 30, 11 * 60 + 30), (2, 19 * 60, 21 * 60)))
    add_post(session, community, name="治安巡逻", templates=((0, 19 * 60, 24 * 60),))

    shifts = generate_shifts(session, community.id, WEEK_START)

    assert [(s.day, s.starts_at, s.ends_at) for s in shifts] == [
        # 19:00 Monday in Shanghai is 11:00 UTC; "24:00" ends at midnight
        (WEEK_START, datetime(2026, 3, 2, 11, tzinfo=UTC), datetime(2026, 3, 2, 16, tzinfo=UTC)),
        (
            date(2026, 3, 4),
            datetime(2026, 3, 4, 11, tzinfo=UTC),
            datetime(2026, 3, 4, 13, tzinfo=UTC),
        ),
        (
            date(2026, 3, 7),
            datetime(2026, 3, 7, 0, 30, tzinfo=UTC),
            datetime(2026, 3, 7, 3, 30, tzinfo=UTC),
        ),
    ]
    assert all(s.template is not None for s in shifts)


def test_generate_shifts_twice_adds_nothing(session: Session) -> None:
    community = add_community(session)
    add_post(session, community, templates=((5, 510, 690), (6, 510, 690)))

    first = generate_shifts(session, community.id, WEEK_START)
    inserts: list[str] = []
    engine = session.get_bind()

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        second = generate_shifts(session, community.id, WEEK_START)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)

    assert [s.id for s in second] == [s.id for s in first]
    # a week that has its shifts is read, not written: a GET of the week board takes no write
    assert inserts == []
    assert session.scalar(sa.select(sa.func.count()).select_from(Shift)) == 2
    # another week is another set of shifts
    generate_shifts(session, community.id, WEEK_START + timedelta(days=7))
    assert len(week_shifts(session, community.id, WEEK_START + timedelta(days=7))) == 2


def test_generate_shifts_skips_inactive_posts_and_other_communities(session: Session) -> None:
    community = add_community(session)
    other = add_community(session, "路东社区", street=community.street)
    add_post(session, community, active=False)
    add_post(session, other)

    assert generate_shifts(session, community.id, WEEK_START) == []


def test_generate_shifts_wants_a_monday(session: Session) -> None:
    community = add_community(session)
    with pytest.raises(ValueError, match="not one"):
        generate_shifts(session, community.id, date(2026, 3, 3))
    with pytest.raises(LookupError):
        generate_shifts(session, 10_000, WEEK_START)


def test_a_second_shift_at_the_same_start_is_rejected(session: Session) -> None:
    post = add_post(session, add_community(session))
    add_shift(session, post)
    rejected(session, lambda: add_shift(session, post))


# schedule runs -----------------------------------------------------------------------------


def test_a_second_published_run_for_the_week_is_rejected(session: Session) -> None:
    community = add_community(session)
    add_run(session, community, status=RunStatus.PUBLISHED)

    rejected(session, lambda: add_run(session, community, status=RunStatus.PUBLISHED))

    # other weeks, other communities and other statuses are fine
    add_run(session, community, status=RunStatus.PUBLISHED, week_start=WEEK_START + timedelta(7))
    other = add_community(session, "路东社区", street=community.street)
    add_run(session, other, status=RunStatus.PUBLISHED)
    add_run(session, community, status=RunStatus.SUPERSEDED)
    add_run(session, community, status=RunStatus.SUPERSEDED)
    add_run(session, community, status=RunStatus.FAILED, failure_reason="超时 (time out)")
    add_run(session, community, status=RunStatus.FAILED, failure_reason="超时 (time out)")


def test_a_second_draft_for_the_week_is_rejected(session: Session) -> None:
    community = add_community(session)
    add_run(session, community)
    rejected(session, lambda: add_run(session, community))


def test_publishing_supersedes_the_published_run(session: Session) -> None:
    community = add_community(session)
    old = add_run(session, community)
    assert publish_run(session, old) is None
    new = add_run(session, community)

    superseded = publish_run(session, new, at=datetime(2026, 2, 27, 12, tzinfo=UTC))

    assert superseded is old
    assert (old.status, new.status) == (RunStatus.SUPERSEDED, RunStatus.PUBLISHED)
    assert new.published_at == datetime(2026, 2, 27, 12, tzinfo=UTC)
    statuses = session.scalars(
        sa.select(ScheduleRun.status).where(ScheduleRun.community_id == community.id)
    ).all()
    assert sorted(statuses) == [RunStatus.PUBLISHED, RunStatus.SUPERSEDED]
    with pytest.raises(StatusError, match="published"):
        publish_run(session, new)


def test_run_status_moves_only_forward(session: Session) -> None:
    run = add_run(session, add_community(session))
    run.advance(RunStatus.PUBLISHED)
    with pytest.raises(StatusError, match="已发布"):
        run.advance(RunStatus.DRAFT)


def test_a_run_week_starts_on_monday(session: Session) -> None:
    with pytest.raises(ValueError, match="周一"):
        add_run(session, add_community(session), week_start=date(2026, 3, 4))


def test_a_failed_run_says_why(session: Session) -> None:
    community = add_community(session)
    rejected(session, lambda: add_run(session, community, status=RunStatus.FAILED))


# assignments -------------------------------------------------------------------------------


def test_an_assignment_names_exactly_one_demand(session: Session) -> None:
    community = add_community(session)
    person = add_person(session, community)
    wish = add_wish(session, community)
    shift = add_shift(session, add_post(session, community))
    run = add_run(session, community)
    assignment = add_assignment(session, run, person, wish)

    def two_demands() -> None:
        assignment.shift = shift

    rejected(session, two_demands)

    def wrong_kind() -> None:
        row = session.get(Assignment, assignment.id)
        assert row is not None
        row.demand_kind = DemandKind.ACTIVITY

    rejected(session, wrong_kind)


def test_one_person_once_per_demand_and_run(session: Session) -> None:
    community = add_community(session)
    person = add_person(session, community)
    activity = add_activity(session, community)
    run = add_run(session, community)
    add_assignment(session, run, person, activity)
    rejected(session, lambda: add_assignment(session, run, person, activity))
    # the same person on another demand of the run is fine
    add_assignment(session, run, person, add_wish(session, community))


def test_a_demand_in_a_schedule_cannot_be_deleted(session: Session) -> None:
    community = add_community(session)
    wish = add_wish(session, community)
    add_assignment(session, add_run(session, community), add_person(session, community), wish)
    rejected(
        session, lambda: session.execute(sa.delete(type(wish)).where(type(wish).id == wish.id))
    )


def test_deleting_a_draft_deletes_its_assignments(session: Session) -> None:
    community = add_community(session)
    run = add_run(session, community)
    add_assignment(session, run, add_person(session, community), add_wish(session, community))
    session.execute(sa.delete(ScheduleRun).where(ScheduleRun.id == run.id))
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0


# checks and keys ---------------------------------------------------------------------------


def test_foreign_keys_are_enforced(session: Session) -> None:
    community = add_community(session)
    rejected(
        session,
        lambda: session.add(
            Person(community_id=10_000, name="x", kind="volunteer", home_lat=0.0, home_lng=0.0)
        ),
    )
    add_person(session, community)
    # people keep their community: it cannot be deleted from under them
    rejected(
        session, lambda: session.execute(sa.delete(Community).where(Community.id == community.id))
    )


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda c, p: Availability(person=p, weekday=7, start_minute=0, end_minute=60),
            id="weekday 7",
        ),
        pytest.param(
            lambda c, p: Availability(person=p, weekday=1, start_minute=600, end_minute=540),
            id="end before start",
        ),
        pytest.param(
            lambda c, p: ThemeMonth(community=c, year=2026, month=13, theme="x"), id="month 13"
        ),
        pytest.param(
            lambda c, p: UserAccount(username="m", password_hash="x", role=UserRole.MEMBER),
            id="member without person",
        ),
        pytest.param(
            lambda c, p: UserAccount(username="s", password_hash="x", role=UserRole.STREET_ADMIN),
            id="street admin without street",
        ),
    ],
)
def test_checks(session: Session, build: Callable[[Community, Person], object]) -> None:
    community = add_community(session)
    person = add_person(session, community)
    rejected(session, lambda: session.add(build(community, person)))


def test_rating_is_one_to_five(session: Session) -> None:
    wish = add_wish(session, add_community(session))
    rejected(
        session,
        lambda: session.add(
            FollowUp(wish=wish, rating=6, visited_at=datetime(2026, 3, 9, tzinfo=UTC))
        ),
    )


def test_unknown_enum_values_are_rejected_by_the_database(session: Session) -> None:
    community = add_community(session)
    rejected(
        session,
        lambda: session.execute(
            sa.text(
                "INSERT INTO person (kind, name, community_id, work_unit, home_lat, home_lng, "
                "weekly_hours_cap, weekly_task_cap, active, created_at, updated_at) VALUES "
                "('resident', 'x', :c, '', 0, 0, 6, 3, true, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"
            ),
            {"c": community.id},
        ),
    )


def test_one_theme_per_month(session: Session) -> None:
    community = add_community(session)
    add_activity(session, community)
    rejected(
        session,
        lambda: session.add(ThemeMonth(community=community, year=2026, month=3, theme="另一个")),
    )


def test_naive_datetimes_are_refused(session: Session) -> None:
    post = add_post(session, add_community(session))
    session.add(
        Shift(
            post=post,
            day=WEEK_START,
            starts_at=datetime(2026, 3, 2, 9),
            ends_at=datetime(2026, 3, 2, 10),
        )
    )
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        session.flush()
    session.rollback()
