"""Depot blocks: their bound never passes the true optimum, their plans keep every row."""

import numpy as np
import pulp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_opt_dispatch_properties import dispatch_documents

from optimizer.block_mip import block_mip
from optimizer.blocks import improve, index_blocks
from optimizer.dispatch import add_dispatch, solve_dispatch
from optimizer.highs import constraint_rows, highspy
from optimizer.options import SolveOptions
from optimizer.outcome import OPTIMAL
from optimizer.relaxation import Relaxation, objective_costs, read_columns
from optimizer.schemas import load_dispatch
from optimizer.solve import run

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@st.composite
def limited_documents(draw) -> dict:
    """Dispatch documents in which every depot and supplier has a tight weight limit."""
    doc = draw(dispatch_documents())
    doc["items"] = [{**item, "weight_kg": draw(st.sampled_from([1, 3, 7, 28]))}
                    for item in doc["items"]]
    doc["dispatch_limits"] = [
        {"source": source["id"], "weight_kg": draw(st.integers(5, 400)),
         "volume_m3": draw(st.none() | st.sampled_from([0.5, 2]))}
        for source in doc["sources"] if source["kind"] != "capacity"]
    return doc


def relaxation_of(doc):
    """Return the model, its HiGHS relaxation solved for the weighted shortage, and columns."""
    prob = pulp.LpProblem("blocks", pulp.LpMinimize)
    model = add_dispatch(prob, load_dispatch(doc))
    prob.setObjective(pulp.LpAffineExpression(
        {v: 0.0 for e in (model.weighted_shortage, model.cost) for v in e}))
    columns = read_columns(prob)
    relaxation = Relaxation(prob, columns, SolveOptions())
    cost = objective_costs(model.weighted_shortage, len(columns))
    relaxation.set_costs(cost)
    relaxation.solve()
    return prob, model, columns, relaxation.highs, cost


def blocks_of(prob, model):
    """Return the model's blocks in column numbers (before any other solve renumbers them)."""
    return index_blocks(model.blocks, {c.name: n for n, c in enumerate(prob.constraints())})


def improve_on(blocks, columns, relaxation, cost, constant, **later):
    """Return what ``blocks`` give the LP ``relaxation`` has just solved."""
    return improve(relaxation, blocks, cost, constant, columns.integer, SolveOptions(), None,
                   **later)


def true_optimum(prob, model) -> float:
    prob.setObjective(model.weighted_shortage)
    outcome = run(prob, SolveOptions(gap=0))
    assert outcome.status == OPTIMAL
    return outcome.objective


def rows_hold(prob, x: np.ndarray) -> bool:
    starts, indices, values, lower, upper = constraint_rows(prob)
    starts = [*starts, len(indices)]
    for r in range(len(lower)):
        total = sum(values[k] * x[indices[k]] for k in range(starts[r], starts[r + 1]))
        if total > upper[r] + 1e-6 or total < lower[r] - 1e-6:
            return False
    return True


@FAST
@given(limited_documents())
def test_the_blocks_bound_lies_between_the_relaxation_and_the_best_whole_plan(doc):
    prob, model, columns, relaxation, cost = relaxation_of(doc)
    if not columns.variables or not model.blocks:
        return
    constant = float(model.weighted_shortage.constant)
    relaxed = relaxation.getInfo().objective_function_value + constant
    improved = improve_on(blocks_of(prob, model), columns, relaxation, cost, constant)
    best = true_optimum(prob, model)
    if improved.bound is not None:
        assert relaxed - 1e-7 <= improved.bound <= best + 1e-7
    if improved.plan is not None:
        assert rows_hold(prob, improved.plan)
        assert np.all(improved.plan[columns.integer] == np.round(improved.plan[columns.integer]))
        assert np.all(improved.plan >= columns.lower - 1e-9)
        assert np.all(improved.plan <= columns.upper + 1e-9)
        assert float(cost @ improved.plan) + constant >= best - 1e-7


def test_a_depot_that_cannot_fill_its_weight_limit_with_whole_units_raises_the_bound():
    # 10 kg of room, quilts of 3 kg and tents of 4 kg: the relaxation sends 3 quilts and a
    # quarter of a tent, a whole plan 3 units at most.
    doc = {"deadline_hours": 10,
           "items": [{"code": "TENT", "weight_kg": 4, "volume_m3": 0},
                     {"code": "QUILT", "weight_kg": 3, "volume_m3": 0}],
           "sites": [{"id": "S", "priority": 1, "demand": {"TENT": 10, "QUILT": 10}}],
           "sources": [{"id": "D", "kind": "physical", "handling_hours": 1,
                        "stock": {"TENT": 10, "QUILT": 10}}],
           "travel_hours": [{"from": "D", "to": "S", "hours": 1}],
           "dispatch_limits": [{"source": "D", "weight_kg": 10}]}
    prob, model, columns, relaxation, cost = relaxation_of(doc)
    constant = float(model.weighted_shortage.constant)
    assert abs(relaxation.getInfo().objective_function_value + constant - 1.675) < 1e-9
    improved = improve_on(blocks_of(prob, model), columns, relaxation, cost, constant)
    assert abs(improved.bound - 1.7) < 1e-9
    assert abs(float(cost @ improved.plan) + constant - 1.7) < 1e-9


