"""The HiGHS adapter: PuLP models handed over in one call, MIPs over a HiGHS model's copy.

PuLP 3.3 hands a model to HiGHS one column at a time and marks integer columns one by one, which
costs HiGHS a copy each time, longer than solving a large model. ``BulkHiGHS`` is PuLP's HiGHS
interface with the whole model passed in one ``passModel`` call.
"""

import logging
import math
from typing import NamedTuple

import numpy as np
import pulp
from pulp import constants

from optimizer.errors import SolverError
from optimizer.options import HIGHS, SolveOptions
from optimizer.outcome import Outcome, classify, relative_gap

log = logging.getLogger(__name__)

try:
    import highspy
except ImportError:  # pragma: no cover - highspy is an install requirement
    highspy = None

#: The shortest time limit handed to HiGHS; it refuses 0.
SHORTEST_RUN = 0.05
#: ``passModel``'s code for a matrix given row by row.
ROWWISE = 2
#: HiGHS's code for a feasible primal solution.
FEASIBLE_SOLUTION = 2


def highs_available() -> bool:
    """Return whether HiGHS can be driven through highspy."""
    return highspy is not None


def new_highs(options: SolveOptions | None = None) -> "highspy.Highs":
    """Return a HiGHS instance configured by ``options``, its output off unless asked for.

    (HiGHS prints its banner on the first instance of a process, before any option can turn
    the output off; the command line keeps it off the JSON on stdout.)
    """
    highs = highspy.Highs()
    if options is None or not options.log:
        highs.setOptionValue("output_flag", False)
    if options is not None and options.threads is not None:
        highs.setOptionValue("threads", options.threads)
    return highs


def constraint_rows(prob: pulp.LpProblem) -> tuple[list, list, list, list, list]:
    """Return ``prob``'s constraints row-wise, as HiGHS's ``passModel`` takes them:
    row starts, column indices and values, row lower and upper bounds.

    Each variable's ``index`` must already be set to its column.
    """
    inf = highspy.kHighsInf
    starts, indices, values, row_lower, row_upper = [], [], [], [], []
    for constraint in prob.constraints():
        starts.append(len(indices))
        for variable, coefficient in constraint.items():
            if coefficient:
                indices.append(variable.index)
                values.append(coefficient)
        lb, ub = constraint.getLb(), constraint.getUb()
        row_lower.append(-inf if lb is None else lb)
        row_upper.append(inf if ub is None else ub)
    return starts, indices, values, row_lower, row_upper


class Mip(NamedTuple):
    """What a MIP run gave: a whole solution, HiGHS's dual bound, its seconds and status."""

    solution: np.ndarray | None
    bound: float | None
    seconds: float
    status: object


def solve_mip(source: "highspy.Highs", integer: np.ndarray, options: SolveOptions | None,
              seconds: float | None, *, gap: float, lower=None, upper=None,
              offset: float = 0.0, start: np.ndarray | None = None,
              target: float | None = None) -> Mip:
    """Solve a copy of the model ``source`` holds as a MIP, within ``lower``–``upper`` if given.

    ``integer`` marks the integer columns; ``offset`` is the objective's constant, on which
    HiGHS measures the relative gap. ``start`` is a whole solution to start from (then pass
    no offset: HiGHS 1.16 given both reported objectives its solution did not reach);
    ``target`` stops the run at the first solution worth that much or less.
    """
    model = source.getLp()
    model.offset_ = offset
    if lower is not None:
        model.col_lower_ = lower
        model.col_upper_ = upper
    highs = new_highs(options)
    highs.passModel(model)
    count = len(integer)
    highs.changeColsIntegrality(count, np.arange(count, dtype=np.int32),
                                integer.astype(np.uint8))
    highs.setOptionValue("mip_rel_gap", gap)
    if seconds is not None:
        highs.setOptionValue("time_limit", max(SHORTEST_RUN, seconds))
    if target is not None:
        highs.setOptionValue("objective_target", target)
    if start is not None:
        highs.setSolution(count, np.arange(count, dtype=np.int32), start.astype(float))
    highs.run()
    info = highs.getInfo()
    log.debug("MIP: %s, objective %s, bound %s, %.2f s", highs.getModelStatus(),
              info.objective_function_value, info.mip_dual_bound, highs.getRunTime())
    found = None
    bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
    if info.primal_solution_status == FEASIBLE_SOLUTION:
        found = np.array(highs.getSolution().col_value)
        claimed = info.objective_function_value
        reached = float(np.dot(model.col_cost_, found)) + offset
        if abs(reached - claimed) > 1e-6 * max(1.0, abs(claimed)):
            # Trust no bound from a run whose solution does not reach what it reports.
            log.warning("HiGHS reported objective %s for a solution worth %s; bound ignored",
                        claimed, reached)
            bound = None
        found[integer] = np.round(found[integer])
    return Mip(found, bound, highs.getRunTime(), highs.getModelStatus())


