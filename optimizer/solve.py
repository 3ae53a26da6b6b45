"""Run a PuLP model on HiGHS (through highspy) or CBC, and report what the solver really proved.

PuLP's ``LpStatus`` calls a run "Optimal" when CBC stopped at its time limit holding only an
integer-feasible solution. Here a result is "optimal" only when the solver proved it within the
requested relative gap; a solution without that proof is "feasible".

PuLP 3.3 hands a model to HiGHS one column at a time and marks integer columns one by one, which
costs HiGHS a copy each time: 300,000 integer columns took 20 s to hand over and 6 s to solve.
``BulkHiGHS`` is PuLP's HiGHS interface with the whole model passed in one ``passModel`` call.
"""

import logging
import math
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import pulp
from pulp import constants

from optimizer.errors import SolverError

log = logging.getLogger(__name__)

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
UNBOUNDED = "unbounded"
NO_SOLUTION = "no_solution"
HAS_SOLUTION = (OPTIMAL, FEASIBLE)

#: HiGHS's LP methods.
SIMPLEX = "simplex"
INTERIOR_POINT = "ipm"

HIGHS = "highs"
CBC = "cbc"
SOLVERS = (HIGHS, CBC)

try:
    import highspy
except ImportError:  # pragma: no cover - highspy is an install requirement
    highspy = None


@dataclass(frozen=True)
class SolveOptions:
    """How to solve: which solver, for how long, to what relative gap."""

    solver: str = HIGHS
    #: Seconds for the whole solve (all phases); None waits for the proof.
    time_limit: float | None = None
    #: Relative gap at which a solution counts as optimal.
    gap: float = 1e-4
    threads: int | None = None
    #: Show the solver's own log.
    log: bool = False


@dataclass
class Outcome:
    """What one solver run produced and proved."""

    status: str
    solver: str
    objective: float | None = None
    best_bound: float | None = None
    gap: float | None = None
    #: Wall time of the run, including PuLP's hand-over of the model to the solver.
    seconds: float = 0.0
    #: Time the solver itself reports.
    solver_seconds: float | None = None

    @property
    def has_solution(self) -> bool:
        return self.status in HAS_SOLUTION


def highs_available() -> bool:
    """Return whether HiGHS can be driven through highspy."""
    return highspy is not None


def solver_name(requested: str) -> str:
    """Return the solver to use: HiGHS when asked for and installed, else CBC."""
    if requested not in SOLVERS:
        raise ValueError(f"unknown solver {requested!r}; choose one of {', '.join(SOLVERS)}")
    if requested == HIGHS and not highs_available():
        log.warning("highspy is not installed; solving with CBC instead")
        return CBC
    return requested


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Return |objective − bound| / |objective|, as HiGHS defines the relative gap."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    difference = abs(objective - bound)
    if difference <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    if objective == 0:
        return math.inf
    return difference / abs(objective)


def gap_above(objective: float | None, bound: float | None) -> float | None:
    """Return the relative gap of a plan against a lower bound, 0 for a plan at or below it.

    A later phase bounds the plans that keep each earlier objective at its best value, and
    its plan may take the earlier phases' gaps to cost less than that (see ``phases._hold``).
    """
    if objective is not None and bound is not None and objective <= bound:
        return 0.0
    return relative_gap(objective, bound)


def within_gap(gap: float | None, target: float) -> bool:
    """Return whether ``gap`` meets ``target``, allowing for the solver's tolerances.

    Bounds come from LP optima, exact to HiGHS's feasibility tolerance (1e-7), and the row
    holding an earlier objective has a slack of the same order; a gap below 1e-6 is noise.
    """
    return gap is not None and gap <= target + 1e-6


def classify(sol_status: int, gap: float | None, target_gap: float) -> str:
    """Map PuLP's solution status and the solver's gap to the status we report.

    A solver's "optimal" is trusted only if the gap it reports (when it reports one) is within
    the target; an integer-feasible solution without proof is "feasible", never "optimal".
    """
    if sol_status == constants.LpSolutionOptimal:
        if gap is not None and gap > target_gap * (1 + 1e-6) + 1e-9:
            return FEASIBLE
        return OPTIMAL
    if sol_status == constants.LpSolutionIntegerFeasible:
        return FEASIBLE
    if sol_status == constants.LpSolutionInfeasible:
        return INFEASIBLE
    if sol_status == constants.LpSolutionUnbounded:
        return UNBOUNDED
    return NO_SOLUTION


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


