"""The member's task card (place, team-mates, whom to call, instructions, what to bring) and
their calendar: the file, and the private feed a calendar app subscribes to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from icalendar import Calendar, Component
from sqlalchemy.orm import Session

from models import Assignment, AssignmentStatus
from models.calendar import Activity
from models.person import Person
from models.post import Post
from models.schedule import ScheduleRun
from models.user import UserAccount
from models.wish import Wish
from tests.api.conftest import AuthHeaders, MakeUser
from tests.support.http_world import HOUSEHOLD_ADDRESS, HOUSEHOLD_PHONE, World

Headers = Callable[[str], dict[str, str]]

INSTRUCTIONS = "先到社区服务站领取工具，进门前敲门并出示志愿者证"
BRING = "扳手、生料带"
COORDINATOR_PHONE = "13900001111"


@pytest.fixture
def team(db: Session, world: World) -> World:
    """The member's wish with instructions and a team-mate; a coordinator members may call."""
    wish = db.get(Wish, world["wish_a1_assigned"])
    own = db.get(Assignment, world["assignment_own"])
    run = db.get(ScheduleRun, world["run_a"])
    assert wish is not None and own is not None and run is not None
    wish.instructions, wish.what_to_bring = INSTRUCTIONS, BRING
    mate = Assignment(
        run=run,
        person_id=world["person_a2"],
        starts_at=own.starts_at,
        ends_at=own.ends_at,
        status=AssignmentStatus.CONFIRMED,
    )
    mate.demand = wish
    db.add(mate)
    coordinator = db.get(UserAccount, world.users["coordinator_a"].id)
    assert coordinator is not None
    coordinator.display_name, coordinator.phone = "王书记", COORDINATOR_PHONE
    db.commit()
    return world


def _event(text: bytes | str) -> Component:
    calendar = Calendar.from_ical(text)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def test_the_card_tells_where_with_whom_whom_to_call_and_what_to_bring(
    client: TestClient, db: Session, team: World, as_role: Headers
) -> None:
    card = client.get("/api/v1/me/assignments", headers=as_role("member_a")).json()[0]
    assert card["instructions"] == INSTRUCTIONS
    assert card["what_to_bring"] == BRING
    assert card["teammates"] == ["党员a2"]
    assert card["coordinators"] == [{"name": "王书记", "phone": COORDINATOR_PHONE}]
    # a wish's place is the household's address: not before the member said yes
    assert card["place"] == ""
    # a team-mate who declined is no longer on it
    mate = db.scalars(
        sa.select(Assignment).where(
            Assignment.person_id == team["person_a2"],
            Assignment.wish_id == team["wish_a1_assigned"],
        )
    ).one()
    mate.status = AssignmentStatus.DECLINED
    db.commit()
    card = client.get("/api/v1/me/assignments", headers=as_role("member_a")).json()[0]
    assert card["teammates"] == []
    confirm = f"/api/v1/me/assignments/{team['assignment_own']}/confirm"
    assert client.post(confirm, headers=as_role("member_a")).status_code == 200
    card = client.get("/api/v1/me/assignments", headers=as_role("member_a")).json()[0]
    assert card["place"] == HOUSEHOLD_ADDRESS


