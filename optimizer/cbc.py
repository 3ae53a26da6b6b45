"""The CBC adapter: one run of CBC through PuLP, its bound read from CBC's log."""

import logging
import os
import re
import shutil
import tempfile

import pulp
from pulp import constants

from optimizer.errors import SolverError
from optimizer.options import CBC, SolveOptions
from optimizer.outcome import Outcome, classify, relative_gap

log = logging.getLogger(__name__)

_NUMBER = r"(-?[0-9.eE+-]+|-?inf)"
_WALL_SECONDS = re.compile(
    r"Total time \(CPU seconds\):\s+\S+\s+\(Wallclock seconds\):\s+(\S+)")


def _cbc_path() -> str:
    return shutil.which("cbc") or pulp.PULP_CBC_CMD.pulp_cbc_path


def read_cbc_log(text: str) -> dict[str, float]:
    """Pick the incumbent and the bound out of CBC's closing summary."""
    found: dict[str, float] = {}
    for key, label in (("objective", "Objective value"), ("bound", "Lower bound"),
                       ("bound", "Upper bound")):
        match = re.search(rf"^{label}:\s+{_NUMBER}", text, re.MULTILINE)
        if match:
            try:
                found[key] = float(match.group(1))
            except ValueError:
                pass
    return found


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


def _solve_with_log(prob: pulp.LpProblem, solver, log_path: str) -> str:
    """Solve ``prob`` with ``solver``, which writes its log to ``log_path``; return the log."""
    try:
        prob.solve(solver)
        with open(log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except pulp.PulpSolverError as error:
        raise SolverError(f"CBC failed: {error}") from error
    finally:
        os.unlink(log_path)


def run_cbc(prob: pulp.LpProblem, options: SolveOptions, limit: float | None,
            start: bool) -> Outcome:
    """Solve ``prob`` once on CBC and report what was proven; ``start`` warm-starts it."""
    _mention_every_variable(prob)
    handle, log_path = tempfile.mkstemp(prefix="cbc-", suffix=".log")
    os.close(handle)
    solver = pulp.COIN_CMD(path=_cbc_path(), msg=False, timeLimit=limit, gapRel=options.gap,
                           threads=options.threads, warmStart=start, logPath=log_path)
    text = _solve_with_log(prob, solver, log_path)
    if options.log:
        log.info("%s", text)
    summary = read_cbc_log(text)
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
    seconds = _WALL_SECONDS.search(text)
    return Outcome(status=classify(prob.sol_status, gap, options.gap), solver=CBC,
                   objective=objective, best_bound=bound, gap=gap,
                   solver_seconds=float(seconds.group(1)) if seconds else None)
