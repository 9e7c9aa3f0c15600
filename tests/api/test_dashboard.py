"""The console's dashboard over HTTP, on the small test world (``http_world.py``) as of a day
the test sets: coverage per week, wishes per month, hours per grid and the spread of tasks.

In the world, community A's published plan of the week of 2 March holds person A1 on a wish of
grid A1 and person A2 (grid A2) on a shift whose post has no grid; its activity of 5 March
needs three people and has none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.services.dashboard import check_until, gini, last_mondays, last_months
from api.services.errors import Invalid
from api.web import clock
from matcher.domain import PersonKind
from models import Assignment, AssignmentStatus, Person, Wish, WishStatus
from tests.support.http_world import LAT, LNG, WEEK, World

API = "/api/v1"
Headers = Callable[[str], dict[str, str]]
#: Thursday 12 March 2026, noon in Beijing: the current week is the one of 9 March
NOW = datetime(2026, 3, 12, 4, 0, tzinfo=UTC)


@pytest.fixture
def as_of(app: FastAPI) -> Callable[[datetime], None]:
    def set_clock(moment: datetime) -> None:
        app.dependency_overrides[clock.now] = lambda: moment

    set_clock(NOW)
    return set_clock


def _done(db: Session, assignment_id: int, hours: float | None) -> None:
    assignment = db.get(Assignment, assignment_id)
    assert assignment is not None
    assignment.advance(AssignmentStatus.DONE)
    assignment.hours_served = hours


def test_windows_end_with_the_current_week_and_month() -> None:
    assert last_mondays(datetime(2026, 3, 12).date(), 3) == [
        datetime(2026, 2, 23).date(),
        datetime(2026, 3, 2).date(),
        datetime(2026, 3, 9).date(),
    ]
    assert last_months(datetime(2026, 2, 10).date(), 3) == [(2025, 12), (2026, 1), (2026, 2)]
    assert gini([3, 3, 3]) == gini([]) == gini([0, 0]) == 0.0
    assert gini([0, 0, 0, 10]) == 0.75
    assert gini([0, 1, 1]) == 0.333


def test_until_may_be_at_most_five_years_from_today() -> None:
    today = date(2026, 3, 12)
    for fine in (date(2021, 3, 12), today, date(2031, 3, 12)):
        assert check_until(today=today, until=fine) == fine
    for too_far in (date(2021, 3, 11), date(2031, 3, 13), date(1, 1, 1)):
        with pytest.raises(Invalid):
            check_until(today=today, until=too_far)
    # from 29 February, five years away is the 28th
    leap = date(2028, 2, 29)
    assert check_until(today=leap, until=date(2033, 2, 28)) == date(2033, 2, 28)
    assert check_until(today=leap, until=date(2023, 2, 28)) == date(2023, 2, 28)
    with pytest.raises(Invalid):
        check_until(today=leap, until=date(2033, 3, 1))


def test_dashboard_of_community_a(
    client: TestClient,
    db: Session,
    world: World,
    as_role: Headers,
    as_of: Callable[[datetime], None],
) -> None:
    url = f"{API}/communities/{world['community_a']}/dashboard"
    _done(db, world["assignment_own"], None)  # person A1's wish, one hour long
    _done(db, world["assignment_other"], 2.5)  # person A2's shift, 2.5 hours logged
    assignment = db.get(Assignment, world["assignment_own"])
    assert assignment is not None and assignment.wish is not None
    assignment.wish.advance(WishStatus.DONE)
    first = db.get(Wish, world["wish_a1"])
    assert first is not None
    first.created_at = datetime(2026, 2, 20, 2, 0, tzinfo=UTC)
    db.add(
        Person(
            community_id=world["community_a"],
            grid_id=world["grid_a1"],
            name="新报到",
            kind=PersonKind.VOLUNTEER,
            home_lat=LAT,
            home_lng=LNG,
        )
    )
    db.commit()

    response = client.get(url, params={"weeks": 2, "months": 2}, headers=as_role("coordinator_a"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["today"] == "2026-03-12"
    # 2 March: the shift (1 head, filled), the activity (3, none), the wish (1, filled)
    assert body["weekly_coverage"] == [
        {
            "week_start": WEEK.isoformat(),
            "needed": 5,
            "filled": 2,
            "ratio": 0.4,
            "published_run_id": world["run_a"],
        },
        {
            "week_start": "2026-03-09",
            "needed": 0,
            "filled": 0,
            "ratio": None,
            "published_run_id": None,
        },
    ]
    # three wishes are due in March, one of them done; one was recorded in February
    assert body["wishes_per_month"] == [
        {"month": "2026-02", "received": 1, "due": 0, "fulfilled": 0},
        {"month": "2026-03", "received": 0, "due": 3, "fulfilled": 1},
    ]
    # served as logged (2.5 h of a 3 h shift) beside planned: the published plan's task lengths
    assert body["hours_per_grid"] == [
        {"grid_id": world["grid_a1"], "name": "第一网格", "hours": 1.0, "planned_hours": 1.0},
        {"grid_id": world["grid_a2"], "name": "第二网格", "hours": 2.5, "planned_hours": 3.0},
    ]
    # A1 and A2 one task each, the newcomer none
    assert body["load"] == {
        "buckets": [{"services": 0, "people": 1}, {"services": 1, "people": 2}],
        "people": 3,
        "mean": 0.67,
        "max": 1,
        "gini": 0.333,
    }

    # a week later the week of 2 March is out of a one-week window
    as_of(datetime(2026, 3, 19, 4, 0, tzinfo=UTC))
    later = client.get(url, params={"weeks": 1, "months": 1}, headers=as_role("coordinator_a"))
    assert [w["week_start"] for w in later.json()["weekly_coverage"]] == ["2026-03-16"]
    assert later.json()["load"]["max"] == 0

    # a grid leader of A1: the wish of their grid, their grid's hours and people only
    as_of(NOW)
    leader = client.get(
        url, params={"weeks": 2, "months": 2}, headers=as_role("grid_leader_a")
    ).json()
    assert leader["weekly_coverage"][0] | {"published_run_id": None} == {
        "week_start": WEEK.isoformat(),
        "needed": 1,
        "filled": 1,
        "ratio": 1.0,
        "published_run_id": None,
    }
    assert leader["wishes_per_month"][1] == {
        "month": "2026-03",
        "received": 0,
        "due": 2,
        "fulfilled": 1,
    }
    assert leader["hours_per_grid"] == [
        {"grid_id": world["grid_a1"], "name": "第一网格", "hours": 1.0, "planned_hours": 1.0}
    ]
    assert leader["load"]["people"] == 2


def test_until_ends_the_figures_with_its_week_and_month(
    client: TestClient, world: World, as_role: Headers, as_of: Callable[[datetime], None]
) -> None:
    url = f"{API}/communities/{world['community_a']}/dashboard"
    headers = as_role("coordinator_a")
    published_week = {
        "week_start": WEEK.isoformat(),
        "needed": 5,
        "filled": 2,
        "ratio": 0.4,
        "published_run_id": world["run_a"],
    }

    # as of Thursday 12 March, one week is the week of 9 March: nothing published in it
    current = client.get(url, params={"weeks": 1, "months": 1}, headers=headers).json()
    assert current["today"] == current["until"] == "2026-03-12"
    assert [w["week_start"] for w in current["weekly_coverage"]] == ["2026-03-09"]
    assert current["weekly_coverage"][0]["ratio"] is None
    assert current["load"]["max"] == 0

    # until the Sunday of the published week: that week and its plan
    sunday = client.get(
        url, params={"weeks": 1, "months": 1, "until": "2026-03-08"}, headers=headers
    ).json()
    assert sunday["today"] == "2026-03-12"
    assert sunday["until"] == "2026-03-08"
    assert sunday["weekly_coverage"] == [published_week]
    assert sunday["load"]["max"] == 1
    assert sunday["wishes_per_month"] == [
        {"month": "2026-03", "received": 0, "due": 3, "fulfilled": 0}
    ]

    # a date ahead: weeks end with its week and months with its month, past the wishes' March
    ahead = client.get(
        url, params={"weeks": 3, "months": 2, "until": "2026-04-01"}, headers=headers
    ).json()
    assert [w["week_start"] for w in ahead["weekly_coverage"]] == [
        "2026-03-16",
        "2026-03-23",
        "2026-03-30",
    ]
    assert [(m["month"], m["due"]) for m in ahead["wishes_per_month"]] == [
        ("2026-03", 3),
        ("2026-04", 0),
    ]

    # the limit moves with today
    too_far = {"weeks": 1, "months": 1, "until": "2031-03-13"}
    assert client.get(url, params=too_far, headers=headers).status_code == 422
    as_of(datetime(2026, 3, 14, 4, 0, tzinfo=UTC))
    assert client.get(url, params=too_far, headers=headers).status_code == 200


def test_dashboard_bad_input_and_scope(
    client: TestClient, world: World, as_role: Headers, as_of: Callable[[datetime], None]
) -> None:
    url = f"{API}/communities/{world['community_a']}/dashboard"
    headers = as_role("coordinator_a")
    for params, field in (
        ({"weeks": 0}, "weeks"),
        ({"weeks": 53}, "weeks"),
        ({"months": 0}, "months"),
        ({"months": 25}, "months"),
        ({"weeks": "all"}, "weeks"),
        ({"until": "soon"}, "until"),
        ({"until": "2026-02-30"}, "until"),
        ({"until": "2031-03-13"}, "until"),
        ({"until": "1900-01-01"}, "until"),
    ):
        bad = client.get(url, params=params, headers=headers)
        assert bad.status_code == 422, (params, bad.text)
        assert [e["field"] for e in bad.json()["detail"]] == [field]
    nonsense = client.get(url, params={"until": "soon"}, headers=headers).json()["detail"]
    assert nonsense[0]["msg"] == "应为日期，如 2025-03-01"
    far = {"until": "2040-01-01"}
    assert client.get(url, params=far, headers=headers).json()["detail"][0]["msg"] == (
        "截至日期须在今天前后 5 年之内"
    )
    in_english = client.get(url, params=far, headers={**headers, "Accept-Language": "en"})
    assert in_english.json()["detail"] == [
        {
            "loc": ["query", "until"],
            "field": "until",
            "type": "value_error",
            "msg": "until must be within 5 years of today",
        }
    ]
    widest = client.get(url, params={"weeks": 52, "months": 24}, headers=headers).json()
    assert len(widest["weekly_coverage"]) == 52 and len(widest["wishes_per_month"]) == 24
    assert widest["wishes_per_month"][0]["month"] == "2024-04"

    assert client.get(url, headers=as_role("street_admin")).status_code == 200
    assert client.get(url, headers=as_role("coordinator_b")).status_code == 404
    assert client.get(url, headers=as_role("member_a")).status_code == 403
    assert client.get(url).status_code == 401
    hidden = client.get(f"{API}/communities/{world['community_c']}/dashboard", headers=headers)
    unknown = client.get(f"{API}/communities/999999/dashboard", headers=headers)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()
