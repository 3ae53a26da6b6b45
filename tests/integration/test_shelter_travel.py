"""Road hours to shelters, and what stock at a shelter counts for.

Geometry, by hand: the county warehouse XZ-01 stands at 35.40 N 112.40 E; the gym BN-01, in
the township 凤城镇, stands 0.1° of latitude north of it: 6371 km × 0.1° × π/180 = 11.12 km
straight, × 1.4 detour ÷ 40 km/h on township roads = 0.39 h. The village square BN-02, in 东关村,
has no coordinates: its village's (35.60 N 112.40 E) stand in, 0.2° north of the warehouse:
22.24 km × 1.4 ÷ 25 km/h on village roads = 1.25 h.
"""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from inventory.db import db
from inventory.geo.models import Area, Depot
from inventory.readiness import queries as readiness_queries
from inventory.readiness import services as readiness
from inventory.readiness.services import NormRow
from inventory.shelters import queries, services
from inventory.stock import services as stock

GYM = {"code": "BN-01", "name": "凤城镇中学体育馆", "shelter_class": "II", "capacity_people": 400,
       "area": "140522100", "latitude": 35.5, "longitude": 112.4}
SQUARE = {"code": "BN-02", "name": "东关村文化广场", "shelter_class": "III",
          "capacity_people": 300, "area": "140522100201"}


@pytest.fixture
def county(app, world):
    session = db.session
    for code, lat in [("140522", "35.40"), ("140522100", "35.50"), ("140522100201", "35.60")]:
        area = session.scalar(select(Area).where(Area.code == code))
        area.latitude, area.longitude = Decimal(lat), Decimal("112.40")
    warehouse = world.depots["XZ-01"]
    warehouse.latitude, warehouse.longitude = Decimal("35.40"), Decimal("112.40")
    session.commit()
    bureau = world.users["bureau"]
    services.create_shelter(session, bureau, **GYM)
    services.create_shelter(session, bureau, **SQUARE)
    return world


def _route(code_from: str, code_to: str) -> queries.Route:
    table = queries.ShelterRoutes(db.session)
    depot = db.session.scalar(select(Depot.id).where(Depot.code == code_from))
    shelter = services.get_shelter(db.session, code_to)
    return table.route(depot, shelter.id)


def test_without_figures_the_hours_are_estimated_from_coordinates(county):
    assert _route("XZ-01", "BN-01") == queries.Route("XZ-01", "BN-01", 0.39, "estimate")
    # No coordinates of its own: the village's stand in, at village road speed.
    assert _route("XZ-01", "BN-02") == queries.Route("XZ-01", "BN-02", 1.25, "estimate")


def test_a_depot_to_area_figure_beats_the_estimate_and_a_pair_figure_beats_both(county):
    bureau = county.users["bureau"]
    readiness.set_travel_time(db.session, bureau, depot="XZ-01", area="140522100", hours=0.7)
    assert _route("XZ-01", "BN-01") == queries.Route("XZ-01", "BN-01", 0.7, "area")
    services.set_travel_time(db.session, bureau, depot="XZ-01", shelter="BN-01", hours=0.55)
    assert _route("XZ-01", "BN-01") == queries.Route("XZ-01", "BN-01", 0.55, "manual")
    services.set_travel_time(db.session, bureau, depot="XZ-01", shelter="BN-01", hours=0.6,
                             source="survey")
    assert _route("XZ-01", "BN-01") == queries.Route("XZ-01", "BN-01", 0.6, "survey")
    assert [(t.depot.code, t.shelter.code, float(t.hours))
            for t in queries.recorded_travel(db.session)] == [("XZ-01", "BN-01", 0.6)]


def test_a_depot_in_the_shelters_area_without_coordinates_is_next_door(county):
    # TS-01 has no coordinates and stands in the gym's township.
    assert _route("TS-01", "BN-01") == queries.Route("TS-01", "BN-01", 0.0, "same_area")
    # The village point has none either, and another area: nothing tells.
    assert _route("VL-01", "BN-01") == queries.Route("VL-01", "BN-01", None, None)


