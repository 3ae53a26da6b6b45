"""The scenario forms, scenarios side by side and the outlets register on a phone (390 × 844),
in Chinese and in English, on the demo county: no sideways scrolling; a planner spreads a
target, edits a shelter's people, saves, copies, changes the copy and compares the two, and
saves a rotation with an outlet from the register."""

import os
from pathlib import Path

import pytest
from login import log_in
from phone_screen import fits, wide_elements
from sqlalchemy import select

from inventory import demo
from inventory.db import db
from inventory.outlets.models import Outlet
from inventory.planning.models import Scenario
from inventory.readiness.models import Target

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def planner_phone(demo_copies, phone, live_app):
    demo_copies.load(live_app)
    page = log_in(phone.new_page(), "planner", demo.PASSWORDS["planner"])
    return page


def _newest() -> Scenario:
    db.session.rollback()  # end the read, to see what the server committed since
    return db.session.scalar(select(Scenario).order_by(Scenario.id.desc()))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_scenario_forms_fit_a_phone_and_save_in_both_languages(planner_phone, language):
    page = planner_phone
    page.goto(f"/lang/{language}")
    target = db.session.scalar(select(Target).where(Target.people == 1200).order_by(Target.id))
    page.goto("/planning/new/dispatch")
    assert fits(page), wide_elements(page)
    page.fill("input[name=name]", "全县 1200 人（手机）")
    page.select_option("select[name=target]", str(target.id))
    page.click("button[value=spread]")
    page.wait_for_load_state()
    assert page.locator("div.row.site").count() == len(demo.SHELTERS) + 1  # and a blank row
    assert fits(page), wide_elements(page)
    if os.environ.get("SCREENSHOTS") and language == "zh_CN":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "planning-form.png"), full_page=True)
    page.fill("input[name=site-0-people]", "10")
    page.click("button[value=save]")
    page.wait_for_url("**/planning/scenarios/*")
    first = _newest()
    assert first.sites[0]["people"] == 10 and first.target_id is None
    page.click("form[action$='/copy'] button")
    page.wait_for_url("**/planning/scenarios/*")
    page.goto(f"/planning/scenarios/{_newest().id}/edit")
    assert fits(page), wide_elements(page)
    page.fill("input[name=deadline_hours]", "6")
    page.click("button[value=save]")
    page.wait_for_url("**/planning/scenarios/*")
    copy = _newest()
    assert (float(copy.deadline_hours), copy.version) == (6.0, 2)
    page.goto(f"/planning/compare?ids={first.id}&ids={copy.id}")
    assert page.locator("table.compare th.differs").count() >= 1
    assert fits(page), wide_elements(page)
    if os.environ.get("SCREENSHOTS") and language == "zh_CN":
        page.screenshot(path=str(SCREENSHOTS / "planning-compare.png"), full_page=True)
    page.goto("/planning/new/preposition")
    assert fits(page), wide_elements(page)
    page.goto("/planning/new/rotation")
    assert fits(page), wide_elements(page)
    if os.environ.get("SCREENSHOTS") and language == "zh_CN":
        page.screenshot(path=str(SCREENSHOTS / "planning-rotation-form.png"), full_page=True)
    canteen = db.session.scalar(select(Outlet).order_by(Outlet.id))
    page.fill("input[name=name]", "明年轮换（手机）")
    page.check(f"input[name=outlets][value='{canteen.id}']")
    page.click("button[value=save]")
    page.wait_for_url("**/planning/scenarios/*")
    assert _newest().parameters["outlets"] == [canteen.as_scenario_outlet()]
    for path in ("/outlets/", f"/outlets/{canteen.id}", "/planning/"):
        page.goto(path)
        page.locator("details.manage summary").first.click() if path == "/outlets/" else None
        assert fits(page), (path, wide_elements(page))
