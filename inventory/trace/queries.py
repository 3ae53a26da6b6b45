"""Reads of the trace, built from the ledger, the transfers and their waybills.

A lot's line of descent runs through transfer lines: a dispatched line names its source lot
and, once received, the lot it went into at the receiving depot. So a lot's trace is the path
up to the lot first received (its ancestors) and every lot its goods went on into (its
descendants), with every ledger row of those lots in time order. What was handed out is the
issue rows at the end of the line, named by their reference (a distribution's number, an
issue document's); the ledger holds no more about who received them, and the trace shows
nothing of recipients.

Other features add sections to a trace through ``inventory.trace.sections``.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from inventory.errors import NotFound
from inventory.geo.models import Depot
from inventory.shelters.models import Shelter
from inventory.stock.models import Lot, Movement
from inventory.trace import sections as providers
from inventory.trace.sections import Section
from inventory.transfers.models import Transfer, TransferLine
from inventory.transport.models import Waybill

#: ledger kinds that hand goods out of the reserve (to people, or to rotation outlets)
HANDED_OUT = ("issue",)


@dataclass(frozen=True)
class Leg:
    """Goods of one lot sent on one transfer, and the lot they went into."""

    transfer: Transfer
    waybill: Waybill | None
    from_lot: Lot
    #: None until received (or when nothing arrived)
    to_lot: Lot | None
    sent: int
    received: int | None

    @property
    def trip_hours(self) -> float | None:
        """Hours on the road by the waybill, once it arrived."""
        return self.waybill.trip_hours if self.waybill else None


@dataclass(frozen=True)
class Step:
    """One ledger row of a traced lot, with the transfer and waybill it belongs to."""

    movement: Movement
    lot: Lot
    depot: Depot
    transfer: Transfer | None
    waybill: Waybill | None

    @property
    def at(self) -> datetime:
        return self.movement.occurred_at

    @property
    def kind(self) -> str:
        return self.movement.kind

    @property
    def handed_out(self) -> bool:
        """Goods handed out here (an issue row), by its reference."""
        return self.movement.kind in HANDED_OUT


@dataclass
class Lineage:
    """Lots linked by transfers, read once: edges down (source → legs) and up (lot → leg)."""

    down: dict[int, list[TransferLine]]
    up: dict[int, TransferLine]

    def descendants(self, lot_id: int) -> list[int]:
        """The lot's id and the ids of every lot its goods went into, in the order reached."""
        found, frontier = [lot_id], [lot_id]
        while frontier:
            current = frontier.pop(0)
            for line in self.down.get(current, []):
                if line.received_lot_id and line.received_lot_id not in found:
                    found.append(line.received_lot_id)
                    frontier.append(line.received_lot_id)
        return found

    def ancestors(self, lot_id: int) -> list[int]:
        """The ids of the lots the goods came through, first received first (not the lot).

        A receiving lot is topped up only by goods of the same lot code and expiry, so it has
        one line of descent; should two sources ever share one, the first transfer's is taken.
        """
        path: list[int] = []
        current = lot_id
        while current in self.up and self.up[current].lot_id not in path + [lot_id]:
            current = self.up[current].lot_id
            path.insert(0, current)
        return path


def read_lineage(session) -> Lineage:
    """Read every dispatched transfer line that names its lot."""
    down: dict[int, list[TransferLine]] = {}
    up: dict[int, TransferLine] = {}
    lines = session.scalars(
        select(TransferLine).join(Transfer, Transfer.id == TransferLine.transfer_id)
        .where(TransferLine.lot_id.is_not(None),
               Transfer.status.in_(("dispatched", "received")))
        .order_by(TransferLine.id))
    for line in lines:
        down.setdefault(line.lot_id, []).append(line)
        if line.received_lot_id is not None:
            up.setdefault(line.received_lot_id, line)
    return Lineage(down, up)


@dataclass
class LotTrace:
    """A lot's trace: where its goods came from, where they went, and every ledger row."""

    lot: Lot
    #: the lots the goods came through before this one, the first received first
    ancestors: list[Lot]
    #: this lot and every lot its goods went on into
    lots: list[Lot]
    legs: list[Leg]
    steps: list[Step]
    sections: list[Section] = field(default_factory=list)

    @property
    def first(self) -> Lot:
        """The lot first received into the reserve (a purchase, a donation, …)."""
        return self.ancestors[0] if self.ancestors else self.lot

    @property
    def receipts(self) -> list[Step]:
        """The rows that brought the goods into the reserve (the first lot's receipts)."""
        return [step for step in self.steps
                if step.lot.id == self.first.id and step.kind == "receipt"]

    @property
    def handed_out(self) -> list[Step]:
        return [step for step in self.steps if step.handed_out]

    def handed_out_total(self) -> int:
        return -sum(step.movement.quantity for step in self.handed_out)


def _waybills(session, transfer_ids) -> dict[int, Waybill]:
    if not transfer_ids:
        return {}
    return {w.transfer_id: w for w in session.scalars(
        select(Waybill).where(Waybill.transfer_id.in_(transfer_ids)))}


def legs_of(session, lineage: Lineage, lot_ids: list[int]) -> list[Leg]:
    """The transfers that moved goods out of the lots, with their waybills."""
    lines = [line for lot_id in lot_ids for line in lineage.down.get(lot_id, [])]
    waybills = _waybills(session, {line.transfer_id for line in lines})
    legs = [Leg(line.transfer, waybills.get(line.transfer_id), line.lot, line.received_lot,
                line.quantity, line.quantity_received) for line in lines]
    return sorted(legs, key=lambda leg: (leg.transfer.dispatched_at, leg.transfer.id))


