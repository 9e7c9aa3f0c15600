"""Exports over HTTP: the week's schedule and the quarter's service records, as .xlsx and CSV.

The world (``http_world.py``) has a published run of 红光社区 (A) for the week of 2026-03-02:
``person_a1`` (第一网格) on a wish of 李秀英, whose address and phone must never appear, and
``person_a2`` (第二网格) on a 党员先锋岗 shift; a draft of the same week puts ``person_a1`` on
that shift.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.services.exports import SCHEDULE_HEADERS, SERVICE_RECORD_HEADERS, neutralise
from models import Assignment, AssignmentStatus, Community, Person, Post, Wish
from tests.support.http_world import HOUSEHOLD_ADDRESS, HOUSEHOLD_PHONE, PHONES, World

API = "/api/v1"
WEEK = "2026-03-02"
Headers = Callable[[str], dict[str, str]]


def _schedule_url(world: World, community: str = "community_a", extension: str = "xlsx") -> str:
    return f"{API}/communities/{world[community]}/weeks/{WEEK}/schedule.{extension}"


def _records_url(world: World, quarter: str = "2026/q1", extension: str = "xlsx") -> str:
    return f"{API}/communities/{world['community_a']}/service-records/{quarter}.{extension}"


def _xlsx_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _get(client: TestClient, url: str, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(url, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response


# the schedule ---------------------------------------------------------------------------------


def test_schedule_xlsx_lists_the_published_assignments(
    client: TestClient, world: World, as_role: Headers
) -> None:
    response = _get(client, _schedule_url(world), as_role("coordinator_a"))

    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="schedule-community-{world["community_a"]}-{WEEK}.xlsx"' in disposition
    # 红光社区排班_2026-03-02.xlsx
    assert "filename*=UTF-8''%E7%BA%A2%E5%85%89%E7%A4%BE%E5%8C%BA%E6%8E%92%E7%8F%AD_" in disposition
    header, *rows = _xlsx_rows(response.content)
    assert header == SCHEDULE_HEADERS
    assert [(r[2], r[3], r[4], r[6], r[7]) for r in rows] == [
        ("微心愿", "更换漏水水龙头", "第一网格 · 入户", "党员a1", "待确认"),
        ("服务岗位", "党员先锋岗", "红光社区党群服务中心", "党员a2", "待确认"),
    ]
    assert rows[0][0].date().isoformat() == "2026-03-03"  # a real date cell
    assert [r[1] for r in rows] == ["19:00-20:00", "19:00-22:00"]  # Asia/Shanghai wall clock


def test_schedule_csv_is_the_same_table_and_holds_no_private_value(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    assignment = db.get(Assignment, world["assignment_own"])
    assert assignment is not None
    assignment.distance_m = 412.6
    db.commit()

    response = _get(client, _schedule_url(world, extension="csv"), as_role("street_admin"))

    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].endswith(".csv")
    header, *rows = _csv_rows(response.content)
    assert tuple(header) == SCHEDULE_HEADERS
    assert [row[0] for row in rows] == ["2026-03-03", "2026-03-03"]
    assert rows[0][3:] == [
        "更换漏水水龙头",
        "第一网格 · 入户",
        "不限专长",
        "党员a1",
        "待确认",
        "413",
    ]
    assert rows[1][8] == ""  # no distance recorded
    text = response.content.decode("utf-8-sig")
    for secret in [HOUSEHOLD_ADDRESS, HOUSEHOLD_PHONE, *PHONES.values()]:
        assert secret not in text
    assert not re.search(r"1[3-9]\d{9}", text)
    xlsx = _get(client, _schedule_url(world), as_role("street_admin")).content
    cells = " ".join(str(v) for row in _xlsx_rows(xlsx) for v in row)
    assert HOUSEHOLD_ADDRESS not in cells and HOUSEHOLD_PHONE not in cells


def test_a_run_of_the_week_can_be_named_and_grid_leaders_see_their_grids_only(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    draft = db.get(Assignment, world["assignment_draft"])
    assert draft is not None
    draft_run = draft.run_id

    named = _get(client, _schedule_url(world), as_role("coordinator_a"), run_id=draft_run)
    assert [(r[3], r[6]) for r in _xlsx_rows(named.content)[1:]] == [("党员先锋岗", "党员a1")]
    assert "draft" in named.headers["content-disposition"]

    leader = _get(client, _schedule_url(world, extension="csv"), as_role("grid_leader_a"))
    assert [row[6] for row in _csv_rows(leader.content)[1:]] == ["党员a1"]  # not 党员a2 (A2)
    # a draft is the coordinators' working copy
    hidden = client.get(
        _schedule_url(world), headers=as_role("grid_leader_a"), params={"run_id": draft_run}
    )
    assert hidden.status_code == 404

    other_week = client.get(
        f"{API}/communities/{world['community_a']}/weeks/2026-03-09/schedule.xlsx",
        headers=as_role("coordinator_a"),
        params={"run_id": world["run_a"]},
    )
    assert other_week.status_code == 404
    unpublished = client.get(
        f"{API}/communities/{world['community_a']}/weeks/2026-03-09/schedule.csv",
        headers={**as_role("coordinator_a"), "Accept-Language": "en"},
    )
    assert unpublished.status_code == 404
    assert unpublished.json()["detail"] == "No published schedule for 2026-03-09"
    not_monday = client.get(
        f"{API}/communities/{world['community_a']}/weeks/2026-03-03/schedule.csv",
        headers=as_role("coordinator_a"),
    )
    assert not_monday.status_code == 422


def test_formula_injection_is_neutralised_in_both_formats(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    person = db.get(Person, world["person_a2"])
    post = db.get(Post, world["post_a"])
    wish = db.get(Wish, world["wish_a1_assigned"])
    assert person is not None and post is not None and wish is not None
    person.name = '=HYPERLINK("http://evil.example","点我")'
    post.name = "+SUM(1,2)"
    post.place = "@cmd"
    wish.title = "-2+3"
    db.commit()

    xlsx = _get(client, _schedule_url(world), as_role("coordinator_a")).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    shift_row = list(sheet[3])
    assert shift_row[6].value == '\'=HYPERLINK("http://evil.example","点我")'
    assert shift_row[3].value == "'+SUM(1,2)" and shift_row[4].value == "'@cmd"
    assert sheet["D2"].value == "'-2+3"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    rows = _csv_rows(
        _get(client, _schedule_url(world, extension="csv"), as_role("coordinator_a")).content
    )
    assert rows[2][6] == '\'=HYPERLINK("http://evil.example","点我")'
    assert (rows[2][3], rows[2][4], rows[1][3]) == ("'+SUM(1,2)", "'@cmd", "'-2+3")

    records = _csv_rows(
        _get(client, _records_url(world, extension="csv"), as_role("coordinator_a")).content
    )
    assert '\'=HYPERLINK("http://evil.example","点我")' in [row[0] for row in records]


def test_neutralise_leaves_numbers_and_plain_text_alone() -> None:
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5 and neutralise(None) is None
    assert neutralise("张伟") == "张伟" and neutralise("a=b") == "a=b"
    assert [neutralise(t) for t in ("=1", "+1", "-1", "@x", "\t=1")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\t=1",
    ]


# the quarter's service records ----------------------------------------------------------------


def _serve(db: Session, world: World, *, hours: float, minimum: int) -> None:
    """``person_a1`` did their wish (published, 2026-03-03) and logged ``hours``."""
    assignment = db.get(Assignment, world["assignment_own"])
    community = db.get(Community, world["community_a"])
    assert assignment is not None and community is not None
    assignment.status = AssignmentStatus.DONE
    assignment.hours_served = hours
    community.quarter_minimum = minimum
    db.commit()


def test_service_records_count_done_published_services_per_person(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    _serve(db, world, hours=2.5, minimum=1)
    # the draft's assignment of person_a1, even done, is not a service: drafts never count
    draft = db.get(Assignment, world["assignment_draft"])
    assert draft is not None
    draft.status = AssignmentStatus.DONE
    db.commit()

    response = _get(client, _records_url(world), as_role("coordinator_a"))

    # 红光社区服务登记_2026年第1季度.xlsx
    assert (
        "%E6%9C%8D%E5%8A%A1%E7%99%BB%E8%AE%B0_2026%E5%B9%B4%E7%AC%AC1"
        in (response.headers["content-disposition"])
    )
    header, *rows = _xlsx_rows(response.content)
    assert header == SERVICE_RECORD_HEADERS
    assert rows == [
        ("党员a1", "在职党员", "第一网格", "区人民医院", 1, 2.5, "是"),
        ("党员a2", "在职党员", "第二网格", "区人民医院", 0, 0, "否"),
    ]
    later = _xlsx_rows(
        _get(client, _records_url(world, "2026/q2"), as_role("coordinator_a")).content
    )
    assert [row[4] for row in later[1:]] == [0, 0]


def test_service_records_follow_the_community_minimum_and_the_grid_leader_s_grids(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    _serve(db, world, hours=1.0, minimum=2)
    left = db.get(Person, world["person_a2"])
    assert left is not None
    left.active = False  # left, and served nothing this quarter: not listed
    db.commit()

    coordinator = _csv_rows(
        _get(client, _records_url(world, extension="csv"), as_role("coordinator_a")).content
    )
    assert tuple(coordinator[0]) == SERVICE_RECORD_HEADERS
    assert coordinator[1:] == [["党员a1", "在职党员", "第一网格", "区人民医院", "1", "1.0", "否"]]

    leader = _csv_rows(
        _get(client, _records_url(world, extension="csv"), as_role("grid_leader_a")).content
    )
    assert [row[0] for row in leader[1:]] == ["党员a1"]
    assert (
        "13812345678" not in client.get(_records_url(world), headers=as_role("grid_leader_a")).text
    )


# who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "community", "expected"),
    [
        ("coordinator_a", "community_a", 200),
        ("street_admin", "community_a", 200),
        ("grid_leader_a", "community_a", 200),
        ("coordinator_b", "community_a", 404),
        ("street_admin", "community_c", 404),
        ("grid_leader_a", "community_b", 404),
        ("member_a", "community_a", 403),
        ("anonymous", "community_a", 401),
    ],
)
def test_only_readers_of_the_community_export(
    client: TestClient, world: World, as_role: Headers, role: str, community: str, expected: int
) -> None:
    urls = [
        _schedule_url(world, community, "xlsx"),
        _schedule_url(world, community, "csv"),
        f"{API}/communities/{world[community]}/service-records/2026/q1.xlsx",
        f"{API}/communities/{world[community]}/service-records/2026/q1.csv",
    ]
    for url in urls:
        assert client.get(url, headers=as_role(role)).status_code == expected, url
