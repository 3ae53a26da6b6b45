"""Blocks: sources whose shipments share a weight and volume limit, a knapsack over their items.

Without depot limits a dispatch is a network (each item flows from sources to sites) and its LP
relaxation is whole. A depot's weight and volume limits join its items, and the relaxation fills
them with fractions of units; the best plan loses, depot by depot, what whole units cannot fill.
HiGHS's cuts see little of that loss and its search finds plans slowly: on the county dispatch,
given each depot's totals as extra integer columns, its root cuts moved the bound from 282.030
to 282.050 in 10 s, and its best plan after 45 s was 282.092.

From one LP solution and its row prices (duals) this module gives two things:

- a bound. Price every row except a block's own (its stock and limit rows) at the LP's dual
  values: the problem falls apart into one small problem per block and single columns
  (Lagrangian relaxation, valid for any prices of the right sign). Blocks whose LP solution is
  whole lose nothing; each other block is solved as a small MIP. On the county dispatch: 282.058.
- a plan. Each solved block's MIP solution, pulled towards the LP's totals, fixes how many units
  of each item the depot sends; the rest is a network again, whose LP optimum is whole: 282.066,
  bound and plan in about a second. In a later phase the row holding the earlier objective joins
  everything again and refused those totals; there the earlier plan is re-routed with each
  depot's totals held at its own.
"""

import logging
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from optimizer.solve import gap_above, highspy, new_highs, solve_as_mip, within_gap

log = logging.getLogger(__name__)

#: An LP value this close to a whole number counts as whole.
INTEGRALITY = 1e-6
#: Weight of the pull towards the LP's totals, as a share of the block's mean objective
#: coefficient: small enough not to trade objective for closeness, large enough for HiGHS.
PULL = 1e-3
#: Rounds of fixing: a re-solved LP may leave blocks fractional that were whole before.
ROUNDS = 3
#: The pull in a later phase, whose blocks are priced as in the first phase but pulled towards
#: the later LP's totals. On the county dispatch (seeds 2026, 7, 11) the cost gap was 2.4e-4,
#: 3.7e-4 and 4.6e-4 with 1e-4, against 4.0e-4, 4.8e-4 and 4.7e-4 with 1e-3; from 1e-2 up
#: the held shortage refused the totals (measured before the prices left every block's own
#: rows unpriced, which gave 2.4e-4, 3.5e-4 and 4.6e-4).
LATER_PULL = 1e-4
#: Blocks solved at once, each by a HiGHS on one thread of its own.
WORKERS = max(1, min(2, os.cpu_count() or 1))


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


@dataclass
class _Indexed:
    """A block in HiGHS's column and row numbers."""

    name: str
    columns: np.ndarray
    #: Group of each of ``columns``.
    group: np.ndarray
    #: Per group, the positions in ``columns`` of its members.
    members: list[np.ndarray]
    upper: np.ndarray
    #: groups × capacities.
    sizes: np.ndarray
    capacities: np.ndarray
    rows: np.ndarray

    def totals(self, x: np.ndarray) -> np.ndarray:
        """Return the units of each group in the solution ``x``."""
        return np.bincount(self.group, weights=x[self.columns], minlength=len(self.upper))


