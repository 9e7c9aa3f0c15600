"""Teams (团队) of a community and the second community a member reports to (双报到).

A team is a grid's party group (党小组), a specialist team of one skill (专业服务队: 法律援助、医疗
卫生 …) or a co-building unit (共建单位, a firm that sends volunteers). A post, an activity's role
or a wish claimed by a team (帮帮团) asks for its members only: the matcher's team-only roles
(``matcher.rules.not_in_team``), fed by ``api.services.problem``.

A member reports (报到) to the community they live in (``person.community_id``) and may also
report to a second one, usually where their work unit is (``CommunityMembership``, 工作地). The
two communities share one weekly load: what a member has in one community's week counts against
their caps and blocks those hours when the other community drafts its week.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.domain import SKILLS
from models.base import Base, Timestamped, check, enum_type

if TYPE_CHECKING:
    from models.community import Community, Grid
    from models.person import Person


class TeamKind(StrEnum):
    PARTY_GROUP = "party_group"  # 党小组
    SPECIALIST = "specialist"  # 专业服务队
    CO_BUILDING = "co_building"  # 共建单位


TEAM_KIND_ZH = {
    TeamKind.PARTY_GROUP: "党小组",
    TeamKind.SPECIALIST: "专业服务队",
    TeamKind.CO_BUILDING: "共建单位",
}


#: words in a co-building unit's name (a firm, a hospital, a school that sends volunteers)
UNIT_WORDS = ("共建", "单位", "公司", "医院", "银行", "学校", "集团", "局")


def team_kind_of(name: str) -> tuple[TeamKind, str]:
    """A team's kind (and a specialist team's skill) from its name, for imported files:
    「第三网格党小组」 is a party group, 「区人民医院」 a co-building unit, 「法律援助队」 a
    specialist team of 法律援助."""
    if "党小组" in name:
        return TeamKind.PARTY_GROUP, ""
    if any(word in name for word in UNIT_WORDS):
        return TeamKind.CO_BUILDING, ""
    skill = next((skill for skill in SKILLS if skill in name), "")
    return TeamKind.SPECIALIST, skill


class Team(Timestamped, Base):
    """One team of a community; its name is unique there (the matcher knows a team by name)."""

    __tablename__ = "team"
    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[TeamKind] = mapped_column(enum_type(TeamKind, "team_kind"))
    #: a specialist team's skill (专长), empty for the other kinds
    skill: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    #: a party group's grid
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grid.id", ondelete="SET NULL"))
    #: inactive teams keep their history but take no new work
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    community: Mapped[Community] = relationship()
    grid: Mapped[Grid | None] = relationship()
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="TeamMember.person_id",
    )


class TeamMember(Base):
    """A person in a team; ``leader`` marks its head (组长 / 队长)."""

    __tablename__ = "team_member"

    team_id: Mapped[int] = mapped_column(
        sa.ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    leader: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    team: Mapped[Team] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()


class MembershipRole(StrEnum):
    RESIDENCE = "residence"  # 居住地
    WORK = "work"  # 工作地


MEMBERSHIP_ROLE_ZH = {MembershipRole.RESIDENCE: "居住地", MembershipRole.WORK: "工作地"}


class CommunityMembership(Timestamped, Base):
    """The second community a person reports to (双报到), beside ``person.community_id``.

    ``lat``/``lng``: where the person serves from in that community (their work unit), for the
    walking distance there; missing, their home is used."""

    __tablename__ = "community_membership"
    __table_args__ = (check("(lat IS NULL) = (lng IS NULL)", "place_complete"),)

    #: one second community per person
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MembershipRole] = mapped_column(
        enum_type(MembershipRole, "membership_role"), default=MembershipRole.WORK
    )
    lat: Mapped[float | None]
    lng: Mapped[float | None]

    person: Mapped[Person] = relationship()
    community: Mapped[Community] = relationship()
