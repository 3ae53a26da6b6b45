"""Reads of the stock pages and lists, as plain query functions a test calls without HTTP.

``usable_on`` is the SQL form of the usable-lot rule that ``domain.effective_status`` states
in Python: a lot is usable while it is available and not past its expiry date.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, func, or_, select

from inventory.audit import events_for
from inventory.catalogue.models import Item
from inventory.contracts.models import CallOff
from inventory.geo.models import Area, Bin, Depot
from inventory.stock import domain
from inventory.stock.models import Lot, Movement
from inventory.stocktake.models import Stocktake
from inventory.transfers.models import Transfer

#: the home and depot pages list lots expiring within this many days
EXPIRING_DAYS = 90


def usable_on(day: date):
    """The SQL condition of a lot usable on the day (see ``domain.effective_status``)."""
    return (Lot.status == "available") & or_(Lot.expires_on.is_(None), Lot.expires_on >= day)


def expired_on(day: date):
    """The SQL condition of a lot expired on the day: so marked, or available but lapsed."""
    return (Lot.status == "expired") | ((Lot.status == "available") & (Lot.expires_on < day))


def lots(*, depot_id: int | None = None, item_id: int | None = None, code: str | None = None,
         in_stock: bool | None = None, status: str | None = None,
         today: date | None = None) -> Select:
    """Return the lots that match, in id order; ``status`` is the effective one on ``today``."""
    stmt = select(Lot).order_by(Lot.id)
    if depot_id is not None:
        stmt = stmt.where(Lot.depot_id == depot_id)
    if item_id is not None:
        stmt = stmt.where(Lot.item_id == item_id)
    if code:
        stmt = stmt.where(Lot.code == code)
    if in_stock is not None:
        stmt = stmt.where((Lot.quantity > 0) if in_stock else (Lot.quantity == 0))
    if status == "expired":
        stmt = stmt.where(expired_on(today))
    elif status == "available":
        stmt = stmt.where(usable_on(today))
    elif status:
        stmt = stmt.where(Lot.status == status)
    return stmt


def movements(*, depot_id: int | None = None, item_id: int | None = None, lot: int | None = None,
              kind: str | None = None, reference: str | None = None,
              transfer: int | None = None, since=None, until=None) -> Select:
    """Return the ledger rows that match, oldest first (``until`` excluded)."""
    stmt = select(Movement).order_by(Movement.id)
    for column, value in ((Movement.depot_id, depot_id), (Movement.item_id, item_id),
                          (Movement.lot_id, lot), (Movement.kind, kind),
                          (Movement.reference, reference), (Movement.transfer_id, transfer)):
        if value is not None:
            stmt = stmt.where(column == value)
    if since:
        stmt = stmt.where(Movement.occurred_at >= since)
    if until:
        stmt = stmt.where(Movement.occurred_at < until)
    return stmt


@dataclass
class Overview:
    """The home page: every depot with its stock and lots expiring soon."""

    depots: list[Depot]
    #: units held, by depot id
    totals: dict[int, int]
    #: lots with stock expiring within EXPIRING_DAYS, by depot id
    expiring: dict[int, int]
    #: transfers on the road
    in_transit: int


def overview(session, today: date) -> Overview:
    """Return all depots by code with their stock, soon-expiring lots and goods on the road."""
    totals = dict(session.execute(
        select(Lot.depot_id, func.sum(Lot.quantity)).group_by(Lot.depot_id)).all())
    expiring = dict(session.execute(
        select(Lot.depot_id, func.count(Lot.id))
        .where(Lot.quantity > 0, Lot.expires_on.is_not(None),
               Lot.expires_on <= today + timedelta(days=EXPIRING_DAYS))
        .group_by(Lot.depot_id)).all())
    depots = session.scalars(select(Depot).join(Area).order_by(Depot.code)).unique().all()
    in_transit = session.scalar(select(func.count(Transfer.id))
                                .where(Transfer.status == "dispatched"))
    return Overview(list(depots), totals, expiring, in_transit)


@dataclass
class ItemHeld:
    item: Item
    quantity: int = 0
    usable: int = 0
    lots: int = 0


@dataclass
class DepotPage:
    """One depot: its stock by item and lot, and what moves in and out of it."""

    depot: Depot
    today: date
    lots: list[Lot]
    by_item: list[ItemHeld]
    expiring: list[Lot]
    movements: list[Movement]
    transfers: list[Transfer]
    #: contract deliveries on their way here
    expected: list[CallOff]
    bins: list[Bin]
    last_stocktake: Stocktake | None = None
    #: the shelf or the item the page was narrowed to
    shelf: Bin | None = None
    only_item: Item | None = None
    statuses: dict[int, str] = field(default_factory=dict)


def depot_page(session, code: str, today: date, *, bin_code: str | None = None,
               item_code: str | None = None) -> DepotPage | None:
    """Return a depot's page, narrowed to a shelf or an item; None when the depot, the shelf
    or the item does not exist."""
    depot = session.scalar(select(Depot).where(Depot.code == code))
    if depot is None:
        return None
    lots_query = select(Lot).where(Lot.depot_id == depot.id, Lot.quantity > 0)
    shelf = only_item = None
    if bin_code:
        shelf = session.scalar(select(Bin).where(Bin.depot_id == depot.id, Bin.code == bin_code))
        if shelf is None:
            return None
        lots_query = lots_query.where(Lot.bin_id == shelf.id)
    if item_code:  # drilled down from a target's item
        only_item = session.scalar(select(Item).where(Item.code == item_code))
        if only_item is None:
            return None
        lots_query = lots_query.where(Lot.item_id == only_item.id)
    held = list(session.scalars(lots_query.order_by(Lot.item_id, Lot.expires_on)))
    statuses = {lot.id: domain.effective_status(lot, today) for lot in held}
    by_item: dict[int, ItemHeld] = {}
    for lot in held:
        entry = by_item.setdefault(lot.item_id, ItemHeld(lot.item))
        entry.quantity += lot.quantity
        entry.lots += 1
        if statuses[lot.id] == "available":
            entry.usable += lot.quantity
    soon = today + timedelta(days=EXPIRING_DAYS)
    expiring = sorted((lot for lot in held if lot.expires_on and lot.expires_on <= soon),
                      key=lambda lot: lot.expires_on)
    recent = select(Movement).where(Movement.depot_id == depot.id)
    if only_item is not None:
        recent = recent.where(Movement.item_id == only_item.id)
    return DepotPage(
        depot=depot, today=today, lots=held, by_item=list(by_item.values()), expiring=expiring,
        movements=list(session.scalars(recent.order_by(Movement.id.desc()).limit(30))),
        transfers=list(session.scalars(
            select(Transfer).where((Transfer.from_depot_id == depot.id)
                                   | (Transfer.to_depot_id == depot.id))
            .order_by(Transfer.id.desc()).limit(20))),
        expected=list(session.scalars(
            select(CallOff).where(CallOff.depot_id == depot.id, CallOff.status == "expected")
            .order_by(CallOff.id))),
        bins=list(session.scalars(select(Bin).where(Bin.depot_id == depot.id, Bin.active)
                                  .order_by(Bin.code))),
        last_stocktake=session.scalar(
            select(Stocktake).where(Stocktake.depot_id == depot.id)
            .order_by(Stocktake.id.desc()).limit(1)),
        shelf=shelf, only_item=only_item, statuses=statuses)


@dataclass
class LotPage:
    lot: Lot
    #: its whole ledger, from receipt on
    movements: list[Movement]
    #: the lot it came from (a transfer's receipt)
    origin: Lot | None
    status: str
    #: the application log's events about it (status changes)
    events: list


def lot_page(session, lot_id: int, today: date) -> LotPage | None:
    """Return a lot with its ledger; None when there is no such lot."""
    lot = session.get(Lot, lot_id)
    if lot is None:
        return None
    return LotPage(
        lot=lot,
        movements=list(session.scalars(
            select(Movement).where(Movement.lot_id == lot.id).order_by(Movement.seq))),
        origin=session.get(Lot, lot.origin_lot_id) if lot.origin_lot_id else None,
        status=domain.effective_status(lot, today),
        events=events_for(session, "lot", lot.id))
