"""The report pages on a phone (390 × 844) in Chinese and in English, on the demo county: no
sideways scrolling, and an auditor narrows the stock summary with the filter form."""

import os
from pathlib import Path

import pytest
from login import log_in
from test_scan_fits_a_phone import fits, wide_elements

from inventory import demo

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TEXT = {
    "zh_CN": {"title": "物资进销存报表", "balanced": "数量和金额全部相符", "township": "乡镇",
              "on_hand": "时点库存报表", "settlements": "协议储备结算报表"},
    "en": {"title": "Stock summary", "balanced": "in quantities and values alike",
           "township": "Township", "on_hand": "Stock on hand at a moment",
           "settlements": "Contract reserve settlements"},
}


@pytest.fixture
def auditor_phone(demo_copies, phone, live_app):
    demo_copies.load(live_app)
    page = log_in(phone.new_page(), "auditor", demo.PASSWORDS["auditor"])
    return page


def assert_fits(page) -> None:
    assert fits(page), (page.url, wide_elements(page))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_report_pages_fit_a_phone_in_both_languages(auditor_phone, language):
    page, text = auditor_phone, TEXT[language]
    page.goto(f"/lang/{language}")
    page.goto("/reports/")
    assert_fits(page)
    page.click(f"text={text['title']}")
    page.wait_for_selector("table.report")
    assert page.locator("h1").inner_text() == text["title"]
    assert text["balanced"] in page.locator("p.flash.ok").inner_text()
    assert_fits(page)
    if os.environ.get("SCREENSHOTS") and language == "zh_CN":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "stock-summary.png"))
    # Narrow it to the township points' food and water, with the form.
    page.select_option("select[name=tier]", "township")
    page.select_option("select[name=category]", "食品饮水")
    page.click("form.report-filter button")
    page.wait_for_url("**tier=township**")
    assert [h.inner_text() for h in page.locator("section.report-tier h2").all()] == [
        text["township"]]
    assert set(page.locator("table.report caption").all_inner_texts()) == {"食品饮水"}
    assert "tier=township" in page.locator("a.button").first.get_attribute("href")
    assert_fits(page)
    page.goto("/reports/")
    page.click(f"text={text['on_hand']}")
    page.wait_for_selector("table.report")
    assert_fits(page)
    page.goto("/reports/")
    page.click(f"text={text['settlements']}")
    page.wait_for_selector("table.settlements")
    assert "XY-" in page.locator("table.settlements").inner_text()
    assert_fits(page)
