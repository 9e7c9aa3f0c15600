"""Settings of the HTTP API, read from ``TONGXIN_*`` environment variables.

``TONGXIN_SECRET_KEY`` signs login tokens here and, in ``models.crypto``, derives the key that
encrypts private fields; outside development and tests it is required, and a secret that was
ever published is refused everywhere, so a server never starts with a key anybody else knows.
In development it defaults to the machine's own secret (``models.crypto.local_secret``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models import crypto
from models.crypto import DEVELOPMENT_ENVS, MIN_SECRET_LENGTH
from models.db import DEFAULT_DATABASE_URL


class DingTalkRobot(BaseModel):
    """A 钉钉 custom robot: the ``access_token`` of its webhook and, when its security setting
    is 加签 (signing), its ``secret`` (``SEC…``)."""

    access_token: str
    secret: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TONGXIN_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    #: empty in development: the machine's own secret (``models.crypto.local_secret``)
    secret_key: str = ""
    env: str = "development"
    #: lifetime of a login token
    access_token_minutes: int = 30
    #: requests with a larger body are refused with 413
    max_body_bytes: int = 1024 * 1024
    #: the largest ``limit`` a list accepts
    max_page_size: int = 100
    #: failed logins allowed per username within the window, and per client address (which
    #: may try several usernames, as people behind one office router do)
    login_attempts: int = 5
    login_attempts_per_address: int = 20
    login_window_seconds: int = 300

    #: comma-separated addresses of the reverse proxies whose ``X-Forwarded-For`` is believed
    #: (e.g. ``127.0.0.1`` behind a local nginx); empty: none, the connection's address counts
    forwarded_allow_ips: str = ""
    #: one line per request on standard error (uvicorn's access log); off, as a reverse proxy
    #: usually keeps that log, and writing it costs a web process a share of every request
    access_log: bool = False

    # load: what one web process takes on at once
    #: requests inside one web process at the same time, each with one request thread and one
    #: database connection (the PostgreSQL pool holds this many); the others wait their turn.
    #: More threads than a few per core only share the same processor among more requests:
    #: at 500 concurrent reads on 2 cores, 8 answered faster than 20 (docs/benchmarks.md)
    web_threads: int = Field(default=8, ge=1, le=500)
    #: how long a request waits for its turn before it is answered 503 with ``Retry-After``
    queue_wait_seconds: float = Field(default=10.0, gt=0, le=300)
    #: requests waiting beyond these are refused at once with 503 and ``Retry-After``
    max_waiting_requests: int = Field(default=1000, ge=0)
    #: a request that may write commits only if it does so within this many seconds of its
    #: arrival; later, it is undone and answered 503 with ``Retry-After``, so a client that
    #: gave up waiting (clients commonly wait 30 s) never finds it done behind its back
    request_deadline_seconds: float = Field(default=25.0, gt=0, le=3600)
    #: how long a request waits for a database connection or SQLite's write lock before
    #: it is answered 503 with ``Retry-After``
    db_wait_seconds: float = 20.0

    # the solve queue (api/worker/solve_queue.py)
    #: a worker renews the lease of the run it solves every third of this; a run whose lease
    #: has passed is failed, and its week can be solved again
    solve_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    #: whether ``tongxin serve`` solves queued runs itself; unset, it does in development and
    #: tests only (a deployment runs ``tongxin scheduler`` beside the web processes)
    embedded_worker: bool | None = None

    # notifications (api/worker/notify.py): where the scheduler's messages go
    #: ``log`` (the default), ``webhook`` or ``smtp``
    notify_channel: Literal["log", "webhook", "smtp"] = "log"
    #: the webhook channel POSTs each message as JSON here
    webhook_url: str = ""
    #: when set, each POST carries ``X-Tongxin-Signature: sha256=<HMAC of the body>``
    webhook_secret: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    #: the From address
    smtp_sender: str = ""
    #: comma-separated addresses receiving every message (the community office's mailbox)
    smtp_to: str = ""

    # messages to people (api/services/messages.py); e-mail goes through the SMTP server above
    #: ``tencent``: SMS through Tencent Cloud SMS ``SendSms``; empty (the default): no SMS
    sms_provider: Literal["", "tencent"] = ""
    tencent_sms_secret_id: str = ""
    tencent_sms_secret_key: str = ""
    #: the SMS application's ``SmsSdkAppId`` (``1400…``)
    tencent_sms_app_id: str = ""
    #: the approved signature (签名), e.g. ``同心社区``
    tencent_sms_sign_name: str = ""
    #: the approved template with two parameters, e.g. ``{1}，时间{2}。详情请打开同心查看。``
    tencent_sms_template_id: str = ""
    tencent_sms_region: str = "ap-guangzhou"
    tencent_sms_endpoint: str = "https://sms.tencentcloudapi.com"
    #: a 企业微信 group robot per community, JSON: ``{"<community id>": "<webhook key>"}``
    wecom_robots: dict[int, str] = Field(default_factory=dict)
    wecom_robot_url: str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    #: a 钉钉 custom robot per community, JSON:
    #: ``{"<community id>": {"access_token": "…", "secret": "SEC…"}}``
    dingtalk_robots: dict[int, DingTalkRobot] = Field(default_factory=dict)
    dingtalk_robot_url: str = "https://oapi.dingtalk.com/robot/send"

    @model_validator(mode="after")
    def _channel_is_complete(self) -> Self:
        if self.webhook_url:
            parts = urlsplit(self.webhook_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    f"TONGXIN_WEBHOOK_URL 须是 http(s) 地址，而不是 {self.webhook_url!r} "
                    f"(TONGXIN_WEBHOOK_URL must be an http(s) URL, not {self.webhook_url!r})"
                )
        missing = {
            "log": [],
            "webhook": [] if self.webhook_url else ["TONGXIN_WEBHOOK_URL"],
            "smtp": [
                name
                for name, value in (
                    ("TONGXIN_SMTP_HOST", self.smtp_host),
                    ("TONGXIN_SMTP_SENDER", self.smtp_sender),
                    ("TONGXIN_SMTP_TO", self.smtp_to),
                )
                if not value.strip()
            ],
        }[self.notify_channel]
        if missing:
            raise ValueError(
                f"TONGXIN_NOTIFY_CHANNEL={self.notify_channel} 时须设置 {'、'.join(missing)} "
                f"(TONGXIN_NOTIFY_CHANNEL={self.notify_channel} needs {', '.join(missing)})"
            )
        return self

    @model_validator(mode="after")
    def _sms_is_complete(self) -> Self:
        if self.sms_provider != "tencent":
            return self
        missing = [
            f"TONGXIN_{name.upper()}"
            for name in (
                "tencent_sms_secret_id",
                "tencent_sms_secret_key",
                "tencent_sms_app_id",
                "tencent_sms_sign_name",
                "tencent_sms_template_id",
            )
            if not str(getattr(self, name)).strip()
        ]
        if missing:
            raise ValueError(
                f"TONGXIN_SMS_PROVIDER=tencent 时须设置 {'、'.join(missing)} "
                f"(TONGXIN_SMS_PROVIDER=tencent needs {', '.join(missing)})"
            )
        return self

    @model_validator(mode="after")
    def _embedded_worker_by_default_in_development(self) -> Self:
        if self.embedded_worker is None:
            self.embedded_worker = self.env.strip().lower() in DEVELOPMENT_ENVS
        return self

    @property
    def solve_lease(self) -> timedelta:
        return timedelta(seconds=self.solve_lease_seconds)

    @property
    def email_on(self) -> bool:
        """Whether messages may go by e-mail to the people who gave an address."""
        return bool(self.smtp_host and self.smtp_sender)

    @property
    def sms_on(self) -> bool:
        return bool(self.sms_provider)

    def channels_of(self, community_id: int) -> dict[str, bool]:
        """Which channels reach a community's people and coordinators in this deployment: the
        in-app inbox always; e-mail, SMS and the community's group robots when set up."""
        return {
            "inbox": True,
            "email": self.email_on,
            "sms": self.sms_on,
            "wecom": community_id in self.wecom_robots,
            "dingtalk": community_id in self.dingtalk_robots,
        }

    @property
    def smtp_recipients(self) -> list[str]:
        return [address.strip() for address in self.smtp_to.split(",") if address.strip()]

    @model_validator(mode="after")
    def _secret_of_this_deployment(self) -> Self:
        self.env = self.env.strip().lower() or "development"
        if self.secret_key in crypto.PUBLISHED_SECRETS:
            raise ValueError(
                "TONGXIN_SECRET_KEY 是公开过的密钥，请设置新的值 "
                "(TONGXIN_SECRET_KEY was published; set a new value)"
            )
        if self.env in DEVELOPMENT_ENVS:
            self.secret_key = self.secret_key or crypto.local_secret()
            return self
        if not self.secret_key:
            raise ValueError(
                f"TONGXIN_ENV={self.env} 时必须设置自己的 TONGXIN_SECRET_KEY "
                f"(TONGXIN_SECRET_KEY must be set to a private value when TONGXIN_ENV={self.env})"
            )
        if len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"TONGXIN_SECRET_KEY 太短，至少需要 {MIN_SECRET_LENGTH} 个字符 "
                f"(TONGXIN_SECRET_KEY is too short: at least {MIN_SECRET_LENGTH} characters)"
            )
        return self
