"""The demo county: 平罗县 (modelled on its 14th Five-Year emergency plan), with a year of history.

Everything goes through the same services the API uses, so the demo ledger is a real one:
hash-chained, balanced, and verifiable with ``flask verify-ledger``. The data is
deterministic for a given seed and day; only the recording times (and so the hashes)
change from one load to the next.

The year, counted back from today:
- day 0: opening stock (期初) at the county warehouse, an enterprise-hosted point,
  13 township points and their village points — roughly the 1,200-person shelter target
  of the plan, with deliberate gaps (folding beds, toilets, tents, rations, hygiene kits);
- purchases, a donation and a contract call-off; a receipt entered twice and reversed;
- an old drinking-water lot partly rotated out to school canteens, the rest written off
  when it expired; an expired biscuit lot written off; damaged tents written off;
- quarterly stocktake adjustments and the year-end count of the county and township depots
  (one village point's count awaiting approval); a disinfectant lot quarantined after sampling;
- seven emergency shelters (应急避难场所) with room for 3,550 people, the county seat's
  comprehensive shelter among them, which keeps a first-night store received by transfer;
- pre-positioning transfers before the flood season, a flood drill (防汛演练),
  a storm that drew on a township's stock, and a replenishment received with a
  discrepancy; one transfer in transit today and one still a draft; waybills for some of
  them (the bureau's and 城关镇's own vehicles, a 京东 lorry), one 顺丰 transport agreement;
- lots expiring within 30 and 90 days, and one expired lot not yet written off.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from inventory import clock
from inventory.auth.services import create_user
from inventory.catalogue.models import Item
from inventory.catalogue.seed import load_catalogue
from inventory.contracts import services as contracts
from inventory.contracts.models import Agreement
from inventory.donations import services as donations
from inventory.geo.models import Area, Depot
from inventory.outlets import services as outlets
from inventory.outlets.models import Outlet
from inventory.planning import headline
from inventory.readiness import services as readiness
from inventory.readiness.models import Target
from inventory.shelters import services as shelters
from inventory.shelters.models import Shelter
from inventory.stock import services as stock
from inventory.stock.models import Lot, Movement
from inventory.stocktake import services as stocktakes
from inventory.transfers import services as transfers
from inventory.transfers.models import Transfer
from inventory.transport import demo as transport_demo
from inventory.transport.models import Vehicle
from inventory.uow import unit_of_work

COUNTY = ("640221", "平罗县", Decimal("38.906"), Decimal("106.545"))

#: (code suffix, name, latitude, longitude, forest fire risk) — approximate positions
TOWNSHIPS = [
    ("100", "城关镇", "38.906", "106.545", False),
    ("101", "黄渠桥镇", "39.030", "106.580", False),
    ("102", "宝丰镇", "39.060", "106.620", False),
    ("103", "头闸镇", "38.980", "106.500", False),
    ("104", "姚伏镇", "38.820", "106.500", False),
    ("105", "崇岗镇", "38.970", "106.350", True),
    ("106", "陶乐镇", "38.830", "106.690", True),
    ("200", "高庄乡", "38.860", "106.570", False),
    ("201", "灵沙乡", "38.950", "106.620", False),
    ("202", "渠口乡", "38.790", "106.420", False),
    ("203", "通伏乡", "38.930", "106.580", False),
    ("204", "高仁乡", "38.750", "106.550", False),
    ("205", "红崖子乡", "38.980", "106.750", True),
]

VILLAGE_NAMES = [
    "东风村", "永丰村", "新华村", "红光村", "胜利村", "前进村", "团结村", "和平村", "联丰村",
    "星火村", "光明村", "富民村", "幸福村", "金星村", "新民村", "兴隆村", "长胜村", "丰收村",
    "六中村", "五香村", "西河村", "南园村", "北渠村", "沙湖村", "太西村", "庙庙湖村",
    "高荣村", "通城村", "银河村", "临山村",
]
COMMUNITY_NAMES = ["鼓楼社区", "南街社区", "北街社区", "西大街社区", "玉皇阁社区", "翠湖社区"]

SURNAMES = "王李张刘陈杨马赵周吴徐孙胡朱高林何郭罗"
GIVEN = ["建国", "海燕", "志强", "秀英", "立军", "玉兰", "永红", "学文", "桂芳", "国庆",
         "晓东", "丽娟", "德福", "春梅", "振华", "金花"]

#: tender prices in yuan, planning estimates for the demo
UNIT_COST = {
    "SH-TENT-12": 950, "SH-TENT-36": 4200, "SH-QUILT": 180, "SH-BLANKET": 90, "SH-COAT": 220,
    "SH-BED": 160, "SH-TOILET": 1200, "SH-HYGIENE": 60, "SH-LIGHT": 800, "SH-TARP": 45,
    "SH-STOVE": 650, "SH-SLEEPBAG": 150, "FW-WATER-5L": 12, "FW-BISCUIT": 6, "FW-NOODLE": 45,
    "FW-SELFHEAT": 18, "MD-FIRSTAID": 150, "MD-DISINFECT": 40, "MD-MASK": 35,
    "FL-SANDBAG": Decimal("1.2"), "FL-GEOTEX": 300, "FL-LIFEJACKET": 120,
    "FL-RUBBERBOAT": 6500, "FL-ASSAULTBOAT": 38000, "FL-OUTBOARD": 22000, "FL-PUMP": 9000,
    "FL-GENSET": 15000, "FL-LIGHTTOWER": 30000, "FL-NET": 25, "FF-BEATER": 2800, "FF-SUIT": 600,
    "FF-HELMET": 900, "FF-MASK": 180, "FS-HOSE": 400, "FS-FOAM": 700, "CM-RADIO": 1500,
    "CM-SATPHONE": 6800, "MR-POWER": 3500,
}

#: opening stock of the county warehouse: item → quantity (durable goods)
COUNTY_DURABLE = {
    "SH-TENT-12": 240, "SH-TENT-36": 20, "SH-QUILT": 700, "SH-BLANKET": 480, "SH-COAT": 560,
    "SH-BED": 560, "SH-TOILET": 10, "SH-LIGHT": 30, "SH-TARP": 200, "SH-STOVE": 40,
    "SH-SLEEPBAG": 150, "FL-SANDBAG": 20000, "FL-GEOTEX": 40, "FL-LIFEJACKET": 300,
    "FL-RUBBERBOAT": 6, "FL-ASSAULTBOAT": 2, "FL-OUTBOARD": 2, "FL-PUMP": 4, "FL-GENSET": 3,
    "FL-LIGHTTOWER": 1, "FL-NET": 500, "FF-BEATER": 20, "FF-SUIT": 40, "FF-HELMET": 40,
    "FS-HOSE": 30, "CM-RADIO": 40, "CM-SATPHONE": 4,
}

#: the county's emergency shelters (应急避难场所), after the plan's "在县城区建设综合性应急避难
#:场所" and the schools and halls townships open in a disaster: (code, township index, name,
#: class, people, site m², latitude and longitude offsets from the township, address, operator)
SHELTERS = [
    ("BN-01-01", 1, "平罗县县城综合应急避难场所", "I", 1500, 30000, "0.004", "-0.006",
     "平罗县城关镇鼓楼南街 县体育中心", "平罗县应急管理局"),
    ("BN-01-02", 1, "平罗中学体育馆", "II", 600, 2400, "-0.005", "0.003",
     "平罗县城关镇平罗中学", "平罗中学"),
    ("BN-02-01", 2, "黄渠桥镇中心小学操场", "III", 300, 5000, "0.002", "0.004",
     "平罗县黄渠桥镇中心街", "黄渠桥镇中心小学"),
    ("BN-03-01", 3, "宝丰镇中学体育馆", "II", 250, 1200, "-0.003", "-0.002",
     "平罗县宝丰镇宝丰中学", "宝丰镇人民政府"),
    ("BN-05-01", 5, "姚伏镇中心小学", "III", 350, 6000, "0.003", "0.002",
     "平罗县姚伏镇中心小学", "姚伏镇人民政府"),
    ("BN-06-01", 6, "崇岗镇综合文化站", "II", 150, 900, "0.001", "-0.004",
     "平罗县崇岗镇文化路", "崇岗镇人民政府"),
    ("BN-07-01", 7, "陶乐镇文化广场", "III", 400, 8000, "-0.002", "0.005",
     "平罗县陶乐镇人民广场", "陶乐镇人民政府"),
]
#: road hours surveyed from the county warehouse (陶乐 lies across the Yellow River)
SHELTER_ROUTES = {"BN-01-01": Decimal("0.25"), "BN-07-01": Decimal("1.1")}

PASSWORDS = {"admin": "demo-admin", "bureau": "demo-bureau", "planner": "demo-planner",
             "auditor": "demo-auditor", "keeper": "demo-keeper"}

START_HOUR = time(9, 0)


@dataclass
class _Demo:
    session: object
    rng: random.Random
    today: date
    depots: dict[str, Depot] = field(default_factory=dict)
    keepers: dict[str, object] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    lots: dict[str, int] = field(default_factory=dict)
    events: list[tuple[datetime, int, Callable[[], None]]] = field(default_factory=list)
    counter: int = 0
    references: dict[str, int] = field(default_factory=dict)

    @property
    def start(self) -> date:
        return self.today - timedelta(days=365)

    def moment(self, day: int, hour: int = 9, minute: int = 0) -> datetime:
        """The local time ``day`` days after the start of the year of history."""
        return datetime.combine(self.start + timedelta(days=day), time(hour, minute),
                                tzinfo=clock.TIMEZONE)

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        self.counter += 1
        self.events.append((when, self.counter, action))

    def reference(self, prefix: str, when: datetime) -> str:
        key = f"{prefix}-{when.year}"
        self.references[key] = self.references.get(key, 0) + 1
        return f"{key}-{self.references[key]:03d}"

    def keeper_of(self, depot_code: str):
        return self.keepers[depot_code]


def seed(session, seed: int = 2026, today: date | None = None) -> dict:
    """Load the demo county into an empty database, in one transaction.

    :param seed: seeds the random choices (village counts, quantities, names).
    :param today: the last day of the year of history; not after the real today.
    :return: counts of what was loaded.
    """
    demo = _Demo(session=session, rng=random.Random(seed), today=today or clock.today())
    with unit_of_work(session):
        load_catalogue(session)
        _build_geography(demo)
        _build_users(demo)
        _build_shelters(demo)
        transport_demo.build_fleet(session, demo.users["bureau"], demo.today)
        _plan_opening_stock(demo)
        _plan_history(demo)
        for _when, _order, action in sorted(demo.events, key=lambda event: event[:2]):
            action()
        _build_readiness(demo)
        _build_outlets(demo)
        _build_planning(demo)
        _count_depots(demo)
        session.flush()
        summary = {
            "areas": session.scalar(select(func.count(Area.id))),
            "depots": session.scalar(select(func.count(Depot.id))),
            "items": session.scalar(select(func.count(Item.id))),
            "users": len(demo.users),
            "lots": session.scalar(select(func.count(Lot.id))),
            "movements": session.scalar(select(func.count(Movement.id))),
            "transfers": session.scalar(select(func.count(Transfer.id))),
            "agreements": session.scalar(select(func.count(Agreement.id))),
            "targets": session.scalar(select(func.count(Target.id))),
            "shelters": session.scalar(select(func.count(Shelter.id))),
            "outlets": session.scalar(select(func.count(Outlet.id))),
            "vehicles": session.scalar(select(func.count(Vehicle.id))),
        }
    return summary


# -- areas, depots and users -------------------------------------------------

def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    phone = f"139{rng.randrange(10**8):08d}"
    return name, phone


def _depot(demo: _Demo, code: str, name: str, area: Area, kind: str, capacity: int,
           address: str) -> Depot:
    keeper_name, keeper_phone = _person(demo.rng)
    depot = Depot(code=code, name=name, area=area, kind=kind, capacity_m3=Decimal(capacity),
                  latitude=area.latitude, longitude=area.longitude, address=address,
                  keeper_name=keeper_name, keeper_phone=keeper_phone, active=True)
    demo.session.add(depot)
    demo.depots[code] = depot
    return depot


def _build_geography(demo: _Demo) -> None:
    session, rng = demo.session, demo.rng
    code, name, lat, lon = COUNTY
    county = Area(code=code, name=name, level="county", latitude=lat, longitude=lon)
    session.add(county)
    # About 1,300 m² of floor at some 4 m of usable stacking height.
    _depot(demo, "XZ-01", "平罗县救灾物资储备库", county, "government", 5200,
           "平罗县城关镇太沙工业园区")
    _depot(demo, "DC-01", "平罗县粮油集团代储点", county, "enterprise", 800,
           "平罗县城关镇南环路")
    for index, (suffix, town_name, t_lat, t_lon, _forest) in enumerate(TOWNSHIPS, start=1):
        town = Area(code=code + suffix, name=town_name, level="township", parent=county,
                    latitude=Decimal(t_lat), longitude=Decimal(t_lon))
        session.add(town)
        _depot(demo, f"TS-{index:02d}", f"{town_name}应急物资储备点", town, "government",
               rng.choice([60, 80, 100, 120, 150]), f"平罗县{town_name}人民政府院内")
        names = COMMUNITY_NAMES if town_name == "城关镇" else VILLAGE_NAMES
        for v_index, v_name in enumerate(rng.sample(names, rng.randint(3, 6)), start=1):
            village = Area(
                code=f"{code}{suffix}{200 + v_index:03d}", name=v_name, level="village",
                parent=town,
                latitude=Decimal(t_lat) + Decimal(rng.randint(-150, 150)) / 10000,
                longitude=Decimal(t_lon) + Decimal(rng.randint(-150, 150)) / 10000)
            session.add(village)
            _depot(demo, f"VL-{index:02d}-{v_index:02d}", f"{v_name}应急物资储备点", village,
                   "community", rng.choice([10, 15, 20, 30]), f"{town_name}{v_name}村委会")
    session.flush()


def _build_users(demo: _Demo) -> None:
    session = demo.session

    def add(username, role, display_name, depots=()):
        password = PASSWORDS["keeper" if role == "keeper" else username]
        user = create_user(session, username, password, role, depots=list(depots),
                           display_name=display_name)
        demo.users[username] = user
        for code in depots:
            demo.keepers[code] = user
        return user

    add("admin", "admin", "系统管理员")
    add("bureau", "bureau", "县应急管理局 物资保障股")
    add("planner", "planner", "县应急管理局 规划科")
    add("auditor", "auditor", "县审计局 审计员")
    add("keeper01", "keeper", demo.depots["XZ-01"].keeper_name, ["XZ-01", "DC-01"])
    for index in range(1, len(TOWNSHIPS) + 1):
        codes = [code for code in demo.depots
                 if code == f"TS-{index:02d}" or code.startswith(f"VL-{index:02d}-")]
        add(f"keeper-t{index:02d}", "keeper", demo.depots[f"TS-{index:02d}"].keeper_name, codes)


def _build_shelters(demo: _Demo) -> None:
    """The shelters, each looked after by its township's keeper, who receives supplies there."""
    session, bureau = demo.session, demo.users["bureau"]
    for (code, index, name, shelter_class, people, site, d_lat, d_lon, address,
         operator) in SHELTERS:
        suffix, _town, lat, lon, _forest = TOWNSHIPS[index - 1]
        contact_name, contact_phone = _person(demo.rng)
        shelter = shelters.create_shelter(
            session, bureau, code=code, name=name, shelter_class=shelter_class,
            capacity_people=people, area=COUNTY[0] + suffix, site_area_m2=site,
            latitude=Decimal(lat) + Decimal(d_lat), longitude=Decimal(lon) + Decimal(d_lon),
            address=address, operator=operator, contact_name=contact_name,
            contact_phone=contact_phone)
        keeper = demo.users[f"keeper-t{index:02d}"]
        keeper.depots.append(shelter.depot)
        demo.keepers[code] = keeper
        demo.depots[code] = shelter.depot
    for code, hours in SHELTER_ROUTES.items():
        shelters.set_travel_time(session, bureau, depot="XZ-01", shelter=code, hours=hours,
                                 source="survey")


