"""Who may do what, for every operation of the OpenAPI document and every role.

ACCESS names, for each operation, the roles that may call it; an operation of the document
that is not in the table (or a row for one that is gone) fails the test, so a new endpoint
has to be classified here. Each cell is a real request with data that names real rows: a
role that may gets past the check (no 401 or 403), a role that may not gets 403 with the
error body, and a refused request changes nothing.

``keeper`` is the keeper of XZ-01, the depot every request acts at; ``keeper2`` keeps TS-01
only, so for an operation open to "keeper" (own depot) the other keeper must be refused.
"any keeper" opens an operation to both (it acts at no depot).
"""

import io
import re

import pytest
from checks import assert_refused, nothing_changes
from factories import PASSWORD, make_world
from test_audit_trail import CHANGES, _batch, _call_off, _pledge, _scenario, _spare_token

from inventory.db import db
from inventory.stock import services as stock

ROLES = ("admin", "bureau", "keeper", "keeper2", "planner", "auditor")
EVERYONE = ("admin", "bureau", "any keeper", "planner", "auditor")
PUBLIC = ("public",)
MANAGERS = ("admin", "bureau")
MOVERS = ("admin", "keeper")  # admins anywhere, keepers at their own depots
LEDGER_READERS = ("admin", "bureau", "auditor")
PLANNERS = ("admin", "bureau", "planner")
#: the bureau and admins hand out stock at any depot, keepers at their own
DISTRIBUTORS = ("admin", "bureau", "keeper")
#: keepers see stock, not what suppliers are owed
SETTLEMENT_READERS = ("admin", "bureau", "planner", "auditor")

