"""The transport registers: carriers, their vehicles and transport agreements (运力储备).

The bureau and admins keep them; every change is logged with the values before and after.
"""

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from inventory import audit
from inventory.auth.permissions import ensure_role
from inventory.db import utcnow
from inventory.errors import InvalidInput, NotFound, StateConflict
from inventory.geo.models import Area, Depot
from inventory.transport.models import (
    CARRIER_KINDS,
    PRICE_UNITS,
    Carrier,
    TransportAgreement,
    Vehicle,
)
from inventory.uow import unit_of_work
from inventory.values import decimal_between

#: roles that keep the registers
MANAGERS = ("admin", "bureau")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
MAX_PAYLOAD_KG = Decimal("100000")
MAX_VOLUME_M3 = Decimal("500")
MAX_HOURS = Decimal("720")
MAX_VEHICLES = 10_000
MAX_PRICE = Decimal("9999999999")

CARRIER_FIELDS = ("name", "kind", "area", "contact_name", "contact_phone", "active")
VEHICLE_FIELDS = ("carrier", "vehicle_type", "payload_kg", "volume_m3", "depot", "driver_name",
                  "driver_phone", "active")
AGREEMENT_FIELDS = ("carrier", "vehicle_type", "vehicles", "payload_kg", "volume_m3",
                    "response_hours", "depot", "unit_price", "price_unit", "valid_from",
                    "valid_until", "active", "note")
TEXT_LIMITS = {"name": 100, "contact_name": 50, "contact_phone": 30, "vehicle_type": 50,
               "driver_name": 50, "driver_phone": 30, "note": 1000}
LABELS = {"name": "名称", "kind": "类别", "area": "所属乡镇", "contact_name": "联系人",
          "contact_phone": "联系电话", "active": "启用", "carrier": "承运单位",
          "vehicle_type": "车型", "payload_kg": "载重", "volume_m3": "容积", "depot": "驻点储备库",
          "driver_name": "驾驶员", "driver_phone": "驾驶员电话", "vehicles": "车辆数",
          "response_hours": "响应时间", "unit_price": "价格", "price_unit": "计价单位",
          "valid_from": "生效日期", "valid_until": "截止日期", "note": "备注", "plate": "车牌号",
          "code": "编号", "number": "协议编号"}


# -- look-ups -----------------------------------------------------------------

def get_carrier(session, code: str) -> Carrier:
    """:raise NotFound: when no carrier has the code."""
    carrier = session.scalar(select(Carrier).where(Carrier.code == code))
    if carrier is None:
        raise NotFound(f"没有编号为 {code} 的承运单位。", f"No carrier with code {code}.",
                       {"carrier": ["unknown carrier"]})
    return carrier


def get_vehicle(session, plate: str) -> Vehicle:
    """:raise NotFound: when no vehicle has the plate."""
    vehicle = session.scalar(select(Vehicle).where(Vehicle.plate == normal_plate(plate)))
    if vehicle is None:
        raise NotFound(f"没有车牌号为 {plate} 的车辆。", f"No vehicle with plate {plate}.",
                       {"plate": ["unknown vehicle"]})
    return vehicle


def get_agreement(session, number: str) -> TransportAgreement:
    """:raise NotFound: when no transport agreement has the number."""
    agreement = session.scalar(select(TransportAgreement)
                               .where(TransportAgreement.number == number))
    if agreement is None:
        raise NotFound(f"没有编号为 {number} 的运力协议。",
                       f"No transport agreement numbered {number}.",
                       {"number": ["unknown agreement"]})
    return agreement


def normal_plate(plate: str) -> str:
    """Return a plate as it is stored: upper case, without spaces or the middle dot."""
    return re.sub(r"[\s·•.\-]", "", str(plate or "")).upper()


# -- carriers -------------------------------------------------------------------

