"""The scenario forms on the pages: a planner creates, edits and copies a scenario of each
kind with plain forms (spread from a target, then edited; cases; outlets chosen from the
register); a refused form is shown again as typed, in Chinese, and changes nothing; only
planners, the bureau and admins reach the forms; scenarios side by side."""

import json
import re

import pytest
from checks import nothing_changes
from crawl import logged_in
from factories import PASSWORD
from sqlalchemy import func, select
from test_api_planning import county, scenario_body  # noqa: F401 - the fixture
from test_every_page_speaks_one_language import ENGLISH_SENTENCE, HAN, _readable
from test_planning_pages import _data_values

from inventory.db import db
from inventory.outlets import services as outlets
from inventory.planning import form_pages, queries
from inventory.planning.models import Run, Scenario

ROLES = ["admin", "bureau", "keeper", "planner", "auditor"]
WRITERS = {"admin", "bureau", "planner"}


def _newest() -> Scenario:
    db.session.expire_all()
    return db.session.scalar(select(Scenario).order_by(Scenario.id.desc()))


def _count() -> int:
    return db.session.scalar(select(func.count(Scenario.id)))


def _dispatch_form(county, **changes):  # noqa: F811 - the fixture's value
    form = {"name": "城关镇暴雨", "date": county["day"].isoformat(), "deadline_hours": "8",
            "season": "all", "target": "", "modes": ["physical", "contract", "capacity"],
            "action": "save"}
    return {**form, **changes}


def test_a_planner_spreads_a_target_edits_the_sites_and_saves_a_dispatch(app, world, county):  # noqa: F811
    client = logged_in(app, "planner", PASSWORD)
    assert client.get("/planning/new/dispatch").status_code == 200
    spread = client.post("/planning/new/dispatch", data=_dispatch_form(
        county, target=str(county["target"]), deadline_hours="", action="spread"))
    page = spread.get_data(as_text=True)
    assert spread.status_code == 200 and _count() == 0
    nothing = client.post("/planning/new/dispatch", data=_dispatch_form(county, action="spread"))
    assert nothing.status_code == 422 and "请选择保障目标" in nothing.get_data(as_text=True)
    assert ('name="site-0-people" type="number" min="1" step="1" inputmode="numeric" '
            'value="400"') in page
    assert 'value="BN-02" selected' in page and 'value="10"' in page  # the target's deadline
    assert f'name="spread_from" value="{county["target"]}"' in page
    edited = client.post("/planning/new/dispatch", data=_dispatch_form(
        county, target=str(county["target"]), spread_from=str(county["target"]), **{
            "site-0-shelter": "BN-01", "site-0-people": "300", "site-0-priority": "2",
            "site-1-shelter": "BN-02", "site-1-people": "100", "site-1-remove": "1",
            "site-2-shelter": "", "site-2-people": "",
            "modes": ["physical"], "excluded_depots": ["TS-01"],
            "pair-0-depot": "XZ-01", "pair-0-shelter": "BN-01"}))
    assert edited.status_code == 302, edited.get_data(as_text=True)[:2000]
    made = _newest()
    assert edited.location.endswith(f"/planning/scenarios/{made.id}")
    assert (made.kind, made.name, float(made.deadline_hours), made.target_id) == (
        "dispatch", "城关镇暴雨", 8.0, None)
    assert made.sites == [{"shelter": "BN-01", "people": 300, "priority": 2.0}]
    assert (made.modes, made.excluded_depots, made.excluded_pairs) == (
        ["physical"], ["TS-01"], [{"depot": "XZ-01", "shelter": "BN-01"}])


