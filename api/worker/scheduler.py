"""The scheduler process (``tongxin scheduler``): the jobs of ``api.worker.jobs`` on a timetable.

It runs on its own, never inside the API's web workers, so several web workers never multiply
the jobs. Jobs live in APScheduler's SQLAlchemy job store on the application's database, with
fixed ids and ``replace_existing``, so a restart (or a second process) replaces them instead of
adding copies; ``coalesce`` turns a backlog of missed runs into one, and a run missed by more
than its grace time is skipped (the next one comes soon enough, and every job catches up on
its own). Two scheduler processes may still both fire a job: the jobs themselves are
idempotent, held by the database.

| job id | when (Asia/Shanghai) | what |
|---|---|---|
| ``draft:<community id>`` | the community's weekly time, default Friday 20:00 | ``draft_next_week`` |
| ``communities`` | every 15 minutes | add, move or remove the ``draft:`` jobs |
| ``remind`` | daily 18:00 | ``remind_tomorrow`` |
| ``chase`` | hourly, at :05 | ``chase_unconfirmed`` |
| ``escalate`` | daily 08:00 | ``escalate_wishes`` |
| ``digest`` | daily 08:10 | ``send_digests``: the coordinators' one message of the day |
| ``expire-offers`` | every 15 minutes | ``expire_offers``: offers of a declined seat unanswered for a day, or whose task began, lapse |
| ``service-cards`` | daily 09:30 | ``send_service_cards``: each work unit's letter of the quarter just ended, on the quarter's first morning; later mornings send only the letters a contact e-mail given late held back (never one twice) |
| ``deliver`` | every minute | ``deliver`` the outbox |

Beside the timetable, the process solves the runs coordinators queued (``solve_queue``), in
threads of its own; ``tongxin scheduler`` starts them.

Drafting many communities at once (``run_once(drafters=N)``, ``tongxin scheduler --once
--drafters N``): the due communities go to a pool of N processes, one solve each, and several
scheduler processes on one PostgreSQL database share them: each drafter locks a community
with ``FOR UPDATE SKIP LOCKED`` and passes over one another process holds, so every week is
still drafted once. Leave a core for the database and the web: N = cores − 1.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from api.services.scheduling import DEFAULT_LEASE
from api.settings import Settings
from api.worker import jobs, notify
from api.worker.solve_queue import SolveWorker
from models.community import DEFAULT_TIMEZONE, DEFAULT_ZONE, Community
from models.db import make_engine, make_session_factory
from models.schedule import RunStatus

log = logging.getLogger(__name__)

TIMEZONE = DEFAULT_TIMEZONE
JOBSTORE_TABLE = "apscheduler_job"
#: a run missed by more than this (the process was down) is skipped, not run late
MISFIRE_GRACE_S = 15 * 60
DRAFT_MISFIRE_GRACE_S = 6 * 60 * 60
CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@cache
def session_factory_for(database_url: str) -> sessionmaker[Session]:
    """One engine per database for the whole process."""
    return make_session_factory(make_engine(database_url), write_lock_at_begin=True)


def _now() -> datetime:
    return datetime.now(DEFAULT_ZONE)


# the scheduled callables: module-level, with plain arguments, so the job store can keep them


def run_draft(database_url: str, community_id: int) -> None:
    outcome = jobs.draft_next_week(
        session_factory=session_factory_for(database_url),
        community_id=community_id,
        now=_now(),
        lease=Settings().solve_lease,
    )
    log.info("draft %s", outcome)


def draft_in_process(
    database_url: str,
    community_id: int,
    now: str,
    time_limit_s: float | None,
    lease_s: float,
) -> tuple[int, str, int | None, str | None, str | None]:
    """One community's draft in a drafting process; the outcome as plain values."""
    outcome = jobs.draft_next_week(
        session_factory=session_factory_for(database_url),
        community_id=community_id,
        now=datetime.fromisoformat(now),
        time_limit_s=jobs.DEFAULT_TIME_LIMIT_S if time_limit_s is None else time_limit_s,
        lease=timedelta(seconds=lease_s),
        skip_locked=True,
    )
    return (
        outcome.community_id,
        outcome.week_start.isoformat(),
        outcome.run_id,
        outcome.status.value if outcome.status is not None else None,
        outcome.skipped_because,
    )


