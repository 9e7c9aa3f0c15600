"""Scheduled jobs: draft next week, remind, chase answers, escalate late wishes, deliver.

Every job is a plain function of a session factory and ``now`` (timezone-aware), so a test
controls the clock; ``api.worker.scheduler`` runs them on a timetable in their own process. Each may
run any number of times: what it writes is held unique by the database (one draft per week, one
notification per ``dedupe_key``), so running a job twice, or in two processes, does the work once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from api.services.errors import Conflict
from api.services.problem import demand_ref_id
from api.services.scheduling import (
    DEFAULT_LEASE,
    DEFAULT_TIME_LIMIT_S,
    LIVE_RUN_STATUSES,
    lease_passed,
    publish,
    replacements,
    run_solve,
    start_run,
)
from api.worker import notify
from models import audit
from models.audit import AuditLog
from models.calendar import generate_activities
from models.community import DEFAULT_ZONE, Community, monday_of
from models.post import generate_shifts
from models.schedule import Assignment, AssignmentStatus, RunStatus, ScheduleRun
from models.user import UserAccount, UserRole, user_community
from models.wish import Wish, WishStatus

log = logging.getLogger(__name__)

#: an assignment still unanswered this long before it starts is chased
CHASE_BEFORE = timedelta(hours=12)
#: replacements offered with a chase
CHASE_CANDIDATES = 5
#: a wish this many days or fewer before its deadline goes up to the community
NEAR_DEADLINE_DAYS = 2
#: a wish this many days past its deadline goes up to civil affairs
CIVIL_AFFAIRS_AFTER_DAYS = 7
#: wishes whose deadline matters: not yet done
LATE_WISH_STATUSES = (WishStatus.OPEN, WishStatus.ASSIGNED)
REMINDED_STATUSES = (AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED)


class Level(IntEnum):
    """Who answers for a late wish (seed 000): grid → community → street → civil affairs."""

    GRID = 0
    COMMUNITY = 1
    STREET = 2
    CIVIL_AFFAIRS = 3


LEVEL_NAMES = {
    Level.GRID: "grid",
    Level.COMMUNITY: "community",
    Level.STREET: "street",
    Level.CIVIL_AFFAIRS: "civil_affairs",
}
LEVEL_ZH = {
    Level.GRID: "网格",
    Level.COMMUNITY: "社区",
    Level.STREET: "街道",
    Level.CIVIL_AFFAIRS: "民政",
}


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"naive datetime {now.isoformat()} (give it a time zone)")
    return now


def next_week_start(now: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> date:
    """The Monday after the local week of ``now``."""
    today = _require_aware(now).astimezone(zone).date()
    return monday_of(today) + timedelta(days=7)


def weekly_run_moment(community: Community, now: datetime) -> datetime:
    """This local week's moment for drafting the next week (default Friday 20:00)."""
    today = _require_aware(now).astimezone(community.zone).date()
    return community.local_datetime(
        monday_of(today) + timedelta(days=community.weekly_run_weekday), community.weekly_run_minute
    )


def _recipients(refs: Iterable[str], fallback: str) -> list[str]:
    found = sorted(set(refs))
    return found or [fallback]


def coordinators(session: Session, community_id: int) -> list[str]:
    """Recipient references of the community's active coordinators, else the community."""
    ids = session.scalars(
        sa.select(UserAccount.id)
        .join(user_community, user_community.c.user_id == UserAccount.id)
        .where(
            user_community.c.community_id == community_id,
            UserAccount.role == UserRole.COORDINATOR,
            UserAccount.active.is_(True),
        )
    )
    return _recipients((f"user:{i}" for i in ids), f"community:{community_id}")


def street_admins(session: Session, street_id: int) -> list[str]:
    """Recipient references of the street's active admins, else the street."""
    ids = session.scalars(
        sa.select(UserAccount.id).where(
            UserAccount.street_id == street_id,
            UserAccount.role == UserRole.STREET_ADMIN,
            UserAccount.active.is_(True),
        )
    )
    return _recipients((f"user:{i}" for i in ids), f"street:{street_id}")


