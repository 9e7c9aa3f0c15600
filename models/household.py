"""Households (服务对象): the residents wishes come from.

Their data is the most private in the system: the name is public with the wish, while the
address and phone are encrypted at rest and reach only the coordinator and the people assigned
to one of the household's wishes.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamped, enum_type
from models.crypto import EncryptedString, mask_phone

if TYPE_CHECKING:
    from models.community import Community, Grid
    from models.wish import Wish


class Situation(StrEnum):
    """Why a household is helped first; the keys of ``matcher.domain.SITUATION_WEIGHTS``."""

    ELDERLY_ALONE = "elderly_alone"  # 独居老人
    DISABLED = "disabled"  # 残疾人
    SERIOUSLY_ILL = "seriously_ill"  # 重病患者
    POOR_FAMILY = "poor_family"  # 困难家庭
    LEFT_BEHIND_CHILD = "left_behind_child"  # 留守儿童
    DISPUTE = "dispute"  # 矛盾纠纷
    UNEMPLOYED = "unemployed"  # 失业人员
    UNDER_CORRECTION = "under_correction"  # 刑满释放、社区矫正
    NEW_ARRIVAL = "new_arrival"  # 新迁入
    EMPTY_NEST = "empty_nest"  # 空巢老人


class Household(Timestamped, Base):
    __tablename__ = "household"
    __table_args__ = (sa.UniqueConstraint("community_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="RESTRICT"), index=True
    )
    grid_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("grid.id", ondelete="SET NULL"), index=True
    )
    #: shown with the wish; a name as the resident agreed to have it shown
    name: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str | None] = mapped_column(EncryptedString())
    phone: Mapped[str | None] = mapped_column(EncryptedString())
    external_id: Mapped[str | None] = mapped_column(sa.String(64))
    #: where the household lives, for walking distances (standing pairs); as private as the
    #: address: only distances leave the server
    lat: Mapped[float | None]
    lng: Mapped[float | None]

    community: Mapped[Community] = relationship()
    grid: Mapped[Grid | None] = relationship()
    situation_rows: Mapped[set[HouseholdSituation]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    wishes: Mapped[list[Wish]] = relationship(back_populates="household", order_by="Wish.id")

    situations: AssociationProxy[set[Situation]] = association_proxy(
        "situation_rows",
        "situation",
        creator=lambda situation: HouseholdSituation(situation=Situation(situation)),
    )

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def __repr__(self) -> str:
        return f"Household(id={self.id!r}, name={self.name!r})"


class HouseholdSituation(Base):
    """One situation of a household; a table so the must-visit lists (六必访) are a query."""

    __tablename__ = "household_situation"

    household_id: Mapped[int] = mapped_column(
        sa.ForeignKey("household.id", ondelete="CASCADE"), primary_key=True
    )
    situation: Mapped[Situation] = mapped_column(
        enum_type(Situation, "situation"), primary_key=True, index=True
    )
    #: the day the situation was recorded; a new one asks the standing pair for a visit soon
    since: Mapped[date | None]