def test_sites_left_as_spread_keep_their_target(app, world, county):  # noqa: F811
    client = logged_in(app, "planner", PASSWORD)
    saved = client.post("/planning/new/dispatch", data=_dispatch_form(
        county, target=str(county["target"]), spread_from=str(county["target"]), **{
            "site-0-shelter": "BN-01", "site-0-people": "400", "site-0-priority": "1",
            "site-1-shelter": "BN-02", "site-1-people": "100", "site-1-priority": "1"}))
    assert saved.status_code == 302
    made = _newest()
    assert made.target_id == county["target"] and sum(s["people"] for s in made.sites) == 500


def test_a_target_chosen_after_the_sites_were_listed_spreads_anew(app, world, county):  # noqa: F811
    client = logged_in(app, "planner", PASSWORD)
    saved = client.post("/planning/new/dispatch", data=_dispatch_form(
        county, target=str(county["target"]), spread_from="", **{
            "site-0-shelter": "BN-01", "site-0-people": "7"}))
    assert saved.status_code == 302
    made = _newest()
    assert made.target_id == county["target"] and sum(s["people"] for s in made.sites) == 500


@pytest.mark.parametrize("changes, says, field", [
    ({"deadline_hours": "八小时"}, "时限：须为数字", "deadline_hours"),
    ({"deadline_hours": "-3"}, "时限", "deadline_hours"),
    ({"name": ""}, "方案名称", "name"),
    ({"site-0-shelter": "BN-01", "site-0-people": "很多"}, "安置点：须为整数", "sites"),
    ({"site-0-shelter": "BN-99", "site-0-people": "10"}, "没有这些避难场所：BN-99", "sites"),
    ({"site-0-shelter": "BN-01", "site-0-people": "10", "modes": []}, "储备方式", "modes"),
    ({"site-0-shelter": "BN-01", "site-0-people": "10", "pair-0-depot": "XZ-01"},
     "中断路线", "excluded_pairs"),
    ({}, "请至少列出一处避难场所", "sites"),
])
def test_a_refused_new_scenario_is_shown_again_as_typed_and_saves_nothing(
        app, world, county, changes, says, field):  # noqa: F811
    client = logged_in(app, "planner", PASSWORD)
    with nothing_changes(db.session):
        refused = client.post("/planning/new/dispatch", data=_dispatch_form(county, **changes))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and says in page, page[:3000]
    assert 'class="flash error"' in page
    for name, value in changes.items():
        if isinstance(value, str) and value and name != "name":
            assert f'value="{value}"' in page, (name, value)


@pytest.fixture
def dispatch(client, world, county):  # noqa: F811
    """A dispatch scenario from the target, run once."""
    made = client.post("/api/v1/scenarios", headers=world.headers("planner"),
                       json=scenario_body(county)).json
    client.post(f"/api/v1/scenarios/{made['id']}/runs", headers=world.headers("planner"))
    return made["id"]


