"""The keeper's scan screen in a real browser: receive, print, scan, issue, offline replay."""

import io
import os
from pathlib import Path

import pypdfium2
import zxingcpp
from login import log_in
from sqlalchemy import select

from inventory.db import db
from inventory.stock.models import Lot, Movement

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def scan(page, code):
    """What a USB or Bluetooth scanner does: type the code, then Enter."""
    page.fill("#scan-code", "")
    page.type("#scan-code", code, delay=2)
    page.keyboard.press("Enter")


def screenshot(page, name):
    if os.environ.get("SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name))


def issue(page, quantity, reason="安置受灾群众"):
    page.click("#lot-actions [data-action=issue]")
    page.fill("#form-issue [name=quantity]", str(quantity))
    page.fill("#form-issue [name=reason]", reason)
    page.click("#form-issue button[type=submit]")


def issues_of(lot_id):
    db.session.rollback()  # end the test's read snapshot; see what the server wrote
    return db.session.scalars(select(Movement.quantity).where(
        Movement.lot_id == lot_id, Movement.kind == "issue").order_by(Movement.id)).all()


def test_receive_print_scan_issue_and_replay_offline(phone, live_world, live_app):
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "keeper")
    page.goto("/scan/")
    page.select_option("#depot", "XZ-01")

    # Receive: find the item by its pinyin initials, give quantity and lot code.
    page.click("[role=tab][data-tab=receive]")
    page.fill("#item-search", "dzp")
    page.click("#item-results button >> text=12平方米单帐篷")
    page.fill("#form-receive [name=quantity]", "40")
    page.fill("#form-receive [name=lot_code]", "PW-2026-01")
    page.fill("#form-receive [name=reference]", "RK-2026-0101")
    page.click("#form-receive button[type=submit]")
    page.wait_for_selector("#lot-card:not([hidden])")
    assert page.inner_text("#lot-quantity") == "40"
    lot = db.session.scalar(select(Lot).where(Lot.code == "PW-2026-01"))
    assert lot is not None and lot.quantity == 40

    # Print its label: the PDF holds one QR code with the lot's signed address.
    href = page.get_attribute("#lot-print", "href")
    pdf = page.request.get(href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    image = pypdfium2.PdfDocument(io.BytesIO(pdf.body()))[0].render(scale=200 / 72).to_pil()
    [label] = [result.text for result in zxingcpp.read_barcodes(image)]
    assert f"/q/L-{lot.id}-" in label

    # Scan it through the keyboard-wedge input and issue part of it.
    page.reload()
    scan(page, label)
    page.wait_for_selector("#lot-card:not([hidden])")
    assert page.inner_text("#lot-code") == "PW-2026-01"
    screenshot(page, "scan-lot.png")
    issue(page, 5)
    page.wait_for_function("() => document.getElementById('lot-quantity').textContent === '35'")
    assert "出库" in page.inner_text("#result-rows")
    assert issues_of(lot.id) == [-5]

    # The client refuses more than is on hand before anything is sent.
    page.click("#lot-actions [data-action=issue]")
    page.fill("#form-issue [name=quantity]", "36")
    page.fill("#form-issue [name=reason]", "测试")
    page.click("#form-issue button[type=submit]")
    assert issues_of(lot.id) == [-5]

    # Offline: two issues wait on the phone, with their keys and device times.
    phone.set_offline(True)
    page.wait_for_function("() => document.getElementById('net').classList.contains('offline')")
    issue(page, 3)
    issue(page, 2)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '2'")
    assert "其中待发送 -5" in page.inner_text("#lot-pending")
    screenshot(page, "scan-offline.png")
    assert issues_of(lot.id) == [-5]

    # Back online: sent once each, in order; nothing doubled.
    phone.set_offline(False)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'")
    page.wait_for_function("() => document.getElementById('lot-quantity').textContent === '30'")
    assert issues_of(lot.id) == [-5, -3, -2]
    db.session.rollback()
    assert db.session.get(Lot, lot.id).quantity == 30
    # A flaky network: the server records an issue but its answer never reaches the phone,
    # which keeps the action and sends it again with the same key; the ledger holds it once.
    lost = []

    def lose_the_answer(route):
        route.fetch()
        lost.append(route.request.headers.get("idempotency-key"))
        route.abort()

    phone.route("**/api/v1/issues", lose_the_answer)
    # The action is queued before it is sent, so the count alone does not show the answer lost.
    with page.expect_event("requestfailed", lambda request: "/api/v1/issues" in request.url):
        issue(page, 1)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '1'")
    assert len(lost) >= 1 and issues_of(lot.id) == [-5, -3, -2, -1]
    phone.unroute("**/api/v1/issues")
    page.click("[role=tab][data-tab=queue]")
    page.click("#queue-send")
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'")
    assert issues_of(lot.id) == [-5, -3, -2, -1]
    assert errors == []


def test_a_refused_queued_action_is_shown_with_its_reason(phone, live_world, live_app):
    from inventory.stock import services

    lot, _ = services.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                              item="FW-BISCUIT", quantity=10, lot_code="RF-1")
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    scan(page, "RF-1")
    page.wait_for_selector("#lot-card:not([hidden])")
    phone.set_offline(True)
    page.wait_for_function("() => document.getElementById('net').classList.contains('offline')")
    issue(page, 8)
    # Meanwhile someone else issues most of the lot.
    services.issue(db.session, live_world.users["admin"], lot=lot.id, quantity=5)
    phone.set_offline(False)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'")
    page.click("[role=tab][data-tab=queue]")
    refused = page.inner_text("#refused-list")
    assert "库存不足" in refused or "不足" in refused
    assert issues_of(lot.id) == [-5]


