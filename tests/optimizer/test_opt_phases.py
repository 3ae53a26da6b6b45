"""The phased solve on HiGHS (relaxation, rounding, branching) reaches the plain MIP's optimum."""

import random
from types import SimpleNamespace

import numpy as np
import pulp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import phase_state, phases
from optimizer.highs import Mip
from optimizer.options import SolveOptions, Tuning
from optimizer.outcome import OPTIMAL
from optimizer.phase_state import PhaseState, SolveState
from optimizer.relaxation import Relaxation, read_columns
from optimizer.solve import run, solve_in_order

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@st.composite
def two_objective_problems(draw):
    """Small integer problems with knapsack rows and a shortage-like first objective."""
    count = draw(st.integers(2, 7))
    upper = [draw(st.integers(0, 6)) for _ in range(count)]
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        coefficients = [draw(st.integers(0, 9)) for _ in range(count)]
        rows.append((coefficients, draw(st.integers(0, 30))))
    first = [-draw(st.sampled_from([1, 2, 3])) / draw(st.integers(1, 7)) for _ in range(count)]
    second = [draw(st.integers(0, 20)) for _ in range(count)]
    return upper, rows, first, second


def knapsacks(name, upper, rows):
    """Return a problem over integer columns 0 … upper[j] with rows Σ a·x ≤ b, and its columns."""
    prob = pulp.LpProblem(name, pulp.LpMinimize)
    x = [prob.add_variable(f"x{j}", lowBound=0, upBound=u, cat=pulp.LpInteger)
         for j, u in enumerate(upper)]
    for r, (coefficients, high) in enumerate(rows):
        prob.addConstraint(pulp.lpSum(a * v for a, v in zip(coefficients, x, strict=True))
                           <= high, f"row{r}")
    return prob, x


def plain_lexicographic(upper, rows, first, second):
    """Return the lexicographic optimum by two plain MIPs on HiGHS, and its two values."""
    prob, x = knapsacks("plain", upper, rows)
    values = []
    for n, cost in enumerate((first, second)):
        expression = pulp.lpSum(c * v for c, v in zip(cost, x, strict=True))
        prob.setObjective(expression)
        outcome = run(prob, SolveOptions(gap=0))
        assert outcome.status == OPTIMAL
        values.append(pulp.value(expression))
        if n == 0:
            prob.addConstraint(expression <= values[0] + 1e-9, "keep")
    return values


@FAST
@given(two_objective_problems())
def test_the_phased_solve_reaches_the_plain_lexicographic_optimum(case):
    upper, rows, first, second = case
    best_first, best_second = plain_lexicographic(upper, rows, first, second)
    prob, x = knapsacks("phased", upper, rows)
    objectives = [(name, pulp.lpSum(c * v for c, v in zip(cost, x, strict=True)))
                  for name, cost in (("first", first), ("second", second))]
    solved = solve_in_order(prob, objectives, SolveOptions(gap=0))
    assert solved.status == OPTIMAL
    assert solved.phases[0].value == pytest.approx(best_first, abs=1e-6)
    assert solved.phases[1].value == pytest.approx(best_second, abs=1e-6)


@FAST
@given(two_objective_problems(), st.sampled_from([1e-3, 0.05, 0.2]))
def test_within_a_gap_each_bound_lies_below_the_lexicographic_optimum_and_each_plan_within_it(
        case, gap):
    # A later phase's bound holds the earlier objective at the best value reached, and its
    # plan may let that objective rise within its gap: the bound must still lie below the
    # lexicographic optimum's value, and a plan called optimal within the gap of it.
    upper, rows, first, second = case
    best = plain_lexicographic(upper, rows, first, second)
    prob, x = knapsacks("gapped", upper, rows)
    objectives = [(name, pulp.lpSum(c * v for c, v in zip(cost, x, strict=True)))
                  for name, cost in (("first", first), ("second", second))]
    solved = solve_in_order(prob, objectives, SolveOptions(gap=gap))
    for phase, optimum in zip(solved.phases, best, strict=True):
        bound, value = phase.outcome.best_bound, phase.value
        assert bound <= optimum + 1e-6
        if phase.outcome.status == OPTIMAL:
            assert value - optimum <= gap * abs(value) + 1e-6
    holds = solved.phases[1].bound_holds
    if holds is not None:
        # No plan keeping the first objective within the value the bound holds costs less.
        assert holds["first"] >= best[0] - 1e-6
        capped, x = knapsacks("capped", upper, rows)
        first_objective, second_objective = (
            pulp.lpSum(c * v for c, v in zip(cost, x, strict=True)) for cost in (first, second))
        capped.addConstraint(first_objective <= holds["first"] + 1e-9, "held")
        capped.setObjective(second_objective)
        outcome = run(capped, SolveOptions(gap=0))
        assert outcome.status == OPTIMAL
        assert solved.phases[1].outcome.best_bound <= outcome.objective + 1e-6


