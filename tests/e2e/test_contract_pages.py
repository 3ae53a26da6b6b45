"""The pages for contract and capacity reserves: the bureau calls off and settles, the depot's
keeper receives; wrong input is refused with a message and changes nothing."""

import io
from datetime import timedelta

import pytest
from factories import PASSWORD
from openpyxl import load_workbook
from sqlalchemy import select

from inventory import clock
from inventory.contracts import services as contracts
from inventory.contracts.models import CallOff
from inventory.db import db
from inventory.stock.models import Lot


def log_in(client, username):
    client.get("/logout")
    client.post("/login", data={"username": username, "password": PASSWORD})


@pytest.fixture
def reserves(app, world):
    today = clock.today()
    agreement = contracts.create_agreement(
        db.session, world.users["bureau"], number="XY-2026-001", supplier="宁夏某饮用水有限公司",
        item="FW-WATER-5L", committed_quantity=300, response_hours=4, unit_price=4.5,
        valid_from=today - timedelta(days=30), valid_until=today + timedelta(days=300))
    contracts.create_capacity(
        db.session, world.users["bureau"], enterprise="凤城桶装水厂", item="FW-WATER-5L",
        rate_per_hour=400, ramp_hours=3, max_quantity=5000, area="140522100",
        valid_from=today, valid_until=today + timedelta(days=365))
    return agreement.id


def test_the_bureau_calls_off_the_keeper_receives_and_the_bureau_settles(client, world, reserves):
    log_in(client, "bureau")
    page = client.get("/reserves/").get_data(as_text=True)
    assert "XY-2026-001" in page and "尚可调用 300" in page and "凤城桶装水厂" in page
    done = client.post(f"/reserves/agreements/{reserves}/call-off",
                       data={"quantity": "100", "depot": "XZ-01", "reason": "汛期"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已调用" in done and "尚可调用 200" in done
    assert "到货入库" not in done  # the bureau does not receive goods
    [call_off] = db.session.scalars(select(CallOff)).all()

    log_in(client, "keeper2")  # keeper of TS-01: not this delivery
    assert "到货入库" not in client.get("/reserves/").get_data(as_text=True)
    log_in(client, "keeper")  # keeper of XZ-01
    assert "到货入库" in client.get("/reserves/").get_data(as_text=True)
    refused = client.post(f"/reserves/call-offs/{call_off.id}/receive",
                          data={"quantity": "九十"}, follow_redirects=True)
    assert "整数" in refused.get_data(as_text=True)
    assert db.session.scalars(select(Lot).where(Lot.source == "contract")).all() == []
    client.post(f"/reserves/call-offs/{call_off.id}/receive",
                data={"quantity": "90", "lot_code": "W-XY-1", "expires_on": ""})
    [lot] = db.session.scalars(select(Lot).where(Lot.source == "contract")).all()
    assert (lot.code, lot.quantity) == ("W-XY-1", 90)

    log_in(client, "bureau")
    settled = client.post(f"/reserves/call-offs/{call_off.id}/settle",
                          data={"reference": "JS-1"}, follow_redirects=True)
    assert "已按招标价结算" in settled.get_data(as_text=True)
    db.session.expire_all()
    assert float(db.session.get(CallOff, call_off.id).settled_amount) == 405.0


def test_a_keeper_cannot_call_off_and_nothing_is_called(client, world, reserves):
    log_in(client, "keeper")
    page = client.post(f"/reserves/agreements/{reserves}/call-off",
                       data={"quantity": "10", "depot": "XZ-01"}, follow_redirects=True)
    assert "权" in page.get_data(as_text=True)
    assert db.session.scalars(select(CallOff)).all() == []


def test_the_bureau_edits_a_travel_time_on_the_page(client, world, reserves):
    log_in(client, "bureau")
    client.post("/reserves/travel-times", data={"depot": "XZ-01", "area": "140522100",
                                                "hours": "2.5"})
    page = client.get("/reserves/").get_data(as_text=True)
    assert "县级救灾物资储备库" in page and "2.5" in page and "手工录入" in page
    bad = client.post("/reserves/travel-times", data={"depot": "XZ-01", "area": "140522100",
                                                      "hours": "两小时"}, follow_redirects=True)
    assert "1.5" in bad.get_data(as_text=True)  # the message shows the expected form


def test_the_reserves_workbook_holds_each_table(client, world, reserves):
    contracts.call_off(db.session, world.users["bureau"], agreement_id=reserves, quantity=50,
                      depot="XZ-01")
    log_in(client, "auditor")
    response = client.get("/reserves/reserves.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["协议储备", "调用记录", "产能储备", "行驶时间"]
    [agreement] = list(book["协议储备"].iter_rows(min_row=2, values_only=True))
    assert agreement[:2] == ("XY-2026-001", "宁夏某饮用水有限公司") and agreement[7:9] == (300, 250)
    [called] = list(book["调用记录"].iter_rows(min_row=2, values_only=True))
    assert called[3:6] == (50, "XZ-01", "待到货")


def test_the_page_speaks_english(client, world, reserves):
    log_in(client, "bureau")
    client.get("/lang/en")
    page = client.get("/reserves/").get_data(as_text=True)
    assert "Contract reserves" in page and "Production capacity" in page
    assert "Call off" in page and "Travel times" in page


def test_the_depot_page_shows_a_delivery_called_off_to_it_as_not_on_the_shelf(client, world,
                                                                              reserves):
    contracts.call_off(db.session, world.users["bureau"], agreement_id=reserves, quantity=50,
                      depot="XZ-01")
    log_in(client, "keeper")
    page = client.get("/depots/XZ-01").get_data(as_text=True)
    assert "待到货的协议调用" in page and "不在库" in page and "XY-2026-001" in page
    assert "待到货的协议调用" not in client.get("/depots/TS-01").get_data(as_text=True)
