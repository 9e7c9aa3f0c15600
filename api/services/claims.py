"""The member's side of the week: decline and hand the seat on, see open work, claim it (认领).

A **seat** is one role of one demand (a shift, an activity, a wish) in a published run. It is
open while fewer live assignments hold it than the role's most heads. Declining writes a forbid
for that person and seat (``scheduling.decline``), reopens it, and offers it to the best-ranked
replacements (``scheduling.replacements``: the matcher's ranking, never the decliner, never
someone already on it). A member takes an open seat by accepting an offer or by claiming it;
both go through ``take_seat``, which checks every hard rule through the matcher's own ranking of
candidates for that seat (``matcher.ranking``: the pairwise rules table and the person's week,
caps and clashes with walking time), and writes the assignment with a pin, so a re-solve keeps
it.

Two members taking the last place of a seat at once: ``take_seat`` reads the seat's demand row
``FOR UPDATE`` (PostgreSQL), so the second waits, then counts the first one's assignment and is
told the seat is taken; on SQLite the second writer's stale snapshot is refused at commit and
reported the same way. ``take_seat`` commits, like ``scheduling.publish``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.services import loop_events
from api.services.board import snapped
from api.services.errors import Conflict, Forbidden, Invalid, NotFound
from api.services.problem import (
    LIVE_STATUSES,
    DemandRefs,
    build_problem,
    demand_ref_id,
    demand_title,
    matcher_demand_id,
    matcher_person_id,
    reason_json,
    set_demand,
)
from api.services.scheduling import (
    RACE_ERRORS,
    Candidate,
    OverrideRequest,
    add_override,
    booked_tasks,
    lock_seat,
    places_left,
    rank_candidates,
    replacements,
    seats_held,
    settle_offers,
)
from api.services.scheduling import decline as decline_and_forbid
from api.services.teams import communities_of
from matcher import ranking
from matcher.domain import DemandKind, Problem, Reason
from models import audit
from models.base import utcnow
from models.community import monday_of
from models.person import Person
from models.post import Shift, TakeMode
from models.schedule import (
    Assignment,
    AssignmentStatus,
    OfferStatus,
    RunStatus,
    ScheduleRun,
    SeatOffer,
)
from models.user import UserAccount
from models.wish import Wish, WishStatus

#: replacements a declined seat is offered to at once
OFFERS_PER_DECLINE = 5
#: the cell open work is placed in on the member's map (服务分布图), in metres
MAP_CELL_M = 100.0
#: an offer nobody answered within this time is withdrawn; the seat stays open to claims
OFFER_TTL = timedelta(hours=24)

TAKEN = (
    "已被他人接下，谢谢你的热心",
    "Someone else has already taken this; thank you all the same",
)

CLAIMED = Reason(zh="本人认领", en="claimed by the member")
TAKEN_OVER = Reason(zh="接替谢绝的人员", en="takes over from someone who declined")


def _taken() -> Conflict:
    return Conflict(*TAKEN)


# the week as one member sees it ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Week:
    """A published run and its week, read once: the problem with only this member in it."""

    run: ScheduleRun
    problem: Problem
    refs: DemandRefs
    booked: list[Assignment]
    #: the same, as the matcher's week of each person
    tasks: dict[str, list[ranking.Booked]]


def _week_of(session: Session, run: ScheduleRun, person_id: int) -> Week:
    problem, refs = build_problem(
        session=session, community_id=run.community_id, week_start=run.week_start
    )
    me = matcher_person_id(person_id)
    # the rules bind one person × one seat, and a person's week only with their own tasks:
    # the member alone gives the same answer for them as the whole community, much faster
    alone = replace(problem, people=tuple(p for p in problem.people if p.id == me))
    booked = list(
        session.scalars(
            sa.select(Assignment)
            .where(Assignment.run_id == run.id, Assignment.status.in_(LIVE_STATUSES))
            .execution_options(populate_existing=True)
        )
    )
    return Week(
        run=run,
        problem=alone,
        refs=refs,
        booked=booked,
        tasks=booked_tasks(run.community, run.week_start, booked),
    )


def _fit(week: Week, demand_key: str, role: int) -> Candidate | None:
    """The member's place on a seat (start, walk, reasons) if every hard rule allows it."""
    if not week.problem.people:
        return None  # not scheduled at all (inactive, or a registration awaiting approval)
    found = rank_candidates(
        problem=week.problem,
        community=week.run.community,
        week_start=week.run.week_start,
        tasks=week.tasks,
        demand_key=demand_key,
        role=role,
    )
    return found[0] if found else None