# -- receipts -----------------------------------------------------------------

def _lot_code(demo: _Demo, depot: str, made: date | None, when: datetime) -> str:
    demo.counter += 1
    stamp = made or when.date()
    return f"{stamp:%y%m%d}-{depot.replace('-', '')}-{demo.counter:04d}"


def _receipt(demo: _Demo, when: datetime, depot: str, item: str, quantity: int, *,
             name: str | None = None, made: date | None = None, source: str = "purchase",
             reference: str | None = None, reason: str | None = None,
             unit_cost=None, lot_code: str | None = None) -> str:
    """Plan a receipt; ``name`` registers the lot for later events. Returns the lot code."""
    code = lot_code or _lot_code(demo, depot, made, when)

    def run():
        lot, _ = stock.receive(
            demo.session, demo.keeper_of(depot), depot=depot, item=item, quantity=quantity,
            lot_code=code, manufactured_on=made, source=source,
            unit_cost=unit_cost if unit_cost is not None else UNIT_COST.get(item),
            reference=reference, reason=reason, occurred_at=when)
        if name:
            demo.lots[name] = lot.id

    demo.at(when, run)
    return code


def _donation(demo: _Demo, when: datetime) -> None:
    """Plan a company's donation: quilts for the flood-hit townships, received at the county
    warehouse against its pledge (a lot whose source is the donation), and money."""
    def run():
        bureau = demo.users["bureau"]
        donor = donations.create_donor(demo.session, bureau, name="宁夏某爱心企业",
                                       kind="organisation", contact_name="刘经理",
                                       contact_phone="0952-6019999")
        pledge = donations.create_pledge(
            demo.session, bureau, donor=donor.id, pledged_on=when.date(), amount=20000,
            purpose="受灾群众安置和过冬", lines=[{"item": "SH-QUILT", "quantity": 200}])
        donations.receive_goods(demo.session, demo.keeper_of("XZ-01"), pledge.id, depot="XZ-01",
                                lines=[{"line": pledge.lines[0].id, "quantity": 200,
                                        "unit_cost": 0}], occurred_at=when)
        donations.receive_money(demo.session, bureau, pledge.id, amount=20000, received_at=when)

    demo.at(when, run)