def create_carrier(session, actor, *, code: str, **values) -> Carrier:
    """Register a carrier (bureau, admin).

    :raise StateConflict: when another carrier has the code.
    """
    ensure_role(actor, *MANAGERS)
    code = _code(code, "code")
    values = checked(values, CARRIER_FIELDS, required=("name", "kind"))
    with unit_of_work(session):
        if session.scalar(select(Carrier.id).where(Carrier.code == code)) is not None:
            raise StateConflict(f"编号 {code} 已被其他承运单位使用。",
                                f"Another carrier has the code {code}.",
                                {"code": ["already used"]})
        carrier = Carrier(code=code, active=values.pop("active", True))
        _apply(session, carrier, values)
        session.add(carrier)
        session.flush()
        audit.record(session, actor, "carrier.create", "carrier", carrier.id,
                     before=None, after=carrier_snapshot(carrier))
    return carrier


def update_carrier(session, actor, code: str, **changes) -> Carrier:
    """Change a carrier's particulars (bureau, admin)."""
    ensure_role(actor, *MANAGERS)
    values = checked(changes, CARRIER_FIELDS)
    with unit_of_work(session):
        carrier = get_carrier(session, code)
        _update(session, actor, carrier, values, carrier_snapshot, "carrier")
    return carrier


# -- vehicles ------------------------------------------------------------------

def create_vehicle(session, actor, *, plate: str, **values) -> Vehicle:
    """Register a vehicle of a carrier (bureau, admin).

    :raise StateConflict: when another vehicle has the plate.
    """
    ensure_role(actor, *MANAGERS)
    plate = _plate(plate)
    values = checked(values, VEHICLE_FIELDS,
                     required=("carrier", "vehicle_type", "payload_kg", "volume_m3"))
    with unit_of_work(session):
        if session.scalar(select(Vehicle.id).where(Vehicle.plate == plate)) is not None:
            raise StateConflict(f"车牌号 {plate} 已登记。", f"The plate {plate} is registered.",
                                {"plate": ["already registered"]})
        vehicle = Vehicle(plate=plate, active=values.pop("active", True))
        _apply(session, vehicle, values)
        session.add(vehicle)
        session.flush()
        audit.record(session, actor, "vehicle.create", "vehicle", vehicle.id,
                     before=None, after=vehicle_snapshot(vehicle))
    return vehicle


def update_vehicle(session, actor, plate: str, **changes) -> Vehicle:
    """Change a vehicle's particulars (bureau, admin)."""
    ensure_role(actor, *MANAGERS)
    values = checked(changes, VEHICLE_FIELDS)
    with unit_of_work(session):
        vehicle = get_vehicle(session, plate)
        _update(session, actor, vehicle, values, vehicle_snapshot, "vehicle")
    return vehicle


# -- transport agreements ---------------------------------------------------------

def create_agreement(session, actor, *, number: str, **values) -> TransportAgreement:
    """Record a transport agreement with a carrier (bureau, admin).

    :raise StateConflict: when another agreement has the number.
    """
    ensure_role(actor, *MANAGERS)
    number = _code(number, "number", longest=40)
    values = checked(values, AGREEMENT_FIELDS,
                     required=("carrier", "vehicle_type", "vehicles", "payload_kg", "volume_m3",
                               "response_hours", "depot", "valid_from", "valid_until"))
    with unit_of_work(session):
        if session.scalar(select(TransportAgreement.id)
                          .where(TransportAgreement.number == number)) is not None:
            raise StateConflict(f"协议编号 {number} 已被使用。",
                                f"Another transport agreement is numbered {number}.",
                                {"number": ["already used"]})
        agreement = TransportAgreement(number=number, active=values.pop("active", True),
                                       price_unit=values.pop("price_unit", None) or "trip")
        _apply(session, agreement, values)
        session.add(agreement)
        session.flush()
        audit.record(session, actor, "transport_agreement.create", "transport_agreement",
                     agreement.id, before=None, after=agreement_snapshot(agreement))
    return agreement


def update_agreement(session, actor, number: str, **changes) -> TransportAgreement:
    """Change a transport agreement (bureau, admin)."""
    ensure_role(actor, *MANAGERS)
    values = checked(changes, AGREEMENT_FIELDS)
    with unit_of_work(session):
        agreement = get_agreement(session, number)
        _update(session, actor, agreement, values, agreement_snapshot, "transport_agreement")
    return agreement


