"""Waybills (运单): recorded when the goods leave (a transfer dispatched, a supplier's delivery
on its way), closed when the receiving keeper scans the waybill or one of its lots on arrival.

The trip time of a closed waybill (arrival − departure) is what the bureau measures its travel
table against (``inventory.transport.queries.trip_times``).
"""

import uuid
from datetime import datetime

from sqlalchemy import select

from inventory import audit, clock
from inventory.auth.permissions import can_move_stock, ensure_can_move_stock
from inventory.contracts.models import CallOff
from inventory.db import fetch_one, utcnow
from inventory.errors import InvalidInput, NotFound, StateConflict
from inventory.stock.services import CLOCK_SKEW
from inventory.transfers.models import Transfer, TransferLine
from inventory.transport.models import Vehicle, Waybill
from inventory.transport.services import _check_one, get_carrier, normal_plate
from inventory.uow import unit_of_work

#: the waybill's own particulars, as a dispatch or the waybill form gives them
FIELDS = ("carrier", "plate", "driver_name", "driver_phone", "seal_number", "departed_at",
          "note")
TEXT_LIMITS = {"driver_name": 50, "driver_phone": 30, "seal_number": 40, "note": 1000}


def get_waybill(session, waybill_id: int, *, lock: bool = False) -> Waybill:
    """:raise NotFound: when no waybill has the id."""
    waybill = fetch_one(session, Waybill, Waybill.id == waybill_id, lock=lock)
    if waybill is None:
        raise NotFound(f"没有编号为 {waybill_id} 的运单。", f"No waybill with id {waybill_id}.",
                       {"waybill": ["unknown waybill"]})
    return waybill


def find_by_number(session, number: str) -> Waybill | None:
    """Return the waybill with the number (YD-2026-00007), or None."""
    return session.scalar(select(Waybill).where(Waybill.number == number.strip().upper()))


def for_transfer(session, transfer_id: int) -> Waybill | None:
    """Return the transfer's waybill, or None."""
    return session.scalar(select(Waybill).where(Waybill.transfer_id == transfer_id))


def for_call_off(session, call_off_id: int) -> Waybill | None:
    """Return the call-off delivery's waybill, or None."""
    return session.scalar(select(Waybill).where(Waybill.call_off_id == call_off_id))


def record_for_transfer(session, actor, transfer_id: int, **values) -> Waybill:
    """Record the waybill of a dispatched transfer (the source depot's keeper, an admin).

    The departure is the transfer's dispatch time unless the waybill gives its own.

    :raise StateConflict: when the transfer is not in transit or already has a waybill.
    """
    values = checked(values)
    with unit_of_work(session):
        transfer = fetch_one(session, Transfer, Transfer.id == transfer_id, lock=True)
        if transfer is None:
            raise NotFound(f"没有编号为 {transfer_id} 的调拨单。",
                           f"No transfer with id {transfer_id}.")
        ensure_can_move_stock(actor, transfer.from_depot)
        if transfer.status != "dispatched":
            raise StateConflict(f"调拨单 {transfer.number} 不在途，不能登记运单。",
                                f"Transfer {transfer.number} is not in transit.",
                                {"transfer": ["not in transit"]})
        if for_transfer(session, transfer.id) is not None:
            raise StateConflict(f"调拨单 {transfer.number} 已有运单。",
                                f"Transfer {transfer.number} already has a waybill.",
                                {"transfer": ["has a waybill"]})
        waybill = Waybill(transfer_id=transfer.id, from_depot_id=transfer.from_depot_id,
                          to_depot_id=transfer.to_depot_id)
        return _fill(session, actor, waybill, values, transfer.dispatched_at)


