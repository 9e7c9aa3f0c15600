"""Each channel against a real local receiver that checks the provider's documented request.

The receivers check what the providers' documents say, written here on their own rather than
calling the code under test: 企业微信 group robot (``POST …/cgi-bin/webhook/send?key=…``,
``{"msgtype": "markdown", "markdown": {"content": …}}``), 钉钉 custom robot (``access_token``,
``timestamp`` in ms and ``sign`` = urlencode(base64(HmacSHA256(secret, timestamp + "\\n" +
secret))); ``{"msgtype": "markdown", "markdown": {"title", "text"}}``), Tencent Cloud SMS
``SendSms`` 2021-01-11 signed with TC3-HMAC-SHA256, and e-mail over SMTP.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
import sqlalchemy as sa

from api.services.scheduling import publish
from api.settings import DingTalkRobot, Settings
from api.worker import jobs, notify
from models import Notification, NotificationStatus, Person
from tests.messages.conftest import PUBLISHED_AT, Place, local
from tests.support.receivers import Request, receiving, smtp_server

OK = {"errcode": 0, "errmsg": "ok"}
DIGEST_MORNING = local(2026, 3, 4, 8, 10)


def rows(place: Place, channel: str) -> list[Notification]:
    with place.factory() as session:
        return list(
            session.scalars(
                sa.select(Notification)
                .where(Notification.channel == channel)
                .order_by(Notification.id)
            )
        )


def deliver(place: Place, settings: Settings, now: datetime) -> None:
    notify.deliver_due(
        session_factory=place.factory, now=now, channels=notify.channels_from(settings)
    )


@pytest.fixture
def published(place: Place) -> Place:
    with place.factory() as session:
        publish(session=session, run_id=place["run"], actor=None, now=PUBLISHED_AT)
    return place


@pytest.fixture
def digested(published: Place) -> Iterator[Place]:
    assert jobs.send_digests(session_factory=published.factory, now=DIGEST_MORNING) == 1
    yield published


# 企业微信 ------------------------------------------------------------------------------------


def wecom_answer(request: Request) -> tuple[int, Any]:
    """The robot's documented checks: the key, the JSON shape, at most 4096 bytes."""
    if request.path != "/cgi-bin/webhook/send" or request.query.get("key") != ["KEY-HG"]:
        return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
    if not request.header("Content-Type").startswith("application/json"):
        return 200, {"errcode": 40008, "errmsg": "invalid message type"}
    body = request.json()
    if set(body) != {"msgtype", "markdown"} or body["msgtype"] != "markdown":
        return 200, {"errcode": 40008, "errmsg": "invalid message type"}
    content = body["markdown"]["content"]
    if set(body["markdown"]) != {"content"} or len(content.encode()) > 4096:
        return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
    return 200, OK


def test_the_digest_reaches_the_community_wecom_group(digested: Place) -> None:
    with receiving(wecom_answer) as robot:
        settings = Settings(
            env="test",
            wecom_robots={digested.community_id: "KEY-HG"},
            wecom_robot_url=robot.base + "/cgi-bin/webhook/send",
        )
        deliver(digested, settings, DIGEST_MORNING)
    [request] = robot.received
    content = request.json()["markdown"]["content"]
    assert content.startswith("### 红光社区 3月4日待办")
    assert "**待审核的报到（1人）**：赵强" in content
    assert "陪同就医" in content
    [row] = rows(digested, "wecom")
    assert row.status == NotificationStatus.SENT
    # no DingTalk robot is set up: its row is skipped, not retried
    [off] = rows(digested, "dingtalk")
    assert off.status == NotificationStatus.SKIPPED