def solve_as_mip(source: "highspy.Highs", integer, options: SolveOptions | None,
                 seconds: float | None, *, lower=None, upper=None, gap: float,
                 offset: float = 0.0):
    """Solve the model held by ``source`` as a MIP (within ``lower``–``upper`` when given).

    ``integer`` marks the integer columns; ``offset`` is the objective's constant, on which
    HiGHS measures the relative gap. Returns (solution or None, dual bound or None, HiGHS
    seconds, model status).
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
        highs.setOptionValue("time_limit", max(0.05, seconds))
    highs.run()
    info = highs.getInfo()
    log.debug("MIP (%s): %s, objective %s, bound %s, %.2f s", "rounding" if lower is not None
              else "whole model", highs.getModelStatus(), info.objective_function_value,
              info.mip_dual_bound, highs.getRunTime())
    found = None
    bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
    if info.primal_solution_status == 2:
        found = np.array(highs.getSolution().col_value)
        claimed = info.objective_function_value
        reached = float(np.dot(model.col_cost_, found)) + offset
        if abs(reached - claimed) > 1e-6 * max(1.0, abs(claimed)):
            # Trust no bound from a run whose solution does not reach what it reports.
            log.warning("HiGHS reported objective %s for a solution worth %s; bound ignored",
                        claimed, reached)
            bound = None
        found[integer] = np.round(found[integer])
    return found, bound, highs.getRunTime(), highs.getModelStatus()


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
            rowwise = 2
            status = lp.solverModel.passModel(
                len(variables), len(row_lower), len(indices), rowwise, sense, float(offset),
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
            info = model.getInfo()
            found = info.primal_solution_status == 2  # kSolutionStatusFeasible
            if found:
                values = model.getSolution().col_value
                for variable in variables:
                    variable.varValue = values[variable.index]
            else:
                for variable in variables:
                    variable.varValue = None
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


def _cbc_path() -> str:
    return shutil.which("cbc") or pulp.PULP_CBC_CMD.pulp_cbc_path


_CBC_NUMBER = r"(-?[0-9.eE+-]+|-?inf)"


def _read_cbc_log(text: str) -> dict[str, float]:
    """Pick the incumbent and the bound out of CBC's closing summary."""
    found: dict[str, float] = {}
    for key, label in (("objective", "Objective value"), ("bound", "Lower bound"),
                       ("bound", "Upper bound")):
        match = re.search(rf"^{label}:\s+{_CBC_NUMBER}", text, re.MULTILINE)
        if match:
            try:
                found[key] = float(match.group(1))
            except ValueError:
                pass
    return found


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
        outcome = _run_highs(prob, options, limit, start, presolve)
    else:
        outcome = _run_cbc(prob, options, limit, start)
    outcome.seconds = time.perf_counter() - began
    log.info("%s: %s in %.2f s (objective %s, gap %s)", prob.name, outcome.status,
             outcome.seconds, outcome.objective, outcome.gap)
    return outcome


def _run_highs(prob, options, limit, start, presolve=True) -> Outcome:
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


def _mention_every_variable(prob: pulp.LpProblem) -> None:
    """Give the objective a zero term for each variable that appears nowhere else.

    PuLP writes CBC's input file from the rows and the objective only, then fails reading the
    solution back for a variable of the problem it did not write (one an earlier phase used).
    """
    if prob.objective is None:
        prob.setObjective(pulp.LpAffineExpression())
    used = set(prob.objective.keys())
    for constraint in prob.constraints():
        used.update(constraint.keys())
    for variable in prob.variables():
        if variable not in used:
            prob.objective[variable] = 0.0


def _run_cbc(prob, options, limit, start) -> Outcome:
    _mention_every_variable(prob)
    handle, log_path = tempfile.mkstemp(prefix="cbc-", suffix=".log")
    os.close(handle)
    solver = pulp.COIN_CMD(path=_cbc_path(), msg=False, timeLimit=limit, gapRel=options.gap,
                           threads=options.threads, warmStart=start, logPath=log_path)
    try:
        prob.solve(solver)
        with open(log_path, encoding="utf-8", errors="replace") as handle_log:
            text = handle_log.read()
    except pulp.PulpSolverError as error:
        raise SolverError(f"CBC failed: {error}") from error
    finally:
        os.unlink(log_path)
    if options.log:
        log.info("%s", text)
    summary = _read_cbc_log(text)
    # CBC's log leaves out the objective's constant term.
    constant = float(prob.objective.constant) if prob.objective is not None else 0.0
    objective = bound = gap = None
    if prob.sol_status in (constants.LpSolutionOptimal, constants.LpSolutionIntegerFeasible):
        objective = pulp.value(prob.objective)
        if "bound" in summary:
            bound = summary["bound"] + constant
            gap = relative_gap(objective, bound)
        elif prob.sol_status == constants.LpSolutionOptimal:
            bound, gap = objective, 0.0
    seconds = re.search(r"Total time \(CPU seconds\):\s+\S+\s+\(Wallclock seconds\):\s+(\S+)",
                        text)
    return Outcome(status=classify(prob.sol_status, gap, options.gap), solver=CBC,
                   objective=objective, best_bound=bound, gap=gap,
                   solver_seconds=float(seconds.group(1)) if seconds else None)


