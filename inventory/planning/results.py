"""A finished run's result read into what the planner asks of it, in plain values: a dispatch
by site and by source with its shortages, people fully supplied and limiting items; a
pre-positioning plan's moves and purchases with their costs; a rotation plan month by month
beside doing nothing. Read from the run's exact input and result, plus names from the register.
"""

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from inventory.catalogue.models import Item
from inventory.contracts.models import Agreement, CapacityReserve, capacity_code
from inventory.geo.models import Depot
from inventory.planning import charts, mapview
from inventory.planning.models import Run
from inventory.planorders.schedule import Schedule, rotation_schedule
from inventory.shelters.models import Shelter

#: money is rounded to cents when figures are added up for a page or a file
CENTS = 2


@dataclass(frozen=True)
class Names:
    """What the register calls the codes of a result: sites, sources and items."""

    places: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def place(self, code: str) -> str:
        return self.places.get(code, code)

    def item(self, code: str) -> str:
        return self.items.get(code, code)


def names_for(session, places: set[str], items: set[str]) -> Names:
    """Return the names of the places (shelters, depots, agreements, firms) and items."""
    found: dict[str, str] = {}
    found.update(session.execute(select(Depot.code, Depot.name)
                                 .where(Depot.code.in_(places))).all())
    found.update(session.execute(select(Shelter.code, Shelter.name)
                                 .where(Shelter.code.in_(places))).all())
    found.update(session.execute(select(Agreement.number, Agreement.supplier)
                                 .where(Agreement.number.in_(places))).all())
    firms = [int(code[3:]) for code in places if code.startswith("CN-") and code[3:].isdigit()]
    for firm_id, enterprise in session.execute(select(CapacityReserve.id,
                                                      CapacityReserve.enterprise)
                                               .where(CapacityReserve.id.in_(firms))):
        found[capacity_code(firm_id)] = enterprise
    rows = session.execute(select(Item.code, Item.name_zh, Item.unit)
                           .where(Item.code.in_(items))).all()
    return Names(found, {code: name for code, name, _ in rows},
                 {code: unit for code, _, unit in rows})


# -- dispatch ----------------------------------------------------------------------

@dataclass
class ItemLine:
    """One item at one site, at one source, or in all."""

    item: str
    demand: int = 0
    shipped: int = 0

    @property
    def short(self) -> int:
        return max(0, self.demand - self.shipped)

    @property
    def coverage(self) -> float:
        """The share of the demand shipped (1 without demand)."""
        return 1.0 if self.demand == 0 else min(1.0, self.shipped / self.demand)


@dataclass
class SiteLine:
    site: str
    people: int | None
    fully_supplied: int | None
    priority: float
    items: list[ItemLine]
    cost: float = 0.0

    @property
    def demand(self) -> int:
        return sum(line.demand for line in self.items)

    @property
    def shipped(self) -> int:
        return sum(line.shipped for line in self.items)

    @property
    def short(self) -> int:
        return sum(line.short for line in self.items)

    @property
    def shortages(self) -> list[ItemLine]:
        return [line for line in self.items if line.short > 0]


@dataclass
class SourceLine:
    source: str
    #: physical, contract or capacity
    kind: str
    #: {"site", "item", "quantity", "arrival_hours", "cost"}
    shipments: list[dict]
    #: units the source could offer of each item it holds (its stock, or a firm's maximum)
    offered: dict[str, int]

    @property
    def units(self) -> int:
        return sum(row["quantity"] for row in self.shipments)

    @property
    def cost(self) -> float:
        return round(sum(row["cost"] for row in self.shipments), CENTS)

    def sent(self, item: str) -> int:
        return sum(row["quantity"] for row in self.shipments if row["item"] == item)


@dataclass
class LimitingItem:
    """An item whose shortfall keeps people from being fully supplied."""

    item: str
    demand: int
    shipped: int
    #: people whose share of the item is missing, summed over the sites
    people_short: int

    @property
    def short(self) -> int:
        return self.demand - self.shipped

    @property
    def coverage(self) -> float:
        return 1.0 if self.demand == 0 else self.shipped / self.demand


