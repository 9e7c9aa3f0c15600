"""Two replacements accept the same declined seat at the same moment: one gets it, the other
is told it is already taken, and the seat holds one person.

Each accept runs in its own thread and session, the way two web requests would, and lingers
inside its transaction after reading the seat, so without the seat's lock both would find it
free and both would write. On SQLite, and on PostgreSQL when ``TONGXIN_TEST_POSTGRES_URL`` is
set (where the two transactions truly overlap).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.services import claims
from api.services.errors import Conflict
from models import Assignment, AssignmentStatus, Wish, WishStatus
from models.db import make_session_factory
from models.schedule import OfferStatus, SeatOffer
from tests.api.conftest import password_hash
from tests.support.member_loop import BEFORE_WEEK, build

#: how long each accept lingers after reading the seat, inside its transaction
LINGER_S = 0.4


def test_two_accepting_at_once_one_wins_the_other_gets_already_taken(
    db: Session, db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = build(db, password_hash())
    claims.decline(session=db, assignment=loop.on_wish, actor=loop.users["张伟"], now=BEFORE_WEEK)
    db.commit()
    offers = {
        o.person_id: o.id
        for o in db.scalars(sa.select(SeatOffer).where(SeatOffer.assignment_id == loop.on_wish.id))
    }
    racers = ("王芳", "李强")
    assert all(loop.people[name].id in offers for name in racers)

    read_seat = claims._week_of

    def slow_read(*args: Any, **kwargs: Any) -> claims.Week:
        week = read_seat(*args, **kwargs)
        time.sleep(LINGER_S)  # the other request arrives meanwhile
        return week

    monkeypatch.setattr(claims, "_week_of", slow_read)
    factory = make_session_factory(db_engine)
    start = threading.Barrier(len(racers))
    outcomes: dict[str, object] = {}

    def accept(name: str) -> None:
        with factory() as session:
            person = session.get(type(loop.people[name]), loop.people[name].id)
            actor = session.get(type(loop.users[name]), loop.users[name].id)
            assert person is not None and actor is not None
            start.wait()
            try:
                taken = claims.accept_offer(
                    session=session,
                    person=person,
                    offer_id=offers[person.id],
                    actor=actor,
                    now=BEFORE_WEEK,
                )
                outcomes[name] = taken.id
            except Conflict as refusal:
                outcomes[name] = refusal

    threads = [threading.Thread(target=accept, args=(name,)) for name in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert set(outcomes) == set(racers)
    won = [name for name, outcome in outcomes.items() if isinstance(outcome, int)]
    lost = [outcome for outcome in outcomes.values() if isinstance(outcome, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert lost[0].zh == claims.TAKEN[0] and lost[0].en == claims.TAKEN[1]

    db.rollback()
    db.expire_all()
    holders = db.scalars(
        sa.select(Assignment.person_id).where(
            Assignment.wish_id == loop.wish.id,
            Assignment.status == AssignmentStatus.CONFIRMED,
        )
    ).all()
    assert holders == [loop.people[won[0]].id]
    wish = db.get(Wish, loop.wish.id)
    assert wish is not None and wish.status == WishStatus.ASSIGNED
    winner_offer = db.get(SeatOffer, offers[loop.people[won[0]].id])
    assert winner_offer is not None and winner_offer.status == OfferStatus.ACCEPTED
