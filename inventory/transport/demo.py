"""The demo county's transport: the bureau's and 城关镇's own vehicles, the logistics firms the
plan names (顺丰、京东) with one transport agreement, and waybills for some of the year's
transfers, so that trip times and goods in transit have something to show."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from inventory.geo.models import Area
from inventory.transport import services, waybills

CARRIERS = [
    ("YJJ", "平罗县应急管理局", "bureau", None, "马建军", "0952-6012119"),
    ("CGZ", "城关镇人民政府", "township", "城关镇", "李文斌", "0952-6011301"),
    ("SF", "顺丰速运（平罗营业部）", "logistics", None, "周经理", "95338"),
    ("JD", "京东物流（平罗配送站）", "logistics", None, "吴经理", "950616"),
]
#: plate, carrier, type, payload kg, volume m³, depot, driver, phone
VEHICLES = [
    ("宁B·E1101", "YJJ", "厢式货车 4.2 米", 2000, 16, "XZ-01", "马振华", "13909521101"),
    ("宁B·E1102", "YJJ", "厢式货车 7.6 米", 8000, 40, "XZ-01", "杨学军", "13909521102"),
    ("宁B·E2201", "CGZ", "皮卡", 800, 3, "TS-01", "张海龙", "13909522201"),
]


def build_fleet(session, bureau, today: date) -> None:
    """Register the carriers, vehicles and the 顺丰 transport agreement."""
    for code, name, kind, area_name, contact, phone in CARRIERS:
        area = None
        if area_name:
            area = session.scalar(select(Area.code).where(Area.name == area_name,
                                                          Area.level == "township"))
        services.create_carrier(session, bureau, code=code, name=name, kind=kind, area=area,
                                contact_name=contact, contact_phone=phone)
    for plate, carrier, kind, payload, volume, depot, driver, phone in VEHICLES:
        services.create_vehicle(session, bureau, plate=plate, carrier=carrier, vehicle_type=kind,
                                payload_kg=payload, volume_m3=volume, depot=depot,
                                driver_name=driver, driver_phone=phone)
    services.create_agreement(
        session, bureau, number=f"YL-{today.year}-01", carrier="SF",
        vehicle_type="厢式货车 9.6 米", vehicles=3, payload_kg=12000, volume_m3=60,
        response_hours=4, depot="XZ-01", unit_price=1800, price_unit="trip",
        valid_from=today - timedelta(days=200), valid_until=today + timedelta(days=165),
        note="汛期及冬春救灾应急运输，接到调令后 4 小时内到县级库报到。")


def record_trip(session, sender, receiver, transfer_id: int, *, plate: str, seal: str,
                carrier: str | None = None, driver: tuple[str, str] | None = None,
                arrived: datetime | None = None) -> None:
    """Record a dispatched transfer's waybill and, when given, its arrival."""
    name, phone = driver or (None, None)
    waybill = waybills.record_for_transfer(session, sender, transfer_id, plate=plate,
                                           carrier=carrier, seal_number=seal, driver_name=name,
                                           driver_phone=phone)
    waybill.created_at = waybill.departed_at  # written as the lorry left, like the history
    if arrived is not None:
        waybills.record_arrival(session, receiver, waybill.id, occurred_at=arrived)
