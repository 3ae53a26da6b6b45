"""Lexicographic solves on HiGHS: each phase's LP relaxation first, branching only when needed.

Our models are transportation problems with a few side rows, so their LP relaxations are
integral or nearly so; handed to HiGHS's branch-and-bound whole, they ran past their time limits
(docs/optimizer.md, "Solve method"). Each phase takes five steps over a ``PhaseState``:

1. ``_relax``: solve the LP relaxation, a lower bound. Later phases hold the earlier objectives
   by rows of the same LP and restart from its basis.
2. ``_take_whole``: a whole relaxation is the phase's proven optimum.
3. ``_use_blocks``: where the model names blocks (``optimizer.blocks``), a Lagrangian bound
   from one small MIP per fractional block, and a plan with each block's totals fixed.
4. ``_round``: unless that plan is within the gap, round the relaxation by a MIP over the
   columns no lower than its floor; a later phase rounds points with room in the held rows.
5. ``_prove``: if the plan is still not within the gap, branch on the whole model (small models
   only), bound a later phase at the earlier objectives' best values, and search the plan's
   neighbourhood (RINS) in the time the phase has left.

A phase proven within the gap is held for the later phases at half its gap above its bound
(``relaxation.plan_limit``); a later phase's bound holds the earlier objectives at the best
values reached, so its plan may cost less than its bound. The result reports each objective at
the final plan. Every bound reported is one HiGHS proved: an LP optimum or a MIP dual bound.
"""

import logging
import time

import numpy as np
import pulp

from optimizer.blocks import Block, improve, index_blocks
from optimizer.highs import HIGHS, SHORTEST_RUN, highspy, solve_mip
from optimizer.options import SIMPLEX, SolveOptions
from optimizer.outcome import (
    FEASIBLE,
    INFEASIBLE,
    NO_SOLUTION,
    OPTIMAL,
    UNBOUNDED,
    Outcome,
    Phase,
    Solved,
    gap_above,
    most_within,
    overall_status,
    within_gap,
)
from optimizer.phase_state import PhaseState, SolveState
from optimizer.relaxation import Relaxation, objective_costs, plan_limit, read_columns

log = logging.getLogger(__name__)

#: Branching on the whole model is not worth starting with less time than this.
LEAST_BRANCH_SECONDS = 0.1


def _relax(solve: SolveState, phase: PhaseState) -> str | None:
    """Step 1: solve the LP relaxation for a bound; return the status that ends the solve."""
    relaxation = solve.relaxation
    relaxation.set_costs(phase.cost)
    left = solve.left()
    if left is not None:
        relaxation.allow(max(solve.tuning.least_phase_seconds if phase.number else SHORTEST_RUN,
                             left))
    relaxation.use_method(solve.lp_method)
    # With the blocks, whose prices give the bound and whose plan is re-routed on a copy, the
    # LP holds the earlier objectives at their best values; else at the plan's limits, the
    # point to round, and a bound at the best values follows only if it is needed.
    if phase.with_blocks:
        relaxation.hold_for_bounds()
    else:
        relaxation.hold_for_plans()
    phase.solver_seconds += relaxation.solve()
    if phase.number == 0:
        solve.first_lp_seconds = phase.solver_seconds
    # Only the first LP is presolved (the pre-positioning LP ran past its limit without it).
    relaxation.presolve_off()
    if not relaxation.optimal:
        kinds = highspy.HighsModelStatus
        status = relaxation.model_status()
        if status == kinds.kInfeasible:
            return INFEASIBLE
        if status in (kinds.kUnbounded, kinds.kUnboundedOrInfeasible):
            return UNBOUNDED
        return NO_SOLUTION
    phase.x = relaxation.solution()
    phase.bound = phase.worth(phase.x)
    phase.bound_at_best = phase.with_blocks
    phase.offer(solve.incumbent)
    return None


def _take_whole(solve: SolveState, phase: PhaseState) -> bool:
    """Step 2: offer the relaxation's solution when it is whole; return whether it was."""
    integer = solve.columns.integer
    fraction = np.abs(phase.x - np.round(phase.x))
    fractional = integer & (fraction > solve.tuning.integrality)
    if fractional.any():
        log.info("%s: relaxation %.6g with %d fractional columns", phase.name, phase.bound,
                 int(fractional.sum()))
        return False
    whole = phase.x.copy()
    whole[integer] = np.round(whole[integer])
    phase.offer(whole)
    return True