def _claimable(session: Session, kind: DemandKind, row_id: int) -> bool:
    """Whether members may claim this demand (a post may be filled by the weekly plan only)."""
    if kind == DemandKind.SHIFT:
        shift = session.get(Shift, row_id)
        return shift is not None and shift.post.take_mode != TakeMode.OPTIMIZER
    return True


# open work ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenSeat:
    """A seat a member may take now, as their phone lists it."""

    run_id: int
    demand_kind: DemandKind
    demand_id: int
    role: int
    title: str
    role_name: str
    starts_at: datetime
    ends_at: datetime
    distance_m: float
    places_left: int
    #: where, coarsely: the centre of the fixed cell of about 100 m the place lies in, so a
    #: wish's mark on the member's map never shows the household's door
    lat: float = 0.0
    lng: float = 0.0
    #: an offer made to this member after someone declined, if there is one
    offer_id: int | None = None


def published_runs(session: Session, community_id: int, today: date) -> list[ScheduleRun]:
    """The community's published runs of this week and later, earliest first."""
    return list(
        session.scalars(
            sa.select(ScheduleRun)
            .where(
                ScheduleRun.community_id == community_id,
                ScheduleRun.status == RunStatus.PUBLISHED,
                ScheduleRun.week_start >= monday_of(today),
            )
            .order_by(ScheduleRun.week_start)
        )
    )


def open_work(*, session: Session, person: Person, now: datetime | None = None) -> list[OpenSeat]:
    """The seats the member may take, nearest first (then soonest): every hard rule already
    checked for them, past work and full seats left out."""
    now = now or utcnow()
    community = person.community
    offers = {
        (demand_ref_id(o.declined), o.declined.role, o.declined.run_id): o.id
        for o in session.scalars(
            sa.select(SeatOffer).where(
                SeatOffer.person_id == person.id, SeatOffer.status == OfferStatus.OPEN
            )
        )
    }
    found: list[OpenSeat] = []
    today = now.astimezone(community.zone).date()
    # both communities of a member who reported to two (双报到): one list, one weekly load
    runs = [
        run
        for community_id in communities_of(session, person)
        for run in published_runs(session, community_id, today)
    ]
    for run in runs:
        week = _week_of(session, run, person.id)
        held = seats_held(session, run.id)
        for demand in week.problem.demands:
            kind, row_id = week.refs[demand.id]
            if not _claimable(session, kind, row_id):
                continue
            for role_index, role in enumerate(demand.roles):
                left = places_left(week.problem, held, demand.id, role_index)
                if left <= 0:
                    continue
                fit = _fit(week, demand.id, role_index)
                if fit is None or fit.starts_at <= now:
                    continue
                lat, lng = snapped(demand.location.lat, demand.location.lng, MAP_CELL_M)
                found.append(
                    OpenSeat(
                        run_id=run.id,
                        demand_kind=kind,
                        demand_id=row_id,
                        role=role_index,
                        title=week.refs.titles[demand.id],
                        role_name=role.name,
                        starts_at=fit.starts_at,
                        ends_at=fit.ends_at,
                        distance_m=fit.distance_m,
                        places_left=left,
                        lat=lat,
                        lng=lng,
                        offer_id=offers.get((demand.id, role_index, run.id)),
                    )
                )
    found.sort(key=lambda seat: (seat.distance_m, seat.starts_at, seat.demand_id))
    return found


# taking a seat ------------------------------------------------------------------------------