def _edit_form(client, scenario_id) -> dict:
    """The edit form's fields as the page fills them (what a browser would send back)."""
    page = client.get(f"/planning/scenarios/{scenario_id}/edit").get_data(as_text=True)
    form: dict = {"action": "save"}
    for tag in re.findall(r"<(?:input|textarea|select)[^>]*>(?:[^<]*</textarea>)?", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        name = name.group(1)
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                form.setdefault(name, []).append(re.search(r'value="([^"]*)"', tag).group(1))
            continue
        if tag.startswith("<select"):
            continue
        if tag.startswith("<textarea"):
            form[name] = re.search(r">([^<]*)</textarea>", tag).group(1)
            continue
        value = re.search(r'value="([^"]*)"', tag)
        form[name] = value.group(1) if value else ""
    for select_name, body in re.findall(r'<select name="([^"]+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        form[select_name] = chosen.group(1) if chosen else ""
    return form


def test_an_edit_raises_the_version_and_makes_the_runs_stale(app, world, dispatch):
    client = logged_in(app, "planner", PASSWORD)
    form = _edit_form(client, dispatch)
    assert form["target"] and form["site-0-people"] == "400" and form["deadline_hours"] == "10"
    unchanged = client.post(f"/planning/scenarios/{dispatch}/edit", data=form)
    assert unchanged.status_code == 302 and _newest().version == 1  # nothing changed
    form["deadline_hours"], form["site-1-people"] = "6", "150"
    changed = client.post(f"/planning/scenarios/{dispatch}/edit", data=form)
    assert changed.status_code == 302
    scenario = _newest()
    assert (scenario.version, float(scenario.deadline_hours)) == (2, 6.0)
    assert scenario.sites[1] == {"shelter": "BN-02", "people": 150, "priority": 1.0}
    assert scenario.target_id is not None  # edited sites keep the target they came from
    run = queries.mark_stale(db.session, [db.session.scalar(select(Run))])[0]
    assert "scenario" in run.stale_reasons


def test_a_refused_edit_changes_nothing_and_shows_what_was_typed(app, world, dispatch):
    client = logged_in(app, "planner", PASSWORD)
    form = _edit_form(client, dispatch)
    form["deadline_hours"], form["site-0-people"] = "0", "abc"
    with nothing_changes(db.session):
        refused = client.post(f"/planning/scenarios/{dispatch}/edit", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "方案未保存" in page and 'value="abc"' in page
    assert _newest().version == 1


def test_a_copy_is_edited_apart_from_its_original(app, world, dispatch):
    client = logged_in(app, "planner", PASSWORD)
    copied = client.post(f"/planning/scenarios/{dispatch}/copy")
    copy_id = int(copied.location.rsplit("/", 1)[1])
    form = _edit_form(client, copy_id)
    form["name"], form["modes"] = "无协议储备", ["physical", "capacity"]
    assert client.post(f"/planning/scenarios/{copy_id}/edit", data=form).status_code == 302
    original, copy = db.session.get(Scenario, dispatch), db.session.get(Scenario, copy_id)
    db.session.refresh(original), db.session.refresh(copy)
    assert (copy.name, copy.modes, copy.copied_from_id) == (
        "无协议储备", ["physical", "capacity"], dispatch)
    assert (original.modes, original.version) == (["physical", "contract", "capacity"], 1)


def test_a_planner_saves_and_edits_a_preposition_with_cases(app, world, county):  # noqa: F811
    client = logged_in(app, "planner", PASSWORD)
    assert client.get("/planning/new/preposition").status_code == 200
    saved = client.post("/planning/new/preposition", data={
        "name": "汛前预置", "date": county["day"].isoformat(), "deadline_hours": "12",
        "season": "all", "modes": ["physical", "contract"], "budget": "50000",
        "receiving_depots": ["TS-01"], "action": "save",
        "case-0-name": "常年洪水", "case-0-weight": "3", "case-0-target": str(county["target"]),
        "case-0-sites": "",
        "case-1-name": "五十年一遇", "case-1-weight": "1", "case-1-target": "",
        "case-1-sites": "BN-01 400 2\nBN-02，80"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    made = _newest()
    cases = made.parameters["cases"]
    assert [(c["name"], c["weight"], c["target"]) for c in cases] == [
        ("常年洪水", 3.0, county["target"]), ("五十年一遇", 1.0, None)]
    assert cases[1]["sites"] == [{"shelter": "BN-01", "people": 400, "priority": 2.0},
                                 {"shelter": "BN-02", "people": 80, "priority": 1.0}]
    assert (made.parameters["budget"], made.parameters["receiving_depots"], made.modes) == (
        50000.0, ["TS-01"], ["physical", "contract"])
    form = _edit_form(client, made.id)
    assert form["case-1-sites"].splitlines() == ["BN-01 400 2", "BN-02 80 1"]
    form["budget"], form["case-0-remove"] = "", "1"
    assert client.post(f"/planning/scenarios/{made.id}/edit", data=form).status_code == 302
    edited = _newest()
    assert "budget" not in edited.parameters and edited.version == 2
    assert [c["name"] for c in edited.parameters["cases"]] == ["五十年一遇"]
    with nothing_changes(db.session):
        form["case-1-sites"] = "BN-01 四百"
        refused = client.post(f"/planning/scenarios/{made.id}/edit", data=form)
    assert refused.status_code == 422 and "汛期情景" in refused.get_data(as_text=True)


@pytest.fixture
def register(world):
    """Two outlets in the register, one of them no longer active."""
    bureau = world.users["bureau"]
    canteen = outlets.create_outlet(db.session, bureau, name="县一中食堂", kind="canteen",
                                    item="FW-WATER-5L", capacity_per_month=120,
                                    value_per_unit=3.5)
    outlets.create_outlet(db.session, bureau, name="旧市场", kind="market", item="FW-BISCUIT",
                          capacity_per_month=50, active=False)
    return canteen.id


def test_a_rotation_copies_the_outlets_chosen_into_its_runs_input(app, world, county, register):  # noqa: F811
    client = logged_in(app, "planner", PASSWORD)
    page = client.get("/planning/new/rotation").get_data(as_text=True)
    assert "县一中食堂" in page and "旧市场" not in page
    assert 'name="minimum-FW-WATER-5L"' in page  # the minimum from the target, shown
    saved = client.post("/planning/new/rotation", data={
        "name": "明年轮换", "date": county["day"].isoformat(), "season": "all",
        "horizon_months": "12", "lead_months": "1", "budget_per_month": "2000",
        "outlets": [str(register)], "minimum-FW-BISCUIT": "300", "action": "save"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    made = _newest()
    canteen = {"name": "县一中食堂", "item": "FW-WATER-5L", "capacity_per_month": 120,
               "value_per_unit": 3.5}
    assert made.parameters == {"horizon_months": 12, "lead_months": 1, "budget_per_month": 2000.0,
                               "outlets": [canteen], "minimum_stock": {"FW-BISCUIT": 300}}
    shown = client.get(f"/planning/scenarios/{made.id}").get_data(as_text=True)
    assert "县一中食堂 · FW-WATER-5L · 每月 120 · 3.50 元/单位" in shown
    # The register changes afterwards; the scenario keeps what was chosen.
    outlets.update_outlet(db.session, world.users["bureau"], register, capacity_per_month=10)
    started = client.post(f"/planning/scenarios/{made.id}/runs")
    assert started.status_code == 302
    run = db.session.scalar(select(Run).order_by(Run.id.desc()))
    document = json.loads(run.input)
    assert document["outlets"] == [{"id": "县一中食堂", "item": "FW-WATER-5L",
                                    "capacity_per_period": 120, "value_per_unit": 3.5}]
    assert document["minimum_stock"]["FW-BISCUIT"] == 300
    form = _edit_form(client, made.id)
    assert form.get("outlets") is None and form["kept"] == ["0"]  # kept as it was chosen
    assert "方案保存的副本" in client.get(f"/planning/scenarios/{made.id}/edit").get_data(
        as_text=True)
    form["lead_months"] = "2"
    assert client.post(f"/planning/scenarios/{made.id}/edit", data=form).status_code == 302
    edited = _newest()
    assert edited.parameters["outlets"] == [canteen] and edited.parameters["lead_months"] == 2
    form["kept"], form["outlets"] = [], [str(register)]
    assert client.post(f"/planning/scenarios/{made.id}/edit", data=form).status_code == 302
    assert _newest().parameters["outlets"] == [{**canteen, "capacity_per_month": 10}]
    with nothing_changes(db.session):
        form["horizon_months"] = "0"
        refused = client.post(f"/planning/scenarios/{made.id}/edit", data=form)
    assert refused.status_code == 422 and "计划月数" in refused.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_only_planners_the_bureau_and_admins_reach_the_forms(app, world, county, dispatch,  # noqa: F811
                                                            role):
    client = logged_in(app, role, PASSWORD)
    writes = role in WRITERS
    for kind in ("dispatch", "preposition", "rotation"):
        assert client.get(f"/planning/new/{kind}").status_code == (200 if writes else 403)
    assert client.get(f"/planning/scenarios/{dispatch}/edit").status_code == (
        200 if writes else 403)
    index = client.get("/planning/").get_data(as_text=True)
    assert ("/planning/new/rotation" in index) is writes
    if not writes:
        with nothing_changes(db.session):
            assert client.post("/planning/new/dispatch", data=_dispatch_form(
                county, target=str(county["target"]))).status_code == 403
            form = {"name": "改名", "deadline_hours": "3", "action": "save"}
            assert client.post(f"/planning/scenarios/{dispatch}/edit",
                               data=form).status_code == 403
    else:
        saved = client.post("/planning/new/dispatch", data=_dispatch_form(
            county, name=f"{role} 方案", target=str(county["target"])))
        assert saved.status_code == 302
    assert client.get("/planning/scenarios/999/edit").status_code == (404 if writes else 403)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_compares_scenarios_side_by_side(app, world, dispatch, role):
    planner = logged_in(app, "planner", PASSWORD)
    copy_id = int(planner.post(f"/planning/scenarios/{dispatch}/copy").location.rsplit("/", 1)[1])
    form = _edit_form(planner, copy_id)
    form["deadline_hours"] = "4"
    planner.post(f"/planning/scenarios/{copy_id}/edit", data=form)
    client = logged_in(app, role, PASSWORD)
    shown = client.get(f"/planning/compare?ids={dispatch}&ids={copy_id}")
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert '<th class="differs">时限（小时）</th>' in page
    assert '<th>储备方式</th>' in page and "尚无完成的运行" in page  # the copy never ran
    assert "完全保障人数" in page
    too_few = client.get(f"/planning/compare?ids={dispatch}")
    assert too_few.status_code == 302
    assert client.get(f"/planning/compare?ids={dispatch}&ids=999").status_code == 404
    assert client.get(f"/planning/compare?ids={dispatch}&ids=x").status_code == 302


def test_the_side_by_side_query_reads_without_http(app, world, dispatch):
    copy = db.session.get(Scenario, dispatch)
    found = form_pages.compare(db.session, [dispatch, dispatch])
    assert found.differences == [] and found.rows[0]["scenario"] is copy
    assert "people_fully_supplied" in found.figures
    assert found.counts("shipments")[0] > 0 and not found.differs(found.figure("cost"))


def test_the_new_pages_speak_one_language(app, world, county, dispatch, register):  # noqa: F811
    planner = logged_in(app, "planner", PASSWORD)
    copy_id = int(planner.post(f"/planning/scenarios/{dispatch}/copy").location.rsplit("/", 1)[1])
    planner.get(f"/planning/scenarios/{copy_id}")  # shows the copy's flash, said in Chinese
    paths = ["/planning/", "/planning/new/dispatch", "/planning/new/preposition",
             "/planning/new/rotation", f"/planning/scenarios/{dispatch}/edit",
             f"/planning/compare?ids={dispatch}&ids={copy_id}", "/outlets/",
             f"/outlets/{register}"]
    refused = [("/planning/new/dispatch", _dispatch_form(county, deadline_hours="x")),
               ("/outlets/", {**dict.fromkeys(("name", "kind", "item"), ""),
                              "capacity_per_month": "x"})]
    data = _data_values()
    found = []
    for language, pattern in (("en", HAN), ("zh_CN", ENGLISH_SENTENCE)):
        planner.get(f"/lang/{language}")
        answers = [(path, planner.get(path)) for path in paths] + [
            (path, planner.post(path, data=form)) for path, form in refused]
        for path, answer in answers:
            assert answer.status_code in (200, 422), (path, answer.status_code)
            for part in _readable(answer.get_data(as_text=True)):
                if pattern.search(data.sub(" ", part)):
                    found.append((language, path, part[:80]))
    assert found == []
