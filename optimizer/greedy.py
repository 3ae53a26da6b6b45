"""The greedy nearest-source dispatch planners would otherwise use: the baseline to beat.

Sites are served in order of priority (highest first); each site takes each item it needs from
the sources that can deliver it soonest, as much as each can give, under the same rules as the
optimiser: stock, the deadline, production timing and dispatch limits.
"""

import math
import time
from collections import defaultdict

from optimizer.network import Arc, DispatchPlan, reachable_arcs, summarise, units_made_by
from optimizer.problems import CAPACITY, DispatchProblem


class _Production:
    """What one capacity source has promised of one item, by finish time."""

    def __init__(self, source, item: str):
        self.source = source
        self.item = item
        self.promised: dict[float, int] = defaultdict(int)

    def room(self, finish: float) -> int:
        """Return how many more units can be due by ``finish`` without breaking any promise."""
        times = sorted({finish, *self.promised})
        room = math.inf
        due = 0
        for moment in times:
            due += self.promised.get(moment, 0)
            if moment >= finish:
                room = min(room, units_made_by(self.source, self.item, moment) - due)
        return max(0, int(room))

    def promise(self, finish: float, units: int) -> None:
        self.promised[finish] += units


def greedy_dispatch(problem: DispatchProblem) -> DispatchPlan:
    """Return the plan of the greedy nearest-source heuristic."""
    began = time.perf_counter()
    sources = {source.id: source for source in problem.sources}
    arcs_into: dict[tuple[str, str], list[Arc]] = defaultdict(list)
    for arc in reachable_arcs(problem):
        arcs_into[arc.site, arc.item].append(arc)
    stock = {source.id: dict(source.stock) for source in problem.sources}
    production: dict[tuple[str, str], _Production] = {}
    carried = defaultdict(lambda: [0.0, 0.0])
    sent: dict[tuple[str, str, str], int] = defaultdict(int)

    def soonest(arc: Arc) -> tuple:
        if arc.arrival_hours is not None:
            return (arc.arrival_hours, arc.unit_cost, arc.source)
        source = sources[arc.source]
        first = source.ramp_hours + 1 / source.rate_per_hour[arc.item] + arc.travel_hours
        return (first, arc.unit_cost, arc.source)

    for site in sorted(problem.sites, key=lambda s: (-s.priority, s.id)):
        for item, demand in sorted(site.demand.items()):
            wanted = demand
            for arc in sorted(arcs_into.get((site.id, item), ()), key=soonest):
                if wanted <= 0:
                    break
                units = min(wanted, _room(problem, arc, stock, production, carried, sources))
                if units <= 0:
                    continue
                wanted -= units
                sent[arc.source, site.id, item] += units
                _take(problem, arc, units, stock, production, carried, sources)
    plan = summarise(problem, dict(sent), "feasible")
    plan.stats = {"solver": "greedy", "build_seconds": 0.0,
                  "solve_seconds": time.perf_counter() - began}
    return plan


def _room(problem, arc: Arc, stock, production, carried, sources) -> int:
    source = sources[arc.source]
    if source.kind == CAPACITY:
        key = (arc.source, arc.item)
        if key not in production:
            production[key] = _Production(source, arc.item)
        room = production[key].room(arc.latest_finish)
    else:
        room = stock[arc.source].get(arc.item, 0)
    limit = problem.dispatch_limits.get(arc.source)
    if limit is not None:
        goods = problem.items[arc.item]
        weight, volume = carried[arc.source]
        for cap, used, size in ((limit.weight_kg, weight, goods.weight_kg),
                                (limit.volume_m3, volume, goods.volume_m3)):
            if cap is not None and size > 0:
                room = min(room, math.floor((cap - used) / size + 1e-9))
    return max(0, room)


def _take(problem, arc: Arc, units: int, stock, production, carried, sources) -> None:
    if sources[arc.source].kind == CAPACITY:
        production[arc.source, arc.item].promise(arc.latest_finish, units)
    else:
        stock[arc.source][arc.item] -= units
    goods = problem.items[arc.item]
    carried[arc.source][0] += goods.weight_kg * units
    carried[arc.source][1] += goods.volume_m3 * units
