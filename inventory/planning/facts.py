"""The facts the input builders need, gathered from the live data with a few set-based queries:
usable stock by depot and item, agreements still uncalled, capacity reserves, handling and road
hours, the norms, item weights and volumes, prices, minimums and lots."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select

from inventory.catalogue.models import Item
from inventory.contracts import queries as contract_queries
from inventory.contracts.models import Agreement, CapacityReserve, capacity_code
from inventory.errors import InvalidInput
from inventory.geo.models import Area, Depot
from inventory.planning import inputs, preposition, rotation
from inventory.planning.models import Scenario
from inventory.readiness import queries as readiness_queries
from inventory.readiness.models import StockMinimum, Target
from inventory.shelters.models import Shelter
from inventory.shelters.queries import ShelterRoutes
from inventory.stock.models import Lot
from inventory.stock.queries import usable_on
from inventory.transport.queries import fleet_by_depot

#: tiers whose depots a pre-positioning plan restocks unless the scenario names the depots
RECEIVING_TIERS = ("county", "township")
RECEIVING_KINDS = ("government", "enterprise")


def norms_by_code(session, season: str) -> dict[str, Decimal]:
    """Return the quantity per person of each item in the season, by item code."""
    return {norm.item.code: norm.per_person
            for norm in readiness_queries.norms_for(session, season)}


def item_facts(session, codes) -> dict[str, inputs.ItemFacts]:
    """Return each item's weight and volume, by code."""
    rows = session.execute(select(Item.code, Item.unit_weight_kg, Item.unit_volume_m3)
                           .where(Item.code.in_(list(codes))))
    return {code: inputs.ItemFacts(code, float(weight or 0), float(volume or 0))
            for code, weight, volume in rows}


def scenario_shelters(session, sites: list[dict]) -> dict[str, Shelter]:
    """Return the sites' shelters by code.

    :raise InvalidInput: naming the shelters unknown or no longer active.
    """
    codes = [site["shelter"] for site in sites]
    found = {s.code: s for s in session.scalars(select(Shelter).where(Shelter.code.in_(codes)))}
    missing = sorted(code for code in codes if code not in found)
    closed = sorted(code for code in codes if code in found and not found[code].active)
    if missing or closed:
        raise InvalidInput(
            "方案中的避难场所不存在或已停用：" + "、".join(missing + closed),
            "The scenario names shelters unknown or no longer active: "
            + ", ".join(missing + closed), {"sites": ["unknown or inactive shelter"]})
    return found


def site_facts(sites: list[dict]) -> list[inputs.SiteFacts]:
    """Return the scenario's sites as the builders take them."""
    return [inputs.SiteFacts(site["shelter"], int(site["people"]),
                             float(site.get("priority", 1.0))) for site in sites]


@dataclass
class _Stock:
    """Usable stock of the items in question: {depot_id: {item code: units}}."""

    by_depot: dict[int, dict[str, int]]


def usable_stock(session, codes, until: date) -> _Stock:
    """Return stock available and not expiring before ``until``, by depot and item code."""
    by_depot: dict[int, dict[str, int]] = defaultdict(dict)
    for depot_id, code, units in session.execute(
            select(Lot.depot_id, Item.code, func.sum(Lot.quantity))
            .join(Item, Item.id == Lot.item_id)
            .where(Item.code.in_(list(codes)), usable_on(until), Lot.quantity > 0)
            .group_by(Lot.depot_id, Item.code)):
        by_depot[depot_id][code] = int(units)
    return _Stock(by_depot)


def network(session, scenario: Scenario, shelters: dict[str, Shelter], *,
            all_depots: bool = False) -> tuple[inputs.Network, ShelterRoutes, _Stock]:
    """Return the network that can supply the shelters: depots with usable stock and their
    roads, agreements and firms; ``all_depots`` keeps depots without stock too."""
    deadline = float(scenario.deadline_hours)
    norms = norms_by_code(session, scenario.season)
    until = inputs.need_until(scenario.scenario_date, deadline)
    routes = ShelterRoutes(session)
    geo = routes.geo
    stock = usable_stock(session, norms, until)
    own = {shelter.depot_id for shelter in shelters.values()}
    depot_ids = set(geo.depots) if all_depots else set(stock.by_depot)
    depots, travel = [], {}
    warehouses = {code: [geo.depots[d].code for d in geo.county_warehouses(shelter.area_id)]
                  for code, shelter in shelters.items()}
    relays = {d for codes in warehouses.values() for d in codes}
    for depot_id in sorted(depot_ids):
        depot = geo.depots.get(depot_id)
        if depot is None or (depot.kind == "shelter" and depot_id not in own):
            continue
        depots.append(inputs.DepotFacts(depot.code, float(depot.handling_hours),
                                        stock.by_depot.get(depot_id, {}), depot.kind))
    for depot_id, depot in geo.depots.items():
        if depot_id not in depot_ids and depot.code not in relays:
            continue
        for code, shelter in shelters.items():
            hours = routes.route(depot_id, shelter.id).hours
            if hours is not None:
                travel[depot.code, code] = hours
    built = inputs.Network(
        deadline_hours=deadline, items=item_facts(session, norms), norms=norms, depots=depots,
        travel=travel, county_warehouses=warehouses,
        contracts=contracts(session, scenario.scenario_date, norms),
        capacities=capacities(session, scenario.scenario_date, norms, shelters, geo),
        modes=tuple(scenario.modes), excluded_depots=frozenset(scenario.excluded_depots),
        excluded_pairs=frozenset((p["depot"], p["shelter"]) for p in scenario.excluded_pairs),
        transport_cost_per_kg_hour=float(scenario.parameters.get(
            "transport_cost_per_kg_hour", inputs.TRANSPORT_COST_PER_KG_HOUR)),
        fleet=fleet(session, scenario))
    return built, routes, stock


