"""Reserves services: norms, targets, travel times, agreements and capacity, and the adequacy
of the reserves for a target, gathered with a few set-based queries."""

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import resources

from sqlalchemy import func, or_, select

from inventory import audit, clock
from inventory.auth.permissions import ensure_role
from inventory.catalogue.models import Item
from inventory.db import utcnow
from inventory.errors import InvalidInput, NotFound, StateConflict
from inventory.geo.models import AREA_LEVELS, Area, Depot
from inventory.reserves import adequacy
from inventory.reserves.models import (
    AGREEMENT_STATUSES,
    RESPONSE_TO,
    Agreement,
    CallOff,
    CapacityReserve,
    Norm,
    StockMinimum,
    Target,
    TravelTime,
)
from inventory.stock.models import Lot
from inventory.stock.queries import usable_on
from inventory.stocktake.models import Stocktake
from inventory.uow import unit_of_work

#: roles that set targets, norms and reserves
MANAGERS = ("admin", "bureau")
#: road speed (km/h) towards an area of each level, for travel estimated from coordinates:
#: county seats over national and provincial roads, townships over county roads, villages over
#: village roads
SPEED_KMH = {"county": 60.0, "township": 40.0, "village": 25.0}
#: road distance over straight-line distance
DETOUR_FACTOR = 1.4


# -- norms ------------------------------------------------------------------

@dataclass(frozen=True)
class NormRow:
    item_code: str
    per_person: Decimal
    duration_hours: int
    season: str
    basis: str
    source: str
    basis_zh: str = ""


def _packaged(name: str) -> str:
    return resources.files("inventory.catalogue").joinpath(f"data/{name}").read_text(
        encoding="utf-8")


def _chinese_bases() -> dict[tuple[str, str], str]:
    """The bases of the packaged norms in Chinese, by item and season."""
    return {(record["item_code"], record["season"]): record["basis_zh"].strip()
            for record in csv.DictReader(_packaged("norms_zh.csv").splitlines())}


def read_norms(text: str | None = None) -> list[NormRow]:
    """Parse norms CSV text (the packaged copy of ../shared/domain/norms.csv by default, with
    the Chinese bases from norms_zh.csv beside it)."""
    chinese = _chinese_bases() if text is None else {}
    if text is None:
        text = _packaged("norms.csv")
    rows = []
    for number, record in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            rows.append(NormRow(record["item_code"].strip(), Decimal(record["per_person"]),
                                int(record["duration_hours"]), record["season"].strip(),
                                record["basis"].strip(), record["source"].strip(),
                                chinese.get((record["item_code"].strip(),
                                             record["season"].strip()), "")))
        except (KeyError, ArithmeticError, ValueError) as error:
            raise ValueError(f"norms line {number}: {error}") from error
    return rows


def load_norms(session, rows: list[NormRow] | None = None, actor=None) -> int:
    """Insert or update the norms by item and season; return how many were written.

    Each norm created or changed is one event of the audit trail, by ``actor`` (none for the
    packaged norms loaded by the system)."""
    rows = read_norms() if rows is None else rows
    with unit_of_work(session):
        items = dict(session.execute(select(Item.code, Item.id)).all())
        existing = {(n.item_id, n.season): n for n in session.scalars(select(Norm))}
        written = 0
        for row in rows:
            item_id = items.get(row.item_code)
            if item_id is None:
                raise NotFound(f"人均标准中的物资 {row.item_code} 不在物资目录中。",
                               f"The norms name item {row.item_code}, not in the catalogue.")
            norm = existing.get((item_id, row.season))
            before = None if norm is None else audit.snapshot(norm)
            if norm is None:
                norm = Norm(item_id=item_id, season=row.season)
                session.add(norm)
                existing[(item_id, row.season)] = norm
            norm.per_person, norm.duration_hours = row.per_person, row.duration_hours
            norm.basis, norm.source = row.basis, row.source
            norm.basis_zh = row.basis_zh or norm.basis_zh
            session.flush()
            was, now = audit.changes(before, audit.snapshot(norm))
            if now:
                audit.record(session, actor, "norm.set", "norm", norm.id, item=row.item_code,
                             season=row.season, before=was, after=now)
            written += 1
    return written


