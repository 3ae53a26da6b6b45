"""Rotation: replace stock before it expires, keeping the minimum on hand, at least cost.

Minimise Σ purchase cost − Σ value recovered through outlets + Σ write-off cost.

The stock of an item is carried from period to period by one balance row:
``stock[t] = stock[t−1] − rotated in t−1 + arrivals at t − left in lots expiring at t``,
with the minimum as the stock variable's lower bound. This keeps the model linear in lots ×
periods; summing each lot's history into every period's stock row would make it quadratic.
"""

import logging
import math
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import pulp

from optimizer.dispatch import add_row, collection_paused, linear
from optimizer.errors import NoPlan
from optimizer.options import SolveOptions
from optimizer.outcome import INFEASIBLE
from optimizer.problems import RotationProblem, new_lot_id
from optimizer.solve import round_integers, solve_in_order

log = logging.getLogger(__name__)

TOTAL = "total"


@dataclass
class _Lot:
    """A lot as the model sees it: existing, or bought in ``ordered`` and arriving at ``start``."""

    id: str
    item: str
    #: Units (existing) or the purchase variable (new).
    quantity: int | pulp.LpVariable
    start: int
    expires: int
    ordered: int | None = None
    rotations: dict[tuple[int, str], pulp.LpVariable] = field(default_factory=dict)


@dataclass
class Rotation:
    lot: str
    period: int
    outlet: str
    quantity: int


@dataclass
class Purchase:
    item: str
    period: int
    quantity: int
    lot: str


@dataclass
class WriteOff:
    lot: str
    period: int
    quantity: int


@dataclass
class StockLevel:
    item: str
    period: int
    quantity: int


