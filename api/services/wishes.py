"""Wishes: scoped reads, recording, editing, their life, and follow-up visits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.schemas.wishes import FollowUpCreate, WishCreate, WishUpdate
from api.services.changes import apply_changes, check_grid, refuse_nulls
from api.services.errors import Conflict, Invalid
from api.services.people import nearest_grid
from api.services.places import locate
from api.services.problem import LIVE_STATUSES
from api.services.scope import grids_of, readable_wishes
from models import audit
from models.base import utcnow
from models.community import Community
from models.household import Household
from models.schedule import Assignment, RunStatus, ScheduleRun
from models.user import UserAccount
from models.wish import WISH_STATUS_ZH, WISH_TRANSITIONS, Wish, WishStatus

#: fields of ``WishUpdate`` that ``null`` may clear
NULLABLE = frozenset({"grid_id", "priority", "radius_m"})
#: a closed wish is history: its record is not edited
CLOSED = frozenset({WishStatus.DONE, WishStatus.FOLLOWED_UP})


def list_wishes(
    *,
    session: Session,
    user: UserAccount,
    community_id: int,
    status: WishStatus | None,
    grid_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[Wish], int]:
    """One page of a community's wishes the account may read, most urgent deadline first."""
    query = readable_wishes(user).where(Wish.community_id == community_id)
    if status is not None:
        query = query.where(Wish.status == status)
    if grid_id is not None:
        query = query.where(Wish.grid_id == grid_id)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Wish.deadline, Wish.id).limit(limit).offset(offset))
    return list(rows), total


def create_wish(
    *, session: Session, community: Community, data: WishCreate, actor: UserAccount
) -> Wish:
    """Record a wish (status recorded) with a new or a known household of the community, at a
    place of its directory (the grid then defaults to the nearest) or at coordinates."""
    grid = check_grid(session, community.id, data.grid_id)
    located = locate(session, community.id, data.place_id, data.lat, data.lng)
    if grid is None and located.place is not None:
        grid = nearest_grid(grids_of(session, community.id), located.lat, located.lng)
    grid_id = grid.id if grid is not None else None
    if (data.household_id is None) == (data.beneficiary is None):
        raise Invalid(
            "请填写服务对象，或给出已登记的 household_id（二者选一）",
            "Give either beneficiary or household_id, exactly one",
            "beneficiary",
        )
    if data.household_id is not None:
        household = session.get(Household, data.household_id)
        if household is None or household.community_id != community.id:
            raise Invalid(
                "该社区没有这个服务对象", "No such household in this community", "household_id"
            )
    else:
        assert data.beneficiary is not None
        household = Household(
            community=community,
            grid_id=grid_id,
            name=data.beneficiary.name,
            address=data.beneficiary.address or None,
            phone=data.beneficiary.phone,
            lat=located.lat,
            lng=located.lng,
        )
        household.situations = set(data.beneficiary.situations)
        session.add(household)
    wish = Wish(
        community=community,
        household=household,
        grid_id=grid_id,
        title=data.title,
        category=data.category,
        duration_minutes=data.duration_minutes,
        earliest=data.earliest,
        deadline=data.deadline,
        headcount=data.headcount,
        separate_visits=data.separate_visits,
        priority=data.priority,
        place=located.place,
        lat=located.lat,
        lng=located.lng,
        radius_m=data.radius_m,
        instructions=data.instructions,
        what_to_bring=data.what_to_bring,
    )
    wish.skills = set(data.skills)
    session.add(wish)
    audit.record(session, action="wish.create", row=wish, actor=actor, community_id=community.id)
    return wish


def update_wish(*, session: Session, wish: Wish, data: WishUpdate, actor: UserAccount) -> Wish:
    """Change the fields given; a done or followed-up wish is not edited (409)."""
    if wish.status in CLOSED:
        raise Conflict(
            f"心愿已{WISH_STATUS_ZH[wish.status]}，不能再修改",
            f"The wish is {wish.status.value} and can no longer be edited",
        )
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    refuse_nulls(changes, NULLABLE)
    if "grid_id" in changes:
        check_grid(session, wish.community_id, changes["grid_id"])
    if "place_id" in changes:
        located = locate(session, wish.community_id, changes["place_id"], None, None)
        changes["lat"], changes["lng"] = located.lat, located.lng
    earliest = changes.get("earliest", wish.earliest)
    deadline = changes.get("deadline", wish.deadline)
    if deadline < earliest:
        raise Invalid("办结期限不能早于最早日期", "deadline is before earliest", "deadline")
    apply_changes(
        session=session,
        row=wish,
        changes=changes,
        set_fields=frozenset({"skills"}),
        action="wish.update",
        actor=actor,
        community_id=wish.community_id,
    )
    return wish


def as_utc(moment: datetime) -> datetime:
    """A moment read back from SQLite may come without its zone: it was stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def visit_start(session: Session, wish: Wish) -> datetime | None:
    """When the wish's helper goes, by the published plan: the earliest start of its live
    assignments (None when no plan has one)."""
    return session.scalar(
        sa.select(sa.func.min(Assignment.starts_at))
        .join(Assignment.run)
        .where(
            Assignment.wish_id == wish.id,
            Assignment.status.in_(LIVE_STATUSES),
            ScheduleRun.status == RunStatus.PUBLISHED,
        )
    )


def advance_wish(
    *,
    session: Session,
    wish: Wish,
    to: WishStatus,
    actor: UserAccount,
    now: datetime | None = None,
) -> Wish:
    """Move a wish along its life, as the model's rules allow; anything else is a 409. A wish
    is done (办结) only once its visit has begun."""
    if to == WishStatus.DONE:
        starts = visit_start(session, wish)
        moment = now or utcnow()
        if starts is not None and as_utc(starts) > as_utc(moment):
            zone = wish.community.zone
            local = as_utc(starts).astimezone(zone)
            raise Conflict(
                f"上门服务定于{local.month}月{local.day}日 {local:%H:%M}开始，服务开始前不能办结",
                f"the visit starts {local:%Y-%m-%d %H:%M}; a wish cannot be closed before it",
            )
    if to not in WISH_TRANSITIONS[wish.status]:
        allowed = sorted(WISH_TRANSITIONS[wish.status])
        raise Conflict(
            f"心愿不能从「{WISH_STATUS_ZH[wish.status]}」变为「{WISH_STATUS_ZH[to]}」，"
            f"可变为：{'、'.join(WISH_STATUS_ZH[s] for s in allowed) or '无'}",
            f"A wish cannot go from {wish.status.value} to {to.value}; "
            f"allowed: {', '.join(allowed) or 'none'}",
        )
    before = audit.snapshot(wish)
    wish.advance(to)
    audit.record(
        session,
        action="wish.advance",
        row=wish,
        actor=actor,
        community_id=wish.community_id,
        before=before,
    )
    return wish


def follow_up(*, session: Session, wish: Wish, data: FollowUpCreate, actor: UserAccount) -> Wish:
    """Record a follow-up visit (回访) of a done wish; the first one closes it."""
    if wish.status not in CLOSED:
        raise Conflict(
            f"心愿尚未办结（当前：{WISH_STATUS_ZH[wish.status]}），不能回访",
            f"The wish is {wish.status.value}; only a done wish is followed up",
        )
    visit = wish.follow_up(rating=data.rating, comment=data.comment)
    visit.visited_by_id = actor.id
    session.flush()
    audit.record(
        session, action="wish.follow_up", row=visit, actor=actor, community_id=wish.community_id
    )
    return wish
