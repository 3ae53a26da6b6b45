"""Whole plans from blocks' totals: cap each block's totals, and the LP left is a network.

A block's totals (units of each item it sends) decide how its knapsack is filled; with them
fixed only the network remains, whose LP optimum is whole. A row holding an earlier objective
joins the items again and may leave a few columns fractional; those are rounded in their box.
"""

import logging
import time

import numpy as np

from optimizer.block_mip import IndexedBlock, fractional_blocks
from optimizer.highs import highspy, new_highs, solve_mip

log = logging.getLogger(__name__)


def _copy_of(relaxation, options, loosen) -> "highspy.Highs":
    """Return a copy of the relaxation started from its basis, the ``loosen`` rows loosened."""
    copy = new_highs(options)
    copy.passModel(relaxation.getLp())
    copy.setOptionValue("presolve", "off")
    copy.setBasis(relaxation.getBasis())
    for row, upper in loosen:
        copy.changeRowBounds(row, -highspy.kHighsInf, upper)
    return copy


def _cap_totals(copy, totals: dict, fixed: set[str]) -> None:
    """Add rows capping each group's units at its block's total, once per block."""
    for name, (block, units) in totals.items():
        if name in fixed:
            continue
        fixed.add(name)
        for members, most in zip(block.members, units, strict=True):
            own = block.columns[members].astype(np.int32)
            copy.addRow(-highspy.kHighsInf, float(most), len(own), own, np.ones(len(own)))


def _seconds_left(began: float, seconds: float | None) -> float | None:
    return None if seconds is None else seconds - (time.perf_counter() - began)


def fix_totals(relaxation, blocks: list[IndexedBlock], totals: dict, integer: np.ndarray,
               options, began: float, seconds: float | None, loosen=()) -> np.ndarray | None:
    """Return the LP optimum with each block's totals at most those given, if it is whole.

    ``totals`` maps a block's name to (block, units per group). Works on a copy of the
    relaxation with each of the rows ``loosen`` names (row, upper bound) at that upper bound.
    Blocks that the re-solved LP leaves fractional get their totals fixed in turn, for a few
    rounds, at the floor of their totals in the copy's own solution, which the capacities
    always allow. ``seconds`` counted from ``began`` caps the time.
    """
    if not totals:
        return None
    integrality = options.tuning.integrality
    copy = _copy_of(relaxation, options, loosen)
    fixed: set[str] = set()
    for _ in range(options.tuning.fixing_rounds):
        _cap_totals(copy, totals, fixed)
        left = _seconds_left(began, seconds)
        if left is not None:
            if left <= 0:
                return None
            copy.setOptionValue("time_limit", copy.getRunTime() + left)
        copy.run()
        if copy.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            log.debug("totals fixed for %d blocks: %s", len(fixed), copy.getModelStatus())
            return None
        x = np.array(copy.getSolution().col_value)
        off = integer & (np.abs(x - np.round(x)) > integrality)
        log.debug("totals fixed for %d blocks: %d columns fractional", len(fixed), off.sum())
        if not off.any():
            x[integer] = np.round(x[integer])
            return x
        still = [block for block in fractional_blocks(blocks, x, integer, integrality)
                 if block.name not in fixed]
        if not still:
            return _round_box(copy, x, integer, options, _seconds_left(began, seconds))
        totals = {block.name: (block, np.floor(block.totals(x) + integrality))
                  for block in still}
    return None


def _round_box(copy, x: np.ndarray, integer: np.ndarray, options,
               seconds: float | None) -> np.ndarray | None:
    """Return the best whole plan of ``copy`` within the floor and ceiling of ``x``, if any.

    With every block's totals fixed only a row holding an earlier objective joins the items,
    and it leaves a handful of columns fractional.
    """
    model = copy.getLp()
    integrality = options.tuning.integrality
    return solve_mip(
        copy, integer, options, seconds, gap=options.gap,
        lower=np.where(integer, np.floor(x + integrality), model.col_lower_),
        upper=np.where(integer, np.ceil(x - integrality), model.col_upper_)).solution