@dataclass
class DispatchResult:
    status: str | None
    deadline_hours: float
    sites: list[SiteLine]
    sources: list[SourceLine]
    #: every item in all: demand, shipped, short
    items: list[ItemLine]
    limiting: list[LimitingItem]
    weighted_shortage: float | None
    cost: float
    people: int | None
    people_fully_supplied: int | None

    @property
    def shipped(self) -> int:
        return sum(line.shipped for line in self.items)

    @property
    def short(self) -> int:
        return sum(line.short for line in self.items)

    @property
    def call_offs(self) -> list[dict]:
        """The contract and firm units the plan calls on: {"source", "kind", "item",
        "quantity", "cost"}."""
        rows: dict[tuple, dict] = {}
        for source in self.sources:
            if source.kind == "physical":
                continue
            for shipment in source.shipments:
                key = (source.source, shipment["item"])
                row = rows.setdefault(key, {"source": source.source, "kind": source.kind,
                                            "item": shipment["item"], "quantity": 0, "cost": 0.0})
                row["quantity"] += shipment["quantity"]
                row["cost"] = round(row["cost"] + shipment["cost"], CENTS)
        return list(rows.values())


def _shipment_cost(source: dict, item: str, hours: float, transport: dict) -> float:
    """A unit's price at its source (0 for a depot) plus moving it for the road's hours."""
    return (source.get("unit_cost", {}).get(item, 0.0) + transport.get(item, 0.0) * hours)


def dispatch_result(plan_input: dict, plan_result: dict) -> DispatchResult:
    """Read a dispatch run by site, by source and by item."""
    sources = {row["id"]: row for row in plan_input.get("sources", [])}
    roads = {(row["from"], row["to"]): row["hours"] for row in plan_input.get("travel_hours", [])}
    transport = plan_input.get("transport_cost_per_unit_hour", {})
    sent: dict[tuple[str, str], int] = defaultdict(int)
    by_source: dict[str, list[dict]] = defaultdict(list)
    for row in plan_result.get("shipments", []):
        cost = row["quantity"] * _shipment_cost(sources.get(row["source"], {}), row["item"],
                                                roads.get((row["source"], row["site"]), 0.0),
                                                transport)
        by_source[row["source"]].append({"site": row["site"], "item": row["item"],
                                         "quantity": row["quantity"],
                                         "arrival_hours": row.get("arrival_hours"),
                                         "cost": round(cost, 6)})
        sent[row["site"], row["item"]] += row["quantity"]
    supplied = {row["site"]: row for row in plan_result.get("people", [])}
    sites = []
    for site in plan_input.get("sites", []):
        lines = [ItemLine(item, demand, sent[site["id"], item])
                 for item, demand in sorted(site.get("demand", {}).items())]
        fully = supplied.get(site["id"], {}).get("fully_supplied")
        sites.append(SiteLine(site["id"], site.get("people"), fully,
                              site.get("priority", 1), lines))
    for rows in by_source.values():
        for row in rows:
            for site in sites:
                if site.site == row["site"]:
                    site.cost += row["cost"]
    for site in sites:
        site.cost = round(site.cost, CENTS)
    source_lines = [SourceLine(code, sources.get(code, {}).get("kind", "physical"),
                               sorted(by_source[code], key=lambda r: (r["site"], r["item"])),
                               _offered(sources.get(code, {})))
                    for code in sorted(by_source)]
    totals: dict[str, ItemLine] = {}
    for site in sites:
        for line in site.items:
            total = totals.setdefault(line.item, ItemLine(line.item))
            total.demand += line.demand
            total.shipped += line.shipped
    objective = plan_result.get("objective") or {}
    people = [site.people for site in sites if site.people is not None]
    return DispatchResult(
        status=plan_result.get("status"), deadline_hours=plan_input.get("deadline_hours", 0),
        sites=sites, sources=source_lines, items=[totals[code] for code in sorted(totals)],
        limiting=_limiting(sites), weighted_shortage=objective.get("weighted_shortage"),
        cost=round(sum(row["cost"] for rows in by_source.values() for row in rows), CENTS),
        people=sum(people) if people else None,
        people_fully_supplied=objective.get("people_fully_supplied"))


def _offered(source: dict) -> dict[str, int]:
    return dict(source.get("stock") or source.get("max") or {})


def _limiting(sites: list[SiteLine]) -> list[LimitingItem]:
    """The items short anywhere, those leaving the most people without their share first."""
    found: dict[str, LimitingItem] = {}
    for site in sites:
        for line in site.items:
            entry = found.setdefault(line.item, LimitingItem(line.item, 0, 0, 0))
            entry.demand += line.demand
            entry.shipped += line.shipped
            if line.short and site.people:
                # A person's share is demand / people units: the missing units leave this
                # many people without it (rounded up: a part share is not a supply).
                entry.people_short += min(site.people,
                                          math.ceil(line.short * site.people / line.demand))
    short = [entry for entry in found.values() if entry.short > 0]
    return sorted(short, key=lambda e: (-e.people_short, e.coverage, e.item))


