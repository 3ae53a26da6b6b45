"""From plan to work without HTTP: a dispatch run becomes draft transfers with lots picked
first-expiry-first-out, call-offs and production orders; nothing moves until a keeper
dispatches; a plan the stock no longer covers, or made twice, creates nothing."""

from collections import defaultdict
from datetime import date, timedelta

import pytest
from plan_world import dispatch_input, make_plan_world, solve
from sqlalchemy import func, select

from inventory import clock
from inventory.contracts.models import CallOff
from inventory.db import db
from inventory.errors import Forbidden, InsufficientStock, InvalidInput, StateConflict
from inventory.planorders.models import PlanOrders, ProductionOrder
from inventory.planorders.services import orders_from_plan
from inventory.stock.models import Lot, Movement
from inventory.transfers import services as transfers
from inventory.transfers.models import Transfer


@pytest.fixture
def plan(world):
    return make_plan_world(db.session, world)


def shipment(source, site, item, quantity, arrival=2.0):
    return {"source": source, "site": site, "item": item, "quantity": quantity,
            "arrival_hours": arrival}


def hand_plan(plan, *, water_to_bn01=65):
    """A dispatch result as the optimizer prints it, with every kind of source."""
    contract, capacity = plan.agreement.number, plan.capacity.code
    return {"status": "optimal", "shipments": [
        shipment("XZ-01", "BN-01", "FW-WATER-5L", water_to_bn01),
        shipment("XZ-01", "BN-01", "SH-TENT-12", 15),
        shipment("XZ-01", "BN-02", "FW-WATER-5L", 40, 3.0),
        shipment("XZ-01", "BN-02", "SH-TENT-12", 20, 3.0),
        shipment("TS-01", "BN-01", "SH-TENT-12", 8, 2.5),
        shipment(contract, "BN-01", "FW-WATER-5L", 85, 5.0),
        shipment(capacity, "BN-01", "SH-TENT-12", 7, 6.4),
    ], "shortages": [], "objective": {"weighted_shortage": 0.0, "cost": 0.0}, "stats": {}}


def make(world, plan, result=None, *, user="planner", run_id=7, document=None):
    return orders_from_plan(db.session, world.users[user], kind="dispatch",
                            plan_input=document or dispatch_input(world, plan),
                            plan_result=result or hand_plan(plan), run_id=run_id)


def counts():
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Transfer, CallOff, ProductionOrder, PlanOrders, Movement))


def lines_of(transfer):
    return [(line.item.code, line.lot.code, line.quantity) for line in transfer.lines]


def test_each_source_depot_and_shelter_gets_one_draft_transfer_of_lots_picked_fefo(world, plan):
    made = make(world, plan)
    drafts = {(t.from_depot.code, t.to_depot.code): t
              for t in db.session.scalars(select(Transfer).where(Transfer.id.in_(made.transfers)))}
    assert set(drafts) == {("XZ-01", "BN-01"), ("XZ-01", "BN-02"), ("TS-01", "BN-01")}
    assert {t.status for t in drafts.values()} == {"draft"}
    # Water: the lot expiring soonest first, the quarantined and the expired never; the first
    # transfer's lots run out before the second one's start.
    assert lines_of(drafts["XZ-01", "BN-01"]) == [
        ("FW-WATER-5L", "W-SOON", 30), ("FW-WATER-5L", "W-MID", 25),
        ("FW-WATER-5L", "W-LATE", 10), ("SH-TENT-12", "T-1", 15)]
    assert lines_of(drafts["XZ-01", "BN-02"]) == [
        ("FW-WATER-5L", "W-LATE", 40), ("SH-TENT-12", "T-2", 20)]
    assert lines_of(drafts["TS-01", "BN-01"]) == [("SH-TENT-12", "T-TS", 8)]
    # The shelter's receiving point is the depot with the shelter's code.
    assert {t.to_depot.kind for t in drafts.values()} == {"shelter"}
    assert {t.reference for t in drafts.values()} == {"RUN-7"}


def test_contract_shipments_become_call_offs_delivering_to_the_shelter(world, plan):
    before = clock.today()
    made = make(world, plan)
    [call_off] = [db.session.get(CallOff, i) for i in made.call_offs]
    assert call_off.agreement.number == "XY-2026-001" and call_off.quantity == 85
    assert call_off.depot.code == "BN-01" and call_off.depot.kind == "shelter"
    assert call_off.status == "expected"
    assert clock.local_date(call_off.expected_at) >= before
    assert abs((call_off.expected_at - call_off.called_at) - timedelta(hours=5)) < timedelta(
        seconds=5)


def test_capacity_shipments_become_production_orders_with_the_hours_needed(world, plan):
    made = make(world, plan)
    [order] = [db.session.get(ProductionOrder, i) for i in made.production_orders]
    assert order.capacity_reserve.code == plan.capacity.code
    assert order.capacity_reserve.enterprise == "某帐篷厂"
    assert order.item.code == "SH-TENT-12" and order.quantity == 7
    assert float(order.hours_needed) == pytest.approx(4 + 7 / 5)
    assert order.destination.code == "BN-01" and order.status == "ordered"
    assert order.number == f"SC-{clock.today().year}-{order.id:05d}"


