"""Lexicographic solves on HiGHS: each phase's LP relaxation first, branching only when needed.

Our models are transportation problems with a few side rows, so their LP relaxations are
integral or nearly so. Handed to HiGHS's branch-and-bound whole, the county dispatch ran past
60 s without a proof, most of it in heuristics around a root LP that itself takes under a
second, and its second phase presolved the dense row holding the first objective for minutes.

So each phase here:
1. solves the LP relaxation, which proves a lower bound; later phases add the row holding the
   earlier objectives to the same LP and restart from its optimal basis (no presolve);
2. if the relaxation is integral, that is the phase's proven optimum;
3. otherwise, where the model names blocks (sources whose dispatch shares a weight and volume
   limit, see ``optimizer.blocks``), proves a tighter bound by solving each fractional block
   as a small MIP against the relaxation's prices, and fixes each block's totals at that
   solution for a plan;
4. rounds the relaxation when that did not prove the gap: a MIP over columns no lower than
   the relaxation's floor (free upwards: on a county dispatch this found 282.17 where the
   box of floor and ceiling, RENS, found 282.29), whose presolve fixes every column in a tight
   row; in later phases it rounds the relaxation solved with the held objectives short of
   their limits, since at their limits any rounding breaks them;
5. counts the phase optimal when that plan (or the earlier phase's, which satisfies this one's
   rows too) is within the gap of the relaxation's bound; else lets HiGHS branch on the whole
   model, for the first phase or a small model only (see ``SMALL_MODEL``), and takes the
   better plan and the better bound. (No MIP start: HiGHS 1.16 given one together with an
   objective offset reported an objective and a bound its own solution did not reach.)

A phase proven exactly is held at its value; one proven only within the gap is held within
that gap of its bound (see ``held_at``), and the result reports each objective at the final
plan. A later phase's bound holds the earlier objectives at the best values reached instead,
which bounds the cost of the lexicographic optimum itself (see ``_hold``): its plan, free to
use the earlier gaps, may cost less than that bound. Where the blocks give the bound its LP is
solved so held; elsewhere the LP is solved at the plan's limits, for a point to round, and
again so held only when its plan is not within the gap of the first bound. The bound reported
is always one HiGHS proved: an LP optimum or a MIP dual bound.
"""

import logging
import time
from dataclasses import dataclass

import numpy as np
import pulp
from pulp import constants

from optimizer.blocks import Block, improve, index_blocks
from optimizer.errors import SolverError
from optimizer.solve import (
    FEASIBLE,
    HIGHS,
    INFEASIBLE,
    LEAST_PHASE_SECONDS,
    NO_SOLUTION,
    OPTIMAL,
    SIMPLEX,
    UNBOUNDED,
    Outcome,
    Phase,
    Solved,
    constraint_rows,
    gap_above,
    highspy,
    keep_tolerance,
    new_highs,
    solve_as_mip,
    within_gap,
)

log = logging.getLogger(__name__)