# drafting ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftOutcome:
    """What ``draft_next_week`` did: ``run_id`` is None when the week already had its run."""

    community_id: int
    week_start: date
    run_id: int | None
    status: RunStatus | None
    skipped_because: str | None = None


def _week_runs(session: Session, community_id: int, week_start: date) -> list[ScheduleRun]:
    return list(
        session.scalars(
            sa.select(ScheduleRun)
            .where(
                ScheduleRun.community_id == community_id,
                ScheduleRun.week_start == week_start,
                ScheduleRun.status.in_((*LIVE_RUN_STATUSES, RunStatus.DRAFT, RunStatus.PUBLISHED)),
            )
            .execution_options(populate_existing=True)
        )
    )


def draft_next_week(
    *,
    session_factory: sessionmaker[Session],
    community_id: int,
    now: datetime,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    lease: timedelta = DEFAULT_LEASE,
    skip_locked: bool = False,
) -> DraftOutcome:
    """Draft the community's next week, once; publish it, or tell the coordinators to review.

    With ``skip_locked`` (several drafting processes sharing the due communities) a community
    another process holds is passed over at once (``SKIP LOCKED``) rather than waited for: that
    process is checking or starting the very same week.

    The community row is locked (``FOR UPDATE`` on PostgreSQL) while the week is checked and
    its ``solving`` run written, so of two schedulers the second waits, then finds the run and
    does nothing. The job solves the run itself (it runs in the worker process), renewing the
    run's lease. A week that has a draft, a published run or a queued or live solve is left
    alone; a failed week is tried again, and so is a week whose solve lost its worker (its lease
    ran out). A crash in the solve leaves a failed run with its reason and the published plan
    as it was (``run_solve``).
    """
    _require_aware(now)
    with session_factory() as session:
        locking = (
            sa.select(Community)
            .where(Community.id == community_id)
            .with_for_update(skip_locked=skip_locked)
        )
        found = session.scalars(locking).one_or_none() if skip_locked else None
        if skip_locked and found is None:
            held = session.get(Community, community_id)
            zone = held.zone if held is not None else DEFAULT_ZONE
            session.rollback()
            return DraftOutcome(
                community_id, next_week_start(now, zone), None, None, "held by another drafter"
            )
        community = found or session.scalars(locking).one()
        week_start = next_week_start(now, community.zone)
        for run in _week_runs(session, community_id, week_start):
            # the lease runs on the real clock, as in ``start_run``; ``now`` is the timetable's
            if not lease_passed(run):
                session.rollback()
                return DraftOutcome(community_id, week_start, None, None, run.status.value)
        generate_shifts(session, community_id, week_start)
        generate_activities(session, community_id, week_start)
        try:
            run = start_run(  # commits: the lock is released once the solving run is visible
                session=session,
                community_id=community_id,
                week_start=week_start,
                actor=None,
                time_limit_s=time_limit_s,
                lease=lease,
            )
        except Conflict:
            session.rollback()
            return DraftOutcome(community_id, week_start, None, None, RunStatus.SOLVING.value)
        run = run_solve(session=session, run_id=run.id, lease=lease)
        payload = {
            "community_id": community_id,
            "community": community.name,
            "week_start": week_start.isoformat(),
            "run_id": run.id,
        }
        if run.status == RunStatus.FAILED:
            for recipient in coordinators(session, community_id):
                notify.enqueue(
                    session=session,
                    kind="draft_failed",
                    recipient=recipient,
                    payload={**payload, "reason": run.failure_reason},
                    dedupe_key=f"draft_failed:{run.id}:{recipient}",
                    now=now,
                )
            session.commit()
        elif community.auto_publish:
            run = publish(session=session, run_id=run.id, actor=None)
        else:
            for recipient in coordinators(session, community_id):
                notify.enqueue(
                    session=session,
                    kind="draft_ready",
                    recipient=recipient,
                    payload={**payload, "unfilled": len(run.unfilled or [])},
                    dedupe_key=f"draft_ready:{community_id}:{week_start}:{recipient}",
                    now=now,
                )
            session.commit()
        return DraftOutcome(community_id, week_start, run.id, run.status)


