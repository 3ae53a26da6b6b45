"""Shelters and the road hours to them from spreadsheets, like the other kinds: a template, a
check of every row, all rows or none; the receiving points come with the shelters."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from test_imports import csv_bytes, post, xlsx

from inventory.db import db
from inventory.geo.models import Depot
from inventory.shelters.models import Shelter, ShelterTravelTime

HEADER = ["避难场所编号", "名称", "类别", "容纳人数", "所在区划代码", "场地面积（平方米）", "纬度",
          "经度", "地址", "管理单位", "联系人", "联系电话"]
SHELTERS = [
    HEADER,
    ["BN-01", "凤城镇中学体育馆", "II", 400, "140522100", 1800, 35.49, 112.42, "学府路 8 号",
     "凤城镇中学", "王建国", "13900000001"],
    ["BN-02", "东关村文化广场", "III", 300, "140522100201", "", "", "", "", "", "", ""],
]
TRAVEL = [["储备库编号", "避难场所编号", "行驶时间（小时）"], ["XZ-01", "BN-01", 0.6],
          ["TS-01", "BN-02", "0.4"]]


def _counts():
    return (db.session.scalar(select(func.count(Shelter.id))),
            db.session.scalar(select(func.count(Depot.id))),
            db.session.scalar(select(func.count(ShelterTravelTime.id))))


def test_the_templates_name_every_column(client, world):
    book = client.get("/api/v1/imports/shelters/template.xlsx", headers=world.headers("bureau"))
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.data)).active
    assert [c.value.rstrip("*") for c in sheet[1]] == HEADER
    assert sheet["A2"].value == "BN-02-01"
    text = client.get("/api/v1/imports/shelter_travel_times/template.csv",
                      headers=world.headers("bureau")).data.decode("utf-8-sig")
    assert text.splitlines()[0] == "储备库编号*,避难场所编号*,行驶时间（小时）*"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_shelters_import_with_their_receiving_points_and_again_changes_nothing(
        client, world, fmt):
    content, name = (xlsx(SHELTERS), "s.xlsx") if fmt == "xlsx" else (csv_bytes(SHELTERS),
                                                                        "s.csv")
    preview = post(client, world, "/api/v1/imports/shelters/preview", content, name, "bureau")
    assert preview.json["errors"] == [] and preview.json["actions"] == {"create": 2}
    assert _counts() == (0, 3, 0)
    done = post(client, world, "/api/v1/imports/shelters", content, name, "bureau")
    assert done.status_code == 201, done.json
    assert _counts() == (2, 5, 0)
    gym = db.session.scalar(select(Shelter).where(Shelter.code == "BN-01"))
    assert (gym.capacity_people, float(gym.site_area_m2), gym.depot.kind,
            gym.depot.keeper_name) == (400, 1800.0, "shelter", "王建国")
    again = post(client, world, "/api/v1/imports/shelters", content, name, "bureau")
    assert again.json["actions"] == {"update": 2} and _counts() == (2, 5, 0)
    travel = post(client, world, "/api/v1/imports/shelter_travel_times", csv_bytes(TRAVEL),
                  "t.csv", "bureau")
    assert travel.status_code == 201, travel.json
    rows = db.session.scalars(select(ShelterTravelTime)).all()
    assert sorted((r.depot.code, r.shelter.code, float(r.hours), r.source) for r in rows) == [
        ("TS-01", "BN-02", 0.4, "import"), ("XZ-01", "BN-01", 0.6, "import")]


def test_an_import_changes_a_shelter_and_its_receiving_point(client, world):
    post(client, world, "/api/v1/imports/shelters", xlsx(SHELTERS), "s.xlsx", "bureau")
    changed = [HEADER, SHELTERS[1][:1] + ["凤城镇中学综合体育馆", "I", 450] + SHELTERS[1][4:]]
    done = post(client, world, "/api/v1/imports/shelters", xlsx(changed), "s.xlsx", "bureau")
    assert done.status_code == 201, done.json
    gym = db.session.scalar(select(Shelter).where(Shelter.code == "BN-01"))
    db.session.refresh(gym)
    assert (gym.name, gym.shelter_class, gym.capacity_people, gym.depot.name) == (
        "凤城镇中学综合体育馆", "I", 450, "凤城镇中学综合体育馆")


@pytest.mark.parametrize("row, column", [
    (["BN-03", "某广场", "IV", 100, "140522100"], "类别"),
    (["BN-03", "某广场", "III", 0, "140522100"], "容纳人数"),
    (["BN-03", "某广场", "III", 100, "999999"], "所在区划代码"),
    (["XZ-01", "某广场", "III", 100, "140522100"], "避难场所编号"),
    (["BN 03", "某广场", "III", 100, "140522100"], "避难场所编号"),
    (["BN-03", "某广场", "III", 100, "140522100", "", 35.4], "经度"),
    (["BN-03", "某广场", "III", 100, "140522100", "", 95, 112], "纬度"),
    (["BN-03", "某广场", "III", 100, "140522100", -5], "场地面积（平方米）"),
    (["BN-01", "重复", "III", 100, "140522100"], "避难场所编号"),
])
def test_a_file_with_a_bad_row_is_refused_whole(client, world, row, column):
    rows = [HEADER, SHELTERS[1], row + [""] * (len(HEADER) - len(row))]
    refused = post(client, world, "/api/v1/imports/shelters", xlsx(rows), "s.xlsx", "bureau")
    assert refused.status_code == 422, refused.json
    errors = refused.json["errors"]["rows"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, column)], errors
    assert _counts() == (0, 3, 0)


@pytest.mark.parametrize("row, column", [
    (["XZ-01", "BN-09", 1], "避难场所编号"), (["XX-99", "BN-01", 1], "储备库编号"),
    (["BN-01", "BN-01", 1], "储备库编号"), (["TS-01", "BN-01", -1], "行驶时间（小时）"),
])
def test_bad_road_hours_to_shelters_are_refused_whole(client, world, row, column):
    post(client, world, "/api/v1/imports/shelters", xlsx(SHELTERS), "s.xlsx", "bureau")
    refused = post(client, world, "/api/v1/imports/shelter_travel_times",
                   xlsx([TRAVEL[0], TRAVEL[1], row]), "t.xlsx", "bureau")
    assert refused.status_code == 422
    assert [(e["row"], e["column"]) for e in refused.json["errors"]["rows"]] == [(3, column)]
    assert _counts()[2] == 0


def test_a_depots_import_cannot_turn_a_receiving_point_into_a_depot(client, world):
    post(client, world, "/api/v1/imports/shelters", xlsx(SHELTERS), "s.xlsx", "bureau")
    rows = [["储备库编号", "名称", "所在区划代码", "类型"],
            ["BN-01", "体育馆仓库", "140522100", "government"]]
    refused = post(client, world, "/api/v1/imports/depots", xlsx(rows), "d.xlsx", "bureau")
    assert refused.status_code == 422
    assert refused.json["errors"]["rows"][0]["column"] == "储备库编号"
    assert db.session.scalar(select(Depot.kind).where(Depot.code == "BN-01")) == "shelter"


@pytest.mark.parametrize("role", ["keeper", "planner", "auditor"])
def test_only_importers_import_shelters(client, world, role):
    refused = post(client, world, "/api/v1/imports/shelters", xlsx(SHELTERS), "s.xlsx", role)
    assert refused.status_code == 403 and _counts() == (0, 3, 0)
