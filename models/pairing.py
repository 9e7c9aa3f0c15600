"""Standing pairs (结对帮扶): a community's pairing rules, who looks after which household, the
coordinator's pins and forbids, and the visits the confirmed pairs owe.

A pair is *proposed* by a pairing run, *confirmed* by the coordinator (then it generates
visits), and *ended* when replaced or dropped. A household has at most one live pair (proposed
or confirmed) at a time. Each due visit becomes a wish at the household (category 结对探访),
reserved for the paired member in that week's schedule, so the weekly matcher, the phone pages
and the follow-ups (回访) treat it like any other house call.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from matcher.pairing import MUST_PAIR_DEFAULT, SituationSince, visit_due
from matcher.pairing import PairingRules as MatcherRules
from models.base import Base, JSONType, Timestamped, UTCDateTime, check, enum_type, utcnow
from models.community import Community
from models.household import Household
from models.wish import Wish, WishStatus

if TYPE_CHECKING:
    from models.person import Person

#: the wish category of a standing pair's visit
VISIT_CATEGORY = "结对探访"
VISIT_TITLE = "结对帮扶走访"
VISIT_MINUTES = 60


class PairStatus(StrEnum):
    PROPOSED = "proposed"  # 待确认
    CONFIRMED = "confirmed"  # 已结对
    ENDED = "ended"  # 已解除


PAIR_STATUS_ZH = {
    PairStatus.PROPOSED: "待确认",
    PairStatus.CONFIRMED: "已结对",
    PairStatus.ENDED: "已解除",
}

LIVE_PAIR_STATUSES = (PairStatus.PROPOSED, PairStatus.CONFIRMED)


class PairLockKind(StrEnum):
    PIN = "pin"  # 指定
    FORBID = "forbid"  # 排除


class PairingRules(Timestamped, Base):
    """A community's pairing rules (结对规则); a community without a row uses the defaults."""

    __tablename__ = "pairing_rules"
    __table_args__ = (
        check("max_households_per_member >= 1", "max_households"),
        check("visit_every_weeks >= 1", "visit_every_weeks"),
        check("new_situation_visit_days >= 0", "new_situation_visit_days"),
    )

    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), primary_key=True
    )
    max_households_per_member: Mapped[int] = mapped_column(default=8)
    #: the situations whose households must have a standing pair (六必访)
    must_pair: Mapped[list[str]] = mapped_column(JSONType, default=list)
    visit_every_weeks: Mapped[int] = mapped_column(default=4)
    new_situation_visit_days: Mapped[int] = mapped_column(default=7)

    community: Mapped[Community] = relationship()


