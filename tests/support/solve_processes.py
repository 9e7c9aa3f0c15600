"""Worker processes for the solve queue's tests: module-level, so a spawned process can import
them, each with its own interpreter, engine and connections, as a ``tongxin scheduler`` on
another machine would have."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any


def slow_solver(url: str, lease_s: float, hold_s: float) -> None:
    """Claim the oldest queued run and solve it, the matcher taking ``hold_s`` seconds; the
    test kills the process while it solves."""
    import matcher
    from api.worker.solve_queue import SolveWorker
    from models.db import make_engine, make_session_factory

    solve = matcher.solve

    def slow(problem: Any) -> Any:
        time.sleep(hold_s)
        return solve(problem)

    matcher.solve = slow
    engine = make_engine(url)
    factory = make_session_factory(engine, write_lock_at_begin=True)
    SolveWorker(session_factory=factory, lease=timedelta(seconds=lease_s)).work_once()


def draining_worker(url: str, hold_s: float, barrier: Any, results: Any) -> None:
    """Wait for the other worker, then solve queued runs until none is left; report this
    process's id and the runs it solved.

    ``hold_s`` stretches each claim between reading a queued run and taking it, so that
    without the database's row lock both workers would take the same run.
    """
    from api.services import scheduling
    from api.worker.solve_queue import SolveWorker
    from models.db import make_engine, make_session_factory

    name = scheduling.worker_name

    def slowly() -> str:
        time.sleep(hold_s)
        return name()

    scheduling.worker_name = slowly
    engine = make_engine(url)
    try:
        worker = SolveWorker(session_factory=make_session_factory(engine, write_lock_at_begin=True))
        barrier.wait(timeout=120)
        results.put((os.getpid(), worker.drain()))
    except BaseException as error:
        results.put((os.getpid(), f"{type(error).__name__}: {error}"))
        raise
    finally:
        engine.dispose()