def _use_blocks(solve: SolveState, phase: PhaseState) -> None:
    """Step 3: raise the bound by the blocks' Lagrangian bound and offer their plan."""
    if not phase.with_blocks:
        return
    improved = improve(solve.relaxation.highs, solve.blocks, phase.cost, phase.constant,
                       solve.columns.integer, solve.options,
                       solve.share_of_left(solve.tuning.block_share), solve.incumbent,
                       solve.first_prices, solve.relaxation.plan_limits())
    if solve.first_prices is None:
        solve.first_prices = improved.prices
    phase.solver_seconds += improved.seconds
    if improved.bound is not None:
        phase.bound = max(phase.bound, improved.bound)
        phase.bound_at_best = True
    phase.offer(improved.plan)


def _rounding_points(solve: SolveState) -> list[tuple[float | None, bool, float]]:
    """Return the points to round in turn: (room in the held rows, boxed, share of time)."""
    tuning = solve.tuning
    if not solve.relaxation.has_room:
        # The relaxation itself: free upwards, then in the box, which finds a plan faster.
        return [(None, False, tuning.rounding_share), (None, True, tuning.rounding_share)]
    first, *others = tuning.rounding_room
    return [(first, False, tuning.first_room_share),
            *[(room, True, tuning.rounding_share) for room in others]]


def _round(solve: SolveState, phase: PhaseState) -> None:
    """Step 4: unless the plan is within the gap, offer the first rounding that finds one.

    Rows holding earlier objectives are usually tight at the relaxation's optimum, and rounding
    it then breaks them; a later phase rounds points with room in those rows.
    """
    relaxation, tuning = solve.relaxation, solve.tuning
    relaxation.hold_for_plans()
    if phase.proven(solve.options.gap):
        return
    for number, (room, box, share) in enumerate(_rounding_points(solve)):
        left = solve.left()
        if number and left is not None and left <= 0:
            # Each further try would take its least time past the limit.
            break
        point = phase.x
        if room is not None:
            found, seconds = relaxation.point_with_room(room, solve.share_of_left(
                tuning.rounding_share, tuning.least_phase_seconds))
            phase.solver_seconds += seconds
            point = phase.x if found is None else found
        rounded = relaxation.round(
            point, box=box, seconds=solve.share_of_left(share, tuning.least_rounding_seconds),
            gap=solve.options.gap * tuning.rounding_gap_share, constant=phase.constant)
        phase.solver_seconds += rounded.seconds
        if rounded.solution is not None:
            phase.offer(rounded.solution)
            break


def _branch(solve: SolveState, phase: PhaseState) -> str | None:
    """Let HiGHS branch on the whole model, the first phase or a small model only, for a
    better plan and bound; return "infeasible" when it proves the model so.

    Later phases branch on small models only: with the row holding an earlier objective,
    HiGHS's branch-and-bound ran far past its time limit, with presolve or without.
    """
    left, count, tuning = solve.left(), len(solve.columns), solve.tuning
    small = count <= tuning.later_branch_columns or (
        phase.number == 0 and count <= tuning.first_branch_columns)
    if not small or (left is not None and left <= LEAST_BRANCH_SECONDS):
        return None
    # Leave the phases still to come their share of the time.
    share = None if left is None else left / (solve.phase_count - phase.number)
    mip = solve_mip(solve.relaxation.highs, solve.columns.integer, solve.options, share,
                    gap=solve.options.gap, offset=phase.constant)
    phase.solver_seconds += mip.seconds
    if mip.status == highspy.HighsModelStatus.kInfeasible:
        return INFEASIBLE
    phase.offer(mip.solution)
    if mip.bound is not None and mip.bound > phase.bound:
        phase.bound, phase.bound_at_best = mip.bound, False
    return None