def set_norm(session, actor, *, item: str, per_person: float, season: str = "all",
             duration_hours: int = 72, basis: str = "", source: str = "",
             basis_zh: str = "") -> Norm:
    """Set the norm of an item for a season (the bureau edits the seeded norms)."""
    ensure_role(actor, *MANAGERS)
    if per_person <= 0:
        raise InvalidInput("人均数量须为正数。", "The quantity per person must be positive.",
                           {"per_person": ["> 0"]})
    with unit_of_work(session):
        load_norms(session, [NormRow(item, Decimal(str(per_person)), duration_hours, season,
                                     basis, source, basis_zh)], actor=actor)
        norm = session.scalar(select(Norm).join(Item).where(Item.code == item,
                                                            Norm.season == season))
    return norm


def norms_for(session, season: str) -> list[Norm]:
    """The norms that apply in a season: the all-year ones plus that season's."""
    seasons = ("all",) if season == "all" else ("all", season)
    return list(session.scalars(select(Norm).where(Norm.season.in_(seasons))
                                .order_by(Norm.item_id)))


# -- targets and travel -----------------------------------------------------

def get_target(session, target_id: int) -> Target:
    """:raise NotFound: when no target has the id."""
    target = session.get(Target, target_id)
    if target is None:
        raise NotFound(f"没有编号为 {target_id} 的保障目标。", f"No target with id {target_id}.",
                       {"target": ["unknown target"]})
    return target


def create_target(session, actor, *, name: str, area: str, people: int,
                  deadline_hours: float = 10, season: str = "all",
                  target_date: date | None = None, note: str | None = None) -> Target:
    """Set a target: shelter ``people`` in ``area`` within ``deadline_hours``."""
    ensure_role(actor, *MANAGERS)
    if people <= 0 or deadline_hours <= 0:
        raise InvalidInput("人数和时限须为正数。", "People and hours must be positive.",
                           {"people": ["> 0"], "deadline_hours": ["> 0"]})
    with unit_of_work(session):
        area_row = session.scalar(select(Area).where(Area.code == area))
        if area_row is None:
            raise NotFound(f"没有编码为 {area} 的行政区。", f"No area with code {area}.",
                           {"area": ["unknown area"]})
        target = Target(name=name, area_id=area_row.id, people=people,
                        deadline_hours=Decimal(str(deadline_hours)), season=season,
                        target_date=target_date, note=note, active=True)
        session.add(target)
        session.flush()
        audit.record(session, actor, "target.create", "target", target.id, before=None,
                     after=audit.snapshot(target))
    return target


# -- minimum stock per tier ------------------------------------------------

def create_minimum(session, actor, *, level: str, people: int | None = None,
                   season: str = "all", item: str | None = None, quantity: int | None = None,
                   note: str | None = None) -> StockMinimum:
    """Set a minimum each depot of a tier holds: supplies for ``people`` (by the norms) or
    ``quantity`` of ``item``."""
    ensure_role(actor, *MANAGERS)
    if level not in AREA_LEVELS:
        raise InvalidInput("层级须为县级、乡镇或村/社区。", "The level must be county, township "
                           "or village.", {"level": ["county, township or village"]})
    if (people is None) == (item is None) or (item is None) != (quantity is None):
        raise InvalidInput("请给出保障人数，或给出物资及其数量，二者选一。",
                           "Give either a number of people, or an item with its quantity.",
                           {"people": ["people, or item and quantity"]})
    if (people is not None and people <= 0) or (quantity is not None and quantity <= 0):
        raise InvalidInput("人数和数量须为正整数。", "People and quantity must be positive.",
                           {"people": ["> 0"], "quantity": ["> 0"]})
    with unit_of_work(session):
        minimum = StockMinimum(level=level, people=people, season=season,
                               item_id=None if item is None else _item(session, item).id,
                               quantity=quantity, note=note, active=True)
        session.add(minimum)
        session.flush()
        audit.record(session, actor, "minimum.create", "stock_minimum", minimum.id,
                     item=item, before=None, after=audit.snapshot(minimum))
    return minimum


