"""Contract settlements for a period (协议结算): per agreement what was called off, what was
received and what is owed for it at the tender price, what was settled, and what remained
unsettled when the period ended.

A call-off counts in the period it was called (调用), received (到货) or settled (结算), by
each of those times in the bureau's calendar; a cancelled call-off is shown apart and owes
nothing. The amount owed is the quantity received × the agreement's tender price (先使用后按
招标价结算), as ``contracts.services.settle`` records it; an agreement without a tender price
owes an unknown amount, and the report says so rather than counting it as nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from inventory.contracts.models import Agreement, CallOff
from inventory.db import utcnow
from inventory.reports.scope import Period

CENT = Decimal("0.01")


@dataclass
class CallOffLine:
    """One call-off, with what of it falls in the period."""

    id: int
    depot: str
    depot_name: str
    quantity: int
    status: str
    called_at: datetime
    received_at: datetime | None
    received_quantity: int | None
    settled_at: datetime | None
    settled_amount: Decimal | None
    settlement_reference: str | None


@dataclass
class AgreementSettlement:
    """What one agreement's call-offs come to in the period."""

    number: str
    supplier: str
    item: str
    item_name: str
    unit: str
    #: the tender price per unit; None when the agreement has none
    unit_price: Decimal | None
    committed_quantity: int
    called: int = 0
    cancelled: int = 0
    received: int = 0
    #: received in the period × the tender price (None without a price)
    owed: Decimal | None = Decimal(0)
    settled: Decimal = Decimal(0)
    #: received by the end of the period and not settled by then, × the tender price
    unsettled: Decimal | None = Decimal(0)
    call_offs: list[CallOffLine] = field(default_factory=list)


@dataclass
class SettlementReport:
    period: Period
    agreements: list[AgreementSettlement]
    made_at: datetime

    def total(self, name: str) -> Decimal | int | None:
        """Sum one column over the agreements; None for money when any is unknown."""
        values = [getattr(agreement, name) for agreement in self.agreements]
        return None if any(value is None for value in values) else sum(values)


def _within(moment: datetime | None, period: Period) -> bool:
    return moment is not None and period.starts_at <= moment < period.ends_before


def _owed(quantity: int, price: Decimal | None) -> Decimal | None:
    return None if price is None else (price * quantity).quantize(CENT)


def _line(call_off: CallOff) -> CallOffLine:
    return CallOffLine(
        id=call_off.id, depot=call_off.depot.code, depot_name=call_off.depot.name,
        quantity=call_off.quantity, status=call_off.status, called_at=call_off.called_at,
        received_at=call_off.received_at, received_quantity=call_off.received_quantity,
        settled_at=call_off.settled_at, settled_amount=call_off.settled_amount,
        settlement_reference=call_off.settlement_reference)


def _add(summary: AgreementSettlement, call_off: CallOff, period: Period) -> bool:
    """Count the call-off into its agreement's figures; tell whether it touches the period."""
    price = summary.unit_price
    touches = False
    if _within(call_off.called_at, period):
        touches = True
        if call_off.status == "cancelled":
            summary.cancelled += call_off.quantity
        else:
            summary.called += call_off.quantity
    if call_off.received_quantity is not None and _within(call_off.received_at, period):
        touches = True
        summary.received += call_off.received_quantity
        owed = _owed(call_off.received_quantity, price)
        summary.owed = None if owed is None or summary.owed is None else summary.owed + owed
    if call_off.settled_amount is not None and _within(call_off.settled_at, period):
        touches = True
        summary.settled += call_off.settled_amount
    if _unsettled_at_end(call_off, period):
        touches = True
        owed = _owed(call_off.received_quantity, price)
        summary.unsettled = (None if owed is None or summary.unsettled is None
                             else summary.unsettled + owed)
    return touches


def _unsettled_at_end(call_off: CallOff, period: Period) -> bool:
    received = (call_off.received_quantity is not None and call_off.received_at is not None
                and call_off.received_at < period.ends_before)
    settled = call_off.settled_at is not None and call_off.settled_at < period.ends_before
    return received and not settled


def settlements(session, period: Period) -> SettlementReport:
    """Return each agreement's call-offs, receipts and amounts owed and settled in the period."""
    end = period.ends_before
    call_offs = session.scalars(
        select(CallOff).options(joinedload(CallOff.agreement))
        .where(CallOff.called_at < end,
               or_(CallOff.called_at >= period.starts_at, CallOff.received_at >= period.starts_at,
                   CallOff.settled_at >= period.starts_at, CallOff.settled_at.is_(None)))
        .order_by(CallOff.called_at, CallOff.id)).unique().all()
    by_agreement: dict[int, AgreementSettlement] = {}
    for call_off in call_offs:
        agreement = call_off.agreement
        summary = by_agreement.get(agreement.id) or _summary(agreement)
        if _add(summary, call_off, period):
            by_agreement[agreement.id] = summary
            summary.call_offs.append(_line(call_off))
    agreements = sorted(by_agreement.values(), key=lambda summary: summary.number)
    return SettlementReport(period, agreements, utcnow())


def _summary(agreement: Agreement) -> AgreementSettlement:
    return AgreementSettlement(
        number=agreement.number, supplier=agreement.supplier, item=agreement.item.code,
        item_name=agreement.item.name_zh, unit=agreement.item.unit,
        unit_price=agreement.unit_price, committed_quantity=agreement.committed_quantity)