def test_a_wecom_refusal_is_retried_with_backoff(digested: Place) -> None:
    with receiving(wecom_answer) as robot:
        wrong = Settings(
            env="test",
            wecom_robots={digested.community_id: "OLD-KEY"},
            wecom_robot_url=robot.base + "/cgi-bin/webhook/send",
        )
        deliver(digested, wrong, DIGEST_MORNING)
        [row] = rows(digested, "wecom")
        assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
        assert "93000" in (row.last_error or "")
        assert row.next_attempt_at == DIGEST_MORNING + notify.FIRST_BACKOFF
        right = wrong.model_copy(update={"wecom_robots": {digested.community_id: "KEY-HG"}})
        deliver(digested, right, DIGEST_MORNING)  # not yet due: nothing sent
        assert len(robot.received) == 1
        deliver(digested, right, DIGEST_MORNING + notify.FIRST_BACKOFF)
    [row] = rows(digested, "wecom")
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 2)
    assert len(robot.received) == 2


# 钉钉 ----------------------------------------------------------------------------------------

DINGTALK_SECRET = "SEC0123456789abcdef"


def dingtalk_answer(request: Request) -> tuple[int, Any]:
    """The custom robot's documented checks: token, timestamp within an hour, signature."""
    if request.path != "/robot/send" or request.query.get("access_token") != ["TOKEN-HG"]:
        return 200, {"errcode": 300001, "errmsg": "token is not exist"}
    [timestamp] = request.query.get("timestamp", [""])
    [sign] = request.query.get("sign", [""])  # parse_qs has undone the urlencoding
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
        return 200, {"errcode": 310000, "errmsg": "invalid timestamp"}
    expected = base64.b64encode(
        hmac.new(
            DINGTALK_SECRET.encode(),
            f"{timestamp}\n{DINGTALK_SECRET}".encode(),
            hashlib.sha256,
        ).digest()
    ).decode()
    if not hmac.compare_digest(sign, expected):
        return 200, {"errcode": 310000, "errmsg": "sign not match"}
    body = request.json()
    if body.get("msgtype") != "markdown" or set(body["markdown"]) != {"title", "text"}:
        return 200, {"errcode": 40035, "errmsg": "缺少参数 json"}
    return 200, OK


def test_the_digest_reaches_the_dingtalk_group_signed(
    digested: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiving(dingtalk_answer) as robot:
        # the settings as a deployment writes them: JSON in an environment variable
        monkeypatch.setenv(
            "TONGXIN_DINGTALK_ROBOTS",
            f'{{"{digested.community_id}": {{"access_token": "TOKEN-HG", '
            f'"secret": "{DINGTALK_SECRET}"}}}}',
        )
        monkeypatch.setenv("TONGXIN_DINGTALK_ROBOT_URL", robot.base + "/robot/send")
        deliver(digested, Settings(env="test"), DIGEST_MORNING)
    [request] = robot.received
    body = request.json()
    assert body["markdown"]["title"].startswith("今日待办 3月4日")
    assert "赵强" in body["markdown"]["text"]
    [row] = rows(digested, "dingtalk")
    assert row.status == NotificationStatus.SENT, row.last_error


def test_a_wrong_dingtalk_secret_is_refused_and_retried(digested: Place) -> None:
    with receiving(dingtalk_answer) as robot:
        settings = Settings(
            env="test",
            dingtalk_robots={
                digested.community_id: DingTalkRobot(access_token="TOKEN-HG", secret="SECwrong")
            },
            dingtalk_robot_url=robot.base + "/robot/send",
        )
        deliver(digested, settings, DIGEST_MORNING)
    [row] = rows(digested, "dingtalk")
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert "sign not match" in (row.last_error or "")


# Tencent Cloud SMS ---------------------------------------------------------------------------

SECRET_ID = "AKIDexample0123456789"
SECRET_KEY = "examplekey0123456789abcdef"


def tc3_signature(request: Request, signed_headers: str, day: str) -> str:
    """The TC3-HMAC-SHA256 signature as Tencent Cloud's "Signature v3" page writes it."""
    names = signed_headers.split(";")
    canonical_headers = "".join(
        f"{name}:{request.header(name).strip().lower() if name == 'x-tc-action' else request.header(name).strip()}\n"
        for name in names
    )
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            canonical_headers,
            signed_headers,
            hashlib.sha256(request.body).hexdigest(),
        ]
    )
    timestamp = request.header("X-TC-Timestamp")
    string_to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            timestamp,
            f"{day}/sms/tc3_request",
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )

    def sign(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    secret_date = sign(("TC3" + SECRET_KEY).encode(), day)
    secret_service = sign(secret_date, "sms")
    secret_signing = sign(secret_service, "tc3_request")
    return hmac.new(secret_signing, string_to_sign.encode(), hashlib.sha256).hexdigest()


def sms_error(code: str, message: str) -> dict[str, Any]:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "req-1"}}


