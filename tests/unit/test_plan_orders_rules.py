"""Plain rules of orders from plans: lots picked for several transfers in turn, a run's plan
read and checked, and a rotation run laid out month by month beside doing nothing."""

import re
from dataclasses import dataclass
from datetime import date

import pytest

from inventory.api.messages import errors_in_chinese
from inventory.errors import InsufficientStock, InvalidInput, StateConflict
from inventory.planorders import plans
from inventory.planorders.domain import month_start, pick_for_each
from inventory.planorders.ids import capacity_reserve_number, lot_number
from inventory.planorders.schedule import rotation_schedule

TODAY = date(2026, 12, 4)


@dataclass
class FakeLot:
    id: int
    code: str
    quantity: int
    expires_on: date | None
    status: str = "available"


def test_several_transfers_take_lots_in_turn_earliest_expiry_first():
    lots = [FakeLot(1, "LATE", 50, date(2027, 12, 1)), FakeLot(2, "SOON", 30, date(2027, 1, 10)),
            FakeLot(3, "GONE", 10, date(2026, 12, 1)), FakeLot(4, "HELD", 40, date(2026, 12, 20),
                                                            "quarantined"),
            FakeLot(5, "DURABLE", 9, None)]
    picks = pick_for_each(lots, [("first", 40), ("second", 45)], TODAY, depot_label="XZ-01",
                          item_label="water")
    taken = {key: [(p.lot.code, p.quantity) for p in found] for key, found in picks.items()}
    assert taken == {"first": [("SOON", 30), ("LATE", 10)],
                     "second": [("LATE", 40), ("DURABLE", 5)]}
    assert [lot.quantity for lot in lots] == [50, 30, 10, 40, 9]  # the lots are not changed


def test_picking_more_than_the_usable_lots_hold_names_depot_item_and_shortfall():
    lots = [FakeLot(1, "A", 10, None), FakeLot(2, "B", 10, date(2026, 1, 1))]
    with pytest.raises(InsufficientStock) as refused:
        pick_for_each(lots, [("x", 6), ("y", 5)], TODAY, depot_label="县级库（XZ-01）",
                      item_label="帐篷（SH-TENT-12）")
    assert "县级库（XZ-01）的帐篷（SH-TENT-12）可用 10，方案需要 11" in refused.value.zh


@pytest.mark.parametrize("day, ahead, first", [
    (date(2026, 12, 4), 0, date(2026, 12, 1)), (date(2026, 12, 31), 1, date(2027, 1, 1)),
    (date(2026, 1, 15), 13, date(2027, 2, 1))])
def test_months_count_from_the_first_of_the_month(day, ahead, first):
    assert month_start(day, ahead) == first


def test_source_ids_name_capacity_reserves_and_lots():
    assert capacity_reserve_number("CN-0007") == 7
    assert capacity_reserve_number("XY-2026-001") is None
    assert lot_number("1234") == 1234
    assert lot_number("0012") is None and lot_number("new:W:1") is None


DISPATCH_INPUT = {"sources": [{"id": "XZ-01", "kind": "physical"},
                              {"id": "CN-0001", "kind": "capacity", "ramp_hours": 2,
                               "rate_per_hour": {"W": 5}}]}


def test_a_dispatch_plan_is_read_with_each_sources_kind():
    plan = plans.read_dispatch(DISPATCH_INPUT, {"status": "feasible", "shipments": [
        {"source": "XZ-01", "site": "BN-01", "item": "W", "quantity": 3, "arrival_hours": 2},
        {"source": "CN-0001", "site": "BN-01", "item": "W", "quantity": 10.0,
         "arrival_hours": 5}]})
    assert [m.quantity for m in plan.by_kind("physical")] == [3]
    [made] = plan.by_kind("capacity")
    assert made.quantity == 10 and plan.sources["CN-0001"].rate_per_hour == {"W": 5.0}