def fleet(session, scenario: Scenario) -> dict[str, tuple[float, float]] | None:
    """Return one trip of each depot's vehicles when the scenario limits by fleet, else None."""
    if not scenario.parameters.get("limit_by_fleet"):
        return None
    found = fleet_by_depot(session, scenario.scenario_date, float(scenario.deadline_hours))
    return {code: (trip.payload_kg, trip.volume_m3) for code, trip in found.items()}


def contracts(session, day: date, codes) -> list[inputs.ContractFacts]:
    """Return the agreements active and valid on the day, with what each still commits."""
    remaining = contract_queries.remaining_by_agreement(session)
    return [inputs.ContractFacts(a.number, code, remaining.get(a.id, 0), float(a.response_hours),
                                 a.response_to == "site",
                                 None if a.unit_price is None else float(a.unit_price))
            for a, code in session.execute(
                select(Agreement, Item.code).join(Item, Item.id == Agreement.item_id)
                .where(Item.code.in_(list(codes)), Agreement.status == "active",
                       Agreement.valid_from <= day, Agreement.valid_until >= day))]


def capacities(session, day: date, codes, shelters: dict[str, Shelter], geo
               ) -> list[inputs.CapacityFacts]:
    """Return the capacity reserves valid on the day, with road hours to each shelter."""
    found = []
    for c, code in session.execute(
            select(CapacityReserve, Item.code).join(Item, Item.id == CapacityReserve.item_id)
            .where(Item.code.in_(list(codes)), CapacityReserve.valid_from <= day,
                   CapacityReserve.valid_until >= day)):
        travel = {s.code: geo.area_travel(c.area_id, s.area_id) for s in shelters.values()}
        found.append(inputs.CapacityFacts(
            capacity_code(c.id), code, float(c.rate_per_hour), float(c.ramp_hours),
            c.max_quantity, None if c.unit_price is None else float(c.unit_price), travel))
    return found


def prices(session, codes) -> dict[str, float]:
    """Return a price per unit of each item: its latest lot bought at a known cost, else the
    lowest tender price of its agreements or firms."""
    found: dict[str, float] = {}
    for code, cost in session.execute(
            select(Item.code, Lot.unit_cost).join(Item, Item.id == Lot.item_id)
            .where(Item.code.in_(list(codes)), Lot.unit_cost.is_not(None))
            .order_by(Item.code, Lot.received_on.desc(), Lot.id.desc())):
        found.setdefault(code, float(cost))
    for model in (Agreement, CapacityReserve):
        for code, price in session.execute(
                select(Item.code, func.min(model.unit_price)).join(Item, Item.id == model.item_id)
                .where(Item.code.in_(list(codes)), model.unit_price.is_not(None))
                .group_by(Item.code)):
            found.setdefault(code, float(price))
    return found


# -- the three documents -----------------------------------------------------------

def dispatch_document(session, scenario: Scenario) -> dict:
    """Return the dispatch input of the scenario from the live data."""
    shelters = scenario_shelters(session, scenario.sites)
    built, _, _ = network(session, scenario, shelters)
    return inputs.dispatch_document(built, site_facts(scenario.sites))


def preposition_document(session, scenario: Scenario) -> dict:
    """Return the pre-positioning input of the scenario from the live data."""
    cases = scenario.parameters.get("cases", [])
    shelters = scenario_shelters(session, [site for case in cases for site in case["sites"]])
    built, routes, stock = network(session, scenario, shelters, all_depots=True)
    geo = routes.geo
    receiving = set(scenario.parameters.get("receiving_depots") or default_receiving(session))
    ids = {d.code: d_id for d_id, d in geo.depots.items()}
    room = room_left(session, built.norms)
    built.depots = [inputs.DepotFacts(d.code, d.handling_hours, d.stock, d.kind,
                                      room.get(ids[d.code])) for d in built.depots]
    depot_travel = {}
    for a in receiving & set(ids):
        for b in receiving & set(ids):
            hours = None if a == b else geo.depot_travel(ids[a], geo.depots[ids[b]].area_id)
            if hours is not None:
                depot_travel[a, b] = hours
    at_shelters = {code: stock.by_depot.get(shelter.depot_id, {})
                   for code, shelter in shelters.items()}
    stocking = preposition.Stocking(receiving, depot_travel, at_shelters,
                                    prices(session, built.norms),
                                    scenario.parameters.get("budget"))
    return preposition.preposition_document(
        built, [preposition.CaseFacts(case["name"], float(case.get("weight", 1.0)),
                                      site_facts(case["sites"])) for case in cases], stocking)


