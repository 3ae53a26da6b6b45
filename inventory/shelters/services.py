"""The shelter register: each shelter with its receiving point (a depot of kind ``shelter``,
same code, same area and place), kept in step in one transaction; road hours to shelters."""

import re
from decimal import Decimal

from sqlalchemy import func, select

from inventory import audit
from inventory.auth.permissions import ensure_role
from inventory.db import fetch_one, utcnow
from inventory.errors import InvalidInput, NotFound, StateConflict
from inventory.geo.models import Area, Depot
from inventory.shelters.models import SHELTER_CLASSES, Shelter, ShelterTravelTime
from inventory.stock.models import Lot
from inventory.transfers.models import Transfer
from inventory.uow import unit_of_work
from inventory.values import decimal_between

#: roles that keep the register (it is a register like the depots')
MANAGERS = ("admin", "bureau")
#: what may change after creation; the code never does, since transfers and runs name the
#: shelter by it
EDITABLE = ("name", "shelter_class", "capacity_people", "site_area_m2", "area", "latitude",
            "longitude", "address", "operator", "contact_name", "contact_phone", "active")
#: hours to unload at a receiving point; it ships nothing, but a depot needs a figure
RECEIVING_HANDLING_HOURS = Decimal("0.5")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
TEXT_LIMITS = {"name": 100, "address": 200, "operator": 100, "contact_name": 50,
               "contact_phone": 30}
MAX_PEOPLE = 10_000_000
MAX_SITE_AREA = Decimal("9999999999")
MAX_HOURS = 720


def get_shelter(session, code: str) -> Shelter:
    """:raise NotFound: when no shelter has the code."""
    shelter = session.scalar(select(Shelter).where(Shelter.code == code))
    if shelter is None:
        raise NotFound(f"没有编号为 {code} 的避难场所。", f"No shelter with code {code}.",
                       {"shelter": ["unknown shelter"]})
    return shelter


def create_shelter(session, actor, *, code: str, name: str, shelter_class: str,
                   capacity_people: int, area: str, site_area_m2=None, latitude=None,
                   longitude=None, address: str | None = None, operator: str | None = None,
                   contact_name: str | None = None, contact_phone: str | None = None,
                   active: bool = True) -> Shelter:
    """Register a shelter and create its receiving point (a depot of kind ``shelter``).

    :raise StateConflict: when a depot or shelter already has the code.
    """
    ensure_role(actor, *MANAGERS)
    code = (code or "").strip()
    if not CODE.fullmatch(code):
        raise InvalidInput("编号须为 1–32 个字母、数字或 - _ . 字符，如 BN-01-01。",
                           "The code has 1 to 32 letters, digits or - _ . (e.g. BN-01-01).",
                           {"code": ["1 to 32 letters, digits, - _ ."]})
    values = checked({"name": name, "shelter_class": shelter_class,
                      "capacity_people": capacity_people, "area": area,
                      "site_area_m2": site_area_m2, "latitude": latitude, "longitude": longitude,
                      "address": address, "operator": operator, "contact_name": contact_name,
                      "contact_phone": contact_phone, "active": active})
    with unit_of_work(session):
        if session.scalar(select(Depot.id).where(Depot.code == code)) is not None:
            raise StateConflict(f"编号 {code} 已被储备库或避难场所使用。",
                                f"The code {code} is already used by a depot or shelter.",
                                {"code": ["already used"]})
        depot = Depot(code=code, kind="shelter", handling_hours=RECEIVING_HANDLING_HOURS)
        shelter = Shelter(code=code, depot=depot)
        _apply(shelter, values, _area(session, values["area"]))
        session.add(shelter)
        session.flush()
        audit.record(session, actor, "shelter.create", "shelter", shelter.id,
                     before=None, after=snapshot(shelter))
    return shelter


