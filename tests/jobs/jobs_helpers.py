"""The clock and the world the job tests share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.jobs import SHANGHAI
from models import Notification, ScheduleRun

#: solves in these tests are short; the generated community is small enough
TIME_LIMIT_S = 1.0


def local(*args: int) -> datetime:
    """A moment on the community's wall clock (Asia/Shanghai)."""
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


@dataclass
class World:
    backend: str
    engine: Engine
    factory: sessionmaker[Session]
    community_id: int
    street_id: int
    coordinator: str
    street_admin: str


def runs(world: World) -> list[ScheduleRun]:
    with world.factory() as session:
        return list(session.scalars(sa.select(ScheduleRun).order_by(ScheduleRun.id)))


def notifications(world: World, kind: str | None = None) -> list[Notification]:
    with world.factory() as session:
        query = sa.select(Notification).order_by(Notification.id)
        if kind is not None:
            query = query.where(Notification.kind == kind)
        return list(session.scalars(query))


def set_auto_publish(world: World, value: bool) -> None:
    from models import Community

    with world.factory() as session:
        community = session.get(Community, world.community_id)
        assert community is not None
        community.auto_publish = value
        session.commit()
