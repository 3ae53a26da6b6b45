"""Pre-positioning: choose each depot's stock before a disaster, by moving and buying.

Minimise first Σ over scenarios of weight × the scenario's weighted shortage, each scenario
dispatched by exactly the dispatch rules from the new depot stock and the other sources; then,
holding that optimum, minimise spend (purchases plus relocation), within the budget and each
depot's storage volume.

One model holds it all: ``depot_stock[d, k] = stock − moved out + moved in + bought``, and one
dispatch per scenario (from ``optimizer.dispatch``) whose depots hold ``depot_stock``
(docs/optimizer.md, "Pre-positioning").
"""

import logging
import math
import time
from dataclasses import asdict, dataclass, field, replace

import pulp

from optimizer.dispatch import add_dispatch, add_row, collection_paused, linear
from optimizer.errors import NoPlan
from optimizer.options import INTERIOR_POINT, SolveOptions
from optimizer.problems import PrepositionProblem, Scenario
from optimizer.solve import round_integers, solve_in_order

log = logging.getLogger(__name__)

EXPECTED_SHORTAGE = "expected_weighted_shortage"
SPEND = "spend"


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
    """The decisions: moves, purchases, and each depot's stock after them, with their spend."""

    move: dict[tuple[str, str, str], pulp.LpVariable]
    buy: dict[tuple[str, str], pulp.LpVariable]
    depot_stock: dict[tuple[str, str], pulp.LpVariable]
    spend: pulp.LpAffineExpression

    def stock_by_depot(self) -> dict[str, dict[str, pulp.LpVariable]]:
        """Return ``depot_stock`` as {depot: {item: variable}}, as a dispatch takes it."""
        nested: dict[str, dict[str, pulp.LpVariable]] = {}
        for (depot, item), variable in self.depot_stock.items():
            nested.setdefault(depot, {})[item] = variable
        return nested


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


class _Room:
    """The most units of an item a depot's storage volume holds."""

    def __init__(self, problem: PrepositionProblem):
        self.depots = {depot.id: depot for depot in problem.depots}
        self.items = problem.items

    def __call__(self, depot_id: str, item: str) -> float:
        depot, size = self.depots[depot_id], self.items[item].volume_m3
        if depot.capacity_m3 is None or size <= 0:
            return math.inf
        return math.floor(depot.capacity_m3 / size + 1e-9)


def _numbered(prob: pulp.LpProblem, name: str, keys: list, uppers: list
              ) -> dict[tuple, pulp.LpVariable]:
    """Return whole variables keyed by ``keys``, with those upper bounds.

    PuLP orders columns by name and rewrites characters of ids, so two ids could share a
    name: the variables are named by a running number.
    """
    numbered = prob.add_variable_dicts(name, range(len(keys)), lowBound=0, cat=pulp.LpInteger)
    for number, upper in enumerate(uppers):
        numbered[number].upBound = upper
    return dict(zip(keys, numbered.values(), strict=True))


def _move_variables(prob, problem: PrepositionProblem, demanded: dict[str, int]):
    """move[origin, place, item]: units moved between depots, of items some scenario needs
    (any item out of a depot over its volume)."""
    depots = {depot.id: depot for depot in problem.depots}
    over = {d.id for d in problem.depots if d.capacity_m3 is not None and sum(
        problem.items[k].volume_m3 * u for k, u in d.stock.items()) > d.capacity_m3}
    keys = [(origin, place, item)
            for (origin, place) in sorted(problem.travel_hours)
            if origin in depots and place in depots and origin != place
            for item, units in sorted(depots[origin].stock.items())
            if units > 0 and (item in demanded or origin in over)]
    return _numbered(prob, "move", keys, [depots[origin].stock[item]
                                          for origin, _, item in keys])


def _buy_variables(prob, problem: PrepositionProblem, demanded: dict[str, int], room: _Room):
    """buy[depot, item]: units bought, at most what the scenarios need, the depot holds and
    the budget pays for."""
    keys, uppers = [], []
    for depot in problem.depots:
        for item in sorted(demanded):
            if item not in problem.purchase_cost:
                continue
            most = min(demanded[item], room(depot.id, item))
            price = problem.purchase_cost[item]
            if problem.budget is not None and price > 0:
                most = min(most, math.floor(problem.budget / price + 1e-9))
            if most >= 1:
                keys.append((depot.id, item))
                uppers.append(most)
    return _numbered(prob, "buy", keys, uppers)