@dataclass
class RotationPlan:
    status: str
    rotations: list[Rotation]
    purchases: list[Purchase]
    write_offs: list[WriteOff]
    stock: list[StockLevel]
    #: total = purchase_cost − value_recovered + write_off_cost.
    objective: dict
    stats: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return the plan as the JSON document the CLI prints."""
        return asdict(self)


def _purchase_bound(problem: RotationProblem, code: str) -> float:
    """Most units worth ordering at once: the minimum plus all the outlets could take."""
    item = problem.items[code]
    throughput = sum(o.capacity_per_period for o in problem.outlets if o.item == code)
    bound = problem.minimum_stock.get(code, 0) + throughput * item.shelf_life_periods
    if problem.budget_per_period is not None and item.unit_cost > 0:
        bound = min(bound, math.floor(problem.budget_per_period / item.unit_cost + 1e-9))
    return bound


def _lots(prob: pulp.LpProblem, problem: RotationProblem) -> list[_Lot]:
    periods = problem.periods
    lots = [_Lot(lot.id, lot.item, lot.quantity, 0, lot.expires_period)
            for lot in problem.lots if lot.quantity > 0]
    for code, item in sorted(problem.items.items()):
        orders = [t for t in range(periods) if t + item.lead_periods < periods]
        bound = _purchase_bound(problem, code)
        if not orders or bound < 1:
            continue
        bought = prob.add_variable_dicts(f"buy_{len(lots)}", orders, lowBound=0,
                                         upBound=bound, cat=pulp.LpInteger)
        for t in orders:
            start = t + item.lead_periods
            lots.append(_Lot(new_lot_id(code, t), code, bought[t], start,
                             start + item.shelf_life_periods, ordered=t))
    return lots


def _add_rotations(prob: pulp.LpProblem, problem: RotationProblem, lots: list[_Lot]) -> None:
    outlets = defaultdict(list)
    for outlet in problem.outlets:
        if outlet.capacity_per_period > 0:
            outlets[outlet.item].append(outlet)
    keys = []
    owners = []
    for lot in lots:
        usable = range(lot.start, min(lot.expires, problem.periods))
        for t in usable:
            for outlet in outlets[lot.item]:
                keys.append((t, outlet.id))
                owners.append(lot)
    variables = prob.add_variable_dicts("rotate", range(len(keys)), lowBound=0,
                                        cat=pulp.LpInteger)
    for n, (key, lot) in enumerate(zip(keys, owners, strict=True)):
        capacity = next(o.capacity_per_period for o in outlets[lot.item] if o.id == key[1])
        variable = variables[n]
        variable.upBound = capacity if not isinstance(lot.quantity, int) else \
            min(capacity, lot.quantity)
        lot.rotations[key] = variable


def _build(prob: pulp.LpProblem, problem: RotationProblem):
    lots = _lots(prob, problem)
    _add_rotations(prob, problem, lots)
    periods = problem.periods
    items = sorted(problem.items)
    stock = {code: prob.add_variable_dicts(
        f"stock_{n}", range(periods), lowBound=problem.minimum_stock.get(code, 0))
        for n, code in enumerate(items)}
    by_outlet = defaultdict(list)
    for lot in lots:
        if isinstance(lot.quantity, int):
            if sum(v.upBound for v in lot.rotations.values()) > lot.quantity:
                add_row(prob, [(v, 1) for v in lot.rotations.values()], pulp.LpConstraintLE,
                        lot.quantity, f"lot_{lot.id}")
        elif lot.rotations:
            add_row(prob, [*[(v, 1) for v in lot.rotations.values()], (lot.quantity, -1)],
                    pulp.LpConstraintLE, 0, f"lot_{lot.id}")
        for (t, outlet), variable in lot.rotations.items():
            by_outlet[outlet, lot.item, t].append(variable)
    capacity = {(o.id, o.item): o.capacity_per_period for o in problem.outlets}
    for (outlet, code, t), members in by_outlet.items():
        if len(members) > 1 and sum(v.upBound for v in members) > capacity[outlet, code]:
            add_row(prob, [(v, 1) for v in members], pulp.LpConstraintLE,
                    capacity[outlet, code], f"outlet_{outlet}_{code}_{t}")
    _add_balance(prob, problem, lots, stock)
    if problem.budget_per_period is not None:
        spend = defaultdict(list)
        for lot in lots:
            if lot.ordered is not None:
                spend[lot.ordered].append((lot.quantity, problem.items[lot.item].unit_cost))
        for t, terms in sorted(spend.items()):
            if sum(v.upBound * c for v, c in terms) > problem.budget_per_period:
                add_row(prob, terms, pulp.LpConstraintLE, problem.budget_per_period,
                        f"budget_{t}")
    return lots, stock


def _add_balance(prob, problem: RotationProblem, lots: list[_Lot], stock) -> None:
    """stock[t] = stock[t−1] − rotated in t−1 + arrivals at t − left in lots expiring at t."""
    periods = problem.periods
    terms = defaultdict(list)
    constant = defaultdict(int)
    for lot in lots:
        first = lot.start
        if first < periods and lot.expires > first:
            # Arriving at first: +quantity to stock[first].
            if isinstance(lot.quantity, int):
                constant[lot.item, first] += lot.quantity
            else:
                terms[lot.item, first].append((lot.quantity, -1))
        for (t, _), variable in lot.rotations.items():
            if t + 1 < periods:
                terms[lot.item, t + 1].append((variable, 1))
        if first < lot.expires < periods:
            # What is left leaves the stock when the lot expires.
            if isinstance(lot.quantity, int):
                constant[lot.item, lot.expires] -= lot.quantity
            else:
                terms[lot.item, lot.expires].append((lot.quantity, 1))
            terms[lot.item, lot.expires].extend((v, -1) for v in lot.rotations.values())
    for code, levels in stock.items():
        for t in range(problem.periods):
            row = [(levels[t], 1), *terms[code, t]]
            if t:
                row.append((levels[t - 1], -1))
            add_row(prob, row, pulp.LpConstraintEQ, constant[code, t], f"balance_{code}_{t}")


def _objective(problem: RotationProblem, lots: list[_Lot]):
    terms = []
    constant = 0.0
    value = {(o.id, o.item): o.value_per_unit for o in problem.outlets}
    for lot in lots:
        item = problem.items[lot.item]
        if lot.ordered is not None:
            terms.append((lot.quantity, item.unit_cost))
        for (_, outlet), variable in lot.rotations.items():
            terms.append((variable, -value[outlet, lot.item]))
        if lot.expires <= problem.periods - 1 and item.write_off_cost:
            if isinstance(lot.quantity, int):
                constant += item.write_off_cost * lot.quantity
            else:
                terms.append((lot.quantity, item.write_off_cost))
            terms.extend((v, -item.write_off_cost) for v in lot.rotations.values())
    return linear(terms, constant)


def _why_infeasible(problem: RotationProblem) -> str:
    """Name an item that is below its minimum before any purchase can arrive, if there is one."""
    for code, item in sorted(problem.items.items()):
        minimum = problem.minimum_stock.get(code, 0)
        for t in range(min(item.lead_periods, problem.periods)):
            held = sum(lot.quantity for lot in problem.lots
                       if lot.item == code and t < lot.expires_period)
            if held < minimum:
                return (f"{code}: stock at period {t} is {held}, below the minimum {minimum}, "
                        f"and a purchase takes {item.lead_periods} period(s) to arrive")
    return "the minimum stock cannot be kept within the budget"


def solve_rotation(problem: RotationProblem, options: SolveOptions | None = None
                   ) -> RotationPlan:
    """Return the rotation and purchase plan of least net cost that keeps the minimum stock.

    :raise NoPlan: when no plan keeps the minimum (infeasible) or none was found in time.
    """
    options = options or SolveOptions()
    began = time.perf_counter()
    prob = pulp.LpProblem("rotation", pulp.LpMinimize)
    with collection_paused():
        lots, stock = _build(prob, problem)
        objective = _objective(problem, lots)
    build_seconds = time.perf_counter() - began
    log.info("rotation model: %d lots, %d constraints, built in %.2f s", len(lots),
             prob.numConstraints(), build_seconds)
    solved = solve_in_order(prob, [(TOTAL, objective)], options)
    stats = solved.stats(prob, build_seconds)
    if not solved.has_solution:
        message = _why_infeasible(problem) if solved.status == INFEASIBLE else \
            "the solver found no rotation plan"
        raise NoPlan(solved.status, message, stats)
    round_integers(prob)
    return _plan(problem, lots, stock, solved.status, stats)


def _plan(problem: RotationProblem, lots: list[_Lot], stock, status: str, stats: dict
          ) -> RotationPlan:
    rotations, purchases, write_offs = [], [], []
    value = {(o.id, o.item): o.value_per_unit for o in problem.outlets}
    purchase_cost = recovered = write_off_cost = 0.0
    for lot in lots:
        item = problem.items[lot.item]
        units = lot.quantity if isinstance(lot.quantity, int) else round(lot.quantity.varValue)
        if lot.ordered is not None:
            if units <= 0:
                continue
            purchases.append(Purchase(lot.item, lot.ordered, units, lot.id))
            purchase_cost += item.unit_cost * units
        out = 0
        for (t, outlet), variable in sorted(lot.rotations.items()):
            moved = round(variable.varValue)
            if moved > 0:
                rotations.append(Rotation(lot.id, t, outlet, moved))
                recovered += value[outlet, lot.item] * moved
                out += moved
        if lot.expires <= problem.periods - 1 and units - out > 0:
            write_offs.append(WriteOff(lot.id, lot.expires, units - out))
            write_off_cost += item.write_off_cost * (units - out)
    levels = [StockLevel(code, t, round(levels[t].varValue))
              for code, levels in sorted(stock.items()) for t in range(problem.periods)]
    rotations.sort(key=lambda r: (r.period, r.lot, r.outlet))
    purchases.sort(key=lambda p: (p.period, p.item))
    write_offs.sort(key=lambda w: (w.period, w.lot))
    objective = {"total": purchase_cost - recovered + write_off_cost,
                 "purchase_cost": purchase_cost, "value_recovered": recovered,
                 "write_off_cost": write_off_cost}
    return RotationPlan(status, rotations, purchases, write_offs, levels, objective, stats)
