"""Teams (团队), their members, a wish claimed by a team (帮帮团), the report per team, and a
member's second community (双报到).

A team lists its members by name, kind and masked phone only: the console shows who is in the
team, never a phone in full or an address.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from api.schemas.common import Latitude, Longitude, Name, RefId, Skill, Strict
from models.team import (
    MEMBERSHIP_ROLE_ZH,
    TEAM_KIND_ZH,
    CommunityMembership,
    MembershipRole,
    Team,
    TeamKind,
)


class TeamCreate(Strict):
    """A team: 党小组 (``party_group``, of a grid), 专业服务队 (``specialist``, of a skill) or
    共建单位 (``co_building``, a unit that sends volunteers)."""

    name: Name
    kind: TeamKind
    skill: Skill | None = None
    grid_id: RefId | None = None


class TeamUpdate(Strict):
    #: an inactive team keeps its history; its members no longer count as the team's
    active: bool


class TeamMemberSet(Strict):
    leader: bool = False


class TeamMemberPublic(BaseModel):
    person_id: int
    name: str
    kind: str
    leader: bool
    #: a member who reported here as their second community (双报到)
    from_elsewhere: bool


class TeamPublic(BaseModel):
    id: int
    community_id: int
    name: str
    kind: TeamKind
    kind_zh: str
    skill: str
    grid_id: int | None
    active: bool
    members: list[TeamMemberPublic]

    @classmethod
    def of(cls, team: Team) -> TeamPublic:
        return cls(
            id=team.id,
            community_id=team.community_id,
            name=team.name,
            kind=team.kind,
            kind_zh=TEAM_KIND_ZH[team.kind],
            skill=team.skill,
            grid_id=team.grid_id,
            active=team.active,
            members=[
                TeamMemberPublic(
                    person_id=m.person_id,
                    name=m.person.name,
                    kind=m.person.kind.value,
                    leader=m.leader,
                    from_elsewhere=m.person.community_id != team.community_id,
                )
                for m in team.members
            ],
        )


class TeamClaim(Strict):
    """帮帮团: the team that takes the whole wish."""

    team_id: RefId


class TeamHoursPublic(BaseModel):
    team_id: int
    team: str
    kind: str
    kind_zh: str
    members: int
    services: int
    hours: float


class TeamReportPublic(BaseModel):
    community_id: int
    first: date
    last: date
    teams: list[TeamHoursPublic]


class SecondCommunitySet(Strict):
    """The community a member also reports to (双报到): usually their work place's (``work``).
    ``lat``/``lng``: where they serve from there (their work unit), for the walk; both or neither."""

    community_id: RefId
    role: MembershipRole = MembershipRole.WORK
    lat: Latitude | None = None
    lng: Longitude | None = None


class SecondCommunityPublic(BaseModel):
    person_id: int
    community_id: int
    community: str
    role: MembershipRole
    role_zh: str

    @classmethod
    def of(cls, membership: CommunityMembership) -> SecondCommunityPublic:
        return cls(
            person_id=membership.person_id,
            community_id=membership.community_id,
            community=membership.community.name,
            role=membership.role,
            role_zh=MEMBERSHIP_ROLE_ZH[membership.role],
        )
