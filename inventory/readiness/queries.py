"""Reads of readiness: the norms in force, targets and their adequacy, minimum stock per tier
met or not, and what needs the bureau's attention."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from inventory import clock
from inventory.catalogue.models import Item
from inventory.contracts.models import Agreement, CapacityReserve
from inventory.contracts.queries import remaining_by_agreement
from inventory.errors import NotFound
from inventory.geo.models import AREA_LEVELS, Area, Depot
from inventory.readiness import adequacy
from inventory.readiness.geography import Geography
from inventory.readiness.models import Norm, StockMinimum, Target, TravelTime
from inventory.stock.models import Lot
from inventory.stock.queries import usable_on
from inventory.stocktake.models import Stocktake


def travel_times(session) -> list[TravelTime]:
    """Return the depot-to-area road hours by depot and area code."""
    return list(session.scalars(
        select(TravelTime).join(Depot, Depot.id == TravelTime.depot_id)
        .join(Area, Area.id == TravelTime.area_id).order_by(Depot.code, Area.code)))


def norms_for(session, season: str) -> list[Norm]:
    """The norms that apply in a season: the all-year ones plus that season's."""
    seasons = ("all",) if season == "all" else ("all", season)
    return list(session.scalars(select(Norm).where(Norm.season.in_(seasons))
                                .order_by(Norm.item_id)))


def get_target(session, target_id: int) -> Target:
    """:raise NotFound: when no target has the id."""
    target = session.get(Target, target_id)
    if target is None:
        raise NotFound(f"没有编号为 {target_id} 的保障目标。", f"No target with id {target_id}.",
                       {"target": ["unknown target"]})
    return target


@dataclass
class MinimumResult:
    """A minimum and every depot of its tier measured against it."""

    minimum: StockMinimum
    requirements: list[adequacy.Requirement]
    depots: list[adequacy.DepotMinimum]

    @property
    def met(self) -> int:
        return sum(1 for depot in self.depots if depot.met)


def requirements_of(session, minimum: StockMinimum) -> list[adequacy.Requirement]:
    """The items and quantities a minimum asks of each depot."""
    if minimum.item_id is not None:
        item = minimum.item
        return [adequacy.Requirement(item.id, item.code, item.name_zh, item.unit,
                                     minimum.quantity)]
    return [adequacy.Requirement(n.item_id, n.item.code, n.item.name_zh, n.item.unit,
                                 adequacy.required_units(minimum.people, n.per_person),
                                 n.per_person)
            for n in norms_for(session, minimum.season)]


def minimum_compliance(session, on: date | None = None) -> list[MinimumResult]:
    """Every active minimum with each active depot of its tier: held against required."""
    today = on or clock.today()
    minimums = session.scalars(select(StockMinimum).where(StockMinimum.active.is_(True))
                               .order_by(StockMinimum.id)).all()
    minimums = sorted(minimums, key=lambda m: AREA_LEVELS.index(m.level))
    if not minimums:
        return []
    wanted = {m: requirements_of(session, m) for m in minimums}
    depots_by_level: dict[str, list[tuple[int, str, str, str]]] = {}
    for depot_id, code, name, area, level in session.execute(
            select(Depot.id, Depot.code, Depot.name, Area.name, Area.level)
            .join(Area, Area.id == Depot.area_id)
            .where(Depot.active.is_(True), Depot.kind != "shelter",
                   Area.level.in_({m.level for m in minimums}))
            .order_by(Depot.code)):
        depots_by_level.setdefault(level, []).append((depot_id, code, name, area))
    item_ids = {need.item_id for needs in wanted.values() for need in needs}
    held = {(depot_id, item_id): int(quantity) for depot_id, item_id, quantity in session.execute(
        select(Lot.depot_id, Lot.item_id, func.sum(Lot.quantity))
        .join(Depot, Depot.id == Lot.depot_id).join(Area, Area.id == Depot.area_id)
        .where(Lot.item_id.in_(item_ids), usable_on(today), Lot.quantity > 0,
               Area.level.in_(depots_by_level))
        .group_by(Lot.depot_id, Lot.item_id))}
    return [MinimumResult(m, wanted[m],
                          adequacy.check_minimum(wanted[m], depots_by_level.get(m.level, []),
                                                 held))
            for m in minimums]


