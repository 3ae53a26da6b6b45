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
    #: Units (existing) or the purchase variable buy[item, ordered] (new).
    quantity: int | pulp.LpVariable
    start: int
    expires: int
    ordered: int | None = None
    #: rotate[lot, period, outlet] of this lot, keyed by (period, outlet).
    rotations: dict[tuple[int, str], pulp.LpVariable] = field(default_factory=dict)

    @property
    def bought(self) -> bool:
        """Whether the lot is a purchase the plan may make."""
        return self.ordered is not None


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


@dataclass
class _RotationModel:
    """The lots, each with its rotate[lot, t, outlet] (a bought lot's units are buy[item, t]),
    and stock[item, t]."""

    lots: list[_Lot]
    stock: dict[tuple[str, int], pulp.LpVariable]


def _lots(prob: pulp.LpProblem, problem: RotationProblem) -> list[_Lot]:
    """Return the existing lots and one new lot per purchase buy[item, t]."""
    periods = problem.periods
    lots = [_Lot(lot.id, lot.item, lot.quantity, 0, lot.expires_period)
            for lot in problem.lots if lot.quantity > 0]
    for code, item in sorted(problem.items.items()):
        orders = [t for t in range(periods) if t + item.lead_periods < periods]
        most = _purchase_bound(problem, code)
        if not orders or most < 1:
            continue
        # Named by a running number: PuLP rewrites characters of item codes.
        bought = prob.add_variable_dicts(f"buy_{len(lots)}", orders, lowBound=0, upBound=most,
                                         cat=pulp.LpInteger)
        for t in orders:
            start = t + item.lead_periods
            lots.append(_Lot(new_lot_id(code, t), code, bought[t], start,
                             start + item.shelf_life_periods, ordered=t))
    return lots


def _add_rotations(prob: pulp.LpProblem, problem: RotationProblem, lots: list[_Lot]) -> None:
    """Give each lot rotate[lot, t, outlet]: units sent to an outlet of its item in a period
    in which the lot is usable."""
    outlets: dict[str, list] = defaultdict(list)
    for outlet in problem.outlets:
        if outlet.capacity_per_period > 0:
            outlets[outlet.item].append(outlet)
    keys = [(lot, t, outlet) for lot in lots
            for t in range(lot.start, min(lot.expires, problem.periods))
            for outlet in outlets[lot.item]]
    numbered = prob.add_variable_dicts("rotate", range(len(keys)), lowBound=0,
                                       cat=pulp.LpInteger)
    for number, (lot, t, outlet) in enumerate(keys):
        variable = numbered[number]
        bought = not isinstance(lot.quantity, int)
        capacity = outlet.capacity_per_period
        variable.upBound = capacity if bought else min(capacity, lot.quantity)
        lot.rotations[t, outlet.id] = variable


def _add_lot_rows(prob: pulp.LpProblem, lots: list[_Lot]) -> None:
    """Σ_t,outlet rotate[lot, t, outlet] ≤ the lot's units (bought: buy[item, ordered])."""
    for lot in lots:
        rotated = pulp.lpSum(lot.rotations.values())
        if isinstance(lot.quantity, int):
            if sum(v.upBound for v in lot.rotations.values()) > lot.quantity:
                add_row(prob, rotated, pulp.LpConstraintLE, lot.quantity, f"lot_{lot.id}")
        elif lot.rotations:
            add_row(prob, rotated - lot.quantity, pulp.LpConstraintLE, 0, f"lot_{lot.id}")


def _add_outlet_rows(prob: pulp.LpProblem, problem: RotationProblem, lots: list[_Lot]) -> None:
    """Σ_lot rotate[lot, t, outlet] ≤ the outlet's capacity for the item in each period."""
    by_outlet = defaultdict(list)
    for lot in lots:
        for (t, outlet), variable in lot.rotations.items():
            by_outlet[outlet, lot.item, t].append(variable)
    capacity = {(o.id, o.item): o.capacity_per_period for o in problem.outlets}
    for (outlet, code, t), rotated in by_outlet.items():
        if len(rotated) > 1 and sum(v.upBound for v in rotated) > capacity[outlet, code]:
            add_row(prob, pulp.lpSum(rotated), pulp.LpConstraintLE, capacity[outlet, code],
                    f"outlet_{outlet}_{code}_{t}")