def end_minimum(session, actor, minimum_id: int) -> StockMinimum:
    """Stop checking a minimum (it stays on record)."""
    ensure_role(actor, *MANAGERS)
    with unit_of_work(session):
        minimum = session.get(StockMinimum, minimum_id)
        if minimum is None:
            raise NotFound(f"没有编号为 {minimum_id} 的储备定额。",
                           f"No stock minimum with id {minimum_id}.", {"minimum": ["unknown"]})
        was = minimum.active
        minimum.active = False
        audit.record(session, actor, "minimum.end", "stock_minimum", minimum.id,
                     before={"active": was}, after={"active": False})
    return minimum


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


def end_target(session, actor, target_id: int) -> Target:
    """Stop tracking a target (it stays on record)."""
    ensure_role(actor, *MANAGERS)
    with unit_of_work(session):
        target = get_target(session, target_id)
        was = target.active
        target.active = False
        audit.record(session, actor, "target.end", "target", target.id,
                     before={"active": was}, after={"active": False})
    return target


def set_travel_time(session, actor, *, depot: str, area: str, hours: float,
                    source: str = "manual") -> TravelTime:
    """Record the road hours from a depot to an area (replacing any earlier figure)."""
    ensure_role(actor, *MANAGERS)
    if hours < 0:
        raise InvalidInput("行驶时间不能为负。", "Hours cannot be negative.", {"hours": [">= 0"]})
    with unit_of_work(session):
        depot_row = session.scalar(select(Depot).where(Depot.code == depot))
        area_row = session.scalar(select(Area).where(Area.code == area))
        if depot_row is None or area_row is None:
            raise NotFound("储备库或行政区不存在。", "Unknown depot or area.")
        row = session.scalar(select(TravelTime).where(TravelTime.depot_id == depot_row.id,
                                                      TravelTime.area_id == area_row.id))
        before = None if row is None else {"hours": audit.plain(row.hours),
                                           "source": row.source}
        if row is None:
            row = TravelTime(depot_id=depot_row.id, area_id=area_row.id)
            session.add(row)
        row.hours, row.source = Decimal(str(hours)), source
        session.flush()
        was, now = audit.changes(before, {"hours": audit.plain(row.hours), "source": source})
        if now:
            audit.record(session, actor, "travel_time.set", "travel_time", row.id, depot=depot,
                         area=area, before=was, after=now)
    return row


class Geography:
    """Areas and depots with coordinates, for travel times known or estimated."""

    def __init__(self, session, *, speed: dict | None = None,
                 detour: float = DETOUR_FACTOR):
        """``speed`` (km/h by the area's level) and ``detour`` (road over straight-line
        distance) shape the estimates where no travel time is recorded."""
        self.areas = {a.id: a for a in session.execute(
            select(Area.id, Area.parent_id, Area.level, Area.latitude, Area.longitude)).all()}
        self.depots = {d.id: d for d in session.execute(
            select(Depot.id, Depot.code, Depot.name, Depot.area_id, Depot.kind,
                   Depot.handling_hours, Depot.latitude, Depot.longitude)
            .where(Depot.active.is_(True))).all()}
        self.known = {(t.depot_id, t.area_id): float(t.hours) for t in session.execute(
            select(TravelTime.depot_id, TravelTime.area_id, TravelTime.hours)).all()}
        self.speed = speed or SPEED_KMH
        self.detour = detour

    def _estimate(self, lat, lon, area_id: int) -> float | None:
        area = self.areas[area_id]
        if None in (lat, lon, area.latitude, area.longitude):
            return None
        km = adequacy.great_circle_km(float(lat), float(lon), float(area.latitude),
                                      float(area.longitude))
        return adequacy.estimate_hours(km, self.detour, self.speed[area.level])

    def depot_travel(self, depot_id: int, area_id: int) -> float | None:
        """Road hours from a depot to an area: recorded, else 0 within it, else estimated."""
        known = self.known.get((depot_id, area_id))
        if known is not None:
            return known
        depot = self.depots[depot_id]
        if depot.area_id == area_id:
            return 0.0
        return self._estimate(depot.latitude, depot.longitude, area_id)

    def area_travel(self, from_area: int, to_area: int) -> float | None:
        """Road hours between two areas (for firms): 0 within one, else estimated."""
        if from_area == to_area:
            return 0.0
        origin = self.areas[from_area]
        return self._estimate(origin.latitude, origin.longitude, to_area)

    def within(self, area_id: int, outer_id: int) -> bool:
        """Tell whether an area is the outer area or lies below it."""
        seen = set()
        while area_id is not None and area_id not in seen:
            if area_id == outer_id:
                return True
            seen.add(area_id)
            area_id = self.areas[area_id].parent_id
        return False

    def county_of(self, area_id: int) -> int:
        area = self.areas[area_id]
        while area.parent_id is not None and area.level != "county":
            area = self.areas[area.parent_id]
        return area.id

    def county_warehouses(self, area_id: int) -> list[int]:
        """The government depots at the county level of the area's county."""
        county = self.county_of(area_id)
        return [d.id for d in self.depots.values()
                if d.area_id == county and d.kind == "government"]


