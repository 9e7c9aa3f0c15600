"""The real app on a real port, for the browser tests: a temporary SQLite file loaded with the
demo community exactly as ``tongxin load`` loads it, served by uvicorn in a background thread,
with the solve queue's worker in threads beside it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from sqlalchemy.orm import Session

from api.cli.commands import load as load_command
from api.settings import Settings
from api.web.app import create_app
from api.worker.solve_queue import SolveWorker
from models.db import make_engine, make_session_factory

REPO = Path(__file__).resolve().parents[2]
DEMO_SCENARIO = REPO / "scenarios" / "hongguang.json"
#: the account ``make demo`` prints
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "tongxin-demo"
#: the coordinator of 红光社区 ``tongxin load`` makes beside it, with the same password
DEMO_COORDINATOR = "demo-coordinator"


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session on the server's database while it runs, as its own writers open one: it
        takes SQLite's write lock at BEGIN and waits its turn. Without that, a session that has
        read cannot write once the server (its solve queue polls every 0.2 s) has committed
        since: "database is locked", with no wait (``models.db.make_session_factory``)."""
        engine = make_engine(self.database_url)
        try:
            with make_session_factory(engine, write_lock_at_begin=True)() as session:
                yield session
        finally:
            engine.dispose()


def free_port() -> int:
    """A port free now, for a server in another process. Never a fixed one: tests run in
    several pytest workers at once (``make test``)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set ``TONGXIN_*`` variables for a block: ``tongxin load`` reads its settings from them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load_demo(database_url: str) -> None:
    """Create the tables and load 红光社区 with the ``demo`` street admin, as ``make demo`` does."""
    with environment(TONGXIN_DATABASE_URL=database_url, TONGXIN_ENV="test"):
        load_command(scenario=DEMO_SCENARIO, username=DEMO_USERNAME, password=DEMO_PASSWORD)


@contextlib.contextmanager
def serve(database_url: str, *, start_timeout_s: float = 20.0) -> Iterator[LiveServer]:
    """Serve the app on a free port until the block ends, with a worker solving the runs it
    queues, as ``tongxin serve`` has in development."""
    app = create_app(Settings(env="test", database_url=database_url))
    worker = SolveWorker(session_factory=app.state.session_factory, poll_s=0.2)
    worker.start()
    # the socket is bound here and handed to uvicorn, so no other process (a second pytest
    # worker among them) can take the port between choosing it and listening on it
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port: int = listening.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listening]}, name="tongxin-e2e-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server did not start on port {port}")
        time.sleep(0.05)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", database_url=database_url)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        worker.stop(timeout=10)
        listening.close()
        app.state.engine.dispose()