def steps_of(session, lot_ids: list[int]) -> list[Step]:
    """Every ledger row of the lots, in the order it happened."""
    movements = list(session.scalars(
        select(Movement).where(Movement.lot_id.in_(lot_ids))
        .order_by(Movement.occurred_at, Movement.id)))
    waybills = _waybills(session, {m.transfer_id for m in movements if m.transfer_id})
    transfers = {t.id: t for t in session.scalars(select(Transfer).where(
        Transfer.id.in_({m.transfer_id for m in movements if m.transfer_id})))}
    return [Step(m, m.lot, m.lot.depot, transfers.get(m.transfer_id),
                 waybills.get(m.transfer_id)) for m in movements]


def get_lot(session, lot_id: int) -> Lot:
    """:raise NotFound: when no lot has the id."""
    lot = session.get(Lot, lot_id)
    if lot is None:
        raise NotFound(f"没有编号为 {lot_id} 的批次。", f"No lot with id {lot_id}.",
                       {"lot": ["unknown lot"]})
    return lot


def lot_trace(session, lot_id: int, *, lineage: Lineage | None = None) -> LotTrace:
    """Return the lot's trace: its first receipt, the transfers up to it and on from it with
    their waybills, every ledger row of those lots, and the sections other features add.

    :raise NotFound: when no lot has the id.
    """
    lot = get_lot(session, lot_id)
    lineage = lineage or read_lineage(session)
    ancestor_ids = lineage.ancestors(lot.id)
    ids = lineage.descendants(lot.id)
    path_ids = ancestor_ids + ids
    lots = {found.id: found for found in session.scalars(
        select(Lot).where(Lot.id.in_(path_ids)))}
    # Above the lot only the way it came counts: not what its ancestors sent elsewhere.
    legs = [leg for leg in legs_of(session, lineage, path_ids)
            if leg.from_lot.id in ids or (leg.to_lot is not None and leg.to_lot.id in path_ids)]
    on_path = {leg.transfer.id for leg in legs}
    first = path_ids[0]
    steps = [step for step in steps_of(session, path_ids)
             if step.lot.id in ids or (step.lot.id == first and step.kind == "receipt")
             or (step.transfer is not None and step.transfer.id in on_path)]
    trace = LotTrace(lot=lot, ancestors=[lots[i] for i in ancestor_ids],
                     lots=[lots[i] for i in ids], legs=legs, steps=steps)
    trace.sections = providers.for_lot(session, trace)
    return trace


# -- a shelter ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Arrival:
    """A transfer on its way to, or received at, a shelter's receiving point."""

    transfer: Transfer
    waybill: Waybill | None


@dataclass
class ShelterTrace:
    """What arrived at a shelter's receiving point, when, and what was handed out there."""

    shelter: Shelter
    arrivals: list[Arrival]
    #: goods received there directly (a donor's delivery, a purchase), not by transfer
    receipts: list[Movement]
    handed_out: list[Movement]
    #: by item code: (item, arrived, handed out)
    totals: list[tuple] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def find_shelter(session, code: str) -> Shelter:
    """:raise NotFound: when no shelter has the code."""
    shelter = session.scalar(select(Shelter).where(Shelter.code == code))
    if shelter is None:
        raise NotFound(f"没有编号为 {code} 的避难场所。", f"No shelter with code {code}.",
                       {"shelter": ["unknown shelter"]})
    return shelter


def shelter_trace(session, code: str) -> ShelterTrace:
    """Return what arrived at the shelter (transfers with their waybills, direct receipts),
    when, and what was handed out there (issue rows, by reference), with totals by item.

    :raise NotFound: when no shelter has the code.
    """
    shelter = find_shelter(session, code)
    depot_id = shelter.depot_id
    transfers = list(session.scalars(
        select(Transfer).where(Transfer.to_depot_id == depot_id,
                               Transfer.status.in_(("dispatched", "received")))
        .order_by(Transfer.dispatched_at, Transfer.id)))
    waybills = _waybills(session, {t.id for t in transfers})
    rows = list(session.scalars(
        select(Movement).where(Movement.depot_id == depot_id,
                               Movement.kind.in_(("receipt",) + HANDED_OUT))
        .order_by(Movement.occurred_at, Movement.id)))
    trace = ShelterTrace(shelter, [Arrival(t, waybills.get(t.id)) for t in transfers],
                         [m for m in rows if m.kind == "receipt"],
                         [m for m in rows if m.kind in HANDED_OUT])
    trace.totals = _shelter_totals(trace)
    trace.sections = providers.for_shelter(session, trace)
    return trace


def _shelter_totals(trace: ShelterTrace) -> list[tuple]:
    totals: dict[str, list] = {}

    def add(item, arrived: int, out: int) -> None:
        held = totals.setdefault(item.code, [item, 0, 0])
        held[1] += arrived
        held[2] += out

    for arrival in trace.arrivals:
        for line in arrival.transfer.lines:
            add(line.item, line.quantity_received or 0, 0)
    for movement in trace.receipts:
        add(movement.lot.item, movement.quantity, 0)
    for movement in trace.handed_out:
        add(movement.lot.item, 0, -movement.quantity)
    return [tuple(totals[code]) for code in sorted(totals)]
