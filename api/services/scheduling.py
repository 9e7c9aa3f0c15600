"""Weekly schedules: solve a week into a draft, override it, re-solve, publish, and repair it
after a member declines.

The life of a week::

    queue_solve ──▶ run "queued" (committed at once, so a client can poll it)
                      └──▶ a worker claims it: "solving", its lease renewed while it works
                             ├──▶ "draft"  (the week's previous draft, if any, is superseded)
                             └──▶ "failed" (a crash, contradictory overrides, or the worker
                                            stopped and its lease ran out; the reason is kept)
    add_override / remove_override ──▶ re_solve ──▶ a new draft, close to the old one
    publish ──▶ the draft is published, the week's published run superseded, in one transaction
    decline ──▶ replacements (ranked, with reasons) ──▶ accept_replacement

The web app only queues a solve (``queue_solve``): the run row carries what it asks for (the
time limit, the run to stay close to), and a worker process (``api.worker.solve_queue``, in
``tongxin scheduler``) claims it (``claim_run``) and solves it (``run_solve``). The run carries
``status`` and ``progress`` (0 → 0.1 data read → 0.9 solved → 1), so a client polls
``GET /runs/{id}``. While it solves, the worker renews the run's ``lease_until``; a ``solving``
run whose lease has passed was left by a worker that stopped, and is failed with its reason by
the next solve of that week or by any worker (``fail_lapsed_runs``), so the week can be solved
again at once. ``solve_week``, ``re_solve`` and ``wait_for_solve`` solve in the calling process
(the weekly draft job, the command line, tests).

``queue_solve``, ``solve_week``, ``re_solve`` and ``publish`` commit (a run must be visible
while it is being solved, and a failure must be recorded even though the solve's own work is
rolled back). The other functions only flush: the caller's unit of work commits them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import TracebackType

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

import matcher
from api.services import loop_events, messages, publishing
from api.services.errors import Conflict, Invalid, NotFound
from api.services.problem import (
    LIVE_STATUSES,
    build_problem,
    demand_ref_id,
    demand_title,
    get_community,
    keep_served,
    matcher_demand_id,
    matcher_person_id,
    moment_of,
    reason_json,
    served_assignments,
    set_demand,
    store_solution,
    week_minute,
)
from api.services.teams import reports_to
from matcher import ranking
from matcher.domain import DemandKind, LockConflict, Problem, Reason
from models import audit
from models.base import utcnow
from models.calendar import Activity
from models.community import Community
from models.db import WRITE_LOCK_AT_BEGIN
from models.person import Person
from models.post import Post, Shift, check_monday
from models.schedule import (
    Assignment,
    AssignmentStatus,
    OfferStatus,
    Override,
    OverrideKind,
    RunStatus,
    ScheduleRun,
    SeatOffer,
    StatusError,
    publish_run,
)
from models.user import UserAccount
from models.wish import Wish, WishStatus

log = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT_S = 10.0
#: how long a worker's claim on a run holds unless renewed (``TONGXIN_SOLVE_LEASE_SECONDS``);
#: a ``solving`` run past its lease was left by a worker that stopped
DEFAULT_LEASE = timedelta(seconds=60)
PROGRESS_READ = 0.1
PROGRESS_SOLVED = 0.9
#: a week with a run in one of these is being solved; another solve of it waits its turn
LIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.SOLVING)
INTERRUPTED = (
    "计算中断：负责计算的后台程序已停止，本次排班未完成，可以重新排班",
    "the solve was interrupted: the background process doing it stopped; solve the week again",
)

#: errors a write based on a stale read raises when another transaction got there first
RACE_ERRORS = (StaleDataError, IntegrityError, OperationalError)


class OverrideRequest(StrEnum):
    """What a coordinator asks for; ``unassign`` is stored as a forbid for the week."""

    PIN = "pin"
    FORBID = "forbid"
    ASSIGN = "assign"
    UNASSIGN = "unassign"


STORED_KIND = {
    OverrideRequest.PIN: OverrideKind.PIN,
    OverrideRequest.FORBID: OverrideKind.FORBID,
    OverrideRequest.ASSIGN: OverrideKind.ASSIGN,
    OverrideRequest.UNASSIGN: OverrideKind.FORBID,
}


def _text(zh: str, en: str) -> str:
    return f"{zh} ({en})"


def _actor_id(actor: UserAccount | None) -> int | None:
    return actor.id if actor is not None else None


# reading -------------------------------------------------------------------------------------


def get_run(*, session: Session, run_id: int) -> ScheduleRun:
    """The run, or ``NotFound``."""
    run = session.get(ScheduleRun, run_id)
    if run is None:
        raise NotFound(f"没有编号为 {run_id} 的排班", f"no schedule run {run_id}")
    return run


def get_assignment(*, session: Session, assignment_id: int) -> Assignment:
    """The assignment, or ``NotFound``."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound(f"没有编号为 {assignment_id} 的派单", f"no assignment {assignment_id}")
    return assignment


