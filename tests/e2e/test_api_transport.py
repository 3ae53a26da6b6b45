"""Transport over the API: the registers (the bureau and admins write, everyone reads, every
change logged), waybills recorded with a dispatch or right after, arrival scanned at a shelter,
goods in transit with their expected arrival and the overdue flag, measured trip times."""

from datetime import UTC, datetime, timedelta

import pytest
from checks import assert_refused, nothing_changes
from factories import PASSWORD

from inventory.audit import events_for
from inventory.auth.services import create_token, create_user
from inventory.db import db
from inventory.labels import payload
from inventory.transport.models import Carrier, Vehicle

ROLES = ["admin", "bureau", "keeper", "planner", "auditor"]
WRITERS = [("admin", True), ("bureau", True), ("keeper", False), ("planner", False),
           ("auditor", False)]
BUREAU_FLEET = {"code": "YJJ", "name": "县应急管理局", "kind": "bureau",
                "contact_name": "李明", "contact_phone": "0952-6011234"}
TRUCK = {"plate": "宁B·12345", "carrier": "YJJ", "vehicle_type": "厢式货车 4.2 米",
         "payload_kg": 2000, "volume_m3": 16, "depot": "XZ-01", "driver_name": "张师傅",
         "driver_phone": "13900000002"}
SF = {"code": "SF", "name": "顺丰速运石嘴山分公司", "kind": "logistics"}
SF_DEAL = {"number": "YL-2026-01", "carrier": "SF", "vehicle_type": "9.6 米厢式货车",
           "vehicles": 3, "payload_kg": 10000, "volume_m3": 55, "response_hours": 4,
           "depot": "XZ-01", "unit_price": 1800, "price_unit": "trip",
           "valid_from": "2026-01-01", "valid_until": "2030-12-31"}
GYM = {"code": "BN-01", "name": "凤城镇中学体育馆", "shelter_class": "II",
       "capacity_people": 400, "area": "140522100"}


def _post(client, world, url, body, user="bureau", **headers):
    return client.post(url, headers=world.headers(user, **headers), json=body)


def registers(client, world):
    assert _post(client, world, "/api/v1/carriers", BUREAU_FLEET).status_code == 201
    assert _post(client, world, "/api/v1/vehicles", TRUCK).status_code == 201
    assert _post(client, world, "/api/v1/carriers", SF).status_code == 201
    assert _post(client, world, "/api/v1/transport-agreements", SF_DEAL).status_code == 201


# -- registers ------------------------------------------------------------------------------

