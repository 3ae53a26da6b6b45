"""Many stock changes in one transaction: a stocktake's adjustments, an opening-stock import.

The ledger rows are those the services would write one change at a time: each is chained to
the row before it on its lot, in the order given, and each lot ends with the balance, seq and
chain head that writing them one by one would leave. They are written with a few statements
for all of them, where one change at a time costs several round trips to the database each.
"""

import logging
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select, tuple_
from sqlalchemy.orm import defaultload
from sqlalchemy.orm.attributes import set_committed_value

from inventory import clock
from inventory.auth.permissions import ensure_can_move_stock
from inventory.catalogue.models import Item
from inventory.catalogue.queries import get_item
from inventory.db import utcnow
from inventory.geo.models import Depot
from inventory.geo.queries import get_depot
from inventory.stock import domain
from inventory.stock.models import Lot
from inventory.stock.services import (
    _positive,
    get_lot,
    movement_key,
    movement_row,
    new_lot_values,
)
from inventory.stock.writes import MOVEMENTS, UPDATE_LOT, Inserts
from inventory.uow import unit_of_work
from inventory.values import check_row

log = logging.getLogger(__name__)

#: ids or keys per IN list, well under the bound parameters a statement may carry
CHUNK = 1000


def _chunks(values: list) -> list[list]:
    return [values[start:start + CHUNK] for start in range(0, len(values), CHUNK)]


def lock_lots_by_id(session, lot_ids) -> dict[int, Lot]:
    """Lock the lots for a stock change, in id order so that lockers never deadlock.

    :raise NotFound: when no lot has one of the ids.
    """
    wanted = sorted(set(lot_ids))
    found: dict[int, Lot] = {}
    for chunk in _chunks(wanted):
        found.update((lot.id, lot) for lot in session.scalars(
            select(Lot).where(Lot.id.in_(chunk)).order_by(Lot.id)
            .options(defaultload(Lot.depot).lazyload(Depot.area))
            .with_for_update(of=Lot).execution_options(populate_existing=True)))
    for lot_id in wanted:
        if lot_id not in found:
            get_lot(session, lot_id)  # raises NotFound, in the service's words
    return found


class LedgerBatch:
    """Ledger rows gathered in order and written together."""

    def __init__(self, actor):
        self.actor = actor
        self.rows: list[dict] = []
        self.lots: dict[int, Lot | NewLot] = {}

    def add(self, lot: "Lot | NewLot", **details) -> None:
        """Chain the lot's next row (see ``movement_row``) and move the lot's head to it.

        The lot's balance, seq and chain head change in memory at once and in the database
        when the batch is written; a failure rolls the transaction (and the session) back.

        :raise InsufficientStock: when the row would drive the lot below zero.
        """
        row = movement_row(lot, actor=self.actor, **details)
        if isinstance(lot, Lot):
            set_committed_value(lot, "quantity", row["balance_after"])
            set_committed_value(lot, "seq", row["seq"])
            set_committed_value(lot, "head_hash", row["hash"])
        else:
            lot.quantity, lot.seq, lot.head_hash = row["balance_after"], row["seq"], row["hash"]
        self.rows.append(row)
        self.lots[lot.id] = lot

    def write(self, session) -> list[domain.LedgerEntry]:
        """Insert the rows and set every lot's balance, seq and chain head; return the rows."""
        if not self.rows:
            return []
        if session.new:  # plain statements do not autoflush: rows they refer to must exist first
            session.flush()
        connection = session.connection()
        ids = MOVEMENTS.ids(connection, self.rows)
        heads = [{"lot": lot.id, "balance": lot.quantity, "new_seq": lot.seq,
                  "head": lot.head_hash} for lot in self.lots.values()]
        for chunk in _chunks(heads):
            connection.execute(UPDATE_LOT, chunk)
        return [domain.LedgerEntry(id=movement_id, **row, lot=self.lots[row["lot_id"]],
                                   actor=self.actor)
                for movement_id, row in zip(ids, self.rows, strict=True)]


@dataclass(frozen=True)
class Delivery:
    """One receipt among many, with the values ``receive`` takes."""

    depot: str
    item: str
    quantity: int
    lot_code: str | None = None
    manufactured_on: date | None = None
    expires_on: date | None = None
    unit_cost: Decimal | float | None = None
    reason: str | None = None
    key: str | None = None


@dataclass
class NewLot:
    """A lot that deliveries create, inserted with the others: its column values, then its id."""

    depot_id: int
    item_id: int
    code: str
    received_on: date
    manufactured_on: date | None
    expires_on: date | None
    source: str
    unit_cost: Decimal | None
    status: str
    quantity: int
    seq: int
    head_hash: str
    origin_lot_id: int | None
    created_at: datetime
    depot: Depot
    item: Item
    id: int | None = None