def get_override(*, session: Session, override_id: int) -> Override:
    """The override, or ``NotFound``."""
    override = session.get(Override, override_id)
    if override is None:
        raise NotFound(f"没有编号为 {override_id} 的锁定", f"no override {override_id}")
    return override


def week_run(
    *, session: Session, community_id: int, week_start: date, status: RunStatus
) -> ScheduleRun | None:
    """The week's run of ``status`` (draft and published are unique per week)."""
    return session.scalars(
        sa.select(ScheduleRun)
        .where(
            ScheduleRun.community_id == community_id,
            ScheduleRun.week_start == week_start,
            ScheduleRun.status == status,
        )
        .order_by(ScheduleRun.id.desc())
        .limit(1)
    ).one_or_none()


def current_run(*, session: Session, community_id: int, week_start: date) -> ScheduleRun | None:
    """The week's run a re-solve stays close to: its draft, else its published run."""
    return week_run(
        session=session, community_id=community_id, week_start=week_start, status=RunStatus.DRAFT
    ) or week_run(
        session=session,
        community_id=community_id,
        week_start=week_start,
        status=RunStatus.PUBLISHED,
    )


# solving -------------------------------------------------------------------------------------


def worker_name() -> str:
    """This process as a run's ``worker``: host and process id."""
    return f"{socket.gethostname()}/{os.getpid()}"[:200]


def _write_lock_first(session: Session) -> None:
    """Begin the session's next transaction holding SQLite's write lock (nothing inside a
    transaction, nothing on PostgreSQL).

    Lease renewals write beside every solve, and on SQLite a transaction that has read may not
    write once another has committed since it began; holding the lock from the start, it waits
    its turn instead, whatever session factory the caller has.
    """
    if not session.in_transaction():
        session.connection(execution_options={WRITE_LOCK_AT_BEGIN: True})


