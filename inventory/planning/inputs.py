"""The optimizer's input documents, built in plain Python from facts gathered from the live data
(``inventory.planning.facts``): facts in, a JSON-ready document out.

The rules, the same for every kind where they apply:
- a site is a shelter, named by its code; its demand is its people × the season's norms,
  rounded up per item;
- a depot's source id is its code; it offers its usable stock (available, not expiring before
  the scenario's date plus the deadline) and reaches a site when handling plus road hours are
  within the deadline; a depot excluded (a road is cut) sends nothing, and an excluded pair is
  not travelled;
- a shelter's receiving point holds the shelter's code too, and sends only to its own shelter
  (its store serves the people sheltered there, as in the adequacy of the reserves): a
  shipment from a shelter's code to itself is stock already in place;
- a contract reserve (source id: its agreement number) offers what it still commits, priced at
  its tender price; it arrives after its response time, plus the road from the county
  warehouse where it delivers there;
- a capacity reserve (source id: its code, CN-0007) makes rate × (hours left) after its ramp-up;
- moving one unit for an hour costs ``transport_cost_per_kg_hour`` × its weight (at least
  ``LIGHTEST_KG``), so plans prefer the nearer of two depots that both arrive in time;
- where the scenario limits by fleet, a depot loads out at most what its vehicles that can
  leave within the deadline carry in one trip (``inventory.transport.queries.fleet_by_depot``):
  a depot without such vehicles sends nothing; shelters' own stores are stock in place.
"""

import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

#: slack when comparing hours, as the optimizer allows
HOURS_TOLERANCE = 1e-9
#: yuan to move one kilogram for one hour (a 5-tonne lorry at about 250 yuan an hour)
TRANSPORT_COST_PER_KG_HOUR = 0.05
#: the weight a unit is charged at when the catalogue gives less (or none)
LIGHTEST_KG = 0.1


@dataclass(frozen=True)
class ItemFacts:
    code: str
    weight_kg: float = 0.0
    volume_m3: float = 0.0


@dataclass(frozen=True)
class SiteFacts:
    """A shelter in the scenario and the people it takes in."""

    shelter: str
    people: int
    priority: float = 1.0


@dataclass(frozen=True)
class DepotFacts:
    """A depot's usable stock of the items in question, and how long it takes to load out."""

    code: str
    handling_hours: float
    stock: dict[str, int]
    #: government, enterprise, community or shelter (a shelter's receiving point)
    kind: str = "government"
    #: storage room left for the items in question (None: unlimited)
    room_m3: float | None = None


@dataclass(frozen=True)
class ContractFacts:
    number: str
    item: str
    remaining: int
    response_hours: float
    #: True when the supplier delivers to the site itself, not to the county warehouse
    to_site: bool
    unit_price: float | None = None


@dataclass(frozen=True)
class CapacityFacts:
    code: str
    item: str
    rate_per_hour: float
    ramp_hours: float
    max_quantity: int
    unit_price: float | None
    #: road hours from the firm to each shelter (None: unknown)
    travel: dict[str, float | None]


@dataclass
class Network:
    """Who can send what to which shelter, and how long the roads take."""

    deadline_hours: float
    items: dict[str, ItemFacts]
    #: quantity per person of each item, by item code
    norms: dict[str, Decimal]
    depots: list[DepotFacts]
    #: road hours from a depot to a shelter, by (depot code, shelter code)
    travel: dict[tuple[str, str], float]
    #: the county warehouses that relay contract deliveries to each shelter
    county_warehouses: dict[str, list[str]]
    contracts: list[ContractFacts] = field(default_factory=list)
    capacities: list[CapacityFacts] = field(default_factory=list)
    modes: tuple[str, ...] = ("physical", "contract", "capacity")
    excluded_depots: frozenset[str] = frozenset()
    excluded_pairs: frozenset[tuple[str, str]] = frozenset()
    transport_cost_per_kg_hour: float = TRANSPORT_COST_PER_KG_HOUR
    #: one trip of each depot's vehicles, (kg, m³) by depot code; None: the fleet is no limit
    fleet: dict[str, tuple[float, float]] | None = None


# -- small rules -------------------------------------------------------------

def need_until(day: date, deadline_hours: float) -> date:
    """Return the last day stock must be usable: the deadline counted from the day's start."""
    return day + timedelta(days=math.floor(deadline_hours / 24))