def due_communities(*, session_factory: sessionmaker[Session], now: datetime) -> list[int]:
    """Communities whose weekly drafting moment of this week has passed."""
    with session_factory() as session:
        return [
            c.id
            for c in session.scalars(sa.select(Community).order_by(Community.id))
            if weekly_run_moment(c, now) <= now
        ]


# reminders and chasing -----------------------------------------------------------------------


def _published_assignments(
    session: Session, community: Community, starts_from: datetime, starts_before: datetime
) -> list[Assignment]:
    return list(
        session.scalars(
            sa.select(Assignment)
            .join(Assignment.run)
            .where(
                ScheduleRun.community_id == community.id,
                ScheduleRun.status == RunStatus.PUBLISHED,
                Assignment.starts_at >= starts_from,
                Assignment.starts_at < starts_before,
            )
            .order_by(Assignment.starts_at, Assignment.id)
        )
    )


def _assignment_key(assignment: Assignment) -> str:
    """The same task for the same person at the same time, whichever run it is in."""
    return f"{assignment.person_id}:{demand_ref_id(assignment)}:{assignment.starts_at.isoformat()}"


def remind_tomorrow(*, session_factory: sessionmaker[Session], now: datetime) -> int:
    """One reminder per published assignment that starts tomorrow (local); returns how many
    reminders are in the outbox for tomorrow."""
    _require_aware(now)
    count = 0
    with session_factory() as session, session.begin():
        for community in session.scalars(sa.select(Community).order_by(Community.id)):
            tomorrow = now.astimezone(community.zone).date() + timedelta(days=1)
            start = datetime.combine(tomorrow, time(0), tzinfo=community.zone)
            for assignment in _published_assignments(
                session, community, start, start + timedelta(days=1)
            ):
                if assignment.status not in REMINDED_STATUSES:
                    continue
                notify.enqueue(
                    session=session,
                    kind="reminder",
                    recipient=f"person:{assignment.person_id}",
                    payload={
                        "assignment_id": assignment.id,
                        "demand": demand_ref_id(assignment),
                        "starts_at": assignment.starts_at.isoformat(),
                        "ends_at": assignment.ends_at.isoformat(),
                        "status": assignment.status.value,
                    },
                    dedupe_key=f"reminder:{_assignment_key(assignment)}",
                    now=now,
                )
                count += 1
    return count


def chase_unconfirmed(*, session_factory: sessionmaker[Session], now: datetime) -> int:
    """Assignments still unanswered 12 hours before they start: the coordinators get the ranked
    replacements, once per assignment. Returns how many assignments were chased."""
    _require_aware(now)
    count = 0
    with session_factory() as session, session.begin():
        for community in list(session.scalars(sa.select(Community).order_by(Community.id))):
            recipients = coordinators(session, community.id)
            for assignment in _published_assignments(session, community, now, now + CHASE_BEFORE):
                if assignment.status != AssignmentStatus.PROPOSED:
                    continue
                key = _assignment_key(assignment)
                known = session.scalar(
                    sa.select(sa.func.count()).where(
                        notify.Notification.dedupe_key.in_(
                            [f"unconfirmed:{key}:{r}" for r in recipients]
                        )
                    )
                )
                if known == len(recipients):
                    continue  # ranking the replacements is the costly part; skip it
                try:
                    ranked = replacements(
                        session=session, assignment_id=assignment.id, limit=CHASE_CANDIDATES
                    )
                except Conflict:
                    ranked = []
                payload = {
                    "assignment_id": assignment.id,
                    "person_id": assignment.person_id,
                    "demand": demand_ref_id(assignment),
                    "starts_at": assignment.starts_at.isoformat(),
                    "replacements": [
                        {
                            "person_id": c.person_id,
                            "name": c.name,
                            "score": c.score,
                            "reasons": [r.zh for r in c.reasons],
                        }
                        for c in ranked
                    ],
                }
                for recipient in recipients:
                    notify.enqueue(
                        session=session,
                        kind="unconfirmed",
                        recipient=recipient,
                        payload=payload,
                        dedupe_key=f"unconfirmed:{key}:{recipient}",
                        now=now,
                    )
                count += 1
    return count


# wish deadlines ------------------------------------------------------------------------------