def update_shelter(session, actor, code: str, **changes) -> Shelter:
    """Change a shelter's particulars; its receiving point follows (name, area, place, active).

    :raise StateConflict: when deactivating a shelter whose receiving point holds stock or
        awaits a transfer.
    """
    ensure_role(actor, *MANAGERS)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput("这些字段不能修改：" + "、".join(unknown),
                           "These fields cannot be changed: " + ", ".join(unknown),
                           dict.fromkeys(unknown, ["cannot be changed"]))
    values = checked(changes, partial=True)
    with unit_of_work(session):
        shelter = fetch_one(session, Shelter, Shelter.code == code, lock=True)
        if shelter is None:
            get_shelter(session, code)  # raises NotFound
        before = snapshot(shelter)
        if values.get("active") is False and shelter.active:
            _ensure_nothing_waits(session, shelter)
        area = _area(session, values["area"]) if "area" in values else shelter.area
        _apply(shelter, values, area)
        after = snapshot(shelter)
        changed = [key for key in EDITABLE if after[key] != before[key]]
        if changed:
            shelter.updated_at = utcnow()
            audit.record(session, actor, "shelter.update", "shelter", shelter.id,
                         before={key: before[key] for key in changed},
                         after={key: after[key] for key in changed})
    return shelter


def set_travel_time(session, actor, *, depot: str, shelter: str, hours,
                    source: str = "manual") -> ShelterTravelTime:
    """Record the road hours from a depot to a shelter, replacing any earlier figure."""
    ensure_role(actor, *MANAGERS)
    hours = decimal_between(hours, "hours", "行驶时间", 0, MAX_HOURS)
    if hours is None:
        raise InvalidInput("请填写行驶时间（小时）。", "Give the hours.", {"hours": ["required"]})
    with unit_of_work(session):
        depot_row = session.scalar(select(Depot).where(Depot.code == depot))
        if depot_row is None:
            raise NotFound(f"没有编号为 {depot} 的储备库。", f"No depot with code {depot}.",
                           {"depot": ["unknown depot"]})
        target = get_shelter(session, shelter)
        if target.depot_id == depot_row.id:
            raise InvalidInput("出发地就是该避难场所的接收点。",
                               "The depot is the shelter's own receiving point.",
                               {"depot": ["the shelter's own receiving point"]})
        row = session.scalar(select(ShelterTravelTime).where(
            ShelterTravelTime.depot_id == depot_row.id,
            ShelterTravelTime.shelter_id == target.id))
        if row is None:
            row = ShelterTravelTime(depot_id=depot_row.id, shelter_id=target.id)
            session.add(row)
        before = None if row.hours is None else float(row.hours)
        row.hours, row.source = Decimal(str(hours)).quantize(Decimal("0.01")), source
        session.flush()
        audit.record(session, actor, "shelter.travel_time", "shelter", target.id,
                     depot=depot, before=before, after=float(row.hours), source=source)
    return row


# -- checks and helpers ---------------------------------------------------------

def checked(values: dict, partial: bool = False) -> dict:
    """Return the values checked and normalised (texts stripped, numbers as Decimal).

    :raise InvalidInput: naming every field that does not fit.
    """
    errors: dict[str, list[str]] = {}
    messages: list[str] = []
    out: dict = {}
    for key, value in values.items():
        try:
            out[key] = _check_one(key, value)
        except InvalidInput as error:
            errors.update(error.errors)
            messages.append(error.zh)
    if not partial:
        for key in ("name", "shelter_class", "capacity_people", "area"):
            if out.get(key) is None and key not in errors:
                errors[key] = ["required"]
                messages.append(f"{_LABELS[key]}必填。")
    if errors:
        raise InvalidInput("".join(messages) or "输入有误。", "Check the fields marked: "
                           + ", ".join(sorted(errors)) + ".", errors)
    return out


_LABELS = {"name": "名称", "shelter_class": "类别", "capacity_people": "容纳人数",
           "area": "所在区划", "site_area_m2": "场地面积", "latitude": "纬度",
           "longitude": "经度", "address": "地址", "operator": "管理单位",
           "contact_name": "联系人", "contact_phone": "联系电话", "active": "启用"}