def _plan_opening_stock(demo: _Demo) -> None:
    rng, today = demo.rng, demo.today
    when = demo.moment(0)
    opening = {"source": "opening", "reference": "期初", "reason": "系统上线期初库存"}

    def made(days_before_today: int) -> date:
        return today - timedelta(days=days_before_today)

    # County warehouse: durable goods, then food and medical lots of staggered age.
    for item, quantity in COUNTY_DURABLE.items():
        _receipt(demo, when, "XZ-01", item, quantity, name=f"XZ-01:{item}", **opening)
    # Water: an old lot that expires during the year (rotated, then written off) and a newer one.
    _receipt(demo, when, "XZ-01", "FW-WATER-5L", 900, made=made(365 + 600), name="old-water",
             **opening)
    _receipt(demo, when, "XZ-01", "FW-WATER-5L", 700, made=made(365 + 100), **opening)
    # Rations: one lot expires during the year, one is fresh.
    _receipt(demo, when, "XZ-01", "FW-BISCUIT", 1200, made=made(365 + 900), name="old-biscuit",
             **opening)
    _receipt(demo, when, "XZ-01", "FW-BISCUIT", 1300, made=made(365 + 200), **opening)
    _receipt(demo, when, "XZ-01", "SH-HYGIENE", 160, made=made(365 + 120), **opening)
    _receipt(demo, when, "XZ-01", "SH-FAMILYKIT", 80, made=made(365 + 300), **opening)
    _receipt(demo, when, "XZ-01", "MD-FIRSTAID", 20, made=made(365 + 200), **opening)
    _receipt(demo, when, "XZ-01", "MD-DISINFECT", 100, made=made(365 + 60), name="disinfect",
             **opening)
    _receipt(demo, when, "XZ-01", "MD-MASK", 200, made=made(365 + 90), **opening)
    _receipt(demo, when, "XZ-01", "FF-MASK", 40, made=made(365 + 400), **opening)
    _receipt(demo, when, "XZ-01", "FS-FOAM", 20, made=made(365 + 500), **opening)
    _receipt(demo, when, "XZ-01", "MR-POWER", 6, made=made(365 + 200), **opening)
    # The enterprise-hosted point holds drinking water and food for the bureau.
    _receipt(demo, when, "DC-01", "FW-WATER-550", 400, made=made(300), **opening)
    _receipt(demo, when, "DC-01", "FW-CANNED", 600, made=made(365 + 150), **opening)
    _receipt(demo, when, "DC-01", "FW-SELFHEAT", 300, made=made(250), name="selfheat",
             **opening)

    for index, (_suffix, _town, _lat, _lon, forest) in enumerate(TOWNSHIPS, start=1):
        code = f"TS-{index:02d}"
        for item, low, high in [
            ("SH-TENT-12", 4, 8), ("SH-QUILT", 20, 40), ("SH-BED", 15, 25),
            ("SH-BLANKET", 10, 20), ("SH-COAT", 15, 25), ("FL-LIFEJACKET", 10, 30),
            ("FL-SANDBAG", 500, 1500), ("CM-RADIO", 2, 4),
        ]:
            _receipt(demo, when, code, item, rng.randint(low, high), name=f"{code}:{item}",
                     **opening)
        _receipt(demo, when, code, "FW-WATER-5L", rng.randint(30, 60),
                 made=made(rng.choice([400, 500, 650, 700])), name=f"{code}:FW-WATER-5L",
                 **opening)
        _receipt(demo, when, code, "FW-BISCUIT", rng.randint(40, 80),
                 made=made(rng.randint(380, 700)), name=f"{code}:FW-BISCUIT", **opening)
        _receipt(demo, when, code, "MD-FIRSTAID", rng.randint(1, 2), made=made(500), **opening)
        if index % 3 == 0:
            _receipt(demo, when, code, "CM-SATPHONE", 1, **opening)
        if forest:
            _receipt(demo, when, code, "FF-BEATER", rng.randint(2, 4), **opening)
            _receipt(demo, when, code, "FF-SUIT", rng.randint(4, 8), **opening)

    for code in [code for code in demo.depots if code.startswith("VL-")]:
        for item, low, high in [("SH-QUILT", 3, 6), ("FL-LIFEJACKET", 2, 5),
                                ("FL-SANDBAG", 100, 300)]:
            _receipt(demo, when, code, item, rng.randint(low, high), name=f"{code}:{item}",
                     **opening)
        _receipt(demo, when, code, "FW-WATER-5L", rng.randint(6, 12),
                 made=made(rng.randint(200, 600)), name=f"{code}:FW-WATER-5L", **opening)
        _receipt(demo, when, code, "MD-FIRSTAID", 1, made=made(rng.randint(300, 900)),
                 **opening)


