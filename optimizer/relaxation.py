"""The LP relaxation a lexicographic solve keeps on HiGHS, and the rows holding earlier objectives.

One HiGHS instance holds the problem's LP relaxation for every phase: a phase sets its objective
and re-solves from the basis the previous phase left. Each finished phase adds a row that holds
its objective (an objective-fixing row, ``HeldObjective``) for the phases after it. Rounding and
the neighbourhood search are MIPs over copies of this model with changed column bounds.
"""

import logging
from dataclasses import dataclass

import numpy as np
import pulp
from pulp import constants

from optimizer.errors import SolverError
from optimizer.highs import ROWWISE, Mip, constraint_rows, highspy, new_highs, solve_mip
from optimizer.options import SolveOptions
from optimizer.outcome import gap_above, most_within

log = logging.getLogger(__name__)


@dataclass
class Columns:
    """The problem's columns in HiGHS's order."""

    variables: list[pulp.LpVariable]
    integer: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    def __len__(self) -> int:
        return len(self.variables)

    def assign(self, x: np.ndarray | None) -> None:
        """Set each variable's value from ``x``, or clear them all."""
        for number, variable in enumerate(self.variables):
            variable.varValue = None if x is None else float(x[number])


def read_columns(prob: pulp.LpProblem) -> Columns:
    """Return ``prob``'s columns, setting each variable's ``index`` to its column."""
    variables = prob.variables()
    for index, variable in enumerate(variables):
        variable.index = index
    inf = highspy.kHighsInf
    integer = np.fromiter((v.cat == constants.LpInteger for v in variables), bool,
                          len(variables))
    lower = np.fromiter((-inf if v.lowBound is None else v.lowBound for v in variables),
                        float, len(variables))
    upper = np.fromiter((inf if v.upBound is None else v.upBound for v in variables),
                        float, len(variables))
    return Columns(variables, integer, lower, upper)


def objective_costs(expression: pulp.LpAffineExpression, count: int) -> np.ndarray:
    """Return the objective's coefficient of each column."""
    cost = np.zeros(count)
    for variable, coefficient in expression.items():
        cost[variable.index] += coefficient
    return cost


def keep_tolerance(coefficients, value: float) -> float:
    """Slack for holding an objective at its optimum: above rounding, below one unit's worth."""
    smallest = min((abs(c) for c in coefficients if c), default=1.0)
    return max(1e-12, min(1e-7 * max(1.0, abs(value)), 0.1 * smallest))


def plan_limit(value: float, bound: float, gap: float) -> float:
    """Return the most a later phase may let an objective reach: still within ``gap``.

    A phase proven within the gap is held at the largest value whose relative gap to its bound
    is half the gap, so that the next phase has room to work and rounding there cannot push the
    objective over; with ``gap`` 0, or a phase not proven, it is held at the value reached.
    """
    if gap <= 0 or gap_above(value, bound) == 0:
        return value
    return max(value, most_within(bound, gap / 2))


@dataclass
class HeldObjective:
    """An earlier objective held by a row of the later phases' LP."""

    name: str
    row: int
    #: The best value reached, and the most a plan may reach (``plan_limit``).
    value: float
    most: float
    #: The objective's constant, which the row leaves out, and the row's slack for rounding.
    constant: float
    tolerance: float

    @property
    def reached(self) -> float:
        """The row's activity at the best value reached."""
        return self.value - self.constant

    @property
    def for_plans(self) -> float:
        """The row's upper bound for a plan."""
        return self.most - self.constant + self.tolerance

    @property
    def for_bounds(self) -> float:
        """The row's upper bound for a bound."""
        return self.value - self.constant + self.tolerance

    @property
    def has_room(self) -> bool:
        """Whether a plan may let the objective rise beyond the row's tolerance."""
        return self.most > self.value