#: An LP value this close to a whole number counts as integral.
INTEGRALITY = 1e-6
#: Share of the time left that rounding may use before branching on the whole model.
ROUNDING_SHARE = 0.3
#: How far towards its limit a held objective may go at the point a later phase rounds: the
#: nearer, the cheaper the plan, but rounding needs some room (see _inside). A city dispatch's
#: cost falls steeply as its held shortage rises: rounded at nine tenths of the way its plan was
#: 2.2% above the LP at the same limit, at 999 thousandths 0.65%. The first point is rounded
#: free upwards, the others in the box of floor and ceiling, which HiGHS presolves to a small
#: MIP: on a slow run of the city dispatch the rounding free upwards ran out of time at every
#: point (5.5, 3.9, 1.9 and 1.7 s), and in the box found no plan at 0.99 (1.7 s) and one at 0.9
#: (1.8 s).
ROOM = (0.999, 0.99, 0.9, 0.5)
#: Share of the time left that rounding at the first of ``ROOM`` may take. On the city dispatch
#: it took 8.0 s to reach 0.65%, after a shortage phase of 15–19 s and a cost LP of 13–14 s
#: within a limit of 50 s; with 0.3 of the time left it ran out at 5.5 s.
FIRST_ROOM_SHARE = 0.55
#: Share of the requested gap that rounding aims for. On the city dispatch the cost phase
#: reached 0.65% with 1/40 and 0.81% with 1/4 (the shortage phase's plan was the same).
ROUNDING_GAP_SHARE = 1 / 40
#: LP methods (``SIMPLEX``, ``INTERIOR_POINT`` from optimizer.solve). Interior point solved the county pre-positioning LP in 14 s where the dual
#: simplex ran past 60 s, and its spend LP in 12 s where the simplex from the first LP's basis
#: ran past 34 s; on dispatch models simplex is faster (county 0.4 s against 1.0 s, city 8.8 s
#: against 61 s) and its later LPs start from the first one's basis.
#: Share of the time left that the blocks' bound and plan may use. Their plan is the one
#: that counts: with 0.3 of a 10 s limit, on a busy machine, the county dispatch's cost phase
#: ran out of time before it and fell back on the shortage phase's plan, 1.5% above the bound
#: where the blocks' plan is within 2e-4.
BLOCK_SHARE = 0.6
#: Columns up to which phases use the blocks. On a city dispatch (409,340 columns) they proved
#: the shortage within 1.3e-7, but the cost phase that followed then reached 1.1% (26% when it
#: used them too: no time was left to round), against 0.65% by rounding alone.
BLOCKS_COLUMNS = 100_000
#: Columns up to which a later phase may still branch on the whole model (see solve_phases).
SMALL_MODEL = 5000
#: Columns up to which the first phase branches on the whole model when rounding fell short.
#: On the county pre-positioning (94,685 columns) 17 s of branching found nothing better than
#: rounding and left its spend phase too little time for its LP.
FIRST_PHASE_BRANCH_COLUMNS = 50_000


@dataclass
class _Columns:
    """The problem's columns in HiGHS's order."""

    variables: list[pulp.LpVariable]
    integer: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


@dataclass
class _Held:
    """An earlier objective held by a row of the later phases' LP (see ``_hold``)."""

    name: str
    row: int
    #: The best value reached, and the most a plan may reach (``held_at``).
    value: float
    most: float
    #: The objective's constant, which the row leaves out, and the row's slack for rounding.
    constant: float
    tolerance: float

    @property
    def reached(self) -> float:
        return self.value - self.constant

    @property
    def loose(self) -> float:
        """The row's upper bound for a plan."""
        return self.most - self.constant + self.tolerance

    @property
    def strict(self) -> float:
        """The row's upper bound for a bound."""
        return self.value - self.constant + self.tolerance

    @property
    def has_room(self) -> bool:
        """Whether a plan may let the objective rise (a row held at its value has only the
        tolerance, see keep_tolerance)."""
        return self.most > self.value


def _columns(prob: pulp.LpProblem) -> _Columns:
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
    return _Columns(variables, integer, lower, upper)


def _relaxation(prob: pulp.LpProblem, columns: _Columns, options) -> "highspy.Highs":
    """Return a HiGHS object holding the LP relaxation of ``prob`` (no objective yet)."""
    starts, indices, values, row_lower, row_upper = constraint_rows(prob)
    count = len(columns.variables)
    highs = new_highs(options)
    rowwise = 2
    status = highs.passModel(
        count, len(row_lower), len(indices), rowwise, 1, 0.0, np.zeros(count), columns.lower,
        columns.upper, np.array(row_lower, dtype=float), np.array(row_upper, dtype=float),
        np.array(starts, dtype=np.int32), np.array(indices, dtype=np.int32),
        np.array(values, dtype=float), np.zeros(count, dtype=np.int32))
    if status == highspy.HighsStatus.kError:
        raise SolverError("HiGHS refused the model")
    return highs