#: (method, OpenAPI path) → the roles that may call it
ACCESS = {
    ("POST", "/api/v1/tokens"): PUBLIC,
    ("DELETE", "/api/v1/tokens"): EVERYONE,
    ("GET", "/api/v1/me"): EVERYONE,
    ("GET", "/api/v1/areas"): EVERYONE,
    ("GET", "/api/v1/depots"): EVERYONE,
    ("GET", "/api/v1/depots/{code}"): EVERYONE,
    ("PATCH", "/api/v1/depots/{code}"): MANAGERS,
    ("GET", "/api/v1/items"): EVERYONE,
    ("GET", "/api/v1/items/{code}"): EVERYONE,
    ("GET", "/api/v1/lots"): EVERYONE,
    ("GET", "/api/v1/lots/{lot_id}"): EVERYONE,
    ("POST", "/api/v1/lots/{lot_id}/status"): MOVERS,
    ("POST", "/api/v1/receipts"): MOVERS,
    ("POST", "/api/v1/issues"): MOVERS,
    ("POST", "/api/v1/adjustments"): MOVERS,
    ("POST", "/api/v1/write-offs"): MOVERS,
    ("POST", "/api/v1/reversals"): MOVERS,
    ("GET", "/api/v1/balances"): EVERYONE,
    ("GET", "/api/v1/movements"): EVERYONE,
    ("GET", "/api/v1/ledger/seals"): EVERYONE,
    ("POST", "/api/v1/ledger/seals"): LEDGER_READERS,
    ("GET", "/api/v1/ledger/verification"): LEDGER_READERS,
    ("GET", "/api/v1/transfers"): EVERYONE,
    ("POST", "/api/v1/transfers"): ("admin", "bureau", "keeper"),
    ("GET", "/api/v1/transfers/{transfer_id}"): EVERYONE,
    ("POST", "/api/v1/transfers/{transfer_id}/dispatch"): MOVERS,
    ("POST", "/api/v1/transfers/{transfer_id}/receive"): MOVERS,
    ("POST", "/api/v1/transfers/{transfer_id}/cancel"): ("admin", "bureau", "keeper"),
    ("GET", "/api/v1/transfers/{transfer_id}/order.pdf"): EVERYONE,
    ("GET", "/api/v1/stocktakes"): EVERYONE,
    ("POST", "/api/v1/stocktakes"): MOVERS,
    ("GET", "/api/v1/stocktakes/{stocktake_id}"): EVERYONE,
    ("POST", "/api/v1/stocktakes/{stocktake_id}/counts"): MOVERS,
    ("POST", "/api/v1/stocktakes/{stocktake_id}/submit"): MOVERS,
    ("POST", "/api/v1/stocktakes/{stocktake_id}/approve"): MANAGERS,
    ("POST", "/api/v1/stocktakes/{stocktake_id}/reject"): MANAGERS,
    ("GET", "/api/v1/scan"): EVERYONE,
    ("GET", "/api/v1/lots/{lot_id}/label"): EVERYONE,
    ("GET", "/api/v1/targets"): EVERYONE,
    ("POST", "/api/v1/targets"): MANAGERS,
    ("GET", "/api/v1/norms"): EVERYONE,
    ("PUT", "/api/v1/norms"): MANAGERS,
    ("GET", "/api/v1/minimums"): EVERYONE,
    ("POST", "/api/v1/minimums"): MANAGERS,
    ("DELETE", "/api/v1/minimums/{minimum_id}"): MANAGERS,
    ("GET", "/api/v1/minimums/compliance"): EVERYONE,
    ("GET", "/api/v1/adequacy"): EVERYONE,
    ("GET", "/api/v1/adequacy.xlsx"): EVERYONE,
    ("GET", "/api/v1/reserves"): EVERYONE,
    ("GET", "/api/v1/agreements"): EVERYONE,
    ("POST", "/api/v1/agreements"): MANAGERS,
    ("GET", "/api/v1/agreements/{agreement_id}"): EVERYONE,
    ("POST", "/api/v1/agreements/{agreement_id}/status"): MANAGERS,
    ("POST", "/api/v1/agreements/{agreement_id}/call-offs"): MANAGERS,
    ("GET", "/api/v1/call-offs"): EVERYONE,
    ("POST", "/api/v1/call-offs/{call_off_id}/receive"): MOVERS,
    ("POST", "/api/v1/call-offs/{call_off_id}/settle"): MANAGERS,
    ("POST", "/api/v1/call-offs/{call_off_id}/cancel"): MANAGERS,
    ("GET", "/api/v1/capacity"): EVERYONE,
    ("POST", "/api/v1/capacity"): MANAGERS,
    ("GET", "/api/v1/travel-times"): EVERYONE,
    ("PUT", "/api/v1/travel-times"): MANAGERS,
    ("GET", "/api/v1/imports/{kind}/template.{fmt}"): EVERYONE,
    ("POST", "/api/v1/imports/{kind}/preview"): EVERYONE,
    ("POST", "/api/v1/imports/{kind}"): MANAGERS,
    ("GET", "/api/v1/documents/{kind}.pdf"): EVERYONE,
    ("GET", "/api/v1/shelters"): EVERYONE,
    ("POST", "/api/v1/shelters"): MANAGERS,
    ("GET", "/api/v1/shelters/{code}"): EVERYONE,
    ("PATCH", "/api/v1/shelters/{code}"): MANAGERS,
    ("GET", "/api/v1/shelters/{code}/routes"): EVERYONE,
    ("GET", "/api/v1/shelter-travel-times"): EVERYONE,
    ("PUT", "/api/v1/shelter-travel-times"): MANAGERS,
    ("GET", "/api/v1/jobs"): EVERYONE,
    ("POST", "/api/v1/jobs"): LEDGER_READERS,
    ("GET", "/api/v1/jobs/{job_id}"): EVERYONE,
    ("POST", "/api/v1/jobs/{job_id}/cancel"): MANAGERS,
    ("GET", "/api/v1/reports/stock-summary"): EVERYONE,
    ("GET", "/api/v1/reports/stock-on-hand"): EVERYONE,
    ("GET", "/api/v1/reports/settlements"): SETTLEMENT_READERS,
    ("GET", "/api/v1/reports/stock-summary.xlsx"): EVERYONE,
    ("GET", "/api/v1/reports/stock-summary.pdf"): EVERYONE,
    ("GET", "/api/v1/reports/stock-on-hand.xlsx"): EVERYONE,
    ("GET", "/api/v1/reports/stock-on-hand.pdf"): EVERYONE,
    ("GET", "/api/v1/reports/settlements.xlsx"): SETTLEMENT_READERS,
    ("GET", "/api/v1/reports/settlements.pdf"): SETTLEMENT_READERS,
    ("GET", "/api/v1/scenarios"): EVERYONE,
    ("POST", "/api/v1/scenarios"): PLANNERS,
    ("GET", "/api/v1/scenarios/compare"): EVERYONE,
    ("GET", "/api/v1/scenarios/{scenario_id}"): EVERYONE,
    ("PATCH", "/api/v1/scenarios/{scenario_id}"): PLANNERS,
    ("POST", "/api/v1/scenarios/{scenario_id}/copy"): PLANNERS,
    ("GET", "/api/v1/scenarios/{scenario_id}/input.json"): EVERYONE,
    ("GET", "/api/v1/scenarios/{scenario_id}/runs"): EVERYONE,
    ("POST", "/api/v1/scenarios/{scenario_id}/runs"): PLANNERS,
    ("GET", "/api/v1/runs"): EVERYONE,
    ("GET", "/api/v1/runs/{run_id}"): EVERYONE,
    ("GET", "/api/v1/runs/{run_id}/input.json"): EVERYONE,
    ("GET", "/api/v1/runs/{run_id}/result.json"): EVERYONE,
    ("POST", "/api/v1/runs/{run_id}/cancel"): PLANNERS,
    ("POST", "/api/v1/runs/{run_id}/orders"): PLANNERS,
    ("GET", "/api/v1/plan-orders/{run_id}"): EVERYONE,
    ("GET", "/api/v1/rotation-orders"): EVERYONE,
    ("GET", "/api/v1/rotation-orders/{order_id}"): EVERYONE,
    ("POST", "/api/v1/rotation-orders/{order_id}/scans"): MOVERS,
    ("POST", "/api/v1/rotation-orders/{order_id}/cancel"): PLANNERS,
    ("GET", "/api/v1/production-orders"): EVERYONE,
    ("GET", "/api/v1/users"): ("admin", "auditor"),
    ("POST", "/api/v1/users"): ("admin",),
    ("PATCH", "/api/v1/users/{username}"): ("admin",),
    ("POST", "/api/v1/users/{username}/password"): ("admin",),
    ("DELETE", "/api/v1/users/{username}/tokens"): ("admin",),
    ("GET", "/api/v1/users/{username}/tokens"): ("admin", "auditor"),
    ("DELETE", "/api/v1/users/{username}/tokens/{token_id}"): ("admin",),
    ("POST", "/api/v1/me/password"): EVERYONE,
    ("GET", "/api/v1/me/tokens"): EVERYONE,
    ("DELETE", "/api/v1/me/tokens/{token_id}"): EVERYONE,
    ("GET", "/api/v1/audit-events"): ("admin", "auditor"),
    ("GET", "/api/v1/audit-events.csv"): ("admin", "auditor"),
    ("GET", "/api/v1/outlets"): EVERYONE,
    ("POST", "/api/v1/outlets"): PLANNERS,
    ("GET", "/api/v1/outlets/{outlet_id}"): EVERYONE,
    ("PATCH", "/api/v1/outlets/{outlet_id}"): PLANNERS,
    ("GET", "/api/v1/carriers"): EVERYONE,
    ("POST", "/api/v1/carriers"): MANAGERS,
    ("GET", "/api/v1/carriers/{code}"): EVERYONE,
    ("PATCH", "/api/v1/carriers/{code}"): MANAGERS,
    ("GET", "/api/v1/vehicles"): EVERYONE,
    ("POST", "/api/v1/vehicles"): MANAGERS,
    ("GET", "/api/v1/vehicles/{plate}"): EVERYONE,
    ("PATCH", "/api/v1/vehicles/{plate}"): MANAGERS,
    ("GET", "/api/v1/transport-agreements"): EVERYONE,
    ("POST", "/api/v1/transport-agreements"): MANAGERS,
    ("GET", "/api/v1/transport-agreements/{number}"): EVERYONE,
    ("PATCH", "/api/v1/transport-agreements/{number}"): MANAGERS,
    ("GET", "/api/v1/waybills"): EVERYONE,
    ("GET", "/api/v1/waybills/{waybill_id}"): EVERYONE,
    ("GET", "/api/v1/transfers/{transfer_id}/waybill"): EVERYONE,
    ("POST", "/api/v1/transfers/{transfer_id}/waybill"): MOVERS,
    ("POST", "/api/v1/call-offs/{call_off_id}/waybill"): ("admin", "bureau", "keeper"),
    ("POST", "/api/v1/waybills/{waybill_id}/arrival"): MOVERS,
    ("POST", "/api/v1/waybills/arrivals"): MOVERS,
    ("GET", "/api/v1/waybills/{waybill_id}/waybill.pdf"): EVERYONE,
    ("GET", "/api/v1/in-transit"): EVERYONE,
    ("GET", "/api/v1/trip-times"): EVERYONE,
    ("GET", "/api/v1/ledger/export.csv"): LEDGER_READERS,
    ("GET", "/api/v1/ledger/export.xlsx"): LEDGER_READERS,
    ("GET", "/api/v1/ledger/export.pdf"): LEDGER_READERS,
    ("GET", "/api/v1/donors"): EVERYONE,
    ("POST", "/api/v1/donors"): MANAGERS,
    ("GET", "/api/v1/donors/{donor_id}"): EVERYONE,
    ("PATCH", "/api/v1/donors/{donor_id}"): MANAGERS,
    ("GET", "/api/v1/pledges"): EVERYONE,
    ("POST", "/api/v1/pledges"): MANAGERS,
    ("GET", "/api/v1/pledges/{pledge_id}"): EVERYONE,
    ("POST", "/api/v1/pledges/{pledge_id}/receipts"): MOVERS,
    ("POST", "/api/v1/pledges/{pledge_id}/money"): MANAGERS,
    ("GET", "/api/v1/pledges/{pledge_id}/trace"): EVERYONE,
    ("GET", "/api/v1/donation-receipts"): EVERYONE,
    ("GET", "/api/v1/donation-receipts/{receipt_id}"): EVERYONE,
    ("GET", "/api/v1/donation-receipts/{receipt_id}/letter.pdf"): EVERYONE,
    ("GET", "/api/v1/donations/disclosure"): EVERYONE,
    ("GET", "/api/v1/donations/disclosure.xlsx"): EVERYONE,
    ("GET", "/api/v1/donations/disclosure.pdf"): EVERYONE,
    ("GET", "/api/v1/lots/{lot_id}/trace"): EVERYONE,
    ("GET", "/api/v1/lots/{lot_id}/trace.csv"): EVERYONE,
    ("GET", "/api/v1/lots/{lot_id}/trace.xlsx"): EVERYONE,
    ("GET", "/api/v1/shelters/{code}/trace"): EVERYONE,
    ("GET", "/api/v1/distributions"): EVERYONE,
    ("POST", "/api/v1/distributions"): DISTRIBUTORS,
    ("GET", "/api/v1/distributions/{distribution_id}"): EVERYONE,
    ("GET", "/api/v1/distributions/{distribution_id}/confirmation"): EVERYONE,
    ("POST", "/api/v1/distribution-batches"): DISTRIBUTORS,
    ("GET", "/api/v1/distribution-batches/{code}"): EVERYONE,
    ("POST", "/api/v1/distribution-batches/{code}/issue"): DISTRIBUTORS,
    ("POST", "/api/v1/distribution-batches/{code}/confirmation"): DISTRIBUTORS,
    ("POST", "/api/v1/recipients/trace"): LEDGER_READERS,  # a read, sent as a POST
}


