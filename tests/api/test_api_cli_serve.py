"""``tongxin serve`` and ``tongxin scheduler`` with the solve queue: web processes, the
embedded worker of development, the queue drained by ``scheduler --once``.

uvicorn itself is replaced here by a stand-in that records how it was started; the real
processes (``serve --workers 2`` beside ``tongxin scheduler`` on PostgreSQL) are in
``tests/jobs/test_jobs_solve_processes.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from api.cli.commands import app
from api.services.scheduling import queue_solve
from models import RunStatus, ScheduleRun
from models.db import create_all, make_engine, make_session_factory
from models.seed import import_scenario
from scenarios.load import load_scenario_data

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "hongguang.json"
MONDAY = date(2026, 3, 2)
#: refused before anything connects to it
UNREACHABLE_POSTGRES = "postgresql+psycopg://nobody@127.0.0.1:9/nothing"

runner = CliRunner()


@dataclass(frozen=True)
class Demo:
    factory: sessionmaker[Session]
    community_id: int


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    """The demo community in a SQLite file named by ``TONGXIN_DATABASE_URL``."""
    url = f"sqlite:///{tmp_path / 'tongxin.db'}"
    monkeypatch.setenv("TONGXIN_DATABASE_URL", url)
    monkeypatch.setenv("TONGXIN_ENV", "test")
    monkeypatch.delenv("TONGXIN_EMBEDDED_WORKER", raising=False)
    engine = make_engine(url)
    create_all(engine)
    # the worker writes beside the test, as beside the web app: both take the write lock first
    factory = make_session_factory(engine, write_lock_at_begin=True)
    with factory() as session:
        community = import_scenario(session, load_scenario_data(DEMO))
        session.commit()
        yield Demo(factory, community.id)
    engine.dispose()


def queue(demo: Demo) -> int:
    with demo.factory() as session:
        return queue_solve(
            session=session,
            community_id=demo.community_id,
            week_start=MONDAY,
            actor=None,
            time_limit_s=1,
        ).id


def status(demo: Demo, run_id: int) -> RunStatus:
    with demo.factory() as session:
        run = session.get(ScheduleRun, run_id)
        assert run is not None
        return run.status


def solve_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("tongxin-solve")]


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """How ``uvicorn.run`` was called; the stand-in returns at once."""
    seen: dict[str, Any] = {}

    def fake_run(target: Any, **options: Any) -> None:
        seen.update(options, target=target)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return seen


def test_serve_refuses_several_web_processes_on_sqlite(demo: Demo, started: dict[str, Any]) -> None:
    result = runner.invoke(app, ["serve", "--workers", "2", "--no-migrate"])
    assert result.exit_code == 2
    assert "SQLite 数据库只能用一个网页进程" in result.output
    assert "takes one web process only" in result.output
    assert started == {}


def test_serve_starts_several_web_processes_on_postgresql(
    started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TONGXIN_DATABASE_URL", UNREACHABLE_POSTGRES)
    monkeypatch.setenv("TONGXIN_ENV", "test")
    result = runner.invoke(app, ["serve", "--workers", "3", "--no-migrate", "--no-embedded-worker"])
    assert result.exit_code == 0, result.output
    # uvicorn's workers import the app by name and call the factory in each process
    assert started["target"] == "api.web.app:create_app"
    assert (started["factory"], started["workers"]) == (True, 3)
    assert "网页进程 web processes: 3" in result.output
    refused = runner.invoke(app, ["serve", "--workers", "2", "--reload", "--no-migrate"])
    assert refused.exit_code == 2
    assert "--reload 与 --workers 不能同时用" in refused.output


def test_serve_keeps_no_access_log_unless_asked(
    demo: Demo, started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["serve", "--no-migrate", "--no-embedded-worker"])
    assert result.exit_code == 0, result.output
    assert started["access_log"] is False
    # the C loop and parser by name: a server without them does not start on slower ones
    assert (started["loop"], started["http"]) == ("uvloop", "httptools")
    monkeypatch.setenv("TONGXIN_ACCESS_LOG", "true")
    again = runner.invoke(app, ["serve", "--no-migrate", "--no-embedded-worker"])
    assert again.exit_code == 0, again.output
    assert started["access_log"] is True


def test_serve_in_development_solves_queued_runs_itself(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved: list[RunStatus] = []

    def serving(target: Any, **options: Any) -> None:
        assert solve_threads(), "the embedded worker runs while the server does"
        run_id = queue(demo)
        deadline = time.monotonic() + 60
        while status(demo, run_id) in (RunStatus.QUEUED, RunStatus.SOLVING):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        solved.append(status(demo, run_id))

    monkeypatch.setattr(uvicorn, "run", serving)
    result = runner.invoke(app, ["serve", "--no-migrate"])
    assert result.exit_code == 0, result.output
    assert solved == [RunStatus.DRAFT]
    assert "排班 solves: 在本进程内计算 in this process" in result.output
    assert solve_threads() == []  # stopped with the server


def test_serve_leaves_the_queue_to_the_scheduler_when_told(
    demo: Demo, started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TONGXIN_EMBEDDED_WORKER", "false")
    result = runner.invoke(app, ["serve", "--no-migrate"])
    assert result.exit_code == 0, result.output
    assert "由 tongxin scheduler 进程计算" in result.output
    assert started["workers"] == 1
    flag = runner.invoke(app, ["serve", "--no-migrate", "--embedded-worker"])
    assert "在本进程内计算" in flag.output


def test_scheduler_once_solves_the_queue(demo: Demo) -> None:
    run_id = queue(demo)
    # a Thursday: no community drafts yet, the queue is solved all the same
    result = runner.invoke(
        app, ["scheduler", "--once", "--no-migrate", "--now", "2026-02-26T10:00"]
    )
    assert result.exit_code == 0, result.output
    assert "草稿 drafts 0 · 排队的排班 queued solves 1" in result.output
    assert status(demo, run_id) == RunStatus.DRAFT


def test_help_names_the_new_options() -> None:
    serve = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert serve.exit_code == 0
    for words in ("--workers", "--embedded-worker", "TONGXIN_EMBEDDED_WORKER", "PostgreSQL"):
        assert words in serve.output
    scheduler = runner.invoke(app, ["scheduler", "--help"], env={"COLUMNS": "200"})
    assert "--solvers" in scheduler.output
