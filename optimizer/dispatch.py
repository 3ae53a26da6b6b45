"""Dispatch: meet each site's demand before the deadline from stock, contracts and production.

The model, in docs/optimizer.md ("Dispatch") in mathematical notation:

    ship[source, site, item] ≥ 0, whole, for each arc that can arrive in time
    minimise  weighted shortage  Σ priority × (demand − Σ_source ship) / demand
    then      cost               Σ (purchase + transport) × ship
    subject to stock, demand, production by each finish time, weight and volume limits.

Shortage needs no variable: a site's shortage of an item is its demand minus what the arcs into
it carry, so the weighted shortage is a constant minus a weighted sum of shipments. Production
timing is a chain of running totals per source and item, one link per distinct finish time, so
the number of terms grows with the number of arcs rather than its square.
"""

import gc
import logging
import time
from collections import defaultdict
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import pulp

from optimizer.blocks import Block, Group
from optimizer.errors import NoPlan
from optimizer.network import (
    Arc,
    DispatchPlan,
    production_breakpoints,
    reachable_arcs,
    summarise,
    units_made_by,
)
from optimizer.options import SolveOptions
from optimizer.problems import CAPACITY, DispatchProblem
from optimizer.solve import solve_in_order

log = logging.getLogger(__name__)

WEIGHTED_SHORTAGE = "weighted_shortage"
COST = "cost"

#: (source, site, item): the key of a shipment.
Key = tuple[str, str, str]


@dataclass
class DispatchModel:
    """The shipments of one dispatch inside a PuLP problem, and its two objectives."""

    ship: dict[Key, pulp.LpVariable]
    weighted_shortage: pulp.LpAffineExpression
    cost: pulp.LpAffineExpression
    #: Sources whose dispatch limits join their items (see optimizer.blocks).
    blocks: list[Block] = field(default_factory=list)

    def sent(self) -> dict[Key, int]:
        """Return the solved shipments as ``{(source, site, item): units}``."""
        return {key: round(variable.varValue) for key, variable in self.ship.items()
                if variable.varValue is not None and round(variable.varValue) > 0}


def linear(terms, constant: float = 0.0) -> pulp.LpAffineExpression:
    """Return Σ coefficient × variable over ``(variable, coefficient)`` pairs.

    A variable may appear more than once; its coefficients add up. (``LpAffineExpression``
    built from pairs keeps only the last coefficient of a repeated variable.)
    """
    summed: dict = {}
    for variable, coefficient in terms:
        summed[variable] = summed.get(variable, 0) + coefficient
    return pulp.LpAffineExpression(summed, constant=constant)


def add_row(prob: pulp.LpProblem, expression: pulp.LpAffineExpression, sense: int, rhs: float,
            name: str) -> str:
    """Add the constraint ``expression`` (sense) ``rhs``, its name made unique by a running
    number, and return the row's name.

    Ids may contain the separator, so ``stock_A_B_C`` alone could be two different rows.
    """
    row = pulp.LpConstraint(expression, sense, f"{name}_{prob.numConstraints()}", rhs)
    prob.addConstraint(row)
    # PuLP rewrites characters such as "-" in the name it keeps.
    return row.name


@contextmanager
def collection_paused():
    """Pause the cyclic garbage collector while building a model.

    A model is hundreds of thousands of small objects without cycles; the collector's passes
    over them took about a third of a city dispatch's build time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Group:
    """Shipment variables that one row sums, and the most units they can carry together."""

    variables: list[pulp.LpVariable] = field(default_factory=list)
    most: int = 0

    def sent(self) -> pulp.LpAffineExpression:
        """Return Σ ship over the group."""
        # Not lpSum, which adds the terms one by one in Python: slower on a city's rows.
        return pulp.LpAffineExpression(dict.fromkeys(self.variables, 1))


@dataclass
class _Shipments:
    """The shipment variables grouped as the rows need them."""

    #: Σ_site ship[source, site, item] per (source, item), and Σ_source per (site, item).
    out_of: dict[tuple[str, str], _Group]
    into: dict[tuple[str, str], _Group]
    #: Per source, each arc out of it with its variable.
    by_source: dict[str, list[tuple[Arc, pulp.LpVariable]]]

    @classmethod
    def group(cls, ship: dict[Key, pulp.LpVariable], arcs: list[Arc]) -> "_Shipments":
        """Group ``ship``, whose keys follow ``arcs``, by the rows that sum it."""
        out_of, into, by_source = defaultdict(_Group), defaultdict(_Group), defaultdict(list)
        for arc, variable in zip(arcs, ship.values(), strict=True):
            out = out_of[arc.source, arc.item]
            out.variables.append(variable)
            out.most += arc.upper
            arriving = into[arc.site, arc.item]
            arriving.variables.append(variable)
            arriving.most += arc.upper
            by_source[arc.source].append((arc, variable))
        return cls(out_of, into, by_source)

    def items_of(self) -> dict[str, list[tuple[str, _Group]]]:
        """Return, per source, each item it sends with its group."""
        items: dict[str, list[tuple[str, _Group]]] = defaultdict(list)
        for (source, item), group in self.out_of.items():
            items[source].append((item, group))
        return items


def _ship_variables(prob: pulp.LpProblem, arcs: list[Arc], tag: str
                    ) -> dict[Key, pulp.LpVariable]:
    """Return ship[source, site, item] for each arc, in the arcs' order."""
    # PuLP orders columns by name and rewrites characters of ids, so two ids could share a
    # name: the variables are named by a running number and keyed by their arcs here.
    numbered = prob.add_variable_dicts(f"ship{tag}", range(len(arcs)), lowBound=0,
                                       cat=pulp.LpInteger)
    ship = {}
    for arc, variable in zip(arcs, numbered.values(), strict=True):
        variable.upBound = arc.upper
        ship[arc.key] = variable
    return ship