def take_seat(
    *,
    session: Session,
    run: ScheduleRun,
    demand_kind: DemandKind,
    demand_id: int,
    role: int,
    person: Person,
    actor: UserAccount | None,
    offer: SeatOffer | None = None,
    now: datetime | None = None,
) -> Assignment:
    """The member takes one place of an open seat: checked by the matcher's rules, written
    confirmed and pinned, and committed. ``Conflict`` if the seat is full ("already taken")
    or the member cannot take it."""
    key = matcher_demand_id(demand_kind, demand_id)
    try:
        lock_seat(session, demand_kind, demand_id)
        session.refresh(run)
        if run.status != RunStatus.PUBLISHED:
            raise Conflict(
                "这一周的排班已更新，请刷新后再看",
                "this week's plan has changed; reload and look again",
            )
        week = _week_of(session, run, person.id)
        if key not in week.refs:
            raise Conflict("这项任务已不再需要人员", "this task no longer needs anyone")
        left = places_left(week.problem, seats_held(session, run.id), key, role)
        if left <= 0:
            if offer is not None:
                # filled meanwhile (a coordinator's choice, a claim): the offer is answered
                offer.status = OfferStatus.TAKEN
                session.commit()
            raise _taken()
        already = session.scalar(
            sa.select(Assignment.id).where(
                Assignment.run_id == run.id,
                Assignment.person_id == person.id,
                getattr(Assignment, f"{demand_kind.value}_id") == demand_id,
            )
        )
        if already is not None:
            raise Conflict(
                "你在这项任务上已有安排（或已谢绝过）",
                "you are already on this task (or declined it before)",
            )
        fit = _fit(week, key, role)
        if fit is None:
            raise Conflict(
                "你此时不能接这项任务：专长、距离、时间或本周服务上限不符",
                "you cannot take this task: skill, distance, free time or this week's limit",
            )
        if fit.starts_at <= (now or utcnow()):
            raise Conflict("这项任务已经开始，不能再接", "this task has already begun")
        why = TAKEN_OVER if offer is not None else CLAIMED
        taken = Assignment(
            run_id=run.id,
            person_id=person.id,
            role=role,
            starts_at=fit.starts_at,
            ends_at=fit.ends_at,
            distance_m=fit.distance_m,
            pinned=True,
            claimed=True,
            status=AssignmentStatus.CONFIRMED,
            reasons=[reason_json(r.zh, r.en) for r in (why, *fit.reasons)],
        )
        set_demand(taken, demand_kind, demand_id)
        session.add(taken)
        session.flush()
        add_override(
            session=session,
            community_id=run.community_id,
            week_start=run.week_start,
            kind=OverrideRequest.ASSIGN,
            person_id=person.id,
            demand_kind=demand_kind,
            demand_id=demand_id,
            author=actor,
            reason=f"{why.zh} ({why.en})",
        )
        if demand_kind == DemandKind.WISH:
            wish = session.get(Wish, demand_id)
            if wish is not None and wish.status == WishStatus.OPEN:
                wish.advance(WishStatus.ASSIGNED)
        full = left <= 1
        settle_offers(session, run, key, role, person.id, taken, full)
        audit.record(
            session,
            action="assignment.claim" if offer is None else "assignment.replace",
            row=taken,
            actor=actor,
            community_id=run.community_id,
            after={**audit.snapshot(taken), **({"offer": offer.id} if offer else {})},
        )
        title = demand_title(taken)
        loop_events.notify(
            session,
            "seat_filled" if offer is not None else "work_claimed",
            key=f"assignment:{taken.id}",
            community_id=run.community_id,
            users=loop_events.coordinator_ids(session, run.community_id),
            title=title,
            person=person.name,
            starts_at=taken.starts_at,
        )
        session.commit()
    except (Conflict, Invalid, NotFound, Forbidden):
        session.rollback()
        raise
    except RACE_ERRORS:
        # another member took the seat between our read and our write (SQLite's stale snapshot,
        # or the unique row of this person and demand): nothing of ours was written
        session.rollback()
        raise _taken() from None
    return taken


# declining and offers -------------------------------------------------------------------------


def decline(
    *,
    session: Session,
    assignment: Assignment,
    actor: UserAccount,
    reason: str = "",
    now: datetime | None = None,
) -> list[SeatOffer]:
    """The member cannot come: the assignment is declined, a forbid keeps that person off the
    seat, a wish nobody else holds is open again, and the seat is offered to the best-ranked
    replacements who are told so (a seat that has begun is left to the coordinator)."""
    decline_and_forbid(session=session, assignment_id=assignment.id, actor=actor, reason=reason)
    run = assignment.run
    title = demand_title(assignment)
    offers: list[SeatOffer] = []
    now = now or utcnow()
    if run.status == RunStatus.PUBLISHED and assignment.starts_at > now:
        offers = offer_seat(session=session, declined=assignment, now=now)
    loop_events.notify(
        session,
        "seat_declined",
        key=f"assignment:{assignment.id}",
        community_id=run.community_id,
        users=loop_events.coordinator_ids(session, run.community_id),
        title=title,
        starts_at=assignment.starts_at,
        reason=reason,
        offered_to=len(offers),
    )
    return offers


def offer_seat(
    *,
    session: Session,
    declined: Assignment,
    limit: int = OFFERS_PER_DECLINE,
    now: datetime | None = None,
) -> list[SeatOffer]:
    """Offer a declined seat to its best-ranked replacements who were not offered it yet."""
    now = now or utcnow()
    try:
        ranked = replacements(session=session, assignment_id=declined.id, limit=None)
    except Conflict:
        return []  # the demand no longer needs anyone this week
    if declined.shift_id is not None and not _claimable(
        session, DemandKind.SHIFT, declined.shift_id
    ):
        return []  # filled by the weekly plan only: the coordinator chooses the replacement
    asked = set(
        session.scalars(
            sa.select(SeatOffer.person_id).where(SeatOffer.assignment_id == declined.id)
        )
    )
    title = demand_title(declined)
    made: list[SeatOffer] = []
    for rank, candidate in enumerate(
        (c for c in ranked if c.person_id not in asked and c.starts_at > now), start=1
    ):
        if rank > limit:
            break
        offer = SeatOffer(
            assignment_id=declined.id,
            person_id=candidate.person_id,
            rank=rank,
            # the offer's age is counted on the request's clock
            created_at=now,
        )
        session.add(offer)
        session.flush()
        loop_events.notify(
            session,
            "seat_offered",
            [candidate.person_id],
            key=f"offer:{offer.id}",
            community_id=declined.run.community_id,
            offer_id=offer.id,
            title=title,
            starts_at=candidate.starts_at,
            ends_at=candidate.ends_at,
            distance_m=candidate.distance_m,
        )
        made.append(offer)
    return made


