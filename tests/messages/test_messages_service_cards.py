"""服务登记卡: each work unit gets one e-mail a quarter with its members' cards, through the
outbox, to the unit's contact; only hours checked in or approved count; never a phone or a
resident's address; once per unit and quarter however often the job runs."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from api.services import assignments, work_units
from api.services.scheduling import publish
from api.settings import Settings
from api.worker import jobs, notify
from models import (
    Assignment,
    AssignmentStatus,
    Notification,
    NotificationStatus,
    Person,
    UserAccount,
)
from models.work_unit import ServiceCard, WorkUnit
from tests.messages.conftest import ADDRESS, PUBLISHED_AT, Place, local
from tests.support.receivers import smtp_server

Q1 = work_units.Quarter(2026, 1)
#: the first morning of the next quarter, when the job runs
APRIL_FIRST = local(2026, 4, 1, 9, 30)
HOSPITAL_MAIL = "dangban@hospital.example.com"


@pytest.fixture
def served(place: Place) -> Place:
    """The week published; 王芳 works at the hospital (a contact with an e-mail), 李明 at the
    finance bureau (no e-mail yet). 王芳's shift is done with 2.5 hours checked out; her wish
    visit has 1 hour logged without check-in, waiting for the coordinator."""
    with place.factory() as session:
        publish(session=session, run_id=place["run"], actor=None, now=PUBLISHED_AT)
        hospital = WorkUnit(name="区人民医院", contact_name="刘主任", contact_email=HOSPITAL_MAIL)
        bureau = WorkUnit(name="区财政局")
        session.add_all([hospital, bureau])
        session.flush()
        wang = session.get(Person, place["wang"])
        li = session.get(Person, place["li"])
        assert wang is not None and li is not None
        wang.unit, li.unit = hospital, bureau
        published = {
            (a.person_id, a.demand_kind.value): a
            for a in session.scalars(sa.select(Assignment).where(Assignment.run_id == place["run"]))
        }
        shift = published[(place["wang"], "shift")]
        shift.status, shift.hours_served = AssignmentStatus.DONE, 2.5
        shift.checked_in_at = shift.starts_at
        visit = published[(place["wang"], "wish")]
        visit.status, visit.hours_requested = AssignmentStatus.CONFIRMED, 1.0
        session.commit()
        place.ids |= {"hospital": hospital.id, "bureau": bureau.id, "visit": visit.id}
    return place


def _send(place: Place, quarter: work_units.Quarter | None = Q1) -> work_units.QuarterRun:
    return jobs.send_service_cards(session_factory=place.factory, now=APRIL_FIRST, quarter=quarter)


def _outbox(place: Place) -> list[Notification]:
    with place.factory() as session:
        return list(
            session.scalars(
                sa.select(Notification).where(Notification.kind == work_units.CARD_KIND)
            )
        )


def _deliver(place: Place, port: int) -> None:
    settings = Settings(
        env="test", smtp_host="127.0.0.1", smtp_port=port, smtp_sender="tongxin@example.com"
    )
    notify.deliver_due(
        session_factory=place.factory,
        now=APRIL_FIRST + timedelta(minutes=1),
        channels=notify.channels_from(settings),
    )


def test_each_unit_gets_one_email_with_its_members_services(served: Place) -> None:
    done = _send(served)
    assert done.sent == [served["hospital"]]
    # the bureau's member served nothing, but the bureau has no e-mail: nothing is written
    assert done.no_address == [served["bureau"]]
    (row,) = _outbox(served)
    assert row.channel == "email" and row.recipient == f"work_unit:{served['hospital']}"
    assert HOSPITAL_MAIL not in str(row.payload)  # the address is read when it is sent

    with smtp_server() as (box, port):
        _deliver(served, port)
    # the members' own task messages go out too; the unit gets one e-mail
    (raw,) = [raw for recipients, raw in box.messages if recipients == [HOSPITAL_MAIL]]
    mail = message_from_bytes(raw, policy=policy.default)
    assert str(mail["Subject"]).startswith("服务登记卡 2026年第1季度 · 区人民医院")
    text = mail.get_content()
    assert text.startswith("区人民医院 刘主任：")
    assert "王芳（在职党员，红光社区）：1 次，2.5 小时" in text
    assert "3月7日  党员先锋岗  2.5 小时" in text
    # hours logged without check-in and not yet approved do not count
    assert "为一户居民上门服务" not in text
    # nobody else's members, no phone, no resident's address
    assert "李明" not in text
    assert "13812345678" not in text and "138****5678" not in text and ADDRESS not in text
    assert "7 Mar  党员先锋岗  2.5 h" in text  # and in English below
    assert [r.status for r in _outbox(served)] == [NotificationStatus.SENT]


def test_running_the_quarter_again_sends_nothing_new(served: Place) -> None:
    first = _send(served)
    again = _send(served)
    assert first.sent == [served["hospital"]]
    assert again.sent == [] and again.already == [served["hospital"]]
    with served.factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ServiceCard)) == 1
    assert len(_outbox(served)) == 1
    with smtp_server() as (box, port):
        _deliver(served, port)
        _send(served)
        _deliver(served, port)
    assert [recipients for recipients, _ in box.messages].count([HOSPITAL_MAIL]) == 1


def test_approving_the_hours_puts_them_on_the_card(served: Place) -> None:
    with served.factory() as session:
        hospital = session.get(WorkUnit, served["hospital"])
        assert hospital is not None
        before = work_units.letter(session=session, unit=hospital, quarter=Q1)
        visit = session.get(Assignment, served["visit"])
        assert visit is not None
        coordinator = session.get(UserAccount, served["coordinator"])
        assert coordinator is not None
        assignments.approve_hours(session=session, assignment=visit, hours=1.5, actor=coordinator)
        after = work_units.letter(session=session, unit=hospital, quarter=Q1)
    assert before is not None and after is not None
    assert "为一户居民上门服务" not in before.body and before.hours == 2.5
    assert "3月3日  为一户居民上门服务（医疗卫生）  1.5 小时" in after.body and after.hours == 4.0
    # the wish's household is named nowhere, nor its address, nor the wish's own title (which
    # often names them)
    assert "刘奶奶" not in after.body and ADDRESS not in after.body
    assert "陪同就医" not in after.body


def test_a_unit_given_an_email_later_gets_its_letter_once(served: Place) -> None:
    assert _send(served).no_address == [served["bureau"]]
    with served.factory() as session:
        bureau = session.get(WorkUnit, served["bureau"])
        assert bureau is not None
        bureau.contact_email = "renshi@finance.example.com"
        session.commit()
    later = _send(served)
    assert later.sent == [served["bureau"]] and later.already == [served["hospital"]]
    with served.factory() as session:
        card = session.scalars(
            sa.select(ServiceCard).where(ServiceCard.work_unit_id == served["bureau"])
        ).one()
        assert "李明（在职党员，红光社区）：本季度没有服务记录" in card.body
        # the card's text is encrypted at rest
        raw = session.execute(
            sa.text("SELECT body FROM service_card WHERE id = :id"), {"id": card.id}
        ).scalar_one()
        assert "李明" not in raw
    assert _send(served).sent == []


def test_the_job_sends_the_quarter_just_ended(served: Place) -> None:
    done = _send(served, quarter=None)
    assert done.quarter == Q1
    # a quarter in which nobody served still reports the active members: none are left out
    spring = jobs.send_service_cards(session_factory=served.factory, now=local(2026, 7, 1, 9, 30))
    assert spring.quarter == work_units.Quarter(2026, 2)
    assert spring.sent == [served["hospital"]]


@pytest.mark.parametrize(
    ("text", "quarter"),
    [("2026Q1", Q1), ("2026-q4", work_units.Quarter(2026, 4))],
)
def test_quarters_are_read_as_written(text: str, quarter: work_units.Quarter) -> None:
    assert work_units.Quarter.parse(text) == quarter
    assert work_units.Quarter(2026, 1).previous() == work_units.Quarter(2025, 4)