# -- adequacy ---------------------------------------------------------------

def remaining_by_agreement(session) -> dict[int, int]:
    """What each agreement still commits: committed minus what was called off."""
    called = (select(CallOff.agreement_id, func.coalesce(func.sum(CallOff.quantity), 0)
                     .label("called"))
              .where(CallOff.status != "cancelled").group_by(CallOff.agreement_id).subquery())
    rows = session.execute(
        select(Agreement.id, Agreement.committed_quantity - func.coalesce(called.c.called, 0))
        .outerjoin(called, called.c.agreement_id == Agreement.id)).all()
    return {agreement_id: int(remaining) for agreement_id, remaining in rows}


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
    """Return the adequacy of the reserves for the target (see inventory.reserves.adequacy).

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



# -- agreements and capacity -------------------------------------------------

def _locked(session, model, row_id: int):
    """Return the row locked for update (only its own table: joined loads stay unlocked)."""
    return session.scalar(select(model).where(model.id == row_id)
                          .with_for_update(of=model.__table__)
                          .execution_options(populate_existing=True))


def _item(session, code: str) -> Item:
    item = session.scalar(select(Item).where(Item.code == code))
    if item is None:
        raise NotFound(f"物资目录中没有编号 {code}。", f"No catalogue item with code {code}.",
                       {"item": ["unknown item"]})
    return item


def create_agreement(session, actor, *, number: str, supplier: str, item: str,
                     committed_quantity: int, response_hours: float, valid_from: date,
                     valid_until: date, response_to: str = "county",
                     unit_price: float | None = None, contact_name: str | None = None,
                     contact_phone: str | None = None, note: str | None = None) -> Agreement:
    """Record a contract reserve (协议储备)."""
    ensure_role(actor, *MANAGERS)
    if committed_quantity <= 0:
        raise InvalidInput("协议数量须为正整数。", "The committed quantity must be positive.",
                           {"committed_quantity": ["> 0"]})
    if valid_until < valid_from:
        raise InvalidInput("有效期止早于起。", "The agreement ends before it starts.",
                           {"valid_until": ["before valid_from"]})
    if response_to not in RESPONSE_TO:
        raise InvalidInput("响应时间须按送达县级储备库（county）或直送安置点（site）计。",
                           "response_to must be county or site.",
                           {"response_to": ["county or site"]})
    with unit_of_work(session):
        if session.scalar(select(Agreement.id).where(Agreement.number == number)) is not None:
            raise StateConflict(f"协议编号 {number} 已存在。",
                                f"Agreement {number} already exists.",
                                {"number": ["already exists"]})
        agreement = Agreement(
            number=number, supplier=supplier, item_id=_item(session, item).id,
            committed_quantity=committed_quantity, response_hours=Decimal(str(response_hours)),
            response_to=response_to, valid_from=valid_from, valid_until=valid_until,
            unit_price=None if unit_price is None else Decimal(str(unit_price)),
            contact_name=contact_name, contact_phone=contact_phone, note=note, status="active")
        session.add(agreement)
        session.flush()
        audit.record(session, actor, "agreement.create", "agreement", agreement.id,
                     before=None, after=audit.snapshot(agreement))
    return agreement


def get_agreement(session, agreement_id: int) -> Agreement:
    """:raise NotFound: when no agreement has the id."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound(f"没有编号为 {agreement_id} 的协议。", f"No agreement {agreement_id}.",
                       {"agreement": ["unknown agreement"]})
    return agreement


