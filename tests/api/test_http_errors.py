"""Bad input never gets a 500; private values never leave in a public answer; settings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.services.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceError,
    TooManyRequests,
    Unsupported,
)
from api.settings import Settings
from api.web import errors
from api.web.app import create_app
from api.web.errors import language
from models.crypto import PUBLISHED_SECRETS
from tests.support.http_world import HOUSEHOLD_ADDRESS, HOUSEHOLD_PHONE, PHONES, World

Headers = Callable[[str], dict[str, str]]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh"),
        ("", "zh"),
        ("en", "en"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("fr-FR, en;q=0.5", "en"),
        ("en;q=0.2, zh;q=0.9", "zh"),
        ("en;q=abc", "zh"),
    ],
)
def test_language_negotiation(header: str | None, expected: str) -> None:
    assert language(header) == expected


def test_refusals_answer_with_their_status_in_the_callers_language() -> None:
    """One handler turns every refusal of ``api.services.errors`` into an HTTP answer."""
    app = FastAPI()
    errors.install(app)
    refusals: dict[str, ServiceError] = {
        "invalid": Invalid("不能接替", "cannot take over", "person_id", location="path"),
        "conflict": Conflict("已发布", "already published"),
        "missing": NotFound(),
        "forbidden": Forbidden(),
        "unsupported": Unsupported("只接受 .xlsx", "only .xlsx"),
        "slow-down": TooManyRequests(**{"Retry-After": "30"}),
        "plain": ServiceError("不行", "no"),
    }

    @app.get("/{name}")
    def refuse(name: str) -> None:
        raise refusals[name]

    client = TestClient(app)
    english = {"Accept-Language": "en"}
    invalid = client.get("/invalid", headers=english)
    assert invalid.status_code == 422
    (entry,) = invalid.json()["detail"]
    assert entry["loc"] == ["path", "person_id"]
    assert entry["field"] == "person_id"
    assert entry["msg"] == "cannot take over"
    assert client.get("/invalid").json()["detail"][0]["msg"] == "不能接替"
    assert client.get("/conflict", headers=english).json() == {"detail": "already published"}
    assert client.get("/conflict").status_code == 409
    assert client.get("/missing", headers=english).json() == {"detail": "Not found"}
    assert client.get("/missing").status_code == 404
    assert client.get("/forbidden").status_code == 403
    assert client.get("/unsupported").status_code == 415
    slow = client.get("/slow-down")
    assert (slow.status_code, slow.headers["retry-after"]) == (429, "30")
    assert client.get("/plain").status_code == 400


def test_body_too_large_is_413(client: TestClient) -> None:
    big = b'{"username": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    response = client.post(
        "/api/v1/registrations", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "请求内容过大"}
    english = client.post(
        "/api/v1/registrations",
        content=big,
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert english.json() == {"detail": "Request body too large"}


def test_streamed_body_too_large_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the size is counted as it arrives
        for _ in range(20):
            yield b"x" * 65536

    response = client.post(
        "/api/v1/registrations",
        content=chunks(),
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/wishes/0"),
        ("GET", "/api/v1/wishes/99999999999999999999"),
        ("GET", "/api/v1/wishes/abc"),
        ("GET", "/api/v1/communities/1/people?limit=99999999999999999999"),
        ("GET", "/api/v1/communities/1/people?skill=%00"),
        ("GET", "/api/v1/communities/1/calendar/99999999999/1"),
        ("POST", "/api/v1/wishes/1/advance"),
    ],
)
def test_malformed_requests_are_422(
    client: TestClient, world: World, as_role: Headers, method: str, path: str
) -> None:
    response = client.request(method, path, headers=as_role("coordinator_a"))
    assert response.status_code == 422, response.text


def test_wrong_method_and_unknown_path(client: TestClient) -> None:
    assert client.delete("/api/v1/registrations").status_code == 405
    missing = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found"}


def test_no_private_value_in_any_public_answer(
    client: TestClient, world: World, as_role: Headers
) -> None:
    """Every GET a coordinator, grid leader or street admin can make, scanned for phones."""
    paths = [
        "/me",
        "/communities",
        f"/communities/{world['community_a']}/people",
        f"/people/{world['person_a1']}",
        f"/people/{world['person_a2']}",
        f"/communities/{world['community_a']}/grids",
        f"/communities/{world['community_a']}/wishes",
        f"/communities/{world['community_a']}/posts",
        f"/communities/{world['community_a']}/calendar/2026/3",
    ]
    mobile = re.compile(r"1[3-9]\d{9}")  # any whole mobile number at all
    for role in ("street_admin", "coordinator_a", "grid_leader_a", "member_a"):
        for path in paths:
            response = client.get("/api/v1" + path, headers=as_role(role))
            text = response.text
            for phone in [*PHONES.values(), HOUSEHOLD_PHONE]:
                assert phone not in text, (role, path)
            assert HOUSEHOLD_ADDRESS not in text, (role, path)
            assert "110101199003071234" not in text
            assert not mobile.search(text), (role, path)


def test_settings_refuse_a_missing_or_published_secret() -> None:
    with pytest.raises(ValueError, match="TONGXIN_SECRET_KEY"):
        Settings(env="production")
    for env in ("production", "development"):
        for published in PUBLISHED_SECRETS:
            with pytest.raises(ValueError, match="TONGXIN_SECRET_KEY"):
                Settings(env=env, secret_key=published)
    with pytest.raises(ValueError, match="too short"):
        Settings(env="staging", secret_key="short")
    assert Settings(env="production", secret_key="k" * 40).env == "production"
    # development: this machine's own secret, the same each time, never a published one
    made = Settings(env="test").secret_key
    assert made == Settings(env="development").secret_key
    assert len(made) >= 32 and made not in PUBLISHED_SECRETS


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGXIN_MAX_PAGE_SIZE", "20")
    monkeypatch.setenv("TONGXIN_ACCESS_TOKEN_MINUTES", "5")
    settings = Settings()
    assert (settings.max_page_size, settings.access_token_minutes) == (20, 5)


def test_every_route_module_is_mounted() -> None:
    from api.web.app import route_modules

    names = [m.__name__.rsplit(".", 1)[1] for m in route_modules()]
    assert names == sorted(names)
    assert {"auth", "me", "people", "posts", "registration", "wishes", "calendar"} <= set(names)
    assert create_app(Settings(env="test", database_url="sqlite://")).openapi()["paths"]