# -- snapshots for the log ----------------------------------------------------------

def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def carrier_snapshot(carrier: Carrier) -> dict:
    """Return a carrier's particulars as plain JSON values."""
    return {"name": carrier.name, "kind": carrier.kind,
            "area": carrier.area.code if carrier.area else None,
            "contact_name": carrier.contact_name, "contact_phone": carrier.contact_phone,
            "active": carrier.active}


def vehicle_snapshot(vehicle: Vehicle) -> dict:
    """Return a vehicle's particulars as plain JSON values."""
    return {"carrier": vehicle.carrier.code, "vehicle_type": vehicle.vehicle_type,
            "payload_kg": _plain(vehicle.payload_kg), "volume_m3": _plain(vehicle.volume_m3),
            "depot": vehicle.depot.code if vehicle.depot else None,
            "driver_name": vehicle.driver_name, "driver_phone": vehicle.driver_phone,
            "active": vehicle.active}


def agreement_snapshot(agreement: TransportAgreement) -> dict:
    """Return a transport agreement's terms as plain JSON values."""
    found = {key: _plain(getattr(agreement, key)) for key in AGREEMENT_FIELDS
             if key not in ("carrier", "depot")}
    return found | {"carrier": agreement.carrier.code, "depot": agreement.depot.code}


# -- checks and helpers -----------------------------------------------------------

def _update(session, actor, row, values: dict, snapshot, subject: str) -> None:
    before = snapshot(row)
    _apply(session, row, values)
    after = snapshot(row)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        row.updated_at = utcnow()
        audit.record(session, actor, f"{subject}.update", subject, row.id,
                     before={key: before[key] for key in changed},
                     after={key: after[key] for key in changed})


def _apply(session, row, values: dict) -> None:
    """Set the fields, looking up the carrier, depot and area by code.

    :raise InvalidInput: when the result breaks a rule that spans fields.
    """
    for key, value in values.items():
        if key == "carrier":
            row.carrier = get_carrier(session, value)
        elif key == "depot":
            row.depot = None if value is None else _depot(session, value)
        elif key == "area":
            row.area = None if value is None else _area(session, value)
        else:
            setattr(row, key, value)
    if isinstance(row, TransportAgreement):
        if row.valid_from and row.valid_until and row.valid_from > row.valid_until:
            raise InvalidInput("生效日期不能晚于截止日期。",
                               "valid_from must not be after valid_until.",
                               {"valid_until": ["before valid_from"]})
    if isinstance(row, Carrier) and row.kind == "township" and row.area is None:
        raise InvalidInput("乡镇自有车辆须填写所属乡镇。", "A township carrier names its township.",
                           {"area": ["required for a township carrier"]})


