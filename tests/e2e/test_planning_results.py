"""A run's result read for the planner: a dispatch by site, source and item whose figures add
up to the result; pre-positioning's priced moves and purchases; rotation month by month; each
as XLSX and PDF read back and compared with the result; the workbench's headline; every role
reads, only planners run; each page speaks one language."""

import io
import json
import re

import pytest
from crawl import logged_in
from factories import PASSWORD
from flask import g
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from test_api_planning import county, scenario_body  # noqa: F401 - the fixture
from test_every_page_speaks_one_language import ENGLISH_SENTENCE, HAN, _readable
from test_planning_pages import _data_values

from inventory.db import db
from inventory.geo.models import Depot
from inventory.planning import headline, results
from inventory.planning.models import Run, Scenario
from inventory.shelters.models import Shelter

#: every role reads results and their files
ROLES = ["admin", "bureau", "keeper", "planner", "auditor"]


def _start(client, world, body) -> int:
    made = client.post("/api/v1/scenarios", headers=world.headers("planner"), json=body)
    assert made.status_code == 201, made.json
    run = client.post(f"/api/v1/scenarios/{made.json['id']}/runs",
                      headers=world.headers("planner"))
    assert run.status_code == 202, run.json
    return run.json["id"]


@pytest.fixture
def runs(client, world, county):  # noqa: F811 - the fixture imported above
    """One run of each kind, finished."""
    day = county["day"].isoformat()
    return {
        "dispatch": _start(client, world, scenario_body(county)),
        "preposition": _start(client, world, {
            "name": "汛前预置", "kind": "preposition", "date": day, "deadline_hours": 10,
            "budget": 20000, "receiving_depots": ["XZ-01", "TS-01"],
            "cases": [{"name": "大汛", "weight": 1.0, "target": county["target"]}]}),
        "rotation": _start(client, world, {
            "name": "饮用水轮换", "kind": "rotation", "date": day, "horizon_months": 12,
            "budget_per_month": 20000,
            "outlets": [{"name": "学校食堂", "item": "FW-WATER-5L", "capacity_per_month": 100,
                         "value_per_unit": 2.5}]}),
    }


def _outcome(run_id: int) -> tuple[dict, dict]:
    run = db.session.get(Run, run_id)
    return json.loads(run.input), run.outcome


def test_a_dispatch_by_site_and_by_source_adds_up_to_the_result(app, runs):
    plan_input, result = _outcome(runs["dispatch"])
    read = results.run_result(db.session, runs["dispatch"])
    plan = read.dispatch
    shipped = sum(row["quantity"] for row in result["shipments"])
    short = sum(row["quantity"] for row in result["shortages"])
    assert shipped > 0 and short > 0  # the county fixture leaves a gap
    assert sum(site.shipped for site in plan.sites) == shipped == plan.shipped
    assert sum(source.units for source in plan.sources) == shipped
    assert sum(site.short for site in plan.sites) == short == plan.short
    assert {(s.site, line.item): line.short for s in plan.sites for line in s.shortages} == {
        (row["site"], row["item"]): row["quantity"] for row in result["shortages"]
        if row["quantity"]}
    assert plan.cost == pytest.approx(result["objective"]["cost"], abs=0.01)
    assert sum(site.cost for site in plan.sites) == pytest.approx(plan.cost, abs=0.02)
    assert plan.people_fully_supplied == result["objective"]["people_fully_supplied"] == sum(
        site.fully_supplied for site in plan.sites)
    assert plan.people == sum(site["people"] for site in plan_input["sites"]) == 500
    # The limiting items are those short somewhere, the one short for most people first.
    assert {line.item for line in plan.limiting} == {row["item"] for row in result["shortages"]
                                                     if row["quantity"]}
    people_short = [line.people_short for line in plan.limiting]
    assert people_short == sorted(people_short, reverse=True) and people_short[0] > 0
    assert read.names.place("BN-01") == "凤城镇中学体育馆"
    assert results.run_result(db.session, 99) is None


def test_the_map_draws_each_flow_between_placed_places(app, world, runs):
    assert results.run_result(db.session, runs["dispatch"]).map.dots == []  # none placed yet
    for model, code, lat, lon in [(Depot, "XZ-01", 38.90, 106.54), (Depot, "TS-01", 38.95, 106.60),
                                  (Shelter, "BN-01", 38.96, 106.61),
                                  (Shelter, "BN-02", 38.91, 106.55)]:
        row = db.session.scalar(select(model).where(model.code == code))
        row.latitude, row.longitude = lat, lon
    db.session.commit()
    read = results.run_result(db.session, runs["dispatch"])
    flows = read.map
    assert {dot.code for dot in flows.dots} >= {"XZ-01", "BN-01", "BN-02"}
    assert {dot.code for dot in flows.dots if dot.short} == {
        site.site for site in read.dispatch.sites if site.short}
    pairs = {(s.source, row["site"]) for s in read.dispatch.sources for row in s.shipments}
    placed = {dot.code for dot in flows.dots}
    drawn = {(flow.source, flow.site) for flow in flows.flows}
    assert drawn == {(a, b) for a, b in pairs if a in placed and b in placed and a != b}
    assert set(flows.unplaced) | placed >= {a for a, _ in pairs}
    assert all(0 <= dot.x <= flows.width and 0 <= dot.y <= flows.height for dot in flows.dots)
    widest = max(flows.flows, key=lambda flow: flow.width)
    assert widest.units == max(flow.units for flow in flows.flows)
    page = logged_in(app, "auditor", PASSWORD).get(f"/planning/runs/{runs['dispatch']}")
    shown = page.get_data(as_text=True)
    assert '<svg class="flowmap"' in shown and shown.count('class="flow"') == len(flows.flows)


