"""Shared test fixtures. Object factories live in ``tests/support/factories.py``."""

from __future__ import annotations

import pytest

from matcher.domain import PersonKind, Problem
from tests.support.factories import (
    make_activity,
    make_person,
    make_problem,
    make_shift,
    make_wish,
)


def pytest_sessionstart(session: pytest.Session) -> None:
    """With ``-n`` (pytest-xdist, as ``make test`` runs), the controller empties
    ``build/screenshots`` once before the workers start; each worker saving its pages there
    must not empty it under the other."""
    config = session.config
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        from tests.support.chromium import empty_screenshots  # the app, only when it is needed

        empty_screenshots()


@pytest.fixture
def tiny_problem() -> Problem:
    """Two people, one post shift, one themed-month activity and one micro-wish in one grid."""
    return make_problem(
        people=(
            make_person("p1", "张伟", skills=("水电维修",)),
            make_person("p2", "王芳", kind=PersonKind.VOLUNTEER, skills=("助老",)),
        ),
        demands=(
            make_shift("s1"),
            make_activity("a1", min_count=1, max_count=2),
            make_wish("w1"),
        ),
    )
