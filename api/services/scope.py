"""Who reaches what: the one place that decides which communities, grids, people and objects an
account may read or change.

| role | reads | changes |
|---|---|---|
| street admin | every community of their street | the same |
| coordinator | their communities | the same |
| grid leader | people, wishes and the week of their grids | nothing |
| member | themselves and their own assignments | their availability and assignments |

Queries are scoped at the source (``readable_wishes(user)``); the loaders (``managed_post``,
``readable_wish`` …) return the object or raise ``NotFound()``, the same for an unknown id and
an id outside the caller's scope. Whether a role may use a route at all (403) is the web app's
permissions (``api.web.permissions``); the web app turns each loader into a dependency
(``api.web.scope``).
"""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.services.errors import Forbidden, NotFound
from models.calendar import Activity, RecurringActivity
from models.community import Community, Grid
from models.household import Household
from models.person import Person
from models.place import Place
from models.post import Post
from models.schedule import Assignment, Override, RunStatus, ScheduleRun
from models.user import UserAccount, UserRole
from models.wish import Wish

#: ids in paths: positive and within a 32-bit integer column, so no id reaches the database
#: as a value it cannot hold
MAX_ID = 2**31 - 1

T = TypeVar("T")


# reach of an account -------------------------------------------------------------------------


def community_ids_for(user: UserAccount) -> set[int] | None:
    """The communities whose data the account may read and change as a coordinator.

    A street admin gets the communities of their street, a coordinator their own; a grid
    leader or member gets an empty set (they reach single grids or themselves, see
    ``grid_ids_for`` and ``member_person``). ``None`` would mean every community; no role has
    that reach today, but callers should treat it so.
    """
    if user.role == UserRole.STREET_ADMIN:
        return {c.id for c in user.street.communities} if user.street is not None else set()
    if user.role == UserRole.COORDINATOR:
        return {c.id for c in user.communities}
    return set()


def grid_ids_for(user: UserAccount) -> set[int]:
    """The grids a grid leader reads; empty for every other role."""
    if user.role == UserRole.GRID_LEADER:
        return {g.id for g in user.grids}
    return set()


def grid_scope(user: UserAccount) -> set[int] | None:
    """A grid leader's grids; ``None`` (the whole community) for everyone else who reads."""
    return grid_ids_for(user) if user.role == UserRole.GRID_LEADER else None


def readable_community_ids(user: UserAccount) -> set[int]:
    """Communities where the account reads something: its own, or those of its grids."""
    ids = community_ids_for(user) or set()
    if user.role == UserRole.GRID_LEADER:
        ids |= {g.community_id for g in user.grids}
    return ids


def manages(user: UserAccount, community_id: int) -> bool:
    """The account changes this community's data (its coordinators, its street's admins)."""
    scope = community_ids_for(user)
    return scope is None or community_id in scope


def coordinates(user: UserAccount, community_id: int) -> bool:
    """A coordinator of this very community (not a street admin, not a grid leader): the only
    one who sees where and whom to visit."""
    return user.role == UserRole.COORDINATOR and community_id in (community_ids_for(user) or ())


# scoped queries ------------------------------------------------------------------------------


def readable_people(user: UserAccount) -> sa.Select[Person]:
    """People the account may read: its communities' people, or its grids' for a grid leader."""
    query = sa.select(Person).options(
        selectinload(Person.availability),
        selectinload(Person.skill_rows),
        selectinload(Person.category_rows),
    )
    if user.role == UserRole.GRID_LEADER:
        return query.where(Person.grid_id.in_(grid_ids_for(user)))
    if user.role == UserRole.MEMBER:
        return query.where(Person.id == user.person_id)
    scope = community_ids_for(user)
    return query if scope is None else query.where(Person.community_id.in_(scope))


def readable_wishes(user: UserAccount) -> sa.Select[Wish]:
    """Wishes the account may read: its communities', or its grids' for a grid leader."""
    query = sa.select(Wish).options(
        selectinload(Wish.household).selectinload(Household.situation_rows),
        selectinload(Wish.skill_rows),
        selectinload(Wish.follow_ups),
    )
    if user.role == UserRole.GRID_LEADER:
        return query.where(Wish.grid_id.in_(grid_ids_for(user)))
    scope = community_ids_for(user)
    return query if scope is None else query.where(Wish.community_id.in_(scope))


def managed_posts(user: UserAccount) -> sa.Select[Post]:
    """Posts of the communities the account manages."""
    query = sa.select(Post).options(selectinload(Post.templates), selectinload(Post.skill_rows))
    scope = community_ids_for(user)
    return query if scope is None else query.where(Post.community_id.in_(scope))


def own_assignments(person_id: int) -> sa.Select[Assignment]:
    """The person's assignments in published runs; nothing of drafts or older plans."""
    return (
        sa.select(Assignment)
        .join(Assignment.run)
        .where(Assignment.person_id == person_id, ScheduleRun.status == RunStatus.PUBLISHED)
    )


