"""Stocktakes (盘点): a keeper starts a count of a depot, records what is physically there lot by
lot, and submits it; the bureau (or an admin) approves it, which writes one adjustment row per
lot whose count differs, or sends it back.

Each count remembers the ledger balance at the moment of counting, and the adjustment is the
difference between the two (counted − expected). Stock that moved between the count and the
approval is therefore neither lost nor counted twice.
"""

from sqlalchemy import select

from inventory import audit, clock
from inventory.auth.permissions import ensure_can_move_stock, ensure_role
from inventory.db import fetch_one, utcnow
from inventory.errors import InvalidInput, NotFound, StateConflict, ensure_length
from inventory.geo.queries import get_depot
from inventory.stock.bulk import LedgerBatch, lock_lots_by_id
from inventory.stock.domain import LedgerEntry
from inventory.stock.models import Lot
from inventory.stock.services import get_lot, movement_key
from inventory.stocktake.models import Stocktake, StocktakeCount
from inventory.uow import unit_of_work

APPROVER_ROLES = ("bureau", "admin")


def get_stocktake(session, stocktake_id: int, *, lock: bool = False) -> Stocktake:
    """:raise NotFound: when no stocktake has the id."""
    stocktake = fetch_one(session, Stocktake, Stocktake.id == stocktake_id, lock=lock)
    if stocktake is None:
        raise NotFound(f"没有编号为 {stocktake_id} 的盘点单。",
                       f"No stocktake with id {stocktake_id}.")
    return stocktake


#: the longest note on a count or a decision (the API's schemas say the same)
NOTE_MAX = 500
COUNT_NOTE_MAX = 200


def start(session, actor, *, depot: str, note: str | None = None) -> Stocktake:
    """Open a count of a depot; one open count per depot at a time.

    :raise StateConflict: when the depot already has a count in progress or awaiting approval.
    """
    ensure_length(note, "note", NOTE_MAX)
    with unit_of_work(session):
        depot_row = get_depot(session, depot)
        ensure_can_move_stock(actor, depot_row)
        open_one = session.scalar(
            select(Stocktake).where(Stocktake.depot_id == depot_row.id,
                                    Stocktake.status.in_(("counting", "submitted"))))
        if open_one is not None:
            raise StateConflict(
                f"{depot_row.name} 已有未完成的盘点单 {open_one.number}，请继续该盘点。",
                f"{depot_row.code} already has stocktake {open_one.number} open; continue it.",
                {"stocktake": [open_one.id]})
        stocktake = Stocktake(number=f"tmp-{utcnow().timestamp()}", depot_id=depot_row.id,
                              status="counting", note=note, started_by_id=actor.id)
        session.add(stocktake)
        session.flush()
        stocktake.number = f"PD-{clock.today().year}-{stocktake.id:05d}"
        audit.record(session, actor, "stocktake.start", "stocktake", stocktake.id,
                     depot=depot_row.code)
    return stocktake


def count(session, actor, stocktake_id: int, *, lot: int, counted: int,
          note: str | None = None) -> StocktakeCount:
    """Record what was found of one lot; counting a lot again replaces its figure."""
    if not isinstance(counted, int) or counted < 0:
        raise InvalidInput("盘点数量须为非负整数。",
                           "The counted quantity must be a whole number ≥ 0.",
                           {"counted": ["must be ≥ 0"]})
    ensure_length(note, "note", COUNT_NOTE_MAX)
    with unit_of_work(session):
        stocktake = get_stocktake(session, stocktake_id, lock=True)
        ensure_can_move_stock(actor, stocktake.depot)
        if stocktake.status != "counting":
            raise StateConflict(f"盘点单 {stocktake.number} 已提交，不能再录入。",
                                f"Stocktake {stocktake.number} is {stocktake.status}; "
                                "counts can no longer change.")
        lot_row = get_lot(session, lot)
        if lot_row.depot_id != stocktake.depot_id:
            raise InvalidInput(f"批次 {lot_row.code} 不在 {stocktake.depot.name}。",
                               f"Lot {lot_row.code} is not at {stocktake.depot.code}.",
                               {"lot": ["not at this depot"]})
        row = session.scalar(select(StocktakeCount).where(
            StocktakeCount.stocktake_id == stocktake.id, StocktakeCount.lot_id == lot_row.id))
        if row is None:
            row = StocktakeCount(stocktake_id=stocktake.id, lot_id=lot_row.id)
            session.add(row)
        row.expected = lot_row.quantity
        row.counted = counted
        row.counted_by_id = actor.id
        row.counted_at = utcnow()
        row.note = note
        session.flush()
    return row


