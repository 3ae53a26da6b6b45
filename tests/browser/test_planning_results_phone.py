"""The workbench end to end in a real browser, on the demo county and a phone (390 × 844): the
headline runs its two scenarios; a planner creates a scenario, runs it, reads the plan, turns
it into transfer orders and opens one; the result pages fit the phone in both languages."""

import os
from pathlib import Path

import pytest
from login import log_in
from sqlalchemy import select
from test_scan_fits_a_phone import fits, wide_elements

from inventory import demo
from inventory.auth.models import User
from inventory.db import db
from inventory.planning import services

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def planner_page(demo_copies, phone, live_app):
    demo_copies.load(live_app)
    page = log_in(phone.new_page(), "planner", demo.PASSWORDS["planner"])
    return page


def test_a_planner_runs_a_scenario_reads_the_plan_and_opens_a_transfer_order(planner_page):
    page = planner_page
    page.goto("/planning/")
    page.locator("details.manage summary").click()
    page.fill("input[name=name]", "县城 1200 人 8 小时")
    page.select_option("select[name=target]", label="全县集中安置 1200 人")
    page.fill("input[name=deadline_hours]", "8")
    page.locator("form.planning-form button").click()
    page.wait_for_url("**/planning/scenarios/*")
    # Jobs run where they are queued here: the run has finished by the time its page shows.
    page.locator("form[action$='/runs'] button").click()
    page.wait_for_url("**/planning/runs/*")
    assert page.locator("dd.run-status").inner_text() == "已完成"
    assert page.locator("table.by-site tbody tr").count() == len(demo.SHELTERS)
    assert page.locator("table.by-source tbody tr").count() >= 1
    assert page.locator("svg.flowmap circle.site").count() == len(demo.SHELTERS)
    assert fits(page), wide_elements(page)
    page.locator("form[action$='/orders'] button").click()
    page.wait_for_url("**/plan-orders/*")
    first = page.locator("main table td a[href^='/transfers/']").first
    number = first.inner_text()
    first.click()
    page.wait_for_url(f"**/transfers/{number}")
    assert number in page.locator("h1").inner_text()
    assert fits(page), wide_elements(page)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_headline_and_the_result_pages_fit_a_phone(planner_page, language):
    page = planner_page
    planner = db.session.scalar(select(User).where(User.username == "planner"))
    rotation = services.create_scenario(
        db.session, planner, name="饮用水轮换", kind="rotation", horizon_months=12,
        outlets=[{"name": "学校食堂", "item": "FW-WATER-5L", "capacity_per_month": 100,
                  "value_per_unit": 2.5}])
    rotation_run = services.start_run(db.session, planner, rotation.id)
    page.goto(f"/lang/{language}")
    page.goto("/planning/")
    page.locator("form.headline-run button").click()
    page.wait_for_url("**/planning/")
    figure = page.locator("p.headline-figure b").inner_text()
    assert "1,200" in figure
    assert page.locator("section.headline table.coverage tbody tr").count() >= 1
    assert page.locator("section.headline ul.purchases li").count() >= 1
    assert fits(page), wide_elements(page)
    if os.environ.get("SCREENSHOTS") and language == "zh_CN":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "planning-headline.png"), full_page=True)
    runs = [link.get_attribute("href") for link in
            page.locator("section.headline a[href^='/planning/runs/']").all()]
    assert len(runs) == 2
    runs.append(f"/planning/runs/{rotation_run.id}")
    for path in runs:
        page.goto(path)
        assert page.locator("a[href$='/result.xlsx']").count() == 1
        if path.endswith(f"/{rotation_run.id}"):
            assert page.locator("svg.stockchart polyline.plan").count() >= 1
        assert fits(page), (path, wide_elements(page))
        if os.environ.get("SCREENSHOTS") and language == "zh_CN":
            page.screenshot(path=str(SCREENSHOTS / f"planning-result-{runs.index(path)}.png"),
                            full_page=True)
