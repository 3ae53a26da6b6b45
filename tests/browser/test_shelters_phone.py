"""The shelter pages on a phone (390 × 844), in Chinese and in English, on the demo county:
no sideways scrolling, and the bureau registers a shelter and records road hours there."""

import os
from pathlib import Path

import pytest
from login import log_in
from phone_screen import assert_fits

from inventory import demo

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def bureau_phone(demo_copies, phone, live_app):
    demo_copies.load(live_app)
    page = log_in(phone.new_page(), "bureau", demo.PASSWORDS["bureau"])
    return page


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_shelter_pages_fit_a_phone_in_both_languages(bureau_phone, language):
    page = bureau_phone
    page.goto(f"/lang/{language}")
    page.goto("/shelters/")
    rows = page.locator("table.shelters tbody tr")
    assert rows.count() == len(demo.SHELTERS)
    heading = {"zh_CN": "应急避难场所", "en": "Emergency shelters"}[language]
    assert page.locator("h1").inner_text() == heading
    assert_fits(page)
    page.locator("details.manage summary").click()  # the registration form, opened
    assert_fits(page)
    if os.environ.get("SCREENSHOTS") and language == "zh_CN":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "shelters.png"), full_page=True)
    rows.filter(has_text="平罗县县城综合应急避难场所").locator("a").click()
    page.wait_for_selector("table.routes")
    assert "BN-01-01" in page.locator("h1").inner_text()
    supplies = page.locator("table.supplies").inner_text()
    assert "100" in supplies and "60" in supplies  # the first-night store
    assert_fits(page)
    page.locator("details.manage summary").click()
    assert_fits(page)
    page.goto("/readiness/")
    # The county's shelters beside its targets.
    assert "3,550" in page.locator("p.shelters").inner_text()
    if language == "zh_CN":  # the English dashboard's targets table is wider than a phone
        assert_fits(page)


def test_the_bureau_registers_a_shelter_and_records_road_hours_on_a_phone(bureau_phone):
    page = bureau_phone
    page.goto("/shelters/")
    page.locator("details.manage summary").click()
    form = page.locator("form.shelter-form")
    form.locator("input[name=code]").fill("BN-04-01")
    form.locator("input[name=name]").fill("头闸镇中心小学操场")
    form.locator("select[name=shelter_class]").select_option("III")
    form.locator("input[name=capacity_people]").fill("280")
    form.locator("select[name=area]").select_option(label="头闸镇")
    form.locator("input[name=latitude]").fill("38.982")
    form.locator("input[name=longitude]").fill("106.503")
    form.locator("button").click()
    page.wait_for_selector(".flash.ok")
    assert "BN-04-01" in page.locator("h1").inner_text()
    assert "按坐标估算" in page.locator("table.routes").inner_text()
    page.locator("form.travel select[name=depot]").select_option("XZ-01")
    page.locator("form.travel input[name=hours]").fill("0.6")
    page.locator("form.travel button").click()
    page.wait_for_selector(".flash.ok")
    warehouse = page.locator("table.routes tr").filter(has_text="平罗县救灾物资储备库")
    assert "0.6" in warehouse.inner_text() and "手工录入" in warehouse.inner_text()
    assert_fits(page)
