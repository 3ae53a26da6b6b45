"""The depot edit page and the lot page's quarantine form on a phone (390 × 844), in Chinese
and in English, without sideways scrolling."""

from decimal import Decimal

from login import log_in
from phone_screen import fits

from inventory.audit import events_for
from inventory.db import db
from inventory.geo.models import Depot
from inventory.stock import services


def switch_language(page):
    """Follow the header's link to the other language; it returns to the same page."""
    with page.expect_navigation():
        page.click("header a.lang")


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_the_bureau_sets_a_depots_handling_time_on_a_phone(phone, live_world, live_app):
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "bureau")
    page.goto("/depots/XZ-01")
    submit(page, "text=编辑储备库信息")
    assert page.url.endswith("/depots/XZ-01/edit") and fits(page)
    assert page.input_value("input[name=handling_hours]") == "1"

    # The browser itself stops a figure beyond three days; the server says why as well.
    page.fill("input[name=handling_hours]", "80")
    assert not page.evaluate("document.querySelector('[name=handling_hours]').checkValidity()")
    page.evaluate("document.querySelector('form.depot-edit').noValidate = true")
    submit(page, "form.depot-edit button[type=submit]")
    assert "须在 0 至 72 之间" in page.inner_text("form.depot-edit") and fits(page)
    switch_language(page)
    assert "Handling time (hours)" in page.inner_text("form.depot-edit")
    assert fits(page)
    switch_language(page)

    page.fill("input[name=handling_hours]", "2.5")
    submit(page, "form.depot-edit button[type=submit]")
    assert page.url.endswith("/depots/XZ-01")
    assert "储备库信息已保存" in page.inner_text(".flash.ok")
    assert "装车出库 2.5 小时" in page.inner_text("main")
    db.session.rollback()  # see what the server wrote
    assert db.session.query(Depot).filter_by(code="XZ-01").one().handling_hours == Decimal("2.5")

    page.goto("/depots/XZ-01/edit")
    assert "1 → 2.5" in page.inner_text("ul.history") and fits(page)
    switch_language(page)
    assert "Change history" in page.inner_text("main") and fits(page)
    assert errors == []


def test_a_keeper_quarantines_then_releases_a_lot_on_a_phone(phone, live_world, live_app):
    keeper = live_world.users["keeper"]
    lot, _ = services.receive(db.session, keeper, depot="XZ-01", item="FW-WATER-5L",
                              quantity=120, lot_code="W-2026-0315-A", reference="RK-2026-0042")
    services.issue(db.session, keeper, lot=lot.id, quantity=20, reason="防汛演练",
                   recipient="城关镇人民政府")
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto(f"/lots/{lot.id}")
    assert fits(page)

    page.fill("section.lot-status input[name=reason]", "外包装破损，待质检")
    submit(page, "section.lot-status button[type=submit]")
    assert "批次已封存待检" in page.inner_text(".flash.ok")
    assert page.inner_text("dl.facts .status") == "待检/封存"
    assert "外包装破损，待质检" in page.inner_text("main") and fits(page)

    page.fill("section.lot-status input[name=reason]", "质检合格")
    submit(page, "section.lot-status button[type=submit]")
    assert "恢复可用" in page.inner_text(".flash.ok")
    assert page.inner_text("dl.facts .status") == "可用"
    changes = page.locator("h2:has-text('状态变更') + table tbody tr")
    assert changes.count() == 2
    assert "可用 → 待检/封存" in changes.nth(0).inner_text()
    assert "质检合格" in changes.nth(1).inner_text() and "keeper" in changes.nth(1).inner_text()
    assert fits(page)

    switch_language(page)
    assert "Status changes" in page.inner_text("main") and "Quarantine" in page.inner_text("main")
    assert fits(page)

    db.session.rollback()
    assert [(e.actor.username, e.data["to"], e.data["reason"])
            for e in events_for(db.session, "lot", lot.id)] == [
        ("keeper", "quarantined", "外包装破损，待质检"), ("keeper", "available", "质检合格")]