def _depot_stock_variables(prob, problem: PrepositionProblem, move, buy, room: _Room):
    """depot_stock[depot, item] = stock − moved out + moved in + bought, one row each."""
    depots = {depot.id: depot for depot in problem.depots}
    existing: dict[str, int] = {}
    for depot in problem.depots:
        for item, units in depot.stock.items():
            existing[item] = existing.get(item, 0) + units
    inflow: dict[tuple[str, str], list[tuple[pulp.LpVariable, int]]] = {
        (depot.id, item): [] for depot in problem.depots for item in depot.stock}
    for (origin, place, item), variable in move.items():
        inflow.setdefault((origin, item), []).append((variable, -1))
        inflow.setdefault((place, item), []).append((variable, 1))
    for key, variable in buy.items():
        inflow.setdefault(key, []).append((variable, 1))
    keys = sorted(inflow)
    # At most what fits, and what all depots hold today plus what this one may buy.
    uppers = [min(room(depot, item), existing.get(item, 0) + (
        buy[depot, item].upBound if (depot, item) in buy else 0)) for depot, item in keys]
    depot_stock = _numbered(prob, "depot_stock", keys, uppers)
    for depot, item in keys:
        change = linear([(depot_stock[depot, item], 1),
                         *[(v, -sign) for v, sign in inflow[depot, item]]])
        add_row(prob, change, pulp.LpConstraintEQ, depots[depot].stock.get(item, 0),
                f"depot_stock_{depot}_{item}")
    return depot_stock


def _add_depot_rows(prob, problem: PrepositionProblem, move, depot_stock) -> None:
    """What a depot moves out of an item is at most its stock; what it holds fits its volume."""
    for depot in problem.depots:
        out: dict[str, list[pulp.LpVariable]] = {}
        for (origin, _, item), variable in move.items():
            if origin == depot.id:
                out.setdefault(item, []).append(variable)
        for item, moves in out.items():
            if len(moves) > 1:
                add_row(prob, pulp.lpSum(moves), pulp.LpConstraintLE, depot.stock[item],
                        f"move_out_{depot.id}_{item}")
        held = [(variable, problem.items[item].volume_m3)
                for (owner, item), variable in depot_stock.items() if owner == depot.id]
        if depot.capacity_m3 is not None and held:
            add_row(prob, pulp.LpAffineExpression(held), pulp.LpConstraintLE,
                    depot.capacity_m3, f"volume_{depot.id}")


def _add_choices(prob: pulp.LpProblem, problem: PrepositionProblem) -> _Choices:
    """Add the moves, purchases and depot stock, their rows, and the budget."""
    demanded = _demanded(problem)
    room = _Room(problem)
    move = _move_variables(prob, problem, demanded)
    buy = _buy_variables(prob, problem, demanded, room)
    depot_stock = _depot_stock_variables(prob, problem, move, buy, room)
    _add_depot_rows(prob, problem, move, depot_stock)
    relocation = problem.relocation_cost_per_unit_hour
    spend = linear(
        [(v, problem.purchase_cost[item]) for (_, item), v in buy.items()] +
        [(v, relocation.get(item, 0.0) * problem.travel_hours[origin, place])
         for (origin, place, item), v in move.items()])
    if problem.budget is not None:
        # A copy: a row keeps its expression, and the spend becomes an objective too.
        add_row(prob, pulp.LpAffineExpression(spend), pulp.LpConstraintLE, problem.budget,
                "budget")
    return _Choices(move, buy, depot_stock, spend)


def _shortage_before(problem: PrepositionProblem, scenario: Scenario, deadline: float | None,
                     scenarios_left: int, options: SolveOptions) -> tuple[float, float | None]:
    """Return a scenario's least weighted shortage from today's stock, and its gap.

    The scenarios still to report share the time to ``deadline`` (a ``perf_counter`` time):
    these figures report the plan, they are not the plan.
    """
    today = {depot.id: dict(depot.stock) for depot in problem.depots}
    prob = pulp.LpProblem("scenario", pulp.LpMinimize)
    with collection_paused():
        model = add_dispatch(prob, problem.scenario_dispatch(scenario, today))
    if deadline is not None:
        options = replace(options, time_limit=max(
            options.tuning.least_scenario_seconds,
            (deadline - time.perf_counter()) / scenarios_left))
    solved = solve_in_order(prob, [("weighted_shortage", model.weighted_shortage)], options,
                            blocks=model.blocks)
    if not solved.has_solution:
        raise NoPlan(solved.status, f"no dispatch found for scenario {scenario.id!r}")
    return solved.phases[0].value, solved.phases[0].outcome.gap


def _shortages_before(problem: PrepositionProblem, deadline: float | None,
                      options: SolveOptions) -> list[tuple[float, float | None]]:
    """Return each scenario's shortage from today's stock and its gap, by ``deadline``."""
    count = len(problem.scenarios)
    return [_shortage_before(problem, scenario, deadline, count - number, options)
            for number, scenario in enumerate(problem.scenarios)]