def test_a_post_carries_its_instructions_to_the_card(
    client: TestClient,
    db: Session,
    world: World,
    as_role: Headers,
    make_user: MakeUser,
    auth_headers: AuthHeaders,
) -> None:
    written = client.patch(
        f"/api/v1/posts/{world['post_a']}",
        json={"instructions": "穿红马甲，站在大门口", "what_to_bring": "党员徽章"},
        headers=as_role("coordinator_a"),
    )
    assert written.status_code == 200, written.text
    assert written.json()["instructions"] == "穿红马甲，站在大门口"
    refused = client.patch(
        f"/api/v1/posts/{world['post_a']}",
        json={"what_to_bring": "x" * 2001},
        headers={**as_role("coordinator_a"), "Accept-Language": "en"},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "what_to_bring"
    # the member on the post's shift sees them on the card
    person = db.get(Person, world["person_a2"])
    headers = auth_headers(make_user("member", person=person))
    card = client.get("/api/v1/me/assignments", headers=headers).json()[0]
    post = db.get(Post, world["post_a"])
    assert post is not None
    assert card["place"] == post.place
    assert card["instructions"] == "穿红马甲，站在大门口"
    assert card["what_to_bring"] == "党员徽章"
    assert card["teammates"] == []


def test_the_calendar_file_has_place_description_and_reminder(
    client: TestClient, team: World, as_role: Headers
) -> None:
    response = client.get("/api/v1/me/assignments.ics", headers=as_role("member_a"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    event = _event(response.content)
    assert str(event["SUMMARY"]) == "更换漏水水龙头"
    assert str(event["UID"]) == f"assignment-{team['assignment_own']}@testserver"
    assert str(event["STATUS"]) == "TENTATIVE"
    start = event.decoded("DTSTART")
    # in the community's clock (Asia/Shanghai), the same moment as the task's
    assert start.tzinfo is not None and start.utcoffset() == timedelta(hours=8)
    assert start == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    assert event.decoded("DTEND") - start == timedelta(hours=1)
    description = str(event["DESCRIPTION"])
    assert f"说明：{INSTRUCTIONS}" in description
    assert f"需携带：{BRING}" in description
    assert "同组：党员a2" in description
    assert f"联系：王书记 {COORDINATOR_PHONE}" in description
    # proposed: no address anywhere in the file, nor the household's phone
    assert "LOCATION" not in event
    assert HOUSEHOLD_ADDRESS not in response.text
    assert HOUSEHOLD_PHONE not in response.text
    alarms = list(event.walk("VALARM"))
    assert len(alarms) == 1
    assert str(alarms[0]["ACTION"]) == "DISPLAY"
    assert alarms[0].decoded("TRIGGER") == -timedelta(hours=1)
    # the zone the times name is described in the file
    assert any(
        str(tz["TZID"]) == "Asia/Shanghai"
        for tz in Calendar.from_ical(response.content).walk("VTIMEZONE")
    )


def test_the_private_feed_follows_the_tasks_and_a_new_address_stops_the_old(
    client: TestClient, db: Session, team: World, as_role: Headers
) -> None:
    headers = as_role("member_a")
    off = client.get("/api/v1/me/calendar-feed", headers=headers)
    assert off.json() == {"url": None, "webcal_url": None}
    feed = client.post("/api/v1/me/calendar-feed", headers=headers).json()
    assert feed["url"].startswith("http://testserver/api/v1/calendar/")
    assert feed["webcal_url"] == "webcal://" + feed["url"].removeprefix("http://")
    # shown again later, the same address
    assert client.get("/api/v1/me/calendar-feed", headers=headers).json() == feed
    path = feed["url"].removeprefix("http://testserver")
    # no login: the address is the key
    first = client.get(path)
    assert first.status_code == 200, first.text
    event = _event(first.content)
    assert "LOCATION" not in event and HOUSEHOLD_ADDRESS not in first.text
    # confirmed: the feed now has the household's address
    client.post(f"/api/v1/me/assignments/{team['assignment_own']}/confirm", headers=headers)
    event = _event(client.get(path).content)
    assert str(event["LOCATION"]) == HOUSEHOLD_ADDRESS
    assert str(event["STATUS"]) == "CONFIRMED"
    # the service done, the address leaves the feed again
    client.post(
        f"/api/v1/assignments/{team['assignment_own']}/hours",
        json={"hours": 1},
        headers=as_role("coordinator_a"),
    )
    done = client.get(path)
    assert "LOCATION" not in _event(done.content) and HOUSEHOLD_ADDRESS not in done.text
    # a new address: the old one is gone, the new one works
    renewed = client.post("/api/v1/me/calendar-feed", headers=headers).json()
    assert renewed["url"] != feed["url"]
    assert client.get(path).status_code == 404
    assert client.get(renewed["url"].removeprefix("http://testserver")).status_code == 200
    # the token is not kept in the clear
    user = db.get(UserAccount, team.users["member_a"].id)
    assert user is not None
    db.refresh(user)
    token = renewed["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert user.calendar_token_hash is not None and token not in user.calendar_token_hash


def test_an_unknown_or_closed_feed_is_not_found(
    client: TestClient, db: Session, team: World, as_role: Headers
) -> None:
    assert client.get("/api/v1/calendar/nothing-here.ics").status_code == 404
    assert client.get("/api/v1/calendar/" + "x" * 300 + ".ics").status_code == 404
    feed = client.post("/api/v1/me/calendar-feed", headers=as_role("member_a")).json()
    path = feed["url"].removeprefix("http://testserver")
    user = db.get(UserAccount, team.users["member_a"].id)
    assert user is not None
    user.active = False
    db.commit()
    assert client.get(path).status_code == 404


def test_an_activity_takes_instructions_when_made_and_later(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    made = client.post(
        f"/api/v1/communities/{world['community_a']}/calendar/2026/3/activities",
        json={
            "name": "义诊",
            "day": "2026-03-12",
            "start": "09:00",
            "end": "11:00",
            "lat": 24.2,
            "lng": 116.1,
            "instructions": "八点半到卫生站集合",
            "what_to_bring": "血压计",
        },
        headers=as_role("coordinator_a"),
    )
    assert made.status_code == 201, made.text
    assert (made.json()["instructions"], made.json()["what_to_bring"]) == (
        "八点半到卫生站集合",
        "血压计",
    )
    # the member on the market's activity reads the words written afterwards
    activity = db.get(Activity, world["activity_a"])
    run = db.get(ScheduleRun, world["run_a"])
    assert activity is not None and run is not None
    helper = Assignment(
        run=run,
        person_id=world["person_a1"],
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
    )
    helper.demand = activity
    db.add(helper)
    db.commit()
    url = f"/api/v1/activities/{world['activity_a']}"
    changed = client.patch(
        url,
        json={"instructions": "在广场东侧搭棚", "what_to_bring": "折叠桌"},
        headers=as_role("coordinator_a"),
    )
    assert changed.status_code == 200, changed.text
    cards = client.get("/api/v1/me/assignments", headers=as_role("member_a")).json()
    card = next(c for c in cards if c["demand_kind"] == "activity")
    assert (card["place"], card["instructions"], card["what_to_bring"]) == (
        "广场",
        "在广场东侧搭棚",
        "折叠桌",
    )
    cleared = client.patch(
        url,
        json={"instructions": None},
        headers={**as_role("coordinator_a"), "Accept-Language": "en"},
    )
    assert cleared.status_code == 422
    assert cleared.json()["detail"][0]["field"] == "instructions"
    assert cleared.json()["detail"][0]["msg"] == "Cannot be null"


def test_a_declined_task_leaves_the_feed(client: TestClient, team: World, as_role: Headers) -> None:
    headers = as_role("member_a")
    feed = client.post("/api/v1/me/calendar-feed", headers=headers).json()
    path = feed["url"].removeprefix("http://testserver")
    assert len(Calendar.from_ical(client.get(path).content).walk("VEVENT")) == 1
    declined = client.post(
        f"/api/v1/me/assignments/{team['assignment_own']}/decline",
        json={"reason": "出差"},
        headers=headers,
    )
    assert declined.status_code == 200, declined.text
    assert Calendar.from_ical(client.get(path).content).walk("VEVENT") == []
