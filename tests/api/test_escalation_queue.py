"""Each level sees its queue: a wish at risk, escalated day by day, is listed by
``GET /escalations`` for the grid's leader, then the community's coordinator, the street's
admin and the street's civil affairs office (民政), each only while it waits at their level.

Runs on SQLite, and on PostgreSQL too when ``TONGXIN_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.worker import jobs
from models import UserAccount, UserRole, WishStatus
from models.db import make_session_factory
from tests.api.conftest import password_hash
from tests.support.jobs_helpers import local
from tests.support.rows import add_community, add_grid, add_person, add_wish

API = "/api/v1"
DEADLINE = date(2026, 3, 20)


def test_each_level_sees_the_wish_while_it_waits_there(
    client: TestClient, db: Session, db_engine: Engine, auth_headers: Any
) -> None:
    community = add_community(db)
    here, elsewhere = add_grid(db, community, "第一网格"), add_grid(db, community, "第二网格")
    wish = add_wish(
        db,
        community,
        grid=here,
        status=WishStatus.OPEN,
        earliest=DEADLINE - timedelta(days=10),
        deadline=DEADLINE,
    )

    def account(name: str, role: UserRole, **links: Any) -> UserAccount:
        user = UserAccount(username=name, password_hash=password_hash(), role=role, **links)
        db.add(user)
        return user

    users = {
        "leader": account("leader", UserRole.GRID_LEADER, grids=[here]),
        "other_leader": account("other-leader", UserRole.GRID_LEADER, grids=[elsewhere]),
        "coordinator": account("coord", UserRole.COORDINATOR, communities=[community]),
        "street_admin": account("street", UserRole.STREET_ADMIN, street_id=community.street_id),
        "civil": account("minzheng", UserRole.CIVIL_AFFAIRS, street_id=community.street_id),
        "member": account("member", UserRole.MEMBER, person=add_person(db, community, "王芳")),
    }
    db.commit()
    factory = make_session_factory(db_engine)

    def seen_by() -> set[str]:
        return {
            name
            for name, user in users.items()
            if name != "member"
            and [
                w["id"] for w in client.get(f"{API}/escalations", headers=auth_headers(user)).json()
            ]
            == [wish.id]
        }

    assert seen_by() == set()
    steps = [
        (DEADLINE - timedelta(days=2), {"leader"}, "网格"),
        (DEADLINE - timedelta(days=1), {"coordinator"}, "社区"),
        (DEADLINE + timedelta(days=1), {"street_admin"}, "街道"),
        (DEADLINE + timedelta(days=7), {"civil"}, "民政"),
    ]
    for day, who, level_zh in steps:
        went_up = jobs.escalate_wishes(
            session_factory=factory, now=local(day.year, day.month, day.day, 8)
        )
        assert went_up == 1
        assert seen_by() == who, day
        (name,) = who
        listed = client.get(f"{API}/escalations", headers=auth_headers(users[name])).json()
        assert listed[0]["level_zh"] == level_zh
        assert listed[0]["deadline"] == DEADLINE.isoformat()
        assert "address" not in listed[0] and "phone" not in listed[0]
    members = client.get(f"{API}/escalations", headers=auth_headers(users["member"]))
    assert members.status_code == 403