def _costs(expression: pulp.LpAffineExpression, count: int) -> np.ndarray:
    cost = np.zeros(count)
    for variable, coefficient in expression.items():
        cost[variable.index] += coefficient
    return cost


def _value(cost: np.ndarray, constant: float, x: np.ndarray) -> float:
    return float(cost @ x) + constant


def _reached(candidates, cost: np.ndarray, constant: float, bound: float, gap: float) -> bool:
    """Return whether the best of ``candidates`` is already within ``gap`` of ``bound``."""
    values = [_value(cost, constant, c) for c in candidates]
    return bool(values) and within_gap(gap_above(min(values), bound), gap)


def _allow(highs, seconds: float) -> None:
    """Let the next run of ``highs`` take ``seconds``.

    HiGHS holds a re-solved LP to its time limit counted from the instance's first run.
    """
    highs.setOptionValue("time_limit", highs.getRunTime() + seconds)


def _left(began: float, limit: float | None) -> float | None:
    return None if limit is None else limit - (time.perf_counter() - began)


def solve_phases(prob: pulp.LpProblem, objectives: list[tuple[str, pulp.LpAffineExpression]],
                 options, blocks: list[Block] = (), lp_method: str = SIMPLEX) -> Solved | None:
    """Minimise each objective in turn on HiGHS, holding every earlier one at its value.

    ``blocks`` name the model's knapsacks (see ``optimizer.blocks``); ``lp_method`` is the
    method for the phases' LPs (``SIMPLEX`` or ``INTERIOR_POINT``, which crosses over to a
    basis). Returns None for a problem without variables, which HiGHS refuses as empty.
    """
    began = time.perf_counter()
    # A variable that only an objective mentions is a column too; PuLP counts the objective's.
    prob.setObjective(pulp.LpAffineExpression(
        {variable: 0.0 for _, expression in objectives for variable in expression}))
    columns = _columns(prob)
    count = len(columns.variables)
    if not count:
        return None
    relaxation = _relaxation(prob, columns, options)
    indexed = index_blocks(list(blocks), {constraint.name: number for number, constraint
                                          in enumerate(prob.constraints())}) if blocks else []
    kinds = highspy.HighsModelStatus
    phases: list[Phase] = []
    held: list[tuple[np.ndarray, float]] = []
    keeps: list[_Held] = []
    incumbent: np.ndarray | None = None
    first_prices = None
    for number, (label, expression) in enumerate(objectives):
        phase_began = time.perf_counter()
        cost = _costs(expression, count)
        constant = float(expression.constant)
        solver_seconds = 0.0
        if number and not cost.any():
            value = constant
            phases.append(Phase(label, Outcome(OPTIMAL, HIGHS, value, value, 0.0), value))
            held.append((cost, constant))
            continue
        relaxation.changeColsCost(count, np.arange(count, dtype=np.int32), cost)
        left = _left(began, options.time_limit)
        if left is not None:
            _allow(relaxation, max(LEAST_PHASE_SECONDS if number else 0.05, left))
        # HiGHS's run time adds up over the runs of one instance.
        before = relaxation.getRunTime()
        relaxation.setOptionValue("solver", lp_method)
        # With the blocks, whose prices give the bound and whose plan is re-routed on a copy,
        # the LP holds the earlier objectives at their best values; else at the plan's limits,
        # the point to round, and a bound at the best values follows only if it is needed.
        with_blocks = bool(indexed) and count <= BLOCKS_COLUMNS
        _hold(relaxation, keeps, tight=with_blocks)
        relaxation.run()
        solver_seconds += relaxation.getRunTime() - before
        # Presolve the first LP only (the pre-positioning LP took over 60 s without it); by
        # simplex the later ones start from its basis.
        relaxation.setOptionValue("presolve", "off")
        status = relaxation.getModelStatus()
        log.debug("%s: relaxation %s after %.2f s", label, status, solver_seconds)
        if status != kinds.kOptimal:
            if status == kinds.kInfeasible:
                kind = INFEASIBLE
            elif status in (kinds.kUnbounded, kinds.kUnboundedOrInfeasible):
                kind = UNBOUNDED
            else:
                kind = NO_SOLUTION
            return _stop(prob, columns, phases, label, kind, incumbent, phase_began,
                         solver_seconds)
        x = np.array(relaxation.getSolution().col_value)
        bound = _value(cost, constant, x)
        # Whether the bound holds the earlier objectives at their best values (else at the
        # plan's limits, a bound for those plans, so for the tighter ones too).
        at_best = with_blocks
        fraction = np.abs(x - np.round(x))
        fractional = columns.integer & (fraction > INTEGRALITY)
        candidates = []
        if incumbent is not None:
            candidates.append(incumbent)
        if not fractional.any():
            rounded = x.copy()
            rounded[columns.integer] = np.round(rounded[columns.integer])
            candidates.append(rounded)
        else:
            log.info("%s: relaxation %.6g with %d fractional columns", label, bound,
                     int(fractional.sum()))
            if with_blocks:
                left = _left(began, options.time_limit)
                improved = improve(relaxation, indexed, cost, constant, columns.integer,
                                   options, None if left is None else BLOCK_SHARE * left,
                                   incumbent, first_prices,
                                   [(kept.row, kept.loose) for kept in keeps])
                if first_prices is None:
                    first_prices = improved.prices
                solver_seconds += improved.seconds
                if improved.bound is not None:
                    bound = max(bound, improved.bound)
                    at_best = True
                if improved.plan is not None:
                    candidates.append(improved.plan)
            _hold(relaxation, keeps, tight=False)
            # Rows holding earlier objectives are usually tight at the relaxation's optimum,
            # and rounding it then breaks them; round a point with room in those rows.
            for room in () if _reached(candidates, cost, constant, bound, options.gap) else (
                    ROOM if any(kept.has_room for kept in keeps) else (None,)):
                left = _left(began, options.time_limit)
                if room is not None and room != ROOM[0] and left is not None and left <= 0:
                    # Each further try takes its least time past the limit.
                    break
                point = None
                if room is not None:
                    before = relaxation.getRunTime()
                    point = _inside(relaxation, keeps, room, options, began)
                    solver_seconds += relaxation.getRunTime() - before
                found, seconds = _round(
                    relaxation, columns, options, began, constant,
                    x if point is None else point, box=room is not None and room != ROOM[0],
                    share=FIRST_ROOM_SHARE if room == ROOM[0] else ROUNDING_SHARE)
                solver_seconds += seconds
                if found is not None:
                    candidates.append(found)
                    break
        best = min(candidates, key=lambda c: _value(cost, constant, c), default=None)
        value = None if best is None else _value(cost, constant, best)
        gap = gap_above(value, bound)
        if best is None or not within_gap(gap, options.gap):
            left = _left(began, options.time_limit)
            # Later phases branch only on small models: on the row holding an earlier
            # objective, HiGHS's presolve ran for minutes past the time limit on a city
            # dispatch, and without presolve the county's cost phase ran 85 s past a 28 s one.
            if (left is None or left > 0.1) and (count <= SMALL_MODEL or (
                    number == 0 and count <= FIRST_PHASE_BRANCH_COLUMNS)):
                # Leave the phases still to come their share of the time.
                share = None if left is None else left / (len(objectives) - number)
                found, dual, seconds, status = solve_as_mip(
                    relaxation, columns.integer, options, share, gap=options.gap,
                    offset=constant)
                solver_seconds += seconds
                if status == kinds.kInfeasible:
                    return _stop(prob, columns, phases, label, INFEASIBLE, incumbent,
                                 phase_began, solver_seconds)
                if found is not None and (value is None
                                          or _value(cost, constant, found) < value):
                    best, value = found, _value(cost, constant, found)
                if dual is not None and dual > bound:
                    bound, at_best = dual, False
                gap = gap_above(value, bound)
        if best is not None and keeps and not with_blocks and not within_gap(gap, options.gap):
            tighter, seconds = _tight_bound(relaxation, keeps, began, options.time_limit)
            solver_seconds += seconds
            if tighter is not None and tighter + constant > bound:
                bound, at_best = tighter + constant, True
                gap = gap_above(value, bound)
        if best is None:
            return _stop(prob, columns, phases, label, NO_SOLUTION, incumbent, phase_began,
                         solver_seconds)
        proven = within_gap(gap, options.gap)
        outcome = Outcome(OPTIMAL if proven else FEASIBLE, HIGHS, value, bound, gap,
                          time.perf_counter() - phase_began, solver_seconds)
        log.info("%s: %s %.9g (bound %.9g, gap %s) in %.2f s", label, outcome.status, value,
                 bound, gap, outcome.seconds)
        phases.append(Phase(label, outcome, value, {
            kept.name: kept.value if at_best else kept.most for kept in keeps} or None))
        incumbent = best
        held.append((cost, constant))
        if number < len(objectives) - 1:
            used = np.nonzero(cost)[0]
            kept = _Held(label, relaxation.getNumRow(), value,
                         held_at(value, bound, options.gap if proven else 0.0), constant,
                         keep_tolerance(cost[used], value))
            relaxation.addRow(-highspy.kHighsInf, kept.loose, len(used), used.astype(np.int32),
                              cost[used])
            keeps.append(kept)
    _assign(columns, incumbent)
    _restate(phases, held, incumbent, options.gap)
    prob.setObjective(objectives[-1][1])
    status = OPTIMAL if all(p.outcome.status == OPTIMAL for p in phases) else FEASIBLE
    return Solved(status, HIGHS, phases)


