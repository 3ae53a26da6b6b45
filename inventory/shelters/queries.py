"""Reads of the shelter register: lists, capacity by area, and road hours from depots.

Road hours from a depot to a shelter, in this order:
1. the depot → shelter figure recorded (surveyed, imported or entered);
2. the depot → area figure recorded for the shelter's area (the travel table);
3. an estimate from coordinates: great-circle distance × the detour factor ÷ the road speed
   towards the shelter's area level, from the depot's place to the shelter's (or, where the
   shelter has none, its area's);
4. 0 when the depot stands in the shelter's area and no coordinates tell more;
otherwise unknown (None).
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.geo.models import Area, Depot
from inventory.readiness import adequacy
from inventory.readiness.geography import Geography
from inventory.shelters.models import Shelter, ShelterTravelTime
from inventory.stock.models import Lot
from inventory.transfers.models import Transfer, TransferLine

#: where a route's hours came from, besides the travel sources (survey, import, manual)
AREA_FIGURE, ESTIMATE, SAME_AREA = "area", "estimate", "same_area"
BASIS_LABELS = {"survey": N_("实测"), "import": N_("导入"), "manual": N_("手工录入"),
                AREA_FIGURE: N_("按至所在区域的路程"), ESTIMATE: N_("按坐标估算"),
                SAME_AREA: N_("同一区域")}


def find_shelter(session, code: str) -> Shelter | None:
    """Return the shelter with the code, or None."""
    return session.scalar(select(Shelter).where(Shelter.code == code))


def list_shelters(session, *, area: str | None = None, shelter_class: str | None = None,
                  active: bool | None = None) -> list[Shelter]:
    """Return shelters by code; ``area`` keeps those in that area or any area below it."""
    stmt = select(Shelter).order_by(Shelter.code)
    if area is not None:
        stmt = stmt.where(Shelter.area_id.in_(area_and_below(session, area)))
    if shelter_class is not None:
        stmt = stmt.where(Shelter.shelter_class == shelter_class)
    if active is not None:
        stmt = stmt.where(Shelter.active.is_(active))
    return list(session.scalars(stmt))


def area_and_below(session, code: str) -> set[int]:
    """Return the ids of the area with the code and of every area below it (none if unknown)."""
    children: dict[int | None, list[int]] = {}
    root = None
    for area_id, parent_id, area_code in session.execute(
            select(Area.id, Area.parent_id, Area.code)):
        children.setdefault(parent_id, []).append(area_id)
        if area_code == code:
            root = area_id
    found, frontier = set(), [] if root is None else [root]
    while frontier:
        area_id = frontier.pop()
        found.add(area_id)
        frontier.extend(children.get(area_id, []))
    return found


@dataclass(frozen=True)
class AreaShelters:
    """The active shelters in an area and the areas below it."""

    count: int
    people: int


def capacity_by_area(session) -> dict[int, AreaShelters]:
    """Return, for every area with shelters in it or below it, their count and capacity."""
    parents = dict(session.execute(select(Area.id, Area.parent_id)).all())
    totals: dict[int, tuple[int, int]] = {}
    for area_id, count, people in session.execute(
            select(Shelter.area_id, func.count(Shelter.id), func.sum(Shelter.capacity_people))
            .where(Shelter.active.is_(True)).group_by(Shelter.area_id)):
        seen = set()
        while area_id is not None and area_id not in seen:  # guard against a loop in the tree
            seen.add(area_id)
            held = totals.get(area_id, (0, 0))
            totals[area_id] = (held[0] + count, held[1] + int(people))
            area_id = parents.get(area_id)
    return {area_id: AreaShelters(*found) for area_id, found in totals.items()}


def shelters_in_area(session, area_id: int) -> list[Shelter]:
    """Return the active shelters in the area and below it, largest first."""
    code = session.scalar(select(Area.code).where(Area.id == area_id))
    below = area_and_below(session, code) if code else set()
    return list(session.scalars(
        select(Shelter).where(Shelter.area_id.in_(below), Shelter.active.is_(True))
        .order_by(Shelter.capacity_people.desc(), Shelter.code)))


@dataclass(frozen=True)
class Route:
    """Road hours from a depot to a shelter, and where the figure came from."""

    depot_code: str
    shelter_code: str
    #: None when nothing tells: no figure recorded and no coordinates
    hours: float | None
    #: survey, import, manual (recorded for the pair), area (the depot → area figure),
    #: estimate (from coordinates), same_area, or None
    basis: str | None


class ShelterRoutes:
    """Depots, shelters and recorded figures, looked up once for many routes."""

    def __init__(self, session):
        self.geo = Geography(session)
        self.shelters = {s.id: s for s in session.execute(
            select(Shelter.id, Shelter.code, Shelter.area_id, Shelter.latitude,
                   Shelter.longitude, Shelter.depot_id))}
        self.recorded = {(t.depot_id, t.shelter_id): (float(t.hours), t.source)
                         for t in session.execute(select(
                             ShelterTravelTime.depot_id, ShelterTravelTime.shelter_id,
                             ShelterTravelTime.hours, ShelterTravelTime.source))}
        self.depot_codes = dict(session.execute(select(Depot.id, Depot.code)).all())

    def route(self, depot_id: int, shelter_id: int) -> Route:
        """Road hours from the depot to the shelter (see the module's docstring)."""
        shelter = self.shelters[shelter_id]
        hours, basis = self._hours(depot_id, shelter)
        return Route(self.depot_codes[depot_id], shelter.code, hours, basis)

    def _hours(self, depot_id: int, shelter) -> tuple[float | None, str | None]:
        depot = self.geo.depots.get(depot_id)
        if depot is None:
            return None, None  # an inactive depot sends nothing
        if depot_id == shelter.depot_id:
            return 0.0, SAME_AREA
        if (depot_id, shelter.id) in self.recorded:
            return self.recorded[depot_id, shelter.id]
        known = self.geo.known.get((depot_id, shelter.area_id))
        if known is not None:
            return known, AREA_FIGURE
        area = self.geo.areas[shelter.area_id]
        lat, lon = ((shelter.latitude, shelter.longitude) if shelter.latitude is not None
                    else (area.latitude, area.longitude))
        if None not in (depot.latitude, depot.longitude, lat, lon):
            km = adequacy.great_circle_km(float(depot.latitude), float(depot.longitude),
                                          float(lat), float(lon))
            return adequacy.estimate_hours(km, self.geo.detour,
                                           self.geo.speed[area.level]), ESTIMATE
        if depot.area_id == shelter.area_id:
            return 0.0, SAME_AREA
        return None, None


def routes_to(session, shelter: Shelter, *, kinds=("government", "enterprise", "community"),
              levels=("county", "township", "village")) -> list[Route]:
    """Road hours to one shelter from every active depot of the given kinds and tiers,
    nearest first."""
    table = ShelterRoutes(session)
    depots = session.scalars(
        select(Depot.id).join(Area, Area.id == Depot.area_id)
        .where(Depot.active.is_(True), Depot.kind.in_(kinds), Area.level.in_(levels))).all()
    found = [table.route(depot_id, shelter.id) for depot_id in depots]
    return sorted(found, key=lambda r: (r.hours is None, r.hours or 0, r.depot_code))


def recorded_travel(session, *, depot: str | None = None,
                    shelter: str | None = None) -> list[ShelterTravelTime]:
    """Return the depot → shelter figures recorded, by depot and shelter code."""
    stmt = (select(ShelterTravelTime).join(Depot, Depot.id == ShelterTravelTime.depot_id)
            .join(Shelter, Shelter.id == ShelterTravelTime.shelter_id)
            .order_by(Depot.code, Shelter.code))
    if depot is not None:
        stmt = stmt.where(Depot.code == depot)
    if shelter is not None:
        stmt = stmt.where(Shelter.code == shelter)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Supply:
    """One item at a shelter's receiving point: on hand, and on its way there."""

    code: str
    name: str
    unit: str
    on_hand: int
    in_transit: int


def supplies_at(session, shelter: Shelter) -> list[Supply]:
    """Return what the shelter's receiving point holds and awaits, by item."""
    on_hand = dict(session.execute(
        select(Lot.item_id, func.sum(Lot.quantity))
        .where(Lot.depot_id == shelter.depot_id, Lot.quantity > 0).group_by(Lot.item_id)).all())
    coming = dict(session.execute(
        select(TransferLine.item_id, func.sum(TransferLine.quantity))
        .join(Transfer, Transfer.id == TransferLine.transfer_id)
        .where(Transfer.to_depot_id == shelter.depot_id, Transfer.status == "dispatched")
        .group_by(TransferLine.item_id)).all())
    items = session.scalars(select(Item).where(Item.id.in_(set(on_hand) | set(coming)))
                            .order_by(Item.code))
    return [Supply(item.code, item.name_zh, item.unit, int(on_hand.get(item.id, 0)),
                   int(coming.get(item.id, 0))) for item in items]
