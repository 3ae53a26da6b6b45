"""The transport pages: the registers and the bureau's forms, a transfer dispatched with its
waybill from its page, the waybill's page and its arrival, goods in transit, trip times; and
the demo county's fleet, waybills and transport agreement."""

from datetime import UTC, datetime, timedelta

import pytest
from checks import nothing_changes
from crawl import DEMO_USERS, logged_in
from factories import PASSWORD
from sqlalchemy import select

from inventory.db import db
from inventory.stock import services as stock
from inventory.transfers import services as transfers
from inventory.transport import services, waybills
from inventory.transport.models import Carrier, TransportAgreement, Vehicle, Waybill

ROLES = ["admin", "bureau", "keeper", "keeper2", "planner", "auditor"]
PAGES = ["/transport/", "/transport/in-transit", "/transport/trips"]


def _login(client, username):
    client.post("/login", data={"username": username, "password": PASSWORD})
    return client


@pytest.fixture
def fleet(world):
    bureau = world.users["bureau"]
    services.create_carrier(db.session, bureau, code="YJJ", name="县应急管理局", kind="bureau")
    services.create_vehicle(db.session, bureau, plate="宁B12345", carrier="YJJ",
                            vehicle_type="厢式货车", payload_kg=2000, volume_m3=16,
                            depot="XZ-01", driver_name="张师傅", driver_phone="13900000002")
    db.session.commit()


@pytest.fixture
def on_the_road(world, fleet):
    """A transfer XZ-01 → TS-01 dispatched three hours ago with its waybill."""
    keeper = world.users["keeper"]
    stock.receive(db.session, keeper, depot="XZ-01", item="SH-TENT-12", quantity=10,
                  lot_code="T1", occurred_at=datetime.now(UTC) - timedelta(days=1))
    transfer = transfers.create(db.session, keeper, from_depot="XZ-01", to_depot="TS-01",
                                lines=[{"item": "SH-TENT-12", "quantity": 4}])
    transfers.dispatch(db.session, keeper, transfer.id,
                       occurred_at=datetime.now(UTC) - timedelta(hours=3))
    waybill = waybills.record_for_transfer(db.session, keeper, transfer.id, plate="宁B12345",
                                           seal_number="QF-1")
    db.session.commit()
    return transfer.number, waybill.id


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_transport_pages(client, world, on_the_road, role):
    _login(client, role)
    for path in PAGES + [f"/transport/waybills/{on_the_road[1]}"]:
        page = client.get(path)
        assert page.status_code == 200, path
    assert "宁B12345" in client.get("/transport/in-transit").text


def test_the_pages_need_a_login(client, world):
    for path in PAGES:
        assert client.get(path).status_code in (302, 401)


def test_the_bureau_registers_carriers_vehicles_and_agreements_from_the_forms(client, world):
    _login(client, "bureau")
    page = client.get("/transport/")
    assert "登记承运单位" in page.text
    made = client.post("/transport/carriers", data={"code": "SF", "name": "顺丰速运",
                                                     "kind": "logistics"},
                       follow_redirects=True)
    assert "承运单位已登记" in made.text
    made = client.post("/transport/vehicles", data={
        "plate": "宁B 66666", "carrier": "SF", "vehicle_type": "厢式货车", "payload_kg": "3000",
        "volume_m3": "20", "depot": "XZ-01"}, follow_redirects=True)
    assert "车辆已登记" in made.text and "宁B66666" in made.text
    made = client.post("/transport/agreements", data={
        "number": "YL-01", "carrier": "SF", "vehicle_type": "9.6 米厢式", "vehicles": "3",
        "payload_kg": "10000", "volume_m3": "55", "response_hours": "4", "depot": "XZ-01",
        "unit_price": "1800", "price_unit": "trip", "valid_from": "2026-01-01",
        "valid_until": "2030-12-31"}, follow_redirects=True)
    assert "运力协议已保存" in made.text and "YL-01" in made.text
    agreement = db.session.scalar(select(TransportAgreement))
    assert (agreement.vehicles, float(agreement.payload_kg), agreement.depot.code) == (
        3, 10000.0, "XZ-01")
    off = client.post("/transport/vehicles/宁B66666/active", data={}, follow_redirects=True)
    assert "车辆已更新" in off.text
    assert db.session.scalar(select(Vehicle.active).where(Vehicle.plate == "宁B66666")) is False


@pytest.mark.parametrize("role", ["keeper", "planner", "auditor"])
def test_readers_see_no_register_forms_and_their_posts_change_nothing(client, world, fleet,
                                                                      role):
    _login(client, role)
    assert "登记承运单位" not in client.get("/transport/").text
    with nothing_changes(db.session):
        refused = client.post("/transport/carriers", data={"code": "SF", "name": "顺丰",
                                                            "kind": "logistics"},
                              follow_redirects=True)
        assert "无权" in refused.text
        client.post("/transport/vehicles/宁B12345/active", data={})
    assert db.session.scalar(select(Carrier.id).where(Carrier.code == "SF")) is None


