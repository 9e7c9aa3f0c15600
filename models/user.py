"""User accounts, their roles, and the scope each role reaches.

| role | scope |
|---|---|
| ``street_admin`` (街道党工委) | every community of ``street`` |
| ``coordinator`` (社区书记、社工) | the ``communities`` linked to the account |
| ``grid_leader`` (网格党小组长、楼栋长) | the ``grids`` linked to the account |
| ``member`` (党员、志愿者) | their own ``person`` |
| ``civil_affairs`` (民政) | wishes of ``street`` escalated to civil affairs |

Only the password hash is stored; hashing is the API's job.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import Base, Timestamped, UTCDateTime, check, enum_type
from models.crypto import EncryptedString

if TYPE_CHECKING:
    from models.community import Community, Grid, Street
    from models.person import Person


class UserRole(StrEnum):
    STREET_ADMIN = "street_admin"
    COORDINATOR = "coordinator"
    GRID_LEADER = "grid_leader"
    MEMBER = "member"
    #: 民政: the street's civil affairs office, told of wishes a week past their deadline
    CIVIL_AFFAIRS = "civil_affairs"


user_community = sa.Table(
    "user_community",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "community_id",
        sa.ForeignKey("community.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

user_grid = sa.Table(
    "user_grid",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "grid_id", sa.ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class UserAccount(Timestamped, Base):
    __tablename__ = "user_account"
    __table_args__ = (
        check("role <> 'street_admin' OR street_id IS NOT NULL", "street_admin_has_street"),
        check("role <> 'member' OR person_id IS NOT NULL", "member_has_person"),
        check("role <> 'civil_affairs' OR street_id IS NOT NULL", "civil_affairs_has_street"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored in lower case, so "ZhangWei" and "zhangwei" are one account
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: a member who registered with their phone logs in with it: the phone's blind index
    #: (``models.crypto.blind_index``), since the phone itself is stored encrypted
    login_phone_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    role: Mapped[UserRole] = mapped_column(enum_type(UserRole, "user_role"))
    street_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("street.id", ondelete="RESTRICT"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="RESTRICT"), unique=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    #: the name members see when told whom to call ("王书记"); the username if empty
    display_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    #: the work phone members may call; e-mail for messages; the language of messages
    phone: Mapped[str | None] = mapped_column(EncryptedString())
    email: Mapped[str | None] = mapped_column(EncryptedString())
    language: Mapped[str] = mapped_column(sa.String(8), default="zh", server_default="zh")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the secret of the member's calendar feed (``/calendar/{token}.ics``): kept encrypted so
    #: the member can be shown their address again, and found by its SHA-256; None: no feed
    calendar_token: Mapped[str | None] = mapped_column(EncryptedString())
    calendar_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    street: Mapped[Street | None] = relationship()
    person: Mapped[Person | None] = relationship()
    communities: Mapped[list[Community]] = relationship(
        secondary=user_community, order_by="Community.id"
    )
    grids: Mapped[list[Grid]] = relationship(secondary=user_grid, order_by="Grid.id")

    @validates("username")
    def _normalise_username(self, _key: str, value: str) -> str:
        value = value.strip().lower()
        if not value:
            raise ValueError("用户名不能为空 (the username cannot be empty)")
        return value

    def __repr__(self) -> str:
        # never the hash
        return f"UserAccount(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class LoginFailure(Base):
    """A failed login: counted per username and per client address over a window, in the
    database, so every web process of a deployment sees the same count."""

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_username_at", "username", "at"),
        sa.Index("ix_login_failure_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
