"""The keeper's part of the chain on a phone (390 × 844), on the demo county: the receiving
keeper types the waybill's number on the scan screen to record the load's arrival, confirms
the receipt on the incoming tab, hands some of the goods to a household on the distribution
screen, and the lot's trace page then shows that distribution by number and household code,
naming no one; the bureau then finds the household by its ID number on the recipient
trace."""

from distribution_helpers import id_number
from login import log_in
from sqlalchemy import func, select
from test_distribution_phone import recorded
from test_scan_fits_a_phone import fits, wide_elements
from test_scan_screen import scan, screenshot

from inventory import demo
from inventory.db import db
from inventory.distribution.models import Distribution
from inventory.stock.models import Lot
from inventory.transfers.models import Transfer
from inventory.transport.models import Waybill

ID = id_number(808)


def _sign(page) -> None:
    box = page.locator("#signature").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 150, box["y"] + 90, steps=6)
    page.mouse.move(box["x"] + 250, box["y"] + 40, steps=6)
    page.mouse.up()


def test_the_keeper_records_the_arrival_hands_out_and_the_lot_trace_shows_it(
        demo_copies, phone, live_app):
    demo_copies.load(live_app)
    waybill = db.session.scalar(select(Waybill).where(Waybill.arrived_at.is_(None)))
    transfer_id, depot = waybill.transfer_id, waybill.to_depot
    line = waybill.transfer.lines[-1]
    item = line.item.code
    # Hand out one more than the depot held before, so the goods that arrive are among them
    # whichever lot expires first.
    held = db.session.scalar(select(func.coalesce(func.sum(Lot.quantity), 0)).where(
        Lot.depot_id == depot.id, Lot.item_id == line.item_id))
    assert held + 1 <= held + line.quantity
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, f"keeper-t{depot.code[3:]}", demo.PASSWORDS["keeper"])

    # The load arrives: the keeper types the waybill's number, then confirms the receipt.
    page.goto("/scan/")
    page.select_option("#depot", depot.code)
    scan(page, waybill.number)
    page.wait_for_selector("#message:has-text('已登记到达')")
    with page.expect_response("**/api/v1/transfers?*"):
        page.click("[data-tab=incoming]")
    form = page.locator(f"form.incoming[data-transfer='{transfer_id}']")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#message:has-text('已接收')")
    assert fits(page), wide_elements(page)
    db.session.rollback()  # read what the server committed
    transfer = db.session.get(Transfer, transfer_id)
    assert transfer.status == "received"
    assert db.session.get(Waybill, waybill.id).arrived_at is not None
    received_lot = next(x.received_lot_id for x in transfer.lines if x.item.code == item)

    # A household is served on the distribution screen.
    page.goto("/distributions/new")
    assert fits(page), wide_elements(page)
    page.select_option("#depot", depot.code)
    page.fill("#form-distribute [name=name]", "白玉兰")
    page.fill("#form-distribute [name=household_size]", "4")
    page.fill("#form-distribute [name=id_number]", ID)
    page.select_option("#lines .line [name=item]", item)
    page.fill("#lines .line [name=quantity]", str(held + 1))
    _sign(page)
    page.click("#distribute")
    page.wait_for_selector("#done-list li")
    assert recorded()[-1] == "白玉兰"
    record = db.session.scalar(select(Distribution).order_by(Distribution.id.desc()))
    assert received_lot in {x.lot_id for x in record.lines}

    # The lot's trace shows the arrival's waybill and the distribution, and names no one.
    page.goto(f"/trace/lots/{received_lot}")
    assert fits(page), wide_elements(page)
    assert waybill.number in page.inner_text("table.legs")
    section = page.inner_text("table.trace-section.distributions")
    assert record.number in section and record.household_code in section
    body = page.inner_text("body")
    assert "白玉兰" not in body and ID[:4] + "*" not in body and ID not in body
    screenshot(page, "trace-with-distribution.png")
    page.click(f"table.trace-section.distributions a:has-text('{record.number}')")
    page.wait_for_url(f"**/distributions/{record.id}")

    # The bureau looks the household up by its ID number, in both languages.
    phone.clear_cookies()
    log_in(page, "bureau", demo.PASSWORDS["bureau"])
    for language, heading in (("zh_CN", "领取人追溯"), ("en", "Recipient trace")):
        page.goto(f"/lang/{language}")
        page.goto("/distributions/")
        page.click(f"a:has-text('{heading}')")
        page.fill("form.recipient-lookup [name=id_number]", ID)
        page.click("form.recipient-lookup button[type=submit]")
        page.wait_for_selector("section.recipient-result")
        assert fits(page), wide_elements(page)
        result = page.inner_text("section.recipient-result")
        assert ID[:4] + "*" * 10 + ID[-4:] in result and record.number in result
        assert ID not in page.content() and "/distributions/recipients" in page.url
        screenshot(page, f"recipient-trace-{language}.png")
    page.click(f"section.recipient-result a[href='/trace/lots/{received_lot}']")
    page.wait_for_url(f"**/trace/lots/{received_lot}")
    assert errors == []
