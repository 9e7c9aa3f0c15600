"""``messages.tell``: who an event concerns, what they read, and that they read it once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from api.services import messages
from api.services.errors import Invalid, NotFound
from api.services.scheduling import publish
from api.worker import jobs
from matcher.domain import PersonKind
from models import (
    Assignment,
    AssignmentStatus,
    Message,
    Notification,
    Person,
    RunStatus,
    ScheduleRun,
    WishStatus,
)
from models.wish import Wish
from tests.messages.conftest import ADDRESS, COORDINATOR_PHONE, PUBLISHED_AT, WEEK, Place, local


def publish_draft(place: Place, run_id: int | None = None) -> None:
    with place.factory() as session:
        publish(session=session, run_id=run_id or place["run"], actor=None, now=PUBLISHED_AT)


def inbox(place: Place, kind: str | None = None) -> list[Message]:
    with place.factory() as session:
        query = sa.select(Message).order_by(Message.id)
        if kind:
            query = query.where(Message.kind == kind)
        return list(session.scalars(query))


def deliveries(place: Place, channel: str) -> list[Notification]:
    with place.factory() as session:
        return list(
            session.scalars(
                sa.select(Notification)
                .where(Notification.channel == channel)
                .order_by(Notification.id)
            )
        )


def of(place: Place, name: str, found: list[Message]) -> list[Message]:
    return [m for m in found if m.person_id == place[name]]


def test_publishing_tells_each_member_what_where_when_with_whom_and_whom_to_call(
    place: Place,
) -> None:
    publish_draft(place)
    told = inbox(place)
    assert {m.kind for m in told} == {"task_assigned"}
    assert sorted(m.recipient for m in told) == sorted(
        [f"person:{place['wang']}", f"person:{place['wang']}", f"person:{place['li']}"]
    )
    shift, visit = sorted(of(place, "wang", told), key=lambda m: "陪同" in m.subject)
    assert shift.subject == "新的服务任务：党员先锋岗 周六 08:30–11:30"
    # the community's time (Asia/Shanghai), never UTC: the shift is 00:30 UTC
    assert "时间：3月7日（周六）08:30–11:30" in shift.body
    assert "00:30" not in shift.body
    assert "地点：红光社区党群服务中心一楼" in shift.body
    assert "同去：李明" in shift.body
    assert f"联系：陈书记 {COORDINATOR_PHONE}" in shift.body
    assert "{" not in shift.body  # plain words, no JSON
    # the resident's address is never in a message; the task card shows it once confirmed
    assert ADDRESS not in visit.body
    assert "服务对象家中" in visit.body
    assert "同去：仅您一人" in visit.body
    # 李明 chose English
    [english] = of(place, "li", told)
    assert english.language == "en"
    assert english.subject == "A new service task: 党员先锋岗 周六 08:30–11:30"
    assert "When: Sat 7 Mar, 08:30–11:30" in english.body
    assert "With: 王芳" in english.body
    assert f"Contact: 陈书记 {COORDINATOR_PHONE}" in english.body
    # the coordinator is not written one message per task
    assert all(m.user_id is None for m in told)


def test_the_same_event_twice_is_one_message_and_one_delivery_per_channel(
    place: Place,
) -> None:
    publish_draft(place)
    before = [(m.id, m.dedupe_key) for m in inbox(place)]
    with place.factory() as session:
        again = messages.tell(
            session=session,
            event=messages.WeekPublished(run_id=place["run"], previous_run_id=None),
            now=PUBLISHED_AT + timedelta(minutes=5),
        )
        session.commit()
    assert sorted(m.id for m in again) == sorted(i for i, _ in before)
    assert [(m.id, m.dedupe_key) for m in inbox(place)] == before
    # 王芳 gave an e-mail: her two messages go by e-mail, once each; 李明 gave none
    email = deliveries(place, "email")
    assert [n.recipient for n in email] == [f"person:{place['wang']}"] * 2
    # both gave a phone: three SMS, whose parameters hold neither phone nor address
    sms = deliveries(place, "sms")
    assert len(sms) == 3
    for row in sms:
        params = row.payload["params"]
        assert len(params) == 2 and all(len(p) <= messages.SMS_PARAM_MAX for p in params)
        assert not any("138" in p or ADDRESS in p for p in params)
    assert {n.message_id for n in email} <= {m for m, _ in before}


def test_a_new_plan_tells_what_moved_and_what_is_gone(place: Place) -> None:
    publish_draft(place)
    with place.factory() as session:
        old = session.get(ScheduleRun, place["run"])
        assert old is not None
        run = ScheduleRun(community_id=place.community_id, week_start=WEEK, status=RunStatus.DRAFT)
        session.add(run)
        for a in list(old.assignments):
            if a.person_id == place["li"]:
                continue  # 李明 is no longer on the shift
            moved = a.id == place["wang_shift"]
            copy = Assignment(
                run=run,
                person_id=a.person_id,
                starts_at=a.starts_at + timedelta(minutes=30 if moved else 0),
                ends_at=a.ends_at + timedelta(minutes=30 if moved else 0),
            )
            session.add(copy)
            with session.no_autoflush:
                copy.demand = a.demand  # type: ignore[assignment]
        session.commit()
        new_id = run.id
    publish_draft(place, new_id)
    [changed] = inbox(place, "task_changed")
    assert changed.person_id == place["wang"]
    assert "时间：3月7日（周六）09:00–12:00" in changed.body
    [cancelled] = inbox(place, "task_cancelled")
    assert cancelled.person_id == place["li"]
    assert cancelled.subject.startswith("A service task is cancelled")
    # the unchanged visit is not told again
    assert len(inbox(place, "task_assigned")) == 3


def test_the_coordinators_get_one_digest_a_day(place: Place) -> None:
    publish_draft(place)
    # the hourly chase asks the members, not the coordinator
    chased = jobs.chase_unconfirmed(session_factory=place.factory, now=local(2026, 3, 3, 8, 30))
    assert chased == 1  # the visit at 19:00 that evening
    assert [m.person_id for m in inbox(place, "unconfirmed")] == [place["wang"]]

    morning = local(2026, 3, 4, 8, 10)
    assert jobs.send_digests(session_factory=place.factory, now=morning) == 1
    assert jobs.send_digests(session_factory=place.factory, now=morning + timedelta(hours=1))
    [digest] = inbox(place, "digest")
    assert digest.user_id == place["coordinator"]
    assert digest.subject == "今日待办 3月4日：待确认2项、风险心愿1件、待审核报到1人"
    # the visit of 3 March is over; the shift of Saturday waits for two answers
    assert "· 3月7日（周六）08:30–11:30 党员先锋岗 周六 08:30–11:30 — 李明" in digest.body
    assert "陪同就医：期限3月6日，还剩2天，已安排未完成" in digest.body
    assert "待审核的报到（1人）：赵强" in digest.body
    # its robots are posted once for the community, not per coordinator
    for robot in ("wecom", "dingtalk"):
        [post] = deliveries(place, robot)
        assert post.recipient == f"community:{place.community_id}"
        assert "待审核的报到（1人）" in post.payload["markdown"]
    # the coordinator gave an e-mail
    assert [n.message_id for n in deliveries(place, "email") if n.kind == "digest"] == [digest.id]


def test_no_digest_when_nothing_waits(place: Place) -> None:
    publish_draft(place)
    with place.factory() as session:
        for a in session.scalars(sa.select(Assignment)):
            a.advance(AssignmentStatus.CONFIRMED)
        wish = session.get(Wish, place["wish"])
        assert wish is not None
        wish.advance(WishStatus.DONE)
        zhao = session.get(Person, place["zhao"])
        assert zhao is not None
        zhao.pending = False
        session.commit()
    assert jobs.send_digests(session_factory=place.factory, now=local(2026, 3, 4, 8, 10)) == 0
    assert inbox(place, "digest") == []
    # the same morning with one registration waiting: one digest
    with place.factory() as session:
        zhao = session.get(Person, place["zhao"])
        assert zhao is not None
        zhao.pending = True
        session.commit()
    assert jobs.send_digests(session_factory=place.factory, now=local(2026, 3, 4, 8, 20)) == 1
    [digest] = inbox(place, "digest")
    assert "待确认" not in digest.body and "赵强" in digest.body


def test_a_notice_reaches_people_and_accounts_once(place: Place) -> None:
    notice = messages.Notice(
        key="seat-taken:7",
        recipients=(f"person:{place['li']}", f"user:{place['coordinator']}"),
        subject_zh="这个岗位已有人接",
        subject_en="This place is taken",
        body_zh="谢谢，已由他人接下。",
        body_en="Thank you; someone else took it.",
        community_id=place.community_id,
        kind="seat_taken",
    )
    for _ in range(2):
        with place.factory() as session:
            messages.tell(session=session, event=notice, now=PUBLISHED_AT)
            session.commit()
    told = inbox(place, "seat_taken")
    assert [(m.recipient, m.subject) for m in told] == [
        (f"person:{place['li']}", "This place is taken"),
        (f"user:{place['coordinator']}", "这个岗位已有人接"),
    ]
    with place.factory() as session, pytest.raises(Invalid):
        messages.tell(
            session=session,
            event=messages.Notice(
                key="x",
                recipients=("street:1",),
                subject_zh="",
                subject_en="",
                body_zh="",
                body_en="",
            ),
            now=PUBLISHED_AT,
        )


def test_the_body_is_encrypted_at_rest(place: Place) -> None:
    publish_draft(place)
    with place.factory() as session:
        raw = session.execute(sa.text("SELECT body FROM message")).scalars().all()
    assert raw and not any(COORDINATOR_PHONE in body or "王芳" in body for body in raw)


def test_a_long_digest_names_the_soonest_and_counts_the_rest(place: Place) -> None:
    with place.factory() as session:
        for i in range(messages.DIGEST_MOST + 5):
            session.add(
                Person(
                    community_id=place.community_id,
                    name=f"报到者{i:02d}",
                    kind=PersonKind.VOLUNTEER,
                    home_lat=24.3,
                    home_lng=116.1,
                    pending=True,
                )
            )
        session.commit()
    assert jobs.send_digests(session_factory=place.factory, now=local(2026, 3, 2, 8, 10)) == 1
    [digest] = inbox(place, "digest")
    waiting = messages.DIGEST_MOST + 6  # and 赵强
    assert f"待审核的报到（{waiting}人）：赵强、报到者00" in digest.body
    assert f"报到者{messages.DIGEST_MOST - 2:02d}等{waiting}人" in digest.body
    assert f"报到者{messages.DIGEST_MOST - 1:02d}" not in digest.body


def test_one_task_events_for_claims_and_declines(place: Place) -> None:
    """What the claim and decline flows call: one task, told once, with SMS for the member."""
    publish_draft(place)
    for _ in range(2):
        with place.factory() as session:
            messages.tell(
                session=session,
                event=messages.TaskCancelled(assignment_id=place["li_shift"]),
                now=PUBLISHED_AT,
            )
            messages.tell(
                session=session,
                event=messages.TaskChanged(
                    assignment_id=place["wang_shift"], previous_id=place["li_shift"]
                ),
                now=PUBLISHED_AT,
            )
            session.commit()
    [cancelled] = inbox(place, "task_cancelled")
    assert cancelled.person_id == place["li"] and "This task is no longer yours" in cancelled.body
    [changed] = inbox(place, "task_changed")
    assert changed.person_id == place["wang"] and "请以此为准" in changed.body
    sms = [n for n in deliveries(place, "sms") if n.kind in ("task_cancelled", "task_changed")]
    assert sorted(n.payload["params"][0] for n in sms) == [
        "任务取消：党员先锋岗",
        "任务时间变动：党员先锋岗",
    ]
    with place.factory() as session, pytest.raises(NotFound):
        messages.tell(
            session=session, event=messages.TaskAssigned(assignment_id=999_999), now=PUBLISHED_AT
        )
