"""Changes a coordinator makes by hand to the week the board shows, applied at once: put
someone on a seat, take someone off, swap one person for another. No re-solve is needed and
nobody else moves.

Every change is checked by the matcher's own rules (``matcher.ranking``): a person every hard
rule allows goes on as they are; someone exactly one rule keeps off (a near miss) goes on only
with a reason, recorded as an override (破例指派) and in the audit log; anyone else is refused.
Each change also leaves an override, so a later re-solve keeps it. In a published plan the
person whose task changed is told, and nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.services import messages
from api.services.errors import Conflict, Invalid
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
)
from api.services.scheduling import (
    OverrideRequest,
    _demand_row,
    _person_of,
    add_override,
    booked_tasks,
    current_run,
)
from matcher import ranking
from matcher.domain import DemandKind, Reason
from models import audit
from models.base import utcnow
from models.post import check_monday
from models.schedule import Assignment, AssignmentStatus, RunStatus, ScheduleRun
from models.user import UserAccount
from models.wish import Wish, WishStatus

#: runs a change by hand may touch: the week's draft, else its published plan
EDITABLE = (RunStatus.DRAFT, RunStatus.PUBLISHED)
BY_HAND = Reason(zh="协调员直接指派", en="assigned by the coordinator")


@dataclass(frozen=True, slots=True)
class Placed:
    """Where and when a person would go, and the rule they break (None: none)."""

    starts_minute: int
    ends_minute: int
    distance_m: float
    reasons: tuple[Reason, ...]
    broken: ranking.NearMiss | None


def _editable_run(session: Session, community_id: int, week_start: date) -> ScheduleRun:
    run = current_run(session=session, community_id=community_id, week_start=week_start)
    if run is None:
        raise Conflict(
            "本周还没有排班，请先排班再调整",
            "the week has no plan yet: solve it first, then change it by hand",
        )
    return run


def _live(session: Session, run: ScheduleRun) -> list[Assignment]:
    return list(
        session.scalars(
            sa.select(Assignment).where(
                Assignment.run_id == run.id, Assignment.status.in_(LIVE_STATUSES)
            )
        )
    )


def _place(
    *,
    session: Session,
    run: ScheduleRun,
    demand_kind: DemandKind,
    demand_id: int,
    role: int,
    person_id: int,
    reason: str,
    leaving: Assignment | None = None,
) -> Placed:
    """Check a person for one seat by the matcher's rules, against the run without
    ``leaving`` (the assignment a swap takes off)."""
    community = run.community
    problem, refs = build_problem(
        session=session, community_id=run.community_id, week_start=run.week_start
    )
    key = matcher_demand_id(demand_kind, demand_id)
    if key not in refs:
        raise Conflict("这项任务本周已不需要安排人员", "this demand needs nobody this week")
    demand = next(d for d in problem.demands if d.id == key)
    if not 0 <= role < len(demand.roles):
        raise Invalid(
            f"这项任务只有 {len(demand.roles)} 类人手", "this demand has no such role", "role"
        )
    others = [a for a in _live(session, run) if leaving is None or a.id != leaving.id]
    if any(a.person_id == person_id and demand_ref_id(a) == key for a in others):
        raise Conflict("此人已在这项任务中", "this person is already on this demand")
    if sum(1 for a in others if demand_ref_id(a) == key and a.role == role) >= (
        demand.roles[role].max_count
    ):
        raise Conflict(
            "这类人手已满：请先撤下一人，或用「替换」",
            "this role is full: take someone off first, or swap",
        )
    booked = booked_tasks(community, run.week_start, others)
    who = matcher_person_id(person_id)
    ranked = ranking.rank_candidates(problem=problem, demand_id=key, role=role, booked=booked)
    chosen = next((c for c in ranked if c.person_id == who), None)
    if chosen is not None:
        return Placed(chosen.start, chosen.end, chosen.distance_m, chosen.reasons, None)
    missed = ranking.near_misses(problem=problem, demand_id=key, role=role, booked=booked)
    miss = next((m for m in missed if m.person_id == who), None)
    if miss is None:
        raise Invalid(
            "此人有两项以上条件不符，不能安排到这里",
            "more than one rule keeps this person off this task",
            "person_id",
        )
    if not reason.strip():
        raise Invalid(
            f"此人{miss.why.zh}（{miss.consequence.zh}）：破例指派请写明理由",
            f"this person is {miss.why.en} ({miss.consequence.en}): give a reason to assign "
            "them anyway",
            "reason",
        )
    return Placed(miss.start, miss.end, miss.distance_m, (miss.why, miss.consequence), miss)


def _put_on(
    *,
    session: Session,
    run: ScheduleRun,
    demand_kind: DemandKind,
    demand_id: int,
    role: int,
    person_id: int,
    reason: str,
    placed: Placed,
    actor: UserAccount | None,
) -> Assignment:
    community = run.community
    reason = reason.strip()
    if placed.broken is not None:
        note = f"破例指派（{placed.broken.why.zh}）：{reason}"
        first = Reason(zh=note, en=f"assigned anyway ({placed.broken.why.en}): {reason}")
    else:
        note = reason or BY_HAND.zh
        first = BY_HAND
    assignment = Assignment(
        run_id=run.id,
        person_id=person_id,
        role=role,
        starts_at=moment_of(community, run.week_start, placed.starts_minute),
        ends_at=moment_of(community, run.week_start, placed.ends_minute),
        distance_m=placed.distance_m,
        pinned=True,
        reasons=[reason_json(r.zh, r.en) for r in (first, *placed.reasons)],
    )
    set_demand(assignment, demand_kind, demand_id)
    session.add(assignment)
    # the override keeps the change through a re-solve, and withdraws a forbid of the pair
    add_override(
        session=session,
        community_id=run.community_id,
        week_start=run.week_start,
        kind=OverrideRequest.ASSIGN,
        person_id=person_id,
        demand_kind=demand_kind,
        demand_id=demand_id,
        author=actor,
        reason=note,
    )
    session.flush()
    audit.record(
        session,
        action="assignment.assign_anyway" if placed.broken else "assignment.assign",
        row=assignment,
        actor=actor,
        community_id=run.community_id,
        after={
            **audit.snapshot(assignment),
            "rule": placed.broken.rule if placed.broken else None,
            "reason": reason,
        },
    )
    if run.status == RunStatus.PUBLISHED:
        if assignment.wish_id is not None:
            wish = session.get(Wish, assignment.wish_id)
            if wish is not None and wish.status == WishStatus.OPEN:
                wish.advance(WishStatus.ASSIGNED)
        session.flush()
        messages.tell(
            session=session, event=messages.TaskAssigned(assignment_id=assignment.id), now=utcnow()
        )
    return assignment


def assign_now(
    *,
    session: Session,
    community_id: int,
    week_start: date,
    demand_kind: DemandKind | str,
    demand_id: int,
    role: int,
    person_id: int,
    reason: str,
    actor: UserAccount | None,
) -> Assignment:
    """Put a person on one role of a demand of the week's draft (else its published plan) at
    once. A near miss needs a reason; anyone else the rules refuse is refused (422)."""
    check_monday(week_start)
    demand_kind = DemandKind(demand_kind)
    get_community(session, community_id)
    _demand_row(session, community_id, week_start, demand_kind, demand_id)
    person = _person_of(session, community_id, person_id)
    if not person.active:
        raise Invalid("此人已停用", "this person is deactivated", "person_id")
    run = _editable_run(session, community_id, week_start)
    placed = _place(
        session=session,
        run=run,
        demand_kind=demand_kind,
        demand_id=demand_id,
        role=role,
        person_id=person_id,
        reason=reason,
    )
    return _put_on(
        session=session,
        run=run,
        demand_kind=demand_kind,
        demand_id=demand_id,
        role=role,
        person_id=person_id,
        reason=reason,
        placed=placed,
        actor=actor,
    )


def _check_removable(assignment: Assignment) -> ScheduleRun:
    run = assignment.run
    if run.status not in EDITABLE:
        raise Conflict(
            "此排班已被取代，请在当前排班中调整", "this run was replaced; change the current one"
        )
    if assignment.status == AssignmentStatus.DONE:
        raise Conflict("这项服务已完成，不能撤下", "this service is done and cannot be taken away")
    if assignment.status not in LIVE_STATUSES:
        raise Conflict("此人已不在这项任务中", "this person is no longer on this task")
    return run


def _take_off(
    session: Session, assignment: Assignment, reason: str, actor: UserAccount | None
) -> None:
    run = assignment.run
    kind, row_id = assignment.demand_kind, assignment.demand_id
    assert row_id is not None
    add_override(
        session=session,
        community_id=run.community_id,
        week_start=run.week_start,
        kind=OverrideRequest.UNASSIGN,
        person_id=assignment.person_id,
        demand_kind=kind,
        demand_id=row_id,
        author=actor,
        reason=reason.strip() or "协调员撤下 (taken off by the coordinator)",
    )
    before = audit.snapshot(assignment)
    audit.record(
        session,
        action="assignment.remove",
        row=assignment,
        actor=actor,
        community_id=run.community_id,
        before=before,
        after={"reason": reason.strip()},
    )
    if run.status == RunStatus.PUBLISHED:
        messages.tell(
            session=session, event=messages.TaskCancelled(assignment_id=assignment.id), now=utcnow()
        )
    wish_id = assignment.wish_id
    session.delete(assignment)
    session.flush()
    if run.status == RunStatus.PUBLISHED and wish_id is not None:
        still = any(a.wish_id == wish_id for a in _live(session, run))
        wish = session.get(Wish, wish_id)
        if not still and wish is not None and wish.status == WishStatus.ASSIGNED:
            wish.advance(WishStatus.OPEN)


def remove_now(
    *, session: Session, assignment: Assignment, reason: str, actor: UserAccount | None
) -> None:
    """Take a person off a task of the week's draft or published plan at once; a forbid keeps
    a re-solve from putting them back. A done service stays (409)."""
    _check_removable(assignment)
    _take_off(session, assignment, reason, actor)


def swap_now(
    *,
    session: Session,
    assignment: Assignment,
    person_id: int,
    reason: str,
    actor: UserAccount | None,
) -> Assignment:
    """Put another person in an assignment's place at once, checked as ``assign_now`` checks
    them against the week without the one leaving."""
    run = _check_removable(assignment)
    person = _person_of(session, run.community_id, person_id)
    if not person.active:
        raise Invalid("此人已停用", "this person is deactivated", "person_id")
    kind, row_id, role = assignment.demand_kind, assignment.demand_id, assignment.role
    assert row_id is not None
    placed = _place(
        session=session,
        run=run,
        demand_kind=kind,
        demand_id=row_id,
        role=role,
        person_id=person_id,
        reason=reason,
        leaving=assignment,
    )
    _take_off(session, assignment, reason, actor)
    return _put_on(
        session=session,
        run=run,
        demand_kind=kind,
        demand_id=row_id,
        role=role,
        person_id=person_id,
        reason=reason,
        placed=placed,
        actor=actor,
    )
