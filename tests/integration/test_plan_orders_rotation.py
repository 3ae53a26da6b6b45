"""Pre-positioning and rotation runs become work: relocation transfers as drafts and a priced
purchase list; the first month of rotation becomes one work order per depot, executed lot by
lot with rotation_out rows that name the order."""

from decimal import Decimal

import pytest
from plan_world import make_plan_world, solve
from sqlalchemy import select

from inventory import clock
from inventory.db import db
from inventory.errors import Forbidden, InsufficientStock, InvalidInput, StateConflict
from inventory.planorders import queries, rotation
from inventory.planorders.domain import month_start
from inventory.planorders.models import RotationOrder
from inventory.planorders.services import orders_from_plan
from inventory.stock import services as stock
from inventory.stock.models import Movement
from inventory.transfers.models import Transfer


@pytest.fixture
def plan(world):
    return make_plan_world(db.session, world)


def preposition_input():
    return {
        "deadline_hours": 6,
        "items": [{"code": "SH-TENT-12", "volume_m3": 0.25}, {"code": "FW-WATER-5L"}],
        "depots": [{"id": "XZ-01", "handling_hours": 1,
                    "stock": {"SH-TENT-12": 35, "FW-WATER-5L": 105}},
                   {"id": "TS-01", "handling_hours": 1, "stock": {"SH-TENT-12": 8}}],
        "purchase_cost": {"SH-TENT-12": 800, "FW-WATER-5L": 12.5},
        "relocation_cost_per_unit_hour": {"SH-TENT-12": 1, "FW-WATER-5L": 0.1},
        "travel_hours": [{"from": "XZ-01", "to": "TS-01", "hours": 3},
                         {"from": "TS-01", "to": "XZ-01", "hours": 3},
                         {"from": "XZ-01", "to": "S1", "hours": 6},
                         {"from": "TS-01", "to": "S1", "hours": 1},
                         {"from": "XZ-01", "to": "S2", "hours": 1}],
        "scenarios": [{"id": "flood", "weight": 1, "sites": [
            {"id": "S1", "demand": {"SH-TENT-12": 30, "FW-WATER-5L": 80}},
            {"id": "S2", "demand": {"SH-TENT-12": 20}}]}],
    }


def test_a_preposition_run_becomes_relocation_drafts_and_a_priced_purchase_list(world, plan):
    document = preposition_input()
    result = solve("preposition", document)
    made = orders_from_plan(db.session, world.users["planner"], kind="preposition",
                            plan_input=document, plan_result=result, run_id=3)
    moved = {}
    for transfer in db.session.scalars(select(Transfer).where(Transfer.id.in_(made.transfers))):
        assert transfer.status == "draft"
        for line in transfer.lines:
            key = (transfer.from_depot.code, transfer.to_depot.code, line.item.code)
            moved[key] = moved.get(key, 0) + line.quantity
            assert line.lot.depot_id == transfer.from_depot_id
    assert moved == {(r["from"], r["to"], r["item"]): r["quantity"]
                     for r in result["relocations"]}
    assert moved  # the plan moves stock from the county warehouse
    assert [(p["depot"], p["item"], p["quantity"], p["unit_cost"]) for p in made.purchases] == [
        (p["depot"], p["item"], p["quantity"], document["purchase_cost"][p["item"]])
        for p in sorted(result["purchases"], key=lambda p: (p["depot"], p["item"]))]
    assert all(p["amount"] == p["quantity"] * p["unit_cost"] for p in made.purchases)
    listed = queries.purchase_list(db.session, 3)
    assert listed.total == sum(Decimal(str(p["amount"])) for p in made.purchases)


def rotation_input(plan):
    water_soon, water_mid = plan.lots["W-SOON"], plan.lots["W-MID"]
    return {
        "periods": 6,
        "items": [{"code": "FW-WATER-5L", "unit_cost": 12, "shelf_life_periods": 24,
                   "lead_periods": 1, "write_off_cost": 2},
                  {"code": "SH-TENT-12", "unit_cost": 800, "shelf_life_periods": 120}],
        "lots": [{"id": str(water_soon.id), "item": "FW-WATER-5L", "quantity": 30,
                  "expires_period": 2},
                 {"id": str(water_mid.id), "item": "FW-WATER-5L", "quantity": 25,
                  "expires_period": 7},
                 {"id": str(plan.lots["W-LATE"].id), "item": "FW-WATER-5L", "quantity": 50,
                  "expires_period": 13},
                 {"id": str(plan.lots["T-TS"].id), "item": "SH-TENT-12", "quantity": 8,
                  "expires_period": 120}],
        "minimum_stock": {"FW-WATER-5L": 80},
        "outlets": [{"id": "县一中食堂", "item": "FW-WATER-5L", "capacity_per_period": 20,
                     "value_per_unit": 6},
                    {"id": "城关农贸市场", "item": "FW-WATER-5L", "capacity_per_period": 5,
                     "value_per_unit": 4}],
    }


def rotation_result(plan, rotations, purchases=()):
    return {"status": "optimal",
            "rotations": [{"lot": str(plan.lots[code].id), "period": period, "outlet": outlet,
                           "quantity": quantity} for code, period, outlet, quantity in rotations],
            "purchases": [{"item": "FW-WATER-5L", "period": period, "quantity": quantity,
                           "lot": f"new:FW-WATER-5L:{period}"} for period, quantity in purchases],
            "write_offs": [], "stock": [], "objective": {}, "stats": {}}


def make_rotation(world, plan, rotations, purchases=(), run_id=5, user="planner"):
    return orders_from_plan(db.session, world.users[user], kind="rotation",
                            plan_input=rotation_input(plan),
                            plan_result=rotation_result(plan, rotations, purchases),
                            run_id=run_id)


