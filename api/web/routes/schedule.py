"""排班 Scheduling: solve a community's week (queued for the worker process), read a run, override it,
publish it, and find a replacement after a decline.

Coordinators of the community and street admins of its street only; anything outside their
scope answers 404. No schema here carries a phone or an address: people appear by id and name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, selectinload

from api.schemas.common import RefId, ShortText, Strict
from api.services import direct_edits, publishing
from api.services import scheduling as service
from api.services.problem import demand_title
from api.web.clock import NowDep
from api.web.deps import IdPath, SessionDep, WeekStart
from api.web.permissions import ManagerDep
from api.web.scope import (
    ManagedAssignment,
    ManagedCommunity,
    ManagedOverride,
    ManagedPerson,
    ManagedRun,
)
from matcher.domain import DemandKind
from models.post import Shift
from models.schedule import (
    ASSIGNMENT_STATUS_ZH,
    RUN_STATUS_ZH,
    Assignment,
    AssignmentStatus,
    Override,
    OverrideKind,
    RunStatus,
    ScheduleRun,
)

router = APIRouter(tags=["schedule 排班"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "conflicts with the run's state"}}
MAX_TIME_LIMIT_S = 120


# schemas -------------------------------------------------------------------------------------


class Text(BaseModel):
    zh: str
    en: str


class SolveAccepted(BaseModel):
    run_id: int
    status: RunStatus
    progress: float
    poll: str


class AssignmentView(BaseModel):
    id: int
    person_id: int
    person_name: str
    demand_kind: DemandKind
    demand_id: int
    title: str
    role: int
    starts_at: datetime
    ends_at: datetime
    distance_m: float | None
    pinned: bool
    status: AssignmentStatus
    status_zh: str
    reasons: list[Text]

    @classmethod
    def of(cls, row: Assignment) -> AssignmentView:
        return cls(
            id=row.id,
            person_id=row.person_id,
            person_name=row.person.name,
            demand_kind=row.demand_kind,
            demand_id=row.demand_id or 0,
            title=demand_title(row),
            role=row.role,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            distance_m=row.distance_m,
            pinned=row.pinned,
            status=row.status,
            status_zh=ASSIGNMENT_STATUS_ZH[row.status],
            reasons=[Text(**r) for r in row.reasons],
        )


class GapView(BaseModel):
    demand_kind: DemandKind
    demand_id: int
    title: str
    role: int
    missing: int
    essential_missing: int
    reason: Text


class OverrideView(BaseModel):
    id: int
    week_start: date
    kind: OverrideKind
    person_id: int
    person_name: str
    demand_kind: DemandKind
    demand_id: int
    #: the demand as the board names it (a shift with its day and time)
    title: str
    reason: str
    author_id: int | None
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, row: Override) -> OverrideView:
        return cls(
            id=row.id,
            week_start=row.week_start,
            kind=row.kind,
            person_id=row.person_id,
            person_name=row.person.name,
            demand_kind=row.demand_kind,
            demand_id=row.demand_id or 0,
            title=demand_title(row),
            reason=row.reason,
            author_id=row.author_id,
            active=row.active,
            created_at=row.created_at,
        )


class RunView(BaseModel):
    id: int
    community_id: int
    week_start: date
    status: RunStatus
    status_zh: str
    progress: float
    solver_status: str | None
    objective: int | None
    bound: int | None
    gap: float | None
    wall_time_s: float | None
    breakdown: dict[str, Any]
    failure_reason: str | None
    warnings: list[Text]
    created_at: datetime
    published_at: datetime | None
    assignments: list[AssignmentView]
    gaps: list[GapView]
    overrides: list[OverrideView]


class OverrideCreate(Strict):
    """``unassign`` is kept as a forbid for the week; every kind applies at the next solve."""

    kind: Literal["pin", "forbid", "assign", "unassign"]
    person_id: RefId
    demand_kind: DemandKind
    demand_id: RefId
    reason: ShortText = ""


class CandidateView(BaseModel):
    person_id: int
    name: str
    kind: str
    score: int = Field(description="objective points this choice adds; higher is better")
    distance_m: float
    tasks_this_week: int
    starts_at: datetime
    ends_at: datetime
    reasons: list[Text]


class AssignNow(Strict):
    """A person put on one role of a demand at once. Someone one rule keeps off (a near
    miss) needs a ``reason``; it is recorded as an override."""

    person_id: RefId
    demand_kind: DemandKind
    demand_id: RefId
    role: int = Field(default=0, ge=0, le=63)
    reason: ShortText = ""


class RemoveNow(Strict):
    reason: ShortText = ""


class SwapNow(Strict):
    """Another person in an assignment's place, checked as ``AssignNow`` is."""

    person_id: RefId
    reason: ShortText = ""


class ToldPerson(BaseModel):
    person_id: int
    person_name: str
    #: the tasks they get, and those taken away from them
    added: list[str]
    removed: list[str]


