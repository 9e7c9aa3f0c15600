"""Standing pairs in the application: propose, review, pin and forbid, confirm; confirmed
pairs owe visits that land with the paired member in the week's schedule.

Runs on SQLite, and on PostgreSQL too when ``TONGXIN_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import matcher
from api.services.problem import build_problem
from api.web.clock import now
from matcher.domain import PersonKind, Problem
from models import (
    Availability,
    Community,
    Household,
    PairStatus,
    PairVisit,
    Person,
    Situation,
    StandingPair,
    UserAccount,
    Wish,
    WishStatus,
)
from models.household import HouseholdSituation
from tests.support.rows import LAT, LNG, WEEK_START, add_community, add_person

METRES_PER_DEGREE_LAT = 111_195.0
SATURDAY_MORNING = Availability(weekday=5, start_minute=9 * 60, end_minute=12 * 60)

AuthHeaders = Callable[[UserAccount], dict[str, str]]


def north(metres: float) -> tuple[float, float]:
    return LAT + metres / METRES_PER_DEGREE_LAT, LNG


def member(
    db: Session, community: Community, name: str, metres: float, *, free: bool = True
) -> Person:
    lat, lng = north(metres)
    person = add_person(db, community, name=name, home_lat=lat, home_lng=lng)
    if free:
        person.availability = [
            Availability(weekday=5, start_minute=9 * 60, end_minute=12 * 60),
            Availability(weekday=6, start_minute=9 * 60, end_minute=12 * 60),
        ]
    db.flush()
    return person


def household(
    db: Session,
    community: Community,
    name: str = "李秀英",
    metres: float = 0.0,
    situation: Situation = Situation.ELDERLY_ALONE,
    since: date = date(2025, 6, 1),
) -> Household:
    lat, lng = north(metres)
    row = Household(community=community, name=name, address="黄金花园3栋2单元501", lat=lat, lng=lng)
    row.situation_rows = {HouseholdSituation(situation=situation, since=since)}
    db.add(row)
    db.flush()
    return row


def confirmed_pair(
    db: Session, person: Person, home: Household, on: date = date(2026, 3, 1)
) -> StandingPair:
    pair = StandingPair(
        community_id=home.community_id,
        person_id=person.id,
        household_id=home.id,
        status=PairStatus.CONFIRMED,
        confirmed_on=on,
        confirmed_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
    )
    db.add(pair)
    db.flush()
    return pair


def visit_demand(problem: Problem) -> str:
    (demand,) = [d for d in problem.demands if d.title == "结对帮扶走访"]
    return demand.id


def without_reservations(problem: Problem) -> Problem:
    return replace(problem, demands=tuple(replace(d, reserved_for=()) for d in problem.demands))


def helper_of(problem: Problem, demand_id: str) -> str:
    solution = matcher.solve(replace(problem, settings=replace(problem.settings, time_limit_s=5)))
    (helper,) = [a.person_id for a in solution.assignments if a.demand_id == demand_id]
    return helper


# visits in the week ---------------------------------------------------------------------------


def test_a_due_visit_lands_with_the_paired_member(db: Session) -> None:
    community = add_community(db)
    near = member(db, community, "近邻", 50)
    paired = member(db, community, "结对党员", 700)
    home = household(db, community)
    confirmed_pair(db, paired, home)

    problem, _ = build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    demand_id = visit_demand(problem)
    (demand,) = [d for d in problem.demands if d.id == demand_id]
    assert demand.reserved_for == (str(paired.id),)
    assert problem.date_of(demand.window.end - 1) == date(2026, 3, 8)  # confirmed + 7 days
    assert helper_of(problem, demand_id) == str(paired.id)
    # the reservation is what sends it there: without it the nearer neighbour goes
    assert helper_of(without_reservations(problem), demand_id) == str(near.id)


def test_others_take_the_visit_only_when_the_pair_cannot_make_it(db: Session) -> None:
    community = add_community(db)
    near = member(db, community, "近邻", 50)
    paired = member(db, community, "结对党员", 700, free=False)
    home = household(db, community)
    confirmed_pair(db, paired, home)
    problem, _ = build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    assert helper_of(problem, visit_demand(problem)) == str(near.id)


def test_visits_come_every_n_weeks_and_are_made_once(db: Session) -> None:
    community = add_community(db)
    paired = member(db, community, "结对党员", 100)
    home = household(db, community)
    pair = confirmed_pair(db, paired, home, on=date(2026, 2, 1))
    build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    visits = db.scalars(sa.select(PairVisit).where(PairVisit.pair_id == pair.id)).all()
    assert len(visits) == 1  # overdue since 8 February, carried into this week once
    assert visits[0].wish.deadline == date(2026, 3, 8)
    # done on 3 March: the next one is due four weeks later, not in the next week
    wish = visits[0].wish
    wish.advance(WishStatus.ASSIGNED)
    wish.advance(WishStatus.DONE, at=datetime(2026, 3, 3, 3, 0, tzinfo=UTC))
    db.flush()
    build_problem(session=db, community_id=community.id, week_start=date(2026, 3, 9))
    assert db.scalar(sa.select(sa.func.count(PairVisit.id))) == 1
    build_problem(session=db, community_id=community.id, week_start=date(2026, 3, 30))
    due = db.scalars(sa.select(PairVisit.due_on).order_by(PairVisit.due_on)).all()
    assert due == [date(2026, 2, 8), date(2026, 3, 31)]


def test_an_imported_pair_counts_from_its_last_visit(db: Session) -> None:
    community = add_community(db)
    paired = member(db, community, "结对党员", 100)
    pair = confirmed_pair(db, paired, household(db, community), on=date(2025, 1, 1))
    pair.last_visit_on = date(2026, 2, 20)
    build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    assert pair.visits == []  # due on 20 March, four weeks after the last visit
    build_problem(session=db, community_id=community.id, week_start=date(2026, 3, 16))
    assert [v.due_on for v in pair.visits] == [date(2026, 3, 20)]


def test_a_new_situation_brings_the_visit_forward(db: Session) -> None:
    community = add_community(db)
    paired = member(db, community, "结对党员", 100)
    home = household(db, community)
    pair = confirmed_pair(db, paired, home, on=date(2026, 2, 1))
    build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    (visit,) = pair.visits
    visit.wish.advance(WishStatus.ASSIGNED)
    visit.wish.advance(WishStatus.DONE, at=datetime(2026, 3, 3, 3, 0, tzinfo=UTC))
    home.situation_rows.add(
        HouseholdSituation(situation=Situation.SERIOUSLY_ILL, since=date(2026, 3, 10))
    )
    db.flush()
    build_problem(session=db, community_id=community.id, week_start=date(2026, 3, 16))
    assert sorted(v.due_on for v in pair.visits) == [date(2026, 2, 8), date(2026, 3, 17)]


# the routes -----------------------------------------------------------------------------------


@pytest.fixture
def today(app: FastAPI) -> None:
    app.dependency_overrides[now] = lambda: datetime(2026, 3, 1, 4, 0, tzinfo=UTC)


def test_propose_review_confirm_and_the_visit_history(
    client: TestClient,
    db: Session,
    make_user: Callable[..., UserAccount],
    auth_headers: AuthHeaders,
    today: None,
) -> None:
    community = add_community(db)
    carer = member(db, community, "王助老", 300)
    carer.skills = {"助老"}
    member(db, community, "李近邻", 150)
    far = household(db, community, "远处户", metres=5000)
    home = household(db, community, "李秀英", metres=0)
    household(db, community, "普通户", metres=0, situation=Situation.DISABLED)
    db.commit()
    headers = auth_headers(make_user("coordinator", community=community))
    base = f"/api/v1/communities/{community.id}"

    proposal = client.post(f"{base}/pairs/propose", headers=headers)
    assert proposal.status_code == 200, proposal.text
    body = proposal.json()
    assert body["needing"] == 3 and body["paired"] == 2
    assert body["bound"] == body["objective"] and body["gap"] == 0
    by_household = {p["household"]["id"]: p for p in body["pairs"]}
    assert far.id not in by_household  # 5 km away: never proposed
    assert [u["household_id"] for u in body["unpaired"]] == [far.id]
    assert "1.2公里内没有可结对的本社区党员" in body["unpaired"][0]["reason"]["zh"]
    pair = by_household[home.id]
    assert pair["person_name"] == "王助老" and pair["status"] == "proposed"
    assert any("助老" in r["zh"] for r in pair["reasons"])
    assert "address" not in str(body) and "黄金花园" not in str(body)

    confirmed = client.post(f"{base}/pairs/{pair['id']}/confirm", headers=headers)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["confirmed_on"] == "2026-03-01"
    again = client.post(f"{base}/pairs/{pair['id']}/confirm", headers=headers)
    assert again.status_code == 409

    listed = client.get(f"{base}/pairs", headers=headers).json()
    statuses = {p["household"]["id"]: p["status"] for p in listed["pairs"]}
    assert statuses[home.id] == "confirmed"
    assert {h["id"] for h in listed["unpaired"]} == {far.id, *(set(statuses) - {home.id})}

    # a new proposal keeps the confirmed pair as it is
    client.post(f"{base}/pairs/propose", headers=headers)
    kept = db.scalars(sa.select(StandingPair).where(StandingPair.household_id == home.id)).all()
    assert [(p.status, p.person_id) for p in kept] == [(PairStatus.CONFIRMED, carer.id)]

    build_problem(session=db, community_id=community.id, week_start=WEEK_START)
    db.commit()
    history = client.get(f"{base}/households/{home.id}/visits", headers=headers)
    assert history.status_code == 200
    assert [(v["due_on"], v["paired_member"], v["done"]) for v in history.json()] == [
        ("2026-03-08", "王助老", False)
    ]
    assert db.scalar(sa.select(Wish.status).where(Wish.id == history.json()[0]["wish_id"])) == (
        WishStatus.OPEN
    )


def test_pins_forbids_and_rules_change_the_proposal(
    client: TestClient,
    db: Session,
    make_user: Callable[..., UserAccount],
    auth_headers: AuthHeaders,
) -> None:
    community = add_community(db)
    near = member(db, community, "近邻", 100)
    other = member(db, community, "远一点", 600)
    homes = [household(db, community, f"户{k}") for k in range(3)]
    db.commit()
    headers = auth_headers(make_user("coordinator", community=community))
    base = f"/api/v1/communities/{community.id}"

    def pairs() -> dict[int, int]:
        body = client.post(f"{base}/pairs/propose", headers=headers).json()
        return {p["household"]["id"]: p["person_id"] for p in body["pairs"]}

    rules = client.patch(
        f"{base}/pairing-rules", json={"max_households_per_member": 1}, headers=headers
    )
    assert rules.status_code == 200 and rules.json()["max_households_per_member"] == 1
    assert sorted(pairs().values()) == sorted([near.id, other.id])  # one each, one unpaired

    client.patch(f"{base}/pairing-rules", json={"max_households_per_member": 8}, headers=headers)
    forbid = {"household_id": homes[0].id, "person_id": near.id, "kind": "forbid"}
    assert client.put(f"{base}/pair-locks", json=forbid, headers=headers).status_code == 200
    assert pairs()[homes[0].id] == other.id
    pin = {"household_id": homes[1].id, "person_id": other.id, "kind": "pin"}
    client.put(f"{base}/pair-locks", json=pin, headers=headers)
    assert pairs()[homes[1].id] == other.id
    gone = client.delete(f"{base}/pair-locks/{homes[0].id}/{near.id}", headers=headers)
    assert gone.status_code == 204

    bad = client.patch(f"{base}/pairing-rules", json={"visit_every_weeks": 0}, headers=headers)
    assert bad.status_code == 422
    unknown = client.patch(
        f"{base}/pairing-rules", json={"must_pair": ["martian"]}, headers=headers
    )
    assert unknown.status_code == 422
    volunteer = add_person(db, community, name="志愿者", kind=PersonKind.VOLUNTEER)
    db.commit()
    refused = client.put(
        f"{base}/pair-locks",
        json={"household_id": homes[2].id, "person_id": volunteer.id, "kind": "pin"},
        headers=headers,
    )
    assert refused.status_code == 422


def test_another_communitys_pairs_answer_404(
    client: TestClient,
    db: Session,
    make_user: Callable[..., UserAccount],
    auth_headers: AuthHeaders,
) -> None:
    community = add_community(db)
    elsewhere = add_community(db, name="路东社区", street=community.street)
    paired = member(db, community, "结对党员", 100)
    home = household(db, community)
    pair = confirmed_pair(db, paired, home)
    db.commit()
    theirs = auth_headers(make_user("coordinator", community=elsewhere))
    mine = auth_headers(make_user("coordinator", community=community))
    # through their own community's path, the pair and household are unknown
    path = f"/api/v1/communities/{elsewhere.id}"
    assert client.post(f"{path}/pairs/{pair.id}/end", headers=theirs).status_code == 404
    assert client.get(f"{path}/households/{home.id}/visits", headers=theirs).status_code == 404
    # through this community's path, they are out of scope
    path = f"/api/v1/communities/{community.id}"
    assert client.get(f"{path}/pairs", headers=theirs).status_code == 404
    ended = client.post(f"{path}/pairs/{pair.id}/end", headers=mine)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert client.post(f"{path}/pairs/{pair.id}/end", headers=mine).status_code == 409
