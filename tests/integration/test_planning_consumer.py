"""The workbench end to end on the demo county, with runs solved by a real consumer process
(``flask jobs-worker``): a scenario from the plan's 1,200-person target, its input checked
against the data (stock, expiry, roads, norms), a plan within stock and deadlines; runs
cancelled while waiting and while solving."""

import json
import shutil
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from apps import _config
from sqlalchemy import func, or_, select
from test_jobs_consumer import _consumer, _stop

from inventory import clock, create_app, demo
from inventory.auth.services import create_token
from inventory.catalogue.models import Item
from inventory.contracts.models import CallOff
from inventory.db import db
from inventory.geo.models import Depot
from inventory.jobs import queue
from inventory.planning.models import Run
from inventory.readiness.models import Norm, Target
from inventory.shelters.models import Shelter
from inventory.shelters.queries import ShelterRoutes
from inventory.stock.models import Lot
from inventory.transfers.models import Transfer


@pytest.fixture(scope="module")
def county(sqlite_template, tmp_path_factory):
    """The demo county on its own SQLite file, its jobs on a real queue."""
    folder = tmp_path_factory.mktemp("planning-consumer")
    path = folder / "reserves.sqlite3"
    shutil.copy(sqlite_template, path)
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "JOBS_IMMEDIATE": False,
                "JOBS_URL": f"sqlite:///{folder / 'jobs.sqlite3'}",
                "JOBS_NAME": f"reserves-test-{uuid.uuid4().hex[:8]}"}
    app = create_app(_config(settings["SQLALCHEMY_DATABASE_URI"], folder) | settings)
    app.config["TEST_SETTINGS"] = settings
    with app.app_context():
        demo.seed(db.session)
        token = create_token(db.session, "planner")
        db.session.commit()
        app.config["PLANNER"] = {"Authorization": f"Bearer {token}"}
        yield app
        queue.current_queue().huey.storage.flush_all()
        db.session.remove()
        db.engine.dispose()


def _wait(client, headers, run_id, until=("finished", "failed", "cancelled"), timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = _get(client, headers, run_id)
        if run["status"] in until:
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} still {run['status']} after {timeout} s")


def _get(client, headers, run_id) -> dict:
    """Read a run as a new request would: the test's app context shares one session, which
    would otherwise keep its first snapshot of the consumer's writes."""
    db.session.remove()
    return client.get(f"/api/v1/runs/{run_id}", headers=headers).json


def _target(people: int, hours: int) -> Target:
    return db.session.scalar(select(Target).where(Target.people == people,
                                                  Target.deadline_hours == hours))


def test_a_dispatch_from_the_1200_person_target_is_solved_by_a_consumer(county):
    client, headers = county.test_client(), county.config["PLANNER"]
    target = _target(1200, 10)
    day = clock.today() + timedelta(days=2)
    made = client.post("/api/v1/scenarios", headers=headers, json={
        "name": "全县集中安置 1200 人", "kind": "dispatch", "date": day.isoformat(),
        "deadline_hours": 10, "target": target.id})
    assert made.status_code == 201, made.json
    sites = made.json["sites"]
    assert sum(site["people"] for site in sites) == 1200 and len(sites) == 7
    started = client.post(f"/api/v1/scenarios/{made.json['id']}/runs", headers=headers)
    assert started.status_code == 202 and started.json["status"] == "queued"
    consumer = _consumer(county)
    try:
        run = _wait(client, headers, started.json["id"])
    finally:
        output = _stop(consumer)
    assert run["status"] == "finished", (run["error"], output)
    assert run["elapsed_seconds"] > 0 and run["stale"] is False
    document = json.loads(client.get(f"/api/v1/runs/{run['id']}/input.json",
                                     headers=headers).data)
    _check_stock(document, day)
    _check_roads_and_norms(document, sites)
    _check_plan(document, run["result"])
    _check_orders(client, headers, run, document, day)


