"""Rotation work orders on a phone (390 × 844): the keeper opens the scan screen's rotation
tab, scans a lot of the order and sends it to its outlet, once online and once from the
offline queue; every page of the orders fits the phone in Chinese and in English."""

import pytest
from login import log_in
from plan_world import dispatch_input, make_plan_world, solve
from sqlalchemy import select
from test_scan_fits_a_phone import fits, wide_elements
from test_scan_screen import scan

from inventory.db import db
from inventory.labels import payload
from inventory.planorders.models import RotationOrder
from inventory.planorders.services import orders_from_plan
from inventory.stock.models import Movement


@pytest.fixture
def orders(live_world, live_app):
    plan = make_plan_world(db.session, live_world)
    planner = live_world.users["planner"]
    document = dispatch_input(live_world, plan)
    orders_from_plan(db.session, planner, kind="dispatch", plan_input=document,
                     plan_result=solve("dispatch", document), run_id=1)
    soon = plan.lots["W-SOON"]
    made = orders_from_plan(
        db.session, planner, kind="rotation", run_id=2,
        plan_input={"periods": 3, "lots": [{"id": str(soon.id), "item": "FW-WATER-5L",
                                            "quantity": 30, "expires_period": 1}],
                    "items": [{"code": "FW-WATER-5L", "unit_cost": 12,
                               "shelf_life_periods": 24}]},
        plan_result={"status": "optimal", "rotations": [
            {"lot": str(soon.id), "period": 0, "outlet": "县第一中学食堂", "quantity": 20}],
            "purchases": [{"item": "FW-WATER-5L", "period": 1, "quantity": 20,
                           "lot": "new:FW-WATER-5L:1"}]})
    order = db.session.get(RotationOrder, made.rotation_orders[0])
    return plan, order


def rotations_of(lot_id):
    db.session.rollback()  # see what the server wrote
    return db.session.execute(select(Movement.quantity, Movement.reference, Movement.recipient)
                              .where(Movement.lot_id == lot_id,
                                     Movement.kind == "rotation_out")
                              .order_by(Movement.id)).all()


def test_a_keeper_scans_a_rotation_order_out_online_and_offline(phone, live_app, orders):
    plan, order = orders
    lot = plan.lots["W-SOON"]
    label = f"{live_app.config['LIVE_URL']}/q/{payload.sign('lot', lot.id, 'test-label-secret')}"
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "keeper")
    page.goto("/scan/")
    page.select_option("#depot", "XZ-01")
    page.click('.tabs [data-tab="rotation"]')
    row = page.locator(f'#rotation-list tr[data-lot="{lot.id}"]')
    row.wait_for()
    assert order.number in page.inner_text("#rotation-list")
    assert "县第一中学食堂" in row.inner_text()
    assert row.locator("button").is_disabled()  # the lot is scanned before it leaves

    # A lot that is not on the order is refused on the phone.
    scan(page, "T-1")
    page.wait_for_selector("#message.error")
    assert "不在" in page.inner_text("#message")

    scan(page, label)
    page.wait_for_function(f"() => !document.querySelector("
                           f"'#rotation-list tr[data-lot=\"{lot.id}\"] button').disabled")
    row.locator("input").fill("12")
    row.locator("button").click()
    page.wait_for_function("() => document.getElementById('message').classList.contains('ok')")
    assert rotations_of(lot.id) == [(-12, order.number, "县第一中学食堂")]
    page.wait_for_function(f"() => document.querySelector("
                           f"'#rotation-list tr[data-lot=\"{lot.id}\"]').innerText.includes('8')")

    # Offline: the order is still there, the rest waits in the queue and goes out once.
    phone.set_offline(True)
    page.wait_for_function("() => document.getElementById('net').classList.contains('offline')")
    page.click('.tabs [data-tab="queue"]')
    page.click('.tabs [data-tab="rotation"]')
    row.wait_for()
    scan(page, lot.code)
    page.wait_for_function(f"() => !document.querySelector("
                           f"'#rotation-list tr[data-lot=\"{lot.id}\"] button').disabled")
    assert row.locator("input").input_value() == "8"
    row.locator("button").click()
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '1'")
    assert len(rotations_of(lot.id)) == 1
    phone.set_offline(False)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'")
    assert rotations_of(lot.id) == [(-12, order.number, "县第一中学食堂"),
                                    (-8, order.number, "县第一中学食堂")]
    page.click('.tabs [data-tab="queue"]')
    page.click("#queue-send")
    page.evaluate("() => window.scanScreen.flush()")  # resolves once that sending is over
    assert len(rotations_of(lot.id)) == 2
    page.click('.tabs [data-tab="rotation"]')
    page.wait_for_selector("#rotation-list p.muted")  # no open order is left
    assert errors == []


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_orders_pages_fit_a_phone_in_both_languages(phone, live_app, orders, language):
    _, order = orders
    page = phone.new_page()
    log_in(page, "planner")
    page.goto(f"/lang/{language}")
    for path in ("/plan-orders/", "/plan-orders/1", "/plan-orders/2", "/rotation-orders/",
                 f"/rotation-orders/{order.number}", "/production-orders/"):
        page.goto(path)
        assert page.locator("h1").count() == 1
        assert fits(page), (language, path, wide_elements(page))
    keeper = phone.new_page()
    keeper.context.clear_cookies()
    log_in(keeper, "keeper")
    keeper.goto(f"/lang/{language}")
    keeper.goto("/scan/")
    keeper.click('.tabs [data-tab="rotation"]')
    keeper.wait_for_selector("#rotation-list .rotation-order")
    assert fits(keeper), (language, wide_elements(keeper))
    title = {"zh_CN": "轮换出库", "en": "Rotation out"}[language]
    assert keeper.locator("#rotation-list button").first.inner_text() == title
