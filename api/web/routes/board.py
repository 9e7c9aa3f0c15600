"""看板 The coordinator console's week: the board of a week's demands and who fills them, the
ranked candidates for one slot, what a re-solve moved, and the community map.

Readers of the community only (street admins of its street, its coordinators, grid leaders of
its grids); a grid leader sees the rows of their own grids. Anything outside the caller's scope
answers 404. Nothing here shows a phone, an ID number or a resident's address; homes appear
only as counts per cell of about 200 m, and wish pins only to the community's coordinators.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.schemas.board import (
    Change,
    CommunityMap,
    MovedPair,
    NearMissCandidate,
    RunMoves,
    SlotCandidate,
    WeekBoard,
)
from api.schemas.notice import WeekNotice
from api.services import board as service
from api.services import notice
from api.services.problem import demand_title
from api.services.scope import MAX_ID, coordinates, grid_scope
from api.web.deps import IdPath, SessionDep, WeekStart
from api.web.permissions import ReaderDep
from api.web.scope import ReadableCommunity, ReadableRun
from matcher.domain import DemandKind
from models.schedule import Assignment

router = APIRouter(tags=["board 看板"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}
#: most candidates one request lists
MAX_CANDIDATES = 100
#: role indexes a demand may have (an activity's kinds of helper); far above any real one
MAX_ROLE = 63


@router.get(
    "/communities/{community_id}/weeks/{week_start}", response_model=WeekBoard, responses=NOT_FOUND
)
def read_week(
    session: SessionDep, user: ReaderDep, community: ReadableCommunity, week_start: WeekStart
) -> Response:
    """Every demand of the week (shifts, activities, open wishes) with its roles filled from
    the week's draft, else its published run, and each gap's reason. Wishes show no place."""
    return Response(
        service.week_board_json(
            session=session,
            community_id=community.id,
            week_start=week_start,
            grid_ids=grid_scope(user),
        ),
        media_type="application/json",
    )


@router.get(
    "/communities/{community_id}/weeks/{week_start}/notice",
    response_model=WeekNotice,
    responses=NOT_FOUND,
)
def read_notice(
    session: SessionDep,
    user: ReaderDep,
    community: ReadableCommunity,
    week_start: WeekStart,
    grid_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="the grid whose notice board it is")
    ] = None,
) -> WeekNotice:
    """公示栏: the week's published services of a grid (and the whole community's) by day —
    what, where, when and who by name — to print and put up. No resident's name, address or
    phone, no member's phone: a wish is a house call with its category."""
    return notice.week_notice(
        session=session,
        community_id=community.id,
        week_start=week_start,
        grid_id=grid_id,
        grid_ids=grid_scope(user),
    )


@router.get(
    "/communities/{community_id}/weeks/{week_start}/demands/{demand_kind}/{demand_id}/candidates",
    response_model=list[SlotCandidate],
    responses=NOT_FOUND,
)
def list_candidates(
    session: SessionDep,
    user: ReaderDep,
    community: ReadableCommunity,
    week_start: WeekStart,
    demand_kind: DemandKind,
    demand_id: IdPath,
    role: Annotated[int, Query(ge=0, le=MAX_ROLE, description="the demand's role, from 0")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_CANDIDATES)] = 20,
) -> list[SlotCandidate]:
    """Who could serve this role of the demand, best first, with their reasons: eligible by
    every hard rule, free then and under their caps given the run the board shows. Those
    already on the role are listed too, ``assigned``."""
    return service.slot_candidates(
        session=session,
        community_id=community.id,
        week_start=week_start,
        demand_kind=demand_kind,
        demand_id=demand_id,
        role=role,
        limit=limit,
        grid_ids=grid_scope(user),
    )


@router.get(
    "/communities/{community_id}/weeks/{week_start}/demands/{demand_kind}/{demand_id}/near-misses",
    response_model=list[NearMissCandidate],
    responses=NOT_FOUND,
)
def list_near_misses(
    session: SessionDep,
    user: ReaderDep,
    community: ReadableCommunity,
    week_start: WeekStart,
    demand_kind: DemandKind,
    demand_id: IdPath,
    role: Annotated[int, Query(ge=0, le=MAX_ROLE, description="the demand's role, from 0")] = 0,
) -> list[NearMissCandidate]:
    """Who one rule alone keeps off this role of the demand (at a weekly cap, beyond the
    walking radius, busy then, lacking the skill, not a party member …), grouped by that rule,
    each with what putting them on anyway means."""
    return service.slot_near_misses(
        session=session,
        community_id=community.id,
        week_start=week_start,
        demand_kind=demand_kind,
        demand_id=demand_id,
        role=role,
        grid_ids=grid_scope(user),
    )


def _moved(assignment: Assignment, change: Change) -> MovedPair:
    return MovedPair(
        person_id=assignment.person_id,
        person_name=assignment.person.name,
        demand_kind=assignment.demand_kind,
        demand_id=assignment.demand_id or 0,
        title=demand_title(assignment),
        role=assignment.role,
        change=change,
    )


@router.get("/runs/{run_id}/moves", response_model=RunMoves, responses=NOT_FOUND)
def read_moves(session: SessionDep, user: ReaderDep, run: ReadableRun) -> RunMoves:
    """What changed between this run and the run of the week before it (the draft it
    replaced, else the published plan): each person taken off or put on a demand."""
    moves = service.run_moves(session=session, run_id=run.id, grid_ids=grid_scope(user))
    moved = [_moved(a, "removed") for a in moves.removed] + [
        _moved(a, "added") for a in moves.added
    ]
    moved.sort(key=lambda m: (m.demand_kind.value, m.demand_id, m.role, m.change, m.person_id))
    return RunMoves(
        run_id=moves.run.id,
        status=moves.run.status,
        against_run_id=moves.against.id if moves.against else None,
        moved=moved,
    )


@router.get("/communities/{community_id}/map", response_model=CommunityMap, responses=NOT_FOUND)
def read_map(session: SessionDep, user: ReaderDep, community: ReadableCommunity) -> CommunityMap:
    """Grids with their people, homes as counts per cell of about 200 m (cells of fewer than
    three people left out), and, for the community's coordinators only, the open wishes."""
    return service.community_map(
        session=session,
        community_id=community.id,
        with_wishes=coordinates(user, community.id),
        grid_ids=grid_scope(user),
    )
