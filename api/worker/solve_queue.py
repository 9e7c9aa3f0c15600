"""The solve queue's worker: solves the weeks coordinators asked for, outside the web processes.

``POST /communities/{id}/weeks/{monday}/solve`` only writes a ``queued`` run. Every
``tongxin scheduler`` process runs a ``SolveWorker`` (and ``tongxin serve`` runs one inside
itself in development, ``TONGXIN_EMBEDDED_WORKER``): it claims the oldest queued run, solves it
with the time limit and the previous run the request recorded, and renews the run's lease while
it solves (``api.services.scheduling``). Any number of workers, in any number of processes on
PostgreSQL, share the queue; each run is claimed, so solved, once.

Each poll also fails the runs whose worker stopped (their lease passed, by default 60 seconds,
``TONGXIN_SOLVE_LEASE_SECONDS``), with the reason, so their week can be solved again.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from api.services.scheduling import DEFAULT_LEASE, claim_run, fail_lapsed_runs, run_solve

log = logging.getLogger(__name__)

#: solves at once in one worker process; CP-SAT uses one core per solve (docs/matcher.md)
SOLVERS = 2
#: how often an idle worker looks at the queue
POLL_S = 1.0


class SolveWorker:
    """Claims queued runs and solves them, ``solvers`` at a time, in threads, until stopped."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        lease: timedelta = DEFAULT_LEASE,
        solvers: int = SOLVERS,
        poll_s: float = POLL_S,
    ):
        self.session_factory = session_factory
        self.lease = lease
        self.solvers = solvers
        self.poll_s = poll_s
        self.stopped = threading.Event()
        self.threads: list[threading.Thread] = []

    def work_once(self) -> int | None:
        """Fail the runs whose worker stopped, then claim the oldest queued run and solve it;
        its id, or None when the queue is empty."""
        with self.session_factory() as session:
            if fail_lapsed_runs(session=session):
                session.commit()
            run = claim_run(session=session, lease=self.lease)
            if run is None:
                return None
            log.info(
                "solving run %s (community %s, week of %s)",
                run.id,
                run.community_id,
                run.week_start,
            )
            done = run_solve(session=session, run_id=run.id, lease=self.lease)
            log.info("run %s is %s", done.id, done.status)
            return done.id

    def drain(self) -> list[int]:
        """Solve queued runs until there is none left; their ids."""
        solved = []
        while (run_id := self.work_once()) is not None:
            solved.append(run_id)
        return solved

    def run(self) -> None:
        """Work until ``stop``: a run after another, a look at the queue every ``poll_s`` when
        it is empty. An error (the database gone for a moment) is logged and the loop goes on."""
        while not self.stopped.is_set():
            try:
                if self.work_once() is not None:
                    continue
            except Exception:
                log.exception("the solve queue could not be read")
            self.stopped.wait(self.poll_s)

    def start(self) -> None:
        """Work in ``solvers`` background threads."""
        for number in range(self.solvers):
            thread = threading.Thread(target=self.run, name=f"tongxin-solve-{number}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self, timeout: float | None = None) -> None:
        """Stop taking runs and wait up to ``timeout`` seconds for the solves under way; one
        left unfinished is failed by another worker once its lease passes."""
        self.stopped.set()
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self.threads:
            thread.join(None if deadline is None else max(deadline - time.monotonic(), 0))
