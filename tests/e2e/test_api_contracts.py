"""Contract reserves over HTTP: agreement → call-off → receipt as a lot → settlement at the
tender price (先使用后按招标价结算，不使用不付费); capacity reserves and travel times."""

from datetime import timedelta

import pytest
from checks import assert_refused, nothing_changes

from inventory import clock
from inventory.db import db


def agreement_body(**changes):
    today = clock.today()
    return {"number": "XY-2026-001", "supplier": "宁夏某饮用水有限公司", "contact_name": "马经理",
            "contact_phone": "13909520001", "item": "FW-WATER-5L", "committed_quantity": 300,
            "response_hours": 4, "response_to": "county", "unit_price": 4.5,
            "valid_from": str(today - timedelta(days=30)),
            "valid_until": str(today + timedelta(days=335))} | changes


@pytest.fixture
def agreement(client, world):
    response = client.post("/api/v1/agreements", headers=world.headers("bureau"),
                           json=agreement_body())
    assert response.status_code == 201, response.json
    return response.json


def test_an_agreement_is_recorded_with_what_it_still_commits(client, world, agreement):
    assert agreement["remaining"] == 300 and agreement["status"] == "active"
    assert agreement["item"] == "FW-WATER-5L" and agreement["unit"] == "桶"
    listed = client.get("/api/v1/agreements?item=FW-WATER-5L",
                        headers=world.headers("auditor")).json
    assert [a["number"] for a in listed] == ["XY-2026-001"]
    assert client.get("/api/v1/agreements?item=SH-TENT-12",
                      headers=world.headers("auditor")).json == []


@pytest.mark.parametrize("changes, status, field", [
    ({"number": "XY-2026-001"}, 409, "number"),  # already recorded
    ({"committed_quantity": 0}, 422, "committed_quantity"),
    ({"valid_until": "2020-01-01"}, 422, "valid_until"),
    ({"response_to": "moon"}, 422, "response_to"),
    ({"item": "NO-SUCH"}, 404, "item"),
])
def test_a_bad_agreement_is_refused_naming_the_field(client, world, agreement, changes, status,
                                                     field):
    response = client.post("/api/v1/agreements", headers=world.headers("bureau"),
                           json=agreement_body(**{"number": "XY-2026-002"} | changes))
    assert response.status_code == status, response.json
    assert field in str(response.json)
    assert len(client.get("/api/v1/agreements", headers=world.headers("bureau")).json) == 1


def test_only_the_bureau_records_and_calls_off_agreements(client, world, agreement):
    keeper = world.headers("keeper")
    with nothing_changes(db.session):
        assert_refused(client.post("/api/v1/agreements", headers=keeper,
                                   json=agreement_body(number="XY-X")), 403, "forbidden")
        assert_refused(client.post(f"/api/v1/agreements/{agreement['id']}/call-offs",
                                   headers=keeper, json={"quantity": 10, "depot": "XZ-01"}),
                       403, "forbidden")


