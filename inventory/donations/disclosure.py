"""The public disclosure (捐赠物资接收和使用情况公示) for a period: what was received, by
donor, and what was used, by the use the donors asked for and the place it was handed out.

Every figure of goods is read from the ledger: received is the receipt rows of the donated
lots (less their reversals) dated in the period; used is the issue rows (less their
reversals) in the donated lots and every lot their goods went into by transfer. Money is
read from the money receipts. Recipients are never read: the report names donors (or
"anonymous", as they asked), uses and places, and nobody who received anything.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from inventory.donations.models import DonationReceipt, DonationReceiptLine
from inventory.reports.scope import Period
from inventory.shelters.models import Shelter
from inventory.stock.models import Movement
from inventory.trace import queries as trace

#: ledger kinds counted as used: handed out to people (not rotations, write-offs or counts)
USED = trace.HANDED_OUT


@dataclass(frozen=True)
class Received:
    """Goods (or money) one donor gave in the period."""

    donor: str
    donor_kind: str
    #: None for money
    item: object | None
    quantity: int
    amount: Decimal | None = None


@dataclass(frozen=True)
class Used:
    """Goods of one use handed out at one place in the period."""

    purpose: str
    place: str
    area: str
    item: object
    quantity: int


@dataclass
class Disclosure:
    period: Period
    received: list[Received] = field(default_factory=list)
    money: list[Received] = field(default_factory=list)
    used: list[Used] = field(default_factory=list)

    def received_by_item(self) -> dict[str, int]:
        return _by_item(self.received)

    def used_by_item(self) -> dict[str, int]:
        return _by_item(self.used)

    @property
    def money_total(self) -> Decimal:
        return sum((row.amount for row in self.money), Decimal("0.00"))

    def items(self) -> list:
        """The items received or used, by code, each once."""
        found = {row.item.code: row.item for row in [*self.received, *self.used]}
        return [found[code] for code in sorted(found)]


def _by_item(rows) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.item.code] = totals.get(row.item.code, 0) + row.quantity
    return totals


def _in_period(period: Period):
    return (Movement.occurred_at >= period.starts_at, Movement.occurred_at < period.ends_before)


def disclosure(session, period: Period, *, anonymous_name: str, no_purpose: str) -> Disclosure:
    """Return the disclosure for the period (see the module's docstring); ``anonymous_name``
    and ``no_purpose`` are the words printed for a donor who asked not to be named and for
    goods given without a use asked, in the reader's language."""
    report = Disclosure(period)
    lines = list(session.scalars(select(DonationReceiptLine)))
    lineage = trace.read_lineage(session)
    line_of_lot: dict[int, DonationReceiptLine] = {}
    for line in lines:
        for lot_id in lineage.descendants(line.lot_id):
            line_of_lot.setdefault(lot_id, line)

    def donor_of(line: DonationReceiptLine) -> tuple[str, str]:
        donor = line.receipt.pledge.donor
        return (anonymous_name if donor.anonymous else donor.name), donor.kind

    received: dict[tuple, int] = {}
    by_movement = {line.movement_id: line for line in lines}
    for row in _rows(session, period, list(by_movement), ("receipt",)):
        line = by_movement.get(row.reverses_id or row.id)
        key = (*donor_of(line), line.lot.item.code)
        received[key] = received.get(key, 0) + row.quantity
    items = {line.lot.item.code: line.lot.item for line in lines}
    report.received = [Received(donor, kind, items[code], quantity)
                       for (donor, kind, code), quantity in sorted(received.items()) if quantity]

    shelters = dict(session.execute(select(Shelter.depot_id, Shelter.name)).all())
    used: dict[tuple, int] = {}
    for row in _used_rows(session, period, list(line_of_lot)):
        line = line_of_lot[row.lot_id]
        depot = row.lot.depot
        key = (line.pledge_line.use or no_purpose, shelters.get(depot.id, depot.name),
               depot.area.name, row.lot.item.code)
        used[key] = used.get(key, 0) - row.quantity
        items.setdefault(row.lot.item.code, row.lot.item)
    report.used = [Used(purpose, place, area, items[code], quantity)
                   for (purpose, place, area, code), quantity in sorted(used.items()) if quantity]

    money: dict[tuple, Decimal] = {}
    for receipt in session.scalars(
            select(DonationReceipt).where(DonationReceipt.kind == "money",
                                          DonationReceipt.received_at >= period.starts_at,
                                          DonationReceipt.received_at < period.ends_before)):
        donor = receipt.pledge.donor
        key = ((anonymous_name if donor.anonymous else donor.name), donor.kind)
        money[key] = money.get(key, Decimal("0.00")) + receipt.amount
    report.money = [Received(donor, kind, None, 0, amount)
                    for (donor, kind), amount in sorted(money.items())]
    return report


def _rows(session, period: Period, movement_ids: list[int], kinds) -> list[Movement]:
    """The ledger rows with the ids, and the reversals of them, dated in the period."""
    if not movement_ids:
        return []
    return list(session.scalars(select(Movement).where(
        Movement.id.in_(movement_ids) | Movement.reverses_id.in_(movement_ids),
        Movement.kind.in_((*kinds, "reversal")), *_in_period(period))))


def _used_rows(session, period: Period, lot_ids: list[int]) -> list[Movement]:
    """The issue rows of the lots dated in the period, and the reversals of issue rows."""
    if not lot_ids:
        return []
    rows = list(session.scalars(select(Movement).where(
        Movement.lot_id.in_(lot_ids), Movement.kind.in_((*USED, "reversal")),
        *_in_period(period))))
    reversed_ids = [row.reverses_id for row in rows if row.kind == "reversal"]
    reversed_kinds = dict(session.execute(
        select(Movement.id, Movement.kind).where(Movement.id.in_(reversed_ids))).all()
    ) if reversed_ids else {}
    return [row for row in rows
            if row.kind in USED or reversed_kinds.get(row.reverses_id) in USED]
