"""The scan screen on a phone (390 × 844): no sideways scrolling in either language, a compact
header, the keeper's own depot first, forms only for those who may move stock, quantity
mistakes in the app's own words, a label opened by the phone's camera, and a stocktake that
asks before leaving lots uncounted."""

import pytest
from factories import make_depot
from login import log_in
from phone_screen import fits, wide_elements
from test_scan_screen import scan

from inventory.db import db
from inventory.geo.models import Area
from inventory.labels import payload
from inventory.stock import services
from inventory.stocktake import services as stocktakes

TABS = ("lot", "receive", "incoming", "count", "queue")


@pytest.fixture
def lot(live_world):
    lot, _ = services.receive(db.session, live_world.users["keeper"], depot="XZ-01",
                              item="SH-TENT-12", quantity=40, lot_code="T-PHONE-2026-0001",
                              reference="RK-2026-0001")
    return lot


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_tab_fits_a_phone_in_both_languages(phone, live_world, lot, language):
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto(f"/scan/?lang={language}")
    page.select_option("#depot", "XZ-01")
    scan(page, lot.code)
    page.wait_for_selector("#lot-card:not([hidden])")
    issue = page.locator("#lot-actions [data-action=issue]")
    issue.click()
    page.fill("#form-issue [name=quantity]", "1")
    page.fill("#form-issue [name=reason]", "演练")
    page.click("#form-issue button[type=submit]")
    page.wait_for_selector("#result:not([hidden])")  # the ledger rows, with a Reversal button
    reversal = page.locator("#result-rows button").first.bounding_box()
    card = page.locator("#result").bounding_box()
    assert reversal["x"] + reversal["width"] <= card["x"] + card["width"]
    for tab in TABS:
        page.click(f'.tabs [data-tab="{tab}"]')
        assert fits(page), (language, tab, wide_elements(page))
    header = page.locator("header.top").bounding_box()
    assert header["height"] < 80, "the header takes more than two lines"


@pytest.mark.parametrize("username", ["planner", "auditor"])
def test_roles_that_cannot_move_stock_are_not_offered_the_stock_forms(phone, live_world,
                                                                     username):
    page = phone.new_page()
    log_in(page, username)
    page.goto("/scan/")
    for tab in ("receive", "incoming", "count"):
        assert page.locator(f'.tabs [data-tab="{tab}"]').count() == 0
    assert page.locator("#form-receive").count() == 0
    assert page.locator("#count-start").count() == 0
    assert page.locator('.tabs [data-tab="lot"]').is_visible()


def test_a_keepers_default_depot_is_their_own_not_the_hosted_one(phone, live_world):
    county = db.session.get(Area, live_world.depots["XZ-01"].area_id)
    hosted = make_depot(db.session, "DC-01", county, name="粮油集团代储点", kind="enterprise")
    live_world.users["keeper"].depots.append(hosted)
    db.session.commit()
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    assert page.input_value("#depot") == "XZ-01"


def test_a_quantity_mistake_is_explained_in_the_apps_words(phone, live_world, lot):
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    scan(page, lot.code)
    page.wait_for_selector("#lot-card:not([hidden])")
    page.click("#lot-actions [data-action=issue]")
    page.fill("#form-issue [name=quantity]", "41")
    page.fill("#form-issue [name=reason]", "演练")
    page.click("#form-issue button[type=submit]")
    error = page.locator("#form-issue .field-error")
    error.wait_for()
    assert "数量超过在库数量" in error.inner_text() and "40" in error.inner_text()
    assert page.evaluate("document.querySelector('#form-issue').noValidate")
    page.fill("#form-issue [name=quantity]", "")
    page.click("#form-issue button[type=submit]")
    assert "请填写数量" in page.locator("#form-issue .field-error").inner_text()


ANDROID = ("Mozilla/5.0 (Linux; Android 14; HUAWEI nova 12) AppleWebKit/537.36 "
           "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36")


@pytest.fixture
def android(browser, live_app):
    """A phone that says it is one, as the camera app's browser does."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, user_agent=ANDROID, locale="zh-CN",
                                  base_url=live_app.config["LIVE_URL"])
    yield context
    context.close()


def test_a_label_opened_by_a_phones_camera_lands_on_the_scan_screen(android, phone, live_world,
                                                                    live_app, lot):
    code = payload.sign("lot", lot.id, live_app.config["LABEL_SECRET"])
    desktop = phone.new_page()  # no phone in its user agent: the lot's own page
    log_in(desktop, "keeper")
    desktop.goto(f"/q/{code}")
    assert f"/lots/{lot.id}" in desktop.url
    page = android.new_page()
    log_in(page, "keeper")
    page.goto(f"/q/{code}")
    page.wait_for_selector("#lot-card:not([hidden])")
    assert "/scan/" in page.url
    assert page.inner_text("#lot-code") == lot.code


def test_submitting_a_stocktake_with_uncounted_lots_asks_first(phone, live_world, lot):
    keeper = live_world.users["keeper"]
    for code in ("B-1", "B-2"):
        services.receive(db.session, keeper, depot="XZ-01", item="FW-BISCUIT", quantity=10,
                         lot_code=code)
    count = stocktakes.start(db.session, keeper, depot="XZ-01")
    stocktakes.count(db.session, keeper, count.id, lot=lot.id, counted=40)
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/scan/")
    page.select_option("#depot", "XZ-01")
    page.click('.tabs [data-tab="count"]')
    page.wait_for_selector("#count-open:not([hidden])")
    page.click("#count-submit")
    warning = page.locator("#count-confirm")
    warning.wait_for()
    assert "2 个批次未盘点" in warning.inner_text() and "账面数量" in warning.inner_text()
    assert page.inner_text("#count-status") != ""  # still counting: nothing was submitted
    page.click("#count-confirm-cancel")
    assert warning.is_hidden()
    page.click("#count-submit")
    page.click("#count-confirm-submit")
    page.wait_for_selector("#count-submit", state="hidden")
