"""Pre-positioning: choose each depot's stock before a disaster, by moving and buying.

Minimise first Σ over scenarios of weight × the scenario's weighted shortage, each scenario
dispatched by exactly the dispatch rules from the new depot stock and the other sources; then,
holding that optimum, minimise spend (purchases plus relocation), within the budget and each
depot's storage volume.

One model holds it all: new stock ``held[d, k] = stock − moved out + moved in + bought``, and one
dispatch per scenario (from ``optimizer.dispatch``) whose depot stock is ``held``.
"""

import logging
import math
import time
from dataclasses import asdict, dataclass, field, replace

import pulp

from optimizer.dispatch import add_dispatch, add_row, collection_paused, linear
from optimizer.errors import NoPlan
from optimizer.options import INTERIOR_POINT, SolveOptions
from optimizer.problems import PrepositionProblem
from optimizer.solve import round_integers, solve_in_order

log = logging.getLogger(__name__)

EXPECTED_SHORTAGE = "expected_weighted_shortage"
SPEND = "spend"
#: Share of the time limit for the dispatches that report each scenario's shortage before.
SCENARIO_SHARE = 0.25
LEAST_SCENARIO_SECONDS = 1.0


@dataclass
class DepotStock:
    depot: str
    item: str
    quantity: int
    before: int


@dataclass
class Relocation:
    from_: str
    to: str
    item: str
    quantity: int


@dataclass
class Purchase:
    depot: str
    item: str
    quantity: int


@dataclass
class ScenarioResult:
    id: str
    weight: float
    weighted_shortage_before: float
    weighted_shortage_after: float
    #: Relative gap of the dispatch that gave the shortage before (time-limited).
    before_gap: float | None = None


