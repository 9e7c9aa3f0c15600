"""Every model is written, forgotten and read back with the same values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from matcher.domain import DemandKind, PersonKind
from models import (
    Activity,
    AssignmentStatus,
    AuditLog,
    Availability,
    Community,
    FollowUp,
    Household,
    Override,
    OverrideKind,
    Person,
    Post,
    RunStatus,
    ScheduleRun,
    Shift,
    Situation,
    Street,
    UserAccount,
    UserRole,
    Wish,
    WishStatus,
)
from models.audit import record
from tests.support.rows import (
    WEEK_START,
    add_activity,
    add_assignment,
    add_community,
    add_grid,
    add_person,
    add_post,
    add_run,
    add_shift,
    add_wish,
)

CONSENTED = datetime(2026, 2, 1, 8, 30, tzinfo=UTC)


def fresh(session: Session, model: type[Any], row_id: int) -> Any:
    """The row as the database has it: nothing cached in the session."""
    session.flush()
    session.expunge_all()
    found = session.get(model, row_id)
    assert found is not None
    return found


def test_street_community_and_grids(session: Session) -> None:
    community = add_community(session)
    add_grid(session, community, "第一网格")
    add_grid(session, community, "第二网格")

    got = fresh(session, Community, community.id)

    assert got.name == "红光社区"
    assert got.street.name == "江南街道"
    assert [g.name for g in got.grids] == ["第一网格", "第二网格"]
    assert got.grids[0].center_lat == 24.289
    # the defaults a community starts with: Friday 20:00, 3 services a quarter, 1.2 km
    assert (got.weekly_run_weekday, got.weekly_run_time) == (4, time(20, 0))
    assert got.auto_publish is False
    assert got.quarter_minimum == 3
    assert got.radius_m == 1200.0
    assert got.timezone == "Asia/Shanghai"
    assert [c.name for c in fresh(session, Street, got.street_id).communities] == ["红光社区"]


def test_community_local_time_is_aware(session: Session) -> None:
    community = add_community(session)
    moment = community.local_datetime(date(2026, 3, 7), 8 * 60 + 30)
    assert moment.utcoffset() == timedelta(hours=8)
    assert moment.astimezone(UTC) == datetime(2026, 3, 7, 0, 30, tzinfo=UTC)
    assert community.local_datetime(date(2026, 3, 7), 1440).date() == date(2026, 3, 8)


def test_person_with_skills_availability_and_consent(session: Session) -> None:
    community = add_community(session)
    grid = add_grid(session, community)
    person = add_person(
        session,
        community,
        name="王芳",
        kind=PersonKind.VOLUNTEER,
        grid=grid,
        work_unit="区人民医院",
        weekly_hours_cap=4.5,
        weekly_task_cap=2,
        phone="13812345678",
        id_number="110101199003071234",
        availability=[
            Availability(weekday=5, start_minute=8 * 60, end_minute=12 * 60),
            Availability(weekday=1, start_minute=19 * 60, end_minute=21 * 60),
        ],
    )
    person.skills = {"助老", "医疗卫生"}
    person.preferred_categories = {"助老"}
    person.unavailable_dates = {date(2026, 3, 4)}
    person.give_consent("2026-01", at=CONSENTED)

    got = fresh(session, Person, person.id)

    assert (got.name, got.kind, got.work_unit) == ("王芳", PersonKind.VOLUNTEER, "区人民医院")
    assert got.grid.name == "第一网格"
    assert got.community.name == "红光社区"
    assert set(got.skills) == {"助老", "医疗卫生"}
    assert set(got.preferred_categories) == {"助老"}
    assert set(got.unavailable_dates) == {date(2026, 3, 4)}
    assert [(a.weekday, a.start_minute, a.end_minute) for a in got.availability] == [
        (1, 1140, 1260),
        (5, 480, 720),
    ]
    assert (got.weekly_hours_cap, got.weekly_task_cap) == (4.5, 2)
    assert got.phone == "13812345678"
    assert got.id_number == "110101199003071234"
    assert got.masked_phone == "138****5678"
    assert (got.consent_version, got.consent_at) == ("2026-01", CONSENTED)
    assert got.created_at.tzinfo is not None
    assert "1381234" not in repr(got)


def test_person_skill_query(session: Session) -> None:
    """Skills are rows, so "who can do legal aid" is one query on either database."""
    community = add_community(session)
    lawyer = add_person(session, community, name="赵律师")
    lawyer.skills = {"法律援助", "纠纷调解"}
    add_person(session, community, name="钱师傅").skills = {"水电维修"}
    session.flush()

    found = session.scalars(
        sa.select(Person.name).join(Person.skill_rows).where(sa.text("skill = '法律援助'"))
    ).all()
    assert found == ["赵律师"]


def test_household_and_wish_with_follow_up(session: Session) -> None:
    community = add_community(session)
    wish = add_wish(session, community, headcount=2)
    wish.skills = {"水电维修"}
    for status in ("verified", "open", "assigned", "done"):
        wish.advance(status)
    wish.follow_up(rating=5, comment="很及时", visited_at=CONSENTED)

    got = fresh(session, Wish, wish.id)

    assert got.status == WishStatus.FOLLOWED_UP
    assert got.title == "更换漏水水龙头"
    assert set(got.skills) == {"水电维修"}
    assert (got.earliest, got.deadline) == (WEEK_START, date(2026, 3, 6))
    assert got.headcount == 2
    assert got.priority is None
    assert got.effective_priority == 3.0  # 1 + 2 for an elderly person living alone
    assert [(f.rating, f.comment, f.visited_at) for f in got.follow_ups] == [
        (5, "很及时", CONSENTED)
    ]
    household = fresh(session, Household, got.household_id)
    assert set(household.situations) == {Situation.ELDERLY_ALONE}
    assert household.address == "黄金花园3栋2单元501"
    assert household.masked_phone == "138****5678"
    assert [w.id for w in household.wishes] == [wish.id]
    assert fresh(session, FollowUp, got.follow_ups[0].id).wish_id == wish.id


def test_post_templates_and_shift(session: Session) -> None:
    community = add_community(session)
    post = add_post(
        session,
        community,
        templates=((6, 9 * 60, 11 * 60), (2, 19 * 60, 21 * 60)),
        party_members_only=True,
        min_staff=1,
        max_staff=3,
        place="党群服务中心",
    )
    post.required_skills = {"治安巡逻"}
    shift = add_shift(session, post)

    got = fresh(session, Post, post.id)
    assert [(t.weekday, t.start_minute, t.end_minute) for t in got.templates] == [
        (2, 1140, 1260),
        (6, 540, 660),
    ]
    assert set(got.required_skills) == {"治安巡逻"}
    assert (got.party_members_only, got.min_staff, got.max_staff) == (True, 1, 3)
    got_shift = fresh(session, Shift, shift.id)
    assert got_shift.starts_at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert got_shift.day == WEEK_START


def test_theme_month_and_activity(session: Session) -> None:
    community = add_community(session)
    activity = add_activity(session, community)

    got = fresh(session, Activity, activity.id)

    assert got.theme_month.theme == "学雷锋志愿服务月"
    assert (got.theme_month.year, got.theme_month.month) == (2026, 3)
    assert [(r.position, r.skill, r.headcount) for r in got.roles] == [
        (0, "医疗卫生", 2),
        (1, None, 4),
    ]
    assert got.headcount == 6
    assert got.starts_at == datetime(2026, 3, 5, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert got.responsible_unit == "区人民医院"


def test_run_assignments_and_overrides(session: Session) -> None:
    community = add_community(session)
    person = add_person(session, community)
    wish = add_wish(session, community)
    shift = add_shift(session, add_post(session, community))
    activity = add_activity(session, community)
    run = add_run(
        session,
        community,
        solver_status="optimal",
        objective=12_000,
        bound=12_000,
        gap=0.0,
        wall_time_s=1.5,
        breakdown={"coverage": 12_000},
        unfilled=[{"demand_kind": "wish", "demand_id": 9, "reason": {"zh": "无人", "en": "none"}}],
    )
    for demand in (wish, shift, activity):
        add_assignment(session, run, person, demand)
    run.assignments[0].reasons = [{"zh": "住得近", "en": "lives close"}]
    override = Override(
        community=community,
        week_start=WEEK_START,
        kind=OverrideKind.FORBID,
        person=person,
        reason="老帮手不再派去",
    )
    override.demand = wish
    session.add(override)

    got = fresh(session, ScheduleRun, run.id)

    assert got.status == RunStatus.DRAFT
    assert (got.objective, got.bound, got.gap, got.wall_time_s) == (12_000, 12_000, 0.0, 1.5)
    assert got.breakdown == {"coverage": 12_000}
    assert got.unfilled[0]["reason"]["zh"] == "无人"
    kinds = sorted(a.demand_kind for a in got.assignments)
    assert kinds == [DemandKind.ACTIVITY, DemandKind.SHIFT, DemandKind.WISH]
    by_kind = {a.demand_kind: a for a in got.assignments}
    assert by_kind[DemandKind.WISH].demand.id == wish.id
    assert by_kind[DemandKind.SHIFT].demand_id == shift.id
    assert by_kind[DemandKind.ACTIVITY].activity.id == activity.id
    assert all(a.status == AssignmentStatus.PROPOSED for a in got.assignments)
    assert any(a.reasons == [{"zh": "住得近", "en": "lives close"}] for a in got.assignments)
    got_override = fresh(session, Override, override.id)
    assert (got_override.kind, got_override.demand_kind, got_override.wish_id) == (
        OverrideKind.FORBID,
        DemandKind.WISH,
        wish.id,
    )
    assert got_override.active is True


def test_user_accounts_and_scope_links(session: Session) -> None:
    community = add_community(session)
    grid = add_grid(session, community)
    person = add_person(session, community)
    coordinator = UserAccount(
        username="  HongGuang-Shuji ", password_hash="$argon2id$v=19$…", role=UserRole.COORDINATOR
    )
    coordinator.communities.append(community)
    leader = UserAccount(username="grid1", password_hash="x", role=UserRole.GRID_LEADER)
    leader.grids.append(grid)
    member = UserAccount(
        username="zhangwei", password_hash="x", role=UserRole.MEMBER, person=person
    )
    admin = UserAccount(
        username="street", password_hash="x", role=UserRole.STREET_ADMIN, street=community.street
    )
    session.add_all([coordinator, leader, member, admin])
    session.flush()

    got = fresh(session, UserAccount, coordinator.id)
    assert got.username == "hongguang-shuji"
    assert [c.name for c in got.communities] == ["红光社区"]
    assert [g.name for g in fresh(session, UserAccount, leader.id).grids] == ["第一网格"]
    assert fresh(session, UserAccount, member.id).person.name == "张伟"
    assert fresh(session, UserAccount, admin.id).street.name == "江南街道"
    assert "argon2" not in repr(got)


def test_audit_log_entry(session: Session) -> None:
    community = add_community(session)
    person = add_person(session, community, phone="13812345678")
    actor = UserAccount(username="sj", password_hash="x", role=UserRole.COORDINATOR)
    session.add(actor)
    before = {"weekly_task_cap": 3}
    person.weekly_task_cap = 2
    entry = record(
        session,
        action="person.update",
        row=person,
        actor=actor,
        community_id=community.id,
        before=before,
    )

    got = fresh(session, AuditLog, entry.id)
    assert (got.actor, got.action, got.object_type, got.object_id) == (
        "sj",
        "person.update",
        "person",
        str(person.id),
    )
    assert got.before == before
    assert got.after["weekly_task_cap"] == 2
    assert got.after["phone"] == "***"
    assert got.at.tzinfo is not None
    assert got.actor_account.username == "sj"
