"""Blocks: sources whose shipments share a weight and volume limit, a knapsack over their items.

Without depot limits a dispatch is a network and its LP relaxation is whole. A depot's limits
join its items, and the relaxation fills them with fractions of units. From one LP solution and
its row prices this module gives a phase two things (docs/optimizer.md, "Per-depot blocks"):

- a bound, by Lagrangian relaxation: with every row except the blocks' own priced at the LP's
  duals, the problem falls apart into one knapsack per block (``optimizer.block_mip``) and
  single columns. Blocks whose LP solution is whole lose nothing; the others are solved.
- a plan: each block's totals fixed at its MIP solution, pulled towards the LP's totals, leave a
  network whose LP optimum is whole (``optimizer.block_plans``).
"""

import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from optimizer.block_mip import ZERO_PRICE, IndexedBlock, block_mip, fractional_blocks
from optimizer.block_plans import fix_totals
from optimizer.highs import FEASIBLE_SOLUTION, SHORTEST_RUN, highspy
from optimizer.outcome import gap_above, within_gap

log = logging.getLogger(__name__)


@dataclass
class Group:
    """The columns that draw on one stock: one item's shipments out of one source."""

    columns: list
    #: Most units of all the columns together (the source's stock of the item).
    upper: float
    #: Size of one unit against each of the block's capacities (kg, m³).
    sizes: tuple[float, ...]


@dataclass
class Block:
    """A source whose shipments of every item share capacities: weight and volume limits."""

    name: str
    groups: list[Group]
    capacities: tuple[float, ...]
    #: Names of the problem's rows that this block states (its stock and limit rows).
    rows: list[str] = field(default_factory=list)


def index_blocks(blocks: list[Block], row_numbers: dict[str, int]) -> list[IndexedBlock]:
    """Return the blocks with columns and rows as numbers (each variable's ``index`` is set)."""
    indexed = []
    for block in blocks:
        columns, group, positions = [], [], []
        for number, members in enumerate(block.groups):
            positions.append(np.arange(len(columns), len(columns) + len(members.columns)))
            columns.extend(variable.index for variable in members.columns)
            group.extend([number] * len(members.columns))
        if not columns:
            continue
        sizes = np.array([members.sizes for members in block.groups], dtype=float)
        indexed.append(IndexedBlock(
            block.name, np.array(columns, dtype=np.int64), np.array(group, dtype=np.int64),
            positions,
            np.array([members.upper for members in block.groups], dtype=float),
            sizes.reshape(len(block.groups), len(block.capacities)),
            np.array(block.capacities, dtype=float),
            np.array([row_numbers[name] for name in block.rows], dtype=np.int64)))
    return indexed


@dataclass
class Improvement:
    """What the blocks gave one phase: a bound and a whole plan, either possibly missing."""

    bound: float | None = None
    plan: np.ndarray | None = None
    seconds: float = 0.0
    #: The phase's reduced costs with the blocks' rows unpriced, and its objective.
    prices: tuple | None = None


def transpose_times(model, y: np.ndarray) -> np.ndarray:
    """Return Aᵀy for the matrix of a HighsLp, stored by columns or by rows."""
    matrix = model.a_matrix_
    starts = np.asarray(matrix.start_)
    index = np.asarray(matrix.index_)
    value = np.asarray(matrix.value_)
    if matrix.format_ == highspy.MatrixFormat.kColwise:
        owner = np.repeat(np.arange(model.num_col_), np.diff(starts))
        return np.bincount(owner, weights=value * y[index], minlength=model.num_col_)
    if matrix.format_ != highspy.MatrixFormat.kRowwise:
        raise ValueError(f"unexpected matrix format {matrix.format_}")
    row = np.repeat(np.arange(model.num_row_), np.diff(starts))
    return np.bincount(index, weights=value * y[row], minlength=model.num_col_)


def _price_outside(model, duals: np.ndarray, blocks: list[IndexedBlock], cost: np.ndarray,
                   constant: float) -> tuple[float, np.ndarray] | None:
    """Price every row but the ``blocks``' own at ``duals``; return the Lagrangian bound's part
    outside the blocks and every column's reduced cost.

    None when a column outside the blocks could gain without limit at these prices.
    """
    row_lower = np.asarray(model.row_lower_)
    row_upper = np.asarray(model.row_upper_)
    y = duals.copy()
    for block in blocks:
        y[block.rows] = 0.0
    # A price whose side of the row is unbounded would make the bound −∞: price it at 0.
    y[(y < 0) & ~np.isfinite(row_upper)] = 0.0
    y[(y > 0) & ~np.isfinite(row_lower)] = 0.0
    side = np.where(y < 0, row_upper, row_lower)
    bound = constant + float(np.dot(y[y != 0], side[y != 0]))
    reduced = cost - transpose_times(model, y)
    inside = np.zeros(len(cost), dtype=bool)
    for block in blocks:
        inside[block.columns] = True
    outside = ~inside & (np.abs(reduced) > ZERO_PRICE)
    at = np.where(reduced[outside] > 0, np.asarray(model.col_lower_)[outside],
                  np.asarray(model.col_upper_)[outside])
    if not np.isfinite(at).all():
        return None
    return bound + float(np.dot(reduced[outside], at)), reduced


