"""The life of a wish: recorded → verified → open → assigned → done → followed_up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from models import Wish, WishStatus, WishTransitionError
from models.wish import WISH_TRANSITIONS
from tests.support.rows import add_community, add_wish

LIFE = ["recorded", "verified", "open", "assigned", "done", "followed_up"]


def test_a_wish_starts_recorded() -> None:
    assert Wish(title="买书包").status == WishStatus.RECORDED


def test_the_whole_life_in_order(session: Session) -> None:
    wish = add_wish(session, add_community(session))
    for status in LIFE[1:]:
        assert wish.can_advance(status)
        wish.advance(status)
        assert wish.status == status
    session.flush()
    assert WISH_TRANSITIONS[WishStatus.FOLLOWED_UP] == frozenset()


def test_a_decline_puts_it_back_to_open(session: Session) -> None:
    wish = add_wish(session, add_community(session), status=WishStatus.ASSIGNED)
    wish.advance(WishStatus.OPEN)
    assert wish.status == WishStatus.OPEN


@pytest.mark.parametrize(
    ("start", "wanted"),
    [
        ("recorded", "open"),  # not verified
        ("recorded", "done"),
        ("open", "done"),  # nobody was assigned
        ("done", "assigned"),
        ("followed_up", "recorded"),
        ("verified", "verified"),  # staying put is not a move
    ],
)
def test_invalid_moves_name_both_statuses(session: Session, start: str, wanted: str) -> None:
    wish = add_wish(session, add_community(session), status=WishStatus(start))
    with pytest.raises(WishTransitionError) as raised:
        wish.advance(wanted)
    message = str(raised.value)
    assert f"from {start} to {wanted}" in message
    assert "心愿不能从" in message
    assert isinstance(raised.value, ValueError)
    assert wish.status == start


def test_the_message_in_both_languages(session: Session) -> None:
    wish = add_wish(session, add_community(session))
    with pytest.raises(ValueError) as raised:
        wish.advance("done")
    assert str(raised.value) == (
        "心愿不能从「已录入」变为「已办结」，可变为：已核实 "
        "(a wish cannot go from recorded to done; allowed: verified)"
    )


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="lost"):
        Wish(title="x").advance("lost")


def test_setting_the_status_directly_is_checked_too(session: Session) -> None:
    wish = add_wish(session, add_community(session))
    with pytest.raises(WishTransitionError):
        wish.status = WishStatus.DONE
    session.commit()  # after a commit the status is read back before it is compared
    session.expire(wish)
    with pytest.raises(WishTransitionError):
        wish.status = WishStatus.DONE


def test_follow_up_closes_a_done_wish(session: Session) -> None:
    wish = add_wish(session, add_community(session), status=WishStatus.DONE)
    visited = datetime(2026, 3, 9, 2, tzinfo=UTC)
    wish.follow_up(rating=4, comment="师傅很耐心", visited_at=visited)
    assert wish.status == WishStatus.FOLLOWED_UP
    assert wish.status_changed_at == visited
    # a second visit is recorded without another status change
    wish.follow_up(rating=5)
    assert [f.rating for f in wish.follow_ups] == [4, 5]


def test_follow_up_before_done_is_refused(session: Session) -> None:
    wish = add_wish(session, add_community(session), status=WishStatus.ASSIGNED)
    with pytest.raises(WishTransitionError, match="assigned to followed_up"):
        wish.follow_up(rating=5)
    assert wish.follow_ups == []
