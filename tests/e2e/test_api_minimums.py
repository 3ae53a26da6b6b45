"""Minimum stock per tier (储备定额), computed by hand.

Norms: tents 0.292 per person, water 1.8 per person. "Each township point holds supplies for
20 people" asks ⌈5.84⌉ = 6 tents and 36 water of each township depot:

- TS-01 holds 6 tents and 40 water (plus 100 water that expired yesterday): met, 20 people
  (6 ÷ 0.292 = 20.5 → 20; 40 ÷ 1.8 = 22.2 → 22).
- TS-02 holds 3 tents (and 10 quarantined) and 50 water: short 3 tents, 10 people.

"The county warehouse holds 50 tents": XZ-01 holds 20, short 30. The village point has no
minimum and is not listed.
"""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from checks import assert_refused, nothing_changes
from factories import PASSWORD
from openpyxl import load_workbook

from inventory import clock
from inventory.db import db
from inventory.geo.models import Area, Depot
from inventory.readiness import services as readiness
from inventory.readiness.services import NormRow
from inventory.stock import services as stock


@pytest.fixture
def tiers(app, world):
    session = db.session
    admin = world.users["admin"]
    today = clock.today()
    readiness.load_norms(session, [NormRow("SH-TENT-12", Decimal("0.292"), 72, "all", "", ""),
                                  NormRow("FW-WATER-5L", Decimal("1.8"), 72, "all", "", "")])
    town = session.query(Area).filter_by(code="140522100").one()
    session.add(Depot(code="TS-02", name="凤城镇二号点", area_id=town.id, kind="community",
                      active=True))
    session.commit()

    def receive(depot, item, quantity, code, **extra):
        return stock.receive(session, admin, depot=depot, item=item, quantity=quantity,
                             lot_code=code, **extra)[0]

    receive("TS-01", "SH-TENT-12", 6, "T-1")
    receive("TS-01", "FW-WATER-5L", 40, "W-1", expires_on=today + timedelta(days=200))
    receive("TS-01", "FW-WATER-5L", 100, "W-OLD", expires_on=today - timedelta(days=1),
            accept_expired=True)
    receive("TS-02", "SH-TENT-12", 3, "T-2")
    held = receive("TS-02", "SH-TENT-12", 10, "T-3")
    stock.set_lot_status(session, admin, lot=held.id, status="quarantined", reason="待检")
    receive("TS-02", "FW-WATER-5L", 50, "W-2", expires_on=today + timedelta(days=200))
    receive("XZ-01", "SH-TENT-12", 20, "T-4")
    return world


def test_minimums_are_set_listed_and_ended_by_the_bureau(client, tiers):
    bureau = tiers.headers("bureau")
    made = client.post("/api/v1/minimums", headers=bureau,
                       json={"level": "township", "people": 20, "note": "每个乡镇储备点"})
    assert made.status_code == 201, made.json
    assert made.json | {"id": 0} == {"id": 0, "level": "township", "people": 20, "season": "all",
                                     "item": None, "quantity": None, "note": "每个乡镇储备点",
                                     "active": True}
    other = client.post("/api/v1/minimums", headers=bureau,
                        json={"level": "county", "item": "SH-TENT-12", "quantity": 50}).json
    assert [m["id"] for m in client.get("/api/v1/minimums", headers=bureau).json] == [
        made.json["id"], other["id"]]
    assert client.delete(f"/api/v1/minimums/{other['id']}", headers=bureau).status_code == 204
    assert [m["id"] for m in client.get("/api/v1/minimums", headers=bureau).json] == [
        made.json["id"]]


@pytest.mark.parametrize("body, status, code, field", [
    ({"level": "township"}, 422, "invalid_input", "people"),
    ({"level": "township", "people": 20, "item": "SH-TENT-12", "quantity": 5}, 422,
     "invalid_input", "people"),
    ({"level": "township", "item": "SH-TENT-12"}, 422, "invalid_input", "people"),
    ({"level": "province", "people": 20}, 422, "invalid_input", "level"),
    ({"level": "township", "people": 0}, 422, "invalid_input", "people"),
    ({"level": "county", "item": "NO-SUCH", "quantity": 5}, 404, "not_found", "item"),
])
def test_a_malformed_minimum_is_refused_naming_the_field(client, tiers, body, status, code,
                                                         field):
    with nothing_changes(db.session):
        response = client.post("/api/v1/minimums", headers=tiers.headers("bureau"), json=body)
        refused = assert_refused(response, status, code)
    assert field in refused["errors"], refused
    assert client.get("/api/v1/minimums", headers=tiers.headers("bureau")).json == []


