"""A published week of one community for the member's loop: decline, offers, claims, check-in.

红光社区, week of Monday 2 March 2026, published. Four party members live at the service hall,
free every day all day, each with a member account; 赵敏 lives 3 km away (outside the walking
radius). 张伟 holds the Saturday shift of 党员先锋岗 (one person) and a wish visit on Tuesday at
10:00; 治安巡逻 (Sunday 19:00–21:00, two people) has nobody yet and is open to claims;
调解室值班 (Sunday 09:00–11:00) is filled by the weekly plan only. The clock of the requests is
``BEFORE_WEEK``: Sunday 1 March, noon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from matcher.domain import PersonKind
from models import (
    Assignment,
    Availability,
    Community,
    Person,
    RunStatus,
    ScheduleRun,
    Shift,
    UserAccount,
    UserRole,
    Wish,
    WishStatus,
    generate_shifts,
)
from models.community import DEFAULT_ZONE
from models.post import TakeMode
from tests.support.rows import LAT, LNG, WEEK_START, add_community, add_post, add_wish

#: the requests' "now": the Sunday before the week, noon in Beijing
BEFORE_WEEK = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
#: about 3 km north of the service hall
FAR_LAT = LAT + 0.027


def next_monday() -> date:
    """The Monday after today in the community's time zone: a week still ahead, so the pages
    offer its work and accept answers to it."""
    today = datetime.now(DEFAULT_ZONE).date()
    return today + timedelta(days=7 - today.weekday())


@dataclass
class LoopWorld:
    community: Community
    run: ScheduleRun
    people: dict[str, Person]
    users: dict[str, UserAccount]
    coordinator: UserAccount
    vanguard: Shift  # 张伟's Saturday shift, one person
    patrol: Shift  # Sunday evening, two people, nobody yet
    desk: Shift  # filled by the weekly plan only
    wish: Wish
    on_vanguard: Assignment
    on_wish: Assignment
    ids: dict[str, int] = field(default_factory=dict)


def _person(session: Session, community: Community, name: str, lat: float = LAT) -> Person:
    person = Person(
        community=community,
        name=name,
        kind=PersonKind.PARTY_MEMBER,
        home_lat=lat,
        home_lng=LNG,
        phone="13812345678",
        availability=[Availability(weekday=d, start_minute=0, end_minute=1440) for d in range(7)],
    )
    session.add(person)
    session.flush()
    return person


def build(session: Session, password_hash: str, week_start: date = WEEK_START) -> LoopWorld:
    """The world of the module's docstring, in the week of ``week_start`` (a Monday)."""
    community = add_community(session)
    vanguard_post = add_post(session, community, "党员先锋岗", ((5, 8 * 60 + 30, 11 * 60 + 30),))
    patrol_post = add_post(
        session, community, "治安巡逻", ((6, 19 * 60, 21 * 60),), min_staff=1, max_staff=2
    )
    desk_post = add_post(
        session, community, "调解室值班", ((6, 9 * 60, 11 * 60),), take_mode=TakeMode.OPTIMIZER
    )
    shifts = {s.post_id: s for s in generate_shifts(session, community.id, week_start)}
    wish = add_wish(
        session,
        community,
        status=WishStatus.ASSIGNED,
        earliest=week_start,
        deadline=week_start + timedelta(days=4),
    )
    people = {name: _person(session, community, name) for name in ("张伟", "王芳", "李强", "刘洋")}
    people["赵敏"] = _person(session, community, "赵敏", lat=FAR_LAT)
    users = {}
    for i, (name, person) in enumerate(people.items()):
        users[name] = UserAccount(
            username=f"loop{i}", password_hash=password_hash, role=UserRole.MEMBER, person=person
        )
        session.add(users[name])
    coordinator = UserAccount(
        username="loop_coordinator",
        password_hash=password_hash,
        role=UserRole.COORDINATOR,
        communities=[community],
    )
    session.add(coordinator)
    run = ScheduleRun(community=community, week_start=week_start, status=RunStatus.PUBLISHED)
    session.add(run)
    vanguard = shifts[vanguard_post.id]
    on_vanguard = Assignment(
        run=run,
        person=people["张伟"],
        starts_at=vanguard.starts_at,
        ends_at=vanguard.ends_at,
    )
    on_vanguard.demand = vanguard
    tuesday_ten = community.local_datetime(week_start + timedelta(days=1), 10 * 60)
    on_wish = Assignment(
        run=run,
        person=people["张伟"],
        starts_at=tuesday_ten,
        ends_at=tuesday_ten.replace(minute=45),
    )
    on_wish.demand = wish
    session.add_all([on_vanguard, on_wish])
    session.commit()
    world = LoopWorld(
        community=community,
        run=run,
        people=people,
        users=users,
        coordinator=coordinator,
        vanguard=vanguard,
        patrol=shifts[patrol_post.id],
        desk=shifts[desk_post.id],
        wish=wish,
        on_vanguard=on_vanguard,
        on_wish=on_wish,
    )
    world.ids = {
        "run": run.id,
        "vanguard": vanguard.id,
        "patrol": world.patrol.id,
        "desk": world.desk.id,
        "wish": wish.id,
        "on_vanguard": on_vanguard.id,
        "on_wish": on_wish.id,
        **{f"person:{name}": p.id for name, p in people.items()},
    }
    return world
