"""Are we ready? The adequacy of a target computed by hand on a small county, over HTTP.

Target: 100 people in 凤城镇 within 10 hours, 30 days from now. Norms: tents 0.292 per person
(30 needed), water 1.8 per person (180 needed).

- XZ-01 (county warehouse): 1 h handling + 9 h to the town = exactly 10 h: counts. 20 tents; water
  in two lots: 100 expiring before the target date (not counted) and 50 after (counted).
- TS-01 (in the town): 1 h + 0 h: counts. 5 tents; 7 more in a quarantined lot (not counted).
- VL-01: 1 h + 9.5 h = 10.5 h: too late. 100 tents not counted.
- XZ-02: no travel time known and no coordinates: unreachable. 100 tents not counted.
- Agreement XY-W (water, 300, 4 h to the county warehouse, 100 called off): 4 + 9 = 13 h: late.
- Agreement XY-T (tents, 4, 6 h straight to the site): counts 4.
- A bottling plant in the town: 10 per hour after 2 h, at most 60: 10 × (10 − 2) = 80 → 60.

Tents 20 + 5 + 4 = 29 of 30 (99 people); water 50 + 60 = 110 of 180 (61 people): 61 people are
fully supplied, and water limits them.
"""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from inventory import clock
from inventory.contracts import queries as contract_queries
from inventory.contracts import services as contracts
from inventory.db import db
from inventory.geo.models import Area, Depot
from inventory.readiness import services as readiness
from inventory.readiness.services import NormRow
from inventory.stock import services as stock


@pytest.fixture
def county(app, world):
    session = db.session
    admin = world.users["admin"]
    today = clock.today()
    readiness.load_norms(session, [
        NormRow("SH-TENT-12", __import__("decimal").Decimal("0.292"), 72, "all", "", ""),
        NormRow("FW-WATER-5L", __import__("decimal").Decimal("1.8"), 72, "all", "", "")])
    town = session.query(Area).filter_by(code="140522100").one()
    xz02 = Depot(code="XZ-02", name="县二号库", area_id=world.depots["XZ-01"].area_id,
                 kind="government", active=True)
    session.add(xz02)
    session.commit()
    for depot, hours in (("XZ-01", 9), ("VL-01", 9.5)):
        readiness.set_travel_time(session, admin, depot=depot, area="140522100", hours=hours)

    def receive(depot, item, quantity, code, **extra):
        return stock.receive(session, admin, depot=depot, item=item, quantity=quantity,
                             lot_code=code, **extra)[0]

    receive("XZ-01", "SH-TENT-12", 20, "T-1")
    receive("XZ-01", "FW-WATER-5L", 100, "W-SOON", expires_on=today + timedelta(days=10))
    receive("XZ-01", "FW-WATER-5L", 50, "W-LATER", expires_on=today + timedelta(days=300))
    receive("TS-01", "SH-TENT-12", 5, "T-2")
    held = receive("TS-01", "SH-TENT-12", 7, "T-3")
    stock.set_lot_status(session, admin, lot=held.id, status="quarantined", reason="待检")
    receive("VL-01", "SH-TENT-12", 100, "T-4")
    receive("XZ-02", "SH-TENT-12", 100, "T-5")
    water = contracts.create_agreement(
        session, admin, number="XY-W", supplier="某水厂", item="FW-WATER-5L",
        committed_quantity=300, response_hours=4, response_to="county",
        valid_from=today - timedelta(days=30), valid_until=today + timedelta(days=365),
        unit_price=4.5)
    contracts.call_off(session, admin, agreement_id=water.id, quantity=100, depot="XZ-01")
    contracts.create_agreement(
        session, admin, number="XY-T", supplier="某帐篷厂", item="SH-TENT-12",
        committed_quantity=4, response_hours=6, response_to="site",
        valid_from=today - timedelta(days=30), valid_until=today + timedelta(days=365))
    contracts.create_agreement(
        session, admin, number="XY-OLD", supplier="过期供应商", item="SH-TENT-12",
        committed_quantity=500, response_hours=1, response_to="site",
        valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=1))
    contracts.create_capacity(
        session, admin, enterprise="凤城桶装水厂", item="FW-WATER-5L", rate_per_hour=10,
        ramp_hours=2, max_quantity=60, area="140522100",
        valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=365))
    target = readiness.create_target(session, world.users["bureau"], name="凤城镇安置",
                                     area=town.code, people=100, deadline_hours=10,
                                     target_date=today + timedelta(days=30))
    return target.id


def test_the_targets_are_listed(client, world, county):
    [target] = client.get("/api/v1/targets", headers=world.headers("auditor")).json
    assert target["people"] == 100 and target["area"] == "140522100"
    assert target["deadline_hours"] == 10


def test_the_adequacy_of_a_target_matches_the_hand_computed_figures(client, world, county):
    response = client.get(f"/api/v1/adequacy?target={county}", headers=world.headers("keeper"))
    assert response.status_code == 200, response.json
    body = response.json
    items = {i["item"]: i for i in body["items"]}
    tent, water = items["SH-TENT-12"], items["FW-WATER-5L"]
    assert tent["required"] == 30 and water["required"] == 180
    assert tent["by_mode"] == {"physical": 25, "contract": 4, "capacity": 0}
    assert water["by_mode"] == {"physical": 50, "contract": 0, "capacity": 60}
    assert tent["shortfall"] == 1 and water["shortfall"] == 70
    assert {(s["mode"], s["code"], s["quantity"]) for s in tent["sources"]} == {
        ("physical", "XZ-01", 20), ("physical", "TS-01", 5), ("contract", "XY-T", 4)}
    assert {s["code"]: s["hours"] for s in tent["sources"]}["XZ-01"] == 10
    assert tent["people_supplied"] == 99 and water["people_supplied"] == 61
    assert body["people_supplied"] == 61 and body["limiting_items"] == ["FW-WATER-5L"]
    assert water["coverage"] == pytest.approx(110 / 180)


