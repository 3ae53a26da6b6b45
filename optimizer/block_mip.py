"""One block's subproblem: a knapsack over its items, solved as a small MIP on HiGHS.

The columns of the MIP are the block's shipments that can gain, then one whole total per group
(item), then, when the totals are pulled towards target totals, each total's distance above and
below its target. Rows: each group's shipments sum to its total; with a pull,
total − above + below = target; each capacity holds Σ size × total.
"""

from dataclasses import dataclass, field

import numpy as np

from optimizer.highs import ROWWISE, SHORTEST_RUN, highspy, new_highs

#: A price this close to 0 counts as 0.
ZERO_PRICE = 1e-12


@dataclass
class IndexedBlock:
    """A block in HiGHS's column and row numbers."""

    name: str
    columns: np.ndarray
    #: Group of each of ``columns``.
    group: np.ndarray
    #: Per group, the positions in ``columns`` of its members.
    members: list[np.ndarray]
    #: Per group, the most units of all its columns together.
    upper: np.ndarray
    #: groups × capacities.
    sizes: np.ndarray
    capacities: np.ndarray
    rows: np.ndarray

    def totals(self, x: np.ndarray) -> np.ndarray:
        """Return the units of each group in the solution ``x``."""
        return np.bincount(self.group, weights=x[self.columns], minlength=len(self.upper))


def fractional_blocks(blocks: list[IndexedBlock], x: np.ndarray, integer: np.ndarray,
                      integrality: float) -> list[IndexedBlock]:
    """Return the blocks with a fractional integer column in ``x``."""
    off = integer & (np.abs(x - np.round(x)) > integrality)
    return [block for block in blocks if off[block.columns].any()]


@dataclass
class _Rows:
    """Rows for HiGHS's ``passModel``, row by row."""

    starts: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)

    def add(self, columns, coefficients, lower: float, upper: float) -> None:
        """Add the row lower ≤ Σ coefficient × column ≤ upper."""
        self.starts.append(len(self.index))
        self.index.extend(columns)
        self.value.extend(coefficients)
        self.lower.append(lower)
        self.upper.append(upper)


def _columns_that_can_gain(block: IndexedBlock, own: np.ndarray, upper: np.ndarray,
                           integrality: float) -> np.ndarray:
    """Return which of the block's columns (each with lower bound 0) some optimum may use.

    A column whose price is not negative stays at 0 in some optimum; of a group's columns
    only the cheapest that together hold its most units can be used.
    """
    kept = own < 0
    bounds = upper[block.columns]
    for g, members in enumerate(block.members):
        members = members[kept[members]]
        order = members[np.argsort(own[members], kind="stable")]
        room = np.cumsum(bounds[order])
        enough = np.searchsorted(room, block.upper[g] - integrality) + 1
        kept[order[enough:]] = False
    return kept


def _block_rows(block: IndexedBlock, kept: np.ndarray, count: int,
                pull: tuple[np.ndarray, float] | None) -> _Rows:
    renumber = np.cumsum(kept) - 1
    groups = len(block.upper)
    rows = _Rows()
    for g, members in enumerate(block.members):
        shipments = renumber[members[kept[members]]].tolist()
        rows.add([*shipments, count + g], [1.0] * len(shipments) + [-1.0], 0.0, 0.0)
        if pull is not None:
            target = pull[0][g]
            rows.add([count + g, count + groups + g, count + 2 * groups + g], [1.0, -1.0, 1.0],
                     target, target)
    for c, capacity in enumerate(block.capacities):
        rows.add(range(count, count + groups), block.sizes[:, c].tolist(), -highspy.kHighsInf,
                 capacity)
    return rows


def block_mip(block: IndexedBlock, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray,
              integer: np.ndarray, options, seconds: float, *,
              pull: tuple[np.ndarray, float] | None = None, every_column: bool = False,
              serial: bool = False):
    """Solve min cost·x over one block; return HiGHS, whose columns after the first returned
    number are one whole total per group, then (with ``pull``: target totals and a weight per
    unit) the distance of each total above and below its target.

    With every column's lower bound 0 (a dispatch) only the columns that can gain are kept, and
    continuous: given whole totals, the cheapest columns of a group fill first up to their whole
    upper bounds, so the optimum over them is whole. ``every_column`` keeps them all, whole (the
    tests compare the two). ``serial`` runs HiGHS on one thread, for a caller that runs several
    blocks side by side on threads of its own.
    """
    inf = highspy.kHighsInf
    own = cost[block.columns]
    own = np.where(np.abs(own) > ZERO_PRICE, own, 0.0)
    continuous = not every_column and bool((lower[block.columns] == 0).all())
    kept = (_columns_that_can_gain(block, own, upper, options.tuning.integrality) if continuous
            else np.ones(len(own), dtype=bool))
    columns = block.columns[kept]
    count = len(columns)
    groups = len(block.upper)
    extra = 2 * groups if pull is not None else 0
    costs = np.concatenate([own[kept], np.zeros(groups),
                            np.full(extra, pull[1] if pull else 0.0)])
    col_lower = np.concatenate([lower[columns], np.zeros(groups + extra)])
    col_upper = np.concatenate([upper[columns], block.upper, np.full(extra, inf)])
    own_integrality = (np.zeros(count, dtype=np.int32) if continuous
                       else integer[columns].astype(np.int32))
    integrality = np.concatenate([own_integrality, np.ones(groups, dtype=np.int32),
                                  np.zeros(extra, dtype=np.int32)])
    rows = _block_rows(block, kept, count, pull)
    highs = new_highs(options)
    if serial:
        # HiGHS keeps its threads per calling thread, so this sets only the caller's.
        highs.setOptionValue("threads", 1)
    highs.passModel(len(costs), len(rows.starts), len(rows.index), ROWWISE, 1, 0.0, costs,
                    col_lower, col_upper, np.array(rows.lower, dtype=float),
                    np.array(rows.upper, dtype=float), np.array(rows.starts, dtype=np.int32),
                    np.array(rows.index, dtype=np.int32), np.array(rows.value, dtype=float),
                    integrality)
    highs.setOptionValue("mip_rel_gap", 1e-9)
    highs.setOptionValue("mip_abs_gap", 1e-12)
    highs.setOptionValue("time_limit", max(SHORTEST_RUN, seconds))
    highs.run()
    return highs, count