class Assessments:
    """What several targets' assessments share, looked up once: the geography, what each
    agreement still commits, and usable stock by depot and item for a day and a set of items.

    The dashboard assesses every target; one look-up of the shelf serves them all.
    """

    def __init__(self, session):
        self.session = session
        self._geo: Geography | None = None
        self._remaining: dict[int, int] | None = None
        self._shelf: dict[tuple[date, tuple[int, ...]], list] = {}

    @property
    def geo(self) -> "Geography":
        if self._geo is None:
            self._geo = Geography(self.session)
        return self._geo

    @property
    def remaining(self) -> dict[int, int]:
        if self._remaining is None:
            self._remaining = remaining_by_agreement(self.session)
        return self._remaining

    def on_shelf(self, day: date, item_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
        """Stock usable on the day: ``{depot_id: [(item_id, quantity), ...]}``."""
        key = (day, tuple(sorted(item_ids)))
        if key not in self._shelf:
            by_depot: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for depot_id, item_id, quantity in self.session.execute(
                    select(Lot.depot_id, Lot.item_id, func.sum(Lot.quantity))
                    .where(Lot.item_id.in_(item_ids), usable_on(day), Lot.quantity > 0)
                    .group_by(Lot.depot_id, Lot.item_id)):
                by_depot[depot_id].append((item_id, int(quantity)))
            self._shelf[key] = by_depot
        return self._shelf[key]


def assess_target(session, target: Target, on: date | None = None,
                  shared: Assessments | None = None) -> adequacy.Adequacy:
    """Return the adequacy of the reserves for the target (see inventory.readiness.adequacy).

    ``shared`` carries look-ups across the targets of one page.
    """
    shared = shared or Assessments(session)
    today = on or clock.today()
    day = max(target.target_date or today, today)
    deadline = float(target.deadline_hours)
    geo = shared.geo
    norms = norms_for(session, target.season)
    items = {i.id: i for i in session.scalars(
        select(Item).where(Item.id.in_([n.item_id for n in norms])))}
    needs = [adequacy.Need(n.item_id, items[n.item_id].code, items[n.item_id].name_zh,
                           items[n.item_id].unit, items[n.item_id].category, n.per_person)
             for n in norms]
    item_ids = [n.item_id for n in needs]

    shelves = []
    for depot_id, held in shared.on_shelf(day, item_ids).items():
        depot = geo.depots.get(depot_id)
        if depot is None:
            continue
        if depot.kind == "shelter" and not geo.within(depot.area_id, target.area_id):
            continue  # delivered to a shelter: it serves the people sheltered there
        travel = geo.depot_travel(depot_id, target.area_id)
        reach = None if travel is None else float(depot.handling_hours) + travel
        if not adequacy.in_time(reach, deadline):
            continue  # would not count; a city holds far more such depots than useful ones
        shelves.extend(adequacy.Shelf(depot_id, depot.code, depot.name, item_id, quantity, reach)
                       for item_id, quantity in held)

    warehouses = geo.county_warehouses(target.area_id)
    from_county = [t for t in (geo.depot_travel(w, target.area_id) for w in warehouses)
                   if t is not None]
    county_hours = min(from_county) if from_county else None
    remaining = shared.remaining
    contracts = []
    for agreement in session.scalars(
            select(Agreement).where(Agreement.item_id.in_(item_ids), Agreement.status == "active",
                                    Agreement.valid_from <= day, Agreement.valid_until >= day)):
        reach = float(agreement.response_hours)
        if agreement.response_to == "county":
            reach = None if county_hours is None else reach + county_hours
        contracts.append(adequacy.Contract(agreement.id, agreement.number, agreement.supplier,
                                           agreement.item_id, remaining.get(agreement.id, 0),
                                           reach))
    capacities = [
        adequacy.Capacity(c.id, c.code, c.enterprise, c.item_id, float(c.rate_per_hour),
                          float(c.ramp_hours), c.max_quantity,
                          geo.area_travel(c.area_id, target.area_id))
        for c in session.scalars(
            select(CapacityReserve).where(CapacityReserve.item_id.in_(item_ids),
                                          CapacityReserve.valid_from <= day,
                                          CapacityReserve.valid_until >= day))]
    return adequacy.assess(target.people, deadline, needs, shelves, contracts, capacities)


@dataclass
class Flags:
    expiring_30: list
    expiring_90: list
    agreements_expiring: list
    agreements_expired: list
    agreements_exhausted: list
    depots_over_capacity: list
    depots_without_stocktake: list


def flags(session, on: date | None = None) -> Flags:
    """What needs the bureau's attention: expiry, agreements, full depots, overdue counts."""
    today = on or clock.today()
    expiring = session.execute(
        select(Lot.id, Lot.code, Lot.expires_on, Lot.quantity, Depot.code, Item.code,
               Item.name_zh)
        .join(Depot, Depot.id == Lot.depot_id).join(Item, Item.id == Lot.item_id)
        .where(Lot.status == "available", Lot.quantity > 0, Lot.expires_on >= today,
               Lot.expires_on <= today + timedelta(days=90))
        .order_by(Lot.expires_on, Lot.id)).all()
    lots = [{"lot": r[0], "code": r[1], "expires_on": r[2], "quantity": r[3], "depot": r[4],
             "item": r[5], "item_name": r[6]} for r in expiring]
    remaining = remaining_by_agreement(session)
    agreements = session.scalars(select(Agreement).where(Agreement.status == "active")
                                 .order_by(Agreement.valid_until)).all()
    held = (select(Lot.depot_id, func.sum(Lot.quantity * Item.unit_volume_m3).label("volume"))
            .join(Item, Item.id == Lot.item_id).where(Lot.quantity > 0)
            .group_by(Lot.depot_id).subquery())
    over = session.execute(
        select(Depot.code, Depot.name, Depot.capacity_m3, held.c.volume)
        .join(held, held.c.depot_id == Depot.id)
        .where(Depot.capacity_m3.is_not(None), held.c.volume > Depot.capacity_m3)).all()
    counted = (select(Stocktake.depot_id).where(
        Stocktake.status == "approved",
        Stocktake.decided_at >= clock.start_of_day(today - timedelta(days=182))))
    # A shelter's receiving point is counted once it holds stock.
    stocked = select(Lot.depot_id).where(Lot.quantity > 0)
    uncounted = session.execute(
        select(Depot.code, Depot.name).where(
            Depot.active.is_(True), Depot.id.not_in(counted),
            or_(Depot.kind != "shelter", Depot.id.in_(stocked)))
        .order_by(Depot.code)).all()
    return Flags(
        expiring_30=[lot for lot in lots if lot["expires_on"] <= today + timedelta(days=30)],
        expiring_90=lots,
        agreements_expiring=[
            {"number": a.number, "supplier": a.supplier, "valid_until": a.valid_until,
             "remaining": remaining.get(a.id, 0)}
            for a in agreements if today <= a.valid_until <= today + timedelta(days=90)],
        # Lapsed agreements commit nothing any more, so no remaining quantity is shown.
        agreements_expired=[
            {"number": a.number, "supplier": a.supplier, "valid_until": a.valid_until}
            for a in agreements if a.valid_until < today],
        agreements_exhausted=[
            {"number": a.number, "supplier": a.supplier, "remaining": remaining.get(a.id, 0)}
            for a in agreements if remaining.get(a.id, 0) <= 0],
        depots_over_capacity=[{"depot": c, "name": n, "capacity_m3": float(cap),
                               "held_m3": round(float(v), 2)} for c, n, cap, v in over],
        depots_without_stocktake=[{"depot": c, "name": n} for c, n in uncounted],
    )

#: the tiers in the dashboard's order
LEVEL_ORDER = {"county": 0, "township": 1, "village": 2}


def targets_by_tier(session) -> list[tuple[Target, adequacy.Adequacy]]:
    """Every active target with its adequacy, county first, then townships and villages."""
    targets = session.scalars(select(Target).where(Target.active.is_(True))).all()
    shared = Assessments(session)
    return sorted(((t, assess_target(session, t, shared=shared)) for t in targets),
                  key=lambda row: (LEVEL_ORDER[row[0].area.level], row[0].area.code, row[0].id))


def coverage_by_category(rows) -> list[tuple[str, float]]:
    """Mean coverage (each item at most 100%) of each category over the targets."""
    categories: dict[str, list[float]] = defaultdict(list)
    for _target, result in rows:
        for item in result.items:
            categories[item.need.category].append(min(item.coverage, 1.0))
    return sorted((name, sum(v) / len(v)) for name, v in categories.items())


def expiring_by_month(session, months: int = 12, today: date | None = None
                      ) -> list[tuple[str, int]]:
    """Units of usable stock expiring in each of the coming months (``YYYY-MM``, units)."""
    today = today or clock.today()
    until = today + timedelta(days=31 * months)
    rows = session.execute(
        select(Lot.expires_on, func.sum(Lot.quantity))
        .where(Lot.status == "available", Lot.quantity > 0, Lot.expires_on >= today,
               Lot.expires_on < until)
        .group_by(Lot.expires_on)).all()
    totals: dict[str, int] = {}
    year, month = today.year, today.month
    for _ in range(months):
        totals[f"{year}-{month:02d}"] = 0
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for day, quantity in rows:
        key = f"{day.year}-{day.month:02d}"
        if key in totals:
            totals[key] += int(quantity)
    return list(totals.items())


def all_norms(session) -> list[Norm]:
    """Every norm, by season and item."""
    return list(session.scalars(select(Norm).order_by(Norm.season, Norm.item_id)))
