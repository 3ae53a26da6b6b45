"""The transfer pages on a phone (390 × 844) in a real browser: order a transfer with the lots
proposed first-expiry-first-out, send it, open its transfer order; nothing scrolls sideways."""

import io
import re
from datetime import timedelta

import pytest
from login import log_in
from phone_screen import fits
from pypdf import PdfReader
from sqlalchemy import select

from inventory import clock
from inventory.db import db
from inventory.stock import services as stock
from inventory.transfers import services as transfers
from inventory.transfers.models import Transfer


@pytest.fixture
def lots(live_world):
    keeper = live_world.users["keeper"]
    made = {}
    for code, quantity, days in [("W-LATE-2026-0815", 40, 700), ("W-EARLY-2026-0301", 6, 60)]:
        made[code], _ = stock.receive(
            db.session, keeper, depot="XZ-01", item="FW-WATER-5L", quantity=quantity,
            lot_code=code, expires_on=clock.today() + timedelta(days=days),
            reference="CG-2026-001", unit_cost=4.5)
    return made


def test_a_keeper_orders_a_transfer_sends_it_and_opens_its_order(phone, live_world, lots):
    page = phone.new_page()
    log_in(page, "keeper")
    page.click("header nav >> text=调拨")
    page.click("text=新建调拨单")
    page.select_option("select[name=to_depot]", "TS-01")
    page.fill("input[name=reason]", "汛前预置")
    page.locator("select[name=item]").first.select_option("FW-WATER-5L")
    page.locator("input[name=quantity]").first.fill("10")
    page.click("button[value=propose]")
    early = lots["W-EARLY-2026-0301"].id
    late = lots["W-LATE-2026-0815"].id
    # First to expire first: all 6 of the early lot, then 4 of the late one.
    assert page.input_value(f"input[name=lot-{early}]") == "6"
    assert page.input_value(f"input[name=lot-{late}]") == "4"
    assert fits(page)
    page.fill(f"input[name=lot-{late}]", "5")  # the officer changes the proposal
    page.click("button[value=save]")
    page.wait_for_selector(".flash.ok")
    number = page.locator("h1 small").inner_text()
    assert re.fullmatch(r"DB-\d{4}-\d{5}", number)
    assert "合计发出 11" in page.content()

    page.click("button[name=dispatch]")
    page.wait_for_selector("text=已发出：物资在途。")
    assert page.locator("table.ledger tbody tr").count() == 2
    assert fits(page)

    with page.expect_popup() as opened:
        page.click("text=打印调拨单（A4）")
    assert opened.value.url.endswith(f"/transfers/{number}.pdf")
    response = phone.request.get(f"/transfers/{number}.pdf")  # the session's cookies
    assert response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    flat = re.sub(r"\s+", "", text)  # a long lot code wraps in its cell
    assert number in text and "W-EARLY-2026-0301" in flat and "凤城镇储备点（TS-01）" in text

    db.session.rollback()  # see what the server wrote
    transfer = db.session.scalar(select(Transfer).where(Transfer.number == number))
    assert transfer.status == "dispatched"
    assert sorted((line.lot_id, line.quantity) for line in transfer.lines) == sorted(
        [(early, 6), (late, 5)])


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_list_detail_and_form_fit_a_phone(phone, live_world, live_app, lots, language):
    late = lots["W-LATE-2026-0815"]
    order = transfers.create(db.session, live_world.users["bureau"], from_depot="XZ-01",
                             to_depot="VL-01", lines=[{"lot": late.id, "quantity": 12}],
                             reason="村级储备点补充：防汛沙袋与饮用水（第二批）",
                             reference="平应急〔2026〕第 118 号")
    transfers.dispatch(db.session, live_world.users["keeper"], order.id)
    transfers.receive(db.session, live_world.users["admin"], order.id,
                      lines=[{"lot": late.id, "quantity": 10}])
    page = phone.new_page()
    log_in(page, "admin")
    page.goto(f"/lang/{language}")
    for path in ["/transfers/", f"/transfers/{order.number}", "/transfers/new"]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language.replace("_", "-")
        assert fits(page), path
    page.goto("/transfers/new")
    page.locator("select[name=item]").first.select_option("FW-WATER-5L")
    page.locator("input[name=quantity]").first.fill("3")
    page.select_option("select[name=from_depot]", "XZ-01")
    page.select_option("select[name=to_depot]", "TS-01")
    page.click("button[value=propose]")
    page.wait_for_selector("table.offers")
    assert fits(page)