def _hold(relaxation, keeps, tight: bool) -> None:
    """Set the rows holding earlier objectives for a bound (``tight``) or for a plan.

    A plan may let an earlier objective rise within its gap (``held_at``). A bound holds it
    at the best value reached: the lexicographic optimum keeps each earlier objective at its
    optimum, no higher than any value reached, so the least cost of the plans that keep those
    values bounds the optimum's cost; and a plan whose earlier objectives are within their gaps
    and whose cost is within the gap of that bound is optimal within the gap in every
    objective. A plan may so cost less than the bound. On the county dispatch the shortage
    held at the plan's 282.0661 rather than at 282.0721, half the gap above its bound, raised
    the cost bound from 12,796,493 to 12,801,034, above the plan's 12,798,717.
    """
    for kept in keeps:
        relaxation.changeRowBounds(kept.row, -highspy.kHighsInf,
                                   kept.strict if tight else kept.loose)


def _tight_bound(relaxation, keeps, began: float, limit: float | None):
    """Return the LP optimum with the earlier objectives at their best values (None if it
    did not finish in the time left), and HiGHS's seconds; the rows are left at the plan's
    limits."""
    left = _left(began, limit)
    if (left is not None and left <= 0) or not any(kept.has_room for kept in keeps):
        return None, 0.0
    _hold(relaxation, keeps, tight=True)
    if left is not None:
        _allow(relaxation, left)
    before = relaxation.getRunTime()
    relaxation.run()
    seconds = relaxation.getRunTime() - before
    found = None
    if relaxation.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        found = relaxation.getInfo().objective_function_value
    _hold(relaxation, keeps, tight=False)
    return found, seconds