class Relaxation:
    """The LP relaxation of a PuLP problem on HiGHS, with rows holding earlier objectives."""

    def __init__(self, prob: pulp.LpProblem, columns: Columns, options: SolveOptions):
        starts, indices, values, row_lower, row_upper = constraint_rows(prob)
        count = len(columns)
        self.columns = columns
        self.options = options
        self.held: list[HeldObjective] = []
        self.highs = new_highs(options)
        status = self.highs.passModel(
            count, len(row_lower), len(indices), ROWWISE, 1, 0.0, np.zeros(count),
            columns.lower, columns.upper, np.array(row_lower, dtype=float),
            np.array(row_upper, dtype=float), np.array(starts, dtype=np.int32),
            np.array(indices, dtype=np.int32), np.array(values, dtype=float),
            np.zeros(count, dtype=np.int32))
        if status == highspy.HighsStatus.kError:
            raise SolverError("HiGHS refused the model")

    def set_costs(self, cost: np.ndarray) -> None:
        """Make ``cost`` the LP's objective."""
        count = len(self.columns)
        self.highs.changeColsCost(count, np.arange(count, dtype=np.int32), cost)

    def allow(self, seconds: float | None) -> None:
        """Let the next run take ``seconds`` (None: no change).

        HiGHS holds a re-solved LP to its time limit counted from the instance's first run.
        """
        if seconds is not None:
            self.highs.setOptionValue("time_limit", self.highs.getRunTime() + seconds)

    def solve(self) -> float:
        """Solve the LP from the current basis; return HiGHS's seconds for it."""
        before = self.highs.getRunTime()
        self.highs.run()
        return self.highs.getRunTime() - before

    @property
    def optimal(self) -> bool:
        """Whether the last run solved the LP to optimality."""
        return self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal

    def solution(self) -> np.ndarray:
        """Return the last run's column values."""
        return np.array(self.highs.getSolution().col_value)

    def hold(self, name: str, cost: np.ndarray, constant: float, value: float,
             most: float) -> None:
        """Add the row that holds the objective ``cost`` (reached ``value``) at ``most``."""
        used = np.nonzero(cost)[0]
        held = HeldObjective(name, self.highs.getNumRow(), value, most, constant,
                             keep_tolerance(cost[used], value))
        self.highs.addRow(-highspy.kHighsInf, held.for_plans, len(used), used.astype(np.int32),
                          cost[used])
        self.held.append(held)

    def hold_for_bounds(self) -> None:
        """Hold each earlier objective at its best value reached, as a bound of the phase does."""
        for held in self.held:
            self.highs.changeRowBounds(held.row, -highspy.kHighsInf, held.for_bounds)

    def hold_for_plans(self) -> None:
        """Hold each earlier objective at the most a plan may reach."""
        for held in self.held:
            self.highs.changeRowBounds(held.row, -highspy.kHighsInf, held.for_plans)

    def plan_limits(self) -> list[tuple[int, float]]:
        """Return each held row with its upper bound for a plan."""
        return [(held.row, held.for_plans) for held in self.held]

    @property
    def has_room(self) -> bool:
        """Whether a plan may let any earlier objective rise."""
        return any(held.has_room for held in self.held)

    def point_with_room(self, room: float, seconds: float | None
                        ) -> tuple[np.ndarray | None, float]:
        """Return the LP optimum with each held objective ``room`` of the way from its value
        to its limit, or None, and HiGHS's seconds; the rows are left at the plans' limits.

        Only a point to round: the phase's bound is the LP's at the true limits. Rounding the
        LP optimum itself breaks the held rows, which are usually tight there.
        """
        held = [held for held in self.held if held.has_room]
        if not held:
            return None, 0.0
        for each in held:
            middle = each.reached + room * (each.for_plans - each.reached)
            self.highs.changeRowBounds(each.row, -highspy.kHighsInf, middle)
        self.allow(seconds)
        seconds_used = self.solve()
        point = self.solution() if self.optimal else None
        for each in held:
            self.highs.changeRowBounds(each.row, -highspy.kHighsInf, each.for_plans)
        return point, seconds_used

    def bound_at_best(self, seconds: float | None) -> tuple[float | None, float]:
        """Return the LP optimum with the earlier objectives at their best values (None if
        it did not finish), and HiGHS's seconds; the rows are left at the plans' limits."""
        self.hold_for_bounds()
        self.allow(seconds)
        seconds_used = self.solve()
        found = self.highs.getInfo().objective_function_value if self.optimal else None
        self.hold_for_plans()
        return found, seconds_used

    def round(self, x: np.ndarray, *, box: bool, seconds: float | None, gap: float,
              constant: float) -> Mip:
        """Return the best whole plan no lower than the floor of ``x`` (with ``box``, no
        higher than its ceiling either): RENS when boxed."""
        columns, integrality = self.columns, self.options.tuning.integrality
        lower = np.where(columns.integer, np.floor(x + integrality), columns.lower)
        upper = (np.where(columns.integer, np.ceil(x - integrality), columns.upper) if box
                 else columns.upper)
        return solve_mip(self.highs, columns.integer, self.options, seconds, lower=lower,
                         upper=upper, gap=gap, offset=constant)

    def search_neighbourhood(self, plan: np.ndarray, x: np.ndarray, *, seconds: float | None,
                             gap: float, target: float) -> Mip:
        """Return the best plan that keeps every integer column on which ``plan`` and the LP
        optimum ``x`` agree (RINS), started from ``plan``; stop once one is worth ``target``.

        ``target`` and the plan's worth leave out the objective's constant.
        """
        columns = self.columns
        agree = columns.integer & (np.abs(x - plan) <= self.options.tuning.integrality)
        log.debug("neighbourhood: %d of %d integer columns free", int((columns.integer
                  & ~agree).sum()), int(columns.integer.sum()))
        return solve_mip(self.highs, columns.integer, self.options, seconds,
                         lower=np.where(agree, plan, columns.lower),
                         upper=np.where(agree, plan, columns.upper), gap=gap, start=plan,
                         target=target)

    def use_method(self, method: str) -> None:
        """Solve the next LPs by ``method`` (simplex or interior point)."""
        self.highs.setOptionValue("solver", method)

    def presolve_off(self) -> None:
        """Skip presolve from now on: by simplex, later runs start from the optimal basis."""
        self.highs.setOptionValue("presolve", "off")

    def model_status(self):
        """Return HiGHS's status of the last run."""
        return self.highs.getModelStatus()