@pytest.mark.parametrize("role", ["keeper", "auditor", "planner"])
def test_only_the_bureau_and_admins_set_and_end_minimums(client, tiers, role):
    made = client.post("/api/v1/minimums", headers=tiers.headers("bureau"),
                       json={"level": "township", "people": 20}).json
    with nothing_changes(db.session):
        assert_refused(client.post("/api/v1/minimums", headers=tiers.headers(role),
                                   json={"level": "township", "people": 20}),
                       403, "forbidden")
        assert_refused(client.delete(f"/api/v1/minimums/{made['id']}",
                                     headers=tiers.headers(role)), 403, "forbidden")


def test_each_depot_of_a_tier_is_checked_against_its_minimum(client, tiers):
    bureau = tiers.headers("bureau")
    client.post("/api/v1/minimums", headers=bureau, json={"level": "township", "people": 20})
    client.post("/api/v1/minimums", headers=bureau,
                json={"level": "county", "item": "SH-TENT-12", "quantity": 50})
    response = client.get("/api/v1/minimums/compliance", headers=tiers.headers("auditor"))
    assert response.status_code == 200, response.json
    county, township = response.json  # county first
    assert county["minimum"]["level"] == "county"
    assert (county["depots_total"], county["depots_met"]) == (1, 0)
    [xz] = county["depots"]
    assert xz["depot"] == "XZ-01" and xz["people_held"] is None
    assert xz["shortfalls"] == [{"item": "SH-TENT-12", "name": "12平方米单帐篷", "unit": "顶",
                                 "required": 50, "held": 20, "short": 30}]
    assert xz["coverage"] == pytest.approx(0.4)

    assert {r["item"]: r["quantity"] for r in township["requirements"]} == {
        "SH-TENT-12": 6, "FW-WATER-5L": 36}
    assert (township["depots_total"], township["depots_met"]) == (2, 1)
    short, met = township["depots"]  # short of the minimum first
    assert short["depot"] == "TS-02" and not short["met"] and short["people_held"] == 10
    assert [(s["item"], s["held"], s["short"]) for s in short["shortfalls"]] == [
        ("SH-TENT-12", 3, 3)]
    assert short["coverage"] == pytest.approx(0.5)
    assert met["depot"] == "TS-01" and met["met"] and met["people_held"] == 20
    assert met["shortfalls"] == [] and met["coverage"] == 1


def test_the_minimums_workbook_lists_every_depot_with_chinese_headers(client, tiers):
    bureau = tiers.headers("bureau")
    client.post("/api/v1/minimums", headers=bureau, json={"level": "township", "people": 20})
    client.post("/api/v1/minimums", headers=bureau,
                json={"level": "county", "item": "SH-TENT-12", "quantity": 50})
    client.post("/login", data={"username": "bureau", "password": PASSWORD})
    response = client.get("/readiness/minimums.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["储备定额"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("层级", "定额", "储备库", "储备库名称", "达标")
    body = {(row[2], row[5]): row for row in rows[1:]}
    assert body["TS-02", "SH-TENT-12"][4:10] == ("否", "SH-TENT-12", "12平方米单帐篷", 6, 3, 3)
    assert body["TS-01", "FW-WATER-5L"][4:10] == ("是", "FW-WATER-5L", "桶装饮用水 5L", 36, 40,
                                                  0)
    assert body["XZ-01", "SH-TENT-12"][7:10] == (50, 20, 30)


def test_the_dashboard_shows_each_tier_against_its_minimum(client, tiers):
    bureau = tiers.headers("bureau")
    client.post("/api/v1/minimums", headers=bureau, json={"level": "township", "people": 20})
    client.post("/login", data={"username": "bureau", "password": PASSWORD})
    page = client.get("/readiness/").get_data(as_text=True)
    assert "储备定额" in page and "每处保障 20 人" in page
    assert "1 / 2" in page  # one of the two township points holds its minimum
    assert 'href="/depots/TS-02"' in page and "12平方米单帐篷 −3" in page
    assert 'href="/depots/TS-01"' not in page
    client.get("/lang/en")
    page = client.get("/readiness/").get_data(as_text=True)
    assert "Minimum stock" in page and "supplies for 20 people each" in page


def test_the_dashboard_workbook_holds_every_table_of_the_page(client, tiers):
    client.post("/api/v1/minimums", headers=tiers.headers("bureau"),
                json={"level": "township", "people": 20})
    client.post("/login", data={"username": "auditor", "password": PASSWORD})
    response = client.get("/readiness/readiness.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["保障目标", "储备定额", "90天内到期批次", "协议提醒", "储备库提醒",
                               "各类物资平均保障率", "未来12个月到期"]
    months = list(book["未来12个月到期"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 12 and sum(n for _month, n in months) == 40 + 50  # the water lots
    assert [row[0] for row in book["储备定额"].iter_rows(min_row=2, values_only=True)] == \
        ["乡镇"] * 4
    uncounted = {row[0] for row in book["储备库提醒"].iter_rows(min_row=2, values_only=True)}
    assert {"XZ-01", "TS-01", "TS-02"} <= uncounted
