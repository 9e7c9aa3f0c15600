"""Every route of the API has a row in an authorization matrix: a route added without one
fails here, before it can reach a community."""

from __future__ import annotations

import re

from api.settings import Settings
from api.web.app import API_PREFIX, create_app
from tests.support import authorization as matrix
from tests.support import authorization_scheduling as scheduling_matrix


def _pattern(route_path: str) -> re.Pattern[str]:
    """``/wishes/{wish_id}`` → a pattern that any filled-in row for that route matches."""
    parts = re.split(r"(\{[^}]+\})", route_path.removeprefix(API_PREFIX))
    return re.compile(
        "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts) + "$"
    )


def _rows() -> set[tuple[str, str]]:
    rows = {(method, path) for method, path, _, _ in matrix.CASES}
    rows |= {(case.method, case.path) for case in scheduling_matrix.CASES}
    return rows


def test_every_route_has_a_row_in_an_authorization_matrix() -> None:
    app = create_app(Settings(database_url="sqlite://"))
    rows = _rows()
    routes = [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]
    assert len(routes) > 40  # the whole API, not a part of it
    missing = [
        f"{method} {path}"
        for method, path in routes
        if not any(m == method and _pattern(path).match(p) for m, p in rows)
    ]
    assert missing == [], "routes without a row in the authorization matrix"


def test_the_check_sees_a_route_without_a_row() -> None:
    rows = _rows()
    unlisted = _pattern(API_PREFIX + "/wishes/{wish_id}/photos")
    assert not any(unlisted.match(path) for _, path in rows)
    assert any(_pattern(API_PREFIX + "/wishes/{wish_id}").match(path) for _, path in rows)