@pytest.mark.parametrize("result, error, words", [
    ({"status": "infeasible"}, StateConflict, "infeasible"),
    ("not a plan", StateConflict, "None"),
    ({"status": "optimal", "shipments": {"a": 1}}, InvalidInput, "shipments"),
    ({"status": "optimal", "shipments": [{"source": "XZ-02", "site": "S", "item": "W",
                                          "quantity": 1}]}, InvalidInput, "XZ-02"),
    ({"status": "optimal", "shipments": [{"source": "XZ-01", "site": "S", "item": "W",
                                          "quantity": 1.5}]}, InvalidInput, "quantity"),
    ({"status": "optimal", "shipments": [{"source": "XZ-01", "site": "", "item": "W",
                                          "quantity": 1}]}, InvalidInput, "site"),
])
def test_a_plan_that_does_not_match_its_input_is_refused(result, error, words):
    with pytest.raises(error) as refused:
        plans.read_dispatch(DISPATCH_INPUT, result)
    assert words in refused.value.en
    # A Chinese client reads the field's message in Chinese too.
    for messages in errors_in_chinese(refused.value.errors).values():
        assert all(re.search(r"[\u4e00-\u9fff]", message) for message in messages), messages


ROTATION_INPUT = {
    "periods": 6,
    "items": [{"code": "W", "unit_cost": 12, "shelf_life_periods": 24, "lead_periods": 1,
               "write_off_cost": 2}],
    "lots": [{"id": "101", "item": "W", "quantity": 50, "expires_period": 2},
             {"id": "102", "item": "W", "quantity": 40, "expires_period": 20}],
    "minimum_stock": {"W": 60},
    "outlets": [{"id": "canteen", "item": "W", "capacity_per_period": 30, "value_per_unit": 6}],
}


def test_a_rotation_run_laid_out_by_month_adds_up_to_the_optimizers_cost():
    from optimizer.rotation import solve_rotation
    from optimizer.schemas import load_rotation

    result = solve_rotation(load_rotation(ROTATION_INPUT)).to_dict()
    schedule = rotation_schedule(ROTATION_INPUT, result, TODAY)
    assert [m.month for m in schedule.months][:2] == [date(2026, 12, 1), date(2027, 1, 1)]
    assert len(schedule.months) == 6
    objective = result["objective"]
    assert schedule.cost == pytest.approx(objective["total"])
    assert schedule.purchase_cost == pytest.approx(objective["purchase_cost"])
    assert schedule.value_recovered == pytest.approx(objective["value_recovered"])
    assert sum(m.cost for m in schedule.months) == pytest.approx(objective["total"])
    for row in result["rotations"]:
        assert {"lot": row["lot"], "item": "W", "outlet": row["outlet"],
                "quantity": row["quantity"], "value": 6 * row["quantity"]} in \
            schedule.months[row["period"]].rotations
    assert [m.stock["W"] for m in schedule.months] == [
        row["quantity"] for row in result["stock"]]
    assert all(not m.below_minimum(schedule.minimum) for m in schedule.months)


def test_doing_nothing_writes_off_what_expires_and_falls_below_the_minimum():
    schedule = rotation_schedule(ROTATION_INPUT, {"status": "optimal"}, TODAY)
    assert [m.idle_stock["W"] for m in schedule.months] == [90, 90, 40, 40, 40, 40]
    assert schedule.months[2].idle_write_offs == [
        {"lot": "101", "item": "W", "quantity": 50, "value": 600}]
    assert schedule.idle_written_off == {"W": 50}  # lot 102 outlives the horizon
    assert schedule.idle_cost == 50 * 12 + 50 * 2
    assert [m.below_minimum(schedule.minimum, idle=True) for m in schedule.months] == [
        [], [], ["W"], ["W"], ["W"], ["W"]]


def test_a_rotation_plan_may_rotate_lots_it_buys_but_not_unknown_ones():
    result = {"status": "optimal", "rotations": [
        {"lot": "101", "period": 0, "outlet": "canteen", "quantity": 5},
        {"lot": "new:W:1", "period": 3, "outlet": "canteen", "quantity": 5}],
        "purchases": [{"item": "W", "period": 1, "quantity": 5, "lot": "new:W:1"}]}
    read = plans.read_rotation(ROTATION_INPUT, result)
    assert [step.lot for step in read.rotations] == ["101", "new:W:1"]
    assert [(buy.item, buy.period, buy.unit_cost) for buy in read.purchases] == [("W", 1, 12.0)]
    for stranger in ("new:X:1", "103"):
        result["rotations"][1]["lot"] = stranger
        with pytest.raises(InvalidInput):
            plans.read_rotation(ROTATION_INPUT, result)
