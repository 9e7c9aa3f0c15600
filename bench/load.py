"""Load benchmark: bursts of concurrent clients against the real server, on SQLite and PostgreSQL.

For each database: a fresh database loaded with ``tongxin load scenarios/hongguang.json``, the
real server (``tongxin serve``) started on loopback, then bounded bursts of HTTP clients, one
task each, all started together once the server answers a plain request within 0.5 s. After
each burst the database itself is read to find where the answers and the rows disagree:

- *accepted but missing*: answered 2xx, yet not in the database (a lost write);
- *written but refused*: in the database, yet its final answer was not 2xx (a phantom row).

Reads have neither, by definition. A 503 with ``Retry-After`` is sent again after that many
seconds, at most 5 times (*retried* counts the resends); every other answer is final, and a
request without an answer within 30 s is a time-out (a broken connection is counted with them;
the notes under the table tell them apart). p50 / p95 are over the final answers' latency,
retries and their waits included; requests/s is answers over the burst's wall time. The
clients run on the same machine as the server: compare rows with each other, not with another
day's table. Results and what they showed: ``docs/benchmarks.md``.

    python -m bench.load [--database sqlite|postgresql|both] [--workers N]
                         [--scenario NAME ...] [--clients-scale F]

Scenarios (full size; ``--clients-scale 0.2`` for a quick run):

- ``registrations`` — 500 concurrent ``POST /registrations`` (on SQLite a burst of 200 first);
- ``me`` — 500 concurrent ``GET /me`` from members logged in beforehand, 16 at a time;
- ``board`` — 200 concurrent ``GET /communities/{id}/weeks/2026-03-02`` by the coordinator;
- ``overrides`` — the week solved into a draft, then 50 concurrent overrides (pins of people
  on the demands the draft gave them, forbids elsewhere) and 5 concurrent publishes of the
  draft, in one burst;
- ``solve-while-reading`` — one ``POST .../solve`` while 200 members read ``GET /me``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httptools
import httpx
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

REPO = Path(__file__).resolve().parent.parent
SCENARIO_FILE = REPO / "scenarios" / "hongguang.json"
TONGXIN = Path(sys.executable).parent / "tongxin"
SCENARIOS = ("registrations", "me", "board", "overrides", "solve-while-reading")
DATABASES = ("sqlite", "postgresql")

API = "/api/v1"
WEEK = date(2026, 3, 2)
COORDINATOR = "demo-coordinator"
DEMO_PASSWORD = "tongxin-demo"

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: the process id in its name: two runs at once on one machine never drop each other's schema
POSTGRES_SCHEMA = f"bench_load_{os.getpid()}"

#: burst sizes at --clients-scale 1
REGISTRATIONS = {"sqlite": (200, 500), "postgresql": (500,)}
ME_CLIENTS = 500
BOARD_CLIENTS = 200
OVERRIDE_CLIENTS = 50
PUBLISH_CLIENTS = 5
READERS_WHILE_SOLVING = 200

REQUEST_TIMEOUT_S = 30.0
MAX_RETRIES = 5
#: logins before the bursts, and registrations a burst did not provide, go this many at a time
SETUP_CONCURRENCY = 16
SOLVE_TIME_LIMIT_S = 5
SOLVE_WAIT_S = 120.0
SERVER_START_S = 120.0
#: before a burst, the server must answer a request within QUIET_S (requests a previous burst
#: gave up on may still be in it); waited for at most SETTLE_S
QUIET_S = 0.5
SETTLE_S = 180.0
DEFAULT_WORKERS = 2

#: a run still being worked on
RUN_BUSY = ("queued", "solving")
#: prefix of the reason of every override a burst writes, to find them in the database
OVERRIDE_MARK = "load-"
#: server log lines not worth showing: requests served, and a traceback's frames and links
#: (its last line, the exception, is shown)
LOG_NOISE = re.compile(
    r"^(\s|$|INFO\b|Traceback |The above exception|During handling|\[SQL: |\[parameters: "
    r"|\(Background on this error)"
)


class BenchFailure(Exception):
    """The database or the server could not be set up; the message says what happened."""


# answers and rows ----------------------------------------------------------------------------


@dataclass
class Answer:
    """The final answer to one client's request."""

    label: str
    #: the HTTP status, or None when no answer came (time-out, connection error)
    status: int | None
    seconds: float
    retried: int
    body: Any = None
    #: "time-out" or the connection error's name when ``status`` is None
    error: str = ""
    #: what the request writes, to look it up in the database afterwards
    key: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def outcome(self) -> str:
        return str(self.status) if self.status is not None else self.error