def draft_due(
    *,
    session_factory: sessionmaker[Session],
    now: datetime,
    drafters: int,
    time_limit_s: float | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> list[jobs.DraftOutcome]:
    """Draft every due community, ``drafters`` at a time in processes of their own."""
    due = jobs.due_communities(session_factory=session_factory, now=now)
    limit = jobs.DEFAULT_TIME_LIMIT_S if time_limit_s is None else time_limit_s
    if drafters <= 1 or len(due) <= 1:
        return [
            jobs.draft_next_week(
                session_factory=session_factory,
                community_id=community_id,
                now=now,
                time_limit_s=limit,
                lease=lease,
            )
            for community_id in due
        ]
    engine = session_factory.kw["bind"]
    url = engine.url.render_as_string(hide_password=False)
    # spawned, not forked: a drafter starts without the parent's connections and threads
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(drafters, len(due)), mp_context=context) as pool:
        answers = list(
            pool.map(
                draft_in_process,
                [url] * len(due),
                due,
                [now.isoformat()] * len(due),
                [time_limit_s] * len(due),
                [lease.total_seconds()] * len(due),
            )
        )
    return [
        jobs.DraftOutcome(
            community_id,
            date.fromisoformat(week_start),
            run_id,
            RunStatus(status) if status is not None else None,
            skipped,
        )
        for community_id, week_start, run_id, status, skipped in answers
    ]


def run_remind(database_url: str) -> None:
    jobs.remind_tomorrow(session_factory=session_factory_for(database_url), now=_now())


def run_chase(database_url: str) -> None:
    jobs.chase_unconfirmed(session_factory=session_factory_for(database_url), now=_now())


def run_escalate(database_url: str) -> None:
    jobs.escalate_wishes(session_factory=session_factory_for(database_url), now=_now())


def run_digest(database_url: str) -> None:
    jobs.send_digests(session_factory=session_factory_for(database_url), now=_now())


def run_expire_offers(database_url: str) -> None:
    jobs.expire_offers(session_factory=session_factory_for(database_url), now=_now())


def run_service_cards(database_url: str) -> None:
    jobs.send_service_cards(session_factory=session_factory_for(database_url), now=_now())


def run_deliver(database_url: str) -> None:
    jobs.deliver(
        session_factory=session_factory_for(database_url),
        now=_now(),
        channels=notify.channels_from(Settings()),
    )


def sync_community_jobs(database_url: str, scheduler: BaseScheduler | None = None) -> None:
    """A ``draft:<id>`` job per community at its weekly time; jobs of gone communities go."""
    target = scheduler or _running
    if target is None:
        return
    with session_factory_for(database_url)() as session:
        communities = list(session.scalars(sa.select(Community).order_by(Community.id)))
    wanted = set()
    for community in communities:
        job_id = f"draft:{community.id}"
        wanted.add(job_id)
        target.add_job(
            run_draft,
            CronTrigger(
                day_of_week=CRON_DAYS[community.weekly_run_weekday],
                hour=community.weekly_run_minute // 60,
                minute=community.weekly_run_minute % 60,
                timezone=community.timezone or TIMEZONE,
            ),
            args=[database_url, community.id],
            id=job_id,
            name=f"draft next week of {community.name}",
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=DRAFT_MISFIRE_GRACE_S,
            max_instances=1,
        )
    for job in target.get_jobs():
        if job.id.startswith("draft:") and job.id not in wanted:
            target.remove_job(job.id)


