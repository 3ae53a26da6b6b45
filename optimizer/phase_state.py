"""The state a lexicographic solve on HiGHS keeps: what its phases share, and one phase's."""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from optimizer.block_mip import IndexedBlock
from optimizer.options import SolveOptions
from optimizer.outcome import Phase, gap_above, within_gap
from optimizer.relaxation import Relaxation


@dataclass
class SolveState:
    """What the phases of one lexicographic solve share."""

    options: SolveOptions
    relaxation: Relaxation
    blocks: list[IndexedBlock]
    lp_method: str
    phase_count: int
    began: float = field(default_factory=time.perf_counter)
    phases: list[Phase] = field(default_factory=list)
    #: Each finished phase's objective: its column costs and its constant.
    objectives: list[tuple[np.ndarray, float]] = field(default_factory=list)
    #: The best plan so far, which keeps every earlier phase's row.
    incumbent: np.ndarray | None = None
    #: The first phase's prices, which choose the blocks' totals in later phases.
    first_prices: tuple | None = None
    #: HiGHS's seconds for the first phase's LP, about what each later phase's LP takes.
    first_lp_seconds: float = 0.0

    @property
    def tuning(self):
        """The method's constants."""
        return self.options.tuning

    @property
    def columns(self):
        """The problem's columns in HiGHS's order."""
        return self.relaxation.columns

    def left(self) -> float | None:
        """Return the seconds left of the time limit (None: no limit)."""
        limit = self.options.time_limit
        return None if limit is None else limit - (time.perf_counter() - self.began)

    def share_of_left(self, share: float, least: float = 0.0) -> float | None:
        """Return ``share`` of the seconds left, at least ``least`` (None: no limit)."""
        left = self.left()
        return None if left is None else max(least, share * left)


@dataclass
class PhaseState:
    """One phase in progress: its objective, its bound and its best plan."""

    number: int
    name: str
    cost: np.ndarray
    constant: float
    #: Whether the blocks give this phase's bound and a plan.
    with_blocks: bool
    began: float = field(default_factory=time.perf_counter)
    #: The relaxation's solution.
    x: np.ndarray | None = None
    bound: float = -math.inf
    #: Whether the bound holds the earlier objectives at their best values reached (else at
    #: the plan's limits: a bound for those plans, so for the tighter ones too).
    bound_at_best: bool = False
    best: np.ndarray | None = None
    solver_seconds: float = 0.0

    def worth(self, plan: np.ndarray) -> float:
        """Return the phase's objective at ``plan``."""
        return float(self.cost @ plan) + self.constant

    @property
    def value(self) -> float | None:
        """The objective at the best plan so far."""
        return None if self.best is None else self.worth(self.best)

    @property
    def gap(self) -> float | None:
        """The best plan's relative gap above the bound."""
        return gap_above(self.value, self.bound)

    def proven(self, target: float) -> bool:
        """Return whether the best plan is within ``target`` of the bound."""
        return within_gap(self.gap, target)

    def offer(self, plan: np.ndarray | None) -> None:
        """Keep ``plan`` if it is better than the best so far."""
        if plan is not None and (self.best is None or self.worth(plan) < self.value):
            self.best = plan