def test_the_first_month_of_a_rotation_run_becomes_one_order_per_depot(world, plan):
    made = make_rotation(world, plan, [("W-SOON", 0, "县一中食堂", 20),
                                       ("W-SOON", 0, "城关农贸市场", 5),
                                       ("T-TS", 0, "县一中食堂", 3),
                                       ("W-SOON", 1, "县一中食堂", 5)],
                         purchases=[(1, 30), (4, 10)])
    orders = [db.session.get(RotationOrder, i) for i in made.rotation_orders]
    assert [o.depot.code for o in orders] == ["XZ-01", "TS-01"]
    county = orders[0]
    assert county.month == month_start(clock.today()) and county.status == "open"
    assert county.number == f"LH-{clock.today().year}-{county.id:05d}"
    assert {(x.lot.code, x.outlet, x.quantity) for x in county.lines} == {
        ("W-SOON", "城关农贸市场", 5), ("W-SOON", "县一中食堂", 20)}
    assert [(x.lot.code, x.quantity) for x in orders[1].lines] == [("T-TS", 3)]
    # Purchases of every month, priced as the plan assumed.
    assert [(p["month"], p["quantity"], p["unit_cost"], p["depot"]) for p in made.purchases] == [
        (month_start(clock.today(), 1).isoformat(), 30, 12.0, None),
        (month_start(clock.today(), 4).isoformat(), 10, 12.0, None)]
    assert db.session.scalar(select(Movement.id).where(Movement.kind == "rotation_out")) is None


def test_a_rotation_plan_the_lot_no_longer_covers_is_refused(world, plan):
    with pytest.raises(InsufficientStock) as refused:
        make_rotation(world, plan, [("W-SOON", 0, "县一中食堂", 31)])
    assert "W-SOON" in refused.value.zh and "XZ-01" in refused.value.zh
    with pytest.raises(InvalidInput):
        orders_from_plan(db.session, world.users["planner"], kind="rotation",
                         plan_input=rotation_input(plan) | {"lots": [
                             {"id": "999999", "item": "FW-WATER-5L", "quantity": 1,
                              "expires_period": 1}]},
                         plan_result={"status": "optimal", "rotations": [
                             {"lot": "999999", "period": 0, "outlet": "x", "quantity": 1}]},
                         run_id=5)
    db.session.rollback()
    assert db.session.scalar(select(RotationOrder.id)) is None


def test_scanning_a_lot_of_the_order_sends_it_to_its_outlet(world, plan):
    made = make_rotation(world, plan, [("W-SOON", 0, "县一中食堂", 20),
                                       ("W-SOON", 0, "城关农贸市场", 5)])
    order = db.session.get(RotationOrder, made.rotation_orders[0])
    lot = plan.lots["W-SOON"].id
    keeper = world.users["keeper"]
    _, movements = rotation.rotate_out(db.session, keeper, order_id=order.id, lot=lot,
                                       quantity=12, key="scan-1")
    [row] = movements
    assert (row.kind, row.quantity, row.reference, row.recipient) == (
        "rotation_out", -12, order.number, "县一中食堂")
    # The line holds 8 more: more is refused, nothing given takes what is left.
    with pytest.raises(InvalidInput):
        rotation.rotate_out(db.session, keeper, order_id=order.id, lot=lot, quantity=9)
    rotation.rotate_out(db.session, keeper, order_id=order.id, lot=lot)
    view = queries.rotation_order(db.session, order.number)
    assert [(p.line.outlet, p.done, p.left) for p in view.lines] == [
        ("县一中食堂", 20, 0), ("城关农贸市场", 0, 5)]
    assert view.state == "open"
    # The next scan of the same lot goes to the next outlet.
    _, [market] = rotation.rotate_out(db.session, keeper, order_id=order.id, lot=lot)
    assert (market.recipient, market.quantity) == ("城关农贸市场", -5)
    assert queries.rotation_order(db.session, order.number).state == "done"
    with pytest.raises(StateConflict):
        rotation.rotate_out(db.session, keeper, order_id=order.id, lot=lot)
    # A reversed scan counts no more: the line opens again.
    stock.reverse(db.session, keeper, movement=market.id, reason="扫错")
    assert queries.rotation_order(db.session, order.number).state == "open"
    assert [v.order.number for v in queries.rotation_orders(db.session, depot="XZ-01",
                                                           state="open")] == [order.number]


def test_only_the_depots_keeper_executes_and_a_cancelled_order_takes_no_scans(world, plan):
    made = make_rotation(world, plan, [("W-SOON", 0, "县一中食堂", 20)])
    order_id = made.rotation_orders[0]
    lot = plan.lots["W-SOON"].id
    for user in ("keeper2", "planner", "auditor", "bureau"):
        with pytest.raises(Forbidden):
            rotation.rotate_out(db.session, world.users[user], order_id=order_id, lot=lot)
    with pytest.raises(StateConflict):  # a lot that is not on the order
        rotation.rotate_out(db.session, world.users["keeper"], order_id=order_id,
                            lot=plan.lots["W-MID"].id)
    with pytest.raises(Forbidden):
        rotation.cancel(db.session, world.users["keeper"], order_id=order_id, reason="不需要")
    rotation.cancel(db.session, world.users["bureau"], order_id=order_id, reason="计划调整")
    with pytest.raises(StateConflict):
        rotation.rotate_out(db.session, world.users["keeper"], order_id=order_id, lot=lot)
    db.session.rollback()
    assert db.session.scalar(select(Movement.id).where(Movement.kind == "rotation_out")) is None
    assert queries.rotation_order_by_id(db.session, order_id).state == "cancelled"
