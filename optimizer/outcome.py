"""What a solve found and proved: statuses, gaps, one run, one phase, the whole solve.

A result is "optimal" only when the solver proved it within the requested relative gap; a
solution without that proof is "feasible". PuLP's ``LpStatus`` calls a CBC run "Optimal" when it
stopped at its time limit holding only an integer-feasible solution, so ``classify`` reads the
solution status and the gap instead.
"""

import math
from dataclasses import dataclass

from pulp import constants

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
UNBOUNDED = "unbounded"
NO_SOLUTION = "no_solution"
HAS_SOLUTION = (OPTIMAL, FEASIBLE)

#: Bounds are LP optima, exact to HiGHS's feasibility tolerance (1e-7), and a row holding an
#: earlier objective has a slack of the same order: a gap this much over its target is noise.
GAP_NOISE = 1e-6


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

    A later phase bounds the plans that keep each earlier objective at its best value, and its
    plan may use the earlier phases' gaps to cost less than that (docs/optimizer.md).
    """
    if objective is not None and bound is not None and objective <= bound:
        return 0.0
    return relative_gap(objective, bound)


def within_gap(gap: float | None, target: float) -> bool:
    """Return whether ``gap`` meets ``target``, allowing for the solver's tolerances."""
    return gap is not None and gap <= target + GAP_NOISE


def most_within(bound: float, gap: float) -> float:
    """Return the largest value whose relative gap above ``bound`` is ``gap``."""
    return bound / (1 - gap) if bound >= 0 else bound / (1 + gap)


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


@dataclass
class Outcome:
    """What one solver run, or one phase, produced and proved."""

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
        """Whether there is a plan: optimal or feasible."""
        return self.status in HAS_SOLUTION


@dataclass
class Phase:
    """One objective of a lexicographic solve and what its run achieved."""

    name: str
    outcome: Outcome
    value: float | None = None
    #: The values at which the bound holds each earlier objective: the best reached, or the
    #: most the plan may reach where the bound is the LP's at the plan's limits. No plan within
    #: those values does better than the bound.
    bound_holds: dict[str, float] | None = None

    def to_dict(self) -> dict:
        """Return the phase as the result document reports it."""
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
        """Whether there is a plan: optimal or feasible."""
        return self.status in HAS_SOLUTION

    def stats(self, prob, build_seconds: float, **more) -> dict:
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


def overall_status(phases: list[Phase]) -> str:
    """Return "optimal" when every phase was proven, else "feasible"."""
    return OPTIMAL if all(p.outcome.status == OPTIMAL for p in phases) else FEASIBLE
