"""The distribution screen on a phone: a household signs on the screen, a village without
signal queues distributions and replays each exactly once, a lost answer is sent again
without doubling, and a repeat within the ration's duration waits for the keeper's word."""

from datetime import date, timedelta

from distribution_helpers import add_norm, id_number
from login import log_in
from phone_screen import fits, wide_elements
from sqlalchemy import func, select
from test_scan_screen import screenshot

from inventory.db import db
from inventory.distribution.models import Distribution
from inventory.stock import services as stock
from inventory.stock.models import Lot, Movement

URL = "/api/v1/distributions"


def distribute(page, name, id_number="", quantity=2):
    page.fill("#form-distribute [name=name]", name)
    page.fill("#form-distribute [name=household_size]", "3")
    page.fill("#form-distribute [name=id_number]", id_number)
    page.select_option("#lines .line [name=item]", "FW-WATER-5L")
    page.fill("#lines .line [name=quantity]", str(quantity))
    box = page.locator("#signature").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 150, box["y"] + 90, steps=6)
    page.mouse.move(box["x"] + 250, box["y"] + 40, steps=6)
    page.mouse.up()
    page.click("#distribute")


def recorded():
    db.session.rollback()  # see what the server committed
    return db.session.scalars(select(Distribution.recipient_name)
                              .order_by(Distribution.id)).all()


def queue_count_is(page, n):
    page.wait_for_function(
        f"() => document.getElementById('queue-count').textContent === '{n}'")


def test_distributions_made_offline_replay_exactly_once(phone, live_world, live_app):
    lot, _ = stock.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                           item="FW-WATER-5L", quantity=40, lot_code="W-1",
                           expires_on=date.today() + timedelta(days=200))
    add_norm(db.session, live_world.items["FW-WATER-5L"])
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "keeper")
    page.goto("/distributions/new")
    assert fits(page), wide_elements(page)

    distribute(page, "赵一", id_number(11))
    page.wait_for_selector("#done-list li")
    assert recorded() == ["赵一"]
    assert "FF-" in page.inner_text("#message")

    # No signal: two households are served and wait on the phone.
    phone.set_offline(True)
    page.wait_for_function("() => document.getElementById('net').classList.contains('offline')")
    distribute(page, "钱二", id_number(12))
    distribute(page, "孙三", id_number(13))
    queue_count_is(page, 2)
    assert "待联网" in page.inner_text("#message")
    assert id_number(12)[:4] + "*" * 10 in page.inner_text("#queue-list")
    assert id_number(12) not in page.inner_text("#distribution-app")
    screenshot(page, "distribution-offline.png")
    assert recorded() == ["赵一"]

    # Signal again: each is sent once, in order.
    phone.set_offline(False)
    queue_count_is(page, 0)
    assert recorded() == ["赵一", "钱二", "孙三"]

    # The server records a distribution but its answer never reaches the phone: the phone
    # keeps it and sends it again with the same key; the server holds it once.
    lost = []

    def lose_the_answer(route):
        route.fetch()
        lost.append(route.request.headers.get("idempotency-key"))
        route.abort()

    phone.route(f"**{URL}", lose_the_answer)
    with page.expect_event("requestfailed", lambda request: URL in request.url):
        distribute(page, "李四", id_number(14))
    queue_count_is(page, 1)
    assert len(lost) >= 1 and recorded() == ["赵一", "钱二", "孙三", "李四"]
    phone.unroute(f"**{URL}")
    page.click("#queue-send")
    queue_count_is(page, 0)
    assert recorded() == ["赵一", "钱二", "孙三", "李四"]

    # The same household again within the ration's duration: refused until confirmed.
    distribute(page, "赵一", id_number(11), quantity=1)
    page.wait_for_selector("#refused-list li")
    assert "已领取" in page.inner_text("#refused-list")
    assert recorded() == ["赵一", "钱二", "孙三", "李四"]
    page.click("#refused-list button:has-text('确认再次发放')")
    page.wait_for_function("() => document.querySelectorAll('#refused-list li').length === 0")
    queue_count_is(page, 0)
    assert recorded() == ["赵一", "钱二", "孙三", "李四", "赵一"]

    db.session.rollback()
    assert db.session.get(Lot, lot.id).quantity == 40 - 4 * 2 - 1
    assert db.session.scalar(select(func.count()).select_from(Movement).where(
        Movement.kind == "issue")) == 5
    stored = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert not any(id_number(n) in stored for n in (11, 12, 13, 14))
    assert errors == []


def test_the_distribution_screen_opens_without_a_signal(phone, live_world, live_app):
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/distributions/new")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # now controlled by the service worker, which caches the screen
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.set_offline(True)
    page.reload()
    assert page.is_visible("#form-distribute")
    assert page.inner_text("#net") == "离线"


def test_a_photo_of_the_signed_paper_list_confirms_instead_of_a_signature(
        phone, live_world, live_app):
    from distribution_helpers import jpeg_bytes

    stock.receive(db.session, live_world.users["keeper"], depot="XZ-01", item="FW-WATER-5L",
                  quantity=10, lot_code="W-1")
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/distributions/new")
    page.fill("#form-distribute [name=name]", "周五")
    page.select_option("#lines .line [name=item]", "FW-WATER-5L")
    page.click("#distribute")
    assert "签名" in page.inner_text("#message") and recorded() == []
    page.set_input_files("#photo", files=[{"name": "list.jpg", "mimeType": "image/jpeg",
                                           "buffer": jpeg_bytes()}])
    page.click("#distribute")
    page.wait_for_selector("#done-list li")
    db.session.rollback()
    record = db.session.scalar(select(Distribution))
    assert record.recipient_name == "周五" and record.confirmation_kind == "photo"
    assert record.confirmation.mime == "image/jpeg"