def _check_orders(client, headers, run: dict, document: dict, day) -> None:
    """The orders match the plan line for line, their lots add up and are picked
    first-expiry-first-out among those usable on the day; the same key makes nothing new."""
    keyed = headers | {"Idempotency-Key": f"orders-{run['id']}"}
    made = client.post(f"/api/v1/runs/{run['id']}/orders", headers=keyed)
    assert made.status_code == 201, made.json
    kinds = {s["id"]: s["kind"] for s in document["sources"]}
    planned: dict = {}
    for s in run["result"]["shipments"]:
        if kinds[s["source"]] == "physical" and s["source"] != s["site"]:
            key = (s["source"], s["site"], s["item"])
            planned[key] = planned.get(key, 0) + s["quantity"]
    db.session.remove()
    ordered: dict = {}
    picked: dict = {}
    for transfer in db.session.scalars(select(Transfer).where(
            Transfer.id.in_(made.json["transfers"]))):
        assert transfer.status == "draft"
        for line in transfer.lines:
            key = (transfer.from_depot.code, transfer.to_depot.code, line.item.code)
            ordered[key] = ordered.get(key, 0) + line.quantity
            lot = db.session.get(Lot, line.lot_id)
            assert lot.depot_id == transfer.from_depot_id
            group = picked.setdefault((lot.depot_id, lot.item_id), {})
            group[lot.id] = group.get(lot.id, 0) + line.quantity
    assert ordered == planned and ordered
    last = date.max
    for (depot_id, item_id), taken in picked.items():
        usable = db.session.scalars(select(Lot).where(
            Lot.depot_id == depot_id, Lot.item_id == item_id, Lot.status == "available",
            Lot.quantity > 0, or_(Lot.expires_on.is_(None), Lot.expires_on >= day))).all()
        assert set(taken) <= {lot.id for lot in usable}
        latest_taken = max((lot.expires_on or last) for lot in usable if lot.id in taken)
        for lot in usable:
            assert taken.get(lot.id, 0) <= lot.quantity
            if taken.get(lot.id, 0) < lot.quantity:  # left behind: expires no sooner
                assert (lot.expires_on or last) >= latest_taken, (lot.code, latest_taken)
    contract = sum(s["quantity"] for s in run["result"]["shipments"]
                   if kinds[s["source"]] == "contract")
    assert sum(db.session.get(CallOff, i).quantity for i in made.json["call_offs"]) == contract
    counted = db.session.scalar(select(func.count(Transfer.id)))
    again = client.post(f"/api/v1/runs/{run['id']}/orders", headers=keyed)
    assert again.status_code == 201 and again.json == made.json
    db.session.remove()
    assert db.session.scalar(select(func.count(Transfer.id))) == counted


def _check_stock(document: dict, day) -> None:
    """Every depot's stock is its lots available and lasting until the day, item by item."""
    codes = [item["code"] for item in document["items"]]
    usable = {}
    for depot, item, units in db.session.execute(
            select(Depot.code, Item.code, func.sum(Lot.quantity))
            .join(Depot, Depot.id == Lot.depot_id).join(Item, Item.id == Lot.item_id)
            .where(Lot.status == "available", Lot.quantity > 0, Item.code.in_(codes),
                   or_(Lot.expires_on.is_(None), Lot.expires_on >= day))
            .group_by(Depot.code, Item.code)):
        usable.setdefault(depot, {})[item] = int(units)
    physical = {s["id"]: s for s in document["sources"] if s["kind"] == "physical"}
    assert physical, document["sources"]
    for code, source in physical.items():
        assert source["stock"] == usable[code], code
    # The county warehouse holds stock that expires before the day or is quarantined.
    held = db.session.scalar(select(func.sum(Lot.quantity)).join(Depot)
                             .where(Depot.code == "XZ-01", Lot.quantity > 0))
    assert sum(physical["XZ-01"]["stock"].values()) < held


