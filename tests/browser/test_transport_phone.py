"""The transport pages on a phone (390 × 844), in Chinese and in English, on the demo county:
no sideways scrolling; the keeper scans the waybill of the load on its way to his township and
the arrival is recorded."""

import pytest
from login import log_in
from phone_screen import assert_fits
from sqlalchemy import select

from inventory import demo
from inventory.db import db
from inventory.labels import service as labels
from inventory.transport.models import Waybill
from inventory.transport.scanning import label_url


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_transport_pages_fit_a_phone_in_both_languages(demo_copies, phone, live_app, language):
    demo_copies.load(live_app)
    page = log_in(phone.new_page(), "bureau", demo.PASSWORDS["bureau"])
    page.goto(f"/lang/{language}")
    for path in ("/transport/in-transit", "/transport/trips", "/transport/"):
        page.goto(path)
        assert_fits(page)
    for summary in page.locator("details.manage summary").all():
        summary.click()
    assert_fits(page)
    page.goto("/transport/in-transit")
    page.locator("table.in-transit a[href*='/transport/waybills/']").first.click()
    page.wait_for_url("**/transport/waybills/*")
    assert_fits(page)


def test_the_keeper_scans_the_waybill_and_its_arrival_is_recorded(demo_copies, phone, live_app):
    demo_copies.load(live_app)
    waybill = db.session.scalar(select(Waybill).where(Waybill.arrived_at.is_(None)))
    with live_app.test_request_context(base_url=live_app.config["LIVE_URL"]):
        code = label_url(waybill)
    keeper = f"keeper-t{waybill.to_depot.code[3:]}"
    page = log_in(phone.new_page(), keeper, demo.PASSWORDS["keeper"])
    page.goto("/scan/")
    page.fill("#scan-code", code)
    page.press("#scan-code", "Enter")
    page.wait_for_selector("#message:has-text('已登记到达')")
    assert_fits(page)
    db.session.rollback()  # read what the server committed
    assert db.session.get(Waybill, waybill.id).arrived_at is not None


def test_the_first_lot_ticked_on_the_incoming_tab_records_the_loads_arrival(
        demo_copies, phone, live_app):
    demo_copies.load(live_app)
    waybill = db.session.scalar(select(Waybill).where(Waybill.arrived_at.is_(None)))
    lot_id = waybill.transfer.lines[0].lot_id
    with live_app.test_request_context(base_url=live_app.config["LIVE_URL"]):
        code = labels.label_url("lot", lot_id)
    keeper = f"keeper-t{waybill.to_depot.code[3:]}"
    page = log_in(phone.new_page(), keeper, demo.PASSWORDS["keeper"])
    page.goto("/scan/")
    page.select_option("#depot", waybill.to_depot.code)
    with page.expect_response("**/api/v1/in-transit*"):
        page.click("[data-tab=incoming]")
    page.wait_for_selector(f"#incoming-list tr[data-lot='{lot_id}']")
    page.fill("#scan-code", code)
    page.press("#scan-code", "Enter")
    page.wait_for_selector("#message:has-text('已登记到达')")
    assert "✓" in page.locator(f"#incoming-list tr[data-lot='{lot_id}'] .scan-mark").inner_text()
    db.session.rollback()  # read what the server committed
    assert db.session.get(Waybill, waybill.id).arrived_at is not None
