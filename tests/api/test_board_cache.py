"""The cached week behind the board and a slot's candidates, and its home cells.

Runs on 红光社区 (360 people) on SQLite and, when configured, PostgreSQL. A cached week is kept
while nothing changes and rebuilt after an override, a person's edit in another session, or a
run; a seat ranked on the people in the cells around it gets the same candidates as on the
whole week.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.services.board import slot_candidates, week_board, week_board_json
from api.services.board_cache import cached_week, forget_weeks, week_of
from api.services.problem import DemandRefs, matcher_person_id
from api.services.scheduling import add_override
from matcher import ranking
from matcher.domain import DemandKind
from matcher.solver import solve_greedy
from models import AuditLog, Community, Person, community_version
from models.db import make_session_factory
from models.person import Availability
from models.post import Shift
from scenarios import generate, parse_scenario

WEEK = date(2026, 3, 2)


def _first_open_seat(db: Session, community: Community) -> tuple[DemandKind, int, list[int]]:
    """A shift of the week with at least two candidates: its kind, id and their person ids."""
    board = week_board(session=db, community_id=community.id, week_start=WEEK)
    for slot in board.demands:
        if slot.demand_kind != DemandKind.SHIFT:
            continue
        found = slot_candidates(
            session=db,
            community_id=community.id,
            week_start=WEEK,
            demand_kind=slot.demand_kind,
            demand_id=slot.demand_id,
            role=0,
            limit=100,
        )
        if len(found) >= 2:
            return slot.demand_kind, slot.demand_id, [c.person_id for c in found]
    raise AssertionError("no shift of 红光社区 has two candidates")


def test_a_cached_board_is_invalidated_by_an_override(
    db: Session, demo_community: Community
) -> None:
    first = cached_week(session=db, community_id=demo_community.id, week_start=WEEK)
    assert cached_week(session=db, community_id=demo_community.id, week_start=WEEK) is first
    kind, demand_id, people = _first_open_seat(db, demo_community)
    # reading the board and candidates changed nothing: the same week is still served
    assert cached_week(session=db, community_id=demo_community.id, week_start=WEEK) is first

    add_override(
        session=db,
        community_id=demo_community.id,
        week_start=WEEK,
        kind="forbid",
        person_id=people[0],
        demand_kind=kind,
        demand_id=demand_id,
        author=None,
    )
    db.commit()

    again = cached_week(session=db, community_id=demo_community.id, week_start=WEEK)
    assert again is not first and again.version > first.version
    key = f"{kind.value}-{demand_id}"
    assert (matcher_person_id(people[0]), key) in again.problem.locks.forbidden
    assert (matcher_person_id(people[0]), key) not in first.problem.locks.forbidden
    after = slot_candidates(
        session=db,
        community_id=demo_community.id,
        week_start=WEEK,
        demand_kind=kind,
        demand_id=demand_id,
        role=0,
        limit=100,
    )
    assert [c.person_id for c in after] == people[1:]


def test_the_board_as_sent_is_made_once_per_version(db: Session, demo_community: Community) -> None:
    """Readers of an unchanged week share one answer; a changed post's place shows at once."""
    sent = week_board_json(session=db, community_id=demo_community.id, week_start=WEEK)
    board = week_board(session=db, community_id=demo_community.id, week_start=WEEK)
    assert sent == board.model_dump_json().encode()
    assert week_board_json(session=db, community_id=demo_community.id, week_start=WEEK) is sent
    shift = next(s for s in board.demands if s.demand_kind == DemandKind.SHIFT)
    post = db.get(Shift, shift.demand_id).post  # type: ignore[union-attr]
    post.place = "新的集合地点"
    db.commit()

    again = week_board_json(session=db, community_id=demo_community.id, week_start=WEEK)
    assert again is not sent
    assert "新的集合地点".encode() in again and "新的集合地点".encode() not in sent
    # a grid leader's scope is an answer of its own
    grid = next(s.grid_id for s in board.demands if s.grid_id is not None)
    scoped = week_board_json(
        session=db, community_id=demo_community.id, week_start=WEEK, grid_ids={grid}
    )
    assert len(scoped) < len(again)


