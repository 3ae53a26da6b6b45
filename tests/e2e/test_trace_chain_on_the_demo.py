"""The whole chain on the demo county, over the API as each person would do their part: a
dispatch plan for a shelter becomes transfer orders; the sending keeper dispatches one with
its waybill; the shelter's keeper scans it on arrival, receives it and hands some out; the lot's
trace then shows the receipt, the transfer with its waybill's times, and the handing out, on
its page and in its export; the shelter's trace shows the arrival and what was handed out;
and the disclosure still adds up to the ledger."""

import csv
import io
from datetime import timedelta

import pytest
from apps import sqlite_app
from crawl import DEMO_USERS, logged_in
from sqlalchemy import func, select

from inventory import clock
from inventory.auth.models import User
from inventory.db import db, utcnow
from inventory.stock.models import Lot, Movement
from inventory.transfers.models import Transfer

SHELTER = "BN-02-01"


@pytest.fixture(scope="module")
def county(demo_copies, tmp_path_factory):
    yield from sqlite_app(demo_copies.database(), tmp_path_factory.mktemp("chain"))


def _token(client, role: str) -> dict:
    username, password = DEMO_USERS[role] if role in DEMO_USERS else (role, "demo-keeper")
    answer = client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert answer.status_code == 201, answer.json
    return {"Authorization": f"Bearer {answer.json['token']}"}


def _keeper_of(depot_code: str) -> str:
    db.session.rollback()
    keepers = db.session.scalars(select(User).where(User.role == "keeper")).all()
    return next(user.username for user in keepers
                if any(depot.code == depot_code for depot in user.depots))


def _plan_orders(client) -> list[Transfer]:
    planner = _token(client, "planner")
    body = {"name": "黄渠桥镇安置 120 人", "kind": "dispatch",
            "date": (clock.today() + timedelta(days=1)).isoformat(), "deadline_hours": 10,
            "sites": [{"shelter": SHELTER, "people": 120}], "modes": ["physical"]}
    scenario = client.post("/api/v1/scenarios", headers=planner, json=body)
    assert scenario.status_code == 201, scenario.json
    started = client.post(f"/api/v1/scenarios/{scenario.json['id']}/runs", headers=planner)
    assert started.status_code == 202, started.json
    run = client.get(f"/api/v1/runs/{started.json['id']}", headers=planner).json
    assert run["status"] == "finished", run
    orders = client.post(f"/api/v1/runs/{run['id']}/orders",
                         headers={**planner, "Idempotency-Key": "chain-orders"})
    assert orders.status_code == 201, orders.json
    db.session.rollback()
    return [db.session.get(Transfer, i) for i in orders.json["transfers"]]


