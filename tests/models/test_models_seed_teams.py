"""A scenario's teams and second communities (双报到) in the database: a street file with a
member reported to two communities lists them once; the import gives both communities their
member, the teams named in the file, and team-only posts and roles."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.services.problem import build_problem
from models import (
    ActivityRole,
    Community,
    CommunityMembership,
    MembershipRole,
    Person,
    Post,
    Team,
    TeamKind,
    TeamMember,
)
from models.seed import import_scenario, import_street_scenario
from scenarios import ScenarioError, generate, parse_scenario
from scenarios.load import validate_scenario
from tests.support.rows import WEEK_START

HONGGUANG = Path(__file__).resolve().parents[2] / "scenarios" / "hongguang.json"
HOME = {"lat": 24.289, "lng": 116.122}
WORK = {"lat": 24.301, "lng": 116.13}
SATURDAY = {"weekday": 6, "start": "08:00", "end": "18:00"}

STREET: dict[str, Any] = {
    "format_version": 1,
    "name": "江南街道",
    "week_start": "2026-03-02",
    "grids": [
        {"id": "hg-1", "name": "第一网格", "community": "红光社区"},
        {"id": "ld-1", "name": "第一网格", "community": "路东社区"},
    ],
    "people": [
        {
            "id": "p1",
            "name": "王建国",
            "kind": "party_member",
            "home": HOME,
            "grid": "hg-1",
            "teams": ["法律援助队"],
            "availability": [SATURDAY],
            "second_community": {"community": "路东社区", "role": "work", "place": WORK},
        },
        {"id": "p2", "name": "李红", "kind": "volunteer", "home": WORK, "grid": "ld-1"},
    ],
    "posts": [
        {
            "id": "legal",
            "name": "法律咨询岗",
            "grid": "ld-1",
            "location": WORK,
            "team": "法律援助队",
            "shifts": [{"weekday": 6, "start": "09:00", "end": "11:00"}],
        }
    ],
    "activities": [
        {
            "id": "fair",
            "name": "普法宣传",
            "grid": "hg-1",
            "date": "2026-03-07",
            "start": "14:00",
            "end": "16:00",
            "location": HOME,
            "roles": [{"headcount": 1, "team": "第一网格党小组"}],
        }
    ],
}


def test_a_street_run_sees_a_member_of_two_communities_once() -> None:
    problem = parse_scenario(copy.deepcopy(STREET))
    assert [p.id for p in problem.people] == ["p1", "p2"]
    (member,) = [p for p in problem.people if p.id == "p1"]
    assert member.home.lat == HOME["lat"]  # both communities in the file: from home


def test_a_week_of_the_work_community_alone_starts_from_the_work_place() -> None:
    data = copy.deepcopy(STREET)
    data["grids"] = [data["grids"][1]]
    data["people"][0]["community"] = "红光社区"
    del data["people"][0]["grid"]
    data["activities"] = []
    problem = parse_scenario(data)
    (member,) = [p for p in problem.people if p.id == "p1"]
    assert (member.home.lat, member.home.lng) == (WORK["lat"], WORK["lng"])


def test_the_second_community_must_be_another_one() -> None:
    data = copy.deepcopy(STREET)
    data["people"][0]["second_community"]["community"] = "红光社区"
    with pytest.raises(ScenarioError, match="second community"):
        validate_scenario(data, "street.json")


def test_the_import_gives_the_second_community_its_member_and_the_teams(
    session: Session,
) -> None:
    import_street_scenario(session, copy.deepcopy(STREET))
    session.flush()
    communities = {c.name: c for c in session.scalars(sa.select(Community))}
    home, work = communities["红光社区"], communities["路东社区"]
    person = session.scalars(sa.select(Person).where(Person.external_id == "p1")).one()
    membership = session.get(CommunityMembership, person.id)
    assert membership is not None
    assert (membership.community_id, membership.role) == (work.id, MembershipRole.WORK)

    teams = {(t.community_id, t.name): t for t in session.scalars(sa.select(Team))}
    assert teams[(work.id, "法律援助队")].kind == TeamKind.SPECIALIST
    assert teams[(work.id, "法律援助队")].skill == "法律援助"
    assert teams[(home.id, "第一网格党小组")].kind == TeamKind.PARTY_GROUP
    in_teams = {
        (m.team.community_id, m.team.name)
        for m in session.scalars(sa.select(TeamMember).where(TeamMember.person_id == person.id))
    }
    assert in_teams == {(home.id, "法律援助队"), (work.id, "法律援助队")}
    post = session.scalars(sa.select(Post)).one()
    assert post.team_id == teams[(work.id, "法律援助队")].id
    role = session.scalars(sa.select(ActivityRole)).one()
    assert role.team_id == teams[(home.id, "第一网格党小组")].id

    # the work community's week has them, from the work place, in its team
    problem, _ = build_problem(session=session, community_id=work.id, week_start=WEEK_START)
    seen = {p.id: p for p in problem.people}
    assert set(seen) == {
        str(person.id),
        str(session.scalars(sa.select(Person.id).where(Person.external_id == "p2")).one()),
    }
    assert (seen[str(person.id)].home.lat, seen[str(person.id)].teams) == (
        WORK["lat"],
        frozenset({"法律援助队"}),
    )
    (shift,) = problem.demands
    assert shift.roles[0].team == "法律援助队"


def test_a_generated_street_imports_its_teams_and_members_of_two_communities(
    session: Session,
) -> None:
    data = generate("street", 5, communities=2)
    dual = [p for p in data["people"] if "second_community" in p]
    assert dual
    import_street_scenario(session, data)
    session.flush()
    names = {c.id: c.name for c in session.scalars(sa.select(Community))}
    external = {pid: ext for pid, ext in session.execute(sa.select(Person.id, Person.external_id))}
    memberships = {
        external[m.person_id]: names[m.community_id]
        for m in session.scalars(sa.select(CommunityMembership))
    }
    assert memberships == {p["id"]: p["second_community"]["community"] for p in dual}
    kinds = {t.kind for t in session.scalars(sa.select(Team))}
    assert kinds == {TeamKind.PARTY_GROUP, TeamKind.SPECIALIST, TeamKind.CO_BUILDING}
    # each person is in their teams in their own community, and in the second one as well
    expected = sum(
        len(p.get("teams", [])) * (2 if "second_community" in p else 1) for p in data["people"]
    )
    assert session.scalar(sa.select(sa.func.count()).select_from(TeamMember)) == expected


def test_the_demo_imports_teams_and_keeps_second_communities_outside_it_in_the_file(
    session: Session,
) -> None:
    data = json.loads(HONGGUANG.read_text(encoding="utf-8"))
    import_scenario(session, data)
    session.flush()
    teams = list(session.scalars(sa.select(Team)))
    assert len([t for t in teams if t.kind == TeamKind.PARTY_GROUP]) == len(data["grids"])
    specialist = {t.skill for t in teams if t.kind == TeamKind.SPECIALIST}
    assert specialist == {"纠纷调解", "法律援助", "环保监督", "帮困助弱", "宣传教育", "医疗卫生"}
    assert any(t.kind == TeamKind.CO_BUILDING for t in teams)
    # 向阳、新华、东风社区 are not in the file: the import records no second community
    assert any("second_community" in p for p in data["people"])
    assert session.scalar(sa.select(sa.func.count()).select_from(CommunityMembership)) == 0