def set_agreement_status(session, actor, *, agreement_id: int, status: str,
                         note: str | None = None) -> Agreement:
    """Suspend, resume or end an agreement; only active agreements count as reserves."""
    ensure_role(actor, *MANAGERS)
    if status not in AGREEMENT_STATUSES:
        raise InvalidInput("协议状态须为有效、暂停或终止。",
                           "Status must be active, suspended or ended.",
                           {"status": list(AGREEMENT_STATUSES)})
    with unit_of_work(session):
        agreement = _locked(session, Agreement, agreement_id)
        if agreement is None:
            raise NotFound(f"没有编号为 {agreement_id} 的协议。", f"No agreement {agreement_id}.",
                           {"agreement": ["unknown agreement"]})
        if agreement.status == "ended" and status != "ended":
            raise StateConflict(f"协议 {agreement.number} 已终止，不能恢复。",
                                f"Agreement {agreement.number} has ended; it cannot resume.")
        before = {"status": agreement.status, "note": agreement.note}
        agreement.status = status
        if note:
            agreement.note = note
        was, now = audit.changes(before, {"status": agreement.status, "note": agreement.note})
        audit.record(session, actor, "agreement.status", "agreement", agreement.id,
                     before=was, after=now)
    return agreement


def get_call_off(session, call_off_id: int) -> CallOff:
    """:raise NotFound: when no call-off has the id."""
    row = session.get(CallOff, call_off_id)
    if row is None:
        raise NotFound(f"没有编号为 {call_off_id} 的调用记录。", f"No call-off {call_off_id}.",
                       {"call_off": ["unknown call-off"]})
    return row


def cancel_call_off(session, actor, *, call_off_id: int, reason: str) -> CallOff:
    """Cancel a delivery still expected; its quantity returns to the agreement."""
    ensure_role(actor, *MANAGERS)
    if not reason or not reason.strip():
        raise InvalidInput("取消调用须说明原因。", "Give a reason for cancelling.",
                           {"reason": ["required"]})
    with unit_of_work(session):
        row = _locked(session, CallOff, call_off_id)
        if row is None:
            raise NotFound(f"没有编号为 {call_off_id} 的调用记录。", f"No call-off {call_off_id}.",
                           {"call_off": ["unknown call-off"]})
        if row.status != "expected":
            raise StateConflict("只能取消尚未到货的调用。",
                                "Only a call-off still awaiting delivery can be cancelled.")
        row.status = "cancelled"
        row.reason = "；".join(filter(None, [row.reason, f"取消：{reason.strip()}"]))
        audit.record(session, actor, "agreement.cancel_call_off", "agreement", row.agreement_id,
                     call_off=row.id, reason=reason, before={"call_off_status": "expected"},
                     after={"call_off_status": "cancelled"})
    return row


def call_off(session, actor, *, agreement_id: int, quantity: int, depot: str,
             reason: str | None = None) -> CallOff:
    """Call off part of an agreement (调用): an expected delivery to a depot.

    :raise InvalidInput: when more is asked than the agreement still commits.
    """
    ensure_role(actor, *MANAGERS)
    return place_call_off(session, actor, agreement_id=agreement_id, quantity=quantity,
                          depot=depot, reason=reason)