@dataclass
class Row:
    """One line of the table: the answers of one kind of request in one burst."""

    scenario: str
    answers: list[Answer]
    wall_s: float
    #: answered 2xx, not in the database
    missing: int = 0
    #: in the database, answered otherwise
    phantom: int = 0

    @property
    def clients(self) -> int:
        return len(self.answers)

    def count(self, low: int, high: int) -> int:
        return sum(1 for a in self.answers if a.status is not None and low <= a.status < high)

    @property
    def no_answer(self) -> int:
        return sum(1 for a in self.answers if a.status is None)

    @property
    def retried(self) -> int:
        return sum(a.retried for a in self.answers)

    def latency(self, q: float, *, with_time_outs: bool = False) -> float | None:
        """The q-quantile (nearest rank) of the answered requests' latency; or of every
        request's, a request without an answer counted as slower than any answer (infinite)."""
        values = sorted(
            a.seconds if a.status is not None else math.inf
            for a in self.answers
            if with_time_outs or a.status is not None
        )
        if not values:
            return None
        return values[max(0, math.ceil(q * len(values)) - 1)]

    @property
    def per_second(self) -> float:
        answered = self.clients - self.no_answer
        return answered / self.wall_s if self.wall_s > 0 else 0.0


@dataclass
class Report:
    database: str
    server: str = ""
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    server_log: list[str] = field(default_factory=list)


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"> {REQUEST_TIMEOUT_S:g}" if math.isinf(value) else f"{value:.2f}"


def table(rows: Sequence[Row]) -> str:
    head = (
        "| scenario | clients | ok | 4xx | 5xx | time-outs | retried | accepted but missing "
        "| written but refused | p50 s | p95 s | requests/s |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        lines.append(
            f"| {r.scenario} | {r.clients} | {r.count(200, 300)} | {r.count(400, 500)} "
            f"| {r.count(500, 600)} | {r.no_answer} | {r.retried} | {r.missing} | {r.phantom} "
            f"| {_seconds(r.latency(0.5))} | {_seconds(r.latency(0.95))} | {r.per_second:,.1f} |"
        )
    return "\n".join(lines)


def outcomes(row: Row) -> str:
    """The answers that were not 2xx, by status, with the first body of each."""
    counts = Counter(a.outcome for a in row.answers if not a.ok)
    parts = []
    for outcome, n in counts.most_common():
        sample = next(a for a in row.answers if a.outcome == outcome)
        detail = _detail(sample.body)
        parts.append(f"{outcome} × {n}" + (f" ({detail})" if detail else ""))
    return ", ".join(parts)


def _detail(body: Any) -> str:
    if isinstance(body, dict) and "detail" in body:
        body = body["detail"]
    text = body if isinstance(body, str) else repr(body) if body is not None else ""
    return text if len(text) <= 140 else text[:137] + "..."


# requests ------------------------------------------------------------------------------------

#: one client's part in a burst: its request (and resends) on the burst's client
Job = Callable[[httpx.AsyncClient], Awaitable[Answer]]


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:200]


async def send(
    client: httpx.AsyncClient, method: str, url: str, *, label: str, key: str = "", **kw: Any
) -> Answer:
    """One client's request: resent after a 503's ``Retry-After``, at most ``MAX_RETRIES``
    times; anything else is final."""
    started = time.perf_counter()
    retried = 0
    while True:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                response = await client.request(method, url, **kw)
        except (TimeoutError, httpx.TimeoutException):
            return Answer(
                label, None, time.perf_counter() - started, retried, None, "time-out", key
            )
        except httpx.TransportError as exc:
            name = type(exc).__name__
            return Answer(label, None, time.perf_counter() - started, retried, None, name, key)
        wait = _retry_after(response)
        if response.status_code == 503 and wait is not None and retried < MAX_RETRIES:
            retried += 1
            await asyncio.sleep(wait)
            continue
        elapsed = time.perf_counter() - started
        return Answer(label, response.status_code, elapsed, retried, _body(response), "", key)


