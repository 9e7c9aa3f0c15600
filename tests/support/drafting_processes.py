"""A scheduler process that drafts with a pool of drafting processes (spawned, so
module-level)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.jobs_helpers import TIME_LIMIT_S


def pooled_scheduler(url: str, now: str, barrier: Any, results: Any, drafters: int) -> None:
    """Waits for the other scheduler, then drafts every due community ``drafters`` at once."""
    from api.worker.scheduler import draft_due
    from models.db import make_engine, make_session_factory

    engine = make_engine(url)
    try:
        barrier.wait(timeout=120)
        done = draft_due(
            session_factory=make_session_factory(engine),
            now=datetime.fromisoformat(now),
            drafters=drafters,
            time_limit_s=TIME_LIMIT_S,
        )
        results.put(
            [(d.community_id, d.run_id, d.status.value if d.status else None) for d in done]
        )
    except BaseException as error:
        results.put(f"{type(error).__name__}: {error}")
        raise
    finally:
        engine.dispose()