# -- the year -----------------------------------------------------------------

def _issue(demo: _Demo, when: datetime, depot: str, *, quantity: int, item: str | None = None,
           lot: str | None = None, kind: str = "issue", reason: str, recipient: str | None = None,
           reference: str | None = None) -> None:
    def run():
        stock.issue(demo.session, demo.keeper_of(depot), depot=depot, item=item,
                    lot=demo.lots[lot] if lot else None, quantity=quantity, kind=kind,
                    reason=reason, recipient=recipient, reference=reference, occurred_at=when)

    demo.at(when, run)


def _transfer(demo: _Demo, day: int, source: str, target: str, lines: list[tuple[str, int]], *,
              reason: str, received: dict[str, int] | None = None, receive_after: int | None = 1,
              dispatch: bool = True, waybill: dict | None = None,
              trip_hours: float | None = None) -> None:
    """Plan a transfer: drafted on ``day``, dispatched the same afternoon, received
    ``receive_after`` days later (None: still in transit). ``received`` gives the
    quantities actually received, by item code, where they fall short. ``waybill`` gives
    the load's waybill (plate, seal, …), scanned in ``trip_hours`` after it left."""
    drafted = demo.moment(day, 8, 30)

    def run():
        bureau = demo.users["bureau"]
        transfer = transfers.create(
            demo.session, bureau, from_depot=source, to_depot=target, reason=reason,
            lines=[{"item": item, "quantity": quantity} for item, quantity in lines])
        transfer.created_at = drafted
        if not dispatch:
            return
        shipped = demo.moment(day, 14, 0)
        transfer, _ = transfers.dispatch(demo.session, demo.keeper_of(source), transfer.id,
                                         occurred_at=shipped)
        if waybill is not None:
            arrived = shipped + timedelta(hours=trip_hours) if trip_hours is not None else None
            transport_demo.record_trip(demo.session, demo.keeper_of(source),
                                       demo.keeper_of(target), transfer.id, arrived=arrived,
                                       **waybill)
        if receive_after is None:
            return
        arrived = demo.moment(day + receive_after, 10, 0)
        short = []
        for item, quantity in (received or {}).items():
            for line in transfer.lines:
                if line.item.code == item:
                    taken = min(quantity, line.quantity)
                    short.append({"lot": line.lot_id, "quantity": taken})
                    quantity -= taken
        transfers.receive(demo.session, demo.keeper_of(target), transfer.id, lines=short,
                          occurred_at=arrived)

    demo.at(drafted, run)


