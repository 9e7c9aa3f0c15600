"""The scheduler process: its jobs and timetable, ``--once``, and two schedulers at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from typer.testing import CliRunner

from api.cli.commands import app
from api.settings import Settings
from api.worker import jobs
from api.worker.scheduler import MISFIRE_GRACE_S, build_scheduler, run_once
from models import RunStatus
from tests.support.jobs_helpers import TIME_LIMIT_S, World, local, runs


def test_build_scheduler_has_every_job_with_explicit_settings(tmp_path: Path) -> None:
    from models.db import create_all, make_engine, make_session_factory
    from models.seed import import_scenario
    from scenarios.generate import generate

    url = f"sqlite:///{tmp_path / 'scheduler.db'}"
    engine = make_engine(url)
    create_all(engine)
    with make_session_factory(engine)() as session:
        community = import_scenario(session, generate(kind="community", seed=3))
        community.weekly_run_weekday, community.weekly_run_minute = 5, 9 * 60 + 30
        session.commit()
        community_id = community.id
    engine.dispose()

    scheduler = build_scheduler(Settings(env="test", database_url=url))
    assert str(scheduler.timezone) == "Asia/Shanghai"
    scheduler.start(paused=True)
    try:
        found = {job.id: job for job in scheduler.get_jobs()}
        assert set(found) == {
            "remind",
            "chase",
            "escalate",
            "digest",
            "service-cards",
            "expire-offers",
            "deliver",
            "communities",
            f"draft:{community_id}",
        }
        for job in found.values():
            assert job.coalesce is True
            assert job.misfire_grace_time is not None and job.misfire_grace_time >= MISFIRE_GRACE_S
        draft_trigger = found[f"draft:{community_id}"].trigger
        assert isinstance(draft_trigger, CronTrigger)
        fields = {f.name: str(f) for f in draft_trigger.fields}
        assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("sat", "9", "30")
        assert str(draft_trigger.timezone) == "Asia/Shanghai"
        cards = {f.name: str(f) for f in found["service-cards"].trigger.fields}
        assert (cards["day"], cards["hour"], cards["minute"]) == ("*", "9", "30")
    finally:
        scheduler.shutdown(wait=False)

    # a restart replaces the stored jobs instead of adding copies
    again = build_scheduler(Settings(env="test", database_url=url))
    again.start(paused=True)
    try:
        assert Counter(job.id for job in again.get_jobs())[f"draft:{community_id}"] == 1
        assert len(again.get_jobs()) == 9
    finally:
        again.shutdown(wait=False)


def test_run_once_does_what_is_due_and_nothing_twice(world: World) -> None:
    thursday = local(2026, 2, 26, 20)
    done = run_once(session_factory=world.factory, now=thursday, time_limit_s=TIME_LIMIT_S)
    assert done["drafts"] == []
    friday = local(2026, 2, 27, 20, 30)
    done = run_once(session_factory=world.factory, now=friday, time_limit_s=TIME_LIMIT_S)
    [outcome] = done["drafts"]
    assert outcome.status == RunStatus.DRAFT
    assert done["delivered"] >= 1  # the coordinator's "draft ready"
    done = run_once(session_factory=world.factory, now=friday, time_limit_s=TIME_LIMIT_S)
    assert done["drafts"][0].run_id is None
    assert done["delivered"] == 0
    assert len(runs(world)) == 1


def test_two_schedulers_draft_one_week_once(world: World) -> None:
    # a skip by database, never by a missing package: the race is held by PostgreSQL's row
    # locks, and the fixtures run every test on SQLite too, which has none
    if world.backend != "postgresql":
        pytest.skip("SQLite has no row locks; the race is held on PostgreSQL")
    barrier = threading.Barrier(2)
    outcomes: list[jobs.DraftOutcome] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            outcomes.append(
                jobs.draft_next_week(
                    session_factory=world.factory,
                    community_id=world.community_id,
                    now=local(2026, 2, 27, 20),
                    time_limit_s=TIME_LIMIT_S,
                )
            )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(o.run_id is None for o in outcomes) == [False, True]
    assert [(r.week_start, r.status) for r in runs(world)] == [(date(2026, 3, 2), RunStatus.DRAFT)]


def test_the_command_runs_once_and_exits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGXIN_DATABASE_URL", f"sqlite:///{tmp_path / 'once.db'}")
    result = CliRunner().invoke(app, ["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "drafts 0" in result.output