def test_pre_positioning_prices_its_moves_and_purchases_within_the_spend(app, runs):
    plan_input, result = _outcome(runs["preposition"])
    plan = results.run_result(db.session, runs["preposition"]).preposition
    assert plan.budget == 20000
    assert plan.purchase_cost + plan.relocation_cost == pytest.approx(plan.spend, abs=0.05)
    assert plan.purchase_cost == pytest.approx(sum(
        row["quantity"] * plan_input["purchase_cost"][row["item"]]
        for row in result["purchases"]), abs=0.01)
    assert [case["id"] for case in plan.cases] == ["大汛"]


def test_rotation_reads_month_by_month_beside_doing_nothing(app, runs):
    _, result = _outcome(runs["rotation"])
    plan = results.run_result(db.session, runs["rotation"]).rotation
    assert len(plan.months) == 12
    assert plan.cost == pytest.approx(result["objective"]["total"], abs=0.01)
    assert plan.idle_cost >= 0
    # The chart draws the plan's stock line month by month, never under the minimum.
    drawn = {c.item: c for c in results.run_result(db.session, runs["rotation"]).stock_charts}
    assert set(drawn) == {row["item"] for row in result["stock"]}
    chart = drawn["FW-WATER-5L"]
    assert chart.minimum == 1500
    points = [tuple(map(float, point.split(","))) for point in chart.plan.split()]
    assert len(points) == 12 and all(y <= chart.minimum_y for _, y in points)
    assert [x for x, _ in points] == sorted(x for x, _ in points)


def test_the_dispatch_files_read_back_as_the_result(app, world, runs):
    read = results.run_result(db.session, runs["dispatch"])
    plan = read.dispatch
    client = logged_in(app, "auditor", PASSWORD)
    answer = client.get(f"/planning/runs/{runs['dispatch']}/result.xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames[:4] == ["概要", "按安置点", "按来源", "按物资"]
    sites = list(book["按安置点"].iter_rows(min_row=4, values_only=True))
    assert [row[0] for row in sites[:-1]] == [s.site for s in plan.sites]
    total = sites[-1]
    assert total[0] == "合计" and total[5] == plan.shipped and total[6] == plan.short
    assert total[3] == plan.people_fully_supplied and total[8] == pytest.approx(plan.cost)
    assert sum(row[5] for row in sites[:-1]) == plan.shipped
    sources = list(book["按来源"].iter_rows(min_row=4, values_only=True))
    assert sum(row[3] for row in sources[:-1]) == plan.shipped == sources[-1][3]
    summary = {row[0]: row[1] for row in book["概要"].iter_rows(min_row=4, values_only=True)}
    assert summary["完全保障人数"] == plan.people_fully_supplied
    printed = client.get(f"/planning/runs/{runs['dispatch']}/result.pdf")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.data)).pages)
    assert "按安置点" in text and "凤城镇中学体育馆" in text
    assert f"{plan.cost:,.2f}" in text and f"{plan.shipped:,}" in text


def test_the_pre_positioning_and_rotation_files_read_back_as_the_result(app, world, runs):
    client = logged_in(app, "planner", PASSWORD)
    plan = results.run_result(db.session, runs["preposition"]).preposition
    book = load_workbook(io.BytesIO(client.get(
        f"/planning/runs/{runs['preposition']}/result.xlsx").data))
    bought = list(book["采购清单"].iter_rows(min_row=4, values_only=True))
    assert bought[-1][0] == "合计" and bought[-1][6] == pytest.approx(plan.purchase_cost)
    assert len(bought) - 1 == len(plan.purchases)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(client.get(
        f"/planning/runs/{runs['preposition']}/result.pdf").data)).pages)
    assert "采购清单" in text and "库间调整" in text and f"{plan.spend:,.2f}" in text
    schedule = results.run_result(db.session, runs["rotation"]).rotation
    book = load_workbook(io.BytesIO(client.get(
        f"/planning/runs/{runs['rotation']}/result.xlsx").data))
    months = list(book["逐月库存"].iter_rows(min_row=4, values_only=True))
    assert len(months) == 12 * len(schedule.items)
    assert [row[5] for row in months if row[1] == "FW-WATER-5L"] == [
        month.stock.get("FW-WATER-5L") for month in schedule.months]
    assert {row[6] for row in months if row[1] == "FW-WATER-5L"} == {1500}
    costs = list(book["逐月费用"].iter_rows(min_row=4, values_only=True))
    assert costs[-1][1] == pytest.approx(round(schedule.cost, 2))
    assert costs[-1][2] == pytest.approx(round(schedule.idle_cost, 2))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(client.get(
        f"/planning/runs/{runs['rotation']}/result.pdf").data)).pages)
    assert "逐月库存" in text and "不作为的损失" in text