def _plan_history(demo: _Demo) -> None:
    rng = demo.rng
    days_to_today = (demo.today - demo.start).days

    # Rotation (更新轮换): the oldest drinking water goes to school canteens before it expires;
    # what is left is written off once it has expired.
    rotated = demo.moment(100, 10)
    _issue(demo, rotated, "XZ-01", lot="old-water", quantity=600, kind="rotation_out",
           reason="临期轮换，调往学校食堂", recipient="平罗县第一中学食堂",
           reference=demo.reference("LH", rotated))
    _write_off(demo, demo.moment(140, 15), "old-water", reason="过期报废（已轮换剩余部分）")

    # Purchases, a donation, a receipt entered twice and reversed.
    for day, depot, item, quantity, made_days in [
        (30, "XZ-01", "FW-WATER-5L", 800, 10), (90, "XZ-01", "SH-COAT", 200, None),
        (180, "XZ-01", "FW-BISCUIT", 1500, 20), (320, "DC-01", "FW-SELFHEAT", 300, 15),
        (150, "XZ-01", "SH-BED", 120, None), (205, "XZ-01", "FL-SANDBAG", 5000, None),
    ]:
        when = demo.moment(day, 10)
        made = demo.start + timedelta(days=day - made_days) if made_days else None
        _receipt(demo, when, depot, item, quantity, made=made, reference=demo.reference("CG", when),
                 reason="年度采购入库")
    _donation(demo, demo.moment(60, 11))
    twice = demo.moment(210, 10)
    hygiene_ref = demo.reference("CG", twice)
    hygiene = _receipt(demo, twice, "XZ-01", "SH-HYGIENE", 50,
                       made=twice.date() - timedelta(days=30), name="hygiene",
                       reference=hygiene_ref, reason="年度采购入库")
    _receipt(demo, demo.moment(210, 10, 5), "XZ-01", "SH-HYGIENE", 50, lot_code=hygiene,
             made=twice.date() - timedelta(days=30), reference=hygiene_ref, reason="年度采购入库")
    _reverse_receipt(demo, demo.moment(211, 9), "hygiene",
                     reason="同一采购单重复录入，冲正第二次入库")

    # The expired rations are written off; two tents were found damaged.
    _write_off(demo, demo.moment(200, 16), "old-biscuit", reason="超过保质期报废")
    _write_off(demo, demo.moment(280, 15), "XZ-01:SH-TENT-12", quantity=2,
               reason="鼠咬破损，无法修复")

    # Quarterly stocktakes of the county warehouse and one township point.
    _adjust(demo, demo.moment(91, 15), "XZ-01:SH-QUILT", delta=-3, reason="一季度盘点：短少")
    _adjust(demo, demo.moment(91, 15, 30), "XZ-01:FL-LIFEJACKET", delta=2,
            reason="一季度盘点：盘盈（上年未入账）")
    _adjust(demo, demo.moment(270, 11), "TS-08:FW-WATER-5L", delta=-4,
            reason="三季度盘点：桶体破损渗漏")

    # A disinfectant lot failed sampling and waits for re-testing.
    def quarantine():
        stock.set_lot_status(demo.session, demo.keeper_of("XZ-01"), lot=demo.lots["disinfect"],
                             status="quarantined", reason="抽检有效氯含量不合格，待复检")

    demo.at(demo.moment(250, 10), quarantine)

    # Pre-positioning before the flood season.
    _transfer(demo, 150, "XZ-01", "TS-05", [("SH-TENT-12", 10), ("SH-QUILT", 40)],
              reason="汛前物资预置")
    _transfer(demo, 152, "XZ-01", "TS-03", [("FL-SANDBAG", 2000), ("FL-LIFEJACKET", 20)],
              reason="汛前物资预置")
    _transfer(demo, 155, "XZ-01", "TS-07", [("FW-WATER-5L", 100), ("FW-BISCUIT", 200)],
              reason="河东片区汛前预置", receive_after=2)
    # The flood drill.
    drill = demo.moment(200, 9, 30)
    _issue(demo, drill, "TS-03", item="FL-SANDBAG", quantity=300,
           reason=f"{drill.year}年防汛应急演练", recipient="宝丰镇应急分队",
           reference=demo.reference("CK", drill))
    _issue(demo, drill, "TS-03", item="FL-LIFEJACKET", quantity=6,
           reason=f"{drill.year}年防汛应急演练（损耗）", recipient="宝丰镇应急分队",
           reference=demo.reference("CK", drill))
    # A storm: the township shelters families and the county replenishes it.
    storm = demo.moment(240, 21)
    for item, quantity in [("SH-QUILT", 25), ("FW-WATER-5L", 25), ("FW-BISCUIT", 30)]:
        _issue(demo, storm, "TS-05", item=item, quantity=quantity, reason="强降雨临时安置受灾群众",
               recipient="姚伏镇临时安置点（镇中心小学）", reference=demo.reference("CK", storm))
    _transfer(demo, 241, "XZ-01", "TS-05", [("SH-QUILT", 30), ("FW-WATER-5L", 60)],
              reason="灾后补库", received={"FW-WATER-5L": 58})
    called = demo.moment(245, 16)
    _receipt(demo, called, "XZ-01", "FW-WATER-5L", 300, made=called.date() - timedelta(days=5),
             source="contract", reference=demo.reference("XY", called),
             reason="协议储备调用入库（先使用后结算）")
    _transfer(demo, 243, "TS-01", "VL-01-02", [("SH-QUILT", 5)], reason="村级储备点补充")
    _transfer(demo, 300, "XZ-01", "TS-10", [("SH-BED", 20)], reason="乡镇储备点补充",
              waybill={"plate": "宁B·E1101", "seal": "QF-0301"}, trip_hours=1.4)
    # The county seat's shelter keeps a first-night store in its own storeroom.
    _transfer(demo, 310, "XZ-01", "BN-01-01",
              [("SH-QUILT", 100), ("FW-WATER-5L", 60), ("SH-BED", 40)],
              reason="县城综合应急避难场所物资储备间配置",
              waybill={"plate": "宁B·E1102", "seal": "QF-0310"}, trip_hours=0.4)
    _transfer(demo, 330, "TS-05", "TS-12", [("SH-TENT-12", 3)], reason="乡镇间调剂",
              waybill={"plate": "宁B·J5678", "seal": "JD-7731", "carrier": "JD",
                       "driver": ("吴师傅", "13895201234")}, trip_hours=1.1)
    # Winter: coats and blankets on their way today, and a draft for heating stoves.
    _transfer(demo, days_to_today - 1, "XZ-01", "TS-09", [("SH-COAT", 50), ("SH-BLANKET", 50)],
              reason="入冬前物资预置", receive_after=None,
              waybill={"plate": "宁B·E1101", "seal": "QF-1201"})
    _transfer(demo, days_to_today - 1, "XZ-01", "TS-11", [("SH-STOVE", 5)],
              reason="入冬前物资预置", dispatch=False)

    # Near expiry: noodles at some township points, and one village lot already expired.
    for index in rng.sample(range(1, len(TOWNSHIPS) + 1), 4):
        when = demo.moment(rng.randint(225, 235), 10)
        _receipt(demo, when, f"TS-{index:02d}", "FW-NOODLE", rng.randint(8, 15),
                 made=demo.today - timedelta(days=rng.randint(155, 170)),
                 reference=demo.reference("CG", when), reason="乡镇自购")
    when = demo.moment(190, 10)
    _receipt(demo, when, "VL-03-01", "FW-NOODLE", 6, made=demo.today - timedelta(days=190),
             reference=demo.reference("JZ", when), source="donation", unit_cost=0,
             reason="村民捐赠")