if highspy is not None:

    class BulkHiGHS(pulp.HiGHS):
        """PuLP's HiGHS solver with the model passed in one call and an optional start."""

        def __init__(self, start: bool = False, presolve: bool = True, **kwargs):
            super().__init__(**kwargs)
            self.start = start
            self.presolve = presolve

        def actualSolve(self, lp):
            self.createAndConfigureSolver(lp)
            if not self.presolve:
                lp.solverModel.setOptionValue("presolve", "off")
            variables = lp.variables()
            self._pass_model(lp, variables)
            if self.start:
                self._pass_start(lp, variables)
            self.callSolver(lp)
            status, sol_status = self._read_solution(lp, variables)
            lp.assignStatus(status, sol_status)
            return status

        def _pass_model(self, lp, variables):
            inf = highspy.kHighsInf
            for index, variable in enumerate(variables):
                variable.index = index
            objective = lp.objective if lp.objective is not None else {}
            cost = [0.0] * len(variables)
            for variable, coefficient in objective.items():
                cost[variable.index] = coefficient
            lower = [-inf if v.lowBound is None else v.lowBound for v in variables]
            upper = [inf if v.upBound is None else v.upBound for v in variables]
            integer = constants.LpInteger
            integrality = [1 if self.mip and v.cat == integer else 0 for v in variables]
            starts, indices, values, row_lower, row_upper = constraint_rows(lp)
            sense = -1 if lp.sense == constants.LpMaximize else 1
            offset = getattr(objective, "constant", 0.0) or 0.0
            status = lp.solverModel.passModel(
                len(variables), len(row_lower), len(indices), ROWWISE, sense, float(offset),
                cost, lower, upper, row_lower, row_upper, starts, indices, values, integrality)
            if status == highspy.HighsStatus.kError:
                raise SolverError("HiGHS refused the model")

        def _pass_start(self, lp, variables):
            known = [(v.index, v.varValue) for v in variables if v.varValue is not None]
            if known:
                columns, values = zip(*known, strict=True)
                lp.solverModel.setSolution(len(columns), list(columns), list(values))

        def _read_solution(self, lp, variables):
            model = lp.solverModel
            model_status = model.getModelStatus()
            found = model.getInfo().primal_solution_status == FEASIBLE_SOLUTION
            values = model.getSolution().col_value if found else None
            for variable in variables:
                variable.varValue = values[variable.index] if found else None
            kinds = highspy.HighsModelStatus
            if model_status == kinds.kOptimal and found:
                return constants.LpStatusOptimal, constants.LpSolutionOptimal
            if model_status == kinds.kInfeasible:
                return constants.LpStatusInfeasible, constants.LpSolutionInfeasible
            if model_status in (kinds.kUnbounded, kinds.kUnboundedOrInfeasible):
                return constants.LpStatusUnbounded, constants.LpSolutionUnbounded
            if found:
                return constants.LpStatusOptimal, constants.LpSolutionIntegerFeasible
            return constants.LpStatusNotSolved, constants.LpSolutionNoSolutionFound


def run_highs(prob: pulp.LpProblem, options: SolveOptions, limit: float | None, start: bool,
              presolve: bool = True) -> Outcome:
    """Solve ``prob`` once on HiGHS as it stands (a MIP as a MIP) and report what was proven."""
    solver = BulkHiGHS(start=start, presolve=presolve, msg=options.log, gapRel=options.gap,
                       timeLimit=limit, threads=options.threads)
    try:
        prob.solve(solver)
    except pulp.PulpSolverError as error:
        raise SolverError(f"HiGHS failed: {error}") from error
    model = prob.solverModel
    info = model.getInfo()
    objective = bound = gap = None
    if prob.sol_status in (constants.LpSolutionOptimal, constants.LpSolutionIntegerFeasible):
        objective = info.objective_function_value
        if prob.isMIP():
            bound = info.mip_dual_bound
            # Not HiGHS's own gap, |objective − bound| / |objective| without a floor: an
            # optimum of 8e-17 against a bound of 0 (a dispatch meeting all demand, whose
            # objective's constant cancels) came back as a gap of 1.
            gap = relative_gap(objective, bound)
        elif prob.sol_status == constants.LpSolutionOptimal:
            bound, gap = objective, 0.0
    return Outcome(status=classify(prob.sol_status, gap, options.gap), solver=HIGHS,
                   objective=objective, best_bound=bound, gap=gap,
                   solver_seconds=model.getRunTime())
