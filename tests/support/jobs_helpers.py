"""The clock and the world the job tests share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models import Message, Notification, ScheduleRun
from models.community import DEFAULT_ZONE

#: solves in these tests are short; the generated community is small enough
TIME_LIMIT_S = 1.0


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment on the community's wall clock (Asia/Shanghai)."""
    return datetime(year, month, day, hour, minute, tzinfo=DEFAULT_ZONE)


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


def inbox(world: World, kind: str | None = None) -> list[Message]:
    """The inbox messages written, oldest first."""
    with world.factory() as session:
        query = sa.select(Message).order_by(Message.id)
        if kind is not None:
            query = query.where(Message.kind == kind)
        return list(session.scalars(query))


def set_auto_publish(world: World, value: bool) -> None:
    from models import Community

    with world.factory() as session:
        community = session.get(Community, world.community_id)
        assert community is not None
        community.auto_publish = value
        session.commit()


def database_url(world: World) -> str:
    """A URL that reaches the test's own database (on PostgreSQL, its private schema)."""
    url = world.engine.url.render_as_string(hide_password=False)
    if world.backend != "postgresql":
        return url
    with world.engine.connect() as connection:
        schema = connection.scalar(sa.text("SELECT current_schema()"))
    return f"{url}?options=-csearch_path%3D{schema}"


def scheduler_process(url: str, now: str, barrier: Any, results: Any, hold_s: float) -> None:
    """One scheduler process: waits for the other, then runs every due job once.

    ``hold_s`` stretches the moment between finding the week without a run and committing
    its new ``solving`` run, so that without the database's lock both processes would find
    the week empty. Module-level, so a spawned process can import it.
    """
    import time
    from unittest.mock import patch

    from sqlalchemy.orm import Session

    from api.worker.scheduler import run_once
    from models import RunStatus
    from models.db import make_engine, make_session_factory

    commit = Session.commit

    def slowly(session: Session) -> None:
        if any(
            isinstance(row, ScheduleRun) and row.status == RunStatus.SOLVING for row in session.new
        ):
            time.sleep(hold_s)
        commit(session)

    patch.object(Session, "commit", slowly).start()  # for the rest of this process
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        barrier.wait(timeout=120)
        done = run_once(
            session_factory=factory,
            now=datetime.fromisoformat(now),
            time_limit_s=TIME_LIMIT_S,
        )
        results.put([(d.run_id, d.status.value if d.status else None) for d in done["drafts"]])
    except BaseException as error:
        results.put(f"{type(error).__name__}: {error}")
        raise
    finally:
        engine.dispose()