def target_level(deadline: date, today: date) -> Level:
    """Where a wish belongs: near its deadline the community, past it the street, a week past
    it civil affairs."""
    days_left = (deadline - today).days
    if days_left <= -CIVIL_AFFAIRS_AFTER_DAYS:
        return Level.CIVIL_AFFAIRS
    if days_left < 0:
        return Level.STREET
    if days_left <= NEAR_DEADLINE_DAYS:
        return Level.COMMUNITY
    return Level.GRID


def escalations(session: Session, wish_id: int) -> list[AuditLog]:
    """The wish's escalations, oldest first (kept in the audit log)."""
    return list(
        session.scalars(
            sa.select(AuditLog)
            .where(
                AuditLog.action == "wish.escalate",
                AuditLog.object_type == Wish.__tablename__,
                AuditLog.object_id == str(wish_id),
            )
            .order_by(AuditLog.at, AuditLog.id)
        )
    )


def wish_level(session: Session, wish_id: int) -> Level:
    """The level a wish has reached; grid until it was escalated."""
    return _level_of(escalations(session, wish_id))


def _level_of(found: list[AuditLog]) -> Level:
    return Level((found[-1].after or {}).get("level_rank", Level.GRID)) if found else Level.GRID


def escalate_wishes(*, session_factory: sessionmaker[Session], now: datetime) -> int:
    """Wishes near or past their deadline and not done go up one level, at most once a day.

    Each step is an audit entry (``wish.escalate``) and a notification to the new level, with
    the key wish + level, so a repeated run neither escalates twice nor notifies twice.
    Returns how many wishes went up.
    """
    _require_aware(now)
    count = 0
    with session_factory() as session, session.begin():
        for community in list(session.scalars(sa.select(Community).order_by(Community.id))):
            today = now.astimezone(community.zone).date()
            wishes = session.scalars(
                sa.select(Wish)
                .where(
                    Wish.community_id == community.id,
                    Wish.status.in_(LATE_WISH_STATUSES),
                    Wish.deadline <= today + timedelta(days=NEAR_DEADLINE_DAYS),
                )
                .order_by(Wish.deadline, Wish.id)
            )
            for wish in list(wishes):
                found = escalations(session, wish.id)
                if found and found[-1].at.astimezone(community.zone).date() >= today:
                    continue  # one step a day
                current = _level_of(found)
                if target_level(wish.deadline, today) <= current:
                    continue
                level = Level(current + 1)
                _escalate(session, community, wish, current, level, now)
                count += 1
    return count


def _escalate(
    session: Session, community: Community, wish: Wish, current: Level, level: Level, now: datetime
) -> None:
    entry = audit.record(
        session,
        action="wish.escalate",
        row=wish,
        community_id=community.id,
        before={"level": LEVEL_NAMES[current], "level_rank": int(current)},
        after={
            "level": LEVEL_NAMES[level],
            "level_rank": int(level),
            "deadline": wish.deadline.isoformat(),
            "status": wish.status.value,
        },
    )
    entry.at = now
    if level == Level.COMMUNITY:
        recipients = coordinators(session, community.id)
    elif level == Level.STREET:
        recipients = street_admins(session, community.street_id)
    else:
        recipients = [f"civil_affairs:street:{community.street_id}"]
    payload = {
        "wish_id": wish.id,
        "title": wish.title,
        "community": community.name,
        "deadline": wish.deadline.isoformat(),
        "status": wish.status.value,
        "level": LEVEL_NAMES[level],
        "level_zh": LEVEL_ZH[level],
    }
    for recipient in recipients:
        notify.enqueue(
            session=session,
            kind="wish_escalated",
            recipient=recipient,
            payload=payload,
            dedupe_key=f"wish_escalated:{wish.id}:{LEVEL_NAMES[level]}:{recipient}",
            now=now,
        )


def deliver(
    *,
    session_factory: sessionmaker[Session],
    now: datetime,
    channels: dict[str, notify.Channel] | None = None,
) -> int:
    """Deliver the due notifications; returns how many rows were handled."""
    return len(notify.deliver_due(session_factory=session_factory, now=now, channels=channels))
