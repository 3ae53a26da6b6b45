"""Who can supply whom in time, and what a set of shipments achieves.

Shared by the dispatch model, the pre-positioning model and the greedy baseline, so that all
three apply exactly the same rules and report a plan the same way.
"""

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from optimizer.problems import CAPACITY, DispatchProblem, Source

#: Slack for comparing hours, so that 10.000000000001 still meets a 10-hour deadline.
HOURS_TOLERANCE = 1e-9


class Arc(NamedTuple):
    """One source may send one item to one site in time.

    A named tuple rather than a dataclass: a city dispatch has 400,000 of them.
    """

    source: str
    site: str
    item: str
    travel_hours: float
    #: Physical and contract sources: when the goods arrive. Capacity: None (see latest_finish).
    arrival_hours: float | None
    #: Capacity sources: when production for this site must be finished.
    latest_finish: float | None
    #: Most units this arc can carry (demand, stock, production and dispatch limits).
    upper: int
    #: Purchase plus transport cost of one unit.
    unit_cost: float

    @property
    def key(self) -> tuple[str, str, str]:
        """The arc's (source, site, item), which names its shipment."""
        return self.source, self.site, self.item


def units_made_by(source: Source, item: str, hours: float) -> int:
    """Return how many units a capacity source can have finished after ``hours``."""
    rate = source.rate_per_hour.get(item, 0.0)
    made = math.floor(rate * max(0.0, hours - source.ramp_hours) + 1e-9)
    limit = source.max.get(item)
    return made if limit is None else min(made, limit)


def _limit_bound(problem: DispatchProblem, source: str, item: str) -> float:
    """Return the most units of ``item`` the source's weight and volume limits let it send."""
    limit = problem.dispatch_limits.get(source)
    if limit is None:
        return math.inf
    goods = problem.items[item]
    bound = math.inf
    for cap, size in ((limit.weight_kg, goods.weight_kg), (limit.volume_m3, goods.volume_m3)):
        if cap is not None and size > 0:
            bound = min(bound, math.floor(cap / size + 1e-9))
    return bound


def _what_a_source_sends(problem: DispatchProblem, source: Source,
                         holdings: dict[str, int] | None) -> dict[str, float]:
    """Return the most units of each item the source can send wherever it goes.

    ``holdings`` replaces the source's own stock when given.
    """
    if holdings is not None:
        offered = {item for item, units in holdings.items() if units > 0}
    else:
        offered = source.offered_items()
    capacity = source.kind == CAPACITY
    return {item: min(math.inf if capacity else holdings[item] if holdings is not None
                      else source.stock[item], _limit_bound(problem, source.id, item))
            for item in offered}


def reachable_arcs(problem: DispatchProblem,
                   stock: dict[str, dict[str, int]] | None = None) -> list[Arc]:
    """Return every source–site–item triple that can deliver at least one unit in time.

    Only travel pairs that exist, only items the source offers and the site needs. ``stock``
    optionally gives the most a source could hold of each item, replacing its own stock
    (pre-positioning, where the depots' stock is still to be chosen): ``{source: {item: units}}``.
    """
    sites = {site.id: site for site in problem.sites}
    legs: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (origin, place), hours in problem.travel_hours.items():
        if place in sites:
            legs[origin].append((place, hours))
    deadline = problem.deadline_hours + HOURS_TOLERANCE
    transport = problem.transport_cost_per_unit_hour
    arcs: list[Arc] = []
    append = arcs.append
    for source in problem.sources:
        most = _what_a_source_sends(problem, source,
                                    stock.get(source.id) if stock is not None else None)
        if not most:
            continue
        offered = most.keys()
        capacity = source.kind == CAPACITY
        price = {item: source.purchase_cost(item) for item in offered}
        for place, hours in sorted(legs.get(source.id, ())):
            demand = sites[place].demand
            items = offered & demand.keys() if len(offered) < len(demand) else \
                {k for k in demand if k in offered}
            if not items:
                continue
            if capacity:
                finish = problem.deadline_hours - hours
                arrival = None
            else:
                arrival = source.handling_hours + hours
                finish = None
                if arrival > deadline:
                    continue
            for item in sorted(items):
                upper = min(demand[item], most[item])
                if capacity:
                    upper = min(upper, units_made_by(source, item, finish))
                if upper < 1:
                    continue
                append(Arc(source.id, place, item, hours, arrival, finish, int(upper),
                           price[item] + transport.get(item, 0.0) * hours))
    return arcs