def required_units(people: int, per_person: Decimal) -> int:
    """Return whole units for the people at the norm, rounded up."""
    return int((Decimal(people) * per_person).to_integral_value(rounding=ROUND_CEILING))


def spread_people(people: int, shelters: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Share people among shelters in proportion to their capacity (largest remainders).

    Shelters given no one are left out; the shares add up to ``people``.
    """
    room = sum(capacity for _, capacity in shelters)
    if people <= 0 or room <= 0:
        return []
    exact = [(code, people * capacity / room) for code, capacity in shelters]
    shares = {code: math.floor(value) for code, value in exact}
    left = people - sum(shares.values())
    by_remainder = sorted(exact, key=lambda pair: (-(pair[1] - math.floor(pair[1])), pair[0]))
    for code, _ in by_remainder[:left]:
        shares[code] += 1
    return [(code, shares[code]) for code, _ in shelters if shares[code] > 0]


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def expires_period(start: date, expires_on: date | None, periods: int) -> int:
    """Return the first month of the plan in which the lot is no longer usable all month.

    Month ``p`` runs from ``start`` + p months to the day before ``start`` + p + 1 months; a
    lot lasting past the horizon gets ``periods`` + 1.
    """
    if expires_on is None:
        return periods + 1
    month = 0
    while month <= periods and add_months(start, month + 1) - timedelta(days=1) <= expires_on:
        month += 1
    return month


def encode(document: dict) -> bytes:
    """Return the document as the bytes the solver reads (UTF-8 JSON)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def rounded_hours(value: float) -> float:
    """Return hours as the input gives them: a float to four places."""
    return round(float(value), 4)


def _in_time(hours: float, deadline: float) -> bool:
    return hours <= deadline + HOURS_TOLERANCE


def demand_of(people: int, norms: dict[str, Decimal]) -> dict[str, int]:
    """Return the units of each item ``people`` need, by the norms."""
    needed = {code: required_units(people, per_person)
              for code, per_person in sorted(norms.items())}
    return {code: units for code, units in needed.items() if units > 0}


def item_rows(network: Network, codes) -> list[dict]:
    """Return the items' rows of an input: code, weight and volume."""
    return [{"code": code, "weight_kg": network.items[code].weight_kg,
             "volume_m3": network.items[code].volume_m3} for code in sorted(codes)]


def transport_costs(network: Network, codes) -> dict[str, float]:
    """Return what moving one unit of each item for an hour costs."""
    rate = network.transport_cost_per_kg_hour
    if rate <= 0:
        return {}
    return {code: round(max(network.items[code].weight_kg, LIGHTEST_KG) * rate, 6)
            for code in sorted(codes)}


# -- the sources and their roads ----------------------------------------------

def _open(network: Network, depot: DepotFacts, shelter: str) -> bool:
    """Whether the depot may send to the shelter at all (exclusions and shelters' own stores)."""
    if depot.code in network.excluded_depots or (depot.code, shelter) in network.excluded_pairs:
        return False
    return depot.kind != "shelter" or depot.code == shelter


def depot_sources(network: Network, sites: list[str], wanted: set[str]
                  ) -> tuple[list[dict], list[dict]]:
    """Return the depots that can send a wanted item to a site in time, and their roads."""
    sources, legs = [], []
    if "physical" not in network.modes:
        return sources, legs
    for depot in sorted(network.depots, key=lambda d: d.code):
        stock = {code: units for code, units in sorted(depot.stock.items())
                 if code in wanted and units > 0}
        if not stock:
            continue
        reach = []
        for shelter in sites:
            hours = network.travel.get((depot.code, shelter))
            if hours is None or not _open(network, depot, shelter):
                continue
            if _in_time(depot.handling_hours + hours, network.deadline_hours):
                reach.append({"from": depot.code, "to": shelter, "hours": rounded_hours(hours)})
        if reach:
            sources.append({"id": depot.code, "kind": "physical",
                            "handling_hours": rounded_hours(depot.handling_hours), "stock": stock})
            legs.extend(reach)
    return sources, legs


def relay_hours(network: Network, shelter: str) -> float | None:
    """Road hours from the nearest open county warehouse to the shelter (contract deliveries)."""
    found = [network.travel.get((code, shelter))
             for code in network.county_warehouses.get(shelter, [])
             if code not in network.excluded_depots
             and (code, shelter) not in network.excluded_pairs]
    found = [hours for hours in found if hours is not None]
    return min(found) if found else None


def contract_sources(network: Network, sites: list[str], wanted: set[str]
                     ) -> tuple[list[dict], list[dict]]:
    """Return the agreements that can deliver a wanted item to a site in time, and the legs."""
    sources, legs = [], []
    if "contract" not in network.modes:
        return sources, legs
    relay = {shelter: relay_hours(network, shelter) for shelter in sites}
    for contract in sorted(network.contracts, key=lambda c: c.number):
        if contract.item not in wanted or contract.remaining <= 0:
            continue
        reach = []
        for shelter in sites:
            hours = 0.0 if contract.to_site else relay[shelter]
            if hours is not None and _in_time(contract.response_hours + hours,
                                              network.deadline_hours):
                reach.append({"from": contract.number, "to": shelter,
                              "hours": rounded_hours(hours)})
        if not reach:
            continue
        source = {"id": contract.number, "kind": "contract",
                  "handling_hours": rounded_hours(contract.response_hours),
                  "stock": {contract.item: contract.remaining}}
        if contract.unit_price is not None:
            source["unit_cost"] = {contract.item: contract.unit_price}
        sources.append(source)
        legs.extend(reach)
    return sources, legs


def capacity_sources(network: Network, sites: list[str], wanted: set[str]
                     ) -> tuple[list[dict], list[dict]]:
    """Return the firms that can make a wanted item for a site in time, and the legs."""
    sources, legs = [], []
    if "capacity" not in network.modes:
        return sources, legs
    for firm in sorted(network.capacities, key=lambda c: c.code):
        if firm.item not in wanted:
            continue
        reach = []
        for shelter in sites:
            hours = firm.travel.get(shelter)
            if hours is None:
                continue
            making = network.deadline_hours - firm.ramp_hours - hours
            if firm.rate_per_hour * making >= 1 - HOURS_TOLERANCE:
                reach.append({"from": firm.code, "to": shelter, "hours": rounded_hours(hours)})
        if not reach:
            continue
        source = {"id": firm.code, "kind": "capacity", "ramp_hours": rounded_hours(firm.ramp_hours),
                  "rate_per_hour": {firm.item: firm.rate_per_hour},
                  "max": {firm.item: firm.max_quantity}}
        if firm.unit_price is not None:
            source["unit_cost"] = {firm.item: firm.unit_price}
        sources.append(source)
        legs.extend(reach)
    return sources, legs


def all_sources(network: Network, sites: list[str], wanted: set[str]
                ) -> tuple[list[dict], list[dict]]:
    """Return every source that can reach a site in time, and the legs it can travel."""
    sources, legs = [], []
    for gather in (depot_sources, contract_sources, capacity_sources):
        found, reach = gather(network, sites, wanted)
        sources.extend(found)
        legs.extend(reach)
    return sources, legs


# -- dispatch --------------------------------------------------------------------

def dispatch_document(network: Network, sites: list[SiteFacts]) -> dict:
    """Return the dispatch input: the sites' demand, the sources in time, their roads."""
    site_rows = []
    for site in sites:
        site_rows.append({"id": site.shelter, "priority": site.priority, "people": site.people,
                          "demand": demand_of(site.people, network.norms)})
    wanted = {code for row in site_rows for code in row["demand"]}
    sources, legs = all_sources(network, [site.shelter for site in sites], wanted)
    document = {
        "deadline_hours": rounded_hours(network.deadline_hours),
        "items": item_rows(network, wanted),
        "sites": site_rows,
        "sources": sources,
        "travel_hours": sorted(legs, key=lambda leg: (leg["from"], leg["to"])),
        "transport_cost_per_unit_hour": transport_costs(network, wanted),
    }
    if network.fleet is not None:
        document["dispatch_limits"] = fleet_limits(network, sources)
    return document


def fleet_limits(network: Network, sources: list[dict]) -> list[dict]:
    """Return the load limits of the depots among the sources: one trip of their fleet."""
    kinds = {depot.code: depot.kind for depot in network.depots}
    limits = []
    for source in sources:
        if source["kind"] != "physical" or kinds.get(source["id"]) == "shelter":
            continue
        weight, volume = network.fleet.get(source["id"], (0.0, 0.0))
        limits.append({"source": source["id"], "weight_kg": weight, "volume_m3": volume})
    return limits