_running: BaseScheduler | None = None


def run_sync(database_url: str) -> None:
    sync_community_jobs(database_url)


DAILY: tuple[tuple[str, Callable[..., None], CronTrigger], ...] = (
    ("remind", run_remind, CronTrigger(hour=18, minute=0, timezone=TIMEZONE)),
    ("chase", run_chase, CronTrigger(minute=5, timezone=TIMEZONE)),
    ("expire-offers", run_expire_offers, CronTrigger(minute="*/15", timezone=TIMEZONE)),
    ("escalate", run_escalate, CronTrigger(hour=8, minute=0, timezone=TIMEZONE)),
    # after the escalation, so the digest lists what went up this morning
    ("digest", run_digest, CronTrigger(hour=8, minute=10, timezone=TIMEZONE)),
    # daily, not quarterly: the first morning of a quarter sends every unit its letter; a unit
    # whose contact e-mail came later gets its letter the next morning, the others nothing more
    ("service-cards", run_service_cards, CronTrigger(hour=9, minute=30, timezone=TIMEZONE)),
)


def build_scheduler(settings: Settings | None = None, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler with every job, its store on the application's database; not started."""
    global _running
    settings = settings or Settings()
    url = settings.database_url
    options: dict[str, Any] = {
        "jobstores": {"default": SQLAlchemyJobStore(url=url, tablename=JOBSTORE_TABLE)},
        "job_defaults": {
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_S,
        },
        "timezone": TIMEZONE,
    }
    scheduler: BaseScheduler = (
        BlockingScheduler(**options) if blocking else BackgroundScheduler(**options)
    )
    # coalesce, one instance and the grace time come from ``job_defaults``
    common: dict[str, Any] = {"args": [url], "replace_existing": True}
    for job_id, func, trigger in DAILY:
        scheduler.add_job(func, trigger, id=job_id, name=job_id, **common)
    scheduler.add_job(
        run_deliver,
        IntervalTrigger(minutes=1, timezone=TIMEZONE),
        id="deliver",
        name="deliver",
        **common,
    )
    scheduler.add_job(
        run_sync,
        IntervalTrigger(minutes=15, timezone=TIMEZONE),
        id="communities",
        name="communities",
        **common,
    )
    sync_community_jobs(url, scheduler)
    _running = scheduler
    return scheduler


def run_once(
    *,
    session_factory: sessionmaker[Session],
    now: datetime,
    time_limit_s: float | None = None,
    channels: dict[str, notify.Channel] | None = None,
    lease: timedelta = DEFAULT_LEASE,
    drafters: int = 1,
) -> dict[str, Any]:
    """Every job that is due at ``now``, once, in order, then the solve queue until it is
    empty; what each did.

    Drafting is due for the communities whose weekly time this week has passed; it does nothing
    for a week that already has its draft. The other jobs are always due. ``drafters``: how
    many communities are drafted at once, each in a process of its own (``draft_due``).
    """
    done: dict[str, Any] = {
        "drafts": draft_due(
            session_factory=session_factory,
            now=now,
            drafters=drafters,
            time_limit_s=time_limit_s,
            lease=lease,
        )
    }
    done["escalated"] = jobs.escalate_wishes(session_factory=session_factory, now=now)
    done["reminded"] = jobs.remind_tomorrow(session_factory=session_factory, now=now)
    done["chased"] = jobs.chase_unconfirmed(session_factory=session_factory, now=now)
    done["offers_expired"] = jobs.expire_offers(session_factory=session_factory, now=now)
    done["digests"] = jobs.send_digests(session_factory=session_factory, now=now)
    done["service_cards"] = jobs.send_service_cards(session_factory=session_factory, now=now)
    done["solved"] = SolveWorker(session_factory=session_factory, lease=lease).drain()
    done["delivered"] = jobs.deliver(session_factory=session_factory, now=now, channels=channels)
    return done