def record_for_call_off(session, actor, call_off_id: int, **values) -> Waybill:
    """Record the waybill of a supplier's delivery still expected (the bureau, an admin, or
    the receiving depot's keeper).

    :raise StateConflict: when the delivery is no longer expected or already has a waybill.
    """
    values = checked(values)
    with unit_of_work(session):
        call_off = session.get(CallOff, call_off_id)
        if call_off is None:
            raise NotFound(f"没有编号为 {call_off_id} 的调用记录。", f"No call-off {call_off_id}.",
                           {"call_off": ["unknown call-off"]})
        if actor.role != "bureau":
            ensure_can_move_stock(actor, call_off.depot)
        if call_off.status != "expected":
            raise StateConflict("该调用不在待到货状态，不能登记运单。",
                                "This call-off is not awaiting delivery.",
                                {"call_off": ["not expected"]})
        if for_call_off(session, call_off.id) is not None:
            raise StateConflict("该调用已有运单。", "This call-off already has a waybill.",
                                {"call_off": ["has a waybill"]})
        waybill = Waybill(call_off_id=call_off.id, to_depot_id=call_off.depot_id)
        return _fill(session, actor, waybill, values, None)


def record_arrival(session, actor, waybill_id: int, *, occurred_at: datetime | None = None,
                   ) -> Waybill:
    """Record that the waybill's load arrived (the receiving depot's keeper, an admin).

    A second scan of the same load changes nothing: the first arrival stands.

    :raise InvalidInput: when the arrival would come before the departure.
    """
    with unit_of_work(session):
        waybill = get_waybill(session, waybill_id, lock=True)
        ensure_can_move_stock(actor, waybill.to_depot)
        if waybill.arrived_at is not None:
            return waybill
        arrived = _moment(occurred_at, "occurred_at")
        if arrived < clock.local_time(waybill.departed_at):
            raise InvalidInput("到达时间早于发车时间。", "The arrival is before the departure.",
                               {"occurred_at": ["before the departure"]})
        waybill.arrived_at, waybill.arrived_by_id = arrived, actor.id
        audit.record(session, actor, "waybill.arrive", "waybill", waybill.id,
                     arrived_at=arrived.isoformat(), trip_hours=waybill.trip_hours)
    return waybill


def arrival_of_lot(session, actor, lot_id: int, *, occurred_at: datetime | None = None,
                   ) -> Waybill:
    """Record the arrival of the waybill that carries the lot to one of the actor's depots
    (the first lot scanned out of the lorry stands for the load).

    :raise NotFound: when no load on the road carries the lot to a depot of the actor's.
    """
    candidates = session.scalars(
        select(Waybill).join(TransferLine, TransferLine.transfer_id == Waybill.transfer_id)
        .join(Transfer, Transfer.id == Waybill.transfer_id)
        .where(TransferLine.lot_id == lot_id, Transfer.status == "dispatched")
        .order_by(Waybill.arrived_at.is_not(None), Waybill.id.desc())).unique().all()
    mine = [waybill for waybill in candidates if can_move_stock(actor, waybill.to_depot)]
    if not mine:
        raise NotFound("没有发往您的库点、载有此批次的在途运单。",
                       "No waybill on its way to your depots carries this lot.",
                       {"lot": ["on no waybill to your depots"]})
    return record_arrival(session, actor, mine[0].id, occurred_at=occurred_at)


def arrive_on_receipt(session, actor, transfer: Transfer) -> None:
    """Close the transfer's waybill at its receipt when nobody scanned it on arrival."""
    waybill = for_transfer(session, transfer.id)
    if waybill is not None and waybill.arrived_at is None:
        arrived = max(clock.local_time(transfer.received_at), clock.local_time(waybill.departed_at))
        waybill.arrived_at, waybill.arrived_by_id = arrived, actor.id
        audit.record(session, actor, "waybill.arrive", "waybill", waybill.id,
                     arrived_at=arrived.isoformat(), trip_hours=waybill.trip_hours,
                     on="receipt")


# -- checks and helpers -------------------------------------------------------------