def _add_stock_rows(prob, problem: DispatchProblem, shipments: _Shipments, tag: str,
                    chosen_stock) -> dict[str, list[str]]:
    """Σ_site ship[source, site, item] ≤ the source's stock of the item; return each
    source's rows. A stock that is a variable (``chosen_stock``) is moved to the left."""
    sources = {source.id: source for source in problem.sources}
    rows: dict[str, list[str]] = defaultdict(list)
    for (source_id, item), out in shipments.out_of.items():
        source = sources[source_id]
        if source.kind == CAPACITY:
            continue
        name = f"stock{tag}_{source_id}_{item}"
        chosen = chosen_stock.get(source_id, {}).get(item) if chosen_stock is not None else None
        if isinstance(chosen, pulp.LpVariable):
            add_row(prob, out.sent() - chosen, pulp.LpConstraintLE, 0, name)
            continue
        units = source.stock.get(item, 0) if chosen is None else chosen
        if out.most > units:
            rows[source_id].append(add_row(prob, out.sent(), pulp.LpConstraintLE, units, name))
    return rows


def _add_production_rows(prob, problem: DispatchProblem, arcs: list[Arc], ship,
                         tag: str) -> None:
    """Units due by each finish time are at most what the source can have made by then."""
    sources = {source.id: source for source in problem.sources}
    for (source_id, item), steps in production_breakpoints(arcs).items():
        source = sources[source_id]
        name = f"made{tag}_{source_id}_{item}"
        if len(steps) == 1:
            finish, due = steps[0]
            most = units_made_by(source, item, finish)
            if sum(arc.upper for arc in due) > most:
                add_row(prob, pulp.lpSum(ship[arc.key] for arc in due), pulp.LpConstraintLE,
                        most, name)
            continue
        # made[n]: the running total of units due by the n-th finish time.
        made = prob.add_variable_dicts(f"made{tag}_{prob.numConstraints()}",
                                       range(len(steps)), lowBound=0)
        for n, (finish, due) in enumerate(steps):
            made[n].upBound = units_made_by(source, item, finish)
            total = pulp.lpSum(ship[arc.key] for arc in due) - made[n]
            if n:
                total += made[n - 1]
            add_row(prob, total, pulp.LpConstraintEQ, 0, f"{name}_{n}")


def _add_demand_rows(prob, problem: DispatchProblem, shipments: _Shipments, tag: str) -> None:
    """Σ_source ship[source, site, item] ≤ the site's demand for the item."""
    sites = {site.id: site for site in problem.sites}
    for (site_id, item), into in shipments.into.items():
        demand = sites[site_id].demand[item]
        if into.most > demand:
            add_row(prob, into.sent(), pulp.LpConstraintLE, demand,
                    f"demand{tag}_{site_id}_{item}")