# -- pre-positioning -----------------------------------------------------------------

@dataclass
class PrepositionResult:
    status: str | None
    budget: float | None
    #: {"from", "to", "item", "quantity", "hours", "cost"}
    relocations: list[dict]
    #: {"depot", "item", "quantity", "unit_cost", "cost"}
    purchases: list[dict]
    #: {"depot", "item", "before", "quantity"}
    depot_stock: list[dict]
    #: {"id", "weight", "weighted_shortage_before", "weighted_shortage_after"}
    cases: list[dict]
    spend: float
    expected_weighted_shortage: float | None
    expected_weighted_shortage_before: float | None

    @property
    def purchase_cost(self) -> float:
        return round(sum(row["cost"] for row in self.purchases), CENTS)

    @property
    def relocation_cost(self) -> float:
        return round(sum(row["cost"] for row in self.relocations), CENTS)


def preposition_result(plan_input: dict, plan_result: dict) -> PrepositionResult:
    """Read a pre-positioning run: moves and purchases priced, the stock before and after."""
    roads = {(row["from"], row["to"]): row["hours"] for row in plan_input.get("travel_hours", [])}
    rate = plan_input.get("relocation_cost_per_unit_hour", {})
    price = plan_input.get("purchase_cost", {})
    moves = []
    for row in plan_result.get("relocations", []):
        hours = roads.get((row["from"], row["to"]), 0.0)
        moves.append({**row, "hours": hours,
                      "cost": round(row["quantity"] * rate.get(row["item"], 0.0) * hours, CENTS)})
    bought = [{**row, "unit_cost": price.get(row["item"], 0.0),
               "cost": round(row["quantity"] * price.get(row["item"], 0.0), CENTS)}
              for row in plan_result.get("purchases", [])]
    changed = [row for row in plan_result.get("depot_stock", [])
               if row.get("before") != row.get("quantity")]
    objective = plan_result.get("objective") or {}
    return PrepositionResult(
        status=plan_result.get("status"), budget=plan_input.get("budget"), relocations=moves,
        purchases=bought, depot_stock=changed, cases=list(plan_result.get("scenarios", [])),
        spend=objective.get("spend", plan_result.get("spend", 0.0)) or 0.0,
        expected_weighted_shortage=objective.get("expected_weighted_shortage"),
        expected_weighted_shortage_before=objective.get("expected_weighted_shortage_before"))


# -- a run ------------------------------------------------------------------------------

@dataclass
class RunResult:
    """A run's result read for its page and its files; ``kind`` says which one is set."""

    run: Run
    kind: str
    names: Names
    dispatch: DispatchResult | None = None
    preposition: PrepositionResult | None = None
    rotation: Schedule | None = None
    #: a dispatch drawn from the register's coordinates
    map: mapview.FlowMap | None = None
    #: a rotation's stock against the minimum, a chart per item
    stock_charts: list[charts.StockChart] = field(default_factory=list)


def _codes(plan_input: dict) -> tuple[set[str], set[str]]:
    places = {row["id"] for row in plan_input.get("sources", [])}
    places |= {row["id"] for row in plan_input.get("sites", [])}
    places |= {row["id"] for row in plan_input.get("depots", [])}
    places |= {row["id"] for row in plan_input.get("other_sources", [])}
    for case in plan_input.get("scenarios", []):
        places |= {row["id"] for row in case.get("sites", [])}
    items = {row["code"] for row in plan_input.get("items", [])}
    return places, items


def read_result(session, run: Run) -> RunResult | None:
    """Return the run's result read for the planner; None while it has no plan to read."""
    result = run.outcome
    if run.input is None or not isinstance(result, dict) or result.get("status") not in (
            "optimal", "feasible"):
        return None
    plan_input = json.loads(run.input)
    places, items = _codes(plan_input)
    read = RunResult(run, run.kind, names_for(session, places, items))
    if run.kind == "dispatch":
        read.dispatch = dispatch_result(plan_input, result)
        read.map = mapview.flow_map(read.dispatch, mapview.coordinates(session, places))
    elif run.kind == "preposition":
        read.preposition = preposition_result(plan_input, result)
    else:
        read.rotation = rotation_schedule(plan_input, result, run.scenario.scenario_date)
        read.stock_charts = charts.stock_charts(read.rotation)
    return read


def run_result(session, run_id: int) -> RunResult | None:
    """Return a run's result read for the planner, by the run's id (None: no such run or no
    plan yet)."""
    run = session.get(Run, run_id)
    return None if run is None else read_result(session, run)
