"""The workbench's first pages: the scenarios, one scenario with its runs, one run with its
state and result; planners start, copy and cancel there, other roles only read; each page
speaks one language."""

import re

import pytest
from crawl import logged_in
from factories import PASSWORD
from sqlalchemy import String, Text, func, select
from test_api_planning import county, scenario_body  # noqa: F401 - the fixture
from test_every_page_speaks_one_language import ENGLISH_SENTENCE, HAN, _readable

from inventory.db import db
from inventory.planning import pages
from inventory.planning.models import Run, Scenario
from inventory.planorders.models import PlanOrders

ROLES = ["admin", "bureau", "keeper", "planner", "auditor"]


@pytest.fixture
def ran(client, world, county):  # noqa: F811 - the fixture imported above
    """A scenario from the target, run once."""
    scenario = client.post("/api/v1/scenarios", headers=world.headers("planner"),
                           json=scenario_body(county)).json
    run = client.post(f"/api/v1/scenarios/{scenario['id']}/runs",
                      headers=world.headers("planner")).json
    return scenario["id"], run["id"]


def _paths(ran) -> list[str]:
    scenario_id, run_id = ran
    return ["/planning/", f"/planning/scenarios/{scenario_id}", f"/planning/runs/{run_id}"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_pages_and_only_planners_see_the_buttons(app, world, ran, role):
    client = logged_in(app, role, PASSWORD)
    index, scenario, run = (client.get(path) for path in _paths(ran))
    assert index.status_code == scenario.status_code == run.status_code == 200
    assert "全县安置 500 人" in index.get_data(as_text=True)
    page = scenario.get_data(as_text=True)
    assert "BN-01" in page and "400" in page and "已完成" in page
    assert ("/runs\"" in page or "/runs\" " in page) == (role in ("admin", "bureau", "planner"))
    shown = run.get_data(as_text=True)
    assert "已完成" in shown and "完全保障人数" in shown and "调运" in shown


def test_a_planner_starts_copies_and_creates_from_the_pages(app, world, ran, county):  # noqa: F811
    client = logged_in(app, "planner", PASSWORD)
    scenario_id, _ = ran
    started = client.post(f"/planning/scenarios/{scenario_id}/runs")
    assert started.status_code == 302 and "/planning/runs/" in started.location
    assert db.session.scalar(select(func.count(Run.id))) == 2
    copied = client.post(f"/planning/scenarios/{scenario_id}/copy")
    assert copied.status_code == 302
    made = client.post("/planning/", data={"name": "冬季 300 人", "target": county["target"],
                                           "deadline_hours": "6"})
    assert made.status_code == 302
    newest = db.session.scalar(select(Scenario).order_by(Scenario.id.desc()))
    assert (newest.name, float(newest.deadline_hours), len(newest.sites)) == ("冬季 300 人", 6, 2)
    assert db.session.scalar(select(func.count(Scenario.id))) == 3


def test_a_keeper_is_refused_and_nothing_changes(app, world, ran):
    client = logged_in(app, "keeper", PASSWORD)
    scenario_id, run_id = ran
    refused = client.post(f"/planning/scenarios/{scenario_id}/runs", follow_redirects=True)
    assert "您的角色无权执行此操作" in refused.get_data(as_text=True)
    client.post(f"/planning/runs/{run_id}/cancel")
    assert db.session.scalar(select(func.count(Run.id))) == 1
    assert client.get("/planning/runs/99").status_code == 404


def test_a_planner_turns_the_plan_into_orders_once_from_the_runs_page(app, world, ran):
    _, run_id = ran
    keeper = logged_in(app, "keeper", PASSWORD)
    assert "按方案生成工单" not in keeper.get(f"/planning/runs/{run_id}").get_data(as_text=True)
    keeper.post(f"/planning/runs/{run_id}/orders")
    assert db.session.scalar(select(func.count(PlanOrders.id))) == 0
    client = logged_in(app, "planner", PASSWORD)
    assert "按方案生成工单" in client.get(f"/planning/runs/{run_id}").get_data(as_text=True)
    made = client.post(f"/planning/runs/{run_id}/orders")
    assert made.status_code == 302 and made.location.endswith(f"/plan-orders/{run_id}")
    orders = client.get(made.location).get_data(as_text=True)
    assert "已按方案生成工单" in orders and "调拨单" in orders
    page = client.get(f"/planning/runs/{run_id}").get_data(as_text=True)
    assert "按方案生成工单" not in page and f"/plan-orders/{run_id}" in page
    again = client.post(f"/planning/runs/{run_id}/orders", follow_redirects=True)
    assert "不能重复生成" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PlanOrders.id))) == 1


def test_the_page_queries_read_without_http(app, world, ran):
    scenario_id, run_id = ran
    listed = pages.scenario_list(db.session)
    assert [s.id for s in listed.scenarios] == [scenario_id]
    assert listed.latest[scenario_id].id == run_id
    page = pages.run_page(db.session, run_id)
    assert page.summary.status == "optimal" and page.run.stale_reasons == []
    assert [name for name, _ in page.rows] == ["shipments", "shortages"]
    assert all(row["quantity"] > 0 for row in dict(page.rows)["shortages"])
    assert pages.scenario_page(db.session, 99) is None


def _data_values() -> re.Pattern:
    values: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                values.update(v for v in db.session.scalars(select(column).distinct())
                              if v and (len(v) > 1 or HAN.match(v)))
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))


def test_each_page_speaks_one_language(app, world, ran):
    data = _data_values()
    client = logged_in(app, "planner", PASSWORD)
    found = []
    for language, pattern in (("en", HAN), ("zh_CN", ENGLISH_SENTENCE)):
        client.get(f"/lang/{language}")
        for path in _paths(ran):
            for part in _readable(client.get(path).get_data(as_text=True)):
                if pattern.search(data.sub(" ", part)):
                    found.append((language, path, part[:80]))
    assert found == []