def test_a_change_in_another_session_is_seen(
    db: Session, db_engine: Engine, demo_community: Community
) -> None:
    """Another process's edit of one person's free time moves the counter the cache reads."""
    first = cached_week(session=db, community_id=demo_community.id, week_start=WEEK)
    person = first.problem.people[0]
    db.commit()  # end the reading transaction, as a request does

    with make_session_factory(db_engine)() as other:
        row = other.get(Person, int(person.id))
        assert row is not None
        row.availability = [Availability(weekday=6, start_minute=6 * 60, end_minute=7 * 60)]
        other.commit()

    with make_session_factory(db_engine)() as request:  # the next request's session
        again = cached_week(session=request, community_id=demo_community.id, week_start=WEEK)
    assert again is not first
    changed = next(p for p in again.problem.people if p.id == person.id)
    assert [(w.start_minute, w.end_minute) for w in changed.availability] == [(360, 420)]
    assert changed.availability != person.availability


def test_a_write_elsewhere_leaves_the_counter_alone(db: Session, demo_community: Community) -> None:
    before = community_version(db, demo_community.id)
    other = Community(street=demo_community.street, name="别的社区")
    db.add(other)
    db.flush()
    db.add(Person(community=other, name="王芳", kind="volunteer", home_lat=0.0, home_lng=0.0))
    db.commit()
    assert community_version(db, demo_community.id) == before
    assert community_version(db, other.id) > 0
    # an audit entry or a notification is no change to the week
    db.add(
        AuditLog(
            action="test.noop", object_type="person", object_id="1", community_id=demo_community.id
        )
    )
    db.commit()
    assert community_version(db, demo_community.id) == before


def test_a_seat_ranked_on_its_people_matches_the_whole_week() -> None:
    """A community four times 红光's area with a 500 m walk: the rules cut most seats' people,
    and every seat's ranking (given a week already half booked) is unchanged."""
    data = generate("community", 5, people_per_community=200, residents_per_community=40_000)
    problem = parse_scenario(data, "wide")
    problem = replace(problem, settings=replace(problem.settings, radius_m=500.0))
    week = week_of(problem, DemandRefs(), community_id=1, version=0)
    solution = solve_greedy(problem)
    booked: dict[str, list[ranking.Booked]] = {}
    their_demands: dict[str, set[str]] = {}
    for a in solution.assignments:
        booked.setdefault(a.person_id, []).append(
            ranking.Booked(a.start, a.end, demand_id=a.demand_id, role=a.role)
        )
        their_demands.setdefault(a.person_id, set()).add(a.demand_id)
    compared = smaller = offered = 0
    for demand in problem.demands[::10]:
        for role in range(len(demand.roles)):
            whole = ranking.rank_candidates(
                problem=problem, demand_id=demand.id, role=role, booked=booked, keep_assigned=True
            )
            seat = week.seat_problem(demand.id, their_demands)
            cut = ranking.rank_candidates(
                problem=seat, demand_id=demand.id, role=role, booked=booked, keep_assigned=True
            )
            assert cut == whole, (demand.id, role)
            compared += 1
            offered += len(whole)
            smaller += len(seat.people) < len(problem.people) // 2
    assert compared > 30 and offered > compared
    # the rules bind: most seats are ranked on less than half the community
    assert smaller > compared // 2


def test_requests_that_find_the_week_missing_wait_for_one_build(
    db_engine: Engine, demo_community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight requests opening a changed week at once read it from the database once, and make
    the board's answer once; without the wait each would read the whole week."""
    import api.services.board_cache as board_cache

    builds: list[int] = []
    build = board_cache.build_problem

    def slow_build(**kwargs: Any) -> Any:
        builds.append(1)
        time.sleep(0.3)  # long enough for every request to arrive while the first builds
        return build(**kwargs)

    monkeypatch.setattr(board_cache, "build_problem", slow_build)
    factory = make_session_factory(db_engine)
    with factory() as session:
        forget_weeks(session)

    def open_board() -> bytes:
        with factory() as session:
            return week_board_json(session=session, community_id=demo_community.id, week_start=WEEK)

    with ThreadPoolExecutor(max_workers=8) as pool:
        sent = list(pool.map(lambda _: open_board(), range(8)))
    assert len(builds) == 1
    assert all(answer is sent[0] for answer in sent)