class StandingPair(Timestamped, Base):
    """One member looking after one household."""

    __tablename__ = "standing_pair"
    __table_args__ = (sa.Index(None, "community_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="RESTRICT"), index=True
    )
    household_id: Mapped[int] = mapped_column(
        sa.ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[PairStatus] = mapped_column(
        enum_type(PairStatus, "pair_status"), default=PairStatus.PROPOSED
    )
    distance_m: Mapped[float] = mapped_column(default=0.0)
    #: why this member, as the pairing explained it: [{"zh": …, "en": …}]
    reasons: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the first day the pair counts from (its first visit is due soon after)
    confirmed_on: Mapped[date | None]
    #: the last visit made before Tongxin kept the pair's visits (an imported pair), if known
    last_visit_on: Mapped[date | None]
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    community: Mapped[Community] = relationship()
    household: Mapped[Household] = relationship()
    person: Mapped[Person] = relationship()
    visits: Mapped[list[PairVisit]] = relationship(
        back_populates="pair", order_by="PairVisit.due_on", passive_deletes=True
    )


class PairLock(Base):
    """A coordinator's pin or forbid of one member for one household, for the next pairings."""

    __tablename__ = "pair_lock"

    household_id: Mapped[int] = mapped_column(
        sa.ForeignKey("household.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[PairLockKind] = mapped_column(enum_type(PairLockKind, "pair_lock_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PairVisit(Base):
    """One visit a confirmed pair owes, and the wish that carries it into a week."""

    __tablename__ = "pair_visit"
    __table_args__ = (sa.UniqueConstraint("pair_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(
        sa.ForeignKey("standing_pair.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date]
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wish.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pair: Mapped[StandingPair] = relationship(back_populates="visits")
    wish: Mapped[Wish] = relationship()


def reserved_visits(session: Session, wish_ids: list[int]) -> dict[int, int]:
    """Wish id → the paired member it is reserved for, among ``wish_ids``."""
    if not wish_ids:
        return {}
    rows = session.execute(
        sa.select(PairVisit.wish_id, StandingPair.person_id)
        .join(PairVisit.pair)
        .where(PairVisit.wish_id.in_(wish_ids), StandingPair.status == PairStatus.CONFIRMED)
    ).all()
    return {wish_id: person_id for wish_id, person_id in rows}


def add_visit(
    session: Session, pair: StandingPair, due_on: date, week_start: date
) -> PairVisit | None:
    """A due visit as a wish at the household, open from ``week_start`` to its due date; an
    overdue visit (due before the week) gets the whole week. None when another process made
    the same visit at the same moment."""
    household = pair.household
    assert household.lat is not None and household.lng is not None
    deadline = due_on if due_on >= week_start else week_end_of(week_start)
    try:
        with session.begin_nested():
            # built without autoflush: the wish and the visit enter the session together
            with session.no_autoflush:
                wish = Wish(
                    community_id=pair.community_id,
                    grid_id=household.grid_id,
                    household=household,
                    title=VISIT_TITLE,
                    category=VISIT_CATEGORY,
                    duration_minutes=VISIT_MINUTES,
                    earliest=week_start,
                    deadline=deadline,
                    headcount=1,
                    lat=household.lat,
                    lng=household.lng,
                    status=WishStatus.OPEN,
                )
                visit = PairVisit(pair=pair, due_on=due_on, wish=wish)
                session.add(visit)
            session.flush()
    except IntegrityError:
        # another process made the same visit a moment ago (two weeks of the community read
        # at once): theirs stands, and nothing of this one is kept
        session.expire(pair, ["visits"])
        return None
    return visit


def week_end_of(week_start: date) -> date:
    return week_start + timedelta(days=6)


def matcher_rules(rules: PairingRules | None, radius_m: float) -> MatcherRules:
    """A community's rules row (or the defaults) as the matcher's ``PairingRules``."""
    if rules is None:
        return MatcherRules(radius_m=radius_m)
    return MatcherRules(
        max_households_per_member=rules.max_households_per_member,
        must_pair=frozenset(rules.must_pair) if rules.must_pair else MUST_PAIR_DEFAULT,
        visit_every_weeks=rules.visit_every_weeks,
        new_situation_visit_days=rules.new_situation_visit_days,
        radius_m=radius_m,
    )


def situations_since(household: Household) -> tuple[SituationSince, ...]:
    return tuple(
        SituationSince(row.situation.value, row.since)
        for row in sorted(household.situation_rows, key=lambda r: r.situation.value)
    )


DONE_STATUSES = (WishStatus.DONE, WishStatus.FOLLOWED_UP)


def generate_visits(session: Session, community_id: int, week_start: date) -> list[PairVisit]:
    """The visits confirmed pairs owe by the end of this week, each as a wish; idempotent.

    A pair with a visit not yet done owes no new one (an overdue visit stays open into this
    week); otherwise the next is due every N weeks after the last done visit, or within D days
    of a situation recorded since (``matcher.pairing.visit_due``).
    """
    community = session.get(Community, community_id)
    if community is None:
        return []
    rules = matcher_rules(session.get(PairingRules, community_id), community.radius_m)
    week_end = week_end_of(week_start)
    pairs = session.scalars(
        sa.select(StandingPair)
        .where(
            StandingPair.community_id == community_id,
            StandingPair.status == PairStatus.CONFIRMED,
            StandingPair.confirmed_on <= week_end,
        )
        .options(
            selectinload(StandingPair.visits).selectinload(PairVisit.wish),
            # every pair's household and its situations: one query each, not one per pair
            selectinload(StandingPair.household).selectinload(Household.situation_rows),
        )
        .order_by(StandingPair.id)
    ).all()
    added = []
    for pair in pairs:
        household = pair.household
        if household.lat is None or household.lng is None:
            continue
        open_visits = [v for v in pair.visits if v.wish.status not in DONE_STATUSES]
        if open_visits:
            for visit in open_visits:
                if visit.wish.deadline < week_start:
                    visit.wish.deadline = week_end  # overdue: carried into this week
            continue
        done = [v.wish.status_changed_at.astimezone(community.zone).date() for v in pair.visits]
        if pair.last_visit_on is not None:
            done.append(pair.last_visit_on)
        last = max(done) if done else None
        assert pair.confirmed_on is not None
        due = visit_due(
            rules=rules,
            paired_since=pair.confirmed_on,
            last_visit=last,
            situations=situations_since(household),
        )
        if due <= week_end:
            made = add_visit(session, pair, due, week_start)
            if made is not None:
                added.append(made)
    session.flush()
    return added