def expired(offer: SeatOffer, now: datetime) -> bool:
    """Whether an open offer has lapsed: unanswered for ``OFFER_TTL``, or its task began."""
    return offer.created_at + OFFER_TTL <= now or offer.declined.starts_at <= now


def expire_offers(*, session: Session, now: datetime) -> list[SeatOffer]:
    """Withdraw the open offers nobody answered in time (``expired``). The seat is not held
    by anyone for them: it stays in open work for whoever the rules let claim it, the
    replacements offered it included. Returns the offers withdrawn now."""
    lapsed = list(
        session.scalars(
            sa.select(SeatOffer)
            .join(SeatOffer.declined)
            .where(
                SeatOffer.status == OfferStatus.OPEN,
                sa.or_(SeatOffer.created_at <= now - OFFER_TTL, Assignment.starts_at <= now),
            )
            .order_by(SeatOffer.id)
        )
    )
    for offer in lapsed:
        offer.status = OfferStatus.EXPIRED
    session.flush()
    return lapsed


def own_offers(*, session: Session, person: Person) -> list[SeatOffer]:
    """The seats offered to the member, newest first (answered ones too, for the record)."""
    return list(
        session.scalars(
            sa.select(SeatOffer)
            .where(SeatOffer.person_id == person.id)
            .order_by(SeatOffer.id.desc())
        )
    )


def own_offer(*, session: Session, person: Person, offer_id: int) -> SeatOffer:
    """One of the member's offers; another's looks just the same: unknown (404)."""
    offer = session.get(SeatOffer, offer_id)
    if offer is None or offer.person_id != person.id:
        raise NotFound()
    return offer


def accept_offer(
    *,
    session: Session,
    person: Person,
    offer_id: int,
    actor: UserAccount,
    now: datetime | None = None,
) -> Assignment:
    """The member takes the seat offered to them, if nobody took it first (then 409)."""
    offer = own_offer(session=session, person=person, offer_id=offer_id)
    if offer.status == OfferStatus.OPEN and expired(offer, now or utcnow()):
        # the job has not come round yet: the offer lapses now, and says so
        offer.status = OfferStatus.EXPIRED
        session.commit()
    if offer.status == OfferStatus.TAKEN:
        raise _taken()
    if offer.status == OfferStatus.EXPIRED:
        raise Conflict(
            "这份邀请已过期；如果还有空位，可以在「接任务」里认领",
            "This offer has lapsed; if the place is still open, claim it under Take work",
        )
    if offer.status != OfferStatus.OPEN:
        raise Conflict("这份邀请已答复过", "this offer has already been answered")
    declined = offer.declined
    demand_id = declined.demand_id
    assert demand_id is not None
    return take_seat(
        session=session,
        run=declined.run,
        demand_kind=declined.demand_kind,
        demand_id=demand_id,
        role=declined.role,
        person=person,
        actor=actor,
        offer=offer,
        now=now,
    )


def claim(
    *,
    session: Session,
    person: Person,
    actor: UserAccount,
    run_id: int,
    demand_kind: DemandKind,
    demand_id: int,
    role: int = 0,
    now: datetime | None = None,
) -> Assignment:
    """The member claims (认领) one place of an open seat of a published week of their community
    (or of their second community, 双报到)."""
    run = session.get(ScheduleRun, run_id)
    if run is None or run.community_id not in communities_of(session, person):
        raise NotFound()
    if run.status != RunStatus.PUBLISHED:
        raise Conflict(
            "这一周的排班已更新，请刷新后再看",
            "this week's plan has changed; reload and look again",
        )
    if not _claimable(session, demand_kind, demand_id):
        raise Forbidden(
            "这个岗位由社区统一排班，不能认领", "this post is filled by the weekly plan only"
        )
    return take_seat(
        session=session,
        run=run,
        demand_kind=demand_kind,
        demand_id=demand_id,
        role=role,
        person=person,
        actor=actor,
        now=now,
    )