def round_integers(prob: pulp.LpProblem) -> None:
    """Round integer variables to whole numbers (solvers leave them within 1e-6 of one)."""
    for variable in prob.variables():
        if variable.cat == constants.LpInteger and variable.varValue is not None:
            variable.varValue = float(round(variable.varValue))


@dataclass
class Phase:
    """One objective of a lexicographic solve and what its run achieved."""

    name: str
    outcome: Outcome
    value: float | None = None
    #: The values at which the bound holds each earlier objective: the best reached, or the
    #: most the plan may reach where the bound is the LP's at the plan's limits (see
    #: ``phases._hold``). No plan within those values does better than the bound.
    bound_holds: dict[str, float] | None = None

    def to_dict(self) -> dict:
        outcome = self.outcome
        return {"objective": self.name, "status": outcome.status, "value": self.value,
                "best_bound": outcome.best_bound, "gap": outcome.gap,
                "bound_holds": self.bound_holds,
                "seconds": outcome.seconds, "solver_seconds": outcome.solver_seconds}


@dataclass
class Solved:
    """The result of solving a model for one or more objectives in order."""

    status: str
    solver: str
    phases: list[Phase]

    @property
    def has_solution(self) -> bool:
        return self.status in HAS_SOLUTION

    def stats(self, prob: pulp.LpProblem, build_seconds: float, **more) -> dict:
        """Return the stats every result reports: solver, times, gap, bound and model size."""
        # A phase that found nothing (its earlier phase's plan stands) leaves the gap unknown.
        gaps = [p.outcome.gap for p in self.phases]
        solver_times = [p.outcome.solver_seconds for p in self.phases]
        return {
            "solver": self.solver,
            "build_seconds": build_seconds,
            "solve_seconds": sum(p.outcome.seconds for p in self.phases),
            "solver_seconds": (sum(solver_times) if None not in solver_times else None),
            "gap": None if not gaps or None in gaps else max(gaps),
            "best_bound": {p.name: p.outcome.best_bound for p in self.phases},
            # Every variable is registered by now; prob.variables() would sort them again.
            "variables": prob.numVariables(),
            "constraints": prob.numConstraints(),
            "phases": [p.to_dict() for p in self.phases],
            **more,
        }


#: The least time a later phase gets, even when the earlier ones used up the limit.
LEAST_PHASE_SECONDS = 0.5


def keep_tolerance(coefficients, value: float) -> float:
    """Slack for holding an objective at its optimum: above rounding, below one unit's worth."""
    smallest = min((abs(c) for c in coefficients if c), default=1.0)
    return max(1e-12, min(1e-7 * max(1.0, abs(value)), 0.1 * smallest))


def solve_in_order(prob: pulp.LpProblem, objectives: list[tuple[str, pulp.LpAffineExpression]],
                   options: SolveOptions, blocks=(), lp_method: str = SIMPLEX) -> Solved:
    """Minimise each objective in turn, holding every earlier one at the value it reached.

    The time limit covers all phases. When a later phase finds nothing, the earlier phase's
    solution stands and the result is "feasible". HiGHS goes through ``optimizer.phases``
    (relaxation first), which uses ``blocks`` (``optimizer.blocks``) for bounds and plans and
    ``lp_method`` as the LPs' method; CBC runs each phase as one MIP.
    """
    name = solver_name(options.solver)
    if name == HIGHS:
        from optimizer.phases import solve_phases

        solved = solve_phases(prob, objectives, options, blocks, lp_method)
        if solved is not None:
            return solved
    began = time.perf_counter()
    phases: list[Phase] = []
    kept: dict | None = None
    for number, (label, expression) in enumerate(objectives):
        limit = None
        if options.time_limit is not None:
            left = options.time_limit - (time.perf_counter() - began)
            limit = left if number == 0 else max(left, LEAST_PHASE_SECONDS)
        # A copy, given a variable if it has none: PuLP would otherwise add its own dummy
        # variable to the problem, and CBC fails on the next solve with a warm start.
        objective = pulp.LpAffineExpression(expression)
        if not len(objective) and prob.variables():
            objective[prob.variables()[0]] = 0.0
        prob.setObjective(objective)
        if number and not any(expression.values()):
            outcome = Outcome(status=OPTIMAL, solver=name, objective=expression.constant,
                              best_bound=expression.constant, gap=0.0)
        else:
            # Later phases hold the earlier objectives by one dense row over every column.
            # HiGHS's presolve on such a row ran for minutes on a city dispatch (400,000
            # columns) without looking at the time limit; without presolve the limit holds
            # and the county's cost phase reached a 1.6% gap in 30 s rather than 118 s.
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
    status = OPTIMAL if all(p.outcome.status == OPTIMAL for p in phases) else FEASIBLE
    return Solved(status, name, phases)
