"""Contract reserves and capacity reserves: agreements, call-offs from placing to receipt and
settlement, and firms' capacity. A received call-off enters the ledger as a receipt."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from inventory import audit, clock
from inventory.auth.permissions import MANAGERS, ensure_role
from inventory.catalogue.queries import get_item
from inventory.contracts.models import (
    AGREEMENT_STATUSES,
    RESPONSE_TO,
    Agreement,
    CallOff,
    CapacityReserve,
)
from inventory.contracts.queries import remaining_by_agreement
from inventory.db import fetch_one, utcnow
from inventory.errors import InvalidInput, NotFound, StateConflict
from inventory.geo.models import Area, Depot
from inventory.uow import unit_of_work


def _locked(session, model, row_id: int):
    """Return the row locked for update."""
    return fetch_one(session, model, model.id == row_id, lock=True)


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
            number=number, supplier=supplier, item_id=get_item(session, item).id,
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
            enterprise=enterprise, item_id=get_item(session, item).id,
            rate_per_hour=Decimal(str(rate_per_hour)), ramp_hours=Decimal(str(ramp_hours)),
            max_quantity=max_quantity, area_id=area_row.id, valid_from=valid_from,
            valid_until=valid_until, contact_name=contact_name, contact_phone=contact_phone,
            unit_price=None if unit_price is None else Decimal(str(unit_price)), note=note)
        session.add(reserve)
        session.flush()
        audit.record(session, actor, "capacity.create", "capacity", reserve.id,
                     before=None, after=audit.snapshot(reserve))
    return reserve
