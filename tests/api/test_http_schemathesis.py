"""Generated requests from the OpenAPI schema, for every role: no answer is a server error.

Bounded to a few examples per operation so the run stays short, and on SQLite only: the
PostgreSQL differences that matter (NUL in text, integer range) are refused by validation
before any query, and ``test_http_errors.py`` checks them on both databases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from http_world import World
from hypothesis import HealthCheck, given, settings

from api.settings import Settings
from api.web.app import create_app

schemathesis = pytest.importorskip("schemathesis")

ROLES = ("anonymous", "street_admin", "coordinator_a", "grid_leader_a", "member_a")
# the schema only: this app opens no connection
SCHEMA = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json", create_app(Settings(env="test", database_url="sqlite://"))
)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.mark.filterwarnings("ignore:Use .content=:DeprecationWarning")
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_server_error(
    operation: Any,
    client: TestClient,
    world: World,
    as_role: Callable[[str], dict[str, str]],
    request: pytest.FixtureRequest,
) -> None:
    if request.node.callspec.params.get("api_backend") != "sqlite":
        pytest.skip("generated requests run on SQLite only")

    @given(case=operation.as_strategy())
    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        for role in ROLES:
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=as_role(role))
            kwargs.pop("cookies", None)
            response = client.request(**kwargs)
            assert response.status_code < 500, (role, kwargs, response.text)

    check()
