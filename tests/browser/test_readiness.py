"""The readiness dashboard in a real browser, on the demo county."""

import os
from pathlib import Path

import pytest
from login import log_in

from inventory import demo

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def desk(demo_copies, browser, live_app):
    """A desktop browser at the bureau (1280 × 900), in Chinese."""
    demo_copies.load(live_app)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  base_url=live_app.config["LIVE_URL"])
    page = log_in(context.new_page(), "bureau", demo.PASSWORDS["bureau"])
    yield page
    context.close()


def test_the_bureau_sees_the_targets_and_drills_down_to_a_depot(desk):
    desk.click("text=保障能力")
    rows = desk.locator("table.readiness tbody tr")
    assert rows.count() == 4  # county (two), township and village targets
    assert [rows.nth(n).locator("td").first.inner_text() for n in range(4)] == [
        "县级", "县级", "乡镇", "村/社区"]
    county = rows.filter(has_text="全县集中安置 1200 人")
    assert county.locator("td.cover-bad, td.cover-warn").count() == 1
    assert "简易厕所" in county.locator("td").nth(7).inner_text()  # toilets fall short
    assert desk.locator("svg.chart rect").count() >= 12
    kits = desk.locator("table.minimums tbody tr").filter(has_text="每处保障 20 人")
    assert "0 / 13" in kits.inner_text()  # no township point holds a full kit yet
    if os.environ.get("SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        desk.screenshot(path=str(SCREENSHOTS / "readiness.png"), full_page=True)
    county.locator("a").click()
    desk.wait_for_selector("table.adequacy")
    water = desk.locator("#item-FW-WATER-5L")
    water.locator("summary").click()
    assert "XY-" in water.inner_text()  # the water agreement counts
    water.locator("a").first.click()
    desk.wait_for_selector("h1")
    assert "储备" in desk.locator("h1").inner_text()


def test_the_bureau_calls_off_an_agreement_on_the_contract_page(desk):
    desk.click("text=协议与产能")
    desk.wait_for_selector("section.agreement")
    water = desk.locator("section.agreement").filter(has_text="宁夏某饮用水有限公司")
    before = water.locator("p").first.inner_text()
    water.locator("input[name=quantity]").last.fill("100")
    water.locator("select[name=depot]").select_option("XZ-01")
    water.locator("form.call-off button").click()
    desk.wait_for_selector(".flash.ok")
    water = desk.locator("section.agreement").filter(has_text="宁夏某饮用水有限公司")
    assert "待到货" in water.inner_text() and water.locator("p").first.inner_text() != before
    if os.environ.get("SCREENSHOTS"):
        desk.screenshot(path=str(SCREENSHOTS / "reserves.png"), full_page=True)
