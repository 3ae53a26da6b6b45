"""Donations and the trace on a phone (390 × 844), on the demo county: the bureau registers a
pledge on the page, the county warehouse's keeper receives it through the pledge's form, and
every donation and trace page fits the screen without sideways scrolling, in both languages."""

import pytest
from login import log_in
from phone_screen import assert_fits
from sqlalchemy import select

from inventory import demo
from inventory.db import db
from inventory.shelters.models import Shelter
from inventory.transfers.models import Transfer


@pytest.fixture
def seeded(demo_copies, live_app):
    demo_copies.load(live_app)
    db.session.commit()
    shelter_lot = db.session.scalar(
        select(Transfer).join(Shelter, Shelter.depot_id == Transfer.to_depot_id)
        .where(Transfer.status == "received")).lines[0].received_lot_id
    return {"shelter_lot": shelter_lot, "shelter": "BN-01-01"}


def test_a_pledge_made_and_received_on_a_phone_and_its_trace(browser, live_app, seeded):
    bureau = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True, locale="zh-CN",
                                 base_url=live_app.config["LIVE_URL"])
    page = log_in(bureau.new_page(), "bureau", demo.PASSWORDS["bureau"])
    page.goto("/donations/")
    assert "宁夏某爱心企业" in page.locator("table.pledges").inner_text()
    assert_fits(page)
    page.locator("details.manage summary", has_text="新建捐赠登记").click()
    assert_fits(page)
    form = page.locator("form[action$='/donations/pledges']")
    form.locator("select[name=donor]").select_option(label="宁夏某爱心企业")
    form.locator("input[name=purpose]").fill("红崖子乡群众过冬")
    form.locator("select[name=item]").first.select_option("SH-QUILT")
    form.locator("input[name=quantity]").first.fill("50")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("table.lines")
    assert "已保存" in page.locator("p.flash").inner_text()
    pledge_url = page.url
    assert_fits(page)
    bureau.close()

    keeper = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True, locale="zh-CN",
                                 base_url=live_app.config["LIVE_URL"])
    page = log_in(keeper.new_page(), "keeper01", demo.PASSWORDS["keeper"])
    page.goto(pledge_url)
    assert_fits(page)
    form = page.locator("form.receive-donation")
    form.locator("select[name=depot]").select_option("XZ-01")
    form.locator("input[name^=quantity-]").fill("50")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("table.receipts")
    assert "已入库" in page.locator("p.flash").inner_text()
    assert "已全部接收" in page.locator("dl.facts").inner_text()
    assert_fits(page)
    page.locator("table.receipts a", has_text="棉被").click()
    page.wait_for_selector("table.steps")
    assert "入库" in page.locator("table.steps").inner_text()
    assert "捐赠来源" in page.content()
    assert_fits(page)
    keeper.close()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_donation_and_trace_pages_fit_a_phone(phone, seeded, language):
    page = log_in(phone.new_page(), "auditor", demo.PASSWORDS["auditor"])
    page.goto(f"/lang/{language}")
    page.goto("/donations/")
    assert_fits(page)
    page.locator("table.pledges a").first.click()
    page.wait_for_selector("table.receipts")
    assert_fits(page)
    page.locator("p.actions a.button").first.click()  # where the donated goods went
    page.wait_for_selector("section.donated-lot")
    assert_fits(page)
    page.goto("/donations/disclosure?from=2000-01-01")
    quilts = {"zh_CN": "棉被", "en": "棉被"}[language]  # item names are data
    assert quilts in page.locator("table.received").inner_text()
    assert_fits(page)
    page.goto(f"/trace/lots/{seeded['shelter_lot']}")
    page.wait_for_selector("table.legs")
    legs = page.locator("table.legs").inner_text()
    assert "YD-" in legs  # the waybill that carried it
    assert_fits(page)
    page.goto(f"/shelters/{seeded['shelter']}")
    page.locator("p.actions a", has_text={"zh_CN": "物资到达与发放",
                                          "en": "Goods arrived and handed out"}[language]).click()
    page.wait_for_selector("table.arrivals")
    assert_fits(page)
