"""Who may do what: every role × every object route, in scope and out of it.

The matrix of routes and answers is ``tests/support/authorization.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from models.crypto import PUBLISHED_SECRETS
from tests.api.conftest import TEST_SETTINGS
from tests.support.authorization import CASES, OK, ROLES
from tests.support.http_world import World


def _outcome(status: int) -> Any:
    # 409: past every access check, refused by the object's state (a repeated advance)
    return OK if 200 <= status < 300 or status == 409 else status


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), CASES, ids=[f"{m} {p}" for m, p, _, _ in CASES]
)
def test_role_matrix(
    client: TestClient,
    world: World,
    as_role: Callable[[str], dict[str, str]],
    method: str,
    path: str,
    body: Any,
    expected: dict[str, Any],
) -> None:
    url = "/api/v1" + path.format(**world.ids)
    got = {}
    for role in ROLES:
        response = client.request(method, url, json=body, headers=as_role(role))
        got[role] = _outcome(response.status_code)
        assert response.status_code < 500, response.text
    assert got == expected


def test_out_of_scope_and_unknown_ids_answer_alike(
    client: TestClient, world: World, as_role: Callable[[str], dict[str, str]]
) -> None:
    headers = as_role("coordinator_a")
    for template in ("/wishes/{}", "/people/{}", "/posts/{}", "/activities/{}"):
        hidden = client.get("/api/v1" + template.format(world["wish_c1"]), headers=headers)
        unknown = client.get("/api/v1" + template.format(999_999), headers=headers)
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json() == unknown.json()
        assert hidden.headers.get("content-length") == unknown.headers.get("content-length")


def test_grid_leader_lists_only_their_grid(
    client: TestClient, world: World, as_role: Callable[[str], dict[str, str]]
) -> None:
    headers = as_role("grid_leader_a")
    people = client.get(f"/api/v1/communities/{world['community_a']}/people", headers=headers)
    assert {p["grid_id"] for p in people.json()["items"]} == {world["grid_a1"]}
    wishes = client.get(f"/api/v1/communities/{world['community_a']}/wishes", headers=headers)
    assert {w["grid_id"] for w in wishes.json()["items"]} == {world["grid_a1"]}
    grids = client.get(f"/api/v1/communities/{world['community_a']}/grids", headers=headers)
    assert [g["id"] for g in grids.json()] == [world["grid_a1"]]


def test_expired_or_forged_tokens_answer_401(client: TestClient, world: World) -> None:
    from api.services.security import create_access_token

    for token in (
        create_access_token(world.users["coordinator_a"].id, secret_key="another key", minutes=5),
        # signed with the secret an early version published: this deployment's is its own
        *(
            create_access_token(world.users["coordinator_a"].id, secret_key=key, minutes=5)
            for key in PUBLISHED_SECRETS
        ),
        create_access_token(  # expired
            world.users["coordinator_a"].id, secret_key=TEST_SETTINGS.secret_key, minutes=-1
        ),
        "not-a-jwt",
    ):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
