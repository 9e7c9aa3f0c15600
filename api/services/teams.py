"""Teams (团队) of a community and their members; a wish claimed by a team (帮帮团); the second
community a member reports to (双报到).

A team-only post or activity role and a team's wish are staffed by the matcher like any other
work, its rule ``team`` taking only the team's members (``api.services.problem`` maps a row's
``team_id`` to the matcher's ``Role.team``). A team takes people who report to its community,
as residents or as their second community.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.services.changes import check_grid
from api.services.errors import Conflict, Invalid, NotFound
from matcher.domain import SKILLS
from models import audit
from models.community import Community
from models.person import Person
from models.team import CommunityMembership, MembershipRole, Team, TeamKind, TeamMember
from models.user import UserAccount
from models.wish import Wish, WishStatus

#: a team may claim a wish until someone is on it
CLAIMABLE_WISHES = (WishStatus.RECORDED, WishStatus.OPEN)


def list_teams(*, session: Session, community: Community) -> list[Team]:
    """The community's teams, by kind then name, with their members."""
    return list(
        session.scalars(
            sa.select(Team)
            .where(Team.community_id == community.id)
            .options(selectinload(Team.members).selectinload(TeamMember.person))
            .order_by(Team.kind, Team.name)
        )
    )


def get_team(*, session: Session, community: Community, team_id: int) -> Team:
    """One of the community's teams; another community's is unknown (404)."""
    team = session.get(Team, team_id)
    if team is None or team.community_id != community.id:
        raise NotFound(f"没有编号为 {team_id} 的团队", f"no team {team_id}")
    return team


def create_team(
    *,
    session: Session,
    community: Community,
    name: str,
    kind: TeamKind,
    skill: str = "",
    grid_id: int | None = None,
    actor: UserAccount,
) -> Team:
    """A new team; its name is unique in the community (409)."""
    if skill and skill not in SKILLS:
        raise Invalid(f"未知的专长「{skill}」", f"unknown skill {skill!r}", "skill")
    check_grid(session, community.id, grid_id)
    taken = session.scalar(
        sa.select(Team.id).where(Team.community_id == community.id, Team.name == name)
    )
    if taken is not None:
        raise Conflict(f"本社区已有名为「{name}」的团队", f"a team named {name!r} already exists")
    team = Team(community_id=community.id, name=name, kind=kind, skill=skill, grid_id=grid_id)
    session.add(team)
    audit.record(session, action="team.create", row=team, actor=actor, community_id=community.id)
    return team


def set_active(*, session: Session, team: Team, active: bool, actor: UserAccount) -> Team:
    """An inactive team keeps its history; its members no longer count as the team's."""
    before = audit.snapshot(team)
    team.active = active
    audit.record(
        session,
        action="team.update",
        row=team,
        actor=actor,
        community_id=team.community_id,
        before=before,
    )
    return team


def communities_of(session: Session, person: Person) -> list[int]:
    """The communities the person reported to: their own, then their second one (双报到)."""
    second = session.get(CommunityMembership, person.id)
    return [person.community_id] + ([second.community_id] if second is not None else [])


def reports_to(session: Session, person: Person, community_id: int) -> bool:
    """Whether the person reported to the community, as resident or as a second community."""
    return community_id in communities_of(session, person)


def add_member(
    *, session: Session, team: Team, person_id: int, leader: bool, actor: UserAccount
) -> TeamMember:
    """Put someone who reported to the team's community into the team."""
    person = session.get(Person, person_id)
    if person is None or not reports_to(session, person, team.community_id):
        raise Invalid(
            "此人没有向本社区报到，不能加入本社区的团队",
            "this person has not reported to this community",
            "person_id",
        )
    if session.get(TeamMember, (team.id, person_id)) is not None:
        raise Conflict(f"{person.name}已在这个团队中", f"{person.name} is already in this team")
    member = TeamMember(team_id=team.id, person_id=person_id, leader=leader)
    session.add(member)
    audit.record(
        session, action="team.member.add", row=member, actor=actor, community_id=team.community_id
    )
    return member


def remove_member(*, session: Session, team: Team, person_id: int, actor: UserAccount) -> None:
    """Take someone out of the team; the work they did stays in its report's history."""
    member = session.get(TeamMember, (team.id, person_id))
    if member is None:
        raise NotFound("此人不在这个团队中", "this person is not in the team")
    _delete(session, member, "team.member.remove", actor, team.community_id)


