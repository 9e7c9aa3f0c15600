"""The member's loop over HTTP: declining hands the seat to ranked replacements (never the
decliner), the first to accept gets it, the others are told; open work and claims (认领),
checked by the matcher's rules; a post chooses who fills it.

Runs on SQLite, and on PostgreSQL too when ``TONGXIN_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.services import claims, loop_events
from api.services.board import snapped
from api.services.claims import MAP_CELL_M
from api.services.people import haversine_m
from api.services.problem import build_problem, matcher_demand_id, matcher_person_id
from api.web.clock import now
from matcher.domain import DemandKind
from models import (
    Assignment,
    AssignmentStatus,
    Message,
    Override,
    OverrideKind,
    Wish,
    WishStatus,
)
from models.schedule import OfferStatus, SeatOffer
from tests.api.conftest import password_hash
from tests.support.member_loop import BEFORE_WEEK, LoopWorld, build
from tests.support.rows import WEEK_START, add_wish

API = "/api/v1"
Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def loop(db: Session, app: FastAPI) -> LoopWorld:
    app.dependency_overrides[now] = lambda: BEFORE_WEEK
    return build(db, password_hash())


@pytest.fixture
def as_member(loop: LoopWorld, auth_headers: Any) -> Headers:
    def headers(name: str) -> dict[str, str]:
        if name == "coordinator":
            return dict(auth_headers(loop.coordinator))
        return dict(auth_headers(loop.users[name]))

    return headers


def _fresh(db: Session) -> None:
    """Read what the requests committed: end the test session's snapshot, forget its rows."""
    db.rollback()
    db.expire_all()


def _told(db: Session, kind: str) -> list[str]:
    _fresh(db)
    return sorted(m.recipient for m in db.scalars(sa.select(Message).where(Message.kind == kind)))