@dataclass
class _BlockSolver:
    """Solves one block at the Lagrangian prices for its bound, then for its pulled totals."""

    prices: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    options: object
    seconds: float
    #: The LP solution, whose totals the pull aims at.
    x: np.ndarray
    #: Prices that choose the totals, the objective that scales the pull, and its share.
    pull_prices: np.ndarray
    pull_scale: np.ndarray
    pull_share: float
    bound_only: bool

    def __call__(self, block: IndexedBlock) -> tuple[float | None, np.ndarray | None]:
        """Return the block's MIP bound (None if it has none) and its pulled totals."""
        highs, _ = block_mip(block, self.prices, self.lower, self.upper, self.integer,
                             self.options, self.seconds, serial=True)
        dual = highs.getInfo().mip_dual_bound
        kinds = highspy.HighsModelStatus
        if highs.getModelStatus() in (kinds.kInfeasible, kinds.kNotset) \
                or not math.isfinite(dual):
            log.info("block %s: %s, no bound", block.name, highs.getModelStatus())
            return None, None
        if self.bound_only:
            return dual, None
        return dual, self._pulled_totals(block)

    def _pulled_totals(self, block: IndexedBlock) -> np.ndarray | None:
        """Return the block's best totals, the nearest to the LP's among equals."""
        share = self.pull_share
        weight = share * float(np.mean(np.abs(self.pull_scale[block.columns]))) or share
        pulled, count = block_mip(block, self.pull_prices, self.lower, self.upper, self.integer,
                                  self.options, self.seconds, pull=(block.totals(self.x), weight),
                                  serial=True)
        if pulled.getInfo().primal_solution_status != FEASIBLE_SOLUTION:
            return None
        values = np.array(pulled.getSolution().col_value)
        return np.round(values[count:count + len(block.upper)])


def _add_block_bounds(bound: float, blocks: list[IndexedBlock], solved: list
                      ) -> tuple[float | None, dict]:
    """Return the Lagrangian bound, None if a block has none, and the blocks' totals so far."""
    totals: dict = {}
    for block, (dual, units) in zip(blocks, solved, strict=True):
        if dual is None:
            return None, totals
        bound += dual
        if units is not None:
            totals[block.name] = (block, units)
    return bound, totals


def improve(relaxation, blocks: list[IndexedBlock], cost: np.ndarray, constant: float,
            integer: np.ndarray, options, seconds: float | None,
            incumbent: np.ndarray | None = None, prices=None, loosen=()) -> Improvement:
    """Return a bound and a whole plan for the LP ``relaxation`` has just solved to optimality.

    ``cost`` and ``constant`` are the phase's objective; ``seconds`` caps the time spent. The
    plan fixes the blocks' totals at their solutions. In a later phase ``prices`` (the first
    phase's ``Improvement.prices``) choose those totals, pulled towards this LP's; and unless
    that plan is within the gap of the bound, ``incumbent``, an earlier phase's plan, is
    re-routed with every block's totals at its own. The cheaper plan is returned. ``loosen``
    gives rows (row, upper bound) that a plan may take up to, looser than in the relaxation.
    """
    began = time.perf_counter()
    tuning = options.tuning
    solution = relaxation.getSolution()
    x = np.array(solution.col_value)
    todo = fractional_blocks(blocks, x, integer, tuning.integrality)
    if not todo:
        return Improvement()
    model = relaxation.getLp()
    outside = _price_outside(model, np.array(solution.row_dual), todo, cost, constant)
    if outside is None:
        return Improvement(seconds=time.perf_counter() - began)
    bound, reduced = outside
    pull_prices, pull_scale = (reduced, cost) if prices is None else prices
    solver = _BlockSolver(
        reduced, np.asarray(model.col_lower_), np.asarray(model.col_upper_), integer, options,
        1.0 if seconds is None else max(SHORTEST_RUN,
                                        tuning.block_workers * seconds / (2 * len(todo))),
        x, pull_prices, pull_scale,
        tuning.first_pull if prices is None else tuning.later_pull,
        bound_only=incumbent is not None and prices is None)
    # HiGHS lets go of Python while it solves, so blocks run side by side on threads.
    with ThreadPoolExecutor(tuning.block_workers) as pool:
        solved = list(pool.map(solver, todo))
    bound, totals = _add_block_bounds(bound, todo, solved)
    plan = fix_totals(relaxation, blocks, totals, integer, options, began, seconds, loosen)
    # The plan may cost less than the bound, whose held rows are tighter than the plan's.
    reached = plan is not None and within_gap(
        gap_above(float(cost @ plan) + constant, bound), options.gap)
    if incumbent is not None and not reached:
        own = {block.name: (block, np.round(block.totals(incumbent))) for block in blocks}
        rerouted = fix_totals(relaxation, blocks, own, integer, options, began, seconds, loosen)
        if rerouted is not None and (plan is None or cost @ rerouted < cost @ plan):
            plan = rerouted
    elapsed = time.perf_counter() - began
    log.info("blocks: %d of %d solved, bound %s, plan %s, %.2f s", len(todo), len(blocks),
             bound, None if plan is None else float(np.dot(cost, plan)) + constant, elapsed)
    # For a later phase: these prices with every block's own rows unpriced, since a block
    # whole here may be fractional there.
    unpriced = np.array(solution.row_dual)
    for block in blocks:
        unpriced[block.rows] = 0.0
    return Improvement(bound, plan, elapsed, (cost - transpose_times(model, unpriced), cost))