def _add_budget_rows(prob: pulp.LpProblem, problem: RotationProblem, lots: list[_Lot]) -> None:
    """Σ_item unit cost × buy[item, t] ≤ the budget of each period t."""
    if problem.budget_per_period is None:
        return
    spend = defaultdict(list)
    for lot in lots:
        if lot.bought:
            spend[lot.ordered].append((lot.quantity, problem.items[lot.item].unit_cost))
    for t, terms in sorted(spend.items()):
        if sum(v.upBound * c for v, c in terms) > problem.budget_per_period:
            add_row(prob, linear(terms), pulp.LpConstraintLE, problem.budget_per_period,
                    f"budget_{t}")


def _build(prob: pulp.LpProblem, problem: RotationProblem) -> _RotationModel:
    lots = _lots(prob, problem)
    _add_rotations(prob, problem, lots)
    stock = {}
    for n, code in enumerate(sorted(problem.items)):
        levels = prob.add_variable_dicts(f"stock_{n}", range(problem.periods),
                                         lowBound=problem.minimum_stock.get(code, 0))
        stock.update({(code, t): variable for t, variable in levels.items()})
    _add_lot_rows(prob, lots)
    _add_outlet_rows(prob, problem, lots)
    _add_balance(prob, problem, lots, stock)
    _add_budget_rows(prob, problem, lots)
    return _RotationModel(lots, stock)


def _add_balance(prob, problem: RotationProblem, lots: list[_Lot], stock) -> None:
    """stock[k, t] = stock[k, t−1] − rotated in t−1 + arrivals at t − left in lots expiring at t."""
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
    for code in sorted(problem.items):
        for t in range(periods):
            row = [(stock[code, t], 1), *terms[code, t]]
            if t:
                row.append((stock[code, t - 1], -1))
            add_row(prob, linear(row), pulp.LpConstraintEQ, constant[code, t],
                    f"balance_{code}_{t}")


def _objective(problem: RotationProblem, lots: list[_Lot]) -> pulp.LpAffineExpression:
    """Σ unit cost × buy − Σ value × rotate + Σ write-off cost × units left at expiry."""
    terms = []
    constant = 0.0
    value = {(o.id, o.item): o.value_per_unit for o in problem.outlets}
    for lot in lots:
        item = problem.items[lot.item]
        if lot.bought:
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
        model = _build(prob, problem)
        objective = _objective(problem, model.lots)
    build_seconds = time.perf_counter() - began
    log.info("rotation model: %d lots, %d constraints, built in %.2f s", len(model.lots),
             prob.numConstraints(), build_seconds)
    solved = solve_in_order(prob, [(TOTAL, objective)], options)
    stats = solved.stats(prob, build_seconds)
    if not solved.has_solution:
        message = _why_infeasible(problem) if solved.status == INFEASIBLE else \
            "the solver found no rotation plan"
        raise NoPlan(solved.status, message, stats)
    round_integers(prob)
    return _plan(problem, model, solved.status, stats)


def _plan(problem: RotationProblem, model: _RotationModel, status: str, stats: dict
          ) -> RotationPlan:
    """Return the plan the solved ``model`` holds, its objective summed again from it."""
    rotations, purchases, write_offs = [], [], []
    value = {(o.id, o.item): o.value_per_unit for o in problem.outlets}
    purchase_cost = recovered = write_off_cost = 0.0
    for lot in model.lots:
        item = problem.items[lot.item]
        units = lot.quantity if isinstance(lot.quantity, int) else round(lot.quantity.varValue)
        if lot.bought:
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
    levels = [StockLevel(code, t, round(model.stock[code, t].varValue))
              for code in sorted(problem.items) for t in range(problem.periods)]
    rotations.sort(key=lambda r: (r.period, r.lot, r.outlet))
    purchases.sort(key=lambda p: (p.period, p.item))
    write_offs.sort(key=lambda w: (w.period, w.lot))
    objective = {"total": purchase_cost - recovered + write_off_cost,
                 "purchase_cost": purchase_cost, "value_recovered": recovered,
                 "write_off_cost": write_off_cost}
    return RotationPlan(status, rotations, purchases, write_offs, levels, objective, stats)