def _build(prob: pulp.LpProblem, problem: PrepositionProblem):
    """Add the choices and one dispatch per scenario; return them and the expected shortage."""
    choices = _add_choices(prob, problem)
    stock = choices.stock_by_depot()
    dispatches = [add_dispatch(prob, problem.scenario_dispatch(scenario, {}), tag=f"_s{n}",
                               chosen_stock=stock)
                  for n, scenario in enumerate(problem.scenarios)]
    # Σ weight × shortage, term by term: lpSum would drop the shipments of a scenario of
    # weight 0, which are then in no row and get no value.
    weighted = list(zip(problem.scenarios, dispatches, strict=True))
    expected = linear(
        [(variable, scenario.weight * coefficient) for scenario, dispatch in weighted
         for variable, coefficient in dispatch.weighted_shortage.items()],
        sum(scenario.weight * dispatch.weighted_shortage.constant
            for scenario, dispatch in weighted))
    return choices, dispatches, expected


def solve_preposition(problem: PrepositionProblem, options: SolveOptions | None = None
                      ) -> PrepositionPlan:
    """Return the depot stock that leaves the least expected weighted shortage, then spends least.

    The time limit covers the plan and the dispatches from today's stock that report each
    scenario's shortage before, which get its ``Tuning.scenario_share``.

    :raise NoPlan: when no choice fits the budget and capacities, or none was found in time.
    """
    options = options or SolveOptions()
    began = time.perf_counter()
    prob = pulp.LpProblem("preposition", pulp.LpMinimize)
    with collection_paused():
        choices, dispatches, expected = _build(prob, problem)
    build_seconds = time.perf_counter() - began
    log.info("pre-positioning model: %d constraints, built in %.2f s", prob.numConstraints(),
             build_seconds)
    limit = options.time_limit
    deadline = None if limit is None else time.perf_counter() + limit
    plan_options = options if limit is None else replace(
        options, time_limit=limit * (1 - options.tuning.scenario_share))
    # Interior point: the dual simplex ran past the time limit on the county's LPs.
    solved = solve_in_order(prob, [(EXPECTED_SHORTAGE, expected), (SPEND, choices.spend)],
                            plan_options, lp_method=INTERIOR_POINT)
    stats = solved.stats(prob, build_seconds)
    if not solved.has_solution:
        raise NoPlan(solved.status, "no stock choice fits the budget and the depots' capacity"
                     if solved.status == "infeasible" else "the solver found no plan", stats)
    round_integers(prob)
    after = [dispatch.weighted_shortage.value() for dispatch in dispatches]
    scenarios_began = time.perf_counter()
    before = _shortages_before(problem, deadline, options)
    stats["scenario_seconds"] = time.perf_counter() - scenarios_began
    return _plan(problem, choices, solved.status, expected.value(), before, after, stats)


def _plan(problem: PrepositionProblem, choices: _Choices, status: str, expected: float,
          shortages_before: list[tuple[float, float | None]], shortages_after: list[float],
          stats: dict) -> PrepositionPlan:
    """Return the plan from the solved ``choices``.

    Each scenario's shortage before is its dispatch from today's stock with its gap; after,
    the plan's own dispatch of the scenario (solving it again would take as long again).
    """
    before = {d.id: dict(d.stock) for d in problem.depots}
    after = {d.id: dict(d.stock) for d in problem.depots}
    for (depot_id, item), variable in choices.depot_stock.items():
        after[depot_id][item] = round(variable.varValue)
    depot_stock = [DepotStock(depot_id, item, units, before[depot_id].get(item, 0))
                   for depot_id, items in after.items() for item, units in sorted(items.items())
                   if units or before[depot_id].get(item, 0)]
    relocations = [Relocation(origin, place, item, round(v.varValue))
                   for (origin, place, item), v in choices.move.items() if round(v.varValue)]
    purchases = [Purchase(depot_id, item, round(v.varValue))
                 for (depot_id, item), v in choices.buy.items() if round(v.varValue)]
    spend = sum(problem.purchase_cost[p.item] * p.quantity for p in purchases) + sum(
        problem.relocation_cost_per_unit_hour.get(r.item, 0.0) * r.quantity *
        problem.travel_hours[r.from_, r.to] for r in relocations)
    scenarios = [ScenarioResult(scenario.id, scenario.weight, shortage_before, shortage_after,
                                gap)
                 for scenario, (shortage_before, gap), shortage_after
                 in zip(problem.scenarios, shortages_before, shortages_after, strict=True)]
    objective = {EXPECTED_SHORTAGE: expected, SPEND: spend,
                 "expected_weighted_shortage_before": sum(
                     s.weight * s.weighted_shortage_before for s in scenarios)}
    return PrepositionPlan(status, depot_stock, relocations, purchases, spend, scenarios,
                           objective, stats)
