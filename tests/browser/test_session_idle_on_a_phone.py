"""A phone whose session ended while it waited for a signal keeps its queued actions: the
replay's 401 refuses nothing, the screen asks to log in again, and after logging in the
queue is sent once."""

from datetime import date, timedelta

import pytest
from distribution_helpers import add_norm, id_number
from factories import PASSWORD
from login import log_in
from test_distribution_phone import distribute, queue_count_is, recorded
from test_scan_screen import issue, issues_of, scan

from inventory.auth import idle
from inventory.db import db, utcnow
from inventory.stock import services as stock


@pytest.fixture
def idle_for(monkeypatch):
    """Move the server's session clock on, as if the phone sat idle that many minutes."""
    def move(minutes):
        later = utcnow() + timedelta(minutes=minutes)
        monkeypatch.setattr(idle, "utcnow", lambda: later)
    return move


def log_in_again(page, landing):
    page.click("#relogin a")
    page.wait_for_url("**/login**")
    page.fill("input[name=username]", "keeper")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{landing}")


def test_the_scan_screen_keeps_its_queue_when_the_session_idled_out(
        phone, live_world, live_app, idle_for):
    lot, _ = stock.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                           item="FW-BISCUIT", quantity=10, lot_code="IDLE-1")
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    scan(page, "IDLE-1")
    page.wait_for_selector("#lot-card:not([hidden])")
    phone.set_offline(True)
    page.wait_for_function("() => document.getElementById('net').classList.contains('offline')")
    issue(page, 3)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '1'")

    idle_for(31)
    phone.set_offline(False)
    page.wait_for_selector("#relogin:not([hidden])")
    assert page.inner_text("#queue-count") == "1"
    page.click("[role=tab][data-tab=queue]")
    assert page.inner_text("#refused-list") == ""
    assert issues_of(lot.id) == []

    log_in_again(page, "/scan/")
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'")
    assert not page.is_visible("#relogin")
    assert issues_of(lot.id) == [-3]


def test_the_distribution_screen_keeps_its_queue_when_the_session_idled_out(
        phone, live_world, live_app, idle_for):
    stock.receive(db.session, live_world.users["keeper"], depot="XZ-01", item="FW-WATER-5L",
                  quantity=40, lot_code="W-IDLE", expires_on=date.today() + timedelta(days=200))
    add_norm(db.session, live_world.items["FW-WATER-5L"])
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/distributions/new")
    phone.set_offline(True)
    page.wait_for_function("() => document.getElementById('net').classList.contains('offline')")
    distribute(page, "钱二", id_number(12))
    queue_count_is(page, 1)

    idle_for(31)
    phone.set_offline(False)
    page.wait_for_selector("#relogin:not([hidden])")
    assert page.inner_text("#queue-count") == "1"
    assert page.inner_text("#refused-list") == ""
    assert recorded() == []

    log_in_again(page, "/distributions/new")
    queue_count_is(page, 0)
    assert recorded() == ["钱二"]