def held_at(value: float, bound: float, gap: float) -> float:
    """Return the most a later phase may let this objective reach: still within ``gap``.

    A phase proven within the gap is held at the largest value whose relative gap to the
    proven bound is still within it (``|v − bound| / |v| ≤ gap``), so the next phase has room
    to work but the objective stays optimal in the sense asked for; with ``gap`` 0, or a phase
    not proven, it is held at the value reached.
    """
    if gap <= 0 or gap_above(value, bound) == 0:
        return value
    # Half the gap, so that rounding in the later phase cannot push it over.
    share = gap / 2
    widest = bound / (1 - share) if bound >= 0 else bound / (1 + share)
    return max(value, widest)


def _restate(phases: list[Phase], held, x: np.ndarray | None, gap: float) -> None:
    """Report each phase's objective at the final plan, against the bound that phase proved.

    Later phases may move an earlier objective within its gap (see ``held_at``); what is
    reported is what the returned plan achieves.
    """
    if x is None:
        return
    for phase, (cost, constant) in zip(phases, held, strict=False):
        outcome = phase.outcome
        if outcome.best_bound is None or not outcome.has_solution:
            continue
        value = _value(cost, constant, x)
        phase.value = outcome.objective = value
        outcome.gap = gap_above(value, outcome.best_bound)
        proven = within_gap(outcome.gap, gap)
        if outcome.status == OPTIMAL and not proven:
            outcome.status = FEASIBLE


