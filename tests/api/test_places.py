"""The place directory over HTTP: kept by hand and imported as a sheet; wishes, posts,
activities, registrations and roster rows that name a place take its coordinates.

The world (``http_world.py``) gives 红光社区 (A) the estate 阳光小区 at (24.289, 116.122) and the
grids 第一网格 (there) and 第二网格 (0.01° north).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.services import roster
from api.services.places import building_key, estate_key
from models import Person, Place, Post, Wish
from tests.support.http_world import LAT, LNG, World, registration

API = "/api/v1"
Headers = Callable[[str], dict[str, str]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: 3号楼 of 阳光小区 stands north of the estate's centre, nearer 第二网格
BUILDING_LAT, BUILDING_LNG = LAT + 0.009, LNG + 0.0005


def _add(client: TestClient, headers: dict[str, str], community: int, **body: Any) -> Any:
    return client.post(f"{API}/communities/{community}/places", json=body, headers=headers)


@pytest.fixture
def building(client: TestClient, world: World, as_role: Headers) -> dict[str, Any]:
    """3号楼 of 阳光小区, with coordinates of its own."""
    response = _add(
        client,
        as_role("coordinator_a"),
        world["community_a"],
        kind="building",
        name="3号楼",
        estate_id=world["place_a"],
        lat=BUILDING_LAT,
        lng=BUILDING_LNG,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_names_are_matched_as_people_write_them() -> None:
    for written in ("3号楼", "3栋", "3幢", "３号楼", " 3 栋 ", "三号楼", "3号", "03栋"):
        assert building_key(written) == "3", written
    assert building_key("十二栋") == building_key("12号楼") == "12"
    assert building_key("二十一幢") == "21"
    assert building_key("A座") == building_key("ａ座") == "a"
    assert building_key("3号楼") != building_key("13号楼")
    assert estate_key("阳光小区") == estate_key(" 阳光 ") == estate_key("阳光小区") == "阳光"
    assert estate_key("ＳＵＮ小区") == estate_key("sun")
    assert estate_key("阳光花园") != estate_key("阳光")


def test_the_directory_is_kept_by_hand(
    client: TestClient, world: World, as_role: Headers, building: dict[str, Any]
) -> None:
    coordinator, community = as_role("coordinator_a"), world["community_a"]
    # a building without coordinates stands at its estate's
    second = _add(
        client, coordinator, community, kind="building", name="1栋", estate_id=world["place_a"]
    )
    assert second.status_code == 201, second.text
    assert second.json()["lat"] is None
    assert (second.json()["location_lat"], second.json()["location_lng"]) == (LAT, LNG)
    assert second.json()["full_name"] == "阳光小区1栋"
    hall = _add(client, coordinator, community, kind="venue", name="党群服务中心", lat=LAT, lng=LNG)
    assert hall.status_code == 201

    listed = client.get(f"{API}/communities/{community}/places", headers=coordinator).json()
    # each estate followed by its buildings in number order, then the venues
    assert [p["full_name"] for p in listed] == [
        "阳光小区",
        "阳光小区1栋",
        "阳光小区3号楼",
        "党群服务中心",
    ]
    # a grid leader of the community reads it too (the forms pick from it)
    assert (
        client.get(
            f"{API}/communities/{community}/places", headers=as_role("grid_leader_a")
        ).status_code
        == 200
    )

    # the same building written another way is the same building
    again = _add(
        client, coordinator, community, kind="building", name="三栋", estate_id=world["place_a"]
    )
    assert again.status_code == 409
    assert "3号楼" in again.json()["detail"]
    # bad input: a building without its estate, a venue without coordinates
    orphan = _add(client, coordinator, community, kind="building", name="5栋")
    assert orphan.status_code == 422 and "楼栋须属于一个小区" in orphan.text
    nowhere = _add(client, coordinator, community, kind="venue", name="广场")
    assert nowhere.status_code == 422 and "场所须填写纬度和经度" in nowhere.text
    english = _add(
        client,
        {**coordinator, "Accept-Language": "en"},
        community,
        kind="venue",
        name="广场",
    )
    assert "A venue needs lat and lng" in english.text
    # an estate of another community is not an estate of this one
    other = _add(
        client, coordinator, community, kind="building", name="1栋", estate_id=world["place_c"]
    )
    assert other.status_code == 422

    moved = client.patch(
        f"{API}/places/{second.json()['id']}",
        json={"lat": LAT + 0.001, "lng": LNG},
        headers=coordinator,
    )
    assert moved.status_code == 200 and moved.json()["location_lat"] == LAT + 0.001
    # an estate cannot lose its coordinates
    unplaced = client.patch(
        f"{API}/places/{world['place_a']}", json={"lat": None, "lng": None}, headers=coordinator
    )
    assert unplaced.status_code == 422


def _wish(**where: Any) -> dict[str, Any]:
    return {
        "title": "更换漏水水龙头",
        "category": "家电维修",
        "earliest": "2026-03-02",
        "deadline": "2026-03-06",
        "beneficiary": {"name": "王奶奶", "address": "3号楼2单元501", "phone": "13500000000"},
        **where,
    }


def test_a_wish_recorded_by_picking_an_estate_and_building_takes_the_buildings_coordinates(
    client: TestClient, db: Session, world: World, as_role: Headers, building: dict[str, Any]
) -> None:
    coordinator, community = as_role("coordinator_a"), world["community_a"]
    response = client.post(
        f"{API}/communities/{community}/wishes",
        json=_wish(place_id=building["id"]),
        headers=coordinator,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["lat"], body["lng"]) == (BUILDING_LAT, BUILDING_LNG)
    assert body["place_id"] == building["id"] and body["place_name"] == "阳光小区3号楼"
    # no grid picked: the grid nearest to the building (第二网格 lies 0.001° from it)
    assert body["grid_id"] == world["grid_a2"]
    db.commit()
    stored = db.get(Wish, body["id"])
    assert stored is not None and (stored.lat, stored.lng) == (BUILDING_LAT, BUILDING_LNG)

    # coordinates typed as well win; the place still names where it is
    exact = client.post(
        f"{API}/communities/{community}/wishes",
        json=_wish(place_id=building["id"], lat=LAT + 0.002, lng=LNG),
        headers=coordinator,
    ).json()
    assert (exact["lat"], exact["lng"], exact["place_id"]) == (LAT + 0.002, LNG, building["id"])

    # neither a place nor coordinates: a clear 422 in both languages
    nowhere = client.post(
        f"{API}/communities/{community}/wishes", json=_wish(), headers=coordinator
    )
    assert nowhere.status_code == 422 and "请选择地点" in nowhere.text
    # a place of another community is refused
    elsewhere = client.post(
        f"{API}/communities/{community}/wishes",
        json=_wish(place_id=world["place_c"]),
        headers=coordinator,
    )
    assert elsewhere.status_code == 422 and "地点库中没有这个地点" in elsewhere.text

    # moving a recorded wish to another place of the directory moves its coordinates
    moved = client.patch(
        f"{API}/wishes/{body['id']}", json={"place_id": world["place_a"]}, headers=coordinator
    )
    assert moved.status_code == 200, moved.text
    detail = client.get(f"{API}/wishes/{body['id']}", headers=coordinator).json()
    assert (detail["lat"], detail["lng"], detail["place_name"]) == (LAT, LNG, "阳光小区")


def test_posts_and_activities_name_a_venue(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    coordinator, community = as_role("coordinator_a"), world["community_a"]
    hall = _add(
        client,
        coordinator,
        community,
        kind="venue",
        name="红光社区党群服务中心",
        lat=LAT + 0.003,
        lng=LNG + 0.003,
    ).json()
    post = client.post(
        f"{API}/communities/{community}/posts",
        json={"name": "党员先锋岗", "place_id": hall["id"]},
        headers=coordinator,
    )
    assert post.status_code == 201, post.text
    assert (post.json()["lat"], post.json()["lng"]) == (LAT + 0.003, LNG + 0.003)
    assert post.json()["place"] == "红光社区党群服务中心"  # the words shown, from the place
    db.commit()
    stored = db.get(Post, post.json()["id"])
    assert stored is not None and stored.place_id == hall["id"]

    activity = client.post(
        f"{API}/communities/{community}/calendar/2026/3/activities",
        json={
            "name": "义诊",
            "day": "2026-03-12",
            "start": "09:00",
            "end": "11:00",
            "place_id": hall["id"],
            "place": "服务中心广场",
        },
        headers=coordinator,
    )
    assert activity.status_code == 201, activity.text
    assert activity.json()["lat"] == LAT + 0.003
    assert activity.json()["place"] == "服务中心广场"  # words given are kept

    # the fixed year's activity at the hall; a post moved to the estate
    rule = client.post(
        f"{API}/communities/{community}/yearly-calendar/activities",
        json={
            "name": "党员服务日",
            "start": "19:00",
            "end": "21:00",
            "day_rule": "service_day",
            "place_id": hall["id"],
        },
        headers=coordinator,
    )
    assert rule.status_code == 201, rule.text
    assert (rule.json()["lat"], rule.json()["place"]) == (LAT + 0.003, "红光社区党群服务中心")
    moved = client.patch(
        f"{API}/posts/{post.json()['id']}", json={"place_id": world["place_a"]}, headers=coordinator
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["lat"], moved.json()["lng"]) == (LAT, LNG)


def test_registration_names_the_estate_and_building_of_home(
    client: TestClient, db: Session, world: World, building: dict[str, Any]
) -> None:
    homes = client.get(f"{API}/communities/{world['community_a']}/home-places")
    assert homes.status_code == 200
    assert [(h["kind"], h["name"]) for h in homes.json()] == [
        ("estate", "阳光小区"),
        ("building", "3号楼"),
    ]
    assert "lat" not in homes.json()[0]  # names only, before anyone logs in
    assert client.get(f"{API}/communities/999999/home-places").status_code == 404

    body = registration(world, home=None, home_place_id=building["id"])
    response = client.post(f"{API}/registrations", json=body)
    assert response.status_code == 201, response.text
    person = response.json()["person"]
    assert person["home"] == {"lat": BUILDING_LAT, "lng": BUILDING_LNG}
    assert person["home_place_id"] == building["id"]
    assert person["grid_id"] == world["grid_a2"]

    nowhere = client.post(
        f"{API}/registrations", json=registration(world, phone="13912345678", home=None)
    )
    assert nowhere.status_code == 422 and "请选择住在哪个小区" in nowhere.text


# the roster with estate and building columns ---------------------------------------------


def _roster(client: TestClient, headers: dict[str, str], community: int, rows: list[dict]) -> Any:
    template = client.get(
        f"{API}/communities/{community}/roster/template.xlsx", headers=headers
    ).content
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook[roster.SHEET_ROSTER]
    for values in rows:
        sheet.append([values.get(column.key) for column in roster.COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(
        f"{API}/communities/{community}/roster/import",
        headers=headers,
        files={"file": ("名单.xlsx", buffer.getvalue(), XLSX)},
    )


def _person(**fields: Any) -> dict[str, Any]:
    return {"kind": "党员", **fields}


def test_a_roster_names_homes_by_estate_and_building_forgivingly(
    client: TestClient, db: Session, world: World, as_role: Headers, building: dict[str, Any]
) -> None:
    coordinator, community = as_role("coordinator_a"), world["community_a"]
    template = openpyxl.load_workbook(
        io.BytesIO(
            client.get(
                f"{API}/communities/{community}/roster/template.xlsx", headers=coordinator
            ).content
        )
    )
    header = [c.value for c in template[roster.SHEET_ROSTER][1]]
    assert "小区 (estate)" in header and "楼栋 (building)" in header
    assert template[roster.SHEET_OPTIONS]["D2"].value == "阳光小区"  # the estate dropdown

    rows = [
        _person(name="王芳", phone="13700000001", home_estate="阳光", home_building="3栋"),
        _person(name="李强", phone="13700000002", home_estate="阳光小区3号楼"),
        _person(name="赵敏", phone="13700000003", home_estate="阳光 3栋"),
        _person(
            name="周杰", phone="13700000004", home_estate="ＹＡＮＧ光小区", home_building="三号楼"
        ),
        _person(name="钱进", phone="13700000005", home_estate="阳光小区"),
        _person(name="孙丽", phone="13700000006", home_estate="阳光小区", home_building="9栋"),
        _person(name="吴昊", phone="13700000007", home_estate="月亮湾", home_building="1栋"),
        _person(name="郑爽", phone="13700000008", home_lat=LAT + 0.001, home_lng=LNG),
        _person(
            name="冯刚", phone="13700000009", home_estate="阳光", home_lat=LAT + 0.002, home_lng=LNG
        ),
        _person(name="陈晨", phone="13700000010"),
    ]
    refused = _roster(client, coordinator, community, rows)
    # as for any bad cell: nothing imported, every unmatched row listed with its reason
    assert refused.status_code == 422, refused.text
    listed = {(r["row"], r["column"]): r for r in refused.json()["rows"]}
    by_name = {row["name"]: number for number, row in enumerate(rows, start=2)}
    assert set(listed) == {
        (by_name["周杰"], "小区 (estate)"),
        (by_name["孙丽"], "楼栋 (building)"),
        (by_name["吴昊"], "小区 (estate)"),
        (by_name["陈晨"], "小区 (estate)"),
    }
    assert (
        "「阳光小区」没有楼栋「9栋」；已有楼栋：3号楼"
        in listed[(by_name["孙丽"], "楼栋 (building)")]["msg"]
    )
    assert "地点库中没有小区「月亮湾」" in listed[(by_name["吴昊"], "小区 (estate)")]["msg"]
    assert "请填写住在哪个小区" in listed[(by_name["陈晨"], "小区 (estate)")]["msg"]
    assert "has no building" in listed[(by_name["孙丽"], "楼栋 (building)")]["msg_en"]
    db.commit()
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Person)
            .where(Person.community_id == community, Person.name == "王芳")
        )
        == 0
    )

    # 「ＹＡＮＧ光」 is not 「阳光」: written right, and the bad rows left out, the rest comes in
    rows[3]["home_estate"] = "阳光小区"
    good = [r for r in rows if r["name"] not in {"孙丽", "吴昊", "陈晨"}]
    imported = _roster(client, coordinator, community, good)
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported"] == len(good)
    db.commit()
    db.expire_all()
    people = {
        p.name: p for p in db.scalars(sa.select(Person).where(Person.community_id == community))
    }
    for name in ("王芳", "李强", "赵敏", "周杰"):
        person = people[name]
        assert (person.home_lat, person.home_lng) == (BUILDING_LAT, BUILDING_LNG), name
        assert person.home_place_id == building["id"], name
        assert person.grid_id == world["grid_a2"], name  # nearest to the building
    assert (people["钱进"].home_lat, people["钱进"].home_place_id) == (LAT, world["place_a"])
    assert people["郑爽"].home_lat == pytest.approx(LAT + 0.001)
    assert people["郑爽"].home_place_id is None
    # an estate and coordinates: the coordinates win, the estate is still named
    assert people["冯刚"].home_lat == pytest.approx(LAT + 0.002)
    assert people["冯刚"].home_place_id == world["place_a"]


# the directory as a sheet ------------------------------------------------------------------


def _import(
    client: TestClient,
    headers: dict[str, str],
    community: int,
    content: bytes,
    name: str,
    dry_run: bool = False,
) -> Any:
    media = XLSX if name.endswith(".xlsx") else "text/csv"
    return client.post(
        f"{API}/communities/{community}/places/import",
        params={"dry_run": str(dry_run).lower()},
        headers=headers,
        files={"file": (name, content, media)},
    )


def test_the_directory_is_imported_from_a_csv_or_an_xlsx_sheet(
    client: TestClient, db: Session, world: World, as_role: Headers
) -> None:
    coordinator, community = as_role("coordinator_a"), world["community_a"]
    lines = [
        "小区,楼栋,场所,纬度,经度",
        f"幸福里,,,{LAT + 0.004},{LNG}",
        f"幸福里,1号楼,,{LAT + 0.0041},{LNG + 0.0001}",
        "幸福里,2号楼,,,",  # stands at its estate's
        f"阳光,5栋,,{LAT + 0.0005},{LNG}",  # 阳光小区 is already in the directory
        f"金桂园,1栋,,{LAT + 0.006},{LNG}",  # a new estate named only by its buildings
        f"金桂园,2栋,,{LAT + 0.008},{LNG}",
        f",,党群服务中心,{LAT},{LNG + 0.002}",
    ]
    # Excel in China saves a CSV in GBK
    content = ("\r\n".join(lines) + "\r\n").encode("gbk")
    dry = _import(client, coordinator, community, content, "地点.csv", dry_run=True)
    assert dry.status_code == 200, dry.text
    assert dry.json() == {"created": 8, "updated": 0, "skipped": 0, "dry_run": True}
    db.commit()
    assert db.scalar(sa.select(sa.func.count()).select_from(Place)) == 2  # the world's two

    done = _import(client, coordinator, community, content, "地点.csv")
    assert done.json() == {"created": 8, "updated": 0, "skipped": 0, "dry_run": False}
    listed = {
        p["full_name"]: p
        for p in client.get(f"{API}/communities/{community}/places", headers=coordinator).json()
    }
    assert listed["幸福里2号楼"]["location_lat"] == LAT + 0.004
    assert listed["阳光小区5栋"]["estate_id"] == world["place_a"]
    # the new estate stands in the middle of its buildings
    assert listed["金桂园"]["lat"] == pytest.approx(LAT + 0.007)
    assert listed["党群服务中心"]["kind"] == "venue"

    # the same places again, one moved, written differently, as .xlsx: updated and skipped
    workbook = openpyxl.Workbook()
    for row in (
        ["小区 (estate)", "楼栋 (building)", "场所 (venue)", "纬度 (lat)", "经度 (lng)"],
        ["幸福里小区", "一号楼", None, LAT + 0.0042, LNG + 0.0001],
        ["幸福里", None, None, LAT + 0.004, LNG],
    ):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = _import(client, coordinator, community, buffer.getvalue(), "地点.xlsx")
    assert again.json() == {"created": 0, "updated": 1, "skipped": 1, "dry_run": False}

    # bad rows: all or nothing, each listed with its reason
    bad = "\n".join(
        [
            "小区,楼栋,场所,纬度,经度",
            f"新村,,,{LAT},{LNG}",
            ",3栋,,,",  # a building without its estate
            f"新村,,,{LAT},{LNG}",  # twice
            f",,广场,{LAT + 1},{LNG}",  # a typing error: 110 km from every grid
            "东苑,1栋,,,",  # a new estate with no coordinates anywhere
        ]
    ).encode()
    refused = _import(client, coordinator, community, bad, "地点.csv")
    assert refused.status_code == 422
    rows = {r["row"]: r for r in refused.json()["rows"]}
    assert set(rows) == {3, 4, 5, 6}
    assert "填写楼栋时须同时填写小区" in rows[3]["msg"]
    assert "与第 2 行是同一个地点" in rows[4]["msg"]
    assert "填反" in rows[5]["msg"]
    assert "东苑" in rows[6]["msg"]
    assert "未导入任何地点" in refused.json()["detail"][0]["msg"]
    db.commit()
    assert not db.scalars(sa.select(Place).where(Place.name == "新村")).all()

    word = _import(client, coordinator, community, b"PK\x03\x04 not a workbook", "x.xlsx")
    assert word.status_code == 415
    binary = _import(client, coordinator, community, b"\x00\x01\x02", "x.bin")
    assert binary.status_code == 415
    headerless = _import(client, coordinator, community, b"a,b\n1,2\n", "x.csv")
    assert headerless.status_code == 422 and "找不到表头" in headerless.text