class _Response:
    """httptools' callbacks for one response."""

    def __init__(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()
        self.complete = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete = True


Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class Connections(httpx.AsyncBaseTransport):
    """Kept-alive plain-HTTP connections, one request at a time on each (a request takes an
    idle one or opens another), answers read with httptools, the parser the server uses.
    httpx's own transport costs a client about three times the CPU per request (3–4 ms against
    1.1 ms, measured against a server that answers at once); on two cores shared with the
    server that cost was most of what the table measured."""

    def __init__(self) -> None:
        self._idle: list[Streams] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        head = [b"%s %s HTTP/1.1\r\n" % (request.method.encode(), request.url.raw_path)]
        head += [name + b": " + value + b"\r\n" for name, value in request.headers.raw]
        payload = b"".join(head) + b"\r\n" + await request.aread()
        streams: Streams | None = self._idle.pop() if self._idle else None
        try:
            if streams is None:
                streams = await asyncio.open_connection(request.url.host, request.url.port)
            reader, writer = streams
            writer.write(payload)
            answer = _Response()
            parser = httptools.HttpResponseParser(answer)
            while not answer.complete:
                chunk = await reader.read(65536)
                if not chunk:
                    raise httpx.RemoteProtocolError("the server closed the connection")
                parser.feed_data(chunk)
        except BaseException as exc:
            if streams is not None:
                streams[1].close()
            if isinstance(exc, OSError):
                raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
            raise
        if parser.should_keep_alive():
            self._idle.append(streams)
        else:
            writer.close()
        return httpx.Response(
            parser.get_status_code(), headers=answer.headers, content=bytes(answer.body)
        )

    async def aclose(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


def new_client(base_url: str) -> httpx.AsyncClient:
    """A client with a connection per concurrent request."""
    return httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_S, transport=Connections())


async def settle(base_url: str) -> float | None:
    """Wait until the server answers ``GET /privacy-notice`` within ``QUIET_S``: the seconds
    waited, or None if it never did within ``SETTLE_S``."""
    started = time.perf_counter()
    async with new_client(base_url) as client:
        while time.perf_counter() - started < SETTLE_S:
            answer = await send(client, "GET", f"{API}/privacy-notice", label="settle")
            if answer.ok and answer.seconds < QUIET_S:
                return time.perf_counter() - started
            await asyncio.sleep(1.0)
    return None


async def burst(
    base_url: str,
    jobs: Sequence[Job],
    notes: list[str],
    name: str,
) -> tuple[list[Answer], float]:
    """Once the server is quiet, start every job at once on fresh connections; their answers
    and the wall time."""
    waited = await settle(base_url)
    if waited is None:
        notes.append(f"{name}: the server was still busy after {SETTLE_S:.0f} s; sent anyway")
    elif waited > 2:
        notes.append(f"{name}: waited {waited:.0f} s for the server to be quiet first")
    # a client each, made before the clock starts: one client's pool looks through all of its
    # connections for every request, so 500 requests through one pool cost the clients
    # (measured: about 60 answers a second through one, 140–190 through one each)
    clients = [new_client(base_url) for _ in jobs]
    try:
        started = time.perf_counter()
        answers = await asyncio.gather(*(job(c) for job, c in zip(jobs, clients, strict=True)))
        return list(answers), time.perf_counter() - started
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


async def bounded(base_url: str, jobs: Sequence[Job]) -> list[Answer]:
    """Run jobs ``SETUP_CONCURRENCY`` at a time (set-up work, not measured). Once that many
    in a row got no 2xx the server is stuck: the jobs not yet started are left unsent."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)
    failed_in_a_row = 0

    async def one(client: httpx.AsyncClient, job: Job) -> Answer:
        nonlocal failed_in_a_row
        async with gate:
            if failed_in_a_row >= SETUP_CONCURRENCY:
                return Answer("set-up", None, 0.0, 0, error="not sent")
            answer = await job(client)
            failed_in_a_row = 0 if answer.ok else failed_in_a_row + 1
            return answer

    async with new_client(base_url) as client:
        return list(await asyncio.gather(*(one(client, job) for job in jobs)))


# the database --------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file in ``folder``, or a PostgreSQL schema made
    afresh (and dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'tongxin.db'}"
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {POSTGRES_SCHEMA} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {POSTGRES_SCHEMA}"))
    except sa.exc.OperationalError as exc:
        raise BenchFailure(f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}") from exc
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{POSTGRES_SCHEMA}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {POSTGRES_SCHEMA} CASCADE"))
        admin.dispose()


def load_scenario(env: dict[str, str]) -> None:
    """``tongxin load scenarios/hongguang.json`` into the database of ``env``."""
    done = subprocess.run(
        [str(TONGXIN), "load", str(SCENARIO_FILE)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise BenchFailure(
            f"tongxin load failed (exit {done.returncode}):\n" + tail(done.stderr.splitlines())
        )


def tail(lines: Sequence[str], n: int = 25) -> str:
    return "\n".join(f"    {line}" for line in lines[-n:])


# the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_accepts_workers(env: dict[str, str]) -> bool:
    shown = subprocess.run(
        [str(TONGXIN), "serve", "--help"],
        env={**env, "COLUMNS": "200", "TERMINAL_WIDTH": "200"},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return "--workers" in shown.stdout


class Server:
    """``tongxin serve`` on a free loopback port, its output in files of ``folder``."""

    def __init__(self, env: dict[str, str], folder: Path, workers: int) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.stderr_path = folder / "server.stderr"
        self.stdout_path = folder / "server.stdout"
        command = [str(TONGXIN), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if workers > 1:
            command += ["--workers", str(workers)]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            # a session of its own, so that its worker processes can be stopped with it
            self.process = subprocess.Popen(
                command, env=env, cwd=REPO, stdout=out, stderr=err, start_new_session=True
            )

    def wait_until_answering(self) -> float:
        started = time.perf_counter()
        deadline = started + SERVER_START_S
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise BenchFailure(
                    f"the server exited with code {self.process.returncode} before answering:\n"
                    + tail(self.log_lines())
                )
            try:
                if httpx.get(f"{self.base_url}{API}/privacy-notice", timeout=5).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise BenchFailure(f"the server did not answer within {SERVER_START_S:.0f} s")

    @property
    def exited(self) -> int | None:
        return self.process.poll()

    def log_size(self) -> int:
        return self.stderr_path.stat().st_size if self.stderr_path.exists() else 0

    def log_lines(self, since: int = 0) -> list[str]:
        with open(self.stderr_path, "rb") as log:
            log.seek(since)
            return log.read().decode("utf-8", "replace").splitlines()

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def log_summary(lines: Sequence[str], limit: int = 12) -> list[str]:
    """The server's error and warning lines (and exceptions), alike ones counted once."""
    counts: Counter[str] = Counter()
    for line in lines:
        if not LOG_NOISE.match(line):
            # times, ports and ids vary; small numbers (pool sizes, limits) are kept
            text = re.sub(r"\d{4,}|\d+\.\d{3,}", "N", line.strip())
            counts[text[:220]] += 1
    return [f"{n} × {text}" for text, n in counts.most_common(limit)]


# the world the bursts act in -----------------------------------------------------------------


@dataclass
class Member:
    username: str
    password: str
    token: str = ""


@dataclass
class World:
    base_url: str
    database_url: str
    coordinator: dict[str, str]
    community_id: int
    consent_version: str
    centres: list[tuple[float, float]]
    members: list[Member] = field(default_factory=list)
    next_member: int = 1
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    @property
    def week(self) -> str:
        return f"{API}/communities/{self.community_id}/weeks/{WEEK.isoformat()}"

    @contextlib.contextmanager
    def database(self) -> Iterator[sa.Connection]:
        """A connection of its own to the server's database, to read what was written."""
        engine = sa.create_engine(self.database_url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()

    def registration(self) -> tuple[Member, dict[str, Any]]:
        """A new member's registration: a home near one of the community's grid centres."""
        i = self.next_member
        self.next_member += 1
        # the phone is the login name
        member = Member(f"139{i:08d}", f"Load-{secrets.token_hex(8)}")
        lat, lng = self.centres[i % len(self.centres)]
        body: dict[str, Any] = {
            "phone": member.username,
            "password": member.password,
            "name": f"测试{i:04d}",
            "kind": "party_member" if i % 2 else "volunteer",
            "community_id": self.community_id,
            "home": {
                "lat": round(lat + self.rng.uniform(-0.002, 0.002), 6),
                "lng": round(lng + self.rng.uniform(-0.002, 0.002), 6),
            },
            "availability": [{"weekday": i % 7, "start": "18:30", "end": "21:00"}],
            "consent": {"version": self.consent_version, "accepted": True},
        }
        return member, body


async def login(client: httpx.AsyncClient, username: str, password: str, label: str) -> Answer:
    return await send(
        client,
        "POST",
        f"{API}/auth/token",
        label=label,
        key=username,
        data={"username": username, "password": password},
    )


def _require(answer: Answer, what: str) -> Any:
    if not answer.ok:
        raise BenchFailure(f"{what}: {answer.outcome} {_detail(answer.body)}")
    return answer.body


async def make_world(base_url: str, database_url: str) -> World:
    async with new_client(base_url) as client:
        token = _require(
            await login(client, COORDINATOR, DEMO_PASSWORD, "login"), "coordinator login"
        )
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        communities = _require(
            await send(client, "GET", f"{API}/communities", label="setup"), "communities"
        )
        if not communities:
            raise BenchFailure("GET /communities lists no community")
        community_id = int(communities[0]["id"])
        notice = _require(
            await send(client, "GET", f"{API}/privacy-notice", label="setup"), "privacy notice"
        )
        grids = _require(
            await send(
                client,
                "GET",
                f"{API}/communities/{community_id}/grids",
                label="setup",
                headers=headers,
            ),
            "grids",
        )
    centres = [
        (float(g["center_lat"]), float(g["center_lng"]))
        for g in grids
        if g.get("center_lat") is not None and g.get("center_lng") is not None
    ]
    if not centres:
        raise BenchFailure("the community's grids have no centres to place homes near")
    return World(base_url, database_url, headers, community_id, str(notice["version"]), centres)


# scenarios -----------------------------------------------------------------------------------


class Scale:
    def __init__(self, factor: float) -> None:
        self.factor = factor

    def __call__(self, clients: int) -> int:
        return max(1, round(clients * self.factor))


async def registrations(world: World, report: Report, sizes: Sequence[int]) -> None:
    for size in sizes:
        made = [world.registration() for _ in range(size)]
        jobs = [_register_job(body) for _, body in made]
        answers, wall = await burst(world.base_url, jobs, report.notes, "registrations")
        row = Row("registrations", answers, wall)
        check_registrations(world, row)
        world.members += [m for (m, _), a in zip(made, answers, strict=True) if a.ok]
        report.rows.append(row)


def _register_job(body: dict[str, Any]) -> Job:
    async def job(client: httpx.AsyncClient) -> Answer:
        return await send(
            client,
            "POST",
            f"{API}/registrations",
            label="registrations",
            key=body["name"],
            json=body,
        )

    return job


def check_registrations(world: World, row: Row) -> None:
    from models.person import Person

    # each registration's name is its own ("测试0042"); the phone is stored encrypted
    names = [a.key for a in row.answers]
    with world.database() as connection:
        present = set(connection.scalars(sa.select(Person.name).where(Person.name.in_(names))))
    row.missing = sum(1 for a in row.answers if a.ok and a.key not in present)
    row.phantom = sum(1 for a in row.answers if not a.ok and a.key in present)


async def members_with_tokens(world: World, report: Report, needed: int) -> list[Member]:
    """``needed`` logged-in members: those registered, and more registered now if too few;
    logged in ``SETUP_CONCURRENCY`` at a time, from this one address."""
    if await settle(world.base_url) is None:
        report.notes.append(f"set-up: the server was still busy after {SETTLE_S:.0f} s")
    missing = needed - len(world.members)
    if missing > 0:
        made = [world.registration() for _ in range(missing)]
        answers = await bounded(world.base_url, [_register_job(body) for _, body in made])
        world.members += [m for (m, _), a in zip(made, answers, strict=True) if a.ok]
        refused = sum(1 for a in answers if not a.ok)
        report.notes.append(
            f"set-up: registered {missing - refused} more members {SETUP_CONCURRENCY} at a time"
            + (f"; {refused} failed: {outcomes(Row('', answers, 0))}" if refused else "")
        )
    pending = [m for m in world.members[:needed] if not m.token]
    if pending:
        started = time.perf_counter()
        answers = await bounded(
            world.base_url,
            [_login_job(m.username, m.password) for m in pending],
        )
        for member, answer in zip(pending, answers, strict=True):
            if answer.ok:
                member.token = str(answer.body["access_token"])
        failures = Row("", [a for a in answers if not a.ok], 0)
        report.notes.append(
            f"set-up: logged {len(pending) - failures.clients} of {len(pending)} members in, "
            f"{SETUP_CONCURRENCY} at a time, in {time.perf_counter() - started:.1f} s"
            + (f"; failed: {outcomes(failures)}" if failures.clients else "")
        )
    return [m for m in world.members[:needed] if m.token]


def _login_job(username: str, password: str) -> Job:
    async def job(client: httpx.AsyncClient) -> Answer:
        return await login(client, username, password, "login")

    return job


def _get_job(url: str, label: str, headers: dict[str, str]) -> Job:
    async def job(client: httpx.AsyncClient) -> Answer:
        return await send(client, "GET", url, label=label, headers=headers)

    return job


def _bearer(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.token}"}


def readers(members: Sequence[Member], clients: int, label: str) -> list[Job]:
    """``clients`` reads of ``GET /me``, each member once (round again if there are fewer)."""
    return [
        _get_job(f"{API}/me", label, _bearer(members[i % len(members)])) for i in range(clients)
    ]


async def me(world: World, report: Report, clients: int) -> None:
    members = await members_with_tokens(world, report, clients)
    if not members:
        report.notes.append("me: no member could log in; scenario skipped")
        return
    if len(members) < clients:
        report.notes.append(f"me: {clients} clients share {len(members)} members' tokens")
    jobs = readers(members, clients, "me")
    answers, wall = await burst(world.base_url, jobs, report.notes, "me")
    report.rows.append(Row("me", answers, wall))


async def board(world: World, report: Report, clients: int) -> None:
    jobs = [_get_job(world.week, "board", world.coordinator) for _ in range(clients)]
    answers, wall = await burst(world.base_url, jobs, report.notes, "board")
    report.rows.append(Row("board", answers, wall))


async def solve_week(world: World, label: str) -> Answer:
    async with new_client(world.base_url) as client:
        return await send(
            client,
            "POST",
            f"{world.week}/solve",
            label=label,
            params={"time_limit_s": SOLVE_TIME_LIMIT_S},
            headers=world.coordinator,
        )


async def wait_for_run(world: World, run_id: int) -> tuple[str, float, Any]:
    """Poll a run until it is no longer queued or solving (at most ``SOLVE_WAIT_S``): its
    status, the seconds waited, and the last answer's body."""
    started = time.perf_counter()
    status, body = "unknown", None
    async with new_client(world.base_url) as client:
        while time.perf_counter() - started < SOLVE_WAIT_S:
            answer = await send(
                client, "GET", f"{API}/runs/{run_id}", label="poll", headers=world.coordinator
            )
            body = answer.body
            if answer.ok:
                status = str(body["status"])
                if status not in RUN_BUSY:
                    break
            else:
                status = f"GET /runs answered {answer.outcome}"
            await asyncio.sleep(1.0)
    return status, time.perf_counter() - started, body


def override_bodies(week_board: Any, n: int) -> list[dict[str, Any]]:
    """``n`` overrides on distinct (person, demand) pairs of the week's board: pins of people on
    the demands the shown run gave them (a set the last solve found feasible), and forbids of
    people on demands they are not on."""
    demands = [(d["demand_kind"], int(d["demand_id"])) for d in week_board["demands"]]
    standing = ("proposed", "confirmed", "done")
    on = [
        (int(p["person_id"]), d["demand_kind"], int(d["demand_id"]))
        for d in week_board["demands"]
        for p in d["people"]
        if p["status"] in standing
    ]
    people = list(dict.fromkeys(person for person, _, _ in on))
    if not demands or not people:
        return []
    taken = set(on)
    pins = iter(dict.fromkeys(on))
    bodies: list[dict[str, Any]] = []
    rng = random.Random(0)
    attempts = 0
    while len(bodies) < n and attempts < 50 * n:
        attempts += 1
        if len(bodies) % 2 == 0 and (pin := next(pins, None)) is not None:
            kind, (person, demand_kind, demand_id) = "pin", pin
        else:
            kind, person = "forbid", rng.choice(people)
            demand_kind, demand_id = rng.choice(demands)
            if (person, demand_kind, demand_id) in taken:
                continue
        taken.add((person, demand_kind, demand_id))
        bodies.append(
            {
                "kind": kind,
                "person_id": person,
                "demand_kind": demand_kind,
                "demand_id": demand_id,
                "reason": f"{OVERRIDE_MARK}{len(bodies):03d}",
            }
        )
    return bodies


async def overrides(world: World, report: Report, clients: int, publishers: int) -> None:
    last_run = latest_run_id(world)
    solved = await solve_week(world, "solve")
    draft_id: int | None = None
    if not solved.ok:
        detail = _detail(solved.body)
        runs = run_ids_after(world, last_run)
        report.notes.append(
            f"overrides: the solve answered {solved.outcome}"
            + (f" ({detail})" if detail else "")
            + (f", yet wrote run {runs}" if runs else "")
            + "; no draft to publish"
        )
    else:
        run_id = int(solved.body["run_id"])
        status, waited, body = await wait_for_run(world, run_id)
        if status == "draft":
            draft_id = run_id
            report.notes.append(f"overrides: run {run_id} solved into a draft in {waited:.1f} s")
        else:
            reason = _detail(body.get("failure_reason")) if isinstance(body, dict) else ""
            report.notes.append(
                f"overrides: no draft — run {run_id} is {status!r} after {waited:.0f} s"
                + (f" ({reason})" if reason else "")
                + "; publishes not sent"
            )
    async with new_client(world.base_url) as client:
        shown = await send(client, "GET", world.week, label="board", headers=world.coordinator)
    if not shown.ok:
        report.notes.append(f"overrides: the board answered {shown.outcome}; scenario skipped")
        return
    bodies = override_bodies(shown.body, clients)
    if len(bodies) < clients:
        report.notes.append(
            f"overrides: the board gives {len(bodies)} distinct pairs for {clients} overrides"
        )
    jobs = [_override_job(world, body) for body in bodies]
    if draft_id is not None:
        jobs += [_publish_job(world, draft_id) for _ in range(publishers)]
    if not jobs:
        report.notes.append("overrides: nothing to send; scenario skipped")
        return
    answers, wall = await burst(world.base_url, jobs, report.notes, "overrides")
    written = Row("overrides", [a for a in answers if a.label == "overrides"], wall)
    check_overrides(world, written)
    report.rows.append(written)
    if draft_id is not None:
        published = Row("overrides · publish", [a for a in answers if a.label != "overrides"], wall)
        check_publish(world, published, draft_id, report)
        report.rows.append(published)


def _override_job(world: World, body: dict[str, Any]) -> Job:
    async def job(client: httpx.AsyncClient) -> Answer:
        return await send(
            client,
            "POST",
            f"{world.week}/overrides",
            label="overrides",
            key=body["reason"],
            json=body,
            headers=world.coordinator,
        )

    return job


def _publish_job(world: World, run_id: int) -> Job:
    async def job(client: httpx.AsyncClient) -> Answer:
        return await send(
            client,
            "POST",
            f"{API}/runs/{run_id}/publish",
            label="overrides · publish",
            key=str(run_id),
            headers=world.coordinator,
        )

    return job


def check_overrides(world: World, row: Row) -> None:
    from models.schedule import Override

    with world.database() as connection:
        stored = {
            reason: override_id
            for reason, override_id in connection.execute(
                sa.select(Override.reason, Override.id).where(
                    Override.community_id == world.community_id,
                    Override.week_start == WEEK,
                    Override.reason.like(f"{OVERRIDE_MARK}%"),
                )
            )
        }
    row.missing = sum(
        1
        for a in row.answers
        if a.ok and (a.key not in stored or a.body.get("id") != stored[a.key])
    )
    row.phantom = sum(1 for a in row.answers if not a.ok and a.key in stored)


def check_publish(world: World, row: Row, run_id: int, report: Report) -> None:
    from models.schedule import ScheduleRun

    with world.database() as connection:
        status = connection.scalar(sa.select(ScheduleRun.status).where(ScheduleRun.id == run_id))
        published = connection.scalar(
            sa.select(sa.func.count()).where(
                ScheduleRun.community_id == world.community_id,
                ScheduleRun.week_start == WEEK,
                ScheduleRun.status == "published",
            )
        )
    accepted = row.count(200, 300)
    is_published = status is not None and str(status) == "published"
    row.missing = 0 if is_published else accepted
    row.phantom = 1 if is_published and accepted == 0 else 0
    report.notes.append(
        f"overrides · publish: run {run_id} is {str(status)!r}; {accepted} of {row.clients} "
        f"publishes answered 2xx (one expected, the others 409); "
        f"the week has {published} published run(s)"
    )


async def solve_while_reading(world: World, report: Report, clients: int) -> None:
    members = await members_with_tokens(world, report, clients)
    if not members:
        report.notes.append("solve-while-reading: no member could log in; scenario skipped")
        return
    if len(members) < clients:
        report.notes.append(
            f"solve-while-reading: {clients} readers share {len(members)} members' tokens"
        )
    last_run = latest_run_id(world)
    label = "solve-while-reading · solve"

    async def solve(client: httpx.AsyncClient) -> Answer:
        return await send(
            client,
            "POST",
            f"{world.week}/solve",
            label=label,
            params={"time_limit_s": SOLVE_TIME_LIMIT_S},
            headers=world.coordinator,
        )

    jobs = [solve, *readers(members, clients, "solve-while-reading · me")]
    answers, wall = await burst(world.base_url, jobs, report.notes, "solve-while-reading")
    solving = Row(label, [a for a in answers if a.label == label], wall)
    reading = Row("solve-while-reading · me", [a for a in answers if a.label != label], wall)
    new_runs = set(run_ids_after(world, last_run))
    answer = solving.answers[0]
    run_id = int(answer.body["run_id"]) if answer.ok else None
    solving.missing = 1 if run_id is not None and run_id not in new_runs else 0
    solving.phantom = len(new_runs - {run_id}) if run_id is not None else len(new_runs)
    report.rows += [solving, reading]
    if run_id is not None:
        during = run_status(world, run_id)
        status, waited, _ = await wait_for_run(world, run_id)
        report.notes.append(
            f"solve-while-reading: run {run_id} was {during!r} when the reads ended, "
            f"then {status!r} {waited:.1f} s later"
        )


def latest_run_id(world: World) -> int:
    from models.schedule import ScheduleRun

    with world.database() as connection:
        return int(connection.scalar(sa.select(sa.func.max(ScheduleRun.id))) or 0)


def run_ids_after(world: World, run_id: int) -> list[int]:
    from models.schedule import ScheduleRun

    with world.database() as connection:
        return list(
            connection.scalars(
                sa.select(ScheduleRun.id).where(
                    ScheduleRun.id > run_id,
                    ScheduleRun.community_id == world.community_id,
                    ScheduleRun.week_start == WEEK,
                )
            )
        )


def run_status(world: World, run_id: int) -> str:
    from models.schedule import ScheduleRun

    with world.database() as connection:
        status = connection.scalar(sa.select(ScheduleRun.status).where(ScheduleRun.id == run_id))
    return "missing" if status is None else str(status)


# one database --------------------------------------------------------------------------------


async def drive(
    world: World, server: Server, report: Report, scenarios: Sequence[str], scale: Scale
) -> None:
    steps: dict[str, Callable[[], Awaitable[None]]] = {
        "registrations": lambda: registrations(
            world, report, [scale(n) for n in REGISTRATIONS[report.database]]
        ),
        "me": lambda: me(world, report, scale(ME_CLIENTS)),
        "board": lambda: board(world, report, scale(BOARD_CLIENTS)),
        "overrides": lambda: overrides(
            world, report, scale(OVERRIDE_CLIENTS), scale(PUBLISH_CLIENTS)
        ),
        "solve-while-reading": lambda: solve_while_reading(
            world, report, scale(READERS_WHILE_SOLVING)
        ),
    }
    for name in SCENARIOS:
        if name not in scenarios:
            continue
        since = server.log_size()
        rows_before = len(report.rows)
        started = time.perf_counter()
        try:
            await steps[name]()
        except BenchFailure as exc:
            report.notes.append(f"{name}: {exc}")
        for row in report.rows[rows_before:]:
            print(
                f"{report.database:10s} {row.scenario:28s} {row.clients:4d} clients  "
                f"ok {row.count(200, 300):4d}  5xx {row.count(500, 600):4d}  "
                f"no answer {row.no_answer:4d}  p95 {_seconds(row.latency(0.95))} s",
                flush=True,
            )
            if row.clients != row.count(200, 300):
                report.notes.append(f"{row.scenario}, {row.clients} clients: {outcomes(row)}")
        logged = log_summary(server.log_lines(since))
        if logged:
            report.server_log.append(f"during {name} ({time.perf_counter() - started:.0f} s):")
            report.server_log += [f"  {line}" for line in logged]
        if server.exited is not None:
            report.notes.append(
                f"the server exited with code {server.exited} during {name}; "
                "the remaining scenarios were not run"
            )
            report.server_log.append("stderr tail:")
            report.server_log += [f"  {line}" for line in server.log_lines()[-40:]]
            return


def run_database(database: str, workers: int, scenarios: Sequence[str], scale: Scale) -> Report:
    report = Report(database)
    with (
        tempfile.TemporaryDirectory(prefix="tongxin-load-") as tmp,
        fresh_database(database, Path(tmp)) as url,
    ):
        folder = Path(tmp)
        env = {
            **os.environ,
            "TONGXIN_DATABASE_URL": url,
            "TONGXIN_ENV": "development",
            # the load and the server share the secret that encrypts private fields
            "TONGXIN_SECRET_FILE": str(folder / "tongxin.secret"),
        }
        started = time.perf_counter()
        load_scenario(env)
        report.notes.append(f"loaded {SCENARIO_FILE.name} in {time.perf_counter() - started:.1f} s")
        if database == "postgresql" and workers > 1:
            if serve_accepts_workers(env):
                report.server = f"{workers} workers"
            else:
                report.server = "1 worker (tongxin serve has no --workers)"
                workers = 1
        else:
            workers = 1
            report.server = "1 worker"
        print(f"{database}: tongxin serve with {report.server}", flush=True)
        server = Server(env, folder, workers)
        try:
            waited = server.wait_until_answering()
            report.notes.append(f"the server answered {waited:.1f} s after starting")
            # its banner says how many web processes serve and where solves run
            report.notes += [line.strip() for line in server.log_lines() if "solves" in line]
            world = asyncio.run(make_world(server.base_url, url))
            asyncio.run(drive(world, server, report, scenarios, scale))
        except BenchFailure as exc:
            report.notes.append(str(exc))
            if server.exited is not None:
                report.server_log += server.log_lines()[-40:]
        finally:
            server.stop()
    return report


# the report ----------------------------------------------------------------------------------


def targets(report: Report, scale: Scale) -> list[str]:
    """The targets this database is measured against, each met or not. A time-out fails a
    target as a 5xx would: the client got no answer either way."""
    rows = report.rows

    def verdict(ok: bool, figure: str) -> str:
        return f"**{'met' if ok else 'missed'}** ({figure})"

    lines = []
    if report.database == "postgresql":
        errors = sum(r.count(500, 600) for r in rows)
        silent = sum(r.no_answer for r in rows)
        lost = sum(r.missing for r in rows)
        phantom = sum(r.phantom for r in rows)
        lines += [
            "0 × 5xx everywhere: "
            + verdict(errors + silent == 0, f"{errors} × 5xx, {silent} time-outs"),
            f"0 lost everywhere: {verdict(lost == 0, f'{lost} accepted but missing')}",
            f"0 phantom rows everywhere: {verdict(phantom == 0, f'{phantom} written but refused')}",
        ]
        size = scale(ME_CLIENTS)
        reads = [r for r in rows if r.scenario == "me" and r.clients == size]
        for r in reads:
            p95 = r.latency(0.95, with_time_outs=True)
            figure = f"p95 {_seconds(p95)} s at {r.clients} clients" + (
                f", {r.no_answer} time-outs counted as slowest" if r.no_answer else ""
            )
            lines.append(f"reads p95 under 2 s: {verdict(p95 is not None and p95 < 2.0, figure)}")
        if not reads:
            lines.append(f"reads p95 under 2 s: not measured (no `me` burst of {size})")
    else:
        size = scale(REGISTRATIONS["sqlite"][0])
        runs = [r for r in rows if r.scenario == "registrations" and r.clients == size]
        for r in runs:
            errors = r.count(500, 600)
            figure = f"{errors} × 5xx, {r.no_answer} time-outs, {r.missing} lost"
            lines.append(
                f"0 × 5xx and 0 lost at {size} concurrent registrations: "
                + verdict(errors + r.no_answer + r.missing == 0, figure)
            )
        if not runs:
            lines.append(f"registrations at {size}: not measured")
    return lines


def print_report(report: Report, scale: Scale) -> None:
    print()
    print(f"## {report.database} — tongxin serve, {report.server or 'not started'}")
    print()
    if report.rows:
        print(table(report.rows))
        print()
    for note in report.notes:
        print(f"- {note}")
    print()
    print(
        "Targets"
        + (f" (clients × {scale.factor:g}; set for full bursts)" if scale.factor != 1 else "")
        + ":"
    )
    for line in targets(report, scale):
        print(f"- {line}")
    if report.server_log:
        print()
        print("Server errors and warnings (stderr):")
        for line in report.server_log:
            print(f"    {line}")


def main(
    databases: Sequence[str],
    workers: int = DEFAULT_WORKERS,
    scenarios: Sequence[str] | None = None,
    clients_scale: float = 1.0,
) -> None:
    scale = Scale(clients_scale)
    chosen = [s for s in SCENARIOS if s in (scenarios or SCENARIOS)]
    reports = []
    for database in databases:
        try:
            reports.append(run_database(database, workers, chosen, scale))
        except BenchFailure as exc:
            reports.append(Report(database, notes=[str(exc)]))
    for report in reports:
        print_report(report, scale)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=(*DATABASES, "both"), default="both")
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help="server worker processes on PostgreSQL, if tongxin serve accepts --workers",
    )
    parser.add_argument("--scenario", nargs="+", action="extend", choices=SCENARIOS, metavar="NAME")
    parser.add_argument(
        "--clients-scale", type=float, default=1.0, help="scale every burst (0.2: a quick run)"
    )
    args = parser.parse_args()
    if args.clients_scale <= 0 or args.workers < 1:
        parser.error("--clients-scale must be positive and --workers at least 1")
    main(
        DATABASES if args.database == "both" else (args.database,),
        args.workers,
        args.scenario,
        args.clients_scale,
    )
