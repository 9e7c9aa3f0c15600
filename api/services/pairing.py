"""Standing pairs (结对帮扶): propose (run the pairing), review, pin or forbid, confirm, end;
a household's visit history; a community's pairing rules.

The rows become the matcher's ``PairingProblem`` here and nowhere else: members are the
community's approved, active party members; households those with a location; the standing
pairs are the confirmed ones; the pins and forbids are ``PairLock`` rows. A proposal replaces
the earlier proposal (confirmed pairs stay until the coordinator confirms another member for
the household).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.services.errors import Conflict, Invalid, NotFound
from matcher.domain import SITUATIONS_ZH, Location, PersonKind, Reason
from matcher.domain import Person as MatcherPerson
from matcher.pairing import (
    Household as MatcherHousehold,
)
from matcher.pairing import (
    PairingLockConflict,
    PairingProblem,
    PairingSolution,
    needs_a_pair,
    solve_pairing,
)
from models import audit
from models.community import Community
from models.household import Household
from models.pairing import (
    LIVE_PAIR_STATUSES,
    PairingRules,
    PairLock,
    PairLockKind,
    PairStatus,
    PairVisit,
    StandingPair,
    matcher_rules,
    situations_since,
)
from models.person import Person
from models.schedule import Assignment, RunStatus, ScheduleRun
from models.user import UserAccount
from models.wish import WISH_STATUS_ZH, WishStatus


def _reason(r: Reason) -> dict[str, str]:
    return {"zh": r.zh, "en": r.en}


# rows → the matcher -------------------------------------------------------------------------


def _members(session: Session, community_id: int) -> list[Person]:
    return list(
        session.scalars(
            sa.select(Person)
            .where(
                Person.community_id == community_id,
                Person.kind == PersonKind.PARTY_MEMBER,
                Person.active.is_(True),
                Person.pending.is_(False),
            )
            .options(selectinload(Person.skill_rows))
            .order_by(Person.id)
        )
    )


def _households(session: Session, community_id: int) -> list[Household]:
    return list(
        session.scalars(
            sa.select(Household)
            .where(
                Household.community_id == community_id,
                Household.lat.is_not(None),
                Household.lng.is_not(None),
            )
            .options(selectinload(Household.situation_rows))
            .order_by(Household.id)
        )
    )


def rules_of(session: Session, community: Community, *, create: bool = True) -> PairingRules:
    """The community's rules row, made (with the defaults) on first use; without ``create``,
    a community that has none gets the defaults unsaved."""
    rules = session.get(PairingRules, community.id)
    if rules is None:
        rules = PairingRules(
            community_id=community.id,
            max_households_per_member=8,
            must_pair=[],
            visit_every_weeks=4,
            new_situation_visit_days=7,
        )
        if create:
            session.add(rules)
            session.flush()
    return rules


def pairing_problem(*, session: Session, community: Community) -> PairingProblem:
    """The community's members, households, standing pairs and locks as a ``PairingProblem``."""
    members = _members(session, community.id)
    households = _households(session, community.id)
    confirmed = session.execute(
        sa.select(StandingPair.person_id, StandingPair.household_id).where(
            StandingPair.community_id == community.id,
            StandingPair.status == PairStatus.CONFIRMED,
        )
    ).all()
    locks = session.execute(
        sa.select(PairLock.person_id, PairLock.household_id, PairLock.kind)
        .join(Household, Household.id == PairLock.household_id)
        .where(Household.community_id == community.id)
    ).all()
    return PairingProblem(
        people=tuple(
            MatcherPerson(
                id=str(m.id),
                name=m.name,
                kind=m.kind,
                skills=frozenset(m.skills),
                home=Location(m.home_lat, m.home_lng),
                grid=str(m.grid_id or ""),
            )
            for m in members
        ),
        households=tuple(
            MatcherHousehold(
                id=str(h.id),
                name=h.name,
                location=Location(float(h.lat or 0.0), float(h.lng or 0.0)),
                situations=situations_since(h),
                grid=str(h.grid_id or ""),
            )
            for h in households
        ),
        rules=matcher_rules(session.get(PairingRules, community.id), community.radius_m),
        existing=frozenset((str(p), str(h)) for p, h in confirmed),
        pinned=frozenset((str(p), str(h)) for p, h, k in locks if k == PairLockKind.PIN),
        forbidden=frozenset((str(p), str(h)) for p, h, k in locks if k == PairLockKind.FORBID),
        name=community.name,
    )


# propose, confirm, end ----------------------------------------------------------------------


@dataclass
class Proposal:
    """What a pairing run gives the coordinator: its figures and the households left unpaired."""

    solution: PairingSolution
    pairs: list[StandingPair]
    unpaired: list[dict[str, Any]]