def _check_roads_and_norms(document: dict, sites: list[dict]) -> None:
    routes = ShelterRoutes(db.session)
    shelters = {s.code: s for s in db.session.scalars(select(Shelter))}
    depots = {d.code: d for d in db.session.scalars(select(Depot))}
    physical = {s["id"]: s for s in document["sources"] if s["kind"] == "physical"}
    for leg in document["travel_hours"]:
        if leg["from"] not in physical:
            continue
        expected = routes.route(depots[leg["from"]].id, shelters[leg["to"]].id).hours
        assert leg["hours"] == pytest.approx(expected), leg
        assert float(depots[leg["from"]].handling_hours) + leg["hours"] <= 10 + 1e-9
    # The surveyed road from the county warehouse to the county seat's shelter.
    assert {(leg["from"], leg["to"]): leg["hours"] for leg in document["travel_hours"]}[
        ("XZ-01", "BN-01-01")] == 0.25
    norms = {n.item.code: n.per_person for n in db.session.scalars(
        select(Norm).where(Norm.season == "all"))}
    people = {site["shelter"]: site["people"] for site in sites}
    for site in document["sites"]:
        assert site["people"] == people[site["id"]]
        for code, units in site["demand"].items():
            exact = Decimal(site["people"]) * norms[code]
            assert units - 1 < exact <= units, (site["id"], code)


def _check_plan(document: dict, plan: dict) -> None:
    stock = {(s["id"], k): v for s in document["sources"] for k, v in s.get("stock", {}).items()}
    roads = {(leg["from"], leg["to"]) for leg in document["travel_hours"]}
    sent: dict = {}
    for shipment in plan["shipments"]:
        assert (shipment["source"], shipment["site"]) in roads
        assert shipment["arrival_hours"] <= document["deadline_hours"] + 1e-9
        key = (shipment["source"], shipment["item"])
        sent[key] = sent.get(key, 0) + shipment["quantity"]
    assert all(units <= stock[key] for key, units in sent.items() if key in stock)
    delivered: dict = {}
    for shipment in plan["shipments"]:
        key = (shipment["site"], shipment["item"])
        delivered[key] = delivered.get(key, 0) + shipment["quantity"]
    for site in document["sites"]:
        for code, units in site["demand"].items():
            assert delivered.get((site["id"], code), 0) <= units
    assert plan["objective"]["people_fully_supplied"] <= 1200


def test_runs_cancelled_while_waiting_and_while_solving_end_cancelled(county):
    client, headers = county.test_client(), county.config["PLANNER"]
    day = (clock.today() + timedelta(days=2)).isoformat()
    waiting = client.post("/api/v1/scenarios", headers=headers, json={
        "name": "取消测试", "kind": "dispatch", "date": day, "target": _target(1200, 6).id}).json
    skipped = client.post(f"/api/v1/scenarios/{waiting['id']}/runs", headers=headers).json
    cancelled = client.post(f"/api/v1/runs/{skipped['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    town = _target(300, 10)
    cases = [{"name": f"情景{n}", "weight": 1, "target": t.id}
             for n, t in enumerate([_target(1200, 10), _target(1200, 6), town], start=1)]
    long = client.post("/api/v1/scenarios", headers=headers, json={
        "name": "汛前预置", "kind": "preposition", "date": day, "deadline_hours": 10,
        "budget": 500000, "cases": cases + [{"name": "城关镇加重", "weight": 2,
                                             "target": town.id}]})
    assert long.status_code == 201, long.json
    solving = client.post(f"/api/v1/scenarios/{long.json['id']}/runs", headers=headers).json
    consumer = _consumer(county)
    try:
        _wait(client, headers, solving["id"], until=("running",))
        deadline = time.monotonic() + 60
        while _get(client, headers, solving["id"])["phase"] != "solve":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        asked = client.post(f"/api/v1/runs/{solving['id']}/cancel", headers=headers)
        assert asked.status_code == 200 and asked.json["cancel_requested"]
        ended = _wait(client, headers, solving["id"], timeout=30)
    finally:
        output = _stop(consumer)
    assert (ended["status"], ended["phase"], ended["result"]) == ("cancelled", "solve", None), \
        output
    assert db.session.get(Run, skipped["id"]).input is None  # never ran
    assert client.get(f"/api/v1/runs/{solving['id']}/input.json",
                      headers=headers).status_code == 200