def test_the_registers_keep_carriers_vehicles_and_transport_agreements(client, world):
    registers(client, world)
    vehicle = client.get("/api/v1/vehicles/宁B12345", headers=world.headers("keeper")).json
    assert vehicle | {"created_at": None, "updated_at": None} == {
        "plate": "宁B12345", "carrier": "YJJ", "carrier_name": "县应急管理局",
        "vehicle_type": "厢式货车 4.2 米", "payload_kg": 2000.0, "volume_m3": 16.0,
        "depot": "XZ-01", "driver_name": "张师傅", "driver_phone": "13900000002",
        "active": True, "created_at": None, "updated_at": None}
    deal = client.get("/api/v1/transport-agreements/YL-2026-01",
                      headers=world.headers("planner")).json
    assert (deal["carrier_name"], deal["vehicles"], deal["payload_kg"], deal["response_hours"],
            deal["unit_price"], deal["price_unit"]) == ("顺丰速运石嘴山分公司", 3, 10000.0, 4.0,
                                                        1800.0, "trip")
    valid = client.get("/api/v1/transport-agreements?valid_on=2031-01-01",
                       headers=world.headers("auditor")).json
    assert valid == []
    carriers = client.get("/api/v1/carriers?kind=logistics", headers=world.headers("auditor"))
    assert [c["code"] for c in carriers.json] == ["SF"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_registers(client, world, role):
    registers(client, world)
    for url in ("/api/v1/carriers", "/api/v1/vehicles", "/api/v1/transport-agreements",
                "/api/v1/carriers/SF", "/api/v1/vehicles/宁B12345",
                "/api/v1/transport-agreements/YL-2026-01", "/api/v1/waybills",
                "/api/v1/in-transit", "/api/v1/trip-times"):
        assert client.get(url, headers=world.headers(role)).status_code == 200, url


def test_reading_the_registers_needs_a_login(client, world):
    for url in ("/api/v1/carriers", "/api/v1/vehicles", "/api/v1/in-transit"):
        assert_refused(client.get(url), 401, "unauthorized")


@pytest.mark.parametrize("role, allowed", WRITERS)
def test_only_the_bureau_and_admins_change_the_registers(client, world, role, allowed):
    if allowed:
        registers_as = role
    else:
        registers(client, world)
        registers_as = None
    bodies = [("/api/v1/carriers", BUREAU_FLEET | {"code": "XG"}),
              ("/api/v1/vehicles", TRUCK | {"plate": "宁B54321", "carrier": "YJJ"}),
              ("/api/v1/transport-agreements", SF_DEAL | {"number": "YL-2026-02"})]
    if registers_as:
        assert _post(client, world, "/api/v1/carriers", BUREAU_FLEET, role).status_code == 201
        assert _post(client, world, "/api/v1/carriers", SF, role).status_code == 201
        for url, body in bodies:
            assert _post(client, world, url, body, role).status_code == 201, url
        changed = client.patch("/api/v1/vehicles/宁B54321", headers=world.headers(role),
                               json={"payload_kg": 1500})
        assert changed.status_code == 200 and changed.json["payload_kg"] == 1500.0
        return
    with nothing_changes(db.session):
        for url, body in bodies:
            assert_refused(_post(client, world, url, body, role), 403, "forbidden")
        for url in ("/api/v1/carriers/SF", "/api/v1/vehicles/宁B12345",
                    "/api/v1/transport-agreements/YL-2026-01"):
            assert_refused(client.patch(url, headers=world.headers(role),
                                        json={"active": False}), 403, "forbidden")


def test_register_changes_are_logged_with_the_values_before_and_after(client, world):
    registers(client, world)
    changed = client.patch("/api/v1/vehicles/宁B12345", headers=world.headers("bureau"),
                           json={"payload_kg": 1800, "driver_name": "王师傅"})
    assert changed.status_code == 200, changed.json
    vehicle_id = db.session.query(Vehicle.id).filter_by(plate="宁B12345").scalar()
    created, updated = events_for(db.session, "vehicle", vehicle_id)
    assert created.action == "vehicle.create" and created.data["after"]["payload_kg"] == 2000
    assert updated.action == "vehicle.update"
    assert updated.data == {"before": {"payload_kg": 2000.0, "driver_name": "张师傅"},
                            "after": {"payload_kg": 1800.0, "driver_name": "王师傅"}}
    carrier_id = db.session.query(Carrier.id).filter_by(code="SF").scalar()
    client.patch("/api/v1/carriers/SF", headers=world.headers("admin"),
                 json={"contact_phone": "95338"})
    assert events_for(db.session, "carrier", carrier_id)[-1].data == {
        "before": {"contact_phone": None}, "after": {"contact_phone": "95338"}}


def test_bad_register_input_is_refused_and_changes_nothing(client, world):
    registers(client, world)
    with nothing_changes(db.session):
        assert_refused(_post(client, world, "/api/v1/vehicles", TRUCK), 409, "state_conflict")
        assert_refused(_post(client, world, "/api/v1/vehicles", TRUCK | {
            "plate": "宁B99999", "carrier": "NOPE"}), 404, "not_found")
        assert_refused(_post(client, world, "/api/v1/vehicles", TRUCK | {
            "plate": "宁B99999", "payload_kg": 0}), 422, "invalid_input")
        assert_refused(_post(client, world, "/api/v1/carriers", {
            "code": "TS", "name": "凤城镇", "kind": "township"}), 422, "invalid_input")
        assert_refused(_post(client, world, "/api/v1/transport-agreements", SF_DEAL | {
            "number": "YL-9", "valid_from": "2027-01-01", "valid_until": "2026-01-01"}),
            422, "invalid_input")
        english = _post(client, world, "/api/v1/carriers", BUREAU_FLEET,
                        **{"Accept-Language": "en"})
        assert "YJJ" in assert_refused(english, 409, "state_conflict")["message"]


# -- waybills ---------------------------------------------------------------------------------

def stock(client, world, quantity=20):
    # Received the day before, so that loads may be dispatched hours back.
    return client.post("/api/v1/receipts", headers=world.headers("keeper"), json={
        "depot": "XZ-01", "item": "SH-TENT-12", "quantity": quantity, "lot_code": "T1",
        "occurred_at": (datetime.now(UTC) - timedelta(days=1)).isoformat()}).json["lot"]


def shelter_with_keeper(client, world, hours=2.0):
    """A shelter (whose receiving point is depot BN-01) with its own keeper and road hours."""
    assert _post(client, world, "/api/v1/shelters", GYM).status_code == 201
    assert client.put("/api/v1/shelter-travel-times", headers=world.headers("bureau"), json={
        "depot": "XZ-01", "shelter": "BN-01", "hours": hours}).status_code == 200
    create_user(db.session, "keeper-bn", PASSWORD, "keeper", depots=["BN-01"])
    world.tokens["keeper-bn"] = create_token(db.session, "keeper-bn")


def draft(client, world, quantity=8, to="BN-01"):
    made = client.post("/api/v1/transfers", headers=world.headers("keeper"), json={
        "from_depot": "XZ-01", "to_depot": to, "reason": "安置点物资",
        "lines": [{"item": "SH-TENT-12", "quantity": quantity}]})
    assert made.status_code == 201, made.json
    return made.json


def dispatch(client, world, transfer, waybill=None, hours_ago=0.0):
    body = {"occurred_at": (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()}
    if waybill is not None:
        body["waybill"] = waybill
    return client.post(f"/api/v1/transfers/{transfer['id']}/dispatch",
                       headers=world.headers("keeper"), json=body)


WAYBILL = {"plate": "宁B12345", "seal_number": "QF-0001"}


def test_a_transfer_dispatched_with_a_waybill_is_scanned_in_at_a_shelter(client, world):
    registers(client, world)
    shelter_with_keeper(client, world)
    stock(client, world)
    transfer = draft(client, world)
    sent = dispatch(client, world, transfer, WAYBILL, hours_ago=1)
    assert sent.status_code == 200, sent.json
    waybill = client.get(f"/api/v1/transfers/{transfer['id']}/waybill",
                         headers=world.headers("auditor")).json
    # The registered vehicle fills in its carrier and driver; departure is the dispatch.
    assert (waybill["carrier"], waybill["plate"], waybill["driver_name"], waybill["driver_phone"],
            waybill["seal_number"], waybill["registered_vehicle"]) == (
        "YJJ", "宁B12345", "张师傅", "13900000002", "QF-0001", True)
    assert waybill["number"].startswith("YD-") and waybill["arrived_at"] is None
    assert waybill["departed_at"] == sent.json["transfer"]["dispatched_at"]
    departed = datetime.fromisoformat(waybill["departed_at"])
    assert datetime.fromisoformat(waybill["expected_at"]) == departed + timedelta(hours=2)

    # The waybill's QR code is signed like the lot labels.
    label = waybill["label_url"].rsplit("/q/", 1)[1]
    assert label.startswith(f"W-{waybill['id']}-")
    scanned = client.get(f"/api/v1/scan?code={waybill['label_url']}",
                         headers=world.headers("keeper-bn")).json
    assert (scanned["kind"], scanned["waybill"]["number"]) == ("waybill", waybill["number"])
    typed = client.get(f"/api/v1/scan?code={waybill['number'].lower()}",
                       headers=world.headers("keeper-bn")).json
    assert (typed["kind"], typed["waybill"]["id"]) == ("waybill", waybill["id"])

    # Only the receiving depot's keeper records the arrival.
    with nothing_changes(db.session):
        assert_refused(_post(client, world, "/api/v1/waybills/arrivals",
                             {"code": waybill["label_url"]}, "keeper"), 403, "forbidden")
    arrived = _post(client, world, "/api/v1/waybills/arrivals", {"code": waybill["label_url"]},
                    "keeper-bn")
    assert arrived.status_code == 200, arrived.json
    assert arrived.json["arrived_by"] == "keeper-bn"
    assert 0.9 < arrived.json["trip_hours"] < 1.1
    # A second scan keeps the first arrival.
    again = _post(client, world, "/api/v1/waybills/arrivals", {"code": waybill["number"]},
                  "keeper-bn")
    assert again.json["arrived_at"] == arrived.json["arrived_at"]
    # Arrived but not yet received: still listed, no longer overdue-able.
    [load] = client.get("/api/v1/in-transit", headers=world.headers("bureau")).json
    assert load["arrived_at"] == arrived.json["arrived_at"] and load["overdue"] is False
    received = client.post(f"/api/v1/transfers/{transfer['id']}/receive",
                           headers=world.headers("keeper-bn"), json={})
    assert received.status_code == 200, received.json
    assert client.get("/api/v1/in-transit", headers=world.headers("bureau")).json == []


def test_the_first_lot_scanned_at_the_destination_records_the_arrival(client, world):
    registers(client, world)
    shelter_with_keeper(client, world)
    lot = stock(client, world)
    transfer = draft(client, world)
    dispatch(client, world, transfer, WAYBILL)
    lot_label = client.get(f"/api/v1/lots/{lot['id']}/label",
                           headers=world.headers("keeper-bn")).json["url"]
    # The source keeper scanning the lot is not an arrival at his depots.
    assert_refused(_post(client, world, "/api/v1/waybills/arrivals", {"code": lot_label},
                         "keeper"), 404, "not_found")
    arrived = _post(client, world, "/api/v1/waybills/arrivals", {"code": lot_label}, "keeper-bn")
    assert arrived.status_code == 200, arrived.json
    assert arrived.json["transfer"] == transfer["number"] and arrived.json["arrived_at"]


def test_a_waybill_can_be_added_right_after_the_dispatch(client, world):
    registers(client, world)
    stock(client, world)
    transfer = draft(client, world, to="TS-01")
    assert dispatch(client, world, transfer).status_code == 200
    url = f"/api/v1/transfers/{transfer['id']}/waybill"
    assert_refused(client.get(url, headers=world.headers("keeper")), 404, "not_found")
    # A hired lorry that is not registered: the plate, carrier and driver as given.
    body = {"plate": "京A·88888", "carrier": "SF", "driver_name": "赵师傅",
            "driver_phone": "13800000000"}
    with nothing_changes(db.session):
        assert_refused(_post(client, world, url, body, "keeper2"), 403, "forbidden")
        assert_refused(_post(client, world, url, body | {"plate": "京A"}, "keeper"), 422,
                       "invalid_input")
        assert_refused(_post(client, world, url, body | {"carrier": "NOPE"}, "keeper"), 404,
                       "not_found")
    made = _post(client, world, url, body, "keeper")
    assert made.status_code == 201, made.json
    assert (made.json["plate"], made.json["carrier"], made.json["registered_vehicle"]) == (
        "京A88888", "SF", False)
    assert_refused(_post(client, world, url, body, "keeper"), 409, "state_conflict")
    # Received without an arrival scan: the receipt closes the waybill.
    client.post(f"/api/v1/transfers/{transfer['id']}/receive", headers=world.headers("keeper2"),
                json={})
    closed = client.get(url, headers=world.headers("keeper")).json
    assert closed["arrived_at"] is not None and closed["arrived_by"] == "keeper2"


def test_a_refused_waybill_refuses_the_dispatch_with_it(client, world):
    registers(client, world)
    stock(client, world)
    transfer = draft(client, world, to="TS-01")
    with nothing_changes(db.session):
        refused = dispatch(client, world, transfer, {"plate": "宁B12345", "carrier": "SF"})
        assert_refused(refused, 422, "invalid_input")
    assert client.get(f"/api/v1/transfers/{transfer['id']}",
                      headers=world.headers("keeper")).json["status"] == "draft"


def test_goods_in_transit_are_flagged_when_overdue(client, world):
    registers(client, world)
    shelter_with_keeper(client, world, hours=2)
    stock(client, world, quantity=30)
    late, on_time = draft(client, world, 5), draft(client, world, 6)
    dispatch(client, world, late, WAYBILL, hours_ago=3)
    dispatch(client, world, on_time, {"plate": "宁C00001", "carrier": "SF"}, hours_ago=1)
    loads = client.get("/api/v1/in-transit", headers=world.headers("planner")).json
    assert [(load["reference"], load["overdue"], load["road_hours"]) for load in loads] == [
        (late["number"], True, 2.0), (on_time["number"], False, 2.0)]
    first = loads[0]
    assert (first["waybill"]["plate"], first["goods"], first["to_depot"]) == (
        "宁B12345", [{"item_name": "12平方米单帐篷", "quantity": 5, "unit": "顶"}], "BN-01")
    overdue = client.get("/api/v1/in-transit?overdue=true", headers=world.headers("keeper")).json
    assert [load["reference"] for load in overdue] == [late["number"]]
    # An arrival clears the flag even before the goods are received.
    waybill = client.get(f"/api/v1/transfers/{late['id']}/waybill",
                         headers=world.headers("keeper")).json
    _post(client, world, f"/api/v1/waybills/{waybill['id']}/arrival", {}, "keeper-bn")
    assert client.get("/api/v1/in-transit?overdue=true", headers=world.headers("keeper")).json == []


def test_measured_trip_times_stand_beside_the_travel_table(client, world):
    registers(client, world)
    shelter_with_keeper(client, world, hours=2)
    stock(client, world, quantity=30)
    for hours_ago in (3, 2.5):
        transfer = draft(client, world, 5)
        dispatch(client, world, transfer, WAYBILL, hours_ago=hours_ago)
        waybill = client.get(f"/api/v1/transfers/{transfer['id']}/waybill",
                             headers=world.headers("keeper")).json
        arrived_at = datetime.fromisoformat(waybill["departed_at"]) + timedelta(hours=hours_ago)
        made = _post(client, world, f"/api/v1/waybills/{waybill['id']}/arrival",
                     {"occurred_at": arrived_at.isoformat()}, "keeper-bn")
        assert made.status_code == 200, made.json
    [route] = client.get("/api/v1/trip-times", headers=world.headers("auditor")).json
    assert (route["from_depot"], route["to_depot"], route["table_hours"], route["count"],
            route["median_hours"], route["last_hours"], route["difference"]) == (
        "XZ-01", "BN-01", 2.0, 2, 2.75, 2.5, 0.75)


def test_an_arrival_before_the_departure_is_refused(client, world):
    registers(client, world)
    shelter_with_keeper(client, world)
    stock(client, world)
    transfer = draft(client, world)
    dispatch(client, world, transfer, WAYBILL, hours_ago=1)
    waybill = client.get(f"/api/v1/transfers/{transfer['id']}/waybill",
                         headers=world.headers("keeper")).json
    early = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    with nothing_changes(db.session):
        assert_refused(_post(client, world, f"/api/v1/waybills/{waybill['id']}/arrival",
                             {"occurred_at": early}, "keeper-bn"), 422, "invalid_input")


def test_a_forged_waybill_label_is_refused(client, world):
    registers(client, world)
    forged = payload.sign("waybill", 1, "another installation's secret")
    with nothing_changes(db.session):
        assert_refused(_post(client, world, "/api/v1/waybills/arrivals", {"code": forged},
                             "admin"), 422, "invalid_label")


def test_a_supplier_delivery_gets_a_waybill_and_is_listed_in_transit(client, world):
    registers(client, world)
    deal = client.post("/api/v1/agreements", headers=world.headers("bureau"), json={
        "number": "XY-2026-001", "supplier": "宁夏某帐篷厂", "item": "SH-TENT-12",
        "committed_quantity": 100, "response_hours": 12, "valid_from": "2026-01-01",
        "valid_until": "2030-12-31", "unit_price": 500})
    assert deal.status_code == 201, deal.json
    called = client.post(f"/api/v1/agreements/{deal.json['id']}/call-offs",
                         headers=world.headers("bureau"), json={"quantity": 40, "depot": "TS-01"})
    assert called.status_code == 201, called.json
    url = f"/api/v1/call-offs/{called.json['id']}/waybill"
    assert_refused(_post(client, world, url, WAYBILL, "planner"), 403, "forbidden")
    made = _post(client, world, url, {"plate": "宁D55555", "driver_name": "钱师傅"}, "keeper2")
    assert made.status_code == 201, made.json
    [load] = client.get("/api/v1/in-transit?depot=TS-01", headers=world.headers("bureau")).json
    assert (load["kind"], load["reference"], load["sender"], load["from_depot"]) == (
        "call_off", "XY-2026-001", "宁夏某帐篷厂", None)
    assert load["goods"] == [{"item_name": "12平方米单帐篷", "quantity": 40, "unit": "顶"}]


def test_the_waybill_prints_as_an_a4_pdf(client, world):
    registers(client, world)
    stock(client, world)
    transfer = draft(client, world, to="TS-01")
    dispatch(client, world, transfer, WAYBILL)
    waybill = client.get(f"/api/v1/transfers/{transfer['id']}/waybill",
                         headers=world.headers("keeper")).json
    paper = client.get(waybill["pdf"], headers=world.headers("auditor"))
    assert paper.status_code == 200 and paper.mimetype == "application/pdf"
    assert paper.data.startswith(b"%PDF") and b"/MediaBox [ 0 0 595.2756 841.8898 ]" in paper.data