def uncounted_lots(session, stocktake: Stocktake) -> list[Lot]:
    """Lots of the depot holding stock that the count has not reached yet."""
    counted = select(StocktakeCount.lot_id).where(StocktakeCount.stocktake_id == stocktake.id)
    return session.scalars(
        select(Lot).where(Lot.depot_id == stocktake.depot_id, Lot.quantity > 0,
                          Lot.id.not_in(counted))
        .order_by(Lot.item_id, Lot.expires_on, Lot.id)).all()


def submit(session, actor, stocktake_id: int) -> Stocktake:
    """Hand the count in for approval."""
    with unit_of_work(session):
        stocktake = get_stocktake(session, stocktake_id, lock=True)
        ensure_can_move_stock(actor, stocktake.depot)
        if stocktake.status != "counting":
            raise StateConflict(f"盘点单 {stocktake.number} 状态为{stocktake.status}，不能提交。",
                                f"Stocktake {stocktake.number} is {stocktake.status}.")
        if not stocktake.counts:
            raise InvalidInput("尚未录入任何盘点数量。", "Nothing has been counted yet.",
                               {"counts": ["empty"]})
        stocktake.status = "submitted"
        stocktake.submitted_at = utcnow()
        audit.record(session, actor, "stocktake.submit", "stocktake", stocktake.id)
    return stocktake


def approve(session, actor, stocktake_id: int, *, note: str | None = None,
            key: str | None = None) -> tuple[Stocktake, list[LedgerEntry]]:
    """Approve a submitted count: one adjustment row per lot whose count differs.

    :raise InsufficientStock: when stock left a lot after it was counted short, so that the
        adjustment would drive it below zero (count it again).
    """
    ensure_length(note, "note", NOTE_MAX)
    with unit_of_work(session):
        ensure_role(actor, *APPROVER_ROLES)
        stocktake = get_stocktake(session, stocktake_id, lock=True)
        if stocktake.status != "submitted":
            raise StateConflict(f"盘点单 {stocktake.number} 未提交审批。",
                                f"Stocktake {stocktake.number} is {stocktake.status}, "
                                "not submitted.")
        differing = session.execute(
            select(StocktakeCount.lot_id, StocktakeCount.expected, StocktakeCount.counted)
            .where(StocktakeCount.stocktake_id == stocktake.id,
                   StocktakeCount.counted != StocktakeCount.expected)
            .order_by(StocktakeCount.lot_id)).all()
        lots = lock_lots_by_id(session, [row.lot_id for row in differing])
        batch = LedgerBatch(actor)
        for index, row in enumerate(differing, start=1):
            batch.add(lots[row.lot_id], kind="adjustment", quantity=row.counted - row.expected,
                      reason=f"盘点 {stocktake.number}：账面 {row.expected}，实盘 {row.counted}",
                      reference=stocktake.number, key=movement_key(key, index))
        movements = batch.write(session)
        stocktake.status = "approved"
        stocktake.decided_by_id = actor.id
        stocktake.decided_at = utcnow()
        stocktake.decision_note = note
        audit.record(session, actor, "stocktake.approve", "stocktake", stocktake.id,
                     adjustments=len(movements))
    return stocktake, movements


def reject(session, actor, stocktake_id: int, *, note: str) -> Stocktake:
    """Send a submitted count back for recounting, with the reason."""
    if not note or not note.strip():
        raise InvalidInput("退回须填写原因。", "Sending a count back needs a reason.",
                           {"note": ["required"]})
    ensure_length(note, "note", NOTE_MAX)
    with unit_of_work(session):
        ensure_role(actor, *APPROVER_ROLES)
        stocktake = get_stocktake(session, stocktake_id, lock=True)
        if stocktake.status != "submitted":
            raise StateConflict(f"盘点单 {stocktake.number} 未提交审批。",
                                f"Stocktake {stocktake.number} is not submitted.")
        stocktake.status = "counting"
        stocktake.submitted_at = None
        stocktake.decision_note = note
        audit.record(session, actor, "stocktake.reject", "stocktake", stocktake.id, note=note)
    return stocktake