def checked(values: dict, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    """Return the values checked and normalised (texts stripped, numbers as Decimal).

    :raise InvalidInput: naming every field that does not fit.
    """
    errors: dict[str, list[str]] = {}
    messages: list[str] = []
    out: dict = {}
    for key, value in values.items():
        if key not in allowed:
            errors[key] = ["cannot be changed"]
            messages.append(f"字段 {key} 不能修改。")
            continue
        try:
            out[key] = _check_one(key, value)
        except InvalidInput as error:
            errors.update(error.errors)
            messages.append(error.zh)
    for key in required:
        if out.get(key) is None and key not in errors:
            errors[key] = ["required"]
            messages.append(f"{LABELS[key]}必填。")
    if errors:
        raise InvalidInput("".join(messages), "Check the fields marked: "
                           + ", ".join(sorted(errors)) + ".", errors)
    return out


_NUMBERS = {"payload_kg": (Decimal("0.1"), MAX_PAYLOAD_KG), "volume_m3": (Decimal("0.01"),
            MAX_VOLUME_M3), "response_hours": (Decimal(0), MAX_HOURS),
            "unit_price": (Decimal(0), MAX_PRICE)}


def _check_one(key: str, value):
    if key in TEXT_LIMITS:
        return _check_text(key, value)
    if key == "kind":
        if value not in CARRIER_KINDS:
            raise InvalidInput("类别须为应急局自有、乡镇自有或物流企业"
                               "（bureau、township、logistics）。",
                               "The kind is bureau, township or logistics.",
                               {key: ["bureau, township or logistics"]})
        return value
    if key == "price_unit":
        if value not in PRICE_UNITS:
            raise InvalidInput("计价单位须为车次、小时或公里（trip、hour、km）。",
                               "The price unit is trip, hour or km.", {key: ["trip, hour or km"]})
        return value
    if key in _NUMBERS:
        low, high = _NUMBERS[key]
        return decimal_between(value, key, LABELS[key], low, high)
    if key == "vehicles":
        return _check_vehicles(key, value)
    if key in ("valid_from", "valid_until"):
        return _check_date(key, value)
    if key == "active":
        if not isinstance(value, bool):
            raise InvalidInput("启用须为是或否。", "active is true or false.", {key: ["boolean"]})
        return value
    if key in ("carrier", "depot", "area"):
        return _check_reference(key, value)
    raise InvalidInput(f"未知字段 {key}。", f"Unknown field {key}.", {key: ["unknown field"]})


def _check_text(key: str, value) -> str | None:
    """A text field, trimmed: within its length, and the name and vehicle type not empty."""
    text = None if value is None else str(value).strip()
    if key in ("name", "vehicle_type") and not text:
        raise InvalidInput(f"{LABELS[key]}不能为空。", f"{key} is required.",
                           {key: ["required"]})
    if text and len(text) > TEXT_LIMITS[key]:
        raise InvalidInput(f"{LABELS[key]}最多 {TEXT_LIMITS[key]} 个字。",
                           f"{key} has at most {TEXT_LIMITS[key]} characters.",
                           {key: [f"at most {TEXT_LIMITS[key]} characters"]})
    return text or None


def _check_vehicles(key: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VEHICLES:
        raise InvalidInput(f"车辆数须为 1 到 {MAX_VEHICLES} 之间的整数。",
                           f"vehicles is a whole number from 1 to {MAX_VEHICLES}.",
                           {key: [f"whole number, 1 to {MAX_VEHICLES}"]})
    return value


def _check_date(key: str, value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{LABELS[key]}须为日期，如 2026-01-01。",
                           f"{key} is a date such as 2026-01-01.", {key: ["date"]}) from None


def _check_reference(key: str, value) -> str | None:
    """The code of a carrier, depot or area, trimmed; the carrier is required."""
    text = None if value is None else str(value).strip()
    if key == "carrier" and not text:
        raise InvalidInput("请选择承运单位。", "Give the carrier.", {key: ["required"]})
    return text or None


def _code(value: str, key: str, longest: int = 32) -> str:
    text = (value or "").strip()
    if not CODE.fullmatch(text) or len(text) > longest:
        raise InvalidInput(f"{LABELS[key]}须为 1–{longest} 个字母、数字或 - _ . 字符。",
                           f"The {key} has 1 to {longest} letters, digits or - _ .",
                           {key: [f"1 to {longest} letters, digits, - _ ."]})
    return text


def _plate(value: str) -> str:
    plate = normal_plate(value)
    if not 5 <= len(plate) <= 16:
        raise InvalidInput("车牌号须为 5–16 个字符，如 宁B12345。",
                           "A plate has 5 to 16 characters, e.g. 宁B12345.",
                           {"plate": ["5 to 16 characters"]})
    return plate


def _depot(session, code: str) -> Depot:
    depot = session.scalar(select(Depot).where(Depot.code == code))
    if depot is None:
        raise NotFound(f"没有编号为 {code} 的储备库。", f"No depot with code {code}.",
                       {"depot": ["unknown depot"]})
    return depot


def _area(session, code: str) -> Area:
    area = session.scalar(select(Area).where(Area.code == code))
    if area is None:
        raise NotFound(f"没有编码为 {code} 的行政区。", f"No area with code {code}.",
                       {"area": ["unknown area"]})
    return area