def _offers(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(f"{API}/me/offers", headers=headers)
    assert response.status_code == 200, response.text
    offers: list[dict[str, Any]] = response.json()
    return offers


def test_declining_forbids_the_decliner_and_offers_the_seat_to_others(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers
) -> None:
    declined = client.post(
        f"{API}/me/assignments/{loop.ids['on_vanguard']}/decline",
        json={"reason": "周六加班"},
        headers=as_member("张伟"),
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    # a forbid keeps the decliner off this seat in every later plan of the week
    _fresh(db)
    forbid = db.scalars(
        sa.select(Override).where(
            Override.person_id == loop.people["张伟"].id, Override.shift_id == loop.vanguard.id
        )
    ).one()
    assert forbid.kind == OverrideKind.FORBID and forbid.active
    problem, _ = build_problem(session=db, community_id=loop.community.id, week_start=WEEK_START)
    key = matcher_demand_id(DemandKind.SHIFT, loop.vanguard.id)
    assert (matcher_person_id(loop.people["张伟"].id), key) in problem.locks.forbidden
    # offered to the ranked replacements in the walking radius: never the decliner, nor 赵敏
    offered = {name for name in loop.users if _offers(client, as_member(name))}
    assert offered == {"王芳", "李强", "刘洋"}
    assert _offers(client, as_member("王芳"))[0]["title"].startswith("党员先锋岗")
    assert _told(db, "seat_offered") == sorted(
        f"person:{loop.people[n].id}" for n in ("王芳", "李强", "刘洋")
    )
    assert _told(db, "seat_declined") == [f"user:{loop.coordinator.id}"]
    # the coordinator's list of replacements does not rank the decliner either
    ranked = client.get(
        f"{API}/assignments/{loop.ids['on_vanguard']}/replacements",
        headers=as_member("coordinator"),
    )
    assert ranked.status_code == 200, ranked.text
    assert loop.people["张伟"].id not in {c["person_id"] for c in ranked.json()}
    # the decliner does not see the seat among open work; a replacement sees it, offered
    mine = client.get(f"{API}/me/open-work", headers=as_member("张伟")).json()
    assert all(s["demand_id"] != loop.vanguard.id or s["demand_kind"] != "shift" for s in mine)
    theirs = client.get(f"{API}/me/open-work", headers=as_member("王芳")).json()
    seat = next(
        s for s in theirs if s["demand_kind"] == "shift" and s["demand_id"] == loop.vanguard.id
    )
    assert seat["offer_id"] == _offers(client, as_member("王芳"))[0]["id"]


def test_the_first_to_accept_takes_a_declined_wish_and_the_others_are_told(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers
) -> None:
    client.post(
        f"{API}/me/assignments/{loop.ids['on_wish']}/decline", headers=as_member("张伟")
    ).raise_for_status()
    # nobody else holds the wish: it is open again
    _fresh(db)
    assert db.get(Wish, loop.wish.id).status == "open"  # type: ignore[union-attr]
    first = _offers(client, as_member("李强"))[0]
    second = _offers(client, as_member("王芳"))[0]
    accepted = client.post(f"{API}/me/offers/{first['id']}/accept", headers=as_member("李强"))
    assert accepted.status_code == 200, accepted.text
    taken = accepted.json()
    assert taken["status"] == "confirmed" and taken["claimed"] is True
    assert taken["demand_kind"] == "wish" and taken["demand_id"] == loop.wish.id
    # confirmed: the helper now sees whom to visit
    assert taken["beneficiary"]["address"]
    late = client.post(f"{API}/me/offers/{second['id']}/accept", headers=as_member("王芳"))
    assert late.status_code == 409
    assert "已被他人接下" in late.json()["detail"]
    english = client.post(
        f"{API}/me/offers/{second['id']}/accept",
        headers={**as_member("王芳"), "Accept-Language": "en"},
    )
    assert "already taken" in english.json()["detail"]
    _fresh(db)
    assert db.get(Wish, loop.wish.id).status == "assigned"  # type: ignore[union-attr]
    offers = {o.person_id: o.status for o in db.scalars(sa.select(SeatOffer))}
    assert offers[loop.people["李强"].id] == OfferStatus.ACCEPTED
    assert offers[loop.people["王芳"].id] == OfferStatus.TAKEN
    assert offers[loop.people["刘洋"].id] == OfferStatus.TAKEN
    assert _told(db, "seat_taken") == sorted(
        f"person:{loop.people[n].id}" for n in ("王芳", "刘洋")
    )
    assert _told(db, "seat_filled") == [f"user:{loop.coordinator.id}"]
    # the taker is pinned: a re-solve keeps them
    pin = db.scalars(
        sa.select(Override).where(
            Override.person_id == loop.people["李强"].id, Override.wish_id == loop.wish.id
        )
    ).one()
    assert pin.kind == OverrideKind.ASSIGN and pin.active
    # another member's offer is unknown to this one
    foreign = client.post(f"{API}/me/offers/{first['id']}/accept", headers=as_member("刘洋"))
    assert foreign.status_code == 404


def test_open_work_is_what_the_rules_allow_nearest_first(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers
) -> None:
    listed = client.get(f"{API}/me/open-work", headers=as_member("王芳"))
    assert listed.status_code == 200, listed.text
    seats = {(s["demand_kind"], s["demand_id"]) for s in listed.json()}
    # the evening patrol has room; the vanguard shift is full; the desk is the plan's only
    assert ("shift", loop.patrol.id) in seats
    assert ("shift", loop.vanguard.id) not in seats
    assert ("shift", loop.desk.id) not in seats
    patrol = next(s for s in listed.json() if s["demand_id"] == loop.patrol.id)
    assert patrol["places_left"] == 2 and patrol["kind_zh"] == "服务岗位"
    distances = [s["distance_m"] for s in listed.json()]
    assert distances == sorted(distances)
    # 赵敏 lives beyond the walking radius: nothing is offered, and a claim is refused
    assert client.get(f"{API}/me/open-work", headers=as_member("赵敏")).json() == []
    far = client.post(
        f"{API}/me/claims",
        json={"run_id": loop.run.id, "demand_kind": "shift", "demand_id": loop.patrol.id},
        headers=as_member("赵敏"),
    )
    assert far.status_code == 409
    assert "不能接这项任务" in far.json()["detail"]


def test_open_work_is_placed_coarsely_on_the_members_map(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers
) -> None:
    """服务分布图: each open task comes with a place snapped to a fixed cell of about 100 m;
    a wish's mark never shows the household's door."""
    door = (loop.wish.lat + 0.00037, loop.wish.lng + 0.00041)  # a door inside a cell
    wish = add_wish(
        db,
        loop.community,
        title="帮忙买菜",
        status=WishStatus.OPEN,
        lat=door[0],
        lng=door[1],
        deadline=WEEK_START + timedelta(days=6),
    )
    db.commit()
    seats = client.get(f"{API}/me/open-work", headers=as_member("王芳")).json()
    (mark,) = [s for s in seats if s["demand_kind"] == "wish" and s["demand_id"] == wish.id]
    assert (mark["lat"], mark["lng"]) == snapped(*door, MAP_CELL_M) != door
    assert haversine_m(mark["lat"], mark["lng"], *door) < MAP_CELL_M
    for seat in seats:  # every mark is a cell's centre
        assert (seat["lat"], seat["lng"]) == snapped(seat["lat"], seat["lng"], MAP_CELL_M)


def test_a_claim_is_checked_by_the_rules_pinned_and_fills_the_seat(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers
) -> None:
    body = {"run_id": loop.run.id, "demand_kind": "shift", "demand_id": loop.patrol.id}
    claimed = client.post(f"{API}/me/claims", json=body, headers=as_member("王芳"))
    assert claimed.status_code == 201, claimed.text
    assert claimed.json()["status"] == "confirmed" and claimed.json()["claimed"] is True
    assert _told(db, "work_claimed") == [f"user:{loop.coordinator.id}"]
    again = client.post(f"{API}/me/claims", json=body, headers=as_member("王芳"))
    assert again.status_code == 409
    assert client.post(f"{API}/me/claims", json=body, headers=as_member("李强")).status_code == 201
    # two of two: the third is told it is taken
    third = client.post(f"{API}/me/claims", json=body, headers=as_member("刘洋"))
    assert third.status_code == 409
    assert "已被他人接下" in third.json()["detail"]
    # the plan of the week only: refused
    desk = client.post(
        f"{API}/me/claims", json={**body, "demand_id": loop.desk.id}, headers=as_member("刘洋")
    )
    assert desk.status_code == 403
    # another community's week, or none: unknown
    unknown = client.post(
        f"{API}/me/claims", json={**body, "run_id": loop.run.id + 99}, headers=as_member("刘洋")
    )
    assert unknown.status_code == 404
    _fresh(db)
    pins = db.scalars(
        sa.select(Override.person_id).where(
            Override.shift_id == loop.patrol.id, Override.kind == OverrideKind.ASSIGN
        )
    ).all()
    assert sorted(pins) == sorted([loop.people["王芳"].id, loop.people["李强"].id])


def test_a_claim_that_clashes_with_the_members_week_is_refused(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers
) -> None:
    # 刘洋 already serves elsewhere on Sunday evening: the patrol would overlap
    busy = Assignment(
        run_id=loop.run.id,
        person_id=loop.people["刘洋"].id,
        starts_at=loop.patrol.starts_at,
        ends_at=loop.patrol.ends_at,
        status=AssignmentStatus.CONFIRMED,
    )
    busy.demand = loop.desk
    db.add(busy)
    db.commit()
    seats = client.get(f"{API}/me/open-work", headers=as_member("刘洋")).json()
    assert loop.patrol.id not in {s["demand_id"] for s in seats if s["demand_kind"] == "shift"}
    body = {"run_id": loop.run.id, "demand_kind": "shift", "demand_id": loop.patrol.id}
    clash = client.post(f"{API}/me/claims", json=body, headers=as_member("刘洋"))
    assert clash.status_code == 409
    # without the clash the same claim goes through
    free = client.post(f"{API}/me/claims", json=body, headers=as_member("李强"))
    assert free.status_code == 201, free.text


def test_a_post_filled_by_claims_only_is_left_to_its_claimants_by_the_plan(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers
) -> None:
    post_id = loop.patrol.post_id
    changed = client.patch(
        f"{API}/posts/{post_id}", json={"take_mode": "claim"}, headers=as_member("coordinator")
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["take_mode"] == "claim"
    assert changed.json()["take_mode_zh"] == "仅由党员认领"
    refused = client.patch(
        f"{API}/posts/{post_id}", json={"take_mode": "sometimes"}, headers=as_member("coordinator")
    )
    assert refused.status_code == 422
    body = {"run_id": loop.run.id, "demand_kind": "shift", "demand_id": loop.patrol.id}
    assert client.post(f"{API}/me/claims", json=body, headers=as_member("王芳")).status_code == 201
    _fresh(db)
    key = matcher_demand_id(DemandKind.SHIFT, loop.patrol.id)
    for_plan, _ = build_problem(
        session=db, community_id=loop.community.id, week_start=WEEK_START, for_solve=True
    )
    for_ranking, _ = build_problem(
        session=db, community_id=loop.community.id, week_start=WEEK_START
    )
    claimant = matcher_person_id(loop.people["王芳"].id)
    other = matcher_person_id(loop.people["李强"].id)
    # the plan keeps the claimant (a pin) and puts nobody else on it
    assert (claimant, key) in for_plan.locks.pinned
    assert (other, key) in for_plan.locks.forbidden
    assert (claimant, key) not in for_plan.locks.forbidden
    # members still see it and may claim its second place
    assert (other, key) not in for_ranking.locks.forbidden
    seats = client.get(f"{API}/me/open-work", headers=as_member("李强")).json()
    assert loop.patrol.id in {s["demand_id"] for s in seats if s["demand_kind"] == "shift"}


def test_offers_for_a_seat_the_coordinator_handed_on_are_answered_taken(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers
) -> None:
    client.post(
        f"{API}/me/assignments/{loop.ids['on_vanguard']}/decline", headers=as_member("张伟")
    ).raise_for_status()
    # the coordinator hands the seat to 刘洋 directly
    handed = client.post(
        f"{API}/assignments/{loop.ids['on_vanguard']}/replacements/{loop.people['刘洋'].id}/accept",
        headers=as_member("coordinator"),
    )
    assert handed.status_code in (200, 201), handed.text
    # the others asked are told at once: the seat is full
    offer = _offers(client, as_member("王芳"))[0]
    assert offer["status"] == "taken"
    assert f"person:{loop.people['王芳'].id}" in _told(db, "seat_taken")
    late = client.post(f"{API}/me/offers/{offer['id']}/accept", headers=as_member("王芳"))
    assert late.status_code == 409
    assert "已被他人接下" in late.json()["detail"]
    assert _offers(client, as_member("王芳"))[0]["status"] == "taken"
    assert _offers(client, as_member("王芳"))[0]["status_zh"] == "已被他人接下"


def test_the_coordinator_cannot_hand_on_a_seat_a_replacement_already_took(
    client: TestClient, loop: LoopWorld, as_member: Headers
) -> None:
    client.post(
        f"{API}/me/assignments/{loop.ids['on_vanguard']}/decline", headers=as_member("张伟")
    ).raise_for_status()
    offer = _offers(client, as_member("李强"))[0]
    taken = client.post(f"{API}/me/offers/{offer['id']}/accept", headers=as_member("李强"))
    assert taken.status_code == 200, taken.text
    # the seat holds one person: handing it to another as well is refused, nothing written
    second = client.post(
        f"{API}/assignments/{loop.ids['on_vanguard']}/replacements/{loop.people['刘洋'].id}/accept",
        headers=as_member("coordinator"),
    )
    assert second.status_code == 409
    assert "已被他人接下" in second.json()["detail"]
    mine = client.get(f"{API}/me/assignments", headers=as_member("刘洋")).json()
    assert mine == []


def test_an_offer_reads_as_its_reader_needs_it(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers
) -> None:
    """What, which day in the community's time (the title gives the hours), how near, and what
    to do; nothing twice."""
    client.post(
        f"{API}/me/assignments/{loop.ids['on_vanguard']}/decline",
        json={"reason": "周六加班"},
        headers=as_member("张伟"),
    )
    _fresh(db)
    offer = db.scalars(
        sa.select(Message).where(
            Message.kind == "seat_offered", Message.person_id == loop.people["王芳"].id
        )
    ).one()
    assert offer.body == (
        "「党员先锋岗 周六 08:30–11:30」，3月7日（周六），就在你家附近。"
        "能去的话，请在「接任务」里接下；先接下的人承担。"
    )
    assert offer.link == "#/work"
    zh, en = loop_events.words(
        loop.community, "seat_offered", {"title": "更换水龙头", "distance_m": 312.4}
    )
    assert "离你家约 312 米" in zh and "about 312 m from your home" in en


def test_an_offer_nobody_accepts_within_a_day_lapses_and_the_seat_stays_open(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers, app: FastAPI
) -> None:
    client.post(
        f"{API}/me/assignments/{loop.ids['on_vanguard']}/decline", headers=as_member("张伟")
    ).raise_for_status()
    (offer,) = _offers(client, as_member("王芳"))
    _fresh(db)
    # a day less an hour: nothing lapses yet
    assert claims.expire_offers(session=db, now=BEFORE_WEEK + timedelta(hours=23)) == []
    lapsed = claims.expire_offers(session=db, now=BEFORE_WEEK + claims.OFFER_TTL)
    db.commit()
    assert {o.person_id for o in lapsed} == {loop.people[n].id for n in ("王芳", "李强", "刘洋")}
    app.dependency_overrides[now] = lambda: BEFORE_WEEK + timedelta(hours=25)
    assert _offers(client, as_member("王芳"))[0]["status"] == "expired"
    late = client.post(f"{API}/me/offers/{offer['id']}/accept", headers=as_member("王芳"))
    assert late.status_code == 409
    assert "已过期" in late.json()["detail"]
    # the seat is open to claims, the lapsed replacement's included, without an offer
    seat = next(
        s
        for s in client.get(f"{API}/me/open-work", headers=as_member("王芳")).json()
        if s["demand_kind"] == "shift" and s["demand_id"] == loop.vanguard.id
    )
    assert seat["offer_id"] is None
    body = {"run_id": seat["run_id"], "demand_kind": "shift", "demand_id": loop.vanguard.id}
    claimed = client.post(f"{API}/me/claims", json=body, headers=as_member("王芳"))
    assert claimed.status_code == 201, claimed.text


def test_an_offer_lapses_when_accepted_too_late_even_before_the_job_runs(
    client: TestClient, db: Session, loop: LoopWorld, as_member: Headers, app: FastAPI
) -> None:
    client.post(
        f"{API}/me/assignments/{loop.ids['on_vanguard']}/decline", headers=as_member("张伟")
    ).raise_for_status()
    (offer,) = _offers(client, as_member("李强"))
    # within the day it is accepted
    app.dependency_overrides[now] = lambda: BEFORE_WEEK + timedelta(hours=23)
    (other,) = _offers(client, as_member("王芳"))
    app.dependency_overrides[now] = lambda: BEFORE_WEEK + claims.OFFER_TTL + timedelta(minutes=1)
    late = client.post(f"{API}/me/offers/{other['id']}/accept", headers=as_member("王芳"))
    assert late.status_code == 409
    assert (
        "offer has lapsed"
        in client.post(
            f"{API}/me/offers/{offer['id']}/accept",
            headers={**as_member("李强"), "Accept-Language": "en"},
        ).json()["detail"]
    )
    _fresh(db)
    statuses = {o.id: o.status for o in db.scalars(sa.select(SeatOffer))}
    assert statuses[other["id"]] == statuses[offer["id"]] == OfferStatus.EXPIRED


def test_an_offer_accepted_within_the_day_takes_the_seat(
    client: TestClient, loop: LoopWorld, as_member: Headers, app: FastAPI
) -> None:
    client.post(
        f"{API}/me/assignments/{loop.ids['on_vanguard']}/decline", headers=as_member("张伟")
    ).raise_for_status()
    (offer,) = _offers(client, as_member("王芳"))
    app.dependency_overrides[now] = lambda: BEFORE_WEEK + timedelta(hours=23)
    accepted = client.post(f"{API}/me/offers/{offer['id']}/accept", headers=as_member("王芳"))
    assert accepted.status_code == 200, accepted.text
