"""Generated requests from the OpenAPI schema, for every role: no answer is a server error.

Bounded to a few examples per operation so the run stays short; on SQLite, and on PostgreSQL
too when ``TONGXIN_TEST_POSTGRES_URL`` is set (NUL in text and integer range are what the two
databases take differently).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation
from schemathesis.core.result import Err

from api.settings import Settings
from api.web.app import create_app
from tests.support.http_world import World

ROLES = ("anonymous", "street_admin", "coordinator_a", "grid_leader_a", "member_a")
# the schema only: this app opens no connection
SCHEMA = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json", create_app(Settings(env="test", database_url="sqlite://"))
)


def operations() -> list[APIOperation]:
    """Every operation of the schema; one the generator cannot read fails the collection."""
    found = []
    for result in SCHEMA.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found.append(result.ok())
    return found


OPERATIONS = operations()


@pytest.mark.filterwarnings("ignore:Use .content=:DeprecationWarning")
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_server_error(
    operation: Any,
    client: TestClient,
    world: World,
    as_role: Callable[[str], dict[str, str]],
) -> None:
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
