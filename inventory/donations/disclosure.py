"""The public disclosure (捐赠物资接收和使用情况公示) for a period: what was received, by
donor, and what was used, by the use the donors asked for and the place it was handed out.

Every figure of goods is read from the ledger: received is the receipt rows of the lots whose
source is the donation (less their reversals) dated in the period, whether received against a
pledge or through the plain receipt (then under "donor not registered"); used is the issue
rows (less their reversals) in those lots and every lot their goods went into by transfer. Money is
read from the money receipts. Recipients are never read: the report names donors (or
"anonymous", as they asked), uses and places, and nobody who received anything.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from inventory.donations.models import DonationReceipt, DonationReceiptLine
from inventory.reports.scope import Period
from inventory.shelters.models import Shelter
from inventory.stock.models import Lot, Movement
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


def disclosure(session, period: Period, *, anonymous_name: str, no_purpose: str,
               unregistered: str) -> Disclosure:
    """Return the disclosure for the period (see the module's docstring). The words printed
    for a donor who asked not to be named, for goods given without a use asked, and for a
    donation received without a pledge (a lot whose source is the donation, received through
    the plain receipt) are given in the reader's language."""
    report = Disclosure(period)
    roots = list(session.scalars(select(Lot).where(Lot.source == "donation")))
    lines = {line.lot_id: line for line in session.scalars(select(DonationReceiptLine))}
    lineage = trace.read_lineage(session)
    root_of: dict[int, Lot] = {}
    for root in roots:
        for lot_id in lineage.descendants(root.id):
            root_of.setdefault(lot_id, root)

    def donor_of(root: Lot) -> tuple[str, str | None]:
        line = lines.get(root.id)
        if line is None:
            return unregistered, None
        donor = line.receipt.pledge.donor
        return (anonymous_name if donor.anonymous else donor.name), donor.kind

    def purpose_of(root: Lot) -> str:
        line = lines.get(root.id)
        return (line.pledge_line.use if line else None) or no_purpose

    items = {root.item.code: root.item for root in roots}
    received: dict[tuple, int] = {}
    for row in _rows(session, period, [root.id for root in roots], ("receipt",)):
        key = (*donor_of(root_of[row.lot_id]), row.lot.item.code)
        received[key] = received.get(key, 0) + row.quantity
    report.received = [Received(donor, kind, items[code], quantity)
                       for (donor, kind, code), quantity in sorted(
                           received.items(), key=lambda pair: (pair[0][0], pair[0][2]))
                       if quantity]

    shelters = dict(session.execute(select(Shelter.depot_id, Shelter.name)).all())
    used: dict[tuple, int] = {}
    for row in _rows(session, period, list(root_of), USED):
        depot = row.lot.depot
        key = (purpose_of(root_of[row.lot_id]), shelters.get(depot.id, depot.name),
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


def _rows(session, period: Period, lot_ids: list[int], kinds) -> list[Movement]:
    """The rows of the kinds in the lots dated in the period, and the reversals of such rows."""
    if not lot_ids:
        return []
    rows = list(session.scalars(select(Movement).where(
        Movement.lot_id.in_(lot_ids), Movement.kind.in_((*kinds, "reversal")),
        *_in_period(period))))
    reversed_ids = [row.reverses_id for row in rows if row.kind == "reversal"]
    reversed_kinds = dict(session.execute(
        select(Movement.id, Movement.kind).where(Movement.id.in_(reversed_ids))).all()
    ) if reversed_ids else {}
    return [row for row in rows
            if row.kind in kinds or reversed_kinds.get(row.reverses_id) in kinds]
