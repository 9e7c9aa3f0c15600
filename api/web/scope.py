"""The caller's scope as loader dependencies: each takes an id from the path and gives the
object, or answers 404 exactly as for an unknown id (the rules are ``api.services.scope``).

A loader first applies the route's permission (``api.web.permissions``), so a role that may
never use a route answers 403 whatever the id. A route names what it works on::

    def read_post(post: ManagedPost) -> PostPublic: ...
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from sqlalchemy.orm import Session

from api.services import scope
from api.web.deps import CurrentUser, IdPath, SessionDep
from api.web.permissions import ManagerDep, ReaderDep
from models.calendar import Activity, RecurringActivity
from models.community import Community
from models.person import Person
from models.place import Place
from models.post import Post
from models.schedule import Assignment, Override, ScheduleRun
from models.user import UserAccount
from models.wish import Wish

T = TypeVar("T")


def _loader(load: Callable[..., T], id_name: str, caller: Any) -> Callable[..., T]:
    """A dependency that applies ``caller`` (a permission) and gives ``load``'s object for the
    id named ``id_name`` in the path."""

    def dependency(session: Session, user: UserAccount, **ids: int) -> T:
        return load(session=session, user=user, **ids)

    keyword = inspect.Parameter.KEYWORD_ONLY
    dependency.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("session", keyword, annotation=SessionDep),
            inspect.Parameter("user", keyword, annotation=caller),
            inspect.Parameter(id_name, keyword, annotation=IdPath),
        ]
    )
    return dependency


def _member_person(user: CurrentUser) -> Person:
    return scope.member_person(user)


MemberPerson = Annotated[Person, Depends(_member_person)]


def _own_assignment(session: SessionDep, person: MemberPerson, assignment_id: IdPath) -> Assignment:
    return scope.own_assignment(session=session, person=person, assignment_id=assignment_id)


ManagedCommunity = Annotated[
    Community, Depends(_loader(scope.managed_community, "community_id", ManagerDep))
]
ReadableCommunity = Annotated[
    Community, Depends(_loader(scope.readable_community, "community_id", ReaderDep))
]
ReadablePerson = Annotated[Person, Depends(_loader(scope.readable_person, "person_id", ReaderDep))]
ManagedPerson = Annotated[Person, Depends(_loader(scope.managed_person, "person_id", ManagerDep))]
ReadableWish = Annotated[Wish, Depends(_loader(scope.readable_wish, "wish_id", ReaderDep))]
ManagedWish = Annotated[Wish, Depends(_loader(scope.managed_wish, "wish_id", ManagerDep))]
ManagedPlace = Annotated[Place, Depends(_loader(scope.managed_place, "place_id", ManagerDep))]
ManagedPost = Annotated[Post, Depends(_loader(scope.managed_post, "post_id", ManagerDep))]
ManagedActivity = Annotated[
    Activity, Depends(_loader(scope.managed_activity, "activity_id", ManagerDep))
]
ManagedRecurringActivity = Annotated[
    RecurringActivity, Depends(_loader(scope.managed_recurring_activity, "rule_id", ManagerDep))
]
ManagedRun = Annotated[ScheduleRun, Depends(_loader(scope.managed_run, "run_id", ManagerDep))]
ReadableRun = Annotated[ScheduleRun, Depends(_loader(scope.readable_run, "run_id", ReaderDep))]
ManagedOverride = Annotated[
    Override, Depends(_loader(scope.managed_override, "override_id", ManagerDep))
]
ManagedAssignment = Annotated[
    Assignment, Depends(_loader(scope.managed_assignment, "assignment_id", ManagerDep))
]
OwnAssignment = Annotated[Assignment, Depends(_own_assignment)]
