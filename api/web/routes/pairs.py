"""结对帮扶: standing pairs of a community's party members with its must-visit households
(coordinators and street admins only; a household's address never leaves the server here)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from api.schemas.pairing import (
    HouseholdBrief,
    PairingRulesPublic,
    PairingRulesUpdate,
    PairLockPublic,
    PairLockSet,
    PairPublic,
    PairsPublic,
    ProposalPublic,
    UnpairedPublic,
    VisitPublic,
    changes_of,
)
from api.services import pairing as service
from api.web.clock import NowDep
from api.web.deps import IdPath, SessionDep
from api.web.permissions import ManagerDep
from api.web.scope import ManagedCommunity

router = APIRouter(tags=["pairs 结对帮扶"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown or out of scope"}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "the pair's state refuses it"}}
BASE = "/communities/{community_id}"


@router.get(f"{BASE}/pairs", response_model=PairsPublic, responses=NOT_FOUND)
def list_pairs(session: SessionDep, community: ManagedCommunity) -> PairsPublic:
    """Proposed and confirmed pairs with their reasons; must-visit households still unpaired."""
    return PairsPublic(
        pairs=[PairPublic.of(p) for p in service.list_pairs(session=session, community=community)],
        unpaired=[
            HouseholdBrief.of(h)
            for h in service.households_needing(session=session, community=community)
        ],
    )


@router.post(
    f"{BASE}/pairs/propose", response_model=ProposalPublic, responses={**NOT_FOUND, **CONFLICT}
)
def propose(session: SessionDep, user: ManagerDep, community: ManagedCommunity) -> ProposalPublic:
    """Run the pairing: who pairs with whom, proven optimal, each pair and gap explained."""
    proposal = service.propose(session=session, community=community, actor=user)
    solution = proposal.solution
    return ProposalPublic(
        needing=solution.needing,
        paired=len(solution.pairs),
        objective=solution.objective,
        bound=solution.bound,
        gap=solution.gap,
        wall_time_s=round(solution.wall_time_s, 3),
        breakdown=solution.breakdown,
        pairs=[PairPublic.of(p) for p in proposal.pairs],
        unpaired=[UnpairedPublic(**u) for u in proposal.unpaired],
    )


@router.post(
    f"{BASE}/pairs/{{pair_id}}/confirm",
    response_model=PairPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def confirm(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    pair_id: IdPath,
    now: NowDep,
) -> PairPublic:
    """Confirm a proposed pair; it replaces the household's pair before it and owes visits."""
    pair = service.get_pair(session=session, community=community, pair_id=pair_id)
    today = now.astimezone(community.zone).date()
    return PairPublic.of(
        service.confirm(session=session, pair=pair, today=today, now=now, actor=user)
    )


@router.post(
    f"{BASE}/pairs/{{pair_id}}/end", response_model=PairPublic, responses={**NOT_FOUND, **CONFLICT}
)
def end(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    pair_id: IdPath,
    now: NowDep,
) -> PairPublic:
    """End a pair or drop a proposal; its visits stay in the household's history."""
    pair = service.get_pair(session=session, community=community, pair_id=pair_id)
    return PairPublic.of(service.end(session=session, pair=pair, now=now, actor=user))


@router.put(
    f"{BASE}/pair-locks",
    response_model=PairLockPublic,
    status_code=status.HTTP_200_OK,
    responses=NOT_FOUND,
)
def set_lock(
    session: SessionDep, user: ManagerDep, community: ManagedCommunity, data: PairLockSet
) -> PairLockPublic:
    """Pin a member to a household (``pin``) or keep them apart (``forbid``) in proposals."""
    lock = service.set_lock(
        session=session,
        community=community,
        household_id=data.household_id,
        person_id=data.person_id,
        kind=data.kind,
        actor=user,
    )
    return PairLockPublic(household_id=lock.household_id, person_id=lock.person_id, kind=lock.kind)


@router.delete(
    f"{BASE}/pair-locks/{{household_id}}/{{person_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
def remove_lock(
    session: SessionDep,
    user: ManagerDep,
    community: ManagedCommunity,
    household_id: IdPath,
    person_id: IdPath,
) -> None:
    service.remove_lock(
        session=session,
        community=community,
        household_id=household_id,
        person_id=person_id,
        actor=user,
    )


@router.get(
    f"{BASE}/households/{{household_id}}/visits",
    response_model=list[VisitPublic],
    responses=NOT_FOUND,
)
def visits(
    session: SessionDep, community: ManagedCommunity, household_id: IdPath
) -> list[VisitPublic]:
    """Every visit the household's standing pairs owed, newest first, and who went."""
    return [
        VisitPublic(**v)
        for v in service.visit_history(
            session=session, community=community, household_id=household_id
        )
    ]


@router.get(f"{BASE}/pairing-rules", response_model=PairingRulesPublic, responses=NOT_FOUND)
def read_rules(session: SessionDep, community: ManagedCommunity) -> PairingRulesPublic:
    return PairingRulesPublic.of(service.rules_of(session, community, create=False))


@router.patch(f"{BASE}/pairing-rules", response_model=PairingRulesPublic, responses=NOT_FOUND)
def update_rules(
    session: SessionDep, user: ManagerDep, community: ManagedCommunity, data: PairingRulesUpdate
) -> PairingRulesPublic:
    """Change the pairing rules: households per member, must-pair situations, visit rhythm."""
    return PairingRulesPublic.of(
        service.update_rules(
            session=session, community=community, changes=changes_of(data), actor=user
        )
    )
