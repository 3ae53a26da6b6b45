"""Orders from plans over HTTP: the service behind an idempotent endpoint as the runs' API
wires it (same key, same answer, nothing new), a run's orders, rotation orders scanned out by
their depot's keeper, production orders; who may read and who may write."""

from datetime import UTC, datetime

import pytest
from flask import Blueprint, g, request
from plan_world import dispatch_input, make_plan_world
from sqlalchemy import func, select

from inventory.api import API_BLUEPRINTS
from inventory.api.idempotency import idempotent
from inventory.contracts.models import CallOff
from inventory.db import db
from inventory.planorders.models import PlanOrders
from inventory.planorders.services import orders_from_plan
from inventory.stock.models import Movement
from inventory.transfers.models import Transfer

ROLES = ["keeper", "keeper2", "bureau", "planner", "auditor", "admin"]
#: each test adds a probe endpoint to its app (``run_orders_endpoint``)
pytestmark = pytest.mark.fresh_app


def run_orders_endpoint(app):
    """``POST /runs/<id>/orders`` as the runs' API calls the service (the run's stored input
    and result come in the body here, as this test has no runs)."""
    probe = Blueprint("run_orders_probe", __name__)

    @probe.post("/api/v1/probe-runs/<int:run_id>/orders")
    @idempotent
    def make_orders(run_id):
        body = request.get_json()
        return orders_from_plan(db.session, g.user, kind=body["kind"],
                                plan_input=body["input"], plan_result=body["result"],
                                run_id=run_id).to_dict(), 201

    app.register_blueprint(probe)
    API_BLUEPRINTS.add(probe.name)


@pytest.fixture
def plan(app, world):
    run_orders_endpoint(app)
    return make_plan_world(db.session, world)


def body(world, plan, water=65):
    capacity = plan.capacity.code
    return {"kind": "dispatch", "input": dispatch_input(world, plan), "result": {
        "status": "optimal", "shipments": [
            {"source": "XZ-01", "site": "BN-01", "item": "FW-WATER-5L", "quantity": water,
             "arrival_hours": 2},
            {"source": "TS-01", "site": "BN-02", "item": "SH-TENT-12", "quantity": 8,
             "arrival_hours": 2},
            {"source": "XY-2026-001", "site": "BN-02", "item": "FW-WATER-5L", "quantity": 40,
             "arrival_hours": 5},
            {"source": capacity, "site": "BN-01", "item": "SH-TENT-12", "quantity": 10,
             "arrival_hours": 7}]}}


def counts():
    db.session.rollback()
    return [db.session.scalar(select(func.count()).select_from(model))
            for model in (Transfer, CallOff, PlanOrders, Movement)]


def test_reposting_with_the_same_key_creates_nothing_new(client, world, plan):
    headers = world.headers("planner", **{"Idempotency-Key": "run-12-orders"})
    first = client.post("/api/v1/probe-runs/12/orders", headers=headers, json=body(world, plan))
    assert first.status_code == 201, first.json
    assert len(first.json["transfers"]) == 2 and len(first.json["call_offs"]) == 1
    assert len(first.json["production_orders"]) == 1 and first.json["purchases"] == []
    before = counts()
    again = client.post("/api/v1/probe-runs/12/orders", headers=headers, json=body(world, plan))
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts() == before
    # Another key for the same run: refused, in Chinese by default and in English on request.
    other = client.post("/api/v1/probe-runs/12/orders", json=body(world, plan),
                        headers=world.headers("bureau", **{"Idempotency-Key": "other"}))
    assert other.status_code == 409 and "RUN-12" in other.json["message"]
    assert "已" in other.json["message"]
    english = client.post("/api/v1/probe-runs/12/orders", json=body(world, plan),
                          headers=world.headers("bureau", **{"Accept-Language": "en"}))
    assert english.status_code == 409 and "already" in english.json["message"]
    assert counts() == before
    read = client.get("/api/v1/plan-orders/12", headers=world.headers("auditor"))
    assert read.status_code == 200 and read.json == first.json


def test_short_stock_is_a_409_naming_depot_and_item_and_changes_nothing(client, world, plan):
    before = counts()
    refused = client.post("/api/v1/probe-runs/13/orders", headers=world.headers("planner"),
                          json=body(world, plan, water=106))
    assert refused.status_code == 409
    assert refused.json["code"] == "insufficient_stock"
    assert "XZ-01" in refused.json["message"] and "桶装饮用水" in refused.json["message"]
    assert counts() == before


@pytest.mark.parametrize("role, status", [("keeper", 403), ("auditor", 403), ("planner", 201),
                                          ("bureau", 201), ("admin", 201)])
def test_planners_the_bureau_and_admins_make_orders(client, world, plan, role, status):
    made = client.post("/api/v1/probe-runs/14/orders", headers=world.headers(role),
                       json=body(world, plan))
    assert made.status_code == status, made.json


