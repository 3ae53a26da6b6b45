"""Pre-positioning on small instances solved by hand, and on random instances."""

import math
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opt_rules import check_preposition, isclose

from optimizer import preposition
from optimizer.errors import NoPlan
from optimizer.options import SolveOptions, Tuning
from optimizer.preposition import solve_preposition
from optimizer.schemas import load_preposition

SOLVERS = ["highs", "cbc"]


def solve(doc: dict, solver: str = "highs") -> dict:
    plan = solve_preposition(load_preposition(doc), SolveOptions(solver=solver, gap=0))
    plan = plan.to_dict()
    check_preposition(doc, plan)
    return plan


def leg(origin: str, place: str, hours: float) -> dict:
    return {"from": origin, "to": place, "hours": hours}


# Depot A (50 tents, 1 m³ each) reaches N1 in 2 h but S1 only in 12 h, past the 10-hour
# deadline; empty depot B (30 m³) reaches S1 in 3 h. Each scenario (weight 0.5) needs 40 tents.
# Before: north is covered, south wholly short: 0.5 × 1 = 0.5.
# A can spare 10 beyond north's 40; moving them to B costs 1 each (1 h). Moving more takes from
# north one for one. With the rest of the budget of 100, B buys 9 at 10. South is short
# 40 − 19 = 21: 0.5 × 21/40 = 0.2625, spending exactly 100 (the only way to reach it).
TWO_SCENARIOS = {
    "deadline_hours": 10,
    "items": [{"code": "TENT", "weight_kg": 28, "volume_m3": 1}],
    "depots": [{"id": "A", "capacity_m3": 100, "stock": {"TENT": 50}},
               {"id": "B", "capacity_m3": 30}],
    "purchase_cost": {"TENT": 10},
    "relocation_cost_per_unit_hour": {"TENT": 1},
    "budget": 100,
    "travel_hours": [leg("A", "N1", 2), leg("A", "S1", 12), leg("B", "S1", 3), leg("A", "B", 1),
                     leg("B", "A", 1)],
    "scenarios": [
        {"id": "north", "weight": 0.5, "sites": [{"id": "N1", "demand": {"TENT": 40}}]},
        {"id": "south", "weight": 0.5, "sites": [{"id": "S1", "demand": {"TENT": 40}}]}],
}


@pytest.mark.parametrize("solver", SOLVERS)
def test_spare_stock_moves_towards_the_uncovered_scenario_and_the_budget_buys_the_rest(solver):
    plan = solve(TWO_SCENARIOS, solver)
    assert plan["status"] == "optimal"
    assert plan["relocations"] == [{"from": "A", "to": "B", "item": "TENT", "quantity": 10}]
    assert plan["purchases"] == [{"depot": "B", "item": "TENT", "quantity": 9}]
    assert plan["spend"] == pytest.approx(100)
    assert plan["objective"]["expected_weighted_shortage"] == pytest.approx(0.2625)
    assert [(s["id"], s["weighted_shortage_before"], pytest.approx(s["weighted_shortage_after"]))
            for s in plan["scenarios"]] == [("north", 0, 0), ("south", 1, 0.525)]


@pytest.mark.parametrize("solver", SOLVERS)
def test_storage_volume_caps_what_a_depot_may_hold(solver):
    # B holds 15 m³ at most: move 10, buy 5 (60); south short 25: 0.5 × 25/40 = 0.3125.
    doc = {**TWO_SCENARIOS, "depots": [TWO_SCENARIOS["depots"][0],
                                       {"id": "B", "capacity_m3": 15}]}
    plan = solve(doc, solver)
    assert plan["objective"]["expected_weighted_shortage"] == pytest.approx(0.3125)
    assert plan["spend"] == pytest.approx(60)


def test_without_a_budget_the_least_spend_keeps_the_least_shortage():
    # B fills its 30 m³: move 10 (10) and buy 20 (200); buying at A and moving would cost 11 a
    # tent. South short 10: 0.125.
    plan = solve({**TWO_SCENARIOS, "budget": None})
    assert plan["objective"]["expected_weighted_shortage"] == pytest.approx(0.125)
    assert plan["spend"] == pytest.approx(210)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_depot_may_buy_an_item_that_no_depot_holds_today(solver):
    # No depot holds water; A (10 m³, water 0.01 m³ a drum) reaches the site in 2 h. Buying the
    # 20 drums the flood needs, at 5 each, leaves no shortage for 100 of the budget.
    doc = {"deadline_hours": 10,
           "items": [{"code": "WATER", "weight_kg": 5, "volume_m3": 0.01}],
           "depots": [{"id": "A", "capacity_m3": 10}],
           "purchase_cost": {"WATER": 5}, "budget": 1000,
           "travel_hours": [leg("A", "S1", 2)],
           "scenarios": [{"id": "flood", "sites": [{"id": "S1", "demand": {"WATER": 20}}]}]}
    plan = solve(doc, solver)
    assert plan["purchases"] == [{"depot": "A", "item": "WATER", "quantity": 20}]
    assert plan["objective"]["expected_weighted_shortage"] == pytest.approx(0)
    assert plan["spend"] == pytest.approx(100)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_depot_may_hold_more_than_all_depots_hold_today(solver):
    # A holds 10 tents and B none; the flood at B's site needs 30 and A cannot reach it in
    # time: B buys 30 at 10, more than the 10 tents held county-wide today.
    doc = {"deadline_hours": 10, "items": [{"code": "TENT", "weight_kg": 28, "volume_m3": 1}],
           "depots": [{"id": "A", "capacity_m3": 50, "stock": {"TENT": 10}},
                      {"id": "B", "capacity_m3": 50}],
           "purchase_cost": {"TENT": 10}, "budget": 1000,
           "travel_hours": [leg("A", "S1", 12), leg("B", "S1", 2)],
           "scenarios": [{"id": "flood", "sites": [{"id": "S1", "demand": {"TENT": 30}}]}]}
    plan = solve(doc, solver)
    assert plan["purchases"] == [{"depot": "B", "item": "TENT", "quantity": 30}]
    assert plan["objective"]["expected_weighted_shortage"] == pytest.approx(0)