def test_a_planned_transfer_is_traced_from_receipt_to_the_shelter_hand_out(county):
    client = county.test_client()
    transfers = [t for t in _plan_orders(client) if t.to_depot.code == SHELTER]
    assert transfers, "the plan sends nothing to the shelter"
    transfer = transfers[0]
    line = transfer.lines[0]
    sender = {"Authorization": _token(client, _keeper_of(transfer.from_depot.code))[
        "Authorization"]}
    receiver = _token(client, _keeper_of(SHELTER))
    # The goods leave two hours ago (after the lots' last rows), arrive an hour and a half later.
    last = db.session.scalar(select(func.max(Movement.occurred_at)).where(
        Movement.lot_id.in_([x.lot_id for x in transfer.lines])))
    left = max(utcnow() - timedelta(hours=2), clock.local_time(last) + timedelta(minutes=1))
    arrived = left + (utcnow() - left) * 3 / 4
    dispatched = client.post(
        f"/api/v1/transfers/{transfer.id}/dispatch",
        headers={**sender, "Idempotency-Key": "chain-dispatch"},
        json={"occurred_at": clock.local_time(left).isoformat(),
              "waybill": {"plate": "宁B·E1101", "seal_number": "QF-9001"}})
    assert dispatched.status_code == 200, dispatched.json
    waybill = client.get(f"/api/v1/transfers/{transfer.id}/waybill", headers=sender).json
    scanned = client.post("/api/v1/waybills/arrivals", headers=receiver,
                          json={"code": waybill["number"],
                                "occurred_at": clock.local_time(arrived).isoformat()})
    assert scanned.status_code == 200, scanned.json
    assert scanned.json["trip_hours"] == pytest.approx((arrived - left).total_seconds() / 3600,
                                                       abs=0.01)
    received = client.post(f"/api/v1/transfers/{transfer.id}/receive", headers=receiver,
                           json={"occurred_at": clock.local_time(
                               arrived + timedelta(minutes=5)).isoformat()})
    assert received.status_code == 200, received.json
    db.session.rollback()
    shelter_lot = db.session.get(Transfer, transfer.id).lines[0].received_lot_id
    handed = client.post("/api/v1/issues", headers={**receiver, "Idempotency-Key": "chain-ff"},
                         json={"lot": shelter_lot, "quantity": 1, "reference": "FF-2026-00042"})
    assert handed.status_code == 201, handed.json

    trace = client.get(f"/api/v1/lots/{shelter_lot}/trace", headers=_token(client, "auditor")).json
    steps = [(s["kind"], s["depot"], s["transfer"], s["reference"]) for s in trace["steps"]]
    first = trace["first"]
    assert steps[0][:2] == ("receipt", db.session.get(Lot, first["id"]).depot.code)
    ours = [s for s in steps if s[2] == transfer.number]
    assert [s[:2] for s in ours] == [("transfer_out", transfer.from_depot.code),
                                     ("transfer_in", SHELTER)]
    assert steps[-1] == ("issue", SHELTER, None, "FF-2026-00042")
    assert steps.index(ours[0]) < steps.index(ours[1]) < len(steps) - 1
    leg = next(leg for leg in trace["transfers"] if leg["transfer"] == transfer.number)
    assert leg["waybill"]["number"] == waybill["number"]
    assert leg["waybill"]["departed_at"] == clock.local_time(left).isoformat()
    assert leg["waybill"]["arrived_at"] == clock.local_time(arrived).isoformat()
    assert leg["waybill"]["trip_hours"] == scanned.json["trip_hours"]
    assert (leg["sent"], leg["received"], leg["from_lot"]) == (line.quantity, line.quantity,
                                                               line.lot_id)
    assert trace["handed_out"] == 1

    export = client.get(f"/api/v1/lots/{shelter_lot}/trace.csv", headers=receiver)
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert any(waybill["number"] in row and "FF-2026-00042" not in row for row in rows)
    assert rows[-1][8] == "FF-2026-00042" and rows[-1][1] == "发放"

    shelter = client.get(f"/api/v1/shelters/{SHELTER}/trace", headers=sender).json
    arrival = next(a for a in shelter["arrivals"] if a["transfer"] == transfer.number)
    assert arrival["waybill"]["trip_hours"] == scanned.json["trip_hours"]
    assert [(h["reference"], h["quantity"]) for h in shelter["handed_out"]] == [
        ("FF-2026-00042", -1)]

    page = logged_in(county, *DEMO_USERS["planner"]).get(f"/trace/lots/{shelter_lot}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and waybill["number"] in text and "FF-2026-00042" in text


def test_the_demo_disclosure_adds_up_to_the_ledger(county):
    client = county.test_client()
    report = client.get("/api/v1/donations/disclosure?from=2000-01-01",
                        headers=_token(client, "keeper")).json
    db.session.rollback()
    donated = db.session.scalars(select(Lot.id).where(Lot.source == "donation")).all()
    received = dict(db.session.execute(
        select(Lot.item_id, func.sum(Movement.quantity)).join(Lot, Lot.id == Movement.lot_id)
        .where(Movement.lot_id.in_(donated), Movement.kind == "receipt")
        .group_by(Lot.item_id)).all())
    assert sum(report["received_by_item"].values()) == sum(received.values()) == 206
    lots = {lot.id: lot for lot in db.session.scalars(select(Lot))}

    def root(lot):
        while lot.origin_lot_id is not None:
            lot = lots[lot.origin_lot_id]
        return lot

    used = -sum(m.quantity for m in db.session.scalars(select(Movement).where(
        Movement.kind == "issue")) if root(lots[m.lot_id]).source == "donation")
    assert sum(report["used_by_item"].values()) == used
    # The village's donation was received without a pledge: its donor is not registered.
    by_donor = {(row["donor"], row["item"]): row["quantity"] for row in report["received"]}
    assert by_donor == {("宁夏某爱心企业", "SH-QUILT"): 200, ("未登记捐赠方", "FW-NOODLE"): 6}
    assert report["money_total"] == "20000.00"