def default_receiving(session) -> list[str]:
    """Return the depots a pre-positioning plan restocks by default: the county's and the
    townships' government and enterprise depots."""
    return list(session.scalars(
        select(Depot.code).join(Area, Area.id == Depot.area_id)
        .where(Depot.active.is_(True), Depot.kind.in_(RECEIVING_KINDS),
               Area.level.in_(RECEIVING_TIERS)).order_by(Depot.code)))


def room_left(session, codes) -> dict[int, float | None]:
    """Return each depot's storage volume left for the items in question: its capacity less
    what everything else it holds takes."""
    others = dict(session.execute(
        select(Lot.depot_id, func.sum(Lot.quantity * func.coalesce(Item.unit_volume_m3, 0)))
        .join(Item, Item.id == Lot.item_id)
        .where(Lot.quantity > 0, Item.code.not_in(list(codes))).group_by(Lot.depot_id)).all())
    return {depot_id: None if capacity is None else float(capacity) - float(others.get(depot_id)
                                                                             or 0)
            for depot_id, capacity in session.execute(select(Depot.id, Depot.capacity_m3))}


def rotation_document(session, scenario: Scenario) -> dict:
    """Return the rotation input of the scenario from the live data."""
    params = scenario.parameters
    outlets = params.get("outlets", [])
    items = {row.code: rotation.RotationItemFacts(row.code, row.shelf_life_days, None)
             for row in session.scalars(select(Item).where(or_(
                 Item.shelf_life_days.is_not(None),
                 Item.code.in_([outlet["item"] for outlet in outlets]))))}
    found_prices = prices(session, items)
    items = {code: rotation.RotationItemFacts(code, facts.shelf_life_days,
                                              found_prices.get(code))
             for code, facts in items.items()}
    lots = [rotation.LotFacts(lot_id, code, int(quantity), expires_on)
            for lot_id, code, quantity, expires_on in session.execute(
                select(Lot.id, Item.code, Lot.quantity, Lot.expires_on)
                .join(Item, Item.id == Lot.item_id).join(Depot, Depot.id == Lot.depot_id)
                .where(Item.code.in_(list(items)), usable_on(scenario.scenario_date),
                       Lot.quantity > 0, Depot.active.is_(True)))]
    plan = rotation.Rotation(
        start=scenario.scenario_date, months=int(params["horizon_months"]), items=items,
        lots=lots, tier_minimums=tier_minimums(session),
        target_minimums=target_minimums(session), outlets=outlets,
        lead_months=int(params.get("lead_months", 0)),
        budget_per_month=params.get("budget_per_month"),
        minimum_override={k: int(v) for k, v in params.get("minimum_stock", {}).items()},
        price_override={k: float(v) for k, v in params.get("prices", {}).items()},
        write_off_cost={k: float(v) for k, v in params.get("write_off_cost", {}).items()})
    return rotation.rotation_document(plan)


def tier_minimums(session) -> dict[str, int]:
    """Return what the active per-tier minimums ask of all the depots of each tier, by item:
    per depot the largest of the tier's minimums, times its active depots."""
    per_tier: dict[str, dict[str, int]] = defaultdict(dict)
    for minimum in session.scalars(select(StockMinimum).where(StockMinimum.active.is_(True))):
        wanted = per_tier[minimum.level]
        for need in readiness_queries.requirements_of(session, minimum):
            wanted[need.code] = max(wanted.get(need.code, 0), need.quantity)
    counts = dict(session.execute(
        select(Area.level, func.count(Depot.id)).join(Area, Area.id == Depot.area_id)
        .where(Depot.active.is_(True), Depot.kind != "shelter").group_by(Area.level)).all())
    total: dict[str, int] = defaultdict(int)
    for level, wanted in per_tier.items():
        for code, units in wanted.items():
            total[code] += units * counts.get(level, 0)
    return dict(total)


def target_minimums(session) -> dict[str, int]:
    """Return the most any active target asks for, by item (its people at its season's norms)."""
    most: dict[str, int] = {}
    for target in session.scalars(select(Target).where(Target.active.is_(True))):
        for code, units in inputs.demand_of(target.people,
                                            norms_by_code(session, target.season)).items():
            most[code] = max(most.get(code, 0), units)
    return most


DOCUMENTS = {"dispatch": dispatch_document, "preposition": preposition_document,
             "rotation": rotation_document}


def document_for(session, scenario: Scenario) -> dict:
    """Return the optimizer's input for the scenario, built from the live data now.

    :raise InvalidInput: when the scenario names shelters unknown or no longer active.
    """
    return DOCUMENTS[scenario.kind](session, scenario)
