"""Standing pairs (结对帮扶): pairs with their reasons, pins and forbids, visits, rules.

A pair names the household as its wishes do (the name it agreed to have shown) with its
situations and the walking distance; never the address or phone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from api.schemas.common import RefId, Strict
from matcher.domain import SITUATIONS_ZH
from models.household import Household, Situation
from models.pairing import PAIR_STATUS_ZH, PairingRules, PairLockKind, PairStatus, StandingPair


class ReasonPublic(BaseModel):
    zh: str
    en: str


def situations_of(household: Household) -> list[str]:
    return sorted(s.value for s in household.situations)


class HouseholdBrief(BaseModel):
    id: int
    name: str
    situations: list[str]
    situations_zh: str

    @classmethod
    def of(cls, household: Household) -> HouseholdBrief:
        keys = situations_of(household)
        return cls(
            id=household.id,
            name=household.name,
            situations=keys,
            situations_zh="、".join(SITUATIONS_ZH.get(k, k) for k in keys),
        )


class PairPublic(BaseModel):
    id: int
    status: PairStatus
    status_zh: str
    household: HouseholdBrief
    person_id: int
    person_name: str
    distance_m: float
    reasons: list[ReasonPublic]
    confirmed_on: date | None

    @classmethod
    def of(cls, pair: StandingPair) -> PairPublic:
        return cls(
            id=pair.id,
            status=pair.status,
            status_zh=PAIR_STATUS_ZH[pair.status],
            household=HouseholdBrief.of(pair.household),
            person_id=pair.person_id,
            person_name=pair.person.name,
            distance_m=pair.distance_m,
            reasons=[ReasonPublic(**r) for r in pair.reasons],
            confirmed_on=pair.confirmed_on,
        )


class PairsPublic(BaseModel):
    """The live pairs, and the must-visit households without a confirmed pair."""

    pairs: list[PairPublic]
    unpaired: list[HouseholdBrief]


class UnpairedPublic(BaseModel):
    household_id: int
    name: str
    reason: ReasonPublic


class ProposalPublic(BaseModel):
    """A pairing run: its figures (the optimum and its proven bound) and its pairs."""

    needing: int
    paired: int
    objective: int
    bound: int
    gap: float
    wall_time_s: float
    breakdown: dict[str, int]
    pairs: list[PairPublic]
    unpaired: list[UnpairedPublic]


class PairLockSet(Strict):
    household_id: RefId
    person_id: RefId
    kind: PairLockKind


class PairLockPublic(BaseModel):
    household_id: int
    person_id: int
    kind: PairLockKind


class VisitPublic(BaseModel):
    visit_id: int
    due_on: date
    paired_member: str
    status: str
    status_zh: str
    done: bool
    visited_by: str | None
    visited_at: datetime | None
    wish_id: int


Weeks = Annotated[int, Field(ge=1, le=52)]
Days = Annotated[int, Field(ge=0, le=90)]
PerMember = Annotated[int, Field(ge=1, le=30)]


class PairingRulesUpdate(Strict):
    max_households_per_member: PerMember | None = None
    must_pair: list[Situation] | None = Field(default=None, max_length=len(Situation))
    visit_every_weeks: Weeks | None = None
    new_situation_visit_days: Days | None = None


class PairingRulesPublic(BaseModel):
    max_households_per_member: int
    #: empty: every must-visit situation (the default)
    must_pair: list[str]
    visit_every_weeks: int
    new_situation_visit_days: int

    @classmethod
    def of(cls, rules: PairingRules) -> PairingRulesPublic:
        return cls(
            max_households_per_member=rules.max_households_per_member,
            must_pair=list(rules.must_pair),
            visit_every_weeks=rules.visit_every_weeks,
            new_situation_visit_days=rules.new_situation_visit_days,
        )


def changes_of(data: PairingRulesUpdate) -> dict[str, Any]:
    """The fields the body sets (a null keeps the value as it is)."""
    return {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