def propose(*, session: Session, community: Community, actor: UserAccount | None) -> Proposal:
    """Run the pairing: the proposal replaces the last one; confirmed pairs it keeps stay as
    they are, a different member for a paired household comes as a proposal to confirm."""
    problem = pairing_problem(session=session, community=community)
    try:
        solution = solve_pairing(problem)
    except PairingLockConflict as conflict:
        raise Conflict(
            "；".join(r.zh for r in conflict.reasons), "; ".join(r.en for r in conflict.reasons)
        ) from conflict
    session.execute(
        sa.delete(StandingPair).where(
            StandingPair.community_id == community.id,
            StandingPair.status == PairStatus.PROPOSED,
        )
    )
    confirmed = {
        (p.person_id, p.household_id): p
        for p in session.scalars(
            sa.select(StandingPair).where(
                StandingPair.community_id == community.id,
                StandingPair.status == PairStatus.CONFIRMED,
            )
        )
    }
    rows = []
    for pair in solution.pairs:
        key = (int(pair.person_id), int(pair.household_id))
        row = confirmed.get(key)
        if row is None:
            row = StandingPair(
                community_id=community.id,
                person_id=key[0],
                household_id=key[1],
                status=PairStatus.PROPOSED,
            )
            session.add(row)
        row.distance_m = round(pair.distance_m, 1)
        row.reasons = [_reason(r) for r in pair.reasons]
        rows.append(row)
    session.flush()
    names = {h.id: h.name for h in problem.households}
    unpaired = [
        {
            "household_id": int(u.household_id),
            "name": names[u.household_id],
            "reason": _reason(u.reason),
        }
        for u in solution.unpaired
    ]
    audit.record(
        session,
        action="pairing.propose",
        row=rules_of(session, community),
        actor=actor,
        community_id=community.id,
        after={
            "pairs": len(solution.pairs),
            "unpaired": len(solution.unpaired),
            "objective": solution.objective,
            "bound": solution.bound,
        },
    )
    return Proposal(solution=solution, pairs=rows, unpaired=unpaired)


def get_pair(*, session: Session, community: Community, pair_id: int) -> StandingPair:
    """A pair of this community, or 404."""
    pair = session.get(StandingPair, pair_id)
    if pair is None or pair.community_id != community.id:
        raise NotFound()
    return pair


def confirm(
    *, session: Session, pair: StandingPair, today: date, now: datetime, actor: UserAccount | None
) -> StandingPair:
    """A proposed pair becomes the household's standing pair; the one before it ends."""
    if pair.status != PairStatus.PROPOSED:
        raise Conflict("只有待确认的结对可以确认", "only a proposed pair can be confirmed")
    before = audit.snapshot(pair)
    for other in session.scalars(
        sa.select(StandingPair).where(
            StandingPair.household_id == pair.household_id,
            StandingPair.status == PairStatus.CONFIRMED,
        )
    ):
        other.status, other.ended_at = PairStatus.ENDED, now
    pair.status, pair.confirmed_at, pair.confirmed_on = PairStatus.CONFIRMED, now, today
    audit.record(
        session,
        action="pair.confirm",
        row=pair,
        actor=actor,
        community_id=pair.community_id,
        before=before,
    )
    return pair


def end(
    *, session: Session, pair: StandingPair, now: datetime, actor: UserAccount | None
) -> StandingPair:
    """End a standing pair (or drop a proposal); its past visits stay in the history."""
    if pair.status == PairStatus.ENDED:
        raise Conflict("结对已解除", "the pair has already ended")
    before = audit.snapshot(pair)
    pair.status, pair.ended_at = PairStatus.ENDED, now
    audit.record(
        session,
        action="pair.end",
        row=pair,
        actor=actor,
        community_id=pair.community_id,
        before=before,
    )
    return pair


def _household_of(session: Session, community: Community, household_id: int) -> Household:
    household = session.get(Household, household_id)
    if household is None or household.community_id != community.id:
        raise NotFound()
    return household


def set_lock(
    *,
    session: Session,
    community: Community,
    household_id: int,
    person_id: int,
    kind: PairLockKind,
    actor: UserAccount | None,
) -> PairLock:
    """Pin a member to a household, or forbid the pair, for the next proposals."""
    _household_of(session, community, household_id)
    person = session.get(Person, person_id)
    if person is None or person.community_id != community.id:
        raise Invalid("该社区没有这名成员", "No such person in this community", "person_id")
    if kind == PairLockKind.PIN and person.kind != PersonKind.PARTY_MEMBER:
        raise Invalid("结对帮扶由党员承担", "Standing pairs are a party member's duty", "person_id")
    lock = session.get(PairLock, (household_id, person_id))
    if lock is None:
        lock = PairLock(household_id=household_id, person_id=person_id, kind=kind)
        session.add(lock)
    lock.kind = kind
    audit.record(session, action="pair_lock.set", row=lock, actor=actor, community_id=community.id)
    return lock