def _write_off(demo: _Demo, when: datetime, lot: str, *, reason: str,
               quantity: int | None = None) -> None:
    def run():
        lot_row = demo.session.get(Lot, demo.lots[lot])
        stock.write_off(demo.session, demo.keeper_of(lot_row.depot.code), lot=lot_row.id,
                        quantity=quantity, reason=reason,
                        reference=demo.reference("BF", when), occurred_at=when)

    demo.at(when, run)


def _count_depots(demo: _Demo) -> None:
    """The year-end count (年末盘点) of the county and township depots, approved by the bureau.

    Every lot agrees with the books (the year's variances were adjusted at the quarterly counts),
    so approval writes no ledger row. One village point's count waits for approval; the other
    village points have not been counted, which the readiness flags show.
    """
    session = demo.session
    counted = ["XZ-01", "DC-01", *(f"TS-{index:02d}" for index in range(1, len(TOWNSHIPS) + 1)),
               "BN-01-01"]
    for code in [*counted, "VL-01-01"]:
        keeper = demo.keeper_of(code)
        sheet = stocktakes.start(session, keeper, depot=code, note="年末盘点")
        for lot in stocktakes.uncounted_lots(session, sheet):
            stocktakes.count(session, keeper, sheet.id, lot=lot.id, counted=lot.quantity)
        stocktakes.submit(session, keeper, sheet.id)
        if code in counted:
            stocktakes.approve(session, demo.users["bureau"], sheet.id, note="账实相符")


