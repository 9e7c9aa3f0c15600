"""Importing a city: people written in batches, one community at a time, with progress.

A generated city of three small communities is imported whole and part by part; both give
the same rows as the scenario says, and every lock goes with its community.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Availability, Community, Override, Person, Street, community_version
from models.person import PersonSkill
from models.seed import (
    PEOPLE_BATCH,
    community_parts,
    import_street_scenario,
    street_name_of,
)
from models.team import TeamMember
from scenarios import generate
from scenarios.load import minute_of_day

Json = dict[str, Any]


def _city() -> Json:
    data = generate("city", 21, communities=3, people_per_community=120)
    # a lock per community, as a coordinator's file might carry
    locks = []
    for community in sorted({p["community"] for p in data["people"]}):
        person = next(p for p in data["people"] if p["community"] == community)
        wish = next(w for w in data["wishes"] if w["community"] == community)
        locks.append({"person": person["id"], "demand": wish["id"]})
    data["locks"] = {"forbidden": locks}
    return data


def test_a_city_cut_into_communities_keeps_every_item_once() -> None:
    data = _city()
    parts = community_parts(data)

    assert [name for name, _ in parts] == list(dict.fromkeys(g["community"] for g in data["grids"]))
    for key in ("grids", "people", "wishes", "posts", "activities"):
        ids = [item["id"] for _, part in parts for item in part[key]]
        assert sorted(ids) == sorted(item["id"] for item in data[key]), key
    for name, part in parts:
        people = {p["id"] for p in part["people"]}
        assert {p["community"] for p in part["people"]} == {name}
        assert [pair["person"] in people for pair in part["locks"]["forbidden"]] == [True]


def _people_rows(session: Session, street: Street) -> Counter[tuple[str, str, int, int]]:
    rows = session.execute(
        sa.select(Community.name, Person.external_id, sa.func.count(Availability.id))
        .join(Person, Person.community_id == Community.id)
        .outerjoin(Availability, Availability.person_id == Person.id)
        .where(Community.street_id == street.id)
        .group_by(Community.name, Person.external_id)
    ).all()
    skills = dict(
        session.execute(
            sa.select(Person.external_id, sa.func.count(PersonSkill.skill))
            .join(PersonSkill, PersonSkill.person_id == Person.id)
            .join(Community, Community.id == Person.community_id)
            .where(Community.street_id == street.id)
            .group_by(Person.external_id)
        ).all()
    )
    return Counter((c, str(p), n, skills.get(p, 0)) for c, p, n in rows)


def test_part_by_part_gives_the_rows_of_one_import(session: Session) -> None:
    data = _city()
    whole = import_street_scenario(session, data, street_name="整体导入")
    reports: list[tuple[str, int, int]] = []
    parted: Street | None = None
    for _, part in community_parts(data):
        parted = import_street_scenario(
            session, part, street_name="逐个导入", progress=lambda *r: reports.append(r)
        )
    assert parted is not None
    session.flush()

    expected = Counter(
        (p["community"], p["id"], len(p["availability"]), len(set(p["skills"])))
        for p in data["people"]
    )
    assert _people_rows(session, whole) == expected
    assert _people_rows(session, parted) == expected
    # the last report of each community counts all its people
    last = {community: (done, total) for community, done, total in reports}
    people = Counter(p["community"] for p in data["people"])
    assert last == {c: (n, n) for c, n in people.items()}
    # each community's lock is an override of that community
    for street in (whole, parted):
        for community in street.communities:
            overrides = session.scalars(
                sa.select(Override).where(Override.community_id == community.id)
            ).all()
            assert len(overrides) == 1
            assert overrides[0].kind.value == "forbid"
            owner = session.get(Person, overrides[0].person_id)
            assert owner is not None and owner.community_id == community.id
            assert community_version(session, community.id) > 0
    assert street_name_of(data) == data["name"]


def test_people_beyond_one_batch(session: Session) -> None:
    data = generate("community", 22, people_per_community=PEOPLE_BATCH + 37)
    reports: list[tuple[str, int, int]] = []
    import_street_scenario(
        session, data, street_name="大社区", progress=lambda *r: reports.append(r)
    )
    total = PEOPLE_BATCH + 37
    assert [done for _, done, _ in reports] == [PEOPLE_BATCH, total]
    assert all(all_ == total for _, _, all_ in reports)
    names = session.scalars(sa.select(Person.external_id).order_by(Person.id)).all()
    assert names[-total:] == [p["id"] for p in data["people"]]
    # each person's rows (sent by COPY on PostgreSQL) are theirs: the first and the last
    for item in (data["people"][0], data["people"][-1]):
        person = session.scalars(sa.select(Person).where(Person.external_id == item["id"])).one()
        assert person.skills == set(item.get("skills", []))
        assert person.preferred_categories == set(item.get("preferred_categories", []))
        assert sorted((a.weekday + 1, a.start_minute) for a in person.availability) == sorted(
            (w["weekday"], minute_of_day(w["start"])) for w in item.get("availability", [])
        )
        teams = {
            m.team.name
            for m in session.scalars(sa.select(TeamMember).where(TeamMember.person_id == person.id))
        }
        assert teams == set(item.get("teams", []))
