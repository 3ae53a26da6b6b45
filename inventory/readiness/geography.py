"""Where depots and areas are, and the road hours between them: recorded, or estimated from
coordinates where none is recorded."""


from sqlalchemy import select

from inventory.geo.models import Area, Depot
from inventory.readiness import adequacy
from inventory.readiness.models import TravelTime

#: road speed (km/h) towards an area of each level, for travel estimated from coordinates:
#: county seats over national and provincial roads, townships over county roads, villages over
#: village roads
SPEED_KMH = {"county": 60.0, "township": 40.0, "village": 25.0}
#: road distance over straight-line distance
DETOUR_FACTOR = 1.4


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