@dataclass
class PrepositionPlan:
    status: str
    depot_stock: list[DepotStock]
    relocations: list[Relocation]
    purchases: list[Purchase]
    spend: float
    scenarios: list[ScenarioResult]
    objective: dict
    stats: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return the plan as the JSON document the CLI prints."""
        document = asdict(self)
        document["relocations"] = [
            {"from": move["from_"], "to": move["to"], "item": move["item"],
             "quantity": move["quantity"]} for move in document["relocations"]]
        return document


@dataclass
class _Choices:
    """The decision variables: moves, purchases and the resulting stock of each depot."""

    moves: dict[tuple[str, str, str], pulp.LpVariable]
    buys: dict[tuple[str, str], pulp.LpVariable]
    held: dict[str, dict[str, pulp.LpVariable]]
    spend: pulp.LpAffineExpression


def _demanded(problem: PrepositionProblem) -> dict[str, int]:
    """Return the largest total demand of each item over the scenarios."""
    most: dict[str, int] = {}
    for scenario in problem.scenarios:
        total: dict[str, int] = {}
        for site in scenario.sites:
            for item, units in site.demand.items():
                total[item] = total.get(item, 0) + units
        for item, units in total.items():
            most[item] = max(most.get(item, 0), units)
    return most


def _add_choices(prob: pulp.LpProblem, problem: PrepositionProblem) -> _Choices:
    demanded = _demanded(problem)
    depots = {depot.id: depot for depot in problem.depots}
    existing: dict[str, int] = {}
    for depot in problem.depots:
        for item, units in depot.stock.items():
            existing[item] = existing.get(item, 0) + units

    def room(depot_id: str, item: str) -> float:
        depot, size = depots[depot_id], problem.items[item].volume_m3
        if depot.capacity_m3 is None or size <= 0:
            return math.inf
        return math.floor(depot.capacity_m3 / size + 1e-9)

    over = {d.id for d in problem.depots if d.capacity_m3 is not None and sum(
        problem.items[k].volume_m3 * u for k, u in d.stock.items()) > d.capacity_m3}
    move_keys = [(origin, place, item)
                 for (origin, place) in sorted(problem.travel_hours)
                 if origin in depots and place in depots and origin != place
                 for item, units in sorted(depots[origin].stock.items())
                 if units > 0 and (item in demanded or origin in over)]
    moves = dict(zip(move_keys, prob.add_variable_dicts(
        "move", range(len(move_keys)), lowBound=0, cat=pulp.LpInteger).values(), strict=True))
    for (origin, _, item), variable in moves.items():
        variable.upBound = depots[origin].stock[item]

    buy_keys = []
    buy_bounds = []
    for depot in problem.depots:
        for item in sorted(demanded):
            if item not in problem.purchase_cost:
                continue
            bound = min(demanded[item], room(depot.id, item))
            price = problem.purchase_cost[item]
            if problem.budget is not None and price > 0:
                bound = min(bound, math.floor(problem.budget / price + 1e-9))
            if bound >= 1:
                buy_keys.append((depot.id, item))
                buy_bounds.append(bound)
    buys = dict(zip(buy_keys, prob.add_variable_dicts(
        "buy", range(len(buy_keys)), lowBound=0, cat=pulp.LpInteger).values(), strict=True))
    for variable, bound in zip(buys.values(), buy_bounds, strict=True):
        variable.upBound = bound

    flows: dict[tuple[str, str], list[tuple]] = {}
    for depot in problem.depots:
        for item in depot.stock:
            flows.setdefault((depot.id, item), [])
    for (origin, place, item), variable in moves.items():
        flows.setdefault((origin, item), []).append((variable, -1))
        flows.setdefault((place, item), []).append((variable, 1))
    for key, variable in buys.items():
        flows.setdefault(key, []).append((variable, 1))
    held: dict[str, dict[str, pulp.LpVariable]] = {}
    keys = sorted(flows)
    stock_vars = prob.add_variable_dicts("held", range(len(keys)), lowBound=0,
                                         cat=pulp.LpInteger)
    for n, (depot_id, item) in enumerate(keys):
        variable = stock_vars[n]
        before = depots[depot_id].stock.get(item, 0)
        bought = buys.get((depot_id, item))
        variable.upBound = min(room(depot_id, item),
                               existing.get(item, 0) + (bought.upBound if bought else 0))
        held.setdefault(depot_id, {})[item] = variable
        add_row(prob, [(variable, 1), *[(v, -c) for v, c in flows[depot_id, item]]],
                pulp.LpConstraintEQ, before, f"held_{depot_id}_{item}")
    for depot in problem.depots:
        out = {}
        for (origin, _, item), variable in moves.items():
            if origin == depot.id:
                out.setdefault(item, []).append(variable)
        for item, members in out.items():
            if len(members) > 1:
                add_row(prob, [(v, 1) for v in members], pulp.LpConstraintLE,
                        depot.stock[item], f"move_out_{depot.id}_{item}")
        if depot.capacity_m3 is not None and depot.id in held:
            add_row(prob, [(v, problem.items[k].volume_m3) for k, v in held[depot.id].items()],
                    pulp.LpConstraintLE, depot.capacity_m3, f"volume_{depot.id}")
    spend = linear(
        [(v, problem.purchase_cost[item]) for (_, item), v in buys.items()] +
        [(v, problem.relocation_cost_per_unit_hour.get(item, 0.0) *
          problem.travel_hours[origin, place]) for (origin, place, item), v in moves.items()])
    if problem.budget is not None:
        add_row(prob, list(spend.items()), pulp.LpConstraintLE, problem.budget, "budget")
    return _Choices(moves, buys, held, spend)


def _scenario_shortage(problem: PrepositionProblem, scenario, stock, options: SolveOptions
                       ) -> tuple[float, float | None]:
    """Return a scenario's least weighted shortage when the depots hold ``stock``, and its gap.

    Each scenario gets a share of the time limit: these figures report the plan, they are
    not the plan.
    """
    prob = pulp.LpProblem("scenario", pulp.LpMinimize)
    with collection_paused():
        model = add_dispatch(prob, problem.scenario_dispatch(scenario, stock))
    if options.time_limit is not None:
        options = replace(options, time_limit=max(
            LEAST_SCENARIO_SECONDS, options.time_limit * SCENARIO_SHARE / len(problem.scenarios)))
    solved = solve_in_order(prob, [("weighted_shortage", model.weighted_shortage)], options,
                            blocks=model.blocks)
    if not solved.has_solution:
        raise NoPlan(solved.status, f"no dispatch found for scenario {scenario.id!r}")
    return solved.phases[0].value, solved.phases[0].outcome.gap


def solve_preposition(problem: PrepositionProblem, options: SolveOptions | None = None
                      ) -> PrepositionPlan:
    """Return the depot stock that leaves the least expected weighted shortage, then spends least.

    :raise NoPlan: when no choice fits the budget and capacities, or none was found in time.
    """
    options = options or SolveOptions()
    began = time.perf_counter()
    prob = pulp.LpProblem("preposition", pulp.LpMinimize)
    with collection_paused():
        choices = _add_choices(prob, problem)
        terms, constant = [], 0.0
        dispatches = []
        for n, scenario in enumerate(problem.scenarios):
            dispatch = add_dispatch(prob, problem.scenario_dispatch(scenario, {}),
                                    tag=f"_s{n}", stock=choices.held)
            dispatches.append(dispatch)
            terms.extend((v, scenario.weight * c)
                         for v, c in dispatch.weighted_shortage.items())
            constant += scenario.weight * dispatch.weighted_shortage.constant
        expected = linear(terms, constant)
    build_seconds = time.perf_counter() - began
    log.info("pre-positioning model: %d constraints, built in %.2f s", prob.numConstraints(),
             build_seconds)
    # Interior point: the dual simplex ran past 60 s on the county's first LP, which it solves
    # in 14, and past 34 s on its spend LP (12 s).
    solved = solve_in_order(prob, [(EXPECTED_SHORTAGE, expected), (SPEND, choices.spend)],
                            options, lp_method=INTERIOR_POINT)
    stats = solved.stats(prob, build_seconds)
    if not solved.has_solution:
        raise NoPlan(solved.status, "no stock choice fits the budget and the depots' capacity"
                     if solved.status == "infeasible" else "the solver found no plan", stats)
    round_integers(prob)
    after = [dispatch.weighted_shortage.value() for dispatch in dispatches]
    return _plan(problem, choices, solved.status, expected.value(), after, stats, options)


def _plan(problem: PrepositionProblem, choices: _Choices, status: str, expected: float,
          shortages_after: list[float], stats: dict, options: SolveOptions) -> PrepositionPlan:
    """Return the plan; ``shortages_after`` holds each scenario's shortage in its dispatch.

    The shortage before is a dispatch of each scenario from today's stock, solved here; after,
    it is the plan's own dispatch of the scenario (re-solving it cost the county 23 s a
    scenario once the plan was found).
    """
    before = {d.id: dict(d.stock) for d in problem.depots}
    after = {d.id: dict(d.stock) for d in problem.depots}
    for depot_id, items in choices.held.items():
        for item, variable in items.items():
            after[depot_id][item] = round(variable.varValue)
    depot_stock = [DepotStock(depot_id, item, units, before[depot_id].get(item, 0))
                   for depot_id, items in after.items() for item, units in sorted(items.items())
                   if units or before[depot_id].get(item, 0)]
    relocations = [Relocation(origin, place, item, round(v.varValue))
                   for (origin, place, item), v in choices.moves.items() if round(v.varValue)]
    purchases = [Purchase(depot_id, item, round(v.varValue))
                 for (depot_id, item), v in choices.buys.items() if round(v.varValue)]
    spend = sum(problem.purchase_cost[p.item] * p.quantity for p in purchases) + sum(
        problem.relocation_cost_per_unit_hour.get(r.item, 0.0) * r.quantity *
        problem.travel_hours[r.from_, r.to] for r in relocations)
    began = time.perf_counter()
    scenarios = []
    for scenario, shortage_after in zip(problem.scenarios, shortages_after, strict=True):
        shortage_before, gap = _scenario_shortage(problem, scenario, before, options)
        scenarios.append(ScenarioResult(scenario.id, scenario.weight, shortage_before,
                                        shortage_after, gap))
    stats["scenario_seconds"] = time.perf_counter() - began
    objective = {EXPECTED_SHORTAGE: expected, SPEND: spend,
                 "expected_weighted_shortage_before": sum(
                     s.weight * s.weighted_shortage_before for s in scenarios)}
    return PrepositionPlan(status, depot_stock, relocations, purchases, spend, scenarios,
                           objective, stats)
