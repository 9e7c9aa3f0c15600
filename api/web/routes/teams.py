"""团队 Teams of a community (党小组, 专业服务队, 共建单位): list, add, members in and out; a wish
claimed by a team (帮帮团); services and hours per team; a member's second community (双报到).
Coordinators of the community and street admins of its street."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from pydantic import BaseModel

from api.schemas.teams import (
    SecondCommunityPublic,
    SecondCommunitySet,
    TeamClaim,
    TeamCreate,
    TeamHoursPublic,
    TeamMemberSet,
    TeamPublic,
    TeamReportPublic,
    TeamUpdate,
)
from api.services import teams as service
from api.services.reports import team_report
from api.web.deps import IdPath, SessionDep
from api.web.permissions import ManagerDep
from api.web.scope import ManagedCommunity, ManagedPerson, ManagedWish
from models.team import TEAM_KIND_ZH, TeamKind

router = APIRouter(tags=["teams 团队"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "the state refuses it"}}
BASE = "/communities/{community_id}/teams"


@router.get(BASE, response_model=list[TeamPublic], responses=NOT_FOUND)
def list_teams(session: SessionDep, community: ManagedCommunity) -> list[TeamPublic]:
    """The community's teams with their members."""
    return [TeamPublic.of(t) for t in service.list_teams(session=session, community=community)]


@router.post(
    BASE,
    response_model=TeamPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
)
def create_team(
    session: SessionDep, user: ManagerDep, community: ManagedCommunity, data: TeamCreate
) -> TeamPublic:
    """A new team; a name already used in the community is a 409."""
    team = service.create_team(
        session=session,
        community=community,
        name=data.name,
        kind=data.kind,
        skill=data.skill or "",
        grid_id=data.grid_id,
        actor=user,
    )
    return TeamPublic.of(team)


@router.patch(f"{BASE}/{{team_id}}", response_model=TeamPublic, responses=NOT_FOUND)
def update_team(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    team_id: IdPath,
    data: TeamUpdate,
) -> TeamPublic:
    """Stop a team (or start it again)."""
    team = service.get_team(session=session, community=community, team_id=team_id)
    return TeamPublic.of(
        service.set_active(session=session, team=team, active=data.active, actor=user)
    )


@router.put(
    f"{BASE}/{{team_id}}/members/{{person_id}}",
    response_model=TeamPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def add_member(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    team_id: IdPath,
    person_id: IdPath,
    data: TeamMemberSet,
) -> TeamPublic:
    """Put someone who reported to the community (as resident or second community) in the team."""
    team = service.get_team(session=session, community=community, team_id=team_id)
    service.add_member(
        session=session, team=team, person_id=person_id, leader=data.leader, actor=user
    )
    session.refresh(team)
    return TeamPublic.of(team)


@router.delete(
    f"{BASE}/{{team_id}}/members/{{person_id}}", response_model=TeamPublic, responses=NOT_FOUND
)
def remove_member(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    team_id: IdPath,
    person_id: IdPath,
) -> TeamPublic:
    """Take someone out of the team."""
    team = service.get_team(session=session, community=community, team_id=team_id)
    service.remove_member(session=session, team=team, person_id=person_id, actor=user)
    session.refresh(team)
    return TeamPublic.of(team)


@router.get(
    "/communities/{community_id}/team-report/{first}/{last}",
    response_model=TeamReportPublic,
    responses=NOT_FOUND,
)
def report(
    session: SessionDep,
    community: ManagedCommunity,
    first: Annotated[date, Path(description="the first day, local")],
    last: Annotated[date, Path(description="the last day, local")],
) -> TeamReportPublic:
    """Services and hours per team from ``first`` to ``last``: the done work of its members in
    the community's published plans."""
    lines = team_report(session=session, community_id=community.id, first=first, last=last)
    return TeamReportPublic(
        community_id=community.id,
        first=first,
        last=last,
        teams=[
            TeamHoursPublic(
                team_id=line.team_id,
                team=line.team,
                kind=line.kind,
                kind_zh=TEAM_KIND_ZH[TeamKind(line.kind)],
                members=line.members,
                services=line.services,
                hours=line.hours,
            )
            for line in lines
        ],
    )


# 帮帮团 ----------------------------------------------------------------------------------------


class TeamClaimPublic(BaseModel):
    wish_id: int
    team_id: int | None
    team: str


@router.put(
    "/wishes/{wish_id}/team-claim",
    response_model=TeamClaimPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def claim_wish(
    session: SessionDep, user: ManagerDep, wish: ManagedWish, data: TeamClaim
) -> TeamClaimPublic:
    """A team takes the whole wish (帮帮团): every helper the schedule sends is its member."""
    team = service.get_team(session=session, community=wish.community, team_id=data.team_id)
    service.claim_wish(session=session, wish=wish, team=team, actor=user)
    return TeamClaimPublic(wish_id=wish.id, team_id=team.id, team=team.name)


@router.delete(
    "/wishes/{wish_id}/team-claim",
    response_model=TeamClaimPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def release_wish(session: SessionDep, user: ManagerDep, wish: ManagedWish) -> TeamClaimPublic:
    """The team gives the wish back to anyone eligible."""
    service.release_wish(session=session, wish=wish, actor=user)
    return TeamClaimPublic(wish_id=wish.id, team_id=None, team="")


# 双报到 ----------------------------------------------------------------------------------------


@router.put(
    "/people/{person_id}/second-community",
    response_model=SecondCommunityPublic,
    responses=NOT_FOUND,
)
def set_second_community(
    session: SessionDep, user: ManagerDep, person: ManagedPerson, data: SecondCommunitySet
) -> SecondCommunityPublic:
    """The member also reports to another community (their work place's): one weekly load
    across both, each community's week counting what the other already gives them."""
    membership = service.set_second_community(
        session=session,
        person=person,
        community_id=data.community_id,
        role=data.role,
        lat=data.lat,
        lng=data.lng,
        actor=user,
    )
    session.refresh(membership)
    return SecondCommunityPublic.of(membership)


@router.delete(
    "/people/{person_id}/second-community",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
def end_second_community(session: SessionDep, user: ManagerDep, person: ManagedPerson) -> None:
    """The member reports to their own community only again."""
    service.end_second_community(session=session, person=person, actor=user)