def test_a_keeper_cannot_act_at_a_depot_not_theirs(phone, live_world, live_app):
    from inventory.stock import services

    services.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                     item="SH-TENT-12", quantity=10, lot_code="OTHER-1")
    page = phone.new_page()
    log_in(page, "keeper2")
    page.goto("/scan/")
    scan(page, "OTHER-1")
    page.wait_for_selector("#lot-card:not([hidden])")
    assert page.is_visible("#lot-readonly")
    assert not page.is_visible("#lot-actions [data-action=issue]")
    # Even a hand-made request from the page is refused by the server.
    status = page.evaluate("""async () => {
        const csrf = document.querySelector('meta[name="csrf-token"]').content;
        const r = await fetch('/api/v1/issues', {method: 'POST', headers: {
            'Content-Type': 'application/json', 'X-CSRFToken': csrf},
            body: JSON.stringify({depot: 'XZ-01', item: 'SH-TENT-12', quantity: 1})});
        return r.status; }""")
    assert status == 403


def test_the_scan_screen_opens_without_a_signal(phone, live_world, live_app):
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null || "
                           "navigator.serviceWorker.ready.then(() => true)")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # now controlled by the service worker, which caches the shell
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.set_offline(True)
    page.reload()
    assert page.is_visible("#scan-code")
    assert page.inner_text("#net") == "离线"
    manifest = phone.request.get("/scan/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/scan/"


def test_a_page_without_a_csrf_token_cannot_use_the_session(phone, live_world, live_app):
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    status = page.evaluate("""async () => (await fetch('/api/v1/issues', {method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({depot: 'XZ-01', item: 'SH-TENT-12', quantity: 1})})).status""")
    assert status == 401


def test_receiving_a_transfer_by_scanning_records_the_discrepancy(phone, live_world, live_app):
    from inventory.labels import payload
    from inventory.stock import services
    from inventory.transfers import services as transfers
    from inventory.transfers.models import Transfer

    source, _ = services.receive(db.session, live_world.users["keeper2"], depot="TS-01",
                                 item="FW-WATER-5L", quantity=50, lot_code="W-IN-1")
    transfer = transfers.create(db.session, live_world.users["bureau"], from_depot="TS-01",
                                to_depot="XZ-01", lines=[{"lot": source.id, "quantity": 20}])
    transfers.dispatch(db.session, live_world.users["keeper2"], transfer.id)
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    page.click("[role=tab][data-tab=incoming]")
    page.wait_for_selector(f"#incoming-list >> text={transfer.number}")
    assert page.get_attribute("#incoming-list h3 a", "href") == f"/transfers/{transfer.number}"
    scan(page, "http://x/q/" + payload.sign("lot", source.id, live_app.config["LABEL_SECRET"]))
    row = page.locator(f'#incoming-list tr[data-lot="{source.id}"]')
    assert "已扫描" in row.inner_text()
    row.locator("input").fill("19")
    page.click("#incoming-list button[type=submit]")
    page.wait_for_selector("#incoming-list >> text=没有待接收的调拨。")
    db.session.rollback()
    received = db.session.get(Transfer, transfer.id)
    assert received.status == "received"
    assert [(line.quantity, line.quantity_received) for line in received.lines] == [(20, 19)]


def test_an_issue_is_undone_by_a_reversal_with_a_reason(phone, live_world, live_app):
    from inventory.stock import services

    lot, _ = services.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                              item="SH-TENT-12", quantity=10, lot_code="REV-1")
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    scan(page, "REV-1")
    page.wait_for_selector("#lot-card:not([hidden])")
    issue(page, 4)
    page.wait_for_function("() => document.getElementById('lot-quantity').textContent === '6'")
    page.once("dialog", lambda dialog: dialog.accept("数量录错"))
    page.click("#result-rows button >> text=冲正")
    page.wait_for_function("() => document.getElementById('lot-quantity').textContent === '10'")
    db.session.rollback()
    reversal = db.session.scalar(select(Movement).where(Movement.lot_id == lot.id,
                                                        Movement.kind == "reversal"))
    assert reversal.quantity == 4 and reversal.reason == "数量录错"