def grids_of(session: Session, community_id: int) -> list[Grid]:
    """The community's grids, in the order they were made."""
    return list(
        session.scalars(sa.select(Grid).where(Grid.community_id == community_id).order_by(Grid.id))
    )


# loaders: the object, or NotFound ------------------------------------------------------------


def _found(row: T | None) -> T:
    if row is None:
        raise NotFound()
    return row


def _get(session: Session, model: type[T], row_id: int) -> T | None:
    return session.get(model, row_id) if 0 < row_id <= MAX_ID else None


def managed_community(*, session: Session, user: UserAccount, community_id: int) -> Community:
    """The community if the account coordinates it (or administers its street)."""
    community = _get(session, Community, community_id)
    return _found(community if community and manages(user, community.id) else None)


def readable_community(*, session: Session, user: UserAccount, community_id: int) -> Community:
    """The community if the account reads anything in it (coordinators and its grid leaders)."""
    community = _get(session, Community, community_id)
    readable = community is not None and community.id in readable_community_ids(user)
    return _found(community if readable else None)


def readable_person(*, session: Session, user: UserAccount, person_id: int) -> Person:
    """A person the account may read."""
    return _found(
        session.scalars(readable_people(user).where(Person.id == person_id)).one_or_none()
    )


def managed_person(*, session: Session, user: UserAccount, person_id: int) -> Person:
    """A person of a community the account manages."""
    person = _get(session, Person, person_id)
    return _found(person if person and manages(user, person.community_id) else None)


def readable_wish(*, session: Session, user: UserAccount, wish_id: int) -> Wish:
    """A wish the account may read."""
    return _found(session.scalars(readable_wishes(user).where(Wish.id == wish_id)).one_or_none())


def managed_wish(*, session: Session, user: UserAccount, wish_id: int) -> Wish:
    """A wish of a community the account manages."""
    wish = readable_wish(session=session, user=user, wish_id=wish_id)
    return _found(wish if manages(user, wish.community_id) else None)


def managed_place(*, session: Session, user: UserAccount, place_id: int) -> Place:
    """A place of the directory of a community the account manages."""
    place = _get(session, Place, place_id)
    return _found(place if place and manages(user, place.community_id) else None)


def managed_post(*, session: Session, user: UserAccount, post_id: int) -> Post:
    """A post of a community the account manages."""
    return _found(session.scalars(managed_posts(user).where(Post.id == post_id)).one_or_none())


def managed_activity(*, session: Session, user: UserAccount, activity_id: int) -> Activity:
    """An activity of a community the account manages."""
    query = (
        sa.select(Activity).options(selectinload(Activity.roles)).where(Activity.id == activity_id)
    )
    scope = community_ids_for(user)
    if scope is not None:
        query = query.where(Activity.community_id.in_(scope))
    return _found(session.scalars(query).one_or_none())


def managed_recurring_activity(
    *, session: Session, user: UserAccount, rule_id: int
) -> RecurringActivity:
    """A recurring activity of the fixed year of a community the account manages."""
    query = sa.select(RecurringActivity).where(RecurringActivity.id == rule_id)
    scope = community_ids_for(user)
    if scope is not None:
        query = query.where(RecurringActivity.community_id.in_(scope))
    return _found(session.scalars(query).one_or_none())


def managed_run(*, session: Session, user: UserAccount, run_id: int) -> ScheduleRun:
    """A schedule run of a community the account manages."""
    run = _get(session, ScheduleRun, run_id)
    return _found(run if run and manages(user, run.community_id) else None)


def readable_run(*, session: Session, user: UserAccount, run_id: int) -> ScheduleRun:
    """A schedule run of a community the account reads in (grid leaders: of their grids'
    community; what they see of it is cut to their grids by ``grid_scope``)."""
    run = _get(session, ScheduleRun, run_id)
    return _found(run if run and run.community_id in readable_community_ids(user) else None)


def managed_override(*, session: Session, user: UserAccount, override_id: int) -> Override:
    """An override of a community the account manages."""
    override = _get(session, Override, override_id)
    return _found(override if override and manages(user, override.community_id) else None)


def managed_assignment(*, session: Session, user: UserAccount, assignment_id: int) -> Assignment:
    """An assignment in a run of a community the account manages."""
    assignment = _get(session, Assignment, assignment_id)
    return _found(assignment if assignment and manages(user, assignment.run.community_id) else None)


def member_person(user: UserAccount) -> Person:
    """The person behind a member's account; ``Forbidden`` for the other roles."""
    if user.role != UserRole.MEMBER or user.person is None:
        raise Forbidden("只有报到的党员和志愿者可以使用", "Only registered members may do this")
    return user.person


def own_assignment(*, session: Session, person: Person, assignment_id: int) -> Assignment:
    """One of the person's published assignments (another's looks just the same: unknown)."""
    return _found(
        session.scalars(
            own_assignments(person.id).where(Assignment.id == assignment_id)
        ).one_or_none()
    )