def test_a_bad_form_says_why_and_changes_nothing(client, world, fleet):
    _login(client, "bureau")
    with nothing_changes(db.session):
        page = client.post("/transport/vehicles", data={
            "plate": "宁B12345", "carrier": "YJJ", "vehicle_type": "皮卡", "payload_kg": "abc",
            "volume_m3": "3"}, follow_redirects=True)
    assert page.status_code == 200 and "载重须为数字" in page.text


def test_the_keeper_dispatches_with_a_waybill_from_the_transfer_page(client, world, fleet):
    keeper = world.users["keeper"]
    stock.receive(db.session, keeper, depot="XZ-01", item="SH-TENT-12", quantity=10,
                  lot_code="T1", occurred_at=datetime.now(UTC) - timedelta(days=1))
    transfer = transfers.create(db.session, keeper, from_depot="XZ-01", to_depot="TS-01",
                                lines=[{"item": "SH-TENT-12", "quantity": 4}])
    db.session.commit()
    _login(client, "keeper")
    page = client.get(f"/transfers/{transfer.number}")
    assert "车辆与运单（可选）" in page.text and 'list="transport-plates"' in page.text
    sent = client.post(f"/transfers/{transfer.number}/dispatch", data={
        "plate": "宁B12345", "seal_number": "QF-7"}, follow_redirects=True)
    assert sent.status_code == 200 and "已发出" in sent.text
    waybill = db.session.scalar(select(Waybill))
    assert (waybill.plate, waybill.seal_number, waybill.driver_name) == (
        "宁B12345", "QF-7", "张师傅")
    assert waybill.number in sent.text


def test_a_waybill_is_added_after_the_dispatch_from_the_transfer_page(client, world, fleet):
    keeper = world.users["keeper"]
    stock.receive(db.session, keeper, depot="XZ-01", item="SH-TENT-12", quantity=10,
                  lot_code="T1", occurred_at=datetime.now(UTC) - timedelta(days=1))
    transfer = transfers.create(db.session, keeper, from_depot="XZ-01", to_depot="TS-01",
                                lines=[{"item": "SH-TENT-12", "quantity": 4}])
    transfers.dispatch(db.session, keeper, transfer.id)
    db.session.commit()
    _login(client, "keeper")
    assert "登记运单" in client.get(f"/transfers/{transfer.number}").text
    made = client.post(f"/transport/transfers/{transfer.number}/waybill",
                       data={"plate": "京A88888", "driver_name": "赵师傅"},
                       follow_redirects=True)
    assert "运单已登记" in made.text and "京A88888" in made.text


def test_the_receiving_keeper_records_the_arrival_on_the_waybill_page(client, world,
                                                                      on_the_road):
    number, waybill_id = on_the_road
    _login(client, "keeper")
    button = f'action="/transport/waybills/{waybill_id}/arrival"'
    assert button not in client.get(f"/transport/waybills/{waybill_id}").text
    client.post("/logout")
    _login(client, "keeper2")
    page = client.get(f"/transport/waybills/{waybill_id}")
    assert button in page.text and "QF-1" in page.text
    done = client.post(f"/transport/waybills/{waybill_id}/arrival", follow_redirects=True)
    assert "已登记到达" in done.text
    trips = client.get("/transport/trips").text
    assert "凤城镇储备点" in trips


def test_overdue_loads_are_flagged_on_the_in_transit_page(client, world, on_the_road):
    _login(client, "bureau")
    page = client.get("/transport/in-transit").text
    # XZ-01 and TS-01 have no coordinates and no recorded road: the arrival is unknown.
    assert "行驶时间未知" in page and "超时未到" not in page
    services_bureau = world.users["bureau"]
    from inventory.readiness import services as readiness

    readiness.set_travel_time(db.session, services_bureau, depot="XZ-01", area="140522100",
                             hours=1.5)
    db.session.commit()
    page = client.get("/transport/in-transit").text
    assert "超时未到" in page and "1 车超时未到" in page


def test_the_waybill_prints_from_its_page(client, world, on_the_road):
    _login(client, "auditor")
    paper = client.get(f"/transport/waybills/{on_the_road[1]}.pdf")
    assert paper.status_code == 200 and paper.data.startswith(b"%PDF")


def test_a_phone_camera_opens_the_waybill_from_its_qr_code(client, world, on_the_road):
    from inventory.transport.scanning import label_url

    _login(client, "keeper2")
    with client.application.test_request_context():
        url = label_url(db.session.get(Waybill, on_the_road[1]))
    opened = client.get("/q/" + url.rsplit("/q/", 1)[1])
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/transport/waybills/{on_the_road[1]}")


def test_the_demo_county_has_a_fleet_waybills_and_a_transport_agreement(demo_app):
    client = logged_in(demo_app, *DEMO_USERS["bureau"])
    registers = client.get("/transport/").text
    for words in ("顺丰速运", "京东物流", "宁B·E1101".replace("·", ""), "YL-"):
        assert words in registers, words
    in_transit = client.get("/transport/in-transit").text
    assert "入冬前物资预置" not in in_transit  # the reason is on the transfer, not the list
    assert "宁BE1101" in in_transit
    trips = client.get("/transport/trips").text
    assert "县城综合应急避难场所" in trips or "BN-01-01" in trips
    travel = client.get("/reserves/").text
    assert "按路线查看实测行程时间" in travel