class PublishPreviewView(BaseModel):
    """Who a publish tells of what; the people whose tasks stay the same are not told."""

    run_id: int
    #: the published plan it replaces, or null for the week's first publish
    replaces_run_id: int | None
    told: list[ToldPerson]
    unchanged_people: int


# views ---------------------------------------------------------------------------------------


def load_run(session: Session, run_id: int) -> ScheduleRun:
    run = session.scalars(
        sa.select(ScheduleRun)
        .where(ScheduleRun.id == run_id)
        .options(
            selectinload(ScheduleRun.assignments).options(
                selectinload(Assignment.person),
                selectinload(Assignment.wish),
                selectinload(Assignment.activity),
                selectinload(Assignment.shift).selectinload(Shift.post),
            )
        )
    ).one_or_none()
    assert run is not None  # in scope: ``ManagedRun`` found it
    return run


def run_view(session: Session, run: ScheduleRun) -> RunView:
    overrides = service.active_overrides(
        session=session, community_id=run.community_id, week_start=run.week_start
    )
    return RunView(
        id=run.id,
        community_id=run.community_id,
        week_start=run.week_start,
        status=run.status,
        status_zh=RUN_STATUS_ZH[run.status],
        progress=run.progress,
        solver_status=run.solver_status,
        objective=run.objective,
        bound=run.bound,
        gap=run.gap,
        wall_time_s=run.wall_time_s,
        breakdown=run.breakdown or {},
        failure_reason=run.failure_reason,
        warnings=[Text(**w) for w in run.warnings or []],
        created_at=run.created_at,
        published_at=run.published_at,
        assignments=[AssignmentView.of(a) for a in run.assignments],
        gaps=[GapView(**{**g, "reason": Text(**g["reason"])}) for g in run.unfilled or []],
        overrides=[OverrideView.of(o) for o in overrides],
    )


# routes --------------------------------------------------------------------------------------


@router.post(
    "/communities/{community_id}/weeks/{week_start}/solve",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SolveAccepted,
    responses={**NOT_FOUND, **CONFLICT},
)
def solve(
    request: Request,
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    week_start: WeekStart,
    time_limit_s: Annotated[float, Query(ge=1, le=MAX_TIME_LIMIT_S)] = (
        service.DEFAULT_TIME_LIMIT_S
    ),
) -> SolveAccepted:
    """Queue a solve of the week for the worker process, which solves it into a draft,
    keeping the overrides and staying close to the current draft (else the published plan).
    Poll ``GET /runs/{id}``: ``queued``, ``solving`` with its progress, then ``draft`` or
    ``failed``."""
    run = service.queue_solve(
        session=session,
        community_id=community.id,
        week_start=week_start,
        actor=user,
        time_limit_s=time_limit_s,
    )
    return SolveAccepted(
        run_id=run.id,
        status=run.status,
        progress=run.progress,
        poll=str(request.url_for("read_run", run_id=run.id).path),
    )


@router.get("/runs/{run_id}", response_model=RunView, responses=NOT_FOUND)
def read_run(session: SessionDep, run: ManagedRun) -> RunView:
    """A run: status and progress, the solver's figures, assignments with reasons, gaps, and
    the week's overrides in force."""
    return run_view(session, load_run(session, run.id))


@router.post(
    "/communities/{community_id}/weeks/{week_start}/overrides",
    status_code=status.HTTP_201_CREATED,
    response_model=OverrideView,
    responses=NOT_FOUND,
)
def create_override(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    week_start: WeekStart,
    body: OverrideCreate,
) -> OverrideView:
    """Pin, forbid, assign or unassign one person on one demand of the week."""
    override = service.add_override(
        session=session,
        community_id=community.id,
        week_start=week_start,
        kind=body.kind,
        person_id=body.person_id,
        demand_kind=body.demand_kind,
        demand_id=body.demand_id,
        author=user,
        reason=body.reason,
    )
    return OverrideView.of(override)


@router.delete("/overrides/{override_id}", response_model=OverrideView, responses=NOT_FOUND)
def withdraw_override(
    session: SessionDep, user: ManagerDep, override: ManagedOverride
) -> OverrideView:
    """Withdraw an override (it stays on record, inactive)."""
    service.remove_override(session=session, override_id=override.id, author=user)
    return OverrideView.of(override)


@router.get(
    "/people/{person_id}/weeks/{week_start}/overrides",
    response_model=list[OverrideView],
    responses=NOT_FOUND,
)
def list_person_overrides(
    session: SessionDep, person: ManagedPerson, week_start: WeekStart
) -> list[OverrideView]:
    """This person's pins (固定) and forbids (不排) in force in the week, oldest first; each is
    withdrawn with ``DELETE /overrides/{id}``."""
    overrides = service.active_overrides(
        session=session,
        community_id=person.community_id,
        week_start=week_start,
        person_id=person.id,
    )
    return [OverrideView.of(o) for o in overrides]