def test_stock_that_does_not_fit_and_cannot_move_is_infeasible():
    doc = {**TWO_SCENARIOS, "depots": [{"id": "A", "capacity_m3": 10, "stock": {"TENT": 50}},
                                       {"id": "B", "capacity_m3": 30}],
           "travel_hours": [leg("A", "N1", 2)]}
    with pytest.raises(NoPlan) as raised:
        solve_preposition(load_preposition(doc))
    assert raised.value.status == "infeasible"


def test_the_time_limit_covers_the_plan_and_the_shortages_before(monkeypatch):
    # The plan gets all but the scenarios' share of the limit and here uses all of it; the
    # dispatches from today's stock share only what is left. The module's clock is the
    # test's, advanced by what each solve is said to take, so the shares are exact.
    now = [100.0]
    limits, left = [], []
    solve_in_order = preposition.solve_in_order

    def timed(prob, objectives, options, **kwargs):
        limits.append(options.time_limit)
        left.append(2.0 - (now[0] - 100.0))
        solved = solve_in_order(prob, objectives, options, **kwargs)
        if len(limits) == 1:
            now[0] += options.time_limit
        return solved

    monkeypatch.setattr(preposition, "solve_in_order", timed)
    monkeypatch.setattr(preposition, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    options = SolveOptions(time_limit=2.0, tuning=Tuning(scenario_share=0.25,
                                                         least_scenario_seconds=0.01))
    plan = solve_preposition(load_preposition(TWO_SCENARIOS), options)
    assert limits[0] == pytest.approx(1.5)
    # Each scenario shares what is left with the scenarios after it.
    assert left[1:] == [pytest.approx(0.5)] * 2
    assert limits[1:] == [pytest.approx(0.25), pytest.approx(0.5)]
    assert [s["weighted_shortage_before"] for s in plan.to_dict()["scenarios"]] == [0, 1]


@st.composite
def preposition_documents(draw) -> dict:
    codes = ["K0", "K1"][:draw(st.integers(1, 2))]
    items = [{"code": code, "volume_m3": draw(st.sampled_from([0, 0.5, 1]))} for code in codes]
    depots = []
    for n in range(draw(st.integers(1, 3))):
        stock = {code: draw(st.integers(0, 30)) for code in codes if draw(st.booleans())}
        volume = sum(item["volume_m3"] * stock.get(item["code"], 0) for item in items)
        depots.append({"id": f"D{n}", "handling_hours": draw(st.sampled_from([0, 1, 2])),
                       "stock": stock,
                       "capacity_m3": draw(st.none() | st.integers(0, 30).map(
                           lambda extra, volume=volume: math.ceil(volume) + extra))})
    scenarios = [{"id": f"X{n}", "weight": draw(st.sampled_from([0, 0.2, 0.5, 1])),
                  "sites": [{"id": f"X{n}S{i}", "priority": draw(st.sampled_from([1, 2])),
                             "demand": {code: draw(st.integers(1, 40)) for code in codes}}
                            for i in range(draw(st.integers(1, 2)))]}
                 for n in range(draw(st.integers(1, 3)))]
    places = [s["id"] for x in scenarios for s in x["sites"]]
    travel = [leg(d["id"], place, draw(st.integers(1, 12)))
              for d in depots for place in places if draw(st.booleans())]
    travel += [leg(a["id"], b["id"], draw(st.integers(1, 4)))
               for a in depots for b in depots if a is not b and draw(st.booleans())]
    others = []
    if draw(st.booleans()):
        others.append({"id": "C", "kind": "contract", "handling_hours": 2,
                       "stock": {codes[0]: draw(st.integers(0, 20))}})
        travel += [leg("C", place, draw(st.integers(1, 12))) for place in places]
    return {"deadline_hours": 8, "items": items, "depots": depots, "scenarios": scenarios,
            "purchase_cost": {code: draw(st.sampled_from([1, 5])) for code in codes
                              if draw(st.booleans())},
            "relocation_cost_per_unit_hour": {code: 0.5 for code in codes},
            "budget": draw(st.none() | st.integers(0, 100)), "travel_hours": travel,
            "other_sources": others}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preposition_documents())
def test_every_preposition_plan_fits_its_limits_and_never_leaves_more_shortage(doc):
    plan = solve(doc)
    assert plan["status"] == "optimal"
    before = plan["objective"]["expected_weighted_shortage_before"]
    assert plan["objective"]["expected_weighted_shortage"] <= before + 1e-9


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preposition_documents())
def test_highs_and_cbc_agree_on_expected_shortage_and_spend(doc):
    highs, cbc = solve(doc, "highs"), solve(doc, "cbc")
    assert isclose(highs["objective"]["expected_weighted_shortage"],
                   cbc["objective"]["expected_weighted_shortage"])
    assert isclose(highs["spend"], cbc["spend"], rel=1e-6)