def sms_answer(request: Request) -> tuple[int, Any]:
    """SendSms as the API 3.0 documents check it: the common headers, the signature, the body."""
    if (
        request.header("X-TC-Action") != "SendSms"
        or request.header("X-TC-Version") != "2021-01-11"
        or request.header("X-TC-Region") != "ap-guangzhou"
    ):
        return 200, sms_error("InvalidParameter", "common parameters")
    timestamp = request.header("X-TC-Timestamp")
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 300:
        return 200, sms_error("AuthFailure.SignatureExpire", "timestamp")
    authorization = request.header("Authorization")
    algorithm, _, rest = authorization.partition(" ")
    fields = dict(part.strip().split("=", 1) for part in rest.split(","))
    credential = fields.get("Credential", "").split("/")
    day = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")
    if (
        algorithm != "TC3-HMAC-SHA256"
        or credential != [SECRET_ID, day, "sms", "tc3_request"]
        or "content-type" not in fields.get("SignedHeaders", "").split(";")
        or "host" not in fields.get("SignedHeaders", "").split(";")
    ):
        return 200, sms_error("AuthFailure.SignatureFailure", "credential")
    expected = tc3_signature(request, fields["SignedHeaders"], day)
    if not hmac.compare_digest(fields.get("Signature", ""), expected):
        return 200, sms_error("AuthFailure.SignatureFailure", "signature")
    body = request.json()
    if (
        body.get("SmsSdkAppId") != "1400000001"
        or body.get("SignName") != "同心社区"
        or body.get("TemplateId") != "2233445"
    ):
        return 200, sms_error("InvalidParameterValue", "app, sign or template")
    return 200, {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "2028:f825e6b16e23f73f4123",
                    "PhoneNumber": number,
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
                for number in body["PhoneNumberSet"]
            ],
            "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
        }
    }


def sms_settings(endpoint: str, **extra: Any) -> Settings:
    return Settings(
        env="test",
        sms_provider="tencent",
        tencent_sms_secret_id=SECRET_ID,
        tencent_sms_secret_key=SECRET_KEY,
        tencent_sms_app_id="1400000001",
        tencent_sms_sign_name="同心社区",
        tencent_sms_template_id="2233445",
        tencent_sms_endpoint=endpoint,
        **extra,
    )


def test_a_member_gets_their_tasks_by_tencent_sms(published: Place) -> None:
    with receiving(sms_answer) as provider:
        deliver(published, sms_settings(provider.base), PUBLISHED_AT)
    sent = rows(published, "sms")
    assert [r.status for r in sent] == [NotificationStatus.SENT] * 3, [r.last_error for r in sent]
    bodies = [r.json() for r in provider.received]
    assert sorted(b["PhoneNumberSet"][0] for b in bodies) == [
        "+8613700002222",
        "+8613812345678",
        "+8613812345678",
    ]
    assert sorted(b["TemplateParamSet"] for b in bodies) == [
        ["新任务：党员先锋岗", "3月7日08:30"],
        ["新任务：党员先锋岗", "3月7日08:30"],
        ["新任务：陪同就医", "3月3日19:00"],
    ]
    # the phone is read when the SMS goes out, and never kept in the outbox
    assert not any("138" in str(r.payload) for r in sent)