def checked(values: dict) -> dict:
    """Return the waybill's fields checked: texts stripped, the plate normalised.

    :raise InvalidInput: naming every field that does not fit.
    """
    errors: dict[str, list[str]] = {}
    messages: list[str] = []
    out: dict = {}
    for key, value in values.items():
        if key not in FIELDS:
            errors[key] = ["unknown field"]
            messages.append(f"未知字段 {key}。")
        elif key in TEXT_LIMITS:
            text = None if value is None else str(value).strip()
            if text and len(text) > TEXT_LIMITS[key]:
                errors[key] = [f"at most {TEXT_LIMITS[key]} characters"]
                messages.append(f"{key} 最多 {TEXT_LIMITS[key]} 个字。")
            out[key] = text or None
        elif key == "plate":
            plate = normal_plate(value)
            if not 5 <= len(plate) <= 16:
                errors[key] = ["5 to 16 characters"]
                messages.append("车牌号须为 5–16 个字符，如 宁B12345。")
            out[key] = plate
        elif key == "carrier":
            out[key] = _check_one("carrier", value) if value else None
        else:
            out[key] = value
    if not out.get("plate") and "plate" not in errors:
        errors["plate"] = ["required"]
        messages.append("运单须填写车牌号。")
    if errors:
        raise InvalidInput("".join(messages), "Check the waybill's fields: "
                           + ", ".join(sorted(errors)) + ".", errors)
    return out


def _moment(value: datetime | None, key: str) -> datetime:
    """Return the moment given (aware, not ahead of the server), else now."""
    now = utcnow()
    if value is None:
        return now
    if value.tzinfo is None:
        raise InvalidInput("时间须带时区。", f"{key} needs a time zone.",
                           {key: ["give a time zone, e.g. +08:00"]})
    if value > now + CLOCK_SKEW:
        raise InvalidInput("时间晚于当前时间，请检查设备时钟。",
                           f"{key} is in the future; check the device clock.",
                           {key: ["in the future"]})
    return value


def _fill(session, actor, waybill: Waybill, values: dict, dispatched_at) -> Waybill:
    """Set the waybill's particulars from the values and the registered vehicle, number it."""
    vehicle = session.scalar(select(Vehicle).where(Vehicle.plate == values["plate"]))
    carrier = get_carrier(session, values["carrier"]) if values.get("carrier") else None
    if vehicle is not None and carrier is not None and vehicle.carrier_id != carrier.id:
        raise InvalidInput(f"车辆 {vehicle.plate} 属于 {vehicle.carrier.name}，"
                           f"不属于 {carrier.name}。",
                           f"Vehicle {vehicle.plate} belongs to {vehicle.carrier.code}, not "
                           f"{carrier.code}.", {"carrier": ["not the vehicle's carrier"]})
    waybill.vehicle = vehicle
    waybill.carrier = carrier or (vehicle.carrier if vehicle else None)
    waybill.plate = values["plate"]
    waybill.driver_name = values.get("driver_name") or (vehicle.driver_name if vehicle else None)
    waybill.driver_phone = values.get("driver_phone") or (vehicle.driver_phone if vehicle
                                                          else None)
    waybill.seal_number, waybill.note = values.get("seal_number"), values.get("note")
    departed = values.get("departed_at")
    waybill.departed_at = (_moment(departed, "departed_at") if departed is not None
                           else dispatched_at or utcnow())
    if dispatched_at is not None and waybill.departed_at < clock.local_time(dispatched_at):
        raise InvalidInput("发车时间早于调拨单发出时间。",
                           "The departure is before the transfer was dispatched.",
                           {"departed_at": ["before the dispatch"]})
    waybill.created_by_id = actor.id
    # The number comes from the id, so concurrent waybills never collide.
    waybill.number = uuid.uuid4().hex
    session.add(waybill)
    session.flush()
    waybill.number = f"YD-{clock.today().year}-{waybill.id:05d}"
    audit.record(session, actor, "waybill.create", "waybill", waybill.id,
                 after={"number": waybill.number, "plate": waybill.plate,
                        "carrier": waybill.carrier.code if waybill.carrier else None,
                        "driver_name": waybill.driver_name, "seal_number": waybill.seal_number,
                        "departed_at": waybill.departed_at.isoformat()})
    session.flush()
    return waybill