def production_breakpoints(arcs: list[Arc]) -> dict[tuple[str, str], list[tuple[float, list[Arc]]]]:
    """Group capacity arcs by source and item, then by latest finish time, earliest first.

    Returns ``{(source, item): [(finish, [arc, ...]), ...]}``: the production rule says the units
    of all arcs up to and including each finish time are at most what the source can have made
    by then.
    """
    grouped: dict[tuple[str, str], dict[float, list[Arc]]] = defaultdict(lambda: defaultdict(list))
    for arc in arcs:
        if arc.latest_finish is not None:
            grouped[arc.source, arc.item][arc.latest_finish].append(arc)
    return {key: sorted(by_time.items()) for key, by_time in grouped.items()}


@dataclass
class Shipment:
    source: str
    site: str
    item: str
    quantity: int
    #: When the last unit arrives; for production, when made earliest-deadline-first.
    arrival_hours: float


@dataclass
class Shortage:
    site: str
    item: str
    demand: int
    quantity: int


@dataclass
class PeopleSupplied:
    site: str
    people: int
    #: People whose whole share of every demanded item arrives in time.
    fully_supplied: int


@dataclass
class DispatchPlan:
    status: str
    shipments: list[Shipment]
    shortages: list[Shortage]
    #: weighted_shortage (Σ priority × unmet share), cost; people_fully_supplied when known.
    objective: dict
    stats: dict = field(default_factory=dict)
    people: list[PeopleSupplied] | None = None

    def to_dict(self) -> dict:
        """Return the plan as the JSON document the CLI prints."""
        document = asdict(self)
        if self.people is None:
            del document["people"]
        return document


def summarise(problem: DispatchProblem, sent: dict[tuple[str, str, str], int], status: str,
              stats: dict | None = None) -> DispatchPlan:
    """Turn ``{(source, site, item): units}`` into a plan with shortages, cost and arrivals."""
    sources = {source.id: source for source in problem.sources}
    transport = problem.transport_cost_per_unit_hour
    delivered: dict[tuple[str, str], int] = defaultdict(int)
    cost = 0.0
    shipments = []
    for (source_id, site_id, item), units in sorted(sent.items()):
        if units <= 0:
            continue
        source = sources[source_id]
        hours = problem.travel_hours[source_id, site_id]
        delivered[site_id, item] += units
        cost += units * (source.purchase_cost(item) + transport.get(item, 0.0) * hours)
        shipments.append(Shipment(source_id, site_id, item, units,
                                  source.handling_hours + hours))
    _schedule_production(problem, sources, shipments)
    shortages = []
    weighted = 0.0
    people = []
    for site in problem.sites:
        for item, demand in sorted(site.demand.items()):
            if demand <= 0:
                continue
            short = max(0, demand - delivered[site.id, item])
            shortages.append(Shortage(site.id, item, demand, short))
            weighted += site.priority * short / demand
        if site.people is not None:
            shares = [site.people * delivered[site.id, k] // d
                      for k, d in site.demand.items() if d > 0]
            people.append(PeopleSupplied(site.id, site.people,
                                         min([site.people, *shares])))
    objective = {"weighted_shortage": weighted, "cost": cost}
    if people:
        objective["people_fully_supplied"] = sum(p.fully_supplied for p in people)
    return DispatchPlan(status=status, shipments=shipments, shortages=shortages,
                        objective=objective, stats=stats or {}, people=people or None)


def _schedule_production(problem: DispatchProblem, sources: dict[str, Source],
                         shipments: list[Shipment]) -> None:
    """Set each production shipment's arrival: made earliest-deadline-first, then driven."""
    queues: dict[tuple[str, str], list[Shipment]] = defaultdict(list)
    for shipment in shipments:
        if sources[shipment.source].kind == CAPACITY:
            queues[shipment.source, shipment.item].append(shipment)
    for (source_id, item), queue in queues.items():
        source = sources[source_id]
        rate = source.rate_per_hour[item]
        made = 0
        for shipment in sorted(queue, key=lambda s: (
                problem.deadline_hours - problem.travel_hours[s.source, s.site], s.site)):
            made += shipment.quantity
            finished = source.ramp_hours + made / rate
            shipment.arrival_hours = finished + problem.travel_hours[source_id, shipment.site]