def test_every_role_reads_the_results_and_their_files(app, world, runs):
    # One test over the roles: each run of the fixture solves three scenarios.
    for role in ROLES:
        client = logged_in(app, role, PASSWORD)
        for kind, run_id in runs.items():
            page = client.get(f"/planning/runs/{run_id}")
            assert page.status_code == 200, (role, kind)
            assert f"/planning/runs/{run_id}/result.xlsx" in page.get_data(as_text=True)
            for fmt in ("xlsx", "pdf"):
                answer = client.get(f"/planning/runs/{run_id}/result.{fmt}")
                assert answer.status_code == 200, (role, kind, fmt)
        shown = client.get(f"/planning/runs/{runs['dispatch']}").get_data(as_text=True)
        assert "按安置点" in shown and "按来源" in shown and "制约保障的物资" in shown


def test_the_files_answer_a_token_and_refuse_without_one(app, world, runs):
    run_id = runs["dispatch"]
    answer = app.test_client().get(f"/planning/runs/{run_id}/result.xlsx",
                                   headers=world.headers("keeper"))
    assert answer.status_code == 200
    # Requests share the test's app context, where the last one left its user.
    g.pop("_login_user", None)
    refused = app.test_client().get(f"/planning/runs/{run_id}/result.pdf")
    assert refused.status_code == 401 and refused.json["code"] == "unauthorized"
    reader = logged_in(app, "auditor", PASSWORD)
    assert reader.get("/planning/runs/99/result.xlsx").status_code == 404
    assert reader.get(f"/planning/runs/{run_id}/result.csv").status_code == 404


def test_the_headline_offers_to_run_its_scenarios_to_planners_only(app, world, county):  # noqa: F811
    keeper = logged_in(app, "keeper", PASSWORD)
    page = keeper.get("/planning/").get_data(as_text=True)
    assert "保障目标：全县安置 500 人" in page and "规划人员、应急管理局和管理员可以运行" in page
    refused = keeper.post("/planning/headline", follow_redirects=True)
    assert "您的角色无权执行此操作" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Scenario.id))) == 0
    planner = logged_in(app, "planner", PASSWORD)
    assert "/planning/headline" in planner.get("/planning/").get_data(as_text=True)
    ran = planner.post("/planning/headline")
    assert ran.status_code == 302
    assert sorted(db.session.scalars(select(Scenario.kind))) == ["dispatch", "preposition"]
    assert db.session.scalar(select(func.count(Run.id))) == 2
    found = headline.headline(db.session)
    plan = found.dispatch.dispatch
    assert not found.missing and found.preposition.preposition.budget == headline.DEFAULT_BUDGET
    page = keeper.get("/planning/").get_data(as_text=True)
    assert f"现有储备可完全保障 {plan.people_fully_supplied} / 500 人" in page
    assert "/planning/headline" not in page and "补齐缺口的最省采购" in page
    # Run again, the headline reuses its scenarios.
    planner.post("/planning/headline")
    assert db.session.scalar(select(func.count(Scenario.id))) == 2
    # While a run of the headline solves, it is not offered again.
    for run in db.session.scalars(select(Run).where(Run.kind == "dispatch")):
        run.job.status = "running"
    db.session.commit()
    page = planner.get("/planning/").get_data(as_text=True)
    assert "正在运行" in page and "/planning/headline" not in page


def test_each_result_page_speaks_one_language(app, world, runs):
    client = logged_in(app, "planner", PASSWORD)
    client.post("/planning/headline")
    client.get("/planning/")  # the flash, said in the language of the request that ran them
    # Names the planner typed into a scenario's parameters (cases, outlets) are data too.
    typed = [case["name"] for s in db.session.scalars(select(Scenario))
             for case in s.parameters.get("cases", [])]
    typed += [o["name"] for s in db.session.scalars(select(Scenario))
              for o in s.parameters.get("outlets", [])]
    pattern = _data_values().pattern + "|" + "|".join(map(re.escape, typed))
    data = re.compile(pattern)
    paths = ["/planning/", *(f"/planning/runs/{run_id}" for run_id in runs.values())]
    found = []
    for language, pattern in (("en", HAN), ("zh_CN", ENGLISH_SENTENCE)):
        client.get(f"/lang/{language}")
        for path in paths:
            for part in _readable(client.get(path).get_data(as_text=True)):
                if pattern.search(data.sub(" ", part)):
                    found.append((language, path, part[:80]))
    assert found == [], "\n".join(map(str, found))


def test_without_a_target_there_is_no_headline_and_running_it_is_refused(app, world):
    planner = logged_in(app, "planner", PASSWORD)
    assert "section class=\"headline\"" not in planner.get("/planning/").get_data(as_text=True)
    refused = planner.post("/planning/headline", follow_redirects=True)
    assert "尚无有效的保障目标" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Scenario.id))) == 0
