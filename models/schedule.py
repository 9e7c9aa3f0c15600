"""Schedule runs, their assignments, and the coordinator's overrides.

A run is one solve of one community's week. Its life::

    queued ──▶ solving ──▶ draft ──publish──▶ published ──(a newer run is published)──▶ superseded
      │           │          │  └──(a newer draft replaces it)──▶ superseded
      └───────────┴──────────┴──▶ failed   (the solve could not run; ``failure_reason`` says why)

A coordinator's solve is written ``queued``; a worker process claims it (``worker``) and makes it
``solving``, and renews ``lease_until`` while it works. A ``solving`` run whose lease has passed
was left by a worker that stopped, and is failed (``api.services.scheduling``).

Partial unique indexes hold, on SQLite and PostgreSQL alike: at most one **published** run,
at most one **draft**, and at most one run **queued or solving** per (community, week). Two
coordinators publishing (or solving) at once cannot both succeed; the second gets an
``IntegrityError`` and nothing of theirs is written.

An assignment or override points at exactly one demand: a wish, a shift or an activity. Each
kind has its own nullable foreign key and a CHECK keeps exactly the one named by
``demand_kind`` set, so a demand cannot be deleted from under a schedule.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, relationship, validates

from matcher.domain import DemandKind
from models.base import Base, JSONType, Timestamped, UTCDateTime, check, enum_type, utcnow
from models.calendar import Activity
from models.post import Shift, check_monday
from models.wish import Wish

if TYPE_CHECKING:
    from models.community import Community
    from models.person import Person


class RunStatus(StrEnum):
    QUEUED = "queued"  # waiting for a worker process to take it up
    SOLVING = "solving"  # a worker is solving it; ``progress`` says how far
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    FAILED = "failed"


RUN_STATUS_ZH: dict[RunStatus, str] = {
    RunStatus.QUEUED: "排队中",
    RunStatus.SOLVING: "计算中",
    RunStatus.DRAFT: "草稿",
    RunStatus.PUBLISHED: "已发布",
    RunStatus.SUPERSEDED: "已被取代",
    RunStatus.FAILED: "失败",
}

RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.QUEUED: frozenset({RunStatus.SOLVING, RunStatus.FAILED}),
    RunStatus.SOLVING: frozenset({RunStatus.DRAFT, RunStatus.FAILED}),
    RunStatus.DRAFT: frozenset({RunStatus.PUBLISHED, RunStatus.SUPERSEDED, RunStatus.FAILED}),
    RunStatus.PUBLISHED: frozenset({RunStatus.SUPERSEDED}),
    RunStatus.SUPERSEDED: frozenset(),
    RunStatus.FAILED: frozenset(),
}


class AssignmentStatus(StrEnum):
    PROPOSED = "proposed"  # in a draft, or published and not yet answered
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    DONE = "done"
    NO_SHOW = "no_show"


ASSIGNMENT_STATUS_ZH: dict[AssignmentStatus, str] = {
    AssignmentStatus.PROPOSED: "待确认",
    AssignmentStatus.CONFIRMED: "已确认",
    AssignmentStatus.DECLINED: "已谢绝",
    AssignmentStatus.DONE: "已完成",
    AssignmentStatus.NO_SHOW: "未到岗",
}

ASSIGNMENT_TRANSITIONS: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    AssignmentStatus.PROPOSED: frozenset(
        {AssignmentStatus.CONFIRMED, AssignmentStatus.DECLINED, AssignmentStatus.DONE}
    ),
    AssignmentStatus.CONFIRMED: frozenset(
        {AssignmentStatus.DECLINED, AssignmentStatus.DONE, AssignmentStatus.NO_SHOW}
    ),
    AssignmentStatus.DECLINED: frozenset(),
    AssignmentStatus.DONE: frozenset(),
    AssignmentStatus.NO_SHOW: frozenset(),
}


class OverrideKind(StrEnum):
    PIN = "pin"  # must be assigned so
    FORBID = "forbid"  # must never be assigned so
    ASSIGN = "assign"  # a manual assignment the coordinator made


class StatusError(ValueError):
    """A status change a run or an assignment may not make."""

    def __init__(self, what: str, current: str, wanted: str, zh: dict[Any, str]):
        self.current = current
        self.wanted = wanted
        super().__init__(
            f"不能从「{zh[current]}」变为「{zh[wanted]}」 "
            f"({what} cannot go from {current} to {wanted})"
        )


def _demand_check() -> sa.CheckConstraint:
    one = "({set_} IS NOT NULL AND {a} IS NULL AND {b} IS NULL)"
    return check(
        " OR ".join(
            f"(demand_kind = '{kind}' AND "
            + one.format(set_=f"{kind}_id", a=f"{others[0]}_id", b=f"{others[1]}_id")
            + ")"
            for kind, others in (
                ("wish", ("shift", "activity")),
                ("shift", ("wish", "activity")),
                ("activity", ("wish", "shift")),
            )
        ),
        "one_demand",
    )


class DemandRef:
    """A reference to one demand: its kind and a foreign key to the matching table."""

    demand_kind: Mapped[DemandKind] = mapped_column(enum_type(DemandKind, "demand_kind"))
    wish_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("wish.id", ondelete="RESTRICT"), index=True
    )
    shift_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("shift.id", ondelete="RESTRICT"), index=True
    )
    activity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("activity.id", ondelete="RESTRICT"), index=True
    )

    @declared_attr
    def wish(cls) -> Mapped[Wish | None]:
        return relationship(Wish)

    @declared_attr
    def shift(cls) -> Mapped[Shift | None]:
        return relationship(Shift)

    @declared_attr
    def activity(cls) -> Mapped[Activity | None]:
        return relationship(Activity)

    @property
    def demand_id(self) -> int | None:
        return {
            DemandKind.WISH: self.wish_id,
            DemandKind.SHIFT: self.shift_id,
            DemandKind.ACTIVITY: self.activity_id,
        }[self.demand_kind]

    @property
    def demand(self) -> Wish | Shift | Activity | None:
        return {
            DemandKind.WISH: self.wish,
            DemandKind.SHIFT: self.shift,
            DemandKind.ACTIVITY: self.activity,
        }[self.demand_kind]

    @demand.setter
    def demand(self, demand: Wish | Shift | Activity) -> None:
        self.wish = demand if isinstance(demand, Wish) else None
        self.shift = demand if isinstance(demand, Shift) else None
        self.activity = demand if isinstance(demand, Activity) else None
        if isinstance(demand, Wish):
            self.demand_kind = DemandKind.WISH
        elif isinstance(demand, Shift):
            self.demand_kind = DemandKind.SHIFT
        else:
            self.demand_kind = DemandKind.ACTIVITY


class ScheduleRun(Timestamped, Base):
    __tablename__ = "schedule_run"
    __table_args__ = (
        sa.Index(
            "uq_schedule_run_published",
            "community_id",
            "week_start",
            unique=True,
            postgresql_where=sa.text("status = 'published'"),
            sqlite_where=sa.text("status = 'published'"),
        ),
        sa.Index(
            "uq_schedule_run_draft",
            "community_id",
            "week_start",
            unique=True,
            postgresql_where=sa.text("status = 'draft'"),
            sqlite_where=sa.text("status = 'draft'"),
        ),
        # one solve of a week at a time: two coordinators asking at once get one run
        sa.Index(
            "uq_schedule_run_live",
            "community_id",
            "week_start",
            unique=True,
            postgresql_where=sa.text("status IN ('queued', 'solving')"),
            sqlite_where=sa.text("status IN ('queued', 'solving')"),
        ),
        sa.Index(None, "community_id", "week_start"),
        # the solve queue: the oldest queued run, the solving runs whose lease has passed
        sa.Index(None, "status", "lease_until"),
        check("failure_reason IS NOT NULL OR status <> 'failed'", "failure_has_reason"),
        check("lease_until IS NOT NULL OR status <> 'solving'", "solving_has_lease"),
        check("time_limit_s IS NULL OR time_limit_s > 0", "time_limit_s"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id", ondelete="RESTRICT"))
    week_start: Mapped[date]
    status: Mapped[RunStatus] = mapped_column(
        enum_type(RunStatus, "run_status"), default=RunStatus.DRAFT
    )
    # the solver's figures (matcher.domain.Solution)
    solver_status: Mapped[str | None] = mapped_column(sa.String(16))
    objective: Mapped[int | None]
    bound: Mapped[int | None]
    #: relative distance from the proven bound; 0 is proven optimal
    gap: Mapped[float | None]
    wall_time_s: Mapped[float | None]
    #: objective points per term
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: demands left short, with the reason in Chinese and English
    unfilled: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    #: the matcher's warnings (a pin that breaks a rule): [{"zh": …, "en": …}]
    warnings: Mapped[list[Any] | None] = mapped_column(JSONType, default=list)
    #: how far a solve has got, 0 to 1, for a client polling a ``solving`` run
    progress: Mapped[float] = mapped_column(default=0.0, server_default="0")
    #: what the solve was asked for: the matcher's time limit, and the run it stays close to
    time_limit_s: Mapped[float | None]
    previous_run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("schedule_run.id", ondelete="SET NULL")
    )
    #: the worker process solving the run (host/pid), once one has claimed it
    worker: Mapped[str | None] = mapped_column(sa.String(200))
    #: the worker renews this while it solves; a ``solving`` run past it was left by a worker
    #: that stopped
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: bumped on every update; a write based on a stale copy raises ``StaleDataError``
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)

    community: Mapped[Community] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="run",
        order_by="(Assignment.starts_at, Assignment.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __init__(self, **fields: Any):
        fields.setdefault("status", RunStatus.DRAFT)
        super().__init__(**fields)

    @validates("week_start")
    def _check_week_start(self, _key: str, value: date) -> date:
        return check_monday(value)

    def advance(self, to_status: RunStatus | str) -> None:
        wanted = RunStatus(to_status)
        if wanted not in RUN_TRANSITIONS[self.status]:
            raise StatusError("a schedule run", self.status, wanted, RUN_STATUS_ZH)
        self.status = wanted

    def __repr__(self) -> str:
        return (
            f"ScheduleRun(id={self.id!r}, community_id={self.community_id!r}, "
            f"week_start={self.week_start!r}, status={self.status!r})"
        )


class Assignment(DemandRef, Timestamped, Base):
    """One person on one demand (and one of its roles) at a time."""

    __tablename__ = "assignment"
    __table_args__ = (
        _demand_check(),
        check("ends_at > starts_at", "ends_after_start"),
        check("hours_served IS NULL OR hours_served >= 0", "hours_served"),
        check("hours_requested IS NULL OR hours_requested > 0", "hours_requested"),
        check("checked_out_at IS NULL OR checked_in_at IS NOT NULL", "out_after_in"),
        check("role >= 0", "role"),
        # NULLs differ in a unique index, so each of these binds only for its own demand kind
        sa.UniqueConstraint("run_id", "person_id", "wish_id"),
        sa.UniqueConstraint("run_id", "person_id", "shift_id"),
        sa.UniqueConstraint("run_id", "person_id", "activity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("schedule_run.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    #: index of the demand's role (an activity may need several kinds of helper)
    role: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    distance_m: Mapped[float | None]
    pinned: Mapped[bool] = mapped_column(default=False)
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_type(AssignmentStatus, "assignment_status"), default=AssignmentStatus.PROPOSED
    )
    hours_served: Mapped[float | None]
    #: why this person, as the matcher explained it: [{"zh": …, "en": …}]
    reasons: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    #: the member took it themselves (认领, or accepting a seat offered after a decline)
    claimed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: 签到 / 签退 with the place's code; the distance from the place when the phone gave one
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_in_distance_m: Mapped[float | None]
    #: hours the member logged without checking in: they wait for a coordinator's approval
    hours_requested: Mapped[float | None]

    run: Mapped[ScheduleRun] = relationship(back_populates="assignments")
    person: Mapped[Person] = relationship()

    def __init__(self, **fields: Any):
        fields.setdefault("status", AssignmentStatus.PROPOSED)
        super().__init__(**fields)

    def advance(self, to_status: AssignmentStatus | str) -> None:
        wanted = AssignmentStatus(to_status)
        if wanted not in ASSIGNMENT_TRANSITIONS[self.status]:
            raise StatusError("an assignment", self.status, wanted, ASSIGNMENT_STATUS_ZH)
        self.status = wanted

    def __repr__(self) -> str:
        return (
            f"Assignment(id={self.id!r}, person_id={self.person_id!r}, "
            f"{self.demand_kind}={self.demand_id!r}, status={self.status!r})"
        )


class Override(DemandRef, Timestamped, Base):
    """A coordinator's lock on one week: pin, forbid, or a manual assignment."""

    __tablename__ = "override"
    __table_args__ = (_demand_check(), sa.Index(None, "community_id", "week_start", "active"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id", ondelete="RESTRICT"))
    week_start: Mapped[date]
    kind: Mapped[OverrideKind] = mapped_column(enum_type(OverrideKind, "override_kind"))
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: withdrawn overrides stay for the record
    active: Mapped[bool] = mapped_column(default=True)

    community: Mapped[Community] = relationship()
    person: Mapped[Person] = relationship()

    @validates("week_start")
    def _check_week_start(self, _key: str, value: date) -> date:
        return check_monday(value)

    def __repr__(self) -> str:
        return (
            f"Override(id={self.id!r}, kind={self.kind!r}, person_id={self.person_id!r}, "
            f"{self.demand_kind}={self.demand_id!r})"
        )


class OfferStatus(StrEnum):
    OPEN = "open"  # offered, not yet answered
    ACCEPTED = "accepted"  # this person took the seat
    TAKEN = "taken"  # someone else took it first
    WITHDRAWN = "withdrawn"  # the plan changed (a newer run) before anyone took it
    #: nobody answered in time (``api.services.claims.OFFER_TTL``, or the task began): the
    #: seat stays open to anyone who may claim it
    EXPIRED = "expired"


OFFER_STATUS_ZH: dict[OfferStatus, str] = {
    OfferStatus.OPEN: "待答复",
    OfferStatus.ACCEPTED: "已接下",
    OfferStatus.TAKEN: "已被他人接下",
    OfferStatus.WITHDRAWN: "已撤回",
    OfferStatus.EXPIRED: "已过期",
}


class SeatOffer(Timestamped, Base):
    """A declined seat offered to one of its ranked replacements; the first to accept gets it."""

    __tablename__ = "seat_offer"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "person_id"),
        check("rank >= 1", "rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the declined assignment whose seat is offered
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    #: 1 for the best-ranked replacement
    rank: Mapped[int] = mapped_column(default=1)
    status: Mapped[OfferStatus] = mapped_column(
        enum_type(OfferStatus, "offer_status"), default=OfferStatus.OPEN
    )
    #: the assignment made when this person accepted
    accepted_assignment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="SET NULL")
    )

    declined: Mapped[Assignment] = relationship(foreign_keys=[assignment_id])
    person: Mapped[Person] = relationship()

    def __init__(self, **fields: Any):
        fields.setdefault("status", OfferStatus.OPEN)
        super().__init__(**fields)

    def __repr__(self) -> str:
        return (
            f"SeatOffer(id={self.id!r}, assignment_id={self.assignment_id!r}, "
            f"person_id={self.person_id!r}, status={self.status!r})"
        )


