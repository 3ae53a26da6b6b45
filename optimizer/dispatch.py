"""Dispatch: meet each site's demand before the deadline from stock, contracts and production.

Minimise first the weighted unmet share Σ priority × shortage / demand, then, holding that
optimum, the cost (purchases from contracts and production, plus transport).

The model has a variable only for each source–site–item triple that can arrive in time. Shortage
needs no variable: a site's shortage of an item is its demand minus what the arcs into it carry,
so the weighted shortage is a constant minus a weighted sum of shipments. Production timing is a
chain of running totals per source and item, one link per distinct finish time, so the number of
terms grows with the number of arcs rather than its square.
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


@dataclass
class DispatchModel:
    """The shipments of one dispatch inside a PuLP problem, and its two objectives."""

    arcs: list[Arc]
    ship: list[pulp.LpVariable]
    weighted_shortage: pulp.LpAffineExpression
    cost: pulp.LpAffineExpression
    #: Sources whose dispatch limits join their items (see optimizer.blocks).
    blocks: list[Block] = field(default_factory=list)

    def sent(self) -> dict[tuple[str, str, str], int]:
        """Return the solved shipments as ``{(source, site, item): units}``."""
        return {(arc.source, arc.site, arc.item): round(variable.varValue)
                for arc, variable in zip(self.arcs, self.ship, strict=True)
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


def add_row(prob: pulp.LpProblem, terms, sense: int, rhs: float, name: str, *,
            distinct: bool = False) -> str:
    """Add the constraint Σ terms (sense) rhs, its name made unique by a running number.

    Returns the row's name.

    Ids may contain the separator, so ``stock_A_B_C`` alone could be two different rows.
    ``distinct`` says no variable repeats in ``terms``, which skips summing them (a third of
    a city dispatch's build time).
    """
    expression = pulp.LpAffineExpression(terms) if distinct else linear(terms)
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


def add_dispatch(prob: pulp.LpProblem, problem: DispatchProblem, tag: str = "",
                 stock: Mapping[str, Mapping[str, int | pulp.LpVariable]] | None = None
                 ) -> DispatchModel:
    """Add one dispatch's shipments and rules to ``prob``.

    ``stock`` replaces the stock of the sources it names with variables (pre-positioning);
    a variable's upper bound caps the arcs out of it.
    """
    bounds = None
    if stock is not None:
        bounds = {source: {item: (units.upBound if isinstance(units, pulp.LpVariable) else units)
                           for item, units in held.items()} for source, held in stock.items()}
    arcs = reachable_arcs(problem, bounds)
    ship = list(prob.add_variable_dicts(f"ship{tag}", range(len(arcs)), lowBound=0,
                                        cat=pulp.LpInteger).values())
    sites = {site.id: site for site in problem.sites}
    by_source_item: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_site_item: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_source: dict[str, list[int]] = defaultdict(list)
    upper = [arc.upper for arc in arcs]
    for index, (arc, variable) in enumerate(zip(arcs, ship, strict=True)):
        variable.upBound = arc.upper
        by_source_item[arc.source, arc.item].append(index)
        by_site_item[arc.site, arc.item].append(index)
        by_source[arc.source].append(index)

    kinds = {source.id: source for source in problem.sources}
    stock_rows: dict[str, list[str]] = defaultdict(list)
    for (source_id, item), members in by_source_item.items():
        source = kinds[source_id]
        if source.kind == CAPACITY:
            continue
        held = stock.get(source_id, {}).get(item) if stock is not None else None
        terms = [(ship[i], 1) for i in members]
        if isinstance(held, pulp.LpVariable):
            add_row(prob, [*terms, (held, -1)], pulp.LpConstraintLE, 0,
                    f"stock{tag}_{source_id}_{item}", distinct=True)
            continue
        units = source.stock.get(item, 0) if held is None else held
        if sum(upper[i] for i in members) > units:
            stock_rows[source_id].append(add_row(
                prob, terms, pulp.LpConstraintLE, units, f"stock{tag}_{source_id}_{item}",
                distinct=True))

    _add_production(prob, problem, arcs, ship, tag)

    for (site_id, item), members in by_site_item.items():
        if sum(upper[i] for i in members) > sites[site_id].demand[item]:
            add_row(prob, [(ship[i], 1) for i in members], pulp.LpConstraintLE,
                    sites[site_id].demand[item], f"demand{tag}_{site_id}_{item}",
                    distinct=True)

    blocks = []
    items_of: dict[str, list[tuple[str, list[int]]]] = defaultdict(list)
    for (source_id, item), members in by_source_item.items():
        items_of[source_id].append((item, members))
    for source_id, limit in problem.dispatch_limits.items():
        members = by_source.get(source_id, [])
        limit_rows = []
        caps = [(cap, size) for cap, size in ((limit.weight_kg, "weight_kg"),
                                              (limit.volume_m3, "volume_m3"))
                if cap is not None and members]
        for cap, size in caps:
            sizes = {code: getattr(goods, size) for code, goods in problem.items.items()}
            terms = [(ship[i], sizes[arcs[i].item]) for i in members]
            if sum(upper[i] * coefficient for (_, coefficient), i
                   in zip(terms, members, strict=True)) > cap:
                limit_rows.append(add_row(prob, terms, pulp.LpConstraintLE, cap,
                                          f"{size}{tag}_{source_id}", distinct=True))
        # A source's stock is fixed (not pre-positioning) and its limits bind: a knapsack.
        if limit_rows and stock is None and kinds[source_id].kind != CAPACITY:
            blocks.append(_block(problem, kinds[source_id], items_of[source_id], ship, caps,
                                 stock_rows[source_id] + limit_rows))

    everyone = sum(site.priority for site in problem.sites
                   for units in site.demand.values() if units > 0)
    # Each arc has its own variable, so the pairs below never repeat a variable.
    weighted = pulp.LpAffineExpression(
        [(ship[i], -sites[arc.site].priority / sites[arc.site].demand[arc.item])
         for i, arc in enumerate(arcs)], constant=everyone)
    cost = pulp.LpAffineExpression(
        [(ship[i], arc.unit_cost) for i, arc in enumerate(arcs) if arc.unit_cost])
    return DispatchModel(arcs, ship, weighted, cost, blocks)


def _block(problem: DispatchProblem, source, items, ship, caps, rows) -> Block:
    """Return the knapsack of one source: per item its arcs and stock, and its limits."""
    groups = []
    for item, members in items:
        goods = problem.items[item]
        groups.append(Group([ship[i] for i in members], source.stock.get(item, 0),
                            tuple(getattr(goods, size) for _, size in caps)))
    return Block(source.id, groups, tuple(cap for cap, _ in caps), rows)


def _add_production(prob, problem: DispatchProblem, arcs: list[Arc], ship, tag: str) -> None:
    """Units due by each finish time are at most what the source can have made by then."""
    sources = {source.id: source for source in problem.sources}
    for (source_id, item), steps in production_breakpoints(arcs).items():
        source = sources[source_id]
        if len(steps) == 1:
            finish, members = steps[0]
            if sum(arcs[i].upper for i in members) > units_made_by(source, item, finish):
                add_row(prob, [(ship[i], 1) for i in members], pulp.LpConstraintLE,
                        units_made_by(source, item, finish), f"made{tag}_{source_id}_{item}",
                        distinct=True)
            continue
        # made[n] is the running total of units due by the n-th finish time.
        made = prob.add_variable_dicts(f"made{tag}_{prob.numConstraints()}",
                                       range(len(steps)), lowBound=0)
        for n, (finish, members) in enumerate(steps):
            made[n].upBound = units_made_by(source, item, finish)
            terms = [(ship[i], 1) for i in members] + [(made[n], -1)]
            if n:
                terms.append((made[n - 1], 1))
            add_row(prob, terms, pulp.LpConstraintEQ, 0, f"made{tag}_{source_id}_{item}_{n}",
                    distinct=True)


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
             len(model.arcs), prob.numConstraints(), build_seconds)
    solved = solve_in_order(prob, [(WEIGHTED_SHORTAGE, model.weighted_shortage),
                                   (COST, model.cost)], options, blocks=model.blocks)
    stats = solved.stats(prob, build_seconds)
    if not solved.has_solution:
        raise NoPlan(solved.status, "the solver found no dispatch plan", stats)
    return summarise(problem, model.sent(), solved.status, stats)