def may(role: str, who: tuple[str, ...]) -> bool:
    """Whether the role may call an operation open to ``who``."""
    if who == PUBLIC or role in who:
        return True
    return role.startswith("keeper") and "any keeper" in who


@pytest.fixture
def app(shared_apps):
    """SQLite only: the matrix is a check of the rules, which do not depend on the database
    (test_the_other_keeper_is_refused_on_postgresql runs a sample there)."""
    yield from shared_apps.sqlite()


pytestmark = pytest.mark.usefixtures("each_request_finds_its_own_user")


def operations(client) -> set[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    return {(method.upper(), path) for path, ops in spec["paths"].items()
            for method in ops if method != "parameters"}


def test_every_operation_of_the_document_is_in_the_table(client):
    found = operations(client)
    assert sorted(found - set(ACCESS)) == [], "operations nobody has classified"
    assert sorted(set(ACCESS) - found) == [], "the table names gone operations"


def test_the_table_keeps_the_issues_rules():
    """Auditors only read, planners move no stock, only admins manage users, keepers move
    stock only where they keep it."""
    for (method, path), who in ACCESS.items():
        writes = method != "GET"
        if writes and (method, path) not in AUDITOR_WRITES:
            assert "auditor" not in who, path
        if (method, path) in STOCK_MOVES:
            assert "planner" not in who and "any keeper" not in who, path
            assert who != EVERYONE, path
        if path.startswith("/api/v1/users"):
            assert writes is False or who == ("admin",), path


#: what an auditor may still send: logging in and out, their own password, a preview that
#: reads a file, and the ledger's verification and seals (which change no data)
AUDITOR_WRITES = {("POST", "/api/v1/tokens"), ("DELETE", "/api/v1/tokens"),
                  ("POST", "/api/v1/me/password"), ("DELETE", "/api/v1/me/tokens/{token_id}"),
                  ("POST", "/api/v1/imports/{kind}/preview"),
                  ("POST", "/api/v1/ledger/seals"), ("POST", "/api/v1/jobs"),
                  ("POST", "/api/v1/recipients/trace")}

#: the operations that write ledger rows (or hand stock over): never a planner's, and a
#: keeper's only at their own depot
STOCK_MOVES = {key for key, who in ACCESS.items() if who in (MOVERS, DISTRIBUTORS)} | {
    ("POST", "/api/v1/transfers"), ("POST", "/api/v1/transfers/{transfer_id}/cancel"),
    ("POST", "/api/v1/stocktakes/{stocktake_id}/approve"),
    ("POST", "/api/v1/imports/{kind}")}


# Requests for the operations that test_audit_trail.py's CHANGES does not cover, each
# acting at XZ-01 (the keeper's depot) on rows made for it.

def _lot(world):
    lot, _ = stock.receive(db.session, world.users["admin"], depot="XZ-01", item="SH-TENT-12",
                           quantity=10)
    db.session.commit()
    return lot


def _receipt(world):
    _, movements = stock.receive(db.session, world.users["admin"], depot="XZ-01",
                                 item="SH-TENT-12", quantity=10)
    db.session.commit()
    return movements[0]


def _api(client, world, method, url, **kwargs):
    response = client.open(url, method=method, headers=world.headers("admin"), **kwargs)
    assert response.status_code < 300, (url, response.get_json())
    return response.get_json()


def _transfer(client, world, source="XZ-01", target="TS-01"):
    stock.receive(db.session, world.users["admin"], depot=source, item="SH-TENT-12",
                  quantity=10)
    db.session.commit()
    return _api(client, world, "POST", "/api/v1/transfers", json={
        "from_depot": source, "to_depot": target,
        "lines": [{"item": "SH-TENT-12", "quantity": 2}]})["id"]


def _dispatched(client, world, source="XZ-01", target="TS-01"):
    transfer = _transfer(client, world, source, target)
    _api(client, world, "POST", f"/api/v1/transfers/{transfer}/dispatch", json={})
    return transfer


def _arriving(client, world, *, waybill=False):
    """A transfer from TS-01 on its way to XZ-01 (with a waybill when asked)."""
    transfer = _dispatched(client, world, source="TS-01", target="XZ-01")
    made = None
    if waybill:
        made = _api(client, world, "POST", f"/api/v1/transfers/{transfer}/waybill",
                    json={"plate": "宁B12345"})
    return transfer, made


def _stocktake(client, world, *, submitted=False):
    lot = _lot(world)
    taken = _api(client, world, "POST", "/api/v1/stocktakes", json={"depot": "XZ-01"})["id"]
    if submitted:
        _api(client, world, "POST", f"/api/v1/stocktakes/{taken}/counts",
             json={"lot": lot.id, "counted": 9})
        _api(client, world, "POST", f"/api/v1/stocktakes/{taken}/submit", json={})
    return taken, lot


def _job(client, world):
    return _api(client, world, "POST", "/api/v1/jobs", json={"kind": "ledger.verify"})["id"]


def _run(client, world):
    """A planner's run: besides admins and the bureau, only who asked for a run cancels it."""
    scenario = _scenario(world)
    db.session.commit()
    response = client.post(f"/api/v1/scenarios/{scenario.id}/runs", json={},
                           headers=world.headers("planner"))
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def _rotation_order(world):
    """A rotation order at XZ-01 and the lot it takes out first."""
    from plan_world import make_plan_world
    from test_api_plan_orders import rotation_orders

    plan = make_plan_world(db.session, world)
    return rotation_orders(world, plan), plan.lots["W-MID"].id


def _households():
    text = "\ufeff姓名,家庭人口,FW-WATER-5L\n张三,3,1\n"
    return {"data": {"depot": "XZ-01",
                     "file": (io.BytesIO(text.encode("utf-8")), "households.csv")},
            "content_type": "multipart/form-data"}


def _distribution():
    from distribution_helpers import signature_png

    return {"json": {"depot": "XZ-01", "name": "张三", "household_size": 3,
                     "items": [{"item": "FW-WATER-5L", "quantity": 1}],
                     "confirmation": {"kind": "signature", "image": signature_png()}}}


#: (method, OpenAPI path) → prepare(client, world) → (url, request kwargs)
REQUESTS = {
    ("POST", "/api/v1/recipients/trace"): lambda c, w: (
        "/api/v1/recipients/trace", {"json": {"id_number": "11010519491231002X"}}),
    ("POST", "/api/v1/tokens"): lambda c, w: (
        "/api/v1/tokens", {"json": {"username": "planner", "password": PASSWORD}}),
    ("DELETE", "/api/v1/tokens"): lambda c, w: ("/api/v1/tokens", {}),
    # One spare token of the keeper's: its own holder revokes it, everyone else hears 404.
    ("DELETE", "/api/v1/me/tokens/{token_id}"): lambda c, w: (
        f"/api/v1/me/tokens/{_spare_token('keeper')}", {}),
    ("POST", "/api/v1/lots/{lot_id}/status"): lambda c, w: (
        f"/api/v1/lots/{_lot(w).id}/status",
        {"json": {"status": "quarantined", "reason": "抽检"}}),
    ("POST", "/api/v1/receipts"): lambda c, w: ("/api/v1/receipts", {"json": {
        "depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1}}),
    ("POST", "/api/v1/issues"): lambda c, w: (_lot(w) and "/api/v1/issues", {"json": {
        "depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1, "reason": "救灾"}}),
    ("POST", "/api/v1/adjustments"): lambda c, w: ("/api/v1/adjustments", {"json": {
        "lot": _lot(w).id, "counted_quantity": 9, "reason": "盘亏"}}),
    ("POST", "/api/v1/write-offs"): lambda c, w: ("/api/v1/write-offs", {"json": {
        "lot": _lot(w).id, "quantity": 1, "reason": "破损"}}),
    ("POST", "/api/v1/reversals"): lambda c, w: ("/api/v1/reversals", {"json": {
        "movement": _receipt(w).id, "reason": "录错"}}),
    ("POST", "/api/v1/ledger/seals"): lambda c, w: ("/api/v1/ledger/seals", {}),
    ("POST", "/api/v1/transfers"): lambda c, w: (_lot(w) and "/api/v1/transfers", {"json": {
        "from_depot": "XZ-01", "to_depot": "TS-01",
        "lines": [{"item": "SH-TENT-12", "quantity": 1}]}}),
    ("POST", "/api/v1/transfers/{transfer_id}/dispatch"): lambda c, w: (
        f"/api/v1/transfers/{_transfer(c, w)}/dispatch", {"json": {}}),
    ("POST", "/api/v1/transfers/{transfer_id}/receive"): lambda c, w: (
        f"/api/v1/transfers/{_arriving(c, w)[0]}/receive", {"json": {}}),
    ("POST", "/api/v1/transfers/{transfer_id}/cancel"): lambda c, w: (
        f"/api/v1/transfers/{_transfer(c, w)}/cancel", {}),
    ("POST", "/api/v1/transfers/{transfer_id}/waybill"): lambda c, w: (
        f"/api/v1/transfers/{_dispatched(c, w)}/waybill", {"json": {"plate": "宁B12345"}}),
    ("POST", "/api/v1/call-offs/{call_off_id}/waybill"): lambda c, w: (
        f"/api/v1/call-offs/{_call_off(w).id}/waybill", {"json": {"plate": "宁B12345"}}),
    ("POST", "/api/v1/waybills/{waybill_id}/arrival"): lambda c, w: (
        f"/api/v1/waybills/{_arriving(c, w, waybill=True)[1]['id']}/arrival", {"json": {}}),
    ("POST", "/api/v1/waybills/arrivals"): lambda c, w: ("/api/v1/waybills/arrivals", {
        "json": {"code": _arriving(c, w, waybill=True)[1]["number"]}}),
    ("POST", "/api/v1/stocktakes"): lambda c, w: ("/api/v1/stocktakes", {"json": {
        "depot": "XZ-01"}}),
    ("POST", "/api/v1/stocktakes/{stocktake_id}/counts"): lambda c, w: (
        (taken := _stocktake(c, w)) and f"/api/v1/stocktakes/{taken[0]}/counts",
        {"json": {"lot": taken[1].id, "counted": 9}}),
    ("POST", "/api/v1/stocktakes/{stocktake_id}/submit"): lambda c, w: (
        f"/api/v1/stocktakes/{_stocktake(c, w)[0]}/submit", {"json": {}}),
    ("POST", "/api/v1/stocktakes/{stocktake_id}/approve"): lambda c, w: (
        f"/api/v1/stocktakes/{_stocktake(c, w, submitted=True)[0]}/approve", {"json": {}}),
    ("POST", "/api/v1/stocktakes/{stocktake_id}/reject"): lambda c, w: (
        f"/api/v1/stocktakes/{_stocktake(c, w, submitted=True)[0]}/reject",
        {"json": {"note": "重数"}}),
    ("POST", "/api/v1/imports/{kind}/preview"): lambda c, w: (
        "/api/v1/imports/areas/preview", CHANGES[("POST", "/api/v1/imports/{kind}")][0][2](w)[1]),
    ("POST", "/api/v1/jobs"): lambda c, w: ("/api/v1/jobs", {"json": {"kind": "ledger.verify"}}),
    ("POST", "/api/v1/jobs/{job_id}/cancel"): lambda c, w: (
        f"/api/v1/jobs/{_job(c, w)}/cancel", {}),
    ("POST", "/api/v1/scenarios/{scenario_id}/runs"): lambda c, w: (
        f"/api/v1/scenarios/{_scenario(w).id}/runs", {"json": {}}),
    ("POST", "/api/v1/runs/{run_id}/cancel"): lambda c, w: (
        f"/api/v1/runs/{_run(c, w)}/cancel", {}),
    ("POST", "/api/v1/runs/{run_id}/orders"): lambda c, w: (
        f"/api/v1/runs/{_run(c, w)}/orders", {"json": {}}),
    ("POST", "/api/v1/rotation-orders/{order_id}/scans"): lambda c, w: (
        (order := _rotation_order(w)) and f"/api/v1/rotation-orders/{order[0]}/scans",
        {"json": {"lot": order[1]}}),
    ("POST", "/api/v1/rotation-orders/{order_id}/cancel"): lambda c, w: (
        f"/api/v1/rotation-orders/{_rotation_order(w)[0]}/cancel", {"json": {"reason": "改计划"}}),
    ("POST", "/api/v1/distributions"): lambda c, w: (
        "/api/v1/distributions", _distribution()),
    ("POST", "/api/v1/distribution-batches"): lambda c, w: (
        "/api/v1/distribution-batches", _households()),
    ("POST", "/api/v1/distribution-batches/{code}/issue"): lambda c, w: (
        f"/api/v1/distribution-batches/{_batch(w).code}/issue", {"json": {}}),
    ("POST", "/api/v1/pledges/{pledge_id}/receipts"): lambda c, w: (
        (pledge := _pledge(w)) and f"/api/v1/pledges/{pledge.id}/receipts",
        {"json": {"depot": "XZ-01", "lines": [{"line": pledge.lines[0].id, "quantity": 4}]}}),
}


def _prepare(key):
    if key in REQUESTS:
        return REQUESTS[key]
    return lambda c, w: CHANGES[key][0][2](w)


WRITE_CASES = [pytest.param(key, id=f"{key[0]} {key[1]}") for key in ACCESS
               if key[0] != "GET"]


@pytest.mark.parametrize("key", WRITE_CASES)
def test_each_write_answers_every_role_as_the_table_says(client, world, key):
    who = ACCESS[key]
    stock.receive(db.session, world.users["admin"], depot="XZ-01", item="FW-WATER-5L",
                  quantity=5)
    url, kwargs = _prepare(key)(client, world)
    db.session.commit()
    refused = [role for role in ROLES if not may(role, who)]
    allowed = sorted((role for role in ROLES if may(role, who)), key=lambda r: r == "admin")
    with nothing_changes(db.session):
        for role in refused:
            response = client.open(url, method=key[0], headers=world.headers(role),
                                   **_fresh(kwargs))
            assert_refused(response, 403, "forbidden")
    for role in allowed:
        response = client.open(url, method=key[0], headers=world.headers(role),
                               **_fresh(kwargs))
        assert response.status_code not in (401, 403) and response.status_code < 500, (
            role, response.status_code, response.get_json())


def _fresh(kwargs: dict) -> dict:
    """The request's arguments with any uploaded file rewound, so it can be sent again."""
    data = kwargs.get("data")
    if not data:
        return kwargs
    files = {name: (io.BytesIO(value[0].getvalue()), value[1])
             if isinstance(value, tuple) and hasattr(value[0], "getvalue") else value
             for name, value in data.items()}
    return {**kwargs, "data": files}


PATH_VALUES = {"code": "XZ-01", "username": "keeper", "kind": "areas", "fmt": "csv",
               "number": "YL-2026-01", "plate": "宁B12345"}


@pytest.mark.parametrize("role", ROLES)
def test_each_read_answers_the_role_as_the_table_says(client, world, role):
    lot = _lot(world)
    ids = {"lot_id": lot.id}
    wrong = []
    with nothing_changes(db.session):
        for (method, path), who in ACCESS.items():
            if method != "GET":
                continue
            url = re.sub(r"\{(\w+)\}", lambda m: str(
                ids.get(m.group(1), PATH_VALUES.get(m.group(1), "1"))), path)
            response = client.get(url, headers=world.headers(role))
            response.close()  # a streamed export ends its request here, not at the next one
            if may(role, who):
                if response.status_code in (401, 403) or response.status_code >= 500:
                    wrong.append((path, response.status_code, "should be allowed"))
            elif response.status_code != 403:
                wrong.append((path, response.status_code, "should be refused"))
            else:
                assert_refused(response, 403, "forbidden")
    assert not wrong, "\n".join(map(str, wrong))


#: stock moves the other depot's keeper tries on PostgreSQL, where the rows are locked
POSTGRES_SAMPLE = [("POST", "/api/v1/receipts"), ("POST", "/api/v1/issues"),
                   ("POST", "/api/v1/transfers"),
                   ("POST", "/api/v1/transfers/{transfer_id}/dispatch"),
                   ("POST", "/api/v1/stocktakes"), ("POST", "/api/v1/distributions")]


@pytest.mark.postgres
@pytest.mark.parametrize("key", POSTGRES_SAMPLE, ids=" ".join)
def test_the_other_keeper_is_refused_on_postgresql(pg_app, key):
    client = pg_app.test_client()
    world = make_world(db.session)
    stock.receive(db.session, world.users["admin"], depot="XZ-01", item="FW-WATER-5L",
                  quantity=5)
    url, kwargs = _prepare(key)(client, world)
    db.session.commit()
    with nothing_changes(db.session):
        for role in ("keeper2", "planner", "auditor"):
            assert_refused(client.open(url, method=key[0], headers=world.headers(role),
                                       **_fresh(kwargs)), 403, "forbidden")
    response = client.open(url, method=key[0], headers=world.headers("keeper"), **kwargs)
    assert response.status_code < 300, response.get_json()