def test_nothing_moves_until_a_keeper_dispatches(world, plan):
    ledger_before = counts()[-1]
    made = make(world, plan)
    assert counts()[-1] == ledger_before
    assert db.session.get(Lot, plan.lots["W-SOON"].id).quantity == 30
    draft = next(db.session.get(Transfer, i) for i in made.transfers
                 if db.session.get(Transfer, i).to_depot.code == "BN-02")
    _, movements = transfers.dispatch(db.session, world.users["keeper"], draft.id)
    assert sorted((m.lot.code, m.quantity) for m in movements) == [("T-2", -20),
                                                                   ("W-LATE", -40)]


def test_the_orders_of_a_solved_plan_match_it_line_for_line(world, plan):
    document = dispatch_input(world, plan)
    result = solve("dispatch", document)
    made = make(world, plan, result, document=document)
    kinds = {source["id"]: source["kind"] for source in document["sources"]}
    planned, ordered = defaultdict(int), defaultdict(int)
    for row in result["shipments"]:
        planned[kinds[row["source"]], row["source"], row["site"], row["item"]] += row["quantity"]
    for transfer in db.session.scalars(select(Transfer).where(Transfer.id.in_(made.transfers))):
        for line in transfer.lines:
            ordered["physical", transfer.from_depot.code, transfer.to_depot.code,
                    line.item.code] += line.quantity
    for call_off in db.session.scalars(select(CallOff).where(CallOff.id.in_(made.call_offs))):
        ordered["contract", call_off.agreement.number, call_off.depot.code,
                call_off.agreement.item.code] += call_off.quantity
    for order in db.session.scalars(select(ProductionOrder)):
        ordered["capacity", order.capacity_reserve.code, order.destination.code,
                order.item.code] += order.quantity
    assert dict(ordered) == dict(planned)
    assert_fefo(made.transfers)


def assert_fefo(transfer_ids):
    """Per depot and item, in transfer order: lots by expiry, each used up before the next,
    and no usable lot expiring earlier left behind."""
    today = clock.today()
    taken = defaultdict(list)
    for transfer_id in sorted(transfer_ids):
        transfer = db.session.get(Transfer, transfer_id)
        for line in transfer.lines:
            taken[transfer.from_depot_id, line.item_id].append((line.lot, line.quantity))
    for (depot_id, item_id), picks in taken.items():
        expiry = [(lot.expires_on or date.max, lot.id) for lot, _ in picks]
        assert expiry == sorted(expiry)
        used = defaultdict(int)
        for lot, quantity in picks:
            used[lot.id] += quantity
        for lot, _ in picks[:-1]:
            if lot.id != picks[-1][0].id:
                assert used[lot.id] == lot.quantity
        last = picks[-1][0]
        for lot in db.session.scalars(select(Lot).where(Lot.depot_id == depot_id,
                                                        Lot.item_id == item_id)):
            usable = lot.status == "available" and (lot.expires_on is None
                                                    or lot.expires_on >= today)
            if usable and lot.id not in used:
                assert (lot.expires_on or date.max, lot.id) > (last.expires_on or date.max,
                                                               last.id)


def test_a_plan_the_stock_no_longer_covers_is_refused_naming_depot_and_item(world, plan):
    before = counts()
    with pytest.raises(InsufficientStock) as refused:
        make(world, plan, hand_plan(plan, water_to_bn01=66))  # 106 of 105 usable
    assert "县级救灾物资储备库（XZ-01）" in refused.value.zh
    assert "桶装饮用水 5L（FW-WATER-5L）" in refused.value.zh and "106" in refused.value.zh
    assert "XZ-01" in refused.value.en and "FW-WATER-5L" in refused.value.en
    assert counts() == before


def test_orders_are_made_once_per_run(world, plan):
    made = make(world, plan)
    before = counts()
    with pytest.raises(StateConflict) as again:
        make(world, plan, user="bureau")
    assert "RUN-7" in again.value.zh and again.value.errors == {"run": ["orders already made"]}
    assert counts() == before
    assert make(world, plan, run_id=8).transfers != made.transfers


@pytest.mark.parametrize("user", ["keeper", "auditor"])
def test_keepers_and_auditors_make_no_orders(world, plan, user):
    before = counts()
    with pytest.raises(Forbidden):
        make(world, plan, user=user)
    assert counts() == before


@pytest.mark.parametrize("user", ["planner", "bureau", "admin"])
def test_planners_the_bureau_and_admins_make_orders(world, plan, user):
    assert len(make(world, plan, user=user).transfers) == 3


@pytest.mark.parametrize("change, error, words", [
    (lambda r: r["shipments"].append(shipment("XZ-09", "BN-01", "SH-TENT-12", 1)),
     InvalidInput, "XZ-09"),
    (lambda r: r["shipments"].append(shipment("XZ-01", "BN-09", "SH-TENT-12", 1)),
     InvalidInput, "BN-09"),
    (lambda r: r["shipments"][0].update(quantity=0), InvalidInput, "quantity"),
    (lambda r: r["shipments"][5].update(item="SH-TENT-12"), InvalidInput, "XY-2026-001"),
    (lambda r: r.update(status="infeasible"), StateConflict, "infeasible"),
])
def test_a_plan_that_does_not_fit_the_register_creates_nothing(world, plan, change, error,
                                                               words):
    result = hand_plan(plan)
    change(result)
    document = dispatch_input(world, plan)
    document["sources"].append({"id": "XZ-09", "kind": "physical", "stock": {}})
    before = counts()
    with pytest.raises(error) as refused:
        make(world, plan, result, document=document)
    assert words in refused.value.en
    assert counts() == before