def test_the_routes_to_a_shelter_list_every_ordinary_depot_nearest_first(county):
    services.set_travel_time(db.session, county.users["bureau"], depot="TS-01", shelter="BN-02",
                             hours=0.3)
    routes = queries.routes_to(db.session, services.get_shelter(db.session, "BN-02"))
    # The village point stands in the square's village: next door.
    assert [(r.depot_code, r.hours, r.basis) for r in routes] == [
        ("VL-01", 0.0, "same_area"), ("TS-01", 0.3, "manual"), ("XZ-01", 1.25, "estimate")]


def test_travel_to_a_shelter_refuses_its_own_receiving_point_and_bad_hours(county):
    from inventory.errors import InvalidInput, NotFound

    bureau = county.users["bureau"]
    with pytest.raises(InvalidInput):
        services.set_travel_time(db.session, bureau, depot="BN-01", shelter="BN-01", hours=1)
    with pytest.raises(InvalidInput):
        services.set_travel_time(db.session, bureau, depot="XZ-01", shelter="BN-01", hours=-1)
    with pytest.raises(NotFound):
        services.set_travel_time(db.session, bureau, depot="XZ-01", shelter="BN-99", hours=1)
    assert queries.recorded_travel(db.session) == []


def test_shelter_capacity_adds_up_through_the_area_tree(county):
    found = queries.capacity_by_area(db.session)
    ids = dict(db.session.execute(select(Area.code, Area.id)).all())
    assert found[ids["140522"]] == queries.AreaShelters(2, 700)
    assert found[ids["140522100"]] == queries.AreaShelters(2, 700)
    assert found[ids["140522100201"]] == queries.AreaShelters(1, 300)
    services.update_shelter(db.session, county.users["bureau"], "BN-02", active=False)
    assert queries.capacity_by_area(db.session)[ids["140522"]] == queries.AreaShelters(1, 400)
    assert [s.code for s in queries.shelters_in_area(db.session, ids["140522"])] == ["BN-01"]


def test_stock_at_a_shelter_counts_only_for_targets_whose_area_holds_it(county):
    """Ten tents at the gym (凤城镇) count for the township's target and the county's, not for
    the village's: they were delivered to the people sheltered at the gym."""
    session, bureau = db.session, county.users["bureau"]
    readiness.load_norms(session, [NormRow("SH-TENT-12", Decimal("0.25"), 72, "all", "", "")])
    stock.receive(session, county.users["admin"], depot="BN-01", item="SH-TENT-12", quantity=10,
                  lot_code="T-BN")
    counted = {}
    for area in ("140522", "140522100", "140522100201"):
        target = readiness.create_target(session, bureau, name=area, area=area, people=40,
                                        deadline_hours=24)
        [tents] = readiness_queries.assess_target(session, target, on=date.today()).items
        counted[area] = tents.physical
    assert counted == {"140522": 10, "140522100": 10, "140522100201": 0}


def test_receiving_points_are_not_held_to_tier_minimums_nor_counted_when_empty(county):
    session, bureau = db.session, county.users["bureau"]
    readiness.create_minimum(session, bureau, level="township", item="SH-TENT-12", quantity=1)
    [result] = readiness_queries.minimum_compliance(session)
    assert [d.code for d in result.depots] == ["TS-01"]
    overdue = {row["depot"] for row in readiness_queries.flags(session).depots_without_stocktake}
    assert "BN-01" not in overdue and "TS-01" in overdue
    stock.receive(session, county.users["admin"], depot="BN-01", item="SH-TENT-12", quantity=3,
                  lot_code="T-BN")
    overdue = {row["depot"] for row in readiness_queries.flags(session).depots_without_stocktake}
    assert "BN-01" in overdue  # holding stock, it is counted like any depot
