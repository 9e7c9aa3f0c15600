"""The moment a request is answered, as a dependency, so that tests can set the clock.

Routes whose answer depends on today (the current week, the current month, this quarter) take
``NowDep`` rather than reading the clock themselves; a test overrides ``now`` in
``app.dependency_overrides`` to answer as of any day.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends

from models.base import utcnow


def now() -> datetime:
    """The current moment, timezone-aware (UTC)."""
    return utcnow()


NowDep = Annotated[datetime, Depends(now)]
