"""How to solve: the solver, its time limit and gap, and the tuned constants of the method.

``docs/optimizer.md`` ("Tuning") gives the reasoning and the measurements behind each constant.
"""

import os
from dataclasses import dataclass, field

HIGHS = "highs"
CBC = "cbc"
SOLVERS = (HIGHS, CBC)

#: HiGHS's LP methods.
SIMPLEX = "simplex"
INTERIOR_POINT = "ipm"


def _two_workers_at_most() -> int:
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Tuning:
    """The tuned constants of the phased solve on HiGHS, in one value a benchmark can vary."""

    #: An LP value this close to a whole number counts as whole.
    integrality: float = 1e-6
    #: The least seconds a later phase gets, even when the earlier ones used up the limit.
    least_phase_seconds: float = 0.5
    #: Share of the time left that rounding a relaxation may use.
    rounding_share: float = 0.3
    #: The least seconds a rounding gets.
    least_rounding_seconds: float = 0.5
    #: Share of the requested gap that rounding aims for.
    rounding_gap_share: float = 1 / 40
    #: How far from the value reached towards its limit each held objective may go at the
    #: points a later phase rounds, tried in turn: the first free upwards, the others in the box
    #: of floor and ceiling.
    rounding_room: tuple[float, ...] = (0.999, 0.99, 0.9, 0.5)
    #: Share of the time left that rounding at the first point of ``rounding_room`` may use.
    first_room_share: float = 0.55
    #: Share of the time left that the blocks' bound and plan may use.
    block_share: float = 0.6
    #: Columns up to which phases use the blocks.
    block_columns: int = 100_000
    #: Blocks solved at once, each by a HiGHS on one thread of its own.
    block_workers: int = field(default_factory=_two_workers_at_most)
    #: Weight of a block's pull towards the LP's totals, as a share of the block's mean
    #: objective coefficient: in the first phase, and in later phases.
    first_pull: float = 1e-3
    later_pull: float = 1e-4
    #: Rounds of fixing blocks' totals (a re-solved LP may leave other blocks fractional).
    fixing_rounds: int = 3
    #: Columns up to which a later phase may still branch on the whole model.
    later_branch_columns: int = 5000
    #: Columns up to which the first phase branches on the whole model when rounding fell short.
    first_branch_columns: int = 50_000
    #: Columns up to which a phase whose plan misses the gap searches the plan's neighbourhood.
    neighbourhood_columns: int = 100_000
    #: Pre-positioning: share of the time limit for the dispatches that report each scenario's
    #: shortage from today's stock, and the least seconds each gets.
    scenario_share: float = 0.25
    least_scenario_seconds: float = 1.0


@dataclass(frozen=True)
class SolveOptions:
    """How to solve: which solver, for how long, to what relative gap."""

    solver: str = HIGHS
    #: Seconds for the whole solve once the model is built (every phase and, for
    #: pre-positioning, the dispatches from today's stock); None waits for the proof.
    time_limit: float | None = None
    #: Relative gap at which a solution counts as optimal.
    gap: float = 1e-4
    threads: int | None = None
    #: Show the solver's own log.
    log: bool = False
    tuning: Tuning = field(default_factory=Tuning)