def fail_lapsed_runs(
    *,
    session: Session,
    community_id: int | None = None,
    week_start: date | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Fail the ``solving`` runs (of one week, if given) whose lease has passed: their worker
    stopped. Flushes; the ids of the runs failed.

    Each is a conditional UPDATE (still solving, lease still passed), so a worker that renews
    its lease at the same moment keeps its run, and two processes fail a run once.
    """
    _write_lock_first(session)
    now = now or utcnow()
    lapsed = sa.and_(ScheduleRun.status == RunStatus.SOLVING, ScheduleRun.lease_until < now)
    query = sa.select(ScheduleRun.id).where(lapsed).order_by(ScheduleRun.id)
    if community_id is not None:
        query = query.where(ScheduleRun.community_id == community_id)
    if week_start is not None:
        query = query.where(ScheduleRun.week_start == week_start)
    failed = []
    for run_id in session.scalars(query).all():
        done = session.execute(
            sa.update(ScheduleRun)
            .where(ScheduleRun.id == run_id, lapsed)
            .values(
                status=RunStatus.FAILED,
                failure_reason=_text(*INTERRUPTED),
                progress=1.0,
                version=ScheduleRun.version + 1,
            )
            .execution_options(synchronize_session="fetch")
        )
        if done.rowcount == 1:  # type: ignore[attr-defined]
            log.warning("run %s failed: its worker stopped renewing its lease", run_id)
            failed.append(run_id)
    return failed


def lease_passed(run: ScheduleRun, now: datetime | None = None) -> bool:
    """Whether ``run`` is solving past its lease: its worker stopped."""
    return (
        run.status == RunStatus.SOLVING
        and run.lease_until is not None
        and run.lease_until < (now or utcnow())
    )


def _check_week_free(session: Session, community_id: int, week_start: date) -> None:
    """Refuse while another solve of the week is queued or solving; fail the week's runs whose
    worker stopped (their lease has passed), so that the week can be solved again at once."""
    now = utcnow()
    live = session.scalars(
        sa.select(ScheduleRun)
        .where(
            ScheduleRun.community_id == community_id,
            ScheduleRun.week_start == week_start,
            ScheduleRun.status.in_(LIVE_RUN_STATUSES),
        )
        .order_by(ScheduleRun.id)
    ).all()
    failed = set()
    if any(lease_passed(run, now) for run in live):
        # a worker renewing its lease at this very moment keeps its run, and the week
        failed = set(
            fail_lapsed_runs(
                session=session, community_id=community_id, week_start=week_start, now=now
            )
        )
    busy = [run for run in live if run.id not in failed]
    if not busy:
        return
    if busy[0].status == RunStatus.QUEUED:
        raise Conflict(
            f"本周排班已在排队等待计算（排班 {busy[0].id}），请稍候；"
            "如果一直没有开始，请联系管理员检查排班后台程序",
            f"this week is already waiting to be solved (run {busy[0].id}); if it does not "
            "start, ask the administrator to check the scheduler process",
        )
    raise Conflict(
        f"本周排班正在计算中（排班 {busy[0].id}），请稍候",
        f"this week is already being solved (run {busy[0].id}); wait for it",
    )


def _new_run(
    session: Session,
    *,
    community_id: int,
    week_start: date,
    actor: UserAccount | None,
    previous_run_id: int | None,
    time_limit_s: float,
    lease: timedelta | None,
) -> ScheduleRun:
    """A run of the week, committed: claimed by this process for ``lease``, else queued."""
    check_monday(week_start)
    get_community(session, community_id)
    _check_week_free(session, community_id, week_start)
    run = ScheduleRun(
        community_id=community_id,
        week_start=week_start,
        status=RunStatus.QUEUED if lease is None else RunStatus.SOLVING,
        progress=0.0,
        created_by_id=_actor_id(actor),
        previous_run_id=previous_run_id,
        time_limit_s=time_limit_s,
    )
    if lease is not None:
        run.worker = worker_name()
        run.lease_until = utcnow() + lease
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        # another solve of the week was written a moment ago (``uq_schedule_run_live``)
        session.rollback()
        _check_week_free(session, community_id, week_start)
        raise
    return run


def queue_solve(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    actor: UserAccount | None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> ScheduleRun:
    """Queue a solve of the week for a worker process and commit it, so that it can be polled.

    It will stay close to the week's draft, else its published run, like ``re_solve``.
    """
    previous = current_run(session=session, community_id=community_id, week_start=week_start)
    return _new_run(
        session,
        community_id=community_id,
        week_start=week_start,
        actor=actor,
        previous_run_id=previous.id if previous is not None else None,
        time_limit_s=time_limit_s,
        lease=None,
    )


def start_run(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    actor: UserAccount | None,
    previous_run_id: int | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    lease: timedelta = DEFAULT_LEASE,
) -> ScheduleRun:
    """Write a ``solving`` run for the week, claimed by this process, and commit it, so that
    it can be polled; ``run_solve`` solves it here."""
    return _new_run(
        session,
        community_id=community_id,
        week_start=week_start,
        actor=actor,
        previous_run_id=previous_run_id,
        time_limit_s=time_limit_s,
        lease=lease,
    )


def claim_run(
    *, session: Session, run_id: int | None = None, lease: timedelta = DEFAULT_LEASE
) -> ScheduleRun | None:
    """Claim a queued run for this process (``run_id``, else the oldest) and commit; None if
    there is none left, or ``run_id`` was taken by another worker first.

    On PostgreSQL the run is read ``FOR UPDATE SKIP LOCKED``, so workers claiming at once take
    different runs; on either database the claim is a conditional UPDATE (still queued), so a
    run is claimed once.
    """
    query = (
        sa.select(ScheduleRun.id)
        .where(ScheduleRun.status == RunStatus.QUEUED)
        .order_by(ScheduleRun.id)
        .limit(1)
    )
    if run_id is not None:
        query = query.where(ScheduleRun.id == run_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    while True:
        _write_lock_first(session)
        found = session.scalar(query)
        if found is None:
            session.rollback()
            return None
        claimed = session.execute(
            sa.update(ScheduleRun)
            .where(ScheduleRun.id == found, ScheduleRun.status == RunStatus.QUEUED)
            .values(
                status=RunStatus.SOLVING,
                worker=worker_name(),
                lease_until=utcnow() + lease,
                version=ScheduleRun.version + 1,
            )
            .execution_options(synchronize_session="fetch")
        )
        run = session.get(ScheduleRun, found, populate_existing=True)
        session.commit()
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return run
        if run_id is not None:
            return None
        # another worker took it between the read and the claim: the next one, then


class _LeaseKeeper:
    """Renews a solving run's lease from a thread of its own, every third of the lease, for as
    long as this process works on it (the matcher holds the solve for seconds to minutes).

    The renewal touches ``lease_until`` only, not the run's version, so it never makes the
    solve's own writes stale; it stops renewing once the run is no longer this worker's.
    """

    def __init__(self, engine: Engine, run_id: int, worker: str | None, lease: timedelta):
        self.engine = engine
        self.run_id = run_id
        self.worker = worker
        self.lease = lease
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self._renew_until_stopped, name=f"tongxin-lease-{run_id}", daemon=True
        )

    def __enter__(self) -> _LeaseKeeper:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stopped.set()
        self.thread.join()

    def _renew_until_stopped(self) -> None:
        every_s = max(self.lease.total_seconds() / 3, 0.05)
        while not self.stopped.wait(every_s):
            try:
                if not self.renew():
                    return
            except SQLAlchemyError as error:
                # the next renewal may get through; the lease allows two to fail
                log.warning("run %s: could not renew its lease: %s", self.run_id, error)

    def renew(self) -> bool:
        ours = [ScheduleRun.id == self.run_id, ScheduleRun.status == RunStatus.SOLVING]
        if self.worker is not None:
            ours.append(ScheduleRun.worker == self.worker)
        with self.engine.begin() as connection:
            done = connection.execute(
                sa.update(ScheduleRun).where(*ours).values(lease_until=utcnow() + self.lease)
            )
        return bool(done.rowcount == 1)


def run_solve(*, session: Session, run_id: int, lease: timedelta = DEFAULT_LEASE) -> ScheduleRun:
    """Solve a ``solving`` run this process claimed, with the time limit and the previous run
    it asked for; it ends as the week's draft, or failed with its reason.

    The run's lease is renewed while it solves, and with each progress write. It commits what
    the session holds first: its transactions begin holding SQLite's write lock.
    """
    session.commit()
    _write_lock_first(session)
    run = get_run(session=session, run_id=run_id)
    if run.status != RunStatus.SOLVING:
        log.warning("run %s is %s, not solving; left as it is", run_id, run.status)
        return run
    with _LeaseKeeper(_engine_of(session), run_id, run.worker, lease):
        try:
            problem, refs = build_problem(
                session=session,
                community_id=run.community_id,
                week_start=run.week_start,
                previous_run_id=run.previous_run_id,
                time_limit_s=run.time_limit_s or DEFAULT_TIME_LIMIT_S,
                for_solve=True,
            )
            run.progress = PROGRESS_READ
            run.lease_until = utcnow() + lease
            session.commit()
            solution = matcher.solve(problem)
            _write_lock_first(session)
            served = served_assignments(session, run.community_id, run.week_start, run.id)
            run.progress = PROGRESS_SOLVED
            run.lease_until = utcnow() + lease
            _replace_draft(session, run)
            store_solution(session=session, run=run, solution=solution, refs=refs)
            keep_served(session, run, served)
            run.progress = 1.0
            session.commit()
        except LockConflict as conflict:
            return _fail(
                session,
                run_id,
                "锁定互相矛盾：" + "；".join(r.zh for r in conflict.reasons),
                "overrides contradict each other: " + "; ".join(r.en for r in conflict.reasons),
            )
        except RACE_ERRORS as error:
            log.warning("run %s lost a race: %s", run_id, error)
            return _fail(
                session,
                run_id,
                "同一周的另一次计算刚刚完成，本次结果未保存",
                "another solve of the same week finished at the same moment; this one was not kept",
            )
        except Exception as error:
            log.exception("run %s failed", run_id)
            return _fail(
                session,
                run_id,
                f"计算失败：{type(error).__name__}: {error}",
                f"the solve failed: {type(error).__name__}: {error}",
            )
    return run


def _replace_draft(session: Session, run: ScheduleRun) -> None:
    """Supersede the week's draft (locked first on PostgreSQL) and make ``run`` the draft."""
    old = session.scalars(
        sa.select(ScheduleRun)
        .where(
            ScheduleRun.community_id == run.community_id,
            ScheduleRun.week_start == run.week_start,
            ScheduleRun.status == RunStatus.DRAFT,
            ScheduleRun.id != run.id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if old is not None:
        old.advance(RunStatus.SUPERSEDED)
        session.flush()
    run.advance(RunStatus.DRAFT)
    session.flush()


def _fail(session: Session, run_id: int, zh: str, en: str) -> ScheduleRun:
    """Undo the solve's own writes and record the run as failed, with the reason.

    A run that is no longer solving was settled meanwhile (its lease ran out and another
    process failed it): it stays as it is.
    """
    session.rollback()
    _write_lock_first(session)
    run = get_run(session=session, run_id=run_id)
    session.refresh(run)
    if run.status != RunStatus.SOLVING:
        return run
    run.advance(RunStatus.FAILED)
    run.failure_reason = _text(zh, en)
    run.progress = 1.0
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        session.refresh(run)
    return run


def solve_week(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    actor: UserAccount | None,
    previous_run_id: int | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    lease: timedelta = DEFAULT_LEASE,
) -> ScheduleRun:
    """Solve a community's week into its draft (or a failed run) in this process; the
    published run stays."""
    run = start_run(
        session=session,
        community_id=community_id,
        week_start=week_start,
        actor=actor,
        previous_run_id=previous_run_id,
        time_limit_s=time_limit_s,
        lease=lease,
    )
    return run_solve(session=session, run_id=run.id, lease=lease)


def re_solve(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    actor: UserAccount | None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> ScheduleRun:
    """Solve again with the overrides, staying close to the current draft (else the published)."""
    previous = current_run(session=session, community_id=community_id, week_start=week_start)
    return solve_week(
        session=session,
        community_id=community_id,
        week_start=week_start,
        actor=actor,
        previous_run_id=previous.id if previous is not None else None,
        time_limit_s=time_limit_s,
    )


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def wait_for_solve(
    run_id: int,
    *,
    session_factory: sessionmaker[Session],
    timeout: float | None = None,
    lease: timedelta = DEFAULT_LEASE,
    poll_s: float = 0.2,
) -> ScheduleRun:
    """The run once it has ended: solved here and now if it is still queued (the command line
    and the tests need no worker process so), else waited for while a worker solves it.

    A run whose worker stopped is failed once its lease has passed. ``TimeoutError`` if a
    worker's solve has not ended after ``timeout`` seconds.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    with session_factory() as session:
        while True:
            run = session.get(ScheduleRun, run_id, populate_existing=True)
            # end the read before claiming or waiting: on SQLite a writer waits for it
            session.commit()
            if run is None:
                raise NotFound(f"没有编号为 {run_id} 的排班", f"no schedule run {run_id}")
            if run.status not in LIVE_RUN_STATUSES:
                return run
            if run.status == RunStatus.QUEUED:
                if claim_run(session=session, run_id=run_id, lease=lease) is not None:
                    return run_solve(session=session, run_id=run_id, lease=lease)
                # else a worker took it meanwhile: wait for that worker
            elif lease_passed(run):
                fail_lapsed_runs(
                    session=session, community_id=run.community_id, week_start=run.week_start
                )
                session.commit()
                continue
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"run {run_id} is still {run.status} after {timeout} s")
            time.sleep(poll_s)


# overrides -----------------------------------------------------------------------------------


def _demand_row(
    session: Session, community_id: int, week_start: date, kind: DemandKind, row_id: int
) -> Wish | Shift | Activity:
    """The demand row, if it belongs to the community and meets the week; else ``Invalid``."""
    week_end = week_start + timedelta(days=6)
    row: Wish | Shift | Activity | None
    meets_week = False
    if kind == DemandKind.WISH:
        row = session.get(Wish, row_id)
        owner = row.community_id if row is not None else None
        if row is not None:
            meets_week = row.earliest <= week_end and row.deadline >= week_start
    elif kind == DemandKind.SHIFT:
        row = session.get(Shift, row_id)
        post = session.get(Post, row.post_id) if row is not None else None
        owner = post.community_id if post is not None else None
        if row is not None:
            meets_week = week_start <= row.day <= week_end
    else:
        row = session.get(Activity, row_id)
        owner = row.community_id if row is not None else None
        if row is not None:
            meets_week = week_start <= row.day <= week_end
    if row is None or owner != community_id:
        raise Invalid(
            f"本社区没有这项任务（{kind} {row_id}）",
            f"the community has no {kind} {row_id}",
            field="demand_id",
        )
    if not meets_week:
        raise Invalid(
            f"这项任务不在 {week_start} 这一周（{kind} {row_id}）",
            f"{kind} {row_id} is not in the week of {week_start}",
            field="demand_id",
        )
    return row


def _person_of(session: Session, community_id: int, person_id: int) -> Person:
    person = session.get(Person, person_id)
    # a member who reported here as their second community (双报到) is the community's too
    if person is None or not reports_to(session, person, community_id):
        raise Invalid(
            f"本社区没有编号为 {person_id} 的人员",
            f"the community has no person {person_id}",
            field="person_id",
        )
    return person


def add_override(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    kind: OverrideRequest | str,
    person_id: int,
    demand_kind: DemandKind | str,
    demand_id: int,
    author: UserAccount | None,
    reason: str = "",
) -> Override:
    """Lock a person to (or away from) one demand of the week; the latest word on a pair wins.

    ``assign`` is kept as a pin the coordinator made by hand, ``unassign`` as a forbid. Both
    take effect at the next (re-)solve. Earlier active overrides of the same pair are withdrawn.
    """
    check_monday(week_start)
    request = OverrideRequest(kind)
    demand_kind = DemandKind(demand_kind)
    get_community(session, community_id)
    person = _person_of(session, community_id, person_id)
    _demand_row(session, community_id, week_start, demand_kind, demand_id)
    key = matcher_demand_id(demand_kind, demand_id)
    for earlier in session.scalars(
        sa.select(Override).where(
            Override.community_id == community_id,
            Override.week_start == week_start,
            Override.person_id == person.id,
            Override.active.is_(True),
        )
    ):
        if demand_ref_id(earlier) == key:
            _withdraw(session, earlier, author)
    override = Override(
        community_id=community_id,
        week_start=week_start,
        kind=STORED_KIND[request],
        person_id=person.id,
        author_id=_actor_id(author),
        reason=reason,
    )
    set_demand(override, demand_kind, demand_id)
    session.add(override)
    audit.record(
        session,
        action=f"override.{request.value}",
        row=override,
        actor=author,
        community_id=community_id,
    )
    return override


def remove_override(*, session: Session, override_id: int, author: UserAccount | None) -> Override:
    """Withdraw an override; the row stays for the record."""
    override = get_override(session=session, override_id=override_id)
    if override.active:
        _withdraw(session, override, author)
    return override


def _withdraw(session: Session, override: Override, author: UserAccount | None) -> None:
    """Make an active override inactive, with an audit entry."""
    before = audit.snapshot(override)
    override.active = False
    audit.record(
        session,
        action="override.withdraw",
        row=override,
        actor=author,
        community_id=override.community_id,
        before=before,
    )


def active_overrides(
    *, session: Session, community_id: int, week_start: date, person_id: int | None = None
) -> list[Override]:
    """The week's overrides in force (``person_id``: this person's only), oldest first."""
    query = sa.select(Override).where(
        Override.community_id == community_id,
        Override.week_start == week_start,
        Override.active.is_(True),
    )
    if person_id is not None:
        query = query.where(Override.person_id == person_id)
    return list(session.scalars(query.order_by(Override.id)))


# publishing ----------------------------------------------------------------------------------


def publish(
    *, session: Session, run_id: int, actor: UserAccount | None, now: datetime | None = None
) -> ScheduleRun:
    """Publish a draft and supersede the week's published run, in one transaction (commits).

    Each member is told, in the same transaction, what is new, moved or gone for them
    (``messages.WeekPublished``); tasks over by ``now`` are not told.

    The run is read ``FOR UPDATE`` (PostgreSQL), so of two coordinators publishing at once the
    second waits, then finds the run no longer a draft and gets a ``Conflict``; on SQLite the
    second writer's stale snapshot is refused and reported the same way. Nothing of the losing
    request is written; overrides are never touched by a publish.
    """
    try:
        run = session.scalars(
            sa.select(ScheduleRun)
            .where(ScheduleRun.id == run_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
        if run is None:
            raise NotFound(f"没有编号为 {run_id} 的排班", f"no schedule run {run_id}")
        if run.status != RunStatus.DRAFT:
            raise Conflict(
                f"只能发布草稿，此排班现为「{run.status.value}」（可能刚被他人发布或取代）",
                f"only a draft can be published; this run is {run.status.value} "
                "(someone may have just published or replaced it)",
            )
        before = audit.snapshot(run)
        told = publishing.preview(session, run, now or utcnow())
        old = publish_run(session, run, by_id=_actor_id(actor))
        _carry_answers(session, old, run)
        _sync_wishes(session, old, run)
        audit.record(
            session,
            action="run.publish",
            row=run,
            actor=actor,
            community_id=run.community_id,
            before=before,
            after={**audit.snapshot(run), "told": [change.person_id for change in told.told]},
        )
        messages.tell(
            session=session,
            event=messages.WeekPublished(run_id=run.id, previous_run_id=old.id if old else None),
            now=now or utcnow(),
        )
        session.commit()
    except (NotFound, Conflict):
        session.rollback()
        raise
    except RACE_ERRORS as error:
        session.rollback()
        log.info("publish of run %s lost a race: %s", run_id, error)
        raise Conflict(
            "另一位协调员刚刚发布了本周排班，请刷新后再试",
            "another coordinator published this week a moment ago; reload and try again",
        ) from None
    return run


def _pair_key(a: Assignment) -> tuple[int, str, int]:
    return (a.person_id, demand_ref_id(a), a.role)


def _carry_answers(session: Session, old: ScheduleRun | None, new: ScheduleRun) -> None:
    """Members who already confirmed (or did) a task keep that answer in the new plan."""
    if old is None:
        return
    answered = {
        _pair_key(a): a
        for a in old.assignments
        if a.status in (AssignmentStatus.CONFIRMED, AssignmentStatus.DONE)
    }
    for assignment in new.assignments:
        earlier = answered.get(_pair_key(assignment))
        if earlier is not None and assignment.status == AssignmentStatus.PROPOSED:
            assignment.status = earlier.status
            assignment.hours_served = earlier.hours_served
    session.flush()


def _live_wish_ids(run: ScheduleRun) -> set[int]:
    return {
        a.wish_id for a in run.assignments if a.wish_id is not None and a.status in LIVE_STATUSES
    }


def _sync_wishes(session: Session, old: ScheduleRun | None, new: ScheduleRun) -> None:
    """Wishes in the new plan are assigned; wishes the plan dropped are open again."""
    now_held = _live_wish_ids(new)
    dropped = (_live_wish_ids(old) if old is not None else set()) - now_held
    for wish_id in sorted(now_held | dropped):
        wish = session.get(Wish, wish_id)
        if wish is None:
            continue
        if wish_id in now_held and wish.status == WishStatus.OPEN:
            wish.advance(WishStatus.ASSIGNED)
        elif wish_id in dropped and wish.status == WishStatus.ASSIGNED:
            wish.advance(WishStatus.OPEN)
    session.flush()


# declines and replacements -------------------------------------------------------------------


def decline(
    *, session: Session, assignment_id: int, actor: UserAccount | None, reason: str = ""
) -> Assignment:
    """A member declines: the assignment is declined and a forbid keeps a re-solve from
    giving it back; a wish nobody else holds goes back to open."""
    assignment = get_assignment(session=session, assignment_id=assignment_id)
    run = assignment.run
    before = audit.snapshot(assignment)
    try:
        assignment.advance(AssignmentStatus.DECLINED)
    except StatusError as error:
        raise Conflict(str(error), str(error)) from None
    note = f"本人谢绝 (declined by the member){'：' + reason if reason else ''}"
    forbid = Override(
        community_id=run.community_id,
        week_start=run.week_start,
        kind=OverrideKind.FORBID,
        person_id=assignment.person_id,
        author_id=_actor_id(actor),
        reason=note,
    )
    set_demand(forbid, assignment.demand_kind, _row_id(assignment))
    session.add(forbid)
    session.flush()
    if assignment.wish_id is not None and run.status == RunStatus.PUBLISHED:
        wish = session.get(Wish, assignment.wish_id)
        if (
            wish is not None
            and wish.status == WishStatus.ASSIGNED
            and assignment.wish_id not in _live_wish_ids(run)
        ):
            wish.advance(WishStatus.OPEN)
    audit.record(
        session,
        action="assignment.decline",
        row=assignment,
        actor=actor,
        community_id=run.community_id,
        before=before,
    )
    return assignment


def _row_id(row: Assignment | Override) -> int:
    row_id = row.demand_id
    assert row_id is not None
    return row_id


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person who could take a demand's role, with the points and reasons behind the rank."""

    person_id: int
    name: str
    kind: str
    score: int
    distance_m: float
    tasks_this_week: int
    starts_at: datetime
    ends_at: datetime
    reasons: tuple[Reason, ...]
    services_this_quarter: int = 0
    #: minutes of the person's other tasks in the run this week
    minutes_this_week: int = 0
    #: already on this demand in this role (only when the ranking was asked to keep them)
    assigned: bool = False


def replacements(*, session: Session, assignment_id: int, limit: int | None = 5) -> list[Candidate]:
    """People who could take over an assignment, best first, each with their reasons."""
    assignment = get_assignment(session=session, assignment_id=assignment_id)
    run = assignment.run
    problem, refs = build_problem(
        session=session,
        community_id=run.community_id,
        week_start=run.week_start,
        previous_run_id=None,
    )
    key = demand_ref_id(assignment)
    if key not in refs:
        raise Conflict("这项任务已不再需要安排人员", "this demand no longer needs anyone this week")
    found = rank_candidates(
        problem=problem,
        community=run.community,
        week_start=run.week_start,
        tasks=booked_tasks(run.community, run.week_start, run.assignments),
        demand_key=key,
        role=assignment.role,
    )
    # whoever already has a row on this demand in the run (the one who declined, someone
    # taken off) is never offered it: a second row of theirs could not be written anyway
    on_it = {a.person_id for a in run.assignments if demand_ref_id(a) == key}
    found = [c for c in found if c.person_id not in on_it]
    return found if limit is None else found[:limit]


def booked_tasks(
    community: Community, week_start: date, booked: Iterable[Assignment]
) -> dict[str, list[ranking.Booked]]:
    """A run's live assignments as the matcher's week of each person (by matcher id)."""
    tasks: dict[str, list[ranking.Booked]] = {}
    for other in booked:
        if other.status not in LIVE_STATUSES:
            continue
        tasks.setdefault(matcher_person_id(other.person_id), []).append(
            ranking.Booked(
                start=week_minute(community, week_start, other.starts_at),
                end=week_minute(community, week_start, other.ends_at),
                demand_id=demand_ref_id(other),
                role=other.role,
            )
        )
    return tasks


def rank_candidates(
    *,
    problem: Problem,
    community: Community,
    week_start: date,
    tasks: Mapping[str, list[ranking.Booked]],
    demand_key: str,
    role: int,
    keep_assigned: bool = False,
) -> list[Candidate]:
    """Who could serve one role of a demand, best first, as the matcher ranks them
    (``matcher.ranking``) given what ``tasks`` (a run's, from ``booked_tasks``) already asks of
    each person; with ``keep_assigned`` those on this role are ranked too, marked ``assigned``."""
    people = {p.id: p for p in problem.people}
    ranked = ranking.rank_candidates(
        problem=problem,
        demand_id=demand_key,
        role=role,
        booked=tasks,
        keep_assigned=keep_assigned,
    )
    return [
        Candidate(
            person_id=int(r.person_id),
            name=people[r.person_id].name,
            kind=people[r.person_id].kind.value,
            score=r.score,
            distance_m=r.distance_m,
            tasks_this_week=r.tasks_this_week,
            starts_at=moment_of(community, week_start, r.start),
            ends_at=moment_of(community, week_start, r.end),
            reasons=r.reasons,
            services_this_quarter=people[r.person_id].services_this_quarter,
            minutes_this_week=r.minutes_this_week,
            assigned=r.assigned,
        )
        for r in ranked
    ]


def lock_seat(session: Session, kind: DemandKind, row_id: int) -> None:
    """Hold the demand's row until commit (PostgreSQL), so that one seat is handed to one
    person at a time: whoever comes second waits, then counts the first one's assignment."""
    column = {
        DemandKind.WISH: Wish.id,
        DemandKind.SHIFT: Shift.id,
        DemandKind.ACTIVITY: Activity.id,
    }[kind]
    session.execute(sa.select(column).where(column == row_id).with_for_update())


def seats_held(session: Session, run_id: int) -> Counter[tuple[str, int]]:
    """Live assignments of a run per seat (matcher demand id, role), read afresh."""
    rows = session.scalars(
        sa.select(Assignment)
        .where(Assignment.run_id == run_id, Assignment.status.in_(LIVE_STATUSES))
        .execution_options(populate_existing=True)
    )
    return Counter((demand_ref_id(a), a.role) for a in rows)


def places_left(
    problem: Problem, held: Counter[tuple[str, int]], demand_key: str, role: int
) -> int:
    """How many more people a seat takes: its role's most heads less those holding it."""
    demand = next((d for d in problem.demands if d.id == demand_key), None)
    if demand is None or not 0 <= role < len(demand.roles):
        return 0
    return demand.roles[role].max_count - held[(demand_key, role)]


def settle_offers(
    session: Session,
    run: ScheduleRun,
    key: str,
    role: int,
    person_id: int,
    taken: Assignment,
    full: bool,
) -> None:
    """The taker's offer for this seat (if any) is accepted; once the seat is full, the others'
    offers are taken, and those people told so (``loop_events``)."""
    for offer in session.scalars(
        sa.select(SeatOffer)
        .join(SeatOffer.declined)
        .where(
            Assignment.run_id == run.id,
            Assignment.role == role,
            SeatOffer.status == OfferStatus.OPEN,
        )
    ):
        if demand_ref_id(offer.declined) != key:
            continue
        if offer.person_id == person_id:
            offer.status = OfferStatus.ACCEPTED
            offer.accepted_assignment_id = taken.id
        elif full:
            offer.status = OfferStatus.TAKEN
            loop_events.notify(
                session,
                "seat_taken",
                [offer.person_id],
                key=f"offer:{offer.id}",
                community_id=run.community_id,
                offer_id=offer.id,
                title=demand_title(taken),
                starts_at=offer.declined.starts_at,
            )


def accept_replacement(
    *, session: Session, assignment_id: int, person_id: int, actor: UserAccount | None
) -> Assignment:
    """Give a declined assignment to one of its ranked replacements; a pin keeps it so."""
    declined = get_assignment(session=session, assignment_id=assignment_id)
    if declined.status != AssignmentStatus.DECLINED:
        raise Conflict(
            "只有已谢绝的派单才能另找人员接替",
            "only a declined assignment can be handed to someone else",
        )
    run = declined.run
    if run.status not in (RunStatus.PUBLISHED, RunStatus.DRAFT):
        raise Conflict(
            "此排班已被取代，请在当前排班中操作",
            "this run has been replaced; work on the current one",
        )
    lock_seat(session, declined.demand_kind, _row_id(declined))
    problem, _ = build_problem(
        session=session, community_id=run.community_id, week_start=run.week_start
    )
    key = demand_ref_id(declined)
    left = places_left(problem, seats_held(session, run.id), key, declined.role)
    if left <= 0:
        raise Conflict(
            "已被他人接下：这项任务的人员已满",
            "already taken: this task has all the people it needs",
        )
    chosen = next(
        (
            c
            for c in replacements(session=session, assignment_id=assignment_id, limit=None)
            if c.person_id == person_id
        ),
        None,
    )
    if chosen is None:
        raise Invalid(
            f"人员 {person_id} 不能接替这项任务（条件不符或此时没空）",
            f"person {person_id} cannot take this over (not eligible or not free then)",
            field="person_id",
            location="path",
        )
    taken_over = Reason(zh="接替谢绝的人员", en="takes over from someone who declined")
    replacement = Assignment(
        run_id=run.id,
        person_id=person_id,
        role=declined.role,
        starts_at=chosen.starts_at,
        ends_at=chosen.ends_at,
        distance_m=chosen.distance_m,
        pinned=True,
        reasons=[reason_json(r.zh, r.en) for r in (taken_over, *chosen.reasons)],
    )
    set_demand(replacement, declined.demand_kind, _row_id(declined))
    session.add(replacement)
    add_override(
        session=session,
        community_id=run.community_id,
        week_start=run.week_start,
        kind=OverrideRequest.ASSIGN,
        person_id=person_id,
        demand_kind=declined.demand_kind,
        demand_id=_row_id(declined),
        author=actor,
        reason="接替谢绝的人员 (replacement accepted)",
    )
    if declined.wish_id is not None and run.status == RunStatus.PUBLISHED:
        wish = session.get(Wish, declined.wish_id)
        if wish is not None and wish.status == WishStatus.OPEN:
            wish.advance(WishStatus.ASSIGNED)
    session.flush()
    settle_offers(session, run, key, declined.role, person_id, replacement, left <= 1)
    audit.record(
        session,
        action="assignment.replace",
        row=replacement,
        actor=actor,
        community_id=run.community_id,
        after={**audit.snapshot(replacement), "replaces": declined.id},
    )
    return replacement