@FAST
@given(limited_documents())
def test_a_later_phases_plans_keep_every_row_and_the_held_shortage_and_cost_no_more(doc):
    prob, model, columns, relaxation, shortage = relaxation_of(doc)
    if not columns.variables or not model.blocks:
        return
    constant = float(model.weighted_shortage.constant)
    blocks = blocks_of(prob, model)
    first = improve_on(blocks, columns, relaxation, shortage, constant)
    # The earlier phase: the least shortage, exactly; then held while the cost is minimised.
    least = true_optimum(prob, model)
    earlier = np.array([v.varValue for v in columns.variables], dtype=float)
    kept = np.nonzero(shortage)[0]
    relaxation.addRow(-np.inf, least - constant + 1e-9, len(kept), kept.astype(np.int32),
                      shortage[kept])
    count = len(columns.variables)
    cost = objective_costs(model.cost, count)
    relaxation.changeColsCost(count, np.arange(count, dtype=np.int32), cost)
    relaxation.run()
    improved = improve_on(blocks, columns, relaxation, cost, 0.0, incumbent=earlier)
    if improved.plan is not None:
        assert rows_hold(prob, improved.plan)
        assert float(shortage @ improved.plan) + constant <= least + 1e-7
        assert float(cost @ improved.plan) <= float(cost @ earlier) + 1e-7
    # Totals chosen at the first phase's prices, pulled towards this LP's.
    priced = improve_on(blocks, columns, relaxation, cost, 0.0, incumbent=earlier,
                        prices=first.prices)
    if priced.plan is not None:
        assert rows_hold(prob, priced.plan)
        assert float(shortage @ priced.plan) + constant <= least + 1e-7
        assert np.all(priced.plan[columns.integer] == np.round(priced.plan[columns.integer]))
    if improved.plan is not None and priced.plan is not None:
        assert float(cost @ priced.plan) <= float(cost @ improved.plan) + 1e-7
    if improved.bound is not None:
        prob.addConstraint(model.weighted_shortage <= least + 1e-9, "held")
        prob.setObjective(model.cost)
        outcome = run(prob, SolveOptions(gap=0))
        assert outcome.status == OPTIMAL
        assert improved.bound <= outcome.objective + 1e-6 * max(1.0, abs(outcome.objective))


@FAST
@given(limited_documents(), st.integers(0, 2**32 - 1), st.booleans())
def test_a_block_solved_on_the_columns_that_can_gain_has_the_optimum_of_all_its_columns(
        doc, seed, pulled):
    prob, model, columns, relaxation, cost = relaxation_of(doc)
    if not columns.variables or not model.blocks:
        return
    rng = np.random.default_rng(seed)
    # Mixed signs: some columns cannot gain and are left out.
    prices = cost * rng.uniform(0.5, 2, len(cost)) + rng.normal(0, 0.05, len(cost))
    for block in blocks_of(prob, model):
        pull = None
        if pulled:
            pull = (rng.integers(0, 5, len(block.upper)).astype(float), 1e-3)
        values = []
        for every_column in (False, True):
            highs, _ = block_mip(block, prices, columns.lower, columns.upper, columns.integer,
                                 SolveOptions(), 10.0, pull=pull, every_column=every_column)
            assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
            values.append(highs.getInfo().objective_function_value)
        assert abs(values[0] - values[1]) <= 1e-7 * max(1.0, abs(values[1]))


@FAST
@given(limited_documents(), st.sampled_from([1e-3, 0.02, 0.1]))
def test_within_a_gap_the_dispatchs_bounds_lie_below_its_lexicographic_optimum(doc, gap):
    # The cost bound holds the shortage at the best plan's, which the final plan may exceed
    # within the shortage's gap (docs/optimizer.md): it must still bound the cost of the exact
    # lexicographic optimum, and the plan must be within the gap of it in both objectives.
    plan = solve_dispatch(load_dispatch(doc), SolveOptions(gap=gap))
    prob = pulp.LpProblem("exact", pulp.LpMinimize)
    model = add_dispatch(prob, load_dispatch(doc))
    if not prob.variables():
        return
    least = true_optimum(prob, model)
    prob.addConstraint(model.weighted_shortage <= least + 1e-9, "held")
    prob.setObjective(model.cost)
    outcome = run(prob, SolveOptions(gap=0))
    assert outcome.status == OPTIMAL
    cheapest = outcome.objective
    bounds, values = plan.stats["best_bound"], plan.objective
    assert bounds["weighted_shortage"] <= least + 1e-6
    assert bounds["cost"] <= cheapest + 1e-6 * max(1.0, abs(cheapest))
    holds = plan.stats["phases"][1]["bound_holds"]
    if holds is not None:
        # No plan keeping the shortage within the value the bound holds costs less.
        del prob.constraints["held"]
        prob.addConstraint(model.weighted_shortage <= holds["weighted_shortage"] + 1e-9, "held")
        capped = run(prob, SolveOptions(gap=0))
        assert capped.status == OPTIMAL
        assert bounds["cost"] <= capped.objective + 1e-6 * max(1.0, abs(capped.objective))
    # Without a time limit a plan this small is always proven.
    assert plan.status == OPTIMAL
    assert values["weighted_shortage"] - least <= gap * abs(values["weighted_shortage"]) + 1e-6
    assert values["cost"] - cheapest <= gap * abs(values["cost"]) + 1e-6