def test_a_refused_or_wrongly_signed_sms_is_retried(published: Place) -> None:
    with receiving(sms_answer) as provider:
        wrong = sms_settings(provider.base).model_copy(
            update={"tencent_sms_secret_key": "not-the-key"}
        )
        deliver(published, wrong, PUBLISHED_AT)
    sent = rows(published, "sms")
    assert {(r.status, r.attempts) for r in sent} == {(NotificationStatus.PENDING, 1)}
    assert all("AuthFailure.SignatureFailure" in (r.last_error or "") for r in sent)

    def limited(request: Request) -> tuple[int, Any]:
        status, answer = sms_answer(request)
        for item in answer["Response"].get("SendStatusSet", []):
            item["Code"] = "LimitExceeded.PhoneNumberDailyLimit"
        return status, answer

    later = PUBLISHED_AT + notify.FIRST_BACKOFF
    with receiving(limited) as provider:
        deliver(published, sms_settings(provider.base), later)
    sent = rows(published, "sms")
    assert {(r.status, r.attempts) for r in sent} == {(NotificationStatus.PENDING, 2)}
    assert all("PhoneNumberDailyLimit" in (r.last_error or "") for r in sent)


def test_sms_is_off_by_default_and_refuses_an_incomplete_account() -> None:
    assert Settings(env="test").sms_provider == ""
    assert "sms" not in notify.channels_from(Settings(env="test"))
    with pytest.raises(ValueError, match="TONGXIN_TENCENT_SMS_TEMPLATE_ID"):
        Settings(
            env="test",
            sms_provider="tencent",
            tencent_sms_secret_id="a",
            tencent_sms_secret_key="b",
            tencent_sms_app_id="c",
            tencent_sms_sign_name="d",
        )


# e-mail --------------------------------------------------------------------------------------


def test_each_person_gets_their_own_email_in_plain_words(digested: Place) -> None:
    with smtp_server() as (box, port):
        settings = Settings(
            env="test", smtp_host="127.0.0.1", smtp_port=port, smtp_sender="tongxin@example.com"
        )
        deliver(digested, settings, DIGEST_MORNING)
    mails = {rcpt[0]: message_from_bytes(raw, policy=policy.default) for rcpt, raw in box.messages}
    # 王芳's two tasks and the coordinator's digest; 李明 gave no address
    assert sorted(rcpt[0] for rcpt, _ in box.messages) == [
        "chen@example.com",
        "wangfang@example.com",
        "wangfang@example.com",
    ]
    digest = mails["chen@example.com"]
    assert str(digest["Subject"]).startswith("今日待办 3月4日")
    text = digest.get_content()
    assert "待审核的报到（1人）：赵强" in text and "{" not in text
    to_wang = [
        message_from_bytes(raw, policy=policy.default)
        for rcpt, raw in box.messages
        if rcpt == ["wangfang@example.com"]
    ]
    bodies = [m.get_content() for m in to_wang]
    assert any("时间：3月7日（周六）08:30–11:30" in b for b in bodies)
    assert {r.status for r in rows(digested, "email")} == {NotificationStatus.SENT}


def test_an_address_removed_before_sending_is_skipped(published: Place) -> None:
    with published.factory() as session:
        wang = session.get(Person, published["wang"])
        assert wang is not None
        wang.email = None
        session.commit()
    with smtp_server() as (box, port):
        settings = Settings(
            env="test", smtp_host="127.0.0.1", smtp_port=port, smtp_sender="tongxin@example.com"
        )
        deliver(published, settings, PUBLISHED_AT + timedelta(minutes=1))
    assert box.messages == []
    assert {r.status for r in rows(published, "email")} == {NotificationStatus.SKIPPED}
