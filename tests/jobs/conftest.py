"""Fixtures for the scheduled jobs: a fresh database per test with the demo community.

Every test runs on a fresh SQLite file, and also on a fresh PostgreSQL schema when
``TONGXIN_TEST_POSTGRES_URL`` is set (see ``tests/support/isolated_databases.py``). The jobs
commit, so databases are made new for each test rather than rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Engine

from models import UserAccount, UserRole
from models.db import make_session_factory
from models.seed import import_scenario
from scenarios.load import Json, load_scenario_data
from tests.support.isolated_databases import Backend, backends
from tests.support.jobs_helpers import World

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "hongguang.json"


@cache
def demo() -> Json:
    """The demo community's file, read and checked once: ``import_scenario`` only reads it."""
    return load_scenario_data(DEMO)


@pytest.fixture(scope="session", params=backends())
def jobs_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    made = Backend(request.param, tmp_path_factory.mktemp(f"jobs-{request.param}"))
    yield made
    made.close()


@pytest.fixture
def empty_engine(jobs_backend: Backend) -> Iterator[Engine]:
    with jobs_backend.database() as engine:
        yield engine


@pytest.fixture
def world(jobs_backend: Backend, empty_engine: Engine) -> World:
    """The demo community 红光社区 (scenarios/hongguang.json: seed 1, week of 2 March 2026), a coordinator, a street admin."""
    factory = make_session_factory(empty_engine)
    with factory() as session:
        community = import_scenario(session, demo())
        coordinator = UserAccount(
            username="coordinator", password_hash="-", role=UserRole.COORDINATOR
        )
        coordinator.communities = [community]
        admin = UserAccount(
            username="street-admin",
            password_hash="-",
            role=UserRole.STREET_ADMIN,
            street_id=community.street_id,
        )
        session.add_all([coordinator, admin])
        session.commit()
        return World(
            backend=jobs_backend.name,
            engine=empty_engine,
            factory=factory,
            community_id=community.id,
            street_id=community.street_id,
            coordinator=f"user:{coordinator.id}",
            street_admin=f"user:{admin.id}",
        )