def test_a_stocktake_by_scanning(phone, live_world, live_app):
    from inventory.stock import services
    from inventory.stocktake.models import StocktakeCount

    services.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                     item="SH-TENT-12", quantity=12, lot_code="CNT-1")
    services.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                     item="FW-BISCUIT", quantity=30, lot_code="CNT-2")
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    page.click("[role=tab][data-tab=count]")
    page.click("#count-start")
    page.wait_for_selector("#count-open:not([hidden])")
    assert page.locator("#count-uncounted li").count() == 2
    scan(page, "CNT-1")
    page.wait_for_selector("#form-count:not([hidden])")
    page.fill("#form-count [name=counted]", "11")
    page.click("#form-count button[type=submit]")
    page.click("[role=tab][data-tab=count]")
    page.wait_for_selector("#count-counted tr >> text=-1")
    assert page.locator("#count-uncounted li").count() == 1
    screenshot(page, "scan-stocktake.png")
    db.session.rollback()
    [row] = db.session.scalars(select(StocktakeCount)).all()
    assert (row.expected, row.counted) == (12, 11)


def test_a_look_up_answered_late_does_not_undo_the_stocktake_just_started(
        phone, live_world, live_app):
    from inventory.stock import services

    services.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                     item="SH-TENT-12", quantity=12, lot_code="CNT-LATE")
    page = phone.new_page()
    log_in(page, "keeper")
    held, holding = [], [True]

    def late(route):
        """Answer a look-up of the open stocktake as the server saw it then (none open), but
        only after the keeper has started one, as on a slow network."""
        if holding[0]:
            held.append((route, route.fetch()))
        else:
            route.continue_()

    page.route("**/api/v1/stocktakes?*", late)
    page.goto("/scan/")
    page.click("[role=tab][data-tab=count]")
    page.click("#count-start")
    page.wait_for_selector("#count-open:not([hidden])")
    assert held, "the look-ups were held"
    holding[0] = False
    for route, answer in held:
        route.fulfill(response=answer)
    page.wait_for_load_state("networkidle")
    assert page.locator("#count-open").is_visible()
    scan(page, "CNT-LATE")
    page.wait_for_selector("#form-count:not([hidden])")


def test_of_two_labels_scanned_in_quick_succession_the_last_is_shown_whatever_answers_first(
        phone, live_world, live_app):
    from inventory.stock import services

    for code in ("FIRST-1", "SECOND-1"):
        services.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                         item="SH-TENT-12", quantity=5, lot_code=code)
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    held = []

    def slow_first(route):
        """The first label's answer comes only after the second label's."""
        held.append((route, route.fetch()))

    page.route("**/api/v1/scan?code=FIRST-1", slow_first)
    scan(page, "FIRST-1")
    scan(page, "SECOND-1")
    page.wait_for_function(
        "() => document.getElementById('lot-code').textContent === 'SECOND-1'")
    assert held, "the first answer was held"
    for route, answer in held:
        route.fulfill(response=answer)
    page.wait_for_load_state("networkidle")
    assert page.locator("#lot-code").inner_text() == "SECOND-1"


def test_a_transfer_out_from_the_scan_screen_puts_goods_in_transit(phone, live_world, live_app):
    from inventory.stock import services
    from inventory.transfers.models import Transfer

    lot, _ = services.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                              item="SH-TENT-12", quantity=30, lot_code="OUT-1")
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    scan(page, "OUT-1")
    page.wait_for_selector("#lot-card:not([hidden])")
    page.click("#lot-actions [data-action=transfer]")
    page.select_option("#form-transfer [name=to_depot]", "TS-01")
    page.fill("#form-transfer [name=quantity]", "12")
    page.fill("#form-transfer [name=reason]", "汛前预置")
    page.click("#form-transfer button[type=submit]")
    page.wait_for_function("() => document.getElementById('lot-quantity').textContent === '18'")
    db.session.rollback()
    [transfer] = db.session.scalars(select(Transfer)).all()
    assert (transfer.status, transfer.from_depot.code, transfer.to_depot.code) == (
        "dispatched", "XZ-01", "TS-01")
    assert [(line.lot_id, line.quantity) for line in transfer.lines] == [(lot.id, 12)]
