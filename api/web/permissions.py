"""Who may use a route, as small permissions that combine with ``|``.

A permission looks only at the account's role, never at an object, so refusing it (403) tells
nothing about what exists. Which objects the account then reaches is the scope's job
(``api.web.scope``), and an object outside it answers 404.

    ManagerDep = Annotated[UserAccount, Depends(IS_STREET_ADMIN | IS_COORDINATOR)]
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.services.errors import Forbidden
from api.web.deps import CurrentUser
from models.user import UserAccount, UserRole


class Permission:
    """A rule on the caller; used as a dependency it returns the caller or answers 403."""

    def allows(self, user: UserAccount) -> bool:
        raise NotImplementedError

    def __or__(self, other: Permission) -> Permission:
        return AnyOf(self, other)

    def __call__(self, user: CurrentUser) -> UserAccount:
        if not self.allows(user):
            raise Forbidden()
        return user


class HasRole(Permission):
    def __init__(self, role: UserRole):
        self.role = role

    def allows(self, user: UserAccount) -> bool:
        return user.role == self.role

    def __repr__(self) -> str:
        return f"HasRole({self.role.value})"


class AnyOf(Permission):
    def __init__(self, *permissions: Permission):
        self.permissions = permissions

    def allows(self, user: UserAccount) -> bool:
        return any(p.allows(user) for p in self.permissions)

    def __repr__(self) -> str:
        return " | ".join(map(repr, self.permissions))


IS_STREET_ADMIN = HasRole(UserRole.STREET_ADMIN)
IS_COORDINATOR = HasRole(UserRole.COORDINATOR)
IS_GRID_LEADER = HasRole(UserRole.GRID_LEADER)
IS_MEMBER = HasRole(UserRole.MEMBER)

#: change a community's data: posts, wishes, calendar
MANAGES = IS_STREET_ADMIN | IS_COORDINATOR
#: read people and wishes (grid leaders only within their grids)
READS_PEOPLE = MANAGES | IS_GRID_LEADER

ManagerDep = Annotated[UserAccount, Depends(MANAGES)]
ReaderDep = Annotated[UserAccount, Depends(READS_PEOPLE)]
MemberDep = Annotated[UserAccount, Depends(IS_MEMBER)]