def _check_one(key: str, value):
    if key in TEXT_LIMITS:
        return _check_text(key, value)
    if key == "shelter_class":
        if value not in SHELTER_CLASSES:
            raise InvalidInput("类别须为 Ⅰ、Ⅱ 或 Ⅲ 类（I、II、III）。",
                               "The class is I, II or III.", {key: ["I, II or III"]})
        return value
    if key == "capacity_people":
        return _check_capacity_people(key, value)
    if key == "site_area_m2":
        return decimal_between(value, key, _LABELS[key], 0, MAX_SITE_AREA)
    if key == "latitude":
        found = decimal_between(value, key, _LABELS[key], -90, 90)
        return None if found is None else found.quantize(Decimal("0.000001"))
    if key == "longitude":
        found = decimal_between(value, key, _LABELS[key], -180, 180)
        return None if found is None else found.quantize(Decimal("0.000001"))
    if key == "area":
        if not value or not str(value).strip():
            raise InvalidInput("请选择所在区划。", "Give the area.", {key: ["required"]})
        return str(value).strip()
    if key == "active":
        if not isinstance(value, bool):
            raise InvalidInput("启用须为是或否。", "active is true or false.", {key: ["boolean"]})
        return value
    raise InvalidInput(f"未知字段 {key}。", f"Unknown field {key}.", {key: ["unknown field"]})


def _check_text(key: str, value) -> str | None:
    """A text field, trimmed: within its length, and the name not empty."""
    text = None if value is None else str(value).strip()
    if key == "name" and not text:
        raise InvalidInput("名称不能为空。", "The name is required.", {key: ["required"]})
    if text and len(text) > TEXT_LIMITS[key]:
        raise InvalidInput(f"{_LABELS[key]}最多 {TEXT_LIMITS[key]} 个字。",
                           f"{key} has at most {TEXT_LIMITS[key]} characters.",
                           {key: [f"at most {TEXT_LIMITS[key]} characters"]})
    return text or None


def _check_capacity_people(key: str, value) -> int:
    number = decimal_between(value, key, _LABELS[key], 1, MAX_PEOPLE)
    if number is None or number != int(number):
        raise InvalidInput("容纳人数须为正整数。", "The capacity is a whole number of people.",
                           {key: ["whole number, at least 1"]})
    return int(number)


def _area(session, code: str) -> Area:
    area = session.scalar(select(Area).where(Area.code == code))
    if area is None:
        raise NotFound(f"没有编码为 {code} 的行政区。", f"No area with code {code}.",
                       {"area": ["unknown area"]})
    return area


def _apply(shelter: Shelter, values: dict, area: Area) -> None:
    """Set the shelter's fields and keep its receiving point in step.

    :raise InvalidInput: when the shelter would have only one of its two coordinates.
    """
    for key, value in values.items():
        if key != "area":
            setattr(shelter, key, value)
    shelter.area = area
    if (shelter.latitude is None) != (shelter.longitude is None):
        raise InvalidInput("纬度和经度须同时填写，或都不填。",
                           "Give both latitude and longitude, or neither.",
                           {"latitude": ["both or neither"], "longitude": ["both or neither"]})
    depot = shelter.depot
    depot.name, depot.area = shelter.name, area
    depot.latitude, depot.longitude = shelter.latitude, shelter.longitude
    depot.address, depot.active = shelter.address, shelter.active
    depot.keeper_name, depot.keeper_phone = shelter.contact_name, shelter.contact_phone


def _ensure_nothing_waits(session, shelter: Shelter) -> None:
    held = session.scalar(select(func.coalesce(func.sum(Lot.quantity), 0))
                          .where(Lot.depot_id == shelter.depot_id, Lot.quantity > 0))
    if held:
        raise StateConflict(f"{shelter.name} 的接收点尚有 {held} 件物资，请先调出或发放后再停用。",
                            f"{shelter.name} still holds {held} units; move or issue them "
                            "before deactivating it.", {"active": ["holds stock"]})
    waiting = session.scalar(select(func.count(Transfer.id)).where(
        Transfer.to_depot_id == shelter.depot_id, Transfer.status.in_(("draft", "dispatched"))))
    if waiting:
        raise StateConflict(f"有 {waiting} 张调拨单正发往 {shelter.name}，请先接收或取消。",
                            f"{waiting} transfer(s) are on their way to {shelter.name}; "
                            "receive or cancel them first.", {"active": ["transfers waiting"]})


def snapshot(shelter: Shelter) -> dict:
    """Return the editable particulars as plain JSON values, for the audit log."""
    def plain(value):
        return float(value) if isinstance(value, Decimal) else value

    return {key: (shelter.area.code if key == "area" else plain(getattr(shelter, key)))
            for key in EDITABLE}
