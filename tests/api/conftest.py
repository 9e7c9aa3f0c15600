"""Fixtures for the HTTP API: a fresh database per test, a client bound to it, accounts.

Every test runs on a fresh SQLite file, and also on a fresh PostgreSQL schema when
``TONGXIN_TEST_POSTGRES_URL`` is set (see ``tests/support/isolated_databases.py``). The API
commits, so databases are made new for each test rather than rolled back.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.services.security import create_access_token, hash_password
from api.settings import Settings
from api.web.app import create_app, use_database
from matcher.domain import PersonKind
from models import Community, Grid, Person, Street, UserAccount, UserRole
from models.db import make_session_factory
from models.seed import import_scenario
from tests.support.http_world import PASSWORD, World
from tests.support.http_world import build as build_world
from tests.support.isolated_databases import Backend, backends

REPO = Path(__file__).resolve().parents[2]
#: the password of every account ``make_user`` makes
TEST_SETTINGS = Settings(env="test", database_url="sqlite://")

MakeUser = Callable[..., UserAccount]
AuthHeaders = Callable[[UserAccount], dict[str, str]]


@cache
def password_hash() -> str:
    """Hashed once: argon2 is slow on purpose."""
    return hash_password(PASSWORD)


@pytest.fixture(scope="session", params=backends())
def api_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    made = Backend(request.param, tmp_path_factory.mktemp(f"api-{request.param}"))
    yield made
    made.close()


@pytest.fixture
def db_engine(api_backend: Backend) -> Iterator[Engine]:
    """An empty database with every table, this test's alone."""
    with api_backend.database() as engine:
        yield engine


@pytest.fixture
def db(db_engine: Engine) -> Iterator[Session]:
    """A session to arrange data with; commit before the client reads it."""
    session = make_session_factory(db_engine)()
    yield session
    session.close()


@cache
def served_app() -> FastAPI:
    """The app of every test that takes ``app``, made once per test process: each test points
    it at its own database (``use_database``) and leaves no dependency override behind."""
    return create_app(TEST_SETTINGS)


@pytest.fixture
def app(db_engine: Engine) -> Iterator[FastAPI]:
    made = served_app()
    use_database(made, db_engine)
    made.dependency_overrides.clear()
    yield made
    made.dependency_overrides.clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


_usernames = itertools.count(1)


@pytest.fixture
def make_user(db: Session) -> MakeUser:
    """``make_user(role, *, community=None, grid=None, person=None, street=None)``.

    Missing links are made: a street admin gets ``street`` or the community's street, a
    coordinator ``community`` (or a new one), a grid leader ``grid`` (or a grid of the
    community), a member ``person`` (or a new person of the community). Committed.
    """

    def make(
        role: str | UserRole,
        *,
        community: Community | None = None,
        grid: Grid | None = None,
        person: Person | None = None,
        street: Street | None = None,
        username: str | None = None,
    ) -> UserAccount:
        role = UserRole(role)
        if community is None and grid is None and person is None and street is None:
            community = Community(street=Street(name=f"街道{next(_usernames)}"), name="社区")
            db.add(community)
        user = UserAccount(
            username=username or f"{role.value}{next(_usernames)}",
            password_hash=password_hash(),
            role=role,
        )
        if role == UserRole.STREET_ADMIN:
            user.street = street or (community.street if community else None)
        elif role == UserRole.COORDINATOR:
            user.communities = [community] if community else []
        elif role == UserRole.GRID_LEADER:
            if grid is None and community is not None:
                grid = Grid(community=community, name=f"网格{next(_usernames)}")
            user.grids = [grid] if grid else []
        elif role == UserRole.MEMBER:
            if person is None:
                assert community is not None, "a member needs a person or a community"
                person = Person(
                    community=community,
                    name="张伟",
                    kind=PersonKind.PARTY_MEMBER,
                    home_lat=24.289,
                    home_lng=116.122,
                    phone="13812345678",
                )
            user.person = person
        db.add(user)
        db.commit()
        return user

    return make


@pytest.fixture
def auth_headers() -> AuthHeaders:
    """A valid bearer token for an account, made without logging in."""

    def headers(user: UserAccount) -> dict[str, str]:
        token = create_access_token(
            user.id,
            secret_key=TEST_SETTINGS.secret_key,
            minutes=TEST_SETTINGS.access_token_minutes,
        )
        return {"Authorization": f"Bearer {token}"}

    return headers


@cache
def hongguang() -> dict[str, object]:
    data: dict[str, object] = json.loads((REPO / "scenarios" / "hongguang.json").read_text())
    return data


@pytest.fixture
def demo_community(db: Session) -> Community:
    """红光社区 from ``scenarios/hongguang.json``, imported into this test's database."""
    community = import_scenario(db, hongguang())
    db.commit()
    return community


@pytest.fixture
def world(db: Session) -> World:
    """Two streets, three communities and an account of every role (``http_world.py``)."""
    return build_world(db, password_hash())


@pytest.fixture
def as_role(world: World, auth_headers: AuthHeaders) -> Callable[[str], dict[str, str]]:
    """Headers for a role of the world by account name; ``anonymous`` gets none."""

    def headers(name: str) -> dict[str, str]:
        return {} if name == "anonymous" else auth_headers(world.users[name])

    return headers
