"""Small factories for tests: a county with two depots, a few items and users of every role."""

from dataclasses import dataclass, field
from decimal import Decimal

from inventory.auth.services import create_token, create_user
from inventory.catalogue.models import Item
from inventory.geo.models import Area, Depot

PASSWORD = "correct horse battery"


def make_area(session, code, name, level, parent=None) -> Area:
    area = Area(code=code, name=name, level=level, parent=parent)
    session.add(area)
    session.flush()
    return area


def make_depot(session, code, area, *, name=None, kind="government", capacity=500) -> Depot:
    depot = Depot(code=code, name=name or f"储备点 {code}", area=area, kind=kind,
                  capacity_m3=Decimal(capacity), active=True)
    session.add(depot)
    session.flush()
    return depot


def make_item(session, code, *, name=None, shelf_life_days=None, unit="个",
              volume="0.01", weight="1") -> Item:
    item = Item(code=code, name_zh=name or code, name_en=code, category="生活类", unit=unit,
                shelf_life_days=shelf_life_days, unit_volume_m3=Decimal(volume),
                unit_weight_kg=Decimal(weight))
    session.add(item)
    session.flush()
    return item


@dataclass
class World:
    depots: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def headers(self, username, **extra):
        return {"Authorization": f"Bearer {self.tokens[username]}", **extra}


def make_world(session) -> World:
    """Build the standard test county and commit it."""
    world = World()
    county = make_area(session, "140522", "阳城县", "county")
    town = make_area(session, "140522100", "凤城镇", "township", county)
    village = make_area(session, "140522100201", "东关村", "village", town)
    world.depots["XZ-01"] = make_depot(session, "XZ-01", county, name="县级救灾物资储备库",
                                       capacity=4000)
    world.depots["TS-01"] = make_depot(session, "TS-01", town, name="凤城镇储备点")
    world.depots["VL-01"] = make_depot(session, "VL-01", village, name="东关村储备点",
                                       kind="community", capacity=30)
    world.items["SH-TENT-12"] = make_item(session, "SH-TENT-12", name="12平方米单帐篷",
                                          unit="顶", volume="0.25", weight="35")
    world.items["FW-WATER-5L"] = make_item(session, "FW-WATER-5L", name="桶装饮用水 5L",
                                           shelf_life_days=730, unit="桶", volume="0.0055",
                                           weight="5.2")
    world.items["FW-BISCUIT"] = make_item(session, "FW-BISCUIT", name="压缩饼干",
                                          shelf_life_days=1095, unit="包")
    session.commit()
    for username, role, depots in [
        ("admin", "admin", []),
        ("keeper", "keeper", ["XZ-01"]),
        ("keeper2", "keeper", ["TS-01"]),
        ("bureau", "bureau", []),
        ("auditor", "auditor", []),
        ("planner", "planner", []),
    ]:
        world.users[username] = create_user(session, username, PASSWORD, role, depots=depots)
        world.tokens[username] = create_token(session, username)
    return world
