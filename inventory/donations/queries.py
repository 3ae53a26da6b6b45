"""Reads of donations: the registers, a pledge's progress, and a donation's trace (its lots,
where they went and what was handed out from them, and when)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from inventory.donations.models import DonationReceipt, DonationReceiptLine, Donor, Pledge
from inventory.donations.services import money_received, received_by_line
from inventory.stock.models import Lot
from inventory.trace import queries as trace


def list_donors(session) -> list[Donor]:
    """Return the donors by name."""
    return list(session.scalars(select(Donor).order_by(Donor.name, Donor.id)))


def list_pledges(session, *, donor: int | None = None) -> list[Pledge]:
    """Return the pledges, newest first; ``donor`` keeps one donor's."""
    stmt = select(Pledge).order_by(Pledge.id.desc())
    if donor is not None:
        stmt = stmt.where(Pledge.donor_id == donor)
    return list(session.scalars(stmt))


def list_receipts(session, *, pledge: int | None = None) -> list[DonationReceipt]:
    """Return the donation receipts, newest first; ``pledge`` keeps one pledge's."""
    stmt = select(DonationReceipt).order_by(DonationReceipt.id.desc())
    if pledge is not None:
        stmt = stmt.where(DonationReceipt.pledge_id == pledge)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class LineProgress:
    """A pledge line: promised, received so far, still to come."""

    line: object
    received: int

    @property
    def outstanding(self) -> int:
        return self.line.quantity - self.received


def progress(pledge: Pledge) -> list[LineProgress]:
    """Return each line of the pledge with what has been received against it."""
    received = received_by_line(pledge)
    return [LineProgress(line, received[line.id]) for line in pledge.lines]


def pledge_status(pledge: Pledge) -> str:
    """``open`` while goods or money are still to come, else ``fulfilled``."""
    goods_done = all(p.outstanding <= 0 for p in progress(pledge))
    money_done = pledge.amount is None or money_received(pledge) >= pledge.amount
    return "fulfilled" if goods_done and money_done else "open"


def receipt_of_lot(session, lot_id: int) -> DonationReceiptLine | None:
    """Return the donation receipt line that created the lot, or None."""
    return session.scalar(select(DonationReceiptLine).where(DonationReceiptLine.lot_id == lot_id))


# -- a donation's trace -------------------------------------------------------------------

@dataclass
class DonatedLot:
    """One line received: its lot, where the goods went and what was handed out."""

    receipt: DonationReceipt
    line: DonationReceiptLine
    trace: trace.LotTrace

    @property
    def handed_out(self) -> int:
        return self.trace.handed_out_total()

    @property
    def on_hand(self) -> list[tuple[Lot, int]]:
        """The lots still holding some of the goods, and how much."""
        return [(lot, lot.quantity) for lot in self.trace.lots if lot.quantity]

    @property
    def in_transit(self) -> int:
        return sum(leg.sent for leg in self.trace.legs if leg.transfer.status == "dispatched")


@dataclass(frozen=True)
class Place:
    """Goods of a donation handed out at one place."""

    depot: object
    item: object
    quantity: int
    first_at: datetime
    last_at: datetime


@dataclass
class DonationTrace:
    pledge: Pledge
    lots: list[DonatedLot] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)


def donation_trace(session, pledge: Pledge) -> DonationTrace:
    """Return the donation's trace: each lot received, the transfers that took its goods on
    (with their waybills), the shelters and depots they reached, and what was handed out
    where and when."""
    lineage = trace.read_lineage(session)
    found = DonationTrace(pledge)
    places: dict[tuple[int, int], list] = {}
    for receipt in pledge.receipts:
        for line in receipt.lines:
            lot_trace = trace.lot_trace(session, line.lot_id, lineage=lineage)
            found.lots.append(DonatedLot(receipt, line, lot_trace))
            for step in lot_trace.handed_out:
                key = (step.depot.id, step.lot.item_id)
                held = places.setdefault(key, [step.depot, step.lot.item, 0, step.at, step.at])
                held[2] -= step.movement.quantity
                held[3], held[4] = min(held[3], step.at), max(held[4], step.at)
    found.places = [Place(*held) for held in places.values()]
    found.places.sort(key=lambda place: (place.depot.code, place.item.code))
    return found
