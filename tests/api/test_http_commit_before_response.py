"""A write is committed before its answer leaves the server, so the next request sees it.

Served for real (uvicorn on a port, as the pages use it): FastAPI runs the teardown of a
``yield`` dependency after the response by default, which let a client's next request, or its
next write on SQLite, race the previous request's commit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.db import make_engine
from tests.support.live_server import DEMO_PASSWORD, DEMO_USERNAME, LiveServer, load_demo, serve

#: long enough that a response sent before the commit is read before the row is there
SLOW_COMMIT_S = 0.5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('commit') / 'tongxin.db'}"
    load_demo(url)
    with serve(url) as live:
        yield live


def test_the_answer_comes_after_the_commit(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        commit = Session.commit

        def slow_commit(session: Session) -> None:
            time.sleep(SLOW_COMMIT_S)
            commit(session)

        monkeypatch.setattr(Session, "commit", slow_commit)
        created = client.post(
            "/api/v1/communities/1/wishes",
            headers=headers,
            json={
                "title": "帮忙换灯泡",
                "category": "水电维修",
                "earliest": "2026-03-02",
                "deadline": "2026-03-06",
                "lat": 24.289,
                "lng": 116.122,
                "beneficiary": {"name": "王大爷", "address": "幸福里2号", "phone": "13500000001"},
            },
        )
        monkeypatch.undo()
    assert created.status_code == 201, created.text
    engine = make_engine(server.database_url)
    with engine.connect() as connection:
        found = connection.scalar(
            sa.text("SELECT count(*) FROM wish WHERE id = :id"), {"id": created.json()["id"]}
        )
    engine.dispose()
    assert found == 1