def test_the_adequacy_flags_what_needs_attention(client, world, county):
    flags = client.get(f"/api/v1/adequacy?target={county}",
                       headers=world.headers("bureau")).json["flags"]
    assert [lot["code"] for lot in flags["expiring_30"]] == ["W-SOON"]
    assert {lot["code"] for lot in flags["expiring_90"]} == {"W-SOON"}
    assert flags["agreements_expiring"] == []
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    assert flags["agreements_expired"] == [
        {"number": "XY-OLD", "supplier": "过期供应商", "valid_until": yesterday}]
    assert flags["agreements_exhausted"] == []
    assert {d["depot"] for d in flags["depots_without_stocktake"]} >= {"XZ-01", "TS-01"}


def test_a_capacity_source_is_named_by_its_enterprise_and_a_stable_code(client, world, county):
    body = client.get(f"/api/v1/adequacy?target={county}", headers=world.headers("bureau")).json
    water = next(item for item in body["items"] if item["item"] == "FW-WATER-5L")
    firm = next(source for source in water["sources"] if source["mode"] == "capacity")
    listed = client.get("/api/v1/capacity", headers=world.headers("bureau")).json
    assert firm["name"] == "凤城桶装水厂"
    assert firm["code"] == listed[0]["code"] == f"CN-{listed[0]['id']:04d}"


def test_an_agreement_ending_soon_is_expiring_and_one_that_ended_is_expired(client, world,
                                                                           county):
    today = clock.today()
    contracts.create_agreement(
        db.session, world.users["admin"], number="XY-SOON", supplier="某棉被厂",
        item="SH-TENT-12", committed_quantity=50, response_hours=6, response_to="site",
        valid_from=today - timedelta(days=300), valid_until=today + timedelta(days=20))
    flags = client.get(f"/api/v1/adequacy?target={county}",
                       headers=world.headers("bureau")).json["flags"]
    assert flags["agreements_expiring"] == [
        {"number": "XY-SOON", "supplier": "某棉被厂",
         "valid_until": (today + timedelta(days=20)).isoformat(), "remaining": 50}]
    assert [a["number"] for a in flags["agreements_expired"]] == ["XY-OLD"]


def test_a_depot_holding_more_than_it_can_store_is_flagged(client, world, county):
    stock.receive(db.session, world.users["admin"], depot="VL-01", item="SH-TENT-12",
                  quantity=40, lot_code="T-6")  # 140 tents × 0.25 m³ = 35 m³ > 30 m³
    flags = client.get(f"/api/v1/adequacy?target={county}",
                       headers=world.headers("bureau")).json["flags"]
    assert flags["depots_over_capacity"] == [
        {"depot": "VL-01", "name": "东关村储备点", "capacity_m3": 30.0, "held_m3": 35.0}]


def test_the_adequacy_workbook_has_chinese_headers_and_the_same_figures(client, world, county):
    response = client.get(f"/api/v1/adequacy.xlsx?target={county}",
                          headers=world.headers("auditor"))
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data))["储备充足度"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("可完全保障人数", 61)
    assert rows[2][:6] == ("物资编码", "物资名称", "单位", "类别", "人均标准", "需求量")
    by_code = {row[0]: row for row in rows[3:]}
    assert by_code["FW-WATER-5L"][5:12] == (180, 50, 0, 60, 110, pytest.approx(0.6111, abs=1e-4),
                                            70)


def test_an_unknown_target_is_a_404_with_a_message(client, world, county):
    response = client.get("/api/v1/adequacy?target=999", headers=world.headers("auditor"))
    assert response.status_code == 404 and "999" in response.json["message"]


def test_only_the_bureau_sets_targets(client, world, county):
    body = {"name": "x", "area": "140522", "people": 10}
    assert client.post("/api/v1/targets", json=body,
                       headers=world.headers("keeper")).status_code == 403
    created = client.post("/api/v1/targets", json=body | {"deadline_hours": 6},
                          headers=world.headers("bureau"))
    assert created.status_code == 201 and created.json["deadline_hours"] == 6


def test_calling_off_more_than_an_agreement_holds_is_refused(app, world, county):
    from inventory.contracts.models import Agreement
    from inventory.errors import InvalidInput

    water = db.session.query(Agreement).filter_by(number="XY-W").one()
    with pytest.raises(InvalidInput):
        contracts.call_off(db.session, world.users["admin"], agreement_id=water.id,
                          quantity=201, depot="XZ-01")
    assert contract_queries.remaining_by_agreement(db.session)[water.id] == 200


def test_the_bureau_edits_a_norm_and_the_requirement_follows(client, world, county):
    body = {"item": "FW-WATER-5L", "per_person": 2.4, "basis": "4 L a day"}
    assert client.put("/api/v1/norms", json=body,
                      headers=world.headers("keeper")).status_code == 403
    response = client.put("/api/v1/norms", json=body, headers=world.headers("bureau"))
    assert response.status_code == 200 and response.json["per_person"] == 2.4
    items = client.get(f"/api/v1/adequacy?target={county}",
                       headers=world.headers("bureau")).json["items"]
    assert {i["item"]: i["required"] for i in items}["FW-WATER-5L"] == 240
    bad = client.put("/api/v1/norms", json=body | {"item": "NO-SUCH"},
                     headers=world.headers("bureau"))
    assert bad.status_code == 404