def _round(relaxation, columns: _Columns, options, began: float, constant: float,
           x: np.ndarray, box: bool = False, share: float = ROUNDING_SHARE):
    """Return the best plan no lower than the floor of ``x`` (with ``box``, no higher than
    its ceiling either), and HiGHS's seconds; it may take ``share`` of the time left."""
    left = _left(began, options.time_limit)
    share = None if left is None else max(0.5, share * left)
    lower = np.where(columns.integer, np.floor(x + INTEGRALITY), columns.lower)
    upper = np.where(columns.integer, np.ceil(x - INTEGRALITY), columns.upper) if box \
        else columns.upper
    found, _, seconds, _ = solve_as_mip(relaxation, columns.integer, options, share,
                                        lower=lower, upper=upper,
                                        gap=options.gap * ROUNDING_GAP_SHARE, offset=constant)
    return found, seconds


def _inside(relaxation, keeps, room: float, options, began: float) -> np.ndarray | None:
    """Return the relaxation's optimum with each held objective ``room`` of the way to its limit.

    Only a point to round: the bound of the phase is the relaxation with the true limits.
    Returns None when no held objective has room, or the LP fails.
    """
    tighter = [(kept.row, kept.reached + room * (kept.loose - kept.reached), kept.loose)
               for kept in keeps if kept.has_room]
    if not tighter:
        return None
    for row, middle, _ in tighter:
        relaxation.changeRowBounds(row, -highspy.kHighsInf, middle)
    left = _left(began, options.time_limit)
    if left is not None:
        _allow(relaxation, max(LEAST_PHASE_SECONDS, ROUNDING_SHARE * left))
    relaxation.run()
    point = None
    if relaxation.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        point = np.array(relaxation.getSolution().col_value)
    for row, _, upper in tighter:
        relaxation.changeRowBounds(row, -highspy.kHighsInf, upper)
    return point


def _assign(columns: _Columns, x: np.ndarray | None) -> None:
    for variable, value in zip(columns.variables, (x if x is not None else
                                                   [None] * len(columns.variables)),
                               strict=True):
        variable.varValue = None if value is None else float(value)


def _stop(prob, columns, phases, label, status, incumbent, phase_began, solver_seconds
          ) -> Solved:
    """End the solve at a phase that found nothing; an earlier phase's plan stands."""
    phases.append(Phase(label, Outcome(status, HIGHS, seconds=time.perf_counter() - phase_began,
                                       solver_seconds=solver_seconds)))
    _assign(columns, incumbent)
    if incumbent is None:
        return Solved(status, HIGHS, phases)
    return Solved(FEASIBLE, HIGHS, phases)
