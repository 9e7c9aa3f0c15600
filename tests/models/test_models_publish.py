"""Two coordinators publish the same week at once: exactly one of them succeeds."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import Community, RunStatus, ScheduleRun, Street, publish_run
from models.db import create_all
from tests.support.isolated_databases import Backend

WEEK = date(2026, 3, 2)


@pytest.fixture
def committed(backend: Backend) -> sa.Engine:
    """A database of its own: this test needs real commits from two connections."""
    engine = backend.new_engine()
    create_all(engine)
    return engine


def test_concurrent_publishes_leave_one_published_run(committed: sa.Engine) -> None:
    with Session(committed) as session:
        community = Community(street=Street(name="江南街道"), name="红光社区")
        old = ScheduleRun(community=community, week_start=WEEK)
        session.add(old)
        session.flush()
        publish_run(session, old)
        draft = ScheduleRun(community=community, week_start=WEEK)
        session.add(draft)
        session.commit()
        draft_id, old_id = draft.id, old.id

    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def publish() -> None:
        with Session(committed) as session:
            run = session.get(ScheduleRun, draft_id)
            assert run is not None
            barrier.wait()
            try:
                publish_run(session, run)
                session.commit()
                outcomes.append("published")
            except (StaleDataError, IntegrityError, OperationalError) as error:
                session.rollback()
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("published") == 1, outcomes
    assert len(outcomes) == 2
    with Session(committed) as session:
        rows = session.execute(sa.select(ScheduleRun.id, ScheduleRun.status)).all()
    statuses = dict(rows)
    assert statuses == {old_id: RunStatus.SUPERSEDED, draft_id: RunStatus.PUBLISHED}
