"""A small community for the message tests: a shift with two members, a wish visit, a
coordinator with a work phone, a pending registration, a street admin.

Every test runs on a fresh SQLite file, and also on a fresh PostgreSQL schema when
``TONGXIN_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from matcher.domain import PersonKind
from models import (
    Assignment,
    Community,
    Household,
    Person,
    Post,
    RunStatus,
    ScheduleRun,
    Shift,
    Street,
    UserAccount,
    UserRole,
    Wish,
    WishStatus,
)
from models.db import make_session_factory
from tests.support.isolated_databases import Backend, backends

ZONE = ZoneInfo("Asia/Shanghai")
WEEK = date(2026, 3, 2)
#: Saturday 7 March 2026, 08:30–11:30 in the community (00:30–03:30 UTC)
SHIFT_START = datetime(2026, 3, 7, 8, 30, tzinfo=ZONE)
#: Tuesday 3 March 2026, 19:00–20:00
VISIT_START = datetime(2026, 3, 3, 19, 0, tzinfo=ZONE)
#: Friday evening before the week, when it is published
PUBLISHED_AT = datetime(2026, 2, 27, 21, 0, tzinfo=ZONE)
ADDRESS = "幸福里3栋2单元401"
COORDINATOR_PHONE = "13900001111"


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


@dataclass
class Place:
    factory: sessionmaker[Session]
    community_id: int
    street_id: int
    ids: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.ids[name]


@pytest.fixture(scope="session", params=backends())
def messages_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    made = Backend(request.param, tmp_path_factory.mktemp(f"messages-{request.param}"))
    yield made
    made.close()


@pytest.fixture
def engine(messages_backend: Backend) -> Iterator[Engine]:
    with messages_backend.database() as made:
        yield made


@pytest.fixture
def place(engine: Engine) -> Place:
    """红光社区 with a draft of the week of 2 March 2026, not yet published."""
    factory = make_session_factory(engine)
    with factory() as session:
        street = Street(name="凤凰街道")
        community = Community(street=street, name="红光社区", timezone="Asia/Shanghai")
        post = Post(
            community=community,
            name="党员先锋岗",
            place="红光社区党群服务中心一楼",
            lat=24.3,
            lng=116.1,
        )
        shift = Shift(
            post=post,
            day=SHIFT_START.date(),
            starts_at=SHIFT_START,
            ends_at=SHIFT_START + timedelta(hours=3),
        )

        def person(name: str, **extra: object) -> Person:
            return Person(
                community=community,
                name=name,
                kind=PersonKind.PARTY_MEMBER,
                home_lat=24.3,
                home_lng=116.1,
                **extra,
            )

        wang = person("王芳", phone="13812345678", email="wangfang@example.com")
        li = person("李明", phone="13700002222", language="en")
        zhao = person("赵强", pending=True)
        household = Household(community=community, name="刘奶奶", address=ADDRESS)
        wish = Wish(
            community=community,
            household=household,
            title="陪同就医",
            category="医疗卫生",
            duration_minutes=60,
            earliest=WEEK,
            deadline=WEEK + timedelta(days=4),
            lat=24.3,
            lng=116.1,
            status=WishStatus.OPEN,
        )
        coordinator = UserAccount(
            username="chen",
            password_hash="-",
            role=UserRole.COORDINATOR,
            display_name="陈书记",
            phone=COORDINATOR_PHONE,
            email="chen@example.com",
        )
        coordinator.communities = [community]
        admin = UserAccount(
            username="street", password_hash="-", role=UserRole.STREET_ADMIN, street=street
        )
        run = ScheduleRun(community=community, week_start=WEEK, status=RunStatus.DRAFT)
        on_shift = [
            Assignment(run=run, person=p, starts_at=shift.starts_at, ends_at=shift.ends_at)
            for p in (wang, li)
        ]
        for assignment in on_shift:
            assignment.demand = shift
        visit = Assignment(
            run=run, person=wang, starts_at=VISIT_START, ends_at=VISIT_START + timedelta(hours=1)
        )
        visit.demand = wish
        session.add_all([community, zhao, coordinator, admin, run, *on_shift, visit])
        session.commit()
        return Place(
            factory=factory,
            community_id=community.id,
            street_id=street.id,
            ids={
                "wang": wang.id,
                "li": li.id,
                "zhao": zhao.id,
                "wish": wish.id,
                "shift": shift.id,
                "post": post.id,
                "coordinator": coordinator.id,
                "admin": admin.id,
                "run": run.id,
                "wang_shift": on_shift[0].id,
                "li_shift": on_shift[1].id,
                "wang_visit": visit.id,
            },
        )