def _adjust(demo: _Demo, when: datetime, lot: str, *, delta: int, reason: str) -> None:
    def run():
        lot_row = demo.session.get(Lot, demo.lots[lot])
        stock.adjust(demo.session, demo.keeper_of(lot_row.depot.code), lot=lot_row.id,
                     counted_quantity=lot_row.quantity + delta, reason=reason,
                     reference=demo.reference("PD", when), occurred_at=when)

    demo.at(when, run)


def _reverse_receipt(demo: _Demo, when: datetime, lot: str, *, reason: str) -> None:
    def run():
        lot_row = demo.session.get(Lot, demo.lots[lot])
        receipt = demo.session.scalar(
            select(Movement).where(Movement.lot_id == lot_row.id, Movement.kind == "receipt")
            .order_by(Movement.seq.desc()))
        stock.reverse(demo.session, demo.keeper_of(lot_row.depot.code), movement=receipt.id,
                      reason=reason, occurred_at=when)

    demo.at(when, run)


#: where stock near its expiry goes (轮换去向): name, kind, item, units a month, yuan back a unit
OUTLETS = [
    ("平罗县第一中学食堂", "canteen", "FW-WATER-5L", 200, "3.00"),
    ("平罗县第一中学食堂", "canteen", "FW-NOODLE", 40, "25.00"),
    ("城关镇中心小学食堂", "canteen", "FW-WATER-550", 60, "12.00"),
    ("县应急演练（防汛）", "drill", "FW-BISCUIT", 300, "2.50"),
    ("县应急演练（防汛）", "drill", "FW-SELFHEAT", 100, "8.00"),
    ("城关农贸市场", "market", "FW-CANNED", 150, "4.00"),
    ("县养老服务中心", "other", "MD-DISINFECT", 20, "15.00"),
]