def place_call_off(session, actor, *, agreement_id: int, quantity: int, depot: str,
                   reason: str | None = None, expected_at: datetime | None = None) -> CallOff:
    """Call off part of an agreement for a caller that has checked the actor's role itself
    (orders made from a plan, which planners make too).

    :raise StateConflict: when the agreement is not active or outside its validity.
    :raise InvalidInput: when more is asked than the agreement still commits.
    """
    with unit_of_work(session):
        agreement = _locked(session, Agreement, agreement_id)
        if agreement is None:
            raise NotFound(f"没有编号为 {agreement_id} 的协议。", f"No agreement {agreement_id}.")
        if agreement.status != "active":
            raise StateConflict(f"协议 {agreement.number} 未处于有效状态，不能调用。",
                                f"Agreement {agreement.number} is not active.")
        if not agreement.valid_from <= clock.today() <= agreement.valid_until:
            raise StateConflict(f"协议 {agreement.number} 不在有效期内（{agreement.valid_from}"
                                f" 至 {agreement.valid_until}）。",
                                f"Agreement {agreement.number} is outside its validity period.")
        left = remaining_by_agreement(session).get(agreement.id, 0)
        if quantity <= 0 or quantity > left:
            raise InvalidInput(f"协议 {agreement.number} 尚余 {left}，不能调用 {quantity}。",
                               f"Agreement {agreement.number} has {left} left, not {quantity}.",
                               {"quantity": [f"1 to {left}"]})
        depot_row = session.scalar(select(Depot).where(Depot.code == depot))
        if depot_row is None:
            raise NotFound(f"没有编号为 {depot} 的储备库。", f"No depot with code {depot}.")
        row = CallOff(agreement_id=agreement.id, quantity=quantity, depot_id=depot_row.id,
                      reason=reason, status="expected", expected_at=expected_at)
        session.add(row)
        session.flush()
        audit.record(session, actor, "agreement.call_off", "agreement", agreement.id,
                     call_off=row.id, quantity=quantity, depot=depot,
                     before={"remaining": left}, after={"remaining": left - quantity})
    return row


def receive_call_off(session, actor, *, call_off_id: int, quantity: int | None = None,
                     lot_code: str | None = None, expires_on: date | None = None,
                     manufactured_on: date | None = None,
                     occurred_at: datetime | None = None) -> CallOff:
    """Receive a called-off delivery into its depot as a lot whose source is the agreement."""
    from inventory.stock import services as stock

    with unit_of_work(session):
        row = _locked(session, CallOff, call_off_id)
        if row is None:
            raise NotFound(f"没有编号为 {call_off_id} 的调用记录。", f"No call-off {call_off_id}.",
                           {"call_off": ["unknown call-off"]})
        if row.status != "expected":
            raise StateConflict("该调用不在待到货状态。", "This call-off is not awaiting delivery.")
        quantity = row.quantity if quantity is None else quantity
        if quantity <= 0:
            raise InvalidInput("到货数量须为正整数。", "The quantity received must be positive.",
                               {"quantity": ["> 0"]})
        agreement = row.agreement
        lot, receipts = stock.receive(
            session, actor, depot=row.depot.code, item=agreement.item.code, quantity=quantity,
            lot_code=lot_code, expires_on=expires_on, manufactured_on=manufactured_on,
            unit_cost=agreement.unit_price, source="contract", reference=agreement.number,
            reason=f"协议调用 {agreement.number}", occurred_at=occurred_at)
        row.status, row.received_quantity, row.lot_id = "received", quantity, lot.id
        row.received_at = receipts[0].occurred_at
        audit.record(session, actor, "agreement.receive_call_off", "agreement",
                     row.agreement_id, call_off=row.id, lot=lot.id,
                     before={"call_off_status": "expected", "received_quantity": None},
                     after={"call_off_status": "received", "received_quantity": quantity})
    return row


def settle(session, actor, *, call_off_id: int, reference: str | None = None) -> CallOff:
    """Record what is owed for a received call-off: units received × the tender price."""
    ensure_role(actor, *MANAGERS)
    with unit_of_work(session):
        row = _locked(session, CallOff, call_off_id)
        if row is None or row.status != "received" or row.settled_at is not None:
            raise InvalidInput("只能结算已到货且未结算的调用。",
                               "Only a received, unsettled call-off can be settled.")
        price = row.agreement.unit_price or Decimal(0)
        row.settled_amount = (price * row.received_quantity).quantize(Decimal("0.01"))
        row.settled_at, row.settlement_reference = utcnow(), reference
        audit.record(session, actor, "agreement.settle", "agreement", row.agreement_id,
                     call_off=row.id,
                     before={"settled_amount": None, "settlement_reference": None},
                     after={"settled_amount": audit.plain(row.settled_amount),
                            "settlement_reference": reference})
    return row