def rotation_orders(world, plan, run_id=20):
    soon, mid = plan.lots["W-SOON"], plan.lots["W-MID"]
    document = {"periods": 3, "items": [{"code": "FW-WATER-5L", "unit_cost": 12,
                                         "shelf_life_periods": 24}],
                "lots": [{"id": str(soon.id), "item": "FW-WATER-5L", "quantity": 30,
                          "expires_period": 2},
                         {"id": str(mid.id), "item": "FW-WATER-5L", "quantity": 25,
                          "expires_period": 7}]}
    result = {"status": "optimal", "rotations": [
        {"lot": str(soon.id), "period": 0, "outlet": "县一中食堂", "quantity": 20},
        {"lot": str(mid.id), "period": 0, "outlet": "县一中食堂", "quantity": 5}],
        "purchases": [{"item": "FW-WATER-5L", "period": 1, "quantity": 25, "lot": "new"}]}
    made = orders_from_plan(db.session, world.users["planner"], kind="rotation",
                            plan_input=document, plan_result=result, run_id=run_id)
    return made.rotation_orders[0]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_rotation_and_production_orders(client, world, plan, role):
    order_id = rotation_orders(world, plan)
    headers = world.headers(role)
    listed = client.get("/api/v1/rotation-orders?depot=XZ-01&state=open", headers=headers)
    assert listed.status_code == 200 and [o["id"] for o in listed.json] == [order_id]
    detail = client.get(f"/api/v1/rotation-orders/{order_id}", headers=headers).json
    assert [(x["lot_code"], x["outlet"], x["quantity"], x["done"]) for x in detail["lines"]] == [
        ("W-SOON", "县一中食堂", 20, 0), ("W-MID", "县一中食堂", 5, 0)]
    assert detail["state"] == "open" and detail["run"] == 20
    assert client.get("/api/v1/production-orders", headers=headers).status_code == 200
    run = client.get("/api/v1/plan-orders/20", headers=headers).json
    assert run["rotation_orders"] == [order_id]
    assert [(p["item"], p["quantity"], p["unit_cost"]) for p in run["purchases"]] == [
        ("FW-WATER-5L", 25, 12.0)]


@pytest.mark.parametrize("role, status", [("keeper", 201), ("admin", 201), ("keeper2", 403),
                                          ("bureau", 403), ("planner", 403), ("auditor", 403)])
def test_only_the_depots_keeper_scans_a_rotation_order_out(client, world, plan, role, status):
    order_id = rotation_orders(world, plan)
    before = counts()
    scanned = client.post(f"/api/v1/rotation-orders/{order_id}/scans", headers=world.headers(role),
                          json={"lot": plan.lots["W-MID"].id})
    assert scanned.status_code == status, scanned.json
    if status == 201:
        [row] = scanned.json["movements"]
        assert (row["kind"], row["quantity"], row["recipient"]) == (
            "rotation_out", -5, "县一中食堂")
        assert row["reference"] == scanned.json["order"]["number"]
        assert scanned.json["order"]["done"] == 5
    else:
        assert counts() == before


def test_a_scan_sent_twice_from_the_offline_queue_counts_once(client, world, plan):
    order_id = rotation_orders(world, plan)
    headers = world.headers("keeper", **{"Idempotency-Key": "phone-scan-1"})
    scan = {"lot": plan.lots["W-SOON"].id, "quantity": 20,
            "occurred_at": datetime.now(UTC).isoformat()}
    first = client.post(f"/api/v1/rotation-orders/{order_id}/scans", headers=headers, json=scan)
    assert first.status_code == 201, first.json
    again = client.post(f"/api/v1/rotation-orders/{order_id}/scans", headers=headers, json=scan)
    assert again.status_code == 201 and again.json == first.json
    ledger = client.get(f"/api/v1/movements?lot={plan.lots['W-SOON'].id}&kind=rotation_out",
                        headers=world.headers("auditor")).json
    assert [m["quantity"] for m in ledger] == [-20]


@pytest.mark.parametrize("scan, status, field", [
    ({"lot": "12"}, 422, "lot"),
    ({"lot": 1, "quantity": 0}, 422, "quantity"),
    ({"lot": 1, "extra": 1}, 422, "extra"),
    ({"lot": 1, "occurred_at": "2026-01-01T08:00:00"}, 422, "occurred_at"),
])
def test_a_bad_scan_is_refused_naming_the_field(client, world, plan, scan, status, field):
    order_id = rotation_orders(world, plan)
    refused = client.post(f"/api/v1/rotation-orders/{order_id}/scans",
                          headers=world.headers("keeper"), json=scan)
    assert refused.status_code == status and field in refused.json["errors"]


def test_scans_beyond_the_line_and_of_unknown_orders_are_refused(client, world, plan):
    order_id = rotation_orders(world, plan)
    keeper = world.headers("keeper")
    too_many = client.post(f"/api/v1/rotation-orders/{order_id}/scans", headers=keeper,
                           json={"lot": plan.lots["W-MID"].id, "quantity": 6})
    assert too_many.status_code == 422 and "5" in too_many.json["message"]
    not_on_it = client.post(f"/api/v1/rotation-orders/{order_id}/scans",
                            headers=keeper | {"Accept-Language": "en"},
                            json={"lot": plan.lots["W-LATE"].id})
    assert not_on_it.status_code == 409 and "not on rotation order" in not_on_it.json["message"]
    missing = client.post("/api/v1/rotation-orders/99999/scans", headers=keeper, json={"lot": 1})
    assert missing.status_code == 404
    assert client.get("/api/v1/rotation-orders/99999", headers=keeper).status_code == 404
    assert client.get("/api/v1/plan-orders/99999", headers=keeper).status_code == 404


@pytest.mark.parametrize("role, status", [("keeper", 403), ("auditor", 403), ("planner", 200),
                                          ("bureau", 200), ("admin", 200)])
def test_planners_the_bureau_and_admins_cancel_rotation_orders(client, world, plan, role,
                                                               status):
    order_id = rotation_orders(world, plan)
    cancelled = client.post(f"/api/v1/rotation-orders/{order_id}/cancel",
                            headers=world.headers(role), json={"reason": "计划调整"})
    assert cancelled.status_code == status, cancelled.json
    state = client.get(f"/api/v1/rotation-orders/{order_id}", headers=world.headers("auditor"))
    assert state.json["state"] == ("cancelled" if status == 200 else "open")
    assert client.post(f"/api/v1/rotation-orders/{order_id}/cancel",
                       headers=world.headers("bureau"), json={}).status_code == 422