def _build_outlets(demo: _Demo) -> None:
    """The outlets the bureau rotates perishable stock to before it expires."""
    for name, kind, item, capacity, value in OUTLETS:
        outlets.create_outlet(demo.session, demo.users["bureau"], name=name, kind=kind,
                              item=item, capacity_per_month=capacity,
                              value_per_unit=Decimal(value))


# -- reserves beyond the shelf, norms and targets ------------------------------

def _build_readiness(demo: _Demo) -> None:
    """Norms, the plan's targets, contract and capacity reserves, and handling times."""
    session, bureau, today = demo.session, demo.users["bureau"], demo.today
    for code, depot in demo.depots.items():
        depot.handling_hours = Decimal({"XZ": "1.5", "DC": "1.0", "TS": "0.5"}.get(code[:2],
                                                                                  "0.25"))
    readiness.load_norms(session)
    county, town = COUNTY[0], COUNTY[0] + TOWNSHIPS[0][0]
    readiness.create_target(session, bureau, name="全县集中安置 1200 人", area=county,
                           people=1200, deadline_hours=10,
                           note="平罗县“十四五”应急管理规划：满足 1200 人紧急转移安置需求")
    readiness.create_target(session, bureau, name="全县 6 小时响应（2024 年国家指导意见）",
                           area=county, people=1200, deadline_hours=6)
    readiness.create_target(session, bureau, name=f"{TOWNSHIPS[0][1]}冬季安置 300 人", area=town,
                           people=300, deadline_hours=10, season="winter")
    village = demo.depots["VL-01-01"].area
    readiness.create_target(session, bureau, name=f"{village.name}临时避险 40 人",
                           area=village.code, people=40, deadline_hours=2,
                           note="村（社区）储备点就近保障，2 小时内到位")
    readiness.create_minimum(session, bureau, level="township", people=20,
                            note="每个乡镇储备点保障 20 人（尚无一处配齐）")
    readiness.create_minimum(session, bureau, level="township", item="SH-TENT-12", quantity=6,
                            note="每个乡镇储备点常备帐篷")
    readiness.create_minimum(session, bureau, level="county", item="SH-TENT-12", quantity=200,
                            note="县级储备库常备帐篷")
    year = (today - timedelta(days=180), today + timedelta(days=185))
    water = contracts.create_agreement(
        session, bureau, number=f"XY-{today.year}-001", supplier="宁夏某饮用水有限公司",
        contact_name="马经理", contact_phone="13909520001", item="FW-WATER-5L",
        committed_quantity=3000, response_hours=4, response_to="county", unit_price=4.5,
        valid_from=year[0], valid_until=year[1])
    contracts.create_agreement(
        session, bureau, number=f"XY-{today.year}-002", supplier="石嘴山市某帐篷厂",
        contact_name="王厂长", contact_phone="13909520002", item="SH-TENT-12",
        committed_quantity=150, response_hours=8, response_to="county", unit_price=950,
        valid_from=year[0], valid_until=year[1])
    contracts.create_agreement(
        session, bureau, number=f"XY-{today.year}-003", supplier="平罗县某商贸公司",
        contact_name="李经理", contact_phone="13909520003", item="SH-BED",
        committed_quantity=400, response_hours=6, response_to="site", unit_price=120,
        valid_from=year[0], valid_until=today + timedelta(days=40))
    contracts.create_capacity(
        session, bureau, enterprise="平罗县某食品厂", item="FW-BISCUIT", rate_per_hour=300,
        ramp_hours=4, max_quantity=3000, area=county, unit_price=6, contact_name="张厂长",
        contact_phone="13909520004", valid_from=year[0], valid_until=year[1])
    contracts.create_capacity(
        session, bureau, enterprise="平罗县某纸品厂（卫生用品）", item="SH-HYGIENE",
        rate_per_hour=40, ramp_hours=3, max_quantity=400, area=county, unit_price=35,
        valid_from=year[0], valid_until=year[1])
    called = contracts.call_off(session, bureau, agreement_id=water.id, quantity=500,
                               depot="XZ-01", reason="防汛应急演练")
    contracts.receive_call_off(session, demo.users["keeper01"], call_off_id=called.id,
                              lot_code=f"XY-WATER-{today:%Y%m%d}",
                              occurred_at=demo.moment(363, 16))
    contracts.settle(session, bureau, call_off_id=called.id, reference=f"JS-{today.year}-001")


def _build_planning(demo: _Demo) -> None:
    """The workbench's headline scenarios for the 1,200-person target: a dispatch spread from
    it and a pre-positioning plan with a budget. Not run: a run needs the job consumer (or
    the headline's button on /planning/)."""
    headline.headline_scenarios(demo.session, demo.users["planner"])
