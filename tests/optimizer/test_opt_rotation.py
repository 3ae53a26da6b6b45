"""Rotation on small instances solved by hand, on both solvers, and on random instances."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opt_rules import check_rotation, isclose

from optimizer.errors import NoPlan
from optimizer.rotation import solve_rotation
from optimizer.schemas import load_rotation
from optimizer.solve import SolveOptions

SOLVERS = ["highs", "cbc"]


def solve(doc: dict, solver: str = "highs") -> dict:
    plan = solve_rotation(load_rotation(doc), SolveOptions(solver=solver, gap=0)).to_dict()
    check_rotation(doc, plan)
    return plan


# Four periods. Lot L1 (100 water) is usable in periods 0 and 1. At least 60 must be held at the
# start of every period; a purchase costs 4, arrives a period later and lasts 3 periods; the
# outlet takes 30 a period at 2 each; a unit written off costs 0.5.
# From period 2 only new stock counts, so 60 must be bought (240) by period 1. L1 can go out
# 30 in period 0 (stock 70 at period 1) and 30 in period 1; its other 40 are written off at
# period 2 (20). Rotating out in period 3 lowers only the stock of period 4, beyond the
# horizon, so 30 new units go out then. Buying more to rotate out loses 2 a unit.
# Total 240 − 2 × 90 + 20 = 80.
REPLACE = {
    "periods": 4,
    "items": [{"code": "W", "unit_cost": 4, "shelf_life_periods": 3, "lead_periods": 1,
               "write_off_cost": 0.5}],
    "lots": [{"id": "L1", "item": "W", "quantity": 100, "expires_period": 2}],
    "minimum_stock": {"W": 60},
    "outlets": [{"id": "O", "item": "W", "capacity_per_period": 30, "value_per_unit": 2}],
}


@pytest.mark.parametrize("solver", SOLVERS)
def test_expiring_stock_is_rotated_out_and_replaced_in_time(solver):
    plan = solve(REPLACE, solver)
    assert plan["status"] == "optimal"
    assert plan["objective"] == {"total": 80, "purchase_cost": 240, "value_recovered": 180,
                                 "write_off_cost": 20}
    assert plan["write_offs"] == [{"lot": "L1", "period": 2, "quantity": 40}]
    assert sum(p["quantity"] for p in plan["purchases"]) == 60
    assert [s["quantity"] for s in plan["stock"]][2:] == [60, 60]


# Six periods, 10 units always; no stock yet. A purchase (1 a unit) arrives at once and lasts
# two periods, so lots bought in periods 0, 2 and 4 cover every period: 30. Without an outlet
# the lots of periods 0 and 2 expire inside the horizon and their 20 units are written off at
# 3 each: 90. With an outlet paying 0.5, each lot goes out in its last usable period, when that
# no longer lowers any stock that counts: 30 − 0.5 × 30 = 15.
SHORT_LIFE = {
    "periods": 6,
    "items": [{"code": "M", "unit_cost": 1, "shelf_life_periods": 2, "write_off_cost": 3}],
    "lots": [],
    "minimum_stock": {"M": 10},
}


@pytest.mark.parametrize("solver", SOLVERS)
def test_lots_that_expire_unused_are_written_off(solver):
    plan = solve(SHORT_LIFE, solver)
    assert plan["objective"]["total"] == 90
    assert [(p["period"], p["quantity"]) for p in plan["purchases"]] == [(0, 10), (2, 10),
                                                                         (4, 10)]
    assert plan["write_offs"] == [{"lot": "new:M:0", "period": 2, "quantity": 10},
                                  {"lot": "new:M:2", "period": 4, "quantity": 10}]


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_lot_is_rotated_out_in_its_last_usable_period_instead_of_written_off(solver):
    doc = {**SHORT_LIFE, "outlets": [{"id": "food-bank", "item": "M",
                                      "capacity_per_period": 100, "value_per_unit": 0.5}]}
    plan = solve(doc, solver)
    assert plan["objective"]["total"] == 15
    assert plan["write_offs"] == []
    assert [(r["lot"], r["period"]) for r in plan["rotations"]] == [
        ("new:M:0", 1), ("new:M:2", 3), ("new:M:4", 5)]


def test_stock_below_the_minimum_before_a_purchase_can_arrive_is_infeasible():
    doc = {**REPLACE, "minimum_stock": {"W": 200}}
    with pytest.raises(NoPlan) as raised:
        solve_rotation(load_rotation(doc))
    assert raised.value.status == "infeasible"
    assert "W: stock at period 0 is 100, below the minimum 200" in str(raised.value)


def test_a_budget_too_small_to_keep_the_minimum_is_infeasible():
    # 60 must arrive by period 2 from orders in periods 0 and 1, at most 100/4 = 25 each.
    doc = {**REPLACE, "budget_per_period": 100}
    with pytest.raises(NoPlan) as raised:
        solve_rotation(load_rotation(doc))
    assert raised.value.status == "infeasible"


def test_the_budget_caps_each_periods_purchases():
    # With 160 a period, 40 may be ordered each period: 20 in period 0 and 40 in period 1
    # (or 40 and 20) — any split of the 60 costs the same 80 in all.
    plan = solve({**REPLACE, "budget_per_period": 160})
    assert plan["objective"]["total"] == 80
    assert all(p["quantity"] * 4 <= 160 for p in plan["purchases"])


@st.composite
def rotation_documents(draw) -> dict:
    periods = draw(st.integers(1, 8))
    codes = [f"K{k}" for k in range(draw(st.integers(1, 2)))]
    items = [{"code": code, "unit_cost": draw(st.sampled_from([0, 1, 4, 10])),
              "shelf_life_periods": draw(st.integers(1, 6)),
              "lead_periods": draw(st.integers(0, 2)),
              "write_off_cost": draw(st.sampled_from([0, 0.5, 3]))} for code in codes]
    lots = [{"id": f"L{n}", "item": draw(st.sampled_from(codes)),
             "quantity": draw(st.integers(0, 60)), "expires_period": draw(st.integers(0, 10))}
            for n in range(draw(st.integers(0, 5)))]
    outlets = [{"id": f"O{n}", "item": code, "capacity_per_period": draw(st.integers(0, 30)),
                "value_per_unit": draw(st.sampled_from([-1, 0, 0.5, 2, 6]))}
               for n, code in enumerate(codes) if draw(st.booleans())]
    return {"periods": periods, "items": items, "lots": lots, "outlets": outlets,
            "minimum_stock": {code: draw(st.integers(0, 40)) for code in codes},
            "budget_per_period": draw(st.none() | st.sampled_from([0, 50, 200]))}


RANDOM = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RANDOM
@given(rotation_documents())
def test_every_rotation_plan_keeps_the_minimum_and_rotates_only_usable_lots(doc):
    try:
        plan = solve(doc)
    except NoPlan as error:
        assert error.status == "infeasible"
        return
    assert plan["status"] == "optimal"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rotation_documents())
def test_highs_and_cbc_find_the_same_least_cost(doc):
    try:
        highs = solve(doc, "highs")
    except NoPlan:
        with pytest.raises(NoPlan):
            solve(doc, "cbc")
        return
    cbc = solve(doc, "cbc")
    assert isclose(highs["objective"]["total"], cbc["objective"]["total"], rel=1e-6)