def _add_limit_rows(prob, problem: DispatchProblem, shipments: _Shipments, tag: str,
                    chosen_stock, stock_rows: dict[str, list[str]]) -> list[Block]:
    """Σ size × ship out of a source ≤ its weight and volume limits; return the blocks: the
    sources whose stock is given and whose limits bind."""
    sources = {source.id: source for source in problem.sources}
    items_of = shipments.items_of() if chosen_stock is None else {}
    blocks = []
    for source_id, limit in problem.dispatch_limits.items():
        out = shipments.by_source.get(source_id, [])
        caps = [(cap, size) for cap, size in ((limit.weight_kg, "weight_kg"),
                                              (limit.volume_m3, "volume_m3"))
                if cap is not None and out]
        limit_rows = []
        for cap, size in caps:
            sizes = {code: getattr(goods, size) for code, goods in problem.items.items()}
            if sum(arc.upper * sizes[arc.item] for arc, _ in out) > cap:
                load = pulp.LpAffineExpression([(variable, sizes[arc.item])
                                                for arc, variable in out])
                limit_rows.append(add_row(prob, load, pulp.LpConstraintLE, cap,
                                          f"{size}{tag}_{source_id}"))
        source = sources[source_id]
        if limit_rows and chosen_stock is None and source.kind != CAPACITY:
            blocks.append(_block(problem, source, items_of[source_id], caps,
                                 stock_rows[source_id] + limit_rows))
    return blocks


def _block(problem: DispatchProblem, source, items_out, caps, rows) -> Block:
    """Return the knapsack of one source: per item its shipments and stock, and its limits."""
    groups = []
    for item, out in items_out:
        goods = problem.items[item]
        groups.append(Group(out.variables, source.stock.get(item, 0),
                            tuple(getattr(goods, size) for _, size in caps)))
    return Block(source.id, groups, tuple(cap for cap, _ in caps), rows)


def _objectives(problem: DispatchProblem, ship: dict[Key, pulp.LpVariable], arcs: list[Arc]
                ) -> tuple[pulp.LpAffineExpression, pulp.LpAffineExpression]:
    """Return the weighted shortage and the cost (each arc's variable appears once)."""
    sites = {site.id: site for site in problem.sites}
    everyone = sum(site.priority for site in problem.sites
                   for units in site.demand.values() if units > 0)
    shipments = list(zip(arcs, ship.values(), strict=True))
    weighted_shortage = pulp.LpAffineExpression(
        [(variable, -sites[arc.site].priority / sites[arc.site].demand[arc.item])
         for arc, variable in shipments], constant=everyone)
    cost = pulp.LpAffineExpression([(variable, arc.unit_cost) for arc, variable in shipments
                                    if arc.unit_cost])
    return weighted_shortage, cost


def add_dispatch(prob: pulp.LpProblem, problem: DispatchProblem, tag: str = "",
                 chosen_stock: Mapping[str, Mapping[str, int | pulp.LpVariable]] | None = None
                 ) -> DispatchModel:
    """Add one dispatch's shipments and rules to ``prob``.

    ``chosen_stock`` replaces the stock of the sources it names, by variables when it is still
    to be chosen (pre-positioning); a variable's upper bound caps the arcs out of it.
    """
    most = None
    if chosen_stock is not None:
        most = {source: {item: (units.upBound if isinstance(units, pulp.LpVariable) else units)
                         for item, units in items.items()}
                for source, items in chosen_stock.items()}
    arcs = reachable_arcs(problem, most)
    ship = _ship_variables(prob, arcs, tag)
    shipments = _Shipments.group(ship, arcs)
    stock_rows = _add_stock_rows(prob, problem, shipments, tag, chosen_stock)
    _add_production_rows(prob, problem, arcs, ship, tag)
    _add_demand_rows(prob, problem, shipments, tag)
    blocks = _add_limit_rows(prob, problem, shipments, tag, chosen_stock, stock_rows)
    weighted_shortage, cost = _objectives(problem, ship, arcs)
    return DispatchModel(ship, weighted_shortage, cost, blocks)


def solve_dispatch(problem: DispatchProblem, options: SolveOptions | None = None
                   ) -> DispatchPlan:
    """Return the dispatch plan with the least weighted shortage, then the least cost.

    :raise NoPlan: when the solver found no plan within the time limit.
    """
    options = options or SolveOptions()
    began = time.perf_counter()
    prob = pulp.LpProblem("dispatch", pulp.LpMinimize)
    with collection_paused():
        model = add_dispatch(prob, problem)
    build_seconds = time.perf_counter() - began
    log.info("dispatch model: %d arcs, %d constraints, built in %.2f s",
             len(model.ship), prob.numConstraints(), build_seconds)
    solved = solve_in_order(prob, [(WEIGHTED_SHORTAGE, model.weighted_shortage),
                                   (COST, model.cost)], options, blocks=model.blocks)
    stats = solved.stats(prob, build_seconds)
    if not solved.has_solution:
        raise NoPlan(solved.status, "the solver found no dispatch plan", stats)
    return summarise(problem, model.sent(), solved.status, stats)
