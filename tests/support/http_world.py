"""A small street for the authorization tests: two streets, three communities, every role.

    江南街道 (street S1) ── 红光社区 A: grids A1, A2 · 路东社区 B: grid B1
    北山街道 (street S2) ── 凤凰社区 C: grid C1

Accounts: ``street_admin`` of S1, ``coordinator_a``, ``coordinator_b``, ``grid_leader_a`` (of
A1), ``member_a`` (person ``person_a1`` in A1). Each community has a person, a wish, a post and
an activity; A also has a second person and wish in A2. A published run of A assigns
``person_a1`` to ``wish_a1`` and ``person_a2`` to a shift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from api.schemas.privacy import PRIVACY_NOTICE_VERSION
from matcher.domain import PersonKind
from models import (
    Activity,
    ActivityRole,
    Assignment,
    Community,
    DayRule,
    Grid,
    Household,
    Message,
    Person,
    Place,
    PlaceKind,
    Post,
    RecurringActivity,
    RunStatus,
    ScheduleRun,
    Shift,
    ShiftTemplate,
    Situation,
    Street,
    UserAccount,
    UserRole,
    Wish,
    WishStatus,
)

LAT, LNG = 24.289, 116.122
WEEK = date(2026, 3, 2)
PHONES = {
    "person_a1": "13812345678",
    "person_a2": "13900001111",
    "person_b1": "13722223333",
    "person_c1": "13644445555",
}
HOUSEHOLD_PHONE = "13511112222"
HOUSEHOLD_ADDRESS = "黄金花园3栋2单元501"

#: every account of the test world logs in with this password
PASSWORD = "correct horse battery staple"


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    users: dict[str, UserAccount] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.ids[name]


def build(session: Session, password_hash: str) -> World:
    world = World()
    s1, s2 = Street(name="江南街道"), Street(name="北山街道")
    a = Community(street=s1, name="红光社区")
    b = Community(street=s1, name="路东社区")
    c = Community(street=s2, name="凤凰社区")
    grids = {
        "grid_a1": Grid(community=a, name="第一网格", center_lat=LAT, center_lng=LNG),
        "grid_a2": Grid(community=a, name="第二网格", center_lat=LAT + 0.01, center_lng=LNG),
        "grid_b1": Grid(community=b, name="第一网格", center_lat=LAT, center_lng=LNG),
        "grid_c1": Grid(community=c, name="第一网格", center_lat=LAT, center_lng=LNG),
    }
    session.add_all([s1, s2, a, b, c, *grids.values()])

    def person(key: str, community: Community, grid: Grid) -> Person:
        row = Person(
            community=community,
            grid=grid,
            name=f"党员{key[-2:]}",
            kind=PersonKind.PARTY_MEMBER,
            home_lat=LAT,
            home_lng=LNG,
            phone=PHONES[key],
            id_number="110101199003071234",
            work_unit="区人民医院",
        )
        row.skills = {"水电维修"}
        session.add(row)
        return row

    people = {
        "person_a1": person("person_a1", a, grids["grid_a1"]),
        "person_a2": person("person_a2", a, grids["grid_a2"]),
        "person_b1": person("person_b1", b, grids["grid_b1"]),
        "person_c1": person("person_c1", c, grids["grid_c1"]),
    }

    def wish(community: Community, grid: Grid, status: WishStatus = WishStatus.RECORDED) -> Wish:
        household = Household(
            community=community,
            grid=grid,
            name="李秀英",
            address=HOUSEHOLD_ADDRESS,
            phone=HOUSEHOLD_PHONE,
        )
        household.situations = {Situation.ELDERLY_ALONE}
        row = Wish(
            community=community,
            grid=grid,
            household=household,
            title="更换漏水水龙头",
            category="水电维修",
            duration_minutes=45,
            earliest=WEEK,
            deadline=WEEK + timedelta(days=4),
            lat=LAT,
            lng=LNG,
            status=status,
        )
        session.add(row)
        return row

    wishes = {
        "wish_a1": wish(a, grids["grid_a1"]),
        "wish_a2": wish(a, grids["grid_a2"]),
        "wish_b1": wish(b, grids["grid_b1"]),
        "wish_c1": wish(c, grids["grid_c1"]),
        # assigned in the published run below
        "wish_a1_assigned": wish(a, grids["grid_a1"], WishStatus.OPEN),
    }

    def post(community: Community) -> Post:
        row = Post(
            community=community,
            name="党员先锋岗",
            place=f"{community.name}党群服务中心",
            lat=LAT,
            lng=LNG,
            templates=[ShiftTemplate(weekday=5, start_minute=510, end_minute=690)],
        )
        session.add(row)
        return row

    posts = {"post_a": post(a), "post_b": post(b), "post_c": post(c)}

    def estate(community: Community) -> Place:
        row = Place(community=community, kind=PlaceKind.ESTATE, name="阳光小区", lat=LAT, lng=LNG)
        session.add(row)
        return row

    places = {"place_a": estate(a), "place_c": estate(c)}

    def activity(community: Community) -> Activity:
        day = date(2026, 3, 5)
        row = Activity(
            community=community,
            name="学雷锋便民服务集市",
            day=day,
            starts_at=community.local_datetime(day, 540),
            ends_at=community.local_datetime(day, 690),
            place="广场",
            lat=LAT,
            lng=LNG,
            roles=[ActivityRole(position=0, skill=None, headcount=3)],
        )
        session.add(row)
        return row

    activities = {"activity_a": activity(a), "activity_b": activity(b), "activity_c": activity(c)}
    session.flush()

    def recurring(community: Community) -> RecurringActivity:
        row = RecurringActivity(
            community_id=community.id,
            name="党员服务日",
            day_rule=DayRule.SERVICE_DAY,
            start_minute=1110,
            end_minute=1230,
            lat=LAT,
            lng=LNG,
            roles=[{"skill": None, "headcount": 6}],
            # stopped, so that reading a week makes no activity of it; stopping it again is
            # still a change only a manager may ask for
            active=False,
        )
        session.add(row)
        return row

    rules = {"recurring_b": recurring(b), "recurring_c": recurring(c)}
    session.flush()
    session.flush()

    past = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    shift = Shift(post=posts["post_a"], day=WEEK, starts_at=past, ends_at=past + timedelta(hours=3))
    run = ScheduleRun(community=a, week_start=WEEK, status=RunStatus.PUBLISHED)
    session.add_all([shift, run])
    wishes["wish_a1_assigned"].advance(WishStatus.ASSIGNED)
    own = Assignment(
        run=run, person=people["person_a1"], starts_at=past, ends_at=past + timedelta(hours=1)
    )
    own.demand = wishes["wish_a1_assigned"]
    others = Assignment(
        run=run, person=people["person_a2"], starts_at=past, ends_at=past + timedelta(hours=3)
    )
    others.demand = shift
    draft = ScheduleRun(community=a, week_start=WEEK, status=RunStatus.DRAFT)
    in_draft = Assignment(
        run=draft, person=people["person_a1"], starts_at=past, ends_at=past + timedelta(hours=3)
    )
    in_draft.demand = shift
    session.add_all([own, others, draft, in_draft])

    def account(name: str, role: UserRole, **links: object) -> None:
        user = UserAccount(username=name, password_hash=password_hash, role=role, **links)
        session.add(user)
        world.users[name] = user

    account("street_admin", UserRole.STREET_ADMIN, street=s1)
    account("coordinator_a", UserRole.COORDINATOR, communities=[a])
    account("coordinator_b", UserRole.COORDINATOR, communities=[b])
    account("grid_leader_a", UserRole.GRID_LEADER, grids=[grids["grid_a1"]])
    account("member_a", UserRole.MEMBER, person=people["person_a1"])
    # a message in the member's inbox and one in coordinator A's
    inboxes = {
        "message_member_a": Message(
            dedupe_key="hello:person_a1",
            kind="notice",
            person=people["person_a1"],
            subject="你好",
            body="欢迎",
            link="",
        ),
        "message_coordinator_a": Message(
            dedupe_key="hello:coordinator_a",
            kind="notice",
            user=world.users["coordinator_a"],
            subject="你好",
            body="欢迎",
            link="",
        ),
    }
    session.add_all(inboxes.values())
    session.commit()

    world.ids.update({"community_a": a.id, "community_b": b.id, "community_c": c.id})
    for group in (grids, people, wishes, posts, places, activities, rules):
        world.ids.update({key: row.id for key, row in group.items()})
    world.ids.update(
        {
            "assignment_own": own.id,
            "assignment_other": others.id,
            "assignment_draft": in_draft.id,
            "shift_a": shift.id,
            "run_a": run.id,
        }
    )
    world.ids.update({key: row.id for key, row in inboxes.items()})
    return world


def registration(world: World, **changes: Any) -> dict[str, Any]:
    """A registration (报到) body for community A; ``changes`` replace fields."""
    body: dict[str, Any] = {
        "phone": "138 1234 5678",
        "password": "守望相助共建家园",
        "name": "张伟",
        "kind": "party_member",
        "community_id": world["community_a"],
        "home": {"lat": 24.2995, "lng": 116.122},
        "work_unit": "区人民医院",
        "skills": ["医疗卫生", "助老"],
        "service_categories": ["医疗卫生"],
        "availability": [
            {"weekday": 5, "start": "08:30", "end": "12:00"},
            {"weekday": 2, "start": "19:00", "end": "21:00"},
        ],
        "weekly_hours_cap": 4,
        "consent": {"version": PRIVACY_NOTICE_VERSION, "accepted": True},
    }
    body.update(changes)
    return body