def create_capacity(session, actor, *, enterprise: str, item: str, rate_per_hour: float,
                    ramp_hours: float, max_quantity: int, area: str, valid_from: date,
                    valid_until: date, unit_price: float | None = None,
                    contact_name: str | None = None, contact_phone: str | None = None,
                    note: str | None = None) -> CapacityReserve:
    """Record a capacity reserve (产能储备)."""
    ensure_role(actor, *MANAGERS)
    if rate_per_hour <= 0 or max_quantity <= 0 or ramp_hours < 0:
        raise InvalidInput("产能、最大数量须为正，准备时间不能为负。",
                           "Rate and maximum must be positive and ramp-up not negative.")
    with unit_of_work(session):
        area_row = session.scalar(select(Area).where(Area.code == area))
        if area_row is None:
            raise NotFound(f"没有编码为 {area} 的行政区。", f"No area with code {area}.")
        reserve = CapacityReserve(
            enterprise=enterprise, item_id=_item(session, item).id,
            rate_per_hour=Decimal(str(rate_per_hour)), ramp_hours=Decimal(str(ramp_hours)),
            max_quantity=max_quantity, area_id=area_row.id, valid_from=valid_from,
            valid_until=valid_until, contact_name=contact_name, contact_phone=contact_phone,
            unit_price=None if unit_price is None else Decimal(str(unit_price)), note=note)
        session.add(reserve)
        session.flush()
        audit.record(session, actor, "capacity.create", "capacity", reserve.id,
                     before=None, after=audit.snapshot(reserve))
    return reserve


@dataclass
class ReserveLine:
    item: Item
    on_shelf: int
    usable: int
    contract: int
    capacity: int


def reserves_by_item(session, on: date | None = None) -> list[ReserveLine]:
    """Every item's physical stock beside its contract and capacity reserves (not on the shelf).

    Contract: what valid agreements still commit. Capacity: the most valid firms can make
    in one response.
    """
    day = on or clock.today()
    shelf = {item_id: (int(total), int(usable or 0)) for item_id, total, usable in session.execute(
        select(Lot.item_id, func.sum(Lot.quantity),
               func.sum(Lot.quantity).filter(Lot.status == "available",
                                             or_(Lot.expires_on.is_(None),
                                                 Lot.expires_on >= day)))
        .where(Lot.quantity > 0).group_by(Lot.item_id)).all()}
    remaining = remaining_by_agreement(session)
    contract: dict[int, int] = {}
    for agreement in session.scalars(select(Agreement).where(
            Agreement.status == "active", Agreement.valid_from <= day,
            Agreement.valid_until >= day)):
        contract[agreement.item_id] = (contract.get(agreement.item_id, 0)
                                       + max(0, remaining.get(agreement.id, 0)))
    capacity = dict(session.execute(
        select(CapacityReserve.item_id, func.sum(CapacityReserve.max_quantity))
        .where(CapacityReserve.valid_from <= day, CapacityReserve.valid_until >= day)
        .group_by(CapacityReserve.item_id)).all())
    ids = set(shelf) | set(contract) | set(capacity)
    items = session.scalars(select(Item).where(Item.id.in_(ids)).order_by(Item.category,
                                                                          Item.code)).all()
    return [ReserveLine(item, *shelf.get(item.id, (0, 0)), contract.get(item.id, 0),
                        int(capacity.get(item.id, 0))) for item in items]


@dataclass
class BeyondShelf:
    """How many reserves outside the depots the county can draw on today."""

    agreements: int
    firms: int


def beyond_the_shelf(session, on: date | None = None) -> BeyondShelf:
    """Count valid agreements that still commit something and valid capacity reserves."""
    day = on or clock.today()
    remaining = remaining_by_agreement(session)
    valid = session.scalars(select(Agreement.id).where(
        Agreement.status == "active", Agreement.valid_from <= day,
        Agreement.valid_until >= day)).all()
    firms = session.scalar(select(func.count(CapacityReserve.id)).where(
        CapacityReserve.valid_from <= day, CapacityReserve.valid_until >= day))
    return BeyondShelf(sum(1 for agreement_id in valid if remaining.get(agreement_id, 0) > 0),
                       int(firms or 0))
