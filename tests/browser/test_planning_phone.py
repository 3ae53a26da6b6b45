"""The workbench pages on a phone (390 × 844), in Chinese and in English, on the demo county:
no sideways scrolling; the planner runs a scenario from its page and reads the run."""

import os
from pathlib import Path

import pytest
from login import log_in
from phone_screen import fits, wide_elements
from sqlalchemy import select

from inventory import demo
from inventory.auth.models import User
from inventory.db import db
from inventory.planning import services
from inventory.readiness.models import Target

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def planner_phone(demo_copies, phone, live_app):
    demo_copies.load(live_app)
    planner = db.session.scalar(select(User).where(User.username == "planner"))
    target = db.session.scalar(select(Target).where(Target.people == 1200)
                               .order_by(Target.id))
    scenario = services.create_scenario(db.session, planner, name="全县集中安置 1200 人",
                                        kind="dispatch", target=target.id)
    page = log_in(phone.new_page(), "planner", demo.PASSWORDS["planner"])
    return page, scenario.id


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_planning_pages_fit_a_phone_in_both_languages(planner_phone, language):
    page, scenario_id = planner_phone
    page.goto(f"/lang/{language}")
    page.goto("/planning/")
    assert page.locator("h1").inner_text() == {"zh_CN": "规划方案",
                                               "en": "Planning scenarios"}[language]
    page.locator("details.manage summary").click()  # the form to start from a target
    assert fits(page), wide_elements(page)
    page.goto(f"/planning/scenarios/{scenario_id}")
    assert page.locator("table.sites tbody tr").count() == len(demo.SHELTERS)
    assert fits(page), wide_elements(page)
    # Jobs run where they are queued here: the run has finished by the time its page shows.
    page.locator("form[action$='/runs'] button").click()
    page.wait_for_url("**/planning/runs/*")
    assert page.locator("dd.run-status").inner_text() == {"zh_CN": "已完成",
                                                          "en": "Finished"}[language]
    assert page.locator("table.result").count() >= 1
    assert fits(page), wide_elements(page)
    if os.environ.get("SCREENSHOTS") and language == "zh_CN":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "planning-run.png"), full_page=True)
    page.goto(f"/planning/scenarios/{scenario_id}")
    assert page.locator("table.runs tbody tr").count() == 1
    assert fits(page), wide_elements(page)
