"""The orders' pages with data: every role reads them, only planners, the bureau and admins
cancel a rotation order; the pages speak one language; the rotation pick list prints the lots'
signed QR codes; the purchase list exports to Excel and A4 with its total; the rotation
schedule shows the plan beside doing nothing."""

import io
import re

import pytest
from factories import PASSWORD
from flask import render_template
from flask_babel import refresh
from openpyxl import load_workbook
from plan_world import dispatch_input, make_plan_world, solve
from sqlalchemy import String, Text, select
from test_documents import qr_codes, text_of
from test_every_page_speaks_one_language import ENGLISH_SENTENCE, HAN, _readable

from inventory import clock
from inventory.db import db
from inventory.labels import payload
from inventory.planorders import queries
from inventory.planorders.models import RotationOrder
from inventory.planorders.schedule import rotation_schedule
from inventory.planorders.services import orders_from_plan
from inventory.stock.models import Movement

ROLES = ["admin", "bureau", "keeper", "keeper2", "planner", "auditor"]


def log_in(client, username):
    client.get("/lang/zh_CN")
    assert client.post("/login", data={"username": username,
                                       "password": PASSWORD}).status_code == 302


def rotation_plan(plan):
    soon, mid = plan.lots["W-SOON"], plan.lots["W-MID"]
    document = {"periods": 4, "items": [{"code": "FW-WATER-5L", "unit_cost": 12,
                                         "shelf_life_periods": 24, "write_off_cost": 2}],
                "lots": [{"id": str(soon.id), "item": "FW-WATER-5L", "quantity": 30,
                          "expires_period": 2},
                         {"id": str(mid.id), "item": "FW-WATER-5L", "quantity": 25,
                          "expires_period": 3}],
                "minimum_stock": {"FW-WATER-5L": 40},
                "outlets": [{"id": "县第一中学食堂", "item": "FW-WATER-5L",
                             "capacity_per_period": 30, "value_per_unit": 5}]}
    return document, solve("rotation", document)


@pytest.fixture
def orders(world):
    plan = make_plan_world(db.session, world)
    planner = world.users["planner"]
    document = dispatch_input(world, plan)
    orders_from_plan(db.session, planner, kind="dispatch", plan_input=document,
                     plan_result=solve("dispatch", document), run_id=1)
    document, result = rotation_plan(plan)
    made = orders_from_plan(db.session, planner, kind="rotation", plan_input=document,
                            plan_result=result, run_id=2)
    assert made.rotation_orders and made.purchases
    return plan, db.session.get(RotationOrder, made.rotation_orders[0])


def paths(order):
    return ["/plan-orders/", "/plan-orders/1", "/plan-orders/2", "/rotation-orders/",
            "/rotation-orders/?depot=XZ-01&state=open", f"/rotation-orders/{order.number}",
            "/production-orders/"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_orders_pages(client, world, orders, role):
    _, order = orders
    log_in(client, role)
    for path in paths(order):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/rotation-orders/{order.number}.pdf").status_code == 200
    assert client.get("/plan-orders/2/purchases.xlsx").status_code == 200
    assert client.get("/plan-orders/99").status_code == 404
    assert client.get("/rotation-orders/LH-0").status_code == 404
    assert client.get("/rotation-orders/?state=moon").status_code == 422


@pytest.mark.parametrize("role, status", [("keeper", 403), ("auditor", 403), ("keeper2", 403),
                                          ("planner", 303), ("bureau", 303), ("admin", 303)])
def test_planners_the_bureau_and_admins_cancel_a_rotation_order(client, world, orders, role,
                                                                 status):
    _, order = orders
    log_in(client, role)
    page = client.get(f"/rotation-orders/{order.number}").get_data(as_text=True)
    assert ("取消轮换工单" in page) == (status == 303)
    answer = client.post(f"/rotation-orders/{order.number}/cancel", data={"reason": "计划调整"})
    assert answer.status_code == status
    db.session.rollback()
    assert db.session.get(RotationOrder, order.id).status == (
        "cancelled" if status == 303 else "open")


def test_a_cancellation_without_a_reason_is_refused_and_changes_nothing(client, world, orders):
    _, order = orders
    log_in(client, "bureau")
    answer = client.post(f"/rotation-orders/{order.number}/cancel", data={"reason": " "})
    assert answer.status_code == 422 and "原因" in answer.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(RotationOrder, order.id).status == "open"


@pytest.fixture
def data_values(orders) -> re.Pattern:
    """Every string the database holds, longest first, as one pattern."""
    values: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                values.update(value for value in db.session.scalars(select(column).distinct())
                              if value and (len(value) > 1 or HAN.match(value)))
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))


def test_the_pages_speak_one_language(client, world, orders, data_values):
    _, order = orders
    log_in(client, "planner")
    client.get("/lang/en")
    found = []
    for path in paths(order):
        for part in _readable(client.get(path).get_data(as_text=True)):
            if HAN.search(data_values.sub(" ", part)):
                found.append((path, part[:60]))
    client.get("/lang/zh_CN")
    for path in paths(order):
        for part in _readable(client.get(path).get_data(as_text=True)):
            if ENGLISH_SENTENCE.search(data_values.sub(" ", part)):
                found.append((path, part[:60]))
    assert found == []


def test_the_pick_list_prints_each_lot_with_its_signed_code(client, world, orders):
    plan, order = orders
    log_in(client, "keeper")
    pdf = client.get(f"/rotation-orders/{order.number}.pdf").data
    text = text_of(pdf)
    assert order.number in text and "县第一中学食堂" in text
    lots = {line.lot_id for line in order.lines}
    signed = {payload.parse(code, "test-label-secret").id for code in qr_codes(pdf)}
    assert signed == lots


def test_the_purchase_list_exports_with_its_prices_and_total(client, world, orders):
    log_in(client, "auditor")
    listed = queries.purchase_list(db.session, 2)
    book = load_workbook(io.BytesIO(client.get("/plan-orders/2/purchases.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][:3] == ("序号", "月份", "储备库")
    body = rows[2:-1]
    assert [(row[5], row[6]) for row in body] == [(line.quantity, float(line.unit_cost))
                                                  for line in listed.lines]
    assert rows[-1][7] == float(listed.total) == sum(row[7] for row in body)
    client.get("/lang/en")
    text = text_of(client.get("/plan-orders/2/purchases.pdf").data)
    assert "purchase list" in text and f"{listed.total:,.2f}" in text


def test_the_rotation_schedule_shows_the_plan_beside_doing_nothing(app, world, orders):
    plan, _ = orders
    document, result = rotation_plan(plan)
    schedule = rotation_schedule(document, result, clock.today())
    labels = queries.lot_labels(db.session, [lot["id"] for lot in document["lots"]])
    assert labels[str(plan.lots["W-SOON"].id)] == "W-SOON · XZ-01"
    for language, words in (("zh_CN", "不作为的损失"), ("en", "Cost of doing nothing")):
        with app.test_request_context(f"/?lang={language}"):
            refresh()  # the locale is cached on the test's app context
            html = render_template("planorders/_rotation_schedule.html", schedule=schedule,
                                   lot_labels=labels)
        assert words in html and "W-SOON · XZ-01" in html
        assert f"{schedule.idle_cost:,.2f}" in html and f"{schedule.cost:,.2f}" in html
    # Nothing was moved by making the orders or reading them.
    assert db.session.scalar(select(Movement.id).where(Movement.kind == "rotation_out")) is None
