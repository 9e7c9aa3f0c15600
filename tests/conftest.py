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