def test_call_off_receive_and_settle(client, world, agreement):
    bureau, keeper = world.headers("bureau"), world.headers("keeper")
    called = client.post(f"/api/v1/agreements/{agreement['id']}/call-offs", headers=bureau,
                         json={"quantity": 100, "depot": "XZ-01", "reason": "汛期调用"})
    assert called.status_code == 201, called.json
    assert called.json["status"] == "expected" and called.json["lot"] is None
    assert client.get(f"/api/v1/agreements/{agreement['id']}",
                      headers=bureau).json["remaining"] == 200
    too_much = client.post(f"/api/v1/agreements/{agreement['id']}/call-offs", headers=bureau,
                           json={"quantity": 201, "depot": "XZ-01"})
    assert too_much.status_code == 422 and "200" in too_much.json["message"]

    call_off = called.json["id"]
    # A keeper of another depot cannot receive it, and nothing changes.
    other = client.post(f"/api/v1/call-offs/{call_off}/receive", headers=world.headers("keeper2"),
                        json={"quantity": 90})
    assert other.status_code == 403
    # The supplier delivered 90 of the 100: received as a lot whose source is the agreement.
    key = {"Idempotency-Key": "call-off-receive-1"}
    received = client.post(f"/api/v1/call-offs/{call_off}/receive", headers=keeper | key,
                           json={"quantity": 90, "lot_code": "W-XY-1"})
    assert received.status_code == 200, received.json
    assert received.json["status"] == "received" and received.json["received_quantity"] == 90
    again = client.post(f"/api/v1/call-offs/{call_off}/receive", headers=keeper | key,
                        json={"quantity": 90, "lot_code": "W-XY-1"})
    assert again.json == received.json and again.headers.get("Idempotent-Replayed") == "true"
    lot = client.get(f"/api/v1/lots/{received.json['lot']}", headers=keeper).json
    assert lot["source"] == "contract" and lot["quantity"] == 90 and lot["code"] == "W-XY-1"
    ledger = client.get(f"/api/v1/movements?lot={lot['id']}", headers=keeper).json
    assert [(m["kind"], m["quantity"], m["reference"]) for m in ledger] == [
        ("receipt", 90, "XY-2026-001")]
    twice = client.post(f"/api/v1/call-offs/{call_off}/receive", headers=keeper,
                        json={"quantity": 90})
    assert twice.status_code == 409

    # Settlement: what was used (received), at the tender price; once.
    settled = client.post(f"/api/v1/call-offs/{call_off}/settle", headers=bureau,
                          json={"reference": "JS-2026-01"})
    assert settled.status_code == 200, settled.json
    assert settled.json["settled_amount"] == 405.0
    assert settled.json["settlement_reference"] == "JS-2026-01"
    assert client.post(f"/api/v1/call-offs/{call_off}/settle", headers=bureau,
                       json={}).status_code == 422
    assert [c["id"] for c in client.get("/api/v1/call-offs?status=received",
                                        headers=bureau).json] == [call_off]


