"""The app factory mounts every router under /api/v1 and serves OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_openapi_lists_the_login_route(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/auth/token" in schema["paths"]
    assert client.get("/docs").status_code == 200
