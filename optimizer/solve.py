"""Solve a PuLP model for its objectives in order (lexicographically) on HiGHS or CBC.

``solve_in_order`` is what the models call. On HiGHS it goes through ``optimizer.phases`` (each
phase's LP relaxation first); on CBC each phase is one MIP run by ``run``, with the earlier
objectives held by rows. Either way a result is "optimal" only when the solver proved it within
the requested gap (``optimizer.outcome``).
"""

import logging
import time

import pulp
from pulp import constants

from optimizer.cbc import run_cbc
from optimizer.highs import highs_available, run_highs
from optimizer.options import CBC, HIGHS, SIMPLEX, SOLVERS, SolveOptions
from optimizer.outcome import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    Outcome,
    Phase,
    Solved,
    overall_status,
)
from optimizer.phases import solve_phases
from optimizer.relaxation import keep_tolerance

__all__ = ["SolveOptions", "round_integers", "run", "solve_in_order", "solver_name"]

log = logging.getLogger(__name__)


def solver_name(requested: str) -> str:
    """Return the solver to use: HiGHS when asked for and installed, else CBC."""
    if requested not in SOLVERS:
        raise ValueError(f"unknown solver {requested!r}; choose one of {', '.join(SOLVERS)}")
    if requested == HIGHS and not highs_available():
        log.warning("highspy is not installed; solving with CBC instead")
        return CBC
    return requested


def _trivial(prob: pulp.LpProblem) -> Outcome:
    """Decide a model without variables, which the solvers refuse as empty."""
    feasible = all(c.valid(1e-9) for c in prob.constraints())
    constant = float(prob.objective.constant) if prob.objective is not None else 0.0
    if not feasible:
        return Outcome(status=INFEASIBLE, solver="none")
    return Outcome(status=OPTIMAL, solver="none", objective=constant, best_bound=constant,
                   gap=0.0, solver_seconds=0.0)


def run(prob: pulp.LpProblem, options: SolveOptions, *, time_limit: float | None = None,
        start: bool = False, presolve: bool = True) -> Outcome:
    """Solve ``prob`` once and return what the solver found and proved.

    ``time_limit`` overrides the options' limit (for later phases of a lexicographic solve);
    ``start`` passes the variables' current values as a starting solution; ``presolve=False``
    skips HiGHS's presolve.
    """
    if not any(True for _ in prob.variables()):
        return _trivial(prob)
    name = solver_name(options.solver)
    limit = options.time_limit if time_limit is None else time_limit
    began = time.perf_counter()
    if name == HIGHS:
        outcome = run_highs(prob, options, limit, start, presolve)
    else:
        outcome = run_cbc(prob, options, limit, start)
    outcome.seconds = time.perf_counter() - began
    log.info("%s: %s in %.2f s (objective %s, gap %s)", prob.name, outcome.status,
             outcome.seconds, outcome.objective, outcome.gap)
    return outcome


def round_integers(prob: pulp.LpProblem) -> None:
    """Round integer variables to whole numbers (solvers leave them within 1e-6 of one)."""
    for variable in prob.variables():
        if variable.cat == constants.LpInteger and variable.varValue is not None:
            variable.varValue = float(round(variable.varValue))


def _set_objective(prob: pulp.LpProblem, expression: pulp.LpAffineExpression) -> None:
    # A copy, given a variable if it has none: PuLP would otherwise add its own dummy
    # variable to the problem, and CBC fails on the next solve with a warm start.
    objective = pulp.LpAffineExpression(expression)
    if not len(objective) and prob.variables():
        objective[prob.variables()[0]] = 0.0
    prob.setObjective(objective)


def _solve_each_as_mip(prob: pulp.LpProblem,
                       objectives: list[tuple[str, pulp.LpAffineExpression]],
                       options: SolveOptions, name: str) -> Solved:
    """Minimise each objective in turn by one MIP run, holding the earlier ones by rows."""
    began = time.perf_counter()
    least = options.tuning.least_phase_seconds
    phases: list[Phase] = []
    kept: dict | None = None
    for number, (label, expression) in enumerate(objectives):
        limit = None
        if options.time_limit is not None:
            left = options.time_limit - (time.perf_counter() - began)
            limit = left if number == 0 else max(left, least)
        _set_objective(prob, expression)
        if number and not any(expression.values()):
            outcome = Outcome(status=OPTIMAL, solver=name, objective=expression.constant,
                              best_bound=expression.constant, gap=0.0)
        else:
            # Later phases hold the earlier objectives by one dense row over every column,
            # on which HiGHS's presolve ran for minutes without looking at the time limit.
            outcome = run(prob, options, time_limit=limit, start=number > 0,
                          presolve=number == 0)
        if not outcome.has_solution:
            phases.append(Phase(label, outcome))
            if kept is None:
                return Solved(outcome.status, name, phases)
            for variable, value in kept.items():
                variable.varValue = value
            return Solved(FEASIBLE, name, phases)
        round_integers(prob)
        value = expression.value()
        phases.append(Phase(label, outcome, value))
        kept = {v: v.varValue for v in prob.variables()}
        if number < len(objectives) - 1 and any(expression.values()):
            prob.addConstraint(pulp.LpConstraint(
                expression, constants.LpConstraintLE, f"keep_{label}",
                value + keep_tolerance(expression.values(), value)))
    return Solved(overall_status(phases), name, phases)


def solve_in_order(prob: pulp.LpProblem, objectives: list[tuple[str, pulp.LpAffineExpression]],
                   options: SolveOptions, blocks=(), lp_method: str = SIMPLEX) -> Solved:
    """Minimise each objective in turn, holding every earlier one at the value it reached.

    The time limit covers all phases. When a later phase finds nothing, the earlier phase's
    plan stands and the result is "feasible". HiGHS goes through ``optimizer.phases``, which
    uses ``blocks`` (``optimizer.blocks``) for bounds and plans and ``lp_method`` for the LPs;
    CBC runs each phase as one MIP.
    """
    name = solver_name(options.solver)
    if name == HIGHS:
        solved = solve_phases(prob, objectives, options, blocks, lp_method)
        if solved is not None:
            return solved
    return _solve_each_as_mip(prob, objectives, options, name)
