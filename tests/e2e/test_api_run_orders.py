"""``POST /api/v1/runs/<id>/orders``: a finished run's plan becomes draft transfers from each
depot to each shelter (lots first-expiry-first-out among those usable on the plan's day),
call-offs delivered to the shelters and production orders; once per run, idempotent by key;
refused, changing nothing, before the run has a plan; planners, the bureau and admins only."""

import pytest
from sqlalchemy import func, select
from test_api_planning import _create, _run, county, scenario_body  # noqa: F401

from inventory.contracts.models import CallOff
from inventory.db import db
from inventory.planning.models import Run
from inventory.planorders.models import PlanOrders, ProductionOrder
from inventory.stock.models import Lot, Movement
from inventory.transfers.models import Transfer


def _counts():
    db.session.rollback()
    return [db.session.scalar(select(func.count()).select_from(model))
            for model in (Transfer, CallOff, ProductionOrder, PlanOrders, Movement)]


@pytest.fixture
def run(client, world, county):  # noqa: F811
    scenario = _create(client, world, scenario_body(county)).json
    finished = _run(client, world, scenario["id"])
    assert finished["status"] == "finished" and finished["result"]["status"] == "optimal"
    return finished


def test_a_plan_becomes_draft_transfers_call_offs_and_production_orders(
        client, world, county, run):  # noqa: F811
    before = _counts()
    made = client.post(f"/api/v1/runs/{run['id']}/orders",
                       headers=world.headers("planner", **{"Idempotency-Key": "orders-1"}))
    assert made.status_code == 201, made.json
    assert made.json["run"] == run["id"] and made.json["kind"] == "dispatch"
    shipments = run["result"]["shipments"]
    sources = {s["id"]: s["kind"] for s in
               client.get(f"/api/v1/runs/{run['id']}/input.json",
                          headers=world.headers("planner")).get_json()["sources"]}
    # One draft transfer per depot and shelter, its lines adding up to the plan's units;
    # the shelter's own store (BN-01 → BN-01) is already in place and moves nowhere.
    planned: dict = {}
    for s in shipments:
        if sources[s["source"]] == "physical" and s["source"] != s["site"]:
            key = (s["source"], s["site"], s["item"])
            planned[key] = planned.get(key, 0) + s["quantity"]
    ordered: dict = {}
    picked: dict = {}
    transfers = [db.session.get(Transfer, i) for i in made.json["transfers"]]
    assert len(transfers) == len({(s, d) for s, d, _ in planned})
    for transfer in transfers:
        assert transfer.status == "draft" and transfer.reference == f"RUN-{run['id']}"
        for line in transfer.lines:
            key = (transfer.from_depot.code, transfer.to_depot.code, line.item.code)
            ordered[key] = ordered.get(key, 0) + line.quantity
            lot = db.session.get(Lot, line.lot_id)
            assert lot.depot_id == transfer.from_depot_id and lot.status == "available"
            picked.setdefault((lot.depot_id, lot.item_id), []).append(lot)
    assert ordered == planned
    # First expiry first out, among the lots still usable on the scenario's day: the water
    # lasting exactly until that day goes first, the one expiring the day before never.
    lots = county["lots"]
    picked_ids = {lot.id for group in picked.values() for lot in group}
    assert lots["W-EXPIRING"] not in picked_ids
    assert sum(v for k, v in ordered.items() if k[0] == "XZ-01" and k[2] == "FW-WATER-5L") \
        == 340  # all of the county warehouse's usable water, the 1,500 needed being more
    assert lots["W-LAST-DAY"] in picked_ids
    # Contract shipments: call-offs on the agreement, delivered to the shelter.
    contract = {(s["site"], s["quantity"]) for s in shipments if sources[s["source"]] ==
                "contract"}
    call_offs = {(db.session.get(CallOff, i).depot.code, db.session.get(CallOff, i).quantity)
                 for i in made.json["call_offs"]}
    assert call_offs == contract
    capacity = sorted((s["site"], s["item"], s["quantity"]) for s in shipments
                      if sources[s["source"]] == "capacity")
    production = sorted((o.destination.code, o.item.code, o.quantity) for o in
                        (db.session.get(ProductionOrder, i)
                         for i in made.json["production_orders"]))
    assert production == capacity
    # Nothing moved in the ledger; the same key again answers the same and makes nothing.
    after = _counts()
    assert after[-1] == before[-1] and after[3] == before[3] + 1
    again = client.post(f"/api/v1/runs/{run['id']}/orders",
                        headers=world.headers("planner", **{"Idempotency-Key": "orders-1"}))
    assert again.status_code == 201 and again.json == made.json
    assert _counts() == after
    other = client.post(f"/api/v1/runs/{run['id']}/orders", headers=world.headers("bureau"))
    assert other.status_code == 409 and f"RUN-{run['id']}" in other.json["message"]
    assert _counts() == after
    assert client.get(f"/api/v1/plan-orders/{run['id']}",
                      headers=world.headers("auditor")).json == made.json


@pytest.mark.parametrize("role, status", [("keeper", 403), ("auditor", 403), ("planner", 201),
                                          ("bureau", 201), ("admin", 201)])
def test_planners_the_bureau_and_admins_make_a_runs_orders(client, world, run, role, status):
    before = _counts()
    made = client.post(f"/api/v1/runs/{run['id']}/orders", headers=world.headers(role))
    assert made.status_code == status, made.json
    if status == 403:
        assert made.json["code"] == "forbidden" and _counts() == before


def test_a_run_without_a_plan_or_unknown_is_refused_and_changes_nothing(
        client, world, county, run):  # noqa: F811
    before = _counts()
    unknown = client.post("/api/v1/runs/999999/orders", headers=world.headers("planner"))
    assert unknown.status_code == 404 and unknown.json["code"] == "not_found"
    scenario = _create(client, world, scenario_body(county, name="另一方案")).json
    waiting = client.post(f"/api/v1/scenarios/{scenario['id']}/runs",
                          headers=world.headers("planner")).json
    queued = db.session.get(Run, waiting["id"])
    queued.result = None
    queued.job.status = "queued"
    db.session.commit()
    early = client.post(f"/api/v1/runs/{waiting['id']}/orders",
                        headers=world.headers("planner", **{"Accept-Language": "en"}))
    assert early.status_code == 409 and "not finished" in early.json["message"]
    assert _counts() == before

