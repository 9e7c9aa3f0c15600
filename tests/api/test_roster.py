"""The roster in Excel over HTTP: the template, its round trip, and the all-or-nothing import.

The world (``http_world.py``) is 红光社区 (A) with grids 第一网格 and 第二网格 around
(24.289, 116.122); ``person_a1`` (第一网格, 区人民医院, 水电维修) already uses phone 13812345678.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import time
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.services import roster
from api.services.roster import reading
from matcher.domain import PersonKind
from models import Person
from models.audit import AuditLog
from models.crypto import decrypt, mask_phone
from tests.support.http_world import LAT, LNG, PHONES, World

API = "/api/v1"
Headers = Callable[[str], dict[str, str]]
HEADERS = [column.header for column in roster.COLUMNS]

GOOD_ROWS: list[dict[str, Any]] = [
    {
        "name": "王芳",
        "phone": "13700000001",
        "kind": "党员",
        "grid": "第二网格",
        "skills": "医疗卫生、助老",
        "work_unit": "区人民医院",
        "home_lat": LAT + 0.01,
        "home_lng": LNG,
        "day_0": "19:00-21:00",
        "day_5": "08:30-12:00, 14:00-17:00",
        "weekly_hours_cap": 8,
    },
    {
        "name": "李强",
        "phone": 13700000002,  # Excel turns a typed number into a number
        "kind": "volunteer",
        "skills": "法律援助,纠纷调解",
        "home_lat": LAT,
        "home_lng": LNG + 0.001,
        "day_2": "18:30 - 20:30",
        "weekly_task_cap": 2,
    },
    {
        "name": "赵敏",
        "phone": "137 0000 0003",
        "kind": "志愿者",
        "grid": "第一网格",
        "home_lat": str(LAT),
        "home_lng": str(LNG),
        "day_6": "09:00-11:00",
    },
]


def _row(values: dict[str, Any]) -> list[Any]:
    return [values.get(column.key) for column in roster.COLUMNS]


def _template(client: TestClient, headers: dict[str, str], community_id: int) -> Any:
    response = client.get(f"{API}/communities/{community_id}/roster/template.xlsx", headers=headers)
    assert response.status_code == 200, response.text
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _filled(
    client: TestClient, headers: dict[str, str], community_id: int, rows: list[dict[str, Any]]
) -> bytes:
    workbook = _template(client, headers, community_id)
    sheet = workbook[roster.SHEET_ROSTER]
    for values in rows:
        sheet.append(_row(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(
    client: TestClient,
    headers: dict[str, str],
    community_id: int,
    content: bytes,
    *,
    dry_run: bool = False,
    filename: str = "名单.xlsx",
) -> Any:
    return client.post(
        f"{API}/communities/{community_id}/roster/import",
        params={"dry_run": str(dry_run).lower()},
        headers=headers,
        files={"file": (filename, content, roster_media_type())},
    )


def roster_media_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _people(db: Session, community_id: int) -> dict[str, Person]:
    db.commit()  # a new transaction, to see what the API committed since
    db.expire_all()
    rows = db.scalars(sa.select(Person).where(Person.community_id == community_id)).all()
    return {person.name: person for person in rows}


def _audit_count(db: Session) -> int:
    db.commit()
    return db.scalar(sa.select(sa.func.count()).select_from(AuditLog)) or 0


# the template ---------------------------------------------------------------------------------


def test_template_has_the_columns_the_dropdowns_and_the_explanations(
    client: TestClient, world: World, as_role: Headers
) -> None:
    response = client.get(
        f"{API}/communities/{world['community_a']}/roster/template.xlsx",
        headers=as_role("coordinator_a"),
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(roster_media_type())
    disposition = response.headers["content-disposition"]
    # 红光社区人员名单模板.xlsx, percent-encoded, with an ASCII fallback
    assert "filename*=UTF-8''%E7%BA%A2%E5%85%89%E7%A4%BE%E5%8C%BA" in disposition
    assert 'filename="roster-template-' in disposition

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook[roster.SHEET_ROSTER]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert {"姓名 (name)", "手机号 (phone)", "类型 (kind)", "网格 (grid)", "周一 (Mon)"} <= set(
        HEADERS
    )
    assert sheet.max_row == 1  # no example in the sheet that gets imported
    lists = {
        str(v.sqref).split(":")[0][0]: v.formula1
        for v in sheet.data_validations.dataValidation
        if v.type == "list"
    }
    kind_letter = "ABCDEFGHIJKLMNOPQ"[HEADERS.index("类型 (kind)")]
    grid_letter = "ABCDEFGHIJKLMNOPQ"[HEADERS.index("网格 (grid)")]
    options = workbook[roster.SHEET_OPTIONS]
    assert options.sheet_state == "hidden"
    assert [options[f"A{r}"].value for r in (2, 3)] == ["党员", "志愿者"]
    assert lists[kind_letter].endswith("$A$2:$A$3")
    assert lists[grid_letter].endswith("$B$2:$B$3")
    assert [options[f"B{r}"].value for r in (2, 3)] == ["第一网格", "第二网格"]

    help_rows = [row for row in workbook[roster.SHEET_HELP].iter_rows(values_only=True)]
    explained = {row[0] for row in help_rows}
    assert set(HEADERS) <= explained
    example_header = help_rows.index(tuple(HEADERS))
    example = dict(zip(HEADERS, help_rows[example_header + 1], strict=True))
    assert example["网格 (grid)"] == "第一网格" and example["手机号 (phone)"] == "13812345678"


# importing ------------------------------------------------------------------------------------


def test_template_round_trip_creates_people_with_encrypted_phones(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    community_id = world["community_a"]
    coordinator = as_role("coordinator_a")
    content = _filled(client, coordinator, community_id, GOOD_ROWS)
    audits_before = _audit_count(db)

    response = _upload(client, coordinator, community_id, content)

    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 3, "updated": 0, "skipped": 0, "dry_run": False}
    people = _people(db, community_id)
    wang, li, zhao = people["王芳"], people["李强"], people["赵敏"]
    assert (wang.phone, li.phone, zhao.phone) == ("13700000001", "13700000002", "13700000003")
    for person in (wang, li, zhao):
        stored = db.execute(
            sa.text("SELECT phone FROM person WHERE id = :id"), {"id": person.id}
        ).scalar_one()
        assert person.phone not in stored and decrypt(stored) == person.phone
        assert person.consent_version is None  # a coordinator cannot consent for anyone

    assert wang.kind == PersonKind.PARTY_MEMBER and li.kind == PersonKind.VOLUNTEER
    assert wang.skills == {"医疗卫生", "助老"} and li.skills == {"法律援助", "纠纷调解"}
    assert zhao.skills == set()
    windows = {
        p.name: [(a.weekday, a.start_minute, a.end_minute) for a in p.availability]
        for p in (wang, li, zhao)
    }
    assert windows == {
        "王芳": [(0, 1140, 1260), (5, 510, 720), (5, 840, 1020)],
        "李强": [(2, 1110, 1230)],
        "赵敏": [(6, 540, 660)],
    }
    assert wang.grid_id == world["grid_a2"] and zhao.grid_id == world["grid_a1"]
    assert li.grid_id == world["grid_a1"]  # blank: the grid nearest to the home
    assert (wang.weekly_hours_cap, wang.weekly_task_cap) == (8, 3)
    assert (li.weekly_hours_cap, li.weekly_task_cap) == (6, 2)
    assert wang.work_unit == "区人民医院" and li.work_unit == ""
    assert (zhao.home_lat, zhao.home_lng) == (LAT, LNG)

    entries = db.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()[audits_before:]
    assert [e.action for e in entries] == ["person.import"] * 3 + ["roster.import"]
    assert entries[0].after is not None and entries[0].after["phone"] == "***"
    assert entries[0].after["skills"] == ["助老", "医疗卫生"]
    assert entries[-1].after == {"imported": 3, "updated": 0, "skipped": 0}
    assert all(e.actor == "coordinator_a" for e in entries)


def test_one_bad_row_refuses_the_whole_file_and_names_that_row(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    community_id = world["community_a"]
    coordinator = as_role("coordinator_a")
    bad = {**GOOD_ROWS[2], "phone": "1370000000"}  # ten digits
    content = _filled(client, coordinator, community_id, [GOOD_ROWS[0], GOOD_ROWS[1], bad])
    people_before, audits_before = len(_people(db, community_id)), _audit_count(db)

    response = _upload(client, coordinator, community_id, content)

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["rows"] == [
        {
            "row": 4,
            "column": "手机号 (phone)",
            "value": mask_phone("1370000000"),  # never a phone in clear, even a wrong one
            "msg": "手机号须为以 1 开头的 11 位数字，如 13812345678",
            "msg_en": "The phone must be an 11-digit mobile number starting with 1, "
            "e.g. 13812345678",
        }
    ]
    assert body["detail"][0]["field"] == "file"
    assert "第 4 行" in body["detail"][0]["msg"] and "未导入" in body["detail"][0]["msg"]
    assert len(_people(db, community_id)) == people_before
    assert _audit_count(db) == audits_before

    english = client.post(
        f"{API}/communities/{community_id}/roster/import",
        headers={**coordinator, "Accept-Language": "en"},
        files={"file": ("r.xlsx", content, roster_media_type())},
    )
    assert english.status_code == 422
    assert "rows 4" in english.json()["detail"][0]["msg"]
    assert english.json()["rows"] == body["rows"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("name", None, "必填"),
        ("kind", "居民", "类型须为 党员 或 志愿者"),
        ("grid", "第九网格", "本社区没有名为「第九网格」的网格"),
        ("skills", "助老、飞行", "未知的专长：飞行"),
        ("home_lat", 124.3, "应在 -90 到 90 之间"),
        ("home_lng", "东经116", "应填写数字"),
        ("home_lat", LAT + 1.0, "超过 30 公里"),  # ~111 km away: a typing error
        ("day_0", time(8, 0), "应填写时间段"),  # what Excel makes of a lone "8:00"
        ("day_0", "08:00-12:00, 11:00-13:00", "时间段有重叠"),
        ("day_0", "21:00-19:00", "结束晚于开始"),
        ("weekly_hours_cap", 0, "须大于 0"),
        ("weekly_hours_cap", -3, "须大于 0"),
        ("weekly_task_cap", 2.5, "整数"),
    ],
)
def test_each_bad_cell_is_reported_with_its_reason(
    client: TestClient,
    db: Session,
    world: World,
    as_role: Headers,
    key: str,
    value: Any,
    message: str,
) -> None:
    community_id = world["community_a"]
    coordinator = as_role("coordinator_a")
    row = {**GOOD_ROWS[0], key: value}
    content = _filled(client, coordinator, community_id, [GOOD_ROWS[1], row])

    response = _upload(client, coordinator, community_id, content)

    assert response.status_code == 422, response.text
    [problem] = response.json()["rows"]
    assert problem["row"] == 3
    assert problem["column"] == roster.COLUMN_BY_KEY[key].header
    assert message in problem["msg"] and problem["msg_en"]
    assert "李强" not in _people(db, community_id)


def test_formula_cells_are_refused_not_evaluated(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    community_id = world["community_a"]
    coordinator = as_role("coordinator_a")
    workbook = _template(client, coordinator, community_id)
    sheet = workbook[roster.SHEET_ROSTER]
    sheet.append(_row(GOOD_ROWS[0]))
    sheet.cell(row=2, column=HEADERS.index("姓名 (name)") + 1).value = '=HYPERLINK("x","y")'
    sheet.cell(row=2, column=HEADERS.index("住址纬度 (home lat)") + 1).value = "=24+0.289"
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = _upload(client, coordinator, community_id, buffer.getvalue())

    assert response.status_code == 422
    rows = response.json()["rows"]
    assert [(r["column"], r["msg"][:5]) for r in rows] == [
        ("姓名 (name)", "不接受公式"),
        ("住址纬度 (home lat)", "不接受公式"),
    ]


def test_a_phone_twice_in_the_file_is_an_error(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    community_id = world["community_a"]
    coordinator = as_role("coordinator_a")
    twin = {**GOOD_ROWS[2], "phone": "137-0000-0001"}  # the same number as row 2, written apart
    content = _filled(client, coordinator, community_id, [GOOD_ROWS[0], GOOD_ROWS[1], twin])

    response = _upload(client, coordinator, community_id, content)

    assert response.status_code == 422
    [problem] = response.json()["rows"]
    assert (problem["row"], problem["column"]) == (4, "手机号 (phone)")
    assert "与第 2 行重复" in problem["msg"]
    assert "王芳" not in _people(db, community_id)


def test_dry_run_counts_and_writes_nothing(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    community_id = world["community_a"]
    coordinator = as_role("coordinator_a")
    known = {**GOOD_ROWS[0], "name": "党员a1", "phone": PHONES["person_a1"], "grid": "第一网格"}
    content = _filled(client, coordinator, community_id, [known, *GOOD_ROWS[1:]])
    before, audits_before = _people(db, community_id), _audit_count(db)

    response = _upload(client, coordinator, community_id, content, dry_run=True)

    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 2, "updated": 1, "skipped": 0, "dry_run": True}
    after = _people(db, community_id)
    assert set(after) == set(before)
    assert after["党员a1"].skills == {"水电维修"}  # unchanged
    assert _audit_count(db) == audits_before

    written = _upload(client, coordinator, community_id, content)
    assert written.json() == {"imported": 2, "updated": 1, "skipped": 0, "dry_run": False}
    assert _people(db, community_id)["党员a1"].skills == {"医疗卫生", "助老"}


def test_reimport_updates_by_phone_instead_of_duplicating(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    community_id = world["community_a"]
    coordinator = as_role("coordinator_a")
    content = _filled(client, coordinator, community_id, GOOD_ROWS)
    assert _upload(client, coordinator, community_id, content).json()["imported"] == 3
    count = len(_people(db, community_id))

    same_again = _upload(client, coordinator, community_id, content)
    assert same_again.json() == {"imported": 0, "updated": 0, "skipped": 3, "dry_run": False}

    # 王芳 changes her skills and her Monday; 赵敏's row leaves optional cells blank; person_a1
    # (already registered, 区人民医院) appears with the work unit left blank
    changed = {**GOOD_ROWS[0], "skills": "心理疏导", "day_0": None, "day_1": "19:00-20:00"}
    person_a1 = {
        "name": "党员a1",
        "phone": PHONES["person_a1"],
        "kind": "党员",
        "home_lat": LAT + 0.01,  # moved: nearest to 第二网格 now, yet the grid is kept
        "home_lng": LNG,
    }
    db.commit()  # a fresh snapshot: the uploads above wrote since this session last read
    left = db.get(Person, world["person_a1"])
    assert left is not None
    left.active = False  # a person who left is active again once a roster lists them
    db.commit()
    content = _filled(client, coordinator, community_id, [changed, GOOD_ROWS[2], person_a1])
    response = _upload(client, coordinator, community_id, content)

    assert response.json() == {"imported": 0, "updated": 2, "skipped": 1, "dry_run": False}
    people = _people(db, community_id)
    assert len(people) == count
    wang = people["王芳"]
    assert wang.skills == {"心理疏导"}
    assert [(a.weekday, a.start_minute) for a in wang.availability] == [
        (1, 1140),
        (5, 510),
        (5, 840),
    ]
    assert wang.weekly_hours_cap == 8  # kept from the first import
    a1 = people["党员a1"]
    assert a1.id == world["person_a1"] and a1.active
    assert a1.work_unit == "区人民医院" and a1.skills == {"水电维修"}  # blank cells keep
    assert a1.grid_id == world["grid_a1"]
    update = db.scalars(
        sa.select(AuditLog)
        .where(AuditLog.action == "person.update", AuditLog.object_id == str(wang.id))
        .order_by(AuditLog.id.desc())
    ).first()
    assert update is not None and update.before is not None and update.after is not None
    assert update.before["skills"] == ["助老", "医疗卫生"] and update.after["skills"] == [
        "心理疏导"
    ]


def test_a_phone_two_people_share_is_not_guessed(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    community_id = world["community_a"]
    twin = db.get(Person, world["person_a2"])
    assert twin is not None
    twin.phone = PHONES["person_a1"]
    db.commit()
    row: dict[str, Any] = {"name": "党员a1", "phone": PHONES["person_a1"], "kind": "党员"}
    row |= {"home_lat": LAT, "home_lng": LNG}
    content = _filled(client, as_role("coordinator_a"), community_id, [row])

    response = _upload(client, as_role("coordinator_a"), community_id, content)

    assert response.status_code == 422
    [problem] = response.json()["rows"]
    assert "已有 2 人使用这个手机号" in problem["msg"] and problem["value"] == "138****5678"


# files that are not rosters -------------------------------------------------------------------


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "zh", "en"),
    [
        ("姓名,手机号\n张伟,13812345678\n".encode(), "只接受 Excel .xlsx 文件", "Only Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "旧版 .xls", "old .xls"),
        (_docx(), "不是 Excel 表格", "not an Excel workbook"),
        (b"PK\x03\x04 truncated", "不是有效的 .xlsx", "not a valid .xlsx"),
    ],
)
def test_files_that_are_not_xlsx_get_415_in_both_languages(
    client: TestClient, world: World, as_role: Headers, content: bytes, zh: str, en: str
) -> None:
    coordinator = as_role("coordinator_a")
    chinese = _upload(client, coordinator, world["community_a"], content, filename="名单.xlsx")
    assert chinese.status_code == 415, chinese.text
    assert zh in chinese.json()["detail"]
    english = _upload(
        client, {**coordinator, "Accept-Language": "en"}, world["community_a"], content
    )
    assert english.status_code == 415 and en in english.json()["detail"]


def test_unreadable_or_headerless_workbooks_get_422(
    client: TestClient, world: World, as_role: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = as_role("coordinator_a")
    community_id = world["community_a"]

    def upload_sheet(rows: list[list[Any]]) -> Any:
        workbook = openpyxl.Workbook()
        for values in rows:
            workbook.active.append(values)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return _upload(client, coordinator, community_id, buffer.getvalue())

    no_header = upload_sheet([["张伟", "13812345678"]])
    assert no_header.status_code == 422
    assert "找不到表头" in no_header.json()["detail"][0]["msg"]

    # a title row above the header is fine; a header without 类型 and the home is not
    short = upload_sheet([["红光社区名单"], ["姓名", "手机号"], ["张伟", "13812345678"]])
    assert short.status_code == 422
    assert "缺少必填列：类型 (kind)、小区 (estate)（或住址纬度、经度" in short.text

    empty = upload_sheet([HEADERS])
    assert empty.status_code == 422 and "没有任何人员" in empty.json()["detail"][0]["msg"]

    # the limits are patched where the file is read
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    too_many = upload_sheet([HEADERS, *(_row(r) for r in GOOD_ROWS)])
    assert too_many.status_code == 422 and "最多 2 人" in too_many.json()["detail"][0]["msg"]

    monkeypatch.setattr(reading, "MAX_UNZIPPED_BYTES", 1000)
    bomb = upload_sheet([HEADERS, _row(GOOD_ROWS[0])])
    assert bomb.status_code == 422 and "过大" in bomb.json()["detail"][0]["msg"]


def test_a_file_over_the_body_limit_is_413(
    client: TestClient, world: World, as_role: Headers
) -> None:
    oversized = b"PK\x03\x04" + b"\0" * (1024 * 1024 + 1)
    response = _upload(client, as_role("coordinator_a"), world["community_a"], oversized)
    assert response.status_code == 413 and response.json()["detail"] == "请求内容过大"
    english = _upload(
        client,
        {**as_role("coordinator_a"), "Accept-Language": "en"},
        world["community_a"],
        oversized,
    )
    assert english.json()["detail"] == "Request body too large"


# who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "community", "expected"),
    [
        ("coordinator_a", "community_a", 200),
        ("street_admin", "community_b", 200),
        ("coordinator_b", "community_a", 404),
        ("street_admin", "community_c", 404),
        ("grid_leader_a", "community_a", 403),
        ("member_a", "community_a", 403),
        ("anonymous", "community_a", 401),
    ],
)
def test_only_the_community_s_managers_reach_the_roster(
    client: TestClient, world: World, as_role: Headers, role: str, community: str, expected: int
) -> None:
    community_id = world[community]
    template = client.get(
        f"{API}/communities/{community_id}/roster/template.xlsx", headers=as_role(role)
    )
    assert template.status_code == expected
    # the file is the B template for everyone: what decides is who asks, and where
    content = _filled(client, as_role("street_admin"), world["community_b"], [GOOD_ROWS[1]])
    imported = _upload(client, as_role(role), community_id, content)
    assert imported.status_code == expected, imported.text
