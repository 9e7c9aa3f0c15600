"""Scheduled jobs: draft next week, remind, chase answers, escalate late wishes, the
coordinators' daily digest, the work units' quarterly service cards, deliver.

Every job is a plain function of a session factory and ``now`` (timezone-aware), so a test
controls the clock; ``api.worker.scheduler`` runs them on a timetable in their own process. Each may
run any number of times: what it writes is held unique by the database (one draft per week, one
message per event and recipient), so running a job twice, or in two processes, does the work
once. What a job has to say goes through ``api.services.messages.tell``, which writes it for the
people it concerns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from api.services import claims, messages, work_units
from api.services.errors import Conflict
from api.services.escalation import (
    LATE_WISH_STATUSES,
    LEVEL_NAMES,
    NEAR_DEADLINE_DAYS,
    Level,
    escalations,
    level_of,
    on_time,
    target_level,
)
from api.services.scheduling import (
    DEFAULT_LEASE,
    DEFAULT_TIME_LIMIT_S,
    LIVE_RUN_STATUSES,
    lease_passed,
    publish,
    run_solve,
    start_run,
)
from api.worker import notify
from models import audit
from models.calendar import generate_activities
from models.community import DEFAULT_ZONE, Community, monday_of
from models.notification import Notification
from models.post import generate_shifts
from models.schedule import Assignment, AssignmentStatus, RunStatus, ScheduleRun
from models.wish import Wish

log = logging.getLogger(__name__)

#: an assignment still unanswered this long before it starts is chased
CHASE_BEFORE = timedelta(hours=12)
REMINDED_STATUSES = (AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED)


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
        if run.status == RunStatus.FAILED:
            messages.tell(session=session, event=messages.DraftFailed(run_id=run.id), now=now)
            session.commit()
        elif community.auto_publish:
            run = publish(session=session, run_id=run.id, actor=None, now=now)
        else:
            messages.tell(session=session, event=messages.DraftReady(run_id=run.id), now=now)
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


def remind_tomorrow(*, session_factory: sessionmaker[Session], now: datetime) -> int:
    """One reminder per published assignment that starts tomorrow (local), to its member;
    returns how many assignments are reminded of."""
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
                messages.tell(
                    session=session,
                    event=messages.TaskReminder(assignment_id=assignment.id),
                    now=now,
                )
                count += 1
    return count


def chase_unconfirmed(*, session_factory: sessionmaker[Session], now: datetime) -> int:
    """Assignments still unanswered 12 hours before they start: their member is asked once to
    answer. The coordinators read them in their daily digest, not one message each. Returns how
    many assignments were chased."""
    _require_aware(now)
    count = 0
    with session_factory() as session, session.begin():
        for community in list(session.scalars(sa.select(Community).order_by(Community.id))):
            for assignment in _published_assignments(session, community, now, now + CHASE_BEFORE):
                if assignment.status != AssignmentStatus.PROPOSED:
                    continue
                if messages.was_told(
                    session=session,
                    key=messages.task_event_key(session, "unconfirmed", assignment),
                    recipient=f"person:{assignment.person_id}",
                ):
                    continue
                messages.tell(
                    session=session,
                    event=messages.TaskUnconfirmed(assignment_id=assignment.id),
                    now=now,
                )
                count += 1
    return count


def send_digests(*, session_factory: sessionmaker[Session], now: datetime) -> int:
    """Each community's coordinators get one message for the local day: what is unconfirmed,
    what is at risk, whom to approve; none when nothing waits. Returns how many communities
    had one."""
    _require_aware(now)
    count = 0
    with session_factory() as session, session.begin():
        for community in list(session.scalars(sa.select(Community).order_by(Community.id))):
            day = now.astimezone(community.zone).date()
            event = messages.CoordinatorDigest(community_id=community.id, day=day)
            if messages.tell(session=session, event=event, now=now) or _digest_posted(
                session, community.id, day
            ):
                count += 1
    return count


def _digest_posted(session: Session, community_id: int, day: date) -> bool:
    """A community without coordinator accounts still has its digest on its robots."""
    key = f"{messages.WECOM}:digest:{community_id}:{day.isoformat()}"
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.dedupe_key == key)
        )
        or 0
    ) > 0


# offers ----------------------------------------------------------------------------------------


def expire_offers(*, session_factory: sessionmaker[Session], now: datetime) -> int:
    """Offers of a declined seat nobody answered within a day, or before the task began, are
    withdrawn; the seat stays open to claims. Returns how many lapsed."""
    _require_aware(now)
    with session_factory() as session, session.begin():
        return len(claims.expire_offers(session=session, now=now))


# service cards -------------------------------------------------------------------------------


def send_service_cards(
    *,
    session_factory: sessionmaker[Session],
    now: datetime,
    quarter: work_units.Quarter | None = None,
) -> work_units.QuarterRun:
    """Each work unit's letter of the quarter before ``now`` (China's calendar), or of
    ``quarter``: one e-mail per unit and quarter, whatever how often it runs."""
    _require_aware(now)
    if quarter is None:
        quarter = work_units.Quarter.of(now.astimezone(DEFAULT_ZONE).date()).previous()
    with session_factory() as session, session.begin():
        done = work_units.send_quarter_cards(session=session, quarter=quarter, now=now)
    log.info(
        "service cards %s: %d sent, %d already sent, %d units without an e-mail",
        quarter,
        len(done.sent),
        len(done.already),
        len(done.no_address),
    )
    return done


# wish deadlines ------------------------------------------------------------------------------


def escalate_wishes(*, session_factory: sessionmaker[Session], now: datetime) -> int:
    """Wishes at risk go up one level, at most once a day: near their deadline and either
    without a helper or with one who has not confirmed (or comes after the deadline). A wish
    whose helpers have confirmed a visit in time is never escalated.

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
                if on_time(session, wish, community.zone):
                    continue
                found = escalations(session, wish.id)
                if found and found[-1].at.astimezone(community.zone).date() >= today:
                    continue  # one step a day
                current = level_of(found)
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
    messages.tell(
        session=session,
        event=messages.WishEscalated(wish_id=wish.id, level=LEVEL_NAMES[level]),
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