def index_blocks(blocks: list[Block], row_numbers: dict[str, int]) -> list[_Indexed]:
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
        indexed.append(_Indexed(
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


def _fractional(blocks: list[_Indexed], x: np.ndarray, integer: np.ndarray) -> list[_Indexed]:
    off = integer & (np.abs(x - np.round(x)) > INTEGRALITY)
    return [block for block in blocks if off[block.columns].any()]


def _transpose_times(model, y: np.ndarray) -> np.ndarray:
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


def _block_mip(block: _Indexed, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray,
               integer: np.ndarray, options, seconds: float,
               pull: tuple[np.ndarray, float] | None = None, every_column: bool = False,
               serial: bool = False):
    """Solve min cost·x over one block; return HiGHS, whose columns after the first returned
    number are one whole total per group, then (with ``pull``) the distance of each total
    above and below the target totals, at the pull's weight per unit.

    With every column's lower bound 0 (a dispatch) a column whose cost is not negative stays
    at 0 in some optimum and is left out, and the columns kept are continuous: given whole
    totals, the cheapest columns of a group fill first up to their whole upper bounds, so
    the optimum over them is whole. On the county dispatch this cut a block's columns from
    about 750 integer ones to a few dozen continuous ones. ``every_column`` keeps them all,
    whole (the tests compare the two). ``serial`` runs HiGHS on one thread, for a caller
    that runs several blocks side by side on threads of its own.
    """
    inf = highspy.kHighsInf
    own = cost[block.columns]
    own = np.where(np.abs(own) > 1e-12, own, 0.0)
    if not every_column and (lower[block.columns] == 0).all():
        kept = own < 0
        continuous = True
        # Of a group's columns only the cheapest that together hold its most units can
        # be used.
        bounds = upper[block.columns]
        for g, members in enumerate(block.members):
            members = members[kept[members]]
            order = members[np.argsort(own[members], kind="stable")]
            room = np.cumsum(bounds[order])
            enough = np.searchsorted(room, block.upper[g] - INTEGRALITY) + 1
            kept[order[enough:]] = False
    else:
        kept = np.ones(len(own), dtype=bool)
        continuous = False
    renumber = np.cumsum(kept) - 1
    columns = block.columns[kept]
    count = len(columns)
    groups = len(block.upper)
    extra = 2 * groups if pull is not None else 0
    costs = np.concatenate([own[kept], np.zeros(groups),
                            np.full(extra, pull[1] if pull else 0.0)])
    col_lower = np.concatenate([lower[columns], np.zeros(groups + extra)])
    col_upper = np.concatenate([upper[columns], block.upper, np.full(extra, inf)])
    starts, index, value, row_lower, row_upper = [], [], [], [], []
    for g, members in enumerate(block.members):
        members = renumber[members[kept[members]]]
        starts.append(len(index))
        index.extend(members.tolist())
        value.extend([1.0] * len(members))
        index.append(count + g)
        value.append(-1.0)
        row_lower.append(0.0)
        row_upper.append(0.0)
        if pull is not None:
            starts.append(len(index))
            index.extend([count + g, count + groups + g, count + 2 * groups + g])
            value.extend([1.0, -1.0, 1.0])
            row_lower.append(pull[0][g])
            row_upper.append(pull[0][g])
    for c, capacity in enumerate(block.capacities):
        starts.append(len(index))
        index.extend(range(count, count + groups))
        value.extend(block.sizes[:, c].tolist())
        row_lower.append(-inf)
        row_upper.append(capacity)
    own_integrality = (np.zeros(count, dtype=np.int32) if continuous
                       else integer[columns].astype(np.int32))
    integrality = np.concatenate([own_integrality, np.ones(groups, dtype=np.int32),
                                  np.zeros(extra, dtype=np.int32)])
    highs = new_highs(options)
    if serial:
        # HiGHS keeps its threads per calling thread, so this sets only the caller's.
        highs.setOptionValue("threads", 1)
    highs.passModel(len(costs), len(starts), len(index), 2, 1, 0.0, costs, col_lower,
                    col_upper, np.array(row_lower, dtype=float),
                    np.array(row_upper, dtype=float), np.array(starts, dtype=np.int32),
                    np.array(index, dtype=np.int32), np.array(value, dtype=float), integrality)
    highs.setOptionValue("mip_rel_gap", 1e-9)
    highs.setOptionValue("mip_abs_gap", 1e-12)
    highs.setOptionValue("time_limit", max(0.05, seconds))
    highs.run()
    return highs, count


def improve(relaxation, blocks: list[_Indexed], cost: np.ndarray, constant: float,
            integer: np.ndarray, options, seconds: float | None,
            incumbent: np.ndarray | None = None, prices=None, loosen=()) -> Improvement:
    """Return a bound and a whole plan for the LP ``relaxation`` has just solved to optimality.

    ``cost`` and ``constant`` are the phase's objective; ``seconds`` caps the time spent.
    The plan fixes the blocks' totals at their solutions. In a later phase, whose row holding
    the earlier objective refused totals chosen at this phase's prices on the county dispatch,
    ``prices`` (the first phase's ``Improvement.prices``) choose them, pulled towards this
    LP's totals; and, unless that plan is already within the gap of the bound,
    ``incumbent``, an earlier phase's plan, is re-routed with every block's totals held at its
    own, which keeps every row it keeps at no more cost. The cheaper plan is returned.
    ``loosen`` gives rows (row, upper bound) that a plan may take up to, looser than in the
    relaxation, whose bound is the one that counts (see ``phases._hold``).
    """
    began = time.perf_counter()
    solution = relaxation.getSolution()
    x = np.array(solution.col_value)
    todo = _fractional(blocks, x, integer)
    if not todo:
        return Improvement()
    model = relaxation.getLp()
    lower = np.asarray(model.col_lower_)
    upper = np.asarray(model.col_upper_)
    row_lower = np.asarray(model.row_lower_)
    row_upper = np.asarray(model.row_upper_)
    y = np.array(solution.row_dual)
    for block in todo:
        y[block.rows] = 0.0
    # A price whose side of the row is unbounded would make the bound −∞: price it at 0.
    y[(y < 0) & ~np.isfinite(row_upper)] = 0.0
    y[(y > 0) & ~np.isfinite(row_lower)] = 0.0
    side = np.where(y < 0, row_upper, row_lower)
    bound = constant + float(np.dot(y[y != 0], side[y != 0]))
    reduced = cost - _transpose_times(model, y)

    inside = np.zeros(len(x), dtype=bool)
    for block in todo:
        inside[block.columns] = True
    outside = ~inside & (np.abs(reduced) > 1e-12)
    at = np.where(reduced[outside] > 0, lower[outside], upper[outside])
    if not np.isfinite(at).all():
        return Improvement(seconds=time.perf_counter() - began)
    bound += float(np.dot(reduced[outside], at))

    each = 1.0 if seconds is None else max(0.05, WORKERS * seconds / (2 * len(todo)))
    kinds = highspy.HighsModelStatus

    def solve(block: _Indexed):
        """Return the block's MIP bound (None if it has none) and its pulled totals."""
        highs, _ = _block_mip(block, reduced, lower, upper, integer, options, each,
                              serial=True)
        dual = highs.getInfo().mip_dual_bound
        if highs.getModelStatus() in (kinds.kInfeasible, kinds.kNotset) \
                or not math.isfinite(dual):
            log.info("block %s: %s, no bound", block.name, highs.getModelStatus())
            return None, None
        if incumbent is not None and prices is None:
            return dual, None
        # The plan: the block's best totals, the nearest to the LP's among equals.
        target = block.totals(x)
        own, scale = (reduced, cost) if prices is None else prices
        share = PULL if prices is None else LATER_PULL
        weight = share * float(np.mean(np.abs(scale[block.columns]))) or share
        pulled, count = _block_mip(block, own, lower, upper, integer, options, each,
                                   pull=(target, weight), serial=True)
        if pulled.getInfo().primal_solution_status != 2:
            return dual, None
        values = np.array(pulled.getSolution().col_value)
        return dual, np.round(values[count:count + len(block.upper)])

    # HiGHS lets go of Python while it solves: two blocks at a time, each on one thread,
    # took 1.2 s for the county dispatch's 152 block MIPs against 2.3 s one after another.
    with ThreadPoolExecutor(WORKERS) as pool:
        solved = list(pool.map(solve, todo))
    totals: dict = {}
    for block, (dual, units) in zip(todo, solved, strict=True):
        if dual is None:
            bound = None
            break
        bound += dual
        if units is not None:
            totals[block.name] = (block, units)
    plan = _fix_totals(relaxation, blocks, totals, integer, options, began, seconds, loosen)
    # The plan may cost less than the bound, whose held rows are tighter than the plan's.
    reached = plan is not None and within_gap(
        gap_above(float(cost @ plan) + constant, bound), options.gap)
    if incumbent is not None and not reached:
        held = {block.name: (block, np.round(block.totals(incumbent))) for block in blocks}
        rerouted = _fix_totals(relaxation, blocks, held, integer, options, began, seconds,
                               loosen)
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
    return Improvement(bound, plan, elapsed, (cost - _transpose_times(model, unpriced), cost))


def _fix_totals(relaxation, blocks: list[_Indexed], totals: dict, integer: np.ndarray,
                options, began: float, seconds: float | None, loosen=()
                ) -> np.ndarray | None:
    """Return the LP optimum with each block's totals at most those given, if it is whole.

    Works on a copy of the relaxation, started from its basis, with each of the rows
    ``loosen`` names (row, upper bound) at that upper bound; blocks that the re-solved LP
    leaves fractional get their totals fixed in turn, for a few rounds.
    """
    if not totals:
        return None
    inf = highspy.kHighsInf
    copy = new_highs(options)
    copy.passModel(relaxation.getLp())
    copy.setOptionValue("presolve", "off")
    copy.setBasis(relaxation.getBasis())
    for row, upper in loosen:
        copy.changeRowBounds(row, -inf, upper)
    # Later rounds fix the newly fractional blocks at the floor of their totals in the copy's
    # own solution, which the capacities always allow.
    fixed: set[str] = set()
    for _ in range(ROUNDS):
        for name, (block, units) in totals.items():
            if name in fixed:
                continue
            fixed.add(name)
            for members, most in zip(block.members, units, strict=True):
                own = block.columns[members].astype(np.int32)
                copy.addRow(-inf, float(most), len(own), own, np.ones(len(own)))
        if seconds is not None:
            left = seconds - (time.perf_counter() - began)
            if left <= 0:
                return None
            copy.setOptionValue("time_limit", copy.getRunTime() + left)
        copy.run()
        if copy.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            log.debug("totals fixed for %d blocks: %s", len(fixed), copy.getModelStatus())
            return None
        x = np.array(copy.getSolution().col_value)
        off = integer & (np.abs(x - np.round(x)) > INTEGRALITY)
        log.debug("totals fixed for %d blocks: %d columns fractional", len(fixed), off.sum())
        if not off.any():
            x[integer] = np.round(x[integer])
            return x
        still = [block for block in _fractional(blocks, x, integer) if block.name not in fixed]
        if not still:
            return _round_box(copy, x, integer, options, began, seconds)
        totals = {block.name: (block, np.floor(block.totals(x) + INTEGRALITY))
                  for block in still}
    return None


def _round_box(copy, x: np.ndarray, integer: np.ndarray, options, began: float,
               seconds: float | None) -> np.ndarray | None:
    """Return the best whole plan of ``copy`` within the floor and ceiling of ``x``, if any.

    With every block's totals fixed only a row holding an earlier objective joins the items,
    and it leaves a handful of columns fractional.
    """
    model = copy.getLp()
    left = None if seconds is None else seconds - (time.perf_counter() - began)
    found, _, _, _ = solve_as_mip(
        copy, integer, options, left, gap=options.gap,
        lower=np.where(integer, np.floor(x + INTEGRALITY), model.col_lower_),
        upper=np.where(integer, np.ceil(x - INTEGRALITY), model.col_upper_))
    return found