@router.post("/runs/{run_id}/publish", response_model=RunView, responses={**NOT_FOUND, **CONFLICT})
def publish(session: SessionDep, user: ManagerDep, run: ManagedRun, now: NowDep) -> RunView:
    """Publish a draft; the week's published plan is superseded in the same transaction, and
    each member is told what is new, moved or gone for them. 409 if someone else published or
    replaced it first."""
    run_id = run.id
    service.publish(session=session, run_id=run_id, actor=user, now=now)
    session.expire_all()
    return run_view(session, load_run(session, run_id))


@router.get(
    "/runs/{run_id}/publish-preview", response_model=PublishPreviewView, responses=NOT_FOUND
)
def read_publish_preview(
    session: SessionDep, user: ManagerDep, run: ManagedRun, now: NowDep
) -> PublishPreviewView:
    """Before publishing: who will be told of what. A first publish tells everyone on the
    plan; a corrected week only those whose tasks changed."""
    found = publishing.preview(session, run, now)

    def titles(rows: list[Assignment]) -> list[str]:
        return [demand_title(a) for a in rows]

    return PublishPreviewView(
        run_id=run.id,
        replaces_run_id=found.replaces.id if found.replaces else None,
        told=[
            ToldPerson(
                person_id=change.person_id,
                person_name=change.person_name,
                added=titles(change.added),
                removed=titles(change.removed),
            )
            for change in found.told
        ],
        unchanged_people=found.unchanged,
    )


@router.post(
    "/communities/{community_id}/weeks/{week_start}/assignments",
    status_code=status.HTTP_201_CREATED,
    response_model=AssignmentView,
    responses={**NOT_FOUND, **CONFLICT},
)
def assign_now(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    week_start: WeekStart,
    body: AssignNow,
) -> AssignmentView:
    """Put a person on a seat of the week's draft (else its published plan) at once, checked
    by the matcher's rules: a near miss needs a reason (422 without), anyone else is refused.
    In a published plan the person is told."""
    assignment = direct_edits.assign_now(
        session=session,
        community_id=community.id,
        week_start=week_start,
        demand_kind=body.demand_kind,
        demand_id=body.demand_id,
        role=body.role,
        person_id=body.person_id,
        reason=body.reason,
        actor=user,
    )
    session.refresh(assignment)
    return AssignmentView.of(assignment)


@router.post(
    "/assignments/{assignment_id}/remove",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**NOT_FOUND, **CONFLICT},
)
def remove_now(
    session: SessionDep, user: ManagerDep, assignment: ManagedAssignment, body: RemoveNow
) -> None:
    """Take a person off a task at once (a done service stays: 409); a forbid keeps a
    re-solve from putting them back. In a published plan the person is told."""
    direct_edits.remove_now(session=session, assignment=assignment, reason=body.reason, actor=user)


@router.post(
    "/assignments/{assignment_id}/swap",
    status_code=status.HTTP_201_CREATED,
    response_model=AssignmentView,
    responses={**NOT_FOUND, **CONFLICT},
)
def swap_now(
    session: SessionDep, user: ManagerDep, assignment: ManagedAssignment, body: SwapNow
) -> AssignmentView:
    """Put another person in this assignment's place at once, checked by the rules as a
    direct assignment is; both people are told when the plan is published."""
    made = direct_edits.swap_now(
        session=session,
        assignment=assignment,
        person_id=body.person_id,
        reason=body.reason,
        actor=user,
    )
    session.refresh(made)
    return AssignmentView.of(made)


@router.get(
    "/assignments/{assignment_id}/replacements",
    response_model=list[CandidateView],
    responses={**NOT_FOUND, **CONFLICT},
)
def list_replacements(
    session: SessionDep,
    assignment: ManagedAssignment,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[CandidateView]:
    """Who could take over, best first: eligible, free then, under their caps, ranked as the
    matcher scores a choice (distance, load, quarter, preference, continuity)."""
    found = service.replacements(session=session, assignment_id=assignment.id, limit=limit)
    return [
        CandidateView(
            person_id=c.person_id,
            name=c.name,
            kind=c.kind,
            score=c.score,
            distance_m=c.distance_m,
            tasks_this_week=c.tasks_this_week,
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            reasons=[Text(zh=r.zh, en=r.en) for r in c.reasons],
        )
        for c in found
    ]


@router.post(
    "/assignments/{assignment_id}/replacements/{person_id}/accept",
    status_code=status.HTTP_201_CREATED,
    response_model=AssignmentView,
    responses={**NOT_FOUND, **CONFLICT},
)
def accept(
    session: SessionDep, user: ManagerDep, assignment: ManagedAssignment, person_id: IdPath
) -> AssignmentView:
    """Give a declined assignment to one of its replacements (kept as a manual assignment)."""
    taken = service.accept_replacement(
        session=session, assignment_id=assignment.id, person_id=person_id, actor=user
    )
    session.flush()
    session.refresh(taken)
    return AssignmentView.of(taken)