def remove_lock(
    *,
    session: Session,
    community: Community,
    household_id: int,
    person_id: int,
    actor: UserAccount | None,
) -> None:
    _household_of(session, community, household_id)
    lock = session.get(PairLock, (household_id, person_id))
    if lock is None:
        raise NotFound()
    audit.record(
        session,
        action="pair_lock.remove",
        row=lock,
        actor=actor,
        community_id=community.id,
        after={},
    )
    session.delete(lock)
    session.flush()


# reading ------------------------------------------------------------------------------------


def list_pairs(*, session: Session, community: Community) -> list[StandingPair]:
    """The live pairs (proposed and confirmed), by household."""
    return list(
        session.scalars(
            sa.select(StandingPair)
            .where(
                StandingPair.community_id == community.id,
                StandingPair.status.in_(LIVE_PAIR_STATUSES),
            )
            .options(
                selectinload(StandingPair.household).selectinload(Household.situation_rows),
                selectinload(StandingPair.person),
            )
            .order_by(StandingPair.household_id, StandingPair.status, StandingPair.id)
        )
    )


def households_needing(*, session: Session, community: Community) -> list[Household]:
    """Households the rules say must have a standing pair and that have none confirmed."""
    rules = matcher_rules(session.get(PairingRules, community.id), community.radius_m)
    paired = set(
        session.scalars(
            sa.select(StandingPair.household_id).where(
                StandingPair.community_id == community.id,
                StandingPair.status == PairStatus.CONFIRMED,
            )
        )
    )
    out = []
    for h in session.scalars(
        sa.select(Household)
        .where(Household.community_id == community.id)
        .options(selectinload(Household.situation_rows))
        .order_by(Household.id)
    ):
        if h.id in paired:
            continue
        if needs_a_pair(
            MatcherHousehold(str(h.id), h.name, Location(0, 0), situations_since(h)), rules
        ):
            out.append(h)
    return out


def situations_zh(household: Household) -> str:
    return "、".join(SITUATIONS_ZH.get(s.value, s.value) for s in sorted(household.situations))


def visit_history(
    *, session: Session, community: Community, household_id: int
) -> list[dict[str, Any]]:
    """Every visit the household's standing pairs owed, newest first, and who went when."""
    _household_of(session, community, household_id)
    visits = session.scalars(
        sa.select(PairVisit)
        .join(PairVisit.pair)
        .where(StandingPair.household_id == household_id)
        .options(selectinload(PairVisit.pair).selectinload(StandingPair.person))
        .options(selectinload(PairVisit.wish))
        .order_by(PairVisit.due_on.desc(), PairVisit.id.desc())
    ).all()
    wish_ids = [v.wish_id for v in visits]
    went: dict[int, tuple[str, datetime]] = {}
    if wish_ids:
        for wish_id, name, starts_at in session.execute(
            sa.select(Assignment.wish_id, Person.name, Assignment.starts_at)
            .join(Assignment.run)
            .join(Person, Person.id == Assignment.person_id)
            .where(
                Assignment.wish_id.in_(wish_ids),
                ScheduleRun.status == RunStatus.PUBLISHED,
            )
            .order_by(Assignment.starts_at)
        ):
            if wish_id is not None:
                went[wish_id] = (name, starts_at)
    history = []
    for visit in visits:
        status = visit.wish.status
        done = status in (WishStatus.DONE, WishStatus.FOLLOWED_UP)
        who, when = went.get(visit.wish_id, (None, None))
        history.append(
            {
                "visit_id": visit.id,
                "due_on": visit.due_on,
                "paired_member": visit.pair.person.name,
                "status": status.value,
                "status_zh": WISH_STATUS_ZH[status],
                "done": done,
                "visited_by": who,
                "visited_at": when,
                "wish_id": visit.wish_id,
            }
        )
    return history


def update_rules(
    *, session: Session, community: Community, changes: dict[str, Any], actor: UserAccount | None
) -> PairingRules:
    rules = rules_of(session, community)
    before = audit.snapshot(rules)
    for key, value in changes.items():
        setattr(rules, key, sorted(value) if key == "must_pair" else value)
    audit.record(
        session,
        action="pairing_rules.update",
        row=rules,
        actor=actor,
        community_id=community.id,
        before=before,
    )
    return rules