def _delete(
    session: Session,
    row: TeamMember | CommunityMembership,
    action: str,
    actor: UserAccount,
    community_id: int,
) -> None:
    """Delete a row, its last state kept in the audit log."""
    audit.record(
        session,
        action=action,
        row=row,
        actor=actor,
        community_id=community_id,
        before=audit.snapshot(row),
        after={},
    )
    session.delete(row)
    session.flush()


def _leave_teams(session: Session, person_id: int, community_id: int) -> None:
    """The person leaves every team of a community they no longer report to."""
    session.execute(
        sa.delete(TeamMember).where(
            TeamMember.person_id == person_id,
            TeamMember.team_id.in_(sa.select(Team.id).where(Team.community_id == community_id)),
        )
    )


# 帮帮团: a wish claimed by a team ---------------------------------------------------------------


def claim_wish(*, session: Session, wish: Wish, team: Team, actor: UserAccount) -> Wish:
    """The team takes the whole wish (帮帮团): every helper the schedule sends comes from it.
    Refused (409) once someone is on the wish, or when the team has fewer active members than
    the wish needs helpers."""
    if team.community_id != wish.community_id:
        raise Invalid("该社区没有这个团队", "No such team in this community", "team_id")
    if not team.active:
        raise Conflict("这个团队已停用", "this team is no longer active")
    if wish.status not in CLAIMABLE_WISHES:
        raise Conflict(
            "这个心愿已有人承接或已完成，不能再由团队认领",
            "someone is already on this wish, or it is over; a team cannot claim it now",
        )
    members = session.scalar(
        sa.select(sa.func.count())
        .select_from(TeamMember)
        .join(Person, Person.id == TeamMember.person_id)
        .where(TeamMember.team_id == team.id, Person.active.is_(True))
    )
    if (members or 0) < wish.headcount:
        raise Conflict(
            f"「{team.name}」只有 {members} 名成员，这个心愿需要 {wish.headcount} 人",
            f"{team.name} has {members} members; the wish needs {wish.headcount}",
        )
    before = audit.snapshot(wish)
    wish.team_id = team.id
    audit.record(
        session,
        action="wish.team_claim",
        row=wish,
        actor=actor,
        community_id=wish.community_id,
        before=before,
    )
    return wish


def release_wish(*, session: Session, wish: Wish, actor: UserAccount) -> Wish:
    """The team gives the wish back: anyone eligible may take it again."""
    if wish.team_id is None:
        raise Conflict("这个心愿没有团队认领", "no team has claimed this wish")
    before = audit.snapshot(wish)
    wish.team_id = None
    audit.record(
        session,
        action="wish.team_release",
        row=wish,
        actor=actor,
        community_id=wish.community_id,
        before=before,
    )
    return wish


# 双报到: a second community ---------------------------------------------------------------------


def set_second_community(
    *,
    session: Session,
    person: Person,
    community_id: int,
    role: MembershipRole,
    lat: float | None,
    lng: float | None,
    actor: UserAccount,
) -> CommunityMembership:
    """The person also reports to ``community_id`` (their work place's, or where they live);
    one second community per person, replaced if set again."""
    if community_id == person.community_id:
        raise Invalid(
            "第二个报到社区不能是此人已报到的社区",
            "the second community must differ from the one the person reported to",
            "community_id",
        )
    if session.get(Community, community_id) is None:
        raise Invalid("没有这个社区", "No such community", "community_id")
    if (lat is None) != (lng is None):
        raise Invalid("位置须同时给出纬度和经度", "give both lat and lng, or neither", "lat")
    membership = session.get(CommunityMembership, person.id)
    before = audit.snapshot(membership) if membership is not None else None
    if membership is None:
        membership = CommunityMembership(person_id=person.id)
        session.add(membership)
    elif membership.community_id != community_id:
        _leave_teams(session, person.id, membership.community_id)
    membership.community_id = community_id
    membership.role = role
    membership.lat, membership.lng = lat, lng
    audit.record(
        session,
        action="person.second_community",
        row=membership,
        actor=actor,
        community_id=person.community_id,
        before=before,
    )
    return membership


def second_community(*, session: Session, person: Person) -> CommunityMembership | None:
    return session.get(CommunityMembership, person.id)


def end_second_community(*, session: Session, person: Person, actor: UserAccount) -> None:
    """The person reports to one community again."""
    membership = session.get(CommunityMembership, person.id)
    if membership is None:
        raise NotFound("此人没有第二个报到社区", "this person has no second community")
    _leave_teams(session, person.id, membership.community_id)
    _delete(session, membership, "person.second_community", actor, person.community_id)