def _bound_at_best(solve: SolveState, phase: PhaseState) -> None:
    """Raise a later phase's bound by its LP with the earlier objectives at their best values.

    Only where the blocks did not already solve the LP so, and a held row has room.
    """
    relaxation = solve.relaxation
    if phase.best is None or not relaxation.held or phase.with_blocks:
        return
    left = solve.left()
    if (left is not None and left <= 0) or not relaxation.has_room:
        return
    tighter, seconds = relaxation.bound_at_best(left)
    phase.solver_seconds += seconds
    if tighter is not None and tighter + phase.constant > phase.bound:
        phase.bound, phase.bound_at_best = tighter + phase.constant, True


def neighbourhood_seconds(solve: SolveState, phase: PhaseState) -> float | None:
    """Return the seconds the neighbourhood search may take (None: no limit).

    The phases still to come keep their share of the time left, and at least what the first
    phase's LP took for each of their LPs.
    """
    left = solve.left()
    if left is None:
        return None
    later = solve.phase_count - phase.number - 1
    return min(left / (later + 1), left - later * solve.first_lp_seconds)


def _search_neighbourhood(solve: SolveState, phase: PhaseState) -> None:
    """Offer the best plan HiGHS finds, in the time the phase has left, among those that keep
    the integer columns on which the plan and the relaxation agree (RINS).

    It stops at the first plan within the gap of the bound.
    """
    share = neighbourhood_seconds(solve, phase)
    if phase.best is None or len(solve.columns) > solve.tuning.neighbourhood_columns or (
            share is not None and share <= solve.tuning.least_phase_seconds):
        return
    mip = solve.relaxation.search_neighbourhood(
        phase.best, phase.x, seconds=share,
        gap=solve.options.gap * solve.tuning.rounding_gap_share,
        target=most_within(phase.bound, solve.options.gap) - phase.constant)
    phase.solver_seconds += mip.seconds
    log.info("%s: neighbourhood search %s in %.2f s", phase.name,
             None if mip.solution is None else phase.worth(mip.solution), mip.seconds)
    phase.offer(mip.solution)


def _prove(solve: SolveState, phase: PhaseState) -> str | None:
    """Step 5: when the plan is not within the gap, branch, tighten the bound, search the
    plan's neighbourhood; return the status that ends the solve, if any."""
    gap = solve.options.gap
    if phase.proven(gap):
        return None
    stop = _branch(solve, phase)
    if stop is not None:
        return stop
    if not phase.proven(gap):
        _bound_at_best(solve, phase)
    if not phase.proven(gap):
        _search_neighbourhood(solve, phase)
    if not phase.proven(gap):
        _say_why_unproven(solve, phase)
    return None


def _say_why_unproven(solve: SolveState, phase: PhaseState) -> None:
    """Warn when the last phase stops short of its gap with time left, saying why."""
    left, count = solve.left(), len(solve.columns)
    if phase.best is None or phase.number < solve.phase_count - 1 or left is None \
            or left <= solve.tuning.least_phase_seconds:
        return
    branching = "first_branch_columns" if phase.number == 0 else "later_branch_columns"
    if count > solve.tuning.neighbourhood_columns:
        why = (f"the model's {count} columns are too many for the neighbourhood search "
               f"(Tuning.neighbourhood_columns) and for branching (Tuning.{branching})")
    else:
        why = (f"the plan's neighbourhood holds no better plan, and the model's {count} "
               f"columns are too many for branching (Tuning.{branching})")
    log.warning("%s: gap %.2g above the target %.2g with %.1f s left: %s", phase.name,
                phase.gap, solve.options.gap, left, why)


def _finish(solve: SolveState, phase: PhaseState) -> None:
    """Record the phase, and hold its objective for the phases still to come."""
    proven = phase.proven(solve.options.gap)
    value, bound = phase.value, phase.bound
    outcome = Outcome(OPTIMAL if proven else FEASIBLE, HIGHS, value, bound, phase.gap,
                      time.perf_counter() - phase.began, phase.solver_seconds)
    log.info("%s: %s %.9g (bound %.9g, gap %s) in %.2f s", phase.name, outcome.status, value,
             bound, outcome.gap, outcome.seconds)
    held = solve.relaxation.held
    solve.phases.append(Phase(phase.name, outcome, value, {
        each.name: each.value if phase.bound_at_best else each.most for each in held} or None))
    solve.incumbent = phase.best
    solve.objectives.append((phase.cost, phase.constant))
    if phase.number < solve.phase_count - 1:
        solve.relaxation.hold(phase.name, phase.cost, phase.constant, value, plan_limit(
            value, bound, solve.options.gap if proven else 0.0))