_NEW_LOT_COLUMNS = tuple(f.name for f in fields(NewLot) if f.name not in ("depot", "item", "id"))
_LOTS = Inserts(Lot.__table__, _NEW_LOT_COLUMNS)


def receive_many(session, actor, deliveries: list[Delivery], *, source: str = "purchase",
                 reference: str | None = None) -> list[domain.LedgerEntry]:
    """Receive many deliveries in one transaction, each as ``receive`` would (入库).

    A delivery creates its lot, or tops up the lot with its code at its depot (one that an
    earlier delivery of the list created, too). Every delivery is checked, in order, before
    the new lots are inserted and the first ledger row is written; a receipt that would take
    a lot past the largest balance is refused after those checks.

    :raise InvalidInput: for a quantity that is not a positive whole number.
    :raise NotFound: for an unknown depot or item.
    :raise StateConflict: when a lot code exists at the depot with another expiry date, or
        was written off.
    """
    with unit_of_work(session):
        now = utcnow()
        received_on = clock.local_date(now)
        codes = [delivery.lot_code or domain.new_lot_code(received_on)
                 for delivery in deliveries]
        depots = _by_code(session, Depot, {d.depot for d in deliveries})
        items = _by_code(session, Item, {d.item for d in deliveries})
        lots: dict[tuple, Lot | NewLot] = _lock_by_code(session, deliveries, codes, depots,
                                                        items)
        planned, created = [], []
        for delivery, code in zip(deliveries, codes, strict=True):
            _positive(delivery.quantity)
            depot = depots.get(delivery.depot) or get_depot(session, delivery.depot)
            ensure_can_move_stock(actor, depot)
            item = items.get(delivery.item) or get_item(session, delivery.item)
            domain.ensure_made_before_expiry(delivery.manufactured_on, delivery.expires_on)
            lot = lots.get((depot.id, item.id, code))
            if lot is None:
                lot = lots[depot.id, item.id, code] = NewLot(**new_lot_values(
                    depot=depot, item=item, code=code, received_on=received_on, source=source,
                    expires_on=delivery.expires_on, manufactured_on=delivery.manufactured_on,
                    unit_cost=domain.money(delivery.unit_cost)), created_at=now,
                    depot=depot, item=item)
                created.append(lot)
            domain.ensure_can_top_up(lot, item.shelf_life_days, delivery.manufactured_on,
                                     delivery.expires_on)
            planned.append((lot, delivery))
        _insert_lots(session, created)
        batch = LedgerBatch(actor)
        for lot, delivery in planned:
            batch.add(lot, kind="receipt", quantity=delivery.quantity, reason=delivery.reason,
                      reference=reference, key=movement_key(delivery.key, 1))
        movements = batch.write(session)
        log.info("%s receipts into %s lots, %s of them new", len(movements), len(batch.lots),
                 len(created))
    return movements


def _insert_lots(session, created: list[NewLot]) -> None:
    """Insert the new lots, empty, in the order they were made; each gets its id."""
    if session.new:  # plain statements do not autoflush
        session.flush()
    rows = [{name: getattr(lot, name) for name in _NEW_LOT_COLUMNS} for lot in created]
    for row in rows:  # plain statements: no flush checks them
        check_row(Lot.__table__, row)
    for lot, lot_id in zip(created, _LOTS.ids(session.connection(), rows), strict=True):
        lot.id = lot_id


def _by_code(session, model, codes: set[str]) -> dict:
    found = {}
    for chunk in _chunks(sorted(codes)):
        found.update((row.code, row) for row in session.scalars(
            select(model).where(model.code.in_(chunk))))
    return found


def _lock_by_code(session, deliveries: list[Delivery], codes: list[str], depots: dict,
                  items: dict) -> dict[tuple[int, int, str], Lot]:
    """Lock the lots the deliveries top up, by (depot, item, lot code), in id order."""
    wanted = sorted({(depots[d.depot].id, items[d.item].id, code)
                     for d, code in zip(deliveries, codes, strict=True)
                     if d.depot in depots and d.item in items})
    found = {}
    for chunk in _chunks(wanted):
        found.update(((lot.depot_id, lot.item_id, lot.code), lot) for lot in session.scalars(
            select(Lot).where(tuple_(Lot.depot_id, Lot.item_id, Lot.code).in_(chunk))
            .order_by(Lot.id).with_for_update(of=Lot)
            .execution_options(populate_existing=True)))
    return found