def publish_run(
    session: Session, run: ScheduleRun, *, by_id: int | None = None, at: datetime | None = None
) -> ScheduleRun | None:
    """Publish a draft and supersede the week's published run, in the caller's transaction.

    Returns the superseded run, if there was one. The old run is superseded and flushed before
    the new one is published, so the partial unique index never sees two published runs. If
    another transaction published meanwhile, this one fails and writes nothing: PostgreSQL
    raises ``StaleDataError`` (the run's version moved on) or ``IntegrityError``, SQLite an
    ``OperationalError`` ("database is locked", its snapshot is stale).
    """
    if run.status != RunStatus.DRAFT:
        raise StatusError("a schedule run", run.status, RunStatus.PUBLISHED, RUN_STATUS_ZH)
    current = session.scalars(
        sa.select(ScheduleRun)
        .where(
            ScheduleRun.community_id == run.community_id,
            ScheduleRun.week_start == run.week_start,
            ScheduleRun.status == RunStatus.PUBLISHED,
        )
        .with_for_update()
    ).one_or_none()
    if current is not None:
        current.advance(RunStatus.SUPERSEDED)
        session.flush()
    run.advance(RunStatus.PUBLISHED)
    run.published_at = at or utcnow()
    run.published_by_id = by_id
    session.flush()
    return current
