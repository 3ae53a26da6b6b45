"""The pre-positioning input: which depots may be restocked (by moving and buying) before the
flood season, against weighted cases, with the rest of the network as other sources.

A shelter's receiving point is not restocked here: what it holds is taken off its shelter's
demand in each case.
"""

from dataclasses import dataclass

from inventory.planning.inputs import (
    DepotFacts,
    Network,
    SiteFacts,
    all_sources,
    demand_of,
    depot_sources,
    item_rows,
    rounded_hours,
    transport_costs,
)

# -- pre-positioning ---------------------------------------------------------------

@dataclass(frozen=True)
class CaseFacts:
    """One flood-season scenario of a pre-positioning plan, with its weight."""

    name: str
    weight: float
    sites: list[SiteFacts]


@dataclass
class Stocking:
    """What a pre-positioning plan may change, and at what price."""

    #: depot codes whose stock the plan may change (by moving and buying)
    receiving: set[str]
    #: road hours between depots, by (from code, to code)
    depot_travel: dict[tuple[str, str], float]
    #: usable stock already at each shelter's receiving point: {shelter: {item: units}}
    at_shelters: dict[str, dict[str, int]]
    #: price of one unit bought, by item
    prices: dict[str, float]
    budget: float | None = None


def _case_sites(network: Network, case: CaseFacts, at_shelters) -> list[dict]:
    """The case's sites; what a shelter's receiving point already holds is not asked again."""
    rows = []
    for site in case.sites:
        held = at_shelters.get(site.shelter, {})
        demand = {code: units - held.get(code, 0)
                  for code, units in demand_of(site.people, network.norms).items()
                  if units > held.get(code, 0)}
        rows.append({"id": site.shelter, "priority": site.priority, "people": site.people,
                     "demand": demand})
    return rows


def preposition_document(network: Network, cases: list[CaseFacts], stocking: Stocking) -> dict:
    """Return the pre-positioning input: the depots the plan may restock, the cases, the rest
    of the network as other sources."""
    cases_rows = [{"id": case.name, "weight": case.weight,
                   "sites": _case_sites(network, case, stocking.at_shelters)} for case in cases]
    wanted = {code for case in cases_rows for site in case["sites"] for code in site["demand"]}
    shelters = sorted({site["id"] for case in cases_rows for site in case["sites"]})
    open_depots = [d for d in network.depots
                   if d.kind != "shelter" and d.code not in network.excluded_depots]
    receiving = sorted((d for d in open_depots if d.code in stocking.receiving),
                       key=lambda d: d.code)
    others = [d for d in open_depots if d.code not in stocking.receiving]
    _, own_legs = depot_sources(_with_depots(network, receiving), shelters, wanted)
    other, other_legs = all_sources(_with_depots(network, others), shelters, wanted)
    ids = [d.code for d in receiving]
    moves = [{"from": a, "to": b, "hours": rounded_hours(stocking.depot_travel[a, b])}
             for a in ids for b in ids if a != b and (a, b) in stocking.depot_travel]
    document = {
        "deadline_hours": rounded_hours(network.deadline_hours),
        "items": item_rows(network, wanted),
        "depots": [_depot_row(depot, wanted) for depot in receiving],
        "purchase_cost": {code: price for code, price in sorted(stocking.prices.items())
                          if code in wanted},
        "relocation_cost_per_unit_hour": transport_costs(network, wanted),
        "travel_hours": sorted(moves + own_legs + other_legs,
                               key=lambda leg: (leg["from"], leg["to"])),
        "other_sources": other,
        "scenarios": cases_rows,
        "transport_cost_per_unit_hour": transport_costs(network, wanted),
    }
    if stocking.budget is not None:
        document["budget"] = stocking.budget
    return document


def _with_depots(network: Network, depots: list[DepotFacts]) -> Network:
    return Network(network.deadline_hours, network.items, network.norms, depots,
                   network.travel, network.county_warehouses, network.contracts,
                   network.capacities, network.modes, network.excluded_depots,
                   network.excluded_pairs, network.transport_cost_per_kg_hour)


def _depot_row(depot: DepotFacts, wanted: set[str]) -> dict:
    row = {"id": depot.code, "handling_hours": rounded_hours(depot.handling_hours),
           "stock": {code: units for code, units in sorted(depot.stock.items())
                     if code in wanted and units > 0}}
    if depot.room_m3 is not None:
        row["capacity_m3"] = round(max(0.0, depot.room_m3), 4)
    return row