def held_relaxation(most: float) -> Relaxation:
    """Minimise −x − y (x, y in [0, 1]) with x + y held at 1, a plan allowed up to ``most``."""
    prob = pulp.LpProblem("room", pulp.LpMinimize)
    x = [prob.add_variable(name, lowBound=0, upBound=1) for name in "xy"]
    prob.addConstraint(x[0] + x[1] <= 2, "both")
    relaxation = Relaxation(prob, read_columns(prob), SolveOptions())
    relaxation.set_costs(np.array([-1.0, -1.0]))
    relaxation.hold("first", np.ones(2), 0.0, value=1.0, most=most)
    return relaxation


def test_a_point_with_room_is_found_only_where_a_held_row_has_more_room_than_its_tolerance():
    point, _ = held_relaxation(most=1.0).point_with_room(0.5, None)
    assert point is None
    # Held within a gap, up to 1.5: half way from the value reached, x + y = 1.25.
    point, _ = held_relaxation(most=1.5).point_with_room(0.5, None)
    assert point is not None and point.sum() == pytest.approx(1.25, abs=1e-6)


def cost_after_shortage(neighbourhood_columns: int, monkeypatch):
    """Solve shortage then cost on knapsacks where rounding finds nothing and a later phase
    may not branch, so that the cost phase has only the shortage phase's plan unless it
    searches that plan's neighbourhood; return the problem and the solve."""
    monkeypatch.setattr(Relaxation, "round", lambda self, *args, **kwargs: Mip(
        None, None, 0.0, None))
    rng = random.Random(5)
    prob = pulp.LpProblem("neighbourhood", pulp.LpMinimize)
    x = prob.add_variable_dicts("x", range(30), lowBound=0, upBound=4, cat=pulp.LpInteger)
    for r in range(3):
        prob.addConstraint(pulp.lpSum(rng.randint(1, 9) * x[i] for i in range(30)) <= 50,
                           f"row{r}")
    shortage = 120 - pulp.lpSum(x.values())
    cost = pulp.lpSum(rng.randint(1, 20) * x[i] for i in range(30))
    tuning = Tuning(later_branch_columns=0, neighbourhood_columns=neighbourhood_columns)
    solved = solve_in_order(prob, [("short", shortage), ("cost", cost)],
                            SolveOptions(gap=1e-3, time_limit=20, tuning=tuning))
    return prob, solved


def test_a_phase_that_misses_its_gap_searches_its_plans_neighbourhood(monkeypatch):
    _, without = cost_after_shortage(0, monkeypatch)
    prob, searched = cost_after_shortage(100, monkeypatch)
    assert without.phases[1].outcome.status == "feasible"
    # A cheaper plan, as short as the shortage phase's, keeping every row.
    assert searched.phases[1].value < without.phases[1].value
    assert searched.phases[0].value == without.phases[0].value
    assert all(c.valid(1e-6) for c in prob.constraints())
    assert searched.phases[1].value == pytest.approx(pulp.value(prob.objective))


@pytest.mark.parametrize(("number", "first_lp_seconds", "expected"), [
    (0, 1.0, 7.5),   # half of the 15 s left: the cost phase keeps the other half
    (0, 10.0, 5.0),  # the cost phase keeps what its LP will take
    (1, 10.0, 15.0),  # the last phase takes all that is left
])
def test_the_neighbourhood_search_leaves_later_phases_their_time(number, first_lp_seconds,
                                                                 expected, monkeypatch):
    # 5 s of the 20 s limit have gone, by a clock that stands still.
    monkeypatch.setattr(phase_state, "time", SimpleNamespace(perf_counter=lambda: 105.0))
    solve = SolveState(SolveOptions(time_limit=20), relaxation=None, blocks=[],
                       lp_method="simplex", phase_count=2, began=100.0)
    solve.first_lp_seconds = first_lp_seconds
    phase = PhaseState(number, "cost", np.zeros(1), 0.0, with_blocks=False)
    assert phases.neighbourhood_seconds(solve, phase) == pytest.approx(expected)


def test_a_relaxation_rounded_to_nothing_free_upwards_is_rounded_in_its_box(monkeypatch):
    tries = []
    round_relaxation = Relaxation.round

    def only_in_the_box(self, x, *, box, **kwargs):
        tries.append(box)
        if not box:
            return Mip(None, None, 0.0, None)
        return round_relaxation(self, x, box=box, **kwargs)

    monkeypatch.setattr(Relaxation, "round", only_in_the_box)
    rng = random.Random(2)
    prob = pulp.LpProblem("boxed", pulp.LpMinimize)
    x = prob.add_variable_dicts("x", range(30), lowBound=0, upBound=4, cat=pulp.LpInteger)
    for r in range(3):
        prob.addConstraint(pulp.lpSum(rng.randint(1, 9) * x[i] for i in range(30)) <= 50,
                           f"row{r}")
    tuning = Tuning(first_branch_columns=0, neighbourhood_columns=0)
    solved = solve_in_order(prob, [("short", 120 - pulp.lpSum(x.values()))],
                            SolveOptions(gap=1e-3, time_limit=20, tuning=tuning))
    assert tries == [False, True]
    assert solved.has_solution
    assert all(c.valid(1e-6) for c in prob.constraints())
