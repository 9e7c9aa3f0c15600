"""Who may schedule and read reports: every role × every scheduling and report route, in
scope and out of it, and each of these routes' answers to bad input.

The matrix of routes and answers, and the objects it adds to the test world (``Plans``), are
``tests/support/authorization_scheduling.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from models import Assignment, Override, RunStatus, ScheduleRun
from tests.support.authorization_scheduling import (
    API,
    CASES,
    MONDAY,
    OVERRIDES,
    QUICK,
    ROLES,
    SOLVE,
    UNKNOWN_ID,
    Case,
    Plans,
    pin,
)
from tests.support.http_world import World
from tests.support.solve_queue import solve_queued


@pytest.fixture
def plans(db: Session, world: World) -> Plans:
    return Plans(db, world)


def _fill(value: Any, ids: dict[str, int]) -> Any:
    """``"{person_a1}"`` in a body becomes that id."""
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_scheduling_role_matrix(
    client: TestClient,
    world: World,
    plans: Plans,
    as_role: Callable[[str], dict[str, str]],
    case: Case,
) -> None:
    got = {}
    for role in ROLES:
        ids = {**world.ids, **(case.fresh(plans) if case.fresh else {})}
        response = client.request(
            case.method,
            API + case.path.format(**ids),
            params=case.params,
            json=_fill(case.body, ids),
            headers=as_role(role),
        )
        got[role] = response.status_code
        if response.status_code == 401:
            assert response.headers["www-authenticate"] == "Bearer"
        if response.status_code == 202:
            run_id = response.json()["run_id"]
            solve_queued(client, run_id)
            run = client.get(f"{API}/runs/{run_id}", headers=as_role(role)).json()
            assert run["status"] == "draft", run
    assert got == case.expected


#: one route each: (method, out-of-scope path for coordinator_a, the same with an unknown id)
HIDDEN_AND_UNKNOWN = [
    ("POST", SOLVE % "c", f"/communities/{UNKNOWN_ID}/weeks/{MONDAY}/solve"),
    ("GET", "/runs/{run_c}", f"/runs/{UNKNOWN_ID}"),
    ("POST", OVERRIDES % "c", f"/communities/{UNKNOWN_ID}/weeks/{MONDAY}/overrides"),
    ("DELETE", "/overrides/{override_c}", f"/overrides/{UNKNOWN_ID}"),
    ("POST", "/runs/{run_c}/publish", f"/runs/{UNKNOWN_ID}/publish"),
    ("GET", "/assignments/{declined_c}/replacements", f"/assignments/{UNKNOWN_ID}/replacements"),
    (
        "POST",
        "/assignments/{declined_c}/replacements/{stand_in_c}/accept",
        f"/assignments/{UNKNOWN_ID}/replacements/{{stand_in_c}}/accept",
    ),
    (
        "GET",
        "/communities/{community_c}/reports/2026/3",
        f"/communities/{UNKNOWN_ID}/reports/2026/3",
    ),
    (
        "GET",
        "/people/{person_c1}/service-record/2026/q1",
        f"/people/{UNKNOWN_ID}/service-record/2026/q1",
    ),
]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_out_of_scope_answers_as_an_unknown_id(
    client: TestClient,
    world: World,
    plans: Plans,
    as_role: Callable[[str], dict[str, str]],
    language: str,
) -> None:
    for role in ("coordinator_a", "street_admin"):
        headers = {**as_role(role), "Accept-Language": language}
        for method, hidden_path, unknown_path in HIDDEN_AND_UNKNOWN:
            answers = [
                client.request(
                    method,
                    API + path.format(**world.ids),
                    params=QUICK if path.endswith("/solve") else None,
                    json=_fill(pin("c"), world.ids) if path.endswith("/overrides") else None,
                    headers=headers,
                )
                for path in (hidden_path, unknown_path)
            ]
            hidden, unknown = answers
            assert hidden.status_code == unknown.status_code == 404, (role, hidden_path)
            assert hidden.json() == unknown.json(), (role, hidden_path)
            assert hidden.headers.get("content-length") == unknown.headers.get("content-length")


def _counts(db: Session, community_id: int) -> dict[str, int]:
    db.rollback()
    runs = sa.select(ScheduleRun.id).where(ScheduleRun.community_id == community_id)
    return {
        "runs": db.scalar(sa.select(sa.func.count()).select_from(runs.subquery())) or 0,
        "published": db.scalar(
            sa.select(sa.func.count())
            .select_from(ScheduleRun)
            .where(
                ScheduleRun.community_id == community_id,
                ScheduleRun.status == RunStatus.PUBLISHED,
            )
        )
        or 0,
        "assignments": db.scalar(
            sa.select(sa.func.count()).select_from(Assignment).where(Assignment.run_id.in_(runs))
        )
        or 0,
        "active overrides": db.scalar(
            sa.select(sa.func.count())
            .select_from(Override)
            .where(Override.community_id == community_id, Override.active.is_(True))
        )
        or 0,
    }


def test_refused_requests_write_nothing(
    client: TestClient,
    db: Session,
    world: World,
    plans: Plans,
    as_role: Callable[[str], dict[str, str]],
) -> None:
    draft = plans.draft("c")["new_draft_c"]
    before = _counts(db, world["community_c"])
    writes = [
        ("POST", SOLVE % "c", None),
        ("POST", OVERRIDES % "c", _fill(pin("c"), world.ids)),
        ("DELETE", "/overrides/{override_c}", None),
        ("POST", f"/runs/{draft}/publish", None),
        ("POST", "/assignments/{declined_c}/replacements/{stand_in_c}/accept", None),
    ]
    for role in ROLES:
        if role == "street_admin_north":
            continue
        for method, path, body in writes:
            response = client.request(
                method,
                API + path.format(**world.ids),
                params=QUICK if path.endswith("/solve") else None,
                json=body,
                headers=as_role(role),
            )
            assert response.status_code in (401, 403, 404), (role, path, response.text)
    assert _counts(db, world["community_c"]) == before


# bad input -----------------------------------------------------------------------------------


def _override(**changes: Any) -> dict[str, Any]:
    return {**pin("a"), **changes}


def _without(name: str) -> dict[str, Any]:
    return {key: value for key, value in pin("a").items() if key != name}


#: (method, path, query, body, the field the 422 names); coordinator_a, in scope throughout
BAD_INPUT: dict[str, list[tuple[str, str, dict[str, Any] | None, Any, str]]] = {
    "solve": [
        ("POST", SOLVE.replace(MONDAY, "2026-03-03") % "a", QUICK, None, "week_start"),
        ("POST", SOLVE.replace(MONDAY, "2026-02-30") % "a", QUICK, None, "week_start"),
        ("POST", SOLVE.replace(MONDAY, "next-week") % "a", QUICK, None, "week_start"),
        ("POST", SOLVE % "a", {"time_limit_s": 0}, None, "time_limit_s"),
        ("POST", SOLVE % "a", {"time_limit_s": 121}, None, "time_limit_s"),
        ("POST", SOLVE % "a", {"time_limit_s": "nan"}, None, "time_limit_s"),
        ("POST", SOLVE % "a", {"time_limit_s": "soon"}, None, "time_limit_s"),
        ("POST", f"/communities/0/weeks/{MONDAY}/solve", QUICK, None, "community_id"),
        ("POST", f"/communities/{2**31}/weeks/{MONDAY}/solve", QUICK, None, "community_id"),
    ],
    "run": [
        ("GET", "/runs/0", None, None, "run_id"),
        ("GET", f"/runs/{2**31}", None, None, "run_id"),
        ("GET", "/runs/latest", None, None, "run_id"),
    ],
    "override": [
        ("POST", OVERRIDES.replace(MONDAY, "2026-03-03") % "a", None, pin("a"), "week_start"),
        ("POST", OVERRIDES % "a", None, _override(kind="promote"), "kind"),
        ("POST", OVERRIDES % "a", None, _override(demand_kind="meeting"), "demand_kind"),
        ("POST", OVERRIDES % "a", None, _override(person_id="{person_c1}"), "person_id"),
        ("POST", OVERRIDES % "a", None, _override(person_id=UNKNOWN_ID), "person_id"),
        ("POST", OVERRIDES % "a", None, _override(person_id=0), "person_id"),
        ("POST", OVERRIDES % "a", None, _override(demand_id="{activity_c}"), "demand_id"),
        ("POST", OVERRIDES % "a", None, _override(demand_id="abc"), "demand_id"),
        # activity_a is on Thursday 5 March, not in the week of 9 March
        ("POST", OVERRIDES.replace(MONDAY, "2026-03-09") % "a", None, pin("a"), "demand_id"),
        ("POST", OVERRIDES % "a", None, _override(reason="长" * 201), "reason"),
        ("POST", OVERRIDES % "a", None, _override(reason="a\x00b"), "reason"),
        ("POST", OVERRIDES % "a", None, _override(author_id=1), "author_id"),
        ("POST", OVERRIDES % "a", None, _override(person_id=None), "person_id"),
        ("POST", OVERRIDES % "a", None, _without("demand_kind"), "demand_kind"),
        ("POST", OVERRIDES % "a", None, None, "body"),
        ("POST", OVERRIDES % "a", None, [pin("a")], "body"),
    ],
    "withdraw": [
        ("DELETE", "/overrides/0", None, None, "override_id"),
        ("DELETE", "/overrides/x", None, None, "override_id"),
    ],
    "publish": [
        ("POST", "/runs/0/publish", None, None, "run_id"),
        ("POST", f"/runs/{2**31}/publish", None, None, "run_id"),
    ],
    "replacements": [
        ("GET", "/assignments/{declined_a}/replacements", {"limit": 0}, None, "limit"),
        ("GET", "/assignments/{declined_a}/replacements", {"limit": 21}, None, "limit"),
        ("GET", "/assignments/{declined_a}/replacements", {"limit": "all"}, None, "limit"),
        ("GET", "/assignments/0/replacements", None, None, "assignment_id"),
    ],
    "accept": [
        # someone of another community, someone unknown, someone never free
        (
            "POST",
            "/assignments/{declined_a}/replacements/{person_c1}/accept",
            None,
            None,
            "person_id",
        ),
        (
            "POST",
            f"/assignments/{{declined_a}}/replacements/{UNKNOWN_ID}/accept",
            None,
            None,
            "person_id",
        ),
        (
            "POST",
            "/assignments/{declined_a}/replacements/{person_a2}/accept",
            None,
            None,
            "person_id",
        ),
        ("POST", "/assignments/{declined_a}/replacements/0/accept", None, None, "person_id"),
        ("POST", "/assignments/0/replacements/{stand_in_a}/accept", None, None, "assignment_id"),
    ],
    "month report": [
        ("GET", "/communities/{community_a}/reports/2026/13", None, None, "month"),
        ("GET", "/communities/{community_a}/reports/2026/0", None, None, "month"),
        ("GET", "/communities/{community_a}/reports/1999/3", None, None, "year"),
        ("GET", "/communities/{community_a}/reports/2101/3", None, None, "year"),
        ("GET", "/communities/{community_a}/reports/2026/march", None, None, "month"),
        ("GET", "/communities/0/reports/2026/3", None, None, "community_id"),
    ],
    "service record": [
        ("GET", "/people/{person_a1}/service-record/2026/q5", None, None, "quarter"),
        ("GET", "/people/{person_a1}/service-record/2026/q0", None, None, "quarter"),
        ("GET", "/people/{person_a1}/service-record/1999/q1", None, None, "year"),
        ("GET", "/people/{person_a1}/service-record/2026/qx", None, None, "quarter"),
        ("GET", "/people/0/service-record/2026/q1", None, None, "person_id"),
    ],
}


@pytest.mark.parametrize("route", list(BAD_INPUT))
def test_bad_input_names_the_field(
    client: TestClient,
    db: Session,
    world: World,
    plans: Plans,
    as_role: Callable[[str], dict[str, str]],
    route: str,
) -> None:
    headers = as_role("coordinator_a")
    before = _counts(db, world["community_a"])
    for method, path, params, body, field_name in BAD_INPUT[route]:
        response = client.request(
            method,
            API + path.format(**world.ids),
            params=params,
            json=_fill(body, world.ids),
            headers=headers,
        )
        where = f"{method} {path} {params} {body}"
        assert response.status_code == 422, (where, response.text)
        fields = [error["field"] for error in response.json()["detail"]]
        assert fields == [field_name], (where, response.text)
        assert all(error["msg"] for error in response.json()["detail"])
    assert _counts(db, world["community_a"]) == before


def test_bad_input_speaks_english_when_asked(
    client: TestClient, world: World, plans: Plans, as_role: Callable[[str], dict[str, str]]
) -> None:
    headers = {**as_role("coordinator_a"), "Accept-Language": "en"}
    tuesday = client.post(
        API + (SOLVE.replace(MONDAY, "2026-03-03") % "a").format(**world.ids),
        params=QUICK,
        headers=headers,
    )
    assert tuesday.status_code == 422
    assert "Monday" in tuesday.json()["detail"][0]["msg"]
    busy = client.post(
        API + "/assignments/{declined_a}/replacements/{person_a2}/accept".format(**world.ids),
        headers=headers,
    )
    assert busy.status_code == 422
    assert busy.json()["detail"][0]["msg"].isascii()
    limit = client.get(
        API + "/assignments/{declined_a}/replacements".format(**world.ids),
        params={"limit": 21},
        headers=headers,
    )
    assert limit.json()["detail"][0]["msg"] == "Must be at most 20"


def test_replacements_rank_the_stand_in_and_accepting_hands_the_task_on(
    client: TestClient, world: World, plans: Plans, as_role: Callable[[str], dict[str, str]]
) -> None:
    headers = as_role("coordinator_a")
    ranked = client.get(
        API + "/assignments/{declined_a}/replacements".format(**world.ids),
        params={"limit": 1},
        headers=headers,
    )
    assert ranked.status_code == 200, ranked.text
    assert [c["person_id"] for c in ranked.json()] == [world["stand_in_a"]]
    assert ranked.json()[0]["reasons"]
    accepted = client.post(
        API + "/assignments/{declined_a}/replacements/{stand_in_a}/accept".format(**world.ids),
        headers=headers,
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["person_id"] == world["stand_in_a"]
    assert accepted.json()["pinned"] is True
    # the same person again: already on the task
    again = client.post(
        API + "/assignments/{declined_a}/replacements/{stand_in_a}/accept".format(**world.ids),
        headers=headers,
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["field"] == "person_id"
    # a task nobody declined cannot be handed on
    taken = client.post(
        API
        + "/assignments/{assignment_other}/replacements/{stand_in_a}/accept".format(**world.ids),
        headers=headers,
    )
    assert taken.status_code == 409, taken.text


def test_publishing_twice_conflicts(
    client: TestClient, world: World, plans: Plans, as_role: Callable[[str], dict[str, str]]
) -> None:
    draft = plans.draft("a")["new_draft_a"]
    first = client.post(f"{API}/runs/{draft}/publish", headers=as_role("coordinator_a"))
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "published"
    second = client.post(f"{API}/runs/{draft}/publish", headers=as_role("street_admin"))
    assert second.status_code == 409, second.text
    # the published run of the world is not a draft either
    published = client.post(
        API + "/runs/{run_a}/publish".format(**world.ids), headers=as_role("coordinator_a")
    )
    assert published.status_code == 409


def test_a_person_elsewhere_is_refused_as_an_unknown_one(
    client: TestClient, world: World, plans: Plans, as_role: Callable[[str], dict[str, str]]
) -> None:
    """Naming someone of another community in scope's request tells nothing about them."""
    headers = as_role("coordinator_a")
    accepts = [
        client.post(
            API + f"/assignments/{world['declined_a']}/replacements/{person}/accept",
            headers=headers,
        )
        for person in (world["person_c1"], UNKNOWN_ID)
    ]
    assert [r.status_code for r in accepts] == [422, 422]
    hidden, unknown = (r.json()["detail"] for r in accepts)
    assert str(hidden).replace(str(world["person_c1"]), "?") == str(unknown).replace(
        str(UNKNOWN_ID), "?"
    )
    overrides = [
        client.post(
            API + (OVERRIDES % "a").format(**world.ids),
            json=_fill(_override(person_id=person), world.ids),
            headers=headers,
        )
        for person in (world["person_c1"], UNKNOWN_ID)
    ]
    assert [r.status_code for r in overrides] == [422, 422]
    hidden, unknown = (r.json()["detail"] for r in overrides)
    assert hidden[0]["msg"].replace(str(world["person_c1"]), "?") == unknown[0]["msg"].replace(
        str(UNKNOWN_ID), "?"
    )


def test_override_for_the_last_week_of_the_calendar_is_a_422(
    app: FastAPI, world: World, as_role: Callable[[str], dict[str, str]]
) -> None:
    with TestClient(app, raise_server_exceptions=False) as quiet:
        response = quiet.post(
            API + (OVERRIDES.replace(MONDAY, "9999-12-27") % "a").format(**world.ids),
            json=_fill(pin("a"), world.ids),
            headers=as_role("coordinator_a"),
        )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-27"])
def test_solve_refuses_weeks_outside_the_calendar_it_plans(
    client: TestClient, world: World, as_role: Callable[[str], dict[str, str]], week: str
) -> None:
    response = client.post(
        f"{API}/communities/{world.ids['community_a']}/weeks/{week}/solve",
        headers=as_role("coordinator_a"),
    )
    assert response.status_code == 422, response.text
    assert "week_start" in response.text