def _run_phase(solve: SolveState, phase: PhaseState) -> str | None:
    """Take the five steps of one phase; return the status that ends the solve, if any."""
    stop = _relax(solve, phase)
    if stop is not None:
        return stop
    if not _take_whole(solve, phase):
        _use_blocks(solve, phase)
        _round(solve, phase)
    stop = _prove(solve, phase)
    if stop is not None:
        return stop
    if phase.best is None:
        return NO_SOLUTION
    _finish(solve, phase)
    return None


def _stop(solve: SolveState, phase: PhaseState, status: str) -> Solved:
    """End the solve at a phase that found nothing; an earlier phase's plan stands."""
    solve.phases.append(Phase(phase.name, Outcome(
        status, HIGHS, seconds=time.perf_counter() - phase.began,
        solver_seconds=phase.solver_seconds)))
    solve.columns.assign(solve.incumbent)
    return Solved(status if solve.incumbent is None else FEASIBLE, HIGHS, solve.phases)


def _restate(solve: SolveState) -> None:
    """Report each phase's objective at the final plan, against the bound that phase proved.

    Later phases may move an earlier objective within its gap (``plan_limit``); what is
    reported is what the returned plan achieves.
    """
    x = solve.incumbent
    if x is None:
        return
    for phase, (cost, constant) in zip(solve.phases, solve.objectives, strict=False):
        outcome = phase.outcome
        if outcome.best_bound is None or not outcome.has_solution:
            continue
        value = float(cost @ x) + constant
        phase.value = outcome.objective = value
        outcome.gap = gap_above(value, outcome.best_bound)
        if outcome.status == OPTIMAL and not within_gap(outcome.gap, solve.options.gap):
            outcome.status = FEASIBLE


def solve_phases(prob: pulp.LpProblem, objectives: list[tuple[str, pulp.LpAffineExpression]],
                 options: SolveOptions, blocks: list[Block] = (),
                 lp_method: str = SIMPLEX) -> Solved | None:
    """Minimise each objective in turn on HiGHS, holding every earlier one at its value.

    ``blocks`` name the model's knapsacks (see ``optimizer.blocks``); ``lp_method`` is the
    method for the phases' LPs (``SIMPLEX`` or ``INTERIOR_POINT``, which crosses over to a
    basis). Returns None for a problem without variables, which HiGHS refuses as empty.
    """
    began = time.perf_counter()
    # A variable that only an objective mentions is a column too; PuLP counts the objective's.
    prob.setObjective(pulp.LpAffineExpression(
        {variable: 0.0 for _, expression in objectives for variable in expression}))
    columns = read_columns(prob)
    if not len(columns):
        return None
    relaxation = Relaxation(prob, columns, options)
    indexed = index_blocks(list(blocks), {constraint.name: number for number, constraint
                                          in enumerate(prob.constraints())}) if blocks else []
    solve = SolveState(options, relaxation, indexed, lp_method, len(objectives), began)
    with_blocks = bool(indexed) and len(columns) <= options.tuning.block_columns
    for number, (name, expression) in enumerate(objectives):
        phase_began = time.perf_counter()
        phase = PhaseState(number, name, objective_costs(expression, len(columns)),
                       float(expression.constant), with_blocks, phase_began)
        if number and not phase.cost.any():
            value = phase.constant
            solve.phases.append(Phase(name, Outcome(OPTIMAL, HIGHS, value, value, 0.0), value))
            solve.objectives.append((phase.cost, phase.constant))
            continue
        stop = _run_phase(solve, phase)
        if stop is not None:
            return _stop(solve, phase, stop)
    columns.assign(solve.incumbent)
    _restate(solve)
    prob.setObjective(objectives[-1][1])
    return Solved(overall_status(solve.phases), HIGHS, solve.phases)
