"""Weekly schedules: solve a week into a draft, override it, re-solve, publish, and repair it
after a member declines.

The life of a week::

    solve_week ──▶ run "solving" (committed at once, so a client can poll it)
                     ├──▶ "draft"  (the week's previous draft, if any, is superseded)
                     └──▶ "failed" (a crash or contradictory overrides; the reason is kept)
    add_override / remove_override ──▶ re_solve ──▶ a new draft, close to the old one
    publish ──▶ the draft is published, the week's published run superseded, in one transaction
    decline ──▶ replacements (ranked, with reasons) ──▶ accept_replacement

``solve_week``, ``re_solve`` and ``publish`` commit (a run must be visible while it is being
solved, and a failure must be recorded even though the solve's own work is rolled back). The
other functions only flush: the caller's unit of work commits them.

Long solves run in the background (``start_solve_in_background``): a small thread pool inside
the API process. The run row carries ``status`` and ``progress`` (0 → 0.1 data read → 0.9
solved → 1), so a client polls ``GET /runs/{id}``. A run left ``solving`` by a process that
stopped is marked failed by the next solve of that week once it is older than
``ABANDONED_AFTER``. A separate worker process would be the next step for a city-wide load.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

import matcher
from api.services.errors import Conflict, Invalid, NotFound
from api.services.problem import (
    LIVE_STATUSES,
    build_problem,
    demand_ref_id,
    get_community,
    matcher_demand_id,
    matcher_person_id,
    moment_of,
    reason_json,
    set_demand,
    store_solution,
    week_minute,
)
from matcher import ranking
from matcher.domain import DemandKind, LockConflict, Problem, Reason
from models import audit
from models.base import utcnow
from models.calendar import Activity
from models.community import Community
from models.person import Person
from models.post import Post, Shift, check_monday
from models.schedule import (
    Assignment,
    AssignmentStatus,
    Override,
    OverrideKind,
    RunStatus,
    ScheduleRun,
    StatusError,
    publish_run,
)
from models.user import UserAccount
from models.wish import Wish, WishStatus

log = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT_S = 10.0
#: a run still "solving" after this long was left by a process that stopped
ABANDONED_AFTER = timedelta(minutes=30)
PROGRESS_READ = 0.1
PROGRESS_SOLVED = 0.9
#: background solves at once; CP-SAT uses one core per solve (docs/matcher.md)
BACKGROUND_WORKERS = 2

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


def start_run(
    *, session: Session, community_id: int, week_start: date, actor: UserAccount | None
) -> ScheduleRun:
    """Write a ``solving`` run for the week and commit it, so that it can be polled."""
    check_monday(week_start)
    get_community(session, community_id)
    running = session.scalars(
        sa.select(ScheduleRun).where(
            ScheduleRun.community_id == community_id,
            ScheduleRun.week_start == week_start,
            ScheduleRun.status == RunStatus.SOLVING,
        )
    ).all()
    for other in running:
        if utcnow() - other.created_at < ABANDONED_AFTER:
            raise Conflict(
                f"本周排班正在计算中（排班 {other.id}），请稍候",
                f"this week is already being solved (run {other.id}); wait for it",
            )
        other.advance(RunStatus.FAILED)
        other.failure_reason = _text("计算中断，未能完成", "the solve was interrupted")
    run = ScheduleRun(
        community_id=community_id,
        week_start=week_start,
        status=RunStatus.SOLVING,
        progress=0.0,
        created_by_id=_actor_id(actor),
    )
    session.add(run)
    session.commit()
    return run


def run_solve(
    *,
    session: Session,
    run_id: int,
    previous_run_id: int | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> ScheduleRun:
    """Solve a ``solving`` run; it ends as the week's draft, or failed with its reason."""
    run = get_run(session=session, run_id=run_id)
    try:
        problem, refs = build_problem(
            session=session,
            community_id=run.community_id,
            week_start=run.week_start,
            previous_run_id=previous_run_id,
            time_limit_s=time_limit_s,
        )
        run.progress = PROGRESS_READ
        session.commit()
        solution = matcher.solve(problem)
        run.progress = PROGRESS_SOLVED
        _replace_draft(session, run)
        store_solution(session=session, run=run, solution=solution, refs=refs)
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
    """Undo the solve's own writes and record the run as failed, with the reason."""
    session.rollback()
    run = get_run(session=session, run_id=run_id)
    session.refresh(run)
    run.advance(RunStatus.FAILED)
    run.failure_reason = _text(zh, en)
    run.progress = 1.0
    session.commit()
    return run


def solve_week(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    actor: UserAccount | None,
    previous_run_id: int | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> ScheduleRun:
    """Solve a community's week into its draft (or a failed run); the published run stays."""
    run = start_run(session=session, community_id=community_id, week_start=week_start, actor=actor)
    return run_solve(
        session=session, run_id=run.id, previous_run_id=previous_run_id, time_limit_s=time_limit_s
    )


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


_executor: ThreadPoolExecutor | None = None
_futures: dict[int, Future[Any]] = {}


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(BACKGROUND_WORKERS, thread_name_prefix="tongxin-solve")
    return _executor


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def start_solve_in_background(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    actor: UserAccount | None,
    session_factory: sessionmaker[Session] | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> ScheduleRun:
    """Write a ``solving`` run now and solve it in a worker thread; poll the run for progress.

    Stays close to the week's draft, else its published run, like ``re_solve``.
    """
    previous = current_run(session=session, community_id=community_id, week_start=week_start)
    previous_id = previous.id if previous is not None else None
    run = start_run(session=session, community_id=community_id, week_start=week_start, actor=actor)
    factory = session_factory or sessionmaker(bind=_engine_of(session), expire_on_commit=False)
    run_id = run.id

    def work() -> None:
        with factory() as worker_session:
            run_solve(
                session=worker_session,
                run_id=run_id,
                previous_run_id=previous_id,
                time_limit_s=time_limit_s,
            )

    _futures[run_id] = _pool().submit(work)
    return run


def wait_for_solve(run_id: int, timeout: float | None = None) -> None:
    """Block until a background solve of this process ends (the CLI and tests use it)."""
    future = _futures.pop(run_id, None)
    if future is not None:
        future.result(timeout=timeout)


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
    if person is None or person.community_id != community_id:
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


def active_overrides(*, session: Session, community_id: int, week_start: date) -> list[Override]:
    """The week's overrides in force, oldest first."""
    return list(
        session.scalars(
            sa.select(Override)
            .where(
                Override.community_id == community_id,
                Override.week_start == week_start,
                Override.active.is_(True),
            )
            .order_by(Override.id)
        )
    )


# publishing ----------------------------------------------------------------------------------


def publish(*, session: Session, run_id: int, actor: UserAccount | None) -> ScheduleRun:
    """Publish a draft and supersede the week's published run, in one transaction (commits).

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
        booked=run.assignments,
        demand_key=key,
        role=assignment.role,
    )
    return found if limit is None else found[:limit]


def rank_candidates(
    *,
    problem: Problem,
    community: Community,
    week_start: date,
    booked: Iterable[Assignment],
    demand_key: str,
    role: int,
    keep_assigned: bool = False,
) -> list[Candidate]:
    """Who could serve one role of a demand, best first, as the matcher ranks them
    (``matcher.ranking``) given what ``booked`` (a run's assignments) already asks of each
    person; with ``keep_assigned`` those on this role are ranked too, marked ``assigned``."""
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
    audit.record(
        session,
        action="assignment.replace",
        row=replacement,
        actor=actor,
        community_id=run.community_id,
        after={**audit.snapshot(replacement), "replaces": declined.id},
    )
    return replacement