def test_a_cancelled_call_off_returns_its_quantity_and_costs_nothing(client, world, agreement):
    bureau = world.headers("bureau")
    called = client.post(f"/api/v1/agreements/{agreement['id']}/call-offs", headers=bureau,
                         json={"quantity": 50, "depot": "TS-01"}).json
    assert client.post(f"/api/v1/call-offs/{called['id']}/cancel", headers=bureau,
                       json={}).status_code == 422  # a reason is required
    cancelled = client.post(f"/api/v1/call-offs/{called['id']}/cancel", headers=bureau,
                            json={"reason": "汛情解除"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert "汛情解除" in cancelled.json["reason"]
    assert client.get(f"/api/v1/agreements/{agreement['id']}",
                      headers=bureau).json["remaining"] == 300
    assert client.post(f"/api/v1/call-offs/{called['id']}/receive",
                       headers=world.headers("keeper2"), json={}).status_code == 409
    assert client.post(f"/api/v1/call-offs/{called['id']}/settle", headers=bureau,
                       json={}).status_code == 422


def test_a_suspended_agreement_cannot_be_called_off_and_an_ended_one_stays_ended(
        client, world, agreement):
    bureau = world.headers("bureau")
    url = f"/api/v1/agreements/{agreement['id']}"
    assert client.post(f"{url}/status", headers=bureau,
                       json={"status": "suspended"}).json["status"] == "suspended"
    refused = client.post(f"{url}/call-offs", headers=bureau,
                          json={"quantity": 1, "depot": "XZ-01"})
    assert refused.status_code == 409 and "XY-2026-001" in refused.json["message"]
    client.post(f"{url}/status", headers=bureau, json={"status": "ended"})
    assert client.post(f"{url}/status", headers=bureau,
                       json={"status": "active"}).status_code == 409
    assert client.get(url, headers=bureau).json["status"] == "ended"


def test_an_expired_agreement_cannot_be_called_off(client, world):
    today = clock.today()
    old = client.post("/api/v1/agreements", headers=world.headers("bureau"), json=agreement_body(
        number="XY-OLD", valid_from=str(today - timedelta(days=400)),
        valid_until=str(today - timedelta(days=1)))).json
    refused = client.post(f"/api/v1/agreements/{old['id']}/call-offs",
                          headers=world.headers("bureau"), json={"quantity": 1, "depot": "XZ-01"})
    assert refused.status_code == 409 and "有效期" in refused.json["message"]


def test_capacity_reserves_are_recorded_and_listed(client, world):
    today = clock.today()
    body = {"enterprise": "凤城桶装水厂", "item": "FW-WATER-5L", "rate_per_hour": 400,
            "ramp_hours": 3, "max_quantity": 5000, "area": "140522100", "unit_price": 4.5,
            "valid_from": str(today), "valid_until": str(today + timedelta(days=365))}
    made = client.post("/api/v1/capacity", headers=world.headers("bureau"), json=body)
    assert made.status_code == 201, made.json
    [listed] = client.get("/api/v1/capacity", headers=world.headers("auditor")).json
    assert listed["enterprise"] == "凤城桶装水厂" and listed["rate_per_hour"] == 400
    assert listed["area"] == "140522100" and listed["max_quantity"] == 5000
    bad = client.post("/api/v1/capacity", headers=world.headers("bureau"),
                      json=body | {"rate_per_hour": 0})
    assert bad.status_code == 422 and "rate_per_hour" in str(bad.json)


def test_travel_times_are_set_replaced_and_listed(client, world):
    bureau = world.headers("bureau")
    body = {"depot": "XZ-01", "area": "140522100", "hours": 1.5}
    assert client.put("/api/v1/travel-times", headers=bureau, json=body).status_code == 200
    replaced = client.put("/api/v1/travel-times", headers=bureau, json=body | {"hours": 2.25})
    assert replaced.json | {"depot_name": None, "area_name": None} == {
        "depot": "XZ-01", "area": "140522100", "hours": 2.25, "source": "manual",
        "depot_name": None, "area_name": None}
    assert [t["hours"] for t in client.get("/api/v1/travel-times?depot=XZ-01",
                                           headers=bureau).json] == [2.25]
    assert client.put("/api/v1/travel-times", headers=bureau,
                      json=body | {"depot": "NO-SUCH"}).status_code == 404
    assert client.put("/api/v1/travel-times", headers=bureau,
                      json=body | {"hours": -1}).status_code == 422
    assert client.put("/api/v1/travel-times", headers=world.headers("keeper"),
                      json=body).status_code == 403


def test_the_reserves_overview_shows_contract_and_capacity_beside_the_shelf(client, world,
                                                                          agreement):
    from inventory.stock import services as stock

    stock.receive(db.session, world.users["admin"], depot="XZ-01", item="FW-WATER-5L",
                  quantity=120, lot_code="W-1")
    client.post(f"/api/v1/agreements/{agreement['id']}/call-offs",
                headers=world.headers("bureau"), json={"quantity": 100, "depot": "XZ-01"})
    today = clock.today()
    client.post("/api/v1/capacity", headers=world.headers("bureau"), json={
        "enterprise": "凤城桶装水厂", "item": "FW-WATER-5L", "rate_per_hour": 400,
        "ramp_hours": 3, "max_quantity": 5000, "area": "140522100",
        "valid_from": str(today), "valid_until": str(today + timedelta(days=365))})
    [water] = client.get("/api/v1/reserves", headers=world.headers("auditor")).json
    assert water == {"item": "FW-WATER-5L", "name": "桶装饮用水 5L", "category": "生活类",
                     "unit": "桶", "on_shelf": 120, "usable": 120, "contract": 200,
                     "capacity": 5000}
